using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Providers;

namespace AitreTts.Core.Voices;

/// <summary>The voices (or models) a server offers, and whether they came from the server or the catalogue.</summary>
/// <param name="Items">The voices or models, in the order given.</param>
/// <param name="FromServer">False when the server had no list and the built-in catalogue stands in.</param>
/// <param name="Fetched">When the list was fetched.</param>
internal sealed record DiscoveredList<T>(IReadOnlyList<T> Items, bool FromServer, DateTimeOffset Fetched);

/// <summary>
/// Asks a server for its voices and models (<c>GET /v1/audio/voices</c>, <c>GET /v1/models</c>) and keeps the answer
/// for the session, per profile and server, so Tab completion never waits on the network twice.
/// </summary>
internal static class VoiceDiscovery
{
    private static readonly ConcurrentDictionary<string, DiscoveredList<TtsVoice>> Voices = new(StringComparer.OrdinalIgnoreCase);
    private static readonly ConcurrentDictionary<string, DiscoveredList<TtsModel>> Models = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The models OpenAI documents, used where a server has no models list.</summary>
    public static IReadOnlyList<TtsModel> KnownModels { get; } = VoiceCatalog.Models
        .Select(id => new TtsModel(id, "openai", null, isSpeech: true, "Built-in"))
        .ToArray();

    /// <summary>The cache key of a profile and its server.</summary>
    public static string CacheKey(string profile, TtsEndpoint endpoint) => CacheKey(profile, endpoint.BaseUrl);

    public static string CacheKey(string profile, Uri baseUrl) => profile + "|" + baseUrl;

    /// <summary>The cached voices, or null when none were fetched this session.</summary>
    public static DiscoveredList<TtsVoice>? CachedVoices(string cacheKey) => Voices.TryGetValue(cacheKey, out DiscoveredList<TtsVoice>? list) ? list : null;

    /// <summary>
    /// The voices the configured server itself listed this session (Get-TtsVoice, completion), or null when its list
    /// is not known: never fetched, the catalogue stood in, or the provider serves none.
    /// </summary>
    public static IReadOnlyList<TtsVoice>? KnownServerVoices(EffectiveConfiguration configuration)
    {
        if (!configuration.ProviderProfile.ServesVoiceList || configuration.BaseUrl.Length == 0)
        {
            return null;
        }

        try
        {
            Uri root = TtsEndpoint.ParseBaseUrl(configuration.BaseUrl, configuration.Provider);
            return CachedVoices(CacheKey(configuration.Profile, root)) is { FromServer: true } list ? list.Items : null;
        }
        catch (TtsException)
        {
            return null;
        }
    }

    /// <summary>The cached models, or null when none were fetched this session.</summary>
    public static DiscoveredList<TtsModel>? CachedModels(string cacheKey) => Models.TryGetValue(cacheKey, out DiscoveredList<TtsModel>? list) ? list : null;

    /// <summary>
    /// Caches the built-in lists for a server that could not be asked, so completion does not try again on every Tab.
    /// </summary>
    public static void RememberUnavailable(string cacheKey)
    {
        Voices.TryAdd(cacheKey, new DiscoveredList<TtsVoice>(VoiceCatalog.BuiltIn, FromServer: false, DateTimeOffset.Now));
        Models.TryAdd(cacheKey, new DiscoveredList<TtsModel>(KnownModels, FromServer: false, DateTimeOffset.Now));
    }

    /// <summary>Caches OpenAI's models for a server whose list could not be read, so a call does not ask again this session.</summary>
    public static void RememberModelsUnavailable(string cacheKey) =>
        Models.TryAdd(cacheKey, new DiscoveredList<TtsModel>(KnownModels, FromServer: false, DateTimeOffset.Now));

    /// <summary>Forgets every cached list.</summary>
    public static void Clear()
    {
        Voices.Clear();
        Models.Clear();
    }

