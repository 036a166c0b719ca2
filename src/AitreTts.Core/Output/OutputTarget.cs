using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security;
using System.Text.RegularExpressions;
using AitreTts.Core.Files;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Output;

/// <summary>How a finished file takes its place.</summary>
internal enum OutputMode
{
    /// <summary>A name the user gave: an existing file is replaced, as Out-File and Invoke-WebRequest -OutFile do.</summary>
    Replace,
    /// <summary>A name the user gave with -NoClobber: an existing file is an error.</summary>
    NoClobber,
    /// <summary>A name we generated: an existing file is never replaced; the next candidate name is used instead.</summary>
    Unique,
}

/// <summary>
/// Where one document's audio goes, and the atomic last step: audio is written to a temporary file in the target
/// directory, flushed, then renamed into place, so a reader (a PA system, a copy job) never sees half a file.
/// </summary>
internal sealed class OutputTarget
{
    internal const int MaximumCandidates = 1000;

    // Each try loses a race to another writer that created the name between the check and the move; sixteen in a
    // row means something keeps recreating it, and waiting longer would not help.
    private const int MaximumReplaceAttempts = 16;

    private static readonly MethodInfo? ResolveLinkTarget = typeof(File).GetMethod("ResolveLinkTarget", new[] { typeof(string), typeof(bool) });

    private readonly Func<int, string> _candidateName;

    // The path the user named when it is a symbolic link: the audio goes to the link's target, the link stays.
    private readonly string? _linkPath;

    /// <summary>A target in <paramref name="directory"/> whose name is <paramref name="candidateName"/>(0), then (1), ... for <see cref="OutputMode.Unique"/>.</summary>
    public OutputTarget(string directory, Func<int, string> candidateName, OutputMode mode, bool force)
        : this(directory, candidateName, mode, force, linkPath: null, Audio)
    {
    }

    private OutputTarget(string directory, Func<int, string> candidateName, OutputMode mode, bool force, string? linkPath, string content)
    {
        Directory = directory;
        _candidateName = candidateName;
        Mode = mode;
        Force = force;
        _linkPath = linkPath;
        Content = content;
    }

    private const string Audio = "audio";

    /// <summary>What the file holds, as messages name it: "audio", "subtitles".</summary>
    public string Content { get; }

    /// <summary>The directory the file goes into.</summary>
    public string Directory { get; }

    /// <summary>How an existing file is treated.</summary>
    public OutputMode Mode { get; }

    /// <summary>With -Force a read-only target is replaced too.</summary>
    public bool Force { get; }

    /// <summary>The preferred full path: what -WhatIf shows.</summary>
    public string PreferredPath => _linkPath ?? Path.Combine(Directory, _candidateName(0));

    /// <summary>How many temporary files of dead runs <see cref="Prepare"/> removed.</summary>
    public int RemovedPartialFiles { get; private set; }

    /// <summary>
    /// True when a path the user gave as -OutFile names a folder (it exists as one, or ends with a separator): the
    /// audio then goes inside it under a generated name, as <c>Invoke-WebRequest -OutFile &lt;folder&gt;</c> does.
    /// </summary>
    public static bool NamesFolder(string path) =>
        path.Length > 0 && (EndsWithSeparator(path) || System.IO.Directory.Exists(path));

    /// <summary>A target for a path the user named.</summary>
    public static OutputTarget ForUserPath(string fullPath, bool noClobber, bool force) => ForUserPath(fullPath, noClobber, force, Audio);

    private static OutputTarget ForUserPath(string fullPath, bool noClobber, bool force, string content)
    {
        OutputMode mode = noClobber ? OutputMode.NoClobber : OutputMode.Replace;
        string? linkTarget = FinalLinkTarget(fullPath);
        string written = linkTarget ?? fullPath;
        string name = Path.GetFileName(written);
        return new OutputTarget(Path.GetDirectoryName(written) ?? ".", _ => name, mode, force, linkTarget is null ? null : fullPath, content);
    }

    /// <summary>
    /// The target of a file that goes beside this one under the same name with <paramref name="extension"/> (a
    /// subtitle sidecar), kept by the same rules: the name the user gave (its link, not the link's target), the same
    /// -NoClobber and -Force, and for a generated name the same attempt, so the two names move on together.
    /// </summary>
    public OutputTarget Beside(string extension, string content) =>
        Mode == OutputMode.Unique
            ? new OutputTarget(Directory, attempt => Path.ChangeExtension(_candidateName(attempt), extension), Mode, Force, linkPath: null, content)
            : ForUserPath(Path.ChangeExtension(PreferredPath, extension), Mode == OutputMode.NoClobber, Force, content);

