using System;
using System.Collections;
using System.IO;
using System.Management.Automation;

namespace AitreTts;

/// <summary>
/// Lets -Text take what is text, and refuses what is not before PowerShell turns it into its type name: a hashtable
/// would otherwise be spoken as "System.Collections.Hashtable", an object as "@{Name=...}". Strings (Get-Content
/// lines included), file objects (read as text files), numbers, dates and other simple values pass as they are; an
/// object with a Text (or Line, or Content) property gives that property; anything else fails its binding, which PowerShell reports as a
/// ParameterArgumentTransformationError for that pipeline item while the others go on.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class TextInputTransformationAttribute : ArgumentTransformationAttribute
{
    private static readonly string[] TextPropertyNames = { "Text", "Line", "Content" };

    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is object?[] items)
        {
            var texts = new object?[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                texts[i] = AsText(items[i]);
            }

            return texts;
        }

        return AsText(inputData);
    }

    private static object? AsText(object? item)
    {
        object? value = item is PSObject wrapped ? wrapped.BaseObject : item;
        if (value is null or string or FileSystemInfo or IConvertible)
        {
            return item;
        }

        // The names people give the column of what to say: Text, or Line (a script's line), or Content.
        foreach (string name in TextPropertyNames)
        {
            if (value is not IDictionary && PSObject.AsPSObject(item).Properties[name] is PSPropertyInfo property)
            {
                return property.Value ?? string.Empty;
            }
        }

        string kind = value is IDictionary ? "a hashtable or dictionary" : value is PSCustomObject ? "an object without a Text property" : "a " + value.GetType().FullName;
        throw new ArgumentTransformationMetadataException(
            $"-Text takes text: strings, lines of Get-Content, text files, or objects with a Text (or Line, or Content) property. This input is {kind}, which would be spoken as its type name; pass the text it holds instead (for example $item.Text, or ($item | Out-String)).");
    }
}
