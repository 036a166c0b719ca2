using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace AitreTts.Tests.Module;

/// <summary>
/// Runs tests/*.Tests.ps1 through a real PowerShell (see <see cref="PowerShellHost"/>) and the pinned Pester against
/// the BUILT module (assembled by build.ps1) and the emulator. A file with failures fails; a file with skips is reported
/// as skipped, with Pester's counts and each skip's reason; a skip that gives no reason fails, so none hides.
/// </summary>
public sealed class PesterSuiteTests : IClassFixture<BuiltModuleFixture>
{
    private readonly BuiltModuleFixture _module;
    private readonly ITestOutputHelper _output;

    public PesterSuiteTests(BuiltModuleFixture module, ITestOutputHelper output)
    {
        _module = module;
        _output = output;
    }

    public static IEnumerable<object[]> PesterFiles() =>
        Directory.GetFiles(Path.Combine(BuildPaths.RepositoryRoot, "tests"), "*.Tests.ps1")
            .Concat(Directory.Exists(ExamplesDirectory) ? Directory.GetFiles(ExamplesDirectory, "*.Tests.ps1", SearchOption.AllDirectories) : Array.Empty<string>())
            .Select(f => Path.GetRelativePath(BuildPaths.RepositoryRoot, f).Replace('\\', '/'))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new object[] { f });

    private static string ExamplesDirectory => Path.Combine(BuildPaths.RepositoryRoot, "docs", "examples");

    [SkippableTheory]
    [MemberData(nameof(PesterFiles))]
    public void PesterFilePasses(string file)
    {
        PowerShellHost powershell = PowerShellHost.Current ?? throw new SkipException(PowerShellHost.UnavailableReason!);
        string path = Path.Combine(BuildPaths.RepositoryRoot, file);
        string summaryPath = PesterTotals.SummaryPath(file);
        Directory.CreateDirectory(Path.GetDirectoryName(summaryPath)!);
        File.Delete(summaryPath);

        string script = string.Join(
            Environment.NewLine,
            "$ErrorActionPreference = 'Stop'",
            $"Import-Module '{Quote(PowerShellHost.PesterManifest)}' -Force",
            "$c = New-PesterConfiguration",
            $"$c.Run.Path = '{Quote(path)}'",
            "$c.Run.PassThru = $true",
            "$c.Output.Verbosity = 'Detailed'",
            "$r = Invoke-Pester -Configuration $c",
            // 'is skipped, because <reason>' is what Set-ItResult -Skipped -Because records; -Skip alone records nothing.
            "$skips = @($r.Skipped | ForEach-Object { [ordered]@{ Name = $_.ExpandedPath; Reason = if ($_.ErrorRecord) { $_.ErrorRecord[0].Exception.Message } else { $null } } })",
            "$failedBlocks = @($r.FailedBlocks | ForEach-Object { $_.ExpandedPath }) + @($r.FailedContainers | ForEach-Object { $_.Item.ToString() })",
            "[ordered]@{ Result = $r.Result; Passed = $r.PassedCount; Failed = $r.FailedCount; Skipped = $r.SkippedCount; NotRun = $r.NotRunCount; FailedBlocks = $failedBlocks; Skips = $skips; Pester = (Get-Module Pester).Version.ToString(); PowerShell = \"$($PSVersionTable.PSVersion) $($PSVersionTable.PSEdition) in $PSHOME\" } |",
            $"    ConvertTo-Json -Depth 5 | Set-Content -LiteralPath '{Quote(summaryPath)}' -Encoding UTF8",
            "exit 0");
        (int exit, string output) = powershell.Run(script, _module.Environment, TimeSpan.FromMinutes(15));
        _output.WriteLine($"PowerShell: {powershell.Origin}");
        Assert.True(exit == 0 && File.Exists(summaryPath), $"Pester did not complete {file} (exit {exit}):\n{output}");

        PesterTotals totals = PesterTotals.Read(summaryPath);
        _output.WriteLine($"Pester {totals.Pester}, {file}: {totals}");
        Assert.True(totals.Failed == 0 && totals.FailedBlocks.Length == 0 && totals.Result != "Failed", $"Pester reported failures in {file}: {totals}\n{output}");
        Assert.True(totals.Passed > 0, $"Pester ran no test in {file}:\n{output}");

        string[] unexplained = totals.Skips.Where(s => string.IsNullOrWhiteSpace(s.Reason)).Select(s => s.Name).ToArray();
        Assert.True(unexplained.Length == 0, $"{file} skipped tests without a reason (use Set-ItResult -Skipped -Because): {string.Join("; ", unexplained)}");
        if (totals.Skipped > 0)
        {
            throw new SkipException($"{totals}. " + string.Join(" | ", totals.Skips.Select(s => $"{s.Name}: {s.Reason}")));
        }
    }

    private static string Quote(string value) => value.Replace("'", "''");
}

/// <summary>One Pester file's counts, as its run left them for the log and for .ci/run's totals.</summary>
internal sealed record PesterTotals(string Result, int Passed, int Failed, int Skipped, int NotRun, string[] FailedBlocks, PesterSkip[] Skips, string Pester, string PowerShell)
{
    public static string SummaryPath(string file) =>
        Path.Combine(BuildPaths.RepositoryRoot, "output", "test", "pester", file.Replace('/', '_') + ".json");

    public static PesterTotals Read(string path)
    {
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        PesterTotals totals = JsonSerializer.Deserialize<PesterTotals>(File.ReadAllText(path, Encoding.UTF8), options)!;
        return totals with { FailedBlocks = totals.FailedBlocks ?? Array.Empty<string>(), Skips = totals.Skips ?? Array.Empty<PesterSkip>() };
    }

    public override string ToString() => $"Tests Passed: {Passed}, Failed: {Failed}, Skipped: {Skipped}, NotRun: {NotRun}";
}

internal sealed record PesterSkip(string Name, string? Reason);

/// <summary>Builds the module once per test run with build.ps1, as a user would, into a private output folder.</summary>
public sealed class BuiltModuleFixture
{
    private readonly Lazy<Dictionary<string, string>> _environment = new(Build);

    public IReadOnlyDictionary<string, string> Environment => _environment.Value;

    private static Dictionary<string, string> Build()
    {
        PowerShellHost powershell = PowerShellHost.Current ?? throw new SkipException(PowerShellHost.UnavailableReason!);
        string output = Path.Combine(BuildPaths.RepositoryRoot, "output", "test");
        string build = Path.Combine(BuildPaths.RepositoryRoot, "build.ps1");
        (int exit, string log) = powershell.Run(
            $"& '{build.Replace("'", "''")}' -Task Build -Configuration {BuildPaths.Configuration} -OutputPath '{output.Replace("'", "''")}'; exit $LASTEXITCODE",
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
