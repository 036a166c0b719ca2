using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Audio;
using AitreTts.Core.Http;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;
using TtsEmulator;

namespace AitreTts.Bench;

/// <summary>
/// Case 1: one 40,000-character document at 300 ms server latency, ThrottleLimit 4 (the default) against
/// ThrottleLimit 1 (the same code, one chunk at a time).
/// </summary>
internal static class ParallelismCase
{
    private const int Characters = 40_000;
    private const int Repetitions = 5;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(300);

    public static async Task<ResultRow> RunAsync(string workRoot)
    {
        // mp3: the emulator builds it by copying frames, so the server's own CPU time stays small next to the 300 ms
        // latency under test. (Its wav is synthesized sample by sample at ~100x real time, which on 2 cores would
        // measure the emulator's CPU rather than the client's concurrency.)
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Latency = Latency }).ConfigureAwait(false);
        DocumentSynthesizer synthesizer = Product.Synthesizer(server.BaseUrl);
        string text = Corpus.Prose(Characters, seed: 1);
        int chunks = TextSplitter.Split(text).Count;
        SpeechOptions parallel = Product.Options(AudioFormat.Mp3, throttleLimit: 4);
        SpeechOptions sequential = Product.Options(AudioFormat.Mp3, throttleLimit: 1);

        // Warm-up: JIT (two rounds, so tiered compilation has settled), and four pooled connections to reuse.
        for (int i = 0; i < 2; i++)
        {
            await TimeAsync(synthesizer, text, parallel, workRoot).ConfigureAwait(false);
            await TimeAsync(synthesizer, text, sequential, workRoot).ConfigureAwait(false);
        }

        var parallelSeconds = new List<double>();
        var sequentialSeconds = new List<double>();
        long bytes = 0;
        for (int i = 0; i < Repetitions; i++)
        {
            // Alternate, so drift on the machine falls on both sides alike.
            (double seconds, long size) = await TimeAsync(synthesizer, text, parallel, workRoot).ConfigureAwait(false);
            parallelSeconds.Add(seconds);
            bytes = size;
            sequentialSeconds.Add((await TimeAsync(synthesizer, text, sequential, workRoot).ConfigureAwait(false)).Seconds);
        }

        // Where the time beyond latency goes: the same document with no latency at all is pure work (the emulator
        // building responses, the transfer, the client writing, the join), which 2 cores can only overlap so far.
        server.Options.Latency = TimeSpan.Zero;
        var floorParallel = new List<double>();
        var floorSequential = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            floorParallel.Add((await TimeAsync(synthesizer, text, parallel, workRoot).ConfigureAwait(false)).Seconds);
            floorSequential.Add((await TimeAsync(synthesizer, text, sequential, workRoot).ConfigureAwait(false)).Seconds);
        }

        (double joinSeconds, double inspectSeconds) = await SerialTailAsync(server, text, workRoot).ConfigureAwait(false);
        double measured = Stats.Median(parallelSeconds);
        double baseline = Stats.Median(sequentialSeconds);
        double ratio = measured / baseline;
        double ideal = Math.Ceiling(chunks / 4.0) / chunks;
        return new ResultRow(
            "1 parallel chunks",
            Stats.Seconds(measured),
            Stats.Seconds(baseline),
            ratio,
            "<= 0.40",
            ratio <= 0.40,
            new[]
            {
                $"{text.Length} characters in {chunks} chunks, mp3, {Latency.TotalMilliseconds:0} ms latency per request; output {Stats.Megabytes(bytes)}",
                $"ThrottleLimit 4, s ({Repetitions} runs): {Stats.List(parallelSeconds)}; median {Stats.Seconds(measured)}",
                $"ThrottleLimit 1, s ({Repetitions} runs): {Stats.List(sequentialSeconds)}; median {Stats.Seconds(baseline)}",
                $"ratio {Stats.Ratio(ratio)}; latency alone would allow ceil({chunks}/4)/{chunks} = {Stats.Ratio(ideal)}",
                $"same document at 0 ms latency (3 runs each, medians): ThrottleLimit 4 {Stats.Seconds(Stats.Median(floorParallel))}, ThrottleLimit 1 {Stats.Seconds(Stats.Median(floorSequential))} (emulator and client share the 2 cores)",
                $"serial tail after the last chunk arrives (same chunks, median of 3): AudioJoiner.Join with fsync {Stats.Seconds(joinSeconds)} + AudioInspector.Inspect of the joined file {Stats.Seconds(inspectSeconds)} = {Stats.Ratio((joinSeconds + inspectSeconds) / measured)} of the ThrottleLimit 4 median",
            });
    }

    /// <summary>
    /// Times the two steps DocumentSynthesizer runs after every chunk is in, which no parallelism can hide: the join
    /// and the inspection of the joined file. Chunks are fetched with the product's own client at zero latency.
    /// </summary>
    private static async Task<(double Join, double Inspect)> SerialTailAsync(EmulatorServer server, string text, string workRoot)
    {
        SpeechClient client = Product.Client(server.BaseUrl);
        string directory = Path.Combine(workRoot, "case1-tail");
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (TextChunk chunk in TextSplitter.Split(text))
        {
            string path = Path.Combine(directory, chunk.Index.ToString(CultureInfo.InvariantCulture) + ".mp3");
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 81920, FileOptions.Asynchronous))
            {
                await client.SynthesizeAsync(new SpeechRequest(Product.Model, chunk.RequestText, Product.Voice, AudioFormat.Mp3), file, CancellationToken.None).ConfigureAwait(false);
            }

            paths.Add(path);
        }

        var join = new List<double>();
        var inspect = new List<double>();
        string joined = Path.Combine(directory, "joined.mp3");
        for (int i = 0; i < 4; i++)
        {
            var watch = Stopwatch.StartNew();
            using (var output = new FileStream(joined, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 81920, FileOptions.Asynchronous))
            {
                AudioJoiner.Join(AudioFormat.Mp3, paths, output, new AudioJoinOptions(), CancellationToken.None);
                output.Flush(flushToDisk: true); // as DocumentSynthesizer does before the commit
            }

            double joinSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            AudioInspector.Inspect(AudioFormat.Mp3, joined, new AudioJoinOptions());
            if (i > 0)
            {
                // The first round is a warm-up.
                join.Add(joinSeconds);
                inspect.Add(watch.Elapsed.TotalSeconds);
            }
        }

        Directory.Delete(directory, recursive: true);
        return (Stats.Median(join), Stats.Median(inspect));
    }

    private static async Task<(double Seconds, long Bytes)> TimeAsync(DocumentSynthesizer synthesizer, string text, SpeechOptions options, string workRoot)
    {
        string directory = Path.Combine(workRoot, "case1-" + Guid.NewGuid().ToString("N"));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var watch = Stopwatch.StartNew();
        DocumentResult result = await Product.SynthesizeAsync(synthesizer, text, options, directory).ConfigureAwait(false);
        watch.Stop();
        Directory.Delete(directory, recursive: true);
        return (watch.Elapsed.TotalSeconds, result.Bytes);
    }
}
