# Get-TtsModel, model retirement by the server's shutdown dates, and the voice-list shapes of the servers users run.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = $env:XDG_CONFIG_HOME
    Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL -ErrorAction SilentlyContinue
    $script:Key = 'tk-models-0123456789abcdef'
    $script:Emulator = Start-TtsEmulator -ArgumentList '--api-key', $script:Key
    $script:Local = Start-TtsEmulator -ArgumentList '--allow-anonymous'
    $script:Past = (Get-Date).ToUniversalTime().AddDays(-3).ToString('yyyy-MM-dd')
    $script:Future = (Get-Date).ToUniversalTime().AddDays(90).ToString('yyyy-MM-dd')
    $script:Out = Join-Path $TestDrive 'out'
    $null = New-Item -ItemType Directory -Path $script:Out
    function Get-SpeechRequest([Parameter(Mandatory)] $Emulator) { @(Get-EmulatorRequest $Emulator | Where-Object Path -eq '/v1/audio/speech') }
    function Get-ModelsRequest([Parameter(Mandatory)] $Emulator) { @(Get-EmulatorRequest $Emulator | Where-Object Path -eq '/v1/models') }
    function Reset-TestState {
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        Clear-EmulatorState $script:Emulator
        Clear-EmulatorState $script:Local
        Set-EmulatorOption $script:Emulator @{ modelShutdownDates = @{}; modelsEndpoint = $true }
        Set-EmulatorOption $script:Local @{ modelShutdownDates = @{}; modelsEndpoint = $true; voicesShape = 'none' }
    }
}

AfterAll {
    Stop-TtsEmulator $script:Emulator
    Stop-TtsEmulator $script:Local
    Remove-TtsConfiguration -Scope Process -Confirm:$false
}


Describe 'Get-TtsModel' {
    BeforeEach { Reset-TestState }

    It 'lists the server''s models with their shutdown dates, marks the speech models, and caches the list' {
        Set-EmulatorOption $script:Local @{ modelShutdownDates = @{ 'tts-1' = $script:Future } }
        Set-TtsConfiguration -Profile list -Provider Local -BaseUrl $script:Local.BaseUrl
        $models = @(Get-TtsModel -Profile list)
        $models.Id | Should -Be @('tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15', 'whisper-1')
        ($models | Where-Object Id -eq 'tts-1').ShutdownDate.UtcDateTime.ToString('yyyy-MM-dd') | Should -Be $script:Future
        ($models | Where-Object Id -eq 'tts-1-hd').ShutdownDate | Should -BeNullOrEmpty
        ($models | Where-Object IsSpeech).Id | Should -Be @('tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15')
        ($models | Where-Object Id -eq 'whisper-1').IsSpeech | Should -BeNullOrEmpty
        $models[0].Source | Should -Be "$($script:Local.BaseUrl)/v1/models"

        (Get-TtsModel -Profile list -Name 'gpt*').Id | Should -Be @('gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15')
        (Get-ModelsRequest $script:Local).Count | Should -Be 1
        $null = Get-TtsModel -Profile list -Refresh
        (Get-ModelsRequest $script:Local).Count | Should -Be 2
        (Get-TtsModel -Profile list | Out-String) | Should -Match ([regex]::Escape($script:Future))
    }

    It 'gives the built-in catalogue, without an error, where the server has no model list, and says so under -Verbose' {
        Set-EmulatorOption $script:Local @{ modelsEndpoint = $false }
        Set-TtsConfiguration -Profile nolist -Provider Local -BaseUrl $script:Local.BaseUrl
        $verbose = Get-TtsModel -Profile nolist -Refresh -Verbose -ErrorVariable failures 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $models = @(Get-TtsModel -Profile nolist)
        $failures | Should -BeNullOrEmpty
        $models.Id | Should -Be @('tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15')
        $models[0].Source | Should -Be 'Built-in'
        ($verbose.Message -join "`n") | Should -Match 'has no models list; showing the built-in catalogue'
    }

    It 'reports an exact name that is not listed as TtsModelNotFound, and goes on with the others' {
        Set-TtsConfiguration -Profile names -Provider Local -BaseUrl $script:Local.BaseUrl
        $found = @(Get-TtsModel -Profile names -Name 'tts-2', 'tts-1' -ErrorVariable failures -ErrorAction SilentlyContinue)
        $found.Id | Should -Be @('tts-1')
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'TtsModelNotFound,*'
        $failures[0].TargetObject | Should -Be 'tts-2'
    }
}

