using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Http;
using AitreTts.Core.Security;

namespace AitreTts;

/// <summary>What Get-TtsConfiguration shows: effective values, the key masked, and the source of each.</summary>
public sealed class TtsConfigurationInfo
{
    /// <summary>The profile's name.</summary>
    public string Profile { get; private set; } = string.Empty;

    /// <summary>True for the profile used when a call names none; null when not known.</summary>
    public bool? IsDefault { get; private set; }

    /// <summary>The kind of server.</summary>
    public string Provider { get; private set; } = string.Empty;

    /// <summary>The Azure deployment, or empty.</summary>
    public string Deployment { get; private set; } = string.Empty;

    /// <summary>The Azure api-version.</summary>
    public string ApiVersion { get; private set; } = string.Empty;

    /// <summary>The proxy, or empty for the environment's and the system's.</summary>
    public string Proxy { get; private set; } = string.Empty;

    /// <summary>The SecretManagement secret holding the key, or empty.</summary>
    public string ApiKeySecretName { get; private set; } = string.Empty;

    /// <summary>The server root.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>The key, masked (first three and last four characters), or empty.</summary>
    public string ApiKey { get; private set; } = string.Empty;

    /// <summary>True when a key is set.</summary>
    public bool HasApiKey { get; private set; }

    /// <summary>The default model.</summary>
    public string Model { get; private set; } = string.Empty;

    /// <summary>The default voice.</summary>
    public string Voice { get; private set; } = string.Empty;

    /// <summary>The default format.</summary>
    public string Format { get; private set; } = string.Empty;

    /// <summary>Where generated files go; empty means the current location.</summary>
    public string OutputDirectory { get; private set; } = string.Empty;

    /// <summary>The time limit in seconds.</summary>
    public int TimeoutSec { get; private set; }

    /// <summary>Retries after the first attempt.</summary>
    public int MaximumRetryCount { get; private set; }

    /// <summary>Fixed retry interval in seconds, or null for exponential backoff.</summary>
    public double? RetryIntervalSec { get; private set; }

    /// <summary>The configuration file consulted.</summary>
    public string ConfigurationPath { get; private set; } = string.Empty;

    /// <summary>Where each value came from: Parameter, Session, Environment (NAME), File (path) or Default.</summary>
    public OrderedDictionary Source { get; } = new();

    internal static TtsConfigurationInfo From(EffectiveConfiguration configuration, bool? isDefault)
    {
        var info = new TtsConfigurationInfo
        {
            Profile = configuration.Profile,
            IsDefault = isDefault,
            Provider = configuration.Provider.ToString(),
            Deployment = configuration.Deployment ?? string.Empty,
            ApiVersion = configuration.Provider == ProviderKind.AzureOpenAI ? configuration.ApiVersion : string.Empty,
            Proxy = WithoutPassword(configuration.Proxy),
            ApiKeySecretName = configuration.ApiKeySecretName ?? string.Empty,
            // AITRE_BASE_URL or a file from an older version may still hold a user:password@ or a query.
            BaseUrl = SecretRedactor.ShownAddress(configuration.BaseUrl),
            ApiKey = SecretText.Mask(configuration.ApiKey),
            HasApiKey = configuration.ApiKey is not null || configuration.ApiKeySecretName is not null,
            Model = configuration.Model,
            Voice = configuration.Voice,
            Format = configuration.Format.ToApiName(),
            OutputDirectory = configuration.OutputDirectory ?? string.Empty,
            TimeoutSec = configuration.TimeoutSec,
            MaximumRetryCount = configuration.MaximumRetryCount,
            RetryIntervalSec = configuration.RetryIntervalSec,
            ConfigurationPath = configuration.FilePath,
        };
        foreach (KeyValuePair<string, ResolvedSetting> setting in configuration.Settings)
        {
            // The proxy password is a secret like the key; its source is not worth a line of its own.
            if (setting.Key != nameof(TtsSettings.ProxyPassword))
            {
                info.Source[setting.Key] = setting.Value.SourceText;
            }
        }

        if (configuration.ApiKey is null && configuration.ApiKeySecretName is string secret)
        {
            info.ApiKey = "(secret '" + secret + "'" + (configuration.Vault is null ? string.Empty : " in vault '" + configuration.Vault + "'") + ")";
        }

        return info;
    }

    // Set-TtsConfiguration takes a password out of a proxy URL before storing it; an older or hand-edited file may
    // still hold one there, and it must not reach the screen.
    private static string WithoutPassword(string? proxy)
    {
        if (proxy is null)
        {
            return string.Empty;
        }

        if (!Uri.TryCreate(proxy, UriKind.Absolute, out Uri? uri) || uri.UserInfo.Length == 0)
        {
            return proxy;
        }

        int colon = uri.UserInfo.IndexOf(':');
        return new UriBuilder(uri) { Password = colon < 0 ? string.Empty : "********" }.Uri.ToString();
    }

    /// <summary>The server and the masked key; never the key itself.</summary>
    public override string ToString() => Profile + ": " + BaseUrl + (HasApiKey ? " (key " + ApiKey + ")" : " (no key)");
}
