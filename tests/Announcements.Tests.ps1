BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Emulator = Start-TtsEmulator
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = Join-Path $TestDrive 'config'
    Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey 'tk-pester-0123456789abcdef'

    function Get-CueText {
        # The text of each cue of an SRT file, its wrapped lines joined by a space.
        param([string] $Path)
        $blocks = ([System.IO.File]::ReadAllText($Path) -replace "`r", '') -split "`n`n" | Where-Object { $_.Trim() }
        foreach ($block in $blocks) {
            (($block -split "`n" | Select-Object -Skip 2) -join ' ').Trim()
        }
    }

    function Get-SpokenInput {
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' }) | ForEach-Object { $_.input }
    }
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
    Remove-Item Env:AITRE_CACHE_SIZE_LIMIT_MB, Env:XDG_CACHE_HOME -ErrorAction SilentlyContinue
}

Describe 'Pronunciation: -Pronunciation and the stored PronunciationFile' {
    BeforeEach {
        Use-IsolatedChunkCache | Out-Null
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
    }

    It 'sends the respelling, whole-word and case-sensitive, while the subtitles show the written text' {
        $file = Invoke-TextToSpeech 'SQL backs up at nine. The sql folder and SQLite stay as written.' -Pronunciation @{ SQL = 'sequel' } -Subtitles Srt -OutputDirectory $script:Out

        Get-SpokenInput | Should -Be @('sequel backs up at nine.', 'The sql folder and SQLite stay as written.')
        Get-CueText $file.SubtitlePath | Should -Be @('SQL backs up at nine.', 'The sql folder and SQLite stay as written.')
    }

    It 'reads the profile''s PronunciationFile (tab-separated UTF-8), with -Pronunciation over it' {
        $lexicon = Join-Path $script:Out 'names.tsv'
        [System.IO.File]::WriteAllText($lexicon, "# how we say our names`nKubernetes`tkoo-ber-net-eez`nNguyen`tnwin`n", (New-Object System.Text.UTF8Encoding $false))
        Set-TtsConfiguration -Profile names -BaseUrl $script:Emulator.BaseUrl -ApiKey 'tk-pester-0123456789abcdef' -PronunciationFile $lexicon
        (Get-TtsConfiguration -Profile names).PronunciationFile | Should -Be $lexicon

        $null = Invoke-TextToSpeech 'Nguyen runs Kubernetes.' -Profile names -Pronunciation @{ Nguyen = 'win' } -OutFile (Join-Path $script:Out 'a.mp3')

        Get-SpokenInput | Should -Be 'win runs koo-ber-net-eez.'
    }

    It 'refuses a PronunciationFile line without a tab as TtsInvalidPronunciation, storing and sending nothing' {
        $lexicon = Join-Path $script:Out 'bad.tsv'
        [System.IO.File]::WriteAllText($lexicon, "SQL = sequel`n")

        { Set-TtsConfiguration -Profile badlexicon -Voice echo -PronunciationFile $lexicon -ErrorAction Stop } |
            Should -Throw -ErrorId 'TtsInvalidPronunciation,*'
        { Get-TtsConfiguration -Profile badlexicon -ErrorAction Stop } | Should -Throw -ErrorId 'TtsProfileNotFound,*'

        { Invoke-TextToSpeech 'SQL' -Pronunciation @{ SQL = '' } -OutputDirectory $script:Out -ErrorAction Stop } |
            Should -Throw -ErrorId 'TtsInvalidPronunciation,*'
        @(Get-SpokenInput) | Should -HaveCount 0
        @(Get-ChildItem -LiteralPath $script:Out -Filter *.mp3) | Should -HaveCount 0
    }

    It 'caches what is sent: a rerun is served from the cache, a changed respelling is not' {
        Use-IsolatedChunkCache -Enabled | Out-Null
        $first = Invoke-TextToSpeech 'Restart SQL now.' -Pronunciation @{ SQL = 'sequel' } -OutFile (Join-Path $script:Out 'one.mp3')
        $again = Invoke-TextToSpeech 'Restart SQL now.' -Pronunciation @{ SQL = 'sequel' } -OutFile (Join-Path $script:Out 'two.mp3')
        $other = Invoke-TextToSpeech 'Restart SQL now.' -Pronunciation @{ SQL = 'S Q L' } -OutFile (Join-Path $script:Out 'three.mp3')

        Get-SpokenInput | Should -Be @('Restart sequel now.', 'Restart S Q L now.')
        $again.CachedChunks | Should -Be 1
        $other.CachedChunks | Should -Be 0
        [System.IO.File]::ReadAllBytes($again.FullName) | Should -Be ([System.IO.File]::ReadAllBytes($first.FullName))
    }

    It '-WhatIf counts the respelled text''s requests' {
        $text = (@('SQL') * 1500) -join ' '
        # What -WhatIf says goes to the host, which only a transcript records.
        $transcript = Join-Path $script:Out 'whatif.txt'
        $null = Start-Transcript -Path $transcript
        Invoke-TextToSpeech $text -Pronunciation @{ SQL = 'sequel' } -OutputDirectory $script:Out -WhatIf
        $null = Stop-Transcript
        $output = Get-Content $transcript -Raw

        $output | Should -Match '\(3 requests\)' -Because '5,999 characters written are 10,499 sent'
        @(Get-SpokenInput) | Should -HaveCount 0
    }
}

