using System;
using System.IO;
using System.Reflection;

namespace TtsEmulator.Audio;

/// <summary>The encoded clips in Assets/ (see Assets/README.md), embedded in the assembly.</summary>
internal static class Fixtures
{
    public static byte[] Load(string name)
    {
        string resource = "TtsEmulator.Assets." + name;
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
