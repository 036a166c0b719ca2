using System;
using System.Collections.Generic;

namespace AitreTts.Core.Text;

/// <summary>
/// Splits a document into chunks that each fit one speech request, cutting where a listener would expect a pause.
/// </summary>
/// <remarks>
/// <para>
/// Break points, best first: a paragraph break (a blank line, a form feed or U+2029); a sentence end (. ! ? … and
/// the like followed by white space, or CJK 。！？． with or without it, either optionally followed by closing quotes
/// and brackets); a clause end (, ; : followed by white space, or CJK ，、；： and the dashes — – on their own); any
/// white space except the no-break spaces; then, only when the window holds none of those, a no-break space (cutting
/// "10 km" between its words still beats cutting a word); and last a hard cut at the end of the window, backed off to
/// a grapheme cluster boundary (see <see cref="TextBoundaries.IsBoundary"/>).
/// </para>
/// <para>
/// The last break of the best kind wins, but only if it leaves the chunk at least half the maximum long; otherwise the
/// next kind is tried. Without that rule a paragraph break ten characters into a 4096-character window would make a
/// ten-character chunk, and a document of short paragraphs followed by long ones could cost many more requests (and
/// more joins in the audio) than it needs to. Half is where the trade settles: a chunk cut at a sentence end instead of
/// a paragraph break loses only a slightly shorter pause, while the half-full rule bounds the number of requests to
/// about twice the minimum. When no break of any kind reaches half the window, the latest break of any kind is still
/// taken before a hard cut: a short request costs little, a word cut in two is heard.
/// </para>
/// <para>
/// Lengths are counted in UTF-16 code units, which is never fewer than the code points the API counts, so a chunk
/// within the maximum here is within it on the server too. Unpaired surrogates are left as they are (the chunks must
/// slice the input exactly); run <see cref="InputText.ReplaceUnpairedSurrogates"/> first.
/// </para>
/// </remarks>
internal static class TextSplitter
{
    /// <summary>The most characters the OpenAI speech endpoint accepts in one request.</summary>
    public const int ApiMaximumCharacters = 4096;

    /// <summary>
    /// The smallest maximum accepted: two code units always hold a whole code point, so a chunk can always be made.
    /// </summary>
    public const int MinimumMaximumCharacters = 2;

