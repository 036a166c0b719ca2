using System;
using System.Collections.Generic;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>
/// MPEG audio layer III: frames are self-contained, so a join is a concatenation of frames, minus the tags
/// and the per-chunk Xing/Info frame, plus one Info frame at the front whose counts describe the whole file.
/// </summary>
/// <remarks>
/// Decisions, measured with ffprobe 5.1 on three libmp3lame chunks:
/// <list type="bullet">
/// <item>Plain concatenation reports 5.28 s for 4.30 s of VBR frames (the first chunk's Xing frame counts only
/// its own frames, ffmpeg then warns "invalid concatenated file" and guesses from the bitrate), and 4.36 s for
/// CBR (the inner Info frames and tags are counted as audio). Dropping every Info frame leaves VBR durations a
/// bitrate estimate. So the output always starts with one Info/Xing frame whose frame count, byte count and TOC
/// describe the joined file: the first chunk's, rewritten, or a synthesized one when the first chunk has none
/// (or has a VBRI header, whose table we do not rewrite).</item>
/// <item>When that frame carries a LAME tag, its encoder padding becomes the last chunk's padding (players trim
/// the end by it, and the end is now the last chunk's), the music length and music CRC describe the joined
/// frames, and the tag CRC is recomputed so gapless players still trust it. The encoder delay stays the first
/// chunk's. The later chunks' delay and padding (about 50 ms of silence each) stay in the middle: MP3 frames
/// borrow bytes from earlier frames (the bit reservoir), so frames cannot be dropped at a boundary without
/// breaking the next frame.</item>
/// <item>All ID3v2 (leading), ID3v1, APEv2 and trailing ID3v2 tags are dropped, the first chunk's too: a
/// chunk's tag describes that chunk (its encoder, sometimes its length in TLEN), not the document.</item>
/// </list>
/// </remarks>
internal sealed class Mp3Codec : AudioCodec
{
    public static readonly Mp3Codec Instance = new();

    private Mp3Codec()
    {
    }

    private const int DecoderDelay = 529;
    private const int UsualEncoderDelay = 576;

    public override AudioFormat Format => AudioFormat.Mp3;

    private static readonly int[] BitratesV1 = { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320 };
    private static readonly int[] BitratesV2 = { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 };
    private static readonly int[][] SampleRates =
    {
        new[] { 11025, 12000, 8000 }, // MPEG 2.5 (version bits 00)
        Array.Empty<int>(),          // reserved (01)
        new[] { 22050, 24000, 16000 }, // MPEG 2 (10)
        new[] { 44100, 48000, 32000 }, // MPEG 1 (11)
    };

    private const int XingFrames = 1;
    private const int XingBytes = 2;
    private const int XingToc = 4;
    private const int XingQuality = 8;
    private const int LameTagSize = 36;

    /// <summary>A parsed layer III frame header.</summary>
    internal readonly struct Header
    {
        public Header(int versionBits, bool hasCrc, int bitrateIndex, int sampleRateIndex, bool padding, int channelMode)
        {
            VersionBits = versionBits;
            HasCrc = hasCrc;
            BitrateIndex = bitrateIndex;
            SampleRateIndex = sampleRateIndex;
            Padding = padding;
            ChannelMode = channelMode;
        }

        public int VersionBits { get; }

        public bool HasCrc { get; }

        public int BitrateIndex { get; }

        public int SampleRateIndex { get; }

        public bool Padding { get; }

        public int ChannelMode { get; }

        public bool IsMpeg1 => VersionBits == 3;

        public int Bitrate => (IsMpeg1 ? BitratesV1 : BitratesV2)[BitrateIndex];

        public int SampleRate => SampleRates[VersionBits][SampleRateIndex];

        public int Channels => ChannelMode == 3 ? 1 : 2;

        public int SamplesPerFrame => IsMpeg1 ? 1152 : 576;

        public int Length => ((IsMpeg1 ? 144000 : 72000) * Bitrate / SampleRate) + (Padding ? 1 : 0);

        public int SideInfoSize => IsMpeg1 ? (Channels == 1 ? 17 : 32) : (Channels == 1 ? 9 : 17);

        /// <summary>Whether two frames can belong to one stream: same MPEG version, sample rate and mono/stereo.</summary>
        public bool SameStream(Header other) =>
            VersionBits == other.VersionBits && SampleRateIndex == other.SampleRateIndex && Channels == other.Channels;

        public string Describe() => $"MPEG-{(VersionBits == 0 ? "2.5" : IsMpeg1 ? "1" : "2")} {SampleRate} Hz {(Channels == 1 ? "mono" : "stereo")}";
    }

