using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Cache;
using AitreTts.Tests.Support;

namespace AitreTts.Tests.Cache;

// The store of synthesized chunks: what a read may return, what a write leaves behind, and what it costs a synthesis
// when the folder misbehaves (nothing).
public sealed class ChunkCacheTests : IDisposable
{
    private const int SmallBody = 100;
    private readonly string _root = Directory.CreateTempSubdirectory("aitretts-cache-").FullName;
    private DateTime _now = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public void Dispose()
    {
        foreach (string directory in Directory.EnumerateDirectories(_root, "*", SearchOption.AllDirectories))
        {
            MakeWritable(directory);
        }

        Directory.Delete(_root, recursive: true);
    }

    private string Folder => Path.Combine(_root, "AitreTts");

    // The secret lives in this test's own configuration folder, never the user's.
    private ChunkCacheSecret Secret => new(Path.Combine(_root, "config"));

    private ChunkCache NewCache(long capBytes = ChunkCache.DefaultCapBytes, string? folder = null) =>
        new(folder ?? Folder, capBytes, Secret) { UtcNow = () => _now };

    private static ChunkCacheKey Key(string text) =>
        ChunkCacheKey.Create(new Uri("https://api.openai.com/v1/audio/speech"), null, "tts-1", "nova", AudioFormat.Mp3, 1.0, null, text);

    private static byte[] Body(int length, byte seed)
    {
        var body = new byte[length];
        for (int i = 0; i < length; i++)
        {
            body[i] = (byte)(seed + (i * 7));
        }

        return body;
    }

    private DateTime Tick() => _now = _now.AddSeconds(1);

    private string[] EntryFiles() =>
        Directory.Exists(Folder)
            ? Directory.GetFiles(Folder, "*" + ChunkCache.EntryExtension).Where(path => Path.GetFileName(path).Length == 64 + ChunkCache.EntryExtension.Length).ToArray()
            : Array.Empty<string>();

    private string[] TemporaryFiles() => Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*" + ChunkCache.TemporaryExtension) : Array.Empty<string>();

    [Fact]
    public void TryGet_ReturnsWhatPutStored()
    {
        ChunkCache cache = NewCache();
        byte[] body = Body(5000, 3);

        Assert.Equal(ChunkCachePutResult.Stored, cache.Put(Key("one"), body));

        Assert.True(cache.TryGet(Key("one"), out byte[] read));
        Assert.Equal(body, read);
        Assert.False(cache.TryGet(Key("two"), out byte[] missed));
        Assert.Empty(missed);
    }

    [Fact]
    public void TryGet_FindsWhatAnotherInstanceOnTheFolderStored()
    {
        // Two runspaces, or two processes, share the folder and nothing else.
        NewCache().Put(Key("shared"), Body(300, 9));
        Assert.True(NewCache().TryGet(Key("shared"), out byte[] read));
        Assert.Equal(Body(300, 9), read);
    }

    [Fact]
    public void TryGet_CreatesNothingWhenTheFolderIsAbsent()
    {
        Assert.False(NewCache().TryGet(Key("one"), out _));
        Assert.False(Directory.Exists(Folder));
    }

