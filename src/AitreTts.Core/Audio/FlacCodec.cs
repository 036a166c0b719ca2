using System;
using System.Collections.Generic;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>
/// Native FLAC (RFC 9639). Re-muxed, not concatenated: one <c>fLaC</c> marker, one STREAMINFO describing the
/// whole document, the first chunk's VORBIS_COMMENT, then every chunk's frames with rewritten headers.
/// </summary>
/// <remarks>
/// <para>Each chunk ends with a frame shorter than its block size, which a fixed-blocksize stream allows only
/// at its very end; so every frame header is rewritten in variable-blocksize mode, where the header carries
/// the number of its first sample (the running total over the document) instead of a frame number. The
/// block-size and sample-rate codes, including their "from the end of the header" forms, are kept as they
/// are; only the number changes length. The header's CRC-8 and the frame's CRC-16 are recomputed.</para>
/// <para>Frame boundaries are found by parsing, not by trusting STREAMINFO: a frame ends where the next
/// header with a valid CRC-8 and the expected frame or sample number starts and the CRC-16 of the bytes before
/// it verifies, or at the end of the file if the CRC-16 verifies there. STREAMINFO's MD5 is zero ("unknown"),
/// because recomputing it needs decoding; SEEKTABLE, PADDING, PICTURE and other blocks are dropped.</para>
/// </remarks>
internal sealed class FlacCodec : AudioCodec
{
    public static readonly FlacCodec Instance = new();

    private FlacCodec()
    {
    }

    private const int SilenceMaximumBlock = 4096;

    public override AudioFormat Format => AudioFormat.Flac;

    private const int StreamInfoType = 0;
    private const int VorbisCommentType = 4;
    private const int StreamInfoLength = 34;
    private const int MaxHeader = 16;

    internal readonly struct FrameHeader
    {
        public FrameHeader(bool variable, int blockSize, int sampleRateCode, int sampleSizeCode, ulong number, int numberOffset, int numberLength, int length)
        {
            Variable = variable;
            BlockSize = blockSize;
            SampleRateCode = sampleRateCode;
            SampleSizeCode = sampleSizeCode;
            Number = number;
            NumberOffset = numberOffset;
            NumberLength = numberLength;
            Length = length;
        }

        /// <summary>The blocking strategy bit: variable block size, with sample numbers.</summary>
        public bool Variable { get; }

        public int BlockSize { get; }

        public int SampleRateCode { get; }

        public int SampleSizeCode { get; }

        /// <summary>The frame number (fixed strategy) or first sample number (variable strategy).</summary>
        public ulong Number { get; }

        /// <summary>Where the coded number starts in the header (always 4).</summary>
        public int NumberOffset { get; }

        public int NumberLength { get; }

        /// <summary>The header's length, CRC-8 included.</summary>
        public int Length { get; }
    }

    /// <summary>What pass 1 learns of a chunk.</summary>
    internal sealed class ChunkFacts
    {
        public int SampleRate { get; set; }

        public int Channels { get; set; }

        public int BitsPerSample { get; set; }

        public byte[]? VorbisComment { get; set; }

        public long FramesOffset { get; set; }

        public List<int> FrameLengths { get; } = new();
    }

    public override AudioInfo Join(IReadOnlyList<string> paths, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        // Pass 1: metadata and frame boundaries of every chunk, and the totals STREAMINFO needs.
        var facts = new ChunkFacts[paths.Count];
        long totalSamples = 0;
        int minBlock = int.MaxValue, maxBlock = 0, minFrame = int.MaxValue, maxFrame = 0;
        int lastBlock = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            ChunkFacts f = ReadMetadata(reader);
            if (i > 0)
            {
                ChunkFacts first = facts[0];
                if (f.SampleRate != first.SampleRate)
                {
                    throw AudioErrors.Mismatch(reader, "sample rate", first.SampleRate + " Hz", f.SampleRate + " Hz");
                }

                if (f.Channels != first.Channels)
                {
                    throw AudioErrors.Mismatch(reader, "channel count", first.Channels.ToString(), f.Channels.ToString());
                }

                if (f.BitsPerSample != first.BitsPerSample)
                {
                    throw AudioErrors.Mismatch(reader, "bits per sample", first.BitsPerSample.ToString(), f.BitsPerSample.ToString());
                }
            }

            foreach (FrameHeader h in Frames(reader, f))
            {
                if (lastBlock > 0)
                {
                    minBlock = Math.Min(minBlock, lastBlock); // every block but the document's last
                }

                int newLength = f.FrameLengths[f.FrameLengths.Count - 1] - h.NumberLength + Utf8Length((ulong)totalSamples);
                minFrame = Math.Min(minFrame, newLength);
                maxFrame = Math.Max(maxFrame, newLength);
                maxBlock = Math.Max(maxBlock, h.BlockSize);
                lastBlock = h.BlockSize;
                totalSamples += h.BlockSize;
            }

            facts[i] = f;
        }

