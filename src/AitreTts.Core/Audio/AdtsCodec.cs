using System.Collections.Generic;
using System.Threading;
using System;

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
internal sealed class AdtsCodec : AudioCodec
{
    public static readonly AdtsCodec Instance = new();

    private AdtsCodec()
    {
    }

    private const int UsualPriming = 1024;

    public override AudioFormat Format => AudioFormat.Aac;

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

    public override AudioInfo Join(IReadOnlyList<string> paths, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
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

    public override AudioInfo Inspect(string path, AudioJoinOptions options)
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

    /// <summary>
    /// ADTS can signal no delay, so every frame plays, the join's and each chunk's alike (1024 samples per raw data
    /// block), the encoder's priming too. A span starts after the 1024 samples of priming that ffmpeg's and most
    /// AAC-LC encoders write (Apple's write 2112: 45 ms later at 24 kHz) and ends with the chunk's last frame, since
    /// the padding at the end is not known either.
    /// </summary>
    public override ChunkTimeline Measure(IReadOnlyList<string> paths, AudioJoinOptions options, CancellationToken cancellationToken) =>
        ChunkTimeline.EndToEnd(paths, cancellationToken, (reader, _) =>
        {
            long samples = 0;
            int sampleRate = 0;
            foreach (Header frame in Frames(reader))
            {
                sampleRate = sampleRate == 0 ? frame.SampleRate : sampleRate;
                samples += frame.Blocks * 1024L;
            }

            return new ChunkTimeline.ChunkSamples(samples, Math.Min(samples, UsualPriming), sampleRate);
        });

    public override TimeSpan WriteSilence(string? referencePath, int milliseconds, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        var header = new byte[7];
        Header reference = default;
        bool found = false;
        using (var reader = new ChunkReader(referencePath!, 0, cancellationToken))
        {
            foreach (Header h in Frames(reader))
            {
                System.Buffer.BlockCopy(reader.Buffer, reader.Offset, header, 0, 7);
                reference = h;
                found = true;
                break;
            }
        }

        // Main (0) and LC (1) share this raw data block syntax; one or two channels are an SCE or a CPE.
        if (!found || reference.Profile > 1 || reference.ChannelConfig < 1 || reference.ChannelConfig > 2)
        {
            throw AudioErrors.Chunk(0, referencePath!, found
                ? $"holds {reference.Describe()}, for which no silent frame can be made (only AAC Main or LC, mono or stereo)"
                : "holds no AAC (ADTS) audio frames");
        }

        byte[] payload = SilentAacBlock(reference.ChannelConfig);
        int length = 7 + payload.Length;
        header[1] = (byte)((header[1] & 0xF8) | 0x01); // keep the MPEG version; no CRC
        header[3] = (byte)((header[3] & 0xC0) | (length >> 11));
        header[4] = (byte)(length >> 3);
        header[5] = (byte)(((length & 7) << 5) | 0x1F); // buffer fullness 0x7FF: variable bitrate
        header[6] = 0xFC; // ... and one raw data block
        long frames = Silence.FramesOf(milliseconds, reference.SampleRate, 1024);
        for (long i = 0; i < frames; i++)
        {
            sink.Write(header);
            sink.Write(payload);
        }

        return AudioInfo.FromSamples(frames * 1024, reference.SampleRate);
    }

    /// <summary>
    /// One AAC raw_data_block (ISO/IEC 14496-3 section 4.4.2) with nothing to decode: a single or channel pair
    /// element whose individual channel streams are long windows with max_sfb 0, then the END element.
    /// </summary>
    private static byte[] SilentAacBlock(int channels)
    {
        var bits = new Silence.BitWriter(8);
        bits.Put(channels == 1 ? 0 : 1, 3); // id_syn_ele: SCE or CPE
        bits.Put(0, 4); // element_instance_tag
        if (channels == 2)
        {
            bits.Put(0, 1); // common_window
        }

        for (int channel = 0; channel < channels; channel++)
        {
            bits.Put(0, 8); // global_gain
            bits.Put(0, 1); // ics_reserved_bit
            bits.Put(0, 2); // window_sequence: ONLY_LONG_SEQUENCE
            bits.Put(0, 1); // window_shape
            bits.Put(0, 6); // max_sfb: no bands, so no section, scale factor or spectral data
            bits.Put(0, 1); // predictor_data_present
            bits.Put(0, 3); // pulse, tns and gain control data absent
        }

        bits.Put(7, 3); // id_syn_ele: END
        return bits.ToArray();
    }

    // A 12-bit sync and layer 00 (MPEG audio has the sync with a non-zero layer).
    public override bool Recognizes(byte[] start, int count) => count >= 2 && start[0] == 0xFF && (start[1] & 0xF6) == 0xF0;
}
