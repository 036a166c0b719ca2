using System;
using System.Runtime.InteropServices;

namespace AitreTts.Core.Output;

/// <summary>
/// What kind of file system node a path names, where that decides whether audio may be renamed over it: a rename
/// over a device or a named pipe replaces the node itself (as root, -OutFile /dev/null turned /dev/null into a
/// regular file).
/// </summary>
internal static class FileNode
{
    // The file-type bits of st_mode, the same on Linux, macOS and the BSDs (POSIX <sys/stat.h>).
    internal const int TypeMask = 0xF000;      // S_IFMT   0170000
    internal const int RegularFile = 0x8000;   // S_IFREG  0100000
    internal const int Directory = 0x4000;     // S_IFDIR  0040000

    // The buffer receives .NET's own FileStatus, whose layout varies between .NET versions after its first two
    // fields; 512 bytes holds every version with room to spare.
    private const int StatusBufferSize = 512;
    private const int ModeOffset = 4;

    /// <summary>
    /// True when <paramref name="unixMode"/> (a whole st_mode) is something other than a regular file or a folder:
    /// a character or block device, a named pipe or a socket.
    /// </summary>
    internal static bool IsDeviceOrPipe(int unixMode)
    {
        int type = unixMode & TypeMask;
        return type != RegularFile && type != Directory;
    }

    /// <summary>
    /// True when <paramref name="path"/>, followed through symbolic links, is a device, a named pipe or a socket.
    /// False for a regular file, a folder, a missing path, and always on Windows, where such nodes do not appear
    /// in the file system.
    /// </summary>
    internal static bool IsDeviceOrPipe(string path) =>
        !RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && UnixMode(path) is int mode && IsDeviceOrPipe(mode);

    // The whole st_mode of the node the path leads to, or null when it cannot be known. .NET's FileSystemInfo
    // reports a device or pipe as an ordinary file and libc's struct stat differs between platforms and
    // architectures, so this asks the native half of .NET itself, which every .NET on Unix ships and which
    // normalises st_mode into FileStatus.Mode (its second field; the S_IF* values are POSIX's):
    // https://github.com/dotnet/runtime/blob/main/src/native/libs/System.Native/pal_io.h
    private static int? UnixMode(string path)
    {
        var status = new byte[StatusBufferSize];
        try
        {
            return SystemNative.Stat(path, status) == 0 ? BitConverter.ToInt32(status, ModeOffset) : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // A runtime without System.Native (Mono): the rename goes ahead as it always did.
            return null;
        }
    }

    private static class SystemNative
    {
        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
        public static extern int Stat(string path, [Out] byte[] status);
    }
}
