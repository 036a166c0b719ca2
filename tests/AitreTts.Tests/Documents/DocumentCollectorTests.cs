using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using AitreTts.Core.Documents;
using AitreTts.Core.Errors;
using AitreTts.Tests.Support;

namespace AitreTts.Tests.Documents;

public sealed class DocumentCollectorTests : IDisposable
{
    // What Get-Content and Get-ChildItem put in PSPath; the cmdlet turns it into a file system path.
    private const string FileSystemPrefix = "Microsoft.PowerShell.Core\\FileSystem::";

    private readonly string _directory = Directory.CreateTempSubdirectory("aitretts-documents-").FullName;
    private readonly RecordingLog _log = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void BySource_JoinsTheLinesOfOneFileAndEndsTheGroupAtAnotherFileOrAString()
    {
        DocumentCollector collector = Collector(DocumentGrouping.BySource);
        string a = PsPath("a.txt");
        string b = PsPath("b.txt");

        Assert.Empty(collector.Add("One.", a));
        Assert.Empty(collector.Add("", a));
        Assert.Empty(collector.Add("Two.", a));
        Document first = Assert.Single(collector.Add("Other.", b));
        List<Document> next = collector.Add("Plain string.", null).ToList();
        Assert.Empty(collector.Complete());

        Assert.Equal("One.\n\nTwo.", first.Text);
        Assert.Equal(a, first.SourcePath);
        Assert.Equal(Path.Combine(_directory, "a.txt"), first.SourceFile);
        Assert.Equal(new[] { "Other.", "Plain string." }, next.Select(d => d.Text));
        Assert.Equal(new string?[] { b, null }, next.Select(d => d.SourcePath));
    }

