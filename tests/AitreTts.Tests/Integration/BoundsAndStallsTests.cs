using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Providers;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Voices;
using AitreTts.Tests.Support;
using TtsEmulator;

namespace AitreTts.Tests.Integration;

/// <summary>
/// Servers that never stop, drip, stall in an error body or a voices list, or send what the client cannot read:
/// each must end, within its limit, with a clear ErrorId and nothing on disk.
/// </summary>
public sealed class BoundsAndStallsTests
{
    private const string Text = "The evening train to the coast leaves from platform four.";
    private static readonly SpeechOptions Mp3 = new();

    [Fact]
    public async Task EndlessBody_IsCutAtTheCap_WithResponseTooLarge_AndLeavesNoFile()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { EndlessBody = true, Times = 0 });
        var watch = Stopwatch.StartNew();

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(new RetryPolicy(0)), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.Equal(TtsErrorIds.ResponseTooLarge, error.ErrorId);
        Assert.Equal(TtsErrorCategory.LimitsExceeded, error.Category);
        Assert.Contains(ResponseLimits.MaximumAudioBytes(Text.Length).ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes", error.Message, StringComparison.Ordinal);
        Assert.Single(harness.SpeechRequests()); // a runaway server is not asked again
        harness.AssertEmpty();
    }

    [Theory]
    [InlineData(1, 1_125_376)]
    [InlineData(4096, 315_621_376)]
    public void AudioCap_IsTheSlowestSpeechInTheLargestFormat_Twice_PlusOneMebibyte(int characters, long expected)
    {
        // 5 characters a second, slowed to speed 0.25, as 24 kHz 16-bit mono (48,000 B/s), twice over, plus 1 MiB.
        Assert.Equal(expected, ResponseLimits.MaximumAudioBytes(characters));
        Assert.Equal((1024 * 1024) + (long)(characters / 5.0 / 0.25 * 48_000 * 2), expected);
    }

    [Fact]
    public void OverallDeadline_IsTenTimesTheTimeout()
    {
        TtsEndpoint endpoint = TtsEndpoint.Create("https://api.example.com", AitreTts.Core.Security.SecretText.ToSecureString(IntegrationHarness.Key));
        var client = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(100), proxy: new ProxySettings { Environment = _ => null });

        Assert.Equal(TimeSpan.FromSeconds(1000), client.Deadline);
        Assert.Equal(Timeout.InfiniteTimeSpan, ResponseLimits.DeadlineFor(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(864_000), ResponseLimits.DeadlineFor(TimeSpan.FromSeconds(86_400))); // -TimeoutSec's largest value
        Assert.Equal(Timeout.InfiniteTimeSpan, ResponseLimits.DeadlineFor(TimeSpan.FromDays(10))); // past what a timer can count
    }

    [Fact]
    public async Task DrippingBody_EndsAtTheOverallDeadline_WithTimeout_AndLeavesNoFile()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        // A cold process compiles the whole HTTP path on its first request, which a loaded machine can make slower
        // than any per-read timeout: one plain request first.
        await harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("warm.mp3"));

        // A valid start, then one byte every 0.2 s forever: each read has twenty times the time it needs under the 4 s
        // timeout, so only the overall deadline can end it.
        harness.Server.AddFault(new FaultRule { TrickleAfterBytes = 700, TrickleBytes = 1, TrickleIntervalSeconds = 0.2, EndlessBody = true, Times = 0 });
        SpeechClient client = harness.Client(new RetryPolicy(0), TimeSpan.FromSeconds(4));
        client.Deadline = TimeSpan.FromSeconds(3);
        var watch = Stopwatch.StartNew();

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(new DocumentSynthesizer(client, null), Text, Mp3, harness.UserTarget("out.mp3")));

        // Not before the deadline; the upper bound is a safety net against a body that never ends.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2.5) && watch.Elapsed < TimeSpan.FromSeconds(60), $"a 3 s deadline took {watch.Elapsed}");
        Assert.Equal(TtsErrorIds.Timeout, error.ErrorId);
        Assert.Equal(TtsErrorCategory.OperationTimeout, error.Category);
        Assert.Contains("did not finish its answer within the overall deadline of 3 s (10 times -TimeoutSec), after 7", error.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { "warm.mp3" }, harness.FileNames());
    }

    [Fact]
    public async Task SlowButMovingBody_IsNotCutByThePerReadTimeout()
    {
        // A piece every 0.2 s against a 4 s timeout: each read has twenty times the time it needs, so load cannot
        // make one late, while the whole body takes more than twice the timeout, which a timeout of the whole answer
        // (instead of each read) would cut.
        TimeSpan timeout = TimeSpan.FromSeconds(4);
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();

        // One plain request first: a cold process compiles the whole HTTP path on its first request, which on a
        // loaded machine can take longer than the timeout that is under test here.
        await harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("warm.mp3"));
        harness.Server.ClearRequests();
        harness.Server.AddFault(new FaultRule { TrickleBytes = 448, TrickleIntervalSeconds = 0.2, Times = 0 });
        var watch = Stopwatch.StartNew();

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(new RetryPolicy(0), timeout), Text, Mp3, harness.UserTarget("out.mp3"));

        byte[] sent = Assert.Single(harness.SpeechRequests()).ResponseBody!;
        Assert.True(watch.Elapsed > 2 * timeout, $"the premise: the body took {watch.Elapsed}, more than twice the timeout ({sent.Length} bytes)");
        Assert.Equal(sent, await File.ReadAllBytesAsync(result.Path));
    }

    [Fact]
    public async Task StalledErrorBody_EndsAtTheTimeout_SayingItStalled()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 500, StallAfterBytes = 10, StallSeconds = 60, Times = 0 });
        var watch = Stopwatch.StartNew();

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(new RetryPolicy(0), TimeSpan.FromSeconds(5)), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60) / 5, $"a 5 s timeout took {watch.Elapsed}, against a 60 s stall");
        Assert.Equal(TtsErrorIds.Timeout, error.ErrorId);
        Assert.Contains("answered HTTP 500 Internal Server Error, then stalled: the body stopped after 10 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(500, error.StatusCode);
        Assert.EndsWith("1 attempt was made: retries are off (-MaximumRetryCount 0).", error.Message, StringComparison.Ordinal);
        harness.AssertEmpty();
    }

    [Fact]
    public async Task StalledErrorBody_EndsAtOnceOnCancel()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 500, StallAfterBytes = 10, StallSeconds = 60, Times = 0 });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(new RetryPolicy(0), TimeSpan.FromSeconds(60)), Text, Mp3, harness.UserTarget("out.mp3"), cancellation.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"cancelling took {watch.Elapsed}");
        harness.AssertEmpty();
    }

    [Fact]
    public async Task StalledVoicesList_EndsAtTheTimeout()
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true, VoicesShape = VoicesEndpointShape.Objects });
        emulator.AddFault(new FaultRule { PathContains = "/v1/audio/voices", StallAfterBytes = 5, StallSeconds = 60, Times = 0 });
        // 5 s, so a cold process on a loaded machine still gets the headers in time; 12 s is a fifth of the stall.
        (SpeechClient client, TtsEndpoint endpoint) = Local(emulator, TimeSpan.FromSeconds(5));
        var watch = Stopwatch.StartNew();

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => VoiceDiscovery.GetVoicesAsync(client, endpoint, "stall-" + Guid.NewGuid().ToString("N"), refresh: true, TtsLog.None, CancellationToken.None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60) / 5, $"a 5 s timeout took {watch.Elapsed}, against a 60 s stall");
        Assert.Equal(TtsErrorIds.Timeout, error.ErrorId);
        Assert.Contains("stalled: the body stopped after 5 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StalledVoicesList_EndsAtOnceOnCancel()
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true, VoicesShape = VoicesEndpointShape.Objects });
        emulator.AddFault(new FaultRule { PathContains = "/v1/audio/voices", StallAfterBytes = 5, StallSeconds = 60, Times = 0 });
        (SpeechClient client, TtsEndpoint endpoint) = Local(emulator, TimeSpan.FromSeconds(60));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => VoiceDiscovery.GetVoicesAsync(client, endpoint, "stall-" + Guid.NewGuid().ToString("N"), refresh: true, TtsLog.None, cancellation.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"cancelling took {watch.Elapsed}");
    }

    [Fact]
    public async Task EndlessVoicesList_IsCutAtItsCap_WithResponseTooLarge()
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true, VoicesShape = VoicesEndpointShape.Objects });
        emulator.AddFault(new FaultRule { PathContains = "/v1/audio/voices", EndlessBody = true, Times = 0 });
        (SpeechClient client, TtsEndpoint endpoint) = Local(emulator, TimeSpan.FromSeconds(30));

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => VoiceDiscovery.GetVoicesAsync(client, endpoint, "endless-" + Guid.NewGuid().ToString("N"), refresh: true, TtsLog.None, CancellationToken.None));

        Assert.Equal(TtsErrorIds.ResponseTooLarge, error.ErrorId);
        Assert.Equal(TtsErrorCategory.LimitsExceeded, error.Category);
    }

    [Fact]
    public async Task UnauthorizedWithoutAKey_SaysNoKeyWasSent()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(new RetryPolicy(0), key: null), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.AuthenticationFailed, error.ErrorId);
        Assert.Equal(TtsErrorCategory.AuthenticationError, error.Category);
        Assert.DoesNotContain("refused the API key", error.Message, StringComparison.Ordinal);
        Assert.Contains("requires an API key, but none was sent", error.Message, StringComparison.Ordinal);
        // No key was configured at all: the message must not invent one stored for another server.
        Assert.Contains("No API key is set for 127.0.0.1.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("held back", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("another server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnauthorizedWithAKey_StillSaysTheKeyWasRefused()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(new RetryPolicy(0), key: "tk-wrong-key-0123456789"), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.AuthenticationFailed, error.ErrorId);
        Assert.Contains("refused the API key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedResponseHeader_IsNotReportedAsAConnectionFailure()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task serving = Task.Run(async () =>
        {
            using TcpClient connection = await listener.AcceptTcpClientAsync();
            NetworkStream stream = connection.GetStream();
            byte[] buffer = new byte[8192];
            _ = await stream.ReadAsync(buffer);
            string head = "HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nX-Padding: " + new string('a', 200_000) + "\r\nContent-Length: 0\r\n\r\n";
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            }
            catch (IOException)
            {
                // The client hangs up once the headers pass its limit.
            }
        });
        TtsEndpoint endpoint = TtsEndpoint.Create($"http://127.0.0.1:{port}", null, provider: ProviderKind.Local);
        var client = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(10), proxy: new ProxySettings { Environment = _ => null });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => client.SynthesizeAsync(new SpeechRequest("tts-1", Text, "alloy", AudioFormat.Mp3), new MemoryStream(), CancellationToken.None));
        await serving;

        Assert.NotEqual(TtsErrorIds.ConnectionFailed, error.ErrorId);
        Assert.DoesNotContain("Could not connect", error.Message, StringComparison.Ordinal);
        Assert.Equal(TtsErrorIds.HttpError, error.ErrorId);
        Assert.Equal(TtsErrorCategory.ProtocolError, error.Category);
        Assert.Contains("answered, but its answer could not be read", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    public async Task BinaryErrorBody_IsQuotedAsAnEscapedExcerpt_NotAsRawBytes(string contentType)
    {
        byte[] body = new byte[300];
        new Random(23).NextBytes(body);
        body[0] = 0x1B; // ESC: printed raw, it starts a terminal control sequence
        body[1] = 0x07;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task serving = Task.Run(async () =>
        {
            using TcpClient connection = await listener.AcceptTcpClientAsync();
            NetworkStream stream = connection.GetStream();
            _ = await stream.ReadAsync(new byte[65536]);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 500 Internal Server Error\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
            await stream.WriteAsync(body);
        });
        TtsEndpoint endpoint = TtsEndpoint.Create($"http://127.0.0.1:{port}", null, provider: ProviderKind.Local);
        var client = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(10), proxy: new ProxySettings { Environment = _ => null });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => client.SynthesizeAsync(new SpeechRequest("tts-1", Text, "alloy", AudioFormat.Mp3), new MemoryStream(), CancellationToken.None));
        await serving;

        Assert.Equal(TtsErrorIds.ServerError, error.ErrorId);
        Assert.Contains("300 bytes that are not text, starting 1b 07 " + body[2].ToString("x2"), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.Message, c => c == '\uFFFD' || (char.IsControl(c) && c != ' '));
    }

    [Fact]
    public async Task RedirectEchoingTheKey_IsFollowed_WithoutPrintingTheKey()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        string location = $"http://user:{IntegrationHarness.Key}@127.0.0.1:{harness.Server.BaseUrl.Port}/v1/audio/speech?key={IntegrationHarness.Key}";
        harness.Server.AddFault(new FaultRule { StatusCode = 307, Body = string.Empty, Headers = new() { ["Location"] = location }, Times = 1 });
        var log = new RecordingLog();

        await harness.SynthesizeAsync(harness.Synthesizer(new RetryPolicy(0), log: log), Text, Mp3, harness.UserTarget("out.mp3"));

        string[] lines = log.VerboseMessages.Concat(log.Debugs).Concat(log.Warnings).ToArray();
        Assert.Contains(lines, line => line.StartsWith("Following HTTP 307 redirect to http://127.0.0.1:", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains(IntegrationHarness.Key.Substring(0, 12), StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("user:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://api.example.com/v1/audio/speech", "http://api.example.com/v1/audio/speech", true)]
    [InlineData("https://api.example.com/v1/audio/speech", "http://127.0.0.1:8880/v1/audio/speech", true)]
    [InlineData("https://api.example.com/v1/audio/speech", "ftp://api.example.com/x", true)]
    [InlineData("https://api.example.com/v1/audio/speech", "https://cdn.example.com/v1/audio/speech", false)]
    [InlineData("http://127.0.0.1:8880/v1/audio/speech", "http://127.0.0.1:8881/v1/audio/speech", false)]
    [InlineData("http://127.0.0.1:8880/v1/audio/speech", "https://api.example.com/v1/audio/speech", false)]
    public void Redirect_FromHttpsToAnythingElse_IsADowngrade(string from, string to, bool downgrade) =>
        Assert.Equal(downgrade, SpeechClient.RedirectDowngrades(new Uri(from), new Uri(to)));

    private static (SpeechClient Client, TtsEndpoint Endpoint) Local(EmulatorServer emulator, TimeSpan timeout)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create(emulator.BaseUrl.ToString(), null, provider: ProviderKind.Local);
        return (new SpeechClient(endpoint, new RetryPolicy(0), timeout, proxy: new ProxySettings { Environment = _ => null }), endpoint);
    }
}
