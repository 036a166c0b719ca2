using System.Collections.Generic;
using System.Threading.Tasks;

namespace AitreTts.Core.Synthesis;

/// <summary>
/// Work started in input order and handed back in that order: an item is taken once it and everything before it
/// have finished, however they overtook each other while running.
/// </summary>
internal sealed class InputOrder<T>
{
    private readonly Queue<KeyValuePair<T, Task>> _started = new();

    /// <summary>Items started and not yet taken, finished or not.</summary>
    public int Count => _started.Count;

    /// <summary>The oldest item's work, which the next <see cref="TakeFinished"/> waits for; null when none is left.</summary>
    public Task? Oldest => _started.Count == 0 ? null : _started.Peek().Value;

    public void Add(T item, Task work) => _started.Enqueue(new KeyValuePair<T, Task>(item, work));

    /// <summary>Removes and returns, oldest first, the items whose work and all earlier work has finished.</summary>
    public IEnumerable<T> TakeFinished()
    {
        while (_started.Count > 0 && _started.Peek().Value.IsCompleted)
        {
            yield return _started.Dequeue().Key;
        }
    }
}
