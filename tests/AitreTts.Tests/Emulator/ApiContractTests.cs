using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using TtsEmulator;

namespace AitreTts.Tests.Emulator;

/// <summary>Authentication, validation and the side routes, as the real API answers them.</summary>
public sealed class ApiContractTests
{
    [Fact]
    public async Task NoCredentials_Is401WithOpenAIErrorAndRequestId()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(), key: null);
        JsonElement error = await EmulatorClient.ErrorOf(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.Contains("didn't provide an API key", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Matches("^req_[0-9a-f]{32}$", EmulatorClient.HeaderOf(response, "x-request-id"));
        Assert.Matches("^[0-9]+$", EmulatorClient.HeaderOf(response, "openai-processing-ms"));
    }

    [Fact]
    public async Task WrongKey_Is401AndTheKeyIsNotEchoedInFull()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { RequiredApiKey = "sk-right-key-000" });
        using var client = new HttpClient();

        using HttpResponseMessage wrong = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(), key: "sk-wrong-secret-1234");
        string body = await wrong.Content.ReadAsStringAsync();
        using HttpResponseMessage right = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(), key: "sk-right-key-000");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("Incorrect API key provided", body, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"invalid_api_key\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wrong-secret-1234", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task AnyNonEmptyKey_IsAcceptedWhenNoKeyIsRequired()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(), key: "anything");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType); // mp3 is the default format
    }

    [Fact]
    public async Task AllowAnonymous_AcceptsNoCredentialsButStillRefusesAWrongKey()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true, RequiredApiKey = "local" });
        using var client = new HttpClient();

        using HttpResponseMessage anonymous = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(), key: null);
        using HttpResponseMessage wrong = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(), key: "not-local");

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Theory]
    [InlineData("{\"input\":\"hi\",\"voice\":\"alloy\"}", "model", "missing_required_parameter")]
    [InlineData("{\"model\":\"tts-1\",\"voice\":\"alloy\"}", "input", "missing_required_parameter")]
    [InlineData("{\"model\":\"tts-1\",\"input\":\"hi\"}", "voice", "missing_required_parameter")]
    [InlineData("{\"model\":\"tts-1\",\"input\":\"hi\",\"voice\":\"bella\"}", "voice", "invalid_value")]
    [InlineData("{\"model\":\"tts-1\",\"input\":\"hi\",\"voice\":\"alloy\",\"response_format\":\"ogg\"}", "response_format", "invalid_value")]
    [InlineData("{\"model\":\"tts-1\",\"input\":\"hi\",\"voice\":\"alloy\",\"speed\":0.2}", "speed", "decimal_below_min_value")]
    [InlineData("{\"model\":\"tts-1\",\"input\":\"hi\",\"voice\":\"alloy\",\"speed\":4.5}", "speed", "decimal_above_max_value")]
    [InlineData("{\"model\":\"tts-1\",\"input\":\"hi\",\"voice\":\"alloy\",\"speed\":\"fast\"}", "speed", "invalid_type")]
    [InlineData("{\"model\":\"tts-1\",\"input\":42,\"voice\":\"alloy\"}", "input", "invalid_type")]
    [InlineData("{\"model\":\"tts-1\",\"input\":\"hi\",\"voice\":\"alloy\",\"stream_format\":\"sse\"}", "stream_format", "unsupported_value")]
    public async Task InvalidBody_Is400NamingTheParameter(string json, string param, string code)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, json);
        JsonElement error = await EmulatorClient.ErrorOf(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("{\"model\":\"tts-1\",")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task UnparsableBody_Is400(string body)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, body);
        JsonElement error = await EmulatorClient.ErrorOf(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("could not parse the JSON body", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputLimit_Is4096CharactersCountedAsCodePoints()
    {
        // Short audio per character keeps the 4096-character success fast.
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { SecondsPerCharacter = 0.0005 });
        using var client = new HttpClient();

        using HttpResponseMessage atLimit = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(new string('a', 4096), format: "pcm"));
        using HttpResponseMessage emoji = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(string.Concat(Enumerable.Repeat("\U0001F600", 4096)), format: "pcm"));
        using HttpResponseMessage over = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(new string('a', 4097), format: "pcm"));
        JsonElement error = await EmulatorClient.ErrorOf(over);

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.OK, emoji.StatusCode); // 8192 UTF-16 units, 4096 characters
        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        Assert.Equal("input", error.GetProperty("param").GetString());
        Assert.Equal("string_above_max_length", error.GetProperty("code").GetString());
        Assert.Contains("4097", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomVoices_ReplaceTheOpenAIOnes()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Voices = new[] { "af_bella", "am_adam" } });
        using var client = new HttpClient();

        using HttpResponseMessage kokoro = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(voice: "af_bella", model: "kokoro"));
        using HttpResponseMessage openai = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body(voice: "alloy"));

        Assert.Equal(HttpStatusCode.OK, kokoro.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, openai.StatusCode);
    }

    [Fact]
    public async Task AzureDeploymentRoute_TakesApiKeyAndNeedsApiVersion()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { RequiredApiKey = "azure-key" });
        using var client = new HttpClient();

        async Task<HttpResponseMessage> Post(string path, string? apiKey)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, path))
            {
                Content = new StringContent(JsonSerializer.Serialize(EmulatorClient.Body(format: "aac", model: null)), System.Text.Encoding.UTF8, "application/json"),
            };
            if (apiKey is not null)
            {
                request.Headers.Add("api-key", apiKey);
            }

            return await client.SendAsync(request);
        }

        using HttpResponseMessage ok = await Post("/openai/deployments/my-tts/audio/speech?api-version=2025-03-01-preview", "azure-key");
        using HttpResponseMessage wrongKey = await Post("/openai/deployments/my-tts/audio/speech?api-version=2025-03-01-preview", "other");
        using HttpResponseMessage noVersion = await Post("/openai/deployments/my-tts/audio/speech", "azure-key");
        using HttpResponseMessage noDeployment = await Post("/openai/deployments//audio/speech?api-version=2025-03-01-preview", "azure-key");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("audio/aac", ok.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noVersion.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noDeployment.StatusCode);
        RecordedRequest recorded = server.Requests[0];
        Assert.Equal("/openai/deployments/my-tts/audio/speech", recorded.Path);
        Assert.Equal("?api-version=2025-03-01-preview", recorded.QueryString);
        Assert.Null(recorded.Model);
        Assert.Equal("azure-key", recorded.Headers["API-KEY"]);
    }

    [Fact]
    public async Task AzureV1Route_TakesApiKeyOrBearer_ButOpenAIRouteIgnoresApiKey()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { RequiredApiKey = "k1" });
        using var client = new HttpClient();

        async Task<HttpStatusCode> Post(string path, string header, string value)
        {
            using HttpRequestMessage request = EmulatorClient.Speech(server, EmulatorClient.Body(model: "gpt-4o-mini-tts"), key: null, path: path);
            request.Headers.TryAddWithoutValidation(header, value);
            using HttpResponseMessage response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await Post("/openai/v1/audio/speech", "api-key", "k1"));
        Assert.Equal(HttpStatusCode.OK, await Post("/openai/v1/audio/speech", "Authorization", "Bearer k1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post("/v1/audio/speech", "api-key", "k1"));
    }

    [Theory]
    [InlineData("/v1/audio/speech/")]
    [InlineData("//v1/audio/speech")]
    [InlineData("/audio/speech")]
    [InlineData("/v1/v1/audio/speech")]
    public async Task WrongUrl_Is404InvalidUrl(string path)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        using HttpRequestMessage request = EmulatorClient.Speech(server, EmulatorClient.Body(), path: "/");
        request.RequestUri = new Uri(server.BaseUrl.AbsoluteUri.TrimEnd('/') + path);
        using HttpResponseMessage response = await client.SendAsync(request);
        JsonElement error = await EmulatorClient.ErrorOf(response);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("Invalid URL (POST ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetOnSpeech_Is405()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();

        using HttpResponseMessage response = await client.GetAsync(new Uri(server.BaseUrl, "/v1/audio/speech"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", EmulatorClient.HeaderOf(response, "Allow"));
    }

    [Theory]
    [InlineData(VoicesEndpointShape.None, "", 404, null)]
    [InlineData(VoicesEndpointShape.Objects, "", 200, "{\"voices\":[{\"id\":\"af_bella\",\"name\":\"Bella\"},{\"id\":\"am_adam\",\"name\":\"Adam\"}]}")]
    [InlineData(VoicesEndpointShape.Objects, "?legacy=true", 200, "{\"voices\":[\"af_bella\",\"am_adam\"]}")]
    [InlineData(VoicesEndpointShape.LegacyStrings, "", 200, "{\"voices\":[\"af_bella\",\"am_adam\"]}")]
    public async Task Voices_AnswerInTheConfiguredShape(VoicesEndpointShape shape, string query, int status, string? expected)
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { VoicesShape = shape, Voices = new[] { "af_bella", "am_adam" }, AllowAnonymous = true });
        using var client = new HttpClient();

        using HttpResponseMessage response = await client.GetAsync(new Uri(server.BaseUrl, "/v1/audio/voices" + query));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(status, (int)response.StatusCode);
        if (expected is not null)
        {
            Assert.Equal(expected, body);
        }
    }

    [Fact]
    public async Task Models_ListInOpenAIShape_Or404WhenDisabled()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "/v1/models"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", EmulatorClient.Key);

        using HttpResponseMessage response = await client.SendAsync(request);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        server.Options.ModelsEndpoint = false;
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "/v1/models"));
        again.Headers.Authorization = request.Headers.Authorization;
        using HttpResponseMessage disabled = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list", json.RootElement.GetProperty("object").GetString());
        string[] ids = json.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
        // OpenAI's speech models, the dated snapshot included, and one that is not a speech model.
        Assert.Equal(new[] { "tts-1", "tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-12-15", "whisper-1" }, ids);
        Assert.All(json.RootElement.GetProperty("data").EnumerateArray(), m => Assert.Equal("model", m.GetProperty("object").GetString()));
        Assert.All(json.RootElement.GetProperty("data").EnumerateArray(), m => Assert.Equal(JsonValueKind.Null, m.GetProperty("shutdown_date").ValueKind));
        Assert.Equal(HttpStatusCode.NotFound, disabled.StatusCode);
    }

    [Fact]
    public async Task Models_GiveTheShutdownDatesSetInUnixSeconds()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync();
        server.Options.ModelShutdownDates = new Dictionary<string, DateTimeOffset> { ["tts-1"] = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "/v1/models"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", EmulatorClient.Key);

        using HttpResponseMessage response = await client.SendAsync(request);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        JsonElement[] models = json.RootElement.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(1798761600, models.Single(m => m.GetProperty("id").GetString() == "tts-1").GetProperty("shutdown_date").GetInt64());
        Assert.Equal(JsonValueKind.Null, models.Single(m => m.GetProperty("id").GetString() == "tts-1-hd").GetProperty("shutdown_date").ValueKind);
    }

    [Fact]
    public async Task Latency_DelaysTheHeaders()
    {
        await using EmulatorServer server = await EmulatorServer.StartAsync(new EmulatorOptions { Latency = TimeSpan.FromMilliseconds(300) });
        using var client = new HttpClient();
        var watch = System.Diagnostics.Stopwatch.StartNew();

        using HttpResponseMessage response = await EmulatorClient.PostSpeechAsync(client, server, EmulatorClient.Body());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.ElapsedMilliseconds >= 290, $"answered after {watch.ElapsedMilliseconds} ms");
    }
}
