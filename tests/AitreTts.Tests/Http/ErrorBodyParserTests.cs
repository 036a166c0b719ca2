using System.Linq;
using AitreTts.Core.Http;

namespace AitreTts.Tests.Http;

public sealed class ErrorBodyParserTests
{
    private const string Json = "application/json";

    private const string Nginx502 =
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
        + "<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";

    private const string CloudflareLike522 =
        "<!DOCTYPE html>\n<!--[if lt IE 7]> <html class=\"no-js ie6 oldie\" lang=\"en-US\"> <![endif]-->\n"
        + "<html lang=\"en-US\"><head>\n<title>api.example.com | 522: Connection timed out</title>\n"
        + "<meta charset=\"UTF-8\" /><style>body{font-family:sans-serif}</style>\n"
        + "<script>(function(){window._cf_chl_opt={cvId:'2'};})();</script>\n</head><body>\n"
        + "<div id=\"cf-wrapper\"><header><h1 class=\"inline-block md:block mr-2\">"
        + "<span class=\"inline-block\">Connection timed out</span><span class=\"code-label\">Error code 522</span></h1>"
        + "<div>Visit <a href=\"https://www.cloudflare.com/5xx-error-landing\">cloudflare.com</a> for more information.</div>"
        + "</header></div></body></html>";

