using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using AitreTts.Core.Subtitles;

namespace AitreTts.Tests.Subtitles;

public sealed class SubtitleCueSplitterTests
{
    // '|' separates the expected cues.
    [Theory]
    [InlineData("One two. Three four!  Five six?", "One two.|Three four!|Five six?")]
    [InlineData("Pi is 3.14 today. Yes.", "Pi is 3.14 today.|Yes.")] // a decimal point ends no sentence
    [InlineData("He said \"Go.\" Then he left.", "He said \"Go.\"|Then he left.")] // the quote stays with the stop
    [InlineData("Wait... what?! Fine.", "Wait...|what?!|Fine.")] // an ellipsis ends a sentence, as for the chunks
    [InlineData("  Leading\tand\r\n trailing   space.  \n", "Leading and trailing space.")] // white space normalized
    [InlineData("你好。世界很大！我们走吧？", "你好。|世界很大！|我们走吧？")] // CJK stops need no space
    [InlineData("他说：「好。」然后走了。", "他说：「好。」|然后走了。")]
    [InlineData("Version 2.0发布了。谢谢", "Version 2.0发布了。|谢谢")]
    [InlineData("10\u00A0km to go. Run.", "10\u00A0km to go.|Run.")] // a no-break space is text, kept
    [InlineData("No stop at the end", "No stop at the end")]
    public void OneCuePerSentence(string text, string expected)
    {
        Assert.Equal(expected.Split('|'), SubtitleCueSplitter.Split(text).Select(cue => cue.Text));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t\u00A0")]
    public void BlankTextHasNoCues(string text)
    {
        Assert.Empty(SubtitleCueSplitter.Split(text));
    }

    [Fact]
    public void CuesKnowTheirParagraph()
    {
        const string text = "First one. First two.\n\nSecond one.\r\n  \r\nThird one. Third two.\fFourth.\u2029Fifth.\nStill fifth.";

        IReadOnlyList<SubtitleCueText> cues = SubtitleCueSplitter.Split(text);

        Assert.Equal(
            new[] { (0, "First one."), (0, "First two."), (1, "Second one."), (2, "Third one."), (2, "Third two."), (3, "Fourth."), (4, "Fifth."), (4, "Still fifth.") },
            cues.Select(cue => (cue.Paragraph, cue.Text)));
    }

    [Fact]
    public void ALongSentenceIsCutAtAClause()
    {
        const string first = "When the train from the north arrives at platform four this evening,";
        const string second = "please let the passengers leave before you board the carriages.";

        IReadOnlyList<SubtitleCueText> cues = SubtitleCueSplitter.Split(first + " " + second);

        Assert.Equal(new[] { first, second }, cues.Select(cue => cue.Text));
    }

    [Fact]
    public void ALongSentenceWithoutClausesIsCutBetweenWords()
    {
        string sentence = string.Join(" ", Enumerable.Range(0, 60).Select(i => "word" + i)) + ".";

        IReadOnlyList<SubtitleCueText> cues = SubtitleCueSplitter.Split(sentence);

        Assert.True(cues.Count >= 5, $"{cues.Count} cues");
        Assert.All(cues, cue => Assert.InRange(cue.Text.Length, 1, SubtitleCueSplitter.MaximumCueCharacters));
        Assert.Equal(sentence, string.Join(" ", cues.Select(cue => cue.Text)));
    }

    /// <summary>
    /// Sentences no longer than two lines whose spaces fall where no split keeps both lines within 42 characters:
    /// they are cut into cues that do fit, rather than wrapped into a line of 44.
    /// </summary>
    [Theory]
    [InlineData("Refreshments are available from the trolley service throughout this entire journey.")]
    [InlineData("Unattended luggage anywhere in this station will be removed and may be destroyed.")]
    [InlineData("Telecommunications-infrastructure maintenance overnight interrupts the Wi-Fi.")]
    public void EveryCueWrapsIntoTwoLinesOfAtMost42(string sentence)
    {
        IReadOnlyList<SubtitleCueText> cues = SubtitleCueSplitter.Split(sentence);

        Assert.All(cues, cue => AssertFitsTheScreen(cue.Text));
        Assert.Equal(sentence, string.Join(" ", cues.Select(cue => cue.Text)));
    }

    [Fact]
    public void AWordLongerThanACueStaysWhole()
    {
        string word = new string('x', 100);

        IReadOnlyList<SubtitleCueText> cues = SubtitleCueSplitter.Split("Before it " + word + " after it.");

        Assert.Equal(new[] { "Before it", word, "after it." }, cues.Select(cue => cue.Text));
    }

    [Fact]
    public void ALongCjkSentenceIsCutBetweenCharacters()
    {
        string sentence = string.Concat(Enumerable.Repeat("我们今天去公园散步", 20)) + "。";

        IReadOnlyList<SubtitleCueText> cues = SubtitleCueSplitter.Split(sentence);

        Assert.Equal(3, cues.Count);
        Assert.All(cues, cue => Assert.InRange(cue.Text.Length, 1, SubtitleCueSplitter.MaximumCueCharacters));
        Assert.Equal(sentence, string.Concat(cues.Select(cue => cue.Text)));
    }

    /// <summary>
    /// Random documents of words, numbers and punctuation: every cue fits unless it is one word, cues join back to the
    /// normalized text, and no cut falls inside a word.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void CuesNeverCutAWordAndRebuildTheText(int seed)
    {
        var random = new Random(seed);
        string[] words = { "the", "platform", "3.14", "e.g.", "announcement", "Zürich", "naïve", "\U0001F600", "1,000", "—", "co-operate", new string('y', 90) };
        string[] ends = { "", "", "", ",", ";", ":", ".", "!", "?", "…", ".\"" };
        string[] spaces = { " ", " ", " ", "  ", "\n", "\t", " \r\n " };
        var text = new StringBuilder();
        for (int i = 0; i < 400; i++)
        {
            text.Append(words[random.Next(words.Length)]).Append(ends[random.Next(ends.Length)]);
            text.Append(random.Next(40) == 0 ? "\n\n" : spaces[random.Next(spaces.Length)]);
        }

        string document = text.ToString();
        IReadOnlyList<SubtitleCueText> cues = SubtitleCueSplitter.Split(document);

        string normalized = System.Text.RegularExpressions.Regex.Replace(document.Trim(), @"\s+", " ");
        Assert.Equal(normalized, string.Join(" ", cues.Select(cue => cue.Text)));
        foreach (SubtitleCueText cue in cues)
        {
            Assert.Equal(cue.Text.Trim(), cue.Text);
            Assert.False(cue.Text.Contains("  "), cue.Text);
            Assert.True(cue.Text.Length <= SubtitleCueSplitter.MaximumCueCharacters || !cue.Text.Contains(' '), $"{cue.Text.Length}: {cue.Text}");
            AssertFitsTheScreen(cue.Text);
        }

        // No word is cut: each cue's first and last word is one of the words written, with its punctuation.
        var written = new HashSet<string>(normalized.Split(' '));
        foreach (SubtitleCueText cue in cues)
        {
            string[] cueWords = cue.Text.Split(' ');
            Assert.Contains(cueWords[0], written);
            Assert.Contains(cueWords[^1], written);
        }

        Assert.Equal(Enumerable.Range(0, cues[^1].Paragraph + 1), cues.Select(cue => cue.Paragraph).Distinct());
    }

    /// <summary>At most two lines of at most 42 characters, unless a line is one word that no break shortens.</summary>
    private static void AssertFitsTheScreen(string cue)
    {
        IReadOnlyList<string> lines = SubtitleLines.Wrap(cue);
        Assert.InRange(lines.Count, 1, 2);
        Assert.All(lines, line => Assert.True(line.Length <= SubtitleLines.MaximumLineCharacters || !line.Contains(' '), $"a line of {line.Length}: '{line}' in '{cue}'"));
    }
}
