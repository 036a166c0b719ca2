# Text that is not text: binary data and terminal output piped as strings are refused as TtsInputNotText before any
# request is paid for, as a binary file object already was; the rest of the pipeline goes on.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Key = 'tk-textinput-0123456789abcdef'
    $script:Emulator = Start-TtsEmulator -ArgumentList '--api-key', $script:Key
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = $env:XDG_CONFIG_HOME
    Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL -ErrorAction SilentlyContinue
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
}

Describe 'Control characters in piped text' {
    BeforeEach {
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
    }

    It 'refuses a string holding <Case> as TtsInputNotText, and speaks the strings around it' -TestCases @(
        @{ Case = 'NUL'; Bad = "N$([char]0)L"; Code = 'U+0000' }
        @{ Case = 'an ESC colour code'; Bad = "colour $([char]27)[31mred"; Code = 'U+001B' }
        @{ Case = 'a bell'; Bad = "ding$([char]7)"; Code = 'U+0007' }
    ) {
        param($Case, $Bad, $Code)
        $errors = $null
        $files = @('Before it.', $Bad, "After it,`twith a tab.") | Invoke-TextToSpeech -OutputDirectory $script:Out -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'TtsInputNotText,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errors[0].Exception.Message | Should -BeLike "*control character $Code*"
        $errors[0].TargetObject | Should -Be $Bad
        $files.Count | Should -Be 2
        $inputs = @(Get-EmulatorRequest $script:Emulator | ForEach-Object { $_.Input })
        # Documents are sent in parallel: the order of the requests is not the order of the input.
        $inputs | Sort-Object | Should -Be @("After it,`twith a tab.", 'Before it.')
    }

    It 'refuses Get-Content of 200 KB of random bytes once, sends nothing for it, and goes on' {
        $binary = Join-Path $script:Out 'random.bin'
        $bytes = New-Object byte[] (200 * 1024)
        (New-Object System.Random 24).NextBytes($bytes)
        [System.IO.File]::WriteAllBytes($binary, $bytes)
        $errors = $null
        $files = @(Get-Content -LiteralPath $binary) + @('Still spoken.') | Invoke-TextToSpeech -OutputDirectory $script:Out -ErrorVariable errors -ErrorAction SilentlyContinue
        @($errors | Where-Object { $_.FullyQualifiedErrorId -like 'TtsInputNotText,*' }).Count | Should -BeGreaterThan 0
        @($errors | Where-Object { $_.FullyQualifiedErrorId -notlike 'TtsInputNotText,*' }).Count | Should -Be 0
        @($files).Count | Should -Be 1
        $inputs = @(Get-EmulatorRequest $script:Emulator | ForEach-Object { $_.Input })
        $inputs | Should -Be @('Still spoken.')
    }

    It 'refuses Get-Content of a binary file as one document, naming the file' {
        $binary = Join-Path $script:Out 'image.bin'
        [System.IO.File]::WriteAllBytes($binary, [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x0A, 0x41, 0x42))
        $errors = $null
        $null = Get-Content -LiteralPath $binary | Invoke-TextToSpeech -OutputDirectory $script:Out -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'TtsInputNotText,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].Exception.Message | Should -BeLike "*image.bin*"
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'refuses <Case> with ParameterArgumentTransformationError instead of speaking its type name, and goes on' -TestCases @(
        @{ Case = 'a hashtable'; Item = @{ Name = 'x' }; Kind = 'hashtable' }
        @{ Case = 'an object without a Text property'; Item = [pscustomobject]@{ Name = 'x' }; Kind = 'without a Text property' }
    ) {
        param($Case, $Item, $Kind)
        $errors = $null
        $files = @('Spoken first.', $Item, 'Spoken last.') | Invoke-TextToSpeech -OutputDirectory $script:Out -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'ParameterArgumentTransformationError,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].Exception.Message | Should -BeLike "*$Kind*type name*"
        @($files).Count | Should -Be 2
        $inputs = @(Get-EmulatorRequest $script:Emulator | ForEach-Object { $_.Input })
        $inputs | Sort-Object | Should -Be @('Spoken first.', 'Spoken last.')
    }

    It 'speaks the Text property of an object that has one' {
        $file = [pscustomobject]@{ Text = 'From a property.'; Other = 1 } | Invoke-TextToSpeech -OutputDirectory $script:Out
        $file | Should -BeOfType System.IO.FileInfo
        (Get-EmulatorRequest $script:Emulator)[0].Input | Should -BeExactly 'From a property.'
    }
}
