using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Tasks;
using TtsEmulator;

namespace AitreTts.Bench.Cmdlet;

/// <summary>
/// Case 7: 100 one-line documents at zero latency piped into Invoke-TextToSpeech (one pipeline, default settings)
/// against a bare compiled HttpClient loop in the same process that sends the same requests and writes the same files.
/// </summary>
internal static class CmdletOverheadCase
{
    private const int Documents = 100;
    private const int Repetitions = 15;
    private const int WarmUpPasses = 3;
    private const double Target = 1.5;
    

    public static async Task<ResultRow> RunAsync(ModuleHost host, EmulatorServer server, string workRoot)
    {
        string[] texts = Enumerable.Range(0, Documents).Select(Corpus.Line).ToArray();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        var speechUri = new Uri(server.BaseUrl, "/v1/audio/speech");

        // The sides of each pass. The row compares the first (what a user types, the cache on and empty) with the bare
        // loop; the others say where the time goes: one document at a time, and the cache left out.
        var sides = new List<Side>
        {
            new("default", new Hashtable()),
            new("-ThrottleLimit 1", new Hashtable { ["ThrottleLimit"] = 1 }),
            new("-NoCache", new Hashtable { ["NoCache"] = true }),
            new("bare HttpClient loop", null),
        };

        // Warm-up: one full pass. The cmdlet's first run also tells the baseline what to send and what to name the files.
        string warmDirectory = NewDirectory(workRoot, "case7-warm");
        PointCacheAt(NewDirectory(workRoot, "case7-cache"));
        IReadOnlyList<PSObject> warm = host.Speak(texts, warmDirectory);
        Request[] requests = warm.Select((file, i) => new Request(texts[i], Note(file, "Model"), Note(file, "Voice"), Note(file, "Format"), Naming.Name(file))).ToArray();
        if (!Naming.InInputOrder(warm) || requests.Select(r => r.FileName).Distinct().Count() != Documents)
        {
            throw new InvalidOperationException("The warm-up's files are not one per document in input order.");
        }

        Finish(warmDirectory, Documents);

        // Then full passes until tiered compilation has settled: with one, the first measured passes still ran
        // PowerShell's and the module's code half-optimized and came out up to twice as slow as the last ones.
        for (int i = 0; i < WarmUpPasses; i++)
        {
            await PassAsync(host, http, speechUri, texts, requests, sides, workRoot, i).ConfigureAwait(false);
        }

        var seconds = sides.ToDictionary(s => s.Name, _ => new List<double>());
        var ratios = sides.ToDictionary(s => s.Name, _ => new List<double>());
        int cacheEntries = 0;
        for (int i = 0; i < Repetitions; i++)
        {
            Pass pass = await PassAsync(host, http, speechUri, texts, requests, sides, workRoot, i).ConfigureAwait(false);
            cacheEntries = pass.CacheEntries;
            foreach (Side side in sides)
            {
                seconds[side.Name].Add(pass.Seconds[side.Name]);
                ratios[side.Name].Add(pass.Seconds[side.Name] / pass.Seconds["bare HttpClient loop"]);
            }
        }

        double measured = Stats.Median(seconds["default"]);
        double baseline = Stats.Median(seconds["bare HttpClient loop"]);
        double ratio = Stats.Median(ratios["default"]);
        string PerDocument(string side) => (Stats.Median(seconds[side]) * 1000 / Documents).ToString("0.00", CultureInfo.InvariantCulture) + " ms";
        var details = new List<string>
        {
            $"`$texts | Invoke-TextToSpeech -OutputDirectory <dir>` in a hosted runspace, {Documents} one-line documents ({texts.Min(t => t.Length)}-{texts.Max(t => t.Length)} characters), mp3, no latency; every side of every pass wrote {Documents} non-empty files",
            $"the cache is on, as by default, and empty: each pass points XDG_CACHE_HOME (LOCALAPPDATA on Windows, HOME on macOS) at a new folder, so the cmdlet pays a first run's lookups and writes ({cacheEntries} entries written per pass) and no request is served from a previous pass",
            $"{WarmUpPasses} warm-up passes, then {Repetitions}; each pass runs the {sides.Count} sides one after another, the order rotated from pass to pass, with a full GC before each; ratio = median of the {Repetitions} per-pass ratios to the bare loop",
        };
        foreach (Side side in sides)
        {
            string ratioText = side.Extra is null ? string.Empty : $"; ratio {Stats.Ratio(Stats.Median(ratios[side.Name]))} ({Stats.List(ratios[side.Name])})";
            details.Add($"{side.Name}, s per {Documents} ({Repetitions} runs): {Stats.List(seconds[side.Name])}; median {Stats.Seconds(Stats.Median(seconds[side.Name]))} = {PerDocument(side.Name)} per document{ratioText}");
        }

        details.Add($"-ThrottleLimit 1 sends one request at a time: its {PerDocument("-ThrottleLimit 1")} per document is the cmdlet's own cost per document without any overlap, next to the bare loop's {PerDocument("bare HttpClient loop")}");
        details.Add($"module: {host.CmdletLocation}; AitreTts.Core from {host.CoreLocation}");
        return new ResultRow(
            "7 100 documents through the cmdlet",
            Stats.Seconds(measured),
            Stats.Seconds(baseline),
            ratio,
            "<= " + Target.ToString("0.0", CultureInfo.InvariantCulture),
            ratio <= Target,
            details);
    }

