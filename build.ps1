#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests, packages or demonstrates the AitreTts module.
.DESCRIPTION
    Build   publishes the cmdlets and assembles output/AitreTts/<version>/ (importable with Import-Module), and builds
            the emulator into output/TtsEmulator/.
    Test    runs 'dotnet test' at the root: xunit, and the Pester suite through pwsh.
    Package produces output/AitreTts.<version>.nupkg, ready for Publish-PSResource/Install-Module.
    Demo    builds, starts the OpenAI-compatible emulator on loopback and runs the quick start against it: no key, no
            network, no cost. With -Live it uses your configured provider instead.
.EXAMPLE
    ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string] $OutputPath = (Join-Path $PSScriptRoot 'output'),

    # Demo only: run against the configured provider (costs a fraction of a cent) instead of the emulator.
    [switch] $Live
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function Invoke-Dotnet {
    # To the host, not the pipeline: the functions below return paths, not dotnet's console output.
    & dotnet @args | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Get-ModuleVersion {
    # The manifest is the only place the version lives.
    $manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot 'AitreTts.psd1')
    return $manifest.ModuleVersion
}

function Invoke-Help {
    param([Parameter(Mandatory)] [string] $Destination)
    $source = Join-Path $PSScriptRoot 'docs/en-US'
    $null = New-Item -ItemType Directory -Path $Destination -Force
    # platyPS where it is installed; docs/Build-Help.ps1 reads the same markdown where it is not. The MAML committed in
    # docs/en-US is Build-Help.ps1's output, and tests/Help.Tests.ps1 checks that it matches the markdown.
    if (Get-Module -ListAvailable -Name platyPS) {
        Import-Module platyPS
        try {
            $null = New-ExternalHelp -Path $source -OutputPath $Destination -Force -ErrorAction Stop
            return Get-ChildItem -LiteralPath $Destination
        }
        catch {
            Write-Warning "platyPS could not convert docs/en-US ($($_.Exception.Message)); using docs/Build-Help.ps1."
        }
    }

    & (Join-Path $PSScriptRoot 'docs/Build-Help.ps1') -Path $source -OutputPath $Destination
}

function Invoke-Build {
    $version = Get-ModuleVersion
    $publish = Join-Path $OutputPath 'publish'
    $moduleDir = Join-Path (Join-Path $OutputPath 'AitreTts') $version
    foreach ($dir in @($publish, $moduleDir)) {
        if (Test-Path -LiteralPath $dir) { Remove-Item -LiteralPath $dir -Recurse -Force }
    }

    Invoke-Dotnet publish (Join-Path $PSScriptRoot 'src/AitreTts/AitreTts.csproj') --configuration $Configuration --output $publish --nologo --verbosity quiet
    Invoke-Dotnet build (Join-Path $PSScriptRoot 'tests/TtsEmulator/TtsEmulator.csproj') --configuration $Configuration --output (Join-Path $OutputPath 'TtsEmulator') --nologo --verbosity quiet

    $null = New-Item -ItemType Directory -Path $moduleDir -Force
    $dependencies = New-Item -ItemType Directory -Path (Join-Path $moduleDir 'dependencies') -Force
    Copy-Item -LiteralPath (Join-Path $PSScriptRoot 'AitreTts.psd1') -Destination $moduleDir
    Copy-Item -LiteralPath (Join-Path $PSScriptRoot 'src/AitreTts/AitreTts.Format.ps1xml') -Destination $moduleDir
    foreach ($own in 'AitreTts.dll', 'AitreTts.Core.dll', 'AitreTts.pdb', 'AitreTts.Core.pdb') {
        $file = Join-Path $publish $own
        if (Test-Path -LiteralPath $file) { Copy-Item -LiteralPath $file -Destination $moduleDir }
    }

    # Windows PowerShell 5.1 needs System.Text.Json and its dependencies; PowerShell 7.4+ has them inbox and never
    # looks in this folder (see ModuleInitializer).
    Get-ChildItem -LiteralPath $publish -Filter '*.dll' |
        Where-Object { $_.Name -notin 'AitreTts.dll', 'AitreTts.Core.dll' -and $_.Name -ne 'System.Management.Automation.dll' } |
        Copy-Item -Destination $dependencies.FullName

    # Help: the MAML and the about_ topic, made from the markdown in docs/en-US. Only those two ship, not the markdown.
    $null = Invoke-Help -Destination (Join-Path $moduleDir 'en-US')

    Write-Host "Built AitreTts $version into $moduleDir"
    return $moduleDir
}

