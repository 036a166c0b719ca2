using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;
using AitreTts.Core.Cache;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Providers;
using AitreTts.Core.Text;

namespace AitreTts.Core.Synthesis;

/// <summary>What one document would cost: requests, those the cache would serve, and the price of the rest.</summary>
internal sealed record CostEstimate
{
    public int Requests { get; init; }

    public int FromCache { get; init; }

    /// <summary>Characters of the chunks the cache would not serve.</summary>
    public int CharactersToSend { get; init; }

    /// <summary>US dollars for the requests sent; null when no price is known.</summary>
    public double? Dollars { get; init; }

    /// <summary>How the figure was reached, or why there is none.</summary>
    public string Basis { get; init; } = string.Empty;

    /// <summary>"2 requests to send, 1 more served by the cache; estimated cost $0.0002": what -WhatIf adds.</summary>
    public string Summary
    {
        get
        {
            int toSend = Requests - FromCache;
            string requests = string.Format(CultureInfo.InvariantCulture, "{0} request{1} to send", toSend, toSend == 1 ? string.Empty : "s");
            string cached = FromCache > 0 ? string.Format(CultureInfo.InvariantCulture, ", {0} served by the cache", FromCache) : string.Empty;
            string cost = Dollars is double dollars
                ? string.Format(CultureInfo.InvariantCulture, "estimated cost ${0:0.0000}", dollars)
                : "cost unknown";
            return requests + cached + "; " + cost;
        }
    }
}

/// <summary>
/// Estimates what documents cost before they are sent, for -WhatIf and -Verbose: the chunks the cache would not
/// serve, priced by the provider (its list prices, or the profile's PricePerMillionCharacters for a gateway). Where
/// nothing is known the estimate says so rather than guess.
/// </summary>
internal sealed class CostEstimator
{
    private readonly ProviderProfile _provider;
    private readonly double? _storedPrice;
    private readonly ChunkCache? _cache;
    private readonly TtsEndpoint? _endpoint;

    public CostEstimator(ProviderProfile provider, double? storedPricePerMillionCharacters, ChunkCache? cache, TtsEndpoint? endpoint)
    {
        _provider = provider;
        _storedPrice = storedPricePerMillionCharacters;
        _cache = cache;
        _endpoint = endpoint;
    }

    /// <summary>The estimator for a configuration; the cache is looked at unless <paramref name="useCache"/> is false.</summary>
    public static CostEstimator For(EffectiveConfiguration configuration, bool useCache)
    {
        ChunkCache? cache = null;
        TtsEndpoint? endpoint = null;
        long capBytes = SharedChunkCaches.CapBytes(configuration.Get(Setting.CacheSizeLimitMB)!.Value);
        if (useCache && capBytes > 0 && !configuration.ProviderProfile.IsOffline)
        {
            cache = SharedChunkCaches.Default(capBytes);
            try
            {
                // The key does not take part in a cache key: a stand-in lets -WhatIf look without a key, and nothing is sent.
                using var standIn = new SecureString();
                standIn.AppendChar('-');
                endpoint = TtsEndpoint.Create(configuration.BaseUrl, standIn, allowUnencryptedAuthentication: true, configuration.Provider, configuration.Get(Setting.Deployment), configuration.Get(Setting.ApiVersion), extraQuery: configuration.Get(Setting.ExtraQuery));
            }
            catch (TtsException)
            {
                cache = null;
            }
        }

        return new CostEstimator(configuration.ProviderProfile, configuration.Get(Setting.PricePerMillionCharacters), cache, endpoint);
    }

    /// <summary>What <paramref name="plan"/> costs: the very requests the synthesizer would send for it.</summary>
    public CostEstimate Estimate(SpeechPlan plan)
    {
        IReadOnlyList<SpeechRequest> requests = plan.SpeechRequests();
        int fromCache = 0;
        // Characters to send per model and speed: a document whose parts have their own voices is priced part by part.
        var toSend = new Dictionary<(string Model, double Speed), int>();
        foreach (SpeechRequest request in requests)
        {
            if (_cache is not null && _endpoint is not null && File.Exists(_cache.EntryPath(ChunkCacheKey.For(_endpoint, request))))
            {
                fromCache++;
            }
            else
            {
                toSend.TryGetValue((request.Model, request.Speed), out int sum);
                toSend[(request.Model, request.Speed)] = sum + request.Input.Length;
            }
        }

        List<PriceQuote> quotes = toSend.Count == 0
            ? new List<PriceQuote> { _provider.Quote(plan.Options.Model, 0, plan.Options.Speed, _storedPrice) }
            : toSend.Select(group => _provider.Quote(group.Key.Model, group.Value, group.Key.Speed, _storedPrice)).ToList();
        double? dollars = quotes.Any(q => q.Dollars is null) ? null : quotes.Sum(q => q.Dollars!.Value);
        string basis = string.Join("; ", quotes.Select(q => q.Basis).Distinct(StringComparer.Ordinal));
        return new CostEstimate { Requests = requests.Count, FromCache = fromCache, CharactersToSend = toSend.Values.Sum(), Dollars = dollars, Basis = basis };
    }
}
