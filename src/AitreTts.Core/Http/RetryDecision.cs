using System;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Http;

/// <summary>What <see cref="RetryPolicy.Decide"/> concluded: whether to try again, after how long, and why.</summary>
/// <param name="ShouldRetry">Whether to send the request again.</param>
/// <param name="Delay">How long to wait before the next attempt; zero when not retrying.</param>
/// <param name="Reason">A short explanation for -Verbose, such as "HTTP 429, server asked to wait 2 s; retry 1 of 2". It never holds a secret.</param>
/// <param name="RefusalError">
/// Set when retrying was refused because the server asked to wait longer than the policy allows
/// (<see cref="TtsErrorIds.RetryAfterTooLong"/>); throw it instead of the error mapped from the response.
/// </param>
internal sealed record RetryDecision(bool ShouldRetry, TimeSpan Delay, string Reason, TtsException? RefusalError = null);