        if (totalSamples >= 1L << 36)
        {
            throw AudioErrors.Chunk(paths.Count - 1, paths[paths.Count - 1], "makes the document longer than FLAC's 36-bit sample count can hold");
        }

        // A single block is also the last; STREAMINFO's block sizes must be at least 16.
        minBlock = Math.Max(16, minBlock == int.MaxValue ? maxBlock : minBlock);
        maxBlock = Math.Max(minBlock, maxBlock);

        ChunkFacts head = facts[0];
        sink.Write(new[] { (byte)'f', (byte)'L', (byte)'a', (byte)'C' });
        var info = new byte[4 + StreamInfoLength];
        info[0] = (byte)(StreamInfoType | (head.VorbisComment is null ? 0x80 : 0));
        Bytes.PutU24Be(info, 1, StreamInfoLength);
        Bytes.PutU16Be(info, 4, minBlock);
        Bytes.PutU16Be(info, 6, maxBlock);
        Bytes.PutU24Be(info, 8, (uint)minFrame);
        Bytes.PutU24Be(info, 11, (uint)maxFrame);

        // 20 bits sample rate, 3 bits channels-1, 5 bits bits-per-sample-1, 36 bits total samples; MD5 stays zero.
        ulong packed = ((ulong)head.SampleRate << 44) | ((ulong)(head.Channels - 1) << 41) | ((ulong)(head.BitsPerSample - 1) << 36) | (ulong)totalSamples;
        for (int k = 0; k < 8; k++)
        {
            info[14 + k] = (byte)(packed >> (56 - (8 * k)));
        }

        sink.Write(info);
        if (head.VorbisComment is not null)
        {
            var block = new byte[4];
            block[0] = 0x80 | VorbisCommentType;
            Bytes.PutU24Be(block, 1, (uint)head.VorbisComment.Length);
            sink.Write(block);
            sink.Write(head.VorbisComment);
        }

