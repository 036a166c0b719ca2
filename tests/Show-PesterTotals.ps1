# The Pester suite's totals, added up from the summaries PesterSuiteTests leaves in output/test/pester/, so a reader of
# the CI log sees what ran, what failed and what was skipped, and why.
param([string] $Path = (Join-Path $PSScriptRoot '../output/test/pester'))

$summaries = @(Get-ChildItem -LiteralPath $Path -Filter '*.json' -ErrorAction SilentlyContinue | Sort-Object Name)
if ($summaries.Count -eq 0) {
    Write-Output 'Pester: no summary found; the Pester suite did not run (see the skip reasons above).'
    exit 0
}

$passed = 0; $failed = 0; $skipped = 0; $hosts = @{}
foreach ($summary in $summaries) {
    $totals = Get-Content -LiteralPath $summary.FullName -Raw | ConvertFrom-Json
    $hosts["PowerShell $($totals.PowerShell), Pester $($totals.Pester)"] = $true
    $passed += $totals.Passed; $failed += $totals.Failed; $skipped += $totals.Skipped
    $file = $summary.BaseName -replace '_', '/'
    Write-Output ('  {0}: Tests Passed: {1}, Failed: {2}, Skipped: {3}' -f $file, $totals.Passed, $totals.Failed, $totals.Skipped)
    foreach ($skip in @($totals.Skips)) { Write-Output ('    skipped: {0}: {1}' -f $skip.Name, $skip.Reason) }
}

foreach ($name in $hosts.Keys) { Write-Output "Ran with $name" }
Write-Output ('Pester ({0} files): Tests Passed: {1}, Failed: {2}, Skipped: {3}' -f $summaries.Count, $passed, $failed, $skipped)
