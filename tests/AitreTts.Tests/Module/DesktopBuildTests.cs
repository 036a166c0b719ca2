using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using AitreTts.Core.Compatibility;

namespace AitreTts.Tests.Module;

/// <summary>
/// What Windows PowerShell 5.1 meets, checked without it: the net462 build it loads, the AssemblyResolve handler's
/// decisions, and the TLS setting the module leaves behind.
/// </summary>
public sealed class DesktopBuildTests
{
    private const string SystemToken = "cc7b13ffcd2ddd51";
    private const string OtherToken = "b77a5c561934e089";

    private static readonly string DependencyDirectory = Path.Combine(Path.GetTempPath(), "AitreTts", "Desktop", "dependencies");

    private static readonly DependencyRequestPolicy Policy = new(DependencyDirectory, new[]
    {
        Name("System.Text.Json", "8.0.0.5"),
        Name("System.Memory", "4.0.1.2"),
        Name("System.Buffers", "4.0.3.0"),
        Name("System.Runtime.CompilerServices.Unsafe", "6.0.0.0"),
        Name("Microsoft.Bcl.AsyncInterfaces", "8.0.0.0"),
    });

    private static string DesktopBuildDirectory => Path.Combine(Path.GetDirectoryName(BuildPaths.ModuleBuildDirectory)!, "net462");

    // BuildPaths knows netstandard.library's folder in the NuGet cache; the .NET Framework reference assemblies are
    // beside it.
    private static string Net462ReferenceDirectory => Path.GetFullPath(Path.Combine(
        BuildPaths.NetStandardReferenceDirectory, "..", "..", "..", "..", "..",
        "microsoft.netframework.referenceassemblies.net462", "1.0.3", "build", ".NETFramework", "v4.6.2"));

    [Theory]
    [InlineData("AitreTts", "System.Text.Json", "8.0.0.0")]
    [InlineData("AitreTts.Core", "System.Text.Json", "8.0.0.5")]
    [InlineData("AitreTts.Core", "System.Memory", "4.0.1.2")]
    [InlineData("AitreTts.Core", "Microsoft.Bcl.AsyncInterfaces", "8.0.0.0")]
    public void OurAssembliesGetWhatWeShip(string requester, string requested, string version)
    {
        string? file = Policy.FileToLoad(Name(requested, version), Name(requester, "0.1.0.0", token: null), Path.Combine(DependencyDirectory, "..", requester + ".dll"));
        Assert.Equal(Path.Combine(DependencyDirectory, requested + ".dll"), file);
    }

    [Theory]
    // The references no binding redirect bridges on .NET Framework: System.Memory 4.5.5 was built against older ones.
    [InlineData("System.Memory", "System.Buffers", "4.0.2.0")]
    [InlineData("System.Memory", "System.Runtime.CompilerServices.Unsafe", "4.0.4.1")]
    [InlineData("System.Text.Json", "System.Memory", "4.0.1.2")]
    public void OurDependenciesGetOlderVersionsBridged(string requester, string requested, string version)
    {
        string? file = Policy.FileToLoad(Name(requested, version), Name(requester, "4.0.1.2"), Path.Combine(DependencyDirectory, requester + ".dll"));
        Assert.Equal(Path.Combine(DependencyDirectory, requested + ".dll"), file);
    }

    [Fact]
    public void ADependencyLoadedFromElsewhereIsNotAnswered()
    {
        // The same System.Memory, from the GAC or another module's folder, is another module's business.
        string elsewhere = Path.Combine(Path.GetTempPath(), "OtherModule", "System.Memory.dll");
        Assert.Null(Policy.FileToLoad(Name("System.Buffers", "4.0.2.0"), Name("System.Memory", "4.0.1.2"), elsewhere));
        Assert.Null(Policy.FileToLoad(Name("System.Buffers", "4.0.2.0"), Name("System.Memory", "4.0.1.2"), null));
    }

    [Theory]
    [InlineData("OtherModule")]
    [InlineData("AitreTtsExtra")]
    [InlineData("System.Management.Automation")]
    public void OtherRequestersAreNotAnswered(string requester)
    {
        string location = Path.Combine(Path.GetTempPath(), requester, requester + ".dll");
        Assert.Null(Policy.FileToLoad(Name("System.Text.Json", "8.0.0.0"), Name(requester, "1.0.0.0", token: null), location));
    }

    [Fact]
    public void ARequestWithoutRequesterIsNotAnswered()
    {
        // .NET Framework names no requester for Assembly.Load(string) and Type.GetType: anyone's code could be asking.
        Assert.Null(Policy.FileToLoad(Name("System.Text.Json", "8.0.0.0"), null, null));
    }

