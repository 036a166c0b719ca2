using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace AitreTts.Core.Cache;

/// <summary>
/// Whether a cache folder, or an entry in it, may be used at all: never a symbolic link (or, on Windows, any reparse
/// point), and never a folder another user owns. Another user's folder stays theirs to change: tightening its mode
/// would not stop its owner from planting entries this user serves, and changing a link's mode changes its target
/// (a sticky 1777 folder made 0700). So such a folder is only ever looked at, never chmod-ed, written or emptied.
/// </summary>
/// <remarks>
/// netstandard2.0 and .NET Framework 4.6.2 name neither lstat nor a file's owner. On Unix the runtime's own native
/// shim, System.Native (shipped with every .NET runtime PowerShell 7 runs on), answers both; its FileStatus starts
/// with Flags, Mode, Uid, Gid (int32 each) in every version, and a larger buffer than it needs absorbs the fields
/// later versions added at its end. On Windows the owner comes from the folder's security descriptor.
/// </remarks>
internal static class ChunkCacheFolderCheck
{
    private const int FileTypeMask = 0xF000;
    private const int SymbolicLinkType = 0xA000;

    /// <summary>Why <paramref name="folder"/> must not be used as a cache, or null when it may (or does not exist yet).</summary>
    internal static string? Refusal(string folder)
    {
        LinkStatus status = Inspect(folder);
        if (status.Missing)
        {
            return null;
        }

        if (status.IsLink)
        {
            return $"The cache folder {folder} is a symbolic link (or another reparse point); the cache is not used, and neither the link nor its target was changed. Make it a real folder of your own to use the cache.";
        }

        if (status.OwnedByCurrentUser == false)
        {
            return $"The cache folder {folder} belongs to another user{(status.Owner is null ? string.Empty : " (" + status.Owner + ")")}, who could change what it serves; the cache is not used, and the folder was not changed. Remove it, or point {(RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "LOCALAPPDATA" : "XDG_CACHE_HOME")} at a folder of your own.";
        }

        if (status.OwnedByCurrentUser is null)
        {
            return $"The owner of the cache folder {folder} cannot be determined{(status.Problem is null ? string.Empty : ": " + status.Problem)}; the cache is not used.";
        }

        return null;
    }

    /// <summary>True when <paramref name="path"/> itself is a symbolic link (or another reparse point), dangling or not.</summary>
    internal static bool IsLink(string path) => Inspect(path).IsLink;

    private static LinkStatus Inspect(string path)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            try
            {
                return UnixStatus(path);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                // A runtime without the shim: links are still known from the attributes; the owner is not.
                return FromAttributes(path, ownedByCurrentUser: null, problem: ex.Message);
            }
        }

        LinkStatus byAttributes = FromAttributes(path, ownedByCurrentUser: null, problem: null);
        if (byAttributes.Missing || byAttributes.IsLink)
        {
            return byAttributes;
        }

        try
        {
            return new LinkStatus(false, false, WindowsOwner.IsCurrentUsers(path, out string? problem), null, problem);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return new LinkStatus(false, false, null, null, ex.Message);
        }
    }

    private static LinkStatus UnixStatus(string path)
    {
        // FileStatus is 120 bytes in .NET 8; the rest is headroom.
        byte[] status = new byte[512];
        if (UnixNative.LStat(path, status) != 0)
        {
            return LinkStatus.NotFound;
        }

        int mode = BitConverter.ToInt32(status, 4);
        uint owner = BitConverter.ToUInt32(status, 8);
        if ((mode & FileTypeMask) == SymbolicLinkType)
        {
            return new LinkStatus(false, true, null, null, null);
        }

        uint me = UnixNative.GetEUid();
        return new LinkStatus(false, false, owner == me, "uid " + owner.ToString(CultureInfo.InvariantCulture), null);
    }

    private static LinkStatus FromAttributes(string path, bool? ownedByCurrentUser, string? problem)
    {
        FileAttributes attributes;
        try
        {
            attributes = File.GetAttributes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return LinkStatus.NotFound;
        }

        return new LinkStatus(false, (attributes & FileAttributes.ReparsePoint) != 0, ownedByCurrentUser, null, problem);
    }

    private sealed record LinkStatus(bool Missing, bool IsLink, bool? OwnedByCurrentUser, string? Owner, string? Problem)
    {
        internal static readonly LinkStatus NotFound = new(true, false, null, null, null);
    }

    private static class UnixNative
    {
        // The runtime's shim over lstat(2) and geteuid(2): stable entry points, unlike libc's stat structures, which
        // differ by system and architecture (and glibc before 2.33 exports no lstat symbol at all). The path goes as
        // an ANSI string, which is UTF-8 on every Unix .NET runtime.
        [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
        internal static extern int LStat(string path, byte[] status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_GetEUid")]
        internal static extern uint GetEUid();
    }

    private static class WindowsOwner
    {
        private const int FileObject = 1; // SE_FILE_OBJECT
        private const int OwnerInformation = 1; // OWNER_SECURITY_INFORMATION

        // The owner counts as this user when it is a SID enabled in this process's token: the user's own, or the
        // Administrators group that owns what an elevated administrator creates under some policies.
        internal static bool? IsCurrentUsers(string path, out string? problem)
        {
            problem = null;
            uint error = GetNamedSecurityInfo(path, FileObject, OwnerInformation, out IntPtr owner, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, out IntPtr descriptor);
            if (error != 0)
            {
                problem = "Windows error " + error.ToString(CultureInfo.InvariantCulture);
                return null;
            }

            try
            {
                if (!CheckTokenMembership(IntPtr.Zero, owner, out bool isMember))
                {
                    problem = "Windows error " + Marshal.GetLastWin32Error().ToString(CultureInfo.InvariantCulture);
                    return null;
                }

                return isMember;
            }
            finally
            {
                LocalFree(descriptor);
            }
        }

        [DllImport("advapi32.dll", EntryPoint = "GetNamedSecurityInfoW", CharSet = CharSet.Unicode)]
        private static extern uint GetNamedSecurityInfo(string objectName, int objectType, int securityInfo, out IntPtr owner, IntPtr group, IntPtr dacl, IntPtr sacl, out IntPtr securityDescriptor);

        [DllImport("advapi32.dll", SetLastError = true)]
        private static extern bool CheckTokenMembership(IntPtr token, IntPtr sid, out bool isMember);

        [DllImport("kernel32.dll")]
        private static extern IntPtr LocalFree(IntPtr handle);
    }
}
