using System;
using System.Collections.Generic;
using System.Linq;
using AitreTts.Core.Text;

namespace AitreTts.Tests.Text;

public sealed class TextSplitterTests
{
    private const int Maximum = TextSplitter.ApiMaximumCharacters;

    private static IReadOnlyList<TextChunk> SplitAndCheck(string text, int maximumCharacters = Maximum)
    {
        IReadOnlyList<TextChunk> chunks = TextSplitter.Split(text, maximumCharacters);
        ChunkInvariants.AssertValid(text, chunks, maximumCharacters);
        return chunks;
    }

    // Small, hand-worked cases: '|' separates the expected request texts.
    [Theory]
    [InlineData("One two. Three four.", 12, "One two.|Three four.")]
    [InlineData("Pi is 3.14159 ok", 10, "Pi is|3.14159 ok")] // "3.14" is no sentence end
    [InlineData("He said \"Go.\" Then left.", 14, "He said \"Go.\"|Then left.")] // the closing quote goes with the stop
    [InlineData("Is it? Yes! It is.", 12, "Is it? Yes!|It is.")]
    [InlineData("Well... maybe later", 12, "Well...|maybe later")]
    [InlineData("one two, three four", 12, "one two,|three four")] // clause end
    [InlineData("1,000,000 is big", 10, "1,000,000|is big")] // no clause end inside a number
    [InlineData("word—another—more", 10, "word—|another—|more")] // dashes break without spaces
    [InlineData("10\u00A0km far away", 8, "10\u00A0km|far away")] // never at a no-break space
    [InlineData("你好。世界很大。我们走吧。", 8, "你好。世界很大。|我们走吧。")] // CJK stops need no space
    [InlineData("他说：「好。」然后走了。", 8, "他说：「好。」|然后走了。")] // closing bracket stays with the stop
    [InlineData("我们，今天，去公园散步吧", 8, "我们，今天，|去公园散步吧")] // CJK commas
    [InlineData("Version 2.0发布了新功能", 11, "Version|2.0发布了新功能")] // a Latin stop before CJK is no break
    [InlineData("abcdefghijklmnopqrstuvwxyz", 10, "abcdefghij|klmnopqrst|uvwxyz")] // hard cuts
    public void Split_CutsWhereExpected(string text, int maximumCharacters, string expected)
    {
        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text, maximumCharacters);

