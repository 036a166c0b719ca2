using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using AitreTts.Core.Errors;
using AitreTts.Core.Providers;
using AitreTts.Core.Security;

namespace AitreTts.Core.Configuration;

/// <summary>Where an effective setting came from.</summary>
internal enum SettingSource
{
    /// <summary>A parameter of the call.</summary>
    Parameter,
    /// <summary><c>Set-TtsConfiguration -Scope Process</c>.</summary>
    Process,
    /// <summary>An environment variable.</summary>
    Environment,
    /// <summary>The per-user configuration file.</summary>
    File,
    /// <summary>The module's built-in default.</summary>
    Default,
}

/// <summary>One effective setting and its origin.</summary>
/// <param name="Setting">Which setting.</param>
/// <param name="Value">The value; a <see cref="SecureString"/> for a secret.</param>
/// <param name="Source">The layer it came from: a parameter, the environment, the file or the default.</param>
/// <param name="Detail">The environment variable or file that gave the value, when there is one.</param>
internal sealed record ResolvedSetting(Setting Setting, object? Value, SettingSource Source, string? Detail)
{
    /// <summary>"Environment (AITRE_API_KEY)", "File (/home/me/.config/AitreTts/config.json)", "Default".</summary>
    public string SourceText => Detail is null ? Source.ToString() : Source + " (" + Detail + ")";
}

/// <summary>The settings a call runs with, after precedence, each with its source.</summary>
internal sealed class EffectiveConfiguration
{
    private readonly Dictionary<Setting, ResolvedSetting> _settings;

    internal EffectiveConfiguration(Dictionary<Setting, ResolvedSetting> settings, string filePath, string profile, string? heldBackKeyReason)
    {
        _settings = settings;
        FilePath = filePath;
        Profile = profile;
        HeldBackKeyReason = heldBackKeyReason;
    }

    /// <summary>The value of a setting; null only for a setting that has no default.</summary>
    public T Get<T>(Setting<T> setting) => _settings[setting].Value is object value ? (T)value : default!;

    public ResolvedSetting this[Setting setting] => _settings[setting];

    /// <summary>Every setting, in the list's order.</summary>
    public IEnumerable<ResolvedSetting> Settings => Setting.All.Select(s => _settings[s]);

    /// <summary>The configuration file consulted.</summary>
    public string FilePath { get; }

    /// <summary>The profile the file settings came from.</summary>
    public string Profile { get; }

    /// <summary>Why a configured key is not used for this server (it belongs to another one), or null when none was held back.</summary>
    public string? HeldBackKeyReason { get; }

    public string BaseUrl => Get(Setting.BaseUrl) ?? string.Empty;

    public ProviderKind Provider => Get(Setting.Provider) ?? ProviderProfile.Default.Kind;

    /// <summary>What the provider in use is like: every question about it goes here.</summary>
    public ProviderProfile ProviderProfile => ProviderProfile.For(Provider);
}

/// <summary>
/// Applies the precedence: a parameter of the call, then the process settings (-Scope Process), then environment variables
/// (<c>AITRE_*</c>, then <c>OPENAI_*</c>), then the file, then built-in defaults.
/// </summary>
internal static class ConfigurationResolver
{
    /// <summary>OpenAI's API, the default server.</summary>
    public const string DefaultBaseUrl = ProviderProfile.OpenAIBaseUrl;

    private static readonly Setting[] KeySettings = { Setting.ApiKey, Setting.ApiKeySecretName, Setting.Vault };

