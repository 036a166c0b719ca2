using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AitreTts.Core.Providers;

/// <summary>
/// Everything the module knows about one kind of provider: defaults, the key and how it is sent, routes, voice lists,
/// list prices, hosts, and what it documents. Code elsewhere asks the profile; it never tests which provider it is.
/// </summary>
internal sealed class ProviderProfile
{
    /// <summary>OpenAI's API, the server used when nothing else is set.</summary>
    public const string OpenAIBaseUrl = "https://api.openai.com";

    /// <summary>Characters of English speech a minute at speed 1.0 (about 150 words of 6 characters).</summary>
    internal const double CharactersPerMinute = 900;

    private static readonly string[] ClassicVoices = { "alloy", "echo", "fable", "onyx", "nova", "shimmer" };

    // OpenAI's published list prices in US dollars. gpt-4o-mini-tts is billed by tokens; OpenAI's own estimate of
    // $0.015 a minute of audio is what can be worked out before the audio exists. Longer prefixes come first.
    private static readonly ListPrice[] OpenAIPrices =
    {
        new("tts-1-hd", PerMillionCharacters: 30, PerMinuteOfAudio: null, "OpenAI list price"),
        new("tts-1", PerMillionCharacters: 15, PerMinuteOfAudio: null, "OpenAI list price"),
        new("gpt-4o-mini-tts", PerMillionCharacters: null, PerMinuteOfAudio: 0.015, "OpenAI's estimate"),
    };

    private static readonly ProviderProfile[] All =
    {
        new(ProviderKind.OpenAI, "tts-1")
        {
            DefaultBaseUrl = OpenAIBaseUrl,
            Hosts = new ProviderHosts(new[] { "api.openai.com" }, Array.Empty<string>()),
            CatalogueApplies = true,
            // OpenAI's /v1/models lists every model of the account (chat, embeddings, ...); Get-TtsModel marks the
            // speech models, and the list carries the shutdown dates that retire a model.
            AnnouncesShutdownDates = true,
            ListPrices = OpenAIPrices,
        },
        new(ProviderKind.AzureOpenAI, "tts-1")
        {
            Hosts = new ProviderHosts(Array.Empty<string>(), new[] { ".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com" }, RoutePath: "/openai/deployments/"),
            Key = new KeyHeader("api-key", null),
            TokensAsBearer = true,
            DeploymentNamesModel = true,
            CatalogueApplies = true,
            // Azure bills the same models at its own list prices, close to OpenAI's.
            ListPrices = OpenAIPrices,
        },
        // AITRE's API documentation names tts-1/tts-1-hd, four formats and the six classic voices.
        new(ProviderKind.Aitre, "tts-1")
        {
            DocumentedFormats = AudioFormats.Named("mp3, opus, aac, flac"),
            DocumentedVoices = ClassicVoices,
            VoiceLists = VoiceListShapes.Any,
        },
        // apimart's API documentation defaults to wav with gpt-4o-mini-tts, and its server has refused mp3 at times.
        new(ProviderKind.Apimart, "gpt-4o-mini-tts")
        {
            DefaultBaseUrl = "https://api.apimart.ai",
            DefaultFormat = AudioFormats.Named("wav")[0],
            Hosts = new ProviderHosts(new[] { "api.apimart.ai" }, Array.Empty<string>()),
            DocumentedFormats = AudioFormats.Named("wav, opus, aac, flac, pcm"),
            DocumentedVoices = ClassicVoices,
            VoiceLists = VoiceListShapes.Any,
        },
        // Local servers usually take no key even on another LAN host.
        new(ProviderKind.Local, "tts-1")
        {
            DefaultBaseUrl = "http://localhost:8880",
            Hosts = new ProviderHosts(Array.Empty<string>(), Array.Empty<string>(), Loopback: true),
            KeyRequired = false,
            VoiceLists = VoiceListShapes.Any,
        },
        new(ProviderKind.OpenAICompatible, "tts-1") { VoiceLists = VoiceListShapes.Any },
        new(ProviderKind.Offline, "tts-1") { KeyRequired = false, IsOffline = true, ServesModelList = false },
    };

    private ProviderProfile(ProviderKind kind, string defaultModel)
    {
        Kind = kind;
        DefaultModel = defaultModel;
    }

    public ProviderKind Kind { get; }

    /// <summary>The server root used when none is configured, or null when the user must give one.</summary>
    public string? DefaultBaseUrl { get; private init; }

    /// <summary>The model used when none is configured.</summary>
    public string DefaultModel { get; }

    /// <summary>The format used when none is configured.</summary>
    public AudioFormat DefaultFormat { get; private init; } = AudioFormats.Default;

    /// <summary>False for local servers and the offline provider; a loopback server never needs one either.</summary>
    public bool KeyRequired { get; private init; } = true;

    /// <summary>The header that carries the key.</summary>
    public KeyHeader Key { get; private init; } = KeyHeader.Bearer;

    /// <summary>An access token (a JWT, such as an Entra ID token) goes as a Bearer token, whatever <see cref="Key"/> says.</summary>
    public bool TokensAsBearer { get; private init; }

