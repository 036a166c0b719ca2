using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace AitreTts.Tests.Support;

/// <summary>
/// ffprobe and ffmpeg as independent judges of the audio we produce. .ci/run installs them; where they are
/// missing the tests that need them show as skipped with the reason, never as passed.
/// </summary>
public static class Ffmpeg
{
    public static string? FfprobePath { get; } = FindOnPath("ffprobe");

    public static string? FfmpegPath { get; } = FindOnPath("ffmpeg");

    public const string MissingReason = "ffprobe/ffmpeg not on PATH: install Debian's ffmpeg (.ci/run does) to check audio files independently";

    /// <summary>What ffprobe reports of a file: container, codec, duration, and its error output.</summary>
    public sealed record ProbeResult(string FormatName, string CodecName, double DurationSeconds, int SampleRate, int Channels, string Errors);

    public static ProbeResult Probe(string path)
    {
        string ffprobe = FfprobePath ?? throw new InvalidOperationException(MissingReason);
        (int exit, string stdout, string stderr) = Run(ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path);
        if (exit != 0)
        {
            throw new InvalidOperationException($"ffprobe rejected {path} (exit {exit}): {stderr}");
        }

        using JsonDocument json = JsonDocument.Parse(stdout);
        JsonElement format = json.RootElement.GetProperty("format");
        JsonElement stream = json.RootElement.GetProperty("streams").EnumerateArray().First();
        double duration = format.TryGetProperty("duration", out JsonElement d)
            ? double.Parse(d.GetString()!, CultureInfo.InvariantCulture)
            : double.NaN;
        return new ProbeResult(
            format.GetProperty("format_name").GetString()!,
            stream.GetProperty("codec_name").GetString()!,
            duration,
            stream.TryGetProperty("sample_rate", out JsonElement sr) ? int.Parse(sr.GetString()!, CultureInfo.InvariantCulture) : 0,
            stream.TryGetProperty("channels", out JsonElement ch) ? ch.GetInt32() : 0,
            stderr);
    }

    /// <summary>Decodes the whole file and returns ffmpeg's error output: empty for a clean file.</summary>
    public static string DecodeErrors(string path, string? inputFormat = null)
    {
        string ffmpeg = FfmpegPath ?? throw new InvalidOperationException(MissingReason);
        string[] args = inputFormat is null
            ? new[] { "-nostdin", "-v", "error", "-i", path, "-f", "null", "-" }
            : new[] { "-nostdin", "-v", "error", "-f", inputFormat, "-i", path, "-f", "null", "-" };
        (int exit, _, string stderr) = Run(ffmpeg, args);
        return exit == 0 ? stderr.Trim() : $"exit {exit}: {stderr.Trim()}";
    }

    /// <summary>The exact decoded duration in seconds, by decoding to raw samples (independent of container headers).</summary>
    public static double DecodedSeconds(string path, string? inputFormat = null)
    {
        string ffmpeg = FfmpegPath ?? throw new InvalidOperationException(MissingReason);
        string raw = Path.Combine(Path.GetTempPath(), "aitretts-decoded-" + Guid.NewGuid().ToString("N") + ".raw");
        try
        {
            var args = new System.Collections.Generic.List<string> { "-nostdin", "-v", "error" };
            if (inputFormat is not null)
            {
                args.AddRange(new[] { "-f", inputFormat });
            }

            args.AddRange(new[] { "-i", path, "-f", "s16le", "-ac", "1", "-ar", "48000", raw });
            (int exit, _, string stderr) = Run(ffmpeg, args.ToArray());
            if (exit != 0)
            {
                throw new InvalidOperationException($"ffmpeg could not decode {path}: {stderr}");
            }

            return new FileInfo(raw).Length / 2.0 / 48000.0;
        }
        finally
        {
            File.Delete(raw);
        }
    }

    public static (int ExitCode, string StdOut, string StdErr) Run(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish in 120 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? FindOnPath(string name)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (path is null)
        {
            return null;
        }

        return path.Split(Path.PathSeparator)
            .Where(dir => dir.Length > 0)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>A fact that needs ffprobe and ffmpeg; skipped, with the reason shown, where they are missing.</summary>
public sealed class FfmpegFactAttribute : FactAttribute
{
    public FfmpegFactAttribute()
    {
        if (Ffmpeg.FfprobePath is null || Ffmpeg.FfmpegPath is null)
        {
            Skip = Ffmpeg.MissingReason;
        }
    }
}

/// <summary>A theory that needs ffprobe and ffmpeg; skipped, with the reason shown, where they are missing.</summary>
public sealed class FfmpegTheoryAttribute : TheoryAttribute
{
    public FfmpegTheoryAttribute()
    {
        if (Ffmpeg.FfprobePath is null || Ffmpeg.FfmpegPath is null)
        {
            Skip = Ffmpeg.MissingReason;
        }
    }
}
