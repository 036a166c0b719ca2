using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security;
using System.Threading;
using AitreTts.Core.Files;

namespace AitreTts.Core.Cache;

/// <summary>
/// A folder of synthesized chunks, one file per <see cref="ChunkCacheKey"/>, limited to a size cap by dropping the
/// least recently used. Any number of instances, threads and processes may share one folder: every entry is written
/// to a temporary file and renamed into place, and every read checks the entry against the HMAC-SHA256 stored in it,
/// under the user's <see cref="ChunkCacheSecret"/>, so a reader sees a whole entry this user stored or none: a torn,
/// altered or planted entry is a miss. A folder that is a link or another user's is not used at all
/// (<see cref="ChunkCacheFolderCheck"/>). A cache must never cost a synthesis: every file system failure becomes a
/// miss or a <see cref="ChunkCachePutResult"/>, never an exception.
/// </summary>
/// <remarks>
/// An entry file, <c>&lt;key hex&gt;.chunk</c>, is an 80-byte header and the body: the magic <c>AitreTC2</c> (8 bytes),
/// the key's SHA-256 (32), the body length as a little-endian Int64 (8), the HMAC-SHA256 of those 48 bytes and the
/// body (32). Its last write time is its last use. A write in progress is <c>.&lt;key hex&gt;.&lt;random&gt;.tmp</c>
/// in the same folder. Entries of the unkeyed <c>AitreTC1</c> layout are dropped as misses.
/// </remarks>
internal sealed class ChunkCache
{
    internal const long DefaultCapBytes = 1L << 30;
    internal const int HeaderLength = 80;
    internal const string EntryExtension = ".chunk";
    internal const string TemporaryExtension = ".tmp";

    private const int MacOffset = 48;

    private static readonly byte[] Magic = { (byte)'A', (byte)'i', (byte)'t', (byte)'r', (byte)'e', (byte)'T', (byte)'C', (byte)'2' };

    // Directory.CreateDirectory(string, UnixFileMode) exists from .NET 7 on, which is every runtime PowerShell runs on
    // outside Windows; netstandard2.0 cannot name it (see PrivateFile).
    private static readonly Type? UnixFileModeType = PrivateFile.IsUnix ? typeof(File).Assembly.GetType("System.IO.UnixFileMode") : null;
    private static readonly MethodInfo? CreateDirectoryWithMode = UnixFileModeType is null ? null : typeof(Directory).GetMethod("CreateDirectory", new[] { typeof(string), UnixFileModeType });

    private readonly object _gate = new();
    private volatile FolderState _folderState;

    // The bytes this instance believes the folder holds, so that a put far below the cap needs no listing of the
    // folder (tens of thousands of entries at the default cap). Unknown (-1) until the first listing; other processes
    // add to the folder unseen, so the belief is refreshed after RescanInterval.
    private long _estimatedBytes = -1;
    private readonly Stopwatch _sinceListing = new();
    private int _writeFailureWarned;
    private string? _refusal;

    // The logs (one per command) already told that the folder is not used, so each command says it once.
    private readonly ConditionalWeakTable<TtsLog, object> _toldUnsafe = new();

