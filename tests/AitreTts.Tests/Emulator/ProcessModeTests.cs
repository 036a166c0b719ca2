using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using TtsEmulator;

namespace AitreTts.Tests.Emulator;

/// <summary>A fact that sends POSIX signals; skipped on Windows, where there are none.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "needs POSIX signals";
        }
    }
}

/// <summary><c>dotnet TtsEmulator.dll</c> as Pester and the demo start it: a child process on a free port.</summary>
public sealed class ProcessModeTests
{
    private static readonly string EmulatorDll = typeof(EmulatorServer).Assembly.Location;

    [Fact]
    public async Task ProcessMode_PrintsItsUrl_ServesSpeech_AndObeysTheControlApi()
    {
        using EmulatorProcess emulator = await EmulatorProcess.StartAsync("--port", "0", "--api-key", "pester-key", "--voices-shape", "objects", "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = new HttpClient { BaseAddress = emulator.BaseUrl };

        // stdin was closed at start: that must not stop the server.
        await Task.Delay(1200);
        using HttpResponseMessage audio = await Speech(client, "pester-key");
        using HttpResponseMessage added = await client.PostAsync("/_emulator/faults", new StringContent("{\"statusCode\":503,\"headers\":{\"Retry-After\":\"1\"}}", Encoding.UTF8, "application/json"));
        using HttpResponseMessage faulted = await Speech(client, "pester-key");
        using HttpResponseMessage wrongKey = await Speech(client, "other-key");
        using HttpResponseMessage voices = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/audio/voices") { Headers = { { "Authorization", "Bearer pester-key" } } });
        using HttpResponseMessage requests = await client.GetAsync("/_emulator/requests");
        using JsonDocument recorded = JsonDocument.Parse(await requests.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
        Assert.Equal("audio/mpeg", audio.Content.Headers.ContentType?.MediaType);
        Assert.True((await audio.Content.ReadAsByteArrayAsync()).Length > 1000);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted.StatusCode);
        Assert.Equal("1", EmulatorClient.HeaderOf(faulted, "Retry-After"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, voices.StatusCode);
        Assert.Equal(new[] { 200, 503, 401, 200 }, System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(recorded.RootElement.EnumerateArray(), r => r.GetProperty("statusCode").GetInt32())));
        Assert.False(emulator.Process.HasExited);
        Assert.DoesNotContain("pester-key", emulator.StdErr, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task ProcessMode_StopsCleanlyOnSigterm()
    {
        using EmulatorProcess emulator = await EmulatorProcess.StartAsync();

        using Process kill = Process.Start("kill", new[] { "-TERM", emulator.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })!;
        await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await emulator.Process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, emulator.Process.ExitCode);
    }

    [Fact]
    public async Task ProcessMode_StopsWhenTheParentProcessExits()
    {
        // The "parent" is another emulator process, because it is a child we own and can kill on any OS.
        using EmulatorProcess parent = await EmulatorProcess.StartAsync();
        using EmulatorProcess child = await EmulatorProcess.StartAsync("--parent-pid", parent.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        parent.Process.Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await child.Process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, child.Process.ExitCode);
        Assert.Contains("parent process", child.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessMode_RefusesUnknownArguments()
    {
        using Process process = Process.Start(EmulatorProcess.StartInfo("--frobnicate"))!;
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--frobnicate", stderr, StringComparison.Ordinal);
        Assert.Contains("usage:", stderr, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> Speech(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/speech")
        {
            Content = new StringContent("{\"model\":\"tts-1\",\"input\":\"From a child process.\",\"voice\":\"echo\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return await client.SendAsync(request);
    }

    /// <summary>A started emulator process; killed (by its own id) at disposal if still running.</summary>
    private sealed class EmulatorProcess : IDisposable
    {
        private readonly StringBuilder stderr = new();

        private EmulatorProcess(Process process)
        {
            Process = process;
        }

        public Process Process { get; }

        public Uri BaseUrl { get; private set; } = null!;

        public string StdErr
        {
            get
            {
                lock (stderr)
                {
                    return stderr.ToString();
                }
            }
        }

        public static ProcessStartInfo StartInfo(params string[] args)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(EmulatorDll);
            foreach (string arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            return info;
        }

        public static async Task<EmulatorProcess> StartAsync(params string[] args)
        {
            var emulator = new EmulatorProcess(Process.Start(StartInfo(args))!);
            try
            {
                emulator.Process.StandardInput.Close(); // as Pester may start it: no stdin at all
                emulator.Process.ErrorDataReceived += (_, e) =>
                {
                    lock (emulator.stderr)
                    {
                        emulator.stderr.AppendLine(e.Data);
                    }
                };
                emulator.Process.BeginErrorReadLine();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                string? line = await emulator.Process.StandardOutput.ReadLineAsync(timeout.Token);
                Match match = Regex.Match(line ?? string.Empty, "^TtsEmulator listening on (http://127\\.0\\.0\\.1:[0-9]+)$");
                Assert.True(match.Success, $"first line was '{line}', stderr: {emulator.StdErr}");
                emulator.BaseUrl = new Uri(match.Groups[1].Value);
                return emulator;
            }
            catch
            {
                emulator.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill(entireProcessTree: true);
                    Process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            Process.Dispose();
        }
    }
}
