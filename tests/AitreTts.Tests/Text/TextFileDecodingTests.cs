using System;
using System.Linq;
using System.Text;
using AitreTts.Core.Text;

namespace AitreTts.Tests.Text;

public sealed class TextFileDecodingTests
{
    // "Café “déjà vu” – 5 €" as Windows PowerShell 5.1's Set-Content writes it on a Western European system.
    private const string AnsiText = "Caf\u00e9 \u201cd\u00e9j\u00e0 vu\u201d \u2013 5 \u20ac";
    private static readonly byte[] AnsiBytes =
    {
        0x43, 0x61, 0x66, 0xE9, 0x20, 0x93, 0x64, 0xE9, 0x6A, 0xE0, 0x20, 0x76, 0x75, 0x94, 0x20, 0x96, 0x20, 0x35, 0x20, 0x80,
    };

    static TextFileDecodingTests()
    {
        // What PowerShell 7 does at startup; .NET Framework has the code pages built in.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    [Fact]
    public void DecodeFile_ReadsAnAnsiFileAsWindows1252()
    {
        string text = InputText.DecodeFile(AnsiBytes, encoding: null, Encoding.GetEncoding(1252), out string used);
        Assert.Equal(AnsiText, text);
        Assert.DoesNotContain('\uFFFD', text);
        Assert.StartsWith("windows-1252", used);
        Assert.Contains("not valid UTF-8", used);
    }

    [Fact]
    public void DecodeFile_FallsBackToLatin1WhereTheRuntimeHasNoCodePages()
    {
        // é and à survive; the 0x80-0x9F punctuation of 1252 cannot, but nothing becomes U+FFFD and Verbose says why.
        string text = InputText.DecodeFile(AnsiBytes, encoding: null, Encoding.Latin1, out string used);
        Assert.StartsWith("Caf\u00e9 ", text);
        Assert.DoesNotContain('\uFFFD', text);
        Assert.StartsWith("iso-8859-1", used);
    }

    [Fact]
    public void AnsiEncoding_IsTheSystemCodePageNotTheCulturesWhenTheyDiffer()
    {
        // A Russian system locale (GetACP 1251) under an English user culture (ANSICodePage 1252): Windows PowerShell
        // 5.1's Set-Content and Notepad write 1251 there.
        Assert.Equal(1251, InputText.AnsiEncoding(1251).CodePage);
        Assert.Equal(1252, InputText.AnsiEncoding(0x7FFF).CodePage);
    }

    [Fact]
    public void SystemCodePages_AskWindowsThroughGetAcpAndGetOemcp()
    {
        // Only Windows can run GetACP; what can be checked everywhere is that the code page comes from there.
        Type type = typeof(InputText).Assembly.GetType("AitreTts.Core.Text.SystemCodePages", throwOnError: true)!;
        string[] imports = type.GetMethods(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            .Where(m => m.GetCustomAttributes(typeof(System.Runtime.InteropServices.DllImportAttribute), false).Length > 0)
            .Select(m => ((System.Runtime.InteropServices.DllImportAttribute)m.GetCustomAttributes(typeof(System.Runtime.InteropServices.DllImportAttribute), false)[0]).Value + "!" + m.Name)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(new[] { "kernel32.dll!GetACP", "kernel32.dll!GetOEMCP" }, imports);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(System.Globalization.CultureInfo.CurrentCulture.TextInfo.ANSICodePage, InputText.AnsiEncoding().CodePage);
        }
    }

    [Fact]
    public void DecodeFile_KeepsValidUtf8WithoutAMark()
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(AnsiText);
        Assert.Equal(AnsiText, InputText.DecodeFile(bytes, null, Encoding.GetEncoding(1252), out string used));
        Assert.Equal("utf-8", used);
    }

    public static TheoryData<string, Encoding> MarkedEncodings() => new()
    {
        { "utf-8", new UTF8Encoding(true) },
        { "utf-16", new UnicodeEncoding(false, true) },
        { "utf-16BE", new UnicodeEncoding(true, true) },
        { "utf-32", new UTF32Encoding(false, true) },
        { "utf-32BE", new UTF32Encoding(true, true) },
    };