    /// <summary>The Xing/Info/VBRI frame at the start of a chunk, if any.</summary>
    internal sealed class TagFrame
    {
        public bool IsXing { get; set; }

        public int XingOffset { get; set; }

        public int LameOffset { get; set; } = -1;

        public int EncoderDelay { get; set; }

        public int EncoderPadding { get; set; }

        /// <summary>Whether the tag CRC covers the first 190 bytes with the CRC field zeroed (ffmpeg) rather than the bytes before the field (LAME).</summary>
        public bool Crc190 { get; set; }
    }

    public override AudioInfo Join(IReadOnlyList<string> paths, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        // Pass 1: validate every chunk and gather what the Info frame needs.
        Header? format = null;
        byte[]? firstTagFrame = null;
        TagFrame? firstTag = null;
        int lastPadding = 0;
        long frames = 0, audioBytes = 0;
        bool constantBitrate = true;
        int bitrateIndex = -1;
        ushort musicCrc = 0;
        var toc = new OffsetSampler();
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            TagFrame? tag = null;
            bool firstChunk = i == 0;
            foreach (Header h in AudioFrames(reader, (frame, found) =>
            {
                tag = found;
                if (firstChunk && found.IsXing)
                {
                    firstTagFrame = new byte[frame.Length];
                    System.Buffer.BlockCopy(reader.Buffer, reader.Offset, firstTagFrame, 0, frame.Length);
                    firstTag = found;
                }
            }))
            {
                if (format is null)
                {
                    format = h;
                }
                else if (!format.Value.SameStream(h))
                {
                    throw AudioErrors.Mismatch(reader, "audio format", format.Value.Describe(), h.Describe());
                }

                if (bitrateIndex < 0)
                {
                    bitrateIndex = h.BitrateIndex;
                }
                else if (bitrateIndex != h.BitrateIndex)
                {
                    constantBitrate = false;
                }

                toc.Add(frames, audioBytes);
                frames++;
                audioBytes += h.Length;
                musicCrc = Crc.Crc16Arc(musicCrc, reader.Buffer, reader.Offset, h.Length);
            }

            if (i == paths.Count - 1)
            {
                lastPadding = tag?.LameOffset >= 0 ? tag.EncoderPadding : 0;
            }
        }

        if (format is null)
        {
            throw AudioErrors.Chunk(0, paths[0], "holds no MP3 audio frames");
        }

        byte[] infoFrame = firstTagFrame is not null && firstTag is not null
            ? RewriteTagFrame(firstTagFrame, firstTag, frames, audioBytes, toc, lastPadding, musicCrc)
            : SynthesizeTagFrame(format.Value, constantBitrate, frames, audioBytes, toc);

