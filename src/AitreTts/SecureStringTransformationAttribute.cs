using System;
using System.Management.Automation;
using System.Security;
using AitreTts.Core.Security;

namespace AitreTts;

/// <summary>
/// Lets -ApiKey take a plain string as well as a SecureString (as PSResourceGet's and SecretManagement's key
/// parameters do), so 'Set-TtsConfiguration -ApiKey $env:KEY' works. The string becomes a SecureString at once.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            null => null,
            SecureString secure => secure,
            string plain => SecretText.ToSecureString(plain),
            _ => throw new ArgumentTransformationMetadataException("The API key must be a string or a SecureString."),
        };
    }
}
