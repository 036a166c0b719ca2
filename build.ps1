#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests, packages or demonstrates the AitreTts module.
.DESCRIPTION
    Build   publishes the cmdlets and assembles output/AitreTts/<version>/ (importable with Import-Module), and builds
            the emulator into output/TtsEmulator/.
    Test    runs 'dotnet test' at the root: xunit, and the Pester suite through pwsh.
    Package produces output/repository/AitreTts.<version>.nupkg: a local repository folder that Register-PSResourceRepository
            or Register-PSRepository takes as it is, for Install-PSResource/Install-Module.
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
    foreach ($dir in @($publish, (Join-Path $OutputPath 'build'), $moduleDir)) {
        if (Test-Path -LiteralPath $dir) { Remove-Item -LiteralPath $dir -Recurse -Force }
    }

    Invoke-Dotnet build (Join-Path $PSScriptRoot 'tests/TtsEmulator/TtsEmulator.csproj') --configuration $Configuration --output (Join-Path $OutputPath 'TtsEmulator') --nologo --verbosity quiet

    $null = New-Item -ItemType Directory -Path $moduleDir -Force
    foreach ($file in 'AitreTts.psd1', 'AitreTts.psm1', 'LICENSE', 'src/AitreTts/AitreTts.Format.ps1xml') {
        Copy-Item -LiteralPath (Join-Path $PSScriptRoot $file) -Destination $moduleDir
    }

    # One build per edition; AitreTts.psm1 imports the one the running PowerShell can load. Desktop (Windows PowerShell
    # 5.1) gets net462, which loads on .NET Framework 4.6.2 without netstandard.dll; Core (PowerShell 7.4+) netstandard2.0.
    $builds = [ordered]@{ Desktop = 'net462'; Core = 'netstandard2.0' }
    foreach ($edition in $builds.Keys) {
        $editionPublish = Join-Path $publish $edition
        # OutDir: the build itself goes under $OutputPath too, never into src/*/bin, which 'dotnet test' built and its
        # metadata tests read while the Pester suite runs this script: on Windows, two writers or a writer and a reader
        # of one DLL there fail with a sharing violation. (A trailing '/' rather than '\': '\"' would escape the quote.)
        $editionBuild = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath((Join-Path (Join-Path $OutputPath 'build') $edition))
        Invoke-Dotnet publish (Join-Path $PSScriptRoot 'src/AitreTts/AitreTts.csproj') --configuration $Configuration --framework $builds[$edition] --output $editionPublish "-p:OutDir=$editionBuild/" --nologo --verbosity quiet
        $editionDir = New-Item -ItemType Directory -Path (Join-Path $moduleDir $edition) -Force
        foreach ($own in 'AitreTts.dll', 'AitreTts.Core.dll', 'AitreTts.pdb', 'AitreTts.Core.pdb') {
            $file = Join-Path $editionPublish $own
            if (Test-Path -LiteralPath $file) { Copy-Item -LiteralPath $file -Destination $editionDir.FullName }
        }
    }

    # Windows PowerShell 5.1 needs System.Text.Json and its dependencies; PowerShell 7.4+ has them inbox, so Core/ has
    # none. Only the Desktop build's resolve handler looks in this folder (see ModuleInitializer).
    $dependencies = New-Item -ItemType Directory -Path (Join-Path $moduleDir 'Desktop/dependencies') -Force
    Get-ChildItem -LiteralPath (Join-Path $publish 'Desktop') -Filter '*.dll' |
        Where-Object { $_.Name -notin 'AitreTts.dll', 'AitreTts.Core.dll', 'System.Management.Automation.dll' } |
        Copy-Item -Destination $dependencies.FullName

    # Help: the MAML and the about_ topic, made from the markdown in docs/en-US. Only those two ship, not the markdown.
    $null = Invoke-Help -Destination (Join-Path $moduleDir 'en-US')

    Write-Host "Built AitreTts $version into $moduleDir"
    # Absolute: Import-Module takes a bare relative path for a module name to look up in PSModulePath.
    return (Resolve-Path -LiteralPath $moduleDir).ProviderPath
}

