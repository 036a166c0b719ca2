using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AitreTts.Completers;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Security;
using AitreTts.Core.Voices;

namespace AitreTts.Commands;

/// <summary>Get-TtsModel: the models a server lists (<c>GET /v1/models</c>), with their shutdown dates, or the built-in catalogue.</summary>
[Cmdlet(VerbsCommon.Get, "TtsModel")]
[OutputType(typeof(TtsModel))]
public sealed class GetTtsModelCommand : TtsEndpointCmdlet
{
    private readonly List<string> _names = new();

    /// <summary>Model ids to show; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(ModelCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Ask the server again instead of using this session's cached list.</summary>
    [Parameter]
    public SwitchParameter Refresh { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecordCore() => _names.AddRange(Name ?? Array.Empty<string>());

    /// <inheritdoc />
    protected override void EndProcessingCore()
    {
        IReadOnlyList<TtsModel> models = DiscoverModels();
        WildcardPattern[] patterns = (_names.Count == 0 ? new List<string> { "*" } : _names)
            .Select(name => new WildcardPattern(name, WildcardOptions.IgnoreCase))
            .ToArray();
        foreach (TtsModel model in models.Where(m => patterns.Any(p => p.IsMatch(m.Id))))
        {
            WriteObject(model);
        }

        foreach (string name in _names.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
        {
            if (!models.Any(m => string.Equals(m.Id, name, StringComparison.OrdinalIgnoreCase)))
            {
                WriteTtsError(new TtsException(
                    TtsErrorIds.ModelNotListed,
                    TtsErrorCategory.ObjectNotFound,
                    $"No model named '{name}' is listed. Run Get-TtsModel to list them (-Refresh asks the server again).")
                { TargetObject = name });
            }
        }
    }

    private IReadOnlyList<TtsModel> DiscoverModels()
    {
        EffectiveConfiguration configuration = ResolveConfiguration(BoundSettings(), Profile);
        if (configuration.ProviderProfile.IsOffline || !configuration.ProviderProfile.ServesModelList)
        {
            WriteVerbose($"The {configuration.Provider} provider has no list of speech models to ask; showing the built-in catalogue.");
            return VoiceDiscovery.KnownModels;
        }

        try
        {
            SpeechClient client = Connect(configuration);
            string cacheKey = VoiceDiscovery.CacheKey(configuration.Profile, client.Endpoint);
            DiscoveredList<TtsModel> list = RunInBackground(token => VoiceDiscovery.GetModelsAsync(client, client.Endpoint, cacheKey, Refresh.IsPresent, token));
            WriteVerbose(list.FromServer
                ? $"{list.Items.Count} models from {SecretRedactor.ShownUrl(client.Endpoint.ModelsUri)} (fetched {list.Fetched:T}; -Refresh asks again)."
                : $"{SecretRedactor.ShownUrl(client.Endpoint.BaseUrl)} has no models list; showing the built-in catalogue.");
            return list.Items;
        }
        catch (TtsException ex)
        {
            // Listing models must not fail because a server is down or needs a key: the catalogue still helps.
            WriteWarning($"Could not ask the server for its models ({ex.Message}); showing the built-in catalogue.");
            return VoiceDiscovery.KnownModels;
        }
    }
}
