using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace AitreTts.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/AitreTts.Bench</c>: runs the cases in one process (case 3, and the
/// cmdlet-level cases 6, 7 and 8, in child processes) and prints figures and ratios against baselines measured in the
/// same run.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 3 && args[0] == LargeDocumentCase.ChildSwitch)
        {
            return await LargeDocumentCase.ChildAsync(args[1], args[2]).ConfigureAwait(false);
        }

#if DEBUG
        Console.Error.WriteLine("warning: a Debug build; run with -c Release for figures worth quoting.");
#endif
        Console.WriteLine($"AitreTts benchmark: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        string workRoot = Path.Combine(Path.GetTempPath(), "aitretts-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workRoot);
        var total = Stopwatch.StartNew();
        var rows = new List<ResultRow>();
        try
        {
            // All of them by default; "dotnet run ... -- 2 3" runs a subset while working on one.
            bool Wanted(string number) => args.Length == 0 || Array.IndexOf(args, number) >= 0;
            if (Wanted("1"))
            {
                rows.Add(await Step("case 1", () => ParallelismCase.RunAsync(workRoot)).ConfigureAwait(false));
            }

            if (Wanted("2"))
            {
                rows.Add(await Step("case 2", () => ManyDocumentsCase.RunAsync(workRoot)).ConfigureAwait(false));
            }

            if (Wanted("3"))
            {
                rows.Add(await Step("case 3", () => LargeDocumentCase.RunAsync(workRoot)).ConfigureAwait(false));
            }

            if (Wanted("4"))
            {
                rows.Add(await Step("case 4", () => SubtitlesCase.RunAsync(workRoot)).ConfigureAwait(false));
            }

            if (Wanted("5"))
            {
                rows.Add(await Step("case 5", () => CachedRerunCase.RunAsync(workRoot)).ConfigureAwait(false));
            }

            if (Wanted("9"))
            {
                rows.Add(await Step("case 9", () => RateLimitCase.RunAsync(workRoot)).ConfigureAwait(false));
            }

            // Through Invoke-TextToSpeech in the built module, in a child process (CmdletCases.cs).
            foreach (string number in new[] { "6", "7", "8" })
            {
                if (Wanted(number))
                {
                    rows.Add(await Step("case " + number, () => CmdletCases.RunAsync(number, workRoot)).ConfigureAwait(false));
                }
            }
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }

        Stats.Print(rows);
        Console.WriteLine();
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:0} s");
        return rows.TrueForAll(r => r.Pass) ? 0 : 1;
    }

    private static async Task<ResultRow> Step(string name, Func<Task<ResultRow>> run)
    {
        Console.Write(name + " ... ");
        var watch = Stopwatch.StartNew();
        ResultRow row = await run().ConfigureAwait(false);
        Console.WriteLine($"{watch.Elapsed.TotalSeconds:0} s");
        return row;
    }
}
