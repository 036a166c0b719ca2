using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using AitreTts.Completers;
using AitreTts.Core;
using AitreTts.Core.Cache;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Offline;
using AitreTts.Core.Providers;
using AitreTts.Core.Synthesis;
using AitreTts.Core.Security;
using AitreTts.Core.Voices;

namespace AitreTts;

/// <summary>
/// The base of every cmdlet that talks to a server, or stores how to: it owns the endpoint parameters, so each is
/// declared once, and turns the bound parameters into settings through the one list of settings.
/// </summary>
public abstract class TtsEndpointCmdlet : TtsCmdlet
{
    /// <summary>The stored profile to use (or, for Set-TtsConfiguration, to change) instead of the default one.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Profile { get; set; }

    /// <summary>The server root, such as https://api.openai.com.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BaseUrl { get; set; }

    /// <summary>The API key; a string is accepted and turned into a SecureString at once.</summary>
    [Parameter]
    [SecureStringTransformation]
    public virtual SecureString? ApiKey { get; set; }

    /// <summary>Seconds a request may wait for its response headers, then for each piece of the body.</summary>
    [Parameter]
    [ValidateSetting("TimeoutSec")]
    public int TimeoutSec { get; set; }

    /// <summary>Retries after the first attempt.</summary>
    [Parameter]
    [ValidateSetting("MaximumRetryCount")]
    public int MaximumRetryCount { get; set; }

    /// <summary>A fixed wait between retries, in seconds, instead of exponential backoff.</summary>
    [Parameter]
    [ValidateSetting("RetryIntervalSec")]
    public double RetryIntervalSec { get; set; }

    /// <summary>The longest one request waits on the account's rate limit in all, in seconds; 0 turns pacing off.</summary>
    [Parameter]
    [ValidateSetting("MaximumRateLimitWaitSec")]
    public int MaximumRateLimitWaitSec { get; set; }

    /// <summary>This machine's share of the account's limit: at most this many requests a minute.</summary>
    [Parameter]
    [ValidateSetting("RequestsPerMinute")]
    public int RequestsPerMinute { get; set; }

    /// <summary>A proxy; a user:password@ in it is taken out and treated as -ProxyCredential.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? Proxy { get; set; }

    /// <summary>Credentials for the proxy.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? ProxyCredential { get; set; }

    /// <summary>Authenticate to the proxy as the current Windows user.</summary>
    [Parameter]
    public SwitchParameter ProxyUseDefaultCredentials { get; set; }

    /// <summary>Send the key over plain http to a host that is not this machine.</summary>
    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    /// <summary>Accept any server certificate, for a gateway with a self-signed one.</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Extra request headers for a gateway; those whose names suggest a credential are kept secret.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? Headers { get; set; }

    /// <summary>Extra JSON fields for the speech request body, for a server's own options; values may nest.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? ExtraBody { get; set; }

    /// <summary>Extra query parameters for every request, such as mlx-audio's model.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? ExtraQuery { get; set; }

    /// <summary>The User-Agent header, instead of the module's own.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserAgent { get; set; }

