using System;
using System.Collections.Generic;
using System.Security;
using AitreTts.Core.Http;
using AitreTts.Core.Security;

namespace AitreTts.Core.Configuration;

/// <summary>Where an effective setting came from.</summary>
public enum SettingSource
{
    /// <summary>A parameter of the call.</summary>
    Parameter,
    /// <summary><c>Set-TtsConfiguration -Scope Process</c>.</summary>
    Session,
    /// <summary>An environment variable.</summary>
    Environment,
    /// <summary>The per-user configuration file.</summary>
    File,
    /// <summary>The module's built-in default.</summary>
    Default,
}

/// <summary>One effective setting and its origin.</summary>
public sealed class ResolvedSetting
{
    internal ResolvedSetting(string name, object? value, SettingSource source, string? detail)
    {
        Name = name;
        Value = value;
        Source = source;
        Detail = detail;
    }

    /// <summary>The setting's name, as Set-TtsConfiguration names it.</summary>
    public string Name { get; }

    /// <summary>The value; a <see cref="SecureString"/> for the key.</summary>
    public object? Value { get; }

    /// <summary>Where the value came from.</summary>
    public SettingSource Source { get; }

    /// <summary>The environment variable or file that gave the value, when there is one.</summary>
    public string? Detail { get; }

    /// <summary>"Environment (AITRE_API_KEY)", "File (/home/me/.config/AitreTts/config.json)", "Default".</summary>
    public string SourceText => Detail is null ? Source.ToString() : Source + " (" + Detail + ")";
}

/// <summary>The settings a call runs with, after precedence, each with its source.</summary>
public sealed class EffectiveConfiguration
{
    internal EffectiveConfiguration(IReadOnlyDictionary<string, ResolvedSetting> settings, string filePath)
    {
        Settings = settings;
        FilePath = filePath;
    }

    /// <summary>Every setting by name.</summary>
    public IReadOnlyDictionary<string, ResolvedSetting> Settings { get; }

    /// <summary>The configuration file consulted.</summary>
    public string FilePath { get; }

    /// <summary>The server root.</summary>
    public string BaseUrl => (string)Settings[nameof(TtsSettings.BaseUrl)].Value!;

    /// <summary>The key, or null.</summary>
    public SecureString? ApiKey => (SecureString?)Settings[nameof(TtsSettings.ApiKey)].Value;

    /// <summary>The model.</summary>
    public string Model => (string)Settings[nameof(TtsSettings.Model)].Value!;

    /// <summary>The voice.</summary>
    public string Voice => (string)Settings[nameof(TtsSettings.Voice)].Value!;

    /// <summary>The format, when nothing more specific (a parameter, an -OutFile extension) decides.</summary>
    public AudioFormat Format => (AudioFormat)Settings[nameof(TtsSettings.Format)].Value!;

    /// <summary>The output directory, or null for the current location.</summary>
    public string? OutputDirectory => (string?)Settings[nameof(TtsSettings.OutputDirectory)].Value;

    /// <summary>The time limit in seconds.</summary>
    public int TimeoutSec => (int)Settings[nameof(TtsSettings.TimeoutSec)].Value!;

    /// <summary>Retries after the first attempt.</summary>
    public int MaximumRetryCount => (int)Settings[nameof(TtsSettings.MaximumRetryCount)].Value!;

    /// <summary>Fixed retry interval in seconds, or null for exponential backoff.</summary>
    public double? RetryIntervalSec => (double?)Settings[nameof(TtsSettings.RetryIntervalSec)].Value;

    /// <summary>The kind of server, explicit or inferred from the BaseUrl.</summary>
    public ProviderKind Provider => (ProviderKind)Settings[nameof(TtsSettings.Provider)].Value!;

    /// <summary>The Azure deployment, or null.</summary>
    public string? Deployment => (string?)Settings[nameof(TtsSettings.Deployment)].Value;

    /// <summary>The Azure api-version.</summary>
    public string ApiVersion => (string)Settings[nameof(TtsSettings.ApiVersion)].Value!;