    [Theory]
    [InlineData("System.Text.Json", "9.0.0.0")]
    [InlineData("System.Text.Json", "8.0.1.0")]
    [InlineData("System.Runtime.CompilerServices.Unsafe", "7.0.0.0")]
    [InlineData("Newtonsoft.Json", "13.0.0.0")]
    [InlineData("AitreTts.Core", "0.1.0.0")]
    public void NewerVersionsAndNamesWeDoNotShipAreNotAnswered(string requested, string version)
    {
        string location = Path.Combine(DependencyDirectory, "..", "AitreTts.dll");
        Assert.Null(Policy.FileToLoad(Name(requested, version), Name("AitreTts", "0.1.0.0", token: null), location));
    }

    [Fact]
    public void AnAssemblyOfTheSameNameFromAnotherPublisherIsNotAnswered()
    {
        string location = Path.Combine(DependencyDirectory, "..", "AitreTts.dll");
        Assert.Null(Policy.FileToLoad(Name("System.Text.Json", "8.0.0.0", OtherToken), Name("AitreTts", "0.1.0.0", token: null), location));
        Assert.NotNull(Policy.FileToLoad(Name("System.Text.Json", "8.0.0.0", token: null), Name("AitreTts", "0.1.0.0", token: null), location));
    }

    [Theory]
    [InlineData(0, 0)] // SystemDefault: the OS chooses, TLS 1.3 included
    [InlineData(48 | 192, 48 | 192 | 3072)] // Ssl3 | Tls: .NET Framework 4.6.2 without SchUseStrongCrypto
    [InlineData(192 | 768, 192 | 768 | 3072)] // Tls | Tls11
    [InlineData(192, 192 | 3072)] // Tls
    [InlineData(3072, 3072)] // Tls12
    [InlineData(768 | 3072, 768 | 3072)] // Tls11 | Tls12
    [InlineData(12288, 12288)] // Tls13 alone: an explicit choice of something newer
    [InlineData(192 | 12288, 192 | 12288)] // Tls | Tls13
    public void Tls12IsAddedOnlyToAnExplicitListOfOlderProtocols(int current, int expected) =>
        Assert.Equal((SecurityProtocolType)expected, TlsProtocols.WithTls12WhereOnlyOlder((SecurityProtocolType)current));

    [Fact]
    public void TheDesktopBuildReferencesNoNetStandardFacade()
    {
        // netstandard 2.0.0.0 exists in .NET Framework only from 4.7.1, and the module ships no netstandard.dll: an
        // assembly referencing it does not load on 4.6.2-4.7.0, and the resolve handler cannot help, as it lives in it.
        foreach (string file in DesktopAssemblies())
        {
            using var context = new MetadataLoadContext(new PathAssemblyResolver(new[] { file }.Concat(Net462References())), "mscorlib");
            Assembly assembly = context.LoadFromAssemblyPath(file);
            Assert.DoesNotContain(assembly.GetReferencedAssemblies(), r => r.Name == "netstandard");
        }
    }

    [Fact]
    public void EveryReferenceOfTheDesktopBuildIsInNetFramework462OrAnsweredByTheHandler()
    {
        var framework = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
        foreach (string file in Net462References())
        {
            try
            {
                framework[Path.GetFileNameWithoutExtension(file)] = AssemblyName.GetAssemblyName(file).Version!;
            }
            catch (BadImageFormatException)
            {
                // A few files in the reference pack are modules, not assemblies.
            }
        }

        // The layout build.ps1 makes, in a folder of this test's own: our two assemblies, the rest in dependencies/.
        // Nothing is written into the build folder, which the Pester suite's build.ps1 may be using at the same time.
        string layout = Path.Combine(Path.GetTempPath(), "AitreTts-desktop-" + Guid.NewGuid().ToString("N"));
        string dependencies = Path.Combine(layout, "dependencies");
        Directory.CreateDirectory(dependencies);
        try
        {
            foreach (string file in DesktopAssemblies())
            {
                File.Copy(file, Path.Combine(IsOwn(file) ? layout : dependencies, Path.GetFileName(file)));
            }

            var policy = DependencyRequestPolicy.FromDirectory(dependencies);
            var unanswered = new List<string>();
            foreach (string file in DesktopAssemblies().Select(f => Path.Combine(IsOwn(f) ? layout : dependencies, Path.GetFileName(f))))
            {
                AssemblyName requester = AssemblyName.GetAssemblyName(file);
                using var context = new MetadataLoadContext(new PathAssemblyResolver(new[] { file }.Concat(Net462References())), "mscorlib");
                foreach (AssemblyName reference in context.LoadFromAssemblyPath(file).GetReferencedAssemblies())
                {
                    // AitreTts.Core sits beside AitreTts.dll, where .NET Framework looks first.
                    bool beside = reference.Name == "AitreTts.Core";
                    bool inFramework = framework.TryGetValue(reference.Name!, out Version? available) && reference.Version! <= available;
                    if (!beside && !inFramework && policy.FileToLoad(reference, requester, file) is null)
                    {
                        unanswered.Add($"{requester.Name} -> {reference}");
                    }
                }
            }

            Assert.True(unanswered.Count == 0, string.Join("\n", unanswered));
        }
        finally
        {
            Directory.Delete(layout, recursive: true);
        }
    }

