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
