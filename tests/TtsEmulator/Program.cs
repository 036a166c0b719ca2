using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace TtsEmulator;

/// <summary>
/// Process mode, for Pester and the README demo:
/// <c>dotnet TtsEmulator.dll [--port N] [--api-key K] [--allow-anonymous] [--proxy-credential USER:PASSWORD] [--latency-ms N] [--voices-shape none|objects|legacy] [--parent-pid PID]</c>.
/// Prints <c>TtsEmulator listening on http://127.0.0.1:PORT</c> as its first line, then serves until SIGTERM,
/// Ctrl+C, or the exit of the --parent-pid process. It never reads stdin, so a closed stdin does not stop it.
/// </summary>
internal static class Program
{
    private const string Usage = "usage: dotnet TtsEmulator.dll [--port N] [--api-key KEY] [--allow-anonymous] [--proxy-credential USER:PASSWORD] [--latency-ms N] [--seconds-per-character X] [--pcm-sample-rate N] [--voices-shape none|objects|legacy] [--voices a,b,c] [--no-models] [--account-rpm N] [--account-burst N] [--parent-pid PID]";

    private static async Task<int> Main(string[] args)
    {
        var options = new EmulatorOptions();
        int? parentPid = null;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{arg} needs a value.");
                switch (arg)
                {
                    case "--port": options.Port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--api-key": options.RequiredApiKey = Next(); break;
                    case "--allow-anonymous": options.AllowAnonymous = true; break;
                    case "--proxy-credential": options.ProxyCredential = Next(); break;
                    case "--latency-ms": options.Latency = TimeSpan.FromMilliseconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--seconds-per-character": options.SecondsPerCharacter = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--pcm-sample-rate": options.PcmSampleRate = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--voices-shape": options.VoicesShape = EmulatorServer.ParseVoicesShape(Next()); break;
                    case "--voices": options.Voices = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                    case "--no-models": options.ModelsEndpoint = false; break;
                    case "--account-rpm": options.AccountRequestsPerMinute = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--account-burst": options.AccountBurst = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--parent-pid": parentPid = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--help" or "-h": Console.WriteLine(Usage); return 0;
                    default: throw new FormatException($"Unknown argument '{arg}'.");
                }
            }
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we shut down ourselves, cleanly
            stop.TrySetResult();
        }

        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);

        EmulatorServer server;
        try
        {
            server = await EmulatorServer.StartAsync(options).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.IO.IOException or InvalidOperationException)
        {
            Console.Error.WriteLine($"TtsEmulator could not start: {e.Message}");
            return 1;
        }

        await using (server.ConfigureAwait(false))
        {
            Console.Out.WriteLine("TtsEmulator listening on " + server.BaseUrl.AbsoluteUri.TrimEnd('/'));
            Console.Out.Flush();

            using var watcher = new CancellationTokenSource();
            Task parentWatch = parentPid is int pid ? WatchParentAsync(pid, stop, watcher.Token) : Task.CompletedTask;
            await stop.Task.ConfigureAwait(false);
            await watcher.CancelAsync().ConfigureAwait(false);
            try
            {
                await parentWatch.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // expected when a signal stopped us first
            }
        }

        return 0;
    }

    /// <summary>Polls once a second, so an emulator whose parent died (a killed Pester run) leaves no orphan.</summary>
    private static async Task WatchParentAsync(int pid, TaskCompletionSource stop, CancellationToken token)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            if (!IsAlive(pid))
            {
                Console.Error.WriteLine($"TtsEmulator: parent process {pid} has exited; stopping.");
                stop.TrySetResult();
                return;
            }
        }
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false));
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
