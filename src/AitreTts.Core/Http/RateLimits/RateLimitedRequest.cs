using System;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Http;

/// <summary>
/// The rate-limit side of one request, across its attempts: each attempt waits for its turn (<see cref="EnterAsync"/>),
/// and a 429 that asks to wait is waited out (<see cref="TryWaitOut"/>) rather than counted against
/// -MaximumRetryCount. All these waits together are bounded by MaximumRateLimitWaitSec.
/// </summary>
internal sealed class RateLimitedRequest
{
    private readonly RateLimitPacing _pacing;
    private readonly TtsLog _log;
    private readonly Func<string, string> _redact;
    private RateLimitPacer.Reservation? _last;

    /// <param name="pacing">The client's pacing.</param>
    /// <param name="log">Where holds and waits are explained.</param>
    /// <param name="redact">Takes secrets out of a server's words before they are logged or shared with other requests.</param>
    public RateLimitedRequest(RateLimitPacing pacing, TtsLog log, Func<string, string> redact)
    {
        _pacing = pacing;
        _log = log;
        _redact = redact;
    }

    /// <summary>How long this request has waited on the rate limit so far.</summary>
    public TimeSpan Waited { get; private set; }

    /// <summary>
    /// Waits until the request may be sent: a place under the AIMD limit, then its turn in the budget. Returns the
    /// turn, to be disposed when the attempt is over; null when pacing is off.
    /// </summary>
    /// <exception cref="TtsException">TtsRateLimited, when the wait would pass MaximumRateLimitWaitSec.</exception>
    public async Task<Turn?> EnterAsync(CancellationToken cancellationToken)
    {
        if (!_pacing.Enabled)
        {
            return null;
        }

        RateLimitPacer pacer = _pacing.Pacer;
        var watch = Stopwatch.StartNew();
        using (var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            bounded.CancelAfter(Remaining);
            try
            {
                await pacer.WaitForSlotAsync(bounded.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Waited += watch.Elapsed;
                throw BoundExceeded(TimeSpan.Zero, "while the requests already out were answered (a 429 lowered how many may be in flight)", null);
            }
        }

        try
        {
            while (true)
            {
                RateLimitPacer.Reservation reservation = pacer.Reserve(_pacing.RequestsPerMinute);
                if (reservation.Wait > TimeSpan.Zero)
                {
                    if (Waited + watch.Elapsed + reservation.Wait > _pacing.MaximumWait)
                    {
                        pacer.GiveBack(reservation);
                        Waited += watch.Elapsed;
                        throw BoundExceeded(reservation.Wait, reservation.Reason, null);
                    }

                    await HoldAsync(reservation, watch.Elapsed, cancellationToken).ConfigureAwait(false);
                    if (!pacer.StillValid(reservation))
                    {
                        continue;
                    }
                }

                pacer.Sent(reservation);
                Waited += watch.Elapsed;
                _last = reservation;
                return new Turn(pacer, reservation);
            }
        }
        catch
        {
            pacer.ReleaseSlot();
            throw;
        }
    }

    /// <summary>
    /// After a failed attempt: true when it was a 429 that asked to wait, which is then waited out by the next
    /// <see cref="EnterAsync"/> (with every other request of the account) instead of counting as a retry.
    /// <paramref name="boundExceeded"/> is set when that wait would pass MaximumRateLimitWaitSec: the request ends with it.
    /// False for anything else, an exhausted quota included, and for a Retry-After longer than
    /// <paramref name="longestServerDelay"/>, which the retry policy refuses as it always has.
    /// </summary>
    public bool TryWaitOut(int? statusCode, RetryHints hints, TimeSpan longestServerDelay, out TtsException? boundExceeded)
    {
        boundExceeded = null;
        if (!_pacing.Enabled || statusCode != 429 || _last is null
            || (hints.Error is not null && HttpErrorMapper.IsQuotaExhausted(hints.Error))
            || string.Equals(hints.ShouldRetry?.Trim(), "false", StringComparison.OrdinalIgnoreCase)
            || RetryPolicy.ServerDelaySeconds(hints, DateTimeOffset.UtcNow) is not double seconds
            || seconds > longestServerDelay.TotalSeconds)
        {
            return false;
        }

        TimeSpan wait = TimeSpan.FromTicks((long)Math.Ceiling(seconds * TimeSpan.TicksPerSecond));
        string server = hints.Error?.Message is string message ? ": \"" + ErrorBodyParser.Clean(message, 200) + "\"" : string.Empty;
        string reason = _redact("HTTP 429, rate limited" + server + (hints.RequestId is null ? string.Empty : " (request id " + hints.RequestId + ")")
            + "; the server asked to wait " + RetryPolicy.Seconds(seconds));
        _pacing.Pacer.RateLimited(_last, wait, reason);
        if (Waited + wait > _pacing.MaximumWait)
        {
            boundExceeded = BoundExceeded(wait, reason, hints);
            return true;
        }

        _log.Verbose(reason + ". Not counted as a retry: waits on the rate limit are bounded by MaximumRateLimitWaitSec (" + Bound + ") instead.");
        return true;
    }

    private TimeSpan Remaining => _pacing.MaximumWait > Waited ? _pacing.MaximumWait - Waited : TimeSpan.Zero;

    private string Bound => RetryPolicy.Seconds(_pacing.MaximumWait.TotalSeconds);

    private async Task HoldAsync(RateLimitPacer.Reservation reservation, TimeSpan waitedNow, CancellationToken cancellationToken)
    {
        string reason = reservation.Reason ?? "the account's rate limit";
        DateTimeOffset until = DateTimeOffset.Now + reservation.Wait;
        if (_log.ShowsVerbose)
        {
            _log.Verbose(string.Format(
                CultureInfo.InvariantCulture,
                "Holding a request to {0} for {1} (until {2:HH:mm:ss}): {3}. It has waited {4} of the {5} MaximumRateLimitWaitSec allows.",
                _pacing.Pacer.Host,
                RetryPolicy.Seconds(reservation.Wait.TotalSeconds),
                until,
                reason,
                RetryPolicy.Seconds((Waited + waitedNow).TotalSeconds),
                Bound));
        }

        _pacing.Holds?.Report(new RateLimitHold(_pacing.Pacer.Host, reservation.Wait, until, reason, Ended: false));
        try
        {
            await Task.Delay(reservation.Wait, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _pacing.Pacer.GiveBack(reservation);
            throw;
        }
        finally
        {
            _pacing.Holds?.Report(new RateLimitHold(_pacing.Pacer.Host, reservation.Wait, until, reason, Ended: true));
        }
    }

    private TtsException BoundExceeded(TimeSpan more, string? reason, RetryHints? hints)
    {
        string hint = "Raise -MaximumRateLimitWaitSec (or store a larger one with Set-TtsConfiguration), send fewer requests at once, or give this machine its share of the account's limit with -RequestsPerMinute.";
        string message = string.Format(
            CultureInfo.InvariantCulture,
            "The speech server's rate limit held this request too long: it has waited {0} on the limit of {1}{2}, and {3} would pass the {4} that MaximumRateLimitWaitSec allows, so it was not sent again ({5}). {6}",
            RetryPolicy.Seconds(Waited.TotalSeconds),
            _pacing.Pacer.Host,
            hints?.RequestId is string id ? " (last request id " + id + ")" : string.Empty,
            more > TimeSpan.Zero ? "waiting another " + RetryPolicy.Seconds(more.TotalSeconds) : "waiting longer",
            Bound,
            reason ?? "the account's rate limit",
            hint);
        return new TtsException(TtsErrorIds.RateLimited, TtsErrorCategory.LimitsExceeded, message)
        {
            StatusCode = hints is null ? null : 429,
            RequestId = hints?.RequestId,
            ServerMessage = hints?.Error?.Message,
            ServerCode = hints?.Error?.Code ?? hints?.Error?.Type,
            Hint = hint,
        };
    }

    /// <summary>One attempt's place: it learns from the answer's headers, and gives the place back when disposed.</summary>
    internal sealed class Turn : IDisposable
    {
        private readonly RateLimitPacer _pacer;
        private readonly RateLimitPacer.Reservation _reservation;
        private int _disposed;

        public Turn(RateLimitPacer pacer, RateLimitPacer.Reservation reservation)
        {
            _pacer = pacer;
            _reservation = reservation;
        }

        public void Observe(HttpResponseMessage response)
        {
            int status = (int)response.StatusCode;
            _pacer.Observe(_reservation, RateLimitHeaders.Read(response), succeeded: status >= 200 && status <= 299);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _pacer.ReleaseSlot(_reservation);
            }
        }
    }
}