    /// <summary>
    /// Azure's rule: a deployment names the model in the URL (with an api-version), so the deployment is the default
    /// model; without one, the v1 route takes the model in the body.
    /// </summary>
    public bool DeploymentNamesModel { get; private init; }

    /// <summary>The formats the provider documents; null when it documents all six.</summary>
    public IReadOnlyList<AudioFormat>? DocumentedFormats { get; private init; }

    /// <summary>The voices the provider documents; null when the catalogue or the server decides.</summary>
    public IReadOnlyList<string>? DocumentedVoices { get; private init; }

    /// <summary>True where OpenAI's voice catalogue is what the server offers (OpenAI, Azure): the catalogue then judges voices.</summary>
    public bool CatalogueApplies { get; private init; }

    /// <summary>The voice-list shapes the provider's servers send; none where it has no list (asking would cost a 404).</summary>
    public VoiceListShapes VoiceLists { get; private init; }

    public bool ServesVoiceList => VoiceLists != VoiceListShapes.None;

    /// <summary>False where <c>/v1/models</c> does not list speech models, or where there is no server.</summary>
    public bool ServesModelList { get; private init; } = true;

    /// <summary>
    /// True where the model list is known to carry <c>shutdown_date</c> (OpenAI): a call then asks for the list once a
    /// session to judge its model. Elsewhere a call judges only by a list already fetched (Get-TtsModel, completion),
    /// so a local server gets no extra request.
    /// </summary>
    public bool AnnouncesShutdownDates { get; private init; }

    /// <summary>No server: the audio is made on this machine, nothing is sent, nothing is cached, nothing costs.</summary>
    public bool IsOffline { get; private init; }

    /// <summary>The hosts that tell this provider from its URL.</summary>
    public ProviderHosts Hosts { get; private init; } = ProviderHosts.None;

    /// <summary>The published list prices; empty where the provider publishes none this module knows.</summary>
    public IReadOnlyList<ListPrice> ListPrices { get; private init; } = Array.Empty<ListPrice>();

    /// <summary>The provider assumed when neither a provider nor a URL is set.</summary>
    public static ProviderProfile Default => All[0];

    /// <summary>Every header name any provider sends its key in: a user's extra header may not set one.</summary>
    public static IReadOnlyList<string> KeyHeaderNames { get; } = All.Select(p => p.Key.Name).Concat(new[] { KeyHeader.Bearer.Name }).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    public static ProviderProfile For(ProviderKind kind) => All.FirstOrDefault(p => p.Kind == kind) ?? For(ProviderKind.OpenAICompatible);

    /// <summary>The kind a base URL implies when none was set: OpenAI's when there is no URL.</summary>
    public static ProviderKind Infer(string? baseUrl) =>
        baseUrl is null || !Uri.TryCreate(baseUrl, UriKind.Absolute, out Uri? uri) ? Default.Kind : Recognize(uri).Kind;

    /// <summary>
    /// The provider a URL (a base URL or a request's) belongs to: by its host, else by a path only that provider's
    /// routes have; any other server is OpenAI-compatible.
    /// </summary>
    public static ProviderProfile Recognize(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
        {
            return For(ProviderKind.OpenAICompatible);
        }

        return All.FirstOrDefault(p => p.Hosts.MatchHost(uri))
            ?? All.FirstOrDefault(p => p.Hosts.MatchRoute(uri))
            ?? For(ProviderKind.OpenAICompatible);
    }

    /// <summary>The routes for a server root (normalized by <see cref="RootPath"/>).</summary>
    public ProviderRoutes Routes(Uri root, string? deployment, string apiVersion)
    {
        if (DeploymentNamesModel)
        {
            // Two routes: the deployment names the model in the URL (with an api-version), or the v1 route takes the
            // model in the body like OpenAI. Neither has a voices endpoint.
            return deployment is null
                ? new ProviderRoutes(Append(root, "openai/v1/audio/speech"), null, ServesModelList ? Append(root, "openai/v1/models") : null)
                : new ProviderRoutes(Append(root, "openai/deployments/" + Uri.EscapeDataString(deployment) + "/audio/speech", "api-version=" + Uri.EscapeDataString(apiVersion)), null, null);
        }

        return new ProviderRoutes(
            Append(root, "v1/audio/speech"),
            ServesVoiceList ? Append(root, "v1/audio/voices") : null,
            ServesModelList ? Append(root, "v1/models") : null);
    }

    /// <summary>
    /// The server root's path from a URL the user pasted: a full speech URL (…/v1/audio/speech, …/v1) goes back to its
    /// root, and an Azure URL from the portal or a sample (…/openai/deployments/x/audio/speech) to the resource endpoint.
    /// </summary>
    public string RootPath(string path)
    {
        if (DeploymentNamesModel)
        {
            int openai = path.IndexOf("/openai", StringComparison.OrdinalIgnoreCase);
            return openai >= 0 ? path.Substring(0, openai) : path;
        }

        foreach (string suffix in new[] { "/audio/speech", "/v1" })
        {
            if (path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                path = path.Substring(0, path.Length - suffix.Length);
            }
        }

        return path;
    }

