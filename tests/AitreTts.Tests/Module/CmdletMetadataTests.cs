using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using AitreTts.Core.Errors;

namespace AitreTts.Tests.Module;

/// <summary>
/// What the compiler cannot check: the cmdlet attributes PowerShell binds by, read from the built assembly with
/// MetadataLoadContext (no PowerShell needed), and the manifest's exports.
/// </summary>
public sealed class CmdletMetadataTests : IDisposable
{
    private readonly MetadataLoadContext _context;
    private readonly Assembly _module;

    public CmdletMetadataTests()
    {
        (_context, _module) = BuildPaths.LoadModule();
    }

    public void Dispose() => _context.Dispose();

    private IEnumerable<(Type Type, string Name)> Cmdlets() =>
        _module.GetTypes()
            .Select(t => (Type: t, Attribute: t.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType.Name == "CmdletAttribute")))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Type, $"{x.Attribute!.ConstructorArguments[0].Value}-{x.Attribute.ConstructorArguments[1].Value}"));

    private Type Cmdlet(string name) => Cmdlets().Single(c => c.Name == name).Type;

    private static CustomAttributeData? Attribute(MemberInfo member, string name) =>
        member.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType.Name == name);

    private static IEnumerable<CustomAttributeData> ParameterAttributes(PropertyInfo property) =>
        property.GetCustomAttributesData().Where(a => a.AttributeType.Name == "ParameterAttribute");

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

    [Fact]
    public void TheCmdletsAreTheOnesTheManifestExports()
    {
        string[] exported = ManifestList("CmdletsToExport");
        Assert.Equal(exported.OrderBy(n => n), Cmdlets().Select(c => c.Name).OrderBy(n => n));
        Assert.Contains("Invoke-TextToSpeech", exported);
        Assert.Contains("Get-TtsVoice", exported);
        Assert.Contains("Set-TtsConfiguration", exported);
        Assert.Contains("Get-TtsConfiguration", exported);
    }

    [Theory]
    [InlineData("FunctionsToExport")]
    [InlineData("VariablesToExport")]
    [InlineData("AliasesToExport")]
    public void TheManifestExportsNothingElse(string key) => Assert.Empty(ManifestList(key));

    [Fact]
    public void TheManifestLoadsInBothEditions()
    {
        string manifest = File.ReadAllText(BuildPaths.Manifest);
        Assert.Equal(new[] { "Core", "Desktop" }, ManifestList("CompatiblePSEditions").OrderBy(e => e));
        Assert.Matches(@"PowerShellVersion\s*=\s*'5\.1'", manifest);
        // AitreTts.psm1 picks the build by edition: Desktop/ (net462) in Windows PowerShell 5.1, Core/ otherwise.
        Assert.Matches(@"RootModule\s*=\s*'AitreTts\.psm1'", manifest);
        Assert.Matches(@"DotNetFrameworkVersion\s*=\s*'4\.6\.2'", manifest);
    }

    [Fact]
    public void EachCmdletLivesInItsOwnFileUnderCommands()
    {
        foreach ((Type type, string _) in Cmdlets())
        {
            string file = Path.Combine(BuildPaths.RepositoryRoot, "src", "AitreTts", "Commands", type.Name + ".cs");
            Assert.True(File.Exists(file), $"{type.Name} should be in {file}");
            Assert.Single(Regex.Matches(File.ReadAllText(file), @"\[Cmdlet\("));
        }
    }

    [Fact]
    public void InvokeTextToSpeech_TakesTextFromThePipelineAndReturnsFileInfo()
    {
        Type cmdlet = Cmdlet("Invoke-TextToSpeech");
        PropertyInfo text = cmdlet.GetProperty("Text")!;
        Assert.Equal("System.String[]", text.PropertyType.FullName);
        CustomAttributeData parameter = ParameterAttributes(text).Single();
        Assert.Equal(true, Named(parameter, "ValueFromPipeline"));
        Assert.Equal(true, Named(parameter, "Mandatory"));
        Assert.Equal(0, Named(parameter, "Position"));

        CustomAttributeData outputType = Attribute(cmdlet, "OutputTypeAttribute")!;
        var types = (IEnumerable<CustomAttributeTypedArgument>)outputType.ConstructorArguments[0].Value!;
        Assert.Equal("System.IO.FileInfo", ((Type)types.Single().Value!).FullName);

        CustomAttributeData cmdletAttribute = Attribute(cmdlet, "CmdletAttribute")!;
        Assert.Equal(true, Named(cmdletAttribute, "SupportsShouldProcess"));
    }

    [Fact]
    public void InvokeTextToSpeech_BindsTheSourceFileFromPSPath()
    {
        PropertyInfo source = Cmdlet("Invoke-TextToSpeech").GetProperty("SourcePath")!;
        Assert.Equal(true, Named(ParameterAttributes(source).Single(), "ValueFromPipelineByPropertyName"));
        var aliases = (IEnumerable<CustomAttributeTypedArgument>)Attribute(source, "AliasAttribute")!.ConstructorArguments[0].Value!;
        Assert.Contains("PSPath", aliases.Select(a => (string)a.Value!));
    }

    [Theory]
    [InlineData("Invoke-TextToSpeech", "Voice")]
    [InlineData("Invoke-TextToSpeech", "Model")]
    [InlineData("Invoke-TextToSpeech", "Format")]
    [InlineData("Invoke-TextToSpeech", "Speed")]
    [InlineData("Invoke-TextToSpeech", "Instructions")]
    [InlineData("Invoke-TextToSpeech", "OutFile")]
    [InlineData("Invoke-TextToSpeech", "OutputDirectory")]
    [InlineData("Invoke-TextToSpeech", "NoClobber")]
    [InlineData("Invoke-TextToSpeech", "Force")]
    [InlineData("Invoke-TextToSpeech", "ApiKey")]
    [InlineData("Invoke-TextToSpeech", "BaseUrl")]
    [InlineData("Invoke-TextToSpeech", "PerLine")]
    [InlineData("Set-TtsConfiguration", "ApiKey")]
    [InlineData("Set-TtsConfiguration", "BaseUrl")]
    [InlineData("Set-TtsConfiguration", "Model")]
    [InlineData("Set-TtsConfiguration", "Voice")]
    [InlineData("Set-TtsConfiguration", "Format")]
    [InlineData("Set-TtsConfiguration", "OutputDirectory")]
    [InlineData("Set-TtsConfiguration", "TimeoutSec")]
    [InlineData("Set-TtsConfiguration", "MaximumRetryCount")]
    [InlineData("Set-TtsConfiguration", "Scope")]
    [InlineData("Get-TtsVoice", "Name")]
    [InlineData("Get-TtsVoice", "Model")]
    public void TheDocumentedParametersExist(string cmdlet, string parameter)
    {
        PropertyInfo? property = Cmdlet(cmdlet).GetProperty(parameter);
        Assert.NotNull(property);
        Assert.NotEmpty(ParameterAttributes(property!));
    }

    [Theory]
    [InlineData("Invoke-TextToSpeech", "TimeoutSec", 1, 86400)]
    [InlineData("Invoke-TextToSpeech", "MaximumRetryCount", 0, 10)]
    [InlineData("Invoke-TextToSpeech", "ThrottleLimit", 1, 16)]
    [InlineData("Invoke-TextToSpeech", "SampleRate", 8000, 192000)]
    [InlineData("Invoke-TextToSpeech", "ParagraphPauseMs", 0, 10000)]
    [InlineData("Set-TtsConfiguration", "ParagraphPauseMs", 0, 10000)]
    [InlineData("Set-TtsConfiguration", "TimeoutSec", 1, 86400)]
    [InlineData("Set-TtsConfiguration", "MaximumRetryCount", 0, 10)]
    public void NumericParametersHaveValidationRanges(string cmdlet, string parameter, int minimum, int maximum)
    {
        // The range is the setting's, so the parameter, the file and the environment accept the same values.
        CustomAttributeData validation = Attribute(Cmdlet(cmdlet).GetProperty(parameter)!, "ValidateSettingAttribute")!;
        AitreTts.Core.Configuration.Setting setting = AitreTts.Core.Configuration.Setting.Find((string)validation.ConstructorArguments[0].Value!)!;
        Assert.Equal(parameter, setting.Name);
        Assert.True(setting.Check(minimum) && setting.Check(maximum));
        Assert.False(setting.Check(minimum - 1) || setting.Check(maximum + 1));
    }

    [Fact]
    public void SpeedIsValidatedByTheCmdletWithItsOwnErrorId()
    {
        // -Speed has no ValidateRange: 0, 5 and NaN must fail with TtsInvalidSpeed, which a binding error cannot carry.
        // The check itself runs in tests/InvokeTextToSpeech.Tests.ps1 ('refuses speed', 'accepts speed').
        PropertyInfo speed = Cmdlet("Invoke-TextToSpeech").GetProperty("Speed")!;
        Assert.Equal("System.Double", speed.PropertyType.FullName);
        Assert.Null(Attribute(speed, "ValidateRangeAttribute"));
    }

    [Theory]
    [InlineData("Invoke-TextToSpeech", "ApiKey")]
    [InlineData("Set-TtsConfiguration", "ApiKey")]
    public void ApiKeyIsASecureStringThatAcceptsText(string cmdlet, string parameter)
    {
        PropertyInfo key = Cmdlet(cmdlet).GetProperty(parameter)!;
        Assert.Equal("System.Security.SecureString", key.PropertyType.FullName);
        Assert.NotNull(Attribute(key, "SecureStringTransformationAttribute"));
    }

    [Theory]
    [InlineData("Invoke-TextToSpeech", "Voice", "VoiceCompleter")]
    [InlineData("Invoke-TextToSpeech", "Model", "ModelCompleter")]
    [InlineData("Invoke-TextToSpeech", "Format", "FormatCompleter")]
    [InlineData("Set-TtsConfiguration", "Voice", "VoiceCompleter")]
    [InlineData("Get-TtsVoice", "Name", "VoiceCompleter")]
    public void CompletersUseTheAttributeWindowsPowerShellKnows(string cmdlet, string parameter, string completer)
    {
        CustomAttributeData attribute = Attribute(Cmdlet(cmdlet).GetProperty(parameter)!, "ArgumentCompleterAttribute")!;
        Assert.Equal(completer, ((Type)attribute.ConstructorArguments[0].Value!).Name);
        Assert.Null(Attribute(Cmdlet(cmdlet).GetProperty(parameter)!, "ValidateSetAttribute"));
    }

    [Fact]
    public void EveryCoreErrorCategoryIsAPowerShellErrorCategory()
    {
        Type errorCategory = _context.LoadFromAssemblyPath(BuildPaths.SystemManagementAutomation).GetType("System.Management.Automation.ErrorCategory")!;
        string[] names = errorCategory.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name).ToArray();
        foreach (string name in Enum.GetNames<TtsErrorCategory>())
        {
            Assert.Contains(name, names);
        }
    }

    [Fact]
    public void TheModuleReferencesNothingNewerThanPowerShell74Ships()
    {
        // PowerShell 7.4 runs on .NET 8 and ships System.Text.Json 8.0; a newer reference fails to load there.
        Assembly core = _context.LoadFromAssemblyPath(Path.Combine(BuildPaths.ModuleBuildDirectory, "AitreTts.Core.dll"));
        foreach (AssemblyName reference in core.GetReferencedAssemblies().Concat(_module.GetReferencedAssemblies()))
        {
            if (reference.Name!.StartsWith("System.", StringComparison.Ordinal) || reference.Name.StartsWith("Microsoft.", StringComparison.Ordinal))
            {
                Assert.True(reference.Version!.Major <= 8, $"{reference.Name} {reference.Version} is newer than PowerShell 7.4 ships");
            }
        }

        Assert.DoesNotContain(_module.GetReferencedAssemblies(), r => r.Name == "System.Management.Automation" && r.Version!.Major > 3);
        Assert.False(File.Exists(Path.Combine(BuildPaths.ModuleBuildDirectory, "System.Management.Automation.dll")), "PowerShellStandard.Library must stay compile-time only");
    }

    [Fact]
    public void TheModuleInitializerResolvesDependenciesForWindowsPowerShell()
    {
        Type initializer = _module.GetType("AitreTts.ModuleInitializer")!;
        Assert.Contains(initializer.GetInterfaces(), i => i.Name == "IModuleAssemblyInitializer");
        Assert.Contains(initializer.GetInterfaces(), i => i.Name == "IModuleAssemblyCleanup");
    }

    private static string[] ManifestList(string key)
    {
        string manifest = File.ReadAllText(BuildPaths.Manifest);
        Match match = Regex.Match(manifest, key + @"\s*=\s*@\((?<items>[^)]*)\)", RegexOptions.Singleline);
        Assert.True(match.Success, $"{key} is not an explicit @() list in the manifest");
        return Regex.Matches(match.Groups["items"].Value, "'([^']+)'").Select(m => m.Groups[1].Value).ToArray();
    }
}