    /// <summary>The full path of the <paramref name="attempt"/>th candidate name (always the one name for a name the user gave).</summary>
    public string CandidatePath(int attempt) => Path.Combine(Directory, _candidateName(attempt));

    /// <summary>
    /// The target for -OutFile: the file it names, or, when it names a folder (see <see cref="NamesFolder"/>), a
    /// <paramref name="generatedName"/> inside that folder that never replaces an existing file.
    /// </summary>
    public static OutputTarget ForOutFile(string fullPath, bool noClobber, bool force, Func<int, string> generatedName) =>
        NamesFolder(fullPath)
            ? new OutputTarget(TrimSeparator(fullPath), generatedName, OutputMode.Unique, force)
            : ForUserPath(fullPath, noClobber, force);

    /// <summary>
    /// Checks before any request is sent (so no money is spent on audio that cannot be saved): the directory exists
    /// or may be created, and a -NoClobber target does not exist yet. Removes the temporary files that runs which
    /// have ended left in the directory.
    /// </summary>
    /// <param name="createDirectory">True when the directory may be created (it is under -OutputDirectory).</param>
    /// <param name="removePartialFiles">False when this call has already looked for them in this directory.</param>
    public void Prepare(bool createDirectory, bool removePartialFiles = true)
    {
        try
        {
            if (!System.IO.Directory.Exists(Directory))
            {
                if (!createDirectory)
                {
                    throw FileErrors.MissingDirectory(Directory);
                }

                System.IO.Directory.CreateDirectory(Directory);
            }
            else if (removePartialFiles)
            {
                RemovedPartialFiles = PartialFiles.RemoveDead(Directory);
            }

            CheckName();
        }
        catch (Exception ex) when (ex is not TtsException)
        {
            throw FileErrors.From(ex, Directory);
        }
    }

    /// <summary>
    /// The checks a name the user gave must pass (a generated name passes by being free): nothing stands in the
    /// way that the file cannot or may not replace. Made before anything is sent, and again just before a pair of
    /// files is committed, so that neither is replaced when the other could not be.
    /// </summary>
    public void CheckName()
    {
        if (Mode == OutputMode.Unique)
        {
            return;
        }

        string target = CandidatePath(0);
        if (System.IO.Directory.Exists(target))
        {
            throw FolderInTheWay(target);
        }

        if (FileNode.IsDeviceOrPipe(target))
        {
            throw DeviceInTheWay(PreferredPath);
        }

        if (Mode == OutputMode.NoClobber && File.Exists(target))
        {
            throw Exists(PreferredPath);
        }

        if (Mode == OutputMode.Replace && File.Exists(target) && !Force && (File.GetAttributes(target) & FileAttributes.ReadOnly) != 0)
        {
            throw ReadOnly(PreferredPath);
        }
    }

    /// <summary>Creates a new, empty temporary file beside the target, hidden by its leading dot.</summary>
    public FileStream CreateTemporaryFile(out string path)
    {
        path = Path.Combine(Directory, PartialFiles.NewName(_candidateName(0)));
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 81920, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is FileNotFoundException && System.IO.Directory.Exists(Directory))
        {
            // Linux's /proc and /sys answer "no such file" to a new file in a folder that exists.
            throw new TtsException(
                TtsErrorIds.OutputNotWritable,
                TtsErrorCategory.PermissionDenied,
                $"Cannot write '{PreferredPath}': the folder '{Directory}' does not accept new files. Choose another -OutFile or -OutputDirectory.",
                ex);
        }
        catch (Exception ex)
        {
            throw FileErrors.From(ex, Directory);
        }

