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
        proxy ??= new ProxySettings();
        string key = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + "|" + proxy.CacheKey;
        return Clients.GetOrAdd(key, _ => new Lazy<HttpClient>(() => Create(proxy), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    private static HttpClient Create(ProxySettings proxy)
    {
        var handler = new HttpClientHandler
        {
            // Redirects are followed by SpeechClient itself, so that the Authorization header never reaches another
            // origin: .NET Framework's handler would carry it along.
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        proxy.Apply(handler);
        return new HttpClient(handler, disposeHandler: true)
        {
            // Time limits are enforced per attempt and per body read by SpeechClient; the client-wide timeout would
            // cut off long downloads that are still making progress.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }
}

/// <summary>How requests reach the network: an explicit proxy, the environment's, or the system's.</summary>
public sealed class ProxySettings
{
    /// <summary>The proxy URL, or null to use the environment's (HTTPS_PROXY, NO_PROXY) or else the system's.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>Credentials for the proxy.</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>Use the current user's Windows credentials for the proxy.</summary>
    public bool UseDefaultCredentials { get; init; }

    /// <summary>Reads environment variables; replaceable for tests.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    internal string CacheKey
    {
        get
        {
            string credential = Credential is null ? "-" : Credential.Domain + "\\" + Credential.UserName + "#" + Fingerprint(Credential.Password);
            string environment = Proxy is null ? EnvironmentProxy.FromEnvironment(Environment)?.Description ?? "system" : "explicit";
            return (Proxy?.ToString() ?? "-") + "|" + credential + "|" + UseDefaultCredentials + "|" + environment;
        }
    }

    internal void Apply(HttpClientHandler handler)
    {
        ICredentials? credentials = UseDefaultCredentials ? CredentialCache.DefaultCredentials : Credential;
        if (Proxy is not null)
        {
            handler.UseProxy = true;
            handler.Proxy = new WebProxy(Proxy) { Credentials = credentials, BypassProxyOnLocal = false };
        }
        else if (EnvironmentProxy.FromEnvironment(Environment) is EnvironmentProxy environmentProxy)
        {
            handler.UseProxy = true;
            environmentProxy.Credentials = credentials ?? environmentProxy.Credentials;
            handler.Proxy = environmentProxy;
        }
        else if (credentials is not null)
        {
            handler.DefaultProxyCredentials = credentials;
        }
    }

    // Two credentials for one user must not share a client; the password itself never becomes part of a key.
    private static string Fingerprint(string password)
    {
        using var sha = System.Security.Cryptography.SHA256.Create();
        byte[] digest = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(password));
        return Convert.ToBase64String(digest, 0, 9);
    }
}
