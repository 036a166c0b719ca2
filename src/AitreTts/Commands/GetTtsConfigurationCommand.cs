using System.Management.Automation;

namespace AitreTts.Commands;

/// <summary>Get-TtsConfiguration: the effective settings and where each came from, with the key masked.</summary>
[Cmdlet(VerbsCommon.Get, "TtsConfiguration")]
[OutputType(typeof(TtsConfigurationInfo))]
public sealed class GetTtsConfigurationCommand : TtsCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing() =>
        WriteObject(TtsConfigurationInfo.From(ResolveConfiguration(new Core.Configuration.TtsSettings())));
}
