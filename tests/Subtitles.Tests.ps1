BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Emulator = Start-TtsEmulator
    $script:Key = 'tk-pester-0123456789abcdef'
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = Join-Path $TestDrive 'config'
    Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
    $script:SecondsPerCharacter = (Invoke-RestMethod -Uri "$($script:Emulator.BaseUrl)/_emulator/options").secondsPerCharacter
    $script:Ffmpeg = Get-Command ffmpeg -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1

    $script:Long = 'Badges must be worn at all times, including in the parking garage, the cafeteria, the gym and every meeting room on all floors.'
    $script:First = @('The lobby opens at nine.', 'Visitors sign in at the front desk.', $script:Long)
    $script:Second = @('Fire drills happen on Tuesdays.', 'Thank you.')
    $script:Text = ($script:First -join ' ') + "`n`n" + ($script:Second -join ' ')

    function ConvertFrom-SubtitleFile {
        # Cues of an SRT or VTT file: start and end in seconds, and the text with its wrapped lines joined by a space.
        param([string] $Path)
        $cues = New-Object System.Collections.Generic.List[object]
        $current = $null
        foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
            if ($line -match '^(\d\d):(\d\d):(\d\d)[,.](\d\d\d) --> (\d\d):(\d\d):(\d\d)[,.](\d\d\d)$') {
                $start = [int]$Matches[1] * 3600 + [int]$Matches[2] * 60 + [int]$Matches[3] + [int]$Matches[4] / 1000.0
                $end = [int]$Matches[5] * 3600 + [int]$Matches[6] * 60 + [int]$Matches[7] + [int]$Matches[8] / 1000.0
                $current = [pscustomobject]@{ Start = $start; End = $end; Lines = New-Object System.Collections.Generic.List[string] }
                $cues.Add($current)
            }
            elseif ($line.Length -eq 0) {
                $current = $null
            }
            elseif ($current) {
                $current.Lines.Add($line)
            }
        }

        foreach ($cue in $cues) {
            [pscustomobject]@{ Start = $cue.Start; End = $cue.End; Text = $cue.Lines -join ' ' }
        }
    }

    function Get-DecodedSeconds {
        # The playing length as ffmpeg decodes it (what a player shows), from the number of samples it produces.
        param([string] $Path, [string] $Format)
        $raw = "$Path.decoded.raw"
        if ($Format -eq 'pcm') {
            & $script:Ffmpeg.Source -v error -y -f s16le -ar 24000 -ac 1 -i $Path -f s16le -ac 1 -ar 48000 $raw
        }
        else {
            & $script:Ffmpeg.Source -v error -y -i $Path -f s16le -ac 1 -ar 48000 $raw
        }

        $LASTEXITCODE | Should -Be 0
        (Get-Item $raw).Length / 2 / 48000.0
    }

    function Assert-CueText {
        param($Cues, [string[]] $Sentences)
        foreach ($cue in $Cues) {
            $cue.Text.Length | Should -BeLessOrEqual 84
        }

        # Joined with single spaces the cues are the text: every cut is at a space, never inside a word.
        ($Cues.Text -join ' ') | Should -BeExactly ($Sentences -join ' ')
        $short = $Sentences | Where-Object { $_.Length -le 84 }
        foreach ($sentence in $short) {
            $Cues.Text | Should -Contain $sentence
        }

        $Cues.Count | Should -Be ($short.Count + 2) -Because 'the one long sentence becomes two cues'
    }

    function Assert-Monotonic {
        param($Cues)
        $previousEnd = 0.0
        foreach ($cue in $Cues) {
            $cue.Start | Should -BeGreaterOrEqual $previousEnd
            $cue.End | Should -BeGreaterThan $cue.Start
            $previousEnd = $cue.End
        }
    }

    function Assert-FfmpegReadsSubtitles {
        param([string] $Path, [int] $Count)
        $converted = & $script:Ffmpeg.Source -v error -i $Path -f srt - 2>&1
        $LASTEXITCODE | Should -Be 0
        @($converted | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 0
        @($converted | Where-Object { "$_" -match ' --> ' }) | Should -HaveCount $Count
    }

    $script:Formats = 'mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
    Remove-Item Env:AITRE_PROVIDER -ErrorAction SilentlyContinue
}

