using System;
using System.IO;
using AitreTts.Core.Output;

namespace AitreTts.Tests.Output;

public sealed class FileNodeTests
{
    [Theory]
    [InlineData(0x81A4, false)] // 0100644 a regular file
    [InlineData(0x41ED, false)] // 0040755 a folder
    [InlineData(0x21B6, true)]  // 0020666 a character device (/dev/null)
    [InlineData(0x61B0, true)]  // 0060660 a block device
    [InlineData(0x11A4, true)]  // 0010644 a named pipe
    [InlineData(0xC1ED, true)]  // 0140755 a socket
    public void IsDeviceOrPipe_DecidesByTheFileTypeBits(int unixMode, bool refused) =>
        Assert.Equal(refused, FileNode.IsDeviceOrPipe(unixMode));

    [SkippableFact]
    public void IsDeviceOrPipe_SeesTheSystemNullDevice()
    {
        // Only looked at: stat(2) changes nothing.
        Skip.If(OperatingSystem.IsWindows(), "no device nodes in the file system on Windows");
        Assert.True(FileNode.IsDeviceOrPipe("/dev/null"));
    }

    [Fact]
    public void IsDeviceOrPipe_IsFalseForAFileAFolderAndNothing()
    {
        string file = Path.GetTempFileName();
        try
        {
            Assert.False(FileNode.IsDeviceOrPipe(file));
            Assert.False(FileNode.IsDeviceOrPipe(Path.GetDirectoryName(file)!));
            Assert.False(FileNode.IsDeviceOrPipe(file + ".missing"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
