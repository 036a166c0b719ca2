using System;
using System.Globalization;
using System.IO;
using AitreTts.Core;
using AitreTts.Tests.Support;

namespace AitreTts.Tests.Audio;

/// <summary>A file as ffmpeg decodes it: 16-bit mono samples at the stream's own rate, and what ffmpeg said.</summary>
internal sealed class DecodedAudio
{
    private DecodedAudio(short[] samples, int sampleRate, string errors)
    {
        Samples = samples;
        SampleRate = sampleRate;
        Errors = errors;
    }

    public short[] Samples { get; }

    public int SampleRate { get; }

    /// <summary>
    /// What ffmpeg printed at the level asked for, with its object addresses blanked, so the messages of two files
    /// can be compared: empty for a clean file.
    /// </summary>
    public string Errors { get; }

    public double Seconds => Samples.Length / (double)SampleRate;

    /// <summary>Decodes at the rate the decoder produces (48 kHz for opus), so counts are exact, not resampled.</summary>
    public static DecodedAudio Of(string path, AudioFormat format, string logLevel = "error", int pcmRate = 24000)
    {
        string raw = Path.Combine(Path.GetTempPath(), "aitretts-decoded-" + Guid.NewGuid().ToString("N") + ".raw");
        try
        {
            var args = new System.Collections.Generic.List<string> { "-nostdin", "-v", logLevel };
            if (format == AudioFormat.Pcm)
            {
                args.AddRange(new[] { "-f", "s16le", "-ar", pcmRate.ToString(CultureInfo.InvariantCulture), "-ac", "1" });
            }

            int rate = format == AudioFormat.Opus ? 48000 : format == AudioFormat.Pcm ? pcmRate : Ffmpeg.Probe(path).SampleRate;
            args.AddRange(new[] { "-i", path, "-f", "s16le", "-ac", "1", "-ar", rate.ToString(CultureInfo.InvariantCulture), raw });
            (int exit, _, string stderr) = Ffmpeg.Run(Ffmpeg.FfmpegPath!, args.ToArray());
            if (exit != 0)
            {
                throw new InvalidOperationException($"ffmpeg could not decode {path}: {stderr}");
            }

            byte[] bytes = File.ReadAllBytes(raw);
            var samples = new short[bytes.Length / 2];
            Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
            return new DecodedAudio(samples, rate, System.Text.RegularExpressions.Regex.Replace(stderr.Trim(), "@ 0x[0-9a-f]+", "@ 0x"));
        }
        finally
        {
            File.Delete(raw);
        }
    }

    /// <summary>The first sample at or after <paramref name="from"/> louder than <paramref name="threshold"/>; -1 if none.</summary>
    public long FirstLoud(long from, int threshold)
    {
        for (long i = Math.Max(0, from); i < Samples.Length; i++)
        {
            if (Math.Abs((int)Samples[i]) > threshold)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The sample after the last one before <paramref name="before"/> louder than <paramref name="threshold"/>.</summary>
    public long EndOfLoud(long before, int threshold)
    {
        for (long i = Math.Min(Samples.Length, before) - 1; i >= 0; i--)
        {
            if (Math.Abs((int)Samples[i]) > threshold)
            {
                return i + 1;
            }
        }

        return 0;
    }

    public int Peak(long from, long to)
    {
        int peak = 0;
        for (long i = Math.Max(0, from); i < Math.Min(to, Samples.Length); i++)
        {
            peak = Math.Max(peak, Math.Abs((int)Samples[i]));
        }

        return peak;
    }
}