    /// <summary>Resolves the effective configuration.</summary>
    /// <param name="call">The call's parameters.</param>
    /// <param name="process">The settings made with -Scope Process.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="file">The file's settings for the profile in use.</param>
    /// <param name="filePath">The file's path, for display.</param>
    /// <param name="log">Receives a note when a key is held back from a host it was not meant for.</param>
    /// <param name="useEnvironment">
    /// False when the call names a profile other than the default: the environment variables describe the default
    /// setup, and must not redirect a profile the user chose by name.
    /// </param>
    /// <param name="profile">The name of the profile whose file settings are given.</param>
    /// <exception cref="TtsException">TtsConfigurationInvalid for an environment variable that holds no valid value.</exception>
    public static EffectiveConfiguration Resolve(TtsSettings call, TtsSettings process, Func<string, string?> environment, TtsSettings file, string filePath, TtsLog? log = null, bool useEnvironment = true, string profile = ConfigurationStore.DefaultProfileName)
    {
        log ??= TtsLog.None;
        TtsSettings aitreEnvironment = useEnvironment ? FromEnvironment(environment) : new TtsSettings();
        var openAiEnvironment = new TtsSettings();
        if (useEnvironment)
        {
            openAiEnvironment.Set(Setting.BaseUrl, NonEmpty(environment("OPENAI_BASE_URL")));
            openAiEnvironment.Set(Setting.ApiKey, NonEmpty(environment("OPENAI_API_KEY")) is string key ? SecretText.ToSecureString(key) : null);
        }

        var layers = new List<Layer>
        {
            new(call, SettingSource.Parameter, _ => null),
            new(process, SettingSource.Process, _ => null),
            new(aitreEnvironment, SettingSource.Environment, setting => setting.EnvironmentVariable),
            // OPENAI_API_KEY follows OpenAI's own convention: without OPENAI_BASE_URL it is a key for api.openai.com.
            new(openAiEnvironment, SettingSource.Environment, setting => setting == Setting.BaseUrl ? "OPENAI_BASE_URL" : "OPENAI_API_KEY") { KeyHome = openAiEnvironment.Get(Setting.BaseUrl) ?? DefaultBaseUrl },
            new(file, SettingSource.File, _ => filePath),
        };

        ResolvedSetting? FirstSet(Setting setting) => layers
            .Where(layer => layer.Settings.IsSet(setting))
            .Select(layer => new ResolvedSetting(setting, layer.Settings[setting], layer.Source, layer.Detail(setting)))
            .FirstOrDefault();

        // The provider decides the defaults; when none is set, the URL tells which provider it is.
        ProviderKind provider = (ProviderKind?)FirstSet(Setting.Provider)?.Value ?? ProviderProfile.Infer((string?)FirstSet(Setting.BaseUrl)?.Value ?? DefaultBaseUrl);
        ProviderProfile providerProfile = ProviderProfile.For(provider);
        var defaults = new TtsSettings();
        foreach (Setting setting in Setting.All)
        {
            defaults.SetValue(setting, setting.DefaultValue);
        }

        // Empty, not null, for providers whose URL the user must give: TtsEndpoint explains what is missing.
        defaults.Set(Setting.BaseUrl, providerProfile.DefaultBaseUrl ?? string.Empty);
        // With Azure's deployment route the deployment stands in for the model, unless a model is set explicitly.
        defaults.Set(Setting.Model, providerProfile.DeploymentNamesModel && FirstSet(Setting.Deployment)?.Value is string deployment ? deployment : providerProfile.DefaultModel);
        defaults.Set(Setting.Format, providerProfile.DefaultFormat);
        defaults.Set(Setting.Provider, provider);
        layers.Add(new Layer(defaults, SettingSource.Default, _ => null));

        var resolved = new Dictionary<Setting, ResolvedSetting>();
        foreach (Setting setting in Setting.All.Except(KeySettings))
        {
            resolved[setting] = FirstSet(setting) ?? new ResolvedSetting(setting, null, SettingSource.Default, null);
        }

        string effectiveBaseUrl = (string)resolved[Setting.BaseUrl].Value!;
        string? heldBack = ResolveKey(layers, effectiveBaseUrl, resolved, log);
        HoldBackCredentialHeaders(layers, effectiveBaseUrl, resolved, log);
        return new EffectiveConfiguration(resolved, filePath, profile, heldBack);
    }

    /// <summary>
    /// The effective configuration of a stored profile, or of the default one: a profile named explicitly must exist,
    /// and the environment applies to the default profile only.
    /// </summary>
    /// <exception cref="TtsException">TtsProfileNotFound, or TtsConfigurationInvalid for a damaged setting.</exception>
    public static EffectiveConfiguration ResolveProfile(TtsSettings call, ConfigurationStore.StoredConfiguration stored, string? profile, Func<string, string?> environment, TtsLog? log = null)
    {
        if (profile is not null && !stored.HasProfile(profile))
        {
            throw new TtsException(
                TtsErrorIds.ProfileNotFound,
                TtsErrorCategory.ObjectNotFound,
                $"No profile named '{profile}' is stored in {stored.FilePath}. Get-TtsConfiguration lists the profiles; Set-TtsConfiguration -Profile {profile} creates it.");
        }

        string name = profile ?? stored.DefaultProfile;
        bool useEnvironment = string.Equals(name, stored.DefaultProfile, StringComparison.OrdinalIgnoreCase);
        if (!call.IsEmpty)
        {
            return Resolve(call, ProcessConfiguration.Snapshot(), environment, stored.Load(name), stored.FilePath, log, useEnvironment, name);
        }

        // A call that sets nothing itself, the loop of a scheduled task, resolves what the previous one did while
        // nothing it reads has changed: the same parse of the same file bytes, the same process settings, the same
        // environment variables. Everything is compared, not timed, so a change takes effect on the next call.
        var key = new ResolvedFrom(stored.Document, stored.FilePath + "|" + stored.KeyFilePath, name, ProcessConfiguration.Current, useEnvironment ? EnvironmentRead.Select(environment).ToArray() : Array.Empty<string?>());
        if (_lastResolved is { } last && last.From.Matches(key))
        {
            foreach (string message in last.Notes)
            {
                (log ?? TtsLog.None).Verbose(message);
            }

            return last.Configuration;
        }

        var notes = new NoteTaker(log ?? TtsLog.None);
        EffectiveConfiguration resolved = Resolve(call, key.Process.Clone(), environment, stored.Load(name), stored.FilePath, notes, useEnvironment, name);
        _lastResolved = new LastResolved(key, resolved, notes.Notes);
        return resolved;
    }

