using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Threading.Tasks;
using TtsEmulator;

namespace AitreTts.Bench.Cmdlet;

/// <summary>
/// Case 8: 100 one-line documents at zero latency, one Invoke-TextToSpeech call per document (the loop a scheduled task
/// writes), against a bare HttpClient loop written in PowerShell script in the same runspace.
/// </summary>
internal static class CallPerDocumentCase
{
    private const int Documents = 100;
    private const int Repetitions = 15;
    private const int WarmUpPasses = 3;
    private const double Target = 1.0;

    // What a scheduled task or a loop in a script does: one call, one pipeline, per document.
    private const string CallsScript = "param([string[]] $Texts, [string] $Directory, [hashtable] $Extra) foreach ($t in $Texts) { $t | Invoke-TextToSpeech -OutputDirectory $Directory @Extra }";

    // The same requests as a script writer would send them without the module: the JSON the module sends, a Bearer
    // header, the body copied to a file under the module's name for it. The HttpClient is shared, as the module's is.
    private const string ScriptLoop = """
        param($Requests, [string] $Directory, [System.Net.Http.HttpClient] $Http, [uri] $Uri, [string] $Key)
        foreach ($r in $Requests) {
            $json = ConvertTo-Json -Compress -InputObject ([ordered]@{ model = $r.Model; input = $r.Text; voice = $r.Voice; response_format = $r.Format; speed = 1.0 })
            $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Post, $Uri)
            $request.Content = [System.Net.Http.StringContent]::new($json, [System.Text.Encoding]::UTF8, 'application/json')
            $request.Headers.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', $Key)
            $response = $Http.SendAsync($request, [System.Net.Http.HttpCompletionOption]::ResponseHeadersRead).GetAwaiter().GetResult()
            $null = $response.EnsureSuccessStatusCode()
            $body = $response.Content.ReadAsStreamAsync().GetAwaiter().GetResult()
            $file = [System.IO.FileStream]::new([System.IO.Path]::Combine($Directory, $r.FileName), [System.IO.FileMode]::CreateNew)
            try { $body.CopyTo($file) } finally { $file.Dispose(); $body.Dispose(); $response.Dispose(); $request.Dispose() }
        }
        """;

    private const string Row = "one call each, -NoCache";
    private const string Baseline = "bare HttpClient loop in script";

