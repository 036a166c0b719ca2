using System;
using System.Collections.Generic;
using System.Text;
using AitreTts.Core.Text;

namespace AitreTts.Core.Subtitles;

/// <summary>The text of one subtitle cue and the paragraph it belongs to.</summary>
/// <param name="Paragraph">The zero-based paragraph (blank-line-separated block) of the input; pauses go where it changes.</param>
/// <param name="Text">The input text of the cue, with each run of white space made one space and the ends trimmed.</param>
internal sealed record SubtitleCueText(int Paragraph, string Text)
{
    public override string ToString() => $"[{Paragraph}] {Text}";
}

/// <summary>
/// Cuts a document into subtitle cues: paragraphs at blank lines, one cue per sentence, and a sentence longer than two
/// subtitle lines cut again at a clause end or between words.
/// </summary>
/// <remarks>
/// <para>
/// Paragraphs, sentences and clauses are found by <see cref="TextSplitter.Breaks"/>, the scan that also cuts requests,
/// so CJK stops (。！？) end a sentence without a space, "3.14" and "e.g.," do not end one, and closing quotes stay
/// with the stop before them.
/// </para>
/// <para>
/// A long sentence is cut at the last clause end that leaves the cue at least one line long, else at the last space,
/// else at any earlier clause end or no-break space; a sentence in a script written without spaces (Chinese,
/// Japanese) is cut between two of its characters. A word longer than a cue is never cut: it becomes a cue of its own.
/// Lengths are UTF-16 code units, never fewer than the characters a reader sees.
/// </para>
/// </remarks>
internal static class SubtitleCueSplitter
{
    /// <summary>The longest cue: two lines.</summary>
    internal const int MaximumCueCharacters = SubtitleLines.MaximumLines * SubtitleLines.MaximumLineCharacters;

    /// <summary>The cues of <paramref name="text"/>, in order; empty when it is blank.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    internal static IReadOnlyList<SubtitleCueText> Split(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var cues = new List<SubtitleCueText>();
        int paragraph = 0;
        foreach (string paragraphText in Paragraphs(text))
        {
            AddSentences(cues, paragraph++, paragraphText);
        }

