using System;
using System.Globalization;
using System.Linq;
using System.Net.Http;

namespace AitreTts.Core.Http;

/// <summary>
/// What one answer said about the account's limits: OpenAI's <c>x-ratelimit-limit-requests</c>,
/// <c>-remaining-requests</c> and <c>-reset-requests</c>, and the same three for tokens where a server sends them.
/// A header that is missing or unreadable is null: servers send some, all or none of them.
/// </summary>
internal sealed record RateLimitHeaders
{
    public static RateLimitHeaders None { get; } = new();

    /// <summary>The most requests the account may make before the limit is reached (the bucket's size).</summary>
    public long? LimitRequests { get; init; }

    public long? RemainingRequests { get; init; }

    /// <summary>How long until the request budget is back to <see cref="LimitRequests"/> ("1s", "6m0s", "20ms").</summary>
    public TimeSpan? ResetRequests { get; init; }

    public long? LimitTokens { get; init; }

    public long? RemainingTokens { get; init; }

    public TimeSpan? ResetTokens { get; init; }

    public bool Any => LimitRequests is not null || RemainingRequests is not null || ResetRequests is not null
        || LimitTokens is not null || RemainingTokens is not null || ResetTokens is not null;

    public static RateLimitHeaders Read(HttpResponseMessage response) => new()
    {
        LimitRequests = Count(Value(response, "x-ratelimit-limit-requests")),
        RemainingRequests = Count(Value(response, "x-ratelimit-remaining-requests")),
        ResetRequests = Duration(Value(response, "x-ratelimit-reset-requests")),
        LimitTokens = Count(Value(response, "x-ratelimit-limit-tokens")),
        RemainingTokens = Count(Value(response, "x-ratelimit-remaining-tokens")),
        ResetTokens = Duration(Value(response, "x-ratelimit-reset-tokens")),
    };

    /// <summary>A whole number of at least zero; anything else (a negative, a fraction, text) counts as not sent.</summary>
    internal static long? Count(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;

    /// <summary>
    /// A reset time as OpenAI writes it, Go's duration format: a sequence of number-and-unit pairs such as
    /// <c>1s</c>, <c>6m0s</c>, <c>20ms</c>, <c>1h2m3.5s</c>; units h, m, s, ms, us (or µs), ns. A bare number is read
    /// as seconds, as Retry-After is. Null for anything else.
    /// </summary>
    internal static TimeSpan? Duration(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string value = text.Trim();
        if (value.Length == 0)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double bareSeconds))
        {
            return Ticks(bareSeconds * TimeSpan.TicksPerSecond);
        }

        double ticks = 0;
        int position = 0;
        while (position < value.Length)
        {
            int start = position;
            while (position < value.Length && (char.IsDigit(value[position]) || value[position] == '.'))
            {
                position++;
            }

            if (position == start || !double.TryParse(value.Substring(start, position - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                return null;
            }

            int unitStart = position;
            while (position < value.Length && !char.IsDigit(value[position]) && value[position] != '.')
            {
                position++;
            }

            double? unit = value.Substring(unitStart, position - unitStart) switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMillisecond / 1000.0,
                "ns" => TimeSpan.TicksPerMillisecond / 1000000.0,
                _ => null,
            };
            if (unit is not double perUnit)
            {
                return null;
            }

            ticks += number * perUnit;
        }

        return Ticks(ticks);
    }

    // A reset beyond what a wait can be (about 24.8 days) is as good as "not today": it is capped there.
    private static TimeSpan? Ticks(double ticks) =>
        double.IsNaN(ticks) || ticks < 0 ? null : TimeSpan.FromTicks((long)Math.Min(ticks, RetryPolicy.LongestDelay.Ticks));

    private static string? Value(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