Describe 'Input objects with their own voice' {
    BeforeEach {
        Use-IsolatedChunkCache | Out-Null
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
    }

    It 'joins a CSV of three rows in two voices into one file, its requests in those voices in order, one cue a sentence; a rerun comes from the cache' {
        Use-IsolatedChunkCache -Enabled | Out-Null
        $csv = Join-Path $script:Out 'announcement.csv'
        Set-Content -LiteralPath $csv -Encoding ascii -Value @(
            'Voice,Text'
            'onyx,Attention please.'
            'nova,The lobby closes at nine. Please take your belongings.'
            'onyx,Thank you.'
        )
        $target = Join-Path $script:Out 'announce.mp3'

        $file = Import-Csv -LiteralPath $csv | Invoke-TextToSpeech -OutFile $target -Subtitles Srt -ThrottleLimit 1

        $sent = @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' })
        @($sent | ForEach-Object { $_.input }) | Should -Be @('Attention please.', 'The lobby closes at nine.', 'Please take your belongings.', 'Thank you.')
        @($sent | ForEach-Object { $_.voice }) | Should -Be @('onyx', 'nova', 'nova', 'onyx')
        @(Get-ChildItem -LiteralPath $script:Out -Filter *.mp3) | Should -HaveCount 1
        $file.FullName | Should -Be $target
        $file.Voice | Should -Be @('onyx', 'nova')
        $file.Chunks | Should -Be 4
        Get-CueText $file.SubtitlePath | Should -Be @('Attention please.', 'The lobby closes at nine.', 'Please take your belongings.', 'Thank you.')

        Clear-EmulatorState $script:Emulator
        $again = Import-Csv -LiteralPath $csv | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'again.mp3') -Subtitles Srt
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' }) | Should -HaveCount 0
        $again.FromCache | Should -BeTrue
        $again.CachedChunks | Should -Be 4
        [System.IO.File]::ReadAllBytes($again.FullName) | Should -Be ([System.IO.File]::ReadAllBytes($file.FullName))
    }

    It 'binds Voice, Speed, Instructions and Model by property name, Line and Content as the text; a blank cell keeps the default' {
        $rows = @(
            [pscustomobject]@{ Line = 'First.'; Voice = 'echo'; Speed = '1.5'; Model = 'gpt-4o-mini-tts'; Instructions = 'Calm.' }
            [pscustomobject]@{ Content = 'Second.'; Voice = ''; Speed = ''; Instructions = '' }
        )

        $files = $rows | Invoke-TextToSpeech -Voice sage -OutputDirectory $script:Out -ThrottleLimit 1

        $sent = @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' })
        $sent | Should -HaveCount 2
        $first = $sent | Where-Object input -eq 'First.'
        $second = $sent | Where-Object input -eq 'Second.'
        # -Voice on the command line binds before the pipeline does, so it applies to every row, as in any cmdlet.
        $first.voice, $first.speed, $first.model, $first.instructions | Should -Be @('sage', 1.5, 'gpt-4o-mini-tts', 'Calm.')
        $second.voice, $second.speed, $second.instructions | Should -Be @('sage', 1, $null)
        $second.model | Should -Not -Be 'gpt-4o-mini-tts'
        $files | Should -HaveCount 2
    }

    It 'without -OutFile writes each object as its own document in its own voice' {
        $files = @(
            [pscustomobject]@{ Text = 'In onyx.'; Voice = 'onyx' }
            [pscustomobject]@{ Text = 'In the default voice.' }
        ) | Invoke-TextToSpeech -OutputDirectory $script:Out

        $files | Should -HaveCount 2
        $files[0].Voice | Should -Be 'onyx'
        $files[1].Voice | Should -Be 'alloy'
        $sent = @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' })
        ($sent | Where-Object input -eq 'In onyx.').voice | Should -Be 'onyx'
        ($sent | Where-Object input -eq 'In the default voice.').voice | Should -Be 'alloy'
    }

    It 'refuses a row whose Speed is out of range as TtsInvalidSpeed before anything is sent' {
        { [pscustomobject]@{ Text = 'Too fast.'; Speed = 9 } | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'fast.mp3') -ErrorAction Stop } |
            Should -Throw -ErrorId 'TtsInvalidSpeed,*'
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' }) | Should -HaveCount 0
        Test-Path -LiteralPath (Join-Path $script:Out 'fast.mp3') | Should -BeFalse
    }

    It '-WhatIf counts the segments'' requests and prices each at its own model' {
        $transcript = Join-Path $script:Out 'whatif.txt'
        $null = Start-Transcript -Path $transcript
        @(
            [pscustomobject]@{ Text = 'x' * 1000; Model = 'tts-1' }
            [pscustomobject]@{ Text = 'y' * 1000; Model = 'tts-1-hd' }
        ) | Invoke-TextToSpeech -BaseUrl 'https://api.openai.com' -OutFile (Join-Path $script:Out 'priced.mp3') -WhatIf
        $null = Stop-Transcript
        $output = Get-Content $transcript -Raw

        # 1,000 characters at $15 and 1,000 at $30 per million.
        $output | Should -Match '\(2 requests\)'
        $output | Should -Match "models 'tts-1', 'tts-1-hd'"
        $output | Should -Match 'estimated cost \$0\.0450'
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' }) | Should -HaveCount 0
    }
}

