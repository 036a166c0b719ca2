using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using AitreTts.Core;
using AitreTts.Core.Audio;
using AitreTts.Core.Errors;
using AitreTts.Tests.Support;
using Xunit.Abstractions;

namespace AitreTts.Tests.Audio;

/// <summary>Paragraph pauses: silent chunks the unchanged joiner accepts, judged by ffmpeg.</summary>
public sealed class SilenceTests : IClassFixture<AudioSamples>
{
    private const int PauseMilliseconds = 700;

    private readonly AudioSamples _samples;
    private readonly ITestOutputHelper _output;

    public SilenceTests(AudioSamples samples, ITestOutputHelper output)
    {
        _samples = samples;
        _output = output;
    }

    /// <summary>The six formats, and the encodings of them that take other paths through the joiner.</summary>
    public static IEnumerable<object[]> Variants() => new[]
    {
        new object[] { "mp3-cbr" }, new object[] { "mp3-vbr" }, new object[] { "mp3-noxing" }, new object[] { "aac" },
        new object[] { "opus" }, new object[] { "flac" }, new object[] { "wav" }, new object[] { "pcm" },
    };

    /// <summary>One frame at 24 kHz (opus: one 20 ms packet); the lossless formats are exact.</summary>
    internal static double FrameSeconds(AudioFormat format) => format switch
    {
        AudioFormat.Mp3 => 576 / 24000.0,
        AudioFormat.Aac => 1024 / 24000.0,
        AudioFormat.Opus => 0.020,
        _ => 0,
    };

    [FfmpegTheory]
    [MemberData(nameof(Variants))]
    public void APauseJoinsCleanlyAndLengthensTheFileByItsDuration(string variant)
    {
        AudioFormat format = AudioSamples.FormatOf(variant);
        string first = _samples.Make(variant, 1.3, 440);
        string second = _samples.Make(variant, 0.7, 660);
        string silence = WriteSilence(format, first, PauseMilliseconds, out TimeSpan reported);

        string without = Join(format, first, second);
        string with = Join(format, first, silence, second);
        DecodedAudio plain = DecodedAudio.Of(without, format, "warning");
        DecodedAudio paused = DecodedAudio.Of(with, format, "warning");
        DecodedAudio alone = DecodedAudio.Of(silence, format);
        double growth = paused.Seconds - plain.Seconds;
        _output.WriteLine($"{variant}: without {plain.Seconds:0.000000} s, with {paused.Seconds:0.000000} s, growth {growth * 1000:0.00} ms; silence alone {alone.Seconds:0.000000} s, reported {reported.TotalMilliseconds:0.00} ms");

        // No errors; and no warning the same join without the pause does not give too (ffmpeg warns of any ADTS or
        // headerless file that it estimates the duration, and of any WAV without a channel mask that it guesses one).
        Assert.Equal(string.Empty, DecodedAudio.Of(with, format).Errors);
        Assert.Equal(plain.Errors, paused.Errors);
        Assert.Equal(string.Empty, alone.Errors);
        double tolerance = FrameSeconds(format) + 0.005;
        Assert.InRange(growth, (PauseMilliseconds / 1000.0) - tolerance, (PauseMilliseconds / 1000.0) + tolerance);
        Assert.InRange(reported.TotalSeconds, alone.Seconds - 0.001, alone.Seconds + 0.001);

        // Silence on its own decodes to (near) zero samples; in the joined file the pause is below -60 dBFS once the
        // first chunk's last frame has rung out (the chunk itself peaks at -18 dBFS).
        Assert.InRange(alone.Peak(0, alone.Samples.Length), 0, 2);
        long pauseStart = plain.SampleRate * 13 / 10 + (long)(0.1 * plain.SampleRate);
        long pauseEnd = pauseStart + (long)(0.4 * plain.SampleRate);
        Assert.InRange(paused.Peak(pauseStart, pauseEnd), 0, 32);
    }

    [FfmpegTheory]
    [InlineData("mp3-cbr")]
    [InlineData("opus")]
    [InlineData("aac")]
    [InlineData("flac")]
    [InlineData("wav")]
    public void StereoChunksGetStereoSilence(string variant)
    {
        AudioFormat format = AudioSamples.FormatOf(variant);
        string first = _samples.Make(variant, 0.5, 440, 24000, 2);
        string silence = WriteSilence(format, first, 300, out _);

        string joined = Join(format, first, silence, first);
        Assert.Equal(2, Ffmpeg.Probe(silence).Channels);
        Assert.Equal(string.Empty, DecodedAudio.Of(joined, format).Errors);
        Assert.Equal(DecodedAudio.Of(Join(format, first, first), format, "warning").Errors, DecodedAudio.Of(joined, format, "warning").Errors);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void APauseMustLastAtLeastAMillisecond(int milliseconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => Silence.Write(AudioFormat.Pcm, null!, milliseconds, new MemoryStream(), null, CancellationToken.None));
    }

    [FfmpegFact]
    public void AReferenceOfTheWrongFormatFailsAsAJoinError()
    {
        string wav = _samples.Make("wav", 0.3, 440);
        var error = Assert.Throws<TtsException>(
            () => Silence.Write(AudioFormat.Mp3, wav, 100, new MemoryStream(), null, CancellationToken.None));
        Assert.Equal(TtsErrorIds.AudioJoinFailed, error.ErrorId);
    }

    [Fact]
    public void PcmSilenceIsExactlyThatManyZeroSamples()
    {
        using var destination = new MemoryStream();
        TimeSpan duration = Silence.Write(AudioFormat.Pcm, null!, 250, destination, new AudioJoinOptions { PcmSampleRate = 22050 }, CancellationToken.None);
        byte[] bytes = destination.ToArray();
        Assert.Equal(5513 * 2, bytes.Length); // 250 ms of 22050 Hz, rounded to the nearest sample
        Assert.All(bytes, b => Assert.Equal(0, b));
        Assert.Equal(AudioInfoSeconds(5513, 22050), duration.TotalSeconds, 6);
    }

    private static double AudioInfoSeconds(long samples, int rate) => samples / (double)rate;

    private string WriteSilence(AudioFormat format, string reference, int milliseconds, out TimeSpan duration)
    {
        string path = _samples.NewPath(format.ToExtension());
        using var destination = File.Create(path);
        duration = Silence.Write(format, reference, milliseconds, destination, null, CancellationToken.None);
        return path;
    }

    private string Join(AudioFormat format, params string[] chunks)
    {
        string path = _samples.NewPath(format.ToExtension());
        using var destination = File.Create(path);
        AudioJoiner.Join(format, chunks, destination, new AudioJoinOptions(), CancellationToken.None);
        return path;
    }
}
