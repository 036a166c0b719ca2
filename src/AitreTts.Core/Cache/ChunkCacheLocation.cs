using System;
using System.IO;
using System.Runtime.InteropServices;

namespace AitreTts.Core.Cache;

/// <summary>
/// Where the chunk cache lives by default: each system's place for a user's re-creatable data, which backup tools and
/// roaming profiles skip. <c>$XDG_CACHE_HOME/AitreTts</c> (when set and absolute, as the XDG specification asks) or
/// <c>~/.cache/AitreTts</c> on Linux and other Unix systems, <c>~/Library/Caches/AitreTts</c> on macOS,
/// <c>%LOCALAPPDATA%\AitreTts\Cache</c> on Windows.
/// </summary>
internal static class ChunkCacheLocation
{
    internal const string FolderName = "AitreTts";

    /// <summary>
    /// The default folder for the current user, read from the environment at each call so tests and scheduled tasks
    /// can redirect it; null when the system names no home or local application data folder.
    /// </summary>
    internal static string? DefaultFolder() => DefaultFolder(CurrentPlatform(), Environment.GetEnvironmentVariable, Environment.GetFolderPath);

    /// <summary>The default folder on <paramref name="platform"/>, given its environment and special folders.</summary>
    internal static string? DefaultFolder(OSPlatform platform, Func<string, string?> environmentVariable, Func<Environment.SpecialFolder, string> specialFolder)
    {
        if (platform == OSPlatform.Windows)
        {
            string? localAppData = NonEmpty(environmentVariable("LOCALAPPDATA")) ?? NonEmpty(specialFolder(Environment.SpecialFolder.LocalApplicationData));
            return localAppData is null ? null : Path.Combine(localAppData, FolderName, "Cache");
        }

        string? home = NonEmpty(environmentVariable("HOME")) ?? NonEmpty(specialFolder(Environment.SpecialFolder.UserProfile));
        if (platform == OSPlatform.OSX)
        {
            return home is null ? null : Path.Combine(home, "Library", "Caches", FolderName);
        }

        // The XDG specification: a relative path in XDG_CACHE_HOME is invalid and is ignored.
        if (NonEmpty(environmentVariable("XDG_CACHE_HOME")) is string xdg && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, FolderName);
        }

        return home is null ? null : Path.Combine(home, ".cache", FolderName);
    }

    private static OSPlatform CurrentPlatform() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? OSPlatform.Windows
        : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? OSPlatform.OSX
        : OSPlatform.Linux;

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
