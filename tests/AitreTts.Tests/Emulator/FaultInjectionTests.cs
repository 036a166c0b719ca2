using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using TtsEmulator;

namespace AitreTts.Tests.Emulator;

/// <summary>Each misbehaviour the reliability tests need, observed from a real HTTP client.</summary>
public sealed class FaultInjectionTests
{
    [Fact]
    public async Task StatusFault_AnswersWithRetryHeadersOnce_ThenAudioAgain()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule
        {
            StatusCode = 429,
            Headers = new Dictionary<string, string> { ["Retry-After"] = "3", ["retry-after-ms"] = "3000", ["x-should-retry"] = "true" },
        });
        using var client = new HttpClient();

        using HttpResponseMessage limited = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body());
        JsonElement error = await EmulatorClient.ErrorOf(limited);
        using HttpResponseMessage next = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body());

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), limited.Headers.RetryAfter?.Delta);
        Assert.Equal("3000", EmulatorClient.HeaderOf(limited, "retry-after-ms"));
        Assert.Equal("true", EmulatorClient.HeaderOf(limited, "x-should-retry"));
        Assert.Matches("^req_[0-9a-f]{32}$", EmulatorClient.HeaderOf(limited, "x-request-id"));
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(new[] { 429, 200 }, server.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task QuotaFault_CarriesInsufficientQuota()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { StatusCode = 429, ErrorCode = "insufficient_quota" });
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body());
        JsonElement error = await EmulatorClient.ErrorOf(response);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("insufficient_quota", error.GetProperty("code").GetString());
        Assert.Equal("insufficient_quota", error.GetProperty("type").GetString());
        Assert.Contains("quota", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai", "application/json", "error.message")]
    [InlineData("flat", "application/json", "message")]
    [InlineData("detail-object", "application/json", "detail.message")]
    [InlineData("detail-list", "application/json", "detail.0.msg")]
    [InlineData("text", "text/plain", null)]
    [InlineData("html", "text/html", null)]
    public async Task ErrorShape_PutsTheMessageWhereThatServerWould(string shape, string contentType, string? jsonPath)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { StatusCode = 502, ErrorShape = shape, ErrorMessage = "upstream fell over", ErrorCode = "bad_gateway", ErrorType = "server_error" });
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body());
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        if (jsonPath is null)
        {
            Assert.Contains("upstream fell over", body, StringComparison.Ordinal);
            Assert.Equal(shape == "html", body.StartsWith("<html", StringComparison.Ordinal));
            return;
        }

        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement node = json.RootElement;
        foreach (string step in jsonPath.Split('.'))
        {
            node = int.TryParse(step, out int index) ? node[index] : node.GetProperty(step);
        }

        Assert.Equal("upstream fell over", node.GetString());
        if (shape == "openai")
        {
            Assert.Equal("bad_gateway", json.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal("server_error", json.RootElement.GetProperty("error").GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task BodyFault_CanAnswer200WithJsonInsteadOfAudio()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { StatusCode = 200, Body = "{\"status\":\"queued\"}", ContentType = "application/json" });
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"status\":\"queued\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CutAfterBytes_PromisesTheFullLengthThenDropsTheConnection()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { CutAfterBytes = 20_000 });
        using var client = new HttpClient();
        using HttpRequestMessage request = EmulatorClient.Speech(server, EmulatorClient.Body(new string('w', 100), format: "wav"));

        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        long received = 0;
        var buffer = new byte[8192];
        IOException failure = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received += read;
            }
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(44 + (2 * 144_000), response.Content.Headers.ContentLength);
        Assert.Equal(20_000, received);
        Assert.NotNull(failure);
        Assert.Equal(200, server.Requests.Single().StatusCode);
    }

    [Fact]
    public async Task StallAfterBytes_SendsThePrefixThenGoesQuiet_ThenFinishes()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { StallAfterBytes = 1000, StallSeconds = 2.0 });
        using var client = new HttpClient();
        using HttpRequestMessage request = EmulatorClient.Speech(server, EmulatorClient.Body(format: "wav"));

        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var watch = Stopwatch.StartNew(); // from the headers: the prefix follows them at once
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[100_000];
        long total = 0;
        while (total < 1000)
        {
            total += await stream.ReadAsync(buffer.AsMemory((int)total));
        }

        long prefixAt = watch.ElapsedMilliseconds;
        long prefix = total;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory((int)total))) > 0)
        {
            total += read;
        }

        long endAt = watch.ElapsedMilliseconds;
        Assert.Equal(1000, prefix); // the prefix came in on its own, nothing more until the stall ended
        Assert.Equal(response.Content.Headers.ContentLength, total);
        Assert.True(prefixAt < 1200, $"prefix after {prefixAt} ms");
        Assert.True(endAt >= 1900, $"rest after {endAt} ms");
    }

    [Fact]
    public async Task StallThenAbort_EndsInAnIOException()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { StallAfterBytes = 500, StallSeconds = 0.3, AbortAfterStall = true });
        using var client = new HttpClient();
        using HttpRequestMessage request = EmulatorClient.Speech(server, EmulatorClient.Body(format: "flac"));

        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        await using Stream stream = await response.Content.ReadAsStreamAsync();
        var sink = new MemoryStream();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<IOException>(() => stream.CopyToAsync(sink));
        Assert.Equal(500, sink.Length);
    }

    [Fact]
    public async Task DelayHeaders_ClientTimeoutWins_AndTheServerStopsWaiting()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { DelayHeadersSeconds = 60 });
        using var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body()));

        // The server notices the disconnect (RequestAborted) and records the request as abandoned, long before 60 s.
        while (server.Requests.Count == 0 && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        Assert.Equal(499, server.Requests.Single().StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task DelayHeaders_ShortDelayStillAnswers()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { DelayHeadersSeconds = 0.4 });
        using var client = new HttpClient();
        var watch = Stopwatch.StartNew();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.ElapsedMilliseconds >= 390, $"answered after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Times_CountsMatchingRequests_AndZeroMeansForever()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();
        async Task<int> Status()
        {
            using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(format: "pcm"));
            return (int)response.StatusCode;
        }

        server.AddFault(new FaultRule { StatusCode = 503, Times = 2 });
        int[] counted = { await Status(), await Status(), await Status() };
        server.AddFault(new FaultRule { StatusCode = 500, Times = 0 });
        int[] forever = { await Status(), await Status(), await Status(), await Status() };
        server.ClearFaults();
        int cleared = await Status();

        Assert.Equal(new[] { 503, 503, 200 }, counted);
        Assert.Equal(new[] { 500, 500, 500, 500 }, forever);
        Assert.Equal(200, cleared);
    }

    [Fact]
    public async Task Rules_MatchByInputAndPath_InTheOrderAdded()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { VoicesShape = VoicesEndpointShape.Objects });
        server.AddFault(new FaultRule { InputContains = "poison", StatusCode = 400, ErrorMessage = "first rule", Times = 0 });
        server.AddFault(new FaultRule { InputContains = "poison", StatusCode = 500, Times = 0 });
        server.AddFault(new FaultRule { PathContains = "/voices", StatusCode = 503, Times = 0 });
        using var client = new HttpClient();

        using HttpResponseMessage poisoned = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("a poison pill"));
        JsonElement error = await EmulatorClient.ErrorOf(poisoned);
        using HttpResponseMessage clean = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body("a clean sentence"));
        using var voicesRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "/v1/audio/voices"));
        voicesRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", EmulatorClient.Key);
        using HttpResponseMessage voices = await client.SendAsync(voicesRequest);

        Assert.Equal(HttpStatusCode.BadRequest, poisoned.StatusCode);
        Assert.Equal("first rule", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, clean.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, voices.StatusCode);
    }

    [Fact]
    public async Task HeadersOnlyFault_DecoratesANormalSuccess()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.AddFault(new FaultRule { Headers = new Dictionary<string, string> { ["x-should-retry"] = "false" } });
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(format: "opus"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/ogg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("false", EmulatorClient.HeaderOf(response, "x-should-retry"));
    }

    [Fact]
    public async Task AddFault_RefusesAnUnknownShape()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();

        ArgumentException error = Assert.Throws<ArgumentException>(() => server.AddFault(new FaultRule { ErrorShape = "xml" }));

        Assert.Contains("xml", error.Message, StringComparison.Ordinal);
    }
}
