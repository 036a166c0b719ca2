using System.Management.Automation;
using AitreTts.Completers;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;

namespace AitreTts.Commands;

/// <summary>Remove-TtsConfiguration: removes a stored profile, or only its key, or the settings made with -Scope Process.</summary>
[Cmdlet(VerbsCommon.Remove, "TtsConfiguration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
public sealed class RemoveTtsConfigurationCommand : TtsCmdlet
{
    /// <summary>The profile to remove (or whose key to remove); the default profile when not given.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Profile { get; set; }

    /// <summary>Remove only the stored key (or secret name), keeping the rest of the profile.</summary>
    [Parameter]
    public SwitchParameter ApiKey { get; set; }

    /// <summary>CurrentUser (the file) or Process (the settings made with -Scope Process).</summary>
    [Parameter]
    public TtsConfigurationScope Scope { get; set; } = TtsConfigurationScope.CurrentUser;

    /// <inheritdoc />
    protected override void ProcessRecordCore()
    {
        if (Scope == TtsConfigurationScope.Process)
        {
            if (ShouldProcess("the current process", ApiKey.IsPresent ? "Remove the API key set with -Scope Process" : "Remove every setting made with -Scope Process"))
            {
                if (ApiKey.IsPresent)
                {
                    ProcessConfiguration.RemoveApiKey();
                }
                else
                {
                    ProcessConfiguration.Clear();
                }
            }

            return;
        }

        ConfigurationStore store = ConfigurationStore.ForCurrentUser();
        ConfigurationStore.StoredConfiguration stored = store.Snapshot(Log);
        string profile = Profile ?? stored.DefaultProfile;
        if (!stored.HasProfile(profile))
        {
            WriteTtsError(new TtsException(TtsErrorIds.ProfileNotFound, TtsErrorCategory.ObjectNotFound, $"No profile named '{profile}' is stored in {store.FilePath}. Get-TtsConfiguration lists the profiles.") { TargetObject = profile });
            return;
        }

        string action = ApiKey.IsPresent ? "Remove the stored API key" : "Remove the profile";
        if (!ShouldProcess($"profile '{profile}' in {store.FilePath}", action))
        {
            return;
        }

        bool removed = ApiKey.IsPresent ? store.RemoveApiKey(profile, Log) : store.RemoveProfile(profile, Log);
        WriteVerbose(removed ? $"{action}: done for profile '{profile}'." : $"Profile '{profile}' had no stored key.");
    }
}
