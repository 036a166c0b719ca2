using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;

namespace AitreTts.Bench;

/// <summary>
/// Case 3: one document whose wav is about 200 MB. The emulator runs in its own process (it builds each response
/// in memory), and the synthesizer runs in a fresh child process whose working set is the only one measured.
/// </summary>
internal static class LargeDocumentCase
{
    public const string ChildSwitch = "--large-document-child";
    private const int Characters = 40_000;
    private const double SecondsPerCharacter = 0.105; // 40,000 x 0.105 s x 48,000 B/s = ~200 MB of wav
    private const double WarmUpSecondsPerCharacter = 0.001;
    private const long LimitBytes = 50L * 1024 * 1024;

    public static async Task<ResultRow> RunAsync(string workRoot)
    {
        using Process emulator = StartEmulator();
        try
        {
            string? first = await emulator.StandardOutput.ReadLineAsync().ConfigureAwait(false);
            const string Prefix = "TtsEmulator listening on ";
            if (first is null || !first.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("The emulator did not start: " + first + " " + await emulator.StandardError.ReadToEndAsync().ConfigureAwait(false));
            }

            string baseUrl = first.Substring(Prefix.Length).Trim();
            string directory = Path.Combine(workRoot, "case3");
            Dictionary<string, string> child = await RunChildAsync(baseUrl, directory).ConfigureAwait(false);

            long idle = long.Parse(child["idle"], CultureInfo.InvariantCulture);
            long peak = long.Parse(child["peak"], CultureInfo.InvariantCulture);
            long bytes = long.Parse(child["bytes"], CultureInfo.InvariantCulture);
            long growth = peak - idle;
            return new ResultRow(
                "3 ~200 MB document memory",
                "growth " + Stats.Megabytes(growth),
                "idle " + Stats.Megabytes(idle),
                (double)peak / idle,
                "growth < 50 MiB",
                growth < LimitBytes,
                new[]
                {
                    $"{child["characters"]} characters in {child["chunks"]} chunks, wav 24 kHz 16-bit mono, ThrottleLimit 4; emulator in its own process at {SecondsPerCharacter} s of audio per character",
                    $"file {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes ({Stats.Megabytes(bytes)}, {child["duration"]} s of audio), header sizes consistent: {child["headerOk"]}; written in {child["seconds"]} s",
                    $"working set: idle {Stats.Megabytes(idle)} (after warm-up and a full GC), peak {Stats.Megabytes(peak)}, growth {Stats.Megabytes(growth)}",
                    $"peak sources: sampled every 5 ms {Stats.Megabytes(long.Parse(child["sampledPeak"], CultureInfo.InvariantCulture))}, kernel VmHWM {Stats.Megabytes(long.Parse(child["hwm"], CultureInfo.InvariantCulture))} (reset after warm-up: {child["hwmReset"]})",
                    $"ratio column = peak / idle; growth / file size = {Stats.Ratio((double)growth / bytes)}",
                    $"managed: allocated during the document {Stats.Megabytes(long.Parse(child["allocated"], CultureInfo.InvariantCulture))}, gen0/1/2 collections {child["collections"]}, heap at the end {Stats.Megabytes(long.Parse(child["managedAfter"], CultureInfo.InvariantCulture))}, live after a full GC {Stats.Megabytes(long.Parse(child["managedLive"], CultureInfo.InvariantCulture))}",
                });
        }
        finally
        {
            if (!emulator.HasExited)
            {
                emulator.Kill();
                emulator.WaitForExit();
            }
        }
    }

    private static Process StartEmulator()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TtsEmulator.dll"));
        foreach (string arg in new[] { "--port", "0", "--seconds-per-character", SecondsPerCharacter.ToString("R", CultureInfo.InvariantCulture), "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the emulator.");
    }

