using System;
using System.IO;
using System.Security;
using AitreTts.Core.Errors;
using AitreTts.Core.Output;

namespace AitreTts.Tests.Output;

public sealed class FileErrorsTests
{
    public static TheoryData<Exception, string, TtsErrorCategory> Cases() => new()
    {
        { new UnauthorizedAccessException("denied"), TtsErrorIds.OutputNotWritable, TtsErrorCategory.PermissionDenied },
        { new SecurityException("denied"), TtsErrorIds.OutputNotWritable, TtsErrorCategory.PermissionDenied },
        { new ArgumentException("Illegal characters in path."), TtsErrorIds.InvalidOutputPath, TtsErrorCategory.InvalidArgument },
        { new PathTooLongException(), TtsErrorIds.InvalidOutputPath, TtsErrorCategory.InvalidArgument },
        { new DirectoryNotFoundException(), TtsErrorIds.OutputDirectoryNotFound, TtsErrorCategory.ObjectNotFound },
        { DiskFull(), TtsErrorIds.DiskFull, TtsErrorCategory.WriteError },
        { new IOException("The device is not ready."), TtsErrorIds.WriteFailed, TtsErrorCategory.WriteError },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void From_GivesEachFileFailureItsOwnErrorId(Exception exception, string errorId, TtsErrorCategory category)
    {
        TtsException error = FileErrors.From(exception, "/srv/announce/x.mp3");
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(category, error.Category);
        Assert.Contains("/srv/announce/x.mp3", error.Message);
        Assert.Same(exception, error.InnerException);
    }

    [Fact]
    public void From_LeavesACoreErrorAsItIs()
    {
        var original = new TtsException(TtsErrorIds.OutputExists, TtsErrorCategory.ResourceExists, "exists");
        Assert.Same(original, FileErrors.From(original, "/x"));
    }

    [Fact]
    public void From_NamesTheTargetRatherThanAHiddenTemporaryFile()
    {
        TtsException error = FileErrors.From(new IOException("I/O error : '/srv/announce/.x.123-456-abcdef.0badc0de.partial'"), "/srv/announce");
        Assert.Equal(TtsErrorIds.WriteFailed, error.ErrorId);
        Assert.DoesNotContain(".partial", error.Message);
    }

    [SkippableFact]
    public void From_MapsAReadOnlyFileSystemToNotWritable()
    {
        Skip.If(OperatingSystem.IsWindows(), "EROFS is a Unix error");
        TtsException error = FileErrors.From(new IOException("Read-only file system : '/mnt/ro/x'", 30), "/mnt/ro");
        Assert.Equal(TtsErrorIds.OutputNotWritable, error.ErrorId);
        Assert.Equal(TtsErrorCategory.PermissionDenied, error.Category);
    }

    // What .NET throws on Unix for ENOSPC, and on Windows for ERROR_DISK_FULL.
    private static IOException DiskFull() =>
        OperatingSystem.IsWindows()
            ? new IOException("There is not enough space on the disk.", unchecked((int)0x80070070))
            : new IOException("No space left on device : '/srv/announce/x.mp3'", 28);
}
