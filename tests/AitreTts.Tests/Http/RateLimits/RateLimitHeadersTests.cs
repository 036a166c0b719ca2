using System;
using System.Net;
using System.Net.Http;
using AitreTts.Core.Http;

namespace AitreTts.Tests.Http.RateLimits;

public sealed class RateLimitHeadersTests
{
    [Theory]
    [InlineData("1s", 1000.0)]
    [InlineData("6m0s", 360000.0)]
    [InlineData("20ms", 20.0)]
    [InlineData("1.5s", 1500.0)]
    [InlineData("1h2m3.5s", 3723500.0)]
    [InlineData("250us", 0.25)]
    [InlineData("0s", 0.0)]
    [InlineData(" 2 ", 2000.0)]
    [InlineData("0.75", 750.0)]
    public void Duration_ReadsGoDurationsAndBareSeconds(string text, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromTicks((long)(milliseconds * TimeSpan.TicksPerMillisecond)), RateLimitHeaders.Duration(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5 minutes")]
    [InlineData("-1s")]
    [InlineData("1d")]
    [InlineData("s")]
    [InlineData("1s2")]
    public void Duration_IsNullForAnythingElse(string? text)
    {
        Assert.Null(RateLimitHeaders.Duration(text));
    }

    [Theory]
    [InlineData("60", 60L)]
    [InlineData(" 0 ", 0L)]
    [InlineData("-1", null)]
    [InlineData("1.5", null)]
    [InlineData("many", null)]
    public void Count_ReadsWholeNumbersOnly(string text, long? expected)
    {
        Assert.Equal(expected, RateLimitHeaders.Count(text));
    }

    [Fact]
    public void Read_TakesAllSixHeaders()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.Add("x-ratelimit-limit-requests", "60");
        response.Headers.Add("x-ratelimit-remaining-requests", "59");
        response.Headers.Add("x-ratelimit-reset-requests", "1s");
        response.Headers.Add("x-ratelimit-limit-tokens", "150000");
        response.Headers.Add("x-ratelimit-remaining-tokens", "149984");
        response.Headers.Add("x-ratelimit-reset-tokens", "6m0s");

        RateLimitHeaders headers = RateLimitHeaders.Read(response);

        Assert.Equal(new RateLimitHeaders
        {
            LimitRequests = 60,
            RemainingRequests = 59,
            ResetRequests = TimeSpan.FromSeconds(1),
            LimitTokens = 150000,
            RemainingTokens = 149984,
            ResetTokens = TimeSpan.FromMinutes(6),
        }, headers);
        Assert.True(headers.Any);
    }

    [Fact]
    public void Read_WithoutHeaders_KnowsNothing()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        Assert.False(RateLimitHeaders.Read(response).Any);
    }
}
