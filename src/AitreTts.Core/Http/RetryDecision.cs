using System;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Http;

/// <summary>What <see cref="RetryPolicy.Decide"/> concluded: whether to try again, after how long, and why.</summary>
internal sealed class RetryDecision
{
    internal RetryDecision(bool shouldRetry, TimeSpan delay, string reason, TtsException? refusalError = null)
    {
        ShouldRetry = shouldRetry;
        Delay = delay;
        Reason = reason;
        RefusalError = refusalError;
    }

    /// <summary>Whether to send the request again.</summary>
    public bool ShouldRetry { get; }

    /// <summary>How long to wait before the next attempt; zero when not retrying.</summary>
    public TimeSpan Delay { get; }

    /// <summary>A short explanation for -Verbose, such as "HTTP 429, server asked to wait 2 s; retry 1 of 2". It never holds a secret.</summary>
    public string Reason { get; }

    /// <summary>
    /// Set when retrying was refused because the server asked to wait longer than the policy allows
    /// (<see cref="TtsErrorIds.RetryAfterTooLong"/>); throw it instead of the error mapped from the response.
    /// </summary>
    public TtsException? RefusalError { get; }
}
