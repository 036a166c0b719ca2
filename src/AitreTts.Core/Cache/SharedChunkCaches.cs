using System;
using System.Collections.Concurrent;
using System.IO;

namespace AitreTts.Core.Cache;

/// <summary>
/// One <see cref="ChunkCache"/> per folder and cap in the process, so the size estimate and the single warning of an
/// unwritable folder are shared by every command and runspace rather than started over by each.
/// </summary>
internal static class SharedChunkCaches
{
    private static readonly ConcurrentDictionary<string, ChunkCache> Caches = new(StringComparer.Ordinal);

    /// <summary>The cache of <paramref name="folder"/> with <paramref name="capBytes"/>, under the current user's secret.</summary>
    internal static ChunkCache For(string folder, long capBytes)
    {
        // The secret's folder follows the configuration's (APPDATA, XDG_CONFIG_HOME), which a session may change.
        ChunkCacheSecret secret = ChunkCacheSecret.ForCurrentUser();
        string key = Path.GetFullPath(folder) + "|" + capBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + "|" + secret.Directory;
        return Caches.GetOrAdd(key, _ => new ChunkCache(folder, capBytes, secret));
    }

    /// <summary>The cache of the user's default folder, or null when the system names no folder for it.</summary>
    internal static ChunkCache? Default(long capBytes) => ChunkCacheLocation.DefaultFolder() is string folder ? For(folder, capBytes) : null;

    /// <summary>The cap in bytes for a cap setting in MiB.</summary>
    internal static long CapBytes(int megabytes) => megabytes * 1024L * 1024L;
}
