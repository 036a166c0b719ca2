using System;

namespace AitreTts.Core.Text;

/// <summary>Sanitation and blankness checks for text before it is sent to the speech API.</summary>
public static class InputText
{
    /// <summary>The character that stands in for an unpaired surrogate: U+FFFD REPLACEMENT CHARACTER.</summary>
    internal const char ReplacementCharacter = '\uFFFD';

    /// <summary>
    /// Replaces every unpaired UTF-16 surrogate (a high surrogate not followed by a low one, or a low surrogate not
    /// preceded by a high one) with U+FFFD, so that the text always encodes to valid UTF-8 and a request is never
    /// rejected, or silently mangled, by the encoder.
    /// </summary>
    /// <param name="text">The text to sanitise.</param>
    /// <param name="replaced">How many surrogates were replaced; 0 when the text was already valid.</param>
    /// <returns>The sanitised text: the same instance when nothing needed replacing, so the common case allocates nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string ReplaceUnpairedSurrogates(string text, out int replaced)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        replaced = 0;
        char[]? repaired = null;
        for (int index = 0; index < text.Length; index++)
        {
            char current = text[index];
            if (!char.IsSurrogate(current))
            {
                continue;
            }

            if (char.IsHighSurrogate(current) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            {
                // A valid pair: step over its low half, which would otherwise look unpaired on the next turn.
                index++;
                continue;
            }

            repaired ??= text.ToCharArray();
            repaired[index] = ReplacementCharacter;
            replaced++;
        }

        return repaired is null ? text : new string(repaired);
    }

    /// <summary>
    /// Whether the text has nothing to speak: null, empty, or made only of white space, Unicode white space included
    /// (U+3000 IDEOGRAPHIC SPACE, U+00A0 NO-BREAK SPACE, line and paragraph separators, ...), plus U+200B ZERO WIDTH
    /// SPACE and U+FEFF ZERO WIDTH NO-BREAK SPACE (byte order mark).
    /// </summary>
    /// <param name="text">The text to test.</param>
    /// <returns>True when there is nothing to send.</returns>
    public static bool IsBlank(string? text)
    {
        if (text is null)
        {
            return true;
        }

        foreach (char character in text)
        {
            if (!IsBlankCharacter(character))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The white space this library trims and splits on: the Unicode White_Space property, written out here instead of
    /// calling <see cref="char.IsWhiteSpace(char)"/>, whose answer for U+180E depends on the runtime's Unicode version
    /// (it left White_Space in Unicode 6.3). Zero-width space and the byte order mark are added because they are
    /// invisible and unspoken, so a request made only of them would be a wasted (or rejected) call.
    /// </summary>
    internal static bool IsBlankCharacter(char character)
    {
        if (character <= '\u0020')
        {
            return character == ' ' || (character >= '\u0009' && character <= '\u000D');
        }

        if (character < '\u0085')
        {
            return false;
        }

        switch (character)
        {
            case '\u0085':
            case '\u00A0':
            case '\u1680':
            case '\u2028':
            case '\u2029':
            case '\u202F':
            case '\u205F':
            case '\u3000':
            case '\u200B':
            case '\uFEFF':
                return true;
            default:
                return character >= '\u2000' && character <= '\u200A';
        }
    }

    /// <summary>The text without leading and trailing <see cref="IsBlankCharacter(char)">blank characters</see>.</summary>
    internal static string TrimBlank(string text)
    {
        int start = 0;
        int end = text.Length;
        while (start < end && IsBlankCharacter(text[start]))
        {
            start++;
        }

        while (end > start && IsBlankCharacter(text[end - 1]))
        {
            end--;
        }

        return start == 0 && end == text.Length ? text : text.Substring(start, end - start);
    }
}
