using System.Collections.Generic;
using System.Linq;
using System.Security;

namespace AitreTts.Core.Configuration;

/// <summary>
/// The valid range of each numeric setting: Set-TtsConfiguration's parameters and the values read back from the
/// configuration file are checked against the same numbers.
/// </summary>
public static class SettingLimits
{
#pragma warning disable CS1591 // The names say it; the README lists the ranges.
    public const int MinimumTimeoutSec = 1;
    public const int MaximumTimeoutSec = 86400;
    public const int MinimumRetryCount = 0;
    public const int MaximumRetryCount = 10;
    public const double MinimumRetryIntervalSec = 0.0;
    public const double MaximumRetryIntervalSec = 60.0;
#pragma warning restore CS1591
}

/// <summary>
/// A partial set of settings from one place (a call's parameters, the session, the environment, the file).
/// A null member means "not set here": the next place in the precedence order decides.
/// </summary>
public sealed class TtsSettings
{
    /// <summary>The server root, such as https://api.openai.com.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The API key.</summary>
    public SecureString? ApiKey { get; set; }

    /// <summary>The default model.</summary>
    public string? Model { get; set; }

    /// <summary>The default voice.</summary>
    public string? Voice { get; set; }

    /// <summary>The default audio format.</summary>
    public AudioFormat? Format { get; set; }

    /// <summary>Where generated file names are written.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>Seconds a request may wait for its response headers, and then for each piece of the body.</summary>
    public int? TimeoutSec { get; set; }

    /// <summary>Retries after the first attempt.</summary>
    public int? MaximumRetryCount { get; set; }

    /// <summary>A fixed wait between retries, in seconds; null for exponential backoff.</summary>
    public double? RetryIntervalSec { get; set; }

    /// <summary>The kind of server; inferred from the BaseUrl when not set.</summary>
    public ProviderKind? Provider { get; set; }

    /// <summary>An Azure OpenAI deployment: selects the deployment route, and stands in for the model.</summary>
    public string? Deployment { get; set; }

    /// <summary>The Azure OpenAI api-version of the deployment route.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>A proxy URL for this endpoint.</summary>
    public string? Proxy { get; set; }

    /// <summary>The proxy's user name.</summary>
    public string? ProxyUserName { get; set; }

    /// <summary>The proxy's password.</summary>
    public SecureString? ProxyPassword { get; set; }

    /// <summary>Authenticate to the proxy as the current Windows user.</summary>
    public bool? ProxyUseDefaultCredentials { get; set; }

    /// <summary>The name of a SecretManagement secret that holds the key, read at call time.</summary>
    public string? ApiKeySecretName { get; set; }

    /// <summary>The SecretManagement vault of <see cref="ApiKeySecretName"/>, or null for the default vault.</summary>
    public string? Vault { get; set; }

    /// <summary>A copy whose members are the same references.</summary>
    public TtsSettings Clone() => (TtsSettings)MemberwiseClone();

    /// <summary>Copies every member that <paramref name="changes"/> sets over this one.</summary>
    public void Apply(TtsSettings changes)
    {
        BaseUrl = changes.BaseUrl ?? BaseUrl;
        ApiKey = changes.ApiKey ?? ApiKey;
        Model = changes.Model ?? Model;
        Voice = changes.Voice ?? Voice;
        Format = changes.Format ?? Format;
        OutputDirectory = changes.OutputDirectory ?? OutputDirectory;
        TimeoutSec = changes.TimeoutSec ?? TimeoutSec;
        MaximumRetryCount = changes.MaximumRetryCount ?? MaximumRetryCount;
        RetryIntervalSec = changes.RetryIntervalSec ?? RetryIntervalSec;
        Provider = changes.Provider ?? Provider;
        Deployment = changes.Deployment ?? Deployment;
        ApiVersion = changes.ApiVersion ?? ApiVersion;
        Proxy = changes.Proxy ?? Proxy;
        ProxyUserName = changes.ProxyUserName ?? ProxyUserName;
        ProxyPassword = changes.ProxyPassword ?? ProxyPassword;
        ProxyUseDefaultCredentials = changes.ProxyUseDefaultCredentials ?? ProxyUseDefaultCredentials;
        ApiKeySecretName = changes.ApiKeySecretName ?? ApiKeySecretName;
        Vault = changes.Vault ?? Vault;
    }

    /// <summary>The names of the members that are set, as Set-TtsConfiguration's parameters name them; never their values.</summary>
    public IReadOnlyList<string> SetMemberNames() => new[]
        {
            BaseUrl is null ? null : "BaseUrl",
            ApiKey is null ? null : "ApiKey",
            Model is null ? null : "Model",
            Voice is null ? null : "Voice",
            Format is null ? null : "Format",
            OutputDirectory is null ? null : "OutputDirectory",
            TimeoutSec is null ? null : "TimeoutSec",
            MaximumRetryCount is null ? null : "MaximumRetryCount",
            RetryIntervalSec is null ? null : "RetryIntervalSec",
            Provider is null ? null : "Provider",
            Deployment is null ? null : "Deployment",
            ApiVersion is null ? null : "ApiVersion",
            Proxy is null ? null : "Proxy",
            ProxyUserName is null ? null : "ProxyCredential",
            ProxyUseDefaultCredentials is null ? null : "ProxyUseDefaultCredentials",
            ApiKeySecretName is null ? null : "ApiKeySecretName",
            Vault is null ? null : "Vault",
        }.Where(name => name is not null).Select(name => name!).ToList();

    /// <summary>Names the members that are set, never their values.</summary>
    public override string ToString() => SetMemberNames().Count == 0 ? "nothing" : string.Join(", ", SetMemberNames());
}
