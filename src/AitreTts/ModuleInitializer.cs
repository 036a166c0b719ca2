using System;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Reflection;
using AitreTts.Core.Compatibility;

namespace AitreTts;

/// <summary>
/// Windows PowerShell 5.1 runs on .NET Framework, which has no System.Text.Json and no binding redirects for the
/// versions its dependencies ask for. The Desktop build ships them in a 'dependencies' folder beside it and resolves
/// them from there. PowerShell 7.4+ loads the Core build, has them inbox and never sees that folder, so the module
/// never loads a second copy.
/// </summary>
/// <remarks>
/// Dependency-free, as <see cref="DependencyRequestPolicy"/>'s remarks say why: this class and the
/// AitreTts.Core.Compatibility namespace use only mscorlib, System and System.Core, which a test checks in the built IL.
/// </remarks>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
#if NETFRAMEWORK
    private static DependencyRequestPolicy? _dependencies;
#endif

    /// <summary>Runs once when Import-Module loads the assembly.</summary>
    public void OnImport()
    {
#if NETFRAMEWORK
        // Touching AitreTts.Core here loads it before the handler exists, so the handler never has to resolve the very
        // assembly it runs from.
        SecurityProtocolType protocols = ServicePointManager.SecurityProtocol;
        SecurityProtocolType wanted = TlsProtocols.WithTls12WhereOnlyOlder(protocols);
        if (wanted != protocols)
        {
            ServicePointManager.SecurityProtocol = wanted;
        }

        _dependencies = DependencyRequestPolicy.FromDirectory(Path.Combine(
            Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".",
            "dependencies"));
        // Once, however often the module is imported into the session.
        AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
        AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
#endif
    }

    /// <summary>Runs when Remove-Module unloads the module.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
#if NETFRAMEWORK
        AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
#endif
    }

#if NETFRAMEWORK
    private static Assembly? ResolveDependency(object? sender, ResolveEventArgs args)
    {
        string? file = _dependencies?.FileToLoad(new AssemblyName(args.Name), args.RequestingAssembly?.GetName(), RequestingLocation(args));
        return file is not null && File.Exists(file) ? Assembly.LoadFrom(file) : null;
    }

    private static string? RequestingLocation(ResolveEventArgs args)
    {
        try
        {
            return args.RequestingAssembly?.Location;
        }
        catch (NotSupportedException)
        {
            // A dynamic assembly has no location: not one of ours.
            return null;
        }
    }
#endif
}
