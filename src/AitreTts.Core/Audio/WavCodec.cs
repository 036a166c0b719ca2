using System.Collections.Generic;
using System.Threading;
using System;

namespace AitreTts.Core.Audio;

/// <summary>RIFF WAVE: parse headers, join the sample data under one canonical 44-byte header.</summary>
internal sealed class WavCodec : AudioCodec
{
    public static readonly WavCodec Instance = new();

    private WavCodec()
    {
    }

    public override AudioFormat Format => AudioFormat.Wav;

    internal const ushort FormatPcm = 1;
    private const ushort FormatFloat = 3;
    private const ushort FormatExtensible = 0xFFFE;
    private const int CanonicalHeaderSize = 44;

    /// <summary>What one WAV file holds: its sample format and where its sample data lies.</summary>
    internal readonly struct WavLayout
    {
        public WavLayout(ushort formatTag, int channels, int sampleRate, int bitsPerSample, int blockAlign, long dataOffset, long dataLength)
        {
            FormatTag = formatTag;
            Channels = channels;
            SampleRate = sampleRate;
            BitsPerSample = bitsPerSample;
            BlockAlign = blockAlign;
            DataOffset = dataOffset;
            DataLength = dataLength;
        }

        public ushort FormatTag { get; }

        public int Channels { get; }

        public int SampleRate { get; }

        public int BitsPerSample { get; }

        public int BlockAlign { get; }

        public long DataOffset { get; }

        public long DataLength { get; }
    }

    public override AudioInfo Join(IReadOnlyList<string> paths, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        // First pass: every header, so the output header carries the true sizes before any sample is written,
        // and a chunk that cannot be joined fails before the destination sees a byte.
        var layouts = new WavLayout[paths.Count];
        long total = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            WavLayout layout = Parse(reader);
            if (i > 0)
            {
                WavLayout first = layouts[0];
                if (layout.SampleRate != first.SampleRate)
                {
                    throw AudioErrors.Mismatch(reader, "sample rate", first.SampleRate + " Hz", layout.SampleRate + " Hz");
                }

                if (layout.Channels != first.Channels)
                {
                    throw AudioErrors.Mismatch(reader, "channel count", first.Channels.ToString(), layout.Channels.ToString());
                }

                if (layout.BitsPerSample != first.BitsPerSample || layout.FormatTag != first.FormatTag)
                {
                    throw AudioErrors.Mismatch(reader, "sample format", Describe(first), Describe(layout));
                }
            }

            layouts[i] = layout;
            total += layout.DataLength;
        }