    /// <summary>
    /// Splits <paramref name="text"/> into chunks whose <see cref="TextChunk.RequestText"/> is non-blank and at most
    /// <paramref name="maximumCharacters"/> long, and whose <see cref="TextChunk.Raw"/> slices, joined in order, are
    /// exactly <paramref name="text"/>. White space between chunks is kept in the <see cref="TextChunk.Raw"/> of the
    /// chunk after it (leading white space of the document in the first, trailing in the last).
    /// </summary>
    /// <param name="text">The document.</param>
    /// <param name="maximumCharacters">The most UTF-16 code units one request may hold.</param>
    /// <returns>The chunks in order; empty when the text is blank; one chunk when it fits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="maximumCharacters"/> is below <see cref="MinimumMaximumCharacters"/>.
    /// </exception>
    public static IReadOnlyList<TextChunk> Split(string text, int maximumCharacters = ApiMaximumCharacters)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        if (maximumCharacters < MinimumMaximumCharacters)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maximumCharacters),
                maximumCharacters,
                $"A chunk must be allowed at least {MinimumMaximumCharacters} characters, so that any code point fits.");
        }

        int contentEnd = text.Length;
        while (contentEnd > 0 && InputText.IsBlankCharacter(text[contentEnd - 1]))
        {
            contentEnd--;
        }

        var chunks = new List<TextChunk>();
        if (contentEnd == 0)
        {
            return chunks;
        }

        int rawStart = 0;
        int contentStart = SkipBlank(text, 0);
        while (contentEnd - contentStart > maximumCharacters)
        {
            int cut = FindCut(text, contentStart, maximumCharacters);
            int requestEnd = cut;
            while (InputText.IsBlankCharacter(text[requestEnd - 1]))
            {
                // Only after a hard cut that lands after white space, which takes a window whose only white space
                // follows a joiner; text[contentStart] is not blank, so this stops.
                requestEnd--;
            }

            chunks.Add(new TextChunk(
                chunks.Count,
                rawStart,
                text.Substring(rawStart, cut - rawStart),
                text.Substring(contentStart, requestEnd - contentStart)));
            rawStart = cut;
            contentStart = SkipBlank(text, cut);
        }

        chunks.Add(new TextChunk(
            chunks.Count,
            rawStart,
            text.Substring(rawStart),
            text.Substring(contentStart, contentEnd - contentStart)));
        return chunks;
    }

    internal static int SkipBlank(string text, int index)
    {
        while (index < text.Length && InputText.IsBlankCharacter(text[index]))
        {
            index++;
        }

        return index;
    }

    /// <summary>
    /// Where to end the chunk whose content starts at <paramref name="contentStart"/>, when the rest of the document
    /// does not fit: a position in (contentStart, contentStart + maximumCharacters].
    /// </summary>
    /// <remarks>
    /// One forward pass over the window records the last break of each kind, and a window is rescanned only when its
    /// chosen break is early, so the whole split stays linear.
    /// </remarks>
    private static int FindCut(string text, int contentStart, int maximumCharacters)
    {
        // The caller guarantees the content goes on past the window, so text[windowEnd] exists.
        int windowEnd = contentStart + maximumCharacters;
        LatestBreaks latest = LatestBreaks.None;
        foreach (TextBreak found in Breaks(text, contentStart, windowEnd))
        {
            latest.Record(found);
        }

        int lastParagraph = latest.Paragraph;
        int lastSentence = latest.Sentence;
        int lastClause = latest.Clause;
        int lastSpace = latest.Space;
        int lastNoBreakSpace = latest.NoBreakSpace;

        // A break is good enough when it leaves the chunk at least half full (see the remarks on the class).
        int shortestGoodChunk = maximumCharacters / 2;
        if (lastParagraph - contentStart >= shortestGoodChunk)
        {
            return lastParagraph;
        }

        if (lastSentence - contentStart >= shortestGoodChunk)
        {
            return lastSentence;
        }

        if (lastClause - contentStart >= shortestGoodChunk)
        {
            return lastClause;
        }

        if (lastSpace - contentStart >= shortestGoodChunk)
        {
            return lastSpace;
        }

        int latestBreak = Math.Max(Math.Max(lastParagraph, lastSentence), Math.Max(lastClause, lastSpace));
        if (latestBreak > contentStart)
        {
            return latestBreak;
        }

        if (lastNoBreakSpace > contentStart)
        {
            return lastNoBreakSpace;
        }

        return HardCut(text, contentStart, windowEnd);
    }

    /// <summary>
    /// The places where <paramref name="text"/> may be cut, in order, from <paramref name="start"/> (which must not be
    /// blank) through <paramref name="lastIndex"/> (which must exist): each white-space run's start, and the end of
    /// each punctuation run that ends a sentence or a clause (see the remarks on the class).
    /// </summary>
    /// <remarks>
    /// Runs of white space and punctuation are stepped over whole, so one pass is linear. A punctuation run reaching
    /// past <paramref name="lastIndex"/> yields nothing. The subtitle cue splitter walks the same breaks, so a cue and
    /// a chunk agree on where sentences end.
    /// </remarks>
    internal static IEnumerable<TextBreak> Breaks(string text, int start, int lastIndex)
    {
        int index = start;
        while (index <= lastIndex)
        {
            char current = text[index];
            if (InputText.IsBlankCharacter(current))
            {
                // text[index - 1] is not blank: text[start] is not, and runs are stepped over whole.
                int runEnd = ReadBlankRun(text, index, out bool allowsBreak, out bool isParagraphBreak);
                if (TextBoundaries.IsBoundary(text, index, start))
                {
                    yield return new TextBreak(
                        index,
                        !allowsBreak ? TextBreakKind.NoBreakSpace : isParagraphBreak ? TextBreakKind.Paragraph : TextBreakKind.Space);
                }

                index = runEnd;
                continue;
            }

            PunctuationRole role = Classify(current);
            if (role == PunctuationRole.None || role == PunctuationRole.Closer)
            {
                index++;
                continue;
            }

            // A run such as "?!", "...", ".)" or "。」": the break goes after all of it.
            bool endsSentence = false;
            bool breaksWithoutSpace = false;
            int runEndIndex = index;
            while (runEndIndex <= lastIndex && (role = Classify(text[runEndIndex])) != PunctuationRole.None)
            {
                endsSentence |= role == PunctuationRole.SentenceEnd || role == PunctuationRole.SentenceEndWithoutSpace;
                breaksWithoutSpace |= role == PunctuationRole.SentenceEndWithoutSpace || role == PunctuationRole.ClauseEndWithoutSpace;
                runEndIndex++;
            }

            // A run reaching past the window ends outside it; runEndIndex <= lastIndex < text.Length otherwise.
            if (runEndIndex <= lastIndex
                && (breaksWithoutSpace || IsBreakableSpace(text[runEndIndex]))
                && TextBoundaries.IsBoundary(text, runEndIndex, start))
            {
                yield return new TextBreak(runEndIndex, endsSentence ? TextBreakKind.Sentence : TextBreakKind.Clause);
            }

            index = runEndIndex;
        }
    }

    /// <summary>
    /// The last grapheme cluster boundary in the window; failing that (one cluster longer than the window, such as a
    /// letter under thousands of combining marks) the last code point boundary, since the request must be made.
    /// </summary>
    private static int HardCut(string text, int contentStart, int windowEnd)
    {
        for (int cut = windowEnd; cut > contentStart; cut--)
        {
            if (TextBoundaries.IsBoundary(text, cut, contentStart))
            {
                return cut;
            }
        }

        for (int cut = windowEnd; cut > contentStart + 1; cut--)
        {
            if (TextBoundaries.IsCodePointBoundary(text, cut))
            {
                return cut;
            }
        }

        // With a window of at least two code units, contentStart + 1 is a code point boundary whenever
        // contentStart + 2 is not: a low surrogate at contentStart + 2 makes text[contentStart + 1] its high half,
        // which cannot end a pair or a "\r\n".
        return contentStart + 1;
    }

    /// <summary>
    /// Reads the run of blank characters starting at <paramref name="start"/> and returns where it ends.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="start">The first blank character of the run.</param>
    /// <param name="allowsBreak">Whether the run holds a space other than a no-break space.</param>
    /// <param name="isParagraphBreak">Whether the run holds a blank line, a form feed or a paragraph separator.</param>
    private static int ReadBlankRun(string text, int start, out bool allowsBreak, out bool isParagraphBreak)
    {
        allowsBreak = false;
        isParagraphBreak = false;
        int lineBreaks = 0;
        int index = start;
        while (index < text.Length && InputText.IsBlankCharacter(text[index]))
        {
            char current = text[index];
            allowsBreak |= IsBreakableSpace(current);
            switch (current)
            {
                case '\r':
                    lineBreaks++;
                    if (index + 1 < text.Length && text[index + 1] == '\n')
                    {
                        index++;
                    }

                    break;
                case '\n':
                case '\u000B': // vertical tab
                case '\u0085': // next line
                case '\u2028': // line separator
                    lineBreaks++;
                    break;
                case '\u000C': // form feed: a page break is at least a paragraph break
                case '\u2029': // paragraph separator
                    isParagraphBreak = true;
                    break;
            }

            index++;
        }

        isParagraphBreak |= lineBreaks >= 2;
        return index;
    }

    /// <summary>
    /// White space where a line may break: all blank characters but the ones whose purpose is to forbid it, such as
    /// the no-break space in "10 km" and the byte order mark (a zero-width no-break space).
    /// </summary>
    internal static bool IsBreakableSpace(char character) =>
        InputText.IsBlankCharacter(character)
        && character != '\u00A0' // NO-BREAK SPACE
        && character != '\u2007' // FIGURE SPACE
        && character != '\u202F' // NARROW NO-BREAK SPACE
        && character != '\uFEFF'; // ZERO WIDTH NO-BREAK SPACE

    private enum PunctuationRole
    {
        None,

        /// <summary>Ends a sentence when white space follows: ". " but not "3.14" or "e.g.,".</summary>
        SentenceEnd,

        /// <summary>Ends a sentence even with no space after it, as in CJK text: "。".</summary>
        SentenceEndWithoutSpace,

        /// <summary>Ends a clause when white space follows: ", " but not "1,000" or "12:30".</summary>
        ClauseEnd,

        /// <summary>Ends a clause even with no space after it: "，" and the dashes in "word—word".</summary>
        ClauseEndWithoutSpace,

        /// <summary>A closing quote or bracket, which belongs with the punctuation before it.</summary>
        Closer,
    }

    private static PunctuationRole Classify(char character)
    {
        switch (character)
        {
            case '.':
            case '!':
            case '?':
            case '\u2026': // … HORIZONTAL ELLIPSIS
            case '\u203C': // ‼
            case '\u2047': // ⁇
            case '\u2048': // ⁈
            case '\u2049': // ⁉
            case '\u037E': // ; GREEK QUESTION MARK
            case '\u0589': // ։ ARMENIAN FULL STOP
            case '\u061F': // ؟ ARABIC QUESTION MARK
            case '\u06D4': // ۔ ARABIC FULL STOP
            case '\u0964': // । DEVANAGARI DANDA
            case '\u0965': // ॥ DEVANAGARI DOUBLE DANDA
                return PunctuationRole.SentenceEnd;

            case '\u3002': // 。 IDEOGRAPHIC FULL STOP
            case '\uFF01': // ！ FULLWIDTH EXCLAMATION MARK
            case '\uFF1F': // ？ FULLWIDTH QUESTION MARK
            case '\uFF0E': // ． FULLWIDTH FULL STOP
            case '\uFF61': // ｡ HALFWIDTH IDEOGRAPHIC FULL STOP
                return PunctuationRole.SentenceEndWithoutSpace;

            case ',':
            case ';':
            case ':':
            case '\u060C': // ، ARABIC COMMA
            case '\u061B': // ؛ ARABIC SEMICOLON
                return PunctuationRole.ClauseEnd;

            case '\uFF0C': // ， FULLWIDTH COMMA
            case '\u3001': // 、 IDEOGRAPHIC COMMA
            case '\uFF64': // ､ HALFWIDTH IDEOGRAPHIC COMMA
            case '\uFF1B': // ； FULLWIDTH SEMICOLON
            case '\uFF1A': // ： FULLWIDTH COLON
            case '\u2014': // — EM DASH
            case '\u2013': // – EN DASH
                return PunctuationRole.ClauseEndWithoutSpace;

            case '"':
            case '\'':
            case '\u201D': // ” RIGHT DOUBLE QUOTATION MARK
            case '\u2019': // ’ RIGHT SINGLE QUOTATION MARK
            case '\u00BB': // » RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK
            case '\u203A': // › SINGLE RIGHT-POINTING ANGLE QUOTATION MARK
            case ')':
            case ']':
            case '}':
            case '\u300D': // 」 RIGHT CORNER BRACKET
            case '\u300F': // 』 RIGHT WHITE CORNER BRACKET
            case '\u3009': // 〉 RIGHT ANGLE BRACKET
            case '\u300B': // 》 RIGHT DOUBLE ANGLE BRACKET
            case '\u3011': // 】 RIGHT BLACK LENTICULAR BRACKET
            case '\u3015': // 〕 RIGHT TORTOISE SHELL BRACKET
            case '\u3017': // 〗 RIGHT WHITE LENTICULAR BRACKET
            case '\u3019': // 〙 RIGHT WHITE TORTOISE SHELL BRACKET
            case '\u301B': // 〛 RIGHT WHITE SQUARE BRACKET
            case '\u301E': // 〞 DOUBLE PRIME QUOTATION MARK
            case '\u301F': // 〟 LOW DOUBLE PRIME QUOTATION MARK
            case '\uFF09': // ） FULLWIDTH RIGHT PARENTHESIS
            case '\uFF3D': // ］ FULLWIDTH RIGHT SQUARE BRACKET
            case '\uFF5D': // ｝ FULLWIDTH RIGHT CURLY BRACKET
            case '\uFF02': // ＂ FULLWIDTH QUOTATION MARK
            case '\uFF07': // ＇ FULLWIDTH APOSTROPHE
            case '\uFF63': // ｣ HALFWIDTH RIGHT CORNER BRACKET
                return PunctuationRole.Closer;

            default:
                return PunctuationRole.None;
        }
    }
}
