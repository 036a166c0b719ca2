using System.Globalization;
using System.Management.Automation;
using AitreTts.Core.Cache;

namespace AitreTts.Commands;

/// <summary>Clear-TtsCache: removes every chunk from the chunk cache, so the next request of each is sent (and paid) again.</summary>
[Cmdlet(VerbsCommon.Clear, "TtsCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class ClearTtsCacheCommand : TtsCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessingCore()
    {
        if (ChunkCacheLocation.DefaultFolder() is not string folder)
        {
            WriteVerbose("The system names no home or local application data folder, so there is no chunk cache to clear.");
            return;
        }

        // The cap does not matter for a clear; the instance the session shares keeps its size estimate right.
        ChunkCache cache = SharedChunkCaches.For(folder, ChunkCache.DefaultCapBytes);
        if (cache.FolderRefusal is string refusal)
        {
            // Clearing through a link would delete files in its target; another user's folder is theirs to empty.
            WriteWarning(refusal + " Nothing was removed.");
            return;
        }

        ChunkCacheStatistics before = cache.GetStatistics();
        string action = string.Format(CultureInfo.InvariantCulture, "Remove {0} cached chunks ({1:0.0} MiB)", before.EntryCount, before.TotalBytes / 1048576.0);
        if (!ShouldProcess(cache.Folder, action))
        {
            return;
        }

        ChunkCacheClearResult result = cache.Clear(Log);
        WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Removed {0} cached chunks ({1} bytes) and {2} unfinished writes from {3}.", result.EntriesRemoved, result.BytesRemoved, result.TemporaryFilesRemoved, cache.Folder));
        if (result.NotRemoved > 0)
        {
            WriteWarning(string.Format(CultureInfo.InvariantCulture, "{0} files in {1} could not be removed; they may be in use.", result.NotRemoved, cache.Folder));
        }
    }
}