        // Pass 2: every frame, renumbered by sample in variable-blocksize mode.
        long sample = 0;
        var header = new byte[MaxHeader + 4];
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            reader.Seek(facts[i].FramesOffset);
            foreach (int length in facts[i].FrameLengths)
            {
                reader.Require(length, "FLAC frame");
                byte[] b = reader.Buffer;
                int o = reader.Offset;
                FrameHeader h = ParseHeader(b, o, length) ?? throw AudioErrors.Chunk(reader, "changed while it was being joined");
                int n = 0;
                header[n++] = 0xFF;
                header[n++] = 0xF9; // sync code and blocking strategy bit: variable block size
                header[n++] = b[o + 2];
                header[n++] = b[o + 3];
                n += WriteUtf8(header, n, (ulong)sample);
                int tail = h.Length - 1 - (h.NumberOffset + h.NumberLength); // block size / sample rate bytes "from the end"
                System.Buffer.BlockCopy(b, o + h.NumberOffset + h.NumberLength, header, n, tail);
                n += tail;
                header[n] = Crc.Crc8(0, header, 0, n);
                n++;
                ushort crc = Crc.Crc16(0, header, 0, n);
                int bodyLength = length - h.Length - 2;
                crc = Crc.Crc16(crc, b, o + h.Length, bodyLength);
                sink.Write(header, 0, n);
                sink.Write(b, o + h.Length, bodyLength);
                sink.Write(new[] { (byte)(crc >> 8), (byte)crc });
                reader.Skip(length);
                sample += h.BlockSize;
            }
        }

        return Info(head, totalSamples, sink.Written);
    }

    public override AudioInfo Inspect(string path, AudioJoinOptions options)
    {
        using var reader = new ChunkReader(path, 0, CancellationToken.None);
        ChunkFacts facts = ReadMetadata(reader, out long totalSamples);
        if (totalSamples == 0)
        {
            // STREAMINFO may say "unknown" (0); count the frames instead.
            foreach (FrameHeader h in Frames(reader, facts))
            {
                totalSamples += h.BlockSize;
            }
        }

        return Info(facts, totalSamples, reader.Length);
    }

    /// <summary>Parses a frame header at <paramref name="o"/>, verifying its CRC-8; null when there is none.</summary>
    internal static FrameHeader? ParseHeader(byte[] b, int o, int available)
    {
        if (available < 6 || b[o] != 0xFF || (b[o + 1] & 0xFE) != 0xF8)
        {
            return null;
        }

        int blockCode = b[o + 2] >> 4;
        int rateCode = b[o + 2] & 0xF;
        int channelCode = b[o + 3] >> 4;
        int sizeCode = (b[o + 3] >> 1) & 7;
        if (blockCode == 0 || rateCode == 15 || channelCode > 10 || sizeCode == 3 || (b[o + 3] & 1) != 0)
        {
            return null;
        }

        // The "UTF-8" coded number: the count of leading 1 bits of the first byte gives the length (1 to 7).
        int first = b[o + 4];
        int numberLength = first < 0x80 ? 1 : first < 0xC0 ? 0 : first < 0xE0 ? 2 : first < 0xF0 ? 3 : first < 0xF8 ? 4 : first < 0xFC ? 5 : first < 0xFE ? 6 : first == 0xFE ? 7 : 0;
        if (numberLength == 0)
        {
            return null;
        }

        int p = o + 4;
        ulong number = numberLength == 1 ? (ulong)first : (ulong)(first & (0x7F >> numberLength));
        for (int k = 1; k < numberLength; k++)
        {
            if (p + k >= o + available || (b[p + k] & 0xC0) != 0x80)
            {
                return null;
            }

            number = (number << 6) | (uint)(b[p + k] & 0x3F);
        }

        p += numberLength;
        int extra = (blockCode == 6 ? 1 : blockCode == 7 ? 2 : 0) + (rateCode == 12 ? 1 : rateCode == 13 || rateCode == 14 ? 2 : 0);
        if (p + extra + 1 > o + available)
        {
            return null;
        }

        int blockSize = blockCode switch
        {
            1 => 192,
            <= 5 => 576 << (blockCode - 2),
            6 => b[p] + 1,
            7 => ((b[p] << 8) | b[p + 1]) + 1,
            _ => 256 << (blockCode - 8),
        };
        p += extra;
        int length = p - o + 1;
        if (Crc.Crc8(0, b, o, length - 1) != b[p])
        {
            return null;
        }

        return new FrameHeader((b[o + 1] & 1) != 0, blockSize, rateCode, sizeCode, number, 4, numberLength, length);
    }

    internal static ChunkFacts ReadMetadata(ChunkReader reader) => ReadMetadata(reader, out _);

    private static ChunkFacts ReadMetadata(ChunkReader reader, out long totalSamples)
    {
        FrameSync.SkipId3v2(reader);
        if (!reader.Ensure(4) || !Bytes.Ascii(reader.Buffer, reader.Offset, "fLaC"))
        {
            throw AudioErrors.Chunk(reader, "is not a FLAC file: it does not start with the fLaC marker");
        }

        reader.Skip(4);
        var facts = new ChunkFacts();
        totalSamples = 0;
        bool haveInfo = false;
        while (true)
        {
            reader.Require(4, "FLAC metadata block header");
            int type = reader[0] & 0x7F;
            bool last = (reader[0] & 0x80) != 0;
            int length = (int)Bytes.U24Be(reader.Buffer, reader.Offset + 1);
            reader.Skip(4);
            if (type == 127)
            {
                throw AudioErrors.Chunk(reader, "has an invalid FLAC metadata block");
            }

            if (type == StreamInfoType)
            {
                if (length != StreamInfoLength)
                {
                    throw AudioErrors.Chunk(reader, "has a STREAMINFO block of the wrong size");
                }

                reader.Require(length, "STREAMINFO");
                byte[] b = reader.Buffer;
                int o = reader.Offset;
                ulong packed = 0;
                for (int k = 0; k < 8; k++)
                {
                    packed = (packed << 8) | b[o + 10 + k];
                }

                facts.SampleRate = (int)(packed >> 44);
                facts.Channels = (int)((packed >> 41) & 7) + 1;
                facts.BitsPerSample = (int)((packed >> 36) & 31) + 1;
                totalSamples = (long)(packed & 0xFFFFFFFFFL);
                haveInfo = true;
            }
            else if (type == VorbisCommentType)
            {
                reader.Require(length, "VORBIS_COMMENT");
                facts.VorbisComment = new byte[length];
                System.Buffer.BlockCopy(reader.Buffer, reader.Offset, facts.VorbisComment, 0, length);
            }

            if (length > reader.Remaining)
            {
                throw AudioErrors.Chunk(reader, $"is truncated: a FLAC metadata block claims {length} bytes");
            }

            reader.Skip(length);
            if (last)
            {
                break;
            }
        }

        if (!haveInfo)
        {
            throw AudioErrors.Chunk(reader, "has no STREAMINFO block");
        }

        facts.FramesOffset = reader.Position;
        return facts;
    }

    /// <summary>
    /// Yields each frame's header, recording its length in <see cref="ChunkFacts.FrameLengths"/>, and leaves the
    /// reader after the frame.
    /// </summary>
    internal static IEnumerable<FrameHeader> Frames(ChunkReader reader, ChunkFacts facts)
    {
        while (reader.Remaining > 0)
        {
            long frameOffset = reader.Position;
            reader.Ensure((int)Math.Min(MaxHeader, reader.Remaining));
            FrameHeader h = ParseHeader(reader.Buffer, reader.Offset, (int)Math.Min(MaxHeader, reader.Remaining))
                ?? throw AudioErrors.Chunk(reader, $"is corrupt: no valid FLAC frame header at offset {frameOffset}");
            int length = FrameLength(reader, h);
            facts.FrameLengths.Add(length);
            yield return h;
            reader.Skip(length);
        }

        if (facts.FrameLengths.Count == 0)
        {
            throw AudioErrors.Chunk(reader, "holds no FLAC frames");
        }
    }

    private static int FrameLength(ChunkReader reader, FrameHeader h)
    {
        // The running CRC-16 over [frame start, pos) is zero exactly where a frame with a correct footer ends.
        reader.Require(h.Length, "FLAC frame header");
        ushort crc = Crc.Crc16(0, reader.Buffer, reader.Offset, h.Length);
        int pos = h.Length;
        while (true)
        {
            if (!reader.Ensure(pos + 2))
            {
                long remaining = reader.Remaining;
                if (remaining > int.MaxValue || !reader.Ensure((int)remaining))
                {
                    throw AudioErrors.Chunk(reader, $"holds a FLAC frame at offset {reader.Position} with no end in sight");
                }

                crc = Crc.Crc16(crc, reader.Buffer, reader.Offset + pos, (int)remaining - pos);
                if (crc == 0 && remaining >= h.Length + 3)
                {
                    return (int)remaining;
                }

                throw AudioErrors.Chunk(reader, $"is truncated or corrupt: the FLAC frame at offset {reader.Position} fails its CRC-16 check at the end of the file");
            }

            byte[] b = reader.Buffer;
            int o = reader.Offset;
            if (crc == 0 && b[o + pos] == 0xFF && (b[o + pos + 1] & 0xFE) == 0xF8 && pos >= h.Length + 3)
            {
                int available = (int)Math.Min(MaxHeader, reader.Remaining - pos);
                reader.Ensure(pos + available);
                b = reader.Buffer;
                o = reader.Offset;
                FrameHeader? next = ParseHeader(b, o + pos, available);
                if (next is not null && Follows(h, next.Value))
                {
                    return pos;
                }
            }

            crc = Crc.Crc16(crc, b[o + pos]);
            pos++;
        }
    }

    private static bool Follows(FrameHeader h, FrameHeader next) =>
        next.Variable == h.Variable && next.SampleRateCode == h.SampleRateCode && next.SampleSizeCode == h.SampleSizeCode
        && next.Number == h.Number + (h.Variable ? (ulong)h.BlockSize : 1UL);

    /// <summary>The frame header's sample rate code (RFC 9639 section 9.1.2); 0, "as in STREAMINFO", for other rates.</summary>
    internal static int SampleRateCode(int rate) => rate switch
    {
        88200 => 1,
        176400 => 2,
        192000 => 3,
        8000 => 4,
        16000 => 5,
        22050 => 6,
        24000 => 7,
        32000 => 8,
        44100 => 9,
        48000 => 10,
        96000 => 11,
        _ => 0,
    };

    /// <summary>The frame header's bit depth code (RFC 9639 section 9.1.4); 0, "as in STREAMINFO", for other depths.</summary>
    internal static int SampleSizeCode(int bits) => bits switch
    {
        8 => 1,
        12 => 2,
        16 => 4,
        20 => 5,
        24 => 6,
        32 => 7,
        _ => 0,
    };

    internal static int Utf8Length(ulong value) =>
        value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : value < 0x200000 ? 4 : value < 0x4000000 ? 5 : value < 0x80000000 ? 6 : 7;

    internal static int WriteUtf8(byte[] b, int o, ulong value)
    {
        int length = Utf8Length(value);
        if (length == 1)
        {
            b[o] = (byte)value;
            return 1;
        }

        for (int k = length - 1; k > 0; k--)
        {
            b[o + k] = (byte)(0x80 | (value & 0x3F));
            value >>= 6;
        }

        b[o] = (byte)((0xFF00 >> length) | (int)value);
        return length;
    }

    private static AudioInfo Info(ChunkFacts head, long totalSamples, long bytes) => new()
    {
        Duration = AudioInfo.FromSamples(totalSamples, head.SampleRate),
        Bytes = bytes,
        SampleRate = head.SampleRate,
        Channels = head.Channels,
        Format = AudioFormat.Flac,
    };

    // The join is the samples end to end; exact.
    public override ChunkTimeline Measure(IReadOnlyList<string> paths, AudioJoinOptions options, CancellationToken cancellationToken) =>
        ChunkTimeline.EndToEnd(paths, cancellationToken, (reader, _) =>
        {
            ChunkFacts facts = ReadMetadata(reader);
            long samples = 0;
            foreach (FrameHeader frame in Frames(reader, facts))
            {
                samples += frame.BlockSize;
            }

            return new ChunkTimeline.ChunkSamples(samples, 0, facts.SampleRate);
        });

    public override TimeSpan WriteSilence(string? referencePath, int milliseconds, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        ChunkFacts facts;
        using (var reader = new ChunkReader(referencePath!, 0, cancellationToken))
        {
            facts = ReadMetadata(reader);
        }

        // Blocks as equal as possible, so none is below the 16 samples STREAMINFO allows (only a stream's last may be).
        long samples = Math.Max(16, Silence.SamplesOf(milliseconds, facts.SampleRate));
        long blocks = (samples + SilenceMaximumBlock - 1) / SilenceMaximumBlock;
        int smallBlock = (int)(samples / blocks);
        int largerBlocks = (int)(samples % blocks);

        var info = new byte[4 + 4 + 34];
        info[0] = (byte)'f';
        info[1] = (byte)'L';
        info[2] = (byte)'a';
        info[3] = (byte)'C';
        info[4] = 0x80; // STREAMINFO, the last metadata block
        Bytes.PutU24Be(info, 5, 34);
        Bytes.PutU16Be(info, 8, smallBlock);
        Bytes.PutU16Be(info, 10, largerBlocks > 0 ? smallBlock + 1 : smallBlock);
        ulong packed = ((ulong)facts.SampleRate << 44) | ((ulong)(facts.Channels - 1) << 41) | ((ulong)(facts.BitsPerSample - 1) << 36) | (ulong)samples;
        for (int k = 0; k < 8; k++)
        {
            info[18 + k] = (byte)(packed >> (56 - (8 * k)));
        }

        sink.Write(info); // frame sizes and MD5 stay zero: "unknown"

        // Each channel a CONSTANT subframe (a zero header byte) holding one zero sample: the body is all zero bits.
        int bodyLength = ((facts.Channels * (8 + facts.BitsPerSample)) + 7) / 8;
        var frame = new byte[16 + bodyLength + 2];
        long first = 0;
        for (long block = 0; block < blocks; block++)
        {
            int blockSize = smallBlock + (block < largerBlocks ? 1 : 0);
            int n = 0;
            frame[n++] = 0xFF;
            frame[n++] = 0xF9; // variable block size: the header numbers the frame's first sample
            frame[n++] = (byte)(0x70 | SampleRateCode(facts.SampleRate)); // block size: 16 bits after the number
            frame[n++] = (byte)(((facts.Channels - 1) << 4) | (SampleSizeCode(facts.BitsPerSample) << 1));
            n += WriteUtf8(frame, n, (ulong)first);
            Bytes.PutU16Be(frame, n, blockSize - 1);
            n += 2;
            frame[n] = Crc.Crc8(0, frame, 0, n);
            n++;
            Array.Clear(frame, n, bodyLength);
            n += bodyLength;
            Bytes.PutU16Be(frame, n, Crc.Crc16(0, frame, 0, n));
            n += 2;
            sink.Write(frame, 0, n);
            first += blockSize;
        }

        return AudioInfo.FromSamples(samples, facts.SampleRate);
    }

    public override bool Recognizes(byte[] start, int count) => count >= 4 && Bytes.Ascii(start, 0, "fLaC");
}
