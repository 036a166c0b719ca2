using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Synthesis;
using Xunit;

namespace AitreTts.Tests.Synthesis;

public sealed class BatchOrderTests
{
    /// <summary>Only against a hang: the tests wait on events, never on time.</summary>
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(60);

    [Fact]
    public void InputOrder_HandsBackOnlyWhatIsFinishedUpToTheFirstThatIsNot()
    {
        var first = new TaskCompletionSource<bool>();
        var third = new TaskCompletionSource<bool>();
        var order = new InputOrder<string>();
        order.Add("first", first.Task);
        order.Add("second", Task.CompletedTask);
        order.Add("third", third.Task);

        Assert.Empty(order.TakeFinished());
        Assert.Same(first.Task, order.Oldest);

        first.SetResult(true);
        Assert.Equal(new[] { "first", "second" }, order.TakeFinished().ToArray());
        Assert.Equal(1, order.Count);

        third.SetException(new InvalidOperationException("failed work is finished work"));
        Assert.Equal(new[] { "third" }, order.TakeFinished().ToArray());
        Assert.Null(order.Oldest);
    }

    [Fact]
    public async Task SharedSlots_BoundTheRequestsOfSeveralDocumentsTogether()
    {
        var slots = new RequestSlots(3);
        int inFlight = 0;
        int most = 0;
        var threeInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Request(int index, CancellationToken token)
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            if (now >= 3)
            {
                threeInFlight.TrySetResult();
            }

            // Held until the test has looked: every request admitted meanwhile is in flight at once, however fast
            // or slow the machine is.
            await release.Task.WaitAsync(SafetyNet, token);
            Interlocked.Decrement(ref inFlight);
        }

        // Four documents of five requests each: alone, each would take 3 slots; together they still have only 3.
        // RunAsync starts every request a free slot admits before it returns.
        Task all = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ParallelRequests.RunAsync(5, slots, throttleLimit: 3, Request, CancellationToken.None)));
        await threeInFlight.Task.WaitAsync(SafetyNet);
        int admittedAtOnce = Volatile.Read(ref inFlight);
        release.SetResult();
        await all.WaitAsync(SafetyNet);

        Assert.Equal(3, admittedAtOnce);
        Assert.Equal(3, most);
    }

    [Fact]
    public async Task SharedSlots_AFailedDocumentStopsOnlyItsOwnRequests()
    {
        var slots = new RequestSlots(2);
        int otherDone = 0;
        Task failing = ParallelRequests.RunAsync(4, slots, 2, (index, token) => index == 0 ? Task.FromException(new TimeoutException("first chunk failed")) : Task.Delay(10, token), CancellationToken.None);
        Task other = ParallelRequests.RunAsync(4, slots, 2, async (index, token) => { await Task.Delay(10, token); Interlocked.Increment(ref otherDone); }, CancellationToken.None);

        await Assert.ThrowsAsync<TimeoutException>(() => failing);
        await other;
        Assert.Equal(4, otherDone);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
