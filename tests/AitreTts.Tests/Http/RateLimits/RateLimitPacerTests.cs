using System;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Configuration;
using AitreTts.Core.Http;
using AitreTts.Core.Providers;
using AitreTts.Core.Security;

namespace AitreTts.Tests.Http.RateLimits;

/// <summary>The pacer's decisions on a clock the test moves: no test here waits.</summary>
public sealed class RateLimitPacerTests
{
    private TimeSpan _now = TimeSpan.FromHours(1);

    private RateLimitPacer NewPacer() => new("api.example.test", () => _now);

    private static RateLimitHeaders Requests(long limit, long remaining, string reset) =>
        new() { LimitRequests = limit, RemainingRequests = remaining, ResetRequests = RateLimitHeaders.Duration(reset) };

    // One request sent and answered with the given headers.
    private static void SendAndAnswer(RateLimitPacer pacer, RateLimitHeaders headers)
    {
        RateLimitPacer.Reservation reservation = pacer.Reserve(null);
        pacer.Sent(reservation);
        pacer.Observe(reservation, headers, succeeded: true);
    }

    [Fact]
    public void KnowingNothing_SendsAtOnce()
    {
        RateLimitPacer pacer = NewPacer();
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.Zero, pacer.Reserve(null).Wait);
        }

        Assert.Null(pacer.PerRequest);
    }

    [Fact]
    public void Headers_GiveTheRefill_ResetOverWhatWasUsed()
    {
        RateLimitPacer pacer = NewPacer();

        // 60 a minute: with 0 of 60 left the bucket is whole again in 60 s, so one comes back every second.
        SendAndAnswer(pacer, Requests(60, 0, "60s"));

        TimeSpan perRequest = Assert.IsType<TimeSpan>(pacer.PerRequest);
        Assert.InRange(perRequest.TotalSeconds, 0.99, 1.02);
    }

    [Fact]
    public void BudgetUsedUp_HoldsEachNewRequestForItsTurn()
    {
        RateLimitPacer pacer = NewPacer();
        SendAndAnswer(pacer, Requests(60, 0, "59.5s"));

        // Nothing left: the next three go one refill apart, in the order they asked, the first once one request and
        // the quarter the pacer keeps back have refilled.
        TimeSpan first = pacer.Reserve(null).Wait;
        TimeSpan second = pacer.Reserve(null).Wait;
        TimeSpan third = pacer.Reserve(null).Wait;

        Assert.InRange(first.TotalSeconds, 1.2, 1.3);
        Assert.InRange((second - first).TotalSeconds, 0.98, 1.02);
        Assert.InRange((third - second).TotalSeconds, 0.98, 1.02);
        Assert.Contains("request budget is used up", pacer.Reserve(null).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void BudgetLeft_SendsAtOnce_AndTheRefillCatchesUp()
    {
        RateLimitPacer pacer = NewPacer();
        SendAndAnswer(pacer, Requests(60, 0, "60s"));
        Assert.True(pacer.Reserve(null).Wait > TimeSpan.Zero);

        _now += TimeSpan.FromSeconds(30);

        // 30 s refilled 30 requests, one of which went to the reservation above; the last whole one left is kept back
        // while the pacer's quarter of a request is not there.
        for (int i = 0; i < 28; i++)
        {
            Assert.Equal(TimeSpan.Zero, pacer.Reserve(null).Wait);
        }

        Assert.True(pacer.Reserve(null).Wait > TimeSpan.Zero);
    }

    [Fact]
    public void AnotherProcessUsingTheAccount_IsSeenInTheServersCount()
    {
        RateLimitPacer pacer = NewPacer();
        SendAndAnswer(pacer, Requests(60, 30, "30s"));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve(null).Wait);

        // The server says nothing is left although this process used only two: someone else took the rest.
        SendAndAnswer(pacer, Requests(60, 0, "60s"));

        Assert.True(pacer.RequestsLeft < 1, $"the mirror still holds {pacer.RequestsLeft}");
        Assert.True(pacer.Reserve(null).Wait > TimeSpan.Zero);
    }

    [Fact]
    public void RequestsStillOut_AreNotCountedTwice()
    {
        RateLimitPacer pacer = NewPacer();
        SendAndAnswer(pacer, Requests(10, 5, "5s"));

        // Four more go out; the answer to the first of them counts only itself.
        var out1 = pacer.Reserve(null);
        pacer.Sent(out1);
        var out2 = pacer.Reserve(null);
        pacer.Sent(out2);
        var out3 = pacer.Reserve(null);
        pacer.Sent(out3);
        pacer.Observe(out1, Requests(10, 4, "6s"), succeeded: true);

        // The server's 4 left, less the two still out, is 2 (and up to 3).
        Assert.InRange(pacer.RequestsLeft!.Value, 2, 3);
    }

    [Fact]
    public void TheResetTellsTheFractionTheCountLeavesOut()
    {
        RateLimitPacer pacer = NewPacer();
        SendAndAnswer(pacer, Requests(10, 0, "1s"));

        // 0 left, but whole again in 0.75 s at one request a 100 ms: the bucket held 2.5, not somewhere in 0 to 1.
        SendAndAnswer(pacer, Requests(10, 2, "750ms"));

        Assert.InRange(pacer.RequestsLeft!.Value, 2.49, 2.51);
    }

    [Fact]
    public void RequestsSentTogether_AndStillOut_CountAsUnseen_WhateverTheirOrder()
    {
        RateLimitPacer pacer = NewPacer();
        SendAndAnswer(pacer, Requests(10, 5, "500ms"));
        var first = pacer.Reserve(null);
        pacer.Sent(first);
        var second = pacer.Reserve(null);
        pacer.Sent(second);

        // The second reached the server first: its count (4 left) does not hold the first, still unanswered.
        pacer.Observe(second, Requests(10, 4, "600ms"), succeeded: true);
        Assert.InRange(pacer.RequestsLeft!.Value, 2.99, 3.01);

        // The first's answer, overtaken, describes the bucket before the second was taken: it teaches nothing.
        pacer.Observe(first, Requests(10, 4, "600ms"), succeeded: true);
        Assert.InRange(pacer.RequestsLeft!.Value, 2.99, 3.01);
    }

    [Fact]
    public void A429_HoldsEveryone_UntilRetryAfter()
    {
        RateLimitPacer pacer = NewPacer();
        RateLimitPacer.Reservation rejected = pacer.Reserve(null);
        pacer.Sent(rejected);

        pacer.RateLimited(rejected, TimeSpan.FromSeconds(2), "HTTP 429, rate limited");
        RateLimitPacer.Reservation next = pacer.Reserve(null);

        Assert.Equal(TimeSpan.FromSeconds(2), next.Wait);
        Assert.Equal("HTTP 429, rate limited", next.Reason);
        _now += TimeSpan.FromSeconds(2);
        Assert.True(pacer.StillValid(next));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve(null).Wait);
    }

    [Fact]
    public void AHoldSetWhileWaiting_SendsTheWaiterBackToReserve()
    {
        RateLimitPacer pacer = NewPacer();
        RateLimitPacer.Reservation first = pacer.Reserve(null);
        pacer.Sent(first);
        RateLimitPacer.Reservation waiting = pacer.Reserve(null);

        pacer.RateLimited(first, TimeSpan.FromSeconds(1), "HTTP 429");

        Assert.False(pacer.StillValid(waiting));
    }

    [Fact]
    public void TokenBudgetUsedUp_HoldsUntilItsReset()
    {
        RateLimitPacer pacer = NewPacer();
        RateLimitPacer.Reservation reservation = pacer.Reserve(null);
        pacer.Sent(reservation);

        pacer.Observe(reservation, new RateLimitHeaders { LimitTokens = 40000, RemainingTokens = 0, ResetTokens = TimeSpan.FromSeconds(6) }, succeeded: true);

        RateLimitPacer.Reservation next = pacer.Reserve(null);
        Assert.Equal(TimeSpan.FromSeconds(6), next.Wait);
        Assert.Contains("token budget is used up", next.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestsPerMinute_SpacesRequestsEvenly()
    {
        RateLimitPacer pacer = NewPacer();

        Assert.Equal(TimeSpan.Zero, pacer.Reserve(30).Wait);
        Assert.Equal(TimeSpan.FromSeconds(2), pacer.Reserve(30).Wait);
        RateLimitPacer.Reservation third = pacer.Reserve(30);
        Assert.Equal(TimeSpan.FromSeconds(4), third.Wait);
        Assert.Equal("RequestsPerMinute is 30", third.Reason);
    }

    [Fact]
    public async Task A429_HalvesTheRequestsInFlight_AndSuccessesRaiseItAgain()
    {
        RateLimitPacer pacer = NewPacer();
        var sent = new RateLimitPacer.Reservation[4];
        for (int i = 0; i < 4; i++)
        {
            await pacer.WaitForSlotAsync(CancellationToken.None);
            sent[i] = pacer.Reserve(null);
            pacer.Sent(sent[i]);
        }

        pacer.RateLimited(sent[0], TimeSpan.FromMilliseconds(1), "HTTP 429");
        pacer.RateLimited(sent[1], TimeSpan.FromMilliseconds(1), "HTTP 429");
        Assert.Equal(2, pacer.ConcurrencyLimit);  // halved once for the four that were out together

        pacer.ReleaseSlot(sent[0]);
        pacer.ReleaseSlot(sent[1]);
        pacer.ReleaseSlot(sent[2]);
        Task third = pacer.WaitForSlotAsync(CancellationToken.None);
        Task fourth = pacer.WaitForSlotAsync(CancellationToken.None);
        Assert.True(third.IsCompleted);
        Assert.False(fourth.IsCompleted);   // two in flight: the limit

        pacer.Observe(sent[3], RateLimitHeaders.None, succeeded: true);
        Assert.Equal(3, pacer.ConcurrencyLimit);
        await fourth;
    }

    [Fact]
    public void TheLimitOnRequestsInFlight_LiftsAfterAMinuteWithoutA429()
    {
        RateLimitPacer pacer = NewPacer();
        RateLimitPacer.Reservation rejected = pacer.Reserve(null);
        pacer.Sent(rejected);
        pacer.RateLimited(rejected, TimeSpan.FromMilliseconds(1), "HTTP 429");
        Assert.Equal(1, pacer.ConcurrencyLimit);

        _now += TimeSpan.FromMinutes(1);
        Assert.True(pacer.WaitForSlotAsync(CancellationToken.None).IsCompleted);

        Assert.True(double.IsPositiveInfinity(pacer.ConcurrencyLimit));
    }

    [Fact]
    public void Registry_SharesOnePacerPerEndpointAndKey_AndKeepsNoKey()
    {
        var speech = new Uri("https://api.example.test/v1/audio/speech");
        SecureString key = SecretText.ToSecureString("sk-pacer-test-key-0000000001");

        RateLimitPacer one = RateLimitPacers.For(speech, key);

        Assert.Same(one, RateLimitPacers.For(new Uri("https://API.example.test/v1/audio/speech"), SecretText.ToSecureString("sk-pacer-test-key-0000000001")));
        Assert.NotSame(one, RateLimitPacers.For(speech, SecretText.ToSecureString("sk-pacer-test-key-0000000002")));
        Assert.NotSame(one, RateLimitPacers.For(new Uri("https://other.example.test/v1/audio/speech"), key));
        Assert.DoesNotContain("sk-pacer", RateLimitPacers.Identity(speech, key), StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_TellsAccountsApartByTheirCredentialHeaders_AndKeepsNoneOfThem()
    {
        // An Azure API Management gateway takes its key in a header of -Headers, with no -ApiKey at all.
        var speech = new Uri("https://gateway.example.test/v1/audio/speech");
        RequestHeaders teamA = Headers(("Ocp-Apim-Subscription-Key", "apim-team-a-000000000001"), ("X-Team", "a"));
        RequestHeaders teamB = Headers(("Ocp-Apim-Subscription-Key", "apim-team-b-000000000002"), ("X-Team", "a"));

        RateLimitPacer a = RateLimitPacing.For(TtsEndpoint.Create(speech.GetLeftPart(UriPartial.Authority), null, provider: ProviderKind.Local, headers: teamA)).Pacer;
        RateLimitPacer b = RateLimitPacing.For(TtsEndpoint.Create(speech.GetLeftPart(UriPartial.Authority), null, provider: ProviderKind.Local, headers: teamB)).Pacer;

        Assert.NotSame(a, b);
        // The same credential under a name in another case, beside other headers that name no account, is the same account.
        Assert.Same(a, RateLimitPacers.For(speech, null, Headers(("ocp-apim-subscription-key", "apim-team-a-000000000001"), ("X-Team", "other"))));
        Assert.NotSame(a, RateLimitPacers.For(speech, null));
        string identity = RateLimitPacers.Identity(speech, null, teamA);
        Assert.DoesNotContain("apim-team", identity, StringComparison.Ordinal);
        Assert.DoesNotContain("anonymous", identity, StringComparison.Ordinal);
    }

    private static RequestHeaders Headers(params (string Name, string Value)[] headers)
    {
        var set = new RequestHeaders();
        foreach ((string name, string value) in headers)
        {
            set.Add(name, value);
        }

        return set;
    }
}