    /// <summary>
    /// What the AssemblyResolve handler may need to run, it cannot resolve: the first request for System.Memory would
    /// re-enter the handler before the handler itself is compiled. So the code from Import-Module to the handler's answer
    /// (ModuleInitializer and AitreTts.Core.Compatibility, with all they call) names none of what it resolves.
    /// </summary>
    [Fact]
    public void TheResolvePathNamesNothingTheHandlerResolves()
    {
        string[] own = DesktopAssemblies().Where(IsOwn).ToArray();
        var forbidden = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "System.Memory", "System.ValueTuple", "System.Text.Json", "System.Buffers", "System.Runtime.CompilerServices.Unsafe",
            "System.Threading.Tasks.Extensions", "Microsoft.Bcl.AsyncInterfaces", "System.Numerics.Vectors", "System.Text.Encodings.Web",
        };
        // And whatever else build.ps1 ships in Desktop/dependencies/: every assembly of the build but our own.
        forbidden.UnionWith(DesktopAssemblies().Where(f => !IsOwn(f)).Select(Path.GetFileNameWithoutExtension)!);

        using var walk = new ResolvePathReferences(own);
        walk.Walk(type => type == "AitreTts.ModuleInitializer" || type.StartsWith("AitreTts.Core.Compatibility.", StringComparison.Ordinal));

        Assert.Contains("AitreTts.Core.Compatibility.DependencyRequestPolicy.FileToLoad", walk.MethodsWalked);
        Assert.Contains("AitreTts.ModuleInitializer.ResolveDependency", walk.MethodsWalked);
        string[] offending = walk.References.Where(r => forbidden.Contains(r.Assembly)).Select(r => $"{r.From} -> {r.Assembly}").Distinct().OrderBy(r => r, StringComparer.Ordinal).ToArray();
        Assert.True(offending.Length == 0, "The resolve path names assemblies the handler resolves:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void BuildPs1BuildsOutsideTheFoldersTheseTestsRead()
    {
        // The Pester suite's fixture runs build.ps1 while these tests read src/AitreTts/bin/<configuration>/: every
        // dotnet build or publish of build.ps1 must put its build output (OutDir) under its own -OutputPath.
        string[] calls = File.ReadAllLines(Path.Combine(BuildPaths.RepositoryRoot, "build.ps1"))
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s*Invoke-Dotnet (publish|build) .*src/"))
            .ToArray();
        Assert.NotEmpty(calls);
        Assert.All(calls, call => Assert.Matches(@"""-p:OutDir=\$editionBuild/""", call));
        string script = File.ReadAllText(Path.Combine(BuildPaths.RepositoryRoot, "build.ps1"));
        Assert.Matches(@"\$editionBuild = .*Join-Path \$OutputPath 'build'", script);
    }

    private static bool IsOwn(string file) => Path.GetFileName(file) is "AitreTts.dll" or "AitreTts.Core.dll";

    private static IEnumerable<string> DesktopAssemblies()
    {
        Assert.True(File.Exists(Path.Combine(DesktopBuildDirectory, "AitreTts.dll")), $"the net462 build is missing from {DesktopBuildDirectory}");
        return Directory.GetFiles(DesktopBuildDirectory, "*.dll");
    }

    private static IEnumerable<string> Net462References()
    {
        Assert.True(Directory.Exists(Net462ReferenceDirectory), $"the .NET Framework 4.6.2 reference assemblies are missing from {Net462ReferenceDirectory}");
        return Directory.GetFiles(Net462ReferenceDirectory, "*.dll")
            .Concat(Directory.GetFiles(Path.Combine(Net462ReferenceDirectory, "Facades"), "*.dll"))
            .Append(BuildPaths.SystemManagementAutomation);
    }

    private static AssemblyName Name(string name, string version, string? token = SystemToken)
    {
        var assemblyName = new AssemblyName(name) { Version = Version.Parse(version) };
        if (token is not null)
        {
            assemblyName.SetPublicKeyToken(Convert.FromHexString(token));
        }

        return assemblyName;
    }
}
