using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using AitreTts.Core;
using AitreTts.Core.Cache;
using AitreTts.Tests.Support;

namespace AitreTts.Tests.Cache;

// What the cache trusts: only entries this user stored (authenticated under the user's secret), and only a folder
// that is a real folder of this user's. Whoever else can write there plants nothing that is served, and a link or
// another user's folder is neither used nor changed.
public sealed class ChunkCacheTrustTests : IDisposable
{
    private const int SmallBody = 100;
    private static readonly UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _root = Directory.CreateTempSubdirectory("aitretts-trust-").FullName;

    public void Dispose()
    {
        if (!OperatingSystem.IsWindows())
        {
            Run("chown", "-R", "--no-dereference", Environment.UserName, _root);
        }

        Directory.Delete(_root, recursive: true);
    }

    private string Folder => Path.Combine(_root, "AitreTts");

    private string ConfigurationFolder => Path.Combine(_root, "config");

    private ChunkCache NewCache(string? folder = null, string? configuration = null) =>
        new(folder ?? Folder, ChunkCache.DefaultCapBytes, new ChunkCacheSecret(configuration ?? ConfigurationFolder));

    private static ChunkCacheKey Key(string text) =>
        ChunkCacheKey.Create(new Uri("https://api.openai.com/v1/audio/speech"), null, "tts-1", "nova", AudioFormat.Pcm, 1.0, null, text);

    private static byte[] Body(byte seed) => Enumerable.Range(0, SmallBody).Select(i => (byte)(seed + (i * 7))).ToArray();

    private static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    [Fact]
    public void TryGet_MissesAnEntryForgedWithAPlainSha256()
    {
        // The forgery of issue 23: HTML written into an entry, with the SHA-256 that an unkeyed entry carried recomputed
        // over it. It was served as .pcm audio with FromCache = True.
        ChunkCache cache = NewCache();
        Assert.Equal(ChunkCachePutResult.Stored, cache.Put(Key("one"), Body(1)));
        string entry = cache.EntryPath(Key("one"));
        byte[] html = Encoding.UTF8.GetBytes("<html><body>Session expired</body></html>");
        byte[] header = File.ReadAllBytes(entry).Take(ChunkCache.HeaderLength).ToArray();
        BitConverter.GetBytes((long)html.Length).CopyTo(header, 40);
        SHA256.HashData(html).CopyTo(header, 48);
        File.WriteAllBytes(entry, header.Concat(html).ToArray());
        var log = new RecordingLog();

        Assert.False(cache.TryGet(Key("one"), out byte[] read, log));

        Assert.Empty(read);
        Assert.False(File.Exists(entry));
        Assert.Contains(log.VerboseMessages, message => message.Contains("does not authenticate", StringComparison.Ordinal));
    }

    [Fact]
    public void TryGet_MissesAnEntryStoredUnderAnotherUsersSecret()
    {
        // Another account writing into this folder has its own secret: its entries are misses here, even whole ones.
        NewCache(configuration: Path.Combine(_root, "other-user-config")).Put(Key("one"), Body(1));
        NewCache().Put(Key("two"), Body(2));

        Assert.False(NewCache().TryGet(Key("one"), out _));
        Assert.True(NewCache().TryGet(Key("two"), out byte[] mine));
        Assert.Equal(Body(2), mine);
    }

