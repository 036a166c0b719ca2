using System;
using System.IO;
using System.Linq;
using System.Text;
using AitreTts.Core;
using AitreTts.Core.Errors;
using AitreTts.Core.Output;

namespace AitreTts.Tests.Output;

/// <summary>The audio and its sidecar as one output: checked together, committed together, or neither.</summary>
public sealed class OutputUnitTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aitretts-unit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private OutputUnit Named(string name, bool noClobber = false, bool force = false) =>
        new(OutputTarget.ForUserPath(PathOf(name), noClobber, force), ".srt");

    private OutputUnit Generated() =>
        new(new OutputTarget(_directory, attempt => OutputNaming.Candidate(null, "Hello", "0badc0de", AudioFormat.Mp3, attempt), OutputMode.Unique, force: false), ".srt");

    private static (string Audio, string Sidecar) Sealed(OutputWrite write, string audio, string sidecar)
    {
        FileStream audioStream = write.CreateTemporaryFile();
        audioStream.Write(Encoding.ASCII.GetBytes(audio));
        FileStream sidecarStream = write.CreateSidecarFile();
        sidecarStream.Write(Encoding.ASCII.GetBytes(sidecar));
        return (write.Seal(audioStream), write.Seal(sidecarStream));
    }

    private void AssertNoTemporaryFiles() =>
        Assert.DoesNotContain(Directory.GetFiles(_directory).Select(Path.GetFileName), name => name!.EndsWith(PartialFiles.Extension, StringComparison.Ordinal));

    [Fact]
    public void Prepare_WithNoClobberRefusesAnExistingSidecar()
    {
        File.WriteAllText(PathOf("keep.srt"), "old cues");
        TtsException error = Assert.Throws<TtsException>(() => Named("keep.mp3", noClobber: true).Prepare(createDirectory: false));
        Assert.Equal(TtsErrorIds.OutputExists, error.ErrorId);
        Assert.Contains("keep.srt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_RefusesAReadOnlySidecarAndNamesIt()
    {
        File.WriteAllText(PathOf("ro.srt"), "old cues");
        File.SetAttributes(PathOf("ro.srt"), FileAttributes.ReadOnly);
        TtsException error = Assert.Throws<TtsException>(() => Named("ro.mp3").Prepare(createDirectory: false));
        Assert.Equal(TtsErrorIds.OutputNotWritable, error.ErrorId);
        Assert.Contains("ro.srt", error.Message, StringComparison.Ordinal);
        File.SetAttributes(PathOf("ro.srt"), FileAttributes.Normal);
    }

    [Fact]
    public void Prepare_RefusesAFolderInTheSidecarsPlaceAndSaysItIsTheSubtitles()
    {
        Directory.CreateDirectory(PathOf("x.srt"));
        TtsException error = Assert.Throws<TtsException>(() => Named("x.mp3").Prepare(createDirectory: false));
        Assert.Equal(TtsErrorIds.OutputExists, error.ErrorId);
        Assert.Equal($"'{PathOf("x.srt")}' is a folder, which the subtitles cannot replace. Name a file, or name the folder alone to write a generated name inside it.", error.Message);
    }

    [Fact]
    public void Commit_ReplacesBothNamedFiles()
    {
        File.WriteAllText(PathOf("notice.mp3"), "old audio");
        File.WriteAllText(PathOf("notice.srt"), "old cues");
        OutputUnit unit = Named("notice.mp3");
        unit.Prepare(createDirectory: false);
        using OutputWrite write = unit.BeginWrite();
        (string audio, string sidecar) = Sealed(write, "new audio", "new cues");
        CommittedOutput committed = write.Commit(audio, sidecar);
        Assert.Equal(new CommittedOutput(PathOf("notice.mp3"), PathOf("notice.srt")), committed);
        Assert.Equal("new audio", File.ReadAllText(PathOf("notice.mp3")));
        Assert.Equal("new cues", File.ReadAllText(PathOf("notice.srt")));
        AssertNoTemporaryFiles();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Commit_PutsTheAudioBackWhenTheSidecarFailsAfterIt(bool audioExisted)
    {
        if (audioExisted)
        {
            File.WriteAllText(PathOf("notice.mp3"), "old audio");
        }

        File.WriteAllText(PathOf("notice.srt"), "old cues");
        OutputUnit unit = Named("notice.mp3");
        unit.Prepare(createDirectory: false);
        using (OutputWrite write = unit.BeginWrite())
        {
            (string audio, string sidecar) = Sealed(write, "new audio", "new cues");
            // Gone between the two renames: the checks before the first pass, the second rename fails.
            File.Delete(sidecar);
            Assert.Throws<TtsException>(() => write.Commit(audio, sidecar));
        }

        Assert.Equal(audioExisted, File.Exists(PathOf("notice.mp3")));
        if (audioExisted)
        {
            Assert.Equal("old audio", File.ReadAllText(PathOf("notice.mp3")));
        }

        Assert.Equal("old cues", File.ReadAllText(PathOf("notice.srt")));
        AssertNoTemporaryFiles();
    }

    [Fact]
    public void Commit_ReplacesNeitherWhenTheSidecarBecameReadOnlyAfterPrepare()
    {
        File.WriteAllText(PathOf("ro.mp3"), "old audio");
        File.WriteAllText(PathOf("ro.srt"), "old cues");
        OutputUnit unit = Named("ro.mp3");
        unit.Prepare(createDirectory: false);
        File.SetAttributes(PathOf("ro.srt"), FileAttributes.ReadOnly);
        using (OutputWrite write = unit.BeginWrite())
        {
            (string audio, string sidecar) = Sealed(write, "new audio", "new cues");
            Assert.Equal(TtsErrorIds.OutputNotWritable, Assert.Throws<TtsException>(() => write.Commit(audio, sidecar)).ErrorId);
        }

        File.SetAttributes(PathOf("ro.srt"), FileAttributes.Normal);
        Assert.Equal("old audio", File.ReadAllText(PathOf("ro.mp3")));
        Assert.Equal("old cues", File.ReadAllText(PathOf("ro.srt")));
        AssertNoTemporaryFiles();
    }

    [Fact]
    public void Commit_TakesAGeneratedNameOnlyWhenItIsFreeForBoth()
    {
        File.WriteAllText(PathOf("hello-0badc0de.srt"), "someone's cues");
        OutputUnit unit = Generated();
        unit.Prepare(createDirectory: false);
        using OutputWrite write = unit.BeginWrite();
        (string audio, string sidecar) = Sealed(write, "new audio", "new cues");
        CommittedOutput committed = write.Commit(audio, sidecar);
        Assert.Equal(new CommittedOutput(PathOf("hello-0badc0de-2.mp3"), PathOf("hello-0badc0de-2.srt")), committed);
        Assert.False(File.Exists(PathOf("hello-0badc0de.mp3")));
        Assert.Equal("someone's cues", File.ReadAllText(PathOf("hello-0badc0de.srt")));
        Assert.Equal("new cues", File.ReadAllText(committed.SidecarPath!));
        AssertNoTemporaryFiles();
    }

    [Fact]
    public void Commit_HandsBackAGeneratedPairAlreadyHoldingTheSameBytes()
    {
        File.WriteAllText(PathOf("hello-0badc0de.mp3"), "same audio");
        File.WriteAllText(PathOf("hello-0badc0de.srt"), "same cues");
        OutputUnit unit = Generated();
        using OutputWrite write = unit.BeginWrite();
        (string audio, string sidecar) = Sealed(write, "same audio", "same cues");
        Assert.Equal(new CommittedOutput(PathOf("hello-0badc0de.mp3"), PathOf("hello-0badc0de.srt")), write.Commit(audio, sidecar));
        write.Dispose();
        Assert.Equal(2, Directory.GetFiles(_directory).Length);
    }

    [Fact]
    public void Dispose_RemovesEveryTemporaryFileOfAWriteThatWasNotCommitted()
    {
        OutputUnit unit = Named("notice.mp3");
        using (OutputWrite write = unit.BeginWrite())
        {
            write.CreateTemporaryFile().WriteByte(1);
            Sealed(write, "audio", "cues");
            Assert.Equal(3, Directory.GetFiles(_directory).Length);
        }

        Assert.Empty(Directory.GetFiles(_directory));
    }
}
