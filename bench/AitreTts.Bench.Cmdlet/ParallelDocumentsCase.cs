using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using TtsEmulator;

namespace AitreTts.Bench.Cmdlet;

/// <summary>
/// Case 6: 24 one-line documents piped into Invoke-TextToSpeech at 300 ms server latency, the default ThrottleLimit
/// against -ThrottleLimit 1, through the built module.
/// </summary>
internal static class ParallelDocumentsCase
{
    private const int Documents = 24;
    private const int Repetitions = 3;
    private const int DefaultThrottleLimit = 4;
    private const double Target = 0.35;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(300);

    public static ResultRow Run(ModuleHost host, EmulatorServer server, string workRoot)
    {
        string[] texts = Enumerable.Range(0, Documents).Select(Corpus.Line).ToArray();

        // -NoCache: every run must send its 24 requests; with the cache on, the second run would be served from it.
        var parallel = new Hashtable { ["NoCache"] = true };
        var sequential = new Hashtable { ["NoCache"] = true, ["ThrottleLimit"] = 1 };

        // Warm-up of both settings at zero latency: JIT and pooled connections, without 2 x 7 s of waiting.
        server.Options.Latency = TimeSpan.Zero;
        Time(host, server, texts, parallel, workRoot);
        Time(host, server, texts, sequential, workRoot);
        server.Options.Latency = Latency;

        var parallelSeconds = new List<double>();
        var sequentialSeconds = new List<double>();
        bool inOrder = true;
        for (int i = 0; i < Repetitions; i++)
        {
            // Alternate which goes first, so drift on the shared machine falls on both alike.
            Timing first = Time(host, server, texts, i % 2 == 0 ? parallel : sequential, workRoot);
            Timing second = Time(host, server, texts, i % 2 == 0 ? sequential : parallel, workRoot);
            (i % 2 == 0 ? parallelSeconds : sequentialSeconds).Add(first.Seconds);
            (i % 2 == 0 ? sequentialSeconds : parallelSeconds).Add(second.Seconds);
            inOrder &= first.InInputOrder && second.InInputOrder;
        }

        double measured = Stats.Median(parallelSeconds);
        double baseline = Stats.Median(sequentialSeconds);
        double ratio = measured / baseline;
        double ideal = Math.Ceiling(Documents / (double)DefaultThrottleLimit) / Documents;
        return new ResultRow(
            "6 24 documents in parallel (cmdlet)",
            Stats.Seconds(measured),
            Stats.Seconds(baseline),
            ratio,
            "<= " + Target.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
            ratio <= Target && inOrder,
            new[]
            {
                $"`$texts | Invoke-TextToSpeech -OutputDirectory <dir> -NoCache` in a hosted runspace, {Documents} one-line documents, mp3, {Latency.TotalMilliseconds:0} ms latency per request; every run wrote {Documents} files and sent {Documents} requests",
                $"default ThrottleLimit, s ({Repetitions} runs): {Stats.List(parallelSeconds)}; median {Stats.Seconds(measured)}",
                $"-ThrottleLimit 1, s ({Repetitions} runs): {Stats.List(sequentialSeconds)}; median {Stats.Seconds(baseline)}",
                $"ratio {Stats.Ratio(ratio)}; latency alone would allow ceil({Documents}/{DefaultThrottleLimit})/{Documents} = {Stats.Ratio(ideal)}",
                $"FileInfo objects came out in input order in every run: {(inOrder ? "yes" : "NO")}",
                $"module: {host.CmdletLocation}; AitreTts.Core from {host.CoreLocation}",
            });
    }

    private static Timing Time(ModuleHost host, EmulatorServer server, string[] texts, Hashtable extra, string workRoot)
    {
        string directory = Path.Combine(workRoot, "case6-" + Guid.NewGuid().ToString("N"));
        server.ClearRequests();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var watch = Stopwatch.StartNew();
        IReadOnlyList<PSObject> files = host.Speak(texts, directory, extra);
        watch.Stop();
        int written = Directory.GetFiles(directory).Count(f => new FileInfo(f).Length > 0 && !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal));
        int requests = server.Requests.Count;
        if (files.Count != texts.Length || written != texts.Length || requests != texts.Length)
        {
            throw new InvalidOperationException($"Expected {texts.Length} FileInfo objects, files and requests; got {files.Count} objects, {written} files, {requests} requests.");
        }

        Directory.Delete(directory, recursive: true);
        return new Timing(watch.Elapsed.TotalSeconds, Naming.InInputOrder(files));
    }

    private sealed record Timing(double Seconds, bool InInputOrder);
}