Describe 'Invoke-TextToSpeech -Subtitles against the emulator' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
    }

    It 'writes <Subtitles> cues for <Format> that follow the sentences and the audio of each' -TestCases @(
        @{ Format = 'mp3'; Subtitles = 'Srt' }, @{ Format = 'opus'; Subtitles = 'Vtt' }, @{ Format = 'aac'; Subtitles = 'Srt' },
        @{ Format = 'flac'; Subtitles = 'Vtt' }, @{ Format = 'wav'; Subtitles = 'Srt' }, @{ Format = 'pcm'; Subtitles = 'Vtt' }
    ) {
        param($Format, $Subtitles)
        $file = Invoke-TextToSpeech $script:Text -Format $Format -Subtitles $Subtitles -OutputDirectory $script:Out
        $extension = '.' + $Subtitles.ToLowerInvariant()
        $file.SubtitlePath | Should -Be ([System.IO.Path]::ChangeExtension($file.FullName, $extension))
        Test-Path -LiteralPath $file.SubtitlePath | Should -BeTrue
        @(Get-ChildItem -LiteralPath $script:Out -Force | Where-Object Name -like '.*') | Should -HaveCount 0 -Because 'no temporary file is left'

        $cues = @(ConvertFrom-SubtitleFile $file.SubtitlePath)
        Assert-CueText $cues ($script:First + $script:Second)
        Assert-Monotonic $cues
        $requests = @(Get-EmulatorRequest $script:Emulator)
        $requests | Should -HaveCount $cues.Count -Because 'each cue is its own request'
        ($requests.Input | Sort-Object) | Should -Be ($cues.Text | Sort-Object)

        # One audio frame (at most 1152 samples at 24 kHz) plus 20 ms.
        foreach ($cue in $cues) {
            $expected = [Math]::Max(0.5, $cue.Text.Length * $script:SecondsPerCharacter)
            ($cue.End - $cue.Start) | Should -BeGreaterOrEqual ($expected - 0.068) -Because "'$($cue.Text)' lasts $expected s"
            ($cue.End - $cue.Start) | Should -BeLessOrEqual ($expected + 0.068) -Because "'$($cue.Text)' lasts $expected s"
        }

        if (-not $script:Ffmpeg) {
            Set-ItResult -Skipped -Because 'ffmpeg is not installed, so the decoded length cannot be measured'
            return
        }

        $decoded = Get-DecodedSeconds $file.FullName $Format
        [Math]::Abs($cues[-1].End - $decoded) | Should -BeLessOrEqual 0.1
        Assert-FfmpegReadsSubtitles $file.SubtitlePath $cues.Count
    }

    It 'lengthens <Format> by the pause between paragraphs and shifts the cues after it' -TestCases @(
        @{ Format = 'mp3' }, @{ Format = 'opus' }, @{ Format = 'aac' }, @{ Format = 'flac' }, @{ Format = 'wav' }, @{ Format = 'pcm' }
    ) {
        param($Format)
        if (-not $script:Ffmpeg) {
            Set-ItResult -Skipped -Because 'ffmpeg is not installed, so the decoded length cannot be measured'
            return
        }

        $text = "One short paragraph.`n`nA second one.`n`nAnd a third, to end."
        $plain = Invoke-TextToSpeech $text -Format $Format -Subtitles Srt -OutFile (Join-Path $script:Out "plain.$Format")
        $paused = Invoke-TextToSpeech $text -Format $Format -Subtitles Srt -ParagraphPauseMs 700 -OutFile (Join-Path $script:Out "paused.$Format")
        $difference = (Get-DecodedSeconds $paused.FullName $Format) - (Get-DecodedSeconds $plain.FullName $Format)
        $difference | Should -BeGreaterOrEqual (2 * 0.7 - 0.05)
        $difference | Should -BeLessOrEqual (2 * 0.7 + 0.05)

        $before = @(ConvertFrom-SubtitleFile $plain.SubtitlePath)
        $after = @(ConvertFrom-SubtitleFile $paused.SubtitlePath)
        $after | Should -HaveCount 3
        [Math]::Abs($after[0].Start - $before[0].Start) | Should -BeLessOrEqual 0.05
        [Math]::Abs(($after[1].Start - $before[1].Start) - 0.7) | Should -BeLessOrEqual 0.05
        [Math]::Abs(($after[2].Start - $before[2].Start) - 1.4) | Should -BeLessOrEqual 0.05
        [Math]::Abs(($after[2].End - $after[2].Start) - ($before[2].End - $before[2].Start)) | Should -BeLessOrEqual 0.05
    }

    It 'puts silence between paragraphs without subtitles too, and writes no sidecar' {
        if (-not $script:Ffmpeg) {
            Set-ItResult -Skipped -Because 'ffmpeg is not installed, so the decoded length cannot be measured'
            return
        }

        $paragraphs = 'One short paragraph. With two sentences.', 'A second one.'
        $text = $paragraphs -join "`n`n"
        $paused = Invoke-TextToSpeech $text -Format wav -ParagraphPauseMs 1000 -OutFile (Join-Path $script:Out 'paused.wav')
        @(Get-EmulatorRequest $script:Emulator) | Should -HaveCount 2 -Because 'each paragraph is chunked on its own'
        $paused.PSObject.Properties['SubtitlePath'] | Should -BeNullOrEmpty
        @(Get-ChildItem -LiteralPath $script:Out -Filter *.srt) | Should -HaveCount 0
        $expected = 1.0
        foreach ($paragraph in $paragraphs) {
            $expected += [Math]::Max(0.5, $paragraph.Length * $script:SecondsPerCharacter)
        }

        [Math]::Abs((Get-DecodedSeconds $paused.FullName 'wav') - $expected) | Should -BeLessOrEqual 0.05
    }

    It 'runs the cue requests up to -ThrottleLimit at once' {
        Set-EmulatorOption $script:Emulator @{ latencyMs = 400 }
        try {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $null = Invoke-TextToSpeech $script:Text -Subtitles Srt -ThrottleLimit 6 -OutputDirectory $script:Out
            $watch.Stop()
        }
        finally {
            Set-EmulatorOption $script:Emulator @{ latencyMs = 0 }
        }

        # Six cues at 400 ms each: 2.4 s one after another.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 1.6
    }

    It 'replaces an existing sidecar with -OutFile and leaves none half-written when a request fails' {
        $target = Join-Path $script:Out 'notice.mp3'
        Set-Content -LiteralPath (Join-Path $script:Out 'notice.srt') -Value 'old'
        $file = Invoke-TextToSpeech 'First sentence. Second sentence.' -OutFile $target -Subtitles Srt
        $file.SubtitlePath | Should -Be (Join-Path $script:Out 'notice.srt')
        @(ConvertFrom-SubtitleFile $file.SubtitlePath) | Should -HaveCount 2
        $before = Get-Content -LiteralPath $file.SubtitlePath -Raw

        Add-EmulatorFault $script:Emulator @{ InputContains = 'That fails'; StatusCode = 500; Times = 0 }
        Invoke-TextToSpeech 'Another text. That fails.' -OutFile $target -Subtitles Srt -MaximumRetryCount 0 -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure | Should -Not -BeNullOrEmpty
        Get-Content -LiteralPath $file.SubtitlePath -Raw | Should -BeExactly $before
        @(Get-ChildItem -LiteralPath $script:Out -Force | Where-Object Name -like '.*') | Should -HaveCount 0
    }

    It 'says under -WhatIf where the sidecar goes and how many requests it takes' {
        $target = Join-Path $script:Out 'notice.mp3'
        # What-if lines go to the host, not to a stream: a transcript is how a user's log would see them.
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -Path $transcript
        Invoke-TextToSpeech $script:Text -OutFile $target -Subtitles Vtt -ParagraphPauseMs 500 -WhatIf
        $null = Stop-Transcript
        $output = Get-Content $transcript -Raw
        $output | Should -Match '\(6 requests\)'
        $output | Should -Match '; 6 requests to send;' -Because 'the cost counts the requests the line names'
        $output | Should -Match 'VTT subtitles'
        $output | Should -Match 'notice\.vtt'
        $output | Should -Match '500 ms'
        Test-Path -LiteralPath $target | Should -BeFalse
        @(Get-EmulatorRequest $script:Emulator) | Should -HaveCount 0

        $null = Invoke-TextToSpeech $script:Text -OutFile $target -Subtitles Vtt -ParagraphPauseMs 500
        @(Get-EmulatorRequest $script:Emulator) | Should -HaveCount 6 -Because 'the run sends what -WhatIf counted'
    }

    It 'counts, under -WhatIf, the requests a <Case> document sends' -TestCases @(
        @{ Case = 'plain'; Arguments = @{} }
        @{ Case = 'subtitled'; Arguments = @{ Subtitles = 'Srt' } }
        @{ Case = 'paused'; Arguments = @{ ParagraphPauseMs = 300 } }
    ) {
        param($Case, $Arguments)
        $target = Join-Path $script:Out 'counted.mp3'
        $transcript = Join-Path $TestDrive "whatif-$Case.txt"
        $null = Start-Transcript -Path $transcript
        Invoke-TextToSpeech $script:Text -OutFile $target @Arguments -WhatIf
        $null = Stop-Transcript
        $output = Get-Content $transcript -Raw
        $output -match '\((\d+) requests?\)' | Should -BeTrue
        $counted = [int]$Matches[1]
        $output | Should -Match ('; ' + $counted + ' requests? to send;')

        $null = Invoke-TextToSpeech $script:Text -OutFile $target @Arguments
        @(Get-EmulatorRequest $script:Emulator) | Should -HaveCount $counted
    }

    It 'keeps an existing sidecar with -NoClobber, writing neither file and sending nothing' {
        $target = Join-Path $script:Out 'keep.mp3'
        $sidecar = Join-Path $script:Out 'keep.srt'
        Set-Content -LiteralPath $sidecar -Value 'the old cues'
        $err = $null
        try { Invoke-TextToSpeech 'First sentence. Second sentence.' -OutFile $target -Subtitles Srt -NoClobber -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TtsOutputExists,AitreTts.Commands.InvokeTextToSpeechCommand'
        $err.Exception.Message | Should -Match ([regex]::Escape($sidecar))
        Get-Content -LiteralPath $sidecar | Should -Be 'the old cues'
        Test-Path -LiteralPath $target | Should -BeFalse
        @(Get-EmulatorRequest $script:Emulator) | Should -HaveCount 0
    }

    It 'gives a generated name only when it is free for the audio and the sidecar alike' {
        $first = Invoke-TextToSpeech 'Doors close in five minutes.' -Subtitles Srt -OutputDirectory $script:Out
        $other = Join-Path $script:Out 'other'
        $null = New-Item -ItemType Directory -Path $other
        $taken = Join-Path $other ([System.IO.Path]::ChangeExtension($first.Name, '.srt'))
        Set-Content -LiteralPath $taken -Value 'the old cues'

        $second = Invoke-TextToSpeech 'Doors close in five minutes.' -Subtitles Srt -OutputDirectory $other
        Get-Content -LiteralPath $taken | Should -Be 'the old cues'
        $second.Name | Should -Not -Be $first.Name
        $second.SubtitlePath | Should -Be ([System.IO.Path]::ChangeExtension($second.FullName, '.srt'))
        Test-Path -LiteralPath (Join-Path $other $first.Name) | Should -BeFalse
        @(ConvertFrom-SubtitleFile $second.SubtitlePath) | Should -HaveCount 1
    }

    It 'refuses a read-only sidecar before sending, and keeps the audio it would have replaced' {
        $target = Join-Path $script:Out 'ro.mp3'
        $sidecar = Join-Path $script:Out 'ro.srt'
        Set-Content -LiteralPath $target -Value 'the old audio'
        Set-Content -LiteralPath $sidecar -Value 'the old cues'
        Set-ItemProperty -LiteralPath $sidecar -Name IsReadOnly -Value $true
        try {
            $err = $null
            try { Invoke-TextToSpeech 'First sentence. Second sentence.' -OutFile $target -Subtitles Srt -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'TtsOutputNotWritable,AitreTts.Commands.InvokeTextToSpeechCommand'
            $err.Exception.Message | Should -Match ([regex]::Escape($sidecar))
            Get-Content -LiteralPath $target | Should -Be 'the old audio'
            Get-Content -LiteralPath $sidecar | Should -Be 'the old cues'
            @(Get-EmulatorRequest $script:Emulator) | Should -HaveCount 0
            @(Get-ChildItem -LiteralPath $script:Out -Force | Where-Object Name -like '.*') | Should -HaveCount 0
        }
        finally {
            Set-ItemProperty -LiteralPath $sidecar -Name IsReadOnly -Value $false
        }
    }

    It 'refuses a folder standing where the sidecar goes before sending, and names the sidecar' {
        $target = Join-Path $script:Out 'x.mp3'
        $folder = Join-Path $script:Out 'x.srt'
        $null = New-Item -ItemType Directory -Path $folder
        $err = $null
        try { Invoke-TextToSpeech 'First sentence.' -OutFile $target -Subtitles Srt -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TtsOutputExists,AitreTts.Commands.InvokeTextToSpeechCommand'
        $err.Exception.Message | Should -Match ([regex]::Escape("'$folder' is a folder, which the subtitles cannot replace"))
        Test-Path -LiteralPath $target | Should -BeFalse
        @(Get-EmulatorRequest $script:Emulator) | Should -HaveCount 0
    }

    It 'stores -ParagraphPauseMs in a profile and refuses values out of range' {
        { Set-TtsConfiguration -Scope Process -ParagraphPauseMs 10001 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        Set-TtsConfiguration -Scope Process -ParagraphPauseMs 1000
        try {
            (Get-TtsConfiguration).ParagraphPauseMs | Should -Be 1000
            $file = Invoke-TextToSpeech "One.`n`nTwo." -Format wav -Subtitles Srt -OutputDirectory $script:Out
            $cues = @(ConvertFrom-SubtitleFile $file.SubtitlePath)
            ($cues[1].Start - $cues[0].End) | Should -BeGreaterOrEqual 0.99
        }
        finally {
            Set-TtsConfiguration -Scope Process -ParagraphPauseMs 0
        }
    }
}

Describe 'Invoke-TextToSpeech -Subtitles with the offline provider' {
    BeforeAll {
        $env:AITRE_PROVIDER = 'Offline'
    }

    AfterAll {
        Remove-Item Env:AITRE_PROVIDER -ErrorAction SilentlyContinue
    }

    BeforeEach {
        $script:Out = New-TestOutputFolder
    }

    It 'keeps <Format> cue text to two lines of at most 42 characters, with no timing arrow in it' -TestCases @(
        @{ Format = 'Srt'; Arrow = '->' }, @{ Format = 'Vtt'; Arrow = '--&gt;' }
    ) {
        param($Format, $Arrow)
        $text = 'Unattended luggage anywhere in this station will be removed and may be destroyed. ' +
            'Refreshments are available from the trolley service throughout this entire journey. Platform 2 --> platform 3.'
        $file = Invoke-TextToSpeech $text -Subtitles $Format -OutFile (Join-Path $script:Out 'arrows.mp3')

        $lines = [System.IO.File]::ReadAllLines($file.SubtitlePath)
        $timings = @($lines | Where-Object { $_ -match '^\d\d:\d\d:\d\d[,.]\d\d\d --> ' })
        @($lines | Where-Object { $_.Contains('-->') }) | Should -HaveCount $timings.Count
        $cues = @(ConvertFrom-SubtitleFile $file.SubtitlePath)
        $cues | Should -HaveCount $timings.Count
        $cues.Count | Should -BeGreaterThan 3
        $cues[-1].Text | Should -BeExactly "Platform 2 $Arrow platform 3."
        $textLines = @($lines | Where-Object { $_ -and $_ -notmatch '^\d+$' -and $_ -notmatch ' --> ' -and $_ -ne 'WEBVTT' })
        foreach ($line in $textLines) {
            $line.Length | Should -BeLessOrEqual 42 -Because "'$line' is a subtitle line"
        }

        # At most two text lines between a timing line and the blank line that ends the cue.
        $run = 0
        foreach ($line in $lines) {
            if ($line -match ' --> ') { $run = 0 }
            elseif ($line.Length -eq 0) { $run = 0 }
            elseif ($line -notmatch '^\d+$' -and $line -ne 'WEBVTT') { $run++; $run | Should -BeLessOrEqual 2 }
        }
    }

    It 'writes the same valid cues for <Format> on every run, ending with the audio and shifted by pauses' -TestCases @(
        @{ Format = 'mp3' }, @{ Format = 'opus' }, @{ Format = 'aac' }, @{ Format = 'flac' }, @{ Format = 'wav' }, @{ Format = 'pcm' }
    ) {
        param($Format)
        $first = Invoke-TextToSpeech $script:Text -Format $Format -Subtitles Vtt -OutFile (Join-Path $script:Out "a.$Format")
        $second = Invoke-TextToSpeech $script:Text -Format $Format -Subtitles Vtt -OutFile (Join-Path $script:Out "b.$Format")
        $paused = Invoke-TextToSpeech $script:Text -Format $Format -Subtitles Vtt -ParagraphPauseMs 600 -OutFile (Join-Path $script:Out "c.$Format")
        [System.IO.File]::ReadAllText($second.SubtitlePath) | Should -BeExactly ([System.IO.File]::ReadAllText($first.SubtitlePath))

        $cues = @(ConvertFrom-SubtitleFile $first.SubtitlePath)
        Assert-CueText $cues ($script:First + $script:Second)
        Assert-Monotonic $cues
        $pausedCues = @(ConvertFrom-SubtitleFile $paused.SubtitlePath)
        $pausedCues | Should -HaveCount $cues.Count
        $firstOfSecondParagraph = $script:First.Count + 1
        [Math]::Abs(($pausedCues[$firstOfSecondParagraph].Start - $cues[$firstOfSecondParagraph].Start) - 0.6) | Should -BeLessOrEqual 0.05

        if (-not $script:Ffmpeg) {
            Set-ItResult -Skipped -Because 'ffmpeg is not installed, so the decoded length cannot be measured'
            return
        }

        $decoded = Get-DecodedSeconds $first.FullName $Format
        [Math]::Abs($cues[-1].End - $decoded) | Should -BeLessOrEqual 0.1
        $difference = (Get-DecodedSeconds $paused.FullName $Format) - $decoded
        [Math]::Abs($difference - 0.6) | Should -BeLessOrEqual 0.05
        Assert-FfmpegReadsSubtitles $first.SubtitlePath $cues.Count
    }
}
