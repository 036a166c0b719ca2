using System;
using System.Collections.Generic;
using System.Linq;
using AitreTts.Core.Voices;

namespace AitreTts.Core.Offline;

/// <summary>One voice of the offline provider: the OpenAI name it answers to and the pitch that tells it apart.</summary>
/// <param name="Name">The OpenAI voice name, in lower case.</param>
/// <param name="PitchHz">The base pitch: of the synthesized wav, pcm and flac, and the one its mp3, aac and opus clips were tuned to (Assets/README.md).</param>
internal sealed record OfflineVoice(string Name, int PitchHz)
{
    public override string ToString() => Name;
}

/// <summary>
/// The offline provider's voices: OpenAI's 13 names, each on its own pitch, from deep to high in steps a
/// listener can hear, so a script that sends the wrong voice is caught by ear as well as by comparing files.
/// </summary>
internal static class OfflineVoices
{
    /// <summary>Every voice, in the order of the OpenAI catalogue.</summary>
    public static IReadOnlyList<OfflineVoice> All { get; } = new[]
    {
        new OfflineVoice("alloy", 158),
        new OfflineVoice("ash", 110),
        new OfflineVoice("ballad", 184),
        new OfflineVoice("coral", 212),
        new OfflineVoice("echo", 98),
        new OfflineVoice("fable", 122),
        new OfflineVoice("nova", 226),
        new OfflineVoice("onyx", 85),
        new OfflineVoice("sage", 170),
        new OfflineVoice("shimmer", 240),
        new OfflineVoice("verse", 134),
        new OfflineVoice("marin", 198),
        new OfflineVoice("cedar", 146),
    };

    /// <summary>
    /// The voices as Get-TtsVoice shows them: OpenAI's descriptions and models, so -Model filters as it does online,
    /// with the pitch that tells each apart and "Offline" as the source, so no one mistakes the list for a server's.
    /// </summary>
    public static IReadOnlyList<TtsVoice> Catalogue { get; } = All
        .Select(voice =>
        {
            TtsVoice? known = VoiceCatalog.BuiltIn.FirstOrDefault(v => string.Equals(v.Name, voice.Name, StringComparison.OrdinalIgnoreCase));
            string description = (known?.Description ?? voice.Name) + $" (offline: a tone at {voice.PitchHz} Hz)";
            return new TtsVoice(voice.Name, description, known?.Models ?? Array.Empty<string>(), CatalogueSource);
        })
        .ToList();

    /// <summary>The <see cref="TtsVoice.Source"/> of the offline voices.</summary>
    public const string CatalogueSource = "Offline";

    /// <summary>Finds a voice by name, ignoring case and surrounding white space.</summary>
    public static bool TryGet(string? name, out OfflineVoice voice)
    {
        string wanted = name?.Trim() ?? string.Empty;
        foreach (OfflineVoice candidate in All)
        {
            if (string.Equals(candidate.Name, wanted, StringComparison.OrdinalIgnoreCase))
            {
                voice = candidate;
                return true;
            }
        }

        voice = null!;
        return false;
    }
}
