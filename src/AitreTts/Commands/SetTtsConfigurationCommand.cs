using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using AitreTts.Completers;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Security;

namespace AitreTts.Commands;

/// <summary>Where Set-TtsConfiguration keeps what it sets.</summary>
public enum TtsConfigurationScope
{
    /// <summary>The per-user file: later sessions and scheduled tasks find it.</summary>
    CurrentUser,
    /// <summary>This process only.</summary>
    Process,
}

/// <summary>Set-TtsConfiguration: stores the key, server and defaults once, for later runs.</summary>
[Cmdlet(VerbsCommon.Set, "TtsConfiguration", SupportsShouldProcess = true)]
[OutputType(typeof(TtsConfigurationInfo))]
public sealed class SetTtsConfigurationCommand : TtsCmdlet
{
    /// <summary>The API key; a string is accepted and turned into a SecureString at once.</summary>
    [Parameter(Position = 0)]
    [SecureStringTransformation]
    public SecureString? ApiKey { get; set; }

    /// <summary>The server root.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BaseUrl { get; set; }

    /// <summary>The default model.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ModelCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Model { get; set; }

    /// <summary>The default voice.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(VoiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Voice { get; set; }

    /// <summary>The default format.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(FormatCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Format { get; set; }

    /// <summary>Where generated file names go.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputDirectory { get; set; }

    /// <summary>The default time limit in seconds.</summary>
    [Parameter]
    [ValidateRange(SettingLimits.MinimumTimeoutSec, SettingLimits.MaximumTimeoutSec)]
    public int TimeoutSec { get; set; }

    /// <summary>The default number of retries.</summary>
    [Parameter]
    [ValidateRange(SettingLimits.MinimumRetryCount, SettingLimits.MaximumRetryCount)]
    public int MaximumRetryCount { get; set; }

    /// <summary>A fixed wait between retries, in seconds.</summary>
    [Parameter]
    [ValidateRange(SettingLimits.MinimumRetryIntervalSec, SettingLimits.MaximumRetryIntervalSec)]
    public double RetryIntervalSec { get; set; }

    /// <summary>The named profile to set; created when missing.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Profile { get; set; }

    /// <summary>The kind of server.</summary>
    [Parameter]
    public ProviderKind Provider { get; set; }

    /// <summary>An Azure OpenAI deployment name: selects the deployment route.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Deployment { get; set; }

    /// <summary>The Azure OpenAI api-version of the deployment route.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ApiVersion { get; set; }

    /// <summary>A proxy for this profile.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? Proxy { get; set; }

    /// <summary>Credentials for the proxy, stored protected like the key.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? ProxyCredential { get; set; }

    /// <summary>Authenticate to the proxy as the current Windows user.</summary>
    [Parameter]
    public SwitchParameter ProxyUseDefaultCredentials { get; set; }

    /// <summary>Read the key at call time from this SecretManagement secret instead of storing it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ApiKeySecretName { get; set; }

    /// <summary>The SecretManagement vault of -ApiKeySecretName.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Vault { get; set; }

    /// <summary>Make -Profile the default profile.</summary>
    [Parameter]
    public SwitchParameter Default { get; set; }

    /// <summary>CurrentUser (the file, the default) or Process.</summary>
    [Parameter]
    public TtsConfigurationScope Scope { get; set; } = TtsConfigurationScope.CurrentUser;

