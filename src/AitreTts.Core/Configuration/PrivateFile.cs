using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace AitreTts.Core.Configuration;

/// <summary>
/// Files only the current user may read: mode 0600 in a 0700 directory on Unix. Written to a temporary file that
/// gets its mode before any content, then renamed into place, so no reader ever sees a half-written or open file.
/// </summary>
public static class PrivateFile
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
    public static void WriteAllBytes(string path, byte[] content)
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

            if (File.Exists(path))
            {
                File.Replace(temporary, path, null);
            }
            else
            {
                File.Move(temporary, path);
            }
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
    /// </summary>
    public static bool Tighten(string path)
    {
        int? mode = GetUnixMode(path);
        if (mode is int bits && (bits & 0x3F) != 0)
        {
            SetUnixMode(path, OwnerReadWrite);
            return true;
        }

        return false;
    }
}
