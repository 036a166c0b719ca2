using System.Globalization;

namespace AitreTts.Core.Text;

/// <summary>
/// Where a string may be cut without damaging what a reader (or a voice) perceives as one character.
/// </summary>
/// <remarks>
/// This is a deliberately conservative subset of the Unicode extended grapheme cluster rules (UAX #29), written out
/// instead of using <see cref="StringInfo"/>: .NET Framework segments by old rules (it splits emoji ZWJ sequences,
/// flags and skin tones) while .NET 5+ follows UAX #29, and a chunk boundary must not move with the runtime.
/// Conservative means it may refuse a cut UAX #29 allows (for example after any ZWJ), never the reverse, for the
/// sequences listed on <see cref="IsBoundary"/>. Only the mark categories come from the runtime's Unicode tables, so
/// a mark newer than the runtime's Unicode version may be seen as a base character on an old runtime.
/// </remarks>
internal static class TextBoundaries
{
    private const char ZeroWidthNonJoiner = '\u200C';
    private const char ZeroWidthJoiner = '\u200D';
    private const char CombiningEnclosingKeycap = '\u20E3';

    /// <summary>
    /// Whether <paramref name="index"/> is a place to cut <paramref name="text"/>: between two grapheme clusters.
    /// Never inside a surrogate pair or "\r\n"; never before a combining mark (Mn, Mc, Me), a variation selector, an
    /// emoji skin-tone modifier, the keycap mark, a tag character or a joiner; never after a ZERO WIDTH JOINER; never
    /// between the two regional indicators of a flag; never inside a conjoining Hangul jamo syllable.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="index">The cut position: the cut falls between <c>text[index - 1]</c> and <c>text[index]</c>.</param>
    /// <param name="pairingStart">
    /// Where to start pairing regional indicators into flags. Pairing counts back from <paramref name="index"/>, so
    /// a bound (the start of the chunk being built, which itself begins at a boundary) keeps a long run of indicators
    /// from making every call walk back to the beginning of the run.
    /// </param>
    internal static bool IsBoundary(string text, int index, int pairingStart)
    {
        if (index <= 0 || index >= text.Length)
        {
            return true;
        }

        if (!IsCodePointBoundary(text, index))
        {
            return false;
        }

        int following = CodePointAt(text, index);
        if (IsExtending(text, index, following))
        {
            return false;
        }

        int precedingStart = char.IsLowSurrogate(text[index - 1]) && index >= 2 && char.IsHighSurrogate(text[index - 2])
            ? index - 2
            : index - 1;
        int preceding = CodePointAt(text, precedingStart);
        if (preceding == ZeroWidthJoiner)
        {
            return false;
        }

        if (IsHangulLeadingConsonant(preceding) && (IsHangulLeadingConsonant(following) || IsHangulSyllable(following)))
        {
            return false;
        }

        if (IsRegionalIndicator(preceding) && IsRegionalIndicator(following))
        {
            // Indicators pair up from the start of their run: a cut is allowed only after an even number of them.
            int indicatorsBefore = 0;
            int position = index;
            while (position - 2 >= pairingStart && IsRegionalIndicator(CodePointAt(text, position - 2)))
            {
                indicatorsBefore++;
                position -= 2;
            }

            return indicatorsBefore % 2 == 0;
        }

        return true;
    }

    /// <summary>
    /// Whether a cut at <paramref name="index"/> keeps every code point, and "\r\n", whole: the last resort when a
    /// single grapheme cluster is longer than a chunk may be.
    /// </summary>
    internal static bool IsCodePointBoundary(string text, int index)
    {
        if (index <= 0 || index >= text.Length)
        {
            return true;
        }

        char before = text[index - 1];
        char after = text[index];
        return !(char.IsHighSurrogate(before) && char.IsLowSurrogate(after)) && !(before == '\r' && after == '\n');
    }

    /// <summary>The code point that starts at <paramref name="index"/>; a lone surrogate is returned as itself.</summary>
    private static int CodePointAt(string text, int index)
    {
        char first = text[index];
        if (char.IsHighSurrogate(first) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            return char.ConvertToUtf32(first, text[index + 1]);
        }

        return first;
    }

    /// <summary>Whether the code point at <paramref name="index"/> attaches to what precedes it.</summary>
    private static bool IsExtending(string text, int index, int codePoint)
    {
        if ((codePoint >= 0xFE00 && codePoint <= 0xFE0F) // variation selectors (text/emoji presentation)
            || (codePoint >= 0xE0100 && codePoint <= 0xE01EF) // variation selectors supplement
            || (codePoint >= 0x1F3FB && codePoint <= 0x1F3FF) // emoji skin-tone modifiers, category Sk
            || (codePoint >= 0xE0020 && codePoint <= 0xE007F) // tag characters (subdivision flags), category Cf
            || codePoint == CombiningEnclosingKeycap
            || codePoint == ZeroWidthJoiner
            || codePoint == ZeroWidthNonJoiner
            || codePoint == 0x0E33 // THAI CHARACTER SARA AM: a letter by category, a spacing mark by UAX #29
            || codePoint == 0x0EB3 // LAO VOWEL SIGN AM, likewise
            || IsHangulVowelOrTrailingConsonant(codePoint))
        {
            return true;
        }

        // The string overload reads a surrogate pair as one code point; the int overload is missing from netstandard2.0.
        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(text, index);
        return category == UnicodeCategory.NonSpacingMark
            || category == UnicodeCategory.SpacingCombiningMark
            || category == UnicodeCategory.EnclosingMark;
    }

    private static bool IsRegionalIndicator(int codePoint) => codePoint >= 0x1F1E6 && codePoint <= 0x1F1FF;

    // Conjoining jamo spell a Hangul syllable as L+ V+ T*; only a leading consonant (L) can start one, so a vowel (V)
    // or trailing consonant (T) never begins a cluster, and an L never ends one before another L, a V or a syllable.
    private static bool IsHangulLeadingConsonant(int codePoint) =>
        (codePoint >= 0x1100 && codePoint <= 0x115F) || (codePoint >= 0xA960 && codePoint <= 0xA97F);

    private static bool IsHangulVowelOrTrailingConsonant(int codePoint) =>
        (codePoint >= 0x1160 && codePoint <= 0x11FF) || (codePoint >= 0xD7B0 && codePoint <= 0xD7FF);

    private static bool IsHangulSyllable(int codePoint) => codePoint >= 0xAC00 && codePoint <= 0xD7A3;
}
