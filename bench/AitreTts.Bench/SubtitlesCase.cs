using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Output;
using AitreTts.Core.Subtitles;
using AitreTts.Core.Synthesis;
using TtsEmulator;

namespace AitreTts.Bench;

/// <summary>
/// Case 4: a 40-sentence document with -Subtitles Srt (one request per cue) at 300 ms server latency, ThrottleLimit 4
/// (the default) against ThrottleLimit 1 (the same code, one cue at a time).
/// </summary>
internal static class SubtitlesCase
{
    private const int Sentences = 40;
    private const int Repetitions = 3;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(300);

    public static async Task<ResultRow> RunAsync(string workRoot)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Latency = Latency }).ConfigureAwait(false);
        var source = new DocumentSynthesizer(Product.Client(server.BaseUrl));
        string text = Text();
        var segmentOptions = new SegmentOptions { Subtitles = SubtitleFormat.Srt, ParagraphPauseMs = 500 };
        int cues = SpeechPlan.For(text, Product.Options(AudioFormat.Mp3, throttleLimit: 1), segmentOptions).Requests.Count;
        SpeechOptions parallel = Product.Options(AudioFormat.Mp3, throttleLimit: 4);
        SpeechOptions sequential = Product.Options(AudioFormat.Mp3, throttleLimit: 1);

        // Warm-up: JIT, and four pooled connections to reuse.
        await TimeAsync(source, text, segmentOptions, parallel, workRoot).ConfigureAwait(false);
        await TimeAsync(source, text, segmentOptions, sequential, workRoot).ConfigureAwait(false);

        var parallelSeconds = new List<double>();
        var sequentialSeconds = new List<double>();
        for (int i = 0; i < Repetitions; i++)
        {
            // Alternate, so drift on the machine falls on both sides alike.
            parallelSeconds.Add(await TimeAsync(source, text, segmentOptions, parallel, workRoot).ConfigureAwait(false));
            sequentialSeconds.Add(await TimeAsync(source, text, segmentOptions, sequential, workRoot).ConfigureAwait(false));
        }

        double measured = Stats.Median(parallelSeconds);
        double baseline = Stats.Median(sequentialSeconds);
        double ratio = measured / baseline;
        double ideal = Math.Ceiling(cues / 4.0) / cues;
        return new ResultRow(
            "4 subtitles, 40 sentences",
            Stats.Seconds(measured),
            Stats.Seconds(baseline),
            ratio,
            "<= 0.35",
            ratio <= 0.35,
            new[]
            {
                $"{Sentences} sentences, {text.Length} characters, {cues} cues (one request each), 8 paragraphs with 500 ms pauses, mp3 + srt, {Latency.TotalMilliseconds:0} ms latency per request",
                $"ThrottleLimit 4, s ({Repetitions} runs): {Stats.List(parallelSeconds)}; median {Stats.Seconds(measured)}",
                $"ThrottleLimit 1, s ({Repetitions} runs): {Stats.List(sequentialSeconds)}; median {Stats.Seconds(baseline)}",
                $"ratio {Stats.Ratio(ratio)}; latency alone would allow ceil({cues}/4)/{cues} = {Stats.Ratio(ideal)}",
            });
    }

    /// <summary>40 announcement sentences in paragraphs of five.</summary>
    private static string Text()
    {
        var text = new StringBuilder();
        for (int i = 0; i < Sentences; i++)
        {
            text.Append(i == 0 ? string.Empty : i % 5 == 0 ? "\n\n" : " ");
            text.Append(Corpus.Line(i));
        }

        return text.ToString();
    }

    private static async Task<double> TimeAsync(DocumentSynthesizer document, string text, SegmentOptions segmentOptions, SpeechOptions options, string workRoot)
    {
        string directory = Path.Combine(workRoot, "case4-" + Guid.NewGuid().ToString("N"));
        var target = new OutputTarget(directory, attempt => attempt == 0 ? "subtitled.mp3" : $"subtitled ({attempt}).mp3", OutputMode.Unique, false);
        target.Prepare(createDirectory: true);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var watch = Stopwatch.StartNew();
        DocumentResult result = await document.SynthesizeAsync(SpeechPlan.For(text, options, segmentOptions), new OutputUnit(target), null, CancellationToken.None).ConfigureAwait(false);
        watch.Stop();
        if (result.SubtitlePath is null || !File.Exists(result.SubtitlePath))
        {
            throw new InvalidOperationException("No subtitles were written.");
        }

        Directory.Delete(directory, recursive: true);
        return watch.Elapsed.TotalSeconds;
    }
}
