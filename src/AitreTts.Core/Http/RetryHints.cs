namespace AitreTts.Core.Http;

/// <summary>What the failed response said about retrying: its headers, as sent, and its parsed error body.</summary>
internal sealed record RetryHints
{
    /// <summary>No hints: a transport failure, or a response without any.</summary>
    public static RetryHints None { get; } = new();

    /// <summary>The <c>Retry-After</c> header: seconds (fractions allowed) or an HTTP date.</summary>
    public string? RetryAfter { get; init; }

    /// <summary>The <c>retry-after-ms</c> header OpenAI sends: milliseconds, fractions allowed. It wins over <see cref="RetryAfter"/>.</summary>
    public string? RetryAfterMs { get; init; }

    /// <summary>The <c>x-should-retry</c> header: <c>true</c> or <c>false</c> overrides the status-based rule.</summary>
    public string? ShouldRetry { get; init; }

    /// <summary>The parsed error body, so that an exhausted quota is told apart from a rate limit.</summary>
    public ServerError? Error { get; init; }

    /// <summary>The <c>x-request-id</c> header, quoted in <see cref="RetryDecision.RefusalError"/>.</summary>
    public string? RequestId { get; init; }
}
