using System;
using System.Net;
using System.Security;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Http;

/// <summary>Where requests go and how they authenticate.</summary>
public sealed class TtsEndpoint
{
    private TtsEndpoint(Uri baseUrl, SecureString? apiKey)
    {
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        SpeechUri = Append(baseUrl, "audio/speech");
        VoicesUri = Append(baseUrl, "audio/voices");
        ModelsUri = Append(baseUrl, "models");
    }

    /// <summary>The server root as the user gave it, normalized to end without a slash.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The key, or null for servers that need none.</summary>
    public SecureString? ApiKey { get; }

    /// <summary><c>{BaseUrl}/v1/audio/speech</c>.</summary>
    public Uri SpeechUri { get; }

    /// <summary><c>{BaseUrl}/v1/audio/voices</c>, which Kokoro and some gateways serve.</summary>
    public Uri VoicesUri { get; }

    /// <summary><c>{BaseUrl}/v1/models</c>.</summary>
    public Uri ModelsUri { get; }

    /// <summary>True when the host is this machine, where plain http and a missing key are normal.</summary>
    public bool IsLoopback => IsLoopbackHost(BaseUrl);

    /// <summary>
    /// Validates a base URL and the key that goes with it. Accepts the server root (<c>https://api.openai.com</c>)
    /// as well as the form that ends in <c>/v1</c> (<c>OPENAI_BASE_URL</c>'s convention), never doubling <c>/v1</c>.
    /// </summary>
    /// <exception cref="TtsException">TtsInvalidBaseUrl, TtsApiKeyMissing or TtsInsecureTransport.</exception>
    public static TtsEndpoint Create(string? baseUrl, SecureString? apiKey, bool allowUnencryptedAuthentication = false)
    {
        Uri root = ParseBaseUrl(baseUrl);
        if (apiKey is { Length: 0 })
        {
            apiKey = null;
        }

        bool loopback = IsLoopbackHost(root);
        if (apiKey is null && !loopback)
        {
            throw new TtsException(
                TtsErrorIds.ApiKeyMissing,
                TtsErrorCategory.AuthenticationError,
                $"No API key is set for {root.Host}. Run 'Set-TtsConfiguration -ApiKey <key>' once, set the AITRE_API_KEY or OPENAI_API_KEY environment variable, or pass -ApiKey.");
        }

        if (apiKey is not null && root.Scheme == Uri.UriSchemeHttp && !loopback && !allowUnencryptedAuthentication)
        {
            throw new TtsException(
                TtsErrorIds.InsecureTransport,
                TtsErrorCategory.SecurityError,
                $"Refusing to send the API key over unencrypted http to {root.Host}. Use an https:// BaseUrl, or pass -AllowUnencryptedAuthentication if this network is trusted.");
        }

        return new TtsEndpoint(root, apiKey);
    }

    /// <summary>Parses and normalizes a base URL.</summary>
    /// <exception cref="TtsException">TtsInvalidBaseUrl.</exception>
    public static Uri ParseBaseUrl(string? baseUrl)
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
                $"'{text}' is not a valid BaseUrl. Give an absolute http:// or https:// URL of the server root, such as https://api.openai.com or http://localhost:8880.");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new TtsException(
                TtsErrorIds.InvalidBaseUrl,
                TtsErrorCategory.InvalidArgument,
                $"The BaseUrl '{text}' has a query or fragment. Give only the server root, such as https://api.openai.com.");
        }

        string path = uri.AbsolutePath.TrimEnd('/');
        // A full speech URL pasted as the base is a frequent mistake; take it back to its root.
        foreach (string suffix in new[] { "/audio/speech", "/v1" })
        {
            if (path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                path = path.Substring(0, path.Length - suffix.Length);
            }
        }

        var builder = new UriBuilder(uri) { Path = path.Length == 0 ? "/" : path, Query = string.Empty, Fragment = string.Empty };
        return builder.Uri;
    }

    /// <summary>True for localhost and loopback addresses.</summary>
    public static bool IsLoopbackHost(Uri uri) =>
        uri.IsLoopback
        || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));

    private static Uri Append(Uri root, string relative)
    {
        string path = root.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(root) { Path = path + "/v1/" + relative };
        return builder.Uri;
    }

    /// <summary>The base URL only; the key is never part of the text.</summary>
    public override string ToString() => BaseUrl.ToString().TrimEnd('/');
}
