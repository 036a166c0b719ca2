using System;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using AitreTts.Core.Text;

namespace AitreTts;

/// <summary>
/// Lets -Encoding take what Get-Content's does: a name (utf8, utf8BOM, unicode, ansi, ...), a code page number, an
/// Encoding object, or Windows PowerShell 5.1's FileSystemCmdletProviderEncoding values, which arrive as names.
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
        return InputText.EncodingFromName(name)
            ?? throw new ArgumentTransformationMetadataException(
                $"'{name}' is not an encoding this system knows. Use utf8, utf8BOM, utf8NoBOM, unicode, bigendianunicode, utf32, bigendianutf32, ascii, ansi, oem, latin1, default, a code page number such as 1252, or an encoding name such as windows-1252.");
    }
}
