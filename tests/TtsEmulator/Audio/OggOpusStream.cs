using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;

namespace TtsEmulator.Audio;

/// <summary>
/// Opus in Ogg. Ogg cannot be concatenated, so a longer stream is rebuilt as one logical stream: the clip's
/// OpusHead and OpusTags pages, then its audio packets repeated, paged again with continuous sequence numbers,
/// granule positions that count 48 kHz samples, fresh CRCs, and EOS on the last page.
/// </summary>
internal sealed class OggOpusStream
{
    private const int PacketsPerPage = 50;
    private static readonly Lazy<OggOpusStream> Default = new(() => new OggOpusStream(Fixtures.Load("clip.opus")));

    private readonly byte[] head;
    private readonly byte[] tags;
    private readonly List<(byte[] Packet, int Samples)> packets = new();
    private readonly uint serial;

    private OggOpusStream(byte[] file)
    {
        var all = new List<byte[]>();
        var pending = new MemoryStream();
        int pos = 0;
        while (pos < file.Length)
        {
            if (pos + 27 > file.Length || file[pos] != 'O' || file[pos + 1] != 'g' || file[pos + 2] != 'g' || file[pos + 3] != 'S')
            {
                throw new InvalidDataException($"clip.opus: no Ogg page at {pos}.");
            }

            serial = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 14));
            int segments = file[pos + 26];
            int data = pos + 27 + segments;
            for (int i = 0; i < segments; i++)
            {
                int lace = file[pos + 27 + i];
                pending.Write(file, data, lace);
                data += lace;
                if (lace < 255)
                {
                    all.Add(pending.ToArray());
                    pending.SetLength(0);
                }
            }

            pos = data;
        }

        head = all[0];
        tags = all[1];
        if (head.Length < 19 || System.Text.Encoding.ASCII.GetString(head, 0, 8) != "OpusHead")
        {
            throw new InvalidDataException("clip.opus: the first packet is not OpusHead.");
        }

        PreSkip = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(10));
        for (int i = 2; i < all.Count; i++)
        {
            packets.Add((all[i], PacketSamples(all[i])));
        }
    }

    public static OggOpusStream Instance => Default.Value;

    public int PreSkip { get; }

    public byte[] Build(double seconds)
    {
        long wanted = (long)Math.Ceiling(seconds * 48000) + PreSkip;
        var chosen = new List<(byte[] Packet, int Samples)>();
        long total = 0;
        for (int i = 0; total < wanted || chosen.Count == 0; i++)
        {
            var packet = packets[i % packets.Count];
            chosen.Add(packet);
            total += packet.Samples;
        }

        using var output = new MemoryStream();
        uint sequence = 0;
        WritePage(output, new[] { head }, 0, sequence++, bos: true, eos: false);
        WritePage(output, new[] { tags }, 0, sequence++, bos: false, eos: false);
        long granule = 0;
        for (int start = 0; start < chosen.Count; start += PacketsPerPage)
        {
            int count = Math.Min(PacketsPerPage, chosen.Count - start);
            var page = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                page[i] = chosen[start + i].Packet;
                granule += chosen[start + i].Samples;
            }

            WritePage(output, page, granule, sequence++, bos: false, eos: start + count == chosen.Count);
        }

        return output.ToArray();
    }

    /// <summary>Samples (at 48 kHz) in one Opus packet, from its TOC byte (RFC 6716, 3.1).</summary>
    internal static int PacketSamples(byte[] packet)
    {
        int config = packet[0] >> 3;
        int frameSamples = config < 12
            ? new[] { 480, 960, 1920, 2880 }[config & 3]
            : config < 16
                ? new[] { 480, 960 }[config & 1]
                : new[] { 120, 240, 480, 960 }[config & 3];
        int frames = (packet[0] & 3) switch
        {
            0 => 1,
            1 or 2 => 2,
            _ => packet[1] & 0x3F,
        };
        return frameSamples * frames;
    }

    private void WritePage(Stream output, byte[][] pagePackets, long granule, uint sequence, bool bos, bool eos)
    {
        var lacing = new List<byte>();
        int bodyLength = 0;
        foreach (byte[] packet in pagePackets)
        {
            int remaining = packet.Length;
            while (remaining >= 255)
            {
                lacing.Add(255);
                remaining -= 255;
            }

            lacing.Add((byte)remaining);
            bodyLength += packet.Length;
        }

        if (lacing.Count > 255)
        {
            throw new InvalidOperationException("Too many segments for one Ogg page.");
        }

        var page = new byte[27 + lacing.Count + bodyLength];
        "OggS"u8.CopyTo(page);
        page[4] = 0;
        page[5] = (byte)((bos ? 2 : 0) | (eos ? 4 : 0));
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), serial);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), sequence);
        page[26] = (byte)lacing.Count;
        lacing.CopyTo(page, 27);
        int p = 27 + lacing.Count;
        foreach (byte[] packet in pagePackets)
        {
            packet.CopyTo(page, p);
            p += packet.Length;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), Checksums.OggCrc32(page));
        output.Write(page);
    }
}
