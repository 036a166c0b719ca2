using System;
using System.Collections.Generic;
using System.IO;
using AitreTts.Core.Audio;

namespace AitreTts.Core.Offline;

/// <summary>
/// Ogg Opus of any length from one clip. Ogg streams cannot be concatenated, so the clip's packets are taken
/// out of their pages and paged again by <see cref="OggPageWriter"/> as one logical stream: OpusHead, OpusTags,
/// then the audio packets over and over, with granule positions counting 48 kHz samples and the last page's
/// granule trimming the stream to the exact length.
/// </summary>
internal sealed class OpusLoop
{
    private const int OpusRate = 48000;

    private readonly byte[] _head;
    private readonly byte[] _tags;
    private readonly uint _serial;
    private readonly List<byte[]> _packets = new();
    private readonly List<int> _packetSamples = new();

    public OpusLoop(byte[] clip)
    {
        List<byte[]> packets = Packets(clip, out _serial);
        if (packets.Count < 3 || packets[0].Length < 19 || !Bytes.Ascii(packets[0], 0, "OpusHead") || !Bytes.Ascii(packets[1], 0, "OpusTags"))
        {
            throw Broken("it is not OpusHead, OpusTags and audio packets");
        }

        _head = packets[0];
        _tags = packets[1];
        PreSkip = Bytes.U16Le(_head, 10);
        for (int i = 2; i < packets.Count; i++)
        {
            int samples = OggOpusCodec.PacketSamples(packets[i], packets[i].Length);
            if (samples <= 0)
            {
                throw Broken($"audio packet {i - 2} is not a valid Opus packet");
            }

            _packets.Add(packets[i]);
            _packetSamples.Add(samples);
        }
    }

    /// <summary>Samples at 48 kHz a decoder drops at the start (OpusHead's pre-skip).</summary>
    public int PreSkip { get; }

    /// <summary>A stream that plays for exactly <paramref name="seconds"/>, rounded to a 48 kHz sample.</summary>
    public byte[] Build(double seconds)
    {
        long playable = Math.Max(1, (long)Math.Round(seconds * OpusRate));
        var output = new MemoryStream();
        var sink = new OutputSink(output, System.Threading.CancellationToken.None);
        var writer = new OggPageWriter(sink, _serial);
        writer.WriteHeaderPacket(_head, _head.Length);
        writer.WriteHeaderPacket(_tags, _tags.Length);
        long granule = 0;
        for (int i = 0; granule < PreSkip + playable; i++)
        {
            int index = i % _packets.Count;
            granule += _packetSamples[index];
            writer.AddPacket(_packets[index], 0, _packets[index].Length, granule);
        }

        // End trimming: the final granule may stop inside the last packet (RFC 7845, section 4.4).
        writer.Finish(PreSkip + playable);
        sink.Flush();
        return output.ToArray();
    }

    /// <summary>The packets of the clip's pages, each page checked against its CRC; and their serial number.</summary>
    private static List<byte[]> Packets(byte[] clip, out uint serial)
    {
        serial = 0;
        // Pages first: their lacing values in one list and their bodies in one buffer, which the lacing then cuts into packets.
        var lacing = new List<byte>();
        var bodies = new MemoryStream();
        int page = 0;
        while (page < clip.Length)
        {
            int segments = page + Ogg.HeaderSize <= clip.Length && Bytes.Ascii(clip, page, "OggS") ? clip[page + 26] : -1;
            int bodyStart = page + Ogg.HeaderSize + segments;
            int bodyLength = 0;
            for (int s = 0; s < segments && bodyStart <= clip.Length; s++)
            {
                bodyLength += clip[page + Ogg.HeaderSize + s];
            }

            if (segments < 0 || bodyStart + bodyLength > clip.Length || Ogg.PageCrc(clip, page, bodyStart + bodyLength - page) != Bytes.U32Le(clip, page + 22))
            {
                throw Broken($"no valid Ogg page at offset {page}");
            }

            serial = Bytes.U32Le(clip, page + 14);
            lacing.AddRange(new ArraySegment<byte>(clip, page + Ogg.HeaderSize, segments));
            bodies.Write(clip, bodyStart, bodyLength);
            page = bodyStart + bodyLength;
        }

        byte[] all = bodies.ToArray();
        var packets = new List<byte[]>();
        int packetStart = 0, position = 0;
        foreach (byte value in lacing)
        {
            position += value;
            if (value < 255)
            {
                var packet = new byte[position - packetStart];
                System.Buffer.BlockCopy(all, packetStart, packet, 0, packet.Length);
                packets.Add(packet);
                packetStart = position;
            }
        }

        return packets;
    }

    private static InvalidDataException Broken(string why) => new("An embedded offline Opus clip is unusable: " + why + ".");
}
