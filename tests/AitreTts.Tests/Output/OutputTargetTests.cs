using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Errors;
using AitreTts.Core.Output;

namespace AitreTts.Tests.Output;

public sealed class OutputTargetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aitretts-target-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Commit_ReplacesAUserNamedFile()
    {
        string path = Path.Combine(_directory, "maint.mp3");
        File.WriteAllText(path, "old");
        OutputTarget target = OutputTarget.ForUserPath(path, noClobber: false, force: false);
        Assert.Equal(path, target.Commit(Temporary(target, "new")));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Prepare_RefusesAnExistingFileWithNoClobber()
    {
        string path = Path.Combine(_directory, "maint.mp3");
        File.WriteAllText(path, "old");
        OutputTarget target = OutputTarget.ForUserPath(path, noClobber: true, force: false);
        TtsException error = Assert.Throws<TtsException>(() => target.Prepare(createDirectory: false));
        Assert.Equal(TtsErrorIds.OutputExists, error.ErrorId);
        Assert.Equal(TtsErrorCategory.ResourceExists, error.Category);
        Assert.Equal("old", File.ReadAllText(path));
    }

    [Fact]
    public void Commit_WithNoClobberLosesARaceWithoutReplacing()
    {
        string path = Path.Combine(_directory, "maint.mp3");
        OutputTarget target = OutputTarget.ForUserPath(path, noClobber: true, force: false);
        target.Prepare(createDirectory: false);
        string temporary = Temporary(target, "new");
        File.WriteAllText(path, "someone else");
        Assert.Equal(TtsErrorIds.OutputExists, Assert.Throws<TtsException>(() => target.Commit(temporary)).ErrorId);
        Assert.Equal("someone else", File.ReadAllText(path));
    }

    [Fact]
    public void Commit_NeverReplacesAGeneratedName()
    {
        var target = new OutputTarget(_directory, attempt => OutputNaming.Candidate(null, "Hello", "0badc0de", AudioFormat.Mp3, attempt), OutputMode.Unique, force: false);
        string first = target.Commit(Temporary(target, "1"));
        string second = target.Commit(Temporary(target, "2"));
        Assert.Equal("hello-0badc0de.mp3", Path.GetFileName(first));
        Assert.Equal("hello-0badc0de-2.mp3", Path.GetFileName(second));
        Assert.Equal("1", File.ReadAllText(first));
        Assert.Equal("2", File.ReadAllText(second));
    }

    [Fact]
    public void Commit_GivesRacingWritersDistinctFiles()
    {
        var target = new OutputTarget(_directory, attempt => OutputNaming.Candidate(null, "Same text", "0badc0de", AudioFormat.Mp3, attempt), OutputMode.Unique, force: false);
        string[] temporaries = Enumerable.Range(0, 32).Select(i => Temporary(target, i.ToString())).ToArray();
        string[] committed = new string[temporaries.Length];
        Parallel.For(0, temporaries.Length, i => committed[i] = target.Commit(temporaries[i]));
        Assert.Equal(32, committed.Distinct().Count());
        Assert.Equal(
            Enumerable.Range(0, 32).Select(i => i.ToString()).OrderBy(s => s),
            committed.Select(File.ReadAllText).OrderBy(s => s));
        Assert.Empty(Directory.GetFiles(_directory, "*.partial"));
    }

    [Fact]
    public void Prepare_CreatesAMissingOutputDirectoryButNotAMissingOutFileParent()
    {
        string nested = Path.Combine(_directory, "a", "b");
        var generated = new OutputTarget(nested, _ => "x.mp3", OutputMode.Unique, force: false);
        generated.Prepare(createDirectory: true);
        Assert.True(Directory.Exists(nested));

        OutputTarget explicitFile = OutputTarget.ForUserPath(Path.Combine(_directory, "missing", "x.mp3"), noClobber: false, force: false);
        TtsException error = Assert.Throws<TtsException>(() => explicitFile.Prepare(createDirectory: false));
        Assert.Equal(TtsErrorIds.OutputDirectoryNotFound, error.ErrorId);
        Assert.False(Directory.Exists(Path.Combine(_directory, "missing")));
    }

    [Fact]
    public void Prepare_RefusesAReadOnlyTargetUnlessForced()
    {
        string path = Path.Combine(_directory, "ro.mp3");
        File.WriteAllText(path, "old");
        File.SetAttributes(path, FileAttributes.ReadOnly);
        Assert.Equal(TtsErrorIds.OutputNotWritable, Assert.Throws<TtsException>(() => OutputTarget.ForUserPath(path, false, false).Prepare(false)).ErrorId);
        OutputTarget forced = OutputTarget.ForUserPath(path, false, force: true);
        forced.Prepare(false);
        forced.Commit(Temporary(forced, "new"));
        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void CreateTemporaryFile_UnderAFileStandingWhereAFolderShouldBeIsAClearError()
    {
        // Unwritable for root too: no permission bit is involved.
        string file = Path.Combine(_directory, "plain-file");
        File.WriteAllText(file, "not a folder");
        var target = new OutputTarget(file, _ => "x.mp3", OutputMode.Unique, false);
        TtsException error = Assert.Throws<TtsException>(() => target.CreateTemporaryFile(out _));
        Assert.Equal(TtsErrorIds.InvalidOutputPath, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Contains("is a file, not a folder", error.Message);
        Assert.DoesNotContain(".partial", error.Message);
    }

    [SkippableFact]
    public void CreateTemporaryFile_OnAReadOnlyFileSystemIsNotWritable()
    {
        using var mount = TmpfsMount.Create(Path.Combine(_directory, "ro"), "ro,size=64k");
        Skip.If(mount.SkipReason is not null, mount.SkipReason);
        var target = new OutputTarget(mount.Path, _ => "x.mp3", OutputMode.Unique, false);
        TtsException error = Assert.Throws<TtsException>(() => target.CreateTemporaryFile(out _));
        Assert.Equal(TtsErrorIds.OutputNotWritable, error.ErrorId);
        Assert.Equal(TtsErrorCategory.PermissionDenied, error.Category);
        Assert.Contains("read-only file system", error.Message);
        TtsException prepare = Assert.Throws<TtsException>(() => new OutputTarget(Path.Combine(mount.Path, "sub"), _ => "x.mp3", OutputMode.Unique, false).Prepare(createDirectory: true));
        Assert.Equal(TtsErrorIds.OutputNotWritable, prepare.ErrorId);
    }

    [SkippableFact]
    public void CreateTemporaryFile_InAFolderThatAcceptsNoNewFilesNamesTheTargetNotTheTemporaryFile()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "/proc, which refuses new files, is Linux's");
        OutputTarget target = OutputTarget.ForUserPath("/proc/tts.mp3", noClobber: false, force: false);
        target.Prepare(createDirectory: false);
        TtsException error = Assert.Throws<TtsException>(() => target.CreateTemporaryFile(out _));
        Assert.Equal(TtsErrorIds.OutputNotWritable, error.ErrorId);
        Assert.Equal(TtsErrorCategory.PermissionDenied, error.Category);
        Assert.Contains("'/proc/tts.mp3'", error.Message);
        Assert.DoesNotContain(".partial", error.Message);
    }

    [Fact]
    public void Prepare_OutputDirectoryNamingAFileSaysItIsAFile()
    {
        string file = Path.Combine(_directory, "announcements");
        File.WriteAllText(file, "a file");
        foreach (string directory in new[] { file, Path.Combine(file, "sub") })
        {
            TtsException error = Assert.Throws<TtsException>(() => new OutputTarget(directory, _ => "x.mp3", OutputMode.Unique, false).Prepare(createDirectory: true));
            Assert.Equal(TtsErrorIds.InvalidOutputPath, error.ErrorId);
            Assert.Contains($"'{file}' is a file, not a folder", error.Message);
            Assert.DoesNotContain("already exists", error.Message);
        }

        TtsException outFile = Assert.Throws<TtsException>(() => OutputTarget.ForUserPath(Path.Combine(file, "x.mp3"), false, false).Prepare(createDirectory: false));
        Assert.Equal(TtsErrorIds.InvalidOutputPath, outFile.ErrorId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    public void ForOutFile_NamingAFolderWritesAGeneratedNameInsideIt(string suffix)
    {
        string folder = Path.Combine(_directory, "adir");
        Directory.CreateDirectory(folder);
        OutputTarget target = OutputTarget.ForOutFile(folder + suffix, noClobber: false, force: false, attempt => OutputNaming.Candidate(null, "Hello", "0badc0de", AudioFormat.Mp3, attempt));
        Assert.Equal(Path.Combine(folder, "hello-0badc0de.mp3"), target.PreferredPath);
        target.Prepare(createDirectory: false);
        Assert.Equal(Path.Combine(folder, "hello-0badc0de.mp3"), target.Commit(Temporary(target, "1")));
        Assert.Equal(Path.Combine(folder, "hello-0badc0de-2.mp3"), target.Commit(Temporary(target, "2")));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Commit_EndsWithAClearErrorWhenAFolderTakesTheUserNamedPath()
    {
        // It used to retry forever at full CPU: the name was neither a file to replace nor free to take.
        string path = Path.Combine(_directory, "maint.mp3");
        OutputTarget target = OutputTarget.ForUserPath(path, noClobber: false, force: false);
        target.Prepare(createDirectory: false);
        string temporary = Temporary(target, "new");
        Directory.CreateDirectory(path);
        Task<string> commit = Task.Run(() => target.Commit(temporary));
        Assert.Same(commit, await Task.WhenAny(commit, Task.Delay(TimeSpan.FromSeconds(60)))); // a safety net: the bug never ended
        TtsException error = await Assert.ThrowsAsync<TtsException>(() => commit);
        Assert.Equal(TtsErrorIds.OutputExists, error.ErrorId);
        Assert.Contains("is a folder", error.Message);
        Assert.True(File.Exists(temporary), "the caller removes its temporary file");
    }

    [SkippableFact]
    public void Commit_KeepsTheModeOfTheFileItReplaces()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new SkipException("Unix file modes");
        }

        string path = Path.Combine(_directory, "private.mp3");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        OutputTarget target = OutputTarget.ForUserPath(path, noClobber: false, force: false);
        target.Prepare(createDirectory: false);
        target.Commit(Temporary(target, "new"));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [SkippableFact]
    public void Commit_WritesThroughASymbolicLink()
    {
        string real = Path.Combine(_directory, "real", "announce.mp3");
        Directory.CreateDirectory(Path.GetDirectoryName(real)!);
        File.WriteAllText(real, "old");
        string link = Path.Combine(_directory, "link.mp3");
        try
        {
            File.CreateSymbolicLink(link, real);
        }
        catch (Exception ex) when (OperatingSystem.IsWindows() && ex is IOException or UnauthorizedAccessException)
        {
            throw new SkipException("creating a symbolic link needs developer mode or elevation on Windows");
        }

        OutputTarget target = OutputTarget.ForUserPath(link, noClobber: false, force: false);
        Assert.Equal(link, target.PreferredPath);
        target.Prepare(createDirectory: false);
        Assert.Equal(link, target.Commit(Temporary(target, "new")));
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(real));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(real)!, "*.partial"));
    }

    [Fact]
    public void Prepare_RemovesTheTemporaryFilesOfDeadRunsAndKeepsALiveOnes()
    {
        using Process current = Process.GetCurrentProcess();
        long startTicks = current.StartTime.ToUniversalTime().Ticks;
        string live = Partial("live", PartialFiles.Writer(Environment.ProcessId, startTicks, PartialFiles.MachineTag));
        string dead = Partial("dead", PartialFiles.Writer(DeadProcessId(), startTicks, PartialFiles.MachineTag));
        string reused = Partial("reused", PartialFiles.Writer(Environment.ProcessId, startTicks - TimeSpan.FromHours(1).Ticks, PartialFiles.MachineTag));
        string otherMachine = Partial("other", PartialFiles.Writer(DeadProcessId(), startTicks, "0f0f0f"));
        string foreign = Path.Combine(_directory, ".notes.0123456789ab.partial");
        File.WriteAllText(foreign, "an older version's, or someone else's");

        var target = new OutputTarget(_directory, _ => "x.mp3", OutputMode.Unique, false);
        target.Prepare(createDirectory: false);

        Assert.Equal(2, target.RemovedPartialFiles);
        Assert.True(File.Exists(live), "a live writer's file is kept");
        Assert.False(File.Exists(dead), "a dead writer's file is removed");
        Assert.False(File.Exists(reused), "a process id now used by a later process is a dead writer");
        Assert.True(File.Exists(otherMachine), "another machine's writer cannot be checked from here");
        Assert.True(File.Exists(foreign));
    }

    [Fact]
    public void CreateTemporaryFile_NamesItsWriter()
    {
        var target = new OutputTarget(_directory, _ => "maint.announce.mp3", OutputMode.Unique, false);
        using FileStream stream = target.CreateTemporaryFile(out string path);
        string name = Path.GetFileName(path);
        Assert.StartsWith(".maint.announce." + PartialFiles.CurrentWriter + ".", name);
        Assert.True(PartialFiles.TryParseWriter(name, out int processId, out _, out string machine));
        Assert.Equal(Environment.ProcessId, processId);
        Assert.Equal(PartialFiles.MachineTag, machine);
    }

    private string Partial(string stem, string writer)
    {
        string path = Path.Combine(_directory, "." + stem + "." + writer + ".0badc0de.partial");
        File.WriteAllText(path, "half an announcement");
        return path;
    }

    // A process id no process has now: that of a child that has ended (ids are not reused at once).
    internal static int DeadProcessId()
    {
        using Process child = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
        child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return child.Id;
    }

    [SkippableFact]
    public void Prepare_RefusesANamedPipeAndLeavesIt()
    {
        string fifo = Path.Combine(_directory, "fifo.mp3");
        MakeFifo(fifo);
        OutputTarget target = OutputTarget.ForUserPath(fifo, noClobber: false, force: false);
        TtsException error = Assert.Throws<TtsException>(() => target.Prepare(createDirectory: false));
        Assert.Equal(TtsErrorIds.InvalidOutputPath, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidArgument, error.Category);
        Assert.Contains("is a device or pipe, not a regular file", error.Message);
        Assert.True(FileNode.IsDeviceOrPipe(fifo));
    }

    [SkippableFact]
    public void Commit_RefusesAPipeSwappedInAfterPrepare()
    {
        string path = Path.Combine(_directory, "swapped.mp3");
        File.WriteAllText(path, "old");
        OutputTarget target = OutputTarget.ForUserPath(path, noClobber: false, force: false);
        target.Prepare(createDirectory: false);
        string temporary = Temporary(target, "new");
        File.Delete(path);
        MakeFifo(path);
        Assert.Equal(TtsErrorIds.InvalidOutputPath, Assert.Throws<TtsException>(() => target.Commit(temporary)).ErrorId);
        Assert.True(FileNode.IsDeviceOrPipe(path), "the named pipe must stay");
    }

    private static void MakeFifo(string path)
    {
        Skip.If(OperatingSystem.IsWindows(), "named pipes in the file system exist on Unix only");
        using Process mkfifo = Process.Start(new ProcessStartInfo("mkfifo", $"\"{path}\"") { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    private static string Temporary(OutputTarget target, string content)
    {
        using FileStream stream = target.CreateTemporaryFile(out string path);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
        return path;
    }
}

/// <summary>A small tmpfs mounted for one test, where the machine allows it (root on Linux); else the reason it is not.</summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path, string? skipReason)
    {
        Path = path;
        SkipReason = skipReason;
    }

    public string Path { get; }

    public string? SkipReason { get; }

    public static TmpfsMount Create(string path, string options)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new TmpfsMount(path, "mounting a tmpfs needs Linux");
        }

        Directory.CreateDirectory(path);
        (int exitCode, string output) = Run("mount", $"-t tmpfs -o {options} tmpfs \"{path}\"");
        return new TmpfsMount(path, exitCode == 0 ? null : $"this machine does not allow mounting a tmpfs (root and CAP_SYS_ADMIN needed): {output.Trim()}");
    }

    public void Dispose()
    {
        if (SkipReason is null)
        {
            Run("umount", $"\"{Path}\"");
        }
    }

    private static (int ExitCode, string Output) Run(string command, string arguments)
    {
        try
        {
            using Process process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
            string output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
