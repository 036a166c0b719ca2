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