    /// <summary>The proxy URL, or null for the environment's.</summary>
    public string? Proxy => (string?)Settings[nameof(TtsSettings.Proxy)].Value;

    /// <summary>The proxy user, or null.</summary>
    public string? ProxyUserName => (string?)Settings[nameof(TtsSettings.ProxyUserName)].Value;

    /// <summary>The proxy password, or null.</summary>
    public SecureString? ProxyPassword => (SecureString?)Settings[nameof(TtsSettings.ProxyPassword)].Value;

    /// <summary>Authenticate to the proxy as the current Windows user.</summary>
    public bool ProxyUseDefaultCredentials => (bool?)Settings[nameof(TtsSettings.ProxyUseDefaultCredentials)].Value ?? false;

    /// <summary>The SecretManagement secret that holds the key, when the key comes from a vault.</summary>
    public string? ApiKeySecretName => (string?)Settings[nameof(TtsSettings.ApiKeySecretName)].Value;

    /// <summary>The vault of <see cref="ApiKeySecretName"/>, or null for the default vault.</summary>
    public string? Vault => (string?)Settings[nameof(TtsSettings.Vault)].Value;

    /// <summary>The profile the file settings came from.</summary>
    public string Profile { get; internal init; } = ConfigurationStore.DefaultProfileName;

    /// <summary>Why a configured key is not used for this server (it belongs to another one), or null when none was held back.</summary>
    public string? HeldBackKeyReason { get; internal set; }
}

/// <summary>
/// Applies the precedence: a parameter of the call, then the session, then environment variables
/// (<c>AITRE_*</c>, then <c>OPENAI_*</c>), then the file, then built-in defaults.
/// </summary>
public static class ConfigurationResolver
{
    /// <summary>OpenAI's API, the default server.</summary>
    public const string DefaultBaseUrl = "https://api.openai.com";

    /// <summary>The default model: the one every OpenAI-compatible server and gateway knows.</summary>
    public const string DefaultModel = "tts-1";

    /// <summary>The default voice: available for every OpenAI model.</summary>
    public const string DefaultVoice = "alloy";

    /// <summary>The default time limit, as Invoke-RestMethod's.</summary>
    public const int DefaultTimeoutSec = 100;

    /// <summary>The default number of retries, as openai-python's.</summary>
    public const int DefaultMaximumRetryCount = 2;

    /// <summary>The Azure OpenAI api-version used with the deployment route when none is set.</summary>
    public const string DefaultAzureApiVersion = "2024-10-21";