    [Fact]
    public void BySource_KeepsTheLastGroupForTheEndAndEachStringIsItsOwnDocument()
    {
        DocumentCollector collector = Collector(DocumentGrouping.BySource);
        Assert.Equal("First.", Assert.Single(collector.Add("First.", null)).Text);
        Assert.Equal("", Assert.Single(collector.Add(null, null)).Text);
        Assert.Empty(collector.Add("Line.", PsPath("notes.txt")));
        Document last = Assert.Single(collector.Complete());
        Assert.Equal("Line.", last.Text);
        Assert.Empty(collector.Complete());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StringsWithControlCharactersAreRefusedAsNotTextAndTheRestGoesOn(bool perLine)
    {
        DocumentCollector collector = Collector(perLine ? DocumentGrouping.PerLine : DocumentGrouping.BySource);
        List<Document> documents = new[] { "Before.", "N\0L", "colour \u001B[31m", "After.\tTabbed\fpage" }
            .SelectMany(text => collector.Add(text, null))
            .Concat(collector.Complete())
            .ToList();

        Assert.Equal(4, documents.Count);
        Assert.Equal(new[] { "Before.", "After.\tTabbed\fpage" }, documents.Where(d => d.Error is null).Select(d => d.Text));
        Assert.All(documents.Where((_, i) => i is 1 or 2), d => Assert.Equal(TtsErrorIds.InputNotText, d.Error!.ErrorId));
        Assert.Contains("U+0000", documents[1].Error!.Message);
        Assert.Contains("U+001B", documents[2].Error!.Message);
    }

    [Fact]
    public void GetContentOfABinaryFileIsOneNotTextError()
    {
        DocumentCollector collector = Collector(DocumentGrouping.BySource);
        string source = PsPath("random.bin");
        Assert.Empty(collector.Add("\u0003\u00ff", source));
        Assert.Empty(collector.Add("x\0y", source));
        IReadOnlyList<Document> documents = collector.Add("Next.", null);
        Assert.Equal(2, documents.Count);
        Assert.Equal(TtsErrorIds.InputNotText, documents[0].Error!.ErrorId);
        Assert.Equal(source, documents[0].Error!.TargetObject);
        Assert.Equal("Next.", documents[1].Text);
        Assert.Null(documents[1].Error);
    }

    [Fact]
    public void OneDocumentWithAControlCharacterAnywhereIsRefused()
    {
        DocumentCollector collector = Collector(DocumentGrouping.One);
        collector.Add("Fine.", null);
        collector.Add("Bell\a", null);
        Document all = Assert.Single(collector.Complete());
        Assert.Equal(TtsErrorIds.InputNotText, all.Error!.ErrorId);
    }

    [Fact]
    public void PerLine_MakesEachLineADocumentAndSkipsAndCountsBlankLines()
    {
        DocumentCollector collector = Collector(DocumentGrouping.PerLine);
        string source = PsPath("lines.txt");
        var texts = new List<string>();
        foreach (string line in new[] { "Line one.", "", "   ", "Line two.", "" })
        {
            texts.AddRange(collector.Add(line, source).Select(d => d.Text));
        }

        texts.AddRange(collector.Complete().Select(d => d.Text));
        Assert.Equal(new[] { "Line one.", "Line two." }, texts);
        Assert.Equal(3, collector.BlankLinesSkipped);
        Assert.Contains("Skipped 3 blank line(s): with -PerLine a blank line is no document.", _log.VerboseMessages);
    }

    [Theory]
    [InlineData("One.\nTwo.", new[] { "One.", "Two." }, 0)]
    [InlineData("One.\r\nTwo.\r\n", new[] { "One.", "Two." }, 0)]
    [InlineData("One.\r\rTwo.", new[] { "One.", "Two." }, 1)]
    [InlineData("One.\n\n  \nTwo.\n", new[] { "One.", "Two." }, 2)]
    [InlineData("", new string[0], 1)]
    public void PerLine_SplitsAMultiLineString(string text, string[] expected, int blank)
    {
        DocumentCollector collector = Collector(DocumentGrouping.PerLine);
        Assert.Equal(expected, collector.Add(text, null).Select(d => d.Text));
        Assert.Equal(blank, collector.BlankLinesSkipped);
        Assert.All(collector.Add("Get-Content -Raw\nkeeps its lines", PsPath("raw.txt")), d => Assert.Null(d.SourcePath));
    }

    [Fact]
    public void PerLine_SplitsAFileObjectIntoLines()
    {
        string path = Write("platforms.txt", "Platform one.\r\n\r\nPlatform two.\r\n");
        DocumentCollector collector = Collector(DocumentGrouping.PerLine);
        List<Document> documents = collector.Add(path, PsPath("platforms.txt")).ToList();
        Assert.Equal(new[] { "Platform one.", "Platform two." }, documents.Select(d => d.Text));
        Assert.All(documents, d => Assert.Null(d.SourcePath));
        Assert.Equal(1, collector.BlankLinesSkipped);
    }

    [Fact]
    public void One_JoinsLinesOfAFileAsLinesAndEverythingElseAsParagraphs()
    {
        Write("c.txt", "File C.");
        DocumentCollector collector = Collector(DocumentGrouping.One);
        Assert.Empty(collector.Add("", null));
        Assert.Empty(collector.Add("A1.", PsPath("a.txt")));
        Assert.Empty(collector.Add("A2.", PsPath("a.txt")));
        Assert.Empty(collector.Add("B1.", PsPath("b.txt")));
        Assert.Empty(collector.Add("String.", null));
        Assert.Empty(collector.Add("Other string.", null));
        Assert.Empty(collector.Add(Path.Combine(_directory, "c.txt"), PsPath("c.txt")));
        Assert.Empty(collector.Add("C line after the file.", PsPath("c.txt")));
        Document document = Assert.Single(collector.Complete());
        Assert.Equal("A1.\nA2.\n\nB1.\n\nString.\n\nOther string.\n\nFile C.\n\nC line after the file.", document.Text);
        Assert.Null(document.SourcePath);
    }

    [Fact]
    public void One_IsAnEmptyDocumentWithoutInput() =>
        Assert.Equal(string.Empty, Assert.Single(Collector(DocumentGrouping.One).Complete()).Text);

    [Theory]
    [InlineData("full path")]
    [InlineData("name")]
    [InlineData("PSPath")]
    public void AFileObjectIsReadAsItsText(string form)
    {
        string path = Write("café.txt", "Crème brûlée at noon.\nThen coffee.");
        string psPath = PsPath("café.txt");
        // PowerShell 7 binds a FileInfo as its full path, Windows PowerShell 5.1 as its name alone.
        string item = form switch { "full path" => path, "name" => "café.txt", _ => psPath };
        DocumentCollector collector = Collector(DocumentGrouping.BySource);
        Assert.Empty(collector.Add("A line before.", PsPath("other.txt")));
        List<Document> documents = collector.Add(item, psPath).ToList();
        Assert.Equal(new[] { "A line before.", "Crème brûlée at noon.\nThen coffee." }, documents.Select(d => d.Text));
        Assert.Equal(psPath, documents[1].SourcePath);
        Assert.Equal(path, documents[1].SourceFile);
        Assert.Contains($"Read '{path}' as utf-8.", _log.VerboseMessages);
    }

    [Fact]
    public void ALineThatOnlyLooksLikeAFileNameIsText()
    {
        DocumentCollector collector = Collector(DocumentGrouping.BySource);
        Assert.Empty(collector.Add("missing.txt", PsPath("missing.txt")));
        Assert.Equal("missing.txt", Assert.Single(collector.Complete()).Text);
    }

    [Fact]
    public void ADirectoryIsRefusedAsNotText()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "folder"));
        Document document = Assert.Single(Collector(DocumentGrouping.BySource).Add("folder", PsPath("folder")));
        AssertError(document, TtsErrorIds.InputNotText, TtsErrorCategory.InvalidArgument, "folder");
        Assert.Contains("is a directory, not text", document.Error!.Message);
    }

    [SkippableFact]
    public void ADeviceIsRefusedAsNotTextWithoutBeingRead()
    {
        Skip.If(OperatingSystem.IsWindows(), "no device nodes in the file system on Windows");
        DocumentCollector collector = new(DocumentGrouping.BySource, path => path, new TextFileReader(null, 100, _log), _log);
        Document document = Assert.Single(collector.Add("/dev/zero", "/dev/zero"));
        AssertError(document, TtsErrorIds.InputNotText, TtsErrorCategory.InvalidArgument, "/dev/zero");
        Assert.Contains("is a device or pipe", document.Error!.Message);
    }

    [Fact]
    public void AFileTooLargeByItsSizeIsRefusedBeforeItIsRead()
    {
        // NULs would make it binary if it were read: TtsInputTooLong shows the size decided first.
        string path = Write("big.txt", new string('\0', 49));
        Document document = Assert.Single(Collector(DocumentGrouping.BySource, maximumDocumentLength: 11).Add(path, PsPath("big.txt")));
        AssertError(document, TtsErrorIds.InputTooLong, TtsErrorCategory.LimitsExceeded, path);
        Assert.Equal($"The file '{path}' has 49 bytes, which is more than the 11 characters allowed per document even at four bytes a character; it was not read. Split it, or raise -MaximumDocumentLength if this is intended.", document.Error!.Message);
        Assert.DoesNotContain(_log.VerboseMessages, message => message.StartsWith("Read ", StringComparison.Ordinal));
    }

    [Fact]
    public void AFileThatMayFitByItsSizeIsRead()
    {
        string path = Write("fits.txt", new string('x', 48));
        Document document = Assert.Single(Collector(DocumentGrouping.BySource, maximumDocumentLength: 11).Add(path, PsPath("fits.txt")));
        Assert.Null(document.Error);
        Assert.Equal(48, document.Text.Length);
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00 })]
    [InlineData(new byte[] { 0x48, 0x00, 0x69, 0x00 })]
    [InlineData(new byte[] { 0x48, 0x69, 0x07 })]
    public void BinaryContentIsRefusedAsNotText(byte[] content)
    {
        string path = Path.Combine(_directory, "image.png");
        File.WriteAllBytes(path, content);
        Document document = Assert.Single(Collector(DocumentGrouping.One).Add(path, PsPath("image.png")));
        AssertError(document, TtsErrorIds.InputNotText, TtsErrorCategory.InvalidData, path);
        Assert.Equal($"'{path}' is not a text file. Pipe text files, or their content with Get-Content.", document.Error!.Message);
        Assert.Equal(string.Empty, Assert.Single(Collector(DocumentGrouping.One).Complete()).Text);
    }

    [Theory]
    [InlineData(null, "Café")]
    [InlineData(1252, "CafÃ©")]
    [InlineData(28591, "CafÃ©")]
    public void EncodingForcesHowAFileIsRead(int? codePage, string expected)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Encoding? encoding = codePage is int page ? Encoding.GetEncoding(page) : null;
        string path = Write("cafe.txt", "Café");
        var collector = new DocumentCollector(DocumentGrouping.BySource, StripPrefix, new TextFileReader(encoding, 1000, _log), _log);
        Assert.Equal(expected, Assert.Single(collector.Add(path, PsPath("cafe.txt"))).Text);
    }

    [SkippableFact]
    public void AFileThatCannotBeReadIsAReadError()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            throw new SkipException("Unix file modes, which root reads past");
        }

        string path = Write("locked.txt", "Secret.");
        File.SetUnixFileMode(path, UnixFileMode.None);
        Document document = Assert.Single(Collector(DocumentGrouping.BySource).Add(path, PsPath("locked.txt")));
        AssertError(document, TtsErrorIds.InputNotText, TtsErrorCategory.ReadError, path);
        Assert.StartsWith($"Could not read '{path}': ", document.Error!.Message);
    }

    [Fact]
    public void AFailedFileDoesNotEndTheGroupBeforeIt()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "folder"));
        DocumentCollector collector = Collector(DocumentGrouping.BySource);
        Assert.Empty(collector.Add("One.", PsPath("a.txt")));
        Assert.NotNull(Assert.Single(collector.Add("folder", PsPath("folder"))).Error);
        Assert.Empty(collector.Add("Two.", PsPath("a.txt")));
        Assert.Equal("One.\nTwo.", Assert.Single(collector.Complete()).Text);
    }

    private DocumentCollector Collector(DocumentGrouping grouping, int maximumDocumentLength = 1_000_000) =>
        new(grouping, StripPrefix, new TextFileReader(null, maximumDocumentLength, _log), _log);

    private string PsPath(string name) => FileSystemPrefix + Path.Combine(_directory, name);

    private static string StripPrefix(string psPath) =>
        psPath.StartsWith(FileSystemPrefix, StringComparison.Ordinal) ? psPath.Substring(FileSystemPrefix.Length) : psPath;

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private static void AssertError(Document document, string errorId, TtsErrorCategory category, object target)
    {
        TtsException error = Assert.IsType<TtsException>(document.Error);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(category, error.Category);
        Assert.Equal(target, error.TargetObject);
    }
}
