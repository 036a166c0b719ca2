using System;
using System.Net;
using System.Security;
using AitreTts.Core.Configuration;

namespace AitreTts.Core.Http;

/// <summary>Turns an effective configuration into the one HTTP caller: every cmdlet and completer gets its client here.</summary>
internal static class SpeechClientFactory
{
    /// <summary>The endpoint and caller a configuration describes.</summary>
    /// <param name="configuration">The effective settings.</param>
    /// <param name="log">Where the client's messages go.</param>
    /// <param name="keyFromVault">A key the caller read from a SecretManagement vault; else the configuration's key is used.</param>
    /// <param name="timeout">A shorter limit than the configured one (tab completion must not wait 100 s).</param>
    /// <param name="maximumRetryCount">Fewer retries than configured.</param>
    /// <exception cref="Errors.TtsException">An invalid URL or proxy, a missing key, or a refused http URL.</exception>
    public static SpeechClient Create(EffectiveConfiguration configuration, TtsLog log, SecureString? keyFromVault = null, TimeSpan? timeout = null, int? maximumRetryCount = null)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create(
            configuration.BaseUrl,
            keyFromVault ?? configuration.Get(Setting.ApiKey),
            configuration.Get(Setting.AllowUnencryptedAuthentication) ?? false,
            configuration.Provider,
            configuration.Get(Setting.Deployment),
            configuration.Get(Setting.ApiVersion),
            configuration.HeldBackKeyReason,
            configuration.Get(Setting.Headers),
            configuration.Get(Setting.UserAgent),
            configuration.Get(Setting.ExtraQuery));
        var retry = new RetryPolicy(
            maximumRetryCount ?? configuration.Get(Setting.MaximumRetryCount)!.Value,
            configuration.Get(Setting.RetryIntervalSec) is double seconds ? TimeSpan.FromSeconds(seconds) : null);
        var rateLimits = RateLimitPacing.For(endpoint, TimeSpan.FromSeconds(configuration.Get(Setting.MaximumRateLimitWaitSec)!.Value), configuration.Get(Setting.RequestsPerMinute));
        return new SpeechClient(endpoint, retry, timeout ?? TimeSpan.FromSeconds(configuration.Get(Setting.TimeoutSec)!.Value), log, NetworkFrom(configuration), rateLimits);
    }

    /// <summary>How requests reach the server: the configured proxy and its credentials, and the certificate check.</summary>
    /// <exception cref="Errors.TtsException">TtsInvalidProxy for a stored proxy that is not an http:// or https:// URL.</exception>
    public static ProxySettings NetworkFrom(EffectiveConfiguration configuration)
    {
        Uri? proxy = configuration.Get(Setting.Proxy) is string text ? ProxySettings.ParseAddress(text) : null;
        NetworkCredential? credential = configuration.Get(Setting.ProxyUserName) is { Length: > 0 } user
            ? new NetworkCredential(user, configuration.Get(Setting.ProxyPassword) ?? new SecureString())
            : null;
        return new ProxySettings
        {
            Proxy = proxy,
            Credential = credential,
            UseDefaultCredentials = configuration.Get(Setting.ProxyUseDefaultCredentials) ?? false,
            SkipCertificateCheck = configuration.Get(Setting.SkipCertificateCheck) ?? false,
        };
    }
}
