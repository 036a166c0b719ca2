using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace AitreTts.Tests.Module;

/// <summary>
/// The PowerShell that runs the Pester suite and build.ps1. By default the one pinned in .config/dotnet-tools.json,
/// which the test project's build restores ('dotnet tool restore'), so a machine with only the .NET SDK runs the
/// suite. A user's own is honoured where they prefer it: AITRETTS_PWSH names one (pwsh or powershell.exe), and a
/// pwsh on PATH newer than the pinned one is taken over it.
/// </summary>
internal sealed class PowerShellHost
{
    private static readonly Lazy<PowerShellHost?> Resolved = new(Resolve);
    private static string? _unavailableReason;

    private readonly string _fileName;
    private readonly string[] _prefix;

    private PowerShellHost(string fileName, string[] prefix, string version, string origin)
    {
        _fileName = fileName;
        _prefix = prefix;
        Version = version;
        Origin = origin;
    }

    /// <summary>The PowerShell to run, or null where none can be had (see <see cref="UnavailableReason"/>).</summary>
    public static PowerShellHost? Current => Resolved.Value;

    public static string? UnavailableReason => Current is null ? _unavailableReason : null;

    public static string PinnedVersion { get; } = Metadata("PinnedPowerShellVersion");

    public static string PesterManifest { get; } = Metadata("PesterManifest");

    public string Version { get; }

    /// <summary>Which PowerShell this is and why it was chosen, for the log.</summary>
    public string Origin { get; }

    public (int ExitCode, string Output) Run(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(_fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The tool manifest is found from here, wherever 'dotnet test' was started.
            WorkingDirectory = BuildPaths.RepositoryRoot,
        };
        foreach (string argument in _prefix)
        {
            info.ArgumentList.Add(argument);
        }

        // Encoded, so no quoting rule of either edition can change the script; as text, since with -EncodedCommand and
        // redirected output errors would otherwise arrive as CLIXML.
        foreach (string argument in new[] { "-NoProfile", "-NonInteractive", "-OutputFormat", "Text", "-EncodedCommand", Convert.ToBase64String(Encoding.Unicode.GetBytes(script)) })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (KeyValuePair<string, string> variable in environment)
        {
            info.Environment[variable.Key] = variable.Value;
        }

        // The suite must never reach a real provider or read the developer's own configuration.
        foreach (string name in new[] { "AITRE_API_KEY", "AITRE_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL" })
        {
            info.Environment.Remove(name);
        }

        using Process process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit((int)timeout.TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"timed out after {timeout}:\n{stdout.Result}\n{stderr.Result}");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static PowerShellHost? Resolve()
    {
        string? chosen = Environment.GetEnvironmentVariable("AITRETTS_PWSH");
        if (!string.IsNullOrEmpty(chosen))
        {
            if (!File.Exists(chosen))
            {
                _unavailableReason = $"AITRETTS_PWSH names '{chosen}', which does not exist";
                return null;
            }

            return Probe(chosen, Array.Empty<string>(), "AITRETTS_PWSH");
        }

        var pinnedVersion = System.Version.Parse(PinnedVersion);
        string? onPath = FindOnPath("pwsh");
        if (onPath is not null && Probe(onPath, Array.Empty<string>(), "pwsh on PATH") is { } installed
            && System.Version.TryParse(installed.Version.Split('-')[0], out Version? installedVersion) && installedVersion > pinnedVersion)
        {
            return new PowerShellHost(installed._fileName, installed._prefix, installed.Version, installed.Origin + $", newer than the pinned {PinnedVersion}");
        }

        PowerShellHost? pinned = Probe("dotnet", new[] { "tool", "run", "pwsh", "--" }, "the .NET tool pinned in .config/dotnet-tools.json");
        if (pinned is null)
        {
            _unavailableReason = $"the pinned PowerShell {PinnedVersion} did not start ('dotnet tool restore' at the repository root restores it; the test project's build runs it): {_unavailableReason}";
        }

        return pinned;
    }

    private static PowerShellHost? Probe(string fileName, string[] prefix, string origin)
    {
        var probe = new PowerShellHost(fileName, prefix, "?", origin);
        (int exit, string output) = probe.Run("$PSVersionTable.PSVersion.ToString() + ' ' + $PSVersionTable.PSEdition + ' ' + $PSHOME", new Dictionary<string, string>(), TimeSpan.FromMinutes(2));
        string[] words = output.Trim().Split(' ', 3);
        if (exit != 0 || words.Length < 3)
        {
            _unavailableReason = $"'{fileName} {string.Join(' ', prefix)}' exited {exit}: {output.Trim()}";
            return null;
        }

        return new PowerShellHost(fileName, prefix, words[0], $"{origin}: PowerShell {words[0]} {words[1]} in {words[2]}");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator)
            .Where(dir => dir.Length > 0)
            .SelectMany(dir => new[] { Path.Combine(dir, name), Path.Combine(dir, name + ".exe") })
            .FirstOrDefault(File.Exists);

    private static string Metadata(string key) =>
        typeof(PowerShellHost).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
