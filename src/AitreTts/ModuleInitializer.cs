using System;
using System.IO;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Management.Automation;

namespace AitreTts;

/// <summary>
/// Windows PowerShell 5.1 runs on .NET Framework, which has no System.Text.Json and no binding redirects for the
/// versions its dependencies ask for. The module ships them in a 'dependencies' folder and resolves them from
/// there. PowerShell 7.4+ has them inbox and never sees that folder, so the module never loads a second copy.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string DependencyDirectory = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".",
        "dependencies");

    private static bool IsDesktop => RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

    /// <summary>Runs once when Import-Module loads the assembly.</summary>
    public void OnImport()
    {
        if (!IsDesktop)
        {
            return;
        }

        AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
        // .NET Framework 4.7.2 without the SchUseStrongCrypto registry keys offers only SSL3/TLS 1.0, which
        // api.openai.com and Azure refuse; add TLS 1.2 without removing what the session already allows.
        ServicePointManager.SecurityProtocol |= SecurityProtocolType.Tls12;
    }

    /// <summary>Runs when Remove-Module unloads the module.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        if (IsDesktop)
        {
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
        }
    }

    private static Assembly? ResolveDependency(object? sender, ResolveEventArgs args)
    {
        string name = new AssemblyName(args.Name).Name ?? string.Empty;
        string candidate = Path.Combine(DependencyDirectory, name + ".dll");
        // Any version in our folder satisfies the request: the versions there were built to work together.
        return File.Exists(candidate) ? Assembly.LoadFrom(candidate) : null;
    }
}
