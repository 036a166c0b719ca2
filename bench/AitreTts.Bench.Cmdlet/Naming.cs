using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;

namespace AitreTts.Bench.Cmdlet;

internal static class Naming
{
    public static string Name(PSObject file) => ((FileInfo)file.BaseObject).Name;

    /// <summary>
    /// True when the i-th object is the i-th document's file. The generated name starts with the slug of the text,
    /// and <see cref="Corpus.Line"/> begins with "Notice {i + 1}:".
    /// </summary>
    public static bool InInputOrder(IReadOnlyList<PSObject> files)
    {
        for (int i = 0; i < files.Count; i++)
        {
            if (!Name(files[i]).StartsWith("notice-" + (i + 1).ToString(CultureInfo.InvariantCulture) + "-", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
