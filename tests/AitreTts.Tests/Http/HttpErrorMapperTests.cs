using System;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;

namespace AitreTts.Tests.Http;

public sealed class HttpErrorMapperTests
{
    private const string Json = "application/json";
    private static readonly Uri OpenAI = new("https://api.openai.com/v1/audio/speech");

    private static string OpenAIError(string message, string? type = "invalid_request_error", string? code = null, string? param = null) =>
        "{\"error\":{\"message\":\"" + message + "\",\"type\":" + Quote(type) + ",\"param\":" + Quote(param) + ",\"code\":" + Quote(code) + "}}";

    private static string Quote(string? value) => value is null ? "null" : "\"" + value + "\"";

    public static TheoryData<int, string?, string, string, TtsErrorCategory> Statuses => new()
    {
        { 400, OpenAIError("Invalid value for 'voice'.", param: "voice"), "Bad Request", TtsErrorIds.BadRequest, TtsErrorCategory.InvalidArgument },
        { 422, "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"input\"],\"msg\":\"Field required\"}]}", "Unprocessable Entity", TtsErrorIds.BadRequest, TtsErrorCategory.InvalidArgument },
        { 401, OpenAIError("Incorrect API key provided: sk-abc***wxyz.", code: "invalid_api_key"), "Unauthorized", TtsErrorIds.AuthenticationFailed, TtsErrorCategory.AuthenticationError },
        { 402, "{\"error\":{\"message\":\"Insufficient credits.\",\"type\":\"payment_required\"}}", "Payment Required", TtsErrorIds.QuotaExceeded, TtsErrorCategory.QuotaExceeded },
        { 403, OpenAIError("Country, region, or territory not supported", code: "unsupported_country_region_territory"), "Forbidden", TtsErrorIds.PermissionDenied, TtsErrorCategory.PermissionDenied },
        { 404, "{\"detail\":\"Not Found\"}", "Not Found", TtsErrorIds.EndpointNotFound, TtsErrorCategory.ObjectNotFound },
        { 405, "{\"detail\":\"Method Not Allowed\"}", "Method Not Allowed", TtsErrorIds.EndpointNotFound, TtsErrorCategory.ObjectNotFound },
        { 407, "", "Proxy Authentication Required", TtsErrorIds.AuthenticationFailed, TtsErrorCategory.AuthenticationError },
        { 408, "", "Request Timeout", TtsErrorIds.Timeout, TtsErrorCategory.OperationTimeout },
        { 409, OpenAIError("Another request holds the lock.", type: "conflict"), "Conflict", TtsErrorIds.HttpError, TtsErrorCategory.ResourceUnavailable },
        { 413, "<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity Too Large</h1></center><hr><center>nginx</center></body></html>", "Request Entity Too Large", TtsErrorIds.InputTooLong, TtsErrorCategory.LimitsExceeded },
        { 429, OpenAIError("Rate limit reached for tts-1 in organization org-x on requests per min (RPM): Limit 3, Used 3, Requested 1.", type: "requests", code: "rate_limit_exceeded"), "Too Many Requests", TtsErrorIds.RateLimited, TtsErrorCategory.LimitsExceeded },
        { 429, OpenAIError("You exceeded your current quota, please check your plan and billing details.", type: "insufficient_quota", code: "insufficient_quota"), "Too Many Requests", TtsErrorIds.QuotaExceeded, TtsErrorCategory.QuotaExceeded },
        { 429, OpenAIError("You exceeded your current quota, please check your plan and billing details.", type: "insufficient_quota"), "Too Many Requests", TtsErrorIds.QuotaExceeded, TtsErrorCategory.QuotaExceeded },
        { 429, "You exceeded your current quota, please check your plan and billing details.", "Too Many Requests", TtsErrorIds.QuotaExceeded, TtsErrorCategory.QuotaExceeded },
        { 429, "{\"error\":{\"code\":\"429\",\"message\":\"Requests to the Audio_Speech Operation have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second.\"}}", "Too Many Requests", TtsErrorIds.RateLimited, TtsErrorCategory.LimitsExceeded },
        { 403, OpenAIError("You exceeded your current quota.", type: "insufficient_quota", code: "insufficient_quota"), "Forbidden", TtsErrorIds.QuotaExceeded, TtsErrorCategory.QuotaExceeded },
        { 500, OpenAIError("The server had an error while processing your request. Sorry about that!", type: "server_error"), "Internal Server Error", TtsErrorIds.ServerError, TtsErrorCategory.ResourceUnavailable },
        { 502, "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>", "Bad Gateway", TtsErrorIds.ServerError, TtsErrorCategory.ResourceUnavailable },
        { 503, "upstream connect error or disconnect/reset before headers", "Service Unavailable", TtsErrorIds.ServerError, TtsErrorCategory.ResourceUnavailable },
        { 504, "", "Gateway Timeout", TtsErrorIds.ServerError, TtsErrorCategory.ResourceUnavailable },
        { 529, "{\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}", "Site is overloaded", TtsErrorIds.ServerError, TtsErrorCategory.ResourceUnavailable },
        { 418, "I'm a teapot", "I'm a teapot", TtsErrorIds.HttpError, TtsErrorCategory.NotSpecified },
        { 302, "", "Found", TtsErrorIds.HttpError, TtsErrorCategory.ProtocolError },
        { 600, "", "Odd", TtsErrorIds.HttpError, TtsErrorCategory.ProtocolError },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void FromResponse_MapsEachStatusToOneErrorIdAndCategory(int status, string? body, string reason, string errorId, TtsErrorCategory category)
    {
        string contentType = body is not null && body.StartsWith("<", StringComparison.Ordinal) ? "text/html" : Json;

        TtsException error = HttpErrorMapper.FromResponse(status, reason, contentType, body, "req_42", OpenAI, 1);

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(category, error.Category);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains("(HTTP " + status + " " + reason + ")", error.Message);
        Assert.Contains(" Request id: req_42.", error.Message);
        if (error.ServerMessage is not null)
        {
            Assert.Contains(": \"" + error.ServerMessage + "\"", error.Message);
        }
    }

    [Fact]
    public void FromResponse_BlamesTheProxyForA407_AndNamesTheWaysToGiveItCredentials()
    {
        TtsException error = HttpErrorMapper.FromResponse(407, "Proxy Authentication Required", null, string.Empty, null, OpenAI, 1);

        Assert.StartsWith("The proxy asked for credentials (HTTP 407 Proxy Authentication Required)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("speech server refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("-ProxyCredential", error.Hint, StringComparison.Ordinal);
        Assert.Contains("-ProxyUseDefaultCredentials", error.Hint, StringComparison.Ordinal);
        Assert.Contains("HTTP_PROXY/HTTPS_PROXY", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void FromResponse_QuotesTheServerTheStatusAndTheRequestId()
    {
        string body = OpenAIError("Incorrect API key provided: sk-abc***wxyz.", code: "invalid_api_key");

        TtsException error = HttpErrorMapper.FromResponse(401, "Unauthorized", Json, body, "req_123", OpenAI, 1);

        Assert.StartsWith(
            "The speech server refused the API key (HTTP 401 Unauthorized): \"Incorrect API key provided: sk-abc***wxyz.\". Request id: req_123. ",
            error.Message);
        Assert.EndsWith(error.Hint!, error.Message);
        Assert.Contains("api.openai.com", error.Hint);
        Assert.Equal("req_123", error.RequestId);
        Assert.Equal("Incorrect API key provided: sk-abc***wxyz.", error.ServerMessage);
        Assert.Equal("invalid_api_key", error.ServerCode);
        Assert.Equal(1, error.Attempts);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public void FromResponse_UsesTheTypeWhenThereIsNoCode()
    {
        TtsException error = HttpErrorMapper.FromResponse(500, "Internal Server Error", Json, OpenAIError("Boom", type: "server_error"), null, OpenAI, 1);

        Assert.Equal("server_error", error.ServerCode);
    }

    [Theory]
    [InlineData(429, null, "HTTP 429 Too Many Requests")]
    [InlineData(503, "", "HTTP 503 Service Unavailable")]
    [InlineData(499, null, "HTTP 499")]
    [InlineData(500, "Kaputt", "HTTP 500 Kaputt")]
    public void FromResponse_FallsBackToTheStandardReasonPhrase(int status, string? reason, string expected)
    {
        TtsException error = HttpErrorMapper.FromResponse(status, reason, null, null, null, OpenAI, 1);

        Assert.Contains("(" + expected + ")", error.Message);
    }

    [Fact]
    public void FromResponse_SaysHowManyAttemptsWereMade()
    {
        TtsException error = HttpErrorMapper.FromResponse(503, "Service Unavailable", null, "", "req_9", OpenAI, 3);

        Assert.Equal(3, error.Attempts);
        Assert.StartsWith("The speech server is unavailable or overloaded (HTTP 503 Service Unavailable), with an empty body. Request id: req_9. Gave up after 3 attempts. ", error.Message);
    }

    [Fact]
    public void FromResponse_LeavesOutAMissingRequestId()
    {
        TtsException error = HttpErrorMapper.FromResponse(500, "Internal Server Error", "text/plain", "oops", null, OpenAI, 0);

        Assert.DoesNotContain("Request id", error.Message);
        Assert.Null(error.RequestId);
        Assert.Equal(1, error.Attempts);
        Assert.StartsWith("The speech server failed with an internal error (HTTP 500 Internal Server Error): \"oops\". This is usually temporary", error.Message);
    }

    [Fact]
    public void FromResponse_SaysAnHtmlPageCameFromAProxy()
    {
        TtsException error = HttpErrorMapper.FromResponse(502, "Bad Gateway", "text/html", "<html><head><title>502 Bad Gateway</title></head></html>", null, OpenAI, 1);

        Assert.StartsWith("A gateway in front of the speech server got no valid answer from it (HTTP 502 Bad Gateway): \"502 Bad Gateway\" (an HTML page, so likely from a proxy or gateway).", error.Message);
        Assert.DoesNotContain("<", error.Message);
    }

    [Fact]
    public void FromResponse_NamesTheCodeWhenTheServerGaveNoMessage()
    {
        TtsException error = HttpErrorMapper.FromResponse(503, "Service Unavailable", Json, "{\"error\":{\"code\":\"engine_overloaded\"}}", null, OpenAI, 1);

        Assert.Contains("(HTTP 503 Service Unavailable), code \"engine_overloaded\".", error.Message);
    }

    [Fact]
    public void FromResponse_PointsAtTheParameterOfABadRequest()
    {
        string body = "{\"detail\":[{\"type\":\"less_than_equal\",\"loc\":[\"body\",\"speed\"],\"msg\":\"Input should be less than or equal to 4\"}]}";

        TtsException error = HttpErrorMapper.FromResponse(422, "Unprocessable Entity", Json, body, null, new Uri("http://localhost:8880/v1/audio/speech"), 1);

        Assert.Equal(
            "The speech server rejected the request (HTTP 422 Unprocessable Entity): \"body.speed: Input should be less than or equal to 4\". Check the value of 'speed'.",
            error.Message);
        Assert.Equal("less_than_equal", error.ServerCode);
    }

    [Fact]
    public void FromResponse_ShowsTheUrlWithoutQueryOrUserInfo()
    {
        var uri = new Uri("https://user:hunter2@gateway.example.com/v1/v1/audio/speech?token=abc");

        TtsException error = HttpErrorMapper.FromResponse(404, "Not Found", null, null, null, uri, 1);

        Assert.Contains("The speech endpoint https://gateway.example.com/v1/v1/audio/speech was not found", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
        Assert.DoesNotContain("token=abc", error.Message);
    }

    [Theory]
    [InlineData("https://myres.openai.azure.com/openai/deployments/tts-hd/audio/speech?api-version=2025-03-01-preview", "https://myres.openai.azure.com")]
    [InlineData("https://myres.openai.azure.com/v1/audio/speech", "https://myres.openai.azure.com")]
    [InlineData("https://myres.cognitiveservices.azure.com/openai/v1/audio/speech", "https://myres.cognitiveservices.azure.com")]
    [InlineData("https://apim.contoso.com/openai/deployments/tts/audio/speech?api-version=2024-10-21", "https://apim.contoso.com")]
    [InlineData("https://MyRes.OpenAI.Azure.com:443/openai/deployments//audio/speech", "https://myres.openai.azure.com")]
    public void FromResponse_ExplainsAzureDeploymentsOnA404(string url, string endpoint)
    {
        TtsException error = HttpErrorMapper.FromResponse(404, "Not Found", Json,
            "{\"error\":{\"code\":\"404\",\"message\":\"Resource not found\"}}", "req_az", new Uri(url), 1);

        Assert.Equal(TtsErrorIds.EndpointNotFound, error.ErrorId);
        Assert.Contains("deployment", error.Hint);
        Assert.Contains(endpoint + "/openai/deployments/{deployment}/audio/speech?api-version=", error.Hint);
        Assert.Contains(endpoint + "/openai/v1/audio/speech", error.Hint);
        Assert.DoesNotContain("api.openai.com", error.Hint);
        Assert.Contains(error.Hint!, error.Message);
    }

    [Fact]
    public void FromResponse_NamesAMissingAzureDeployment()
    {
        var uri = new Uri("https://myres.openai.azure.com/openai/deployments/tts-hd/audio/speech?api-version=2025-03-01-preview");
        string body = "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for this resource does not exist.\"}}";

        TtsException error = HttpErrorMapper.FromResponse(404, "Not Found", Json, body, null, uri, 1);

        Assert.StartsWith("The Azure OpenAI deployment in https://myres.openai.azure.com/openai/deployments/tts-hd/audio/speech was not found (HTTP 404 Not Found): \"The API deployment for this resource does not exist.\".", error.Message);
        Assert.Equal("DeploymentNotFound", error.ServerCode);
    }

    [Theory]
    [InlineData("https://api.openai.com/v1/v1/audio/speech", "/v1 twice")]
    [InlineData("https://api.openai.com/v1/audio/speech/v1/audio/speech", "/audio/speech twice")]
    [InlineData("http://localhost:8880/v1/audio/speech", "server root")]
    [InlineData("http://localhost:8880/api/v1/audio/speech", "without /v1/audio/speech")]
    [InlineData("http://localhost:8880//v1/audio/speech", "empty segment (//)")]
    public void FromResponse_ExplainsBaseUrlOnA404ElsewhereThanAzure(string url, string expected)
    {
        TtsException error = HttpErrorMapper.FromResponse(404, "Not Found", Json, "{\"detail\":\"Not Found\"}", null, new Uri(url), 1);

        Assert.Equal(TtsErrorIds.EndpointNotFound, error.ErrorId);
        Assert.Equal(TtsErrorCategory.ObjectNotFound, error.Category);
        Assert.Contains(expected, error.Hint);
        Assert.Contains("https://api.openai.com", error.Hint);
        Assert.DoesNotContain("Azure", error.Hint);
        Assert.Contains("\"Not Found\"", error.Message);
    }

    [Fact]
    public void FromResponse_SaysNoKeyIsSetWithoutInventingOneHeldBack()
    {
        var uri = new Uri("http://127.0.0.1:5000/v1/audio/speech");
        TtsException none = HttpErrorMapper.FromResponse(401, "Unauthorized", Json, OpenAIError("Missing key"), null, uri, 1, keySent: false);
        Assert.Equal(TtsErrorIds.AuthenticationFailed, none.ErrorId);
        Assert.Equal("No API key is set for 127.0.0.1. Pass -ApiKey, or store a key for this server with 'Set-TtsConfiguration -BaseUrl <url> -ApiKey <key>' (or set AITRE_API_KEY).", none.Hint);
        Assert.DoesNotContain("another server", none.Message);
        Assert.DoesNotContain("held back", none.Message);

        TtsException heldBack = HttpErrorMapper.FromResponse(401, "Unauthorized", Json, OpenAIError("Missing key"), null, uri, 1, keySent: false,
            heldBackKeyReason: "the API key from File belongs to https://api.openai.com, not http://127.0.0.1:5000 (another host and port), so it was held back");
        Assert.StartsWith("A key was held back: the API key from File belongs to https://api.openai.com, not http://127.0.0.1:5000 (another host and port)", heldBack.Hint);
    }

    [Fact]
    public void FromResponse_TellsAnUnknownModelFromAWrongUrl()
    {
        string body = OpenAIError("The model `tts-2` does not exist or you do not have access to it.", code: "model_not_found");

        TtsException error = HttpErrorMapper.FromResponse(404, "Not Found", Json, body, "req_m", OpenAI, 1);

        Assert.Equal(TtsErrorIds.EndpointNotFound, error.ErrorId);
        Assert.StartsWith("The speech server does not offer the requested model (HTTP 404 Not Found): \"The model `tts-2` does not exist", error.Message);
        Assert.Contains("model name", error.Hint);
        Assert.DoesNotContain("BaseUrl", error.Hint);
    }

    [Fact]
    public void FromResponse_ExplainsA405AsAWrongUrl()
    {
        TtsException error = HttpErrorMapper.FromResponse(405, null, "text/html", "<html><title>405 Not Allowed</title></html>", null, new Uri("https://example.com/v1/audio/speech"), 1);

        Assert.StartsWith("The server at https://example.com/v1/audio/speech does not take speech requests there (POST not allowed) (HTTP 405 Method Not Allowed)", error.Message);
        Assert.Contains("server root", error.Hint);
    }

    [Fact]
    public void FromResponse_TellsQuotaFromRateLimit()
    {
        string quota = OpenAIError("You exceeded your current quota, please check your plan and billing details.", type: "insufficient_quota", code: "insufficient_quota");
        string rate = OpenAIError("Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded");

        TtsException quotaError = HttpErrorMapper.FromResponse(429, "Too Many Requests", Json, quota, "req_q", OpenAI, 1);
        TtsException rateError = HttpErrorMapper.FromResponse(429, "Too Many Requests", Json, rate, "req_r", OpenAI, 3);

        Assert.Equal(TtsErrorIds.QuotaExceeded, quotaError.ErrorId);
        Assert.Equal(TtsErrorCategory.QuotaExceeded, quotaError.Category);
        Assert.Equal("insufficient_quota", quotaError.ServerCode);
        Assert.StartsWith("The speech account has no quota or credit left (HTTP 429 Too Many Requests): \"You exceeded your current quota", quotaError.Message);
        Assert.Contains("billing", quotaError.Hint);

        Assert.Equal(TtsErrorIds.RateLimited, rateError.ErrorId);
        Assert.Equal(TtsErrorCategory.LimitsExceeded, rateError.Category);
        Assert.StartsWith("The speech server's rate limit was reached (HTTP 429 Too Many Requests): \"Rate limit reached for requests\". Request id: req_r. Gave up after 3 attempts.", rateError.Message);
        Assert.Contains("-MaximumRetryCount", rateError.Hint);
    }

    [Theory]
    [InlineData("insufficient_quota", null, null, true)]
    [InlineData(null, "insufficient_quota", null, true)]
    [InlineData("INSUFFICIENT_QUOTA", null, null, true)]
    [InlineData(null, null, "You exceeded your current quota, please check your plan and billing details.", true)]
    [InlineData(null, null, "429 insufficient_quota from upstream", true)]
    [InlineData("rate_limit_exceeded", "requests", "Rate limit reached for tts-1", false)]
    [InlineData("429", null, "Requests have exceeded call rate limit of your current OpenAI S0 pricing tier.", false)]
    [InlineData(null, null, null, false)]
    public void IsQuotaExhausted_LooksAtCodeTypeAndOpenAIsMessage(string? code, string? type, string? message, bool expected)
    {
        Assert.Equal(expected, HttpErrorMapper.IsQuotaExhausted(new ServerError { Code = code, Type = type, Message = message }));
    }

    [Fact]
    public void FromNonAudioSuccess_QuotesAJsonErrorSentWithStatus200()
    {
        string body = OpenAIError("Invalid voice 'bob'.", code: "invalid_voice");

        TtsException error = HttpErrorMapper.FromNonAudioSuccess("application/json; charset=utf-8", body, "req_200", OpenAI);

        Assert.Equal(TtsErrorIds.UnexpectedResponse, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidData, error.Category);
        Assert.Equal(200, error.StatusCode);
        Assert.Equal("req_200", error.RequestId);
        Assert.Equal("Invalid voice 'bob'.", error.ServerMessage);
        Assert.Equal("invalid_voice", error.ServerCode);
        Assert.StartsWith(
            "The speech server answered HTTP 200 OK with a JSON error instead of audio (Content-Type: application/json; charset=utf-8): \"Invalid voice 'bob'.\". Request id: req_200. Some gateways",
            error.Message);
    }

    [Fact]
    public void FromNonAudioSuccess_DescribesAnHtmlPage()
    {
        string body = "<!DOCTYPE html><html><head><title>Sign in - Contoso Portal</title></head><body><h1>Sign in</h1><form></form></body></html>";

        TtsException error = HttpErrorMapper.FromNonAudioSuccess("text/html", body, null, new Uri("https://tts.contoso.com/v1/audio/speech"));

        Assert.Equal(TtsErrorIds.UnexpectedResponse, error.ErrorId);
        Assert.StartsWith("The speech server answered HTTP 200 OK with an HTML page instead of audio (Content-Type: text/html): \"Sign in - Contoso Portal\".", error.Message);
        Assert.Contains("login page", error.Hint);
        Assert.Contains("https://tts.contoso.com/v1/audio/speech", error.Hint);
        Assert.DoesNotContain("<", error.Message);
    }

    [Fact]
    public void FromNonAudioSuccess_DescribesText()
    {
        TtsException error = HttpErrorMapper.FromNonAudioSuccess(null, "queue full, try later", null, OpenAI);

        Assert.Equal(TtsErrorIds.UnexpectedResponse, error.ErrorId);
        Assert.StartsWith("The speech server answered HTTP 200 OK with text instead of audio (Content-Type: none): \"queue full, try later\".", error.Message);
    }

    [Theory]
    [InlineData("audio/mpeg", "", "The speech server answered HTTP 200 OK but sent no audio: the body was empty (Content-Type: audio/mpeg).")]
    [InlineData(null, null, "The speech server answered HTTP 200 OK but sent no audio: the body was empty.")]
    public void FromNonAudioSuccess_ReportsAnEmptyBody(string? contentType, string? body, string expectedStart)
    {
        TtsException error = HttpErrorMapper.FromNonAudioSuccess(contentType, body, "req_e", OpenAI);

        Assert.Equal(TtsErrorIds.EmptyResponse, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidResult, error.Category);
        Assert.Equal(200, error.StatusCode);
        Assert.StartsWith(expectedStart + " Request id: req_e. ", error.Message);
        Assert.Null(error.ServerMessage);
    }
}
