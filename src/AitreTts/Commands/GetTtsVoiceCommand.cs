using System;
using System.Linq;
using System.Management.Automation;
using AitreTts.Completers;
using AitreTts.Core.Voices;

namespace AitreTts.Commands;

/// <summary>Get-TtsVoice: the voices, their descriptions and the models each works with.</summary>
[Cmdlet(VerbsCommon.Get, "TtsVoice")]
[OutputType(typeof(TtsVoice))]
public sealed class GetTtsVoiceCommand : TtsCmdlet
{
    /// <summary>Voice names to show; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(VoiceCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only voices that work with this model.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ModelCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Model { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        WildcardPattern[] patterns = (Name ?? new[] { "*" })
            .Select(name => new WildcardPattern(name, WildcardOptions.IgnoreCase))
            .ToArray();
        string? family = Model is null ? null : VoiceCatalog.KnownModelFamily(Model);
        if (Model is not null && family is null)
        {
            WriteVerbose($"The model '{Model}' is not an OpenAI model this module knows; showing every voice.");
        }

        bool anyMatched = false;
        foreach (TtsVoice voice in VoiceCatalog.BuiltIn)
        {
            if (!patterns.Any(p => p.IsMatch(voice.Name)))
            {
                continue;
            }

            if (family is not null && !voice.Models.Contains(family, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            anyMatched = true;
            WriteObject(voice);
        }

        foreach (string name in Name ?? Array.Empty<string>())
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name) && !VoiceCatalog.BuiltIn.Any(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                WriteError(ErrorRecords.From(
                    Core.Errors.TtsErrorIds.VoiceNotFound,
                    Core.Errors.TtsErrorCategory.ObjectNotFound,
                    $"No voice named '{name}' is known. Run Get-TtsVoice to list them; servers other than OpenAI may still accept it.",
                    name));
            }
        }

        if (!anyMatched)
        {
            WriteVerbose("No voice matched.");
        }
    }
}
