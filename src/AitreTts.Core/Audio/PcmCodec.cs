using System;
using System.Collections.Generic;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>
/// Raw 16-bit signed little-endian mono samples with no header, at <see cref="AudioJoinOptions.PcmSampleRate"/>:
/// joined end to end, and written as WAV when <see cref="AudioJoinOptions.WrapPcmAsWav"/> asks.
/// </summary>
internal sealed class PcmCodec : AudioCodec
{
    public static readonly PcmCodec Instance = new();

    private PcmCodec()
    {
    }

    public override AudioFormat Format => AudioFormat.Pcm;

    public override AudioFormat FileFormat(AudioJoinOptions options) => options.WrapPcmAsWav ? AudioFormat.Wav : AudioFormat.Pcm;

    // Wrapped pcm needs the header a single chunk lacks.
    public override bool KeepsSingleChunkAsSent(AudioJoinOptions options) => !options.WrapPcmAsWav;

    public override AudioInfo Join(IReadOnlyList<string> paths, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        CheckPcmRate(options);
        long total = 0;
        var lengths = new long[paths.Count];
        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            if ((reader.Length & 1) != 0)
            {
                throw AudioErrors.Chunk(reader, $"is truncated: its {reader.Length} bytes are not a whole number of 16-bit samples");
            }

            lengths[i] = reader.Length;
            total += reader.Length;
        }

        if (options.WrapPcmAsWav)
        {
            WavCodec.CheckSize(total, paths);
            sink.Write(WavCodec.CanonicalHeader(WavCodec.FormatPcm, 1, options.PcmSampleRate, 16, total));
        }

        for (int i = 0; i < paths.Count; i++)
        {
            using var reader = new ChunkReader(paths[i], i, cancellationToken);
            reader.CopyTo(sink, lengths[i], "sample data");
        }

        return new AudioInfo
        {
            Duration = AudioInfo.FromSamples(total / 2, options.PcmSampleRate),
            Bytes = sink.Written,
            SampleRate = options.PcmSampleRate,
            Channels = 1,
            Format = FileFormat(options),
        };
    }

    public override AudioInfo Inspect(string path, AudioJoinOptions options)
    {
        CheckPcmRate(options);
        long length = new System.IO.FileInfo(path).Length;
        return new AudioInfo
        {
            Duration = AudioInfo.FromSamples(length / 2, options.PcmSampleRate),
            Bytes = length,
            SampleRate = options.PcmSampleRate,
            Channels = 1,
            Format = AudioFormat.Pcm,
        };
    }

    public override ChunkTimeline Measure(IReadOnlyList<string> paths, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        CheckPcmRate(options);
        return ChunkTimeline.EndToEnd(paths, cancellationToken, (reader, _) => new ChunkTimeline.ChunkSamples(reader.Length / 2, 0, options.PcmSampleRate));
    }

    public override bool SilenceNeedsReference => false;

    public override TimeSpan WriteSilence(string? referencePath, int milliseconds, OutputSink sink, AudioJoinOptions options, CancellationToken cancellationToken)
    {
        CheckPcmRate(options);
        long samples = Silence.SamplesOf(milliseconds, options.PcmSampleRate);
        Silence.WriteFilled(sink, samples * 2, 0);
        return AudioInfo.FromSamples(samples, options.PcmSampleRate);
    }

    // Raw samples can start with any byte.
    public override bool Recognizes(byte[] start, int count) => false;

    private static void CheckPcmRate(AudioJoinOptions options)
    {
        if (options.PcmSampleRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PcmSampleRate, "PcmSampleRate must be positive.");
        }
    }
}
