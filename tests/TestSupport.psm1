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
    Use-IsolatedChunkCache
    Import-Module $manifest -Force -Global
}

function Use-IsolatedChunkCache {
    # The chunk cache is on by default: point it at a folder of this test file's own, never the user's ~/.cache, so
    # runs neither share entries nor leave audio behind. It stays off (cap 0) unless -Enabled, so tests that count the
    # emulator's requests see every request; tests of the cache turn it on. Child processes inherit both variables.
    param([switch] $Enabled)
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('aitretts-cache-' + [guid]::NewGuid().ToString('N'))
    $env:XDG_CACHE_HOME = $folder
    if ($Enabled) {
        Remove-Item Env:AITRE_CACHE_SIZE_LIMIT_MB -ErrorAction SilentlyContinue
    } else {
        $env:AITRE_CACHE_SIZE_LIMIT_MB = '0'
    }

    $folder
}

function New-TestOutputFolder {
    # A fresh, empty folder of the running test's own under Pester's TestDrive, so no test sees another's files.
    $drive = Get-PSDrive -Name TestDrive -ErrorAction SilentlyContinue
    $root = if ($drive) { $drive.Root } else { [System.IO.Path]::GetTempPath() }
    $folder = Join-Path $root ([guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $folder
    $folder
}

function Get-BuiltModuleManifest {
    # The manifest Import-BuiltModule loads, for runspaces (ForEach-Object -Parallel, thread jobs) that import it themselves.
    if ($env:AITRETTS_MODULE) { return $env:AITRETTS_MODULE }
    Get-ChildItem -Path (Join-Path $PSScriptRoot '../output/AitreTts') -Filter AitreTts.psd1 -Recurse -ErrorAction Stop |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1 -ExpandProperty FullName
}

function Get-ChildPowerShellCommand {
    # How to start another copy of the PowerShell running this test: the .NET tool runs inside the dotnet host (so
    # (Get-Process -Id $PID).Path is 'dotnet', which needs pwsh.dll as its first argument), an installed pwsh is its
    # own executable, and Windows PowerShell is powershell.exe in $PSHOME.
    if ($PSVersionTable.PSEdition -ne 'Core') {
        return [pscustomobject]@{ FilePath = Join-Path $PSHOME 'powershell.exe'; Prefix = @() }
    }

    $executable = [System.Environment]::ProcessPath
    if ([System.IO.Path]::GetFileNameWithoutExtension($executable) -eq 'dotnet') {
        return [pscustomobject]@{ FilePath = $executable; Prefix = @(Join-Path $PSHOME 'pwsh.dll') }
    }

    [pscustomobject]@{ FilePath = $executable; Prefix = @() }
}

function ConvertTo-CommandLineArgument {
    # One argument quoted as the MSVCRT and .NET parsers read it: ProcessStartInfo.ArgumentList does not exist on
    # Windows PowerShell 5.1's .NET Framework, so every child gets its arguments as one string.
    param([AllowEmptyString()] [string] $Value)
    if ($Value.Length -gt 0 -and $Value -notmatch '[\s"]') { return $Value }
    $escaped = [regex]::Replace($Value, '(\\*)"', { param($m) $m.Groups[1].Value * 2 + '\"' })
    $escaped = [regex]::Replace($escaped, '(\\+)$', { param($m) $m.Groups[1].Value * 2 })
    '"' + $escaped + '"'
}

function Start-ChildPowerShell {
    <#
    Starts a fresh PowerShell of the same kind as this one (.NET tool, installed pwsh or powershell.exe) with its
    output redirected. -Command is sent base64-encoded, which survives any quoting on both editions.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Command')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Command', Position = 0)] [string] $Command,
        [Parameter(Mandatory, ParameterSetName = 'File')] [string] $File,
        [Parameter(ParameterSetName = 'File')] [string[]] $ArgumentList = @(),
        [string] $WorkingDirectory,
        # Variables to set in the child; a $null value removes the variable.
        [hashtable] $Environment = @{}
    )

    $powershell = Get-ChildPowerShellCommand
    $arguments = @($powershell.Prefix) + '-NoProfile' + '-NonInteractive'
    if ($PSCmdlet.ParameterSetName -eq 'File') {
        $arguments += @('-File', $File) + $ArgumentList
    }
    else {
        # -OutputFormat Text: with -EncodedCommand and redirected output, errors would otherwise arrive as CLIXML.
        $arguments += '-OutputFormat', 'Text', '-EncodedCommand', [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Command))
    }

    $info = New-Object System.Diagnostics.ProcessStartInfo $powershell.FilePath
    $info.Arguments = ($arguments | ForEach-Object { ConvertTo-CommandLineArgument $_ }) -join ' '
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    if ($WorkingDirectory) { $info.WorkingDirectory = $WorkingDirectory }
    # A child must never reach a real provider with the developer's own key.
    foreach ($name in 'AITRE_API_KEY', 'AITRE_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL') {
        $null = $info.EnvironmentVariables.Remove($name)
    }

    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $info.EnvironmentVariables.Remove($name) }
        else { $info.EnvironmentVariables[$name] = [string]$Environment[$name] }
    }

    $process = [System.Diagnostics.Process]::Start($info)
    [pscustomobject]@{
        Process = $process
        StdOut  = $process.StandardOutput.ReadToEndAsync()
        StdErr  = $process.StandardError.ReadToEndAsync()
    }
}