    [Fact]
    public void Put_ReplacesTheEntryOfTheSameKey()
    {
        ChunkCache cache = NewCache();
        cache.Put(Key("one"), Body(200, 1));
        cache.Put(Key("one"), Body(300, 2));

        Assert.True(cache.TryGet(Key("one"), out byte[] read));
        Assert.Equal(Body(300, 2), read);
        Assert.Single(EntryFiles());
        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public void Put_RefusesAnEmptyBody()
    {
        ChunkCache cache = NewCache();
        Assert.Equal(ChunkCachePutResult.EmptyBody, cache.Put(Key("one"), Array.Empty<byte>()));
        Assert.False(cache.TryGet(Key("one"), out _));
        Assert.Empty(EntryFiles());
    }

    // The analyzer cannot see Skip.If: the attribute tells it these file-mode calls never run on Windows.
    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void Put_CreatesTheFolderPrivateToTheUser()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix modes; on Windows the folder inherits LOCALAPPDATA's per-user ACL");
        NewCache().Put(Key("one"), Body(SmallBody, 1));

        Assert.True(ChunkCache.CreatesPrivateFoldersAtOnce);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Assert.Single(EntryFiles())));
    }

    // The analyzer cannot see Skip.If: the attribute tells it these file-mode calls never run on Windows.
    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void Put_TightensAFolderOthersCouldReadAndSaysSo()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix modes");
        Directory.CreateDirectory(Folder, (UnixFileMode)Convert.ToInt32("777", 8));
        File.SetUnixFileMode(Folder, (UnixFileMode)Convert.ToInt32("777", 8));
        var log = new RecordingLog();

        Assert.Equal(ChunkCachePutResult.Stored, NewCache().Put(Key("one"), Body(SmallBody, 1), log));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Folder));
        Assert.Contains(log.Warnings, warning => warning.Contains(Folder, StringComparison.Ordinal) && warning.Contains("0700", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Put_RefusesAFolderOpenToOthersThatCannotBeMadePrivate()
    {
        // /proc/1 is 0555 and nobody, root included, may change its mode: the one such folder every Linux has.
        Skip.IfNot(OperatingSystem.IsLinux() && Directory.Exists("/proc/1"), "needs Linux's /proc");
        ChunkCache cache = NewCache(folder: "/proc/1");
        var log = new RecordingLog();

        Assert.Equal(ChunkCachePutResult.Failed, cache.Put(Key("one"), Body(SmallBody, 1), log));
        Assert.Equal(ChunkCachePutResult.Failed, cache.Put(Key("two"), Body(SmallBody, 1), log));

        Assert.False(cache.TryGet(Key("one"), out _, log));
        if (Environment.UserName == "root")
        {
            // Root owns it, so only its mode stands in the way.
            string warning = Assert.Single(log.Warnings);
            Assert.Contains("/proc/1", warning, StringComparison.Ordinal);
            Assert.Contains("555", warning, StringComparison.Ordinal);
        }
        else
        {
            // Another user's folder: said once under -Verbose, as ChunkCacheTrustTests shows.
            Assert.Contains(log.VerboseMessages, message => message.Contains("/proc/1", StringComparison.Ordinal) && message.Contains("another user", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TryGet_DropsACorruptEntryAsAMiss()
    {
        ChunkCache cache = NewCache();
        cache.Put(Key("one"), Body(SmallBody, 1));
        string entry = Assert.Single(EntryFiles());
        byte[] content = File.ReadAllBytes(entry);
        content[ChunkCache.HeaderLength + 10] ^= 0x20;
        File.WriteAllBytes(entry, content);
        var log = new RecordingLog();

        Assert.False(cache.TryGet(Key("one"), out byte[] read, log));

        Assert.Empty(read);
        Assert.False(File.Exists(entry));
        Assert.Contains(log.VerboseMessages, message => message.Contains("HMAC-SHA256", StringComparison.Ordinal));
        // Requested again and stored again, it is a hit.
        Assert.Equal(ChunkCachePutResult.Stored, cache.Put(Key("one"), Body(SmallBody, 1)));
        Assert.True(cache.TryGet(Key("one"), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(40)]
    [InlineData(ChunkCache.HeaderLength)]
    [InlineData(ChunkCache.HeaderLength + (SmallBody / 2))]
    [InlineData(ChunkCache.HeaderLength + SmallBody + 1)]
    public void TryGet_DropsATruncatedOrExtendedEntryAsAMiss(int length)
    {
        ChunkCache cache = NewCache();
        cache.Put(Key("one"), Body(SmallBody, 1));
        string entry = Assert.Single(EntryFiles());
        using (var stream = new FileStream(entry, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(length);
        }

        Assert.False(cache.TryGet(Key("one"), out _));
        Assert.False(File.Exists(entry));
    }

    [Fact]
    public void TryGet_DropsAnEntryStoredUnderAnotherKeysName()
    {
        // A file copied or restored under the wrong name has a valid hash of its own, but it answers another request.
        ChunkCache cache = NewCache();
        cache.Put(Key("one"), Body(SmallBody, 1));
        File.Copy(cache.EntryPath(Key("one")), cache.EntryPath(Key("two")));

        Assert.False(cache.TryGet(Key("two"), out _));
        Assert.False(File.Exists(cache.EntryPath(Key("two"))));
        Assert.True(cache.TryGet(Key("one"), out _));
    }

    [Fact]
    public void TryGet_MissesAnEntryThatCannotBeRead()
    {
        ChunkCache cache = NewCache();
        cache.Put(Key("other"), Body(SmallBody, 1));
        Directory.CreateDirectory(cache.EntryPath(Key("one")));

        Assert.False(cache.TryGet(Key("one"), out byte[] read));
        Assert.Empty(read);
    }

    [Fact]
    public void TryGet_HitCountsAsTheLatestUse()
    {
        ChunkCache cache = NewCache();
        cache.Put(Key("one"), Body(SmallBody, 1));
        DateTime used = _now.AddHours(5);
        _now = used;

        Assert.True(cache.TryGet(Key("one"), out _));

        Assert.Equal(used, File.GetLastWriteTimeUtc(cache.EntryPath(Key("one"))));
    }

    [Fact]
    public void Put_EvictsTheLeastRecentlyUsedFirst()
    {
        long entry = ChunkCache.EntrySize(SmallBody);
        ChunkCache cache = NewCache(capBytes: 3 * entry);
        foreach (string name in new[] { "a", "b", "c" })
        {
            Tick();
            Assert.Equal(ChunkCachePutResult.Stored, cache.Put(Key(name), Body(SmallBody, 1)));
        }

        Tick();
        Assert.True(cache.TryGet(Key("a"), out _));

        Tick();
        cache.Put(Key("d"), Body(SmallBody, 1));
        Assert.Equal(new[] { "a", "c", "d" }, Present("a", "b", "c", "d", "e", "f"));

        Tick();
        cache.Put(Key("e"), Body(SmallBody, 1));
        Assert.Equal(new[] { "a", "d", "e" }, Present("a", "b", "c", "d", "e", "f"));

        // A larger entry pushes out as many as it needs, oldest first.
        Tick();
        cache.Put(Key("f"), Body(SmallBody * 2, 1));
        Assert.Equal(new[] { "e", "f" }, Present("a", "b", "c", "d", "e", "f"));
        Assert.True(cache.GetStatistics().TotalBytes <= cache.CapBytes);

        string[] Present(params string[] names) => names.Where(name => File.Exists(cache.EntryPath(Key(name)))).ToArray();
    }

    [Fact]
    public void Put_EvictsEntriesOtherInstancesStored()
    {
        long entry = ChunkCache.EntrySize(SmallBody);
        ChunkCache first = NewCache(capBytes: 3 * entry);
        ChunkCache second = NewCache(capBytes: 3 * entry);
        Tick();
        first.Put(Key("a"), Body(SmallBody, 1));
        Tick();
        first.Put(Key("b"), Body(SmallBody, 1));
        Tick();
        second.Put(Key("c"), Body(SmallBody, 1));
        Tick();
        second.Put(Key("d"), Body(SmallBody, 1));

        Assert.False(first.TryGet(Key("a"), out _));
        Assert.Equal(3, second.GetStatistics().EntryCount);
    }

    [Fact]
    public void Put_DoesNotStoreAnEntryLargerThanTheCap()
    {
        ChunkCache cache = NewCache(capBytes: ChunkCache.EntrySize(SmallBody));
        cache.Put(Key("fits"), Body(SmallBody, 1));

        Assert.Equal(ChunkCachePutResult.TooLarge, cache.Put(Key("large"), Body(SmallBody + 1, 1)));

        Assert.False(cache.TryGet(Key("large"), out _));
        Assert.True(cache.TryGet(Key("fits"), out _));
    }

    [Fact]
    public void CapZero_TurnsTheCacheOffBothWays()
    {
        NewCache().Put(Key("earlier"), Body(SmallBody, 1));
        string offFolder = Path.Combine(_root, "never");
        ChunkCache off = NewCache(capBytes: 0, folder: offFolder);

        Assert.False(off.IsEnabled);
        Assert.Equal(ChunkCachePutResult.Off, off.Put(Key("one"), Body(SmallBody, 1)));
        Assert.False(off.TryGet(Key("one"), out _));
        Assert.False(Directory.Exists(offFolder));
        Assert.False(NewCache(capBytes: 0).TryGet(Key("earlier"), out _));
    }

    [Fact]
    public void GetStatistics_CountsEntriesAndTheirSize()
    {
        ChunkCache cache = NewCache(capBytes: 1 << 20);
        Assert.Equal(0, cache.GetStatistics().EntryCount);
        cache.Put(Key("one"), Body(100, 1));
        cache.Put(Key("two"), Body(200, 1));
        File.WriteAllText(Path.Combine(Folder, "notes.txt"), "not an entry");

        ChunkCacheStatistics statistics = cache.GetStatistics();

        Assert.Equal(Folder, statistics.Folder);
        Assert.Equal(2, statistics.EntryCount);
        Assert.Equal(ChunkCache.EntrySize(100) + ChunkCache.EntrySize(200), statistics.TotalBytes);
        Assert.Equal(1 << 20, statistics.CapBytes);
        Assert.True(statistics.IsEnabled);
    }

    [Fact]
    public void Clear_RemovesEntriesAndTemporaryFilesOnly()
    {
        ChunkCache cache = NewCache();
        foreach (string name in new[] { "a", "b", "c" })
        {
            cache.Put(Key(name), Body(SmallBody, 1));
        }

        string leftover = Path.Combine(Folder, "." + Key("d").Hex + ".0badf00d" + ChunkCache.TemporaryExtension);
        File.WriteAllBytes(leftover, Body(10, 1));
        string unrelated = Path.Combine(Folder, "notes.tmp");
        File.WriteAllText(unrelated, "not ours");
        string notAnEntry = Path.Combine(Folder, "backup.chunk");
        File.WriteAllText(notAnEntry, "not ours either");

        ChunkCacheClearResult cleared = cache.Clear();

        Assert.Equal(3, cleared.EntriesRemoved);
        Assert.Equal(3 * ChunkCache.EntrySize(SmallBody), cleared.BytesRemoved);
        Assert.Equal(1, cleared.TemporaryFilesRemoved);
        Assert.Equal(0, cleared.NotRemoved);
        Assert.Empty(EntryFiles());
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(unrelated));
        Assert.True(File.Exists(notAnEntry));
        Assert.False(cache.TryGet(Key("a"), out _));
        Assert.Equal(0, cache.GetStatistics().EntryCount);
    }

    [Fact]
    public void Clear_WorksWithTheCacheOff()
    {
        // Turning the cache off keeps what it holds; clearing it must still be possible.
        NewCache().Put(Key("a"), Body(SmallBody, 1));
        ChunkCache off = NewCache(capBytes: 0);

        Assert.Equal(1, off.GetStatistics().EntryCount);
        Assert.Equal(1, off.Clear().EntriesRemoved);
        Assert.Empty(EntryFiles());
    }

    [Fact]
    public void Put_RemovesTemporaryFilesOfKilledWritersOnlyWhenOld()
    {
        Directory.CreateDirectory(Folder);
        string stale = Path.Combine(Folder, "." + Key("x").Hex + ".0badf00d" + ChunkCache.TemporaryExtension);
        string fresh = Path.Combine(Folder, "." + Key("y").Hex + ".0badf00e" + ChunkCache.TemporaryExtension);
        string unrelated = Path.Combine(Folder, ".notes.tmp");
        foreach (string path in new[] { stale, fresh, unrelated })
        {
            File.WriteAllBytes(path, Body(10, 1));
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        }

        File.SetLastWriteTimeUtc(fresh, DateTime.UtcNow.AddMinutes(-1));

        NewCache().Put(Key("one"), Body(SmallBody, 1));

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(unrelated));
    }

    [Fact]
    public void Put_MakesTheFolderAgainWhenItWasDeleted()
    {
        ChunkCache cache = NewCache();
        cache.Put(Key("one"), Body(SmallBody, 1));
        Directory.Delete(Folder, recursive: true);

        Assert.Equal(ChunkCachePutResult.Stored, cache.Put(Key("two"), Body(SmallBody, 1)));
        Assert.True(cache.TryGet(Key("two"), out _));
    }

    [Fact]
    public void Put_ReportsAFolderThatCannotBeMadeWithoutThrowing()
    {
        // A regular file where the folder should be: fails for root too, unlike a mode.
        string blocker = Path.Combine(_root, "blocker");
        File.WriteAllText(blocker, "a file, not a folder");
        ChunkCache cache = NewCache(folder: Path.Combine(blocker, "AitreTts"));
        var log = new RecordingLog();

        Assert.Equal(ChunkCachePutResult.Failed, cache.Put(Key("one"), Body(SmallBody, 1), log));
        Assert.Equal(ChunkCachePutResult.Failed, cache.Put(Key("two"), Body(SmallBody, 1), log));

        // Once per cache, not once per chunk of a long document.
        Assert.Single(log.Warnings);
        Assert.Contains(cache.Folder, log.Warnings[0], StringComparison.Ordinal);
        Assert.False(cache.TryGet(Key("one"), out _, log));
        Assert.Equal(0, cache.GetStatistics().EntryCount);
        Assert.Equal(0, cache.Clear(log).EntriesRemoved);
    }

    [Fact]
    public void Put_ReportsAnEntryItCannotWriteWithoutThrowing()
    {
        ChunkCache cache = NewCache();
        cache.Put(Key("other"), Body(SmallBody, 1));
        Directory.CreateDirectory(cache.EntryPath(Key("one")));
        var log = new RecordingLog();

        Assert.Equal(ChunkCachePutResult.Failed, cache.Put(Key("one"), Body(SmallBody, 1), log));

        Assert.Single(log.Warnings);
        Assert.Empty(TemporaryFiles());
        Assert.True(cache.TryGet(Key("other"), out _));
    }

    // The analyzer cannot see Skip.If: the attribute tells it these file-mode calls never run on Windows.
    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void Put_ReportsAReadOnlyFolderWithoutThrowing()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix modes");
        ChunkCache cache = NewCache();
        cache.Put(Key("other"), Body(SmallBody, 1));
        File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        string probe = Path.Combine(Folder, "probe");
        bool writable = true;
        try
        {
            File.WriteAllText(probe, string.Empty);
        }
        catch (UnauthorizedAccessException)
        {
            writable = false;
        }

        Skip.If(writable, "this user (root) writes to a read-only folder; Put_ReportsAFolderThatCannotBeMadeWithoutThrowing covers root");
        var log = new RecordingLog();

        Assert.Equal(ChunkCachePutResult.Failed, cache.Put(Key("one"), Body(SmallBody, 1), log));
        Assert.Single(log.Warnings);
        Assert.True(cache.TryGet(Key("other"), out _));
    }

    [Fact]
    public void Put_FromManyThreadsOfOneInstance_LeavesOneWholeEntry()
    {
        ChunkCache cache = NewCache();
        RunConcurrentPuts(_ => cache, cache);
    }

    [Fact]
    public void Put_FromTwoInstancesOnOneFolder_LeavesOneWholeEntry()
    {
        ChunkCache[] caches = { NewCache(), NewCache() };
        RunConcurrentPuts(writer => caches[writer % 2], caches[1]);
    }

    // Writers store different bodies under one key while readers read it: a reader must only ever see one of the
    // bodies whole (never a torn or half-renamed entry, which it would drop as corrupt and log), and the end is one
    // entry and no temporary file.
    private void RunConcurrentPuts(Func<int, ChunkCache> cacheOf, ChunkCache reader)
    {
        const int Writers = 6;
        const int PutsEach = 15;
        ChunkCacheKey key = Key("contended");
        byte[][] bodies = Enumerable.Range(0, Writers).Select(i => Body(40_000 + (i * 1000), (byte)i)).ToArray();
        var problems = new ConcurrentQueue<string>();
        var log = new RecordingLog();
        int hits = 0;
        using var done = new CancellationTokenSource();
        using var start = new Barrier(Writers + 2);

        Task[] readers = Enumerable.Range(0, 2).Select(_ => Run(() =>
        {
            start.SignalAndWait();
            while (!done.IsCancellationRequested)
            {
                if (reader.TryGet(key, out byte[] read, log))
                {
                    Interlocked.Increment(ref hits);
                    if (!bodies.Any(body => body.AsSpan().SequenceEqual(read)))
                    {
                        problems.Enqueue($"read {read.Length} bytes that are none of the bodies");
                    }
                }
            }
        })).ToArray();

        Task[] writers = Enumerable.Range(0, Writers).Select(writer => Run(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < PutsEach; i++)
            {
                ChunkCachePutResult result = cacheOf(writer).Put(key, bodies[writer], log);
                if (result != ChunkCachePutResult.Stored)
                {
                    problems.Enqueue($"writer {writer}: {result}: {string.Join(" / ", log.Warnings)}");
                }
            }
        })).ToArray();

        Assert.True(Task.WaitAll(writers, TimeSpan.FromMinutes(2)));
        done.Cancel();
        Assert.True(Task.WaitAll(readers, TimeSpan.FromMinutes(1)));

        Assert.Empty(problems);
        Assert.Empty(log.Warnings);
        Assert.DoesNotContain(log.VerboseMessages, message => message.StartsWith("Dropped", StringComparison.Ordinal));
        Assert.True(hits > 0);
        Assert.Single(EntryFiles());
        Assert.Empty(TemporaryFiles());
        Assert.True(reader.TryGet(key, out byte[] final));
        Assert.Contains(bodies, body => body.AsSpan().SequenceEqual(final));
    }

    // A thread each: on two cores the thread pool would add the threads the barrier waits for one by one, slowly.
    private static Task Run(Action action) => Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static void MakeWritable(string directory)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
