using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;
using TtsEmulator;

namespace AitreTts.Tests.Integration;

/// <summary>
/// Each way a server or network fails, injected by the emulator, seen through the whole core: the error a user gets,
/// how many attempts the server saw, and what is left on disk.
/// </summary>
public sealed class ReliabilityTests
{
    private const string Text = "The evening train to the coast leaves from platform four.";
    private static readonly SpeechOptions Mp3 = new();

    [Fact]
    public async Task FailingMiddleChunk_FailsTheDocument_LeavesNoFile_AndKeepsTheExistingTarget()
    {
        const string Marker = "XYLOPHONEMARKER";
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync(
            new EmulatorOptions { RequiredApiKey = IntegrationHarness.Key, SecondsPerCharacter = 0.001 });
        string text = LongText.Build(10_000, Marker, markerAt: 5_000);
        IReadOnlyList<TextChunk> chunks = TextSplitter.Split(text);
        Assert.Equal(3, chunks.Count);
        Assert.Equal(new[] { false, true, false }, chunks.Select(c => c.RequestText.Contains(Marker, StringComparison.Ordinal))); // the premise
        string existing = Path.Combine(harness.Directory, "announcement.mp3");
        await File.WriteAllTextAsync(existing, "the previous announcement");
        harness.Server.AddFault(new FaultRule { InputContains = Marker, StatusCode = 400, ErrorMessage = "Chunk refused by the emulator.", Times = 0 });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), text, Mp3, harness.UserTarget("announcement.mp3")));

        Assert.Equal(TtsErrorIds.BadRequest, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Contains("Chunk 2 of 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("Chunk refused by the emulator.", error.Message, StringComparison.Ordinal);
        Assert.Equal(400, error.StatusCode);
        string failedId = harness.SpeechRequests().Single(r => r.StatusCode == 400).RequestId;
        Assert.Equal(failedId, error.RequestId);
        Assert.Contains(failedId, error.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { "announcement.mp3" }, harness.FileNames());
        Assert.Equal("the previous announcement", await File.ReadAllTextAsync(existing));
    }

    [Fact]
    public async Task RateLimit_WithRetryAfter_WaitsAsAsked_ThenSucceeds()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 429, Headers = new Dictionary<string, string> { ["Retry-After"] = "1" } });
        var watch = Stopwatch.StartNew();

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3"));

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"Retry-After: 1 was not obeyed: retried after {watch.Elapsed}");
        Assert.Equal(new[] { 429, 200 }, harness.SpeechRequests().Select(r => r.StatusCode));
        Assert.Equal(harness.SpeechRequests()[1].RequestId, Assert.Single(result.RequestIds));
        Assert.Equal(new[] { "out.mp3" }, harness.FileNames());
    }

    [Fact]
    public async Task RateLimit_WithRetryAfterMs_IsRetriedWithinMilliseconds()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 429, Times = 2, Headers = new Dictionary<string, string> { ["retry-after-ms"] = "20", ["Retry-After"] = "30" } });
        var watch = Stopwatch.StartNew();

        await harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3"));

        // retry-after-ms wins over Retry-After, as in openai-python.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}: Retry-After was used instead of retry-after-ms");
        Assert.Equal(new[] { 429, 429, 200 }, harness.SpeechRequests().Select(r => r.StatusCode));
        Assert.Equal(new[] { "out.mp3" }, harness.FileNames());
    }

    [Fact]
    public async Task ExhaustedQuota_IsNotRetried()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 429, ErrorShape = "openai", ErrorCode = "insufficient_quota", Times = 0 });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(IntegrationHarness.FastRetries(5)), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.QuotaExceeded, error.ErrorId);
        Assert.Equal(TtsErrorCategory.QuotaExceeded, error.Category);
        Assert.Equal(1, error.Attempts);
        Assert.Single(harness.SpeechRequests());
        Assert.Contains("exceeded your current quota", error.Message, StringComparison.Ordinal);
        harness.AssertEmpty();
    }

    [Fact]
    public async Task ServerError_Twice_ThenSuccess_TakesThreeAttempts()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 500, Times = 2 });

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3"));

        Assert.Equal(new[] { 500, 500, 200 }, harness.SpeechRequests().Select(r => r.StatusCode));
        Assert.Equal(new[] { "out.mp3" }, harness.FileNames());
        Assert.True(result.Bytes > 1000);
    }

    [Fact]
    public async Task ServerError_Forever_GivesUpAfterMaximumRetryCountPlusOne()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 500, Times = 0 });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(IntegrationHarness.FastRetries(3)), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.ServerError, error.ErrorId);
        Assert.Equal(TtsErrorCategory.ResourceUnavailable, error.Category);
        Assert.Equal(4, error.Attempts);
        Assert.Equal(4, harness.SpeechRequests().Count);
        Assert.Equal(harness.SpeechRequests()[^1].RequestId, error.RequestId);
        harness.AssertEmpty();
    }

    [Fact]
    public async Task ShouldRetryFalse_OnA500_IsNotRetried()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 500, Times = 0, Headers = new Dictionary<string, string> { ["x-should-retry"] = "false" } });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.ServerError, error.ErrorId);
        Assert.Equal(1, error.Attempts);
        Assert.Single(harness.SpeechRequests());
        harness.AssertEmpty();
    }

    [Fact]
    public async Task RetryAfterTooLong_FailsAtOnce_WithoutWaiting()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 429, Times = 0, Headers = new Dictionary<string, string> { ["Retry-After"] = "120" } });
        var watch = Stopwatch.StartNew();

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"waited {watch.Elapsed}");
        Assert.Equal(TtsErrorIds.RetryAfterTooLong, error.ErrorId);
        Assert.Equal(TtsErrorCategory.LimitsExceeded, error.Category);
        Assert.Contains("2 min", error.Message, StringComparison.Ordinal);
        Assert.Equal(harness.SpeechRequests()[0].RequestId, error.RequestId);
        Assert.Single(harness.SpeechRequests());
        harness.AssertEmpty();
    }

    [Fact]
    public async Task ConnectionCutMidBody_Once_IsRetried_AndTheFileIsWhole()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { CutAfterBytes = 700, Times = 1 });

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3"));

        Assert.Equal(2, harness.SpeechRequests().Count);
        Assert.Equal(new[] { "out.mp3" }, harness.FileNames());
        // What the emulator sent on the second attempt, not what our own client would make of a fresh request.
        byte[] sent = harness.SpeechRequests()[1].ResponseBody!;
        Assert.Equal(sent, await File.ReadAllBytesAsync(result.Path)); // not the cut bytes plus the retry's
    }

    [Fact]
    public async Task ConnectionCutMidBody_Forever_IsTruncated_AndLeavesNoFile()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { CutAfterBytes = 700, Times = 0 });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.ResponseTruncated, error.ErrorId);
        Assert.Equal(TtsErrorCategory.ConnectionError, error.Category);
        Assert.Equal(3, error.Attempts);
        Assert.EndsWith("Gave up after 3 attempts.", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, harness.SpeechRequests().Count);
        harness.AssertEmpty();
    }

    [Fact]
    public async Task Http200WithHtml_IsUnexpectedResponse_NotRetried()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule
        {
            StatusCode = 200,
            Body = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Please sign in to the portal</h1></body></html>",
            ContentType = "text/html",
            Times = 0,
        });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.UnexpectedResponse, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidData, error.Category);
        Assert.Contains("HTML", error.Message, StringComparison.Ordinal);
        Assert.Contains(harness.SpeechRequests()[0].RequestId, error.Message, StringComparison.Ordinal);
        Assert.Single(harness.SpeechRequests());
        harness.AssertEmpty();
    }

    [Fact]
    public async Task Http200WithEmptyBody_IsEmptyResponse()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 200, Body = string.Empty, ContentType = "audio/mpeg", Times = 0 });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.EmptyResponse, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidResult, error.Category);
        Assert.Equal(harness.SpeechRequests()[0].RequestId, error.RequestId);
        harness.AssertEmpty();
    }

    [Fact]
    public async Task Http200WithJsonError_IsUnexpectedResponse_QuotingTheServer()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule
        {
            StatusCode = 200,
            Body = "{\"error\":{\"message\":\"Upstream provider refused the voice\",\"type\":\"upstream_error\",\"code\":\"provider_refused\"}}",
            ContentType = "application/json",
            Times = 0,
        });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.UnexpectedResponse, error.ErrorId);
        Assert.Contains("Upstream provider refused the voice", error.Message, StringComparison.Ordinal);
        Assert.Equal("Upstream provider refused the voice", error.ServerMessage);
        Assert.Single(harness.SpeechRequests());
        harness.AssertEmpty();
    }

    [Fact]
    public async Task HeadersNeverSent_TimesOut_WithinTheTimeout()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { DelayHeadersSeconds = 30, Times = 0 });
        var watch = Stopwatch.StartNew();

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(new RetryPolicy(0), TimeSpan.FromSeconds(1)), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"a 1 s timeout took {watch.Elapsed}");
        Assert.Equal(TtsErrorIds.Timeout, error.ErrorId);
        Assert.Equal(TtsErrorCategory.OperationTimeout, error.Category);
        Assert.Contains("did not answer within 1 s", error.Message, StringComparison.Ordinal);
        harness.AssertEmpty();
    }

    [Fact]
    public async Task BodyStalls_TimesOut_AndLeavesNoFile()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StallAfterBytes = 700, StallSeconds = 30, Times = 0 });
        var watch = Stopwatch.StartNew();

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(new RetryPolicy(0), TimeSpan.FromSeconds(1)), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"a 1 s timeout took {watch.Elapsed}");
        Assert.Equal(TtsErrorIds.Timeout, error.ErrorId);
        Assert.Equal(harness.SpeechRequests()[0].RequestId, error.RequestId);
        // 700 bytes had arrived: the message must say the body stalled after them, not that no audio came.
        Assert.Contains("stalled: the body stopped after 700 bytes, and nothing more came within 1 s", error.Message, StringComparison.Ordinal);
        harness.AssertEmpty();
    }

    [Fact]
    public async Task CancellationMidDownload_StopsAtOnce_AndLeavesNoTemporaryFile()
    {
        // The server would stall for 60 s (and the timeout is longer): stopping "at once" is measured against that.
        TimeSpan stall = TimeSpan.FromSeconds(60);
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StallAfterBytes = 700, StallSeconds = stall.TotalSeconds, Times = 0 });
        using var cancellation = new CancellationTokenSource();
        Task<DocumentResult> running = harness.SynthesizeAsync(
            harness.Synthesizer(timeout: TimeSpan.FromSeconds(120)), Text, Mp3, harness.UserTarget("out.mp3"), cancellation.Token);

        // Wait until the server has answered and its first bytes are in flight, while the temporary file exists
        // (its bytes may still sit in the FileStream's buffer, so its length on disk says nothing). 60 s is a safety
        // net for a loaded machine, not the assertion.
        var waiting = Stopwatch.StartNew();
        while (harness.SpeechRequests().Count == 0 || !harness.FileNames().Any(n => n.EndsWith(".partial", StringComparison.Ordinal)))
        {
            Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(60), "the download never started: " + string.Join(", ", harness.FileNames()));
            Assert.False(running.IsCompleted, "the download ended before it was cancelled: " + running.Exception?.GetBaseException().Message);
            await Task.Delay(20);
        }

        Assert.False(running.IsCompleted);

        var watch = Stopwatch.StartNew();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        Assert.True(watch.Elapsed < stall / 5, $"cancellation took {watch.Elapsed}, not far less than the {stall.TotalSeconds} s stall it cut");
        Assert.Single(harness.SpeechRequests());
        harness.AssertEmpty();
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("flat")]
    [InlineData("detail-object")]
    [InlineData("detail-list")]
    [InlineData("text")]
    public async Task BadRequest_InEveryErrorShape_QuotesTheServerAndTheRequestId(string shape)
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 400, ErrorShape = shape, ErrorMessage = "Voice 'alloy' is resting today.", Times = 0 });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3")));

        string requestId = Assert.Single(harness.SpeechRequests()).RequestId;
        Assert.Equal(TtsErrorIds.BadRequest, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Contains("Voice 'alloy' is resting today.", error.Message, StringComparison.Ordinal);
        Assert.Contains(requestId, error.Message, StringComparison.Ordinal);
        Assert.Equal(requestId, error.RequestId);
        Assert.Equal(400, error.StatusCode);
        harness.AssertEmpty();
    }

    [Fact]
    public async Task BadRequest_AsAnHtmlPage_IsBadRequest_WithTheRequestId()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 400, ErrorShape = "html", ErrorMessage = "Voice 'alloy' is resting today.", Times = 0 });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3")));

        string requestId = Assert.Single(harness.SpeechRequests()).RequestId;
        Assert.Equal(TtsErrorIds.BadRequest, error.ErrorId);
        Assert.Contains("400 Bad Request", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTML page", error.Message, StringComparison.Ordinal);
        Assert.Contains(requestId, error.Message, StringComparison.Ordinal);
        harness.AssertEmpty();
    }

    [Fact]
    public async Task BadRequest_AsAnHtmlPage_QuotesTheServersExplanation()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 400, ErrorShape = "html", ErrorMessage = "Voice 'alloy' is resting today.", Times = 0 });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, Mp3, harness.UserTarget("out.mp3")));

        Assert.Contains("Voice 'alloy' is resting today.", error.Message, StringComparison.Ordinal);
    }
}
