BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
}

Describe 'Set-TtsConfiguration and Get-TtsConfiguration' {
    BeforeEach {
        $env:XDG_CONFIG_HOME = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $env:APPDATA = $env:XDG_CONFIG_HOME
        Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL -ErrorAction SilentlyContinue
        # Session settings outlive a test file when several run in one process.
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        $script:ConfigFile = Join-Path $env:XDG_CONFIG_HOME 'AitreTts/config.json'
    }

    It 'shows the defaults and their source' {
        $config = Get-TtsConfiguration
        $config.BaseUrl | Should -Be 'https://api.openai.com'
        $config.Model | Should -Be 'tts-1'
        $config.Voice | Should -Be 'alloy'
        $config.Format | Should -Be 'mp3'
        $config.TimeoutSec | Should -Be 100
        $config.MaximumRetryCount | Should -Be 2
        $config.HasApiKey | Should -BeFalse
        $config.Source['BaseUrl'] | Should -Be 'Default'
        $config.ConfigurationPath | Should -Be $script:ConfigFile
    }

    It 'persists a key given as a plain string without storing it in plain text' {
        $key = 'tk-persisted-0123456789abcdef'
        Set-TtsConfiguration -ApiKey $key -Voice nova
        Test-Path $script:ConfigFile | Should -BeTrue
        Get-Content $script:ConfigFile -Raw | Should -Not -Match 'persisted'
        $config = Get-TtsConfiguration
        $config.HasApiKey | Should -BeTrue
        $config.ApiKey | Should -Be 'tk-...cdef'
        $config.Voice | Should -Be 'nova'
        $config.Source['ApiKey'] | Should -Be "File ($script:ConfigFile)"
        ($config | Out-String) | Should -Not -Match 'persisted'
    }

    It 'accepts a SecureString key' {
        Set-TtsConfiguration -ApiKey (ConvertTo-SecureString 'tk-secure-0123456789abcdef' -AsPlainText -Force)
        (Get-TtsConfiguration).ApiKey | Should -Be 'tk-...cdef'
    }

    It 'creates the file readable by its owner only' -Skip:([Environment]::OSVersion.Platform -eq 'Win32NT') {
        Set-TtsConfiguration -Voice echo
        [Convert]::ToString([int](Get-Item $script:ConfigFile).UnixFileMode, 8) | Should -Be '600'
        [Convert]::ToString([int](Get-Item (Split-Path $script:ConfigFile)).UnixFileMode, 8) | Should -Be '700'
    }

    It 'keeps -Scope Process out of the file' {
        Set-TtsConfiguration -Scope Process -Model tts-1-hd
        try {
            Test-Path $script:ConfigFile | Should -BeFalse
            $config = Get-TtsConfiguration
            $config.Model | Should -Be 'tts-1-hd'
            $config.Source['Model'] | Should -Be 'Session'
        }
        finally {
            Set-TtsConfiguration -Scope Process -Model tts-1
        }
    }

    It 'ranks the environment above the file' {
        Set-TtsConfiguration -BaseUrl 'https://file.example.com'
        $env:AITRE_BASE_URL = 'https://env.example.com'
        try {
            $config = Get-TtsConfiguration
            $config.BaseUrl | Should -Be 'https://env.example.com'
            $config.Source['BaseUrl'] | Should -Be 'Environment (AITRE_BASE_URL)'
        }
        finally {
            Remove-Item Env:AITRE_BASE_URL
        }
    }

    It 'refuses a malformed BaseUrl' -TestCases @(@{ Url = 'api.openai.com' }, @{ Url = '/v1' }, @{ Url = 'ftp://x' }) {
        param($Url)
        { Set-TtsConfiguration -BaseUrl $Url } | Should -Throw -ErrorId 'TtsInvalidBaseUrl,*'
    }

    It 'refuses an unknown default format' {
        { Set-TtsConfiguration -Format wma } | Should -Throw -ErrorId 'TtsInvalidFormat,*'
    }

    It 'supports -WhatIf' {
        Set-TtsConfiguration -Voice shimmer -WhatIf
        Test-Path $script:ConfigFile | Should -BeFalse
    }

    It 'returns the configuration with -PassThru' {
        (Set-TtsConfiguration -Scope Process -Voice sage -PassThru).Voice | Should -Be 'sage'
        Set-TtsConfiguration -Scope Process -Voice alloy
    }
}
