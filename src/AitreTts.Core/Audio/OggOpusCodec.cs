using System;
using System.Collections.Generic;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>
/// Opus in Ogg (RFC 7845). Concatenated Ogg files are chained streams, which many players stop after the
/// first link of, so the chunks are re-muxed into one logical stream: the first chunk's OpusHead and OpusTags,
/// every chunk's audio packets, new pages with one serial number, consecutive sequence numbers, granule
/// positions counted from each packet's TOC byte (RFC 6716 section 3.1), and fresh CRCs.
/// </summary>
/// <remarks>
/// <para>Each chunk's stream begins with pre-skip samples (encoder warm-up, 312 at 48 kHz for libopus) and ends
/// with end-trimmed padding (up to a frame). In one stream only the first pre-skip and the last end trim can be
/// signalled; everything at the inner boundaries would otherwise be played, adding up to about 26 ms per
/// boundary. To keep the joined duration within a frame of the sum of the parts, the inner excess is tracked
/// as a running surplus: at the start of each later chunk, its first packets (warm-up, then the usually silent
/// start of the speech) are dropped while that brings the surplus closer to zero, and the remaining surplus is
/// end-trimmed from the final page's granule position, never more than the last packet holds (RFC 7845
/// section 4.4 says a decoder SHOULD NOT be asked to discard more).</para>
/// <para>Later chunks must have the same channel count and channel mapping as the first. Their output gain
/// and input sample rate are not compared: the first chunk's apply to the whole document.</para>
/// </remarks>
internal sealed class OggOpusCodec : AudioCodec
{
    public static readonly OggOpusCodec Instance = new();

    private OggOpusCodec()
    {
    }

    public override AudioFormat Format => AudioFormat.Opus;

    private const int OpusRate = 48000;
    private const int SilentPacketSamples = 960; // 20 ms
    private static readonly int[] SilkFrames = { 480, 960, 1920, 2880 };
    private static readonly int[] CeltFrames = { 120, 240, 480, 960 };

    /// <summary>What pass 1 learns of a chunk.</summary>
    internal sealed class ChunkFacts
    {
        public byte[] Head { get; set; } = Array.Empty<byte>();

        public byte[] Tags { get; set; } = Array.Empty<byte>();

        public int PreSkip { get; set; }

        public int Channels { get; set; }

        /// <summary>All decoded samples of the audio packets, pre-skip and padding included.</summary>
        public long Samples { get; set; }

        /// <summary>The granule position of the last page that completes a packet.</summary>
        public long FinalGranule { get; set; }

        /// <summary>Playable samples: final granule minus pre-skip.</summary>
        public long Playable => Math.Max(0, FinalGranule - PreSkip);

        /// <summary>Samples decoded past the end the granule position signals.</summary>
        public long EndTrim => Math.Max(0, Samples - FinalGranule);
    }

    public override AudioInfo Join(IReadOnlyList<string> paths, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        var facts = new ChunkFacts[paths.Count];
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            facts[i] = Scan(reader, keepTags: i == 0);
            if (i > 0 && !SameLayout(facts[0].Head, facts[i].Head))
            {
                throw AudioErrors.Mismatch(reader, "channel layout", Describe(facts[0].Head), Describe(facts[i].Head));
            }
        }

        ChunkFacts head = facts[0];
        long wanted = 0;
        foreach (ChunkFacts f in facts)
        {
            wanted += f.Playable;
        }

        var writer = new OggPageWriter(sink, SerialOf(paths[0], cancellationToken));
        writer.WriteHeaderPacket(head.Head, head.Head.Length);
        writer.WriteHeaderPacket(head.Tags, head.Tags.Length);

