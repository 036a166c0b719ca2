using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace AitreTts.Core.Http;

/// <summary>
/// What this process knows of one account's rate limit at one endpoint, shared by every request that uses the same
/// endpoint and key (<see cref="RateLimitPacers"/>): every document, chunk, call and runspace of the process.
/// <list type="bullet">
/// <item>A mirror of the server's request bucket. OpenAI-style limits refill continuously: the headers say how many
/// requests are left and how long until the budget is whole again, so each request comes back after
/// reset ÷ (limit − remaining). Each request sent takes one from the mirror, each answer corrects it, and a request
/// finding it empty is held until its turn, so a batch runs at the limit's own pace instead of into 429s.</item>
/// <item>Holds: a 429's Retry-After, or a token budget (<c>x-ratelimit-remaining-tokens</c>) used up, holds every new
/// request until the stated time.</item>
/// <item>A local cap of requests per minute (this machine's share of a shared limit), spaced evenly.</item>
/// <item>An AIMD limit on the requests in flight, under -ThrottleLimit: a 429 halves it, each success raises it by one,
/// and it lifts when no 429 has come for a minute.</item>
/// </list>
/// </summary>
/// <remarks>Thread-safe. Times come from <see cref="Now"/>, a monotonic clock that tests replace.</remarks>
internal sealed class RateLimitPacer
{
    // The refill is judged from the last observations only, so it follows a limit that changes.
    private const int Observations = 32;
    private const double LiftConcurrencyAt = 64;
    private static readonly TimeSpan LiftConcurrencyAfter = TimeSpan.FromMinutes(1);

    // What the mirror keeps back once the budget is used up: a reset rounded to whole seconds, or a refill judged a
    // little fast, leaves the mirror up to a fraction of a request ahead of the server, and a request sent on that
    // fraction is a 429 that holds everyone. Keeping a quarter of a request costs a quarter of one refill, once.
    private const double ReserveRequests = 0.25;

    private readonly object _gate = new();
    private readonly Func<TimeSpan> _now;
    private readonly SortedSet<long> _open = new();
    private readonly LinkedList<TaskCompletionSource<bool>> _slotWaiters = new();

    private long _nextSequence;
    private long? _limit;
    private double _tokens;
    private TimeSpan _tokensAt;
    private readonly long[] _refillTicks = new long[Observations];
    private int _refillCount;
    private TimeSpan _holdUntil;
    private string? _holdReason;
    private int _holdEpoch;
    private TimeSpan _capNext;
    private double _concurrency = double.PositiveInfinity;
    private int _inFlight;
    // Requests taken from the mirror that are still waiting for their turn: the server has not seen them yet.
    private int _waiting;
    private long _decreasedAtSequence = -1;
    private long _newestObserved = -1;
    private TimeSpan _decreasedAt;

    public RateLimitPacer(string host, Func<TimeSpan>? clock = null)
    {
        Host = host;
        var watch = Stopwatch.StartNew();
        _now = clock ?? (() => watch.Elapsed);
    }

    /// <summary>The server's host, for messages.</summary>
    public string Host { get; }

    public TimeSpan Now => _now();

    /// <summary>The refill the headers imply: how long one request takes to come back; null until they said.</summary>
    public TimeSpan? PerRequest
    {
        get
        {
            lock (_gate)
            {
                return PerRequestLocked();
            }
        }
    }

    /// <summary>The requests the mirror holds now; null until the headers said.</summary>
    public double? RequestsLeft
    {
        get
        {
            lock (_gate)
            {
                if (PerRequestLocked() is null)
                {
                    return null;
                }

                Refill(_now());
                return _tokens;
            }
        }
    }

    /// <summary>The AIMD limit on requests in flight; infinity when none applies.</summary>
    public double ConcurrencyLimit
    {
        get
        {
            lock (_gate)
            {
                return _concurrency;
            }
        }
    }

    /// <summary>Waits for a place among the requests in flight under the AIMD limit; <see cref="ReleaseSlot"/> gives it back.</summary>
    public async Task WaitForSlotAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> waiter;
        LinkedListNode<TaskCompletionSource<bool>> node;
        lock (_gate)
        {
            LiftWhenCalm(_now());
            if (_inFlight < _concurrency && _slotWaiters.Count == 0)
            {
                _inFlight++;
                return;
            }

            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _slotWaiters.AddLast(waiter);
        }

