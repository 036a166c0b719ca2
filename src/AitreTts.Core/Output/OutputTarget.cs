using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Output;

/// <summary>How a finished file takes its place.</summary>
public enum OutputMode
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
public sealed class OutputTarget
{
    private const int MaximumCandidates = 1000;
    private readonly Func<int, string> _candidateName;

    /// <summary>A target in <paramref name="directory"/> whose name is <paramref name="candidateName"/>(0), then (1), ... for <see cref="OutputMode.Unique"/>.</summary>
    public OutputTarget(string directory, Func<int, string> candidateName, OutputMode mode, bool force)
    {
        Directory = directory;
        _candidateName = candidateName;
        Mode = mode;
        Force = force;
    }

    /// <summary>The directory the file goes into.</summary>
    public string Directory { get; }

    /// <summary>How an existing file is treated.</summary>
    public OutputMode Mode { get; }

    /// <summary>With -Force a read-only target is replaced too.</summary>
    public bool Force { get; }

    /// <summary>The preferred full path: what -WhatIf shows.</summary>
    public string PreferredPath => Path.Combine(Directory, _candidateName(0));

    /// <summary>A target for a path the user named.</summary>
    public static OutputTarget ForUserPath(string fullPath, bool noClobber, bool force)
    {
        string name = Path.GetFileName(fullPath);
        return new OutputTarget(Path.GetDirectoryName(fullPath) ?? ".", _ => name, noClobber ? OutputMode.NoClobber : OutputMode.Replace, force);
    }

    /// <summary>
    /// Checks before any request is sent (so no money is spent on audio that cannot be saved): the directory exists
    /// or may be created, and a -NoClobber target does not exist yet.
    /// </summary>
    /// <param name="createDirectory">True when the directory may be created (it is under -OutputDirectory).</param>
    public void Prepare(bool createDirectory)
    {
        try
        {
            if (!System.IO.Directory.Exists(Directory))
            {
                if (!createDirectory)
                {
                    throw new TtsException(
                        TtsErrorIds.OutputDirectoryNotFound,
                        TtsErrorCategory.ObjectNotFound,
                        $"The directory '{Directory}' does not exist. Create it first, or choose another -OutFile.");
                }

                System.IO.Directory.CreateDirectory(Directory);
            }

            if (Mode == OutputMode.NoClobber && File.Exists(PreferredPath))
            {
                throw Exists(PreferredPath);
            }

            if (Mode == OutputMode.Replace && File.Exists(PreferredPath) && !Force && (File.GetAttributes(PreferredPath) & FileAttributes.ReadOnly) != 0)
            {
                throw new TtsException(
                    TtsErrorIds.OutputNotWritable,
                    TtsErrorCategory.PermissionDenied,
                    $"The file '{PreferredPath}' is read-only. Use -Force to replace it anyway.");
            }
        }
        catch (Exception ex) when (ex is not TtsException)
        {
            throw FileErrors.From(ex, Directory);
        }
    }

    /// <summary>Creates a new, empty temporary file beside the target, hidden by its leading dot.</summary>
    public FileStream CreateTemporaryFile(out string path)
    {
        string stem = Path.GetFileNameWithoutExtension(_candidateName(0));
        if (stem.Length > 40)
        {
            stem = stem.Substring(0, 40);
        }

        path = Path.Combine(Directory, "." + stem + "." + Guid.NewGuid().ToString("N").Substring(0, 12) + ".partial");
        try
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 81920, FileOptions.Asynchronous);
        }
        catch (Exception ex)
        {
            throw FileErrors.From(ex, Directory);
        }
    }

    /// <summary>Moves a finished temporary file into place and returns the final path.</summary>
    public string Commit(string temporaryPath)
    {
        try
        {
            for (int attempt = 0; attempt < MaximumCandidates; attempt++)
            {
                string target = Path.Combine(Directory, _candidateName(attempt));
                switch (Mode)
                {
                    case OutputMode.Replace:
                        if (File.Exists(target))
                        {
                            if (Force)
                            {
                                File.SetAttributes(target, File.GetAttributes(target) & ~FileAttributes.ReadOnly);
                            }

                            // Atomic on every platform: ReplaceFile on Windows, rename(2) elsewhere.
                            File.Replace(temporaryPath, target, null);
                            return target;
                        }

                        if (TryMoveNew(temporaryPath, target))
                        {
                            return target;
                        }

                        // Created by someone else between the check and the move: replace it, as asked.
                        attempt--;
                        continue;
                    case OutputMode.NoClobber:
                        if (TryMoveNew(temporaryPath, target))
                        {
                            return target;
                        }

                        throw Exists(target);
                    default:
                        // A move that fails when the name exists decides races between runspaces and processes.
                        if (TryMoveNew(temporaryPath, target))
                        {
                            return target;
                        }

                        break;
                }
            }

            throw new TtsException(TtsErrorIds.OutputExists, TtsErrorCategory.ResourceExists, $"Could not find a free file name in '{Directory}' after {MaximumCandidates} tries.");
        }
        catch (Exception ex) when (ex is not TtsException)
        {
            throw FileErrors.From(ex, Directory);
        }
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
            catch (IOException) when (File.Exists(target) && File.Exists(source))
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
        catch (IOException) when (File.Exists(target))
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
}

/// <summary>Turns file system exceptions into errors that say what to do.</summary>
public static class FileErrors
{
    private const int WindowsDiskFull = 0x70;
    private const int WindowsHandleDiskFull = 0x27;
    private const int UnixNoSpace = 28;

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
            return new TtsException(TtsErrorIds.InvalidOutputPath, TtsErrorCategory.InvalidArgument, $"'{path}' is not a valid file path: {ex.Message}", ex);
        }

        if (ex is DirectoryNotFoundException)
        {
            return new TtsException(TtsErrorIds.OutputDirectoryNotFound, TtsErrorCategory.ObjectNotFound, $"The directory of '{path}' does not exist. Create it first, or choose another path.", ex);
        }

        if (ex is IOException io && IsDiskFull(io))
        {
            return new TtsException(TtsErrorIds.DiskFull, TtsErrorCategory.WriteError, $"The disk holding '{path}' is full. Free some space or write elsewhere; no partial file was left behind.", ex);
        }

        return new TtsException(TtsErrorIds.WriteFailed, TtsErrorCategory.WriteError, $"Writing to '{path}' failed: {ex.Message}", ex);
    }

    private static bool IsDiskFull(IOException ex)
    {
        int code = ex.HResult & 0xFFFF;
        return RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? code is WindowsDiskFull or WindowsHandleDiskFull
            : code == UnixNoSpace || ex.Message.IndexOf("No space left", StringComparison.OrdinalIgnoreCase) >= 0;
    }
}
