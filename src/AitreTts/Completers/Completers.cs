using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Http;
using AitreTts.Core.Providers;
using AitreTts.Core.Voices;

namespace AitreTts.Completers;

/// <summary>Completion helpers shared by the completers: never throw, stay fast, match with WildcardPattern.</summary>
internal static class Completion
{
    // Completion may ask a server once per profile and session; past this it gives the catalogue instead of waiting.
    private static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(2);

    public static IEnumerable<CompletionResult> Matching(IEnumerable<(string Value, string Tooltip)> candidates, string wordToComplete)
    {
        var pattern = new WildcardPattern(WildcardPattern.Escape(StripQuotes(wordToComplete)) + "*", WildcardOptions.IgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach ((string value, string tooltip) in candidates)
        {
            if (pattern.IsMatch(value) && seen.Add(value))
            {
                string text = value.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ';', '(', ')', '{', '}', ',' }) >= 0 ? "'" + value.Replace("'", "''") + "'" : value;
                yield return new CompletionResult(text, value, CompletionResultType.ParameterValue, string.IsNullOrEmpty(tooltip) ? value : tooltip);
            }
        }
    }

    /// <summary>
    /// The server behind the command line being completed (its -Profile and -BaseUrl): the key of its session cache
    /// (the one Get-TtsVoice and Get-TtsModel fill), whether it serves the list asked for (<paramref name="serves"/>),
    /// and how to reach it (which throws when it cannot be reached without a secret); null when no server is set.
    /// </summary>
    public static (Func<SpeechClient> Connect, string CacheKey, bool Serves, string? Model)? Server(IDictionary fakeBoundParameters, Func<ProviderProfile, bool> serves)
    {
        var call = new TtsSettings { { Setting.BaseUrl, fakeBoundParameters["BaseUrl"] as string } };
        EffectiveConfiguration configuration = ConfigurationResolver.ResolveProfile(call, ConfigurationStore.ForCurrentUser().Snapshot(), fakeBoundParameters["Profile"] as string, Environment.GetEnvironmentVariable);
        if (configuration.BaseUrl.Length == 0 || configuration.ProviderProfile.IsOffline)
        {
            return null;
        }

        string cacheKey = VoiceDiscovery.CacheKey(configuration.Profile, TtsEndpoint.ParseBaseUrl(configuration.BaseUrl, configuration.Provider));
        return (() => SpeechClientFactory.Create(configuration, TtsLog.None, timeout: DiscoveryTimeout, maximumRetryCount: 0), cacheKey, serves(configuration.ProviderProfile), fakeBoundParameters["Model"] as string ?? configuration.Get(Setting.Model));
    }

    /// <summary>
    /// Connects and runs a discovery with a hard limit, remembering a failure so the next Tab does not wait again. A
    /// server that cannot be reached without a secret throws from <paramref name="connect"/> to the completer, unremembered.
    /// </summary>
    public static T? Discover<T>(string cacheKey, Func<SpeechClient> connect, Func<SpeechClient, CancellationToken, Task<T>> discover)
        where T : class
    {
        SpeechClient client = connect();
        // The whole discovery, connection and body included, gets the documented limit once; the cancellation also
        // aborts the pending read, so the abandoned request does not linger after completion gave up on it.
        using var cancellation = new CancellationTokenSource(DiscoveryTimeout);
        try
        {
            Task<T> task = Task.Run(() => discover(client, cancellation.Token));
            if (task.Wait(DiscoveryTimeout))
            {
                return task.Result;
            }

            cancellation.Cancel();
        }
        catch (Exception)
        {
            // A down server or a refused key: fall through to the catalogue.
        }

        VoiceDiscovery.RememberUnavailable(cacheKey);
        return null;
    }

    private static string StripQuotes(string word) => (word ?? string.Empty).Trim('\'', '"');
}

/// <summary>Completes -Voice from the server's voices (asked once per profile and session) or the catalogue.</summary>
public sealed class VoiceCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            IReadOnlyList<TtsVoice> voices = VoiceCatalog.BuiltIn;
            if (Completion.Server(fakeBoundParameters, provider => provider.ServesVoiceList) is var (connect, cacheKey, serves, model) && serves)
            {
                DiscoveredList<TtsVoice>? list = VoiceDiscovery.CachedVoices(cacheKey)
                    ?? Completion.Discover(cacheKey, connect, (client, token) => VoiceDiscovery.GetVoicesAsync(client, client.Endpoint, cacheKey, refresh: false, TtsLog.None, token, model));
                voices = list?.Items ?? voices;
            }

            return Completion.Matching(voices.Select(v => (v.Name, Tooltip(v))), wordToComplete).ToList();
        }
        catch (Exception)
        {
            return Completion.Matching(VoiceCatalog.BuiltIn.Select(v => (v.Name, Tooltip(v))), wordToComplete).ToList();
        }
    }

    private static string Tooltip(TtsVoice voice) =>
        voice.Models.Count == 0 ? voice.Description : voice.Description + " (" + string.Join(", ", voice.Models) + ")";
}

/// <summary>
/// Completes -Model from what Get-TtsModel found for the same profile and server this session, else from the server's
/// models list (asked once per profile and session, where the provider serves one: OpenAI and Azure too, which list
/// no voices), else from the built-in catalogue. Models the list marks as not for speech are left out.
/// </summary>
public sealed class ModelCompleter : IArgumentCompleter
{
    private static readonly Dictionary<string, string> KnownTooltips = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tts-1"] = "Fast, 9 voices",
        ["tts-1-hd"] = "Higher quality, 9 voices",
        ["gpt-4o-mini-tts"] = "All 13 voices, takes -Instructions",
    };

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            IReadOnlyList<TtsModel> models = VoiceDiscovery.KnownModels;
            if (Completion.Server(fakeBoundParameters, provider => provider.ServesModelList) is var (connect, cacheKey, serves, _))
            {
                // What Get-TtsModel already read is used as it is: no secret to unlock, no request.
                DiscoveredList<TtsModel>? list = VoiceDiscovery.CachedModels(cacheKey)
                    ?? (serves ? Completion.Discover(cacheKey, connect, (client, token) => VoiceDiscovery.GetModelsAsync(client, client.Endpoint, cacheKey, refresh: false, token)) : null);
                models = list?.Items ?? models;
            }

            return Completion.Matching(models.Where(m => m.IsSpeech != false).Select(m => (m.Id, KnownTooltips.TryGetValue(m.Id, out string? tip) ? tip : m.Id)), wordToComplete).ToList();
        }
        catch (Exception)
        {
            return Completion.Matching(VoiceDiscovery.KnownModels.Select(m => (m.Id, m.Id)), wordToComplete).ToList();
        }
    }
}

/// <summary>Completes -Format with the six formats of the API.</summary>
public sealed class FormatCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            return Completion.Matching(AudioFormats.All.Select(f => (f.ToApiName(), f.ToString())), wordToComplete).ToList();
        }
        catch (Exception)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}

/// <summary>Completes -Profile with the stored profiles.</summary>
public sealed class ProfileCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            ConfigurationStore.StoredConfiguration stored = ConfigurationStore.ForCurrentUser().Snapshot();
            return Completion.Matching(stored.ProfileNames.Select(p => (p, p == stored.DefaultProfile ? "default profile" : "profile")), wordToComplete).ToList();
        }
        catch (Exception)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}