    /// <summary>Resolves the effective configuration.</summary>
    /// <param name="call">The call's parameters.</param>
    /// <param name="session">The session settings.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="file">The file's settings for the profile in use.</param>
    /// <param name="filePath">The file's path, for display.</param>
    /// <param name="log">Receives a note when a key is held back from a host it was not meant for.</param>
    /// <param name="useEnvironment">
    /// False when the call names a profile other than the default: the environment variables describe the default
    /// setup, and must not redirect a profile the user chose by name.
    /// </param>
    /// <param name="profile">The name of the profile whose file settings are given.</param>
    public static EffectiveConfiguration Resolve(TtsSettings call, TtsSettings session, Func<string, string?> environment, TtsSettings file, string filePath, TtsLog? log = null, bool useEnvironment = true, string profile = ConfigurationStore.DefaultProfileName)
    {
        log ??= TtsLog.None;
        var aitreEnvironment = new TtsSettings();
        var openAiEnvironment = new TtsSettings();
        if (useEnvironment)
        {
            aitreEnvironment.BaseUrl = NonEmpty(environment("AITRE_BASE_URL"));
            aitreEnvironment.ApiKey = SecretOrNull(environment("AITRE_API_KEY"));
            openAiEnvironment.BaseUrl = NonEmpty(environment("OPENAI_BASE_URL"));
            openAiEnvironment.ApiKey = SecretOrNull(environment("OPENAI_API_KEY"));
        }

        // The provider decides the defaults; when none is set, the URL tells which provider it is.
        string? explicitBaseUrl = call.BaseUrl ?? session.BaseUrl ?? aitreEnvironment.BaseUrl ?? openAiEnvironment.BaseUrl ?? file.BaseUrl;
        ProviderKind provider = call.Provider ?? session.Provider ?? file.Provider ?? ProviderProfile.Infer(explicitBaseUrl ?? DefaultBaseUrl);
        ProviderProfile providerProfile = ProviderProfile.For(provider);
        var defaults = new TtsSettings
        {
            // Empty, not null, for providers whose URL the user must give: TtsEndpoint explains what is missing.
            BaseUrl = providerProfile.DefaultBaseUrl ?? string.Empty,
            // With Azure's deployment route the deployment stands in for the model, unless a model is set explicitly.
            Model = provider == ProviderKind.AzureOpenAI && (call.Deployment ?? session.Deployment ?? file.Deployment) is string deployment ? deployment : providerProfile.DefaultModel,
            Voice = DefaultVoice,
            Format = providerProfile.DefaultFormat,
            TimeoutSec = DefaultTimeoutSec,
            MaximumRetryCount = DefaultMaximumRetryCount,
            Provider = provider,
            ApiVersion = DefaultAzureApiVersion,
        };

        var layers = new[]
        {
            new Layer(call, SettingSource.Parameter, null, null),
            new Layer(session, SettingSource.Session, null, null),
            new Layer(aitreEnvironment, SettingSource.Environment, "AITRE_BASE_URL", "AITRE_API_KEY"),
            // OPENAI_API_KEY follows OpenAI's own convention: without OPENAI_BASE_URL it is a key for api.openai.com.
            new Layer(openAiEnvironment, SettingSource.Environment, "OPENAI_BASE_URL", "OPENAI_API_KEY") { KeyHome = openAiEnvironment.BaseUrl ?? DefaultBaseUrl },
            new Layer(file, SettingSource.File, filePath, filePath),
            new Layer(defaults, SettingSource.Default, null, null),
        };

        var resolved = new Dictionary<string, ResolvedSetting>(StringComparer.OrdinalIgnoreCase);
        void Pick<T>(string name, Func<TtsSettings, T?> read)
        {
            foreach (Layer layer in layers)
            {
                T? value = read(layer.Settings);
                if (value is not null)
                {
                    resolved[name] = new ResolvedSetting(name, value, layer.Source, layer.BaseUrlDetail);
                    return;
                }
            }

            resolved[name] = new ResolvedSetting(name, null, SettingSource.Default, null);
        }

        Pick(nameof(TtsSettings.BaseUrl), s => s.BaseUrl);
        Pick(nameof(TtsSettings.Model), s => s.Model);
        Pick(nameof(TtsSettings.Voice), s => s.Voice);
        Pick(nameof(TtsSettings.Format), s => s.Format);
        Pick(nameof(TtsSettings.OutputDirectory), s => s.OutputDirectory);
        Pick(nameof(TtsSettings.TimeoutSec), s => s.TimeoutSec);
        Pick(nameof(TtsSettings.MaximumRetryCount), s => s.MaximumRetryCount);
        Pick(nameof(TtsSettings.RetryIntervalSec), s => s.RetryIntervalSec);
        Pick(nameof(TtsSettings.Provider), s => s.Provider);
        Pick(nameof(TtsSettings.Deployment), s => s.Deployment);
        Pick(nameof(TtsSettings.ApiVersion), s => s.ApiVersion);
        Pick(nameof(TtsSettings.Proxy), s => s.Proxy);
        Pick(nameof(TtsSettings.ProxyUserName), s => s.ProxyUserName);
        Pick(nameof(TtsSettings.ProxyPassword), s => s.ProxyPassword);
        Pick(nameof(TtsSettings.ProxyUseDefaultCredentials), s => s.ProxyUseDefaultCredentials);
        string? heldBack = ResolveKey(layers, (string)resolved[nameof(TtsSettings.BaseUrl)].Value!, resolved, log);
        return new EffectiveConfiguration(resolved, filePath) { Profile = profile, HeldBackKeyReason = heldBack };
    }

