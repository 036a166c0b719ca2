using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Threading;

namespace AitreTts.Core.Http;

/// <summary>
/// One long-lived <see cref="HttpClient"/> per endpoint and proxy, shared by every pipeline item and every runspace
/// of the process, so a batch reuses its connections instead of exhausting sockets.
/// </summary>
public static class HttpClientCache
{
    private static readonly ConcurrentDictionary<string, Lazy<HttpClient>> Clients = new(StringComparer.Ordinal);

    /// <summary>The shared client for the origin of <paramref name="uri"/> and the given proxy settings.</summary>
    public static HttpClient Get(Uri uri, ProxySettings? proxy = null)
    {
        string key = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + "|" + (proxy?.CacheKey ?? "default");
        return Clients.GetOrAdd(key, _ => new Lazy<HttpClient>(() => Create(proxy), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    private static HttpClient Create(ProxySettings? proxy)
    {
        var handler = new HttpClientHandler
        {
            // Redirects are followed by SpeechClient itself, so that the Authorization header never reaches another
            // origin: .NET Framework's handler would carry it along.
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        proxy?.Apply(handler);
        return new HttpClient(handler, disposeHandler: true)
        {
            // Time limits are enforced per attempt and per body read by SpeechClient; the client-wide timeout would
            // cut off long downloads that are still making progress.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }
}

/// <summary>How requests reach the network: an explicit proxy, or the environment's.</summary>
public sealed class ProxySettings
{
    /// <summary>The proxy URL, or null to use the system and environment settings.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>Credentials for the proxy.</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>Use the current user's Windows credentials for the proxy.</summary>
    public bool UseDefaultCredentials { get; init; }

    internal string CacheKey => (Proxy?.ToString() ?? "system") + "|" + (Credential is null ? "-" : Credential.UserName + "@" + Credential.Domain + "#" + Credential.Password.GetHashCode()) + "|" + UseDefaultCredentials;

    internal void Apply(HttpClientHandler handler)
    {
        if (Proxy is not null)
        {
            handler.UseProxy = true;
            handler.Proxy = new WebProxy(Proxy) { Credentials = UseDefaultCredentials ? CredentialCache.DefaultCredentials : Credential };
        }
        else if (UseDefaultCredentials)
        {
            handler.DefaultProxyCredentials = CredentialCache.DefaultCredentials;
        }
    }
}
