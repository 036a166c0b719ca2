using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace AitreTts.Core.Compatibility;

/// <summary>
/// Decides which AppDomain.AssemblyResolve requests the module answers on .NET Framework, where System.Text.Json and
/// its dependencies come from the module's 'dependencies' folder and no binding redirect bridges their versions.
/// The handler is process-wide, so it answers only its own assemblies' requests, by name, as PSResourceGet's
/// IsAssemblyMatching does (src/code/ModuleInitAndCleanup.cs in PowerShell/PSResourceGet): another module asking for
/// System.Text.Json must get its own copy or the usual failure, never ours.
/// </summary>
/// <remarks>
/// DEPENDENCY-FREE: this type, <see cref="TlsProtocols"/> and AitreTts.ModuleInitializer are the code that runs before
/// and inside the handler, and they use only mscorlib, System and System.Core. Whatever they name, the JIT must load
/// before the handler can answer; if that is one of the assemblies the handler answers for (System.Memory, ValueTuple,
/// System.Text.Json, ...), the first request re-enters the handler before it is compiled, and powershell.exe dies of a
/// stack overflow or the load fails. So: no spans, tuples, JSON or LINQ here, loops instead, and beware of what the
/// compiler binds to (C# 14 binds byte[].SequenceEqual and string[].Contains to MemoryExtensions, in System.Memory).
/// DesktopBuildTests.TheResolvePathNamesNothingTheHandlerResolves reads the built IL and fails on any of it.
/// </remarks>
internal sealed class DependencyRequestPolicy
{
    private static readonly string[] OwnAssemblies = { "AitreTts", "AitreTts.Core" };

    private readonly Dictionary<string, AssemblyName> _shipped;

    internal DependencyRequestPolicy(string directory, IEnumerable<AssemblyName> shipped)
    {
        DependencyDirectory = directory;
        _shipped = new Dictionary<string, AssemblyName>(StringComparer.OrdinalIgnoreCase);
        foreach (AssemblyName assembly in shipped)
        {
            if (assembly.Name is not null)
            {
                _shipped[assembly.Name] = assembly;
            }
        }
    }

    /// <summary>The 'dependencies' folder the answers come from.</summary>
    internal string DependencyDirectory { get; }

    /// <summary>Reads the names and versions of the assemblies shipped in <paramref name="directory"/>.</summary>
    internal static DependencyRequestPolicy FromDirectory(string directory)
    {
        var shipped = new List<AssemblyName>();
        if (Directory.Exists(directory))
        {
            foreach (string file in Directory.GetFiles(directory, "*.dll"))
            {
                try
                {
                    shipped.Add(AssemblyName.GetAssemblyName(file));
                }
                catch (Exception ex) when (ex is BadImageFormatException or IOException)
                {
                    // Not an assembly we can answer with; the request then fails as it would without us.
                }
            }
        }

        return new DependencyRequestPolicy(directory, shipped);
    }

    /// <summary>
    /// The file to load for <paramref name="requested"/>, or null to leave the request to others. Answered only when
    /// the requester is AitreTts, AitreTts.Core, or one of the shipped dependencies loaded from <see cref="DependencyDirectory"/>
    /// (System.Text.Json asking for System.Memory, System.Memory for System.Buffers), and only with a shipped assembly
    /// of the same name and public key token whose version is not older than the one asked for. That bridges the
    /// references no binding redirect covers here: System.Memory asks for System.Buffers 4.0.2.0 and
    /// System.Runtime.CompilerServices.Unsafe 4.0.4.1, and 4.0.3.0 and 6.0.0.0 are shipped.
    /// </summary>
    internal string? FileToLoad(AssemblyName requested, AssemblyName? requester, string? requesterLocation)
    {
        if (requester?.Name is null || !IsOwnOrShipped(requester, requesterLocation))
        {
            // .NET Framework gives no requester for loads by name (Assembly.Load(string), Type.GetType): those are not
            // ours to answer.
            return null;
        }

        if (requested.Name is null || !_shipped.TryGetValue(requested.Name, out AssemblyName? shipped))
        {
            return null;
        }

        if (requested.Version is not null && shipped.Version is not null && requested.Version > shipped.Version)
        {
            return null;
        }

        byte[]? requestedToken = requested.GetPublicKeyToken();
        if (requestedToken is { Length: > 0 } && !SameToken(requestedToken, shipped.GetPublicKeyToken()))
        {
            return null;
        }

        return Path.Combine(DependencyDirectory, shipped.Name + ".dll");
    }

    // A loop, not SequenceEqual: see the remarks on the class.
    private static bool SameToken(byte[] requested, byte[]? shipped)
    {
        if (shipped is null || shipped.Length != requested.Length)
        {
            return false;
        }

        for (int i = 0; i < requested.Length; i++)
        {
            if (requested[i] != shipped[i])
            {
                return false;
            }
        }

        return true;
    }

    private bool IsOwnOrShipped(AssemblyName requester, string? requesterLocation)
    {
        foreach (string own in OwnAssemblies)
        {
            if (string.Equals(own, requester.Name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        // A System.Memory from the GAC or another module is not ours, though it has the same name as ours.
        return _shipped.ContainsKey(requester.Name!)
            && requesterLocation is not null
            && string.Equals(Path.GetDirectoryName(Path.GetFullPath(requesterLocation)), Path.GetFullPath(DependencyDirectory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), StringComparison.OrdinalIgnoreCase);
    }
}