Describe 'Completing -Model' {
    BeforeAll {
        # whisper-1 is on the emulator's list only, never in the built-in catalogue: completing it shows the list was used.
        function Get-ModelCompletion([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText }
    }

    BeforeEach { Reset-TestState }

    It 'completes from what Get-TtsModel found this session, without asking again' {
        Set-TtsConfiguration -Profile listed -Provider Local -BaseUrl $script:Local.BaseUrl
        $null = Get-TtsModel -Profile listed
        (Get-ModelsRequest $script:Local).Count | Should -Be 1

        Get-ModelCompletion 'Invoke-TextToSpeech -Profile listed -Model w' | Should -Be @('whisper-1')
        (Get-ModelsRequest $script:Local).Count | Should -Be 1
    }

    It 'asks the models list of a provider that lists no voices (OpenAI), once a session' {
        Set-TtsConfiguration -Profile openai-like -Provider OpenAI -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key

        Get-ModelCompletion 'Invoke-TextToSpeech -Profile openai-like -Model w' | Should -Be @('whisper-1')
        Get-ModelCompletion 'Get-TtsVoice -Profile openai-like -Model gpt-4o-mini-tts-' | Should -Be @('gpt-4o-mini-tts-2025-12-15')
        (Get-ModelsRequest $script:Emulator).Count | Should -Be 1
        # Voices are not listed by OpenAI: their completion still asks nothing.
        @(Get-EmulatorRequest $script:Emulator | Where-Object Path -like '*/voices*').Count | Should -Be 0
    }

    It 'completes from the built-in catalogue where the server has no model list' {
        Set-EmulatorOption $script:Local @{ modelsEndpoint = $false }
        Set-TtsConfiguration -Profile unlisted -Provider Local -BaseUrl $script:Local.BaseUrl

        Get-ModelCompletion 'Invoke-TextToSpeech -Profile unlisted -Model tts' | Should -Be @('tts-1', 'tts-1-hd')
        Get-ModelCompletion 'Invoke-TextToSpeech -Profile unlisted -Model w' | Should -BeNullOrEmpty
    }
}

Describe 'Model retirement' {
    BeforeEach { Reset-TestState }

    It 'fails before sending when the model''s shutdown date has passed, and names a replacement' {
        Set-EmulatorOption $script:Emulator @{ modelShutdownDates = @{ 'gpt-4o-mini-tts-2025-12-15' = $script:Past } }
        Set-TtsConfiguration -Profile retired -Provider OpenAI -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
        $thrown = { 'Too late' | Invoke-TextToSpeech -Profile retired -Model gpt-4o-mini-tts-2025-12-15 -OutputDirectory $script:Out } |
            Should -Throw -ErrorId 'TtsModelRetired,*' -PassThru
        $thrown.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $thrown.Exception.Message | Should -Match ([regex]::Escape("retired on $script:Past"))
        $thrown.Exception.Message | Should -Match '-Model gpt-4o-mini-tts instead'
        (Get-SpeechRequest $script:Emulator).Count | Should -Be 0
        @(Get-ChildItem -LiteralPath $script:Out).Count | Should -Be 0
    }

    It 'warns once a session, naming the date, when the model has a shutdown date ahead; the call goes on' {
        Set-EmulatorOption $script:Emulator @{ modelShutdownDates = @{ 'tts-1-hd' = $script:Future } }
        Set-TtsConfiguration -Profile retiring -Provider OpenAI -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
        $first = 'First' | Invoke-TextToSpeech -Profile retiring -Model tts-1-hd -OutputDirectory $script:Out -WarningVariable warned -WarningAction SilentlyContinue
        $second = 'Second' | Invoke-TextToSpeech -Profile retiring -Model tts-1-hd -OutputDirectory $script:Out -WarningVariable warnedAgain -WarningAction SilentlyContinue
        $first.Exists | Should -BeTrue
        $second.Exists | Should -BeTrue
        @($warned).Count | Should -Be 1
        "$warned" | Should -Match ([regex]::Escape("'tts-1-hd' will be retired on $script:Future"))
        @($warnedAgain).Count | Should -Be 0
        (Get-SpeechRequest $script:Emulator).Count | Should -Be 2
        (Get-ModelsRequest $script:Emulator).Count | Should -Be 1
    }

    It 'never fails a call because the model list is unavailable' {
        Set-EmulatorOption $script:Emulator @{ modelsEndpoint = $false }
        Set-TtsConfiguration -Profile unlisted -Provider OpenAI -BaseUrl "$($script:Emulator.BaseUrl)/" -ApiKey $script:Key
        $file = 'Still works' | Invoke-TextToSpeech -Profile unlisted -OutputDirectory $script:Out
        $file.Exists | Should -BeTrue
        (Get-SpeechRequest $script:Emulator).Count | Should -Be 1
    }

    It 'asks a local server nothing extra, and judges by its list once Get-TtsModel has read it' {
        Set-EmulatorOption $script:Local @{ modelShutdownDates = @{ 'tts-1' = $script:Past } }
        Set-TtsConfiguration -Profile local -Provider Local -BaseUrl $script:Local.BaseUrl
        $file = 'Local' | Invoke-TextToSpeech -Profile local -Model tts-1 -OutputDirectory $script:Out
        $file.Exists | Should -BeTrue
        (Get-ModelsRequest $script:Local).Count | Should -Be 0
        $null = Get-TtsModel -Profile local
        { 'Local again' | Invoke-TextToSpeech -Profile local -Model tts-1 -OutputDirectory $script:Out } | Should -Throw -ErrorId 'TtsModelRetired,*'
        (Get-SpeechRequest $script:Local).Count | Should -Be 1
    }
}

Describe 'Voice lists in the servers'' shapes' {
    BeforeEach { Reset-TestState }

    It 'reads mlx-audio''s {"object","data"} shape, asking with ?model= as it requires' {
        Set-EmulatorOption $script:Local @{ voicesShape = 'data'; voices = @('af_heart', 'bm_lewis') }
        try {
            Set-TtsConfiguration -Profile mlx -Provider Local -BaseUrl $script:Local.BaseUrl -Model 'prince-canuma/Kokoro-82M'
            (Get-TtsVoice -Profile mlx -Refresh).Name | Should -Be @('af_heart', 'bm_lewis')
            $request = @(Get-EmulatorRequest $script:Local | Where-Object Path -eq '/v1/audio/voices')
            $request.Count | Should -Be 1
            $request[0].StatusCode | Should -Be 200
            $request[0].QueryString | Should -Be '?model=prince-canuma%2FKokoro-82M'
        }
        finally {
            Set-EmulatorOption $script:Local @{ voices = @('alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse', 'marin', 'cedar') }
        }
    }

    It 'reads Kokoro''s object shape and its legacy strings' -TestCases @(@{ Shape = 'objects' }, @{ Shape = 'legacy' }) {
        param($Shape)
        Set-EmulatorOption $script:Local @{ voicesShape = $Shape; voices = @('af_bella', 'am_adam') }
        try {
            Set-TtsConfiguration -Profile "kokoro-$Shape" -Provider Local -BaseUrl $script:Local.BaseUrl
            (Get-TtsVoice -Profile "kokoro-$Shape" -Refresh).Name | Should -Be @('af_bella', 'am_adam')
        }
        finally {
            Set-EmulatorOption $script:Local @{ voices = @('alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse', 'marin', 'cedar') }
        }
    }

    It 'falls back to the catalogue, with no error, where OpenAI has no voice list' {
        Set-TtsConfiguration -Profile openai-voices -Provider OpenAI -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
        @(Get-TtsVoice -Profile openai-voices -Refresh -ErrorVariable failures).Count | Should -Be 13
        $failures | Should -BeNullOrEmpty
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }
}
