BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Key = 'tk-provider-pester-0123456789'
    $script:Emulator = Start-TtsEmulator -ArgumentList '--api-key', $script:Key
    $script:Anonymous = Start-TtsEmulator -ArgumentList '--allow-anonymous', '--voices-shape', 'objects', '--voices', 'af_bella,am_adam'
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
    Stop-TtsEmulator $script:Anonymous
}

Describe 'Providers, profiles and voices' {
    BeforeEach {
        $env:XDG_CONFIG_HOME = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $env:APPDATA = $env:XDG_CONFIG_HOME
        Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL -ErrorAction SilentlyContinue
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        Clear-EmulatorState $script:Emulator
        Clear-EmulatorState $script:Anonymous
        $script:Out = New-TestOutputFolder
    }

    Context 'provider kinds' {
        It 'OpenAI: Bearer key, tts-1, mp3' {
            Set-TtsConfiguration -Profile openai -Provider OpenAI -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
            $file = 'OpenAI kind' | Invoke-TextToSpeech -OutputDirectory $script:Out
            $file.Model | Should -Be 'tts-1'
            $file.Format | Should -Be 'mp3'
            $request = Get-EmulatorRequest $script:Emulator | Select-Object -Last 1
            $request.Path | Should -Be '/v1/audio/speech'
            $request.Headers.Authorization | Should -Be "Bearer $script:Key"
        }

        It 'Azure OpenAI deployment route: api-key header, api-version, deployment as the model, trailing slashes forgiven' {
            Set-TtsConfiguration -Profile azure -Provider AzureOpenAI -BaseUrl "$($script:Emulator.BaseUrl)//" -Deployment 'tts-prod' -ApiKey $script:Key
            $file = 'Azure kind' | Invoke-TextToSpeech -OutputDirectory $script:Out
            $file.Model | Should -Be 'tts-prod'
            $request = Get-EmulatorRequest $script:Emulator | Select-Object -Last 1
            $request.Path | Should -Be '/openai/deployments/tts-prod/audio/speech'
            $request.QueryString | Should -Match 'api-version=2024-10-21'
            $request.Headers.'api-key' | Should -Be $script:Key
            $request.Headers.PSObject.Properties.Name | Should -Not -Contain 'Authorization'
        }

        It 'Azure OpenAI v1 route when no deployment is set' {
            Set-TtsConfiguration -Profile azurev1 -Provider AzureOpenAI -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
            $null = 'Azure v1' | Invoke-TextToSpeech -OutputDirectory $script:Out
            (Get-EmulatorRequest $script:Emulator | Select-Object -Last 1).Path | Should -Be '/openai/v1/audio/speech'
        }

        It 'AITRE: tts-1 and mp3 by default, and a warning (not a refusal) outside what it documents' {
            Set-TtsConfiguration -Profile aitre -Provider Aitre -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
            $file = 'Aitre kind' | Invoke-TextToSpeech -OutputDirectory $script:Out
            $file.Model | Should -Be 'tts-1'
            $file.Format | Should -Be 'mp3'
            $warnings = $null
            $wav = 'Aitre wav' | Invoke-TextToSpeech -OutputDirectory $script:Out -Format wav -WarningVariable warnings -WarningAction SilentlyContinue
            $wav.Format | Should -Be 'wav'
            ($warnings -join ' ') | Should -Match 'Aitre documents only mp3, opus, aac, flac'
        }

        It 'apimart: gpt-4o-mini-tts and wav by default' {
            Set-TtsConfiguration -Profile apimart -Provider Apimart -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
            $file = 'Apimart kind' | Invoke-TextToSpeech -OutputDirectory $script:Out
            $file.Model | Should -Be 'gpt-4o-mini-tts'
            $file.Format | Should -Be 'wav'
            (Get-EmulatorRequest $script:Emulator | Select-Object -Last 1).ResponseFormat | Should -Be 'wav'
        }

        It 'a local server needs no key' {
            Set-TtsConfiguration -Profile kokoro -Provider Local -BaseUrl $script:Anonymous.BaseUrl
            # A local server has its own voices; this one knows only af_bella and am_adam.
            $file = 'Local kind' | Invoke-TextToSpeech -Voice af_bella -OutputDirectory $script:Out
            $file | Should -BeOfType System.IO.FileInfo
            (Get-EmulatorRequest $script:Anonymous | Select-Object -Last 1).Headers.PSObject.Properties.Name | Should -Not -Contain 'Authorization'
        }

        It 'a generic OpenAI-compatible server is inferred from its URL' {
            Set-TtsConfiguration -Profile generic -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
            (Get-TtsConfiguration -Profile generic).Provider | Should -Be 'Local'
            Set-TtsConfiguration -Profile generic -Provider OpenAICompatible
            (Get-TtsConfiguration -Profile generic).Provider | Should -Be 'OpenAICompatible'
            ('Generic kind' | Invoke-TextToSpeech -Profile generic -OutputDirectory $script:Out) | Should -BeOfType System.IO.FileInfo
        }
    }

    Context 'profiles' {
        It 'keeps profiles side by side, lists them and picks one per call' {
            Set-TtsConfiguration -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -Voice nova
            Set-TtsConfiguration -Profile second -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -Voice onyx
            $profiles = @(Get-TtsConfiguration)
            $profiles.Profile | Should -Be @('default', 'second')
            ($profiles | Where-Object IsDefault).Profile | Should -Be 'default'

            ('Default profile' | Invoke-TextToSpeech -OutputDirectory $script:Out).Voice | Should -Be 'nova'
            ('Second profile' | Invoke-TextToSpeech -Profile second -OutputDirectory $script:Out).Voice | Should -Be 'onyx'
            ('Parameter wins' | Invoke-TextToSpeech -Profile second -Voice echo -OutputDirectory $script:Out).Voice | Should -Be 'echo'
        }

        It 'makes another profile the default with -Default' {
            Set-TtsConfiguration -Voice nova
            Set-TtsConfiguration -Profile second -Voice sage -Default
            (Get-TtsConfiguration | Where-Object IsDefault).Profile | Should -Be 'second'
            (Get-TtsConfiguration -Profile second).Voice | Should -Be 'sage'
        }

        It 'reports an unknown profile' {
            { 'x' | Invoke-TextToSpeech -Profile nowhere } | Should -Throw -ErrorId 'TtsProfileNotFound,*'
        }

        It 'removes a key, then a profile, with ShouldProcess' {
            Set-TtsConfiguration -Profile temp -BaseUrl 'https://gateway.example.com' -ApiKey $script:Key
            Remove-TtsConfiguration -Profile temp -ApiKey -WhatIf
            (Get-TtsConfiguration -Profile temp).HasApiKey | Should -BeTrue
            Remove-TtsConfiguration -Profile temp -ApiKey -Confirm:$false
            (Get-TtsConfiguration -Profile temp).HasApiKey | Should -BeFalse
            (Get-TtsConfiguration -Profile temp).BaseUrl | Should -Be 'https://gateway.example.com'
            Remove-TtsConfiguration -Profile temp -Confirm:$false
            { Get-TtsConfiguration -Profile temp -ErrorAction Stop } | Should -Throw -ErrorId 'TtsProfileNotFound,*'
        }

        It 'completes -Profile' {
            Set-TtsConfiguration -Profile work -Voice nova
            Set-TtsConfiguration -Profile home -Voice echo
            $line = 'Invoke-TextToSpeech -Profile wo'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('work')
        }

        It 'reads the key from SecretManagement when the profile names a secret' {
            $modules = Join-Path $TestDrive 'modules'
            $stand = New-Item -ItemType Directory -Path (Join-Path $modules 'Microsoft.PowerShell.SecretManagement') -Force
            Set-Content -Path (Join-Path $stand 'Microsoft.PowerShell.SecretManagement.psm1') -Value @"
function Get-Secret {
    param([string] `$Name, [string] `$Vault)
    if (`$Name -ne 'tts-key') { throw "Get-Secret: no secret named `$Name" }
    ConvertTo-SecureString '$script:Key' -AsPlainText -Force
}
"@
            $savedPath = $env:PSModulePath
            $env:PSModulePath = $modules + [IO.Path]::PathSeparator + $env:PSModulePath
            try {
                Set-TtsConfiguration -Profile vaulted -BaseUrl $script:Emulator.BaseUrl -ApiKeySecretName 'tts-key'
                (Get-TtsConfiguration -Profile vaulted).ApiKey | Should -Be "(secret 'tts-key')"
                $null = 'From the vault' | Invoke-TextToSpeech -Profile vaulted -OutputDirectory $script:Out
                (Get-EmulatorRequest $script:Emulator | Select-Object -Last 1).Headers.Authorization | Should -Be "Bearer $script:Key"

                Set-TtsConfiguration -Profile wrong -BaseUrl $script:Emulator.BaseUrl -ApiKeySecretName 'missing'
                { 'x' | Invoke-TextToSpeech -Profile wrong } | Should -Throw -ErrorId 'TtsSecretNotFound,*'
            }
            finally {
                $env:PSModulePath = $savedPath
                Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
            }
        }

        It 'explains a missing SecretManagement module' {
            if (Get-Module -ListAvailable Microsoft.PowerShell.SecretManagement) {
                Set-ItResult -Skipped -Because 'SecretManagement is installed here'
                return
            }

            Set-TtsConfiguration -Profile vaulted -BaseUrl $script:Emulator.BaseUrl -ApiKeySecretName 'tts-key'
            { 'x' | Invoke-TextToSpeech -Profile vaulted } | Should -Throw -ErrorId 'TtsSecretManagementMissing,*'
        }
    }

    Context 'voices' {
        It 'lists the server voices, caches them for the session and asks again with -Refresh' {
            Set-TtsConfiguration -Profile kokoro -Provider Local -BaseUrl $script:Anonymous.BaseUrl
            (Get-TtsVoice -Profile kokoro).Name | Should -Be @('af_bella', 'am_adam')
            (Get-TtsVoice -Profile kokoro -Name 'af*').Name | Should -Be @('af_bella')
            @(Get-EmulatorRequest $script:Anonymous | Where-Object Path -eq '/v1/audio/voices').Count | Should -Be 1
            $null = Get-TtsVoice -Profile kokoro -Refresh
            @(Get-EmulatorRequest $script:Anonymous | Where-Object Path -eq '/v1/audio/voices').Count | Should -Be 2
        }

        It 'reads the legacy string shape' {
            Set-EmulatorOption $script:Anonymous @{ voicesShape = 'legacy' }
            try {
                Set-TtsConfiguration -Profile legacy -Provider Local -BaseUrl $script:Anonymous.BaseUrl
                (Get-TtsVoice -Profile legacy -Refresh).Name | Should -Be @('af_bella', 'am_adam')
            }
            finally {
                Set-EmulatorOption $script:Anonymous @{ voicesShape = 'objects' }
            }
        }

        It 'falls back to the built-in catalogue when the server has no voices endpoint' {
            Set-TtsConfiguration -Profile nolist -Provider OpenAICompatible -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
            @(Get-TtsVoice -Profile nolist).Count | Should -Be 13
            @(Get-EmulatorRequest $script:Emulator | Where-Object Path -eq '/v1/audio/voices').Count | Should -Be 1
        }

        It 'completes -Voice from the server, asking it only once' {
            Set-TtsConfiguration -Profile complete -Provider Local -BaseUrl $script:Anonymous.BaseUrl -Default
            $line = 'Invoke-TextToSpeech -Voice am'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('am_adam')
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('am_adam')
            @(Get-EmulatorRequest $script:Anonymous | Where-Object Path -eq '/v1/audio/voices').Count | Should -Be 1
        }

        It 'completes -Model from the server models list' {
            Set-TtsConfiguration -Profile models -Provider Local -BaseUrl $script:Anonymous.BaseUrl -Default
            $line = 'Invoke-TextToSpeech -Model tts-1-'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'tts-1-hd'
        }

        It 'warns when the voice is not known for the model' {
            Set-TtsConfiguration -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -Provider OpenAI
            $warnings = $null
            $null = 'Voice check' | Invoke-TextToSpeech -Voice marin -Model tts-1 -OutputDirectory $script:Out -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            ($warnings -join ' ') | Should -Match "voice 'marin' is not known to work with the model 'tts-1'"
        }
    }
}