    [Fact]
    public void Secret_IsMadeByAPutOnly_AndStoredAsTheApiKeyIs()
    {
        ChunkCache cache = NewCache();
        Directory.CreateDirectory(Folder);
        Assert.False(cache.TryGet(Key("one"), out _));
        Assert.False(Directory.Exists(ConfigurationFolder));

        cache.Put(Key("one"), Body(1));

        string stored = File.ReadAllText(Path.Combine(ConfigurationFolder, ChunkCacheSecret.FileName));
        // The prefixes SecretProtector gives a stored API key: DPAPI on Windows, AES under secret.key elsewhere.
        Assert.StartsWith(OperatingSystem.IsWindows() ? "dpapi:" : "aes:", stored, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.Exists(Path.Combine(ConfigurationFolder, "secret.key")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(ConfigurationFolder, ChunkCacheSecret.FileName)));
        }
    }

    [Fact]
    public void Put_ReplacesASecretThatCannotBeRead_AndOldEntriesAreMisses()
    {
        NewCache().Put(Key("one"), Body(1));
        File.WriteAllText(Path.Combine(ConfigurationFolder, ChunkCacheSecret.FileName), "aes:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        ChunkCache cache = NewCache();
        var log = new RecordingLog();

        Assert.False(cache.TryGet(Key("one"), out _, log));
        Assert.Contains(log.VerboseMessages, message => message.Contains("cannot be authenticated", StringComparison.Ordinal));

        Assert.Equal(ChunkCachePutResult.Stored, cache.Put(Key("two"), Body(2), log));
        Assert.True(NewCache().TryGet(Key("two"), out _));
        Assert.Empty(log.Warnings);
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void ALinkedFolder_IsNotUsed_AndItsStickyTargetKeepsItsMode()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix modes and links");
        // A shared folder such as /tmp: 1777, sticky. Turned 0700 through the link, every other user loses it.
        string shared = Path.Combine(_root, "shared");
        Directory.CreateDirectory(shared);
        var sticky = (UnixFileMode)Convert.ToInt32("1777", 8);
        File.SetUnixFileMode(shared, sticky);
        Directory.CreateSymbolicLink(Folder, shared);
        // An authentic entry of this user's, reached through the link, is not served either.
        ChunkCache elsewhere = NewCache(folder: Path.Combine(_root, "real"));
        elsewhere.Put(Key("one"), Body(1));
        File.Copy(elsewhere.EntryPath(Key("one")), Path.Combine(shared, Key("one").Hex + ChunkCache.EntryExtension));
        ChunkCache cache = NewCache();
        var log = new RecordingLog();

        Assert.False(cache.TryGet(Key("one"), out _, log));
        Assert.Equal(ChunkCachePutResult.Failed, cache.Put(Key("two"), Body(2), log));
        Assert.Equal(0, cache.GetStatistics().EntryCount);
        Assert.Equal(0, cache.Clear(log).EntriesRemoved);

        Assert.Equal(sticky, File.GetUnixFileMode(shared));
        Assert.Equal(new[] { Key("one").Hex + ChunkCache.EntryExtension }, Directory.GetFiles(shared).Select(Path.GetFileName).ToArray());
        Assert.Equal(FileAttributes.ReparsePoint, File.GetAttributes(Folder) & FileAttributes.ReparsePoint);
        // Said once under -Verbose for the command, not once per chunk, and never as a warning.
        Assert.Single(log.VerboseMessages, message => message.Contains("symbolic link", StringComparison.Ordinal) && message.Contains(Folder, StringComparison.Ordinal));
        Assert.Empty(log.Warnings);
        Assert.NotNull(cache.FolderRefusal);
    }

    [SkippableFact]
    public void ALinkedEntry_IsAMiss_AndItsTargetStaysAsItIs()
    {
        Skip.If(OperatingSystem.IsWindows(), "symbolic links need a privilege on Windows");
        ChunkCache cache = NewCache();
        cache.Put(Key("one"), Body(1));
        string entry = cache.EntryPath(Key("one"));
        string outside = Path.Combine(_root, "outside.chunk");
        File.Move(entry, outside);
        byte[] before = File.ReadAllBytes(outside);
        File.CreateSymbolicLink(entry, outside);
        var log = new RecordingLog();

        Assert.False(cache.TryGet(Key("one"), out _, log));

        Assert.False(File.Exists(entry) || new FileInfo(entry).LinkTarget is not null);
        Assert.Equal(before, File.ReadAllBytes(outside));
        Assert.Contains(log.VerboseMessages, message => message.Contains("symbolic link", StringComparison.Ordinal));
        Assert.Equal(ChunkCachePutResult.Stored, cache.Put(Key("one"), Body(1)));
        Assert.True(cache.TryGet(Key("one"), out _));
    }

    [SkippableTheory]
    [InlineData("700")]
    [InlineData("777")]
    [UnsupportedOSPlatform("windows")]
    public void AFolderOfAnotherUser_IsNotUsedNorChanged(string mode)
    {
        // Only root can give a folder to another user; a user's own test cannot make one.
        Skip.IfNot(IsRoot, "needs root to give a folder to another user");
        Directory.CreateDirectory(Folder);
        var original = (UnixFileMode)Convert.ToInt32(mode, 8);
        File.SetUnixFileMode(Folder, original);
        Run("chown", "65534:65534", Folder);
        ChunkCache cache = NewCache();
        var log = new RecordingLog();

        Assert.Equal(ChunkCachePutResult.Failed, cache.Put(Key("one"), Body(1), log));
        Assert.Equal(ChunkCachePutResult.Failed, cache.Put(Key("two"), Body(2), log));
        Assert.False(cache.TryGet(Key("one"), out _, log));

        Assert.Equal(original, File.GetUnixFileMode(Folder));
        Assert.Empty(Directory.GetFileSystemEntries(Folder));
        Assert.Equal("65534", Run("stat", "-c", "%u", Folder).Trim());
        Assert.Single(log.VerboseMessages, message => message.Contains("another user", StringComparison.Ordinal) && message.Contains(Folder, StringComparison.Ordinal));
        Assert.Empty(log.Warnings);
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void AFolderOfThisUser_IsStillUsed()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix modes");
        ChunkCache cache = NewCache();
        Assert.Equal(ChunkCachePutResult.Stored, cache.Put(Key("one"), Body(1)));
        Assert.Null(cache.FolderRefusal);
        Assert.Equal(Private, File.GetUnixFileMode(Folder));
        Assert.True(cache.TryGet(Key("one"), out _));
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, program + " failed: " + process.StandardError.ReadToEnd());
        return output;
    }
}
