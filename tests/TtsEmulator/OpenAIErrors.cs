using System.Net;
using System.Text.Json.Nodes;

namespace TtsEmulator;

/// <summary>Error bodies in every shape the module meets in the wild (see API-NOTES "Errors").</summary>
internal static class OpenAIErrors
{
    public static JsonObject OpenAI(string message, string? type, string? param, string? code) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["param"] = param,
            ["code"] = code,
        },
    };

    /// <summary>The body and content type of an error of the given shape.</summary>
    public static (string Body, string ContentType) Render(string shape, int status, string? message, string? code, string? type)
    {
        string msg = message ?? DefaultMessage(status, code);
        string? c = code ?? DefaultCode(status);
        string? t = type ?? DefaultType(status, c);
        switch (shape.ToLowerInvariant())
        {
            case "openai":
                return (OpenAI(msg, t, null, c).ToJsonString(EmulatorServer.Json), "application/json");
            case "flat":
                return (new JsonObject { ["message"] = msg, ["code"] = c, ["type"] = t, ["param"] = null }.ToJsonString(EmulatorServer.Json), "application/json");
            case "detail-object":
                return (new JsonObject
                {
                    ["detail"] = new JsonObject { ["error"] = c ?? t ?? "error", ["message"] = msg, ["type"] = t },
                }.ToJsonString(EmulatorServer.Json), "application/json");
            case "detail-list":
                return (new JsonObject
                {
                    ["detail"] = new JsonArray(new JsonObject
                    {
                        ["type"] = c ?? "value_error",
                        ["loc"] = new JsonArray("body", "input"),
                        ["msg"] = msg,
                        ["input"] = null,
                    }),
                }.ToJsonString(EmulatorServer.Json), "application/json");
            case "text":
                return (msg, "text/plain; charset=utf-8");
            case "html":
                string reason = WebUtility.HtmlEncode(ReasonOf(status));
                return ($"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<p>{WebUtility.HtmlEncode(msg)}</p>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", "text/html");
            default:
                throw new System.ArgumentException($"Unknown error shape '{shape}': use openai, flat, detail-object, detail-list, text or html.", nameof(shape));
        }
    }

    public static bool IsKnownShape(string shape) => shape.ToLowerInvariant() is "openai" or "flat" or "detail-object" or "detail-list" or "text" or "html";

    private static string DefaultMessage(int status, string? code) => (status, code) switch
    {
        (_, "insufficient_quota") => "You exceeded your current quota, please check your plan and billing details.",
        (429, _) => "Rate limit reached for requests. Please try again later.",
        (400, _) => "Bad request.",
        (401, _) => "Incorrect API key provided.",
        (403, _) => "You are not allowed to sample from this model.",
        (404, _) => "The requested resource was not found.",
        (408, _) => "Request timed out.",
        (409, _) => "The request conflicted with another request.",
        (502, _) => "Bad gateway.",
        (503, _) => "The engine is currently overloaded, please try again later.",
        (504, _) => "Gateway timeout.",
        ( >= 500, _) => "The server had an error while processing your request. Sorry about that!",
        _ => $"Emulated error {status}.",
    };

    private static string? DefaultCode(int status) => status switch
    {
        429 => "rate_limit_exceeded",
        401 => "invalid_api_key",
        _ => null,
    };

    private static string DefaultType(int status, string? code) => (status, code) switch
    {
        (_, "insufficient_quota") => "insufficient_quota",
        (429, _) => "requests",
        ( >= 500, _) => "server_error",
        _ => "invalid_request_error",
    };

    private static string ReasonOf(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } r ? r : "Error";
}
