using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using AitreTts.Tests.Support;

namespace AitreTts.Tests.Module;

/// <summary>
/// Runs tests/*.Tests.ps1 through a real pwsh against the BUILT module (assembled by build.ps1) and the emulator.
/// Where pwsh or Pester 5 is missing the suite shows as skipped with that reason: never as passed.
/// </summary>
public sealed class PesterSuiteTests : IClassFixture<BuiltModuleFixture>
{
    private readonly BuiltModuleFixture _module;

    public PesterSuiteTests(BuiltModuleFixture module) => _module = module;

    public static IEnumerable<object[]> PesterFiles() =>
        Directory.GetFiles(Path.Combine(BuildPaths.RepositoryRoot, "tests"), "*.Tests.ps1")
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f) });

    [PesterTheory]
    [MemberData(nameof(PesterFiles))]
    public void PesterFilePasses(string file)
    {
        string path = Path.Combine(BuildPaths.RepositoryRoot, "tests", file);
        string script = string.Join(
            "; ",
            "$ErrorActionPreference = 'Stop'",
            "Import-Module Pester -MinimumVersion 5.0",
            "$c = New-PesterConfiguration",
            $"$c.Run.Path = '{path.Replace("'", "''")}'",
            "$c.Run.PassThru = $true",
            "$c.Output.Verbosity = 'Detailed'",
            "$r = Invoke-Pester -Configuration $c",
            "if ($r.FailedCount -gt 0 -or $r.Result -ne 'Passed') { exit 1 } else { exit 0 }");
        (int exit, string output) = Pwsh.Run(script, _module.Environment, TimeSpan.FromMinutes(15));
        Assert.True(exit == 0, $"Pester reported failures in {file}:\n{output}");
    }
}

/// <summary>Builds the module once per test run with build.ps1, as a user would, into a private output folder.</summary>
public sealed class BuiltModuleFixture
{
    private readonly Lazy<Dictionary<string, string>> _environment = new(Build);

    public IReadOnlyDictionary<string, string> Environment => _environment.Value;

    private static Dictionary<string, string> Build()
    {
        string output = Path.Combine(BuildPaths.RepositoryRoot, "output", "test");
        string build = Path.Combine(BuildPaths.RepositoryRoot, "build.ps1");
        (int exit, string log) = Pwsh.Run(
            $"& '{build}' -Task Build -Configuration {BuildPaths.Configuration} -OutputPath '{output}'; exit $LASTEXITCODE",
            new Dictionary<string, string>(),
            TimeSpan.FromMinutes(10));
        Assert.True(exit == 0, "build.ps1 failed:\n" + log);
        string manifest = Directory.GetFiles(Path.Combine(output, "AitreTts"), "AitreTts.psd1", SearchOption.AllDirectories).Single();
        return new Dictionary<string, string>
        {
            ["AITRETTS_MODULE"] = manifest,
            ["AITRETTS_EMULATOR"] = Path.Combine(output, "TtsEmulator", "TtsEmulator.dll"),
        };
    }
}

/// <summary>pwsh on PATH, and whether Pester 5 is installed in it.</summary>
internal static class Pwsh
{
    private static readonly Lazy<string?> SkipReasonValue = new(FindSkipReason);

    public static string? Path { get; } = (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(System.IO.Path.PathSeparator)
        .Where(dir => dir.Length > 0)
        .SelectMany(dir => new[] { System.IO.Path.Combine(dir, "pwsh"), System.IO.Path.Combine(dir, "pwsh.exe") })
        .FirstOrDefault(File.Exists);

    public static string? SkipReason => SkipReasonValue.Value;

    public static (int ExitCode, string Output) Run(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(Path ?? throw new InvalidOperationException("pwsh is not on PATH"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-NoProfile", "-NonInteractive", "-Command", script })
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
            return (-1, $"timed out after {timeout}:\n{stdout.Result}\n{stderr.Result}");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? FindSkipReason()
    {
        if (Path is null)
        {
            return "pwsh is not on PATH, so the Pester suite (tests/*.Tests.ps1) cannot run here; install PowerShell 7.4+ and Pester 5 to run it";
        }

        (int exit, string output) = Run("if (Get-Module -ListAvailable Pester | Where-Object { $_.Version.Major -ge 5 }) { exit 0 } else { exit 3 }", new Dictionary<string, string>(), TimeSpan.FromMinutes(1));
        return exit == 0 ? null : $"pwsh is at {Path} but Pester 5 is not installed in it ({output.Trim()}); run 'Install-Module Pester -MinimumVersion 5.0' to run the Pester suite";
    }
}

/// <summary>A theory that needs pwsh with Pester 5; skipped, with the reason shown, where they are missing.</summary>
public sealed class PesterTheoryAttribute : TheoryAttribute
{
    public PesterTheoryAttribute()
    {
        if (Pwsh.SkipReason is string reason)
        {
            Skip = reason;
        }
    }
}