    // Every environment variable Resolve reads.
    private static readonly string[] EnvironmentRead = Setting.All.Select(s => s.EnvironmentVariable).OfType<string>().Concat(new[] { "OPENAI_BASE_URL", "OPENAI_API_KEY" }).ToArray();

    private static LastResolved? _lastResolved;

    private sealed record LastResolved(ResolvedFrom From, EffectiveConfiguration Configuration, IReadOnlyList<string> Notes);

    private sealed record ResolvedFrom(object Document, string Files, string Profile, TtsSettings Process, string?[] Environment)
    {
        public bool Matches(ResolvedFrom other) =>
            ReferenceEquals(Document, other.Document)
            && ReferenceEquals(Process, other.Process)
            && string.Equals(Files, other.Files, StringComparison.Ordinal)
            && string.Equals(Profile, other.Profile, StringComparison.Ordinal)
            && Environment.SequenceEqual(other.Environment, StringComparer.Ordinal);
    }

    // Passes the resolver's notes on, and keeps them to be told again when the result is reused. It asks for every
    // note whether or not this caller shows them: a later caller that does (-Verbose) gets the reused result's notes.
    private sealed class NoteTaker : TtsLog
    {
        private readonly TtsLog _log;

        public NoteTaker(TtsLog log)
        {
            _log = log;
            ShowsVerbose = true;
            ShowsDebug = log.ShowsDebug;
        }

        public List<string> Notes { get; } = new();

        public override void Verbose(string message)
        {
            Notes.Add(message);
            _log.Verbose(message);
        }

        public override void Debug(string message) => _log.Debug(message);

        public override void Warning(string message) => _log.Warning(message);
    }

    private static TtsSettings FromEnvironment(Func<string, string?> environment)
    {
        var settings = new TtsSettings();
        foreach (Setting setting in Setting.All)
        {
            if (setting.EnvironmentVariable is not string name || NonEmpty(environment(name)) is not string text)
            {
                continue;
            }

            object? value = null;
            try
            {
                value = setting.Parse(text);
            }
            catch (Exception ex) when (ex is FormatException or TtsException)
            {
            }

            if (value is null || !setting.Check(value))
            {
                throw new TtsException(
                    TtsErrorIds.ConfigurationInvalid,
                    TtsErrorCategory.InvalidData,
                    $"The environment variable {name} is '{(setting.IsSecret ? "********" : text)}'; it must be {setting.Expected}. Correct it, or remove it to use the stored setting.");
            }

            settings.SetValue(setting, value);
        }

        return settings;
    }

    // A key is sent only to the server it was stored with: a key from a layer counts when the base URL that layer
    // (or the layers below it) would use is the effective one. A gateway named by -BaseUrl never sees the OpenAI
    // key from the file, and OPENAI_API_KEY never reaches a server other than OpenAI's unless OPENAI_BASE_URL says so.
    // A SecretManagement secret name stands where a key would, under the same rule.
    // Returns why a key was held back when no key is used, so a server's 401 can be explained.
    private static string? ResolveKey(List<Layer> layers, string effectiveBaseUrl, Dictionary<Setting, ResolvedSetting> resolved, TtsLog log)
    {
        string? heldBack = null;
        void Set(object? key, SettingSource source, string? detail, string? secretName, string? vault)
        {
            resolved[Setting.ApiKey] = new ResolvedSetting(Setting.ApiKey, key, source, detail);
            resolved[Setting.ApiKeySecretName] = new ResolvedSetting(Setting.ApiKeySecretName, secretName, source, detail);
            resolved[Setting.Vault] = new ResolvedSetting(Setting.Vault, vault, source, detail);
        }

        for (int i = 0; i < layers.Count; i++)
        {
            Layer layer = layers[i];
            SecureString? key = layer.Settings.Get(Setting.ApiKey);
            string? secretName = key is null ? layer.Settings.Get(Setting.ApiKeySecretName) : null;
            if (key is null && secretName is null)
            {
                continue;
            }

            if (layer.Source == SettingSource.Parameter)
            {
                Set(key, layer.Source, null, secretName, layer.Settings.Get(Setting.Vault));
                return null;
            }

            string home = layer.KeyHome ?? HomeBaseUrl(layers, i);
            if (SameServer(home, effectiveBaseUrl))
            {
                Set(key, layer.Source, layer.Detail(Setting.ApiKey), secretName, layer.Settings.Get(Setting.Vault));
                return null;
            }

            string reason = $"the API key from {layer.Source}{(layer.Detail(Setting.ApiKey) is string detail ? " (" + detail + ")" : string.Empty)} belongs to {SafeHost(home)}, not {SafeHost(effectiveBaseUrl)}{Difference(home, effectiveBaseUrl)}, so it was held back";
            heldBack ??= reason;
            log.Verbose($"Not using {reason}.");
        }

        Set(null, SettingSource.Default, null, null, null);
        return heldBack;
    }

