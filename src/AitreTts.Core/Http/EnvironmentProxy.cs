using System;
using System.Linq;
using System.Net;
using AitreTts.Core.Providers;

namespace AitreTts.Core.Http;

/// <summary>
/// The proxy that <c>HTTPS_PROXY</c>, <c>HTTP_PROXY</c>, <c>ALL_PROXY</c> and <c>NO_PROXY</c> describe (lower case
/// first, as curl reads them), except that loopback destinations are always reached directly. .NET on PowerShell 7 honours these itself, but .NET Framework under Windows
/// PowerShell 5.1 does not (PSOpenAI issue 4), so the module reads them on both editions alike.
/// </summary>
internal sealed class EnvironmentProxy : IWebProxy
{
    private readonly Uri? _http;
    private readonly Uri? _https;
    private readonly string[] _bypass;

    private EnvironmentProxy(Uri? http, Uri? https, string[] bypass)
    {
        _http = http;
        _https = https;
        _bypass = bypass;
        if ((https ?? http) is Uri withUser)
        {
            Credentials = ProxySettings.SplitUserInfo(withUser).Credential;
        }
    }

    /// <summary>Credentials from the proxy URL's user info, if any.</summary>
    public ICredentials? Credentials { get; set; }

    /// <summary>A text that changes whenever the variables do, so cached clients follow a changed environment.</summary>
    public string Description => (_http?.GetLeftPart(UriPartial.Authority) ?? "-") + "|" + (_https?.GetLeftPart(UriPartial.Authority) ?? "-") + "|" + string.Join(",", _bypass);

    /// <summary>The proxy the environment names, or null when it names none.</summary>
    public static EnvironmentProxy? FromEnvironment(Func<string, string?> environment)
    {
        string? Read(string name) => environment(name.ToLowerInvariant()) is { Length: > 0 } lower ? lower : environment(name) is { Length: > 0 } upper ? upper : null;

        Uri? all = Parse(Read("ALL_PROXY"));
        Uri? http = Parse(Read("HTTP_PROXY")) ?? all;
        Uri? https = Parse(Read("HTTPS_PROXY")) ?? all;
        if (http is null && https is null)
        {
            return null;
        }

        string[] bypass = (Read("NO_PROXY") ?? string.Empty)
            .Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Trim().ToLowerInvariant())
            .ToArray();
        return new EnvironmentProxy(http, https, bypass);
    }

    /// <inheritdoc />
    public Uri? GetProxy(Uri destination)
    {
        if (IsBypassed(destination))
        {
            return destination;
        }

        return destination.Scheme == Uri.UriSchemeHttps ? _https : _http;
    }

    /// <inheritdoc />
    public bool IsBypassed(Uri host)
    {
        if ((host.Scheme == Uri.UriSchemeHttps ? _https : _http) is null)
        {
            return true;
        }

        // A proxy named for the whole environment cannot reach this machine's own loopback, and a key meant for a
        // local http server must not travel to it in clear text: loopback is always reached directly. (-Proxy, which
        // the user names for this call, applies to loopback too.)
        if (ProviderHosts.IsLoopback(host))
        {
            return true;
        }

        string name = host.Host.Trim('[', ']').ToLowerInvariant();
        foreach (string entry in _bypass)
        {
            if (entry == "*")
            {
                return true;
            }

            string pattern = entry;
            int colon = pattern.LastIndexOf(':');
            if (colon > 0 && !pattern.Contains("]") && pattern.IndexOf(':') == colon)
            {
                // host:port entries bypass only that port.
                if (!int.TryParse(pattern.Substring(colon + 1), out int port) || port != host.Port)
                {
                    continue;
                }

                pattern = pattern.Substring(0, colon);
            }

            pattern = pattern.Trim('[', ']').TrimStart('*');
            if (pattern.StartsWith(".", StringComparison.Ordinal))
            {
                if (name.EndsWith(pattern, StringComparison.Ordinal) || name == pattern.Substring(1))
                {
                    return true;
                }
            }
            else if (name == pattern || name.EndsWith("." + pattern, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static Uri? Parse(string? value)
    {
        if (value is null)
        {
            return null;
        }

        string text = value.Contains("://") ? value : "http://" + value;
        return Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) ? uri : null;
    }
}
