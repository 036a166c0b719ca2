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
        $state.ImportPSModule([string[]] @(Get-BuiltModuleManifest))
        $runspace = [runspacefactory]::CreateRunspace($state)
        $runspace.Open()
        $ps = [powershell]::Create()
        $ps.Runspace = $runspace
        $null = $ps.AddScript($Script)
        foreach ($name in $Parameters.Keys) { $null = $ps.AddParameter($name, $Parameters[$name]) }
        $ps
    }

    # A stalled answer would keep a download waiting this long: "stops at once" is measured against it, with a
    # margin of five, so a loaded machine cannot fail it and a stop that waited for the server still does.
    $script:StallSec = 60
    $script:AtOnceSec = $script:StallSec / 5

    # Waits until the output folder holds -Count temporary files, and returns how many it holds; 60 s is only a
    # safety net against a hang.
    function Wait-PartialFile([int] $Count) {
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (@(Get-ChildItem $script:Out -Force -Filter '*.partial').Count -lt $Count -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }

        @(Get-ChildItem $script:Out -Force -Filter '*.partial').Count
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
        $script:Out = New-TestOutputFolder
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
            # Documents run side by side: the batch names the ones being written, and ends with all three finished.
            $batch[0].StatusDescription | Should -Match 'Documents finished: \d; writing .*the-quarterly-maintenance-window'
            $batch[-1].StatusDescription | Should -Be 'Documents finished: 3'
            $chunkRecords | ForEach-Object {
                $_.ParentActivityId | Should -Be $batch[0].ActivityId
                $_.ActivityId | Should -Not -Be $batch[0].ActivityId
            }
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

    # Each case: what Ctrl+C stops, the runner's script, and how many temporary files show that its requests are
    # all in flight. "At once" is a fifth of the stall the server would otherwise hold every body for.
    It 'stops at once on Ctrl+C and leaves no temporary file: <Name>' -ForEach @(
        @{
            Name = 'a stalled download'; StallAfterBytes = 2000; InFlight = 1
            Script = 'param($Out) "This download will stall." | Invoke-TextToSpeech -OutputDirectory $Out -TimeoutSec 120'
        }
        @{
            Name = 'the parallel chunks of a long document'; StallAfterBytes = 1000; InFlight = 4
            Script = 'param($Out) ("Every chunk of this document stalls mid-body. " * 400) | Invoke-TextToSpeech -OutputDirectory $Out -TimeoutSec 120'
        }
        @{
            # The upstream script block sleeps after its last line, so Ctrl+C finds the pipeline outside
            # Invoke-TextToSpeech while its documents run in the background: they must still stop and clean up.
            Name = 'every document of a batch, while the pipeline waits on the command before it'; StallAfterBytes = 1000; InFlight = 4
            Script = 'param($Out) & { 1..6 | ForEach-Object { "Batch document $_ stalls mid-body." }; Start-Sleep -Seconds 60 } | Invoke-TextToSpeech -OutputDirectory $Out -TimeoutSec 120'
        }
    ) {
        Add-EmulatorFault $script:Emulator @{ times = 0; stallAfterBytes = $StallAfterBytes; stallSeconds = $script:StallSec }
        $ps = New-Runner $Script @{ Out = $script:Out }
        try {
            $null = $ps.BeginInvoke()
            Wait-PartialFile -Count $InFlight | Should -Be $InFlight -Because 'every request the default limit allows is in flight'
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan $script:AtOnceSec
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
        }
        finally {
            Remove-Runner $ps
        }
    }

    It 'cancels the documents still running when Select-Object -First has what it needs, and leaves no temporary file' {
        # The whole run, first answer included, is measured here: against a stall of five minutes.
        Add-EmulatorFault $script:Emulator @{ times = 0; inputContains = 'stalls'; stallAfterBytes = 1000; stallSeconds = 300 }
        $ps = New-Runner 'param($Out) "Quick first.", "Second stalls mid-body.", "Third stalls mid-body." | Invoke-TextToSpeech -OutputDirectory $Out -TimeoutSec 600 | Select-Object -First 1' @{ Out = $script:Out }
        try {
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $files = @($ps.Invoke())
            $watch.Elapsed.TotalSeconds | Should -BeLessThan (300 / 5)
            $files.Count | Should -Be 1
            $files[0].Name | Should -Match '^quick-first'
            @(Get-ChildItem $script:Out -Force | ForEach-Object Name) | Should -Be @($files[0].Name)
        }
        finally {
            Remove-Runner $ps
        }
    }

    It 'closes every progress bar when <Ending> ends the batch early' -TestCases @(
        @{ Ending = '-ErrorAction Stop'; Tail = '-ErrorAction Stop' }
        @{ Ending = 'Select-Object -First 1'; Tail = '| Select-Object -First 1' }
    ) {
        param($Ending, $Tail)
        $long = (1..5 | ForEach-Object { "Part $_. " + ('The quarterly report covers revenue and costs. ' * 80) }) -join "`n`n"
        $ps = New-Runner "param(`$Out, `$Long) try { `$Long, '', 'Short.' | Invoke-TextToSpeech -OutputDirectory `$Out $Tail } catch { }" @{ Out = $script:Out; Long = $long }
        try {
            $null = $ps.Invoke()
            $bars = @($ps.Streams.Progress | Group-Object ActivityId)
            $bars.Count | Should -BeGreaterThan 1 -Because 'the batch and the long document each had a bar'
            foreach ($bar in $bars) {
                $bar.Group[-1].RecordType | Should -Be 'Completed' -Because "activity $($bar.Name) ($($bar.Group[0].Activity)) was started"
            }
        }
        finally {
            Remove-Runner $ps
        }
    }
}
