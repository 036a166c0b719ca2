using System;
using System.Management.Automation;

namespace AitreTts;

/// <summary>
/// Turns a blank string into <see cref="Unset"/> (null unless given): on parameters that bind from input objects by
/// property name, an empty cell of an Import-Csv row means "use the default", not "a voice named ''" nor a failed
/// binding that drops the row.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class BlankAsUnsetAttribute : ArgumentTransformationAttribute
{
    /// <summary>What a blank value becomes: the parameter's default.</summary>
    public object? Unset { get; set; }

    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) is string text && string.IsNullOrWhiteSpace(text) ? Unset : inputData;
}