    /// <summary>
    /// The server's voices, from the cache unless <paramref name="refresh"/>; the built-in catalogue where the
    /// provider or server has no voices endpoint.
    /// </summary>
    /// <remarks>
    /// The request names the <paramref name="model"/> in use (<c>?model=</c>): mlx-audio lists the voices of one model
    /// and answers 400 without it, and servers that list every voice ignore the parameter.
    /// </remarks>
    public static async Task<DiscoveredList<TtsVoice>> GetVoicesAsync(SpeechClient client, TtsEndpoint endpoint, string cacheKey, bool refresh, TtsLog log, CancellationToken cancellationToken, string? model = null)
    {
        if (!refresh && Voices.TryGetValue(cacheKey, out DiscoveredList<TtsVoice>? cached))
        {
            return cached;
        }

        DiscoveredList<TtsVoice> list = new(VoiceCatalog.BuiltIn, FromServer: false, DateTimeOffset.Now);
        if (endpoint.VoicesUri is Uri listUri && endpoint.Profile.ServesVoiceList)
        {
            // -ExtraQuery's own model= wins: it is already in the list's URL.
            Uri voicesUri = string.IsNullOrEmpty(model) || endpoint.ExtraQuery?.Has("model") == true
                ? listUri
                : new UriBuilder(listUri) { Query = (listUri.Query.Length > 1 ? listUri.Query.Substring(1) + "&" : string.Empty) + "model=" + Uri.EscapeDataString(model) }.Uri;
            using JsonDocument? document = await client.GetJsonAsync(voicesUri, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<TtsVoice>? voices = document is null ? null : ParseVoices(document.RootElement, voicesUri.ToString(), endpoint.Profile.VoiceLists);
            if (voices is { Count: > 0 })
            {
                list = new DiscoveredList<TtsVoice>(voices, FromServer: true, DateTimeOffset.Now);
            }
            else
            {
                log.Verbose($"{voicesUri} lists no voices; using the built-in catalogue.");
            }
        }

        Voices[cacheKey] = list;
        return list;
    }

    /// <summary>The server's models, from the cache unless <paramref name="refresh"/>; OpenAI's where the server has no list.</summary>
    public static async Task<DiscoveredList<TtsModel>> GetModelsAsync(SpeechClient client, TtsEndpoint endpoint, string cacheKey, bool refresh, CancellationToken cancellationToken)
    {
        if (!refresh && Models.TryGetValue(cacheKey, out DiscoveredList<TtsModel>? cached))
        {
            return cached;
        }

        DiscoveredList<TtsModel> list = new(KnownModels, FromServer: false, DateTimeOffset.Now);
        if (endpoint.ModelsUri is Uri modelsUri && endpoint.Profile.ServesModelList)
        {
            using JsonDocument? document = await client.GetJsonAsync(modelsUri, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<TtsModel>? models = document is null ? null : ParseModels(document.RootElement, modelsUri.ToString());
            if (models is { Count: > 0 })
            {
                list = new DiscoveredList<TtsModel>(models, FromServer: true, DateTimeOffset.Now);
            }
        }

        Models[cacheKey] = list;
        return list;
    }

    /// <summary>
    /// Reads a voices list in the shapes a provider's servers send (<see cref="VoiceListShapes"/>):
    /// <c>{"voices":[{"id","name"}]}</c>, the legacy <c>{"voices":["a","b"]}</c>, an OpenAI-style
    /// <c>{"data":[{"id"}]}</c>, or a bare array of either. Null for a shape the provider does not send.
    /// </summary>
    public static IReadOnlyList<TtsVoice>? ParseVoices(JsonElement root, string source, VoiceListShapes shapes = VoiceListShapes.Any)
    {
        JsonElement items = root;
        VoiceListShapes shape = VoiceListShapes.BareArray;
        if (root.ValueKind == JsonValueKind.Object)
        {
            if (root.TryGetProperty("voices", out items))
            {
                shape = items.ValueKind == JsonValueKind.Array && items.EnumerateArray().Any(item => item.ValueKind == JsonValueKind.String) ? VoiceListShapes.VoiceNames : VoiceListShapes.VoiceObjects;
            }
            else if (root.TryGetProperty("data", out items))
            {
                shape = VoiceListShapes.DataObjects;
            }
            else
            {
                return null;
            }
        }

        if (items.ValueKind != JsonValueKind.Array || (shapes & shape) == 0)
        {
            return null;
        }

        var voices = new List<TtsVoice>();
        foreach (JsonElement item in items.EnumerateArray())
        {
            string? id = item.ValueKind switch
            {
                JsonValueKind.String => item.GetString(),
                JsonValueKind.Object => Text(item, "id") ?? Text(item, "voice_id") ?? Text(item, "name"),
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(id))
            {
                continue;
            }

            string description = item.ValueKind == JsonValueKind.Object ? Text(item, "description") ?? Text(item, "name") ?? string.Empty : string.Empty;
            TtsVoice? known = VoiceCatalog.BuiltIn.FirstOrDefault(v => string.Equals(v.Name, id, StringComparison.OrdinalIgnoreCase));
            voices.Add(new TtsVoice(id!, description.Length == 0 || description == id ? known?.Description ?? string.Empty : description, Array.Empty<string>(), source));
        }

        return voices;
    }

    /// <summary>
    /// Reads an OpenAI-style models list, <c>{"data":[{"id","owned_by","shutdown_date"}]}</c>, or a bare array of ids.
    /// A shutdown date may come as Unix seconds or as an ISO 8601 date; null means none is announced.
    /// </summary>
    public static IReadOnlyList<TtsModel>? ParseModels(JsonElement root, string source)
    {
        JsonElement items = root;
        if (root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("data", out items) && !root.TryGetProperty("models", out items))
        {
            return null;
        }

        if (items.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var models = new List<TtsModel>();
        foreach (JsonElement item in items.EnumerateArray())
        {
            string? id = item.ValueKind == JsonValueKind.String ? item.GetString() : item.ValueKind == JsonValueKind.Object ? Text(item, "id") : null;
            if (string.IsNullOrWhiteSpace(id))
            {
                continue;
            }

            DateTimeOffset? shutdown = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("shutdown_date", out JsonElement date) ? ReadDate(date) : null;
            string ownedBy = item.ValueKind == JsonValueKind.Object ? Text(item, "owned_by") ?? string.Empty : string.Empty;
            models.Add(new TtsModel(id!, ownedBy, shutdown, VoiceCatalog.IsSpeechModel(id!) ? true : null, source));
        }

        return models;
    }

    private static DateTimeOffset? ReadDate(JsonElement date) => date.ValueKind switch
    {
        JsonValueKind.Number when date.TryGetInt64(out long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds),
        JsonValueKind.String when DateTimeOffset.TryParse(date.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed) => parsed,
        _ => null,
    };

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
