using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using AitreTts.Core;
using AitreTts.Core.Audio;
using AitreTts.Tests.Support;
using Xunit.Abstractions;

namespace AitreTts.Tests.Audio;

/// <summary>Where each chunk plays in the joined file, against what ffmpeg decodes.</summary>
public sealed class ChunkTimelineTests : IClassFixture<AudioSamples>
{
    private const int Loud = 1000; // the test sines peak at 4096
    private readonly AudioSamples _samples;
    private readonly ITestOutputHelper _output;

    public ChunkTimelineTests(AudioSamples samples, ITestOutputHelper output)
    {
        _samples = samples;
        _output = output;
    }

    public static IEnumerable<object[]> Variants() => SilenceTests.Variants();

    /// <summary>
    /// A document of three unequal chunks with a pause between the first and the second: each span lasts what the
    /// chunk decodes to on its own, the spans follow each other, the last ends where the joined file does, and the
    /// sines are heard where the spans say.
    /// </summary>
    [FfmpegTheory]
    [MemberData(nameof(Variants))]
    public void SpansMatchWhatFfmpegDecodes(string variant)
    {
        AudioFormat format = AudioSamples.FormatOf(variant);
        IReadOnlyList<string> parts = _samples.Chunks(variant);
        string pause = _samples.NewPath(format.ToExtension());
        TimeSpan pauseSeconds;
        using (var destination = File.Create(pause))
        {
            pauseSeconds = Silence.Write(format, parts[0], 400, destination, null, CancellationToken.None);
        }

        var chunks = new List<string> { parts[0], pause, parts[1], parts[2] };
        ChunkTimeline timeline = ChunkTimeline.Measure(format, chunks, null, CancellationToken.None);
        string joined = _samples.NewPath(format.ToExtension());
        AudioInfo info;
        using (var destination = File.Create(joined))
        {
            info = AudioJoiner.Join(format, chunks, destination, null!, CancellationToken.None);
        }

        DecodedAudio decoded = DecodedAudio.Of(joined, format);
        double frame = SilenceTests.FrameSeconds(format);
        double[] known = { AudioSamples.ChunkSeconds[0], pauseSeconds.TotalSeconds, AudioSamples.ChunkSeconds[1], AudioSamples.ChunkSeconds[2] };
        Assert.Equal(chunks.Count, timeline.Chunks.Count);
        for (int i = 0; i < chunks.Count; i++)
        {
            ChunkSpan span = timeline.Chunks[i];
            double alone = DecodedAudio.Of(chunks[i], format).Seconds;
            double length = (span.End - span.Start).TotalSeconds;
            _output.WriteLine($"{variant} {span}: {length * 1000:0.00} ms, alone {alone * 1000:0.00} ms, known {known[i] * 1000:0.00} ms");
            Assert.Equal(i, span.Index);
            Assert.Equal(decoded.SampleRate, span.SampleRate);
            Assert.True(span.StartSample >= (i == 0 ? 0 : timeline.Chunks[i - 1].EndSample), $"span {i} starts before span {i - 1} ends");
            if (i == 1)
            {
                continue; // the pause: its place is checked below, as the gap it makes between the speech spans
            }

            // The rule: a cue lasts what its text does, within one frame and 20 ms.
            Assert.InRange(length, known[i] - frame - 0.020, known[i] + frame + 0.020);

            // Where the chunks say how much of them plays (LAME tag, pre-skip) or nothing is hidden (flac, wav, pcm),
            // a span lasts what the chunk decodes to on its own: to the sample (opus: within a packet, where a span
            // would reach back into the one before).
            if (variant is "mp3-cbr" or "mp3-vbr" or "flac" or "wav" or "pcm")
            {
                Assert.Equal(DecodedAudio.Of(chunks[i], format).Samples.Length, span.EndSample - span.StartSample);
            }
            else if (format == AudioFormat.Opus)
            {
                Assert.InRange(length, alone - frame, alone);
            }
        }

        // The pause shifts the later cues: the gap between the first two speech spans is the pause, plus what the
        // format leaves at a join (encoder padding and delay, up to a frame each).
        double gap = (timeline.Chunks[2].Start - timeline.Chunks[0].End).TotalSeconds;
        Assert.InRange(gap, pauseSeconds.TotalSeconds - frame - 0.020, pauseSeconds.TotalSeconds + (2 * frame) + 0.060);

        _output.WriteLine($"{variant}: timeline {timeline.TotalSamples} samples ({timeline.Duration.TotalMilliseconds:0.00} ms), decoded {decoded.Samples.Length} ({decoded.Seconds * 1000:0.00} ms), joiner {info.Duration.TotalMilliseconds:0.00} ms");
        // Where no header says how long the encoder's warm-up is, the span starts after the usual one.
        Assert.Equal(variant == "aac" ? 1024 : variant == "mp3-noxing" ? 576 + 529 : 0, timeline.Chunks[0].StartSample);
        Assert.InRange(timeline.Chunks[^1].End.TotalSeconds, decoded.Seconds - 0.100, decoded.Seconds + 0.100);

        // Tighter than the issue asks: the total is ffmpeg's decoded sample count (mp3 to a frame, since ffmpeg
        // trims by the LAME tag only when the first chunk carries one), and the joiner's own count for the rest.
        Assert.InRange(timeline.TotalSamples, decoded.Samples.Length - (variant == "mp3-noxing" ? 576 : 1), decoded.Samples.Length + 1);
        if (format != AudioFormat.Mp3)
        {
            Assert.Equal(info.Duration, timeline.Duration);
        }

        // The sines start and stop where the spans say, within 20 ms (lossy codecs smear the edges a little); the
        // pause is where the first span ends and the second begins. Where no header gives the encoder's padding
        // (aac, mp3 without a LAME tag) a span ends with the chunk's last frame, up to a frame after the sine.
        long second = decoded.FirstLoud(timeline.Chunks[1].StartSample, Loud);
        long firstEnd = decoded.EndOfLoud(timeline.Chunks[2].StartSample, Loud);
        long tolerance = decoded.SampleRate / 50;
        long untrimmedPadding = variant == "aac" ? 1024 : variant == "mp3-noxing" ? 576 + 529 : 0;
        Assert.InRange(decoded.FirstLoud(0, Loud), timeline.Chunks[0].StartSample - tolerance, timeline.Chunks[0].StartSample + tolerance);
        _output.WriteLine($"{variant}: first sine ends at {firstEnd}, span at {timeline.Chunks[0].EndSample}; second starts at {second}, span at {timeline.Chunks[2].StartSample}");
        Assert.InRange(firstEnd, timeline.Chunks[0].EndSample - tolerance - untrimmedPadding, timeline.Chunks[0].EndSample + tolerance);
        Assert.InRange(second, timeline.Chunks[2].StartSample - tolerance, timeline.Chunks[2].StartSample + tolerance);
    }

