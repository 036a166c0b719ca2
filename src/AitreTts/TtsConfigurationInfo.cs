using System.Collections.Specialized;
using System.Management.Automation;
using AitreTts.Core.Configuration;
using AitreTts.Core.Security;

namespace AitreTts;

/// <summary>
/// What Get-TtsConfiguration shows: the profile, then every setting (secrets masked) as a property of the same name,
/// in the order of the list of settings, and the source of each.
/// </summary>
public sealed class TtsConfigurationInfo
{
    private string _summary = string.Empty;

    private TtsConfigurationInfo(string profile, bool? isDefault, bool hasApiKey, string configurationPath)
    {
        Profile = profile;
        IsDefault = isDefault;
        HasApiKey = hasApiKey;
        ConfigurationPath = configurationPath;
    }

    /// <summary>The profile's name.</summary>
    public string Profile { get; }

    /// <summary>True for the profile used when a call names none; null when not known.</summary>
    public bool? IsDefault { get; }

    /// <summary>True when a key is set, stored or as a SecretManagement secret.</summary>
    public bool HasApiKey { get; }

    /// <summary>The configuration file consulted.</summary>
    public string ConfigurationPath { get; }

    /// <summary>Where each value came from: Parameter, Process, Environment (NAME), File (path) or Default.</summary>
    public OrderedDictionary Source { get; } = new();

    internal static PSObject From(EffectiveConfiguration configuration, bool? isDefault)
    {
        var info = new TtsConfigurationInfo(
            configuration.Profile,
            isDefault,
            configuration.Get(Setting.ApiKey) is not null || configuration.Get(Setting.ApiKeySecretName) is not null,
            configuration.FilePath);
        var shown = new PSObject(info);
        foreach (ResolvedSetting setting in configuration.Settings)
        {
            if (!setting.Setting.Shown)
            {
                continue;
            }

            object? value = setting.Setting.Display(setting.Value) ?? (setting.Setting.DefaultValue is null && IsText(setting.Setting) ? string.Empty : null);
            shown.Properties.Add(new PSNoteProperty(setting.Setting.Name, value));
            info.Source[setting.Setting.Name] = setting.SourceText;
        }

        // The api-version takes part only where a deployment route uses it.
        if (!configuration.ProviderProfile.DeploymentNamesModel)
        {
            shown.Properties[Setting.ApiVersion.Name].Value = string.Empty;
        }

        if (configuration.Get(Setting.ApiKey) is null && configuration.Get(Setting.ApiKeySecretName) is string secret)
        {
            string? vault = configuration.Get(Setting.Vault);
            shown.Properties[Setting.ApiKey.Name].Value = "(secret '" + secret + "'" + (vault is null ? string.Empty : " in vault '" + vault + "'") + ")";
        }

        info._summary = configuration.Profile + ": " + shown.Properties[Setting.BaseUrl.Name].Value + (info.HasApiKey ? " (key " + shown.Properties[Setting.ApiKey.Name].Value + ")" : " (no key)");
        return shown;
    }

    private static bool IsText(Setting setting) => setting is Setting<string?> || setting.IsSecret;

    /// <summary>The server and the masked key; never the key itself.</summary>
    public override string ToString() => _summary;
}
