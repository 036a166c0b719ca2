using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace TtsEmulator;

/// <summary>
/// The requests held by <see cref="FaultRule"/> holds, and the events that end them: arrivals, answers, the number
/// held at once, and the test's releases. One lock; every event re-checks every hold.
/// </summary>
internal sealed class HoldBoard
{
    private readonly object gate = new();
    private readonly List<Hold> held = new();
    private readonly List<string> timeouts = new();
    private readonly List<TaskCompletionSource> heldWatchers = new();
    private long arrived;
    private long answered;

    /// <summary>How a hold ended.</summary>
    public enum Outcome
    {
        Released,
        TimedOut,
        ClientGone,
    }

    public int HeldCount
    {
        get
        {
            lock (gate)
            {
                return held.Count;
            }
        }
    }

    public long Arrived => Interlocked.Read(ref arrived);

    public long Answered => Interlocked.Read(ref answered);

    public IReadOnlyList<string> Timeouts
    {
        get
        {
            lock (gate)
            {
                return timeouts.ToArray();
            }
        }
    }

    /// <summary>A request (control requests aside) arrived; returns the counts it sees on arrival.</summary>
    public (long Arrivals, long Answers) Arrive()
    {
        lock (gate)
        {
            long number = ++arrived;
            ReleaseWhatIsDue();
            return (number, Interlocked.Read(ref answered));
        }
    }

    /// <summary>A response was sent to its end.</summary>
    public void Answer()
    {
        lock (gate)
        {
            ++answered;
            ReleaseWhatIsDue();
        }
    }

    /// <summary>Waits until the rule's condition holds, the test releases the request, the safety timeout, or the client leaves.</summary>
    public async Task<(Outcome Outcome, string Message)> HoldAsync(FaultRule rule, (long Arrivals, long Answers) seen, string? input, CancellationToken token)
    {
        var hold = new Hold(rule, seen.Arrivals, seen.Answers);
        lock (gate)
        {
            held.Add(hold);
            ReleaseWhatIsDue();
        }

        TimeSpan limit = TimeSpan.FromSeconds(Math.Max(0.001, rule.HoldTimeoutSeconds));
        try
        {
            Task finished = await Task.WhenAny(hold.Done.Task, Task.Delay(limit, token)).ConfigureAwait(false);
            if (finished == hold.Done.Task)
            {
                return (Outcome.Released, string.Empty);
            }

            token.ThrowIfCancellationRequested();
            string message = string.Format(
                CultureInfo.InvariantCulture,
                "The emulator held request #{0} ({1}) for {2:0.#} s waiting until {3}, and that never happened: the test's premise failed. State: {4}.",
                hold.Arrival,
                input is null ? "no input" : "input '" + (input.Length > 40 ? input[..40] + "..." : input) + "'",
                limit.TotalSeconds,
                Describe(rule),
                DescribeState(hold));
            lock (gate)
            {
                timeouts.Add(message);
            }

            return (Outcome.TimedOut, message);
        }
        catch (OperationCanceledException)
        {
            return (Outcome.ClientGone, string.Empty);
        }
        finally
        {
            lock (gate)
            {
                held.Remove(hold);
            }
        }
    }

    /// <summary>Releases up to <paramref name="count"/> requests held until released (all when null), oldest first.</summary>
    public int Release(int? count)
    {
        lock (gate)
        {
            Hold[] chosen = held.Where(h => h.Rule.HoldUntilReleased && !h.Done.Task.IsCompleted).Take(count ?? int.MaxValue).ToArray();
            foreach (Hold hold in chosen)
            {
                hold.Done.TrySetResult();
            }

            return chosen.Length;
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> requests are held at once.</summary>
    public async Task<bool> WaitForHeldAsync(int count, TimeSpan timeout, CancellationToken token)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(timeout);
        while (true)
        {
            TaskCompletionSource changed;
            lock (gate)
            {
                if (held.Count(h => !h.Done.Task.IsCompleted) >= count)
                {
                    return true;
                }

                changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                heldWatchers.Add(changed);
            }

            try
            {
                await changed.Task.WaitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    public string DescribeState() => DescribeState(null);

    private static string Describe(FaultRule rule)
    {
        var conditions = new List<string>();
        if (rule.HoldUntilArrivals is int arrivals)
        {
            conditions.Add($"{arrivals} more request(s) arrived");
        }

        if (rule.HoldUntilAnswered is int answers)
        {
            conditions.Add($"{answers} request(s) were answered");
        }

        if (rule.HoldUntilHeld is int together)
        {
            conditions.Add($"{together} request(s) were held at once");
        }

        if (rule.HoldUntilReleased)
        {
            conditions.Add("the test released it");
        }

        return string.Join(" or ", conditions);
    }

    private string DescribeState(Hold? hold)
    {
        lock (gate)
        {
            string since = hold is null ? string.Empty : $" ({arrived - hold.Arrival} arrived and {answered - hold.AnsweredBefore} answered since it came)";
            return $"{held.Count} held, {arrived} arrived, {answered} answered{since}";
        }
    }

    // Called under the lock after every event.
    private void ReleaseWhatIsDue()
    {
        int holding = held.Count(h => !h.Done.Task.IsCompleted);
        foreach (Hold hold in held)
        {
            FaultRule rule = hold.Rule;
            if ((rule.HoldUntilArrivals is int arrivals && arrived - hold.Arrival >= arrivals)
                || (rule.HoldUntilAnswered is int answers && answered - hold.AnsweredBefore >= answers)
                || (rule.HoldUntilHeld is int together && holding >= together))
            {
                hold.Done.TrySetResult();
            }
        }

        foreach (TaskCompletionSource watcher in heldWatchers)
        {
            watcher.TrySetResult();
        }

        heldWatchers.Clear();
    }

    private sealed class Hold
    {
        public Hold(FaultRule rule, long arrival, long answeredBefore)
        {
            Rule = rule;
            Arrival = arrival;
            AnsweredBefore = answeredBefore;
        }

        public FaultRule Rule { get; }

        public long Arrival { get; }

        public long AnsweredBefore { get; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
