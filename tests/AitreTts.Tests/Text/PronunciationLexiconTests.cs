using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using AitreTts.Core.Errors;
using AitreTts.Core.Subtitles;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;
using Xunit;

namespace AitreTts.Tests.Text;

public sealed class PronunciationLexiconTests
{
    private static PronunciationLexicon Lexicon(params (string Written, string Spoken)[] entries) =>
        PronunciationLexicon.From(entries.Select(e => new KeyValuePair<string, string?>(e.Written, e.Spoken)), "test");

    [Theory]
    [InlineData("SQL is here.", "sequel is here.")]
    [InlineData("Ask SQL, then SQL.", "Ask sequel, then sequel.")]
    [InlineData("sql stays", "sql stays")] // case-sensitive
    [InlineData("SQLite stays", "SQLite stays")] // whole word: no match inside a longer word
    [InlineData("MS_SQL stays", "MS_SQL stays")]
    [InlineData("SQL2019 stays", "SQL2019 stays")]
    [InlineData("(SQL)", "(sequel)")]
    [InlineData("", "")]
    public void Apply_RespellsWholeWordsCaseSensitively(string text, string expected)
    {
        Assert.Equal(expected, Lexicon(("SQL", "sequel")).Apply(text));
    }

    [Fact]
    public void Apply_PrefersTheLongerWrittenForm()
    {
        PronunciationLexicon lexicon = Lexicon(("SQL", "sequel"), ("SQL Server", "sequel server"), ("C++", "C plus plus"));

        Assert.Equal("sequel server and sequel in C plus plus.", lexicon.Apply("SQL Server and SQL in C++."));
    }

    [Fact]
    public void Parse_ReadsTabSeparatedLinesAndSkipsCommentsAndBlankLines()
    {
        PronunciationLexicon lexicon = PronunciationLexicon.Parse("\uFEFF# names\r\nSQL\tsequel\r\n\r\nNguyen\tnwin\n  # indented comment\nKubernetes\tkoo-ber-net-eez = k8s\n", "file");

        Assert.Equal(
            new[] { ("Kubernetes", "koo-ber-net-eez = k8s"), ("Nguyen", "nwin"), ("SQL", "sequel") },
            lexicon.Entries.Select(e => (e.Key, e.Value)).ToArray());
    }

    [Theory]
    [InlineData("SQL = sequel\n", "line 1, has no tab")]
    [InlineData("# ok\nSQL\tsequel\nNguyen nwin\n", "line 3, has no tab")]
    [InlineData("\tsequel\n", "no written form")]
    [InlineData("SQL\t \n", "says nothing for 'SQL'")]
    public void Parse_RefusesLinesThatAreNoEntry(string content, string expected)
    {
        var error = Assert.Throws<TtsException>(() => PronunciationLexicon.Parse(content, "The pronunciation file 'x.tsv'"));

        Assert.Equal(TtsErrorIds.InvalidPronunciation, error.ErrorId);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForCall_PutsTheCallsEntriesOverTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), "aitretts-lexicon-" + Guid.NewGuid().ToString("N") + ".tsv");
        File.WriteAllText(path, "SQL\tsequel\nAitre\tay-truh\n", new UTF8Encoding(false));
        try
        {
            PronunciationLexicon lexicon = PronunciationLexicon.ForCall(path, new Hashtable { ["SQL"] = "S Q L" });

            Assert.Equal("ay-truh speaks S Q L.", lexicon.Apply("Aitre speaks SQL."));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadFile_RefusesAFileThatIsNotUtf8()
    {
        string path = Path.Combine(Path.GetTempPath(), "aitretts-lexicon-" + Guid.NewGuid().ToString("N") + ".tsv");
        File.WriteAllBytes(path, new byte[] { (byte)'S', (byte)'\t', 0xE9, 0xFF, (byte)'\n' });
        try
        {
            var error = Assert.Throws<TtsException>(() => PronunciationLexicon.ReadFile(path));

            Assert.Equal(TtsErrorIds.InvalidPronunciation, error.ErrorId);
            Assert.Contains("not UTF-8", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Plan_SendsTheRespellingAndKeepsTheWrittenTextForCues()
    {
        var segments = new SegmentOptions { Subtitles = SubtitleFormat.Srt, Pronunciation = Lexicon(("SQL", "sequel")) };

        SpeechPlan plan = SpeechPlan.For("SQL runs. Backups run nightly.", new SpeechOptions(), segments);

        Assert.Equal(new[] { "sequel runs.", "Backups run nightly." }, plan.SpeechRequests().Select(r => r.Input).ToArray());
        Assert.Equal(new[] { "SQL runs.", "Backups run nightly." }, plan.Requests.Select(r => r.CueText).ToArray());
    }

    [Fact]
    public void Plan_RespellsBeforeSplitting()
    {
        // 5,999 characters written are two requests; respelled they are 10,499, which must be three within the API's limit.
        string text = string.Join(" ", Enumerable.Repeat("SQL", 1500));
        var segments = new SegmentOptions { Pronunciation = Lexicon(("SQL", "sequel")) };

        SpeechPlan plan = SpeechPlan.For(text, new SpeechOptions(), segments);

        Assert.Equal(3, plan.Requests.Count);
        Assert.All(plan.Requests, r => Assert.True(r.Text.Length <= TextSplitter.ApiMaximumCharacters));
        Assert.Equal(string.Join(" ", Enumerable.Repeat("sequel", 1500)), string.Join(" ", plan.Requests.Select(r => r.Text)));
        Assert.All(plan.Requests, r => Assert.Null(r.Start)); // positions of the respelled text are not the document's
    }

    [Fact]
    public void Plan_RespellsEachParagraphWithPauses()
    {
        var segments = new SegmentOptions { ParagraphPauseMs = 500, Pronunciation = Lexicon(("SQL", "sequel")) };

        SpeechPlan plan = SpeechPlan.For("SQL one.\n\nSQL two.", new SpeechOptions(), segments);

        Assert.Equal(new[] { "sequel one.", "sequel two." }, plan.Requests.Select(r => r.Text).ToArray());
    }
}
