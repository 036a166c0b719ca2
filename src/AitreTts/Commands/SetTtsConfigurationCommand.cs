using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using AitreTts.Completers;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Providers;
using AitreTts.Core.Text;

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
public sealed class SetTtsConfigurationCommand : TtsEndpointCmdlet
{
    /// <summary>The API key; a string is accepted and turned into a SecureString at once.</summary>
    [Parameter(Position = 0)]
    [SecureStringTransformation]
    public override SecureString? ApiKey { get => base.ApiKey; set => base.ApiKey = value; }

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

    /// <summary>Read the key at call time from this SecretManagement secret instead of storing it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ApiKeySecretName { get; set; }

    /// <summary>The SecretManagement vault of -ApiKeySecretName.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Vault { get; set; }

    /// <summary>How many requests Invoke-TextToSpeech sends at once.</summary>
    [Parameter]
    [ValidateSetting("ThrottleLimit")]
    public int ThrottleLimit { get; set; }

    /// <summary>Silence Invoke-TextToSpeech puts between paragraphs, in milliseconds.</summary>
    [Parameter]
    [ValidateSetting("ParagraphPauseMs")]
    public int ParagraphPauseMs { get; set; }

    /// <summary>A tab-separated UTF-8 file of words and how Invoke-TextToSpeech says them.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PronunciationFile { get; set; }

    /// <summary>The most the chunk cache may hold, in MiB; 0 turns it off.</summary>
    [Parameter]
    [ValidateSetting("CacheSizeLimitMB")]
    public int CacheSizeLimitMB { get; set; }

    /// <summary>The server's price in US dollars per million characters, for the cost estimates of -WhatIf.</summary>
    [Parameter]
    [ValidateSetting("PricePerMillionCharacters")]
    public double PricePerMillionCharacters { get; set; }

    /// <summary>The sample rate of the server's pcm.</summary>
    [Parameter]
    [ValidateSetting("SampleRate")]
    public int SampleRate { get; set; }

    /// <summary>Make -Profile the default profile.</summary>
    [Parameter]
    public SwitchParameter Default { get; set; }

    /// <summary>CurrentUser (the file, the default) or Process.</summary>
    [Parameter]
    public TtsConfigurationScope Scope { get; set; } = TtsConfigurationScope.CurrentUser;

    /// <summary>Emit the effective configuration afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override bool ForgetsStoredProxyCredentials => false;

    /// <inheritdoc />
    protected override void EndProcessingCore()
    {
        if (ApiKey is { Length: > 0 } && ApiKeySecretName is not null)
        {
            throw new TtsException(TtsErrorIds.ConfigurationInvalid, TtsErrorCategory.InvalidArgument, "Give either -ApiKey (stored protected) or -ApiKeySecretName (read from SecretManagement at call time), not both.");
        }

        if (Scope == TtsConfigurationScope.Process && (Profile is not null || Default.IsPresent))
        {
            throw new TtsException(TtsErrorIds.ConfigurationInvalid, TtsErrorCategory.InvalidArgument, "-Scope Process settings apply to every profile of this session; drop -Profile and -Default, or use -Scope CurrentUser.");
        }

        TtsSettings changes = BoundSettings(nameof(OutputDirectory), nameof(PronunciationFile));
        if (BaseUrl is not null)
        {
            changes.Set(Setting.BaseUrl, TtsEndpoint.ParseBaseUrl(BaseUrl, changes.Get(Setting.Provider) ?? ProviderProfile.Infer(BaseUrl)).ToString().TrimEnd('/'));
        }

        if (OutputDirectory is not null)
        {
            changes.Set(Setting.OutputDirectory, GetUnresolvedProviderPathFromPSPath(OutputDirectory));
        }

        if (PronunciationFile is not null)
        {
            // Stored as a full path, and read now: a file that is no lexicon would otherwise fail every later call.
            string path = GetUnresolvedProviderPathFromPSPath(PronunciationFile);
            OrStop(() => PronunciationLexicon.ReadFile(path), PronunciationFile);
            changes.Set(Setting.PronunciationFile, path);
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
                ProcessConfiguration.Apply(changes);
            }
        }
        else
        {
            ConfigurationStore store = ConfigurationStore.ForCurrentUser();
            string profile = Profile ?? store.Snapshot(Log).DefaultProfile;
            if (ShouldProcess($"profile '{profile}' in {store.FilePath}", action))
            {
                store.Save(changes, profile, Log, Default.IsPresent);
                WriteVerbose($"Saved {changes} to profile '{profile}' in {store.FilePath}{(changes.Any(change => change.Key.IsSecret) ? "; secrets are stored protected, never in plain text" : string.Empty)}.");
            }
        }

        if (PassThru.IsPresent)
        {
            string? profile = Scope == TtsConfigurationScope.CurrentUser ? Profile : null;
            WriteObject(TtsConfigurationInfo.From(ResolveConfiguration(new TtsSettings(), profile), isDefault: null));
        }
    }
}