        try
        {
            PartialFiles.Track(path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return stream;
    }

    /// <summary>Moves a finished temporary file into place and returns the final path.</summary>
    public string Commit(string temporaryPath) => Commit(temporaryPath, backupPath: null);

    /// <summary>
    /// Moves a finished temporary file into place and returns the final path. When it replaces a file and
    /// <paramref name="backupPath"/> is given, the replaced file is kept there, so that it can be put back.
    /// </summary>
    public string Commit(string temporaryPath, string? backupPath)
    {
        try
        {
            string committed;
            switch (Mode)
            {
                case OutputMode.Replace:
                    committed = CommitReplacing(temporaryPath, backupPath);
                    break;
                case OutputMode.NoClobber:
                    string target = CandidatePath(0);
                    if (!TryMoveNew(temporaryPath, target))
                    {
                        throw System.IO.Directory.Exists(target) ? FolderInTheWay(target) : Exists(PreferredPath);
                    }

                    committed = PreferredPath;
                    break;
                default:
                    committed = CommitUnique(temporaryPath);
                    break;
            }

            PartialFiles.Untrack(temporaryPath);
            return committed;
        }
        catch (Exception ex) when (ex is not TtsException)
        {
            throw FileErrors.From(ex, Directory);
        }
    }

    /// <summary>
    /// For a generated name: moves the temporary file to candidate <paramref name="attempt"/> if that name is free,
    /// or finds it already holding the same bytes (a rerun of the same text makes the same audio: the file already
    /// there is handed back rather than a numbered copy). Returns the path, or null when the name is taken.
    /// <paramref name="moved"/> is false when the candidate already held the bytes: the temporary file is then left
    /// for the caller to remove.
    /// </summary>
    public string? TryCommitAt(string temporaryPath, int attempt, out bool moved)
    {
        // A move that fails when the name exists decides races between runspaces and processes.
        string candidate = CandidatePath(attempt);
        moved = TryMoveNew(temporaryPath, candidate);
        return moved || SameContent(temporaryPath, candidate) ? candidate : null;
    }

    private string CommitUnique(string temporaryPath)
    {
        for (int attempt = 0; attempt < MaximumCandidates; attempt++)
        {
            if (TryCommitAt(temporaryPath, attempt, out bool moved) is string committed)
            {
                if (!moved)
                {
                    File.Delete(temporaryPath);
                }

                return committed;
            }
        }

        throw NoFreeName();
    }

    /// <summary>The error when no generated name was free.</summary>
    public TtsException NoFreeName() =>
        new(TtsErrorIds.OutputExists, TtsErrorCategory.ResourceExists, $"Could not find a free file name in '{Directory}' after {MaximumCandidates} tries.");

    private string CommitReplacing(string temporaryPath, string? backupPath)
    {
        string target = CandidatePath(0);
        for (int attempt = 0; attempt < MaximumReplaceAttempts; attempt++)
        {
            if (System.IO.Directory.Exists(target))
            {
                throw FolderInTheWay(target);
            }

            // Checked again here: Prepare ran before the audio was fetched, and the node may have been swapped since.
            if (FileNode.IsDeviceOrPipe(target))
            {
                throw DeviceInTheWay(PreferredPath);
            }

            if (File.Exists(target))
            {
                ReplaceKeepingMode(temporaryPath, target, backupPath);
                return PreferredPath;
            }

            if (TryMoveNew(temporaryPath, target))
            {
                return PreferredPath;
            }

            // Created by someone else between the check and the move: replace it, as asked, on the next turn.
        }

        throw new TtsException(
            TtsErrorIds.WriteFailed,
            TtsErrorCategory.WriteError,
            $"'{PreferredPath}' was created and removed again by something else {MaximumReplaceAttempts} times while the audio was being moved into place; nothing was written. Try again, or choose another -OutFile.");
    }

    // Out-File and Set-Content write into the existing file, so it keeps its permissions; a rename would give it the
    // temporary file's. Copying the mode onto the temporary file first keeps the replacement atomic.
    private void ReplaceKeepingMode(string temporaryPath, string target, string? backupPath)
    {
        FileAttributes attributes = File.GetAttributes(target);
        bool readOnly = (attributes & FileAttributes.ReadOnly) != 0;
        if (readOnly && !Force)
        {
            throw ReadOnly(PreferredPath);
        }

        bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        if (PrivateFile.GetUnixMode(target) is int mode)
        {
            PrivateFile.SetUnixMode(temporaryPath, mode);
        }

        if (readOnly && windows)
        {
            // ReplaceFile refuses a read-only target; the attribute is put back once the audio is in place.
            File.SetAttributes(target, attributes & ~FileAttributes.ReadOnly);
        }

        // Atomic on every platform: ReplaceFile on Windows, rename(2) elsewhere. The backup, when asked for, is the
        // replaced file itself (a hard link, or ReplaceFile's rename), so putting it back restores it exactly.
        File.Replace(temporaryPath, target, backupPath);
        if (readOnly && windows)
        {
            File.SetAttributes(target, File.GetAttributes(target) | FileAttributes.ReadOnly);
        }
    }

    // The file a symbolic link finally points to, or null when the path is no link. File.ResolveLinkTarget exists
    // from .NET 6 on (every PowerShell 7); Windows PowerShell 5.1 replaces a link, as it always did.
    private static string? FinalLinkTarget(string path)
    {
        if (ResolveLinkTarget is null)
        {
            return null;
        }

        try
        {
            return (ResolveLinkTarget.Invoke(null, new object[] { path, true }) as FileSystemInfo)?.FullName;
        }
        catch (TargetInvocationException)
        {
            // A link loop or an unreadable link: write the path itself, whose own error then says what is wrong.
            return null;
        }
    }

    // True when the regular file at existingPath holds exactly the bytes of newPath. Anything unreadable is "not the
    // same", so the caller goes on to the next free name as before.
    private static bool SameContent(string newPath, string existingPath)
    {
        try
        {
            if (FileNode.IsDeviceOrPipe(existingPath) || !File.Exists(existingPath))
            {
                return false;
            }

            using var written = new FileStream(newPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var existing = new FileStream(existingPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (written.Length != existing.Length)
            {
                return false;
            }

            var left = new byte[81920];
            var right = new byte[81920];
            while (true)
            {
                int read = ReadFull(written, left);
                if (read == 0)
                {
                    return true;
                }

                if (ReadFull(existing, right) != read)
                {
                    return false;
                }

                for (int i = 0; i < read; i++)
                {
                    if (left[i] != right[i])
                    {
                        return false;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static int ReadFull(Stream stream, byte[] buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer, total, buffer.Length - total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static bool EndsWithSeparator(string path)
    {
        char last = path[path.Length - 1];
        return last == Path.DirectorySeparatorChar || last == Path.AltDirectorySeparatorChar;
    }

    private static string TrimSeparator(string path)
    {
        string trimmed = path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return trimmed.Length == 0 || trimmed.EndsWith(":", StringComparison.Ordinal) ? path : trimmed;
    }
    // Moves source to target only if target does not exist, atomically, so racing runspaces and processes never
    // replace each other's files. Windows' MoveFileEx without REPLACE_EXISTING does that; on Unix, .NET's File.Move
    // checks and then rename(2)s over the target, which races, so the name is claimed with link(2) instead, which
    // fails with EEXIST when it is taken.
    private static bool TryMoveNew(string source, string target)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            try
            {
                File.Move(source, target);
                return true;
            }
            catch (IOException) when ((File.Exists(target) || System.IO.Directory.Exists(target)) && File.Exists(source))
            {
                return false;
            }
        }

        if (UnixLink.TryLink(source, target, out bool exists))
        {
            File.Delete(source);
            return true;
        }

        if (exists)
        {
            return false;
        }

        // A file system without hard links (FAT, some network shares): claim the name with an exclusive create,
        // then put the audio over that empty claim atomically.
        try
        {
            using (new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
            }
        }
        catch (IOException) when (File.Exists(target) || System.IO.Directory.Exists(target))
        {
            return false;
        }

        File.Replace(source, target, null);
        return true;
    }

    private static class UnixLink
    {
        private const int AlreadyExists = 17; // EEXIST on Linux and macOS alike.

        public static bool TryLink(string source, string target, out bool exists)
        {
            exists = false;
            try
            {
                if (link(source, target) == 0)
                {
                    return true;
                }

                exists = Marshal.GetLastWin32Error() == AlreadyExists;
                return false;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                return false;
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int link(string oldpath, string newpath);
    }

    private static TtsException Exists(string path) => new(
        TtsErrorIds.OutputExists,
        TtsErrorCategory.ResourceExists,
        $"The file '{path}' already exists and -NoClobber was given. Remove -NoClobber to replace it, or choose another -OutFile.");

    private static TtsException ReadOnly(string path) => new(
        TtsErrorIds.OutputNotWritable,
        TtsErrorCategory.PermissionDenied,
        $"The file '{path}' is read-only. Use -Force to replace it anyway.");

    // A rename would replace the node itself (as root, /dev/null became a regular file), and writing into it
    // instead would lose the atomic replacement that -OutFile promises.
    private TtsException DeviceInTheWay(string path) => new(
        TtsErrorIds.InvalidOutputPath,
        TtsErrorCategory.InvalidArgument,
        $"'{path}' is a device or pipe, not a regular file; -OutFile takes a file that the {Content} replaces atomically. Choose a file name.");

    private TtsException FolderInTheWay(string path) => new(
        TtsErrorIds.OutputExists,
        TtsErrorCategory.ResourceExists,
        $"'{path}' is a folder, which the {Content} cannot replace. Name a file, or name the folder alone to write a generated name inside it.");
}

/// <summary>Turns file system exceptions into errors that say what to do.</summary>
internal static class FileErrors
{
    private const int WindowsDiskFull = 0x70;
    private const int WindowsHandleDiskFull = 0x27;
    private const int UnixNoSpace = 28;
    private const int UnixReadOnlyFileSystem = 30;

    // .NET names the file it failed on; for audio that is a hidden temporary file the user never asked for.
    private static readonly Regex TemporaryFileName = new(@"'[^']*\.partial'", RegexOptions.CultureInvariant);

    /// <summary>The error for a failure to write in or to <paramref name="path"/>.</summary>
    public static TtsException From(Exception ex, string path)
    {
        if (ex is TtsException tts)
        {
            return tts;
        }

        if (ex is UnauthorizedAccessException or SecurityException)
        {
            return new TtsException(TtsErrorIds.OutputNotWritable, TtsErrorCategory.PermissionDenied, $"Cannot write to '{path}': access is denied. Choose a directory you can write to (-OutputDirectory or -OutFile).", ex);
        }

        if (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return new TtsException(TtsErrorIds.InvalidOutputPath, TtsErrorCategory.InvalidArgument, $"'{path}' is not a valid file path: {Scrub(ex.Message, path)}", ex);
        }

        if (ex is IOException io && HasCode(io, UnixReadOnlyFileSystem, "Read-only file system"))
        {
            return new TtsException(TtsErrorIds.OutputNotWritable, TtsErrorCategory.PermissionDenied, $"Cannot write to '{path}': it is on a read-only file system. Choose a directory you can write to (-OutputDirectory or -OutFile).", ex);
        }

        if (ex is IOException && FileStandingIn(path) is string file)
        {
            return NotAFolder(file, path, ex);
        }

        if (ex is DirectoryNotFoundException)
        {
            return new TtsException(TtsErrorIds.OutputDirectoryNotFound, TtsErrorCategory.ObjectNotFound, $"The directory of '{path}' does not exist. Create it first, or choose another path.", ex);
        }

        if (ex is IOException full && IsDiskFull(full))
        {
            return new TtsException(TtsErrorIds.DiskFull, TtsErrorCategory.WriteError, $"The disk holding '{path}' is full. Free some space or write elsewhere; no partial file was left behind.", ex);
        }

        return new TtsException(TtsErrorIds.WriteFailed, TtsErrorCategory.WriteError, $"Writing to '{path}' failed: {Scrub(ex.Message, path)}", ex);
    }

    /// <summary>The error for a folder that is not there: missing, or a file standing where it should be.</summary>
    public static TtsException MissingDirectory(string directory) =>
        FileStandingIn(directory) is string file
            ? NotAFolder(file, directory, null)
            : new TtsException(
                TtsErrorIds.OutputDirectoryNotFound,
                TtsErrorCategory.ObjectNotFound,
                $"The directory '{directory}' does not exist. Create it first, or choose another -OutFile.");

    private static TtsException NotAFolder(string file, string directory, Exception? ex) => new(
        TtsErrorIds.InvalidOutputPath,
        TtsErrorCategory.InvalidArgument,
        string.Equals(file, directory, StringComparison.Ordinal)
            ? $"'{directory}' is a file, not a folder, so no audio can be written in it. Choose a folder for -OutputDirectory, or a file in a folder for -OutFile."
            : $"'{file}' is a file, not a folder, so nothing can be written under '{directory}'. Choose another path.",
        ex);

    // The path itself or the nearest of its parents that exists, when that is a file.
    private static string? FileStandingIn(string path)
    {
        try
        {
            for (string? current = path; !string.IsNullOrEmpty(current); current = Path.GetDirectoryName(current))
            {
                if (System.IO.Directory.Exists(current))
                {
                    return null;
                }

                if (File.Exists(current))
                {
                    return current;
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
        }

        return null;
    }

    private static string Scrub(string message, string path) => TemporaryFileName.Replace(message, "'" + path + "'");

    private static bool IsDiskFull(IOException ex) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? (ex.HResult & 0xFFFF) is WindowsDiskFull or WindowsHandleDiskFull
            : HasCode(ex, UnixNoSpace, "No space left");

    // On Unix, .NET puts errno into HResult for the errors it has no exception type for.
    private static bool HasCode(IOException ex, int unixCode, string unixMessage) =>
        !RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
        && ((ex.HResult & 0xFFFF) == unixCode || ex.Message.IndexOf(unixMessage, StringComparison.OrdinalIgnoreCase) >= 0);
}
