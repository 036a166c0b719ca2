using System;
using System.Text.RegularExpressions;
using AitreTts.Core.Text;

namespace AitreTts.Tests.Text;

public sealed class InputTextTests
{
    // Written escaped: xunit passes InlineData strings through UTF-8, which turns a lone surrogate into U+FFFD.
    [Theory]
    [InlineData("\\uD83D", "\\uFFFD", 1)] // lone high surrogate
    [InlineData("\\uDC4D", "\\uFFFD", 1)] // lone low surrogate
    [InlineData("\\uDC4D\\uD83D", "\\uFFFD\\uFFFD", 2)] // a pair written the wrong way round
    [InlineData("a\\uD83Db", "a\\uFFFDb", 1)]
    [InlineData("end\\uD83D", "end\\uFFFD", 1)] // high surrogate as the last character
    [InlineData("\\uDC4Dstart", "\\uFFFDstart", 1)]
    [InlineData("\\uD83D\\uD83D\\uDC4D", "\\uFFFD\\uD83D\\uDC4D", 1)] // two highs: the first is unpaired, the second pairs
    [InlineData("\\uD83D\\uDC4D\\uDC4D", "\\uD83D\\uDC4D\\uFFFD", 1)] // two lows: the second is unpaired
    [InlineData("x\\uD800\\uD800y\\uDFFF", "x\\uFFFD\\uFFFDy\\uFFFD", 3)]
    public void ReplaceUnpairedSurrogates_ReplacesEachUnpairedHalf(string escapedText, string escapedExpected, int expectedReplaced)
    {
        string text = Regex.Unescape(escapedText);
        string expected = Regex.Unescape(escapedExpected);

        string actual = InputText.ReplaceUnpairedSurrogates(text, out int replaced);

        Assert.Equal(expected, actual);
        Assert.Equal(expectedReplaced, replaced);
        Assert.Equal(text.Length, actual.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain ASCII")]
    [InlineData("\uD83D\uDC4D")] // 👍
    [InlineData("👨\u200D👩\u200D👧\u200D👦 family, 🇺🇸 flag, 𝄞 clef, 𠀋 CJK extension B")]
    [InlineData("\uFFFD already replaced")]
    public void ReplaceUnpairedSurrogates_ReturnsValidTextUntouched(string text)
    {
        string actual = InputText.ReplaceUnpairedSurrogates(text, out int replaced);

        Assert.Equal(0, replaced);
        Assert.Same(text, actual);
    }

    [Fact]
    public void ReplaceUnpairedSurrogates_ResultAlwaysEncodesToUtf8AndBack()
    {
        var strictUtf8 = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        string text = SampleText.Random(5000, seed: 7);
        Assert.Contains('\uD800', text); // the pieces include lone surrogates, so there is something to repair

        string repaired = InputText.ReplaceUnpairedSurrogates(text, out int replaced);

        Assert.True(replaced > 0);
        Assert.Equal(repaired, strictUtf8.GetString(strictUtf8.GetBytes(repaired)));
    }

    [Fact]
    public void ReplaceUnpairedSurrogates_RejectsNull() =>
        Assert.Throws<ArgumentNullException>(() => InputText.ReplaceUnpairedSurrogates(null!, out _));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\r\n\v\f")]
    [InlineData("\u00A0")] // NO-BREAK SPACE
    [InlineData("\u3000")] // IDEOGRAPHIC SPACE
    [InlineData("\u2028\u2029")] // line and paragraph separators
    [InlineData("\u2000\u2005\u200A\u202F\u205F\u1680\u0085")]
    [InlineData("\u200B")] // ZERO WIDTH SPACE
    [InlineData("\uFEFF")] // byte order mark
    [InlineData("\uFEFF \r\n\u3000")]
    public void IsBlank_IsTrueWhenThereIsNothingToSpeak(string? text) => Assert.True(InputText.IsBlank(text));

    [Theory]
    [InlineData("a")]
    [InlineData("  .  ")]
    [InlineData("\u3000字")]
    [InlineData("\u200D")] // ZERO WIDTH JOINER: invisible, but part of emoji, so not white space
    [InlineData("\u180E")] // MONGOLIAN VOWEL SEPARATOR left White_Space in Unicode 6.3; the answer must not vary by runtime
    [InlineData("\u0301")]
    [InlineData("\u00E9")]
    public void IsBlank_IsFalseWhenAnythingElseIsPresent(string text) => Assert.False(InputText.IsBlank(text));

    [Fact]
    public void IsBlank_IsFalseForALoneSurrogate() => Assert.False(InputText.IsBlank("\uD83D"));

    [Fact]
    public void BlankCharacters_AreExactlyTheDocumentedSet()
    {
        for (int code = 0; code <= char.MaxValue; code++)
        {
            char character = (char)code;
            Assert.True(
                ChunkInvariants.IsBlank(character) == InputText.IsBlankCharacter(character),
                $"U+{code:X4} is classified differently from the documented list");
        }
    }

    [Fact]
    public void BlankCharacters_DifferFromCharIsWhiteSpaceOnlyByTheTwoZeroWidthOnes()
    {
        // Documents the deliberate difference from the runtime's own notion (on .NET 5+, whose tables drop U+180E).
        for (int code = 0; code <= char.MaxValue; code++)
        {
            char character = (char)code;
            bool expected = char.IsWhiteSpace(character) || character == '\u200B' || character == '\uFEFF';
            Assert.True(expected == InputText.IsBlankCharacter(character), $"U+{code:X4}");
        }
    }

    [Theory]
    [InlineData("  text  ", "text")]
    [InlineData("\uFEFF\u3000文\u00A0", "文")]
    [InlineData("a b", "a b")]
    [InlineData(" \r\n ", "")]
    public void TrimBlank_TrimsTheSameCharactersIsBlankSees(string text, string expected) =>
        Assert.Equal(expected, InputText.TrimBlank(text));
}
