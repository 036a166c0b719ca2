using System.Collections.Generic;
using System.Globalization;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Voices;

namespace AitreTts.Core.Documents;

/// <summary>
/// What is said about the voice options before anything is sent: an error for a speed no server takes, and warnings
/// about options a server is known, or documented, to refuse or ignore (the call still goes ahead).
/// </summary>
internal static class SpeechAdvice
{
    public static TtsException? InvalidSpeed(double speed) =>
        double.IsNaN(speed) || speed < 0.25 || speed > 4.0
            ? new TtsException(
                TtsErrorIds.InvalidSpeed,
                TtsErrorCategory.InvalidArgument,
                string.Format(CultureInfo.InvariantCulture, "-Speed {0} is out of range. Give a value from 0.25 (slowest) to 4.0 (fastest); 1.0 is normal speed.", speed))
            : null;


    public static IReadOnlyList<string> For(SpeechOptions options, ProviderKind provider)
    {
        var warnings = new List<string>();
        if (VoiceCatalog.IsKnownUnsupported(options.Model, options.Voice))
        {
            warnings.Add($"The voice '{options.Voice}' is not known to work with the model '{options.Model}'; OpenAI will refuse it, other servers may not. See Get-TtsVoice -Model {options.Model}.");
        }

        if (options.Instructions is not null && VoiceCatalog.IgnoresInstructions(options.Model))
        {
            warnings.Add($"The model '{options.Model}' does not take -Instructions; use -Model {VoiceCatalog.InstructableModel} for voice direction.");
        }

        if (ProviderProfile.For(provider).Advice(options.Format, options.Voice) is string advice)
        {
            warnings.Add(advice);
        }

        return warnings;
    }
}
