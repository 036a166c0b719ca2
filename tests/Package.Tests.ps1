# The nupkg './build.ps1 -Task Package' makes: its layout and metadata, and that it installs and imports.
# Uses $env:AITRETTS_PACKAGE when set; otherwise builds one into $TestDrive.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    # Looked up here, in the run phase: BeforeDiscovery's variables do not reach the tests' bodies. PSResourceGet is
    # inbox in PowerShell 7.4+; Windows PowerShell 5.1 has it only where the user installed it.
    $script:HasPsResourceGet = [bool](Get-Module -ListAvailable -Name Microsoft.PowerShell.PSResourceGet)
    # PowerShellGet 1.0.0.1, inbox in Windows PowerShell, cannot save from a folder repository without bootstrapping NuGet.
    $script:HasPowerShellGet = [bool](Get-Module -ListAvailable -Name PowerShellGet | Where-Object { $_.Version -ge [version]'2.0' })
    Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem
    $script:Repository = Split-Path $PSScriptRoot
    $script:SourceManifest = Import-PowerShellDataFile -LiteralPath (Join-Path $Repository 'AitreTts.psd1')
    $script:Version = $SourceManifest.ModuleVersion

    $script:Package = $env:AITRETTS_PACKAGE
    if (-not $Package) {
        $output = Join-Path $TestDrive 'out'
        # Debug: packaging does not depend on the configuration, and the test run has just built Debug.
        $null = & (Join-Path $Repository 'build.ps1') -Task Package -Configuration Debug -OutputPath $output *>&1
        $script:Package = Join-Path $output "repository/AitreTts.$Version.nupkg"
    }

    $zip = [System.IO.Compression.ZipFile]::OpenRead($Package)
    try {
        $script:Entries = @($zip.Entries | ForEach-Object { $_.FullName })
        $reader = New-Object System.IO.StreamReader($zip.GetEntry('AitreTts.nuspec').Open())
        try { $script:Nuspec = [xml]$reader.ReadToEnd() } finally { $reader.Dispose() }
    }
    finally {
        $zip.Dispose()
    }

    function Test-ImportedModule {
        # Imports the module folder in a fresh pwsh and reports what a user would check first.
        param([string] $ManifestPath)
        $script = @"
`$ErrorActionPreference = 'Stop'
`$module = Import-Module '$($ManifestPath.Replace("'", "''"))' -PassThru
`$result = [ordered]@{
    Version  = `$module.Version.ToString()
    Cmdlets  = @(`$module.ExportedCmdlets.Keys | Sort-Object)
    Synopsis = (Get-Help Invoke-TextToSpeech).Synopsis
    About    = (Get-Help about_AitreTts | Out-String) -match 'SHORT DESCRIPTION'
    View     = [bool](Get-FormatData -TypeName AitreTts.SpeechFile)
}
`$result | ConvertTo-Json -Compress
"@
        # A fresh PowerShell: each import is honest about what the folder alone provides.
        $run = Invoke-ChildPowerShell $script
        $run.ExitCode | Should -Be 0 -Because $run.Output
        ($run.Output -split "`r?`n" | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
    }
}

Describe 'The package' {
    It 'is named AitreTts.<version>.nupkg after the manifest' {
        Split-Path $Package -Leaf | Should -Be "AitreTts.$Version.nupkg"
    }

    It 'has the module manifest at its root' {
        $Entries | Should -Contain 'AitreTts.psd1'
    }

    # AitreTts.psm1 imports Desktop/ (net462) in Windows PowerShell 5.1 and Core/ (netstandard2.0) in PowerShell 7.4+.
    It 'has <_>' -ForEach @('AitreTts.psm1', 'Desktop/AitreTts.dll', 'Desktop/AitreTts.Core.dll', 'Core/AitreTts.dll', 'Core/AitreTts.Core.dll', 'AitreTts.Format.ps1xml', 'en-US/AitreTts.dll-Help.xml', 'en-US/about_AitreTts.help.txt', 'LICENSE', 'Desktop/dependencies/System.Text.Json.dll') {
        $Entries | Should -Contain $_
    }

    It 'ships System.Text.Json only for Windows PowerShell, since PowerShell 7.4+ has it inbox' {
        $Entries | Where-Object { $_ -like '*System.Text.Json.dll' } | Should -Be 'Desktop/dependencies/System.Text.Json.dll'
    }

    It 'has no help source, build output or PowerShell that would need signing' {
        $Entries | Where-Object { $_ -like '*.md' -or $_ -like '*.ps1' -or $_ -like 'publish/*' -or $_ -like '*System.Management.Automation.dll' } | Should -BeNullOrEmpty
    }

    It 'has the id and version of the manifest' {
        $Nuspec.package.metadata.id | Should -Be 'AitreTts'
        $Nuspec.package.metadata.version | Should -Be $Version
    }

    It 'has the manifest''s description, authors, release notes, project and license' {
        $metadata = $Nuspec.package.metadata
        $metadata.description | Should -Be $SourceManifest.Description
        $metadata.authors | Should -Be $SourceManifest.Author
        $metadata.releaseNotes | Should -Be $SourceManifest.PrivateData.PSData.ReleaseNotes
        $metadata.projectUrl | Should -Be $SourceManifest.PrivateData.PSData.ProjectUri
        $metadata.licenseUrl | Should -Be $SourceManifest.PrivateData.PSData.LicenseUri
    }

    It 'has the tag PSResourceGet adds, and the manifest''s own' {
        $tags = -split $Nuspec.package.metadata.tags
        foreach ($tag in @('PSModule') + @($SourceManifest.PrivateData.PSData.Tags)) { $tags | Should -Contain $tag }
    }

    It 'declares both editions and the three systems' {
        $tags = -split $Nuspec.package.metadata.tags
        foreach ($tag in 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS') { $tags | Should -Contain $tag }
    }
}

Describe 'Installing the package' {
    BeforeAll {
        $script:RepositoryFolder = Join-Path $TestDrive 'feed'
        $null = New-Item -ItemType Directory -Path $RepositoryFolder -Force
        Copy-Item -LiteralPath $Package -Destination $RepositoryFolder
        $script:RepositoryName = 'AitreTtsTest' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    }

    It 'installs with Install-PSResource from a local repository, imports by name and speaks' {
        if (-not $HasPsResourceGet) {
            Set-ItResult -Skipped -Because 'Microsoft.PowerShell.PSResourceGet is not installed in this Windows PowerShell; the extraction test below still proves the package imports'
            return
        }

        # Everything a user's machine keeps (the repository list, the installed module, the configuration) goes to a
        # home of its own in $TestDrive, so the test neither reads nor changes the real user's.
        $userHome = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'home') -Force).FullName
        $emulator = Start-TtsEmulator -ArgumentList '--allow-anonymous'
        try {
            $script = @'
param($Feed, $BaseUrl, $Work)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Register-PSResourceRepository -Name AitreTtsLocal -Uri $Feed -Trusted
Install-PSResource -Name AitreTts -Repository AitreTtsLocal -Scope CurrentUser -TrustRepository -Quiet
$installed = Get-InstalledPSResource -Name AitreTts
Import-Module AitreTts
$module = Get-Module AitreTts
Set-TtsConfiguration -Scope Process -BaseUrl $BaseUrl -OutputDirectory $Work
$file = 'Installed from a local repository.' | Invoke-TextToSpeech
[pscustomobject]@{
    Installed = $installed.InstalledLocation
    Version   = $module.Version.ToString()
    Base      = $module.ModuleBase
    File      = $file.FullName
    Length    = $file.Length
} | ConvertTo-Json -Compress
# Windows keeps CurrentUser modules in the real Documents folder, which no variable redirects: leave nothing there.
if ([Environment]::OSVersion.Platform -eq 'Win32NT') { Remove-Module AitreTts; Uninstall-PSResource -Name AitreTts -Scope CurrentUser }
'@
            $scriptPath = Join-Path $TestDrive 'install.ps1'
            Set-Content -LiteralPath $scriptPath -Value $script -Encoding utf8
            $work = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'spoken') -Force).FullName
            # XDG_DATA_HOME is removed, not redirected: PSResourceGet installs under $HOME/.local/share whatever it says,
            # while PowerShell looks for user modules under it.
            $environment = @{
                HOME = $userHome; USERPROFILE = $userHome; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = Join-Path $userHome 'config'
                XDG_CACHE_HOME = Join-Path $userHome 'cache'; LOCALAPPDATA = Join-Path $userHome 'local'; APPDATA = Join-Path $userHome 'config'
                PSModulePath = $null
            }
            $run = Invoke-ChildPowerShell -File $scriptPath -ArgumentList $RepositoryFolder, $emulator.BaseUrl, $work -WorkingDirectory $userHome -Environment $environment -TimeoutSec 180
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $result = ($run.StdOut -split "`r?`n" | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
        }
        finally {
            Stop-TtsEmulator $emulator
        }

        $result.Version | Should -Be $Version
        # The module that imported by name is the one Install-PSResource put there.
        $result.Base | Should -BeLike "$($result.Installed)*"
        if ([Environment]::OSVersion.Platform -ne 'Win32NT') { $result.Installed | Should -BeLike "$userHome*" }
        $result.File | Should -BeLike "$work*"
        $result.Length | Should -BeGreaterThan 1000
        Get-AudioHeader $result.File 3 | Should -Be 'ID3'
    }

    It 'installs from a local repository with PowerShellGet and imports' {
        if (-not $HasPowerShellGet) {
            Set-ItResult -Skipped -Because 'PowerShellGet 2 is not installed here, so Save-Module cannot be tried; the extraction test below still proves the package imports'
            return
        }

        $target = Join-Path $TestDrive 'powershellget'
        $null = New-Item -ItemType Directory -Path $target -Force
        Register-PSRepository -Name $RepositoryName -SourceLocation $RepositoryFolder -InstallationPolicy Trusted
        try {
            Save-Module -Name AitreTts -Repository $RepositoryName -Path $target
        }
        finally {
            Unregister-PSRepository -Name $RepositoryName
        }

        $imported = Test-ImportedModule (Join-Path $target "AitreTts/$Version/AitreTts.psd1")
        $imported.Version | Should -Be $Version
        $imported.Cmdlets | Should -Be @($SourceManifest.CmdletsToExport | Sort-Object)
    }

    It 'imports once extracted as PSResourceGet lays it out (without any package manager)' {
        # What Save-PSResource does with a nupkg: unzip into <name>/<version>/ and drop NuGet's own files.
        $target = Join-Path $TestDrive "extracted/AitreTts/$Version"
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Package)
        try {
            foreach ($entry in $zip.Entries) {
                if ($entry.FullName -match '^(_rels/|package/|\[Content_Types\]\.xml$|[^/]+\.nuspec$)' -or -not $entry.Name) { continue }
                $path = Join-Path $target $entry.FullName
                $null = New-Item -ItemType Directory -Path (Split-Path $path) -Force
                [System.IO.Compression.ZipFileExtensions]::ExtractToFile($entry, $path, $true)
            }
        }
        finally {
            $zip.Dispose()
        }

        $imported = Test-ImportedModule (Join-Path $target 'AitreTts.psd1')
        $imported.Version | Should -Be $Version
        $imported.Cmdlets | Should -Be @($SourceManifest.CmdletsToExport | Sort-Object)
        $imported.Synopsis | Should -Match 'audio files'
        $imported.About | Should -BeTrue
        $imported.View | Should -BeTrue
    }
}