        long written = 0;   // samples of the packets written, the first pre-skip included
        long surplus = 0;   // samples that will play beyond the parts' own durations
        int lastPacket = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            if (i > 0)
            {
                surplus += facts[i - 1].EndTrim + facts[i].PreSkip;
            }

            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            int index = 0;
            long dropped = 0;
            bool atStart = i > 0;
            foreach (OggPacket packet in Ogg.Packets(reader))
            {
                if (index++ < 2)
                {
                    continue; // OpusHead and OpusTags, checked in pass 1.
                }

                int samples = PacketSamples(packet.Data, packet.Length);
                if (atStart && 2 * surplus >= samples && dropped + samples < facts[i].Samples)
                {
                    surplus -= samples;
                    dropped += samples;
                    continue;
                }

                atStart = false;
                written += samples;
                lastPacket = samples;
                writer.AddPacket(packet.Data, 0, packet.Length, written);
            }
        }

        // The final granule says where playback ends: the sum of the parts after the first pre-skip, as far as
        // the last packet allows.
        long finalGranule = Math.Min(written, Math.Max(written - lastPacket, head.PreSkip + wanted));
        writer.Finish(finalGranule);
        return Info(head, finalGranule, sink.Written);
    }

    public override AudioInfo Inspect(string path, AudioJoinOptions options)
    {
        using var reader = new ChunkReader(path, 0, CancellationToken.None);
        ChunkFacts facts = Scan(reader, keepTags: false);
        return Info(facts, facts.FinalGranule, reader.Length);
    }

    /// <summary>The number of 48 kHz samples a packet decodes to, from its TOC byte; -1 when the packet is invalid.</summary>
    internal static int PacketSamples(byte[] p, int length)
    {
        if (length < 1)
        {
            return -1;
        }

        int config = p[0] >> 3;
        int frame = config < 12 ? SilkFrames[config & 3]   // SILK-only: 10, 20, 40, 60 ms
            : config < 16 ? ((config & 1) == 0 ? 480 : 960) // Hybrid: 10, 20 ms
            : CeltFrames[config & 3];                       // CELT-only: 2.5, 5, 10, 20 ms
        int count;
        switch (p[0] & 3)
        {
            case 0:
                count = 1;
                break;
            case 1:
            case 2:
                count = 2;
                break;
            default:
                if (length < 2)
                {
                    return -1;
                }

                count = p[1] & 0x3F;
                break;
        }

        int total = frame * count;
        return count == 0 || total > 5760 ? -1 : total; // A packet holds at most 120 ms.
    }

    internal static ChunkFacts Scan(ChunkReader reader, bool keepTags)
    {
        var facts = new ChunkFacts();
        int index = 0;
        bool granuleSeen = false;
        foreach (OggPacket packet in Ogg.Packets(reader))
        {
            if (index == 0)
            {
                if (packet.Length < 19 || !Bytes.Ascii(packet.Data, 0, "OpusHead") || packet.Data[8] >> 4 != 0)
                {
                    throw AudioErrors.Chunk(reader, "is not an Ogg Opus stream: its first packet is not an OpusHead header");
                }

                facts.Head = Copy(packet);
                facts.Channels = packet.Data[9];
                facts.PreSkip = Bytes.U16Le(packet.Data, 10);
                if (packet.Data[18] != 0 && packet.Length < 21 + facts.Channels)
                {
                    throw AudioErrors.Chunk(reader, "has an OpusHead header whose channel mapping table is cut short");
                }
            }
            else if (index == 1)
            {
                if (packet.Length < 8 || !Bytes.Ascii(packet.Data, 0, "OpusTags"))
                {
                    throw AudioErrors.Chunk(reader, "is not an Ogg Opus stream: its second packet is not an OpusTags header");
                }

                if (keepTags)
                {
                    facts.Tags = Copy(packet);
                }
            }
            else
            {
                int samples = PacketSamples(packet.Data, packet.Length);
                if (samples < 0)
                {
                    throw AudioErrors.Chunk(reader, $"holds an invalid Opus packet (number {index - 1}, {packet.Length} bytes) before offset {reader.Position}");
                }

                if (packet.Length > 255 * 254)
                {
                    throw AudioErrors.Chunk(reader, $"holds an Opus packet of {packet.Length} bytes, more than Opus allows");
                }

                facts.Samples += samples;
                if (packet.LastOnPage && packet.PageGranule >= 0)
                {
                    facts.FinalGranule = packet.PageGranule;
                    granuleSeen = true;
                }
            }

            index++;
        }

        if (index < 3)
        {
            throw AudioErrors.Chunk(reader, index < 2 ? "is not a complete Ogg Opus stream: its headers are missing" : "holds no Opus audio packets");
        }

        if (!granuleSeen)
        {
            facts.FinalGranule = facts.Samples;
        }

        return facts;
    }

    private static byte[] Copy(OggPacket packet)
    {
        var copy = new byte[packet.Length];
        System.Buffer.BlockCopy(packet.Data, 0, copy, 0, packet.Length);
        return copy;
    }

    private static bool SameLayout(byte[] a, byte[] b)
    {
        // Channel count (byte 9), mapping family (18) and, for families other than 0, the mapping table.
        if (a[9] != b[9] || a[18] != b[18])
        {
            return false;
        }

        if (a[18] == 0)
        {
            return true;
        }

        int end = 21 + a[9];
        for (int i = 19; i < end; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(byte[] head) => $"{head[9]} channels, mapping family {head[18]}";

    private static uint SerialOf(string path, CancellationToken cancellationToken)
    {
        // Keep the first chunk's serial number: the output is that stream, extended.
        using var reader = new ChunkReader(path, 0, cancellationToken);
        reader.Ensure(Ogg.HeaderSize);
        return Bytes.U32Le(reader.Buffer, reader.Offset + 14);
    }

    private static AudioInfo Info(ChunkFacts head, long finalGranule, long bytes) => new()
    {
        Duration = AudioInfo.FromSamples(Math.Max(0, finalGranule - head.PreSkip), OpusRate),
        Bytes = bytes,
        SampleRate = OpusRate,
        Channels = head.Channels,
        Format = AudioFormat.Opus,
    };

    /// <summary>
    /// The joiner drops whole packets at the start of later chunks to absorb the inner pre-skips and end trims, and
    /// end-trims the final page; the span is the chunk's [pre-skip, final granule) moved back by the dropped samples.
    /// When more was dropped than the chunk's pre-skip, the first few milliseconds of the chunk (of a speech chunk, the
    /// silence before the voice) are not in the joined file; the span still starts where they would have played, over
    /// the previous chunk's end-trimmed tail, so the rest of it keeps its timing.
    /// </summary>
    public override ChunkTimeline Measure(IReadOnlyList<string> paths, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        var raw = new (long Start, long End)[paths.Count];
        long written = 0, surplus = 0, wanted = 0, lastPacket = 0;
        ChunkFacts? previous = null;
        int firstPreSkip = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            ChunkFacts facts = Scan(reader, keepTags: false);
            firstPreSkip = i == 0 ? facts.PreSkip : firstPreSkip;
            wanted += facts.Playable;
            if (previous is not null)
            {
                surplus += previous.EndTrim + facts.PreSkip;
            }

            // The joiner's rule (Join): drop leading packets of a later chunk while that brings the
            // surplus closer to zero, keeping at least one.
            reader.Seek(0);
            long dropped = 0;
            bool atStart = previous is not null;
            int index = 0;
            foreach (OggPacket packet in Ogg.Packets(reader))
            {
                if (index++ < 2)
                {
                    continue;
                }

                int samples = PacketSamples(packet.Data, packet.Length);
                if (atStart && 2 * surplus >= samples && dropped + samples < facts.Samples)
                {
                    surplus -= samples;
                    dropped += samples;
                    continue;
                }

                atStart = false;
                lastPacket = samples;
            }

            // Sample r of the chunk plays at written + r - dropped; when more than the pre-skip was dropped, the span
            // starts where the lost start would have played, over the previous chunk's end-trimmed tail.
            raw[i] = (written + facts.PreSkip - dropped, written + facts.FinalGranule - dropped);
            written += facts.Samples - dropped;
            previous = facts;
        }

        long finalGranule = Math.Min(written, Math.Max(written - lastPacket, firstPreSkip + wanted));
        return ChunkTimeline.FromPositions(raw, firstPreSkip, finalGranule, 48000);
    }

    public override TimeSpan WriteSilence(string? referencePath, int milliseconds, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        ChunkFacts facts;
        using (var reader = new ChunkReader(referencePath!, 0, cancellationToken))
        {
            facts = Scan(reader, keepTags: true);
        }

        // Mapping family 0 is one Opus stream of one or two channels; other families hold several streams per packet.
        if (facts.Head[18] != 0)
        {
            throw AudioErrors.Chunk(0, referencePath!, $"uses Opus channel mapping family {facts.Head[18]}, for which no silent packet can be made (only family 0, mono or stereo)");
        }

        // The chunk's OpusHead with no pre-skip: silence needs no warm-up, and its whole length then plays.
        var head = (byte[])facts.Head.Clone();
        Bytes.PutU16Le(head, 10, 0);

        // TOC: CELT-only, fullband, 20 ms (configuration 31), mono or stereo, one frame; then a range-coded frame
        // whose first symbol is the silence flag set.
        byte[] packet = { (byte)(0xF8 | (facts.Channels == 2 ? 0x04 : 0)), 0xFF, 0xFE };
        long samples = Silence.SamplesOf(milliseconds, OpusRate);
        long packets = (samples + SilentPacketSamples - 1) / SilentPacketSamples;
        var writer = new OggPageWriter(sink, 0x41697472); // any serial: the joiner keeps the first chunk's
        writer.WriteHeaderPacket(head, head.Length);
        writer.WriteHeaderPacket(facts.Tags, facts.Tags.Length);
        for (long i = 1; i <= packets; i++)
        {
            writer.AddPacket(packet, 0, packet.Length, i * SilentPacketSamples);
        }

        writer.Finish(samples); // end-trims the last packet to the exact length
        return AudioInfo.FromSamples(samples, OpusRate);
    }

    public override bool Recognizes(byte[] start, int count) => count >= 4 && Bytes.Ascii(start, 0, "OggS");
}
