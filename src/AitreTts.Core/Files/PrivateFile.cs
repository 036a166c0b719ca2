using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Files;

/// <summary>
/// Files only the current user may read: mode 0600 in a 0700 directory on Unix. Written to a temporary file that
/// gets its mode before any content, then renamed into place, so no reader ever sees a half-written or open file.
/// A private file that is a link is never followed to be read, changed or chmod-ed: chmod follows links, so tightening
/// one would change whatever it points to (a copy of /etc/passwd, a shared folder), which as root damages the system.
/// </summary>
internal static class PrivateFile
{
    /// <summary>rw for the owner only.</summary>
    public const int OwnerReadWrite = 0x180; // 0600

    /// <summary>rwx for the owner only.</summary>
    public const int OwnerOnlyDirectory = 0x1C0; // 0700

    // File.GetUnixFileMode/SetUnixFileMode exist from .NET 7 on, which is every runtime PowerShell runs on outside
    // Windows; netstandard2.0 cannot name them, so they are found at run time.
    private static readonly MethodInfo? GetMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
    private static readonly MethodInfo? SetMode = GetMode is null ? null : typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), GetMode.ReturnType });

    /// <summary>True where Unix permissions apply.</summary>
    public static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && SetMode is not null;

    /// <summary>Writes <paramref name="content"/> atomically as a private file.</summary>
    public static void WriteAllBytes(string path, byte[] content) => Publish(path, content, (temporary, target) =>
    {
        if (File.Exists(target))
        {
            File.Replace(temporary, target, null);
        }
        else
        {
            File.Move(temporary, target);
        }
    });

    /// <summary>
    /// Creates <paramref name="path"/> as a private file holding <paramref name="content"/>, whole or not at all, unless
    /// it exists: the move into place refuses to replace, so when processes race to create it, the first one's file is
    /// the one all of them read. False when another process created it first.
    /// </summary>
    public static bool CreateOnce(string path, byte[] content)
    {
        try
        {
            Publish(path, content, File.Move);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    // The content goes to a private temporary file beside the target, flushed to disk, and only then into place.
    private static void Publish(string path, byte[] content, Action<string, string> moveIntoPlace)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        EnsurePrivateDirectory(directory);
        string temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                SetUnixMode(temporary, OwnerReadWrite);
                stream.Write(content, 0, content.Length);
                stream.Flush(flushToDisk: true);
            }

            moveIntoPlace(temporary, path);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Creates the directory if needed; on Unix gives a directory it creates mode 0700.</summary>
    public static void EnsurePrivateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        Directory.CreateDirectory(directory);
        SetUnixMode(directory, OwnerOnlyDirectory);
    }

    /// <summary>
    /// True when <paramref name="path"/> is itself a symbolic link (or another reparse point), dangling or not. The
    /// attribute comes from the link, not its target (lstat), on .NET Framework and .NET alike.
    /// </summary>
    public static bool IsLink(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Refuses a private file that is a link, before anything reads, locks or chmods it through the link.</summary>
    /// <param name="path">The private file.</param>
    /// <param name="what">What it is, to start the message: "The configuration file".</param>
    /// <exception cref="TtsException">TtsConfigurationInvalid when <paramref name="path"/> is a link.</exception>
    public static void RefuseLink(string path, string what)
    {
        if (IsLink(path))
        {
            throw new TtsException(
                TtsErrorIds.ConfigurationInvalid,
                TtsErrorCategory.InvalidData,
                $"{what} {path} is a symbolic link. The module never reads, locks or changes the permissions of its private files through a link, so it left the link and the file it points to as they are. Replace the link with the file itself, or delete the link and run Set-TtsConfiguration again.");
        }
    }

    /// <summary>The Unix permission bits of a path, or null on Windows.</summary>
    public static int? GetUnixMode(string path) =>
        IsUnix ? Convert.ToInt32(GetMode!.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture) & 0xFFF : null;

    /// <summary>Sets the Unix permission bits of a path; does nothing on Windows.</summary>
    public static void SetUnixMode(string path, int mode)
    {
        if (IsUnix)
        {
            SetMode!.Invoke(null, new[] { path, Enum.ToObject(GetMode!.ReturnType, mode) });
        }
    }

    /// <summary>
    /// Tightens a file that group or others may read to 0600 and returns true when it had to, so the caller can warn.
    /// A missing file, or one this user may not change, is left as it is.
    /// </summary>
    public static bool Tighten(string path) => TightenTo(path, OwnerReadWrite, isDirectory: false);

    /// <summary>
    /// Tightens a directory that group or others may enter or change to 0700 and returns true when it had to: with
    /// 0777, another user could delete or replace the key file in it.
    /// </summary>
    public static bool TightenDirectory(string path) => TightenTo(path, OwnerOnlyDirectory, isDirectory: true);

    /// <summary>True when <paramref name="ex"/> says that another handle holds the file with FileShare.None.</summary>
    public static bool IsHeldByAnother(IOException ex)
    {
        // Windows: ERROR_SHARING_VIOLATION (32) and ERROR_LOCK_VIOLATION (33). Elsewhere .NET takes an flock and
        // reports EWOULDBLOCK: 11 on Linux, 35 on macOS and the BSDs.
        int code = ex.HResult & 0xFFFF;
        return RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? code is 32 or 33 : code is 11 or 35;
    }

    private static bool TightenTo(string path, int mode, bool isDirectory)
    {
        // chmod follows a link to its target, which is not the module's to change.
        if (!IsUnix || (isDirectory ? !Directory.Exists(path) : !File.Exists(path)) || IsLink(path))
        {
            return false;
        }

        try
        {
            int? bits = GetUnixMode(path);
            if (bits is int current && (current & 0x3F) != 0)
            {
                SetUnixMode(path, mode);
                return true;
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException || ex.InnerException is UnauthorizedAccessException or IOException)
        {
            // Owned by someone else: reading may still work, and a write reports the real problem.
        }

        return false;
    }
}
