using System;
using System.Diagnostics;
using System.Globalization;

namespace TtsEmulator;

/// <summary>
/// An account's request limit as OpenAI enforces one: a bucket of <see cref="EmulatorOptions.AccountBurst"/> requests
/// (by default the per-minute figure) refilled continuously at <see cref="EmulatorOptions.AccountRequestsPerMinute"/>,
/// shared by every connection and every client of this server. Every speech answer carries
/// <c>x-ratelimit-limit-requests</c> (the bucket's size), <c>x-ratelimit-remaining-requests</c> and
/// <c>x-ratelimit-reset-requests</c> (until the bucket is full again); past the limit the answer is 429 with
/// <c>Retry-After</c> (whole seconds) and <c>retry-after-ms</c> (until one request is back), and the rejected request
/// takes nothing from the bucket.
/// </summary>
internal sealed class AccountRateLimit
{
    private readonly object gate = new();
    private int perMinute;
    private int burst;
    private double tokens;
    private long refilledAt;

    /// <summary>Takes one request from the bucket; null when no limit is set, else the answer's headers and, past the limit, its 429.</summary>
    public AccountAnswer? Take(EmulatorOptions options, string? model)
    {
        int rate = options.AccountRequestsPerMinute;
        if (rate <= 0)
        {
            return null;
        }

        int size = options.AccountBurst > 0 ? options.AccountBurst : rate;
        double perSecond = rate / 60.0;
        lock (gate)
        {
            long now = Stopwatch.GetTimestamp();
            if (rate != perMinute || size != burst)
            {
                // A new limit starts full, as a fresh account's does.
                perMinute = rate;
                burst = size;
                tokens = size;
            }
            else
            {
                tokens = Math.Min(size, tokens + (Stopwatch.GetElapsedTime(refilledAt, now).TotalSeconds * perSecond));
            }

            refilledAt = now;
            bool allowed = tokens >= 1;
            if (allowed)
            {
                tokens -= 1;
            }

            var answer = new AccountAnswer(allowed ? null : Refusal(model, rate, size, (1 - tokens) / perSecond));
            answer.Headers["x-ratelimit-limit-requests"] = size.ToString(CultureInfo.InvariantCulture);
            answer.Headers["x-ratelimit-remaining-requests"] = ((long)Math.Floor(tokens)).ToString(CultureInfo.InvariantCulture);
            answer.Headers["x-ratelimit-reset-requests"] = GoDuration((size - tokens) / perSecond);
            return answer;
        }
    }

    private static Reply Refusal(string? model, int rate, int size, double secondsUntilOne)
    {
        Reply reply = Reply.Error(
            429,
            $"Rate limit reached for {model ?? "tts-1"} in organization org-emulator on requests per min (RPM): Limit {rate}, Used {size}, Requested 1. Please try again in {GoDuration(secondsUntilOne)}. Visit https://platform.openai.com/account/rate-limits to learn more.",
            null,
            "rate_limit_exceeded",
            type: "requests");
        reply.Headers["Retry-After"] = Math.Max(1, (long)Math.Ceiling(secondsUntilOne)).ToString(CultureInfo.InvariantCulture);
        reply.Headers["retry-after-ms"] = Math.Max(1, (long)Math.Ceiling(secondsUntilOne * 1000)).ToString(CultureInfo.InvariantCulture);
        return reply;
    }

    /// <summary>Seconds as OpenAI writes a reset: <c>20ms</c>, <c>1.5s</c>, <c>6m0s</c>.</summary>
    internal static string GoDuration(double seconds)
    {
        if (seconds < 1)
        {
            return Math.Ceiling(Math.Max(0, seconds) * 1000).ToString("0", CultureInfo.InvariantCulture) + "ms";
        }

        if (seconds < 60)
        {
            return seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        }

        long minutes = (long)(seconds / 60);
        return minutes.ToString(CultureInfo.InvariantCulture) + "m" + (seconds - (minutes * 60)).ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }
}

/// <summary>What the account's limit adds to one answer: its headers, and the 429 that replaces it past the limit.</summary>
internal sealed record AccountAnswer(Reply? Refusal)
{
    public System.Collections.Generic.Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}
