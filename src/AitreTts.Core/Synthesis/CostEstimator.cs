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

namespace AitreTts.Core.Synthesis;

/// <summary>What one document would cost: requests, those the cache would serve, and the price of the rest.</summary>
internal sealed class CostEstimate
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
/// Estimates what documents cost before they are sent, for -WhatIf and -Verbose. Prices are OpenAI's published list
/// prices in US dollars: tts-1 $15 and tts-1-hd $30 per million characters; gpt-4o-mini-tts is priced per minute of
/// audio, so its figure is an estimate from the expected length. A profile's PricePerMillionCharacters wins over
/// these (a gateway's own price). Where nothing is known the estimate says so rather than guess.
/// </summary>
internal sealed class CostEstimator
{
    /// <summary>OpenAI's estimate for gpt-4o-mini-tts, in US dollars a minute of audio.</summary>
    internal const double MiniTtsDollarsPerMinute = 0.015;

    /// <summary>Characters of English speech a minute at speed 1.0 (about 150 words of 6 characters).</summary>
    internal const double CharactersPerMinute = 900;

    private readonly ProviderKind _provider;
    private readonly double? _storedPrice;
    private readonly ChunkCache? _cache;
    private readonly TtsEndpoint? _endpoint;

    public CostEstimator(ProviderKind provider, double? storedPricePerMillionCharacters, ChunkCache? cache, TtsEndpoint? endpoint)
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
        if (useCache && capBytes > 0 && configuration.Provider != ProviderKind.Offline)
        {
            cache = SharedChunkCaches.Default(capBytes);
            try
            {
                // The key does not take part in a cache key: a stand-in lets -WhatIf look without a key, and nothing is sent.
                using var standIn = new SecureString();
                standIn.AppendChar('-');
                endpoint = TtsEndpoint.Create(configuration.BaseUrl, standIn, allowUnencryptedAuthentication: true, configuration.Provider, configuration.Get(Setting.Deployment), configuration.Get(Setting.ApiVersion));
            }
            catch (TtsException)
            {
                cache = null;
            }
        }

        return new CostEstimator(configuration.Provider, configuration.Get(Setting.PricePerMillionCharacters), cache, endpoint);
    }

    /// <summary>What <paramref name="plan"/> costs: the very requests the synthesizer would send for it.</summary>
    public CostEstimate Estimate(SpeechPlan plan)
    {
        IReadOnlyList<SpeechRequest> requests = plan.SpeechRequests();
        int fromCache = 0;
        int characters = 0;
        foreach (SpeechRequest request in requests)
        {
            if (_cache is not null && _endpoint is not null && File.Exists(_cache.EntryPath(ChunkCacheKey.For(_endpoint, request))))
            {
                fromCache++;
            }
            else
            {
                characters += request.Input.Length;
            }
        }

        (double? dollars, string basis) = Price(plan.Options, characters);
        return new CostEstimate { Requests = requests.Count, FromCache = fromCache, CharactersToSend = characters, Dollars = dollars, Basis = basis };
    }

    private (double? Dollars, string Basis) Price(SpeechOptions options, int characters)
    {
        if (_provider == ProviderKind.Offline)
        {
            return (0, "the offline provider is free: nothing is sent");
        }

        if (_storedPrice is double stored)
        {
            return (characters * stored / 1e6, string.Format(CultureInfo.InvariantCulture, "the profile's PricePerMillionCharacters, ${0} per million characters", stored));
        }

        if (_provider is not (ProviderKind.OpenAI or ProviderKind.AzureOpenAI))
        {
            return (null, string.Format(CultureInfo.InvariantCulture, "no price is known for the {0} provider; store one with Set-TtsConfiguration -PricePerMillionCharacters", _provider));
        }

        string model = options.Model.ToLowerInvariant();
        if (model.StartsWith("tts-1-hd", StringComparison.Ordinal))
        {
            return (characters * 30 / 1e6, "tts-1-hd at $30 per million characters (OpenAI list price)");
        }

        if (model.StartsWith("tts-1", StringComparison.Ordinal))
        {
            return (characters * 15 / 1e6, "tts-1 at $15 per million characters (OpenAI list price)");
        }

        if (model.StartsWith("gpt-4o-mini-tts", StringComparison.Ordinal))
        {
            double minutes = characters / (CharactersPerMinute * Math.Max(0.25, options.Speed));
            return (minutes * MiniTtsDollarsPerMinute, string.Format(
                CultureInfo.InvariantCulture,
                "gpt-4o-mini-tts at OpenAI's estimate of ${0} a minute of audio, for about {1:0.0} minutes expected at {2} characters a minute at speed {3}: an estimate",
                MiniTtsDollarsPerMinute,
                minutes,
                CharactersPerMinute,
                options.Speed));
        }

        return (null, $"no price is known for the model '{options.Model}'; store one with Set-TtsConfiguration -PricePerMillionCharacters");
    }
}
