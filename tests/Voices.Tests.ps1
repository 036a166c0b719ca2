BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    # The catalogue depends on the provider configured: read an empty configuration, never the user's own.
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = $env:XDG_CONFIG_HOME
    Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL -ErrorAction SilentlyContinue
    Remove-TtsConfiguration -Scope Process -Confirm:$false
}

Describe 'Get-TtsVoice' {
    It 'reads the configuration of the test, not the user''s own' {
        (Get-TtsConfiguration).ConfigurationPath | Should -BeLike (Join-Path $TestDrive '*')
    }

    It 'lists the 13 OpenAI voices with descriptions and models' {
        $voices = @(Get-TtsVoice)
        $voices.Count | Should -Be 13
        $voices.Name | Should -Contain 'nova'
        ($voices | Where-Object Name -eq 'fable').Description | Should -Match 'British'
        ($voices | Where-Object Name -eq 'alloy').Models | Should -Contain 'tts-1'
    }

    It 'filters by wildcard name' {
        (Get-TtsVoice -Name 's*').Name | Should -Be @('sage', 'shimmer')
    }

    It 'filters by model: tts-1 has 9 voices' {
        @(Get-TtsVoice -Model tts-1).Count | Should -Be 9
        @(Get-TtsVoice -Model gpt-4o-mini-tts-2025-12-15).Count | Should -Be 13
    }

    It 'reports an unknown exact name' {
        { Get-TtsVoice -Name nobody -ErrorAction Stop } | Should -Throw -ErrorId 'TtsVoiceNotFound,*'
    }

    It 'completes -Voice on Invoke-TextToSpeech' {
        $completion = TabExpansion2 -inputScript 'Invoke-TextToSpeech -Voice sh' -cursorColumn 'Invoke-TextToSpeech -Voice sh'.Length
        $completion.CompletionMatches.CompletionText | Should -Be @('shimmer')
    }

    It 'completes -Format' {
        $completion = TabExpansion2 -inputScript 'Invoke-TextToSpeech -Format f' -cursorColumn 'Invoke-TextToSpeech -Format f'.Length
        $completion.CompletionMatches.CompletionText | Should -Be @('flac')
    }
}

Describe 'Voice warnings only where they are true' {
    BeforeAll {
        $script:Kokoro = Start-TtsEmulator -ArgumentList '--allow-anonymous', '--voices-shape', 'objects', '--voices', 'af_bella,am_adam'
    }

    AfterAll {
        Stop-TtsEmulator $script:Kokoro
    }

    BeforeEach {
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        $script:Out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:Out
    }

    It 'a local server''s own voice draws no warning, before or after its list is known' {
        $warnings = $null
        $file = 'Bella speaks' | Invoke-TextToSpeech -BaseUrl $script:Kokoro.BaseUrl -Voice af_bella -OutputDirectory $script:Out -WarningVariable warnings
        $file.Length | Should -BeGreaterThan 0
        @($warnings).Count | Should -Be 0
        (Get-TtsVoice -BaseUrl $script:Kokoro.BaseUrl -Refresh).Name | Should -Be @('af_bella', 'am_adam')
        $warnings = $null
        $null = 'Bella again' | Invoke-TextToSpeech -BaseUrl $script:Kokoro.BaseUrl -Voice af_bella -OutputDirectory $script:Out -WarningVariable warnings
        @($warnings).Count | Should -Be 0
        $warnings = $null
        $null = 'A mix' | Invoke-TextToSpeech -BaseUrl $script:Kokoro.BaseUrl -Voice 'af_bella(2)+am_adam' -OutputDirectory $script:Out -WhatIf -WarningVariable warnings
        @($warnings).Count | Should -Be 0
    }

    It 'a voice the server''s known list lacks is warned about' {
        $null = Get-TtsVoice -BaseUrl $script:Kokoro.BaseUrl -Refresh
        $warnings = $null
        $null = 'Nobody' | Invoke-TextToSpeech -BaseUrl $script:Kokoro.BaseUrl -Voice af_nobody -OutputDirectory $script:Out -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue
        @($warnings).Count | Should -Be 1
        "$warnings" | Should -BeLike "The voice 'af_nobody' is not in the server's own list of voices*Get-TtsVoice*"
        "$warnings" | Should -Not -BeLike '*OpenAI*'
    }

    It 'OpenAI''s catalogue still judges voices for OpenAI' {
        Set-TtsConfiguration -Profile openai -Provider OpenAI -BaseUrl $script:Kokoro.BaseUrl -ApiKey 'tk-warn-0123456789'
        $warnings = $null
        $null = 'Bella at OpenAI' | Invoke-TextToSpeech -Profile openai -Voice af_bella -OutputDirectory $script:Out -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -BeLike "*voice 'af_bella' is not known to work with the model 'tts-1'; OpenAI will refuse it*"
    }
}

