using System;
using System.IO;
using System.Linq;
using AitreTts.Core;
using AitreTts.Core.Audio;
using AitreTts.Core.Documents;
using AitreTts.Core.Errors;
using AitreTts.Core.Output;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;

namespace AitreTts.Tests.Documents;

public sealed class DocumentPlannerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aitretts-plans-").FullName;
    private readonly SpeechOptions _options = new() { Model = "tts-1", Voice = "nova", Format = AudioFormat.Mp3 };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("")]
    [InlineData("  \t\r\n ")]
    [InlineData("\u00A0\u3000")]
    public void AnEmptyOrBlankTextIsRefused(string text)
    {
        DocumentPlan plan = IntoDirectory().Plan(Document.FromText(text));
        AssertRefused(plan, TtsErrorIds.InputEmpty, TtsErrorCategory.InvalidArgument, text);
        Assert.Equal("The text is empty or only whitespace; there is nothing to speak. Pass some text, or filter out empty lines.", plan.Refusal!.Message);
    }

    [Fact]
    public void AnEmptyFileIsRefusedByItsPath()
    {
        DocumentPlan plan = IntoDirectory().Plan(Document.FromFile(" ", "FileSystem::/data/empty.txt", "/data/empty.txt"));
        AssertRefused(plan, TtsErrorIds.InputEmpty, TtsErrorCategory.InvalidArgument, "FileSystem::/data/empty.txt");
        Assert.Equal("The file 'FileSystem::/data/empty.txt' holds no text to speak.", plan.Refusal!.Message);
    }

    [Fact]
    public void ATextLongerThanTheMaximumIsRefusedWithAShortTarget()
    {
        string text = new('x', 10_000);
        DocumentPlan plan = IntoDirectory(maximumDocumentLength: 9_999).Plan(Document.FromText(text));
        AssertRefused(plan, TtsErrorIds.InputTooLong, TtsErrorCategory.LimitsExceeded, new string('x', 200) + "...");
        Assert.Equal("The document has 10,000 characters, more than the 9,999 allowed per document (it would take about 3 requests). Split it, or raise -MaximumDocumentLength if this is intended.", plan.Refusal!.Message);
        Assert.Null(IntoDirectory(maximumDocumentLength: 10_000).Plan(Document.FromText(text)).Refusal);
    }

    [Fact]
    public void AFileLongerThanTheMaximumIsRefusedByItsPath()
    {
        DocumentPlan plan = IntoDirectory(maximumDocumentLength: 3).Plan(Document.FromFile("Four", "FileSystem::/data/a.txt", "/data/a.txt"));
        AssertRefused(plan, TtsErrorIds.InputTooLong, TtsErrorCategory.LimitsExceeded, "FileSystem::/data/a.txt");
    }

    [Fact]
    public void UnpairedSurrogatesAreReplacedWithAWarning()
    {
        DocumentPlan plan = IntoDirectory().Plan(Document.FromText("a\uD800b\uDC00c\uD83D\uDE00"));
        Assert.Null(plan.Refusal);
        Assert.Equal("a\uFFFDb\uFFFDc\uD83D\uDE00", plan.Speech!.Text);
        Assert.Equal("The text has 2 unpaired UTF-16 surrogate(s), which cannot be sent as UTF-8; they were replaced with U+FFFD.", Assert.Single(plan.Warnings));
        Assert.Empty(IntoDirectory().Plan(Document.FromText("a\uD83D\uDE00")).Warnings);
    }

    [Fact]
    public void APlanHoldsTheChunksAndTheActionShouldProcessNames()
    {
        string text = string.Concat(Enumerable.Repeat("A sentence of some length to speak. ", 200)).Trim();
        DocumentPlan plan = IntoDirectory().Plan(Document.FromText(text));
        Assert.Equal(TextSplitter.Split(text).Select(c => c.RequestText), plan.Speech!.Requests.Select(r => r.Text));
        Assert.True(plan.Speech!.Requests.Count > 1);
        Assert.Equal($"Synthesize {text.Length} characters ({plan.Speech!.Requests.Count} requests) as mp3 with voice 'nova' and model 'tts-1'", plan.Action);
        Assert.Equal("Synthesize 5 characters (1 request) as mp3 with voice 'nova' and model 'tts-1'", IntoDirectory().Plan(Document.FromText("Hello")).Action);
        Assert.Same(_options, plan.Options);
        Assert.Equal(text, plan.TargetObject);
    }

    [Fact]
    public void TheActionNamesTheFileFormatOfWrappedPcm()
    {
        var options = new SpeechOptions { Format = AudioFormat.Pcm, Join = new AudioJoinOptions { WrapPcmAsWav = true } };
        DocumentPlan plan = new DocumentPlanner(options, 100, null, () => _directory, noClobber: false, force: false).Plan(Document.FromText("Hi"));
        Assert.EndsWith(" as wav with voice 'alloy' and model 'tts-1'", plan.Action);
        Assert.EndsWith(".wav", plan.Target!.PreferredPath);
    }

    [Fact]
    public void AStringGetsAGeneratedNameInTheOutputDirectoryWhichMayBeCreated()
    {
        string directory = Path.Combine(_directory, "out");
        DocumentPlan plan = new DocumentPlanner(_options, 100, null, () => directory, noClobber: false, force: true).Plan(Document.FromText("Doors close in five minutes."));
        string hash = OutputNaming.ShortHash("Doors close in five minutes.", "tts-1", "nova", AudioFormat.Mp3, 1.0, null);
        Assert.Equal(Path.Combine(directory, $"doors-close-in-five-minutes-{hash}.mp3"), plan.Target!.PreferredPath);
        Assert.Equal(OutputMode.Unique, plan.Target.Audio.Mode);
        Assert.True(plan.Target.Audio.Force);
        Assert.True(plan.CreateDirectory);
    }

    [Fact]
    public void AFileGetsItsBaseNameThenAHashedOne()
    {
        File.WriteAllText(Path.Combine(_directory, "notes.mp3"), "taken");
        DocumentPlan plan = IntoDirectory().Plan(Document.FromFile("Same text.", "FileSystem::/data/notes.txt", "/data/notes.txt"));
        Assert.Equal(Path.Combine(_directory, "notes.mp3"), plan.Target!.PreferredPath);
        Assert.Equal("FileSystem::/data/notes.txt", plan.TargetObject);
    }

    [Fact]
    public void TheOutputDirectoryIsAskedForOnlyForADocumentThatPassesTheChecks()
    {
        int asked = 0;
        var planner = new DocumentPlanner(_options, 100, null, () => { asked++; return _directory; }, noClobber: false, force: false);
        Assert.NotNull(planner.Plan(Document.FromText(" ")).Refusal);
        Assert.Equal(0, asked);
        Assert.Null(planner.Plan(Document.FromText("Hi")).Refusal);
        Assert.Equal(1, asked);
    }

    [Fact]
    public void TheTemporaryFilesOfDeadRunsAreLookedForOnceACallInEachFolder()
    {
        using System.Diagnostics.Process current = System.Diagnostics.Process.GetCurrentProcess();
        string DeadRunsFile(string stem)
        {
            string writer = PartialFiles.Writer(AitreTts.Tests.Output.OutputTargetTests.DeadProcessId(), current.StartTime.ToUniversalTime().Ticks, PartialFiles.MachineTag);
            string path = Path.Combine(_directory, "." + stem + "." + writer + ".0badc0de.partial");
            File.WriteAllText(path, "half an announcement");
            return path;
        }

        string before = DeadRunsFile("before");
        var planner = new DocumentPlanner(_options, 100, null, () => _directory, noClobber: false, force: false);
        Assert.Equal(1, planner.Plan(Document.FromText("First.")).PrepareTarget(TtsLog.None).RemovedPartialFiles);
        Assert.False(File.Exists(before));

        // The same call's next document into the same folder does not list it again.
        string during = DeadRunsFile("during");
        Assert.Equal(0, planner.Plan(Document.FromText("Second.")).PrepareTarget(TtsLog.None).RemovedPartialFiles);
        Assert.True(File.Exists(during));

        // The next call does.
        var nextCall = new DocumentPlanner(_options, 100, null, () => _directory, noClobber: false, force: false);
        Assert.Equal(1, nextCall.Plan(Document.FromText("Third.")).PrepareTarget(TtsLog.None).RemovedPartialFiles);
    }

    [Fact]
    public void OutFileIsTheTargetAndIsNeverCreatedAsADirectory()
    {
        string outFile = Path.Combine(_directory, "maint.mp3");
        DocumentPlan plan = IntoOutFile(outFile, noClobber: true).Plan(Document.FromText("One.\n\nTwo."));
        Assert.Equal(outFile, plan.Target!.PreferredPath);
        Assert.Equal(OutputMode.NoClobber, plan.Target.Audio.Mode);
        Assert.False(plan.CreateDirectory);
    }

    [Fact]
    public void OutFileNamingAFolderGetsAGeneratedNameInside()
    {
        string hash = OutputNaming.ShortHash("Into the folder", "tts-1", "nova", AudioFormat.Mp3, 1.0, null);
        DocumentPlan plan = IntoOutFile(_directory + Path.DirectorySeparatorChar).Plan(Document.FromText("Into the folder"));
        Assert.Equal(Path.Combine(_directory, $"into-the-folder-{hash}.mp3"), plan.Target!.PreferredPath);
        Assert.Equal(OutputMode.Unique, plan.Target.Audio.Mode);
        Assert.False(plan.CreateDirectory);
    }

    [Fact]
    public void AnUnreadableDocumentIsRefusedWithItsOwnError()
    {
        var error = new TtsException(TtsErrorIds.InputNotText, TtsErrorCategory.InvalidData, "not text");
        DocumentPlan plan = IntoDirectory().Plan(Document.Unreadable(error, "image.png"));
        Assert.Equal((error.ErrorId, error.Message), (plan.Refusal!.ErrorId, plan.Refusal.Message));
        Assert.Equal("image.png", plan.Refusal.TargetObject);
        Assert.Null(plan.Target);
    }

    [Fact]
    public void PrepareTargetSaysWhichTemporaryFilesOfDeadRunsItRemoved()
    {
        DocumentPlan plan = IntoDirectory().Plan(Document.FromText("Hi"));
        var log = new Support.RecordingLog();
        Assert.Same(plan.Target, plan.PrepareTarget(log));
        Assert.Empty(log.VerboseMessages);
        Assert.Throws<InvalidOperationException>(() => IntoDirectory().Plan(Document.FromText("")).PrepareTarget(log));
    }

    [Theory]
    [InlineData("x\0y.mp3", "-OutFile 'x\\0y.mp3' is not a valid file name here: it holds U+0000, which file names may not contain.")]
    [InlineData("fine.mp3", null)]
    public void AnOutFileNameWithACharacterFileNamesMayNotHoldIsInvalid(string name, string? message)
    {
        TtsException? error = DocumentPlanner.InvalidOutFileName(name, Path.Combine(_directory, name));
        Assert.Equal(message, error?.Message);
        Assert.Equal(message is null ? null : TtsErrorIds.InvalidOutputPath, error?.ErrorId);
        Assert.Equal(message is null ? null : TtsErrorCategory.InvalidArgument, error?.Category);
    }

    private DocumentPlanner IntoDirectory(int maximumDocumentLength = 1_000_000) =>
        new(_options, maximumDocumentLength, outFile: null, () => _directory, noClobber: false, force: false);

    private DocumentPlanner IntoOutFile(string outFile, bool noClobber = false) =>
        new(_options, 1_000_000, outFile, () => throw new InvalidOperationException("no output directory with -OutFile"), noClobber, force: false);

    private static void AssertRefused(DocumentPlan plan, string errorId, TtsErrorCategory category, object target)
    {
        TtsException refusal = Assert.IsType<TtsException>(plan.Refusal);
        Assert.Equal(errorId, refusal.ErrorId);
        Assert.Equal(category, refusal.Category);
        Assert.Equal(target, refusal.TargetObject);
        Assert.Null(plan.Target);
    }
}
