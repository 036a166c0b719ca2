using System.Collections.Generic;
using System.Linq;
using AitreTts.Core.Errors;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Text;
using Xunit;

namespace AitreTts.Tests.Synthesis;

public sealed class SsmlDocumentTests
{
    private static readonly SpeechVoice Defaults = new("tts-1", "alloy", 1.0, null);

    [Theory]
    [InlineData("<speak>Hi</speak>", true)]
    [InlineData("  \n<speak version=\"1.0\">Hi</speak>", true)]
    [InlineData("\uFEFF<speak/>", true)]
    [InlineData("<speaker>Hi</speaker>", false)]
    [InlineData("Say <speak> aloud", false)]
    [InlineData("", false)]
    public void IsSsml_OnlyWhenTheTextStartsWithTheSpeakElement(string text, bool expected)
    {
        Assert.Equal(expected, SsmlDocument.IsSsml(text));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1500)]
    [InlineData("2S", 2000)]
    [InlineData("0ms", 0)]
    public void Break_TimeIsExactMilliseconds(string time, int expected)
    {
        IReadOnlyList<TextSegment> parts = SsmlDocument.Parse($"<speak>One.<break time=\"{time}\"/>Two.</speak>", Defaults);

        Assert.Equal(new[] { "One.", "Two." }, parts.Select(p => p.Text));
        Assert.Equal(expected, parts[1].PauseBeforeMs);
        Assert.True(parts[1].ContinuesParagraph);
    }

    [Theory]
    [InlineData("none", 0)]
    [InlineData("weak", 250)]
    [InlineData("medium", 500)]
    [InlineData("x-strong", 2000)]
    public void Break_StrengthHasAFixedLength(string strength, int expected)
    {
        Assert.Equal(expected, SsmlDocument.Parse($"<speak>One.<break strength=\"{strength}\"/>Two.</speak>", Defaults)[1].PauseBeforeMs);
    }

    [Fact]
    public void Breaks_AddUp_AndOneAtTheEndIsAPartWithoutText()
    {
        IReadOnlyList<TextSegment> parts = SsmlDocument.Parse("<speak><break time=\"200ms\"/>One.<break time=\"1s\"/><break time=\"1s\"/>Two.<break time=\"300ms\"/></speak>", Defaults);

        Assert.Equal(new[] { 200, 2000, 300 }, parts.Select(p => p.PauseBeforeMs));
        Assert.Equal(new[] { "One.", "Two.", string.Empty }, parts.Select(p => p.Text));
    }

    [Theory]
    [InlineData("slow", 0.75)]
    [InlineData("x-fast", 1.75)]
    [InlineData("150%", 1.5)]
    [InlineData("+20%", 1.2)]
    [InlineData("-50%", 0.5)]
    [InlineData("2", 2.0)]
    [InlineData("10", 4.0)] // kept within the API's range
    [InlineData("10%", 0.25)]
    public void Prosody_RateScalesTheSpeedWithinTheApisRange(string rate, double expected)
    {
        IReadOnlyList<TextSegment> parts = SsmlDocument.Parse($"<speak>Normal. <prosody rate=\"{rate}\">Changed.</prosody> Normal again.</speak>", Defaults);

        Assert.Equal(new[] { 1.0, expected, 1.0 }, parts.Select(p => p.Voice!.Speed));
    }

    [Fact]
    public void Voice_AndParagraphs_MakeParts_WhiteSpaceOfTheMarkupIsNoParagraph()
    {
        IReadOnlyList<TextSegment> parts = SsmlDocument.Parse("<speak>\n  <p><voice name=\"onyx\">Attention.</voice> Please.</p>\n\n  <p>Next &amp; last.</p>\n</speak>", Defaults);

        Assert.Equal(new[] { "Attention.", "Please.", "Next & last." }, parts.Select(p => p.Text));
        Assert.Equal(new[] { "onyx", "alloy", "alloy" }, parts.Select(p => p.Voice!.Voice));
        Assert.Equal(new[] { false, true, false }, parts.Select(p => p.ContinuesParagraph));
        Assert.Equal("Attention. Please.\n\nNext & last.", SsmlDocument.WrittenText(parts));
    }

    [Fact]
    public void PunctuationAfterAnElement_EndsTheWordsBeforeIt_InsteadOfARequestOfItsOwn()
    {
        IReadOnlyList<TextSegment> parts = SsmlDocument.Parse("<speak>The server is <voice name=\"echo\">down</voice>.<break time=\"300ms\"/>!</speak>", Defaults);

        // After a break the punctuation keeps its own part: the silence stays where it was written.
        Assert.Equal(new[] { "The server is", "down.", "!" }, parts.Select(p => p.Text));
        Assert.Equal(new[] { "alloy", "echo", "alloy" }, parts.Select(p => p.Voice!.Voice));
        Assert.Equal("The server is down. !", SsmlDocument.WrittenText(parts));
    }

    [Fact]
    public void Sub_IsSentAsItsAlias_AndWrittenAsItsText_WhereverASplitFalls()
    {
        string text = SsmlDocument.Parse("<speak>Restart <sub alias=\"sequel\">SQL</sub> now.</speak>", Defaults).Single().Text;

        Assert.Equal("Restart SQL now.", SubMarkers.Written(text));
        Assert.Equal("Restart sequel now.", SubMarkers.Spoken(text));
        // A piece cut inside the respelling still knows which side it is on.
        int cut = text.IndexOf('Q');
        Assert.Equal("Restart S", SubMarkers.Written(text.Substring(0, cut)));
        Assert.Equal("QL now.", SubMarkers.Written(text.Substring(cut)));
        Assert.Equal("Restart ", SubMarkers.Spoken(text.Substring(0, cut)));
        Assert.Equal("sequel now.", SubMarkers.Spoken(text.Substring(cut)));
    }

    [Fact]
    public void Plan_SendsTheAliasAndTimesCuesByTheWrittenText_WithTheBreakBeforeItsRequest()
    {
        IReadOnlyList<TextSegment> parts = SsmlDocument.Parse("<speak><s>Restart <sub alias=\"sequel\">SQL</sub>.</s><break time=\"750ms\"/><s><voice name=\"onyx\">Done.</voice></s></speak>", Defaults);
        var options = new SpeechOptions { ThrottleLimit = 1 };
        SpeechPlan plan = SpeechPlan.For(SsmlDocument.WrittenText(parts), options, SegmentOptions.From("Srt", 0), parts);

        Assert.Equal(new[] { "Restart sequel.", "Done." }, plan.SpeechRequests().Select(r => r.Input));
        Assert.Equal(new[] { "alloy", "onyx" }, plan.SpeechRequests().Select(r => r.Voice));
        Assert.Equal(new[] { "Restart SQL.", "Done." }, plan.Requests.Select(r => r.CueText));
        Assert.Equal(new[] { 0, 750 }, Enumerable.Range(0, plan.Requests.Count).Select(plan.PauseBeforeMs));
        Assert.False(plan.KeepsTheAudioAsItIs);
    }

    [Theory]
    [InlineData("<speak>Hi <emphasis>there</emphasis></speak>", 1, 11, "<emphasis> is not supported")]
    [InlineData("<speak>\n<audio src=\"x.wav\"/></speak>", 2, 1, "<audio> is not supported")]
    [InlineData("<speak><prosody pitch=\"high\">Hi</prosody></speak>", 1, 8, "attribute 'pitch'")]
    [InlineData("<speak><break time=\"11s\"/></speak>", 1, 8, "longer than the 10 s")]
    [InlineData("<speak><sub alias=\"x\">A <break/></sub></speak>", 1, 25, "only the text")]
    [InlineData("<speak><voice>Hi</voice></speak>", 1, 8, "needs a name")]
    [InlineData("<p>Hi</p>", 1, 1, "starts with <speak>")]
    public void Invalid_NamesTheElementAndWhereItIs(string ssml, int line, int column, string says)
    {
        TtsException ex = Assert.Throws<TtsException>(() => SsmlDocument.Parse(ssml, Defaults));

        Assert.Equal(TtsErrorIds.InvalidSsml, ex.ErrorId);
        Assert.Contains($"line {line}, column {column}:", ex.Message);
        Assert.Contains(says, ex.Message);
    }

    [Fact]
    public void NotWellFormed_IsInvalidSsmlWithThePositionTheXmlReaderGives()
    {
        TtsException ex = Assert.Throws<TtsException>(() => SsmlDocument.Parse("<speak>\nHi <break time=\"1s\">there</speak>", Defaults));

        Assert.Equal(TtsErrorIds.InvalidSsml, ex.ErrorId);
        Assert.Contains("line 2, column", ex.Message);
        Assert.Contains("not well formed", ex.Message);
    }

    [Fact]
    public void Expand_LeavesPlainTextAlone_AndRendersEachSsmlPartInItsOwnVoice()
    {
        Assert.Null(SsmlDocument.Expand("Just text.", null, Defaults));

        var rowVoice = Defaults with { Voice = "nova" };
        IReadOnlyList<TextSegment> parts = SsmlDocument.Expand(
            "ignored",
            new[] { new TextSegment(0, "Plain row.", null), new TextSegment(12, "<speak>Row <break time=\"1s\"/>two.</speak>", rowVoice) },
            Defaults)!;

        Assert.Equal(new[] { "Plain row.", "Row", "two." }, parts.Select(p => p.Text));
        Assert.Equal(new[] { "alloy", "nova", "nova" }, parts.Select(p => (p.Voice ?? Defaults).Voice));
        Assert.Equal(new[] { false, false, true }, parts.Select(p => p.ContinuesParagraph));
    }
}
