using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using AitreTts.Completers;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Offline;
using AitreTts.Core.Security;
using AitreTts.Core.Voices;

namespace AitreTts.Commands;

/// <summary>Get-TtsVoice: the voices a server offers (or the built-in catalogue), and the models each works with.</summary>
[Cmdlet(VerbsCommon.Get, "TtsVoice")]
[OutputType(typeof(TtsVoice))]
public sealed class GetTtsVoiceCommand : TtsEndpointCmdlet
{
    private readonly List<string> _names = new();

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

    /// <summary>Ask the server again instead of using this session's cached list.</summary>
    [Parameter]
    public SwitchParameter Refresh { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecordCore() => _names.AddRange(Name ?? Array.Empty<string>());

    /// <inheritdoc />
    protected override void EndProcessingCore()
    {
        IReadOnlyList<TtsVoice> voices = DiscoverVoices();
        WildcardPattern[] patterns = (_names.Count == 0 ? new List<string> { "*" } : _names)
            .Select(name => new WildcardPattern(name, WildcardOptions.IgnoreCase))
            .ToArray();
        string? family = Model is null ? null : VoiceCatalog.KnownModelFamily(Model);
        if (Model is not null && family is null)
        {
            WriteVerbose($"The model '{Model}' is not an OpenAI model this module knows; showing every voice.");
        }

        foreach (TtsVoice voice in voices)
        {
            bool nameMatches = patterns.Any(p => p.IsMatch(voice.Name));
            // A server's own voices say nothing about models: they are kept whatever -Model says.
            bool modelMatches = family is null || voice.Models.Count == 0 || voice.Models.Contains(family, StringComparer.OrdinalIgnoreCase);
            if (nameMatches && modelMatches)
            {
                WriteObject(voice);
            }
        }

        foreach (string name in _names.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
        {
            if (!voices.Any(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                WriteTtsError(new TtsException(
                    TtsErrorIds.VoiceNotFound,
                    TtsErrorCategory.ObjectNotFound,
                    $"No voice named '{name}' is known. Run Get-TtsVoice to list them; servers other than OpenAI may still accept it.")
                { TargetObject = name });
            }
        }
    }

    private IReadOnlyList<TtsVoice> DiscoverVoices()
    {
        EffectiveConfiguration configuration = ResolveConfiguration(BoundSettings(nameof(Model)), Profile);
        if (configuration.ProviderProfile.IsOffline)
        {
            WriteVerbose("The offline provider is in use: showing its built-in voices; no server is asked.");
            return OfflineVoices.Catalogue;
        }

        if (!configuration.ProviderProfile.ServesVoiceList)
        {
            return VoiceCatalog.BuiltIn;
        }

        try
        {
            SpeechClient client = Connect(configuration);
            string cacheKey = VoiceDiscovery.CacheKey(configuration.Profile, client.Endpoint);
            DiscoveredList<TtsVoice> list = RunInBackground(token => VoiceDiscovery.GetVoicesAsync(client, client.Endpoint, cacheKey, Refresh.IsPresent, Log, token, Model ?? configuration.Get(Setting.Model)));
            WriteVerbose(list.FromServer
                ? $"{list.Items.Count} voices from {SecretRedactor.ShownUrl(client.Endpoint.VoicesUri)} (fetched {list.Fetched:T}; -Refresh asks again)."
                : $"{SecretRedactor.ShownUrl(client.Endpoint.BaseUrl)} has no voices endpoint; showing the built-in catalogue.");
            return list.Items;
        }
        catch (TtsException ex)
        {
            // Listing voices must not fail because a server is down or needs a key: the catalogue still helps.
            WriteWarning($"Could not ask the server for its voices ({ex.Message}); showing the built-in catalogue.");
            return VoiceCatalog.BuiltIn;
        }
    }
}
