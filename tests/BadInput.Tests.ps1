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
        $script:Out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:Out
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
        $warnings = $null
        $file = 'Ballad on tts-1' | Invoke-TextToSpeech -Voice ballad -Model tts-1-hd -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        ($warnings -join ' ') | Should -Match "'ballad' is not known to work with the model 'tts-1-hd'"
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 1 -Because 'the server decides; gateways differ'
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

    It 'an invalid file name is a clear error' {
        $bad = Join-Path $script:Out "bad`0name.mp3"
        { 'x' | Invoke-TextToSpeech -OutFile $bad -ErrorAction Stop } | Should -Throw
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }
}
