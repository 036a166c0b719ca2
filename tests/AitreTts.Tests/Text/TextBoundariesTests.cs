using System.Globalization;
using AitreTts.Core.Text;

namespace AitreTts.Tests.Text;

public sealed class TextBoundariesTests
{
    // Each case marks with '|' every place where the text may be cut; the marks are removed before testing.
    [Theory]
    [InlineData("a|b|c")]
    [InlineData("a|\uD83D\uDC4D|b")] // 👍 is one code point in two code units
    [InlineData("a|\r\n|b")]
    [InlineData("\r|\r\n|\n|\n")]
    [InlineData("e\u0301|x")] // combining acute
    [InlineData("a\u0301\u0323\u0308|b")] // a stack of marks
    [InlineData("\u0915\u093F|\u0915")] // Devanagari KI: spacing combining mark
    [InlineData("\u20DD\u20DD|a")] // enclosing circle on an enclosing circle (degenerate, still never split)
    [InlineData("\uD83D\uDC4D\uD83C\uDFFD|a")] // 👍🏽 skin tone modifier
    [InlineData("a\uD83C\uDFFD|b")] // a modifier attaches even to a non-emoji
    [InlineData("\u2764\uFE0F|a")] // ❤️ variation selector 16
    [InlineData("\u8FBB\uDB40\uDD00|a")] // 辻 with an ideographic variation selector (E0100)
    [InlineData("1\uFE0F\u20E3|2\uFE0F\u20E3")] // keycaps
    [InlineData("👨\u200D👩\u200D👧\u200D👦|x")] // family: never break before or after ZWJ
    [InlineData("a\u200Db|c")] // conservative: no break around a ZWJ even between letters
    [InlineData("a\u200C|b|c")] // nor before a ZWNJ, though after it is fine
    [InlineData("🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F|a")] // Scotland: tag sequence
    [InlineData("🇺🇸|🇫🇷|🇩🇪")] // flags pair up
    [InlineData("🇺🇸|🇫🇷|🇦")] // an odd indicator stands alone at the end
    [InlineData("a|🇺🇸|b")]
    [InlineData("\u1100\u1161\u11A8|\u1100\u1161|a")] // conjoining Hangul jamo: 각 가
    [InlineData("\u0E01\u0E33|\u0E01")] // Thai SARA AM stays with its consonant
    [InlineData("\\uD800|\\uD800|a|\\uDC00")] // lone surrogates, written escaped because xunit would mangle them
    [InlineData("a| |\u3000|b")]
    public void IsBoundary_AllowsExactlyTheMarkedCuts(string marked)
    {
        marked = System.Text.RegularExpressions.Regex.Unescape(marked);
        string text = marked.Replace("|", string.Empty);
        var allowed = new System.Collections.Generic.HashSet<int>();
        int offset = 0;
        for (int index = 0; index < marked.Length; index++)
        {
            if (marked[index] == '|')
            {
                allowed.Add(index - offset);
                offset++;
            }
        }

        for (int cut = 1; cut < text.Length; cut++)
        {
            Assert.True(
                allowed.Contains(cut) == TextBoundaries.IsBoundary(text, cut, pairingStart: 0),
                $"cut at {cut} of {ChunkInvariants.Describe(text)}: expected {(allowed.Contains(cut) ? "allowed" : "refused")}");
        }
    }

    [Fact]
    public void IsBoundary_NeverAllowsACutThatUnicodeSegmentationForbids()
    {
        // On this runtime StringInfo follows UAX #29; the splitter's own rules must be at least as strict for every
        // piece the random documents are made of.
        string text = SampleText.Random(20000, seed: 11);
        var clusterStarts = new System.Collections.Generic.HashSet<int>();
        for (int index = 0; index < text.Length; index += StringInfo.GetNextTextElementLength(text, index))
        {
            clusterStarts.Add(index);
        }

        for (int cut = 1; cut < text.Length; cut++)
        {
            if (TextBoundaries.IsBoundary(text, cut, pairingStart: 0))
            {
                int from = System.Math.Max(0, cut - 6);
                string around = text.Substring(from, System.Math.Min(text.Length, cut + 6) - from);
                Assert.True(clusterStarts.Contains(cut), $"cut at {cut} is inside {ChunkInvariants.Describe(around)}");
            }
        }
    }

    [Theory]
    [InlineData("\uD83D\uDC4D", 1, false)]
    [InlineData("\r\n", 1, false)]
    [InlineData("e\u0301", 1, true)] // a code point boundary, though not a cluster boundary
    [InlineData("\n\r", 1, true)]
    [InlineData("\\uDC4D\\uD83D", 1, true)] // reversed halves are two lone surrogates (escaped: see above)
    public void IsCodePointBoundary_KeepsPairsAndCrlfWhole(string text, int cut, bool expected) =>
        Assert.Equal(expected, TextBoundaries.IsCodePointBoundary(System.Text.RegularExpressions.Regex.Unescape(text), cut));
}
