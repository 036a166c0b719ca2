namespace AitreTts.Core.Configuration;

/// <summary>
/// Settings made with <c>-Scope Process</c>: they last as long as the process and are shared by its runspaces
/// (ForEach-Object -Parallel, thread jobs), which read a consistent snapshot.
/// </summary>
internal static class ProcessConfiguration
{
    private static readonly object Gate = new();
    private static TtsSettings _current = new();

    /// <summary>A snapshot of the process settings.</summary>
    public static TtsSettings Snapshot()
    {
        lock (Gate)
        {
            return _current.Clone();
        }
    }

    /// <summary>
    /// The process settings as they are now, to be read and never changed: every change replaces them, so the same
    /// reference means the same settings.
    /// </summary>
    public static TtsSettings Current
    {
        get
        {
            lock (Gate)
            {
                return _current;
            }
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

    /// <summary>Forgets the process settings' key, keeping its other settings.</summary>
    public static void RemoveApiKey()
    {
        lock (Gate)
        {
            TtsSettings next = _current.Clone();
            next.Set(Setting.ApiKey, null);
            next.Set(Setting.ApiKeySecretName, null);
            next.Set(Setting.Vault, null);
            _current = next;
        }
    }

    /// <summary>Forgets every process setting.</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            _current = new TtsSettings();
        }
    }
}