    /// <summary>
    /// The settings the bound parameters give, converted and checked by the list of settings. Parameters named in
    /// <paramref name="handledByTheCmdlet"/> are left to the cmdlet, which gives them a meaning of its own.
    /// </summary>
    private protected TtsSettings BoundSettings(params string[] handledByTheCmdlet)
    {
        var settings = new TtsSettings();
        foreach (Setting setting in Setting.All.Where(s => s.Parameter == s.Name && s != Setting.Proxy && !handledByTheCmdlet.Contains(s.Name)))
        {
            if (!MyInvocation.BoundParameters.TryGetValue(setting.Name, out object? bound) || bound is null)
            {
                continue;
            }

            object value = bound switch
            {
                PSObject wrapped => wrapped.BaseObject,
                SwitchParameter flag => flag.IsPresent,
                IDictionary dictionary when setting == Setting.ExtraBody => ExtraBodyFields.From(dictionary, Unwrap),
                IDictionary dictionary when setting == Setting.ExtraQuery => ExtraQueryParameters.From(dictionary, Unwrap),
                IDictionary dictionary => RequestHeaders.From(dictionary),
                _ => bound,
            };
            if (value is SecureString { Length: 0 })
            {
                continue;
            }

            try
            {
                settings.SetValue(setting, setting.Accept(value));
            }
            catch (FormatException)
            {
                throw new TtsException(TtsErrorIds.ConfigurationInvalid, TtsErrorCategory.InvalidArgument, $"-{setting.Name} '{value}' is not valid; it must be {setting.Expected}.");
            }
        }

        if (Proxy is not null)
        {
            SetProxy(settings, Proxy);
        }

        if (ProxyCredential is not null)
        {
            settings.Set(Setting.ProxyUserName, ProxyCredential.UserName);
            settings.Set(Setting.ProxyPassword, ProxyCredential.Password);
        }

        return settings;
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    // A password written into the proxy URL (http://user:pass@host:port) is a credential like -ProxyCredential's:
    // it is taken out of the URL and kept protected, so neither the file nor Get-TtsConfiguration shows it.
    private void SetProxy(TtsSettings settings, Uri given)
    {
        (Uri address, NetworkCredential? credential) = ProxySettings.SplitUserInfo(ProxySettings.ParseAddress(given));
        if (credential is not null)
        {
            if (ProxyCredential is not null)
            {
                throw new TtsException(TtsErrorIds.ConfigurationInvalid, TtsErrorCategory.InvalidArgument, "-Proxy names a user and -ProxyCredential gives one too; give the credential once, with -ProxyCredential.");
            }

            settings.Set(Setting.ProxyUserName, credential.UserName);
            settings.Set(Setting.ProxyPassword, SecretText.ToSecureString(credential.Password));
        }
        else if (ProxyCredential is null && ForgetsStoredProxyCredentials)
        {
            // A proxy named for one call is not the stored one: the stored proxy's credentials must not go to it.
            settings.Set(Setting.ProxyUserName, string.Empty);
        }

        settings.Set(Setting.Proxy, address.ToString());
        if (ForgetsStoredProxyCredentials && !ProxyUseDefaultCredentials.IsPresent)
        {
            settings.Set(Setting.ProxyUseDefaultCredentials, false);
        }
    }

    /// <summary>True for a call, whose -Proxy stands alone; false for Set-TtsConfiguration, which changes the stored proxy.</summary>
    private protected virtual bool ForgetsStoredProxyCredentials => true;

    /// <summary>Where chunk audio comes from: the offline provider, or the server through <see cref="Connect"/>.</summary>
    private protected ISpeechSource ConnectSource(EffectiveConfiguration configuration, bool useCache = false)
    {
        if (configuration.ProviderProfile.IsOffline)
        {
            // The offline audio is free and made the same way each time: a cache would only take disk space.
            WriteVerbose("Using the offline provider: the audio is made on this machine, and nothing is sent anywhere.");
            return new OfflineSpeechSource(configuration.Get(Setting.SampleRate)!.Value);
        }

        SpeechClient client = Connect(configuration);
        WriteVerbose($"Sending to {SecretRedactor.ShownUrl(client.Endpoint.SpeechUri)}.");
        if (configuration.Get(Setting.ExtraBody) is { Count: > 0 } extraBody)
        {
            WriteVerbose($"Extra body fields ({configuration[Setting.ExtraBody].SourceText}): {extraBody}.");
        }

        if (client.Endpoint.ExtraQuery is { } extraQuery)
        {
            WriteVerbose($"Extra query parameters ({configuration[Setting.ExtraQuery].SourceText}): {extraQuery}.");
        }

        long capBytes = SharedChunkCaches.CapBytes(configuration.Get(Setting.CacheSizeLimitMB)!.Value);
        if (!useCache || capBytes == 0 || SharedChunkCaches.Default(capBytes) is not ChunkCache cache)
        {
            WriteVerbose(useCache ? "The chunk cache is off (CacheSizeLimitMB is 0, or there is no cache folder)." : "-NoCache: the chunk cache is neither read nor written.");
            return client;
        }

        WriteVerbose($"Chunk cache: {cache.Folder}, at most {capBytes / (1024 * 1024)} MiB.");
        return new CachingSpeechSource(client, cache, Log);
    }

    /// <summary>
    /// Judges the model by its shutdown date: the warning (once a session) while it is ahead; TtsModelRetired, thrown,
    /// after it, before anything is sent. The list is asked for (once a session) only where the provider announces
    /// shutdown dates, and not under -WhatIf, which sends nothing; an unavailable list never fails the call.
    /// </summary>
    private protected IReadOnlyList<string> JudgeModelRetirement(EffectiveConfiguration configuration, string model)
    {
        ProviderProfile provider = configuration.ProviderProfile;
        if (provider.IsOffline || !provider.ServesModelList || configuration.BaseUrl.Length == 0)
        {
            return Array.Empty<string>();
        }

        string cacheKey = VoiceDiscovery.CacheKey(configuration.Profile, TtsEndpoint.ParseBaseUrl(configuration.BaseUrl, configuration.Provider));
        DiscoveredList<TtsModel>? list = VoiceDiscovery.CachedModels(cacheKey);
        if (list is null && provider.AnnouncesShutdownDates && !InEffect<bool>("WhatIf", "WhatIfPreference", on => on))
        {
            try
            {
                // A missing key or secret is reported by the call itself, as it always was: here it only skips the check.
                SpeechClient client = Connect(configuration);
                list = RunInBackground(token => VoiceDiscovery.GetModelsAsync(client, client.Endpoint, cacheKey, refresh: false, token));
            }
            catch (TtsException ex)
            {
                VoiceDiscovery.RememberModelsUnavailable(cacheKey);
                WriteVerbose($"Could not read the server's model list to check the model's shutdown date ({ex.Message}); going on.");
                return Array.Empty<string>();
            }
        }

        if (list is not { FromServer: true })
        {
            return Array.Empty<string>();
        }

        RetirementVerdict verdict = ModelRetirement.Judge(model, list.Items, cacheKey, DateTimeOffset.UtcNow);
        return verdict.Refusal is TtsException retired ? throw retired
            : verdict.Warning is string warning ? new[] { warning }
            : Array.Empty<string>();
    }

    /// <summary>
    /// The HTTP caller for a configuration. A key named as a SecretManagement secret is read from its vault here, on
    /// the pipeline thread, since that runs PowerShell commands.
    /// </summary>
    /// <exception cref="TtsException">An invalid URL, a missing key or secret, or a refused http URL.</exception>
    private protected SpeechClient Connect(EffectiveConfiguration configuration)
    {
        SecureString? fromVault = configuration.Get(Setting.ApiKey) is null && configuration.Get(Setting.ApiKeySecretName) is string secretName
            ? ReadSecret(secretName, configuration.Get(Setting.Vault))
            : null;
        SpeechClient client = SpeechClientFactory.Create(configuration, Log, fromVault);
        client.RateLimits.Holds = new RateLimitProgress(this);
        return client;
    }
}