        Assert.Equal(expected.Split('|'), chunks.Select(chunk => chunk.RequestText));
    }

    // The break-point policy: the best kind of break wins only when it leaves the chunk at least half full.
    [Theory]
    [InlineData("Hello there you\n\nOk. Go on", 20, "Hello there you|Ok. Go on")] // paragraph past half beats a later sentence end
    [InlineData("Yes it is true. And, then more", 20, "Yes it is true.|And, then more")] // sentence end beats a later clause end
    [InlineData("Hi.\n\nThis is a long sentence here.", 20, "Hi.\n\nThis is a long|sentence here.")] // too early: a space far along wins
    [InlineData("Go. Then, quite suddenly", 16, "Go. Then,|quite suddenly")] // too-early stop loses to a clause end past half
    [InlineData("Hi. Supercalifragilistic", 10, "Hi.|Supercalif|ragilistic")] // nothing past half: still no word cut while a break exists
    public void Split_PrefersTheBestBreakThatLeavesTheChunkHalfFull(string text, int maximumCharacters, string expected)
    {
        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text, maximumCharacters);

        Assert.Equal(expected.Split('|'), chunks.Select(chunk => chunk.RequestText));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\r\n\t \v\f")]
    [InlineData("\u3000\u00A0\u2028\u2029\u200B\uFEFF")]
    public void Split_ReturnsNothingForBlankText(string text) => Assert.Empty(SplitAndCheck(text));

    [Fact]
    public void Split_ReturnsNothingForAHundredThousandSpaces() => Assert.Empty(SplitAndCheck(new string(' ', 100_000)));

    [Theory]
    [InlineData("short")]
    [InlineData("  \r\n padded on both sides \t\n")]
    public void Split_KeepsTextThatFitsInOneChunk(string text)
    {
        TextChunk chunk = Assert.Single(SplitAndCheck(text));

        Assert.Equal(text, chunk.Raw);
        Assert.Equal(text.Trim(), chunk.RequestText);
        Assert.Equal(0, chunk.Start);
    }

    [Fact]
    public void Split_KeepsExactlyTheMaximumInOneChunk()
    {
        string text = SampleText.English(Maximum * 2, seed: 1).Substring(0, Maximum - 1) + "x";

        TextChunk chunk = Assert.Single(SplitAndCheck(text));

        Assert.Equal(Maximum, chunk.RequestText.Length);
    }

    [Fact]
    public void Split_KeepsTheMaximumInOneChunkEvenWithWhiteSpaceAround()
    {
        string text = "\n\n  " + new string('a', Maximum) + "  \r\n";

        TextChunk chunk = Assert.Single(SplitAndCheck(text));

        Assert.Equal(Maximum, chunk.RequestText.Length);
    }

    [Fact]
    public void Split_CutsOneCharacterOverTheMaximum()
    {
        string words = SampleText.English(Maximum * 2, seed: 2).Substring(0, Maximum) + "x";
        string oneWord = new string('a', Maximum + 1);

        Assert.Equal(2, SplitAndCheck(words).Count);
        IReadOnlyList<TextChunk> hardCut = SplitAndCheck(oneWord);
        Assert.Equal(new[] { Maximum, 1 }, hardCut.Select(chunk => chunk.RequestText.Length));
    }

    [Fact]
    public void Split_CutsALongEnglishDocumentAtSentenceEndsAndParagraphBreaks()
    {
        string text = SampleText.English(100_000, seed: 42);

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.InRange(chunks.Count, 100_000 / Maximum + 1, 100_000 / (Maximum / 2) + 1);
        foreach (TextChunk chunk in chunks.Take(chunks.Count - 1))
        {
            int cut = chunk.Start + chunk.Length;
            Assert.True(chunk.RequestText.Length >= Maximum / 2, $"{chunk} is less than half full");
            Assert.Contains(chunk.RequestText[chunk.RequestText.Length - 1], ".!?\"");
            Assert.True(char.IsWhiteSpace(text[cut]), $"{chunk} does not end before white space");

            // A paragraph break past the middle of the window, if there is one, is where the chunk must end.
            int contentStart = text.Length - text.Substring(chunk.Start).TrimStart().Length;
            int lastParagraph = text.LastIndexOf("\n\n", contentStart + Maximum - 1, Maximum / 2, StringComparison.Ordinal);
            if (lastParagraph >= 0)
            {
                Assert.True(text.Substring(cut).StartsWith("\n\n", StringComparison.Ordinal), $"{chunk} ignores the paragraph break at {lastParagraph}");
            }
        }
    }

    [Fact]
    public void Split_CutsChineseWithoutSpacesAtSentenceEnds()
    {
        string text = SampleText.Chinese(30_000, seed: 3);
        Assert.DoesNotContain(text, ChunkInvariants.IsBlank);

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.True(chunks.Count >= 8);
        foreach (TextChunk chunk in chunks.Take(chunks.Count - 1))
        {
            Assert.Contains(chunk.RequestText[chunk.RequestText.Length - 1], "。！？");
            Assert.True(chunk.RequestText.Length >= Maximum / 2, $"{chunk} is less than half full");
        }
    }

    [Fact]
    public void Split_CutsJapaneseWithoutSpacesAtSentenceEndsKeepingClosingBrackets()
    {
        string text = SampleText.Japanese(30_000, seed: 4);

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.True(chunks.Count >= 8);
        foreach (TextChunk chunk in chunks.Take(chunks.Count - 1))
        {
            string request = chunk.RequestText;
            bool endsSentence = request.EndsWith("。", StringComparison.Ordinal)
                || request.EndsWith("？", StringComparison.Ordinal)
                || request.EndsWith("。」", StringComparison.Ordinal)
                || request.EndsWith("？」", StringComparison.Ordinal);
            Assert.True(endsSentence, $"{chunk} ends with {ChunkInvariants.Describe(request.Substring(request.Length - 2))}");
            Assert.NotEqual('「', text[chunk.Start + chunk.Length - 1]);
            Assert.NotEqual('」', text[chunk.Start + chunk.Length]); // a closing bracket never starts the next chunk
        }
    }

    public static TheoryData<string, int> ClustersAtTheBoundary()
    {
        var data = new TheoryData<string, int>();
        string[] clusters =
        {
            "\uD83D\uDC4D", // 👍
            "\uD83D\uDC4D\uD83C\uDFFD", // 👍🏽
            "👨\u200D👩\u200D👧\u200D👦", // family, 11 code units
            "🏳\uFE0F\u200D🌈", // rainbow flag
            "🇺🇸", // regional indicator pair
            "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", // England, tag sequence
            "1\uFE0F\u20E3", // keycap
            "e\u0301", // e + combining acute
            "a\u0301\u0323\u0308\u0330", // a stack of marks
            "\u0915\u093F", // Devanagari KI
            "\u1100\u1161\u11A8", // conjoining Hangul jamo
            "𠀋", // CJK extension B
        };

        foreach (string cluster in clusters)
        {
            // Place the cluster so that the window's end falls before, inside and after it.
            for (int prefix = Maximum - cluster.Length - 1; prefix <= Maximum + 1; prefix++)
            {
                data.Add(cluster, prefix);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ClustersAtTheBoundary))]
    public void Split_NeverCutsAClusterAtTheHardCutBoundary(string cluster, int prefixLength)
    {
        string text = new string('a', prefixLength) + cluster + new string('b', 5000);

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.Single(chunks, chunk => chunk.RequestText.Contains(cluster));
        foreach (int cut in ChunkInvariants.Cuts(chunks))
        {
            Assert.False(cut > prefixLength && cut < prefixLength + cluster.Length, $"cut at {cut} is inside the cluster");
        }
    }

    [Theory]
    [InlineData("🇺🇸")]
    [InlineData("🇫🇷")]
    public void Split_KeepsFlagsPairedInARunOfFlags(string flag)
    {
        // 1025 flags of 4 code units: only regional indicators, so every cut is a hard cut that must land between flags.
        string text = SampleText.Repeat(flag, 1025) + " " + SampleText.Repeat(flag, 3000);

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.All(chunks, chunk => Assert.Equal(0, chunk.RequestText.Length % 4));
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(Maximum * 3)]
    public void Split_HardCutsASingleLongWord(int length)
    {
        string text = SampleText.Repeat("abcdefghij", length / 10);

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.Equal((length + Maximum - 1) / Maximum, chunks.Count);
        Assert.All(chunks.Take(chunks.Count - 1), chunk => Assert.Equal(Maximum, chunk.RequestText.Length));
    }

    [Fact]
    public void Split_CutsALetterUnderMoreMarksThanFitBetweenCodePoints()
    {
        // One grapheme cluster of 5001 code units cannot fit in any request; it is cut, but never mid-code point.
        string text = "x" + SampleText.Repeat("\U0001D167", 2500) + " tail"; // MUSICAL SYMBOL COMBINING TREMOLO-1: astral, Mn

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.Equal(2, chunks.Count);
        Assert.Equal(Maximum - 1, chunks[0].RequestText.Length); // 4096 would fall between the halves of a pair
    }

    [Theory]
    [InlineData(Maximum - 2)]
    [InlineData(Maximum - 1)]
    [InlineData(Maximum)]
    [InlineData(Maximum + 1)]
    public void Split_NeverCutsCrlfAtTheBoundary(int prefixLength)
    {
        string text = new string('a', prefixLength) + "\r\n" + new string('b', 100) + "\r\n";

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.True(chunks.Count >= 2);
        Assert.All(chunks, chunk => Assert.False(chunk.Raw.StartsWith("\n", StringComparison.Ordinal), $"{chunk} starts inside \"\\r\\n\""));
        Assert.All(chunks, chunk => Assert.False(chunk.Raw.EndsWith("\r", StringComparison.Ordinal), $"{chunk} ends inside \"\\r\\n\""));
    }

    [Fact]
    public void Split_CutsCrlfParagraphsAtTheBlankLine()
    {
        string text = SampleText.English(50_000, seed: 5).Replace("\n", "\r\n");

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        foreach (TextChunk chunk in chunks.Skip(1))
        {
            Assert.Contains(chunk.Raw[0], " \r");
            if (chunk.Raw[0] == '\r')
            {
                Assert.StartsWith("\r\n\r\n", chunk.Raw, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("!", 10_000)]
    [InlineData(".", 10_000)]
    [InlineData("—", 5_000)]
    [InlineData("…", 9_000)]
    [InlineData("?!", 5_000)]
    [InlineData(". ", 5_000)]
    [InlineData("。", 9_000)]
    [InlineData("。」", 5_000)]
    [InlineData(", ", 5_000)]
    public void Split_HandlesTextMadeOnlyOfPunctuation(string piece, int count)
    {
        string text = SampleText.Repeat(piece, count);

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.True(chunks.Count >= 2);
        Assert.All(chunks, chunk => Assert.True(chunk.RequestText.Length >= Maximum / 2 || chunk.Index == chunks.Count - 1));
    }

    [Fact]
    public void Split_PutsLeadingWhiteSpaceInTheFirstChunkAndTrailingInTheLast()
    {
        string text = "\r\n\r\n   " + SampleText.English(10_000, seed: 6).TrimEnd() + "\n\n\t  ";

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.StartsWith("\r\n\r\n   ", chunks[0].Raw, StringComparison.Ordinal);
        Assert.EndsWith("\n\n\t  ", chunks[chunks.Count - 1].Raw, StringComparison.Ordinal);
        Assert.All(chunks.Skip(1), chunk => Assert.True(ChunkInvariants.IsBlank(chunk.Raw[0]), $"{chunk} starts with no white space"));
    }

    [Fact]
    public void Split_CutsAtANoBreakSpaceRatherThanInsideAWord()
    {
        // No breakable space anywhere: cutting "10 km" at its no-break space still beats cutting a word in two.
        string text = SampleText.Repeat("abc\u00A0", 3000);

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.All(ChunkInvariants.Cuts(chunks), cut => Assert.Equal('\u00A0', text[cut]));
        Assert.All(chunks, chunk => Assert.EndsWith("abc", chunk.RequestText, StringComparison.Ordinal));
    }

    [Fact]
    public void Split_TrimsASpaceLeftAtTheEndOfAHardCut()
    {
        // The only space follows a ZERO WIDTH JOINER, where no break is taken, so the window is hard cut just after it.
        string text = new string('x', Maximum - 2) + "\u200D " + new string('y', 5000);

        IReadOnlyList<TextChunk> chunks = SplitAndCheck(text);

        Assert.Equal(Maximum, chunks[0].Length);
        Assert.Equal(new string('x', Maximum - 2) + "\u200D", chunks[0].RequestText);
    }

    [Fact]
    public void Split_RejectsNullText() => Assert.Throws<ArgumentNullException>(() => TextSplitter.Split(null!));

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-5)]
    public void Split_RejectsAMaximumTooSmallForACodePoint(int maximumCharacters) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TextSplitter.Split("text", maximumCharacters));
}
