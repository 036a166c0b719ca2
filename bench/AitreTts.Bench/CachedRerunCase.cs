using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Cache;
using AitreTts.Core.Synthesis;
using TtsEmulator;

namespace AitreTts.Bench;

/// <summary>
/// Case 4: 24 one-line documents at 300 ms server latency through the chunk cache, first with an empty cache, then
/// the same batch again: the rerun must send no request and take at most a tenth of the first run's time.
/// </summary>
internal static class CachedRerunCase
{
    private const int Documents = 24;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(300);

    public static async Task<ResultRow> RunAsync(string workRoot)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Latency = Latency }).ConfigureAwait(false);
        string cacheFolder = Path.Combine(workRoot, "case4-cache");
        var cache = new ChunkCache(cacheFolder, ChunkCache.DefaultCapBytes, new ChunkCacheSecret(Path.Combine(workRoot, "case5-config")));
        var synthesizer = new DocumentSynthesizer(new CachingSpeechSource(Product.Client(server.BaseUrl), cache));
        SpeechOptions options = Product.Options(AudioFormat.Mp3, throttleLimit: 4);
        string[] texts = Enumerable.Range(0, Documents).Select(Corpus.Line).ToArray();

        // Warm-up on other text (JIT, a pooled connection), so the first measured run pays only for latency and work.
        await RunBatchAsync(synthesizer, new[] { "Warm-up line for the cache case." }, options, workRoot).ConfigureAwait(false);
        server.ClearRequests();

        double first = await RunBatchAsync(synthesizer, texts, options, workRoot).ConfigureAwait(false);
        int firstRequests = server.Requests.Count;
        server.ClearRequests();
        double again = await RunBatchAsync(synthesizer, texts, options, workRoot).ConfigureAwait(false);
        int againRequests = server.Requests.Count;
        double ratio = again / first;
        bool pass = ratio <= 0.10 && againRequests == 0 && firstRequests == Documents;
        return new ResultRow(
            "5 same batch again (cache)",
            Stats.Seconds(again),
            Stats.Seconds(first),
            ratio,
            "<= 0.10, 0 requests",
            pass,
            new[]
            {
                $"{Documents} one-line documents, one after another, mp3, {Latency.TotalMilliseconds:0} ms latency per request",
                $"first run (empty cache): {Stats.Seconds(first)}, {firstRequests} requests; rerun: {Stats.Seconds(again)}, {againRequests} requests",
            });
    }

    private static async Task<double> RunBatchAsync(DocumentSynthesizer synthesizer, IReadOnlyList<string> texts, SpeechOptions options, string workRoot)
    {
        string directory = Path.Combine(workRoot, "case4-" + Guid.NewGuid().ToString("N"));
        var watch = Stopwatch.StartNew();
        foreach (string text in texts)
        {
            await Product.SynthesizeAsync(synthesizer, text, options, directory).ConfigureAwait(false);
        }

        watch.Stop();
        Directory.Delete(directory, recursive: true);
        return watch.Elapsed.TotalSeconds;
    }
}
