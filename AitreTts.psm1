# Loads the build of the cmdlets this edition can run, as jborean93's modules (PSToml, PSOpenAD) do. Windows PowerShell
# 5.1 runs on .NET Framework: it gets the net462 build in Desktop/, since the netstandard2.0 build references
# netstandard 2.0.0.0, which .NET Framework has only from 4.7.1. PowerShell 7.4+ gets the netstandard2.0 build in Core/.
$edition = if ($PSVersionTable.PSEdition -eq 'Core') { 'Core' } else { 'Desktop' }
$binary = Import-Module -Name (Join-Path (Join-Path $PSScriptRoot $edition) 'AitreTts.dll') -PassThru -ErrorAction Stop
Export-ModuleMember -Cmdlet @($binary.ExportedCmdlets.Keys)
