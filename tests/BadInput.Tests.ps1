BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Key = 'tk-badinput-0123456789abcdef'
    $script:Emulator = Start-TtsEmulator -ArgumentList '--api-key', $script:Key
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = $env:XDG_CONFIG_HOME
    Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL -ErrorAction SilentlyContinue
}

AfterAll {
    Stop-TtsEmulator $script:Emulator
}

Describe 'Bad input gets its own ErrorId, and nothing is sent' {
    BeforeEach {
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
        Push-Location $script:Out
    }

    AfterEach {
        Pop-Location
    }

    It 'a null, empty or whitespace-only text: <Case>' -TestCases @(
        @{ Case = 'null'; Text = $null }
        @{ Case = 'empty'; Text = '' }
        @{ Case = 'spaces and tabs'; Text = " `t  " }
        @{ Case = 'ideographic space and NBSP'; Text = "$([char]0x3000)$([char]0xA0)" }
    ) {
        param($Case, $Text)
        $errors = $null
        $null = Invoke-TextToSpeech -Text $Text -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'TtsInputEmpty,*'
        $errors[0].Exception.Message | Should -Match 'nothing to speak'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'a malformed or relative BaseUrl on the call: <Url>' -TestCases @(@{ Url = 'api.openai.com' }, @{ Url = '/v1/audio/speech' }, @{ Url = 'htp:/broken' }) {
        param($Url)
        { 'x' | Invoke-TextToSpeech -BaseUrl $Url } | Should -Throw -ErrorId 'TtsInvalidBaseUrl,*'
    }

    It 'a missing API key for a host that is not this machine' {
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        { 'x' | Invoke-TextToSpeech -BaseUrl 'https://gateway.example.invalid' -ErrorAction Stop } | Should -Throw -ErrorId 'TtsApiKeyMissing,*'
    }

    It 'a key over plain http to another host is refused' {
        { 'x' | Invoke-TextToSpeech -BaseUrl 'http://gateway.example.invalid' -ApiKey $script:Key } | Should -Throw -ErrorId 'TtsInsecureTransport,*'
    }

    It 'a voice the model does not support is a warning, not an error' {
        # OpenAI's catalogue judges voices only for a provider it applies to: the emulator stands in for OpenAI here.
        Set-TtsConfiguration -Scope Process -Provider OpenAI
        $warnings = $null
        $file = 'Ballad on tts-1' | Invoke-TextToSpeech -Voice ballad -Model tts-1-hd -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        ($warnings -join ' ') | Should -Match "'ballad' is not known to work with the model 'tts-1-hd'"
        @(Get-EmulatorRequest $script:Emulator | Where-Object Path -eq '/v1/audio/speech').Count | Should -Be 1 -Because 'the server decides; gateways differ'
    }

    It '-Instructions with tts-1 is a warning' {
        $warnings = $null
        $file = 'Directed' | Invoke-TextToSpeech -Model tts-1 -Instructions 'Speak like a pirate.' -WarningVariable warnings -WarningAction SilentlyContinue
        $file | Should -BeOfType System.IO.FileInfo
        ($warnings -join ' ') | Should -Match 'does not take -Instructions'
    }

    It 'text with unpaired surrogates is repaired with a warning and sent as valid UTF-8' {
        $text = "Broken $([char]0xD800) pair"
        $warnings = $null
        $file = $text | Invoke-TextToSpeech -WarningVariable warnings -WarningAction SilentlyContinue
        $file | Should -BeOfType System.IO.FileInfo
        ($warnings -join ' ') | Should -Match 'unpaired UTF-16 surrogate'
        (Get-EmulatorRequest $script:Emulator)[0].Input | Should -BeExactly "Broken $([char]0xFFFD) pair"
    }

    It 'a 10 MB string is refused before anything is sent, and the next item goes on' {
        $huge = 'a' * (10 * 1024 * 1024)
        $errors = $null
        $files = @($huge, 'Small enough' | Invoke-TextToSpeech -ErrorVariable errors -ErrorAction SilentlyContinue)
        $files.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'TtsInputTooLong,*'
        $errors[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $errors[0].Exception.Message | Should -Match 'MaximumDocumentLength'
        $errors[0].TargetObject.Length | Should -BeLessThan 300
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 1
    }

    It 'an invalid -OutFile is a clear error: <Case>' -TestCases @(
        @{ Case = 'a NUL in the name'; Name = "bad`0name.mp3" }
        @{ Case = 'a path on another provider'; Name = 'Env:/x.mp3' }
    ) {
        param($Case, $Name)
        $bad = if ($Name -like 'Env:*') { $Name } else { Join-Path $script:Out $Name }
        $err = $null
        try { 'x' | Invoke-TextToSpeech -OutFile $bad -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TtsInvalidOutputPath,AitreTts.Commands.InvokeTextToSpeechCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }

    It 'a folder that accepts no new files (/proc) is not writable, and the message names the target, not a temporary file' {
        if (-not (Test-Path /proc/self)) {
            Set-ItResult -Skipped -Because '/proc, which refuses new files, exists on Linux only'
            return
        }

        $err = $null
        try { 'x' | Invoke-TextToSpeech -OutFile /proc/tts.mp3 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TtsOutputNotWritable,AitreTts.Commands.InvokeTextToSpeechCommand'
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err.Exception.Message | Should -Match "'/proc/tts.mp3'"
        $err.Exception.Message | Should -Not -Match 'partial'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'a file where a folder should be: <Case>' -TestCases @(
        @{ Case = '-OutputDirectory naming a file'; Arguments = @{ OutputDirectory = 'afile' } }
        @{ Case = '-OutputDirectory under a file'; Arguments = @{ OutputDirectory = 'afile/sub' } }
        @{ Case = '-OutFile under a file'; Arguments = @{ OutFile = 'afile/x.mp3' } }
    ) {
        param($Case, $Arguments)
        Set-Content -Path (Join-Path $script:Out 'afile') -Value 'a file'
        $err = $null
        try { 'x' | Invoke-TextToSpeech @Arguments -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TtsInvalidOutputPath,AitreTts.Commands.InvokeTextToSpeechCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match ([regex]::Escape("$(Join-Path $script:Out 'afile')' is a file, not a folder"))
        $err.Exception.Message | Should -Not -Match 'already exists'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
        @(Get-ChildItem $script:Out -Force).Name | Should -Be 'afile'
    }

    It 'a binary file piped in is not text, and nothing is sent: <Case>' -TestCases @(
        @{ Case = 'with NUL bytes (an mp3 header)'; Bytes = [byte[]](0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0xFF, 0xFB, 0x90, 0x64) }
        @{ Case = 'without NUL bytes'; Bytes = [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x01, 0x02, 0x03, 0xC8, 0x1B, 0x7F, 0xFF) }
    ) {
        param($Case, $Bytes)
        $binary = Join-Path $script:Out 'sound.bin'
        [System.IO.File]::WriteAllBytes($binary, $Bytes)
        $err = $null
        $null = Get-Item $binary | Invoke-TextToSpeech -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'TtsInputNotText,AitreTts.Commands.InvokeTextToSpeechCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'a UTF-16 file without a byte order mark is not taken for text' {
        $wide = Join-Path $script:Out 'wide.txt'
        [System.IO.File]::WriteAllBytes($wide, [System.Text.Encoding]::Unicode.GetBytes('No mark here'))
        $err = $null
        $null = Get-Item $wide | Invoke-TextToSpeech -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'TtsInputNotText,AitreTts.Commands.InvokeTextToSpeechCommand'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It '-OutFile naming a device or a pipe is refused before anything is sent, and the node stays: <Case>' -TestCases @(
        @{ Case = 'a named pipe'; Kind = 'fifo'; Link = $false }
        @{ Case = 'a character device'; Kind = 'device'; Link = $false }
        @{ Case = 'a symbolic link to a named pipe'; Kind = 'fifo'; Link = $true }
    ) {
        param($Case, $Kind, $Link)
        if ([Environment]::OSVersion.Platform -ne [PlatformID]::Unix) {
            Set-ItResult -Skipped -Because 'named pipes and device nodes in the file system exist on Unix only'
            return
        }

        # Never the real /dev/null: as root the old code replaced whatever -OutFile named.
        $node = Join-Path $script:Out 'node.mp3'
        if ($Kind -eq 'fifo') {
            & mkfifo $node
        }
        else {
            & mknod -m 666 $node c 1 3 2>$null
        }

        if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $node)) {
            Set-ItResult -Skipped -Because "this user may not create a $Kind (mknod needs root)"
            return
        }

        $outFile = $node
        if ($Link) {
            $outFile = Join-Path $script:Out 'link.mp3'
            $null = New-Item -ItemType SymbolicLink -Path $outFile -Target $node
        }

        $err = $null
        try { 'x' | Invoke-TextToSpeech -OutFile $outFile -Format mp3 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TtsInvalidOutputPath,AitreTts.Commands.InvokeTextToSpeechCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'is a device or pipe, not a regular file'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
        # test(1), because PowerShell's UnixMode shows a named pipe as a regular file.
        $typeTest = if ($Kind -eq 'fifo') { '-p' } else { '-c' }
        & test $typeTest $node
        $LASTEXITCODE | Should -Be 0 -Because "the $Kind itself must stay, not become a regular file"
        @(Get-ChildItem $script:Out -Force -Filter '*.partial').Count | Should -Be 0
    }

    It 'a piped file certainly longer than -MaximumDocumentLength is refused without reading it: <Case>' -TestCases @(
        @{ Case = '5,000 bytes against 1,000 characters'; Size = 5000L; Maximum = 1000 }
        @{ Case = 'a 2 GB sparse file against the default'; Size = 2GB; Maximum = 0 }
    ) {
        param($Case, $Size, $Maximum)
        # A sparse file costs no disk, and reads as NUL bytes: reading it would call it binary, not too long.
        $big = Join-Path $script:Out 'big.txt'
        $stream = [System.IO.File]::Create($big)
        try { $stream.SetLength($Size) } finally { $stream.Dispose() }
        $limit = @{}
        if ($Maximum -gt 0) { $limit.MaximumDocumentLength = $Maximum }
        $errors = $null
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $files = @(Get-Item $big | Invoke-TextToSpeech @limit -ErrorVariable errors -ErrorAction SilentlyContinue)
        $watch.Stop()
        $files.Count | Should -Be 0
        $errors[0].FullyQualifiedErrorId | Should -Be 'TtsInputTooLong,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $errors[0].Exception.Message | Should -Match 'MaximumDocumentLength'
        $errors[0].TargetObject | Should -Be $big
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10 -Because 'the size decides; nothing is read'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'a piped file that may fit -MaximumDocumentLength is still read: UTF-32 with a byte order mark at the limit' {
        $text = 'abcd' * 250
        $file = Join-Path $script:Out 'wide32.txt'
        [System.IO.File]::WriteAllText($file, $text, (New-Object System.Text.UTF32Encoding($false, $true)))
        (Get-Item $file).Length | Should -Be 4004
        $result = Get-Item $file | Invoke-TextToSpeech -MaximumDocumentLength 1000
        $result | Should -BeOfType System.IO.FileInfo
        (Get-EmulatorRequest $script:Emulator)[0].Input | Should -BeExactly $text
    }

    It 'a named pipe piped in as a file object is refused without waiting for a writer' {
        if ([Environment]::OSVersion.Platform -ne [PlatformID]::Unix) {
            Set-ItResult -Skipped -Because 'named pipes in the file system exist on Unix only'
            return
        }

        $fifo = Join-Path $script:Out 'pipe.txt'
        & mkfifo $fifo
        # Should the read wait for a writer after all, this one ends the wait after 60 s, so the test fails, not hangs;
        # "at once" is measured against that wait, with a margin of five.
        $writer = [System.Diagnostics.Process]::Start('sh', "-c ""sleep 60; : > '$fifo'""")
        try {
            $errors = $null
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $files = @(Get-Item $fifo | Invoke-TextToSpeech -ErrorVariable errors -ErrorAction SilentlyContinue)
            $watch.Stop()
        }
        finally {
            if (-not $writer.HasExited) { $writer.Kill() }
            $writer.Dispose()
        }

        $files.Count | Should -Be 0
        $errors[0].FullyQualifiedErrorId | Should -Be 'TtsInputNotText,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].Exception.Message | Should -Match 'is a device or pipe'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan (60 / 5)
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }
}
