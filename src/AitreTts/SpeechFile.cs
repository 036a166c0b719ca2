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
        file.Properties.Add(new PSNoteProperty("Voice", options.Voice));
        file.Properties.Add(new PSNoteProperty("Model", options.Model));
        file.Properties.Add(new PSNoteProperty("Format", result.Format.ToApiName()));
        file.Properties.Add(new PSNoteProperty("Characters", result.Characters));
        file.Properties.Add(new PSNoteProperty("Chunks", result.Chunks));
        file.Properties.Add(new PSNoteProperty("RequestId", result.RequestIds.Count > 0 ? result.RequestIds[0] : null));
        file.Properties.Add(new PSNoteProperty("RequestIds", result.RequestIds.ToArray()));
        file.Properties.Add(new PSNoteProperty("Duration", result.Duration));
        if (result.SubtitlePath is not null)
        {
            file.Properties.Add(new PSNoteProperty("SubtitlePath", result.SubtitlePath));
        }

        file.Properties.Add(new PSNoteProperty("FromCache", result.Chunks > 0 && result.CachedChunks == result.Chunks));
        file.Properties.Add(new PSNoteProperty("CachedChunks", result.CachedChunks));
        return file;
    }
}
