using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using AitreTts.Core.Errors;
using AitreTts.Core.Security;

namespace AitreTts.Core.Configuration;

/// <summary>
/// The per-user configuration file, so a scheduled task that runs later finds what an admin set once.
/// <c>%APPDATA%\AitreTts\config.json</c> on Windows; <c>$XDG_CONFIG_HOME/AitreTts/config.json</c> or
/// <c>~/.config/AitreTts/config.json</c> elsewhere. The key in it is always protected (<see cref="SecretProtector"/>).
/// </summary>
public sealed class ConfigurationStore
{
    /// <summary>The profile used when none is named.</summary>
    public const string DefaultProfileName = "default";

    private static readonly object WriteGate = new();

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly SecretProtector _protector;

    /// <summary>A store at <paramref name="path"/>.</summary>
    public ConfigurationStore(string path)
    {
        FilePath = Path.GetFullPath(path);
        _protector = new SecretProtector(Path.GetDirectoryName(FilePath)!);
    }

    /// <summary>The full path of the file.</summary>
    public string FilePath { get; }

    /// <summary>The store at the default per-user path, read from the environment at each call so tests and tasks can redirect it.</summary>
    public static ConfigurationStore ForCurrentUser() => new(DefaultPath());

    /// <summary>The default per-user path of the configuration file.</summary>
    public static string DefaultPath()
    {
        string root;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            root = Environment.GetEnvironmentVariable("APPDATA") is { Length: > 0 } appData
                ? appData
                : Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData);
        }
        else
        {
            root = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        }

        return Path.Combine(root, "AitreTts", "config.json");
    }

    /// <summary>
    /// Reads the file once: its profiles, its default profile and their settings, consistent with each other even if
    /// the file changes afterwards. An absent file gives no profiles.
    /// </summary>
    /// <exception cref="TtsException">TtsConfigurationInvalid when the file cannot be parsed.</exception>
    public StoredConfiguration Snapshot(TtsLog? log = null) => new(this, Read(log ?? TtsLog.None));

    /// <summary>Reads one profile's settings; an absent file or profile gives empty settings.</summary>
    /// <exception cref="TtsException">TtsConfigurationInvalid when the file cannot be parsed.</exception>
    public TtsSettings Load(string profile = DefaultProfileName, TtsLog? log = null) => Snapshot(log).Load(profile);

    /// <summary>The name of the default profile: the one used when a call names none.</summary>
    public string DefaultProfile(TtsLog? log = null) => Snapshot(log).DefaultProfile;

    /// <summary>The names of the stored profiles, in the order they were created.</summary>
    public IReadOnlyList<string> ProfileNames(TtsLog? log = null) => Snapshot(log).ProfileNames;

    /// <summary>True when the profile is stored.</summary>
    public bool HasProfile(string profile, TtsLog? log = null) => Snapshot(log).HasProfile(profile);

    /// <summary>Sets, in one profile, every member that <paramref name="changes"/> sets, and writes the file.</summary>
    /// <param name="changes">The members to set.</param>
    /// <param name="profile">The profile, created when missing.</param>
    /// <param name="log">Receives warnings about the file.</param>
    /// <param name="makeDefault">Make this profile the default one.</param>
    public void Save(TtsSettings changes, string profile = DefaultProfileName, TtsLog? log = null, bool makeDefault = false)
    {
        Update(log, document =>
        {
            if (!document.Profiles.TryGetValue(profile, out ProfileDocument? stored))
            {
                stored = new ProfileDocument();
                document.Profiles[profile] = stored;
            }

            stored.BaseUrl = changes.BaseUrl ?? stored.BaseUrl;
            if (changes.ApiKey is not null)
            {
                stored.ApiKey = _protector.Protect(SecretText.Reveal(changes.ApiKey));
                // A stored key and a secret name for the same profile would leave the user guessing which one wins.
                stored.ApiKeySecretName = null;
                stored.Vault = null;
            }

            if (changes.ApiKeySecretName is not null)
            {
                stored.ApiKeySecretName = changes.ApiKeySecretName;
                stored.Vault = changes.Vault;
                stored.ApiKey = null;
            }

            stored.Model = changes.Model ?? stored.Model;
            stored.Voice = changes.Voice ?? stored.Voice;
            stored.Format = changes.Format?.ToApiName() ?? stored.Format;
            stored.OutputDirectory = changes.OutputDirectory ?? stored.OutputDirectory;
            stored.TimeoutSec = changes.TimeoutSec ?? stored.TimeoutSec;
            stored.MaximumRetryCount = changes.MaximumRetryCount ?? stored.MaximumRetryCount;
            stored.RetryIntervalSec = changes.RetryIntervalSec ?? stored.RetryIntervalSec;
            stored.Provider = changes.Provider?.ToString() ?? stored.Provider;
            stored.Deployment = changes.Deployment ?? stored.Deployment;
            stored.ApiVersion = changes.ApiVersion ?? stored.ApiVersion;
            stored.Proxy = changes.Proxy ?? stored.Proxy;
            if (changes.ProxyUserName is not null)
            {
                stored.ProxyUserName = changes.ProxyUserName;
                stored.ProxyPassword = changes.ProxyPassword is null ? null : _protector.Protect(SecretText.Reveal(changes.ProxyPassword));
            }

            stored.ProxyUseDefaultCredentials = changes.ProxyUseDefaultCredentials ?? stored.ProxyUseDefaultCredentials;
            // The first profile saved becomes the default, so a user whose only profile is "azure" needs no -Profile.
            document.DefaultProfile = makeDefault ? profile : document.DefaultProfile ?? profile;
            return true;
        });
    }

    /// <summary>Removes a profile; returns false when there was none. The default moves back to "default".</summary>
    public bool RemoveProfile(string profile, TtsLog? log = null) => Update(log, document =>
    {
        if (!document.Profiles.Remove(profile))
        {
            return false;
        }

        if (string.Equals(document.DefaultProfile, profile, StringComparison.OrdinalIgnoreCase))
        {
            document.DefaultProfile = document.Profiles.ContainsKey(DefaultProfileName) ? DefaultProfileName : document.Profiles.Keys.FirstOrDefault();
        }

        return true;
    });

    /// <summary>Removes the stored key (and secret name) of a profile; returns false when it had none.</summary>
    public bool RemoveApiKey(string profile, TtsLog? log = null) => Update(log, document =>
    {
        if (!document.Profiles.TryGetValue(profile, out ProfileDocument? stored) || (stored.ApiKey is null && stored.ApiKeySecretName is null))
        {
            return false;
        }

        stored.ApiKey = null;
        stored.ApiKeySecretName = null;
        stored.Vault = null;
        return true;
    });

    private bool Update(TtsLog? log, Func<ConfigurationDocument, bool> change)
    {
        lock (WriteGate)
        {
            ConfigurationDocument document = Read(log ?? TtsLog.None);
            if (!change(document))
            {
                return false;
            }

            PrivateFile.WriteAllBytes(FilePath, JsonSerializer.SerializeToUtf8Bytes(document, JsonOptions));
            return true;
        }
    }

    private ConfigurationDocument Read(TtsLog log)
    {
        if (!File.Exists(FilePath))
        {
            return new ConfigurationDocument();
        }

        if (PrivateFile.Tighten(FilePath))
        {
            log.Warning($"The configuration file {FilePath} could be read by other users; its mode is now 0600. Consider replacing the API key stored in it.");
        }

        try
        {
            ConfigurationDocument? document = JsonSerializer.Deserialize<ConfigurationDocument>(File.ReadAllBytes(FilePath), JsonOptions);
            if (document is null)
            {
                return new ConfigurationDocument();
            }

            document.Profiles = new Dictionary<string, ProfileDocument>(document.Profiles ?? new Dictionary<string, ProfileDocument>(), StringComparer.OrdinalIgnoreCase);
            return document;
        }
        catch (JsonException ex)
        {
            throw new TtsException(
                TtsErrorIds.ConfigurationInvalid,
                TtsErrorCategory.InvalidData,
                $"The configuration file {FilePath} is not valid JSON ({ex.Message}). Fix or delete it, then run Set-TtsConfiguration again.",
                ex);
        }
    }

    private TtsSettings ToSettings(ProfileDocument stored)
    {
        var settings = new TtsSettings
        {
            BaseUrl = stored.BaseUrl,
            Model = stored.Model,
            Voice = stored.Voice,
            OutputDirectory = stored.OutputDirectory,
            TimeoutSec = stored.TimeoutSec,
            MaximumRetryCount = stored.MaximumRetryCount,
            RetryIntervalSec = stored.RetryIntervalSec,
        };
        if (stored.Format is not null)
        {
            settings.Format = AudioFormats.TryParse(stored.Format, out AudioFormat format)
                ? format
                : throw new TtsException(TtsErrorIds.ConfigurationInvalid, TtsErrorCategory.InvalidData, $"The configuration file {FilePath} names an unknown format '{stored.Format}'. Set a valid one with Set-TtsConfiguration -Format.");
        }

        if (stored.ApiKey is not null)
        {
            settings.ApiKey = SecretText.ToSecureString(_protector.Unprotect(stored.ApiKey));
        }

        if (stored.Provider is not null)
        {
            settings.Provider = Enum.TryParse(stored.Provider, ignoreCase: true, out ProviderKind kind)
                ? kind
                : throw new TtsException(TtsErrorIds.ConfigurationInvalid, TtsErrorCategory.InvalidData, $"The configuration file {FilePath} names an unknown provider '{stored.Provider}'. Set a valid one with Set-TtsConfiguration -Provider.");
        }

        settings.Deployment = stored.Deployment;
        settings.ApiVersion = stored.ApiVersion;
        settings.Proxy = stored.Proxy;
        settings.ProxyUserName = stored.ProxyUserName;
        settings.ProxyPassword = stored.ProxyPassword is null ? null : SecretText.ToSecureString(_protector.Unprotect(stored.ProxyPassword));
        settings.ProxyUseDefaultCredentials = stored.ProxyUseDefaultCredentials;
        settings.ApiKeySecretName = stored.ApiKeySecretName;
        settings.Vault = stored.Vault;
        return settings;
    }

    /// <summary>One read of the configuration file.</summary>
    public sealed class StoredConfiguration
    {
        private readonly ConfigurationStore _store;
        private readonly ConfigurationDocument _document;

        internal StoredConfiguration(ConfigurationStore store, ConfigurationDocument document)
        {
            _store = store;
            _document = document;
            ProfileNames = new List<string>(document.Profiles.Keys);
            DefaultProfile = document.DefaultProfile is string name && document.Profiles.ContainsKey(name) ? name : DefaultProfileName;
        }

        /// <summary>The file read.</summary>
        public string FilePath => _store.FilePath;

        /// <summary>The names of the stored profiles, in the order they were created.</summary>
        public IReadOnlyList<string> ProfileNames { get; }

        /// <summary>The name of the default profile: the one used when a call names none.</summary>
        public string DefaultProfile { get; }

        /// <summary>True when the profile is stored.</summary>
        public bool HasProfile(string profile) => _document.Profiles.ContainsKey(profile);

        /// <summary>One profile's settings; an absent profile gives empty settings.</summary>
        public TtsSettings Load(string profile) =>
            _document.Profiles.TryGetValue(profile, out ProfileDocument? stored) ? _store.ToSettings(stored) : new TtsSettings();
    }

    internal sealed class ConfigurationDocument
    {
        public int Version { get; set; } = 1;

        public string? DefaultProfile { get; set; }

        public Dictionary<string, ProfileDocument> Profiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    }

    internal sealed class ProfileDocument
    {
        public string? BaseUrl { get; set; }

        public string? ApiKey { get; set; }

        public string? Model { get; set; }

        public string? Voice { get; set; }

        public string? Format { get; set; }

        public string? OutputDirectory { get; set; }

        public int? TimeoutSec { get; set; }

        public int? MaximumRetryCount { get; set; }

        public double? RetryIntervalSec { get; set; }

        public string? Provider { get; set; }

        public string? Deployment { get; set; }

        public string? ApiVersion { get; set; }

        public string? Proxy { get; set; }

        public string? ProxyUserName { get; set; }

        public string? ProxyPassword { get; set; }

        public bool? ProxyUseDefaultCredentials { get; set; }

        public string? ApiKeySecretName { get; set; }

        public string? Vault { get; set; }
    }
}
