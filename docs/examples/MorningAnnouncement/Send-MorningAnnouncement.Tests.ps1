BeforeAll {
    # The repository's suite sets AITRETTS_MODULE to the module it has just built; anywhere else the installed
    # AitreTts is used.
    if ($env:AITRETTS_MODULE) { Import-Module $env:AITRETTS_MODULE -Force } else { Import-Module AitreTts }
    $script:Script = Join-Path $PSScriptRoot 'Send-MorningAnnouncement.ps1'

    # End to end with no key, no network and no cost: real audio made inside the module, for this process only.
    Set-TtsConfiguration -Scope Process -Provider Offline

    # What Invoke-TextToSpeech writes when the provider keeps answering 429: the same ErrorId (and so the same
    # FullyQualifiedErrorId), category and exception type.
    function New-TtsError([string] $ErrorId, [System.Management.Automation.ErrorCategory] $Category) {
        $exception = [AitreTts.Core.Errors.TtsException]::new($ErrorId, [AitreTts.Core.Errors.TtsErrorCategory]$Category.ToString(), "$ErrorId (raised by a test).")
        [System.Management.Automation.ErrorRecord]::new($exception, "$ErrorId,AitreTts.Commands.InvokeTextToSpeechCommand", $Category, $null)
    }
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
}

Describe 'Send-MorningAnnouncement' {
    BeforeEach {
        $script:Text = Join-Path $TestDrive 'today.txt'
        Set-Content -LiteralPath $script:Text -Value 'Good morning.', 'The canteen opens at eight.', 'The lifts are serviced at ten.'
        $script:Audio = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:Audio
    }

    It 'speaks the whole text file to one dated mp3' {
        $file = & $script:Script -Path $script:Text -OutputDirectory $script:Audio -Date ([datetime]'2026-03-02')
        $file.Name | Should -Be 'announcement-2026-03-02.mp3'
        $file.Length | Should -BeGreaterThan 1000
        $file.Voice | Should -Be 'nova'
        $file.Chunks | Should -Be 1
        $file.RequestId | Should -Match '^offline-'
        # One second per 15 characters: the three lines (with their line breaks) last about four seconds.
        $file.Duration.TotalSeconds | Should -BeGreaterThan 3
        @(Get-ChildItem $script:Audio).Count | Should -Be 1
    }

    It 'waits once after TtsRateLimited, then warns and exits with 3, leaving no file' {
        Mock Invoke-TextToSpeech { $PSCmdlet.WriteError((New-TtsError 'TtsRateLimited' 'LimitsExceeded')) }
        Mock Start-Sleep { }
        $warnings = $null
        $null = & $script:Script -Path $script:Text -OutputDirectory $script:Audio -Date ([datetime]'2026-03-02') -WarningVariable warnings -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -Be 3
        Should -Invoke Invoke-TextToSpeech -Times 2 -Exactly -ParameterFilter { $Voice -eq 'nova' -and $OutFile -like '*announcement-2026-03-02.mp3' }
        Should -Invoke Start-Sleep -Times 1 -Exactly -ParameterFilter { $Seconds -eq 60 }
        "$warnings" | Should -BeLike '*Still rate limited*'
        @(Get-ChildItem $script:Audio).Count | Should -Be 0
    }

    It 'makes the announcement when the second try gets through' {
        $script:Calls = 0
        Mock Invoke-TextToSpeech {
            $script:Calls++
            if ($script:Calls -eq 1) { $PSCmdlet.WriteError((New-TtsError 'TtsRateLimited' 'LimitsExceeded')); return }
            [System.IO.FileInfo] $OutFile
        }
        Mock Start-Sleep { }
        $file = & $script:Script -Path $script:Text -OutputDirectory $script:Audio -Date ([datetime]'2026-03-02') -WarningAction SilentlyContinue
        $file.Name | Should -Be 'announcement-2026-03-02.mp3'
        Should -Invoke Invoke-TextToSpeech -Times 2 -Exactly
    }

    It 'stops on any other error, with its ErrorId' {
        Mock Invoke-TextToSpeech { $PSCmdlet.WriteError((New-TtsError 'TtsAuthenticationFailed' 'AuthenticationError')) }
        Mock Start-Sleep { }
        { & $script:Script -Path $script:Text -OutputDirectory $script:Audio } | Should -Throw -ErrorId 'TtsAuthenticationFailed,*'
        Should -Invoke Start-Sleep -Times 0 -Exactly
    }
}
