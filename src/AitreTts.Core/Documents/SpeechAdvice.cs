using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Providers;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Voices;

namespace AitreTts.Core.Documents;

/// <summary>
/// What is said about the voice options before anything is sent: an error for a speed no server takes, and warnings
/// about options a server is known, or documented, to refuse or ignore (the call still goes ahead).
/// </summary>
internal static class SpeechAdvice
{
    // The weight of one voice in a Kokoro mix: the "(2)" of "af_bella(2)+af_sky".
    private static readonly Regex MixWeight = new(@"\(\s*[0-9.]+\s*\)\s*$", RegexOptions.CultureInvariant);

    public static TtsException? InvalidSpeed(double speed) =>
        double.IsNaN(speed) || speed < 0.25 || speed > 4.0
            ? new TtsException(
                TtsErrorIds.InvalidSpeed,
                TtsErrorCategory.InvalidArgument,
                string.Format(CultureInfo.InvariantCulture, "-Speed {0} is out of range. Give a value from 0.25 (slowest) to 4.0 (fastest); 1.0 is normal speed.", speed))
            : null;


    /// <summary>The warnings for a call: the provider in use, and the server's own voices if this session has listed them.</summary>
    public static IReadOnlyList<string> For(SpeechOptions options, EffectiveConfiguration configuration) =>
        For(options, configuration.ProviderProfile, VoiceDiscovery.KnownServerVoices(configuration));

    /// <summary>
    /// Voice warnings only where they are true: OpenAI's catalogue judges the voice where it is what the provider
    /// offers (OpenAI, Azure); elsewhere only the server's own list does, when it is known. A local server's own
    /// voices (af_bella) draw no warning about what OpenAI would do.
    /// </summary>
    public static IReadOnlyList<string> For(SpeechOptions options, ProviderProfile provider, IReadOnlyList<TtsVoice>? serverVoices = null)
    {
        var warnings = new List<string>();
        if (provider.CatalogueApplies && VoiceCatalog.IsKnownUnsupported(options.Model, options.Voice))
        {
            warnings.Add($"The voice '{options.Voice}' is not known to work with the model '{options.Model}'; OpenAI will refuse it, other servers may not. See Get-TtsVoice -Model {options.Model}.");
        }
        else if (!provider.CatalogueApplies && serverVoices is not null && !Lists(serverVoices, options.Voice))
        {
            warnings.Add($"The voice '{options.Voice}' is not in the server's own list of voices, which has {serverVoices.Count}; it may be refused. See Get-TtsVoice (-Refresh asks the server again).");
        }

        if (options.Instructions is not null && VoiceCatalog.IgnoresInstructions(options.Model))
        {
            warnings.Add($"The model '{options.Model}' does not take -Instructions; use -Model {VoiceCatalog.InstructableModel} for voice direction.");
        }

        if (provider.Advice(options.Format, options.Voice) is string advice)
        {
            warnings.Add(advice);
        }

        return warnings;
    }

    // A voice is listed by name, or, as a Kokoro mix such as af_bella(2)+af_sky-af_nicole, by each voice it mixes.
    private static bool Lists(IReadOnlyList<TtsVoice> voices, string voice)
    {
        bool Has(string name) => voices.Any(v => string.Equals(v.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
        if (Has(voice))
        {
            return true;
        }

        string[] parts = voice.Split('+', '-');
        return parts.Length > 1 && parts.All(part => Has(MixWeight.Replace(part, string.Empty)));
    }
}
