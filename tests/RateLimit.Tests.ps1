# Pacing to an account's rate limit, against the emulator's OpenAI-style bucket (x-ratelimit-* headers, 429 with
# Retry-After past it). The limit is scaled (600 a minute, a bucket of 10) so each batch takes seconds; the
# assertions are ratios to the limit's floor, the least time the server allows.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Manifest = Get-BuiltModuleManifest
    $script:Emulator = Start-TtsEmulator
    $script:Key = 'tk-pester-ratelimit-0123456789'
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = Join-Path $TestDrive 'config'
    Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key

    $script:PerMinute = 600
    $script:Burst = 10
    function Get-FloorSeconds([int] $Documents) { ($Documents - $script:Burst) / ($script:PerMinute / 60) }
    function Get-Texts([string] $Prefix, [int] $Count) { 1..$Count | ForEach-Object { "$Prefix announcement number $_ for the platform." } }
}

AfterAll {
    Stop-TtsEmulator $script:Emulator
}

Describe 'Pacing to the account rate limit' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        Set-EmulatorOption $script:Emulator @{ accountRequestsPerMinute = $script:PerMinute; accountBurst = $script:Burst }
        $script:Out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    AfterEach {
        Set-EmulatorOption $script:Emulator @{ accountRequestsPerMinute = 0; accountBurst = 0 }
    }

    It '80 documents give 80 files and no error, near the floor, with few requests rejected' {
        $texts = Get-Texts 'Paced' 80
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $files = @($texts | Invoke-TextToSpeech -OutputDirectory $script:Out -NoCache -ErrorVariable errors -ErrorAction SilentlyContinue -Verbose 4>&1 |
            ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $script:Verbose += @($_.Message) } else { $_ } })
        $watch.Stop()

        $errors | Should -BeNullOrEmpty
        $files.Count | Should -Be 80
        @(Get-ChildItem $script:Out -Filter *.mp3).Count | Should -Be 80
        $requests = @(Get-EmulatorRequest $script:Emulator | Where-Object Path -EQ '/v1/audio/speech')
        $rejected = @($requests | Where-Object StatusCode -EQ 429).Count
        @($requests | Where-Object StatusCode -EQ 200).Count | Should -Be 80
        $ratio = $watch.Elapsed.TotalSeconds / (Get-FloorSeconds 80)
        $ratio | Should -BeLessOrEqual 1.3 -Because "80 documents took $($watch.Elapsed.TotalSeconds) s against a floor of $(Get-FloorSeconds 80) s ($rejected of $($requests.Count) rejected)"
        $rejected | Should -BeLessOrEqual ($requests.Count / 10)
        # -Verbose says why a request waited.
        ($script:Verbose -join "`n") | Should -Match 'Holding a request to 127\.0\.0\.1 for .*request budget is used up'
    }

    It 'two processes with 45 documents each on one key lose nothing' {
        $command = {
            param($Manifest, $Out, $Prefix)
            Import-Module $Manifest
            $texts = 1..45 | ForEach-Object { "$Prefix announcement number $_ for the platform." }
            $files = @($texts | Invoke-TextToSpeech -OutputDirectory $Out -NoCache -ErrorVariable failed -ErrorAction SilentlyContinue)
            "FILES=$($files.Count) ERRORS=$(@($failed).Count) $(@($failed | ForEach-Object FullyQualifiedErrorId) -join ',')"
        }
        $children = foreach ($name in 'One', 'Two') {
            $script = "& { $command } '$script:Manifest' '$(Join-Path $script:Out $name)' '$name'"
            Start-ChildPowerShell -Command $script -Environment @{
                AITRE_BASE_URL  = $script:Emulator.BaseUrl
                AITRE_API_KEY   = $script:Key
                XDG_CONFIG_HOME = Join-Path $TestDrive "config-$name"
                APPDATA         = Join-Path $TestDrive "config-$name"
            }
        }
        $results = @($children | Wait-ChildPowerShell -TimeoutSec 300)

        foreach ($result in $results) {
            $result.ExitCode | Should -Be 0 -Because $result.Output
            $result.StdOut | Should -Match 'FILES=45 ERRORS=0' -Because $result.Output
        }
        @(Get-ChildItem (Join-Path $script:Out 'One') -Filter *.mp3).Count | Should -Be 45
        @(Get-ChildItem (Join-Path $script:Out 'Two') -Filter *.mp3).Count | Should -Be 45
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.Path -eq '/v1/audio/speech' -and $_.StatusCode -eq 200 }).Count | Should -Be 90
    }
}

