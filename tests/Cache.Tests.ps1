BeforeAll {
    # The emulator fault that answers 200 with a body that is not well-formed audio of the given kind; $WholeLength
    # is the real answer's length, to cut its last frame short under a Content-Length that matches the cut.
    function New-BadAnswerFault([string] $Kind, [long] $WholeLength) {
        $random = New-Object byte[] 3000
        (New-Object System.Random 23).NextBytes($random)
        $random[0] = 0x49
        switch ($Kind) {
            'json' { @{ body = '{"audio":"nope"}'; contentType = 'audio/mpeg' } }
            'truncated-mp3' { @{ truncateBodyToBytes = $WholeLength - 7 } }
            'random' { @{ bodyBase64 = [Convert]::ToBase64String($random); contentType = 'audio/mpeg' } }
            'gzip' { @{ gzipBody = $true } }
        }
    }

    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Emulator = Start-TtsEmulator
    $script:Key = 'tk-pester-0123456789abcdef'
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = Join-Path $TestDrive 'config'
    Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
    $script:OnWindows = [Environment]::OSVersion.Platform -eq 'Win32NT'

    function Get-SpeechRequestCount {
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' }).Count
    }

    function Get-Entry {
        @(Get-ChildItem -Force $script:CacheFolder -Filter *.chunk)
    }
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
    Use-IsolatedChunkCache | Out-Null
}

Describe 'What enters the chunk cache' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:CacheHome = Use-IsolatedChunkCache -Enabled
        $script:CacheFolder = Join-Path $script:CacheHome 'AitreTts'
        $script:Out = New-TestOutputFolder
    }

    It 'a bad 200 answer (<Kind>) fails its run naming the answer, and the next run sends the request and succeeds' -TestCases @(
        @{ Kind = 'json' }
        @{ Kind = 'truncated-mp3' }
        @{ Kind = 'random' }
        @{ Kind = 'gzip' }
    ) {
        param($Kind)
        $text = "A bad answer of kind $Kind."
        $whole = $text | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'whole.mp3') -NoCache
        Add-EmulatorFault $script:Emulator (New-BadAnswerFault $Kind $whole.Length)
        $before = Get-SpeechRequestCount

        $first = $text | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'first.mp3') -ErrorVariable failed -ErrorAction SilentlyContinue

        $first | Should -BeNullOrEmpty
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TtsUnexpectedResponse,*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $requestId = @(Get-EmulatorRequest $script:Emulator)[-1].requestId
        $failed[0].Exception.Message | Should -BeLike "*HTTP 200*Content-Type: audio/mpeg*$requestId*"
        $failed[0].Exception.Message | Should -Not -BeLike '*.partial*'
        (Get-TtsCache).Entries | Should -Be 0
        Test-Path (Join-Path $script:Out 'first.mp3') | Should -BeFalse

        $second = $text | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'second.mp3') -ErrorAction Stop
        Get-SpeechRequestCount | Should -Be ($before + 2)
        $second.FromCache | Should -BeFalse
        [IO.File]::ReadAllBytes($second.FullName) | Should -Be ([IO.File]::ReadAllBytes($whole.FullName))
        $third = $text | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'third.mp3') -ErrorAction Stop
        $third.FromCache | Should -BeTrue
        Get-SpeechRequestCount | Should -Be ($before + 2)
    }

    It 'a bad 200 answer (<Kind>) with -NoCache fails as the same answer, not later in the join' -TestCases @(
        @{ Kind = 'json' }
        @{ Kind = 'truncated-mp3' }
        @{ Kind = 'random' }
        @{ Kind = 'gzip' }
    ) {
        param($Kind)
        $text = "A bad answer of kind $Kind, without the cache."
        $whole = $text | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'whole.mp3') -NoCache
        $rule = New-BadAnswerFault $Kind $whole.Length
        Add-EmulatorFault $script:Emulator $rule
        $null = $text | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'cached.mp3') -ErrorVariable cached -ErrorAction SilentlyContinue
        $cachedId = @(Get-EmulatorRequest $script:Emulator)[-1].requestId
        Add-EmulatorFault $script:Emulator $rule

        $first = $text | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'first.mp3') -NoCache -ErrorVariable failed -ErrorAction SilentlyContinue

        $first | Should -BeNullOrEmpty
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be $cached[0].FullyQualifiedErrorId
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TtsUnexpectedResponse,*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $requestId = @(Get-EmulatorRequest $script:Emulator)[-1].requestId
        $failed[0].Exception.Message | Should -BeLike "*HTTP 200*Content-Type: audio/mpeg*$requestId*"
        $failed[0].Exception.Message | Should -BeExactly $cached[0].Exception.Message.Replace($cachedId, $requestId)
        $failed[0].Exception.Message | Should -Not -BeLike '*.partial*'
        (Get-TtsCache).Entries | Should -Be 0
        @(Get-ChildItem $script:Out -Force).Name | Should -Be 'whole.mp3'
    }

    It 'does not serve an entry forged with HTML and a recomputed SHA-256, but asks again' {
        $text = 'Forged entries are misses.'
        $null = $text | Invoke-TextToSpeech -Format pcm -OutFile (Join-Path $script:Out 'real.pcm')
        $real = [IO.File]::ReadAllBytes((Join-Path $script:Out 'real.pcm'))
        $entry = Get-Entry
        $entry.Count | Should -Be 1
        # What anyone who can write the folder could do to an entry checked by a plain hash.
        $html = [Text.Encoding]::UTF8.GetBytes('<html><body>Session expired</body></html>')
        $content = [IO.File]::ReadAllBytes($entry[0].FullName)
        $forged = New-Object byte[] (80 + $html.Length)
        [Array]::Copy($content, $forged, 40)
        [Array]::Copy([BitConverter]::GetBytes([long]$html.Length), 0, $forged, 40, 8)
        [Array]::Copy([Security.Cryptography.SHA256]::Create().ComputeHash($html), 0, $forged, 48, 32)
        [Array]::Copy($html, 0, $forged, 80, $html.Length)
        [IO.File]::WriteAllBytes($entry[0].FullName, $forged)
        $before = Get-SpeechRequestCount

        $again = $text | Invoke-TextToSpeech -Format pcm -OutFile (Join-Path $script:Out 'again.pcm') -ErrorAction Stop

        $again.FromCache | Should -BeFalse
        Get-SpeechRequestCount | Should -Be ($before + 1)
        [IO.File]::ReadAllBytes($again.FullName) | Should -Be $real
    }
}