    private static async Task<Pass> PassAsync(ModuleHost host, HttpClient http, Uri speechUri, string[] texts, Request[] requests, List<Side> sides, string workRoot, int repetition)
    {
        var seconds = new Dictionary<string, double>();
        int cacheEntries = 0;
        for (int k = 0; k < sides.Count; k++)
        {
            Side side = sides[(k + repetition) % sides.Count];
            string directory = NewDirectory(workRoot, "case7-side");
            string cache = NewDirectory(workRoot, "case7-cache");
            PointCacheAt(cache);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var watch = Stopwatch.StartNew();
            if (side.Extra is null)
            {
                await BaselineAsync(http, speechUri, requests, directory).ConfigureAwait(false);
            }
            else
            {
                IReadOnlyList<PSObject> files = host.Speak(texts, directory, side.Extra);
                if (files.Count != texts.Length)
                {
                    throw new InvalidOperationException($"{side.Name}: expected {texts.Length} FileInfo objects, got {files.Count}.");
                }
            }

            watch.Stop();
            seconds[side.Name] = watch.Elapsed.TotalSeconds;
            Finish(directory, texts.Length);
            if (side.Name == "default")
            {
                cacheEntries = Directory.Exists(cache) ? Directory.GetFiles(cache, "*", SearchOption.AllDirectories).Length : 0;
            }

            Directory.Delete(cache, recursive: true);
        }

        return new Pass(seconds, cacheEntries);
    }

    /// <summary>The bare loop: as case 2's, the JSON fields the module sends, a Bearer header, the body copied to a file.</summary>
    internal static async Task BaselineAsync(HttpClient http, Uri speechUri, Request[] requests, string directory)
    {
        foreach (Request r in requests)
        {
            byte[] body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
            {
                ["model"] = r.Model,
                ["input"] = r.Text,
                ["voice"] = r.Voice,
                ["response_format"] = r.Format,
                ["speed"] = 1.0,
            });
            using var request = new HttpRequestMessage(HttpMethod.Post, speechUri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Program.ApiKey);
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            await using Stream source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await using var file = new FileStream(Path.Combine(directory, r.FileName), FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await source.CopyToAsync(file).ConfigureAwait(false);
        }
    }

    /// <summary>Where the module's chunk cache goes by default on each system (README, "The chunk cache").</summary>
    internal static void PointCacheAt(string folder)
    {
        Environment.SetEnvironmentVariable(OperatingSystem.IsWindows() ? "LOCALAPPDATA" : OperatingSystem.IsMacOS() ? "HOME" : "XDG_CACHE_HOME", folder);
    }

    internal static string Note(PSObject file, string name) =>
        file.Properties[name]?.Value?.ToString() ?? throw new InvalidOperationException($"The output has no {name} note property.");

    internal static string NewDirectory(string workRoot, string prefix)
    {
        string directory = Path.Combine(workRoot, prefix + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    internal static void Finish(string directory, int expected)
    {
        FileInfo[] files = new DirectoryInfo(directory).GetFiles("*", SearchOption.TopDirectoryOnly);
        if (files.Length != expected || files.Any(f => f.Name.StartsWith(".", StringComparison.Ordinal) || f.Length == 0))
        {
            throw new InvalidOperationException($"Expected {expected} non-empty audio files in {directory}, found {files.Length}.");
        }

        Directory.Delete(directory, recursive: true);
    }

    private sealed record Side(string Name, Hashtable? Extra);

    internal sealed record Request(string Text, string Model, string Voice, string Format, string FileName);

    private sealed record Pass(Dictionary<string, double> Seconds, int CacheEntries);
}
