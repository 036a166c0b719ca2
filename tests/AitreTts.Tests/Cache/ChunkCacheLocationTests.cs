using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using AitreTts.Core.Cache;

namespace AitreTts.Tests.Cache;

// Each system's place for a user's re-creatable data, decided from an environment the test hands in.
public sealed class ChunkCacheLocationTests
{
    private static string? Folder(OSPlatform platform, Dictionary<string, string> environment, string specialFolder = "") =>
        ChunkCacheLocation.DefaultFolder(
            platform,
            name => environment.TryGetValue(name, out string? value) ? value : null,
            _ => specialFolder);

    [Fact]
    public void Linux_UsesAnAbsoluteXdgCacheHome()
    {
        var environment = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = "/var/cache/alice", ["HOME"] = "/home/alice" };
        Assert.Equal(Path.Combine("/var/cache/alice", "AitreTts"), Folder(OSPlatform.Linux, environment));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("relative/cache")]
    public void Linux_FallsBackToDotCacheWhenXdgCacheHomeIsUnsetEmptyOrRelative(string? xdg)
    {
        var environment = new Dictionary<string, string> { ["HOME"] = "/home/alice" };
        if (xdg is not null)
        {
            environment["XDG_CACHE_HOME"] = xdg;
        }

        Assert.Equal(Path.Combine("/home/alice", ".cache", "AitreTts"), Folder(OSPlatform.Linux, environment));
    }

    [Fact]
    public void Linux_TakesTheProfileFolderWhenHomeIsUnset()
    {
        Assert.Equal(Path.Combine("/home/bob", ".cache", "AitreTts"), Folder(OSPlatform.Linux, new Dictionary<string, string>(), specialFolder: "/home/bob"));
    }

    [Fact]
    public void MacOS_UsesLibraryCachesAndIgnoresXdg()
    {
        var environment = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = "/Users/alice/.xdg", ["HOME"] = "/Users/alice" };
        Assert.Equal(Path.Combine("/Users/alice", "Library", "Caches", "AitreTts"), Folder(OSPlatform.OSX, environment));
    }

    [Fact]
    public void Windows_UsesLocalAppDataCache()
    {
        var environment = new Dictionary<string, string> { ["LOCALAPPDATA"] = @"C:\Users\alice\AppData\Local", ["XDG_CACHE_HOME"] = "/ignored", ["HOME"] = @"C:\Users\alice" };
        Assert.Equal(Path.Combine(@"C:\Users\alice\AppData\Local", "AitreTts", "Cache"), Folder(OSPlatform.Windows, environment));
    }

    [Fact]
    public void Windows_TakesTheSpecialFolderWhenLocalAppDataIsUnset()
    {
        Assert.Equal(Path.Combine(@"C:\Users\bob\AppData\Local", "AitreTts", "Cache"), Folder(OSPlatform.Windows, new Dictionary<string, string>(), specialFolder: @"C:\Users\bob\AppData\Local"));
    }

    [Theory]
    [InlineData("LINUX")]
    [InlineData("OSX")]
    [InlineData("WINDOWS")]
    public void NoFolderWhenTheSystemNamesNoHome(string platform)
    {
        // Better no cache than one in whatever the current directory happens to be.
        Assert.Null(Folder(OSPlatform.Create(platform), new Dictionary<string, string>()));
    }

    [Fact]
    public void DefaultFolder_FollowsThisProcesssEnvironment()
    {
        string? folder = ChunkCacheLocation.DefaultFolder();
        Assert.NotNull(folder);
        Assert.True(Path.IsPathRooted(folder));
        Assert.EndsWith(RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? Path.Combine("AitreTts", "Cache") : "AitreTts", folder, StringComparison.Ordinal);
    }
}