Describe 'Custom voices' {
    BeforeAll {
        $script:Key = 'tk-custom-voice-0123456789'
        $script:OpenAI = Start-TtsEmulator -ArgumentList '--api-key', $script:Key
        $script:Lister = Start-TtsEmulator -ArgumentList '--allow-anonymous', '--voices-shape', 'objects', '--voices', 'af_bella,voice_1234'
    }

    AfterAll {
        Stop-TtsEmulator $script:OpenAI
        Stop-TtsEmulator $script:Lister
        Use-IsolatedChunkCache | Out-Null
    }

    BeforeEach {
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        Clear-EmulatorState $script:OpenAI
        $null = Use-IsolatedChunkCache -Enabled
        $script:Out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:Out
        Set-TtsConfiguration -Profile custom -Provider OpenAI -BaseUrl $script:OpenAI.BaseUrl -ApiKey $script:Key -Model gpt-4o-mini-tts -Voice voice_1234
    }

    It 'sends -Voice voice_1234 from a profile as {"id": ...}, with no catalogue warning, and caches it' {
        $warnings = $null
        $file = 'My own voice' | Invoke-TextToSpeech -Profile custom -OutputDirectory $script:Out -WarningVariable warnings
        @($warnings).Count | Should -Be 0
        $file.FromCache | Should -BeFalse
        $request = @(Get-EmulatorRequest $script:OpenAI | Where-Object Path -eq '/v1/audio/speech')
        $request.Count | Should -Be 1
        $request[0].StatusCode | Should -Be 200
        $request[0].VoiceId | Should -Be 'voice_1234'
        ([System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($request[0].Body)) | ConvertFrom-Json).voice.id | Should -Be 'voice_1234'

        $again = 'My own voice' | Invoke-TextToSpeech -Profile custom -OutputDirectory (Join-Path $script:Out 'again')
        $again.FromCache | Should -BeTrue
        @(Get-EmulatorRequest $script:OpenAI | Where-Object Path -eq '/v1/audio/speech').Count | Should -Be 1
        $other = 'My own voice' | Invoke-TextToSpeech -Profile custom -Voice voice_5678 -OutputDirectory (Join-Path $script:Out 'other')
        $other.FromCache | Should -BeFalse
        @(Get-EmulatorRequest $script:OpenAI)[-1].VoiceId | Should -Be 'voice_5678'
    }

    It '-WhatIf names a custom voice as such and sends nothing' {
        $transcript = Join-Path $TestDrive 'custom-whatif.txt'
        $null = Start-Transcript -Path $transcript
        try {
            'What if' | Invoke-TextToSpeech -Profile custom -OutputDirectory $script:Out -WhatIf
        }
        finally {
            $null = Stop-Transcript
        }

        $output = Get-Content $transcript -Raw
        $output | Should -BeLike "*with custom voice 'voice_1234' and model 'gpt-4o-mini-tts'*"
        @(Get-EmulatorRequest $script:OpenAI).Count | Should -Be 0
    }

    It 'completes a custom voice the server lists' {
        Set-TtsConfiguration -Profile lister -Provider Local -BaseUrl $script:Lister.BaseUrl -Default
        $line = 'Invoke-TextToSpeech -Voice voice_'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('voice_1234')
    }
}
