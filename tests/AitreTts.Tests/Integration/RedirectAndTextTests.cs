using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using AitreTts.Core.Errors;
using AitreTts.Core.Synthesis;
using TtsEmulator;

namespace AitreTts.Tests.Integration;

/// <summary>
/// Redirects, which the emulator can send as a replacement status with a Location header, and non-ASCII text.
/// </summary>
public sealed class RedirectAndTextTests
{
    private const string Text = "Redirected announcements still reach the platform.";

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task SameOriginRedirect_IsFollowed_WithTheKey(int status)
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = status, Headers = new Dictionary<string, string> { ["Location"] = "/v1/audio/speech" } });

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(), Text, new SpeechOptions(), harness.UserTarget("out.mp3"));

        IReadOnlyList<RecordedRequest> requests = harness.SpeechRequests();
        Assert.Equal(new[] { status, 200 }, requests.Select(r => r.StatusCode));
        Assert.All(requests, r => Assert.Equal("Bearer " + IntegrationHarness.Key, r.Headers["Authorization"]));
        Assert.All(requests, r => Assert.Equal(Text, r.Input));
        Assert.Equal(requests[1].RequestId, Assert.Single(result.RequestIds));
        Assert.Equal(new[] { "out.mp3" }, harness.FileNames());
    }

    [Fact]
    public async Task CrossOriginRedirect_IsFollowed_WithoutTheKey()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        await using EmulatorServer other = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true });
        harness.Server.AddFault(new FaultRule { StatusCode = 307, Headers = new Dictionary<string, string> { ["Location"] = new Uri(other.BaseUrl, "/v1/audio/speech").ToString() } });

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(), Text, new SpeechOptions(), harness.UserTarget("out.mp3"));

        Assert.Equal("Bearer " + IntegrationHarness.Key, Assert.Single(harness.SpeechRequests()).Headers["Authorization"]);
        RecordedRequest followed = Assert.Single(other.Requests);
        Assert.False(followed.Headers.ContainsKey("Authorization"), "the key went to another origin");
        Assert.Equal(Text, followed.Input);
        Assert.Equal(followed.RequestId, Assert.Single(result.RequestIds));
        Assert.Equal(new[] { "out.mp3" }, harness.FileNames());
    }

    [Fact]
    public async Task CrossOriginRedirect_ToAServerThatWantsAKey_FailsAsAuthentication_WithoutSendingIt()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        await using EmulatorServer other = await EmulatorServer.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 302, Headers = new Dictionary<string, string> { ["Location"] = new Uri(other.BaseUrl, "/v1/audio/speech").ToString() } });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, new SpeechOptions(), harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.AuthenticationFailed, error.ErrorId);
        Assert.False(Assert.Single(other.Requests).Headers.ContainsKey("Authorization"));
        harness.AssertEmpty();
    }

    [Fact]
    public async Task RedirectLoop_StopsAfterFiveHops_AsARefusedRedirect()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 307, Times = 0, Headers = new Dictionary<string, string> { ["Location"] = "/v1/audio/speech" } });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(), Text, new SpeechOptions(), harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.RedirectRefused, error.ErrorId);
        Assert.Equal(6, harness.SpeechRequests().Count); // the request and five redirects, then no retry
        Assert.Contains("redirected the request more than 5 times", error.Message, StringComparison.Ordinal);
        Assert.Contains("a redirect loop", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected HTTP status", error.Message, StringComparison.Ordinal);
        harness.AssertEmpty();
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://127.0.0.1/speech.mp3")]
    public async Task RedirectToAnotherScheme_IsNotFollowed_AndIsTheDocumentsError(string location)
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        harness.Server.AddFault(new FaultRule { StatusCode = 302, Times = 0, Headers = new Dictionary<string, string> { ["Location"] = location } });

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(IntegrationHarness.FastRetries()), Text, new SpeechOptions(), harness.UserTarget("out.mp3")));

        Assert.Equal(TtsErrorIds.RedirectRefused, error.ErrorId);
        Assert.Equal(TtsErrorCategory.SecurityError, error.Category);
        Assert.Contains("to a " + new Uri(location).Scheme + ": address, which is not followed", error.Message, StringComparison.Ordinal);
        Assert.Single(harness.SpeechRequests()); // not retried: the same answer would come again
        harness.AssertEmpty();
    }

    [Theory]
    [InlineData("Latin", "Crème brûlée à Noël, naïveté, Ångström, Øresund, Łódź, straße, and a decomposed Cafe\u0301.")]
    [InlineData("CJK", "東京行きの列車は四番線から発車します。请注意安全，서울역에 도착했습니다。")]
    [InlineData("Arabic", "مرحبا بكم في محطة القطار، القطار التالي إلى الإسكندرية يغادر من الرصيف ٤.")]
    [InlineData("Cyrillic", "Поезд на побережье отправляется с четвёртой платформы. Ёлка, щука, Ґанок.")]
    [InlineData("Emoji", "Family 👨‍👩‍👧‍👦, wave 👋🏽, flag 🏳️‍🌈, technologist 🧑🏿‍💻 and a keycap 4️⃣.")]
    public async Task NonAsciiText_ReachesTheServerExactly(string script, string text)
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();
        var options = new SpeechOptions();

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(), text, options, harness.GeneratedTarget(text, options));

        RecordedRequest request = Assert.Single(harness.SpeechRequests());
        Assert.Equal(text, request.Input);
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        string body = strict.GetString(request.Body); // throws on any invalid UTF-8
        Assert.StartsWith("{", body, StringComparison.Ordinal);
        Assert.Equal(text.Length, result.Characters);
        Assert.True(File.Exists(result.Path), script + ": no file at the generated name");
        Assert.Single(harness.FileNames());
    }

    [Theory]
    [InlineData("Crème brûlée à Noël")]
    [InlineData("東京行きの列車")]
    [InlineData("مرحبا بكم")]
    [InlineData("Поезд на побережье")]
    public async Task BmpText_IsSentAsRawUtf8_NotEscaped(string text)
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync();

        await harness.SynthesizeAsync(harness.Synthesizer(), text, new SpeechOptions(), harness.UserTarget("out.mp3"));

        byte[] body = Assert.Single(harness.SpeechRequests()).Body;
        byte[] raw = Encoding.UTF8.GetBytes(text);
        Assert.True(body.AsSpan().IndexOf(raw) >= 0, "the text was not sent as raw UTF-8: " + Encoding.UTF8.GetString(body));
    }
}
