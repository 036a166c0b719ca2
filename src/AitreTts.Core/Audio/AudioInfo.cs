using System;

namespace AitreTts.Core.Audio;

/// <summary>Facts about one complete audio file, as written by <see cref="AudioJoiner"/> or read by <see cref="AudioInspector"/>.</summary>
internal sealed class AudioInfo
{
    /// <summary>
    /// The playing time: exact for wav and pcm (from the byte count), from the frame count for mp3 and aac,
    /// from the granule position for opus and from STREAMINFO's sample count for flac.
    /// </summary>
    public TimeSpan Duration { get; init; }

    public long Bytes { get; init; }

    /// <summary>The sample rate in Hz. For opus it is 48000, the rate Opus always decodes at (as ffprobe reports it).</summary>
    public int SampleRate { get; init; }

    public int Channels { get; init; }

    /// <summary>The format of the file: <see cref="AudioFormat.Wav"/> when pcm was wrapped in a WAV header.</summary>
    public AudioFormat Format { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"{Format.ToApiName()} {Duration.TotalSeconds:0.###} s, {Bytes} bytes, {SampleRate} Hz, {Channels} ch");

    internal static TimeSpan FromSamples(long samples, int sampleRate) =>
        sampleRate <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Round(samples * (double)TimeSpan.TicksPerSecond / sampleRate));
}