    /// <summary>Emit the effective configuration afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void EndProcessingCore()
    {
        var changes = new TtsSettings
        {
            ApiKey = ApiKey is { Length: > 0 } ? ApiKey : null,
            Model = Model,
            Voice = Voice,
            TimeoutSec = IfBound(nameof(TimeoutSec), TimeoutSec),
            MaximumRetryCount = IfBound(nameof(MaximumRetryCount), MaximumRetryCount),
            RetryIntervalSec = IfBound(nameof(RetryIntervalSec), RetryIntervalSec),
            Provider = IfBound(nameof(Provider), Provider),
            Deployment = Deployment,
            ApiVersion = ApiVersion,
            ProxyUserName = ProxyCredential?.UserName,
            ProxyPassword = ProxyCredential?.Password,
            ProxyUseDefaultCredentials = IfBound(nameof(ProxyUseDefaultCredentials), ProxyUseDefaultCredentials.IsPresent),
            ApiKeySecretName = ApiKeySecretName,
            Vault = Vault,
        };
        if (ApiKey is { Length: > 0 } && ApiKeySecretName is not null)
        {
            throw new TtsException(TtsErrorIds.ConfigurationInvalid, TtsErrorCategory.InvalidArgument, "Give either -ApiKey (stored protected) or -ApiKeySecretName (read from SecretManagement at call time), not both.");
        }

        if (Scope == TtsConfigurationScope.Process && (Profile is not null || Default.IsPresent))
        {
            throw new TtsException(TtsErrorIds.ConfigurationInvalid, TtsErrorCategory.InvalidArgument, "-Scope Process settings apply to every profile of this session; drop -Profile and -Default, or use -Scope CurrentUser.");
        }

        if (Proxy is not null)
        {
            SetProxy(changes, Proxy);
        }

        if (BaseUrl is not null)
        {
            changes.BaseUrl = TtsEndpoint.ParseBaseUrl(BaseUrl, changes.Provider ?? ProviderProfile.Infer(BaseUrl)).ToString().TrimEnd('/');
        }

        if (Format is not null)
        {
            changes.Format = AudioFormats.TryParse(Format, out AudioFormat format)
                ? format
                : throw new TtsException(TtsErrorIds.InvalidFormat, TtsErrorCategory.InvalidArgument, $"'{Format}' is not a format the speech API offers. Use one of: mp3, opus, aac, flac, wav, pcm.");
        }

        if (OutputDirectory is not null)
        {
            changes.OutputDirectory = GetUnresolvedProviderPathFromPSPath(OutputDirectory);
        }

        if (ApiKey is { Length: 0 })
        {
            WriteWarning("The API key given is empty and was not stored.");
        }

        string action = "Set " + changes;
        if (Scope == TtsConfigurationScope.Process)
        {
            if (ShouldProcess("the settings of this PowerShell process", action))
            {
                SessionConfiguration.Apply(changes);
            }
        }
        else
        {
            ConfigurationStore store = ConfigurationStore.ForCurrentUser();
            string profile = Profile ?? store.Snapshot(Log).DefaultProfile;
            if (ShouldProcess($"profile '{profile}' in {store.FilePath}", action))
            {
                store.Save(changes, profile, Log, Default.IsPresent);
                WriteVerbose($"Saved {changes} to profile '{profile}' in {store.FilePath}{(changes.ApiKey is null ? string.Empty : "; the key is stored protected, never in plain text")}.");
            }
        }

        if (PassThru.IsPresent)
        {
            string? profile = Scope == TtsConfigurationScope.CurrentUser ? Profile : null;
            WriteObject(TtsConfigurationInfo.From(ResolveConfiguration(new TtsSettings(), profile), isDefault: null));
        }
    }

    // A password written into the proxy URL (http://user:pass@host:port) is a credential like -ProxyCredential's:
    // it is taken out of the URL and kept protected, so neither the file nor Get-TtsConfiguration shows it.
    private void SetProxy(TtsSettings changes, Uri given)
    {
        (Uri address, NetworkCredential? credential) = ProxySettings.SplitUserInfo(ProxySettings.ParseAddress(given));
        if (credential is not null)
        {
            if (ProxyCredential is not null)
            {
                throw new TtsException(TtsErrorIds.ConfigurationInvalid, TtsErrorCategory.InvalidArgument, "-Proxy names a user and -ProxyCredential gives one too; give the credential once, with -ProxyCredential.");
            }

            changes.ProxyUserName = credential.UserName;
            changes.ProxyPassword = SecretText.ToSecureString(credential.Password);
        }

        changes.Proxy = address.ToString();
    }
}