    // Headers that carry credentials follow the key's rule: stored for one server, they never reach another that a
    // call or the environment named instead.
    private static void HoldBackCredentialHeaders(List<Layer> layers, string effectiveBaseUrl, Dictionary<Setting, ResolvedSetting> resolved, TtsLog log)
    {
        ResolvedSetting headers = resolved[Setting.Headers];
        int from = layers.FindIndex(layer => layer.Source == headers.Source && layer.Settings.IsSet(Setting.Headers));
        if (headers.Value is not RequestHeaders stored || headers.Source == SettingSource.Parameter || from < 0 || SameServer(HomeBaseUrl(layers, from), effectiveBaseUrl))
        {
            return;
        }

        var kept = new RequestHeaders();
        foreach (KeyValuePair<string, string> header in stored.Where(h => !RequestHeaders.IsCredential(h.Key)))
        {
            kept.Add(header.Key, header.Value);
        }

        if (kept.Count < stored.Count)
        {
            log.Verbose($"Not sending the credential headers from {headers.SourceText}: they belong to {SafeHost(HomeBaseUrl(layers, from))}, not {SafeHost(effectiveBaseUrl)}{Difference(HomeBaseUrl(layers, from), effectiveBaseUrl)}.");
            resolved[Setting.Headers] = new ResolvedSetting(Setting.Headers, kept, headers.Source, headers.Detail);
        }
    }

    // The server a key was stored for: the BaseUrl of its own layer or the layers below it, or else the default
    // server of the provider those layers name. The built-in defaults are left out: they follow the call's provider,
    // so a call to a local server would otherwise claim a key stored, without a BaseUrl, for OpenAI.
    private static string HomeBaseUrl(List<Layer> layers, int from)
    {
        ProviderKind? provider = null;
        for (int i = from; i < layers.Count && layers[i].Source != SettingSource.Default; i++)
        {
            if (layers[i].Settings.Get(Setting.BaseUrl) is string url && layers[i].KeyHome is null)
            {
                return url;
            }

            provider ??= layers[i].Settings.Get(Setting.Provider);
        }

        return provider is ProviderKind kind ? ProviderProfile.For(kind).DefaultBaseUrl ?? DefaultBaseUrl : DefaultBaseUrl;
    }

    // A key belongs to an origin (scheme, host and port), the rule browsers and HTTP clients keep for credentials:
    // a path prefix on the same origin (https://gateway.example.com/openai) is the same server, reached by another
    // route, and the key that server issued goes along. Another scheme, host or port is another server.
    private static bool SameServer(string a, string b) =>
        Uri.TryCreate(a.Trim(), UriKind.Absolute, out Uri? left) && Uri.TryCreate(b.Trim(), UriKind.Absolute, out Uri? right)
            ? Uri.Compare(left, right, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            : string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    // What makes two servers different, so a message never reads "belongs to X, not X": " (another port)".
    private static string Difference(string home, string effective)
    {
        if (!Uri.TryCreate(home.Trim(), UriKind.Absolute, out Uri? left) || !Uri.TryCreate(effective.Trim(), UriKind.Absolute, out Uri? right))
        {
            return string.Empty;
        }

        var parts = new List<string>();
        if (!string.Equals(left.Scheme, right.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            parts.Add("scheme");
        }

        if (!string.Equals(left.Host, right.Host, StringComparison.OrdinalIgnoreCase))
        {
            parts.Add("host");
        }

        if (left.Port != right.Port && !(left.IsDefaultPort && right.IsDefaultPort))
        {
            parts.Add("port");
        }

        return parts.Count == 0 ? string.Empty : " (another " + string.Join(" and ", parts) + ")";
    }

    // Scheme, host and port only: GetLeftPart(Authority) would keep a user:password@.
    private static string SafeHost(string url) => Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) ? uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) : "another server";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

    private sealed class Layer
    {
        public Layer(TtsSettings settings, SettingSource source, Func<Setting, string?> detail)
        {
            Settings = settings;
            Source = source;
            Detail = detail;
        }

        public TtsSettings Settings { get; }

        public SettingSource Source { get; }

        /// <summary>The environment variable or file that gives a setting here.</summary>
        public Func<Setting, string?> Detail { get; }

        public string? KeyHome { get; init; }
    }
}
