using System;
using System.Globalization;
using System.Text;

namespace AitreTts.Core.Http;

/// <summary>
/// A server's body as it may be quoted in a message: its text when it is text, else a short escaped excerpt. Raw
/// binary bytes printed to a console show as garbage, and some (ESC, BEL) ring, move the cursor or recolour it.
/// </summary>
internal static class BodyText
{
    private const int ExcerptBytes = 16;

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The text of <paramref name="count"/> bytes at <paramref name="offset"/>, or a description of them when they are not text.</summary>
    public static string Of(byte[] buffer, int offset, int count)
    {
        if (IsText(buffer, offset, count, out string? text))
        {
            return text!;
        }

        var excerpt = new StringBuilder();
        for (int i = 0; i < Math.Min(count, ExcerptBytes); i++)
        {
            excerpt.Append(i == 0 ? string.Empty : " ").Append(buffer[offset + i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return string.Format(
            CultureInfo.InvariantCulture,
            "[{0} bytes that are not text, starting {1}{2}]",
            count,
            excerpt,
            count > ExcerptBytes ? " ..." : string.Empty);
    }

    // Text is valid UTF-8 (a character cut by a length limit at the end is allowed) without control characters other
    // than tab, line breaks and form feed.
    private static bool IsText(byte[] buffer, int offset, int count, out string? text)
    {
        text = null;
        try
        {
            Decoder decoder = StrictUtf8.GetDecoder();
            char[] chars = new char[StrictUtf8.GetMaxCharCount(count)];
            int length = decoder.GetChars(buffer, offset, count, chars, 0, flush: false);
            for (int i = 0; i < length; i++)
            {
                char c = chars[i];
                if ((c < ' ' && c is not ('\t' or '\r' or '\n' or '\f')) || (c >= '\u007f' && c <= '\u009f'))
                {
                    return false;
                }
            }

            text = new string(chars, 0, length);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
