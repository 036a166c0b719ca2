using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json.Nodes;

namespace TtsEmulator;

/// <summary>A response decided but not yet sent.</summary>
internal sealed class Reply
{
    public Reply(int status, byte[] body, string? contentType)
    {
        Status = status;
        Body = body;
        ContentType = contentType;
    }

    public int Status { get; }

    public byte[] Body { get; }

    public string? ContentType { get; }

    /// <summary>Sent without Content-Length (server-sent events).</summary>
    public bool Chunked { get; init; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static Reply Json(int status, JsonNode body) => new(status, Encoding.UTF8.GetBytes(body.ToJsonString(EmulatorServer.Json)), "application/json");

    public static Reply Error(int status, string message, string? param, string? code, string type = "invalid_request_error")
        => Json(status, OpenAIErrors.OpenAI(message, type, param, code));

    public static Reply FromFault(FaultRule fault)
    {
        int status = fault.StatusCode ?? (fault.Body is not null || fault.BodyBase64 is not null ? 200 : 500);
        if (fault.BodyBase64 is not null)
        {
            return new Reply(status, Convert.FromBase64String(fault.BodyBase64), fault.ContentType ?? "application/octet-stream");
        }

        if (fault.Body is not null)
        {
            return new Reply(status, Encoding.UTF8.GetBytes(fault.Body), fault.ContentType ?? GuessContentType(fault.Body));
        }

        (string body, string contentType) = OpenAIErrors.Render(fault.ErrorShape ?? "openai", status, fault.ErrorMessage, fault.ErrorCode, fault.ErrorType);
        return new Reply(status, Encoding.UTF8.GetBytes(body), fault.ContentType ?? contentType);
    }

    private static string GuessContentType(string body)
    {
        string trimmed = body.TrimStart();
        return trimmed.StartsWith('{') || trimmed.StartsWith('[') ? "application/json"
            : trimmed.StartsWith('<') ? "text/html"
            : "text/plain; charset=utf-8";
    }
}
