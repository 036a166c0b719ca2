using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Security;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Providers;
using AitreTts.Core.Security;

namespace AitreTts.Core.Http;

/// <summary>Where requests go and how they authenticate.</summary>
internal sealed class TtsEndpoint
{
    private TtsEndpoint(Uri baseUrl, SecureString? apiKey, ProviderProfile profile, string? deployment, string apiVersion, bool allowUnencryptedAuthentication, ExtraQueryParameters? extraQuery)
    {
        BaseUrl = baseUrl;
        AllowUnencryptedAuthentication = allowUnencryptedAuthentication;
        ApiKey = apiKey;
        Profile = profile;
        Deployment = deployment;
        ProviderRoutes routes = profile.Routes(baseUrl, deployment, apiVersion);
        ExtraQuery = extraQuery is { Count: > 0 } ? extraQuery : null;
        SpeechUri = ExtraQuery?.AppendTo(routes.Speech) ?? routes.Speech;
        VoicesUri = routes.Voices is null ? null : ExtraQuery?.AppendTo(routes.Voices) ?? routes.Voices;
        ModelsUri = routes.Models is null ? null : ExtraQuery?.AppendTo(routes.Models) ?? routes.Models;
    }

    /// <summary>The server root as the user gave it, normalized to end without a slash.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The key, or null for servers that need none.</summary>
    public SecureString? ApiKey { get; }

    /// <summary>What the provider's servers are like: routes, key header, voice lists.</summary>
    public ProviderProfile Profile { get; }

    public ProviderKind Provider => Profile.Kind;

    /// <summary>The Azure deployment, when the deployment route is used.</summary>
    public string? Deployment { get; }

    /// <summary>Where speech requests go.</summary>
    public Uri SpeechUri { get; }

    /// <summary><c>{BaseUrl}/v1/audio/voices</c>, which Kokoro and some gateways serve; null where the provider serves no voice list.</summary>
    public Uri? VoicesUri { get; }

    /// <summary>The models list, or null where the provider has none.</summary>
    public Uri? ModelsUri { get; }

    /// <summary>Query parameters added to every URL (-ExtraQuery); null for none.</summary>
    internal ExtraQueryParameters? ExtraQuery { get; }

    /// <summary>The user allowed the key to travel over plain http to any host (-AllowUnencryptedAuthentication).</summary>
    public bool AllowUnencryptedAuthentication { get; }

    /// <summary>
    /// Why the configuration held a key back from this server (it belongs to another), when it did: a 401 to a request
    /// without a key then says so.
    /// </summary>
    public string? HeldBackKeyReason { get; init; }

    /// <summary>Extra headers for a gateway; those that look like credentials go only to the endpoint's own origin, like the key.</summary>
    internal RequestHeaders? Headers { get; init; }

    /// <summary>The User-Agent sent with every request.</summary>
    internal string UserAgent { get; init; } = DefaultUserAgent;

    internal static readonly string DefaultUserAgent = "AitreTts/" + typeof(TtsEndpoint).Assembly.GetName().Version!.ToString(3);


    /// <summary>
    /// Validates a base URL and the key that goes with it. Accepts the server root (<c>https://api.openai.com</c>)
    /// as well as the form that ends in <c>/v1</c> (<c>OPENAI_BASE_URL</c>'s convention), never doubling <c>/v1</c>.
    /// </summary>
    /// <param name="baseUrl">The server root.</param>
    /// <param name="apiKey">The key, or null.</param>
    /// <param name="allowUnencryptedAuthentication">Allow a key over plain http to another host.</param>
    /// <param name="provider">The kind of server; inferred from the URL when null.</param>
    /// <param name="deployment">An Azure deployment: selects the deployment route.</param>
    /// <param name="apiVersion">The Azure api-version of the deployment route.</param>
    /// <param name="heldBackKeyReason">Why the configuration held a key back from this server, if it did.</param>
    /// <param name="headers">Extra headers for a gateway.</param>
    /// <param name="extraQuery">Query parameters for every URL (-ExtraQuery).</param>
    /// <param name="userAgent">The User-Agent; null for the module's own.</param>
    /// <exception cref="TtsException">TtsInvalidBaseUrl, TtsApiKeyMissing or TtsInsecureTransport.</exception>
    public static TtsEndpoint Create(
        string? baseUrl,
        SecureString? apiKey,
        bool allowUnencryptedAuthentication = false,
        ProviderKind? provider = null,
        string? deployment = null,
        string? apiVersion = null,
        string? heldBackKeyReason = null,
        RequestHeaders? headers = null,
        string? userAgent = null,
        ExtraQueryParameters? extraQuery = null)
    {
        ProviderProfile profile = ProviderProfile.For(provider ?? ProviderProfile.Infer(baseUrl));
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            throw new TtsException(
                TtsErrorIds.InvalidBaseUrl,
                TtsErrorCategory.InvalidArgument,
                $"No BaseUrl is set for the {profile.Kind} provider, which has no default server. Run 'Set-TtsConfiguration -BaseUrl <url>' (for Azure, the resource endpoint such as https://my-resource.openai.azure.com), or pass -BaseUrl.");
        }

