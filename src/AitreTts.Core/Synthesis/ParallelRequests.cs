using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace AitreTts.Core.Synthesis;

/// <summary>
/// The requests of one document, each sent when it gets one of the call's <see cref="RequestSlots"/> (or, without
/// shared slots, at most <c>throttleLimit</c> at once). One failure fails the document: it stops
/// the others before its slot is freed, so no request starts that would only be thrown away (and perhaps billed),
/// and it, not one of the cancellations it caused, is what the caller sees.
/// </summary>
internal static class ParallelRequests
{
    public static async Task RunAsync(int count, RequestSlots? sharedSlots, int throttleLimit, Func<int, CancellationToken, Task> request, CancellationToken cancellationToken)
    {
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        RequestSlots throttle = sharedSlots ?? new RequestSlots(throttleLimit);
        async Task RunOneAsync(int index)
        {
            await throttle.WaitAsync(failFast.Token).ConfigureAwait(false);
            try
            {
                failFast.Token.ThrowIfCancellationRequested();
                await request(index, failFast.Token).ConfigureAwait(false);
            }
            catch
            {
                failFast.Cancel();
                throw;
            }
            finally
            {
                throttle.Release();
            }
        }

        Task[] running = Enumerable.Range(0, count).Select(RunOneAsync).ToArray();
        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch
        {
            Exception? first = running.Where(t => t.IsFaulted).Select(t => t.Exception!.GetBaseException()).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }

            throw;
        }
    }
}
