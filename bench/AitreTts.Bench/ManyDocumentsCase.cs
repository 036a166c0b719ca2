using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Synthesis;
using TtsEmulator;

namespace AitreTts.Bench;

/// <summary>
/// Case 2: 100 one-line documents at zero latency through DocumentSynthesizer, one after another as a pipeline
/// feeds them, against a bare HttpClient loop that sends the same requests and writes the same files.
/// </summary>
internal static class ManyDocumentsCase
{
    private const int Documents = 100;
    private const int Repetitions = 15;

    public static async Task<ResultRow> RunAsync(string workRoot)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions()).ConfigureAwait(false);
        string[] texts = Enumerable.Range(0, Documents).Select(Corpus.Line).ToArray();
        SpeechOptions options = Product.Options(AudioFormat.Mp3, throttleLimit: 4);
        DocumentSynthesizer synthesizer = Product.Synthesizer(server.BaseUrl);

        // The baseline's own client, built as plainly as possible: default handler, keep-alive, no retries.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        var speechUri = new Uri(server.BaseUrl, "/v1/audio/speech");

        // Warm-up: one full interleaved pass.
        await PassAsync(synthesizer, http, speechUri, texts, options, workRoot, 0).ConfigureAwait(false);

        var productSeconds = new List<double>();
        var baselineSeconds = new List<double>();
        var passRatios = new List<double>();
        long productBytes = 0;
        long baselineBytes = 0;
        for (int i = 0; i < Repetitions; i++)
        {
            Pass pass = await PassAsync(synthesizer, http, speechUri, texts, options, workRoot, i).ConfigureAwait(false);
            productSeconds.Add(pass.ProductSeconds);
            baselineSeconds.Add(pass.BaselineSeconds);
            passRatios.Add(pass.ProductSeconds / pass.BaselineSeconds);
            productBytes = pass.ProductBytes;
            baselineBytes = pass.BaselineBytes;
        }

        double measured = Stats.Median(productSeconds);
        double baseline = Stats.Median(baselineSeconds);
        double ratio = Stats.Median(passRatios);
        return new ResultRow(
            "2 100 small documents",
            Stats.Seconds(measured),
            Stats.Seconds(baseline),
            ratio,
            "<= 1.30",
            ratio <= 1.30,
            new[]
            {
                $"{Documents} one-line documents ({texts.Min(t => t.Length)}-{texts.Max(t => t.Length)} characters), mp3, no latency; files written: product {Stats.Megabytes(productBytes)}, baseline {Stats.Megabytes(baselineBytes)}",
                "each pass interleaves the two sides document by document (alternating which goes first), so load from elsewhere on the 2 shared cores falls on both alike",
                $"DocumentSynthesizer, s per 100 ({Repetitions} runs): {Stats.List(productSeconds)}; median {Stats.Seconds(measured)} = {measured * 1000 / Documents:0.00} ms per document",
                $"bare HttpClient loop, s per 100 ({Repetitions} runs): {Stats.List(baselineSeconds)}; median {Stats.Seconds(baseline)} = {baseline * 1000 / Documents:0.00} ms per document",
                $"ratio = median of the {Repetitions} per-pass ratios ({Stats.List(passRatios)}); ratio of the two medians {Stats.Ratio(measured / baseline)}",
            });
    }

    private static async Task<Pass> PassAsync(DocumentSynthesizer synthesizer, HttpClient http, Uri speechUri, string[] texts, SpeechOptions options, string workRoot, int repetition)
    {
        string productDirectory = NewDirectory(workRoot, "case2-product");
        string baselineDirectory = NewDirectory(workRoot, "case2-baseline");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var product = new Stopwatch();
        var baseline = new Stopwatch();
        for (int i = 0; i < texts.Length; i++)
        {
            if ((i + repetition) % 2 == 0)
            {
                await ProductDocumentAsync(synthesizer, texts[i], options, productDirectory, product).ConfigureAwait(false);
                await BaselineDocumentAsync(http, speechUri, texts[i], options, baselineDirectory, baseline).ConfigureAwait(false);
            }
            else
            {
                await BaselineDocumentAsync(http, speechUri, texts[i], options, baselineDirectory, baseline).ConfigureAwait(false);
                await ProductDocumentAsync(synthesizer, texts[i], options, productDirectory, product).ConfigureAwait(false);
            }
        }

        return new Pass(product.Elapsed.TotalSeconds, baseline.Elapsed.TotalSeconds, Finish(productDirectory, texts.Length), Finish(baselineDirectory, texts.Length));
    }

    private static async Task ProductDocumentAsync(DocumentSynthesizer synthesizer, string text, SpeechOptions options, string directory, Stopwatch watch)
    {
        watch.Start();
        await Product.SynthesizeAsync(synthesizer, text, options, directory).ConfigureAwait(false);
        watch.Stop();
    }

    private static async Task BaselineDocumentAsync(HttpClient http, Uri speechUri, string text, SpeechOptions options, string directory, Stopwatch watch)
    {
        watch.Start();

        // The same JSON fields SpeechRequest sends.
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["model"] = options.Model,
            ["input"] = text,
            ["voice"] = options.Voice,
            ["response_format"] = options.Format.ToApiName(),
            ["speed"] = options.Speed,
        });
        using (var request = new HttpRequestMessage(HttpMethod.Post, speechUri) { Content = new ByteArrayContent(body) })
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Product.ApiKey);
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            await using Stream source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await using var file = new FileStream(Path.Combine(directory, Product.FileName(text, options)), FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await source.CopyToAsync(file).ConfigureAwait(false);
        }

        watch.Stop();
    }

    private static string NewDirectory(string workRoot, string prefix)
    {
        string directory = Path.Combine(workRoot, prefix + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Checks both sides wrote the expected files, returns their total size, and removes them.</summary>
    private static long Finish(string directory, int expected)
    {
        FileInfo[] files = new DirectoryInfo(directory).GetFiles("*", SearchOption.TopDirectoryOnly);
        if (files.Length != expected || files.Any(f => f.Name.StartsWith(".", StringComparison.Ordinal) || f.Length == 0))
        {
            throw new InvalidOperationException($"Expected {expected} non-empty audio files in {directory}, found {files.Length}.");
        }

        long bytes = files.Sum(f => f.Length);
        Directory.Delete(directory, recursive: true);
        return bytes;
    }

    private sealed record Pass(double ProductSeconds, double BaselineSeconds, long ProductBytes, long BaselineBytes);
}