        // Pass 2: the Info frame, then every chunk's audio frames.
        sink.Write(infoFrame);
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            foreach (Header h in AudioFrames(reader))
            {
                sink.Write(reader.Buffer, reader.Offset, h.Length);
            }
        }

        return Info(format.Value, frames, sink.Written);
    }

    public override AudioInfo Inspect(string path, AudioJoinOptions options)
    {
        using var reader = new ChunkReader(path, 0, CancellationToken.None);
        Header? format = null;
        long frames = 0;
        foreach (Header h in AudioFrames(reader))
        {
            format ??= h;
            frames++;
        }

        if (format is null)
        {
            throw AudioErrors.Chunk(reader, "holds no MP3 audio frames");
        }

        return Info(format.Value, frames, reader.Length);
    }

    private static AudioInfo Info(Header format, long frames, long bytes) => new()
    {
        Duration = AudioInfo.FromSamples(frames * format.SamplesPerFrame, format.SampleRate),
        Bytes = bytes,
        SampleRate = format.SampleRate,
        Channels = format.Channels,
        Format = AudioFormat.Mp3,
    };

    internal static bool TryParseHeader(byte[] b, int o, out Header header)
    {
        header = default;
        if (b[o] != 0xFF || (b[o + 1] & 0xE0) != 0xE0)
        {
            return false;
        }

        int versionBits = (b[o + 1] >> 3) & 3;
        int layerBits = (b[o + 1] >> 1) & 3;
        int bitrateIndex = b[o + 2] >> 4;
        int sampleRateIndex = (b[o + 2] >> 2) & 3;
        if (versionBits == 1 || layerBits != 1 || bitrateIndex == 0 || bitrateIndex == 15 || sampleRateIndex == 3)
        {
            // Reserved version, not layer III, free format or bad bitrate, reserved sample rate.
            return false;
        }

        header = new Header(versionBits, (b[o + 1] & 1) == 0, bitrateIndex, sampleRateIndex, (b[o + 2] & 2) != 0, b[o + 3] >> 6);
        return true;
    }

    /// <summary>
    /// Yields each frame of the chunk with the reader positioned on it and the whole frame in its window,
    /// without the chunk's tags (see <see cref="FrameSync"/>).
    /// </summary>
    internal static IEnumerable<Header> Frames(ChunkReader reader) =>
        FrameSync.Frames<Header>(reader, 4, TryParseHeader, (a, b) => a.SameStream(b), h => h.Length, "MP3");

    // The frames that carry audio: a leading Xing/Info/VBRI frame describes the stream and is handed to
    // onTagFrame (while the reader still stands on it) instead of being yielded.
    internal static IEnumerable<Header> AudioFrames(ChunkReader reader, Action<Header, TagFrame>? onTagFrame = null)
    {
        bool first = true;
        foreach (Header h in Frames(reader))
        {
            if (first)
            {
                first = false;
                if (ReadTagFrame(reader.Buffer, reader.Offset, h) is TagFrame tag)
                {
                    onTagFrame?.Invoke(h, tag);
                    continue;
                }
            }

            yield return h;
        }
    }

    private static TagFrame? ReadTagFrame(byte[] b, int o, Header h)
    {
        int xing = 4 + (h.HasCrc ? 2 : 0) + h.SideInfoSize;
        if (xing + 8 <= h.Length && (Bytes.Ascii(b, o + xing, "Xing") || Bytes.Ascii(b, o + xing, "Info")))
        {
            var tag = new TagFrame { IsXing = true, XingOffset = xing };
            uint flags = Bytes.U32Be(b, o + xing + 4);
            int lame = xing + 8 + ((flags & XingFrames) != 0 ? 4 : 0) + ((flags & XingBytes) != 0 ? 4 : 0)
                + ((flags & XingToc) != 0 ? 100 : 0) + ((flags & XingQuality) != 0 ? 4 : 0);
            if (lame + LameTagSize <= h.Length)
            {
                // A LAME tag (LAME's or ffmpeg's), recognized by its own CRC. LAME computes it over the frame
                // bytes before the CRC field; ffmpeg over the first 190 bytes with the field zeroed (the same
                // thing for MPEG-1 stereo, where the field sits at byte 190, but not at lower rates).
                ushort stored = Bytes.U16Be(b, o + lame + 34);
                bool lameCrc = Crc.Crc16Arc(0, b, o, lame + 34) == stored;
                bool ffmpegCrc = !lameCrc && h.Length >= 190 && TagCrc190(b, o, lame + 34) == stored;
                if (lameCrc || ffmpegCrc)
                {
                    uint delayPadding = Bytes.U24Be(b, o + lame + 21);
                    tag.LameOffset = lame;
                    tag.EncoderDelay = (int)(delayPadding >> 12);
                    tag.EncoderPadding = (int)(delayPadding & 0xFFF);
                    tag.Crc190 = ffmpegCrc;
                }
            }

            return tag;
        }

        if (36 + 4 <= h.Length && Bytes.Ascii(b, o + 36, "VBRI"))
        {
            return new TagFrame { IsXing = false };
        }

        return null;
    }

    private static ushort TagCrc190(byte[] b, int o, int crcField)
    {
        var copy = new byte[190];
        System.Buffer.BlockCopy(b, o, copy, 0, 190);
        if (crcField + 2 <= 190)
        {
            copy[crcField] = 0;
            copy[crcField + 1] = 0;
        }

        return Crc.Crc16Arc(0, copy, 0, 190);
    }

    private static byte[] RewriteTagFrame(byte[] frame, TagFrame tag, long frames, long audioBytes, OffsetSampler toc, int lastPadding, ushort musicCrc)
    {
        long totalBytes = frame.Length + audioBytes;
        int p = tag.XingOffset + 4;
        uint flags = Bytes.U32Be(frame, p);
        p += 4;
        if ((flags & XingFrames) != 0)
        {
            Bytes.PutU32Be(frame, p, (uint)Math.Min(frames, uint.MaxValue));
            p += 4;
        }

        if ((flags & XingBytes) != 0)
        {
            Bytes.PutU32Be(frame, p, (uint)Math.Min(totalBytes, uint.MaxValue));
            p += 4;
        }

        if ((flags & XingToc) != 0)
        {
            WriteToc(frame, p, frame.Length, frames, totalBytes, toc);
        }

        if (tag.LameOffset >= 0)
        {
            int l = tag.LameOffset;
            Bytes.PutU24Be(frame, l + 21, ((uint)tag.EncoderDelay << 12) | (uint)(lastPadding & 0xFFF));
            Bytes.PutU32Be(frame, l + 28, (uint)Math.Min(totalBytes, uint.MaxValue));
            Bytes.PutU16Be(frame, l + 32, musicCrc);
            Bytes.PutU16Be(frame, l + 34, tag.Crc190 ? TagCrc190(frame, 0, l + 34) : Crc.Crc16Arc(0, frame, 0, l + 34));
        }

        return frame;
    }

    private static byte[] SynthesizeTagFrame(Header format, bool constantBitrate, long frames, long audioBytes, OffsetSampler toc)
    {
        // The smallest frame of the stream's own version, rate and channels that holds the Xing data; its
        // side information and main data are zeros, so a decoder that does not know Xing frames plays 1 frame of silence.
        int xing = 4 + format.SideInfoSize;
        int needed = xing + 8 + 4 + 4 + 100;
        Header h = default;
        for (int index = 1; index < 15; index++)
        {
            h = new Header(format.VersionBits, false, index, format.SampleRateIndex, false, format.ChannelMode);
            if (h.Length >= needed)
            {
                break;
            }
        }

        var frame = new byte[h.Length];
        frame[0] = 0xFF;
        frame[1] = (byte)(0xE0 | (h.VersionBits << 3) | (1 << 1) | 1);
        frame[2] = (byte)(h.BitrateIndex << 4 | h.SampleRateIndex << 2);
        frame[3] = (byte)(h.ChannelMode << 6);
        foreach (char c in constantBitrate ? "Info" : "Xing")
        {
            frame[xing++] = (byte)c;
        }

        Bytes.PutU32Be(frame, xing, XingFrames | XingBytes | XingToc);
        long totalBytes = frame.Length + audioBytes;
        Bytes.PutU32Be(frame, xing + 4, (uint)Math.Min(frames, uint.MaxValue));
        Bytes.PutU32Be(frame, xing + 8, (uint)Math.Min(totalBytes, uint.MaxValue));
        WriteToc(frame, xing + 12, frame.Length, frames, totalBytes, toc);
        return frame;
    }

    private static void WriteToc(byte[] frame, int offset, int infoFrameLength, long frames, long totalBytes, OffsetSampler toc)
    {
        // Entry i: where the frame at i percent of the duration starts, as a 1/256 fraction of the stream.
        for (int i = 0; i < 100; i++)
        {
            long position = infoFrameLength + toc.OffsetOf(frames * i / 100);
            frame[offset + i] = (byte)Math.Min(255, position * 256 / Math.Max(1, totalBytes));
        }
    }

    /// <summary>Remembers the byte offset of every n-th frame, doubling n so that memory stays bounded.</summary>
    private sealed class OffsetSampler
    {
        private const int Capacity = 4096;
        private readonly List<long> _offsets = new();
        private long _stride = 1;

        public void Add(long frameIndex, long offset)
        {
            if (frameIndex % _stride != 0)
            {
                return;
            }

            _offsets.Add(offset);
            if (_offsets.Count == Capacity)
            {
                for (int i = 0; i < Capacity / 2; i++)
                {
                    _offsets[i] = _offsets[i * 2];
                }

                _offsets.RemoveRange(Capacity / 2, Capacity / 2);
                _stride *= 2;
            }
        }

        public long OffsetOf(long frameIndex) =>
            _offsets.Count == 0 ? 0 : _offsets[(int)Math.Min(frameIndex / _stride, _offsets.Count - 1)];
    }

    /// <summary>
    /// The joined file keeps every audio frame and one Info frame, whose LAME tag (when the first chunk has one)
    /// carries the first chunk's encoder delay and the last chunk's padding. A decoder skips delay + 529 samples (the
    /// decoder's own delay) at the start and stops at frames × samples per frame − padding + 529. A chunk with a LAME
    /// tag plays [its delay + 529, its frames × spf − its padding + 529) of its frames, placed at its first frame,
    /// exact to the sample against ffmpeg, which trims by the LAME tag this way. One without a LAME tag plays all its
    /// frames; its span starts after LAME's usual delay of 576 + 529 samples and ends with its last frame (as if its
    /// padding were LAME's least, the decoder's 529 samples). The inner delays and paddings stay as gaps between spans.
    /// </summary>
    public override ChunkTimeline Measure(IReadOnlyList<string> paths, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        var raw = new (long Start, long End)[paths.Count];
        long position = 0;
        int sampleRate = 0;
        TagFrame? firstTag = null, lastTag = null;
        for (int i = 0; i < paths.Count; i++)
        {
            TagFrame? tag = null;
            long samples = 0;
            using (var reader = new ChunkReader(paths[i], i, cancellationToken))
            {
                foreach (Header frame in AudioFrames(reader, (_, found) => tag = found))
                {
                    sampleRate = sampleRate == 0 ? frame.SampleRate : sampleRate;
                    samples += frame.SamplesPerFrame;
                }
            }

            raw[i] = HasLameTag(tag)
                ? (position + tag!.EncoderDelay + DecoderDelay, position + Math.Min(samples, samples - tag.EncoderPadding + DecoderDelay))
                : (position + Math.Min(samples, UsualEncoderDelay + DecoderDelay), position + samples);
            position += samples;
            firstTag = i == 0 ? tag : firstTag;
            lastTag = tag;
        }

        // The joiner keeps the first chunk's Xing frame (with the last chunk's padding) only when it is a Xing/Info
        // frame; otherwise it writes one without a LAME tag, and nothing is skipped or trimmed.
        bool trims = HasLameTag(firstTag) && firstTag!.IsXing;
        long skipped = trims ? firstTag!.EncoderDelay + DecoderDelay : 0;
        long played = trims ? Math.Min(position, position - (HasLameTag(lastTag) ? lastTag!.EncoderPadding : 0) + DecoderDelay) : position;
        return ChunkTimeline.FromPositions(raw, skipped, played, sampleRate);
    }

    private static bool HasLameTag(TagFrame? tag) => tag is not null && tag.LameOffset >= 0;

    public override TimeSpan WriteSilence(string? referencePath, int milliseconds, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        Header reference = default;
        using (var reader = new ChunkReader(referencePath!, 0, cancellationToken))
        {
            foreach (Header h in Mp3Codec.AudioFrames(reader))
            {
                reference = h;
                break;
            }
        }

        if (reference.BitrateIndex == 0)
        {
            throw AudioErrors.Chunk(0, referencePath!, "holds no MP3 audio frames");
        }

        // The reference's version, rate, channel mode and bitrate, without CRC or padding; main_data_begin 0, so
        // no frame borrows from the bit reservoir across the pause, and part2_3_length 0: nothing to decode.
        var silent = new Header(reference.VersionBits, false, reference.BitrateIndex, reference.SampleRateIndex, false, reference.ChannelMode);
        var frame = new byte[silent.Length];
        frame[0] = 0xFF;
        frame[1] = (byte)(0xE0 | (silent.VersionBits << 3) | (1 << 1) | 1);
        frame[2] = (byte)((silent.BitrateIndex << 4) | (silent.SampleRateIndex << 2));
        frame[3] = (byte)(silent.ChannelMode << 6);
        long frames = Silence.FramesOf(milliseconds, silent.SampleRate, silent.SamplesPerFrame);
        for (long i = 0; i < frames; i++)
        {
            sink.Write(frame);
        }

        return AudioInfo.FromSamples(frames * silent.SamplesPerFrame, silent.SampleRate);
    }

    // An 11-bit sync and a non-zero layer (ADTS has the sync with layer 00).
    public override bool Recognizes(byte[] start, int count) => count >= 2 && start[0] == 0xFF && (start[1] & 0xE0) == 0xE0 && (start[1] & 0x06) != 0;
}
