using System;
using System.Collections.Generic;
using AitreTts.Core.Http;

namespace AitreTts.Core.Configuration;

/// <summary>The kinds of server the module knows, each with its URL forms, defaults and quirks.</summary>
public enum ProviderKind
{
    /// <summary>api.openai.com with a Bearer key.</summary>
    OpenAI,
    /// <summary>Azure OpenAI: the deployment route with api-version, or the v1 route; the api-key header.</summary>
    AzureOpenAI,
    /// <summary>The AITRE gateway: tts-1 and mp3 by default.</summary>
    Aitre,
    /// <summary>The apimart gateway: gpt-4o-mini-tts and wav by default.</summary>
    Apimart,
    /// <summary>A server on this machine or the LAN (Kokoro-FastAPI, openedai-speech, LocalAI): no key needed.</summary>
    Local,
    /// <summary>Any other OpenAI-compatible server.</summary>
    OpenAICompatible,
    /// <summary>No server: real audio made inside the module, with no network, no key and no cost, for tests and CI.</summary>
    Offline,
}

/// <summary>What a provider kind means for URLs, defaults and the advice the module gives.</summary>
internal sealed class ProviderProfile
{
    private static readonly string[] ClassicVoices = { "alloy", "echo", "fable", "onyx", "nova", "shimmer" };

    private ProviderProfile(ProviderKind kind, string? defaultBaseUrl, string defaultModel, AudioFormat defaultFormat, bool keyRequired)
    {
        Kind = kind;
        DefaultBaseUrl = defaultBaseUrl;
        DefaultModel = defaultModel;
        DefaultFormat = defaultFormat;
        KeyRequired = keyRequired;
    }

    public ProviderKind Kind { get; }

    /// <summary>The server root used when none is configured, or null when the user must give one.</summary>
    public string? DefaultBaseUrl { get; }

    /// <summary>The model used when none is configured.</summary>
    public string DefaultModel { get; }

    /// <summary>The format used when none is configured.</summary>
    public AudioFormat DefaultFormat { get; }

    /// <summary>False for local servers, which usually take no key even on another LAN host.</summary>
    public bool KeyRequired { get; }

    /// <summary>The formats the provider documents; null when it documents all six.</summary>
    public IReadOnlyList<AudioFormat>? DocumentedFormats { get; private init; }

    /// <summary>The voices the provider documents; null when the catalogue or the server decides.</summary>
    public IReadOnlyList<string>? DocumentedVoices { get; private init; }

    public static ProviderProfile For(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => new ProviderProfile(kind, ConfigurationResolver.DefaultBaseUrl, "tts-1", AudioFormat.Mp3, keyRequired: true),
        ProviderKind.AzureOpenAI => new ProviderProfile(kind, null, "tts-1", AudioFormat.Mp3, keyRequired: true),
        // AITRE's API documentation names tts-1/tts-1-hd, four formats and the six classic voices.
        ProviderKind.Aitre => new ProviderProfile(kind, null, "tts-1", AudioFormat.Mp3, keyRequired: true)
        {
            DocumentedFormats = new[] { AudioFormat.Mp3, AudioFormat.Opus, AudioFormat.Aac, AudioFormat.Flac },
            DocumentedVoices = ClassicVoices,
        },
        // apimart's API documentation defaults to wav with gpt-4o-mini-tts, and its server has refused mp3 at times.
        ProviderKind.Apimart => new ProviderProfile(kind, "https://api.apimart.ai", "gpt-4o-mini-tts", AudioFormat.Wav, keyRequired: true)
        {
            DocumentedFormats = new[] { AudioFormat.Wav, AudioFormat.Opus, AudioFormat.Aac, AudioFormat.Flac, AudioFormat.Pcm },
            DocumentedVoices = ClassicVoices,
        },
        ProviderKind.Local => new ProviderProfile(kind, "http://localhost:8880", "tts-1", AudioFormat.Mp3, keyRequired: false),
        ProviderKind.Offline => new ProviderProfile(kind, null, "tts-1", AudioFormat.Mp3, keyRequired: false),
        _ => new ProviderProfile(ProviderKind.OpenAICompatible, null, "tts-1", AudioFormat.Mp3, keyRequired: true),
    };

    /// <summary>
    /// The kind a URL implies when none was set: OpenAI's and apimart's hosts, Azure's domains, loopback.
    /// </summary>
    public static ProviderKind Infer(string? baseUrl)
    {
        if (baseUrl is null || !Uri.TryCreate(baseUrl, UriKind.Absolute, out Uri? uri))
        {
            return ProviderKind.OpenAI;
        }

        string host = uri.Host.ToLowerInvariant();
        if (host == "api.openai.com")
        {
            return ProviderKind.OpenAI;
        }

        if (host.EndsWith(".openai.azure.com", StringComparison.Ordinal) || host.EndsWith(".cognitiveservices.azure.com", StringComparison.Ordinal) || host.EndsWith(".services.ai.azure.com", StringComparison.Ordinal))
        {
            return ProviderKind.AzureOpenAI;
        }

        if (host == "api.apimart.ai")
        {
            return ProviderKind.Apimart;
        }

        return TtsEndpoint.IsLoopbackHost(uri) ? ProviderKind.Local : ProviderKind.OpenAICompatible;
    }

    /// <summary>Advice when a request goes beyond what the provider documents; null when it does not.</summary>
    public string? Advice(AudioFormat format, string voice)
    {
        var notes = new List<string>();
        if (DocumentedFormats is not null && !((IList<AudioFormat>)DocumentedFormats).Contains(format))
        {
            notes.Add($"{Kind} documents only {string.Join(", ", Names(DocumentedFormats))}; {format.ToApiName()} may be refused");
        }

        if (DocumentedVoices is not null && !Contains(DocumentedVoices, voice))
        {
            notes.Add($"{Kind} documents only the voices {string.Join(", ", DocumentedVoices)}; '{voice}' may be refused");
        }

        return notes.Count == 0 ? null : string.Join("; ", notes) + ".";
    }

    private static IEnumerable<string> Names(IEnumerable<AudioFormat> formats)
    {
        foreach (AudioFormat format in formats)
        {
            yield return format.ToApiName();
        }
    }

    private static bool Contains(IEnumerable<string> values, string value)
    {
        foreach (string candidate in values)
        {
            if (string.Equals(candidate, value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