function Invoke-Package {
    $moduleDir = Invoke-Build
    $version = Get-ModuleVersion
    $repository = Join-Path $OutputPath 'repository'
    $null = New-Item -ItemType Directory -Path $repository -Force
    $nuspec = Join-Path $OutputPath 'AitreTts.nuspec'
    $manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot 'AitreTts.psd1')
    $psData = $manifest.PrivateData.PSData
    $tags = ($psData.Tags + 'PSModule' + ($manifest.CmdletsToExport | ForEach-Object { "PSCmdlet_$_", "PSCommand_$_" })) -join ' '
    $escape = { param($text) [System.Security.SecurityElement]::Escape([string]$text) }
    @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>AitreTts</id>
    <version>$version</version>
    <authors>$(& $escape $manifest.Author)</authors>
    <owners>$(& $escape $manifest.CompanyName)</owners>
    <description>$(& $escape $manifest.Description)</description>
    <copyright>$(& $escape $manifest.Copyright)</copyright>
    <tags>$(& $escape $tags)</tags>
    <projectUrl>$(& $escape $psData.ProjectUri)</projectUrl>
    <license type="expression">MIT</license>
    <releaseNotes>$(& $escape $psData.ReleaseNotes)</releaseNotes>
    <requireLicenseAcceptance>false</requireLicenseAcceptance>
  </metadata>
  <files>
    <file src="$(& $escape $moduleDir)/**" target="" />
  </files>
</package>
"@ | Set-Content -LiteralPath $nuspec -Encoding UTF8

    # A nuspec-only pack project: NuGet's own packer, with no extra tool to install.
    $packProject = Join-Path $OutputPath 'pack/AitreTts.Pack.csproj'
    $null = New-Item -ItemType Directory -Path (Split-Path $packProject) -Force
    @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <NuspecFile>$(& $escape $nuspec)</NuspecFile>
    <NoBuild>true</NoBuild>
    <IncludeBuildOutput>false</IncludeBuildOutput>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
  </PropertyGroup>
</Project>
"@ | Set-Content -LiteralPath $packProject -Encoding UTF8
    Invoke-Dotnet pack $packProject --output $repository --nologo --verbosity quiet -p:NoDefaultExcludes=true
    $package = Join-Path $repository "AitreTts.$version.nupkg"
    Write-Host "Packaged $package"
    return $package
}

function Start-Emulator {
    $emulator = Join-Path $OutputPath 'TtsEmulator/TtsEmulator.dll'
    $info = New-Object System.Diagnostics.ProcessStartInfo 'dotnet'
    # Anonymous, like a local server: the demo needs no key.
    $info.Arguments = "`"$emulator`" --port 0 --allow-anonymous --parent-pid $PID"
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $line = $process.StandardOutput.ReadLine()
    if ($line -notmatch 'listening on (\S+)') {
        $process.Kill()
        throw "The emulator did not start: $line"
    }

    return [pscustomobject]@{ Process = $process; BaseUrl = $Matches[1] }
}

function Invoke-Demo {
    $moduleDir = Invoke-Build
    Import-Module (Join-Path $moduleDir 'AitreTts.psd1') -Force
    $emulator = $null
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ("aitretts-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $work
    try {
        if (-not $Live) {
            $emulator = Start-Emulator
            Write-Host "Emulator: $($emulator.BaseUrl) (no key, no network, no cost)" -ForegroundColor Cyan
            # Process scope: the demo changes nothing you configured for real use.
            Set-TtsConfiguration -Scope Process -BaseUrl $emulator.BaseUrl -OutputDirectory $work
        }
        else {
            Set-TtsConfiguration -Scope Process -OutputDirectory $work
            Write-Host "Live: $((Get-TtsConfiguration).BaseUrl)" -ForegroundColor Yellow
        }

        Push-Location $work
        try {
            Set-Content -LiteralPath notes.txt -Value @('Good morning, team.', 'The backup finished at 03:12.', 'Two disks need attention today.')
            Write-Host "`n> Get-Content notes.txt | Invoke-TextToSpeech -Voice nova" -ForegroundColor Green
            Get-Content notes.txt | Invoke-TextToSpeech -Voice nova | Format-Table -AutoSize | Out-Host
            Write-Host "> 'Server maintenance starts at 17:00' | Invoke-TextToSpeech -Voice onyx -OutFile maint.mp3" -ForegroundColor Green
            'Server maintenance starts at 17:00' | Invoke-TextToSpeech -Voice onyx -OutFile maint.mp3 | Format-Table -AutoSize | Out-Host
            Write-Host "> 'Doors close in five minutes.', 'Please exit by the north stairs.' | Invoke-TextToSpeech -Format wav" -ForegroundColor Green
            'Doors close in five minutes.', 'Please exit by the north stairs.' | Invoke-TextToSpeech -Format wav | Format-Table -AutoSize | Out-Host
            Write-Host "> Get-TtsVoice -Model tts-1" -ForegroundColor Green
            Get-TtsVoice -Model tts-1 | Format-Table -AutoSize | Out-Host
            Write-Host "Files are in $work" -ForegroundColor Cyan
        }
        finally {
            Pop-Location
        }
    }
    finally {
        if ($emulator) { $emulator.Process.Kill(); $emulator.Process.Dispose() }
    }
}

switch ($Task) {
    'Build' { $null = Invoke-Build }
    'Package' { $null = Invoke-Package }
    'Demo' { Invoke-Demo }
    'Test' {
        Push-Location $PSScriptRoot
        try { Invoke-Dotnet test --nologo }
        finally { Pop-Location }
    }
}
