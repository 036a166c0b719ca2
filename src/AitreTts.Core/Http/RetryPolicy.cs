using System;
using System.Globalization;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Http;

/// <summary>
/// Decides whether a failed attempt is tried again and how long to wait first, the way openai-python does:
/// connection failures, timeouts, cut-short bodies, 408, 409, 429 and every status from 500 are retried;
/// an exhausted quota and other client errors are not; <c>x-should-retry</c> overrides the status;
/// the server's <c>retry-after-ms</c> or <c>Retry-After</c> wins over the backoff, up to a cap.
/// </summary>
/// <remarks>Pure and thread-safe: it keeps no state between calls, so one policy can serve parallel requests.</remarks>
internal sealed class RetryPolicy
{
    /// <summary>The longest wait a policy accepts or returns: what <c>Task.Delay</c> takes (about 24.8 days).</summary>
    public static readonly TimeSpan LongestDelay = TimeSpan.FromMilliseconds(int.MaxValue);

    private static readonly TimeSpan DefaultMaximumServerDelay = TimeSpan.FromSeconds(60);
    private const double InitialBackoffSeconds = 0.5;
    private const double MaximumBackoffSeconds = 8;
    private const double JitterShare = 0.25;

    // RFC 9110 section 5.6.7: IMF-fixdate, then the obsolete RFC 850 and asctime forms recipients must accept.
    private static readonly string[] HttpDateFormats =
    {
        "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
        "ddd, d MMM yyyy HH:mm:ss 'GMT'",
        "dddd, dd-MMM-yy HH:mm:ss 'GMT'",
        "ddd MMM d HH:mm:ss yyyy",
    };

    private static readonly object RandomLock = new();
    private static readonly Random SharedRandom = new();

    private readonly Func<DateTimeOffset> _clock;
    private readonly Func<double> _jitter;

