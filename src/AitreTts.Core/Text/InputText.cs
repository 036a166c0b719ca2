using System;
using System.Globalization;
using System.Text;

namespace AitreTts.Core.Text;

/// <summary>Sanitation and blankness checks for text before it is sent to the speech API.</summary>
internal static class InputText
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

    private const int Windows1252 = 1252;

    /// <summary>
    /// Whether text holds a control character that text to speak does not: anything <see cref="char.IsControl(char)"/>
    /// but tab, line feed, form feed, carriage return and U+0085 NEXT LINE (a line break), and the DOS end-of-file mark
    /// U+001A as the very last character. Binary data shows as NULs and other controls (UTF-16 without a byte order
    /// mark as NULs; random bytes through Get-Content as all of them); terminal output as ESC. Files and strings
    /// (Get-Content lines, pipeline strings) are judged by this one rule.
    /// </summary>
    public static bool LooksBinary(string content) => FirstNonTextControl(content) >= 0;

    /// <summary>The index of the first character <see cref="LooksBinary(string)"/> refuses, or -1.</summary>
    public static int FirstNonTextControl(string content)
    {
        for (int i = 0; i < content.Length; i++)
        {
            char character = content[i];
            if (char.IsControl(character)
                && character is not ('\t' or '\n' or '\f' or '\r' or '\u0085')
                && !(character == '\u001A' && i == content.Length - 1))
            {
                return i;
            }
        }

        return -1;
    }

    private const int Latin1 = 28591;

    // The most bytes one UTF-16 character of a decoded file can take: four in UTF-32, at most three in UTF-8 (four
    // for a surrogate pair, which is two characters), two in UTF-16, at most four in the ANSI code pages (GB18030).
    private const int MostBytesPerCharacter = 4;

    // The longest byte order mark (UTF-32's).
    private const int LongestByteOrderMark = 4;

    /// <summary>
    /// The fewest characters a file of <paramref name="byteCount"/> bytes can decode to, read as
    /// <see cref="DecodeFile(byte[], Encoding?, out string)"/> reads it: what a size alone proves about its length,
    /// so that a file certainly too long is refused without being read into memory.
    /// </summary>
    /// <param name="byteCount">The file's size.</param>
    /// <param name="encoding">The encoding the user forced with -Encoding, or null to detect it.</param>
    internal static long FewestCharacters(long byteCount, Encoding? encoding)
    {
        int bytesPerCharacter = MostBytesPerCharacter;
        int byteOrderMark = LongestByteOrderMark;
        if (encoding is not null && !(encoding.IsSingleByte || encoding is UTF8Encoding or UnicodeEncoding or UTF32Encoding))
        {
            // An encoding of another kind (a code page by name): what .NET says one character may take at most.
            bytesPerCharacter = Math.Max(bytesPerCharacter, encoding.GetMaxByteCount(1));
            byteOrderMark = Math.Max(byteOrderMark, encoding.GetPreamble().Length);
        }

        long content = Math.Max(0, byteCount - byteOrderMark);
        return (content + bytesPerCharacter - 1) / bytesPerCharacter;
    }

    /// <summary>
    /// The text of a file the user piped in. With <paramref name="encoding"/> null: the encoding its byte order mark
    /// names; else UTF-8 when the bytes are valid UTF-8; else the system's ANSI code page, which is what Windows
    /// PowerShell 5.1's Set-Content and older Notepad write. A given <paramref name="encoding"/> is used as it is (a
    /// leading byte order mark of it is dropped).
    /// </summary>
    /// <param name="bytes">The file's content.</param>
    /// <param name="encoding">The encoding the user forced with -Encoding, or null to detect it.</param>
    /// <param name="encodingUsed">The name of the encoding used, for Verbose.</param>
    public static string DecodeFile(byte[] bytes, Encoding? encoding, out string encodingUsed) =>
        DecodeFile(bytes, encoding, AnsiEncoding(), out encodingUsed);

    /// <summary><see cref="DecodeFile(byte[], Encoding?, out string)"/> with the ANSI encoding given, for tests.</summary>
    internal static string DecodeFile(byte[] bytes, Encoding? encoding, Encoding ansi, out string encodingUsed)
    {
        if (bytes is null)
        {
            throw new ArgumentNullException(nameof(bytes));
        }

        if (encoding is not null)
        {
            encodingUsed = encoding.WebName;
            return WithoutByteOrderMark(encoding.GetString(bytes));
        }

        if (FromByteOrderMark(bytes) is Encoding marked)
        {
            encodingUsed = marked.WebName + " (from its byte order mark)";
            return WithoutByteOrderMark(marked.GetString(bytes));
        }

        try
        {
            string text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            encodingUsed = "utf-8";
            return text;
        }
        catch (DecoderFallbackException)
        {
            encodingUsed = ansi.WebName + " (not valid UTF-8, so read as the ANSI code page)";
            return ansi.GetString(bytes);
        }
    }

    /// <summary>
    /// The system's ANSI code page, where the runtime has it; else Windows-1252; else ISO-8859-1, which every runtime
    /// has. PowerShell 7 registers the code page encodings in its process; .NET Framework has them built in.
    /// </summary>
    public static Encoding AnsiEncoding() => AnsiEncoding(SystemCodePages.Ansi());

    /// <summary><see cref="AnsiEncoding()"/> for the given system ANSI code page, for tests.</summary>
    internal static Encoding AnsiEncoding(int systemAnsiCodePage) =>
        TryGetEncoding(systemAnsiCodePage)
        ?? TryGetEncoding(Windows1252)
        ?? Encoding.GetEncoding(Latin1);

    /// <summary>
    /// The encoding a name given to -Encoding means, or null when it means none. The names of Get-Content's -Encoding
    /// in both editions, with the meaning each has there: PowerShell 7's (utf8, utf8BOM, utf8NoBOM, unicode,
    /// bigendianunicode, utf32, bigendianutf32, utf7, ascii, ansi, oem, latin1, default) and Windows PowerShell 5.1's
    /// FileSystemCmdletProviderEncoding (String and Unknown, which 5.1 reads as UTF-16 LE, as Unicode; UTF7; Default,
    /// the ANSI code page); a code page number; or any name the runtime knows (windows-1252, shift_jis, ...). Byte is
    /// not here: see <see cref="IsByteEncodingName(string?)"/>.
    /// </summary>
    public static Encoding? EncodingFromName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        string trimmed = name!.Trim();
        switch (trimmed.ToLowerInvariant())
        {
            case "utf8":
            case "utf-8":
            case "utf8nobom":
                return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
            case "utf8bom":
                return new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
            case "unicode":
            case "utf16":
            case "utf-16":
            case "string":
            case "unknown":
                // 5.1's EncodingConversion.Convert maps both String and Unknown to Encoding.Unicode.
                return new UnicodeEncoding(bigEndian: false, byteOrderMark: true);
            case "bigendianunicode":
            case "utf-16be":
                return new UnicodeEncoding(bigEndian: true, byteOrderMark: true);
            case "utf32":
            case "utf-32":
                return new UTF32Encoding(bigEndian: false, byteOrderMark: true);
            case "bigendianutf32":
            case "utf-32be":
                return new UTF32Encoding(bigEndian: true, byteOrderMark: true);
            case "utf7":
            case "utf-7":
                // Constructed, not looked up: .NET 5+ no longer returns UTF-7 from Encoding.GetEncoding.
                return new UTF7Encoding();
            case "ascii":
                return Encoding.ASCII;
            case "ansi":
                return AnsiEncoding();
            case "oem":
                return TryGetEncoding(SystemCodePages.Oem());
            case "latin1":
                return Encoding.GetEncoding(Latin1);
            case "default":
                // What each edition's Get-Content means by it: ANSI in Windows PowerShell 5.1, UTF-8 in PowerShell 7.
                return System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal)
                    ? AnsiEncoding()
                    : new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        }

        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out int codePage))
        {
            return TryGetEncoding(codePage);
        }

        try
        {
            return Encoding.GetEncoding(trimmed);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="name"/> is 5.1's -Encoding Byte: Get-Content then returns bytes, not text, so there is
    /// nothing to speak, and -Encoding refuses it with its own message rather than "unknown encoding".
    /// </summary>
    public static bool IsByteEncodingName(string? name) =>
        string.Equals(name?.Trim(), "byte", StringComparison.OrdinalIgnoreCase);

    private static Encoding? TryGetEncoding(int codePage)
    {
        try
        {
            return Encoding.GetEncoding(codePage);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static Encoding? FromByteOrderMark(byte[] bytes)
    {
        if (StartsWith(bytes, 0xEF, 0xBB, 0xBF))
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
        }

        // UTF-32 LE before UTF-16 LE: its mark begins with UTF-16 LE's.
        if (StartsWith(bytes, 0xFF, 0xFE, 0x00, 0x00))
        {
            return new UTF32Encoding(bigEndian: false, byteOrderMark: true);
        }

        if (StartsWith(bytes, 0x00, 0x00, 0xFE, 0xFF))
        {
            return new UTF32Encoding(bigEndian: true, byteOrderMark: true);
        }

        if (StartsWith(bytes, 0xFF, 0xFE))
        {
            return new UnicodeEncoding(bigEndian: false, byteOrderMark: true);
        }

        return StartsWith(bytes, 0xFE, 0xFF) ? new UnicodeEncoding(bigEndian: true, byteOrderMark: true) : null;
    }

    private static bool StartsWith(byte[] bytes, params byte[] prefix)
    {
        if (bytes.Length < prefix.Length)
        {
            return false;
        }

        for (int i = 0; i < prefix.Length; i++)
        {
            if (bytes[i] != prefix[i])
            {
                return false;
            }
        }

        return true;
    }

    private static string WithoutByteOrderMark(string text) =>
        text.Length > 0 && text[0] == '\uFEFF' ? text.Substring(1) : text;
}
