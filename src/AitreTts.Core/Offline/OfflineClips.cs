using System;
using System.Collections.Concurrent;
using System.IO;
using System.Reflection;

namespace AitreTts.Core.Offline;

/// <summary>The encoded clips in Offline/Assets (see its README.md), embedded in the assembly, parsed once per voice and format.</summary>
internal static class OfflineClips
{
    private static readonly ConcurrentDictionary<string, object> Parsed = new(StringComparer.Ordinal);

    public static Mp3Loop Mp3(OfflineVoice voice) => (Mp3Loop)Parsed.GetOrAdd(voice.Name + ".mp3", name => new Mp3Loop(Load(name)));

    public static AdtsLoop Aac(OfflineVoice voice) => (AdtsLoop)Parsed.GetOrAdd(voice.Name + ".aac", name => new AdtsLoop(Load(name)));

    public static OpusLoop Opus(OfflineVoice voice) => (OpusLoop)Parsed.GetOrAdd(voice.Name + ".opus", name => new OpusLoop(Load(name)));

    /// <summary>The bytes of one embedded clip, such as <c>alloy.mp3</c>.</summary>
    public static byte[] Load(string name)
    {
        string resource = "AitreTts.Offline." + name;
        using Stream stream = typeof(OfflineClips).GetTypeInfo().Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The offline clip {resource} is not embedded in the assembly.");
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
