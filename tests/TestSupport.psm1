# Shared by the Pester files: imports the BUILT module and drives the emulator through its control API.
Set-StrictMode -Version 3.0

function Import-BuiltModule {
    $manifest = $env:AITRETTS_MODULE
    if (-not $manifest) {
        # Run by hand after ./build.ps1: take the newest build in output/.
        $manifest = Get-ChildItem -Path (Join-Path $PSScriptRoot '../output/AitreTts') -Filter AitreTts.psd1 -Recurse -ErrorAction Stop |
            Sort-Object LastWriteTime -Descending | Select-Object -First 1 -ExpandProperty FullName
    }

    if (-not $manifest) { throw 'Build the module first: ./build.ps1' }
    Import-Module $manifest -Force -Global
}

function Get-BuiltModuleManifest {
    # The manifest Import-BuiltModule loads, for runspaces (ForEach-Object -Parallel, thread jobs) that import it themselves.
    if ($env:AITRETTS_MODULE) { return $env:AITRETTS_MODULE }
    Get-ChildItem -Path (Join-Path $PSScriptRoot '../output/AitreTts') -Filter AitreTts.psd1 -Recurse -ErrorAction Stop |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1 -ExpandProperty FullName
}

function Start-TtsEmulator {
    param([string[]] $ArgumentList = @())
    $emulator = $env:AITRETTS_EMULATOR
    if (-not $emulator) {
        $emulator = Join-Path $PSScriptRoot '../output/TtsEmulator/TtsEmulator.dll'
    }

    # Arguments as one string: ProcessStartInfo.ArgumentList does not exist on Windows PowerShell 5.1's .NET Framework.
    $arguments = @($emulator, '--port', '0', '--parent-pid', "$PID") + $ArgumentList
    $info = New-Object System.Diagnostics.ProcessStartInfo 'dotnet'
    $info.Arguments = ($arguments | ForEach-Object { '"' + ($_ -replace '"', '\"') + '"' }) -join ' '
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $line = $process.StandardOutput.ReadLine()
    if ($line -notmatch 'listening on (\S+)') {
        $process.Kill()
        throw "The emulator did not start: $line"
    }

    [pscustomobject]@{ Process = $process; BaseUrl = $Matches[1] }
}

function Stop-TtsEmulator {
    param($Emulator)
    if ($Emulator -and -not $Emulator.Process.HasExited) {
        $Emulator.Process.Kill()
        $Emulator.Process.WaitForExit(5000) | Out-Null
    }
}

function Add-EmulatorFault {
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [hashtable] $Rule)
    Invoke-RestMethod -Method Post -Uri "$($Emulator.BaseUrl)/_emulator/faults" -Body ($Rule | ConvertTo-Json -Depth 5) -ContentType 'application/json' | Out-Null
}

function Clear-EmulatorState {
    param([Parameter(Mandatory)] $Emulator)
    Invoke-RestMethod -Method Delete -Uri "$($Emulator.BaseUrl)/_emulator/faults" | Out-Null
    Invoke-RestMethod -Method Delete -Uri "$($Emulator.BaseUrl)/_emulator/requests" | Out-Null
}

function Get-EmulatorRequest {
    param([Parameter(Mandatory)] $Emulator)
    # Invoke-RestMethod returns a JSON array as one object: enumerate it so callers count requests, not arrays.
    (Invoke-RestMethod -Uri "$($Emulator.BaseUrl)/_emulator/requests") | ForEach-Object { $_ }
}

function Set-EmulatorOption {
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [hashtable] $Options)
    Invoke-RestMethod -Method Patch -Uri "$($Emulator.BaseUrl)/_emulator/options" -Body ($Options | ConvertTo-Json) -ContentType 'application/json' | Out-Null
}

function Get-AudioHeader {
    # The first bytes of a file as text, to tell containers apart without ffprobe.
    param([Parameter(Mandatory)] [string] $Path, [int] $Count = 4)
    $bytes = [System.IO.File]::ReadAllBytes($Path)
    -join ($bytes[0..($Count - 1)] | ForEach-Object { [char]$_ })
}

Export-ModuleMember -Function *
