using System;
using System.Collections.Generic;
using AitreTts.Core.Text;

namespace AitreTts.Core.Subtitles;

/// <summary>
/// How a cue's text is laid out on screen: at most <see cref="MaximumLines"/> lines of at most
/// <see cref="MaximumLineCharacters"/>, broken at a space, or between two characters of a script written without
/// spaces. The cue splitter cuts cues so that they fit; the writer wraps them the same way.
/// </summary>
internal static class SubtitleLines
{
    /// <summary>The longest subtitle line, by the common broadcast and streaming guidelines.</summary>
    internal const int MaximumLineCharacters = 42;

    internal const int MaximumLines = 2;

    /// <summary>
    /// One line, or two split at the break that balances them best among those that keep both lines fitting (else
    /// among all breaks); a text without a break stays one line. A line fits when it is at most a line long, or is
    /// one word that no break can shorten. Line breaks in the text become spaces first: a blank line would end the cue.
    /// </summary>
    internal static IReadOnlyList<string> Wrap(string text)
    {
        string flat = string.Join(" ", text.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries)).Trim();
        if (flat.Length == 0)
        {
            // A cue needs a text line; a space keeps the file valid where the caller passed nothing to show.
            return new[] { " " };
        }

        if (flat.Length <= MaximumLineCharacters)
        {
            return new[] { flat };
        }

        List<int> breaks = LineBreaks(flat);
        int best = -1;
        bool bestFits = false;
        int bestImbalance = int.MaxValue;
        foreach (int first in breaks)
        {
            int secondStart = TextSplitter.SkipBlank(flat, first);
            bool fits = LineFits(breaks, 0, first) && LineFits(breaks, secondStart, flat.Length);
            int imbalance = Math.Abs(first - (flat.Length - secondStart));
            if ((fits && !bestFits) || (fits == bestFits && imbalance < bestImbalance))
            {
                best = first;
                bestFits = fits;
                bestImbalance = imbalance;
            }
        }

        return best <= 0 ? new[] { flat } : new[] { flat.Substring(0, best), flat.Substring(TextSplitter.SkipBlank(flat, best)) };
    }

    /// <summary>Whether <paramref name="text"/> wraps into lines that each fit (see <see cref="Wrap"/>).</summary>
    internal static bool Fit(string text)
    {
        foreach (string line in Wrap(text))
        {
            if (line.Length > MaximumLineCharacters && LineBreaks(line).Count > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a line may break between <c>text[position - 1]</c> and <c>text[position]</c> with no space there.</summary>
    internal static bool IsBetweenWordlessCharacters(string text, int position, int start) =>
        position > start && position < text.Length
        && IsWordlessScript(text[position - 1]) && IsWordlessScript(text[position])
        && TextBoundaries.IsBoundary(text, position, start);

    /// <summary>Where a line of <paramref name="flat"/> may end: before a space, or between two characters of a wordless script.</summary>
    private static List<int> LineBreaks(string flat)
    {
        var positions = new List<int>();
        if (flat.Length == 0)
        {
            return positions;
        }

        foreach (TextBreak found in TextSplitter.Breaks(flat, 0, flat.Length - 1))
        {
            // A no-break space is part of the text; a clause or sentence end is a place only with a space after it,
            // which has its own break.
            if ((found.Kind == TextBreakKind.Space || found.Kind == TextBreakKind.Paragraph) && found.Position > 0)
            {
                positions.Add(found.Position);
            }
        }

        for (int position = 1; position < flat.Length; position++)
        {
            if (IsBetweenWordlessCharacters(flat, position, 0))
            {
                positions.Add(position);
            }
        }

        positions.Sort();
        return positions;
    }

    private static bool LineFits(List<int> breaks, int start, int end)
    {
        if (end - start <= MaximumLineCharacters)
        {
            return true;
        }

        // One word longer than a line fits as well as it can: no break shortens it.
        foreach (int position in breaks)
        {
            if (position > start && position < end)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWordlessScript(char character) =>
        (character >= '\u3000' && character <= '\u30FF') // CJK punctuation, hiragana, katakana
        || (character >= '\u3400' && character <= '\u4DBF') // CJK extension A
        || (character >= '\u4E00' && character <= '\u9FFF') // CJK unified ideographs
        || (character >= '\uF900' && character <= '\uFAFF') // CJK compatibility ideographs
        || (character >= '\uFF00' && character <= '\uFFEF'); // fullwidth and halfwidth forms
}
