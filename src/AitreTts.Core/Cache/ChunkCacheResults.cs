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
internal sealed class ChunkCacheStatistics
{
    internal ChunkCacheStatistics(string folder, int entryCount, long totalBytes, long capBytes)
    {
        Folder = folder;
        EntryCount = entryCount;
        TotalBytes = totalBytes;
        CapBytes = capBytes;
    }

    internal string Folder { get; }

    internal int EntryCount { get; }

    /// <summary>The size of the entry files, headers included: what the cap limits.</summary>
    internal long TotalBytes { get; }

    internal long CapBytes { get; }

    internal bool IsEnabled => CapBytes > 0;
}

/// <summary>What <see cref="ChunkCache.Clear"/> removed, and what it could not.</summary>
internal sealed class ChunkCacheClearResult
{
    internal ChunkCacheClearResult(int entriesRemoved, long bytesRemoved, int temporaryFilesRemoved, int notRemoved)
    {
        EntriesRemoved = entriesRemoved;
        BytesRemoved = bytesRemoved;
        TemporaryFilesRemoved = temporaryFilesRemoved;
        NotRemoved = notRemoved;
    }

    internal int EntriesRemoved { get; }

    internal long BytesRemoved { get; }

    /// <summary>Files of writes that never finished: a process killed while it wrote an entry.</summary>
    internal int TemporaryFilesRemoved { get; }

    /// <summary>Entries and temporary files that stayed because deleting them failed; the log says why.</summary>
    internal int NotRemoved { get; }
}