    // A key is sent only to the server it was stored with: a key from a layer counts when the base URL that layer
    // (or the layers below it) would use is the effective one. A gateway named by -BaseUrl never sees the OpenAI
    // key from the file, and OPENAI_API_KEY never reaches a server other than OpenAI's unless OPENAI_BASE_URL says so.
    // A SecretManagement secret name stands where a key would, under the same rule.
    // Returns why a key was held back when no key is used, so a server's 401 can be explained.
    private static string? ResolveKey(Layer[] layers, string effectiveBaseUrl, Dictionary<string, ResolvedSetting> resolved, TtsLog log)
    {
        string? heldBack = null;
        void Set(object? key, SettingSource source, string? detail, string? secretName, string? vault)
        {
            resolved[nameof(TtsSettings.ApiKey)] = new ResolvedSetting(nameof(TtsSettings.ApiKey), key, source, detail);
            resolved[nameof(TtsSettings.ApiKeySecretName)] = new ResolvedSetting(nameof(TtsSettings.ApiKeySecretName), secretName, source, detail);
            resolved[nameof(TtsSettings.Vault)] = new ResolvedSetting(nameof(TtsSettings.Vault), vault, source, detail);
        }

        for (int i = 0; i < layers.Length; i++)
        {
            Layer layer = layers[i];
            SecureString? key = layer.Settings.ApiKey;
            string? secretName = key is null ? layer.Settings.ApiKeySecretName : null;
            if (key is null && secretName is null)
            {
                continue;
            }

            if (layer.Source == SettingSource.Parameter)
            {
                Set(key, layer.Source, null, secretName, layer.Settings.Vault);
                return null;
            }

            string home = layer.KeyHome ?? HomeBaseUrl(layers, i);
            if (SameServer(home, effectiveBaseUrl))
            {
                Set(key, layer.Source, layer.KeyDetail, secretName, layer.Settings.Vault);
                return null;
            }

            string reason = $"the API key from {layer.Source}{(layer.KeyDetail is null ? string.Empty : " (" + layer.KeyDetail + ")")} belongs to {SafeHost(home)}, not {SafeHost(effectiveBaseUrl)}, so it was held back";
            heldBack ??= reason;
            log.Verbose($"Not using {reason}.");
        }

        Set(null, SettingSource.Default, null, null, null);
        return heldBack;
    }

    // The server a key was stored for: the BaseUrl of its own layer or the layers below it, or else the default
    // server of the provider those layers name. The built-in defaults are left out: they follow the call's provider,
    // so a call to a local server would otherwise claim a key stored, without a BaseUrl, for OpenAI.
    private static string HomeBaseUrl(Layer[] layers, int from)
    {
        ProviderKind? provider = null;
        for (int i = from; i < layers.Length && layers[i].Source != SettingSource.Default; i++)
        {
            if (layers[i].Settings.BaseUrl is string url && layers[i].KeyHome is null)
            {
                return url;
            }

            provider ??= layers[i].Settings.Provider;
        }

        return provider is ProviderKind kind ? ProviderProfile.For(kind).DefaultBaseUrl ?? DefaultBaseUrl : DefaultBaseUrl;
    }

    private static bool SameServer(string a, string b)
    {
        try
        {
            Uri left = TtsEndpoint.ParseBaseUrl(a);
            Uri right = TtsEndpoint.ParseBaseUrl(b);
            return Uri.Compare(left, right, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        }
        catch (Errors.TtsException)
        {
            return string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        }
    }

    // Scheme, host and port only: GetLeftPart(Authority) would keep a user:password@.
    private static string SafeHost(string url) => Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) ? uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) : "another server";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

    private static SecureString? SecretOrNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : SecretText.ToSecureString(value!.Trim());

    private sealed class Layer
    {
        public Layer(TtsSettings settings, SettingSource source, string? baseUrlDetail, string? keyDetail)
        {
            Settings = settings;
            Source = source;
            BaseUrlDetail = baseUrlDetail;
            KeyDetail = keyDetail;
        }

        public TtsSettings Settings { get; }

        public SettingSource Source { get; }

        public string? BaseUrlDetail { get; }

        public string? KeyDetail { get; }

        public string? KeyHome { get; init; }
    }
}