Describe 'The bound on waiting' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'a 429 that asks to wait does not use up -MaximumRetryCount' {
        Add-EmulatorFault $script:Emulator @{ StatusCode = 429; ErrorCode = 'rate_limit_exceeded'; Headers = @{ 'retry-after-ms' = '20' }; Times = 3 }

        $file = 'Three waits.' | Invoke-TextToSpeech -OutputDirectory $script:Out -NoCache -MaximumRetryCount 0

        $file.Length | Should -BeGreaterThan 0
        @(Get-EmulatorRequest $script:Emulator | ForEach-Object StatusCode) | Should -Be @(429, 429, 429, 200)
    }

    It 'waits past -MaximumRateLimitWaitSec fail with TtsRateLimited, naming the bound' {
        Add-EmulatorFault $script:Emulator @{ StatusCode = 429; ErrorCode = 'rate_limit_exceeded'; Headers = @{ 'retry-after-ms' = '400' }; Times = 0 }

        $files = @('Never let through.', 'Nor this.' | Invoke-TextToSpeech -OutputDirectory $script:Out -NoCache -MaximumRateLimitWaitSec 1 -ErrorVariable failed -ErrorAction SilentlyContinue)

        $files.Count | Should -Be 0
        @($failed).Count | Should -Be 2
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TtsRateLimited*'
        $failed[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $failed[0].Exception.Message | Should -Match 'the 1 s that MaximumRateLimitWaitSec allows'
        Test-Path $script:Out | Should -BeTrue
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }

    It 'is a stored setting, shown with RequestsPerMinute' {
        Set-TtsConfiguration -Scope Process -MaximumRateLimitWaitSec 1800 -RequestsPerMinute 30
        try {
            $shown = Get-TtsConfiguration
            $shown.MaximumRateLimitWaitSec | Should -Be 1800
            $shown.RequestsPerMinute | Should -Be 30
            ($shown | Format-List | Out-String) | Should -Match 'MaximumRateLimitWaitSec\s*:\s*1800'
        }
        finally {
            Set-TtsConfiguration -Scope Process -MaximumRateLimitWaitSec 900
        }
    }

    It 'refuses a value out of range' {
        { 'x' | Invoke-TextToSpeech -MaximumRateLimitWaitSec -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,AitreTts.Commands.InvokeTextToSpeechCommand'
    }
}

Describe 'Progress while a request waits on the limit' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'says how long and why, while the request is held' {
        # One 429 asking to wait 30 s: the request waits it out, and the test stops it once the wait shows.
        Add-EmulatorFault $script:Emulator @{ StatusCode = 429; ErrorCode = 'rate_limit_exceeded'; ErrorMessage = 'Rate limit reached for requests'; Headers = @{ 'Retry-After' = '30' }; Times = 1 }
        $state = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault()
        $state.ImportPSModule([string[]] @($script:Manifest))
        $runspace = [runspacefactory]::CreateRunspace($state)
        $runspace.Open()
        $ps = [powershell]::Create()
        $ps.Runspace = $runspace
        # A runspace of this process: it shares the -Scope Process configuration (the emulator). Its own key gives it
        # its own pacer: the process's pacer for the other key may still hold a wait from the tests before.
        $null = $ps.AddScript('param($Out) "Held once." | Invoke-TextToSpeech -OutputDirectory $Out -NoCache -ApiKey tk-pester-progress-0123456789').AddParameter('Out', $script:Out)
        try {
            $running = $ps.BeginInvoke()
            # Waits for the record; 60 s is only a safety net, far beyond what showing it takes.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            $activity = 'Waiting on the rate limit of 127.0.0.1'
            while (-not @($ps.Streams.Progress | Where-Object { $_.Activity -eq $activity }) -and -not $running.IsCompleted -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }

            $held = @($ps.Streams.Progress | Where-Object { $_.Activity -eq $activity })
            $held.Count | Should -BeGreaterThan 0 -Because 'a request held by the limit shows a progress record of its own'
            $held[0].RecordType | Should -Be 'Processing'
            $held[0].StatusDescription | Should -Match '^1 request held until \d\d:\d\d:\d\d \(\d+ s\): HTTP 429, rate limited: "Rate limit reached for requests".*the server asked to wait 30 s'
            $held[0].SecondsRemaining | Should -BeGreaterThan 0
            $held[0].SecondsRemaining | Should -BeLessOrEqual 30
            # While the record shows, the request is still held: the server has seen only the rejected attempt.
            @(Get-EmulatorRequest $script:Emulator | Where-Object Path -EQ '/v1/audio/speech' | ForEach-Object StatusCode) | Should -Be @(429)
            $running.IsCompleted | Should -BeFalse
        }
        finally {
            $ps.Stop()
            $ps.Dispose()
            $runspace.Dispose()
        }
    }
}