function Invoke-Package {
    $moduleDir = Invoke-Build
    $version = Get-ModuleVersion
    $repository = Join-Path $OutputPath 'repository'
    $null = New-Item -ItemType Directory -Path $repository -Force
    $package = Join-Path $repository "AitreTts.$version.nupkg"
    if (Test-Path -LiteralPath $package) { Remove-Item -LiteralPath $package -Force }

    # PSResourceGet (inbox in PowerShell 7.4+) packs the module as Publish-PSResource would, with the nuspec made from
    # the manifest; Compress-PSResource does it without registering a repository in the user's settings.
    if (Get-Command -Name Compress-PSResource -ErrorAction SilentlyContinue) {
        Compress-PSResource -Path $moduleDir -DestinationPath $repository
    }
    else {
        # Windows PowerShell 5.1 ships only PowerShellGet 1.0.0.1, which cannot pack without bootstrapping nuget.exe
        # from the internet; NuGet's own packer, through dotnet, makes the same package offline.
        Invoke-NuspecPackage -ModuleDir $moduleDir -Repository $repository
    }

    if (-not (Test-Path -LiteralPath $package)) { throw "Packaging did not produce $package." }
    Write-Host "Packaged $package"
    return $package
}

function Invoke-NuspecPackage {
    # What Compress-PSResource writes: the module folder at the root, the nuspec metadata taken from the manifest.
    param([Parameter(Mandatory)] [string] $ModuleDir, [Parameter(Mandatory)] [string] $Repository)
    $manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot 'AitreTts.psd1')
    $psData = $manifest.PrivateData.PSData
    $packDir = Join-Path $OutputPath 'pack'
    $null = New-Item -ItemType Directory -Path $packDir -Force

    $nuspec = Join-Path $packDir 'AitreTts.nuspec'
    $settings = New-Object System.Xml.XmlWriterSettings
    $settings.Indent = $true
    $settings.Encoding = New-Object System.Text.UTF8Encoding($false)
    $writer = [System.Xml.XmlWriter]::Create($nuspec, $settings)
    try {
        $ns = 'http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd'
        $writer.WriteStartElement('package', $ns)
        $writer.WriteStartElement('metadata', $ns)
        $writer.WriteElementString('id', $ns, 'AitreTts')
        $writer.WriteElementString('version', $ns, $manifest.ModuleVersion)
        $writer.WriteElementString('authors', $ns, $manifest.Author)
        $writer.WriteElementString('owners', $ns, $manifest.CompanyName)
        $writer.WriteElementString('requireLicenseAcceptance', $ns, 'false')
        $writer.WriteElementString('licenseUrl', $ns, $psData.LicenseUri)
        $writer.WriteElementString('projectUrl', $ns, $psData.ProjectUri)
        $writer.WriteElementString('description', $ns, $manifest.Description)
        $writer.WriteElementString('releaseNotes', $ns, $psData.ReleaseNotes)
        $writer.WriteElementString('copyright', $ns, $manifest.Copyright)
        $writer.WriteElementString('tags', $ns, ((@('PSModule') + $psData.Tags) -join ' '))
        $writer.WriteEndElement()
        $writer.WriteStartElement('files', $ns)
        $writer.WriteStartElement('file', $ns)
        $writer.WriteAttributeString('src', (Join-Path $ModuleDir '**'))
        $writer.WriteAttributeString('target', '')
        $writer.WriteEndElement()
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    finally {
        $writer.Close()
    }

    # A nuspec-only project. Empty Directory.*.props/targets beside it stop MSBuild's upward search, so the repository's
    # (warnings as errors, central package versions) do not apply when output/ is inside the repository. NU5100 warns
    # that the dlls are not under lib/: a PowerShell module is not a library package, so that is where they belong.
    # NU5125 warns that licenseUrl is deprecated: it is what PSResourceGet writes too.
    foreach ($name in 'Directory.Build.props', 'Directory.Build.targets', 'Directory.Packages.props') {
        Set-Content -LiteralPath (Join-Path $packDir $name) -Value '<Project />' -Encoding UTF8
    }

    $packProject = Join-Path $packDir 'AitreTts.Pack.csproj'
    $project = New-Object System.Xml.XmlDocument
    $root = $project.AppendChild($project.CreateElement('Project'))
    $root.SetAttribute('Sdk', 'Microsoft.NET.Sdk')
    $group = $root.AppendChild($project.CreateElement('PropertyGroup'))
    $properties = [ordered]@{
        TargetFramework    = 'netstandard2.0'
        NuspecFile         = $nuspec
        NoBuild            = 'true'
        IncludeBuildOutput = 'false'
        NoDefaultExcludes  = 'true'
        NoWarn             = 'NU5100;NU5125'
    }
    foreach ($name in $properties.Keys) {
        $null = $group.AppendChild($project.CreateElement($name)).AppendChild($project.CreateTextNode($properties[$name]))
    }

    $project.Save($packProject)
    Invoke-Dotnet pack $packProject --output $Repository --nologo --verbosity quiet
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