    public static async Task<ResultRow> RunAsync(ModuleHost host, EmulatorServer server, string workRoot)
    {
        string[] texts = Enumerable.Range(0, Documents).Select(Corpus.Line).ToArray();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        var speechUri = new Uri(server.BaseUrl, "/v1/audio/speech");

        // The warm-up's files tell both loops what to send and what to name the files.
        string warmDirectory = CmdletOverheadCase.NewDirectory(workRoot, "case8-warm");
        CmdletOverheadCase.PointCacheAt(CmdletOverheadCase.NewDirectory(workRoot, "case8-cache"));
        IReadOnlyList<PSObject> warm = Calls(host, texts, warmDirectory, new Hashtable());
        var requests = warm.Select((file, i) => new CmdletOverheadCase.Request(texts[i], CmdletOverheadCase.Note(file, "Model"), CmdletOverheadCase.Note(file, "Voice"), CmdletOverheadCase.Note(file, "Format"), Naming.Name(file))).ToArray();
        if (warm.Count != Documents || !Naming.InInputOrder(warm))
        {
            throw new InvalidOperationException("The warm-up's files are not one per document in input order.");
        }

        CmdletOverheadCase.Finish(warmDirectory, Documents);
        var scriptRequests = requests.Select(r => new Hashtable { ["Model"] = r.Model, ["Voice"] = r.Voice, ["Format"] = r.Format, ["Text"] = r.Text, ["FileName"] = r.FileName }).ToArray();

        // The sides. The row is the measurement (every request sent); the cache on and empty, and the compiled
        // loop, say where the time goes.
        var sides = new List<(string Name, Func<string, Task> Run)>
        {
            (Row, d => { Check(Calls(host, texts, d, new Hashtable { ["NoCache"] = true })); return Task.CompletedTask; }),
            ("one call each, default (cache on, empty)", d => { Check(Calls(host, texts, d, new Hashtable())); return Task.CompletedTask; }),
            (Baseline, d =>
            {
                host.Run(ScriptLoop, new Hashtable { ["Requests"] = scriptRequests, ["Directory"] = d, ["Http"] = http, ["Uri"] = speechUri, ["Key"] = Program.ApiKey });
                return Task.CompletedTask;
            }),
            ("bare compiled HttpClient loop", d => CmdletOverheadCase.BaselineAsync(http, speechUri, requests, d)),
        };

        var seconds = sides.ToDictionary(s => s.Name, _ => new List<double>());
        var ratios = sides.ToDictionary(s => s.Name, _ => new List<double>());
        for (int pass = 0; pass < WarmUpPasses + Repetitions; pass++)
        {
            var passSeconds = new Dictionary<string, double>();
            for (int k = 0; k < sides.Count; k++)
            {
                var side = sides[(k + pass) % sides.Count];
                string directory = CmdletOverheadCase.NewDirectory(workRoot, "case8-side");
                string cache = CmdletOverheadCase.NewDirectory(workRoot, "case8-cache");
                CmdletOverheadCase.PointCacheAt(cache);
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var watch = Stopwatch.StartNew();
                await side.Run(directory).ConfigureAwait(false);
                watch.Stop();
                passSeconds[side.Name] = watch.Elapsed.TotalSeconds;
                CmdletOverheadCase.Finish(directory, Documents);
                System.IO.Directory.Delete(cache, recursive: true);
            }

            if (pass < WarmUpPasses)
            {
                continue;
            }

            foreach (var side in sides)
            {
                seconds[side.Name].Add(passSeconds[side.Name]);
                ratios[side.Name].Add(passSeconds[side.Name] / passSeconds[Baseline]);
            }
        }

        double ratio = Stats.Median(ratios[Row]);
        string PerDocument(string side) => (Stats.Median(seconds[side]) * 1000 / Documents).ToString("0.00", CultureInfo.InvariantCulture) + " ms";
        var details = new List<string>
        {
            $"`foreach ($t in $texts) {{ $t | Invoke-TextToSpeech -OutputDirectory <dir> -NoCache }}` in a hosted runspace: {Documents} calls of one one-line document each, mp3, no latency; every side of every pass wrote {Documents} non-empty files",
            "baseline: the same requests from a foreach loop in PowerShell script in the same runspace (ConvertTo-Json, HttpRequestMessage, a shared HttpClient, the body copied to a FileStream; no fsync)",
            $"{WarmUpPasses} warm-up passes, then {Repetitions}; each pass runs the {sides.Count} sides one after another, the order rotated from pass to pass, with a full GC and a new empty cache folder before each; ratio = median of the per-pass ratios to the script loop",
        };
        foreach (var side in sides)
        {
            details.Add($"{side.Name}, s per {Documents} ({Repetitions} runs): {Stats.List(seconds[side.Name])}; median {Stats.Seconds(Stats.Median(seconds[side.Name]))} = {PerDocument(side.Name)} per document; ratio to the script loop {Stats.Ratio(Stats.Median(ratios[side.Name]))}");
        }

        details.Add($"module: {host.CmdletLocation}; AitreTts.Core from {host.CoreLocation}");
        return new ResultRow(
            "8 100 calls of one document (cmdlet)",
            Stats.Seconds(Stats.Median(seconds[Row])),
            Stats.Seconds(Stats.Median(seconds[Baseline])),
            ratio,
            "<= " + Target.ToString("0.0", CultureInfo.InvariantCulture),
            ratio <= Target,
            details);
    }

    private static IReadOnlyList<PSObject> Calls(ModuleHost host, string[] texts, string directory, Hashtable extra) =>
        host.Run(CallsScript, new Hashtable { ["Texts"] = texts, ["Directory"] = directory, ["Extra"] = extra }).Where(o => o.BaseObject is System.IO.FileInfo).ToList();

    private static void Check(IReadOnlyList<PSObject> files)
    {
        if (files.Count != Documents)
        {
            throw new InvalidOperationException($"Expected {Documents} FileInfo objects, got {files.Count}.");
        }
    }
}
