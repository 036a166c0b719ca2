using System;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Security;

namespace AitreTts.Tests.Http;

public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ServerError RateLimit = new() { Message = "Rate limit reached for requests", Code = "rate_limit_exceeded", Type = "requests", Shape = "openai" };
    private static readonly ServerError Quota = new() { Message = "You exceeded your current quota, please check your plan and billing details.", Type = "insufficient_quota", Shape = "openai" };

    private static RetryPolicy Policy(int maximumRetryCount = 2, TimeSpan? retryInterval = null, TimeSpan? maximumServerDelay = null, double jitter = 0) =>
        new(maximumRetryCount, retryInterval, maximumServerDelay, () => Now, () => jitter);

    private static RetryHints Hints(string? retryAfter = null, string? retryAfterMs = null, string? shouldRetry = null, ServerError? error = null) =>
        new() { RetryAfter = retryAfter, RetryAfterMs = retryAfterMs, ShouldRetry = shouldRetry, Error = error, RequestId = "req_7" };

    [Theory]
    [InlineData(null, TransportFailure.ConnectionFailed, "connection failed, waiting 0.5 s; retry 1 of 2")]
    [InlineData(null, TransportFailure.Timeout, "timed out, waiting 0.5 s; retry 1 of 2")]
    [InlineData(200, TransportFailure.BodyTruncated, "response body cut short, waiting 0.5 s; retry 1 of 2")]
    [InlineData(408, TransportFailure.None, "HTTP 408, waiting 0.5 s; retry 1 of 2")]
    [InlineData(409, TransportFailure.None, "HTTP 409, waiting 0.5 s; retry 1 of 2")]
    [InlineData(429, TransportFailure.None, "HTTP 429, waiting 0.5 s; retry 1 of 2")]
    [InlineData(500, TransportFailure.None, "HTTP 500, waiting 0.5 s; retry 1 of 2")]
    [InlineData(502, TransportFailure.None, "HTTP 502, waiting 0.5 s; retry 1 of 2")]
    [InlineData(503, TransportFailure.None, "HTTP 503, waiting 0.5 s; retry 1 of 2")]
    [InlineData(504, TransportFailure.None, "HTTP 504, waiting 0.5 s; retry 1 of 2")]
    [InlineData(520, TransportFailure.None, "HTTP 520, waiting 0.5 s; retry 1 of 2")]
    [InlineData(599, TransportFailure.None, "HTTP 599, waiting 0.5 s; retry 1 of 2")]
    public void Decide_RetriesTransientFailures(int? status, object failure, string reason)
    {
        RetryDecision decision = Policy().Decide(1, status, (TransportFailure)failure, Hints(error: status == 429 ? RateLimit : null));

        Assert.True(decision.ShouldRetry);
        Assert.Equal(TimeSpan.FromMilliseconds(500), decision.Delay);
        Assert.Equal(reason, decision.Reason);
        Assert.Null(decision.RefusalError);
    }

    [Theory]
    [InlineData(400, "HTTP 400 is not retried")]
    [InlineData(401, "HTTP 401 is not retried")]
    [InlineData(402, "HTTP 402 is not retried")]
    [InlineData(403, "HTTP 403 is not retried")]
    [InlineData(404, "HTTP 404 is not retried")]
    [InlineData(413, "HTTP 413 is not retried")]
    [InlineData(422, "HTTP 422 is not retried")]
    [InlineData(418, "HTTP 418 is not retried")]
    [InlineData(200, "HTTP 200 is not a failure, nothing to retry")]
    [InlineData(302, "HTTP 302 is not a failure, nothing to retry")]
    public void Decide_DoesNotRetryOtherStatuses(int status, string reason)
    {
        RetryDecision decision = Policy().Decide(1, status, TransportFailure.None, Hints(retryAfter: "1"));

        Assert.False(decision.ShouldRetry);
        Assert.Equal(TimeSpan.Zero, decision.Delay);
        Assert.Equal(reason, decision.Reason);
        Assert.Null(decision.RefusalError);
    }

    [Fact]
    public void Decide_WithNoStatusAndNoTransportFailure_DoesNotRetry()
    {
        RetryDecision decision = Policy().Decide(1, null, TransportFailure.None, RetryHints.None);

        Assert.False(decision.ShouldRetry);
        Assert.Equal("no response is not a failure, nothing to retry", decision.Reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    public void Decide_NeverRetriesAnExhaustedQuota(string? shouldRetry)
    {
        RetryDecision decision = Policy().Decide(1, 429, TransportFailure.None, Hints(retryAfter: "1", shouldRetry: shouldRetry, error: Quota));

        Assert.False(decision.ShouldRetry);
        Assert.Equal("HTTP 429 insufficient_quota: the quota is used up, not retried", decision.Reason);
        Assert.Null(decision.RefusalError);
    }

    [Theory]
    [InlineData(503, "false", false, "HTTP 503, server sent x-should-retry: false")]
    [InlineData(429, " FALSE ", false, "HTTP 429, server sent x-should-retry: false")]
    [InlineData(null, "false", false, "connection failed, server sent x-should-retry: false")]
    [InlineData(400, "true", true, "HTTP 400, server sent x-should-retry: true, waiting 0.5 s; retry 1 of 2")]
    [InlineData(404, "True", true, "HTTP 404, server sent x-should-retry: true, waiting 0.5 s; retry 1 of 2")]
    [InlineData(503, "true", true, "HTTP 503, server sent x-should-retry: true, waiting 0.5 s; retry 1 of 2")]
    [InlineData(400, "yes", false, "HTTP 400 is not retried")]
    [InlineData(503, "maybe", true, "HTTP 503, waiting 0.5 s; retry 1 of 2")]
    public void Decide_ObeysXShouldRetry(int? status, string header, bool expected, string reason)
    {
        TransportFailure failure = status is null ? TransportFailure.ConnectionFailed : TransportFailure.None;

        RetryDecision decision = Policy().Decide(1, status, failure, Hints(shouldRetry: header));

        Assert.Equal(expected, decision.ShouldRetry);
        Assert.Equal(reason, decision.Reason);
    }

    [Theory]
    [InlineData(2, 1, true)]
    [InlineData(2, 2, true)]
    [InlineData(2, 3, false)]
    [InlineData(2, 4, false)]
    [InlineData(0, 1, false)]
    [InlineData(1, 1, true)]
    [InlineData(1, 2, false)]
    [InlineData(5, 5, true)]
    [InlineData(5, 6, false)]
    public void Decide_StopsWhenAttemptsExceedTheRetryCount(int maximumRetryCount, int attemptsMade, bool expected)
    {
        RetryDecision decision = Policy(maximumRetryCount).Decide(attemptsMade, 503, TransportFailure.None, RetryHints.None);

        Assert.Equal(expected, decision.ShouldRetry);
        if (expected)
        {
            Assert.EndsWith("; retry " + attemptsMade + " of " + maximumRetryCount, decision.Reason);
        }
    }

    [Fact]
    public void Decide_SaysWhyItGaveUp()
    {
        Assert.Equal("HTTP 503, giving up after 3 attempts", Policy(2).Decide(3, 503, TransportFailure.None, RetryHints.None).Reason);
        Assert.Equal("timed out, giving up after 2 attempts", Policy(1).Decide(2, null, TransportFailure.Timeout, RetryHints.None).Reason);
        Assert.Equal("HTTP 503, retries are off (MaximumRetryCount 0)", Policy(0).Decide(1, 503, TransportFailure.None, RetryHints.None).Reason);
    }

    [Fact]
    public void Decide_DoesNotRefuseALongWaitOnceRetriesAreUsedUp()
    {
        RetryDecision decision = Policy(2).Decide(3, 429, TransportFailure.None, Hints(retryAfter: "3600"));

        Assert.False(decision.ShouldRetry);
        Assert.Null(decision.RefusalError);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Decide_RejectsAttemptCountsBelowOne(int attemptsMade)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy().Decide(attemptsMade, 503, TransportFailure.None, RetryHints.None));
    }

    [Theory]
    // retry-after-ms is read first and may be fractional.
    [InlineData("1500", null, 1.5)]
    [InlineData("250.5", "10", 0.2505)]
    [InlineData("1.5", null, 0.0015)]
    [InlineData("60000", null, 60)]
    // Unreadable, zero or negative retry-after-ms falls through to Retry-After.
    [InlineData("soon", "3", 3)]
    [InlineData("-100", "3", 3)]
    [InlineData("0", "3", 3)]
    // Retry-After in seconds, fractional too.
    [InlineData(null, "2", 2)]
    [InlineData(null, " 1.5 ", 1.5)]
    [InlineData(null, "60", 60)]
    [InlineData(null, "1e1", 10)]
    // Retry-After as an HTTP date, read against the clock (2030-01-01T00:00:00Z): the three forms RFC 9110 lists.
    [InlineData(null, "Tue, 01 Jan 2030 00:00:30 GMT", 30)]
    [InlineData(null, "Tuesday, 01-Jan-30 00:00:45 GMT", 45)]
    [InlineData(null, "Tue Jan  1 00:00:05 2030", 5)]
    public void Decide_WaitsAsLongAsTheServerAsks(string? retryAfterMs, string? retryAfter, double seconds)
    {
        RetryDecision decision = Policy(jitter: 1).Decide(1, 429, TransportFailure.None, Hints(retryAfter, retryAfterMs));

        Assert.True(decision.ShouldRetry);
        Assert.Equal(TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond)), decision.Delay);
        Assert.Contains("server asked to wait", decision.Reason);
    }

    [Fact]
    public void Decide_KeepsSubMillisecondServerDelays()
    {
        // TimeSpan.FromSeconds rounds to whole milliseconds on .NET Framework; the policy must not.
        RetryDecision decision = Policy().Decide(1, 503, TransportFailure.None, Hints(retryAfterMs: "1.25"));

        Assert.Equal(12500, decision.Delay.Ticks);
    }

    [Fact]
    public void Decide_ReasonQuotesTheServersWait()
    {
        RetryDecision decision = Policy().Decide(1, 429, TransportFailure.None, Hints(retryAfter: "2", error: RateLimit));

        Assert.Equal("HTTP 429, server asked to wait 2 s; retry 1 of 2", decision.Reason);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1,5")]
    [InlineData("Mon, 31 Dec 2029 23:59:00 GMT")] // in the past
    [InlineData("Wed, 01 Jan 2030 00:00:30 GMT")] // wrong day of the week
    [InlineData("2030-01-01T00:00:30Z")] // not an HTTP date
    public void Decide_IgnoresUnusableRetryAfterValues(string retryAfter)
    {
        RetryDecision decision = Policy().Decide(1, 503, TransportFailure.None, Hints(retryAfter, retryAfterMs: "junk"));

        Assert.True(decision.ShouldRetry);
        Assert.Equal(TimeSpan.FromMilliseconds(500), decision.Delay);
        Assert.Equal("HTTP 503, waiting 0.5 s; retry 1 of 2", decision.Reason);
    }

    [Theory]
    [InlineData(null, "120", null, "2 min", "60 s")]
    [InlineData("60001", null, null, "60.001 s", "60 s")]
    [InlineData(null, "Tue, 01 Jan 2030 01:00:00 GMT", null, "1 h", "60 s")]
    [InlineData(null, "10", 5.0, "10 s", "5 s")]
    [InlineData(null, "0.5", 0.0, "0.5 s", "0 s")]
    [InlineData(null, "1e30", null, "more than 100 days", "60 s")]
    [InlineData(null, "7265", null, "2 h 1 min", "60 s")]
    [InlineData(null, "125", null, "2 min 5 s", "60 s")]
    public void Decide_RefusesAWaitLongerThanTheCap(string? retryAfterMs, string? retryAfter, double? capSeconds, string asked, string cap)
    {
        TimeSpan? maximum = capSeconds is double s ? TimeSpan.FromSeconds(s) : null;

        RetryDecision decision = Policy(maximumServerDelay: maximum).Decide(1, 429, TransportFailure.None, Hints(retryAfter, retryAfterMs, error: RateLimit));

        Assert.False(decision.ShouldRetry);
        Assert.Equal(TimeSpan.Zero, decision.Delay);
        Assert.StartsWith("HTTP 429, server asked to wait " + asked, decision.Reason);
        Assert.EndsWith(", more than the " + cap + " allowed; not retried", decision.Reason);
        TtsException error = Assert.IsType<TtsException>(decision.RefusalError);
        Assert.Equal(TtsErrorIds.RetryAfterTooLong, error.ErrorId);
        Assert.Equal(TtsErrorCategory.LimitsExceeded, error.Category);
        Assert.Equal(429, error.StatusCode);
        Assert.Equal("req_7", error.RequestId);
        Assert.Equal("rate_limit_exceeded", error.ServerCode);
        Assert.Equal(RateLimit.Message, error.ServerMessage);
        Assert.Equal(1, error.Attempts);
        Assert.StartsWith("The speech server asked to wait " + asked, error.Message);
        Assert.Contains("longer than the " + cap + " allowed, so the request was not retried (HTTP 429 Too Many Requests): \"Rate limit reached for requests\". Request id: req_7. ", error.Message);
        Assert.EndsWith(error.Hint!, error.Message);
        Assert.Contains("again after that time", error.Hint);
        // The cap is fixed: the hint must not send the user looking for a setting that raises it.
        Assert.Contains("waits at most " + cap + " for a server's Retry-After, whatever -MaximumRetryCount and -RetryIntervalSec say", error.Hint);
    }

    [Fact]
    public void Decide_RefusalWithoutServerMessageOrRequestIdStillReads()
    {
        RetryDecision decision = Policy().Decide(2, 503, TransportFailure.None, new RetryHints { RetryAfter = "90" });

        Assert.Equal(
            "The speech server asked to wait 90 s before trying again, longer than the 60 s allowed, so the request was not retried (HTTP 503 Service Unavailable). "
                + "Run it again after that time. The module waits at most 60 s for a server's Retry-After, whatever -MaximumRetryCount and -RetryIntervalSec say, so a scheduled task is never held for hours.",
            decision.RefusalError!.Message);
        Assert.Equal(2, decision.RefusalError.Attempts);
    }

    [Fact]
    public void Decide_DoesNotRefuseALongWaitForAStatusThatIsNotRetried()
    {
        RetryDecision decision = Policy().Decide(1, 400, TransportFailure.None, Hints(retryAfter: "3600"));

        Assert.False(decision.ShouldRetry);
        Assert.Null(decision.RefusalError);
    }

    [Theory]
    [InlineData(1, 0.5, 0.375)]
    [InlineData(2, 1, 0.75)]
    [InlineData(3, 2, 1.5)]
    [InlineData(4, 4, 3)]
    [InlineData(5, 8, 6)]
    [InlineData(6, 8, 6)]
    [InlineData(1000, 8, 6)]
    public void Decide_BacksOffExponentiallyUpToEightSeconds(int attemptsMade, double withoutJitter, double withFullJitter)
    {
        RetryHints hints = RetryHints.None;

        RetryDecision low = Policy(maximumRetryCount: 1000, jitter: 0).Decide(attemptsMade, 503, TransportFailure.None, hints);
        RetryDecision high = Policy(maximumRetryCount: 1000, jitter: 1).Decide(attemptsMade, 503, TransportFailure.None, hints);

        Assert.Equal(TimeSpan.FromSeconds(withoutJitter), low.Delay);
        Assert.Equal(TimeSpan.FromSeconds(withFullJitter), high.Delay);
    }

    [Theory]
    [InlineData(-1, 0.5)]
    [InlineData(double.NaN, 0.5)]
    [InlineData(7, 0.375)]
    [InlineData(0.5, 0.4375)]
    public void Decide_KeepsJitterBetweenZeroAndOne(double jitter, double seconds)
    {
        RetryDecision decision = Policy(jitter: jitter).Decide(1, 503, TransportFailure.None, RetryHints.None);

        Assert.Equal(TimeSpan.FromSeconds(seconds), decision.Delay);
    }

    [Fact]
    public void Decide_WithRandomJitter_StaysWithinTheBand()
    {
        var policy = new RetryPolicy(maximumRetryCount: 3);
        for (int i = 0; i < 200; i++)
        {
            TimeSpan delay = policy.Decide(3, 503, TransportFailure.None, RetryHints.None).Delay;
            Assert.InRange(delay, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Decide_UsesAFixedRetryIntervalAsGiven(int attemptsMade)
    {
        RetryDecision decision = Policy(maximumRetryCount: 5, retryInterval: TimeSpan.FromSeconds(5), jitter: 1)
            .Decide(attemptsMade, null, TransportFailure.ConnectionFailed, RetryHints.None);

        Assert.True(decision.ShouldRetry);
        Assert.Equal(TimeSpan.FromSeconds(5), decision.Delay);
        Assert.Equal("connection failed, waiting 5 s; retry " + attemptsMade + " of 5", decision.Reason);
    }

    [Fact]
    public void Decide_LetsTheServersWaitWinOverTheFixedInterval()
    {
        RetryDecision decision = Policy(retryInterval: TimeSpan.FromSeconds(5)).Decide(1, 429, TransportFailure.None, Hints(retryAfter: "2"));

        Assert.Equal(TimeSpan.FromSeconds(2), decision.Delay);
    }

    [Fact]
    public void Decide_AcceptsAZeroRetryInterval()
    {
        RetryDecision decision = Policy(retryInterval: TimeSpan.Zero).Decide(1, 500, TransportFailure.None, RetryHints.None);

        Assert.True(decision.ShouldRetry);
        Assert.Equal(TimeSpan.Zero, decision.Delay);
        Assert.Equal("HTTP 500, waiting 0 s; retry 1 of 2", decision.Reason);
    }

    [Fact]
    public void Decide_ReasonsNeverQuoteTheServer()
    {
        const string Secret = "tk-proj-Q7vX2mLp9RtY4wZb8NcK3hJd6FgS1aE0";
        var echo = new ServerError { Message = "bad key " + Secret, Code = Secret, Type = Secret, Shape = "openai" };
        RetryPolicy policy = Policy();

        foreach (int status in new[] { 400, 401, 429, 500, 503 })
        {
            foreach (string? header in new[] { null, "true", "false" })
            {
                foreach (int attempts in new[] { 1, 3 })
                {
                    RetryDecision decision = policy.Decide(attempts, status, TransportFailure.None, Hints(retryAfter: "7", shouldRetry: header, error: echo));
                    Assert.DoesNotContain(Secret, decision.Reason, StringComparison.Ordinal);
                    Assert.DoesNotContain(Secret.Substring(0, SecretRedactor.MinimumFragmentLength), decision.Reason, StringComparison.Ordinal);
                    Assert.DoesNotContain(Secret.Substring(Secret.Length - SecretRedactor.MinimumFragmentLength), decision.Reason, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void Constructor_HasOpenAIPythonsDefaults()
    {
        var policy = new RetryPolicy();

        Assert.Equal(2, policy.MaximumRetryCount);
        Assert.Null(policy.RetryInterval);
        Assert.Equal(TimeSpan.FromSeconds(60), policy.MaximumServerDelay);
    }

    [Fact]
    public void Constructor_RejectsValuesOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(maximumRetryCount: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(retryInterval: TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(maximumServerDelay: TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(retryInterval: TimeSpan.FromDays(30)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(maximumServerDelay: TimeSpan.MaxValue));
    }
}
