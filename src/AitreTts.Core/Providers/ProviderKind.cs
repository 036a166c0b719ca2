namespace AitreTts.Core.Providers;

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
