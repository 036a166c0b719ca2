using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Synthesis;
using AitreTts.Tests.Support;
using TtsEmulator;

namespace AitreTts.Tests.Integration;

/// <summary>
/// The API key must never reach an exception, its ToString(), or the log, whatever the server does with it:
/// refuse it, echo it in an error body (as some gateways do), in a 200 body, or in a header.
/// </summary>
public sealed class SecretLeakTests
{
    private const string Key = IntegrationHarness.Key;
    private const string Text = "Mind the gap between the train and the platform edge.";

    [Theory]
    [InlineData("401 wrong key")]
    [InlineData("400 echoes the key (openai shape)")]
    [InlineData("400 echoes the key (text shape)")]
    [InlineData("400 echoes the key (detail-list shape)")]
    [InlineData("403 HTML page titled with the key")]
    [InlineData("200 text body echoes the key")]
    [InlineData("200 JSON error echoes the key")]
    [InlineData("200 HTML page echoes the key")]
    [InlineData("429 too long a wait, echoes the key")]
    [InlineData("500 forever, echoes the key, retried")]
    [InlineData("500 with the key as x-request-id")]
    [InlineData("cut body with the key as x-request-id")]
    public async Task KeyAppearsInNoErrorAndNoLogMessage(string failure)
    {
        var options = new EmulatorOptions { RequiredApiKey = failure.StartsWith("401", StringComparison.Ordinal) ? "tk-the-one-the-server-wants-000000" : Key };
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync(options);
        FaultRule? rule = Rule(failure);
        if (rule is not null)
        {
            harness.Server.AddFault(rule);
        }

        var log = new RecordingLog();
        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(harness.Synthesizer(IntegrationHarness.FastRetries(), log: log), Text, new SpeechOptions(), harness.UserTarget("out.mp3")));

        // The server did get the key: the test is about what comes back from it.
        Assert.All(harness.SpeechRequests(), r => Assert.Equal("Bearer " + Key, r.Headers["Authorization"]));
        AssertNoKey(Texts(error).Concat(log.VerboseMessages).Concat(log.Debugs).Concat(log.Warnings));
        harness.AssertEmpty();
    }

    [Fact]
    public async Task KeyAppearsInNoLogMessage_OfASuccessfulLongDocument()
    {
        await using IntegrationHarness harness = await IntegrationHarness.StartAsync(new EmulatorOptions { RequiredApiKey = Key, SecondsPerCharacter = 0.001 });
        harness.Server.AddFault(new FaultRule { StatusCode = 503, Times = 1 });
        var log = new RecordingLog();

        DocumentResult result = await harness.SynthesizeAsync(harness.Synthesizer(log: log), LongText.Build(9_000), new SpeechOptions(), harness.UserTarget("out.mp3"));

        Assert.Equal(3, result.Chunks);
        Assert.NotEmpty(log.VerboseMessages);
        Assert.NotEmpty(log.Debugs);
        AssertNoKey(log.VerboseMessages.Concat(log.Debugs).Concat(log.Warnings));
    }

    private static FaultRule? Rule(string failure)
    {
        string echo = "Invalid credentials: " + Key + " is not valid for this deployment";
        var keyAsRequestId = new Dictionary<string, string> { ["x-request-id"] = Key };
        return failure switch
        {
            "401 wrong key" => null,
            "400 echoes the key (openai shape)" => new FaultRule { StatusCode = 400, ErrorShape = "openai", ErrorMessage = echo, ErrorCode = Key, Times = 0 },
            "400 echoes the key (text shape)" => new FaultRule { StatusCode = 400, ErrorShape = "text", ErrorMessage = echo, Times = 0 },
            "400 echoes the key (detail-list shape)" => new FaultRule { StatusCode = 400, ErrorShape = "detail-list", ErrorMessage = echo, Times = 0 },
            "403 HTML page titled with the key" => new FaultRule { StatusCode = 403, Body = "<html><head><title>Denied " + Key + "</title></head><body><h1>Key " + Key + " blocked</h1></body></html>", ContentType = "text/html", Times = 0 },
            "200 text body echoes the key" => new FaultRule { StatusCode = 200, Body = echo, ContentType = "text/plain", Times = 0 },
            "200 JSON error echoes the key" => new FaultRule { StatusCode = 200, Body = "{\"error\":{\"message\":\"" + echo + "\",\"code\":\"" + Key + "\"}}", ContentType = "application/json", Times = 0 },
            "200 HTML page echoes the key" => new FaultRule { StatusCode = 200, Body = "<html><head><title>" + echo + "</title></head><body>" + echo + "</body></html>", ContentType = "text/html", Times = 0 },
            "429 too long a wait, echoes the key" => new FaultRule { StatusCode = 429, ErrorMessage = echo, Headers = new Dictionary<string, string> { ["Retry-After"] = "600" }, Times = 0 },
            "500 forever, echoes the key, retried" => new FaultRule { StatusCode = 500, ErrorMessage = echo, Times = 0 },
            "500 with the key as x-request-id" => new FaultRule { StatusCode = 500, Headers = keyAsRequestId, Times = 0 },
            "cut body with the key as x-request-id" => new FaultRule { CutAfterBytes = 500, Headers = keyAsRequestId, Times = 0 },
            _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
        };
    }

    private static IEnumerable<string?> Texts(Exception error)
    {
        yield return error.ToString();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e.Message;
            if (e is TtsException tts)
            {
                yield return tts.ServerMessage;
                yield return tts.ServerCode;
                yield return tts.Hint;
                yield return tts.RequestId;
            }
        }
    }

    /// <summary>Neither the key nor a telling piece of it (its first or last 16 characters).</summary>
    private static void AssertNoKey(IEnumerable<string?> texts)
    {
        string[] pieces = { Key, Key.Substring(0, 16), Key.Substring(Key.Length - 16) };
        foreach (string text in texts.Where(t => t is not null).Select(t => t!))
        {
            foreach (string piece in pieces)
            {
                Assert.False(text.Contains(piece, StringComparison.Ordinal), $"The key leaked into: {text}");
            }
        }
    }
}
