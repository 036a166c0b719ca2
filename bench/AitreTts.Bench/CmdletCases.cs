using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Threading.Tasks;

namespace AitreTts.Bench;

/// <summary>
/// Cases 6 and 7 go through Invoke-TextToSpeech in the built module. They run in AitreTts.Bench.Cmdlet, a process of
/// their own: this one references AitreTts.Core, and its copy would be the one the module's cmdlets bind to in the
/// default load context (see bench/README.md). The child gets private HOME, configuration and cache folders.
/// </summary>
internal static class CmdletCases
{
    private static string? _manifest;

    public static async Task<ResultRow> RunAsync(string number, string workRoot)
    {
        string manifest = _manifest ??= await ModuleManifestAsync().ConfigureAwait(false);
        string caseRoot = Path.Combine(workRoot, "case" + number);
        string home = Path.Combine(caseRoot, "home");
        Directory.CreateDirectory(home);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Metadata("CmdletHost"));
        start.ArgumentList.Add(number);
        start.ArgumentList.Add(manifest);
        start.ArgumentList.Add(caseRoot);

        // The module's settings store and cache live under these (README, "Configuration" and "The chunk cache"); a
        // developer's own profile, key and cache stay untouched, and their AITRE_/OPENAI_ variables do not leak in.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("AITRE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("OPENAI_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = home;
        start.Environment["USERPROFILE"] = home;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(home, ".config");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(home, ".cache");
        start.Environment["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share");
        start.Environment["APPDATA"] = Path.Combine(home, "AppData", "Roaming");
        start.Environment["LOCALAPPDATA"] = Path.Combine(home, "AppData", "Local");
        start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        start.Environment["POWERSHELL_UPDATECHECK"] = "Off";

        string result = await ChildResult.RunAsync(start, $"Case {number} (AitreTts.Bench.Cmdlet)").ConfigureAwait(false);
        return JsonSerializer.Deserialize<ResultRow>(result)
            ?? throw new InvalidOperationException($"Case {number} printed no result.");
    }

    /// <summary>
    /// The module to measure: AITRETTS_MODULE (a path to AitreTts.psd1, as the Pester suite takes it) when set, else
    /// a Release build of this checkout made now with build.ps1 through the pinned pwsh tool.
    /// </summary>
    private static async Task<string> ModuleManifestAsync()
    {
        if (Environment.GetEnvironmentVariable("AITRETTS_MODULE") is { Length: > 0 } given)
        {
            string path = Path.GetFullPath(given);
            return File.Exists(path) ? path : throw new FileNotFoundException("AITRETTS_MODULE names no file.", path);
        }

        string root = Metadata("RepositoryRoot");
        string output = Path.Combine(root, "output", "bench");
        Console.Write("(building the module: dotnet tool run pwsh -- -NoProfile -NonInteractive -File build.ps1 -Task Build -Configuration Release -OutputPath output/bench) ");
        await DotnetAsync(root, "tool", "restore").ConfigureAwait(false);
        await DotnetAsync(root, "tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-File", Path.Combine(root, "build.ps1"), "-Task", "Build", "-Configuration", "Release", "-OutputPath", output).ConfigureAwait(false);
        string[] manifests = Directory.GetFiles(Path.Combine(output, "AitreTts"), "AitreTts.psd1", SearchOption.AllDirectories);
        return manifests.Length == 1 ? manifests[0] : throw new InvalidOperationException($"Expected one AitreTts.psd1 under {output}, found {manifests.Length}.");
    }

    private static async Task DotnetAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {await stdout.ConfigureAwait(false)} {await stderr.ConfigureAwait(false)}");
        }
    }

    /// <summary>Paths the project file compiles in (AitreTts.Bench.csproj).</summary>
    private static string Metadata(string key) =>
        typeof(CmdletCases).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The assembly has no {key} metadata.");
}