        using (cancellationToken.Register(() => waiter.TrySetCanceled()))
        {
            try
            {
                await waiter.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Cancelled before a slot was granted (a granted one completes the wait instead): nothing to hand back.
                lock (_gate)
                {
                    if (node.List is not null)
                    {
                        _slotWaiters.Remove(node);
                    }
                }

                throw;
            }
        }
    }

    /// <summary>Gives back a place taken by <see cref="WaitForSlotAsync"/>; <paramref name="sent"/> is the request that held it, if one was sent.</summary>
    public void ReleaseSlot(Reservation? sent = null)
    {
        lock (_gate)
        {
            if (sent is not null)
            {
                _open.Remove(sent.Sequence);
            }

            _inFlight--;
            GrantSlots();
        }
    }

    /// <summary>
    /// Takes a request from the budget and says when it may be sent: now, or after a wait and why.
    /// <paramref name="requestsPerMinute"/> is this caller's own cap, or null.
    /// </summary>
    public Reservation Reserve(int? requestsPerMinute)
    {
        lock (_gate)
        {
            TimeSpan now = _now();
            TimeSpan sendAt = now;
            string? reason = null;
            bool tookToken = false;
            Refill(now);
            if (PerRequestLocked() is TimeSpan perRequest)
            {
                _tokens -= 1;
                _waiting++;
                tookToken = true;
                if (_tokens < ReserveRequests)
                {
                    sendAt = now + Scale(perRequest, ReserveRequests - _tokens);
                    reason = string.Format(
                        CultureInfo.InvariantCulture,
                        "the account's request budget is used up ({0} a time, one back every {1})",
                        _limit,
                        RetryPolicy.Seconds(perRequest.TotalSeconds));
                }
            }

            if (requestsPerMinute is int cap && cap > 0)
            {
                TimeSpan capAt = _capNext > now ? _capNext : now;
                _capNext = capAt + TimeSpan.FromTicks(TimeSpan.TicksPerMinute / cap);
                if (capAt > sendAt)
                {
                    sendAt = capAt;
                    reason = "RequestsPerMinute is " + cap.ToString(CultureInfo.InvariantCulture);
                }
            }

            if (_holdUntil > sendAt)
            {
                sendAt = _holdUntil;
                reason = _holdReason;
            }

            long sequence = _nextSequence++;
            return new Reservation(sequence, sendAt - now, reason, _holdEpoch, tookToken);
        }
    }

    /// <summary>
    /// True when a reservation, whose wait is over, may be sent: no hold was set while it waited. Otherwise its
    /// request goes back to the budget, and the caller reserves again.
    /// </summary>
    public bool StillValid(Reservation reservation)
    {
        lock (_gate)
        {
            if (reservation.Epoch == _holdEpoch && _holdUntil <= _now())
            {
                return true;
            }

            GiveBackLocked(reservation);
            return false;
        }
    }

    /// <summary>A reservation not sent (cancelled, or over the caller's bound): its request goes back to the budget.</summary>
    public void GiveBack(Reservation reservation)
    {
        lock (_gate)
        {
            GiveBackLocked(reservation);
        }
    }

    /// <summary>Marks a reserved request as sent, so answers to earlier ones know it is not in their count.</summary>
    public void Sent(Reservation reservation)
    {
        lock (_gate)
        {
            _open.Add(reservation.Sequence);
            if (reservation.TookRequest)
            {
                _waiting--;
            }
        }
    }

    /// <summary>Learns from an answer's headers; <paramref name="succeeded"/> raises the AIMD limit.</summary>
    public void Observe(Reservation reservation, RateLimitHeaders headers, bool succeeded)
    {
        lock (_gate)
        {
            TimeSpan now = _now();
            Refill(now);
            _open.Remove(reservation.Sequence);
            if (succeeded && !double.IsPositiveInfinity(_concurrency))
            {
                _concurrency += 1;
                LiftWhenCalm(now);
                GrantSlots();
            }

            if (headers.LimitRequests is long limit && limit > 0)
            {
                _limit = limit;
            }
            else if (headers.RemainingRequests is null)
            {
                // An answer that states no request limit (a server whose limit was lifted, a new one behind the same
                // address) ends the mirror: it would otherwise go on pacing to a limit nobody states any more.
                _limit = null;
                _refillCount = 0;
            }

            if (_limit is long known && headers.RemainingRequests is long remaining)
            {
                ObserveRequests(now, known, Math.Min(remaining, known), headers.ResetRequests, reservation.Sequence);
            }

            if (headers.RemainingTokens is 0 && headers.ResetTokens is TimeSpan tokensBack && tokensBack > TimeSpan.Zero)
            {
                Hold(now + tokensBack, "the account's token budget is used up (x-ratelimit-remaining-tokens 0); it resets in " + RetryPolicy.Seconds(tokensBack.TotalSeconds));
            }
        }
    }

    /// <summary>
    /// A 429 that asked to wait <paramref name="retryAfter"/>: every new request is held that long, the mirror is
    /// emptied to match, and the AIMD limit is halved (once for the requests that were already out).
    /// </summary>
    public void RateLimited(Reservation reservation, TimeSpan retryAfter, string reason)
    {
        lock (_gate)
        {
            TimeSpan now = _now();
            _open.Remove(reservation.Sequence);
            Hold(now + retryAfter, reason);
            if (PerRequestLocked() is TimeSpan perRequest)
            {
                Refill(now);
                _tokens = Math.Min(_tokens, 1 - (retryAfter.Ticks / (double)perRequest.Ticks));
            }

            // Requests sent before the last decrease met the same full bucket: one halving answers them all.
            if (reservation.Sequence > _decreasedAtSequence)
            {
                double current = double.IsPositiveInfinity(_concurrency) ? Math.Max(1, _inFlight) : Math.Min(_concurrency, Math.Max(1, _inFlight));
                _concurrency = Math.Max(1, Math.Floor(current / 2));
                _decreasedAtSequence = _nextSequence - 1;
                _decreasedAt = now;
            }
        }
    }

    private void ObserveRequests(TimeSpan now, long limit, long remaining, TimeSpan? reset, long sequence)
    {
        // The server's count is a whole number: its bucket holds from remaining to remaining + 1, so what was used is
        // at most limit - remaining, and one request comes back in at least reset / (limit - remaining). The largest
        // of these lower bounds is the refill: a batch at the limit sends as each request comes back, when the
        // bucket is nearly a whole number, so its observations meet the true refill from below and never pass it.
        long used = limit - remaining;
        if (reset is TimeSpan back && back > TimeSpan.Zero && used >= 1)
        {
            _refillTicks[_refillCount++ % Observations] = back.Ticks / used;
        }

        if (PerRequestLocked() is null)
        {
            if (remaining == 0 && reset is TimeSpan whole && whole > TimeSpan.Zero)
            {
                Hold(now + whole, "the account's request budget is used up (x-ratelimit-remaining-requests 0); it resets in " + RetryPolicy.Seconds(whole.TotalSeconds));
            }

            return;
        }

        // An answer overtaken by a later one describes the bucket before that one's request: it would undo what the
        // later answer taught, and count as left a request the server has since taken.
        if (sequence < _newestObserved)
        {
            return;
        }

        _newestObserved = sequence;

        // Requests of ours sent after this one are not in the server's count yet, nor those still waiting their turn.
        // Nor, perhaps, those sent just before it and still unanswered: requests sent together (a burst while the
        // bucket had room) reach the server in any order, and one it had not seen yet, counted as seen, would let
        // the mirror send a request too early. Counting them as unseen costs at most a short wait, which the next
        // answer gives back. (This answer's own request has left the open ones already.)
        int unseen = _open.Count + _waiting;
        Refill(now);
        _tokens = ServerCount(limit, remaining, reset) - unseen;
    }

    /// <summary>
    /// What the server's bucket held when it answered. The count is whole (the bucket holds from remaining to
    /// remaining + 1), but the reset is exact: the bucket held limit − reset ÷ refill, and with the refill known from
    /// below this is a lower bound, so the mirror is never set above the server. Taken as of now, it leaves out what
    /// refilled while the answer travelled: a reserve as large as the answer's own delay.
    /// </summary>
    private double ServerCount(long limit, long remaining, TimeSpan? reset)
    {
        if (reset is not TimeSpan back || PerRequestLocked() is not TimeSpan perRequest || perRequest <= TimeSpan.Zero)
        {
            return remaining;
        }

        double fromReset = limit - (back.Ticks / (double)perRequest.Ticks);
        return Math.Max(remaining, Math.Min(remaining + 0.999, fromReset));
    }

    private TimeSpan? PerRequestLocked()
    {
        if (_refillCount == 0 || _limit is null)
        {
            return null;
        }

        long longest = 0;
        for (int i = Math.Min(_refillCount, Observations) - 1; i >= 0; i--)
        {
            longest = Math.Max(longest, _refillTicks[i]);
        }

        return TimeSpan.FromTicks(longest);
    }

    private void Refill(TimeSpan now)
    {
        if (PerRequestLocked() is TimeSpan perRequest && perRequest > TimeSpan.Zero && now > _tokensAt)
        {
            _tokens = Math.Min(_limit ?? 0, _tokens + ((now - _tokensAt).Ticks / (double)perRequest.Ticks));
        }

        _tokensAt = now;
    }

    private void Hold(TimeSpan until, string reason)
    {
        if (until > _holdUntil)
        {
            _holdUntil = until;
            _holdReason = reason;
            _holdEpoch++;
        }
    }

    private void GiveBackLocked(Reservation reservation)
    {
        _open.Remove(reservation.Sequence);
        if (reservation.TookRequest)
        {
            _waiting--;
        }

        if (reservation.TookRequest && PerRequestLocked() is not null)
        {
            Refill(_now());
            _tokens = Math.Min(_limit ?? 0, _tokens + 1);
        }
    }

    private void LiftWhenCalm(TimeSpan now)
    {
        if (_concurrency >= LiftConcurrencyAt || (!double.IsPositiveInfinity(_concurrency) && now - _decreasedAt >= LiftConcurrencyAfter))
        {
            _concurrency = double.PositiveInfinity;
            GrantSlots();
        }
    }

    private void GrantSlots()
    {
        while (_slotWaiters.Count > 0 && _inFlight < _concurrency)
        {
            TaskCompletionSource<bool> next = _slotWaiters.First!.Value;
            _slotWaiters.RemoveFirst();
            if (next.TrySetResult(true))
            {
                _inFlight++;
            }
        }
    }

    private static TimeSpan Scale(TimeSpan unit, double times) => TimeSpan.FromTicks((long)Math.Ceiling(unit.Ticks * times));

    /// <summary>One request's place in the budget: when it may go (<see cref="Wait"/> from when it was taken) and why it waits.</summary>
    internal sealed record Reservation(long Sequence, TimeSpan Wait, string? Reason, int Epoch, bool TookRequest);
}