        return cues;
    }

    /// <summary>Each paragraph's text, white space normalized; none is empty.</summary>
    internal static IEnumerable<string> Paragraphs(string text)
    {
        int contentEnd = text.Length;
        while (contentEnd > 0 && InputText.IsBlankCharacter(text[contentEnd - 1]))
        {
            contentEnd--;
        }

        int start = TextSplitter.SkipBlank(text, 0);
        if (start >= contentEnd)
        {
            yield break;
        }

        foreach (TextBreak found in TextSplitter.Breaks(text, start, contentEnd - 1))
        {
            if (found.Kind == TextBreakKind.Paragraph && found.Position > start)
            {
                yield return NormalizeWhiteSpace(text, start, found.Position);
                start = TextSplitter.SkipBlank(text, found.Position);
            }
        }

        yield return NormalizeWhiteSpace(text, start, contentEnd);
    }

    private static void AddSentences(List<SubtitleCueText> cues, int paragraph, string text)
    {
        var breaks = new List<TextBreak>(TextSplitter.Breaks(text, 0, text.Length - 1));
        int sentenceStart = 0;
        int next = 0; // the first break after sentenceStart
        for (int i = 0; i <= breaks.Count; i++)
        {
            if (i < breaks.Count && breaks[i].Kind != TextBreakKind.Sentence)
            {
                continue;
            }

            int sentenceEnd = i < breaks.Count ? breaks[i].Position : text.Length;
            next = AddPieces(cues, paragraph, text, sentenceStart, sentenceEnd, breaks, next);
            sentenceStart = TextSplitter.SkipBlank(text, sentenceEnd);
        }
    }

    /// <summary>Adds the sentence [start, end) as one cue, or as several when it does not fit in one.</summary>
    /// <returns>The index of the first break at or after <paramref name="end"/>.</returns>
    private static int AddPieces(List<SubtitleCueText> cues, int paragraph, string text, int start, int end, List<TextBreak> breaks, int next)
    {
        while (end > start && !Fits(text, start, end))
        {
            int limit = start + MaximumCueCharacters;
            LatestBreaks latest = LatestBreaks.None;
            int firstBeyond = end;
            while (next < breaks.Count && breaks[next].Position <= start)
            {
                next++;
            }

            for (int i = next; i < breaks.Count && breaks[i].Position < end; i++)
            {
                if (breaks[i].Position > limit)
                {
                    firstBeyond = breaks[i].Position;
                    break;
                }

                // Only a cut that leaves a cue the lines can hold; the first break after a word longer than a
                // cue is the one exception, below.
                if (Fits(text, start, breaks[i].Position))
                {
                    latest.Record(breaks[i]);
                }
            }

            int lastClause = latest.Clause, lastSpace = latest.Space, lastNoBreakSpace = latest.NoBreakSpace;
            int cut = lastClause - start >= SubtitleLines.MaximumLineCharacters ? lastClause
                : lastSpace > start ? lastSpace
                : lastClause > start ? lastClause
                : lastNoBreakSpace > start ? lastNoBreakSpace
                : CutBetweenCharactersOfWordlessScript(text, start, Math.Min(limit, end)) is int between ? between
                : firstBeyond; // one word longer than a cue: it stays whole
            cues.Add(new SubtitleCueText(paragraph, TrimEndBlank(text, start, cut)));
            start = TextSplitter.SkipBlank(text, cut);
        }

        if (end > start)
        {
            cues.Add(new SubtitleCueText(paragraph, TrimEndBlank(text, start, end)));
        }

        while (next < breaks.Count && breaks[next].Position < end)
        {
            next++;
        }

        return next;
    }

    /// <summary>Whether [start, end) is a cue: at most two lines long, and wrapped into lines that fit.</summary>
    private static bool Fits(string text, int start, int end)
    {
        string piece = TrimEndBlank(text, start, end);
        return piece.Length <= MaximumCueCharacters && SubtitleLines.Fit(piece);
    }

    /// <summary>
    /// The last place in (start, limit] between two characters of a script written without spaces between words,
    /// where any grapheme boundary is a word boundary, that leaves a cue which fits; null when there is none.
    /// </summary>
    private static int? CutBetweenCharactersOfWordlessScript(string text, int start, int limit)
    {
        for (int cut = limit; cut > start; cut--)
        {
            if (SubtitleLines.IsBetweenWordlessCharacters(text, cut, start) && Fits(text, start, cut))
            {
                return cut;
            }
        }

        return null;
    }

    /// <summary>
    /// The text of [start, end), which starts and ends with a non-blank character, with each run of white space that
    /// holds a space or a line break made one space. A run of only no-break or zero-width spaces stays as written: it
    /// is part of the text ("10 km", the word breaks of Thai).
    /// </summary>
    private static string NormalizeWhiteSpace(string text, int start, int end)
    {
        var builder = new StringBuilder(end - start);
        int index = start;
        while (index < end)
        {
            if (!InputText.IsBlankCharacter(text[index]))
            {
                builder.Append(text[index++]);
                continue;
            }

            int runStart = index;
            bool visibleBreak = false;
            while (index < end && InputText.IsBlankCharacter(text[index]))
            {
                visibleBreak |= TextSplitter.IsBreakableSpace(text[index]) && text[index] != '\u200B';
                index++;
            }

            if (visibleBreak)
            {
                builder.Append(' ');
            }
            else
            {
                builder.Append(text, runStart, index - runStart);
            }
        }

        return builder.ToString();
    }

    private static string TrimEndBlank(string text, int start, int end)
    {
        while (end > start && InputText.IsBlankCharacter(text[end - 1]))
        {
            end--;
        }

        return text.Substring(start, end - start);
    }
}
