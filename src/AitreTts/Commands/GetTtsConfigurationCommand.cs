using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AitreTts.Completers;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;

namespace AitreTts.Commands;

/// <summary>Get-TtsConfiguration: the profiles, the effective settings of each and where each came from, with keys masked.</summary>
[Cmdlet(VerbsCommon.Get, "TtsConfiguration")]
[OutputType(typeof(TtsConfigurationInfo))]
public sealed class GetTtsConfigurationCommand : TtsCmdlet
{
    /// <summary>Profiles to show; wildcards allowed. Without it, every stored profile.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Profile { get; set; }

    /// <inheritdoc />
    protected override void EndProcessingCore()
    {
        ConfigurationStore.StoredConfiguration file = ConfigurationStore.ForCurrentUser().Snapshot(Log);
        string defaultProfile = file.DefaultProfile;
        List<string> stored = file.ProfileNames.ToList();
        if (stored.Count == 0)
        {
            // Nothing stored yet: the default profile still has an effective configuration (environment, defaults).
            stored.Add(defaultProfile);
        }

        WildcardPattern[] patterns = (Profile ?? new[] { "*" }).Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
        bool any = false;
        foreach (string name in stored.Where(n => patterns.Any(p => p.IsMatch(n))))
        {
            any = true;
            bool isDefault = string.Equals(name, defaultProfile, StringComparison.OrdinalIgnoreCase);
            EffectiveConfiguration configuration = ResolveConfiguration(new TtsSettings(), isDefault ? null : name, file);
            WriteObject(TtsConfigurationInfo.From(configuration, isDefault));
        }

        foreach (string name in (Profile ?? Array.Empty<string>()).Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
        {
            if (!stored.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                WriteTtsError(new TtsException(TtsErrorIds.ProfileNotFound, TtsErrorCategory.ObjectNotFound, $"No profile named '{name}' is stored in {file.FilePath}.") { TargetObject = name });
            }
        }

        if (!any)
        {
            WriteVerbose("No profile matched.");
        }
    }
}