    private static async Task<Dictionary<string, string>> RunChildAsync(string baseUrl, string directory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(LargeDocumentCase).Assembly.Location);
        start.ArgumentList.Add(ChildSwitch);
        start.ArgumentList.Add(baseUrl);
        start.ArgumentList.Add(directory);
        string result = await ChildResult.RunAsync(start, "The measured child").ConfigureAwait(false);
        return result
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    /// <summary>The measured process: warm up, settle, note the idle working set, then write the large document.</summary>
    public static async Task<int> ChildAsync(string baseUrl, string directory)
    {
        var baseUri = new Uri(baseUrl);
        DocumentSynthesizer synthesizer = Product.Synthesizer(baseUri);
        SpeechOptions options = Product.Options(AudioFormat.Wav, throttleLimit: 4);
        string text = Corpus.Prose(Characters, seed: 3);

        // Warm-up with the same code path (several chunks, four connections, the wav join) but tiny audio.
        await SetSecondsPerCharacterAsync(baseUri, WarmUpSecondsPerCharacter).ConfigureAwait(false);
        DocumentResult warm = await Product.SynthesizeAsync(synthesizer, Corpus.Prose(20_000, seed: 4), options, directory).ConfigureAwait(false);
        File.Delete(warm.Path);
        await SetSecondsPerCharacterAsync(baseUri, SecondsPerCharacter).ConfigureAwait(false);

        // The sampler thread exists before the idle figure is taken, so its own stack is part of the idle process.
        using var residentSet = new ResidentSet();
        using var stop = new ManualResetEventSlim();
        long sampledPeak = 0;
        var sampler = new Thread(() =>
        {
            while (!stop.Wait(5))
            {
                long now = residentSet.Read();
                if (now > Volatile.Read(ref sampledPeak))
                {
                    Volatile.Write(ref sampledPeak, now);
                }
            }
        })
        { IsBackground = true, Name = "working-set sampler" };

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        Thread.Sleep(500);
        long idle = residentSet.Read();
        Volatile.Write(ref sampledPeak, idle);
        bool hwmReset = ResetPeakResidentSet();
        sampler.Start();

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int[] collectionsBefore = { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        var watch = Stopwatch.StartNew();
        DocumentResult result = await Product.SynthesizeAsync(synthesizer, text, options, directory).ConfigureAwait(false);
        watch.Stop();
        stop.Set();
        sampler.Join();
        sampledPeak = Math.Max(sampledPeak, residentSet.Read());

        using Process self = Process.GetCurrentProcess();
        long hwm = self.PeakWorkingSet64;
        long peak = hwmReset ? Math.Max(hwm, sampledPeak) : sampledPeak;
        long managedAfter = GC.GetTotalMemory(forceFullCollection: false);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        string collections = string.Join("/", new[] { GC.CollectionCount(0) - collectionsBefore[0], GC.CollectionCount(1) - collectionsBefore[1], GC.CollectionCount(2) - collectionsBefore[2] });
        long managedLive = GC.GetTotalMemory(forceFullCollection: true);
        bool headerOk = WavHeaderConsistent(result.Path);
        long bytes = new FileInfo(result.Path).Length;
        Directory.Delete(directory, recursive: true);

        var line = new StringBuilder("RESULT");
        void Add(string key, object value) => line.Append(' ').Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
        Add("idle", idle);
        Add("peak", peak);
        Add("sampledPeak", sampledPeak);
        Add("hwm", hwm);
        Add("hwmReset", hwmReset);
        Add("bytes", bytes);
        Add("characters", text.Length);
        Add("chunks", result.Chunks);
        Add("duration", result.Duration.TotalSeconds.ToString("0", CultureInfo.InvariantCulture));
        Add("seconds", watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
        Add("headerOk", headerOk);
        Add("managedAfter", managedAfter);
        Add("managedLive", managedLive);
        Add("allocated", allocated);
        Add("collections", collections);
        Console.WriteLine(line.ToString());
        return 0;
    }

    private static async Task SetSecondsPerCharacterAsync(Uri baseUri, double value)
    {
        using var http = new HttpClient();
        string json = "{\"secondsPerCharacter\":" + value.ToString("R", CultureInfo.InvariantCulture) + "}";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync(new Uri(baseUri, "/_emulator/options"), content).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Linux: writing 5 to clear_refs resets VmHWM, so the kernel's peak covers the document alone.</summary>
    private static bool ResetPeakResidentSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>RIFF size = file - 8 and data size = what follows the data chunk header.</summary>
    private static bool WavHeaderConsistent(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        var header = new byte[4096];
        int read = file.Read(header, 0, header.Length);
        if (read < 44 || Encoding.ASCII.GetString(header, 0, 4) != "RIFF")
        {
            return false;
        }

        uint riff = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
        int offset = 12;
        while (offset + 8 <= read)
        {
            string id = Encoding.ASCII.GetString(header, offset, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(offset + 4));
            if (id == "data")
            {
                return riff == file.Length - 8 && size == file.Length - offset - 8;
            }

            offset += 8 + (int)size + (int)(size & 1);
        }

        return false;
    }
}
