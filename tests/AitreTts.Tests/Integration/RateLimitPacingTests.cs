using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Security;
using AitreTts.Core.Synthesis;
using TtsEmulator;
using Xunit.Abstractions;

namespace AitreTts.Tests.Integration;

/// <summary>
/// Against the emulator's account limit (a continuously refilled bucket with OpenAI's headers, 429 past it): a batch
/// paces to the limit and loses nothing. The limit is scaled (600 a minute, a bucket of 10) so the test is quick;
/// the assertions are ratios to the limit's own floor, the least time the server allows.
/// </summary>
public sealed class RateLimitPacingTests
{
    private const int PerMinute = 600;
    private const int Burst = 10;
    private static readonly SpeechOptions Mp3 = new() { ThrottleLimit = 4 };
    private readonly ITestOutputHelper _output;

    public RateLimitPacingTests(ITestOutputHelper output) => _output = output;

    // The bucket lets the first Burst through at once, then one per refill: the floor no client can beat.
    private static double FloorSeconds(int documents) => (documents - Burst) / (PerMinute / 60.0);

    [Fact]
    public async Task EightyDocuments_AtTheAccountLimit_AreAllWritten_NearTheLimitsFloor()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync(new EmulatorOptions
        {
            RequiredApiKey = IntegrationHarness.Key,
            AccountRequestsPerMinute = PerMinute,
            AccountBurst = Burst,
        });
        var synthesizer = new DocumentSynthesizer(harness.Client(new RetryPolicy(2)), null, new RequestSlots(4));
        string[] texts = Enumerable.Range(1, 80).Select(i => $"Announcement number {i}: the platform has changed.").ToArray();
        var watch = Stopwatch.StartNew();

        Task<DocumentResult>[] documents = texts.Select(text => harness.SynthesizeAsync(synthesizer, text, Mp3, harness.GeneratedTarget(text, Mp3))).ToArray();
        Task all = Task.WhenAll(documents);
        // A safety net only: the assertion on time is the ratio below.
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(FloorSeconds(80) * 10))));
        watch.Stop();

        Assert.All(documents, d => Assert.True(d.IsCompletedSuccessfully, d.Exception?.GetBaseException().Message));
        Assert.Equal(80, harness.FileNames().Count(n => n.EndsWith(".mp3", StringComparison.Ordinal)));
        IReadOnlyList<RecordedRequest> requests = harness.SpeechRequests();
        int rejected = requests.Count(r => r.StatusCode == 429);
        Assert.Equal(80, requests.Count(r => r.StatusCode == 200));
        double ratio = watch.Elapsed.TotalSeconds / FloorSeconds(80);
        _output.WriteLine($"80 documents in {watch.Elapsed.TotalSeconds:0.00} s = {ratio:0.000}x the floor of {FloorSeconds(80):0.0} s; {rejected} of {requests.Count} requests rejected");
        Assert.True(ratio <= 1.3, $"{watch.Elapsed.TotalSeconds:0.00} s is {ratio:0.00}x the floor of {FloorSeconds(80):0.0} s ({rejected} of {requests.Count} rejected)");
        Assert.True(rejected * 100 <= requests.Count * 10, $"{rejected} of {requests.Count} requests were rejected with 429");
    }

    [Fact]
    public async Task RateLimitedWaits_DoNotUseUpMaximumRetryCount()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 429, Times = 4, ErrorCode = "rate_limit_exceeded", Headers = new Dictionary<string, string> { ["retry-after-ms"] = "20" } });

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(new RetryPolicy(0)), "Four waits, no retries.", Mp3, harness.UserTarget("out.mp3"));

        Assert.Equal(new[] { 429, 429, 429, 429, 200 }, harness.SpeechRequests().Select(r => r.StatusCode));
        Assert.Equal(harness.SpeechRequests()[4].RequestId, Assert.Single(result.RequestIds));
        Assert.Equal(new[] { "out.mp3" }, harness.FileNames());
    }

    [Fact]
    public async Task WaitsPastTheBound_FailWithTtsRateLimited_NamingTheBound()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 429, Times = 0, ErrorCode = "rate_limit_exceeded", ErrorMessage = "Rate limit reached for requests", Headers = new Dictionary<string, string> { ["retry-after-ms"] = "400" } });
        TtsEndpoint endpoint = TtsEndpoint.Create(harness.Server.BaseUrl.ToString(), SecretText.ToSecureString(IntegrationHarness.Key));
        var client = new SpeechClient(endpoint, new RetryPolicy(5), TimeSpan.FromSeconds(30), rateLimits: RateLimitPacing.For(endpoint, TimeSpan.FromSeconds(1)));

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(new DocumentSynthesizer(client), "Never let through.", Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.RateLimited, error.ErrorId);
        Assert.Equal(TtsErrorCategory.LimitsExceeded, error.Category);
        Assert.Contains("the 1 s that MaximumRateLimitWaitSec allows", error.Message, StringComparison.Ordinal);
        Assert.Contains("Rate limit reached for requests", error.Message, StringComparison.Ordinal);
        // 400 ms a wait within 1 s: the third 429 ends it, long before -MaximumRetryCount 5 would.
        Assert.Equal(3, harness.SpeechRequests().Count);
        harness.AssertEmpty();
    }

    [Fact]
    public async Task ARetryAfterBeyondTheLongestServerDelay_FailsAtOnce()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 429, Times = 0, ErrorCode = "rate_limit_exceeded", Headers = new Dictionary<string, string> { ["Retry-After"] = "3600" } });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), "A daily limit.", Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.RetryAfterTooLong, error.ErrorId);
        Assert.Single(harness.SpeechRequests());
    }

    [Fact]
    public async Task PacingOff_A429IsAnOrdinaryFailedAttempt()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 429, Times = 0, ErrorCode = "rate_limit_exceeded", Headers = new Dictionary<string, string> { ["retry-after-ms"] = "10" } });
        TtsEndpoint endpoint = TtsEndpoint.Create(harness.Server.BaseUrl.ToString(), SecretText.ToSecureString(IntegrationHarness.Key));
        var client = new SpeechClient(endpoint, new RetryPolicy(1), TimeSpan.FromSeconds(30), rateLimits: RateLimitPacing.For(endpoint, TimeSpan.Zero));

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(new DocumentSynthesizer(client), "Counted.", Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.RateLimited, error.ErrorId);
        Assert.Equal(2, harness.SpeechRequests().Count);
    }
}
