using System.IO;
using System.Linq;
using System.Management.Automation;
using AitreTts.Core;
using AitreTts.Core.Synthesis;

namespace AitreTts;

/// <summary>The FileInfo Invoke-TextToSpeech returns for a written document, with what made it as note properties.</summary>
internal static class SpeechFile
{
    public static PSObject From(DocumentResult result, SpeechOptions options)
    {
        var file = PSObject.AsPSObject(new FileInfo(result.Path));
        // The view name goes first; FileInfo's own type names stay, so the object still pipes to Copy-Item.
        file.TypeNames.Insert(0, "AitreTts.SpeechFile");
        // preValidated: these names are fixed, distinct and none of FileInfo's, so PowerShell's search for a clash on
        // each Add is work for nothing, on every document of a batch.
        file.Properties.Add(new PSNoteProperty("Voice", options.Voice), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Model", options.Model), preValidated: true);
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
}
