BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Key = 'tk-streams-0123456789abcdef'
    $script:Emulator = Start-TtsEmulator -ArgumentList '--api-key', $script:Key
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = $env:XDG_CONFIG_HOME
    Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key

    # Runs a script in a second runspace of this process (it shares the session configuration), so its streams and
    # its stopping can be observed the way a host sees them. One statement, module imported by the runspace itself:
    # stopping a multi-statement batch races inside the engine and can take the whole process down.
    function New-Runner([string] $Script, [hashtable] $Parameters = @{}) {
        $state = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault()
        $state.ImportPSModule([string[]] @($env:AITRETTS_MODULE))
        $runspace = [runspacefactory]::CreateRunspace($state)
        $runspace.Open()
        $ps = [powershell]::Create()
        $ps.Runspace = $runspace
        $null = $ps.AddScript($Script)
        foreach ($name in $Parameters.Keys) { $null = $ps.AddParameter($name, $Parameters[$name]) }
        $ps
    }

    function Remove-Runner($Runner) {
        $runspace = $Runner.Runspace
        $Runner.Dispose()
        $runspace.Dispose()
    }
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
}

Describe 'Progress, cancellation and streams' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:Out
    }

    It 'reports chunks done out of total for a long document, under the batch' {
        $sentence = 'The quarterly maintenance window covers every storage array in the east wing. '
        $long = -join (1..130 | ForEach-Object { $sentence })
        $ps = New-Runner 'param($Out, $Long) "Short first.", $Long, "Short last." | Invoke-TextToSpeech -OutputDirectory $Out' @{ Out = $script:Out; Long = $long }
        try {
            $files = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            $files.Count | Should -Be 3
            $chunkRecords = @($ps.Streams.Progress | Where-Object { $_.Activity -like 'Synthesizing*' -and $_.RecordType -eq 'Processing' })
            $chunkRecords.Count | Should -BeGreaterThan 1
            $chunkRecords[-1].StatusDescription | Should -Match '3 of 3 chunks'
            ($chunkRecords | Select-Object -Last 1).PercentComplete | Should -Be 100
            $batch = @($ps.Streams.Progress | Where-Object { $_.Activity -eq 'Invoke-TextToSpeech' -and $_.RecordType -eq 'Processing' })
            $batch[0].StatusDescription | Should -Match 'Documents written: 1; now writing'
            $chunkRecords | ForEach-Object { $_.ParentActivityId | Should -Be $batch[0].ActivityId }
            @($ps.Streams.Progress | Where-Object RecordType -eq 'Completed').Count | Should -BeGreaterThan 0
        }
        finally {
            Remove-Runner $ps
        }
    }

    It 'writes no progress when $ProgressPreference is SilentlyContinue' {
        $long = 'Sentence number one is here. ' * 300
        $ps = New-Runner 'param($Out, $Long) $ProgressPreference = "SilentlyContinue"; $Long | Invoke-TextToSpeech -OutputDirectory $Out' @{ Out = $script:Out; Long = $long }
        try {
            $null = $ps.Invoke()
            @($ps.Streams.Progress).Count | Should -Be 0
        }
        finally {
            Remove-Runner $ps
        }
    }

    It 'stops a stalled download within a second or two of Ctrl+C and leaves no temporary file' {
        Add-EmulatorFault $script:Emulator @{ times = 0; stallAfterBytes = 2000; stallSeconds = 60 }
        $ps = New-Runner 'param($Out) "This download will stall." | Invoke-TextToSpeech -OutputDirectory $Out -TimeoutSec 120' @{ Out = $script:Out }
        try {
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (-not (Get-ChildItem $script:Out -Force -Filter '*.partial') -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }

            Get-ChildItem $script:Out -Force -Filter '*.partial' | Should -Not -BeNullOrEmpty -Because 'the download had started'
            Start-Sleep -Milliseconds 300
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
        }
        finally {
            Remove-Runner $ps
        }
    }

    It 'stops the parallel chunks of a long document on Ctrl+C' {
        Add-EmulatorFault $script:Emulator @{ times = 0; stallAfterBytes = 1000; stallSeconds = 60 }
        $long = 'Every chunk of this document stalls mid-body. ' * 400
        $ps = New-Runner 'param($Out, $Long) $Long | Invoke-TextToSpeech -OutputDirectory $Out -TimeoutSec 120' @{ Out = $script:Out; Long = $long }
        try {
            $null = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (@(Get-ChildItem $script:Out -Force -Filter '*.partial').Count -lt 4 -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }

            @(Get-ChildItem $script:Out -Force -Filter '*.partial').Count | Should -Be 4 -Because 'four chunks run at once by default'
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
            @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
        }
        finally {
            Remove-Runner $ps
        }
    }
}