function Wait-ChildPowerShell {
    # Waits for a child from Start-ChildPowerShell; one that outlives -TimeoutSec is killed and reported as exit -1.
    param([Parameter(Mandatory, ValueFromPipeline)] $Child, [int] $TimeoutSec = 300)
    process {
        $exitCode = -1
        if ($Child.Process.WaitForExit($TimeoutSec * 1000)) {
            $Child.Process.WaitForExit()
            $exitCode = $Child.Process.ExitCode
        }
        else {
            try { $Child.Process.Kill() } catch { }
            $null = $Child.Process.WaitForExit(5000)
        }

        $stdout = $Child.StdOut.Result
        $stderr = $Child.StdErr.Result
        if ($exitCode -eq -1) { $stderr = "timed out after $TimeoutSec s`n" + $stderr }
        [pscustomobject]@{ ExitCode = $exitCode; StdOut = $stdout; StdErr = $stderr; Output = $stdout + $stderr }
    }
}

function Invoke-ChildPowerShell {
    # Start-ChildPowerShell, then Wait-ChildPowerShell: runs a fresh PowerShell to the end.
    [CmdletBinding(DefaultParameterSetName = 'Command')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Command', Position = 0)] [string] $Command,
        [Parameter(Mandatory, ParameterSetName = 'File')] [string] $File,
        [Parameter(ParameterSetName = 'File')] [string[]] $ArgumentList = @(),
        [string] $WorkingDirectory,
        [hashtable] $Environment = @{},
        [int] $TimeoutSec = 300
    )

    $start = @{} + $PSBoundParameters
    $null = $start.Remove('TimeoutSec')
    Start-ChildPowerShell @start | Wait-ChildPowerShell -TimeoutSec $TimeoutSec
}

function Start-TtsEmulator {
    param([string[]] $ArgumentList = @())
    $emulator = $env:AITRETTS_EMULATOR
    if (-not $emulator) {
        $emulator = Join-Path $PSScriptRoot '../output/TtsEmulator/TtsEmulator.dll'
    }

    $arguments = @($emulator, '--port', '0', '--parent-pid', "$PID") + $ArgumentList
    $info = New-Object System.Diagnostics.ProcessStartInfo 'dotnet'
    $info.Arguments = ($arguments | ForEach-Object { ConvertTo-CommandLineArgument $_ }) -join ' '
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
    $null = Invoke-EmulatorRelease $Emulator # a test that failed mid-hold leaves nothing waiting for the next
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

function Get-EmulatorHold {
    # How many requests the emulator holds now, how many arrived and were answered, and the holds that timed out.
    param([Parameter(Mandatory)] $Emulator)
    Invoke-RestMethod -Uri "$($Emulator.BaseUrl)/_emulator/holds"
}

function Wait-EmulatorHeld {
    <#
    Waits (in the emulator, no polling) until at least -Count requests are held at once. -TimeoutSec is a safety net:
    reaching it throws with what the emulator saw, unless -AllowTimeout, which returns $false instead (for a window
    in which a broken behaviour would show itself). Returns $true once they are held.
    #>
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [int] $Count, [double] $TimeoutSec = 60, [switch] $AllowTimeout)
    $uri = "$($Emulator.BaseUrl)/_emulator/holds?held=$Count&timeoutSeconds=$([string]::Format([cultureinfo]::InvariantCulture, '{0}', $TimeoutSec))"
    try {
        $null = Invoke-RestMethod -Uri $uri -TimeoutSec ([int][math]::Ceiling($TimeoutSec) + 30)
        $true
    }
    catch {
        $details = if ($_.ErrorDetails) { $_.ErrorDetails.Message } else { $_.Exception.Message }
        if ($AllowTimeout -and $details -match 'never held at once') { return $false }
        throw "Waiting for $Count held request(s) failed: $details"
    }
}

function Invoke-EmulatorRelease {
    # Releases requests held until released (all, or the oldest -Count); returns how many went.
    param([Parameter(Mandatory)] $Emulator, [int] $Count = -1)
    $body = if ($Count -ge 0) { @{ count = $Count } | ConvertTo-Json } else { '{}' }
    (Invoke-RestMethod -Method Post -Uri "$($Emulator.BaseUrl)/_emulator/holds/release" -Body $body -ContentType 'application/json').released
}

function Assert-EmulatorHoldsKept {
    # Throws, quoting the emulator, when a hold reached its safety timeout: the test's premise never came true.
    param([Parameter(Mandatory)] $Emulator)
    $timeouts = @((Get-EmulatorHold $Emulator).timeouts)
    if ($timeouts.Count -gt 0) { throw ($timeouts -join [Environment]::NewLine) }
}

function Get-AudioHeader {
    # The first bytes of a file as text, to tell containers apart without ffprobe.
    param([Parameter(Mandatory)] [string] $Path, [int] $Count = 4)
    $bytes = [System.IO.File]::ReadAllBytes($Path)
    -join ($bytes[0..($Count - 1)] | ForEach-Object { [char]$_ })
}

Export-ModuleMember -Function *
