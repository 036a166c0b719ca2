using System.Management.Automation;
using AitreTts.Completers;
using AitreTts.Core.Cache;
using AitreTts.Core.Configuration;

namespace AitreTts.Commands;

/// <summary>Get-TtsCache: where the chunk cache is, how many chunks it holds, their size and the cap.</summary>
[Cmdlet(VerbsCommon.Get, "TtsCache")]
[OutputType(typeof(TtsCacheInfo))]
public sealed class GetTtsCacheCommand : TtsCmdlet
{
    /// <summary>The profile whose cap (CacheSizeLimitMB) is shown; the default profile when not given.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Profile { get; set; }

    /// <inheritdoc />
    protected override void EndProcessingCore()
    {
        EffectiveConfiguration configuration = ResolveConfiguration(new TtsSettings(), Profile);
        long capBytes = SharedChunkCaches.CapBytes(configuration.Get(Setting.CacheSizeLimitMB)!.Value);
        if (ChunkCacheLocation.DefaultFolder() is not string folder)
        {
            WriteVerbose("The system names no home or local application data folder, so there is no chunk cache.");
            WriteObject(new TtsCacheInfo(null, 0, 0, capBytes, configuration.Profile));
            return;
        }

        ChunkCache cache = SharedChunkCaches.For(folder, capBytes);
        if (cache.FolderRefusal is string refusal)
        {
            // Its entries are neither counted nor served, so the figures below are zero.
            WriteWarning(refusal);
        }

        ChunkCacheStatistics statistics = cache.GetStatistics();
        WriteObject(new TtsCacheInfo(statistics.Folder, statistics.EntryCount, statistics.TotalBytes, capBytes, configuration.Profile));
    }
}