Describe 'SSML: pauses, voices, respellings and speed where they are written' {
    BeforeAll {
        $script:SecondsPerCharacter = (Invoke-RestMethod -Uri "$($script:Emulator.BaseUrl)/_emulator/options").secondsPerCharacter
        $script:Ffmpeg = Get-Command ffmpeg -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1

        function Get-DecodedSample {
            # The file as ffmpeg decodes it: 16-bit mono samples at 24 kHz, read independently of the module.
            param([string] $Path)
            $raw = "$Path.decoded.raw"
            & $script:Ffmpeg.Source -v error -y -i $Path -f s16le -ac 1 -ar 24000 $raw
            $LASTEXITCODE | Should -Be 0
            $bytes = [System.IO.File]::ReadAllBytes($raw)
            $samples = New-Object 'int16[]' ($bytes.Length / 2)
            [System.Buffer]::BlockCopy($bytes, 0, $samples, 0, $bytes.Length)
            , $samples
        }

        function Get-LongestSilence {
            # Seconds of the longest run of samples at zero.
            param([int16[]] $Samples)
            $longest = 0; $run = 0
            foreach ($sample in $Samples) {
                if ($sample -eq 0) { $run++; if ($run -gt $longest) { $longest = $run } } else { $run = 0 }
            }
            $longest / 24000.0
        }
    }

    BeforeEach {
        Use-IsolatedChunkCache | Out-Null
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
    }

    It 'renders a break of 1500ms as 1.5 s of silence, within one frame, measured by decoding' {
        if (-not $script:Ffmpeg) {
            Set-ItResult -Skipped -Because 'ffmpeg is not installed, so the decoded audio cannot be measured'
            return
        }

        $first = 'Doors close soon.'
        $second = 'Please stand clear.'
        $file = Invoke-TextToSpeech "<speak>$first<break time=`"1500ms`"/>$second</speak>" -Format wav -OutFile (Join-Path $script:Out 'break.wav')

        Get-SpokenInput | Should -Be @($first, $second)
        $samples = Get-DecodedSample $file.FullName
        $expected = [Math]::Max(0.5, $first.Length * $script:SecondsPerCharacter) + 1.5 + [Math]::Max(0.5, $second.Length * $script:SecondsPerCharacter)
        # One frame of 20 ms (a wav file has no frames of its own; this is the coarsest codec frame, opus's).
        [Math]::Abs($samples.Length / 24000.0 - $expected) | Should -BeLessOrEqual 0.02
        # The emulator's words end in short gaps of their own, which run into the break: at least the break is silent.
        Get-LongestSilence $samples | Should -BeGreaterOrEqual (1.5 - 0.02)
    }

    It 'sends sub aliases, voice and prosody rate segments and decoded entities, while the subtitles show the written text' {
        $ssml = @'
<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">
  <p><voice name="onyx">Attention &amp; welcome.</voice></p>
  <p>Restart <sub alias="sequel">SQL</sub> at nine. <s><prosody rate="150%">Quickly now.</prosody></s></p>
</speak>
'@
        $file = Invoke-TextToSpeech $ssml -Subtitles Srt -OutFile (Join-Path $script:Out 'ssml.mp3') -ThrottleLimit 1

        $sent = @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' })
        @($sent | ForEach-Object { $_.input }) | Should -Be @('Attention & welcome.', 'Restart sequel at nine.', 'Quickly now.')
        @($sent | ForEach-Object { $_.voice }) | Should -Be @('onyx', 'alloy', 'alloy')
        @($sent | ForEach-Object { $_.speed }) | Should -Be @(1, 1, 1.5)
        Get-CueText $file.SubtitlePath | Should -Be @('Attention & welcome.', 'Restart SQL at nine.', 'Quickly now.')
        $file.Voice | Should -Be @('onyx', 'alloy')
    }

    It 'refuses <Case> as TtsInvalidSsml naming line and column, and sends nothing' -TestCases @(
        @{ Case = 'an unsupported element'; Ssml = "<speak>`nHello <emphasis>there</emphasis>.</speak>"; Where = 'line 2, column 7'; Says = 'emphasis' }
        @{ Case = 'markup that is not well formed'; Ssml = "<speak>Hello <break time=`"1s`">there</speak>"; Where = 'line 1, column'; Says = 'not well formed' }
        @{ Case = 'a break that is no time'; Ssml = "<speak>Hello <break time=`"soon`"/> there</speak>"; Where = 'line 1, column 14'; Says = 'break' }
    ) {
        param($Case, $Ssml, $Where, $Says)
        $target = Join-Path $script:Out 'invalid.mp3'
        $errors = $null
        $null = Invoke-TextToSpeech $Ssml -OutFile $target -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors | Should -HaveCount 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'TtsInvalidSsml,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].Exception.Message | Should -Match ([regex]::Escape($Where))
        $errors[0].Exception.Message | Should -Match $Says
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' }) | Should -HaveCount 0
        Test-Path -LiteralPath $target | Should -BeFalse
    }
}
