using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Errors;
using AitreTts.Core.Output;

namespace AitreTts.Tests.Core;

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
    public void CreateTemporaryFile_InAnUnwritableDirectoryIsAClearError()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            // root ignores permission bits; the Pester suite covers this as a normal user where it can.
            return;
        }

        string locked = Path.Combine(_directory, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var target = new OutputTarget(locked, _ => "x.mp3", OutputMode.Unique, false);
        Assert.Equal(TtsErrorIds.OutputNotWritable, Assert.Throws<TtsException>(() => target.CreateTemporaryFile(out _)).ErrorId);
    }

    private static string Temporary(OutputTarget target, string content)
    {
        using FileStream stream = target.CreateTemporaryFile(out string path);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
        return path;
    }
}
