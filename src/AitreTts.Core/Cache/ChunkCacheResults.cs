namespace AitreTts.Core.Cache;

/// <summary>What <see cref="ChunkCache.Put"/> did with a body. Only <see cref="Stored"/> leaves an entry behind.</summary>
internal enum ChunkCachePutResult
{
    /// <summary>The body is the entry for its key now (or another writer's body for the same key is, stored at the same time).</summary>
    Stored,

    /// <summary>The cap is 0: the cache is off.</summary>
    Off,

    /// <summary>An empty body is never audio, so it is never stored.</summary>
    EmptyBody,

    /// <summary>The entry would be larger than the whole cap.</summary>
    TooLarge,

    /// <summary>The folder could not be used or written (read-only, full, not private); the log says why.</summary>
    Failed,
}

/// <summary>What the cache holds at the moment it was counted.</summary>
/// <param name="Folder">The cache folder counted.</param>
/// <param name="EntryCount">Entries found whole.</param>
/// <param name="TotalBytes">The size of the entry files, headers included: what the cap limits.</param>
/// <param name="CapBytes">The size limit; 0 when the cache is off.</param>
internal sealed record ChunkCacheStatistics(string Folder, int EntryCount, long TotalBytes, long CapBytes)
{
    internal bool IsEnabled => CapBytes > 0;
}

/// <summary>What <see cref="ChunkCache.Clear"/> removed, and what it could not.</summary>
/// <param name="EntriesRemoved">Entries deleted.</param>
/// <param name="BytesRemoved">Their size on disk.</param>
/// <param name="TemporaryFilesRemoved">Files of writes that never finished: a process killed while it wrote an entry.</param>
/// <param name="NotRemoved">Entries and temporary files that stayed because deleting them failed; the log says why.</param>
internal sealed record ChunkCacheClearResult(int EntriesRemoved, long BytesRemoved, int TemporaryFilesRemoved, int NotRemoved);
