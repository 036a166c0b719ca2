using System;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using AitreTts.Core.Text;

namespace AitreTts;

/// <summary>
/// Lets -Encoding take what Get-Content's does in either edition: a name (utf8, utf8BOM, unicode, ansi, ...), Windows
/// PowerShell 5.1's FileSystemCmdletProviderEncoding values (String, Unknown, UTF7, Default, Oem, ...), which arrive
/// as names, a code page number, or an Encoding object. Byte is refused: it reads bytes, and bytes are not text.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class EncodingTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is null or Encoding)
        {
            return value;
        }

        string name = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
        if (InputText.IsByteEncodingName(name))
        {
            throw new ArgumentTransformationMetadataException(
                "-Encoding Byte reads a file as bytes, and bytes are not text to speak. Give the encoding the file's text is in (utf8, unicode, ansi, oem, a code page number, ...), or leave -Encoding out to detect it.");
        }

        return InputText.EncodingFromName(name)
            ?? throw new ArgumentTransformationMetadataException(
                $"'{name}' is not an encoding this system knows. Use utf8, utf8BOM, utf8NoBOM, unicode, bigendianunicode, utf32, bigendianutf32, utf7, ascii, ansi, oem, latin1, default, string, unknown, a code page number such as 1252, or an encoding name such as windows-1252.");
    }
}
