using System;
using System.Collections.Concurrent;

namespace AitreTts.Core.Configuration;

/// <summary>
/// The last parse of each configuration file in the process, so a script that calls a cmdlet once per line does not
/// parse the same file again on every call. It is keyed by the file's full bytes, which every call still reads (with
/// the checks on the file's mode and links): a change takes effect at once, even one within the same timestamp tick
/// and of the same length, where a key of length and write time would miss it.
/// </summary>
internal static class ParsedFiles
{
    private static readonly ConcurrentDictionary<string, Entry> Entries = new(StringComparer.Ordinal);

    /// <summary>
    /// The document <paramref name="parse"/> made of these very <paramref name="content"/> bytes of <paramref name="path"/>,
    /// parsing them now when they differ from the last ones. A file that fails to parse is not remembered.
    /// </summary>
    internal static ConfigurationStore.ConfigurationDocument Get(string path, byte[] content, Func<byte[], ConfigurationStore.ConfigurationDocument> parse)
    {
        if (Entries.TryGetValue(path, out Entry? last) && Same(last.Content, content))
        {
            return last.Document;
        }

        ConfigurationStore.ConfigurationDocument document = parse(content);
        Entries[path] = new Entry(content, document);
        return document;
    }

    private static bool Same(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);

    private sealed record Entry(byte[] Content, ConfigurationStore.ConfigurationDocument Document);
}
