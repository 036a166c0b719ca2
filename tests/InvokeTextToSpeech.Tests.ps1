BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Emulator = Start-TtsEmulator
    $script:Key = 'tk-pester-0123456789abcdef'
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = Join-Path $TestDrive 'config'
    Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
}

Describe 'Invoke-TextToSpeech' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
        Push-Location $script:Out
    }

    AfterEach {
        Pop-Location
    }

    It 'turns a pipeline string into an mp3 FileInfo with its metadata' {
        $file = 'Server maintenance starts at 17:00' | Invoke-TextToSpeech -Voice onyx
        $file | Should -BeOfType System.IO.FileInfo
        $file.Name | Should -Match '^server-maintenance-starts-at-17-00-[0-9a-f]{8}\.mp3$'
        $file.DirectoryName | Should -Be $script:Out
        $file.Length | Should -BeGreaterThan 1000
        $file.Voice | Should -Be 'onyx'
        $file.Model | Should -Be 'tts-1'
        $file.Format | Should -Be 'mp3'
        $file.Characters | Should -Be 34
        $file.RequestId | Should -Match '^req_'
        $file.Duration | Should -BeOfType TimeSpan
        $file.Duration.TotalSeconds | Should -BeGreaterThan 0.4
        Get-AudioHeader $file.FullName 3 | Should -Be 'ID3'

        $request = Get-EmulatorRequest $script:Emulator | Select-Object -Last 1
        $request.Input | Should -Be 'Server maintenance starts at 17:00'
        $request.Voice | Should -Be 'onyx'
        $request.ResponseFormat | Should -Be 'mp3'
    }

    It 'writes to the same folder however -OutputDirectory and -OutFile spell it' {
        # A full path in its normal form skips PowerShell's path resolution; every other spelling still goes through it.
        $dir = Join-Path $script:Out 'spelled'
        $null = New-Item -ItemType Directory $dir
        $sep = [IO.Path]::DirectorySeparatorChar
        $null = New-PSDrive -Name SpelledOut -PSProvider FileSystem -Root $dir
        try {
            $folders = @($dir, "$dir$sep", "$dir${sep}sub$sep..", "$dir$sep.", 'spelled', ".${sep}spelled", "FileSystem::$dir", "SpelledOut:$sep")
            foreach ($folder in $folders) {
                $file = "Spelled as $folder" | Invoke-TextToSpeech -OutputDirectory $folder -NoCache
                $file.DirectoryName | Should -Be $dir -Because $folder
                (Get-Item -LiteralPath $file.FullName).FullName | Should -Be $file.FullName
            }

            $files = @{ 'a.mp3' = (Join-Path $dir 'a.mp3'); 'b.mp3' = "$dir$sep.${sep}b.mp3"; 'c.mp3' = "SpelledOut:${sep}c.mp3"; 'd.mp3' = "FileSystem::$dir${sep}d.mp3"; 'e.mp3' = "spelled${sep}e.mp3" }
            foreach ($name in $files.Keys) {
                $file = "Spelled file $name" | Invoke-TextToSpeech -OutFile $files[$name] -NoCache
                $file.FullName | Should -Be (Join-Path $dir $name) -Because $files[$name]
            }

            @(Get-ChildItem -LiteralPath $dir -File).Count | Should -Be ($folders.Count + $files.Count)
        }
        finally {
            Remove-PSDrive -Name SpelledOut
        }
    }

    It 'takes into each call of a loop what changed since the call before: the environment, the file, the session' {
        $config = $env:XDG_CONFIG_HOME
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        try {
            $env:XDG_CONFIG_HOME = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
            $env:AITRE_BASE_URL = $script:Emulator.BaseUrl
            $env:AITRE_API_KEY = 'tk-loop-one-000000000000000'
            $files = @('First call' | Invoke-TextToSpeech)
            $env:AITRE_API_KEY = 'tk-loop-two-000000000000000'
            $files += 'Second call' | Invoke-TextToSpeech
            Set-TtsConfiguration -Voice nova
            $files += 'Third call' | Invoke-TextToSpeech
            Set-TtsConfiguration -Scope Process -Voice echo
            $files += 'Fourth call' | Invoke-TextToSpeech
        }
        finally {
            Remove-Item Env:AITRE_BASE_URL, Env:AITRE_API_KEY -ErrorAction SilentlyContinue
            $env:XDG_CONFIG_HOME = $config
            Remove-TtsConfiguration -Scope Process -Confirm:$false
            Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
        }

        @($files.Voice) | Should -Be @('alloy', 'alloy', 'nova', 'echo')
        $requests = @(Get-EmulatorRequest $script:Emulator)
        @($requests.Input) | Should -Be @('First call', 'Second call', 'Third call', 'Fourth call')
        @($requests | ForEach-Object { $_.Headers.Authorization }) | Should -Be @('Bearer tk-loop-one-000000000000000', 'Bearer tk-loop-two-000000000000000', 'Bearer tk-loop-two-000000000000000', 'Bearer tk-loop-two-000000000000000')
    }

    It 'returns objects that pipe on to Copy-Item and Remove-Item' {
        $file = 'Copy me' | Invoke-TextToSpeech
        $copy = $file | Copy-Item -Destination (Join-Path $script:Out 'copy.mp3') -PassThru
        $copy.Length | Should -Be $file.Length
        $file | Remove-Item
        Test-Path $file.FullName | Should -BeFalse
    }

    It 'returns a file whose name has wildcard characters (<Name>) that <Verb> handles literally' -TestCases @(
        @{ Name = 'minutes [draft].mp3'; Verb = 'Move-Item' }
        @{ Name = 'a[1].mp3'; Verb = 'Move-Item' }
        @{ Name = 'a[1].mp3'; Verb = 'Copy-Item' }
        @{ Name = 'minutes [draft].mp3'; Verb = 'Remove-Item' }
    ) {
        param($Name, $Verb)
        # A bare FileInfo binds by its FullName as a wildcard path: '[draft]' then matches nothing, silently.
        $file = 'Wildcards in the name' | Invoke-TextToSpeech -OutFile (Join-Path $script:Out $Name)
        $file.Name | Should -BeExactly $Name
        $bytes = [IO.File]::ReadAllBytes($file.FullName)
        $elsewhere = Join-Path $script:Out 'elsewhere.mp3'
        switch ($Verb) {
            'Move-Item' { $file | Move-Item -Destination $elsewhere -ErrorAction Stop; Test-Path -LiteralPath $file.FullName | Should -BeFalse }
            'Copy-Item' { $file | Copy-Item -Destination $elsewhere -ErrorAction Stop; Test-Path -LiteralPath $file.FullName | Should -BeTrue }
            'Remove-Item' { $file | Remove-Item -ErrorAction Stop; Test-Path -LiteralPath $file.FullName | Should -BeFalse }
        }

        if ($Verb -ne 'Remove-Item') { [IO.File]::ReadAllBytes($elsewhere) | Should -Be $bytes }
    }

    It 'returns a file with the provider properties Get-Item gives, and its own kept (<Call> call in its folder)' -TestCases @(
        @{ Call = 'the first'; Earlier = 0 }
        # The provider is asked once per folder; later files of the folder are shown as it showed the first.
        @{ Call = 'a later'; Earlier = 2 }
    ) {
        param($Call, $Earlier)
        for ($i = 0; $i -lt $Earlier; $i++) { $null = "Earlier $i" | Invoke-TextToSpeech -OutFile "earlier $i.mp3" }
        $file = 'Like Get-Item' | Invoke-TextToSpeech -OutFile 'like [get-item].mp3'
        $item = Get-Item -LiteralPath $file.FullName
        foreach ($name in 'PSPath', 'PSParentPath', 'PSChildName', 'PSIsContainer') {
            $file.$name | Should -Be $item.$name -Because $name
        }

        $file.PSDrive.Name | Should -Be $item.PSDrive.Name
        $file.PSProvider.Name | Should -Be 'FileSystem'
        $file.Voice | Should -Be 'alloy'
        $file.RequestId | Should -Match '^req_'
        $file.PSObject.TypeNames[0] | Should -Be 'AitreTts.SpeechFile'
        $file.PSObject.TypeNames | Should -Contain 'System.IO.FileInfo'
        # Format-List * shows what the type's own members compute; on a bare FileInfo they came out empty.
        $shown = $file | Format-List * | Out-String -Width 400
        $expected = $item | Format-List * | Out-String -Width 400
        foreach ($name in @('Mode', 'Length') + $(if ([Environment]::OSVersion.Platform -eq [PlatformID]::Unix) { 'UnixMode', 'User', 'Group', 'Size' })) {
            $line = ($expected -split "`n") | Where-Object { $_ -match "^$name\s+:" }
            $line | Should -Not -BeNullOrEmpty -Because "Get-Item shows $name"
            $line.Trim() | Should -Not -Match ':$' -Because "Get-Item fills $name"
            $shown | Should -Match ([regex]::Escape($line.Trim()))
        }
    }

    It 'makes one document of the lines Get-Content reads from one file' {
        Set-Content -Path notes.txt -Value 'First line.', 'Second line.', 'Third line.'
        $files = @(Get-Content notes.txt | Invoke-TextToSpeech -Voice nova)
        $files.Count | Should -Be 1
        $files[0].Name | Should -Be 'notes.mp3'
        $requests = @(Get-EmulatorRequest $script:Emulator)
        $requests.Count | Should -Be 1
        $requests[0].Input | Should -Be "First line.`nSecond line.`nThird line."
    }

    It 'makes one document per file when several files are piped' {
        Set-Content -Path a.txt -Value 'Alpha one.', 'Alpha two.'
        Set-Content -Path b.txt -Value 'Beta one.'
        $files = @(Get-Content a.txt, b.txt | Invoke-TextToSpeech)
        $files.Name | Should -Be @('a.mp3', 'b.mp3')
    }

    It 'reads the text of file objects piped from Get-ChildItem, as UTF-8, instead of speaking their paths' {
        [System.IO.File]::WriteAllText((Join-Path $script:Out 'café.txt'), "Crème brûlée at noon.`nThen coffee.", [System.Text.UTF8Encoding]::new($false))
        Set-Content -Path (Join-Path $script:Out 'second.txt') -Value 'Second file.'
        $files = @(Get-ChildItem -Path $script:Out -Filter *.txt | Sort-Object Name | Invoke-TextToSpeech)
        $files.Name | Should -Be @('café.mp3', 'second.mp3')
        # The two documents are sent side by side, so the server may see them in either order.
        $inputs = @(Get-EmulatorRequest $script:Emulator).Input
        $inputs.Count | Should -Be 2
        $inputs -ceq "Crème brûlée at noon.`nThen coffee." | Should -HaveCount 1
        @($inputs | ForEach-Object Trim) -eq 'Second file.' | Should -HaveCount 1
    }

    It 'puts the text of several piped files into one -OutFile' {
        Set-Content -Path (Join-Path $script:Out 'a.txt') -Value 'Part one.'
        Set-Content -Path (Join-Path $script:Out 'b.txt') -Value 'Part two.'
        $file = Get-ChildItem -Path $script:Out -Filter *.txt | Sort-Object Name | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'both.mp3')
        $file.Name | Should -Be 'both.mp3'
        $input = (Get-EmulatorRequest $script:Emulator)[0].Input
        $input | Should -Match '^Part one\.\s+Part two\.\s*$'
    }

    It 'refuses a directory piped in place of text' {
        $null = New-Item -ItemType Directory -Path (Join-Path $script:Out 'folder')
        $errors = $null
        $null = Get-Item (Join-Path $script:Out 'folder') | Invoke-TextToSpeech -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'TtsInputNotText,*'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'makes one document per line with -PerLine' {
        Set-Content -Path lines.txt -Value 'Line one.', 'Line two.'
        $files = @(Get-Content lines.txt | Invoke-TextToSpeech -PerLine)
        $files.Count | Should -Be 2
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 2
    }

    It 'never replaces a file whose name it generated' {
        Set-Content -Path notes.txt -Value 'Same text.'
        $first = Get-Content notes.txt | Invoke-TextToSpeech
        $firstBytes = [System.IO.File]::ReadAllBytes($first.FullName)
        Set-Content -Path notes.txt -Value 'Other text, other audio.'
        $second = Get-Content notes.txt | Invoke-TextToSpeech
        $first.Name | Should -Be 'notes.mp3'
        $second.Name | Should -Match '^notes-[0-9a-f]{8}\.mp3$'
        [System.IO.File]::ReadAllBytes($first.FullName) | Should -Be $firstBytes
    }

    It 'returns the file already there when a rerun makes byte-identical audio, instead of a numbered copy' {
        Set-Content -Path notes.txt -Value 'Same text again.'
        $first = Get-Content notes.txt | Invoke-TextToSpeech
        $second = Get-Content notes.txt | Invoke-TextToSpeech
        $third = 'Same text again.' | Invoke-TextToSpeech
        $fourth = 'Same text again.' | Invoke-TextToSpeech
        $fourth.FullName | Should -Be $third.FullName
        $second.FullName | Should -Be $first.FullName
        @(Get-ChildItem -Filter 'notes*.mp3').Count | Should -Be 1
        @(Get-ChildItem -Filter 'same-text-again*.mp3').Count | Should -Be 1
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 4
    }

    It 'still replaces a user-given -OutFile, and -NoClobber still refuses it, when the audio is the same' {
        $path = Join-Path $script:Out 'same.mp3'
        'Same.' | Invoke-TextToSpeech -OutFile $path | Out-Null
        # Dated an hour back, so "replaced" shows at any timestamp resolution of the file system.
        $before = [DateTime]::UtcNow.AddHours(-1)
        (Get-Item $path).LastWriteTimeUtc = $before
        'Same.' | Invoke-TextToSpeech -OutFile $path | Out-Null
        (Get-Item $path).LastWriteTimeUtc | Should -BeGreaterThan $before
        { 'Same.' | Invoke-TextToSpeech -OutFile $path -NoClobber -ErrorAction Stop } | Should -Throw -ErrorId 'TtsOutputExists,*'
    }

    It 'puts all input into -OutFile and replaces it on the next run' {
        $path = Join-Path $script:Out 'maint.mp3'
        $file = 'One.', 'Two.' | Invoke-TextToSpeech -OutFile $path
        $file.FullName | Should -Be $path
        (Get-EmulatorRequest $script:Emulator | Select-Object -Last 1).Input | Should -Be "One.`n`nTwo."
        $again = 'Three.' | Invoke-TextToSpeech -OutFile $path
        $again.FullName | Should -Be $path
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 1
    }

    It 'keeps an existing -OutFile with -NoClobber and says so' {
        $path = Join-Path $script:Out 'keep.mp3'
        Set-Content -Path $path -Value 'original'
        { 'New' | Invoke-TextToSpeech -OutFile $path -NoClobber -ErrorAction Stop } | Should -Throw -ErrorId 'TtsOutputExists,*'
        Get-Content $path | Should -Be 'original'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'takes the format from <Case>' -TestCases @(
        @{ Case = '-Format'; Arguments = @{ Format = 'flac' }; Expected = 'flac'; Header = 'fLaC' }
        @{ Case = 'the -OutFile extension'; Arguments = @{ OutFile = 'x.opus' }; Expected = 'opus'; Header = 'OggS' }
        @{ Case = 'the -OutFile extension (wav)'; Arguments = @{ OutFile = 'x.wav' }; Expected = 'wav'; Header = 'RIFF' }
    ) {
        param($Case, $Arguments, $Expected, $Header)
        $file = 'Format test' | Invoke-TextToSpeech @Arguments
        $file.Format | Should -Be $Expected
        $file.Extension | Should -Be ".$Expected"
        Get-AudioHeader $file.FullName | Should -Be $Header
        (Get-EmulatorRequest $script:Emulator | Select-Object -Last 1).ResponseFormat | Should -Be $Expected
    }

    It 'takes the format from the configuration, then mp3' {
        Set-TtsConfiguration -Scope Process -Format aac
        try {
            ('Configured' | Invoke-TextToSpeech).Format | Should -Be 'aac'
        }
        finally {
            Set-TtsConfiguration -Scope Process -Format mp3
        }
    }

    It 'writes a wav whose header carries the true sizes' {
        $file = 'A wav file' | Invoke-TextToSpeech -Format wav
        $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
        [BitConverter]::ToUInt32($bytes, 4) | Should -Be ($bytes.Length - 8)
        [BitConverter]::ToUInt32($bytes, 40) | Should -Be ($bytes.Length - 44)
    }

    It 'refuses a format that contradicts the -OutFile extension' {
        { 'x' | Invoke-TextToSpeech -Format wav -OutFile (Join-Path $script:Out 'x.mp3') } | Should -Throw -ErrorId 'TtsFormatConflict,*'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'refuses an unknown format' {
        { 'x' | Invoke-TextToSpeech -Format mp4 } | Should -Throw -ErrorId 'TtsInvalidFormat,*'
    }

    It 'refuses speed <Speed>' -TestCases @(@{ Speed = 0 }, @{ Speed = 5 }, @{ Speed = [double]::NaN }, @{ Speed = 0.2 }, @{ Speed = 0.2499 }, @{ Speed = 4.0001 }) {
        param($Speed)
        $caught = $null
        try { 'x' | Invoke-TextToSpeech -Speed $Speed -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'TtsInvalidSpeed,*'
        $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'accepts speed <Speed>, the ends of the range' -TestCases @(@{ Speed = 0.25 }, @{ Speed = 4.0 }) {
        param($Speed)
        $file = 'x' | Invoke-TextToSpeech -Speed $Speed
        $file.Length | Should -BeGreaterThan 0
        @(Get-EmulatorRequest $script:Emulator)[-1].speed | Should -Be $Speed
    }

    It 'reports empty text and goes on with the next item' {
        $errors = $null
        $files = @('', '   ', 'Real text' | Invoke-TextToSpeech -ErrorVariable errors -ErrorAction SilentlyContinue)
        $files.Count | Should -Be 1
        $errors.Count | Should -Be 2
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'TtsInputEmpty,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'sends nothing with -WhatIf and says what it would write' {
        # What-if lines go to the host, not to a stream: a transcript is how a user's log would see them.
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -Path $transcript
        'Would be spoken' | Invoke-TextToSpeech -WhatIf
        $null = Stop-Transcript
        $output = Get-Content $transcript -Raw
        $output | Should -Match '15 characters'
        $output | Should -Match 'would-be-spoken-[0-9a-f]{8}\.mp3'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }

    It 'sends the key as a Bearer token and never shows it in verbose output' {
        $verbose = 'Secret check' | Invoke-TextToSpeech -Verbose 4>&1 | Out-String
        $verbose | Should -Not -Match ([regex]::Escape($script:Key))
        (Get-EmulatorRequest $script:Emulator | Select-Object -Last 1).Headers.Authorization | Should -Be "Bearer $script:Key"
    }

    It 'creates a missing -OutputDirectory' {
        $dir = Join-Path $script:Out 'new/nested'
        $file = 'Nested' | Invoke-TextToSpeech -OutputDirectory $dir
        $file.DirectoryName | Should -Be (Resolve-Path $dir).ProviderPath
    }

    It 'refuses a missing -OutFile directory' {
        { 'x' | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'missing/x.mp3') -ErrorAction Stop } | Should -Throw -ErrorId 'TtsOutputDirectoryNotFound,*'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'sends non-ASCII text byte-exact' {
        $text = 'Crème brûlée 会议 مرحبا 🚀'
        $null = $text | Invoke-TextToSpeech
        (Get-EmulatorRequest $script:Emulator | Select-Object -Last 1).Input | Should -BeExactly $text
    }
}

Describe 'Invoke-TextToSpeech output files' {
    BeforeAll {
        $script:OnWindows = [Environment]::OSVersion.Platform -eq 'Win32NT'
    }

    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
        Push-Location $script:Out
    }

    AfterEach {
        Pop-Location
    }

    It '-OutFile <Case> naming an existing folder writes a generated name inside it, as -WhatIf says' -TestCases @(
        @{ Case = 'adir'; OutFile = 'adir'; Folder = 'adir' }
        @{ Case = 'with a trailing separator'; OutFile = 'adir/'; Folder = 'adir' }
        @{ Case = '.'; OutFile = '.'; Folder = '.' }
    ) {
        param($Case, $OutFile, $Folder)
        $null = New-Item -ItemType Directory -Path (Join-Path $script:Out 'adir')
        $folderPath = (Resolve-Path (Join-Path $script:Out $Folder)).ProviderPath
        $transcript = Join-Path $TestDrive 'folder-whatif.txt'
        $null = Start-Transcript -Path $transcript
        'Into the folder' | Invoke-TextToSpeech -OutFile $OutFile -WhatIf
        $null = Stop-Transcript
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0

        $file = 'Into the folder' | Invoke-TextToSpeech -OutFile $OutFile -ErrorAction Stop
        $file.DirectoryName | Should -Be $folderPath
        $file.Name | Should -Match '^into-the-folder-[0-9a-f]{8}\.mp3$'
        Get-Content $transcript -Raw | Should -Match ([regex]::Escape($file.FullName))
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 1
        @(Get-ChildItem $script:Out -Recurse -Force -Filter *.partial).Count | Should -Be 0
    }

    It '-OutFile naming a missing folder (a trailing separator) is refused before anything is sent' {
        { 'x' | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'missing/') -ErrorAction Stop } | Should -Throw -ErrorId 'TtsOutputDirectoryNotFound,*'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It '-OutFile with an extension that names no format is refused before anything is sent: <OutFile>' -TestCases @(
        @{ OutFile = 'x.mp4' }, @{ OutFile = 'x.txt' }, @{ OutFile = 'notes.m4a' }
    ) {
        param($OutFile)
        $err = $null
        try { 'x' | Invoke-TextToSpeech -OutFile $OutFile -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TtsInvalidFormat,AitreTts.Commands.InvokeTextToSpeechCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match '-Format'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }

    It '-OutFile with an unknown extension writes what -Format names' {
        $file = 'x' | Invoke-TextToSpeech -OutFile x.mp4 -Format aac
        $file.Name | Should -Be 'x.mp4'
        $file.Format | Should -Be 'aac'
        (Get-EmulatorRequest $script:Emulator)[0].ResponseFormat | Should -Be 'aac'
    }

    It '-OutFile without an extension gets the configured format, with a warning' {
        $warnings = $null
        $file = 'x' | Invoke-TextToSpeech -OutFile announcement -WarningVariable warnings -WarningAction SilentlyContinue
        $file.Name | Should -Be 'announcement'
        $file.Format | Should -Be 'mp3'
        Get-AudioHeader $file.FullName 3 | Should -Be 'ID3'
        ($warnings -join ' ') | Should -Match 'no extension'
    }

    It '-OutFile naming a pipe without an extension is refused without first warning about the extension' {
        if ([Environment]::OSVersion.Platform -ne [PlatformID]::Unix) {
            Set-ItResult -Skipped -Because 'named pipes in the file system exist on Unix only'
            return
        }

        # Like /dev/null, which has no extension either; never the real one, which a regression could replace as root.
        $node = Join-Path $TestDrive ('fifo' + [guid]::NewGuid().ToString('N'))
        & mkfifo $node
        $warnings = $null
        $err = $null
        try { 'x' | Invoke-TextToSpeech -OutFile $node -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TtsInvalidOutputPath,AitreTts.Commands.InvokeTextToSpeechCommand'
        $err.Exception.Message | Should -Match 'is a device or pipe'
        @($warnings) | Should -HaveCount 0
        & test -p $node
        $LASTEXITCODE | Should -Be 0
    }

    It 'replacing a user-named file keeps its mode' {
        if ($script:OnWindows) {
            Set-ItResult -Skipped -Because 'Unix file modes do not exist on Windows'
            return
        }

        $path = Join-Path $script:Out 'private.mp3'
        Set-Content -Path $path -Value 'old'
        chmod 600 $path
        $null = 'Private announcement' | Invoke-TextToSpeech -OutFile $path
        Get-AudioHeader $path 3 | Should -Be 'ID3'
        [System.IO.File]::GetUnixFileMode($path) | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
    }

    It 'replacing through a symbolic link writes its target and keeps the link' {
        if ($PSVersionTable.PSEdition -eq 'Desktop') {
            Set-ItResult -Skipped -Because 'Windows PowerShell 5.1 runs on .NET Framework, which has no File.ResolveLinkTarget (.NET 6+): there the module cannot find the link''s target and replaces the link itself'
            return
        }

        $real = Join-Path $script:Out 'real.mp3'
        Set-Content -Path $real -Value 'old'
        $link = Join-Path $script:Out 'link.mp3'
        try {
            $null = New-Item -ItemType SymbolicLink -Path $link -Target $real -ErrorAction Stop
        }
        catch {
            Set-ItResult -Skipped -Because "this system does not let this user create symbolic links: $($_.Exception.Message)"
            return
        }

        $file = 'Through the link' | Invoke-TextToSpeech -OutFile $link
        $file.FullName | Should -Be $link
        (Get-Item $link).LinkType | Should -Be 'SymbolicLink'
        Get-AudioHeader $real 3 | Should -Be 'ID3'
        @(Get-ChildItem $script:Out -Force).Name | Sort-Object | Should -Be @('link.mp3', 'real.mp3')
    }

    It '-Force replaces a read-only -OutFile, which stays read-only; without it nothing is sent' {
        $path = Join-Path $script:Out 'locked.mp3'
        Set-Content -Path $path -Value 'old'
        Set-ItemProperty -Path $path -Name IsReadOnly -Value $true
        try {
            $err = $null
            try { 'Locked' | Invoke-TextToSpeech -OutFile $path -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'TtsOutputNotWritable,AitreTts.Commands.InvokeTextToSpeechCommand'
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0

            $file = 'Locked' | Invoke-TextToSpeech -OutFile $path -Force
            $file.FullName | Should -Be $path
            Get-AudioHeader $path 3 | Should -Be 'ID3'
            (Get-Item $path).IsReadOnly | Should -BeTrue
        }
        finally {
            Set-ItemProperty -Path $path -Name IsReadOnly -Value $false
        }
    }

    It 'removes the temporary files of a run that died, and keeps a live one' {
        $sha = [System.Security.Cryptography.SHA256]::Create()
        $digest = $sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes([Environment]::MachineName.ToUpperInvariant()))
        $machine = -join ($digest[0..2] | ForEach-Object { $_.ToString('x2') })
        $start = (Get-Process -Id $PID).StartTime.ToUniversalTime().Ticks
        $deadPid = 999999
        while (Get-Process -Id $deadPid -ErrorAction SilentlyContinue) { $deadPid++ }
        $dead = Join-Path $script:Out ".notes.$deadPid-$start-$machine.0badc0de.partial"
        $live = Join-Path $script:Out ".notes.$PID-$start-$machine.0badc0de.partial"
        Set-Content -Path $dead, $live -Value 'half an announcement'

        $verbose = 'Next run' | Invoke-TextToSpeech -Verbose 4>&1 | Out-String
        Test-Path $dead | Should -BeFalse
        Test-Path $live | Should -BeTrue
        $verbose | Should -Match 'Removed 1 temporary file'
    }

    It '-PerLine skips blank lines instead of failing on each' {
        Set-Content -Path lines.txt -Value 'Line one.', '', '   ', 'Line two.', ''
        $errors = $null
        $files = @(Get-Content lines.txt | Invoke-TextToSpeech -PerLine -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors.Count | Should -Be 0
        $files.Count | Should -Be 2
        @(Get-EmulatorRequest $script:Emulator).Input | Sort-Object | Should -Be @('Line one.', 'Line two.')
    }

    It '-PerLine splits <Case> into lines too' -TestCases @(
        @{ Case = 'a multi-line string'; Command = { "Line one.`r`n`r`nLine two.`n" | Invoke-TextToSpeech -PerLine -ErrorAction Stop } }
        @{ Case = 'Get-Content -Raw'; Command = { Get-Content -Raw lines.txt | Invoke-TextToSpeech -PerLine -ErrorAction Stop } }
        @{ Case = 'a piped file'; Command = { Get-Item lines.txt | Invoke-TextToSpeech -PerLine -ErrorAction Stop } }
    ) {
        param($Case, $Command)
        Set-Content -Path lines.txt -Value 'Line one.', '', 'Line two.'
        $files = @(& $Command)
        $files.Count | Should -Be 2
        @(Get-EmulatorRequest $script:Emulator).Input | Sort-Object | Should -Be @('Line one.', 'Line two.')
    }

    It '-WrapPcmAsWav -SampleRate writes a wav with that rate from pcm' {
        $file = 'Wrapped pcm' | Invoke-TextToSpeech -Format pcm -WrapPcmAsWav -SampleRate 22050
        $file.Extension | Should -Be '.wav'
        $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
        Get-AudioHeader $file.FullName | Should -Be 'RIFF'
        [BitConverter]::ToUInt32($bytes, 24) | Should -Be 22050
        [BitConverter]::ToUInt32($bytes, 40) | Should -Be ($bytes.Length - 44)
        (Get-EmulatorRequest $script:Emulator)[0].ResponseFormat | Should -Be 'pcm'
    }

    It '-MaximumDocumentLength refuses a longer document before sending it, and takes one at the limit' {
        $errors = $null
        $files = @(('a' * 11), ('b' * 10) | Invoke-TextToSpeech -MaximumDocumentLength 10 -ErrorVariable errors -ErrorAction SilentlyContinue)
        $files.Count | Should -Be 1
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'TtsInputTooLong,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        @(Get-EmulatorRequest $script:Emulator).Input | Should -Be @('b' * 10)
    }
}

Describe 'Invoke-TextToSpeech reading piped files' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
        Push-Location $script:Out
        # Cafe "deja vu" - 5 euros, with e-acute, curly quotes, an en dash and the euro sign: ASCII source, real text.
        $script:AnsiText = "Caf$([char]0xE9) $([char]0x201C)d$([char]0xE9)j$([char]0xE0) vu$([char]0x201D) $([char]0x2013) 5 $([char]0x20AC)"
        $script:AnsiBytes = [byte[]](0x43, 0x61, 0x66, 0xE9, 0x20, 0x93, 0x64, 0xE9, 0x6A, 0xE0, 0x20, 0x76, 0x75, 0x94, 0x20, 0x96, 0x20, 0x35, 0x20, 0x80)
    }

    AfterEach {
        Pop-Location
    }

    It 'reads a file Windows PowerShell 5.1 wrote in ANSI (1252) as ANSI, and says so in Verbose' {
        [System.IO.File]::WriteAllBytes((Join-Path $script:Out 'ansi.txt'), $script:AnsiBytes)
        $verbose = Get-Item (Join-Path $script:Out 'ansi.txt') | Invoke-TextToSpeech -Verbose 4>&1 | Out-String
        (Get-EmulatorRequest $script:Emulator)[0].Input | Should -BeExactly $script:AnsiText
        $verbose | Should -Match 'windows-1252 \(not valid UTF-8'
    }

    It '-Encoding <Encoding> forces how a piped file is read' -TestCases @(
        @{ Encoding = 'utf8'; Expected = "Caf$([char]0xE9)" }
        @{ Encoding = 'latin1'; Expected = "Caf$([char]0xC3)$([char]0xA9)" }
        @{ Encoding = '1252'; Expected = "Caf$([char]0xC3)$([char]0xA9)" }
    ) {
        param($Encoding, $Expected)
        # UTF-8 bytes read as a single-byte code page give a character per byte; read as utf8, one per letter.
        [System.IO.File]::WriteAllText((Join-Path $script:Out 'cafe.txt'), "Caf$([char]0xE9)", [System.Text.UTF8Encoding]::new($false))
        $null = Get-Item (Join-Path $script:Out 'cafe.txt') | Invoke-TextToSpeech -Encoding $Encoding
        (Get-EmulatorRequest $script:Emulator)[0].Input | Should -BeExactly $Expected
    }

    It '-Encoding takes an Encoding object, and refuses a name that means nothing' {
        [System.IO.File]::WriteAllBytes((Join-Path $script:Out 'ansi.txt'), $script:AnsiBytes)
        $null = Get-Item (Join-Path $script:Out 'ansi.txt') | Invoke-TextToSpeech -Encoding ([System.Text.Encoding]::GetEncoding(1252))
        (Get-EmulatorRequest $script:Emulator)[0].Input | Should -BeExactly $script:AnsiText
        { Get-Item (Join-Path $script:Out 'ansi.txt') | Invoke-TextToSpeech -Encoding klingon } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,*'
    }

    It 'reads a UTF-16 file with a byte order mark: <Name>' -TestCases @(
        @{ Name = 'little-endian'; Encoding = [System.Text.UnicodeEncoding]::new($false, $true) }
        @{ Name = 'big-endian'; Encoding = [System.Text.UnicodeEncoding]::new($true, $true) }
    ) {
        param($Name, $Encoding)
        [System.IO.File]::WriteAllText((Join-Path $script:Out 'wide.txt'), $script:AnsiText, $Encoding)
        $file = Get-Item (Join-Path $script:Out 'wide.txt') | Invoke-TextToSpeech
        $file.Name | Should -Be 'wide.mp3'
        (Get-EmulatorRequest $script:Emulator)[0].Input | Should -BeExactly $script:AnsiText
    }
}
