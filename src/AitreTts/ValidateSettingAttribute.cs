using System;
using System.Management.Automation;
using AitreTts.Core.Configuration;

namespace AitreTts;

/// <summary>
/// Checks a parameter against the range its setting declares, so the parameter, the file and the environment
/// accept the same values and the range is written down once.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateSettingAttribute : ValidateArgumentsAttribute
{
    private readonly string _settingName;

    public ValidateSettingAttribute(string settingName) => _settingName = settingName;

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        Setting setting = Setting.Find(_settingName) ?? throw new InvalidOperationException("No setting is named " + _settingName + ".");
        object value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
        try
        {
            setting.Accept(value);
        }
        catch (FormatException)
        {
            throw new ValidationMetadataException($"The argument {value} is not valid for -{setting.Name}: it must be {setting.Expected}.");
        }
    }
}
