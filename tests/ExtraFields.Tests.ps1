# -ExtraBody and -ExtraQuery against the emulator, which records every request's body and query: extra fields reach
# the server, they are part of the chunk cache key, a field the module owns is refused before anything is sent, and
# both can be stored in a profile.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Key = 'tk-pester-extras-0123456789'
    $script:Emulator = Start-TtsEmulator -ArgumentList '--api-key', $script:Key
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = $env:XDG_CONFIG_HOME
    Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL -ErrorAction SilentlyContinue
    Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
    $script:Kokoro = @{ lang_code = 'a'; normalization_options = @{ normalize = $false; unit_normalization = $true }; volume_multiplier = 1.5 }

    function Get-SpeechRequest { @(Get-EmulatorRequest $script:Emulator | Where-Object Path -EQ '/v1/audio/speech') }
    function ConvertFrom-RequestBody($Request) { [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Request.Body)) | ConvertFrom-Json }
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
}

Describe '-ExtraBody and -ExtraQuery' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
    }

    It 'sends the extra fields, nested ones included, beside the module''s own' {
        $file = 'Doors close in five minutes.' | Invoke-TextToSpeech -Voice nova -ExtraBody $script:Kokoro -OutputDirectory $script:Out -NoCache

        $file.Length | Should -BeGreaterThan 0
        $body = ConvertFrom-RequestBody (Get-SpeechRequest)[0]
        $body.input | Should -Be 'Doors close in five minutes.'
        $body.voice | Should -Be 'nova'
        $body.lang_code | Should -Be 'a'
        $body.normalization_options.normalize | Should -BeFalse
        $body.normalization_options.unit_normalization | Should -BeTrue
        $body.volume_multiplier | Should -Be 1.5
    }

    It 'sends -ExtraQuery in the URL of every request, and -Verbose names both' {
        $verbose = 'Query.' | Invoke-TextToSpeech -ExtraQuery @{ model = 'mlx-community/Kokoro-82M-bf16' } -ExtraBody @{ lang_code = 'b' } -OutputDirectory $script:Out -NoCache -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message

        (Get-SpeechRequest)[0].QueryString | Should -Be '?model=mlx-community%2FKokoro-82M-bf16'
        ($verbose -join "`n") | Should -Match 'Extra body fields \(parameter\): \{"lang_code":"b"\}'
        ($verbose -join "`n") | Should -Match 'Extra query parameters \(parameter\): model=mlx-community%2FKokoro-82M-bf16'
    }

    It 'keys the chunk cache on the extras: other extras miss, the same extras hit' {
        $null = Use-IsolatedChunkCache -Enabled
        try {
            $text = 'Platform two is now closed.'
            $null = $text | Invoke-TextToSpeech -ExtraBody @{ lang_code = 'a' } -OutputDirectory $script:Out
            $null = $text | Invoke-TextToSpeech -ExtraBody @{ lang_code = 'b' } -OutputDirectory $script:Out
            @(Get-SpeechRequest).Count | Should -Be 2 -Because 'other extras are another request'
            $null = $text | Invoke-TextToSpeech -ExtraBody @{ lang_code = 'a' } -OutputDirectory $script:Out
            $null = $text | Invoke-TextToSpeech -ExtraQuery @{ model = 'kokoro' } -ExtraBody @{ lang_code = 'a' } -OutputDirectory $script:Out
            $requests = @(Get-SpeechRequest)
            $requests.Count | Should -Be 3 -Because 'the same extras are answered from the cache, and another query is another request'
            $requests[2].QueryString | Should -Be '?model=kokoro'
        }
        finally {
            $null = Use-IsolatedChunkCache
        }
    }

    It 'refuses -ExtraBody setting <Field>, with TtsInvalidExtraField, before anything is sent' -TestCases @(
        @{ Field = 'voice' }
        @{ Field = 'Speed' }
        @{ Field = 'response_format' }
        @{ Field = 'stream_format' }
    ) {
        param($Field)
        { 'Refused.' | Invoke-TextToSpeech -ExtraBody @{ $Field = 'x' } -OutputDirectory $script:Out -ErrorAction Stop } |
            Should -Throw -ErrorId 'TtsInvalidExtraField,AitreTts.Commands.InvokeTextToSpeechCommand'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }

    It 'refuses a credential in -ExtraQuery, and an owned field in a profile, without storing it' {
        { Get-TtsVoice -ExtraQuery @{ api_key = 'tk-never-in-a-url' } -ErrorAction Stop } | Should -Throw -ErrorId 'TtsInvalidExtraField,AitreTts.Commands.GetTtsVoiceCommand'
        { Set-TtsConfiguration -Profile extras-refused -ExtraBody @{ model = 'tts-1-hd' } -ErrorAction Stop } | Should -Throw -ErrorId 'TtsInvalidExtraField,AitreTts.Commands.SetTtsConfigurationCommand'
        (Get-TtsConfiguration -Profile extras-refused -ErrorAction SilentlyContinue) | Should -BeNullOrEmpty
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'stores both in a profile, shows them, and sends them' {
        Set-TtsConfiguration -Profile kokoro -Provider Local -BaseUrl $script:Emulator.BaseUrl -ExtraBody $script:Kokoro -ExtraQuery @{ model = 'kokoro' }
        $shown = Get-TtsConfiguration -Profile kokoro
        $shown.ExtraBody | Should -Be '{"lang_code":"a","normalization_options":{"normalize":false,"unit_normalization":true},"volume_multiplier":1.5}'
        $shown.ExtraQuery | Should -Be 'model=kokoro'
        ($shown | Format-List | Out-String) | Should -Match 'ExtraQuery\s*:\s*model=kokoro\s+\[file'

        $null = 'From the profile.' | Invoke-TextToSpeech -Profile kokoro -OutputDirectory $script:Out -NoCache

        $request = (Get-SpeechRequest)[0]
        $request.QueryString | Should -Be '?model=kokoro'
        (ConvertFrom-RequestBody $request).normalization_options.normalize | Should -BeFalse
    }

    It 'shows the extras in -WhatIf, and sends nothing' {
        $command = "Import-Module '$(Get-BuiltModuleManifest)'; 'Only planned.' | Invoke-TextToSpeech -ExtraBody @{ lang_code = 'j' } -ExtraQuery @{ model = 'kokoro' } -OutputDirectory '$($script:Out)' -WhatIf"
        $result = Invoke-ChildPowerShell -Command $command -Environment @{ AITRE_BASE_URL = $script:Emulator.BaseUrl; AITRE_API_KEY = $script:Key; XDG_CONFIG_HOME = Join-Path $TestDrive 'child'; APPDATA = Join-Path $TestDrive 'child' }

        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.StdOut | Should -Match 'What if: .*extra fields \{"lang_code":"j"\}, extra query model=kokoro'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }
}