        Uri root = ParseBaseUrl(baseUrl, profile.Kind);
        if (apiKey is { Length: 0 })
        {
            apiKey = null;
        }

        bool loopback = ProviderHosts.IsLoopback(root);
        if (apiKey is null && !loopback && profile.KeyRequired)
        {
            throw new TtsException(
                TtsErrorIds.ApiKeyMissing,
                TtsErrorCategory.AuthenticationError,
                $"No API key is set for {root.Host}. Run 'Set-TtsConfiguration -ApiKey <key>' once, set the AITRE_API_KEY or OPENAI_API_KEY environment variable, or pass -ApiKey. A server that needs no key can be set with -Provider Local.");
        }

        if (apiKey is not null && root.Scheme == Uri.UriSchemeHttp && !loopback && !allowUnencryptedAuthentication)
        {
            throw new TtsException(
                TtsErrorIds.InsecureTransport,
                TtsErrorCategory.SecurityError,
                $"Refusing to send the API key over unencrypted http to {root.Host}. Use an https:// BaseUrl, or pass -AllowUnencryptedAuthentication if this network is trusted.");
        }

        return new TtsEndpoint(root, apiKey, profile, string.IsNullOrWhiteSpace(deployment) ? null : deployment!.Trim(), string.IsNullOrWhiteSpace(apiVersion) ? (string)Setting.ApiVersion.DefaultValue! : apiVersion!.Trim(), allowUnencryptedAuthentication, extraQuery)
        {
            HeldBackKeyReason = apiKey is null ? heldBackKeyReason : null,
            Headers = headers,
            UserAgent = string.IsNullOrWhiteSpace(userAgent) ? DefaultUserAgent : userAgent!,
        };
    }

    /// <summary>Sets the User-Agent, the extra headers, and the key in the header the provider takes it in.</summary>
    public void ApplyHeaders(HttpRequestMessage message, Uri target)
    {
        message.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        foreach (KeyValuePair<string, string> header in Headers ?? new RequestHeaders())
        {
            if (!RequestHeaders.IsCredential(header.Key) || SameOrigin(target, SpeechUri))
            {
                message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        if (!SendsKeyTo(target))
        {
            return;
        }

        string key = SecretText.Reveal(ApiKey!);
        KeyHeader keyHeader = Profile.HeaderFor(key);
        message.Headers.TryAddWithoutValidation(keyHeader.Name, keyHeader.ValueFor(key));
    }

    /// <summary>True when a request to <paramref name="target"/> carries the key.</summary>
    public bool SendsKeyTo(Uri target) => ApiKey is not null && SameOrigin(target, SpeechUri);

    /// <summary>True when two URLs share scheme, host and port: only then may a credential go along.</summary>
    public static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>Parses and normalizes a base URL.</summary>
    /// <exception cref="TtsException">TtsInvalidBaseUrl.</exception>
    public static Uri ParseBaseUrl(string? baseUrl) => ParseBaseUrl(baseUrl, ProviderProfile.Infer(baseUrl));

    /// <summary>Parses and normalizes a base URL for a provider.</summary>
    /// <exception cref="TtsException">TtsInvalidBaseUrl.</exception>
    public static Uri ParseBaseUrl(string? baseUrl, ProviderKind provider)
    {
        string text = (baseUrl ?? string.Empty).Trim();
        if (text.Length == 0
            || !Uri.TryCreate(text, UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new TtsException(
                TtsErrorIds.InvalidBaseUrl,
                TtsErrorCategory.InvalidArgument,
                $"'{SecretRedactor.ShownAddress(text)}' is not a valid BaseUrl. Give an absolute http:// or https:// URL of the server root, such as https://api.openai.com or http://localhost:8880.");
        }

        // A user:password@ in the URL would be quoted in -Verbose output, messages and the configuration file, and a
        // query may hold a key: refuse both, naming the URL only as ShownUrl prints it.
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new TtsException(
                TtsErrorIds.InvalidBaseUrl,
                TtsErrorCategory.InvalidArgument,
                $"The BaseUrl {SecretRedactor.ShownUrl(uri)} has a user name or password in it (user:password@). Give only the server root, and pass the credential with -ApiKey (or store it with Set-TtsConfiguration -ApiKey).");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new TtsException(
                TtsErrorIds.InvalidBaseUrl,
                TtsErrorCategory.InvalidArgument,
                $"The BaseUrl {SecretRedactor.ShownUrl(uri)} has a query or fragment (?...). Give only the server root, such as https://api.openai.com, and pass a key with -ApiKey rather than in the URL.");
        }

        string path = ProviderProfile.For(provider).RootPath(CollapseSlashes(uri.AbsolutePath).TrimEnd('/'));
        var builder = new UriBuilder(uri) { Path = path.Length == 0 ? "/" : path, Query = string.Empty, Fragment = string.Empty };
        return builder.Uri;
    }

    private static string CollapseSlashes(string path)
    {
        while (path.Contains("//"))
        {
            path = path.Replace("//", "/");
        }

        return path;
    }

    /// <summary>The base URL only; the key is never part of the text.</summary>
    public override string ToString() => BaseUrl.ToString().TrimEnd('/');
}