    [FfmpegFact]
    public void OneChunkSpansTheWholeFile()
    {
        string chunk = _samples.Make("mp3-cbr", 1.0, 440);
        ChunkTimeline timeline = ChunkTimeline.Measure(AudioFormat.Mp3, new[] { chunk }, null, CancellationToken.None);
        DecodedAudio decoded = DecodedAudio.Of(chunk, AudioFormat.Mp3);
        Assert.Equal(0, timeline.Chunks[0].StartSample);
        Assert.Equal(decoded.Samples.Length, timeline.Chunks[0].EndSample);
        Assert.Equal(decoded.Samples.Length, timeline.TotalSamples);
    }

    [Fact]
    public void PcmSpansAreTheByteCountsAtTheConfiguredRate()
    {
        string first = _samples.NewPath(".pcm"), second = _samples.NewPath(".pcm");
        File.WriteAllBytes(first, new byte[2 * 22050]);
        File.WriteAllBytes(second, new byte[2 * 11025]);
        ChunkTimeline timeline = ChunkTimeline.Measure(AudioFormat.Pcm, new[] { first, second }, new AudioJoinOptions { PcmSampleRate = 22050 }, CancellationToken.None);
        Assert.Equal(new[] { (0L, 22050L), (22050L, 33075L) }, timeline.Chunks.Select(c => (c.StartSample, c.EndSample)));
        Assert.Equal(TimeSpan.FromSeconds(1.5), timeline.Duration);
        Assert.Equal(TimeSpan.FromSeconds(1), timeline.Chunks[1].Start);
    }
}
