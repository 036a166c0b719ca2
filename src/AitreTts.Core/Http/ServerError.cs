namespace AitreTts.Core.Http;

/// <summary>
/// What a speech server said when a request failed, read from the error body whatever its shape.
/// Every text is whitespace-collapsed and capped, so it can go straight into a one-line message.
/// </summary>
internal sealed record ServerError
{
    /// <summary>The server's own message, or <see langword="null"/> when the body carried none.</summary>
    public string? Message { get; init; }

    /// <summary>The error code (such as <c>insufficient_quota</c> or <c>model_not_found</c>); numbers come as their digits.</summary>
    public string? Code { get; init; }

    /// <summary>The error type (such as <c>invalid_request_error</c>).</summary>
    public string? Type { get; init; }

    /// <summary>The request field the error is about (such as <c>speed</c>), when the server named one.</summary>
    public string? Param { get; init; }

    /// <summary>Which body shape the error came in; one of the <see cref="ErrorBodyShapes"/> values.</summary>
    public string Shape { get; init; } = ErrorBodyShapes.Empty;
}

/// <summary>The names <see cref="ServerError.Shape"/> takes, for -Verbose output and tests.</summary>
internal static class ErrorBodyShapes
{
    /// <summary>OpenAI and most gateways: <c>{"error":{"message","type","param","code"}}</c>, or <c>{"error":"text"}</c>.</summary>
    public const string OpenAI = "openai";

    /// <summary>openedai-speech and similar: <c>{"message","code","type","param"}</c> at the top level.</summary>
    public const string Flat = "flat";

    /// <summary>Kokoro-FastAPI: <c>{"detail":{"error","message","type"}}</c>.</summary>
    public const string DetailObject = "detail-object";

    /// <summary>FastAPI validation errors: <c>{"detail":[{"loc","msg","type"}]}</c>.</summary>
    public const string DetailList = "detail-list";

    /// <summary>FastAPI's own errors and RFC 7807 problems: <c>{"detail":"text"}</c>.</summary>
    public const string DetailString = "detail-string";

    /// <summary>Plain text, or JSON that is invalid or of no known shape.</summary>
    public const string Text = "text";

    /// <summary>An HTML (or XML) page, typically from a proxy or gateway.</summary>
    public const string Html = "html";

    /// <summary>No body, or only whitespace.</summary>
    public const string Empty = "empty";
}