    /// <summary>The header a key goes in: the provider's own, or Bearer for an access token where the provider takes those.</summary>
    public KeyHeader HeaderFor(string key) => TokensAsBearer && LooksLikeJwt(key) ? KeyHeader.Bearer : Key;

    /// <summary>Advice when a request goes beyond what the provider documents; null when it does not.</summary>
    public string? Advice(AudioFormat format, string voice)
    {
        var notes = new List<string>();
        if (DocumentedFormats is not null && !DocumentedFormats.Contains(format))
        {
            notes.Add($"{Kind} documents only {string.Join(", ", DocumentedFormats.Select(f => f.ToApiName()))}; {format.ToApiName()} may be refused");
        }

        if (DocumentedVoices is not null && !DocumentedVoices.Contains(voice, StringComparer.OrdinalIgnoreCase))
        {
            notes.Add($"{Kind} documents only the voices {string.Join(", ", DocumentedVoices)}; '{voice}' may be refused");
        }

        return notes.Count == 0 ? null : string.Join("; ", notes) + ".";
    }

    /// <summary>
    /// What sending <paramref name="characters"/> characters to <paramref name="model"/> costs: nothing offline; the
    /// user's stored price (a gateway's own) over any list; the list price; else unknown, and the basis says why.
    /// </summary>
    public PriceQuote Quote(string model, int characters, double speed, double? storedPricePerMillionCharacters)
    {
        if (IsOffline)
        {
            return new PriceQuote(0, "the offline provider is free: nothing is sent");
        }

        if (storedPricePerMillionCharacters is double stored)
        {
            return new PriceQuote(characters * stored / 1e6, string.Format(CultureInfo.InvariantCulture, "the profile's PricePerMillionCharacters, ${0} per million characters", stored));
        }

        if (ListPrices.Count == 0)
        {
            return new PriceQuote(null, string.Format(CultureInfo.InvariantCulture, "no price is known for the {0} provider; store one with Set-TtsConfiguration -PricePerMillionCharacters", Kind));
        }

        ListPrice? price = ListPrices.FirstOrDefault(p => model.StartsWith(p.ModelPrefix, StringComparison.OrdinalIgnoreCase));
        if (price?.PerMillionCharacters is double perMillion)
        {
            return new PriceQuote(characters * perMillion / 1e6, string.Format(CultureInfo.InvariantCulture, "{0} at ${1} per million characters ({2})", price.ModelPrefix, perMillion, price.PriceList));
        }

        if (price?.PerMinuteOfAudio is double perMinute)
        {
            double minutes = characters / (CharactersPerMinute * Math.Max(0.25, speed));
            return new PriceQuote(minutes * perMinute, string.Format(
                CultureInfo.InvariantCulture,
                "{0} at {1} of ${2} a minute of audio, for about {3:0.0} minutes expected at {4} characters a minute at speed {5}: an estimate",
                price.ModelPrefix,
                price.PriceList,
                perMinute,
                minutes,
                CharactersPerMinute,
                speed));
        }

        return new PriceQuote(null, $"no price is known for the model '{model}'; store one with Set-TtsConfiguration -PricePerMillionCharacters");
    }

    /// <summary>What a 404 from this provider says first, where its routes make it specific; null for the general wording.</summary>
    public string? NotFoundLead(string shownUrl, string? serverCode) =>
        DeploymentNamesModel && string.Equals(serverCode, "DeploymentNotFound", StringComparison.OrdinalIgnoreCase)
            ? "The Azure OpenAI deployment in " + shownUrl + " was not found"
            : null;

    /// <summary>How to fix a URL this provider's server did not find; null for the general advice about BaseUrl.</summary>
    public string? NotFoundHint(Uri requestUri)
    {
        if (!DeploymentNamesModel)
        {
            return null;
        }

        string endpoint = requestUri.IsAbsoluteUri ? requestUri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) : "{endpoint}";
        return "For Azure OpenAI the URL must name a deployment that exists; the deployment's name stands where the model's would be. "
            + "Use " + endpoint + "/openai/deployments/{deployment}/audio/speech?api-version={api-version}, "
            + "or " + endpoint + "/openai/v1/audio/speech with the deployment name as the model, "
            + "and check the deployment's exact name in the Azure portal.";
    }

    /// <summary>
    /// Whether a "model not found" answer means the model name is wrong: not where a deployment stands for the model,
    /// since then the URL is what is wrong.
    /// </summary>
    public bool ModelNotFoundMeansModel => !DeploymentNamesModel;

    public override string ToString() => Kind.ToString();

    private static bool LooksLikeJwt(string key) => key.StartsWith("eyJ", StringComparison.Ordinal) && key.Split('.').Length == 3;

    private static Uri Append(Uri root, string relative, string? query = null)
    {
        string path = root.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(root) { Path = path + "/" + relative, Query = query ?? string.Empty };
        return builder.Uri;
    }
}
