using System;
using System.Threading;
using System.Threading.Tasks;

namespace AitreTts.Core.Synthesis;

/// <summary>
/// The requests one call may have in flight, whichever documents they belong to: -ThrottleLimit bounds the chunks of
/// one long document and a batch of short ones alike, so a folder of files never opens more connections than asked.
/// Waiters are served in the order they asked, so the documents that came first are finished first. (Nothing here
/// needs disposing: a SemaphoreSlim holds a kernel handle only once its AvailableWaitHandle is asked for.)
/// </summary>
internal sealed class RequestSlots
{
    private readonly SemaphoreSlim _free;

    public RequestSlots(int limit)
    {
        Limit = Math.Max(1, limit);
        _free = new SemaphoreSlim(Limit, Limit);
    }

    public int Limit { get; }

    public Task WaitAsync(CancellationToken cancellationToken) => _free.WaitAsync(cancellationToken);

    public void Release() => _free.Release();
}