    [Theory]
    [MemberData(nameof(MarkedEncodings))]
    public void DecodeFile_FollowsAByteOrderMarkAndDropsIt(string name, Encoding encoding)
    {
        byte[] bytes = encoding.GetPreamble().Concat(encoding.GetBytes(AnsiText)).ToArray();
        string text = InputText.DecodeFile(bytes, null, Encoding.GetEncoding(1252), out string used);
        Assert.Equal(AnsiText, text);
        Assert.StartsWith(name, used, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void DecodeFile_UsesAForcedEncodingEvenWhereUtf8WouldDo()
    {
        byte[] utf8 = new UTF8Encoding(false).GetBytes("Caf\u00e9");
        Assert.Equal("Caf\u00c3\u00a9", InputText.DecodeFile(utf8, Encoding.GetEncoding(1252), Encoding.GetEncoding(1252), out string used));
        Assert.Equal("windows-1252", used);
        Assert.Equal(AnsiText, InputText.DecodeFile(AnsiBytes, InputText.EncodingFromName("1252"), Encoding.Latin1, out _));
    }

    [Theory]
    [InlineData("utf8", 65001)]
    [InlineData("UTF8BOM", 65001)]
    [InlineData("utf8NoBOM", 65001)]
    [InlineData("unicode", 1200)]
    [InlineData("BigEndianUnicode", 1201)]
    [InlineData("utf32", 12000)]
    [InlineData("bigendianutf32", 12001)]
    [InlineData("ascii", 20127)]
    [InlineData("latin1", 28591)]
    [InlineData("1252", 1252)]
    [InlineData("windows-1252", 1252)]
    [InlineData("default", 65001)]
    // Windows PowerShell 5.1's FileSystemCmdletProviderEncoding names, with 5.1's meaning: String and Unknown are UTF-16 LE.
    [InlineData("String", 1200)]
    [InlineData("Unknown", 1200)]
    [InlineData("UTF7", 65000)]
    [InlineData("BigEndianUTF32", 12001)]
    [InlineData("Oem", -1)]
    public void EncodingFromName_KnowsGetContentsNames(string name, int codePage)
    {
        Encoding encoding = InputText.EncodingFromName(name)!;
        Assert.NotNull(encoding);
        if (codePage >= 0)
        {
            Assert.Equal(codePage, encoding.CodePage);
        }
    }

    [Theory]
    [InlineData("Byte", true)]
    [InlineData(" byte ", true)]
    [InlineData("utf8", false)]
    public void IsByteEncodingName_SinglesOutByte(string name, bool isByte)
    {
        Assert.Equal(isByte, InputText.IsByteEncodingName(name));
        Assert.Null(InputText.EncodingFromName("Byte"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("klingon")]
    [InlineData("99999")]
    public void EncodingFromName_IsNullForANameThatMeansNothing(string name)
    {
        Assert.Null(InputText.EncodingFromName(name));
    }

    [Theory]
    [InlineData("Plain text\r\n\twith tabs,\fform feeds and a DOS end mark\u001A", false)]
    [InlineData("", false)]
    [InlineData("N\0U\0L\0", true)]
    [InlineData("PNG\r\n\u001A\n\u0001\u0002", true)]
    [InlineData("colour \u001B[31mcodes", true)]
    [InlineData("a vertical\vtab", true)]
    [InlineData("DEL\u007F", true)]
    [InlineData("C1\u0090control", true)]
    [InlineData("next\u0085line", false)]
    [InlineData("end mark\u001A in the middle\u001A", true)]
    public void LooksBinary_TellsControlCharactersFromText(string content, bool binary)
    {
        Assert.Equal(binary, InputText.LooksBinary(content));
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(4L, 0L)]
    [InlineData(4004L, 1000L)]      // UTF-32 with its byte order mark: four bytes a character
    [InlineData(4005L, 1001L)]
    [InlineData(2147483648L, 536870911L)]
    public void FewestCharacters_BoundsTheLengthBySizeAlone(long bytes, long fewest) =>
        Assert.Equal(fewest, InputText.FewestCharacters(bytes, encoding: null));

    [Theory]
    [InlineData("utf-8")]
    [InlineData("utf-16")]
    [InlineData("utf-32")]
    [InlineData("windows-1252")]
    public void FewestCharacters_NeverExceedsWhatAFileDecodesTo(string encodingName)
    {
        // The densest a file gets in bytes per character, plus a byte order mark: the bound must still hold.
        Encoding encoding = Encoding.GetEncoding(encodingName);
        string text = encoding.IsSingleByte ? new string('\u20ac', 100) : string.Concat(Enumerable.Repeat("\u20ac\U0001F600", 50));
        byte[] bytes = encoding.GetPreamble().Concat(encoding.GetBytes(text)).ToArray();
        Assert.True(InputText.FewestCharacters(bytes.Length, encoding: null) <= text.Length);
        Assert.True(InputText.FewestCharacters(bytes.Length, encoding) <= text.Length);
    }
}
