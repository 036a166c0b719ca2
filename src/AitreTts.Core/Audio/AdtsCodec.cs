using System.Collections.Generic;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>
/// AAC in ADTS framing: every frame carries its own header, so a join is a validated concatenation of frames,
/// without ID3/APE tags. ADTS has no stream header and no sample count; the duration is the frame count
/// times 1024 samples per raw data block.
/// </summary>
/// <remarks>
/// ffprobe estimates an ADTS file's duration from its bitrate ("may be inaccurate"), so the tests judge the
/// joined duration by decoding. The encoder priming (1024 samples for most encoders) of each later chunk stays
/// in the middle: ADTS has no field that could tell a decoder to skip it.
/// </remarks>
internal static class AdtsCodec
{
    private static readonly int[] SampleRates = { 96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350 };

    internal readonly struct Header
    {
        public Header(int profile, int sampleRateIndex, int channelConfig, int length, int blocks)
        {
            Profile = profile;
            SampleRateIndex = sampleRateIndex;
            ChannelConfig = channelConfig;
            Length = length;
            Blocks = blocks;
        }

        public int Profile { get; }

        public int SampleRateIndex { get; }

        public int ChannelConfig { get; }

        /// <summary>The frame length, header included.</summary>
        public int Length { get; }

        /// <summary>number_of_raw_data_blocks_in_frame + 1.</summary>
        public int Blocks { get; }

        public int SampleRate => SampleRates[SampleRateIndex];

        public int Channels => ChannelConfig == 7 ? 8 : ChannelConfig;

        public bool SameStream(Header other) =>
            Profile == other.Profile && SampleRateIndex == other.SampleRateIndex && ChannelConfig == other.ChannelConfig;

        public string Describe() => $"AAC profile {Profile + 1}, {SampleRate} Hz, channel configuration {ChannelConfig}";
    }

    public static AudioInfo Join(IReadOnlyList<string> paths, OutputSink sink, CancellationToken cancellationToken)
    {
        // Pass 1 validates every chunk, so a bad one fails before anything is written.
        Header? format = null;
        long samples = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            foreach (Header h in Frames(reader))
            {
                if (format is null)
                {
                    format = h;
                }
                else if (!format.Value.SameStream(h))
                {
                    throw AudioErrors.Mismatch(reader, "audio format", format.Value.Describe(), h.Describe());
                }

                samples += h.Blocks * 1024L;
            }
        }

        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            foreach (Header h in Frames(reader))
            {
                sink.Write(reader.Buffer, reader.Offset, h.Length);
            }
        }

        return Info(format!.Value, samples, sink.Written);
    }

    public static AudioInfo Inspect(string path)
    {
        using var reader = new ChunkReader(path, 0, CancellationToken.None);
        Header? format = null;
        long samples = 0;
        foreach (Header h in Frames(reader))
        {
            format ??= h;
            samples += h.Blocks * 1024L;
        }

        return Info(format!.Value, samples, reader.Length);
    }

    internal static bool TryParseHeader(byte[] b, int o, out Header header)
    {
        header = default;

        // Sync word 0xFFF, then the MPEG version bit, and a layer that must be 00.
        if (b[o] != 0xFF || (b[o + 1] & 0xF6) != 0xF0)
        {
            return false;
        }

        int sampleRateIndex = (b[o + 2] >> 2) & 0xF;
        int channelConfig = ((b[o + 2] & 1) << 2) | (b[o + 3] >> 6);
        int length = ((b[o + 3] & 3) << 11) | (b[o + 4] << 3) | (b[o + 5] >> 5);
        int headerLength = (b[o + 1] & 1) != 0 ? 7 : 9;
        if (sampleRateIndex >= SampleRates.Length || length <= headerLength)
        {
            return false;
        }

        header = new Header(b[o + 2] >> 6, sampleRateIndex, channelConfig, length, (b[o + 6] & 3) + 1);
        return true;
    }

    internal static IEnumerable<Header> Frames(ChunkReader reader) =>
        FrameSync.Frames<Header>(reader, 7, TryParseHeader, (a, b) => a.SameStream(b), h => h.Length, "AAC (ADTS)");

    private static AudioInfo Info(Header format, long samples, long bytes) => new()
    {
        Duration = AudioInfo.FromSamples(samples, format.SampleRate),
        Bytes = bytes,
        SampleRate = format.SampleRate,
        Channels = format.Channels,
        Format = AudioFormat.Aac,
    };
}
