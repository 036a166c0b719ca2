<#
.SYNOPSIS
Runs the suite (the `dotnet test` of .ci/run) while busy CPU loops run beside it, to show no test depends on how
fast the machine is.

.DESCRIPTION
Starts -BusyLoops child PowerShells that each spin one core, runs `dotnet test --nologo` from the repository root
-Runs times in a row (stopping at the first red run), prints the Pester totals, and stops the loops afterwards
whatever happens: a failure, Ctrl+C, or an error in this script. Exits with the first failing run's exit code.

.EXAMPLE
pwsh tests/Invoke-UnderLoad.ps1
pwsh tests/Invoke-UnderLoad.ps1 -Runs 2
pwsh tests/Invoke-UnderLoad.ps1 -Filter 'FullyQualifiedName~BatchOrderTests'
#>
[CmdletBinding()]
param(
    [ValidateRange(0, 64)] [int] $BusyLoops = 2,
    [ValidateRange(1, 10)] [int] $Runs = 1,
    # Passed to `dotnet test --filter`, for a targeted run under load.
    [string] $Filter
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
$root = Split-Path -Parent $PSScriptRoot

$loops = [System.Collections.Generic.List[object]]::new()
$status = 0
try {
    foreach ($i in 1..$BusyLoops) {
        if ($BusyLoops -eq 0) { break }
        # A child process per loop: real CPU load the scheduler shares with the tests, and one we can stop by its id.
        $loops.Add((Start-ChildPowerShell -Command 'while ($true) { }'))
    }

    Write-Host "Busy loops running: $(($loops | ForEach-Object { $_.Process.Id }) -join ', ')"
    $arguments = @('test', '--nologo')
    if ($Filter) { $arguments += '--filter', $Filter }
    foreach ($run in 1..$Runs) {
        Write-Host "Run $run of ${Runs}: dotnet $($arguments -join ' ')"
        Remove-Item -Recurse -Force (Join-Path $root 'output/test/pester') -ErrorAction SilentlyContinue
        Push-Location $root
        try {
            & dotnet @arguments
            $status = $LASTEXITCODE
        }
        finally {
            Pop-Location
        }

        Write-Host "Run $run of $Runs ended with exit code $status."
        if ($status -ne 0) { break }
    }
}
finally {
    foreach ($loop in $loops) {
        try {
            if (-not $loop.Process.HasExited) { $loop.Process.Kill() }
            $null = $loop.Process.WaitForExit(10000)
        }
        catch {
            Write-Warning "Could not stop busy loop $($loop.Process.Id): $($_.Exception.Message)"
        }
    }
}

$totals = Join-Path $PSScriptRoot 'Show-PesterTotals.ps1'
if (Test-Path $totals) { & $totals }
exit $status