        WavLayout format = layouts[0];
        CheckSize(total, paths);
        sink.Write(CanonicalHeader(format.FormatTag, format.Channels, format.SampleRate, format.BitsPerSample, total));
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            reader.Seek(layouts[i].DataOffset);
            reader.CopyTo(sink, layouts[i].DataLength, "sample data");
        }

        if ((total & 1) != 0)
        {
            sink.WriteByte(0);
        }

        return Info(format, total, sink.Written);
    }

    public override AudioInfo Inspect(string path, AudioJoinOptions options)
    {
        using var reader = new ChunkReader(path, 0, CancellationToken.None);
        WavLayout layout = Parse(reader);
        return Info(layout, layout.DataLength, reader.Length);
    }

    /// <summary>Walks the RIFF chunks up to the data chunk.</summary>
    internal static WavLayout Parse(ChunkReader reader)
    {
        if (!reader.Ensure(12) || !Bytes.Ascii(reader.Buffer, reader.Offset, "RIFF") || !Bytes.Ascii(reader.Buffer, reader.Offset + 8, "WAVE"))
        {
            throw AudioErrors.Chunk(reader, "is not a WAV file: it does not start with a RIFF/WAVE header");
        }

        reader.Skip(12);
        ushort formatTag = 0;
        int channels = 0, sampleRate = 0, bits = 0, blockAlign = 0;
        bool haveFormat = false;
        while (true)
        {
            if (!reader.Ensure(8))
            {
                throw AudioErrors.Chunk(reader, haveFormat ? "has no data chunk" : "has no fmt chunk");
            }

            string id = System.Text.Encoding.ASCII.GetString(reader.Buffer, reader.Offset, 4);
            uint size = Bytes.U32Le(reader.Buffer, reader.Offset + 4);
            reader.Skip(8);
            if (id == "data")
            {
                if (!haveFormat)
                {
                    throw AudioErrors.Chunk(reader, "has its data chunk before its fmt chunk");
                }

                // OpenAI streams WAV: it sends the header before it knows the length, so the RIFF and data
                // sizes hold the placeholder 0xFFFFFFFF (the same happens with any encoder writing to a pipe). A size of 0xFFFFFFFF, or one that runs past the end of the
                // file, means "the samples run to the end of the file".
                long remaining = reader.Length - reader.Position;
                long length = size == uint.MaxValue || size > remaining ? remaining : size;
                if (length % blockAlign != 0)
                {
                    throw AudioErrors.Chunk(reader, $"is truncated: its {length} data bytes are not a whole number of {blockAlign}-byte sample frames");
                }

                return new WavLayout(formatTag, channels, sampleRate, bits, blockAlign, reader.Position, length);
            }

            if (id == "fmt ")
            {
                if (size < 16 || !reader.Ensure((int)Math.Min(size, 40)))
                {
                    throw AudioErrors.Chunk(reader, "has a fmt chunk that is too short");
                }

                byte[] b = reader.Buffer;
                int o = reader.Offset;
                formatTag = Bytes.U16Le(b, o);
                channels = Bytes.U16Le(b, o + 2);
                sampleRate = (int)Bytes.U32Le(b, o + 4);
                blockAlign = Bytes.U16Le(b, o + 12);
                bits = Bytes.U16Le(b, o + 14);
                if (formatTag == FormatExtensible)
                {
                    // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the SubFormat GUID.
                    if (size < 40)
                    {
                        throw AudioErrors.Chunk(reader, "has a WAVE_FORMAT_EXTENSIBLE fmt chunk that is too short");
                    }

                    formatTag = Bytes.U16Le(b, o + 24);
                }

                if (formatTag != FormatPcm && formatTag != FormatFloat)
                {
                    throw AudioErrors.Chunk(reader, $"holds WAV format 0x{formatTag:X4}; only PCM and IEEE float samples can be joined");
                }

                if (channels == 0 || sampleRate <= 0 || bits == 0 || blockAlign != channels * ((bits + 7) / 8))
                {
                    throw AudioErrors.Chunk(reader, $"has an inconsistent fmt chunk ({channels} channels, {sampleRate} Hz, {bits} bits, block {blockAlign})");
                }

                haveFormat = true;
            }

            // fmt, LIST, fact and anything else: skip the body and its pad byte.
            long skip = size + (size & 1);
            if (skip > reader.Length - reader.Position)
            {
                throw AudioErrors.Chunk(reader, $"is truncated: its '{id}' chunk claims {size} bytes");
            }

            reader.Skip(skip);
        }
    }

    /// <summary>The canonical 44-byte header: RIFF, fmt (16 bytes), data, with the true sizes.</summary>
    internal static byte[] CanonicalHeader(ushort formatTag, int channels, int sampleRate, int bits, long dataLength)
    {
        var h = new byte[CanonicalHeaderSize];
        int blockAlign = channels * ((bits + 7) / 8);
        WriteAscii(h, 0, "RIFF");
        Bytes.PutU32Le(h, 4, (uint)(36 + dataLength + (dataLength & 1)));
        WriteAscii(h, 8, "WAVE");
        WriteAscii(h, 12, "fmt ");
        Bytes.PutU32Le(h, 16, 16);
        Bytes.PutU16Le(h, 20, formatTag);
        Bytes.PutU16Le(h, 22, channels);
        Bytes.PutU32Le(h, 24, (uint)sampleRate);
        Bytes.PutU32Le(h, 28, (uint)(sampleRate * blockAlign));
        Bytes.PutU16Le(h, 32, blockAlign);
        Bytes.PutU16Le(h, 34, bits);
        WriteAscii(h, 36, "data");
        Bytes.PutU32Le(h, 40, (uint)dataLength);
        return h;
    }

    private static void WriteAscii(byte[] b, int o, string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            b[o + i] = (byte)text[i];
        }
    }

    internal static void CheckSize(long total, IReadOnlyList<string> paths)
    {
        // The RIFF size field is 32 bits; 4 GiB of speech is far beyond any document, but say so rather than wrap.
        if (total > uint.MaxValue - 64)
        {
            throw AudioErrors.Chunk(paths.Count - 1, paths[paths.Count - 1], "makes the document larger than a WAV file can hold (4 GiB)");
        }
    }

    private static AudioInfo Info(WavLayout format, long dataLength, long bytes) => new()
    {
        Duration = AudioInfo.FromSamples(dataLength / format.BlockAlign, format.SampleRate),
        Bytes = bytes,
        SampleRate = format.SampleRate,
        Channels = format.Channels,
        Format = AudioFormat.Wav,
    };

    private static string Describe(WavLayout layout) =>
        $"{layout.BitsPerSample}-bit {(layout.FormatTag == FormatFloat ? "float" : "integer")}";

    // wav always needs its header rewritten: the API streams placeholder sizes.
    public override bool KeepsSingleChunkAsSent(AudioJoinOptions options) => false;

    // The join is the samples end to end; exact.
    public override ChunkTimeline Measure(IReadOnlyList<string> paths, AudioJoinOptions options, CancellationToken cancellationToken) =>
        ChunkTimeline.EndToEnd(paths, cancellationToken, (reader, _) =>
        {
            WavLayout layout = Parse(reader);
            return new ChunkTimeline.ChunkSamples(layout.DataLength / layout.BlockAlign, 0, layout.SampleRate);
        });

    public override TimeSpan WriteSilence(string? referencePath, int milliseconds, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        WavLayout layout;
        using (var reader = new ChunkReader(referencePath!, 0, cancellationToken))
        {
            layout = Parse(reader);
        }

        long samples = Silence.SamplesOf(milliseconds, layout.SampleRate);
        long length = samples * layout.BlockAlign;
        sink.Write(CanonicalHeader(layout.FormatTag, layout.Channels, layout.SampleRate, layout.BitsPerSample, length));

        // Unsigned 8-bit samples are silent at their midpoint; every other WAV sample format at zero.
        Silence.WriteFilled(sink, length, layout.BitsPerSample == 8 && layout.FormatTag == 1 ? (byte)0x80 : (byte)0);
        if ((length & 1) != 0)
        {
            sink.WriteByte(0);
        }

        return AudioInfo.FromSamples(samples, layout.SampleRate);
    }

    public override bool Recognizes(byte[] start, int count) => count >= 12 && Bytes.Ascii(start, 0, "RIFF") && Bytes.Ascii(start, 8, "WAVE");
}