    public static TheoryData<string, string?, string?, string, string?, string?, string?, string?> Bodies => new()
    {
        {
            "OpenAI 401, masked key echo", Json,
            "{\"error\":{\"message\":\"Incorrect API key provided: sk-proj-********abcd. You can find your API key at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}",
            "openai", "Incorrect API key provided: sk-proj-********abcd. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_api_key", "invalid_request_error", null
        },
        {
            "OpenAI 429 quota, code null", "application/json; charset=utf-8",
            "{\n  \"error\": {\n    \"message\": \"You exceeded your current quota, please check your plan and billing details.\",\n    \"type\": \"insufficient_quota\",\n    \"param\": null,\n    \"code\": null\n  }\n}\n",
            "openai", "You exceeded your current quota, please check your plan and billing details.", null, "insufficient_quota", null
        },
        {
            "OpenAI 400 with param", Json,
            "{\"error\":{\"message\":\"Invalid value for 'speed': must be at most 4.\",\"type\":\"invalid_request_error\",\"param\":\"speed\",\"code\":\"invalid_value\"}}",
            "openai", "Invalid value for 'speed': must be at most 4.", "invalid_value", "invalid_request_error", "speed"
        },
        {
            "gateway, numeric code", Json,
            "{\"error\":{\"message\":\"Rate limit exceeded\",\"type\":\"rate_limit_error\",\"code\":429}}",
            "openai", "Rate limit exceeded", "429", "rate_limit_error", null
        },
        {
            "Azure DeploymentNotFound", Json,
            "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.\"}}",
            "openai", "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
            "DeploymentNotFound", null, null
        },
        {
            "gateway, error as a string", Json,
            "{\"error\":\"Invalid API key\"}",
            "openai", "Invalid API key", null, null, null
        },
        {
            "gateway, error object in a list", Json,
            "[{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}]",
            "openai", "The model is overloaded.", "503", null, null
        },
        {
            "openedai-speech flat", Json,
            "{\"message\":\"Voice not found: bob\",\"code\":400,\"type\":\"BadRequestError\",\"param\":\"voice\"}",
            "flat", "Voice not found: bob", "400", "BadRequestError", "voice"
        },
        {
            "Node framework, message list and error string", Json,
            "{\"statusCode\":400,\"message\":[\"input must be shorter than or equal to 4096 characters\",\"voice should not be empty\"],\"error\":\"Bad Request\"}",
            "flat", "input must be shorter than or equal to 4096 characters; voice should not be empty", null, "Bad Request", null
        },
        {
            "Kokoro-FastAPI detail object", Json,
            "{\"detail\":{\"error\":\"validation_error\",\"message\":\"Invalid voice: bob. Available voices: af_bella, af_sky\",\"type\":\"invalid_request_error\"}}",
            "detail-object", "Invalid voice: bob. Available voices: af_bella, af_sky", "validation_error", "invalid_request_error", null
        },
        {
            "Kokoro-FastAPI processing error", Json,
            "{\"detail\":{\"error\":\"processing_error\",\"message\":\"Failed to process audio chunk\",\"type\":\"server_error\"}}",
            "detail-object", "Failed to process audio chunk", "processing_error", "server_error", null
        },
        {
            "FastAPI validation, one item", Json,
            "{\"detail\":[{\"type\":\"less_than_equal\",\"loc\":[\"body\",\"speed\"],\"msg\":\"Input should be less than or equal to 4\",\"input\":5,\"ctx\":{\"le\":4.0}}]}",
            "detail-list", "body.speed: Input should be less than or equal to 4", null, "less_than_equal", "speed"
        },
        {
            "FastAPI validation, two items and an index", Json,
            "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"input\"],\"msg\":\"Field required\",\"input\":{\"model\":\"tts-1\"}},"
                + "{\"type\":\"string_type\",\"loc\":[\"body\",\"voices\",0],\"msg\":\"Input should be a valid string\",\"input\":3}]}",
            "detail-list", "body.input: Field required; body.voices[0]: Input should be a valid string", null, "missing", "input"
        },
        {
            "FastAPI validation, body missing", Json,
            "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\"],\"msg\":\"Field required\",\"input\":null}]}",
            "detail-list", "body: Field required", null, "missing", null
        },
        {
            "FastAPI detail string", Json,
            "{\"detail\":\"Not Found\"}",
            "detail-string", "Not Found", null, null, null
        },
        {
            "RFC 7807 problem", "application/problem+json",
            "{\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"The backend pool is draining.\"}",
            "detail-string", "The backend pool is draining.", null, "Service Unavailable", null
        },
        {
            "JSON of no known shape", Json,
            "{\"ok\":false,\"reason\":\"backend down\"}",
            "text", "{\"ok\":false,\"reason\":\"backend down\"}", null, null, null
        },
        {
            "JSON string body", Json,
            "\"Internal Server Error\"",
            "text", "Internal Server Error", null, null, null
        },
        {
            "JSON with a byte order mark", Json,
            "\uFEFF{\"error\":{\"message\":\"Server overloaded\",\"type\":\"server_error\"}}",
            "openai", "Server overloaded", null, "server_error", null
        },
        {
            "JSON sent as text/plain", "text/plain",
            "{\"error\":{\"message\":\"Bad voice\",\"code\":\"invalid_voice\"}}",
            "openai", "Bad voice", "invalid_voice", null, null
        },
        {
            "malformed JSON with a JSON content type", Json,
            "{\"error\": {\"message\": \"The server had an err",
            "text", "{\"error\": {\"message\": \"The server had an err", null, null, null
        },
        {
            "envoy plain text", "text/plain",
            "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
            "text", "upstream connect error or disconnect/reset before headers. reset reason: connection failure", null, null, null
        },
        {
            "plain text on several lines, no content type", null,
            "Internal Server Error\n\n  Traceback (most recent call last):\r\n\tFile \"app.py\"",
            "text", "Internal Server Error Traceback (most recent call last): File \"app.py\"", null, null, null
        },
        {
            "text mentioning < is not markup", "text/plain",
            "speed must be < 4",
            "text", "speed must be < 4", null, null, null
        },
        {
            "nginx 502 page", "text/html",
            Nginx502,
            "html", "502 Bad Gateway", null, null, null
        },
        {
            "Cloudflare-like 522 page", "text/html; charset=UTF-8",
            CloudflareLike522,
            "html", "api.example.com | 522: Connection timed out - Connection timed out Error code 522", null, null, null
        },
        {
            "HTML page with a heading inside the title", "text/html",
            "<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>Service Temporarily Unavailable</h1></body></html>",
            "html", "503 Service Temporarily Unavailable", null, null, null
        },
        {
            "HTML page without title or heading", "text/html",
            "<html><head><style>p{color:red}</style></head><body><p>Service <b>temporarily</b>\n unavailable</p><script>var x = '<b>';</script></body></html>",
            "html", "Service temporarily unavailable", null, null, null
        },
        {
            "HTML entities, and escaped markup stays stripped", "text/html",
            "<!DOCTYPE html><html><head><title>Error &amp; Co &#8212; &lt;b&gt;down&lt;/b&gt;</title></head></html>",
            "html", "Error & Co \u2014 down", null, null, null
        },
        {
            "HTML sent as application/json", Json,
            "<html><body><h1>403 Forbidden</h1></body></html>",
            "html", "403 Forbidden", null, null, null
        },
        {
            "XML error", "application/xml",
            "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
            "html", "AccessDenied Access Denied", null, null, null
        },
        {
            "empty body", Json, "", "empty", null, null, null, null
        },
        {
            "null body", null, null, "empty", null, null, null, null
        },
        {
            "whitespace body", "text/html", " \r\n\t ", "empty", null, null, null, null
        },
        {
            "JSON error without a message", Json,
            "{\"error\":{\"code\":\"server_busy\",\"message\":\"\"}}",
            "openai", null, "server_busy", null, null
        },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Parse_ReadsEveryShape(
        string sample, string? contentType, string? body, string shape, string? message, string? code, string? type, string? param)
    {
        ServerError error = ErrorBodyParser.Parse(contentType, body);

        Assert.True(shape == error.Shape, sample + ": shape " + error.Shape);
        Assert.Equal(message, error.Message);
        Assert.Equal(code, error.Code);
        Assert.Equal(type, error.Type);
        Assert.Equal(param, error.Param);
    }

    [Theory]
    [InlineData(Nginx502)]
    [InlineData(CloudflareLike522)]
    [InlineData("<html><body><script>document.write('<h1>x</h1>')</script><div><a href=\"/\">Home</a></div></body></html>")]
    [InlineData("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>")]
    [InlineData("<html><title>unterminated")]
    public void Parse_NeverReturnsMarkup(string html)
    {
        ServerError error = ErrorBodyParser.Parse("text/html", html);

        Assert.Equal(ErrorBodyShapes.Html, error.Shape);
        Assert.DoesNotContain("<", error.Message ?? string.Empty);
        Assert.DoesNotContain(">", error.Message ?? string.Empty);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData(Json)]
    public void Parse_CapsLongMessagesWithAnEllipsis(string contentType)
    {
        string longText = string.Concat(Enumerable.Repeat("word ", 400));
        string body = contentType == Json ? "{\"error\":{\"message\":\"" + longText + "\"}}" : longText;

        string? message = ErrorBodyParser.Parse(contentType, body).Message;

        Assert.NotNull(message);
        Assert.Equal(500, message!.Length);
        Assert.EndsWith("...", message);
        Assert.StartsWith("word word", message);
    }

    [Fact]
    public void Parse_DoesNotCutASurrogatePairInHalf()
    {
        // 496 letters then emoji: the cut at 497 would fall between the two halves of the first one.
        string body = new string('a', 496) + string.Concat(Enumerable.Repeat("\U0001F600", 10));

        string message = ErrorBodyParser.Parse("text/plain", body).Message!;

        Assert.EndsWith("a...", message);
        Assert.False(char.IsHighSurrogate(message[message.Length - 4]));
    }

    [Theory]
    [InlineData("{\"detail\":")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]")]
    [InlineData("{\"error\":{\"message\":{\"nested\":[1,2,{\"deep\":true}]}}}")]
    [InlineData("{\"error\":null,\"detail\":null}")]
    [InlineData("{\"detail\":[1,null,true,{}]}")]
    [InlineData("\0\u0001\u0002")]
    [InlineData("<<<<>>>><!--")]
    public void Parse_NeverThrows(string body)
    {
        ServerError error = ErrorBodyParser.Parse(Json, body);

        Assert.NotNull(error.Shape);
    }
}
