namespace AitreTts.Core.Configuration;

/// <summary>
/// Settings made with <c>-Scope Process</c>: they last as long as the process and are shared by its runspaces
/// (ForEach-Object -Parallel, thread jobs), which read a consistent snapshot.
/// </summary>
public static class SessionConfiguration
{
    private static readonly object Gate = new();
    private static TtsSettings _current = new();

    /// <summary>A snapshot of the session's settings.</summary>
    public static TtsSettings Snapshot()
    {
        lock (Gate)
        {
            return _current.Clone();
        }
    }

    /// <summary>Sets the members that <paramref name="changes"/> sets.</summary>
    public static void Apply(TtsSettings changes)
    {
        lock (Gate)
        {
            TtsSettings next = _current.Clone();
            next.Apply(changes);
            _current = next;
        }
    }

    /// <summary>Forgets the session's key, keeping its other settings.</summary>
    public static void RemoveApiKey()
    {
        lock (Gate)
        {
            TtsSettings next = _current.Clone();
            next.ApiKey = null;
            next.ApiKeySecretName = null;
            next.Vault = null;
            _current = next;
        }
    }

    /// <summary>Forgets every session setting.</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            _current = new TtsSettings();
        }
    }
}
