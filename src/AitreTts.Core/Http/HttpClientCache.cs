using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core.Errors;
using AitreTts.Core.Security;

namespace AitreTts.Core.Http;

/// <summary>
/// One long-lived handler per endpoint and proxy, shared by every pipeline item and every runspace of the process, so a
/// batch reuses its connections instead of exhausting sockets.
/// </summary>
internal static class HttpClientCache
{
    private static readonly ConcurrentDictionary<string, Lazy<HttpConnections>> Clients = new(StringComparer.Ordinal);

    /// <summary>The shared connections for the origin of <paramref name="uri"/> and the given proxy settings.</summary>
    public static HttpConnections Get(Uri uri, ProxySettings? proxy = null)
    {
        proxy ??= new ProxySettings();
        string key = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + "|" + proxy.CacheKey;
        return Clients.GetOrAdd(key, _ => new Lazy<HttpConnections>(() => Create(uri, proxy, MaximumConnectionsPerServer), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>
    /// More connections to one server than any pipeline opens at once (-ThrottleLimit is at most 16, and several
    /// runspaces may share a client): .NET Framework's handler otherwise copies ServicePointManager's limit, 2 in
    /// powershell.exe, and every chunk past the second waits for a connection.
    /// </summary>
    internal const int MaximumConnectionsPerServer = 64;

    /// <summary>New connections to the server of <paramref name="uri"/>, at most <paramref name="maximumConnections"/> at once.</summary>
    internal static HttpConnections Create(Uri uri, ProxySettings proxy, int maximumConnections)
    {
        HttpClientHandler handler = CreateHandler(proxy, maximumConnections);
#if NETFRAMEWORK
        RaiseServicePointLimit(uri, handler, maximumConnections);
#endif
        return new HttpConnections(handler, maximumConnections);
    }

#if NETFRAMEWORK
    /// <summary>
    /// On .NET Framework 4.6.2-4.7.0 a handler has no limit of its own: requests take the limit of the server's
    /// ServicePoint, which is fixed when the ServicePoint is made. Raising ServicePointManager.DefaultConnectionLimit
    /// misses a server the session contacted before the import (Invoke-WebRequest, an earlier module), which keeps 2;
    /// so the ServicePoint the requests will use, the proxy's when there is one, is raised itself, never lowered.
    /// </summary>
    internal static void RaiseServicePointLimit(Uri uri, HttpClientHandler handler, int maximumConnections)
    {
        IWebProxy? proxy = handler.UseProxy ? handler.Proxy ?? WebRequest.DefaultWebProxy : null;
        ServicePoint point = ServicePointManager.FindServicePoint(uri, proxy);
        if (point.ConnectionLimit < maximumConnections)
        {
            point.ConnectionLimit = maximumConnections;
        }
    }
#endif

    internal static HttpClientHandler CreateHandler(ProxySettings proxy, int maximumConnections = MaximumConnectionsPerServer)
    {
        var handler = new HttpClientHandler
        {
            // Redirects are followed by SpeechClient itself, so that the Authorization header never reaches another
            // origin: .NET Framework's handler would carry it along.
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        try
        {
            handler.MaxConnectionsPerServer = maximumConnections;
        }
        catch (PlatformNotSupportedException)
        {
            // A handler without the setting (some platforms' own) has no per-server limit to raise.
        }

        proxy.Apply(handler);
        return handler;
    }
}

/// <summary>
/// A handler and the connection slots to its server. A request waits for a slot before it is sent, and keeps it until
/// its response is read, so the handler never queues a request behind its own connection limit: the time spent waiting
/// for a slot is outside the request's -TimeoutSec, which starts when it is sent.
/// </summary>
internal sealed class HttpConnections
{
    private readonly SemaphoreSlim _slots;

    public HttpConnections(HttpMessageHandler handler, int maximumConnections)
    {
        // An invoker, not an HttpClient: HttpClient hands the handler a token of its own that it drops once the headers
        // are in, and .NET Framework's handler aborts its HttpWebRequest only when the token it was given is cancelled.
        // Given the attempt's own token, a body that stalls is aborted at the time limit however it is framed.
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        _slots = new SemaphoreSlim(maximumConnections, maximumConnections);
    }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>Waits for a free connection; dispose the result once the response is read.</summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Slot(_slots);
    }

    private sealed class Slot : IDisposable
    {
        private SemaphoreSlim? _slots;

        public Slot(SemaphoreSlim slots) => _slots = slots;

        public void Dispose() => Interlocked.Exchange(ref _slots, null)?.Release();
    }
}

/// <summary>How requests reach the network: an explicit proxy, the environment's, or the system's.</summary>
internal sealed class ProxySettings
{
    /// <summary>The proxy URL, or null to use the environment's (HTTPS_PROXY, NO_PROXY) or else the system's.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>Credentials for the proxy.</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>Use the current user's Windows credentials for the proxy.</summary>
    public bool UseDefaultCredentials { get; init; }

    /// <summary>Accept any server certificate (-SkipCertificateCheck): for a gateway with a self-signed or internal certificate.</summary>
    public bool SkipCertificateCheck { get; init; }

    /// <summary>Reads environment variables; replaceable for tests.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>
    /// The one check of a proxy address, whether given to -Proxy, stored, or about to be stored: an absolute http:// or
    /// https:// URL with a host. Anything else (<c>bob:pw@proxy:8080</c> without a scheme parses as the scheme "bob";
    /// <c>proxy:8080</c> as a relative URI; <c>ftp://</c> is a scheme HttpClient cannot use as a proxy) is refused
    /// here rather than failing later with a raw .NET exception that quotes the password.
    /// </summary>
    /// <param name="address">The address as given; a relative <see cref="Uri"/> is checked by its original text.</param>
    /// <returns>The address as an absolute URI.</returns>
    /// <exception cref="TtsException">TtsInvalidProxy; its message never shows the address's user info.</exception>
    public static Uri ParseAddress(string? address)
    {
        string text = (address ?? string.Empty).Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? proxy)
            && (proxy.Scheme == Uri.UriSchemeHttp || proxy.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(proxy.Host))
        {
            return proxy;
        }

        throw new TtsException(
            TtsErrorIds.InvalidProxy,
            TtsErrorCategory.InvalidArgument,
            $"The proxy '{SecretRedactor.ShownAddress(text)}' is not a valid proxy address. Give an absolute http:// or https:// URL with a host, such as http://proxy.corp:8080; give a user name and password with -ProxyCredential.");
    }

    /// <inheritdoc cref="ParseAddress(string)"/>
    public static Uri ParseAddress(Uri address) => ParseAddress(address?.OriginalString);

    internal string CacheKey
    {
        get
        {
            NetworkCredential? explicitCredential = ExplicitCredential;
            string credential = explicitCredential is null ? "-" : explicitCredential.Domain + "\\" + explicitCredential.UserName + "#" + Fingerprint(explicitCredential.Password);
            string environment = Proxy is null ? EnvironmentProxy.FromEnvironment(Environment)?.Description ?? "system" : "explicit";
            return (ProxyAddress is Uri address ? address.ToString() : "-") + "|" + credential + "|" + UseDefaultCredentials + "|" + environment + "|" + SkipCertificateCheck;
        }
    }

    /// <summary>The explicit proxy without any user info, which travels as credentials instead.</summary>
    internal Uri? ProxyAddress => Proxy is null ? null : SplitUserInfo(Proxy).Address;

    /// <summary><see cref="Credential"/>, or else the <c>user:password@</c> of an explicit proxy URL.</summary>
    internal NetworkCredential? ExplicitCredential => Credential ?? (Proxy is null ? null : SplitUserInfo(Proxy).Credential);

    /// <summary>
    /// Takes a proxy URL's <c>user:password@</c> out into a credential, so the address can be used, stored and shown
    /// without it.
    /// </summary>
    /// <param name="proxy">A proxy URL, with or without user info.</param>
    public static (Uri Address, NetworkCredential? Credential) SplitUserInfo(Uri proxy)
    {
        if (string.IsNullOrEmpty(proxy.UserInfo))
        {
            return (proxy, null);
        }

        string[] parts = proxy.UserInfo.Split(new[] { ':' }, 2);
        var credential = new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
        return (new UriBuilder(proxy) { UserName = string.Empty, Password = string.Empty }.Uri, credential);
    }

    /// <summary>Every proxy password these settings hold, so messages can be cleaned of them.</summary>
    internal IEnumerable<string> Passwords()
    {
        if (ExplicitCredential?.Password is { Length: > 0 } password)
        {
            yield return password;
        }

        if (Proxy is null && EnvironmentProxy.FromEnvironment(Environment)?.Credentials is NetworkCredential environmentCredential
            && environmentCredential.Password is { Length: > 0 } environmentPassword)
        {
            yield return environmentPassword;
        }
    }

    /// <summary>
    /// The proxy a request to <paramref name="destination"/> goes through when these settings name one (explicitly or
    /// in the environment); null for a direct connection or the system's proxy.
    /// </summary>
    internal Uri? ProxyFor(Uri destination) =>
        RuntimeBypassesLoopback && destination.IsLoopback ? null : NamedProxyFor(destination);

    /// <summary>
    /// True on .NET Framework (Windows PowerShell 5.1): its HttpWebRequest never sends a request for a loopback address
    /// (localhost, 127.0.0.0/8, ::1) through any proxy (ServicePointManager.FindServicePoint skips the proxy when
    /// <see cref="Uri.IsLoopback"/>), whatever the proxy object says. The module does not fight that: the request goes
    /// directly, as on 5.1 it must, and <see cref="ExplainLoopbackBypass"/> says so. Tests set it.
    /// </summary>
    internal bool RuntimeBypassesLoopback { get; init; } =
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

    /// <summary>Says under -Verbose when a proxy the user named is not used because the runtime bypasses it for loopback.</summary>
    internal void ExplainLoopbackBypass(Uri destination, TtsLog log)
    {
        if (RuntimeBypassesLoopback && destination.IsLoopback && NamedProxyFor(destination) is Uri proxy)
        {
            log.Verbose($"Connecting directly to {SecretRedactor.ShownUrl(new Uri(destination.GetLeftPart(UriPartial.Authority)))}, not through the proxy {SecretRedactor.ShownUrl(proxy)}: .NET Framework, which Windows PowerShell 5.1 runs on, sends no request for a loopback address through a proxy. To go through the proxy, use this machine's name instead of {destination.Host} in the BaseUrl, or PowerShell 7.");
        }
    }

    private Uri? NamedProxyFor(Uri destination)
    {
        if (ProxyAddress is Uri address)
        {
            return address;
        }

        EnvironmentProxy? environmentProxy = EnvironmentProxy.FromEnvironment(Environment);
        return environmentProxy is null || environmentProxy.IsBypassed(destination) ? null : environmentProxy.GetProxy(destination);
    }

    internal void Apply(HttpClientHandler handler)
    {
        if (SkipCertificateCheck)
        {
            AcceptAnyCertificate(handler);
        }

        ICredentials? credentials = UseDefaultCredentials ? CredentialCache.DefaultCredentials : ExplicitCredential;
        if (ProxyAddress is Uri address)
        {
            handler.UseProxy = true;
            handler.Proxy = new ExplicitProxy(address) { Credentials = credentials };
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

    private static void AcceptAnyCertificate(HttpClientHandler handler)
    {
        Func<HttpRequestMessage, X509Certificate2, X509Chain, SslPolicyErrors, bool> acceptAll = (_, _, _, _) => true;
#if NETFRAMEWORK
        // The property came with .NET Framework 4.7.1; Windows PowerShell 5.1 usually runs on 4.8, but is built against 4.6.2.
        System.Reflection.PropertyInfo? property = typeof(HttpClientHandler).GetProperty("ServerCertificateCustomValidationCallback");
        if (property is null)
        {
            throw new TtsException(TtsErrorIds.ConfigurationInvalid, TtsErrorCategory.InvalidOperation, "-SkipCertificateCheck needs .NET Framework 4.7.1 or later; install it, or trust the server's certificate in the Windows certificate store.");
        }

        property.SetValue(handler, acceptAll);
#else
        handler.ServerCertificateCustomValidationCallback = acceptAll;
#endif
    }

    // Two credentials for one user must not share a client; the password itself never becomes part of a key.
    private static string Fingerprint(string password)
    {
        using var sha = System.Security.Cryptography.SHA256.Create();
        byte[] digest = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(password));
        return Convert.ToBase64String(digest, 0, 9);
    }
}

/// <summary>
/// The proxy -Proxy names, for every destination, this machine included. <see cref="WebProxy"/> cannot be that:
/// on .NET Framework it always bypasses loopback addresses, whatever BypassProxyOnLocal says, so Windows PowerShell
/// 5.1 would reach a local server around the proxy the user asked for.
/// </summary>
internal sealed class ExplicitProxy : IWebProxy
{
    private readonly Uri _address;

    public ExplicitProxy(Uri address) => _address = address;

    public ICredentials? Credentials { get; set; }

    public Uri GetProxy(Uri destination) => _address;

    public bool IsBypassed(Uri host) => false;
}