Describe 'A cache folder the user does not own outright' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:CacheHome = Use-IsolatedChunkCache -Enabled
        $script:CacheFolder = Join-Path $script:CacheHome 'AitreTts'
        $null = New-Item -ItemType Directory -Path $script:CacheHome
        $script:Out = New-TestOutputFolder
    }

    It 'a symlink to a sticky 1777 folder is not used, said once under -Verbose, and the folder keeps its mode' {
        if ($script:OnWindows) { Set-ItResult -Skipped -Because 'symbolic links need a privilege on Windows, and Unix modes do not apply'; return }
        $shared = Join-Path $TestDrive ('shared-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $shared
        $sticky = [IO.UnixFileMode][Convert]::ToInt32('1777', 8)
        [IO.File]::SetUnixFileMode($shared, $sticky)
        $null = New-Item -ItemType SymbolicLink -Path $script:CacheFolder -Target $shared

        $verbose = 'Linked one.', 'Linked two.', 'Linked one.' | Invoke-TextToSpeech -OutputDirectory $script:Out -Verbose -ErrorAction Stop 4>&1
        $files = @($verbose | Where-Object { $_ -is [IO.FileInfo] })
        $messages = @($verbose | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)

        $files.Count | Should -Be 3
        @($files | Where-Object FromCache).Count | Should -Be 0
        Get-SpeechRequestCount | Should -Be 3
        @($messages | Where-Object { $_ -like "*$script:CacheFolder*symbolic link*" }).Count | Should -Be 1
        [IO.File]::GetUnixFileMode($shared) | Should -Be $sticky
        @(Get-ChildItem -Force $shared).Count | Should -Be 0
    }

    It 'Get-TtsCache and Clear-TtsCache say so, and clear nothing through the link' {
        if ($script:OnWindows) { Set-ItResult -Skipped -Because 'symbolic links need a privilege on Windows'; return }
        $shared = Join-Path $TestDrive ('shared-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $shared
        $planted = Join-Path $shared (('a' * 64) + '.chunk')
        Set-Content -Path $planted -Value 'not this cache''s to remove'
        $null = New-Item -ItemType SymbolicLink -Path $script:CacheFolder -Target $shared

        $info = Get-TtsCache -WarningVariable getWarnings 3>$null
        Clear-TtsCache -Confirm:$false -WarningVariable clearWarnings 3>$null

        $info.Entries | Should -Be 0
        "$getWarnings" | Should -BeLike '*symbolic link*'
        "$clearWarnings" | Should -BeLike '*symbolic link*Nothing was removed*'
        Test-Path $planted | Should -BeTrue
    }

    It 'a folder of another user is not used, and keeps its owner and mode' {
        if ($script:OnWindows -or [Environment]::UserName -ne 'root') {
            Set-ItResult -Skipped -Because 'only root can give a folder to another user'
            return
        }

        $null = New-Item -ItemType Directory -Path $script:CacheFolder
        [IO.File]::SetUnixFileMode($script:CacheFolder, [IO.UnixFileMode][Convert]::ToInt32('777', 8))
        & chown 65534:65534 $script:CacheFolder
        $LASTEXITCODE | Should -Be 0

        $verbose = 'Their folder.', 'Their folder.' | Invoke-TextToSpeech -OutputDirectory $script:Out -Verbose -ErrorAction Stop 4>&1
        $messages = @($verbose | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)

        @($verbose | Where-Object { $_ -is [IO.FileInfo] }).Count | Should -Be 2
        Get-SpeechRequestCount | Should -Be 2
        @($messages | Where-Object { $_ -like "*$script:CacheFolder*another user*" }).Count | Should -Be 1
        [Convert]::ToString([int][IO.File]::GetUnixFileMode($script:CacheFolder), 8) | Should -Be '777'
        (& stat -c '%u' $script:CacheFolder) | Should -Be '65534'
        @(Get-ChildItem -Force $script:CacheFolder).Count | Should -Be 0
    }
}