    /// <summary>Creates a policy.</summary>
    /// <param name="maximumRetryCount">How many times a failed request is sent again (openai-python's default, 2); 0 turns retries off.</param>
    /// <param name="retryInterval">
    /// A fixed wait between attempts, as <c>Invoke-RestMethod -RetryIntervalSec</c> has it: used as given, without jitter.
    /// <see langword="null"/> means exponential backoff: 0.5 s, 1 s, 2 s, ... up to 8 s, less up to 25 % jitter.
    /// A wait the server asks for wins over either.
    /// </param>
    /// <param name="maximumServerDelay">The longest wait the server may ask for (60 s by default); asking for longer ends the retries with <see cref="TtsErrorIds.RetryAfterTooLong"/>.</param>
    /// <param name="clock">The current time, against which a Retry-After date is read; for tests.</param>
    /// <param name="jitter">A number from 0 to 1 that shortens the backoff by up to 25 %; for tests.</param>
    public RetryPolicy(
        int maximumRetryCount = 2,
        TimeSpan? retryInterval = null,
        TimeSpan? maximumServerDelay = null,
        Func<DateTimeOffset>? clock = null,
        Func<double>? jitter = null)
    {
        if (maximumRetryCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maximumRetryCount), maximumRetryCount, "The retry count cannot be negative.");
        }

        if (retryInterval is TimeSpan interval && (interval < TimeSpan.Zero || interval > LongestDelay))
        {
            throw new ArgumentOutOfRangeException(nameof(retryInterval), interval, "The retry interval must be from zero to about 24 days.");
        }

        TimeSpan cap = maximumServerDelay ?? DefaultMaximumServerDelay;
        if (cap < TimeSpan.Zero || cap > LongestDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(maximumServerDelay), cap, "The longest server delay must be from zero to about 24 days.");
        }

        MaximumRetryCount = maximumRetryCount;
        RetryInterval = retryInterval;
        MaximumServerDelay = cap;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        _jitter = jitter ?? NextRandom;
    }

    /// <summary>How many times a failed request is sent again.</summary>
    public int MaximumRetryCount { get; }

    /// <summary>The fixed wait between attempts, or <see langword="null"/> for exponential backoff.</summary>
    public TimeSpan? RetryInterval { get; }

    /// <summary>The longest wait the server may ask for before retries are refused.</summary>
    public TimeSpan MaximumServerDelay { get; }

    /// <summary>Decides what to do after a failed attempt.</summary>
    /// <param name="attemptsMade">How many attempts have been made so far: 1 after the first one failed.</param>
    /// <param name="statusCode">The response's status, or <see langword="null"/> when none arrived.</param>
    /// <param name="transportFailure">How the attempt failed below HTTP, if it did; a status may come with <see cref="TransportFailure.BodyTruncated"/>.</param>
    /// <param name="hints">The response's retry headers and parsed error body; <see cref="RetryHints.None"/> when there was no response.</param>
    public RetryDecision Decide(int attemptsMade, int? statusCode, TransportFailure transportFailure, RetryHints hints)
    {
        if (attemptsMade < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(attemptsMade), attemptsMade, "Decide is called after an attempt failed, so at least 1.");
        }

        hints ??= RetryHints.None;
        string what = Describe(statusCode, transportFailure);
        string? header = hints.ShouldRetry?.Trim();
        bool forced = false;

        if (transportFailure == TransportFailure.None && (statusCode is not int answered || (answered >= 100 && answered <= 399)))
        {
            return Stop(what + " is not a failure, nothing to retry");
        }

        if (hints.Error is not null && HttpErrorMapper.IsQuotaExhausted(hints.Error))
        {
            // Even when x-should-retry says true: waiting seconds does not bring quota back, and each retry is billed or counted.
            return Stop(what + " insufficient_quota: the quota is used up, not retried");
        }

        if (string.Equals(header, "false", StringComparison.OrdinalIgnoreCase))
        {
            return Stop(what + ", server sent x-should-retry: false");
        }

        if (string.Equals(header, "true", StringComparison.OrdinalIgnoreCase))
        {
            // openai-python honours it for any status; the server knows its failure is transient.
            forced = true;
        }
        else if (transportFailure == TransportFailure.None && statusCode is int status && !IsRetryableStatus(status))
        {
            return Stop(what + " is not retried");
        }

        if (attemptsMade > MaximumRetryCount)
        {
            return Stop(MaximumRetryCount == 0
                ? what + ", retries are off (MaximumRetryCount 0)"
                : what + ", giving up after " + Count(attemptsMade, "attempt"));
        }

        string retry = "; retry " + Number(attemptsMade) + " of " + Number(MaximumRetryCount);
        string because = forced ? what + ", server sent x-should-retry: true" : what;
        double? asked = ServerDelaySeconds(hints, _clock());
        if (asked is double seconds)
        {
            if (seconds > MaximumServerDelay.TotalSeconds)
            {
                return new RetryDecision(
                    false,
                    TimeSpan.Zero,
                    because + ", server asked to wait " + Seconds(seconds) + ", more than the " + Seconds(MaximumServerDelay.TotalSeconds) + " allowed; not retried",
                    Refusal(seconds, statusCode, what, hints, attemptsMade));
            }

            return new RetryDecision(true, FromSeconds(seconds), because + ", server asked to wait " + Seconds(seconds) + retry);
        }

        TimeSpan delay = Backoff(attemptsMade);
        return new RetryDecision(true, delay, because + ", waiting " + Seconds(delay.TotalSeconds) + retry);
    }

    /// <summary>The statuses openai-python retries: 408, 409, 429 and every status from 500.</summary>
    internal static bool IsRetryableStatus(int status) => status == 408 || status == 409 || status == 429 || status >= 500;

    private TimeSpan Backoff(int attemptsMade)
    {
        if (RetryInterval is TimeSpan fixedInterval)
        {
            return fixedInterval;
        }

        // 0.5 s before the first retry, doubling, capped; the exponent is capped too so Math.Pow stays finite.
        double seconds = Math.Min(InitialBackoffSeconds * Math.Pow(2, Math.Min(attemptsMade - 1, 30)), MaximumBackoffSeconds);
        double jitter = _jitter();
        if (double.IsNaN(jitter) || jitter < 0)
        {
            jitter = 0;
        }
        else if (jitter > 1)
        {
            jitter = 1;
        }

        return FromSeconds(seconds * (1 - (JitterShare * jitter)));
    }

    /// <summary>The wait the server asked for, in seconds: retry-after-ms first, then Retry-After as seconds or an HTTP date. Zero, negative and unreadable values count as none.</summary>
    internal static double? ServerDelaySeconds(RetryHints hints, DateTimeOffset now)
    {
        if (TryPositiveNumber(hints.RetryAfterMs, out double milliseconds))
        {
            return milliseconds / 1000;
        }

        if (TryPositiveNumber(hints.RetryAfter, out double seconds))
        {
            return seconds;
        }

        if (hints.RetryAfter is string text
            && DateTimeOffset.TryParseExact(
                text.Trim(),
                HttpDateFormats,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out DateTimeOffset date))
        {
            double until = (date - now).TotalSeconds;
            return until > 0 ? until : null;
        }

        return null;
    }

    private static bool TryPositiveNumber(string? text, out double value)
    {
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && !double.IsNaN(value)
            && !double.IsInfinity(value)
            && value > 0;
    }

    private TtsException Refusal(double seconds, int? statusCode, string what, RetryHints hints, int attemptsMade)
    {
        string? serverMessage = hints.Error?.Message;
        string? requestId = ErrorBodyParser.Clean(hints.RequestId, 100);
        string status = statusCode is int code ? HttpErrorMapper.StatusText(code, null) : what;
        string hint = "Run it again after that time. The module waits at most " + Seconds(MaximumServerDelay.TotalSeconds)
            + " for a server's Retry-After, whatever -MaximumRetryCount and -RetryIntervalSec say, so a scheduled task is never held for hours.";
        string message = "The speech server asked to wait " + Seconds(seconds) + " before trying again, longer than the "
            + Seconds(MaximumServerDelay.TotalSeconds) + " allowed, so the request was not retried (" + status + ")"
            + (serverMessage is null ? "." : ": \"" + serverMessage + "\".")
            + (requestId is null ? string.Empty : " Request id: " + requestId + ".")
            + " " + hint;
        return new TtsException(TtsErrorIds.RetryAfterTooLong, TtsErrorCategory.LimitsExceeded, message)
        {
            StatusCode = statusCode,
            RequestId = requestId,
            ServerMessage = serverMessage,
            ServerCode = hints.Error?.Code ?? hints.Error?.Type,
            Hint = hint,
            Attempts = attemptsMade,
        };
    }

    private static RetryDecision Stop(string reason) => new(false, TimeSpan.Zero, reason);

    private static string Describe(int? statusCode, TransportFailure failure) => failure switch
    {
        TransportFailure.ConnectionFailed => "connection failed",
        TransportFailure.Timeout => "timed out",
        TransportFailure.BodyTruncated => "response body cut short",
        _ => statusCode is int status ? "HTTP " + Number(status) : "no response",
    };

    // Ticks, not TimeSpan.FromSeconds: .NET Framework rounds that to whole milliseconds, .NET Core does not.
    private static TimeSpan FromSeconds(double seconds) => TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

    /// <summary>"0.5 s", "90 s", "2 min 5 s", "3 h 20 min", "more than 100 days": short, and exact where it matters (around the 60 s cap).</summary>
    internal static string Seconds(double seconds)
    {
        if (seconds < 120)
        {
            return seconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
        }

        if (seconds >= 100 * 86400)
        {
            return "more than 100 days";
        }

        long whole = (long)Math.Round(seconds);
        if (whole < 3600)
        {
            return Number(whole / 60) + " min" + (whole % 60 == 0 ? string.Empty : " " + Number(whole % 60) + " s");
        }

        long minutes = whole / 60;
        return Number(minutes / 60) + " h" + (minutes % 60 == 0 ? string.Empty : " " + Number(minutes % 60) + " min");
    }

    private static string Count(int count, string noun) => Number(count) + " " + noun + (count == 1 ? string.Empty : "s");

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static double NextRandom()
    {
        lock (RandomLock)
        {
            return SharedRandom.NextDouble();
        }
    }
}