    /// <summary>A cache in <paramref name="folder"/>, which is created (private to the user) at the first put.</summary>
    /// <param name="folder">The folder; <see cref="ChunkCacheLocation.DefaultFolder()"/> for the user's default.</param>
    /// <param name="capBytes">The most the entries may take together; 0 turns the cache off.</param>
    /// <param name="secret">The key that authenticates entries; <see cref="ChunkCacheSecret.ForCurrentUser"/> for the user's.</param>
    internal ChunkCache(string folder, long capBytes, ChunkCacheSecret secret)
    {
        if (folder is null)
        {
            throw new ArgumentNullException(nameof(folder));
        }

        Secret = secret ?? throw new ArgumentNullException(nameof(secret));

        if (capBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capBytes), capBytes, "The cache size cap cannot be negative; 0 turns the cache off.");
        }

        Folder = Path.GetFullPath(folder);
        CapBytes = capBytes;
    }

    private enum FolderState
    {
        Unchecked,
        Ready,
        Refused,
    }

    internal string Folder { get; }

    internal ChunkCacheSecret Secret { get; }

    /// <summary>Why the folder is not used (a link, another user's), or null; for the cache cmdlets, which change nothing then.</summary>
    internal string? FolderRefusal => ChunkCacheFolderCheck.Refusal(Folder);

    // True where a folder is born private rather than tightened after; tests check the runtime offers it.
    internal static bool CreatesPrivateFoldersAtOnce => CreateDirectoryWithMode is not null;

    internal long CapBytes { get; }

    internal bool IsEnabled => CapBytes > 0;

    // The clock of last use; tests step it so that the order of use does not depend on the file system's timestamps.
    internal Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;

    // A temporary file older than this belongs to a writer that was killed: a live one renames or deletes its own
    // within the time it takes to write one chunk.
    internal TimeSpan TemporaryFileMaximumAge { get; set; } = TimeSpan.FromHours(1);

    internal TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(30);

    internal static long EntrySize(long bodyLength) => HeaderLength + bodyLength;

    internal string EntryPath(ChunkCacheKey key) => Path.Combine(Folder, key.Hex + EntryExtension);

    /// <summary>
    /// The body stored under <paramref name="key"/>, checked against its MAC; a hit counts as a use for the size cap.
    /// An entry that is corrupt, truncated, forged, a link or unreadable is deleted and is a miss. Never creates the
    /// folder or the secret.
    /// </summary>
    internal bool TryGet(ChunkCacheKey key, out byte[] body, TtsLog? log = null)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }

        log ??= TtsLog.None;
        body = Array.Empty<byte>();
        try
        {
            if (!IsEnabled || !EnsureFolder(create: false, log))
            {
                return false;
            }
        }
        catch (Exception ex) when (IsFileSystemFailure(ex))
        {
            log.Verbose($"The cache folder {Folder} cannot be used: {Unwrap(ex).Message}");
            return false;
        }

        byte[]? macKey;
        string? secretProblem;
        try
        {
            macKey = Secret.Key(create: false, out secretProblem);
        }
        catch (Exception ex) when (IsFileSystemFailure(ex) || ex is Errors.TtsException)
        {
            macKey = null;
            secretProblem = Unwrap(ex).Message;
        }

        if (macKey is null)
        {
            // No key yet: nothing this user stored can be there. An unreadable one is replaced by the next put.
            if (secretProblem is not null)
            {
                log.Verbose($"The cache entries cannot be authenticated, so none is served: {secretProblem}.");
            }

            return false;
        }

        string path = EntryPath(key);
        byte[]? stored;
        string? problem;
        try
        {
            if (ChunkCacheFolderCheck.IsLink(path))
            {
                // Deleting the link leaves its target as it is.
                log.Verbose($"Dropped the cache entry {path}, which is a symbolic link, not an entry this cache wrote.");
                TryDelete(path, log);
                return false;
            }

            // FileShare.Delete: a put that replaces this entry, or an eviction, goes ahead while it is read; this reader
            // keeps the file it opened.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.SequentialScan);
            stored = ReadEntry(stream, key, macKey, out problem);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception ex) when (IsFileSystemFailure(ex))
        {
            stored = null;
            problem = "it cannot be read: " + ex.Message;
        }

        if (stored is null)
        {
            log.Verbose($"Dropped the cache entry {path}, which will be requested again: {problem}");
            TryDelete(path, log);
            return false;
        }

        try
        {
            File.SetLastWriteTimeUtc(path, UtcNow());
        }
        catch (Exception ex) when (IsFileSystemFailure(ex))
        {
            // Replaced or evicted since it was read: the body read is whole all the same, and only its rank in the
            // eviction order is lost.
        }

        body = stored;
        return true;
    }

    /// <summary>
    /// Stores <paramref name="body"/> under <paramref name="key"/> atomically, then drops the least recently used
    /// entries until the total is within the cap. Never throws for the file system: a failure is a result, and the
    /// first of an instance is a warning in <paramref name="log"/>.
    /// </summary>
    internal ChunkCachePutResult Put(ChunkCacheKey key, byte[] body, TtsLog? log = null)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }

        if (body is null)
        {
            throw new ArgumentNullException(nameof(body));
        }

        log ??= TtsLog.None;
        if (!IsEnabled)
        {
            return ChunkCachePutResult.Off;
        }

        if (body.Length == 0)
        {
            return ChunkCachePutResult.EmptyBody;
        }

        long size = EntrySize(body.Length);
        if (size > CapBytes)
        {
            log.Verbose(string.Format(CultureInfo.InvariantCulture, "Not cached: the chunk takes {0} bytes, more than the cache's cap of {1}.", size, CapBytes));
            return ChunkCachePutResult.TooLarge;
        }

        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (!EnsureFolder(create: true, log))
                {
                    if (_refusal is not null)
                    {
                        Report(log, _refusal);
                    }

                    return ChunkCachePutResult.Failed;
                }

                WriteEntry(key, body, Secret.Key(create: true, out _)!);
                break;
            }
            catch (DirectoryNotFoundException) when (attempt == 0)
            {
                // The folder was deleted while this instance lived (rm -r, a cleaner): make it again, once.
                lock (_gate)
                {
                    _folderState = FolderState.Unchecked;
                    _estimatedBytes = -1;
                }
            }
            catch (Exception ex) when (IsFileSystemFailure(ex) || ex is Errors.TtsException)
            {
                // A TtsException: the key that protects the cache's secret (secret.key) is unusable, and is left as it is.
                Report(log, $"Could not write to the cache folder {Folder}; synthesis goes on without storing its audio: {Unwrap(ex).Message}");
                return ChunkCachePutResult.Failed;
            }
        }

        KeepWithinCap(key, size, log);
        return ChunkCachePutResult.Stored;
    }

    /// <summary>
    /// Deletes the entry of <paramref name="key"/>: one that was read whole and authentic, but whose audio no longer
    /// passes the check a fresh answer gets, so that it is fetched and stored again.
    /// </summary>
    internal void Remove(ChunkCacheKey key, TtsLog? log = null)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }

        TryDelete(EntryPath(key), log ?? TtsLog.None);
    }

    /// <summary>The entries and their size now. Works with the cache off too, since the folder may hold entries from before.</summary>
    internal ChunkCacheStatistics GetStatistics()
    {
        int count = 0;
        long total = 0;
        foreach (FileInfo entry in ListEntries())
        {
            if (TryLength(entry, out long length))
            {
                count++;
                total += length;
            }
        }

        return new ChunkCacheStatistics(Folder, count, total, CapBytes);
    }

    /// <summary>
    /// Removes every entry and every temporary file, with the cache off too (turning it off does not remove what it
    /// holds). Another process's put that ends during the clear may leave its entry.
    /// </summary>
    internal ChunkCacheClearResult Clear(TtsLog? log = null)
    {
        log ??= TtsLog.None;
        int entries = 0;
        long bytes = 0;
        int temporary = 0;
        int notRemoved = 0;
        foreach (FileInfo file in ListEntries())
        {
            bool known = TryLength(file, out long length);
            if (TryDelete(file.FullName, log))
            {
                entries++;
                bytes += known ? length : 0;
            }
            else
            {
                notRemoved++;
            }
        }

        foreach (FileInfo file in ListTemporaryFiles())
        {
            if (TryDelete(file.FullName, log))
            {
                temporary++;
            }
            else
            {
                notRemoved++;
            }
        }

        lock (_gate)
        {
            _estimatedBytes = -1;
        }

        return new ChunkCacheClearResult(entries, bytes, temporary, notRemoved);
    }

    private static byte[]? ReadEntry(FileStream stream, ChunkCacheKey key, byte[] macKey, out string? problem)
    {
        long fileLength = stream.Length;
        if (fileLength <= HeaderLength)
        {
            problem = string.Format(CultureInfo.InvariantCulture, "it is truncated ({0} bytes).", fileLength);
            return null;
        }

        var header = new byte[HeaderLength];
        if (!ReadFully(stream, header) || !Same(header, 0, Magic, 0, Magic.Length))
        {
            problem = "it is not a cache entry of this version.";
            return null;
        }

        if (!Same(header, 8, key.Digest, 0, 32))
        {
            problem = "it holds the entry of another key.";
            return null;
        }

        long bodyLength = BitConverter.ToInt64(header, 40);
        if (!BitConverter.IsLittleEndian)
        {
            bodyLength = ReverseBytes(bodyLength);
        }

        if (bodyLength != fileLength - HeaderLength || bodyLength > int.MaxValue)
        {
            problem = string.Format(CultureInfo.InvariantCulture, "it is truncated or extended ({0} bytes of body where its header says {1}).", fileLength - HeaderLength, bodyLength);
            return null;
        }

        var body = new byte[bodyLength];
        if (!ReadFully(stream, body))
        {
            problem = "it is truncated.";
            return null;
        }

        if (!SameInConstantTime(ChunkCacheSecret.Mac(macKey, header, MacOffset, body), header, MacOffset))
        {
            problem = "it does not authenticate (its HMAC-SHA256 does not match): it was altered, written by another user or under an older key.";
            return null;
        }

        problem = null;
        return body;
    }

    private void WriteEntry(ChunkCacheKey key, byte[] body, byte[] macKey)
    {
        var header = new byte[HeaderLength];
        Buffer.BlockCopy(Magic, 0, header, 0, Magic.Length);
        Buffer.BlockCopy(key.Digest, 0, header, 8, 32);
        long length = BitConverter.IsLittleEndian ? body.Length : ReverseBytes(body.Length);
        Buffer.BlockCopy(BitConverter.GetBytes(length), 0, header, 40, 8);
        Buffer.BlockCopy(ChunkCacheSecret.Mac(macKey, header, MacOffset, body), 0, header, MacOffset, 32);

        string entry = EntryPath(key);
        string temporary = Path.Combine(Folder, "." + key.Hex + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + TemporaryExtension);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096))
            {
                // The mode before any content, as PrivateFile does: the audio speaks the user's text.
                PrivateFile.SetUnixMode(temporary, PrivateFile.OwnerReadWrite);
                stream.Write(header, 0, header.Length);
                stream.Write(body, 0, body.Length);
                // No flush to disk: an entry torn by a power cut fails its MAC check and is requested again, so the
                // cost of an fsync per chunk buys nothing here (the output files keep theirs).
                stream.Flush();
            }

            // Set before the rename, which keeps it: the entry appears already marked as just used.
            File.SetLastWriteTimeUtc(temporary, UtcNow());
            Publish(temporary, entry);
        }
        finally
        {
            TryDelete(temporary, TtsLog.None);
        }
    }

    // Two writers of one key (threads, runspaces, processes) may publish at once. The first rename creates the entry;
    // a later one finds it and replaces it, which is a rename(2) over it on Unix and ReplaceFile on Windows. Either way
    // a reader opens the old whole file or the new whole file.
    private static void Publish(string temporary, string entry)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                File.Move(temporary, entry);
                return;
            }
            catch (IOException) when (File.Exists(entry) && File.Exists(temporary))
            {
            }

            try
            {
                File.Replace(temporary, entry, null, ignoreMetadataErrors: true);
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && attempt < 4 && File.Exists(temporary))
            {
                // The entry went between the two calls (evicted, cleared), or on Windows another writer is replacing it
                // right now: try again shortly.
                Thread.Sleep(10 * (attempt + 1));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && File.Exists(entry))
            {
                // Still held by another writer of the same key after several tries: its body is as good as this one.
                return;
            }
        }
    }

    private bool EnsureFolder(bool create, TtsLog log)
    {
        if (_folderState == FolderState.Ready)
        {
            return true;
        }

        lock (_gate)
        {
            if (_folderState != FolderState.Unchecked)
            {
                return _folderState == FolderState.Ready;
            }

            // Checked before anything that could change the folder: a link's target and another user's folder are
            // never created in, chmod-ed or written. Checked at each use until the folder is found good, so that a
            // folder put right is used without a new session.
            if (FolderRefusal is string refusal)
            {
                TellUnsafe(log, refusal);
                return false;
            }

            if (!Directory.Exists(Folder))
            {
                if (!create)
                {
                    return false;
                }

                CreatePrivateFolder();
                if (FolderRefusal is string raced)
                {
                    TellUnsafe(log, raced);
                    return false;
                }
            }
            else if (PrivateFile.TightenDirectory(Folder))
            {
                log.Warning($"The cache folder {Folder} could be read or changed by other users; it is private (0700) now.");
            }

            if (PrivateFile.GetUnixMode(Folder) is int mode && (mode & 0x3F) != 0)
            {
                // Not ours to change: another user could read the audio of this user's text, or plant entries in it.
                // Said by the put that follows the miss, so that it reaches the user once, as a failure to write does.
                _refusal = string.Format(
                    CultureInfo.InvariantCulture,
                    "The cache folder {0} is open to other users (mode {1}) and could not be made private; the cache is not used. Make it private (chmod 700) or choose another folder.",
                    Folder,
                    Convert.ToString(mode, 8));
                _folderState = FolderState.Refused;
                return false;
            }

            _folderState = FolderState.Ready;
            return true;
        }
    }

    // Made 0700 by mkdir itself: a folder created first and tightened after would be open for a moment, and another
    // process finding it then would take it for a folder someone opened up.
    private void CreatePrivateFolder()
    {
        if (Path.GetDirectoryName(Folder) is { Length: > 0 } parent)
        {
            Directory.CreateDirectory(parent);
        }

        if (CreateDirectoryWithMode is null || UnixFileModeType is null)
        {
            Directory.CreateDirectory(Folder);
            PrivateFile.SetUnixMode(Folder, PrivateFile.OwnerOnlyDirectory);
            return;
        }

        CreateDirectoryWithMode.Invoke(null, new[] { Folder, Enum.ToObject(UnixFileModeType, PrivateFile.OwnerOnlyDirectory) });
    }

    private void KeepWithinCap(ChunkCacheKey justStored, long size, TtsLog log)
    {
        lock (_gate)
        {
            if (_estimatedBytes >= 0 && _estimatedBytes + size <= CapBytes && _sinceListing.Elapsed < RescanInterval)
            {
                _estimatedBytes += size;
                return;
            }

            _estimatedBytes = Evict(justStored, log);
            _sinceListing.Restart();
        }
    }

    // Lists the folder once: drops the temporary files of killed writers, then the least recently used entries until
    // the total is within the cap. Another process evicting at the same time deletes some of the same files, which is
    // harmless. Returns the total left.
    private long Evict(ChunkCacheKey justStored, TtsLog log)
    {
        // The file system's clock, which wrote these times, rather than the clock of last use.
        DateTime now = DateTime.UtcNow;
        foreach (FileInfo leftover in ListTemporaryFiles())
        {
            if (TryLastWrite(leftover, out DateTime written) && now - written > TemporaryFileMaximumAge)
            {
                log.Verbose($"Removed {leftover.FullName}, left by a process that stopped while writing to the cache.");
                TryDelete(leftover.FullName, log);
            }
        }

        var entries = new List<(FileInfo File, long Length, DateTime LastUse)>();
        long total = 0;
        string keep = justStored.Hex + EntryExtension;
        foreach (FileInfo entry in ListEntries())
        {
            if (TryLength(entry, out long length) && TryLastWrite(entry, out DateTime lastUse))
            {
                total += length;
                if (!string.Equals(entry.Name, keep, StringComparison.Ordinal))
                {
                    entries.Add((entry, length, lastUse));
                }
            }
        }

        if (total <= CapBytes)
        {
            return total;
        }

        entries.Sort((a, b) =>
        {
            int byUse = a.LastUse.CompareTo(b.LastUse);
            return byUse != 0 ? byUse : string.CompareOrdinal(a.File.Name, b.File.Name);
        });

        int evicted = 0;
        foreach ((FileInfo file, long length, DateTime _) in entries)
        {
            if (total <= CapBytes)
            {
                break;
            }

            if (TryDelete(file.FullName, log))
            {
                total -= length;
                evicted++;
            }
        }

        log.Verbose(string.Format(CultureInfo.InvariantCulture, "Dropped the {0} least recently used cache entries to keep {1} within its cap of {2} bytes.", evicted, Folder, CapBytes));
        return total;
    }

    private List<FileInfo> ListEntries() => ListFiles("*" + EntryExtension, IsEntryName);

    private List<FileInfo> ListTemporaryFiles() => ListFiles(".*" + TemporaryExtension, IsTemporaryName);

    // Only files named as this cache names them: anything else in the folder is not its to count or delete.
    private List<FileInfo> ListFiles(string pattern, Func<string, bool> isOurs)
    {
        var found = new List<FileInfo>();
        try
        {
            var folder = new DirectoryInfo(Folder);
            // Listing a link would count, evict or clear the files of its target.
            if (!folder.Exists || FolderRefusal is not null)
            {
                return found;
            }

            foreach (FileInfo file in folder.EnumerateFiles(pattern))
            {
                if (isOurs(file.Name))
                {
                    found.Add(file);
                }
            }
        }
        catch (Exception ex) when (IsFileSystemFailure(ex))
        {
            // A folder that cannot be listed holds nothing this instance can count or remove.
        }

        return found;
    }

    private static bool IsEntryName(string name) =>
        name.Length == 64 + EntryExtension.Length && name.EndsWith(EntryExtension, StringComparison.Ordinal) && IsHex(name, 0, 64);

    private static bool IsTemporaryName(string name) =>
        name.Length > 66 && name[0] == '.' && name[65] == '.' && IsHex(name, 1, 64) && name.EndsWith(TemporaryExtension, StringComparison.Ordinal);

    private static bool IsHex(string text, int start, int count)
    {
        for (int i = start; i < start + count; i++)
        {
            char c = text[i];
            if (c is not (>= '0' and <= '9') and not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    private void TellUnsafe(TtsLog log, string refusal)
    {
        if (!_toldUnsafe.TryGetValue(log, out _))
        {
            _toldUnsafe.Add(log, refusal);
            log.Verbose(refusal);
        }
    }

    // The first failure of an instance is a warning; the rest are verbose, or a long document would warn per chunk.
    private void Report(TtsLog log, string message)
    {
        if (Interlocked.Exchange(ref _writeFailureWarned, 1) == 0)
        {
            log.Warning(message);
        }
        else
        {
            log.Verbose(message);
        }
    }

    private static bool TryDelete(string path, TtsLog log)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (IsFileSystemFailure(ex))
        {
            log.Verbose($"Could not remove {path}: {Unwrap(ex).Message}");
            return false;
        }
    }

    private static bool TryLength(FileInfo file, out long length)
    {
        try
        {
            length = file.Length;
            return true;
        }
        catch (Exception ex) when (IsFileSystemFailure(ex))
        {
            // Deleted since the listing.
            length = 0;
            return false;
        }
    }

    private static bool TryLastWrite(FileInfo file, out DateTime lastWrite)
    {
        try
        {
            lastWrite = file.LastWriteTimeUtc;
            return true;
        }
        catch (Exception ex) when (IsFileSystemFailure(ex))
        {
            lastWrite = default;
            return false;
        }
    }

    // PrivateFile reaches the Unix mode through reflection, which wraps what the file system throws.
    private static bool IsFileSystemFailure(Exception ex) =>
        Unwrap(ex) is IOException or UnauthorizedAccessException or SecurityException or NotSupportedException;

    private static Exception Unwrap(Exception ex) =>
        ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;

    private static bool ReadFully(Stream stream, byte[] buffer)
    {
        int offset = 0;
        while (offset < buffer.Length)
        {
            int read = stream.Read(buffer, offset, buffer.Length - offset);
            if (read == 0)
            {
                return false;
            }

            offset += read;
        }

        return true;
    }

    // Every byte compared whatever the first difference, so the time taken says nothing of how much of a forged MAC
    // was right.
    private static bool SameInConstantTime(byte[] expected, byte[] actual, int actualOffset)
    {
        int difference = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            difference |= expected[i] ^ actual[actualOffset + i];
        }

        return difference == 0;
    }

    private static bool Same(byte[] a, int aOffset, byte[] b, int bOffset, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (a[aOffset + i] != b[bOffset + i])
            {
                return false;
            }
        }

        return true;
    }

    private static long ReverseBytes(long value)
    {
        byte[] bytes = BitConverter.GetBytes(value);
        Array.Reverse(bytes);
        return BitConverter.ToInt64(bytes, 0);
    }
}
