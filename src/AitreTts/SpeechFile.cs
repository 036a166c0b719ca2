using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using AitreTts.Core;
using AitreTts.Core.Synthesis;

namespace AitreTts;

/// <summary>The FileInfo Invoke-TextToSpeech returns for a written document, with what made it as note properties.</summary>
internal static class SpeechFile
{
    /// <summary>
    /// The file as Get-Item gives it, asked of the FileSystem provider once: with PSPath and the other provider
    /// properties, so that piping it to Move-Item or Remove-Item names it literally ('a[1].mp3' is no wildcard), and
    /// with what the provider attaches for FileInfo's own members (UnixMode, User and Size are computed from it).
    /// </summary>
    public static PSObject From(DocumentResult result, SpeechOptions options, ProviderIntrinsics provider)
    {
        PSObject file = AsProviderItem(result.Path, provider);
        // The view name goes first; FileInfo's own type names stay, so the object still pipes to Copy-Item.
        file.TypeNames.Insert(0, "AitreTts.SpeechFile");
        // preValidated: these names are fixed, distinct and none of FileInfo's, so PowerShell's search for a clash on
        // each Add is work for nothing, on every document of a batch.
        // One voice is a string, as it always was; the parts of an announcement said in several list them all, in order.
        file.Properties.Add(new PSNoteProperty("Voice", OneOrAll(result.Voices, options.Voice)), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Model", OneOrAll(result.Models, options.Model)), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Format", result.Format.ToApiName()), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Characters", result.Characters), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Chunks", result.Chunks), preValidated: true);
        file.Properties.Add(new PSNoteProperty("RequestId", result.RequestIds.Count > 0 ? result.RequestIds[0] : null), preValidated: true);
        file.Properties.Add(new PSNoteProperty("RequestIds", result.RequestIds.ToArray()), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Duration", result.Duration), preValidated: true);
        if (result.SubtitlePath is not null)
        {
            file.Properties.Add(new PSNoteProperty("SubtitlePath", result.SubtitlePath), preValidated: true);
        }

        file.Properties.Add(new PSNoteProperty("FromCache", result.Chunks > 0 && result.CachedChunks == result.Chunks), preValidated: true);
        file.Properties.Add(new PSNoteProperty("CachedChunks", result.CachedChunks), preValidated: true);
        return file;
    }

    private static object OneOrAll(System.Collections.Generic.IReadOnlyList<string> used, string fallback) =>
        used.Count == 0 ? fallback : used.Count == 1 ? used[0] : used.ToArray();

    private static PSObject AsProviderItem(string path, ProviderIntrinsics provider)
    {
        try
        {
            if (provider.Item.Get(new[] { path }, force: true, literalPath: true) is { Count: 1 } items && items[0].BaseObject is FileInfo)
            {
                return items[0];
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            // The file is written; a provider that cannot show it (a path no drive reaches) must not turn that into a failure.
        }

        return PSObject.AsPSObject(new FileInfo(path));
    }
}
