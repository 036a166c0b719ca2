using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace AitreTts.Tests.Module;

/// <summary>Where the repository and the built module assemblies are, as the test project's build recorded them.</summary>
internal static class BuildPaths
{
    public static string RepositoryRoot { get; } = Path.GetFullPath(Metadata("RepositoryRoot"));

    public static string Configuration { get; } = Metadata("Configuration");

    public static string SystemManagementAutomation { get; } = Metadata("SystemManagementAutomation");

    public static string NetStandardReferenceDirectory { get; } = Metadata("NetStandardReference");

    public static string ModuleBuildDirectory { get; } = Path.Combine(RepositoryRoot, "src", "AitreTts", "bin", Configuration, "netstandard2.0");

    public static string Manifest { get; } = Path.Combine(RepositoryRoot, "AitreTts.psd1");

    /// <summary>
    /// The built AitreTts.dll in a MetadataLoadContext that can also resolve netstandard and the
    /// System.Management.Automation reference assembly: its attributes can be read without PowerShell.
    /// </summary>
    public static (MetadataLoadContext Context, Assembly Module) LoadModule()
    {
        IEnumerable<string> paths = Directory.GetFiles(ModuleBuildDirectory, "*.dll")
            .Concat(Directory.GetFiles(NetStandardReferenceDirectory, "*.dll"))
            .Append(SystemManagementAutomation);
        var context = new MetadataLoadContext(new PathAssemblyResolver(paths), "netstandard");
        return (context, context.LoadFromAssemblyPath(Path.Combine(ModuleBuildDirectory, "AitreTts.dll")));
    }

    private static string Metadata(string key) =>
        typeof(BuildPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
