BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Manifest = Get-BuiltModuleManifest
    $script:Emulator = Start-TtsEmulator
    $script:Key = 'tk-pester-0123456789abcdef'
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = Join-Path $TestDrive 'config'
    Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key

    function Get-SpeechRequestCount {
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' }).Count
    }
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
    Use-IsolatedChunkCache | Out-Null
}

Describe 'The chunk cache' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        # Each test gets an empty cache of its own, on as it is by default.
        $script:CacheHome = Use-IsolatedChunkCache -Enabled
        $script:CacheFolder = Join-Path $script:CacheHome 'AitreTts'
        $script:Out = New-TestOutputFolder
    }

    It 'serves a chunk another process paid for, without a request' {
        $command = "Import-Module '$script:Manifest'; " +
            "'Cached across processes' | Invoke-TextToSpeech -OutputDirectory '$script:Out' -BaseUrl '$($script:Emulator.BaseUrl)' -ApiKey '$script:Key' -ErrorAction Stop | Out-Null"
        $result = Invoke-ChildPowerShell $command -TimeoutSec 300
        $result.ExitCode | Should -Be 0 -Because $result.Output
        Get-SpeechRequestCount | Should -Be 1

        $second = Join-Path $script:Out 'second'
        $file = 'Cached across processes' | Invoke-TextToSpeech -OutputDirectory $second
        Get-SpeechRequestCount | Should -Be 1
        $file.FromCache | Should -BeTrue
        $file.CachedChunks | Should -Be 1
        $first = Get-ChildItem $script:Out -Filter *.mp3
        [System.IO.File]::ReadAllBytes($file.FullName) | Should -Be ([System.IO.File]::ReadAllBytes($first.FullName))
    }

    It 'pays once for the same text piped several times at once' {
        Set-EmulatorOption $script:Emulator @{ latencyMs = 300 }
        try {
            $files = @('Same announcement.', 'Same announcement.', 'Same announcement.', 'Same announcement.' | Invoke-TextToSpeech -OutputDirectory $script:Out)
        }
        finally {
            Set-EmulatorOption $script:Emulator @{ latencyMs = 0 }
        }

        Get-SpeechRequestCount | Should -Be 1
        $files.Count | Should -Be 4
        @($files | Where-Object FromCache).Count | Should -Be 3
        @($files.FullName | Sort-Object -Unique).Count | Should -Be 1
    }

    It 'marks a subtitled document served from the cache as FromCache, as a plain one is' {
        $text = 'The first sentence of the notice. The second sentence of the notice.'
        $first = $text | Invoke-TextToSpeech -OutputDirectory $script:Out -Subtitles Srt
        $first.FromCache | Should -BeFalse
        $again = $text | Invoke-TextToSpeech -OutputDirectory (Join-Path $script:Out 'again') -Subtitles Srt
        $again.Chunks | Should -Be 2
        $again.CachedChunks | Should -Be 2
        $again.FromCache | Should -BeTrue
        Get-SpeechRequestCount | Should -Be 2
    }

    It 'marks a fresh file as not from the cache' {
        $file = 'Fresh audio' | Invoke-TextToSpeech -OutputDirectory $script:Out
        $file.FromCache | Should -BeFalse
        $file.CachedChunks | Should -Be 0
        Get-SpeechRequestCount | Should -Be 1
    }

    It 'rerunning a long document that failed sends only the chunks that were missing' {
        $paragraph = ('The quarterly report covers revenue, costs and the outlook for the year ahead. ' * 40).Trim()
        $text = (1..3 | ForEach-Object { "Part $_. $paragraph" }) + "Part 4 FAILHERE. $paragraph" -join "`n`n"
        Add-EmulatorFault $script:Emulator @{ InputContains = 'FAILHERE'; StatusCode = 400; ErrorMessage = 'refused'; Times = 1 }
        $text | Invoke-TextToSpeech -OutputDirectory $script:Out -ThrottleLimit 1 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'TtsBadRequest,*'
        Get-SpeechRequestCount | Should -Be 4

        Clear-EmulatorState $script:Emulator
        $file = $text | Invoke-TextToSpeech -OutputDirectory $script:Out -ThrottleLimit 1
        $file.Chunks | Should -Be 4
        $file.CachedChunks | Should -Be 3
        $file.FromCache | Should -BeFalse
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' }).Count | Should -Be 1
    }

    It 'requests a corrupt entry again and replaces it' {
        'Corrupt me' | Invoke-TextToSpeech -OutputDirectory $script:Out | Out-Null
        $entry = @(Get-ChildItem $script:CacheFolder -Filter *.chunk)
        $entry.Count | Should -Be 1
        $bytes = [System.IO.File]::ReadAllBytes($entry[0].FullName)
        $bytes[$bytes.Length - 1] = $bytes[$bytes.Length - 1] -bxor 0xFF
        [System.IO.File]::WriteAllBytes($entry[0].FullName, $bytes)

        $file = 'Corrupt me' | Invoke-TextToSpeech -OutputDirectory (Join-Path $script:Out 'again')
        $file.FromCache | Should -BeFalse
        Get-SpeechRequestCount | Should -Be 2
        $third = 'Corrupt me' | Invoke-TextToSpeech -OutputDirectory (Join-Path $script:Out 'third')
        $third.FromCache | Should -BeTrue
        Get-SpeechRequestCount | Should -Be 2
    }

    It '-NoCache neither reads nor writes the cache' {
        'No cache please' | Invoke-TextToSpeech -OutputDirectory $script:Out -NoCache | Out-Null
        Test-Path $script:CacheFolder | Should -BeFalse
        'No cache please' | Invoke-TextToSpeech -OutputDirectory (Join-Path $script:Out 'b') | Out-Null
        $file = 'No cache please' | Invoke-TextToSpeech -OutputDirectory (Join-Path $script:Out 'c') -NoCache
        $file.FromCache | Should -BeFalse
        Get-SpeechRequestCount | Should -Be 3
    }

    It 'a cap of 0 turns the cache off' {
        $env:AITRE_CACHE_SIZE_LIMIT_MB = '0'
        try {
            'Cap zero' | Invoke-TextToSpeech -OutputDirectory $script:Out | Out-Null
            'Cap zero' | Invoke-TextToSpeech -OutputDirectory (Join-Path $script:Out 'b') | Out-Null
            (Get-TtsCache).Enabled | Should -BeFalse
        }
        finally {
            Remove-Item Env:AITRE_CACHE_SIZE_LIMIT_MB
        }

        Get-SpeechRequestCount | Should -Be 2
        Test-Path $script:CacheFolder | Should -BeFalse
    }

    It 'Get-TtsCache shows the folder, entries and size; Clear-TtsCache empties it' {
        'One', 'Two' | Invoke-TextToSpeech -OutputDirectory $script:Out | Out-Null
        $cache = Get-TtsCache
        $cache | Should -BeOfType AitreTts.TtsCacheInfo
        $cache.Path | Should -Be $script:CacheFolder
        $cache.Entries | Should -Be 2
        $cache.SizeBytes | Should -BeGreaterThan 160
        $cache.SizeLimitBytes | Should -Be 1GB
        $cache.Enabled | Should -BeTrue

        Clear-TtsCache -WhatIf
        (Get-TtsCache).Entries | Should -Be 2
        Clear-TtsCache -Confirm:$false
        (Get-TtsCache).Entries | Should -Be 0
        (Get-TtsCache).SizeBytes | Should -Be 0

        'One' | Invoke-TextToSpeech -OutputDirectory (Join-Path $script:Out 'b') | Out-Null
        Get-SpeechRequestCount | Should -Be 3
    }

    It 'the profile cap evicts the least recently used entries' {
        Set-TtsConfiguration -Scope Process -CacheSizeLimitMB 1
        try {
            $paragraph = ('Long enough to make a large chunk of audio for the eviction test. ' * 12).Trim()
            "Document 0. $paragraph" | Invoke-TextToSpeech -OutputDirectory $script:Out | Out-Null
            $entrySize = (Get-TtsCache).SizeBytes
            $entrySize | Should -BeGreaterThan 0
            $count = [int][Math]::Ceiling(1MB / $entrySize) + 3
            $texts = 1..$count | ForEach-Object { "Document $_. $paragraph" }
            # One call each, so the last text is the one stored last: in one pipeline the documents run side by side
            # and the order they finish in, which decides what is least recently used, is the server's.
            foreach ($text in $texts) { $text | Invoke-TextToSpeech -OutputDirectory $script:Out | Out-Null }
            $cache = Get-TtsCache
            $cache.SizeLimitBytes | Should -Be 1MB
            $cache.SizeBytes | Should -BeLessOrEqual 1MB
            $cache.Entries | Should -BeGreaterThan 0
            $cache.Entries | Should -BeLessThan ($count + 1)
            $entries = @(Get-ChildItem $script:CacheFolder -Filter *.chunk)
            ($entries | Measure-Object Length -Sum).Sum | Should -BeLessOrEqual 1MB
            # The least recently used went first: the first document is gone, the last one is served.
            Clear-EmulatorState $script:Emulator
            ("Document $count. $paragraph" | Invoke-TextToSpeech -OutputDirectory (Join-Path $script:Out 'last')).FromCache | Should -BeTrue
            ("Document 0. $paragraph" | Invoke-TextToSpeech -OutputDirectory (Join-Path $script:Out 'first')).FromCache | Should -BeFalse
        }
        finally {
            Remove-TtsConfiguration -Scope Process -Confirm:$false
            Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
        }
    }

    It 'keeps the cache folder private to the user (0700)' {
        if ([Environment]::OSVersion.Platform -eq 'Win32NT') {
            Set-ItResult -Skipped -Because 'Windows has no Unix file modes; the folder inherits the profile ACL'
            return
        }

        'Private folder' | Invoke-TextToSpeech -OutputDirectory $script:Out | Out-Null
        $mode = (Get-Item $script:CacheFolder).UnixFileMode
        [int]$mode -band 0x1FF | Should -Be 0x1C0
    }

    It 'the offline provider does not use the cache' {
        Set-TtsConfiguration -Profile offline -Provider Offline
        $file = 'Offline words' | Invoke-TextToSpeech -OutputDirectory $script:Out -Profile offline
        $file.FromCache | Should -BeFalse
        Test-Path $script:CacheFolder | Should -BeFalse
        Get-SpeechRequestCount | Should -Be 0
    }
}

Describe 'The cost in -WhatIf and -Verbose' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:CacheHome = Use-IsolatedChunkCache -Enabled
        $script:Out = New-TestOutputFolder
        $script:Transcript = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.txt')
    }

    It '-WhatIf says the requests, the cache hits and the estimated cost for <Model>' -TestCases @(
        @{ Model = 'tts-1'; Cost = '\$0\.1500' }
        @{ Model = 'tts-1-hd'; Cost = '\$0\.3000' }
        @{ Model = 'gpt-4o-mini-tts'; Cost = '\$0\.1667' }
    ) {
        # The emulator is a Local provider: the stored price names OpenAI's model prices as a gateway's would not.
        $env:AITRE_PROVIDER = 'OpenAI'
        try {
            $text = 'x' * 10000
            $null = Start-Transcript -Path $script:Transcript
            $text | Invoke-TextToSpeech -OutputDirectory $script:Out -Model $Model -WhatIf
            $null = Stop-Transcript
        }
        finally {
            Remove-Item Env:AITRE_PROVIDER
        }

        $output = Get-Content $script:Transcript -Raw
        $output | Should -Match '3 requests to send'
        $output | Should -Match "estimated cost $Cost"
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It '-WhatIf counts the chunks the cache would serve, and -Verbose states the basis' {
        'Served from the cache.' | Invoke-TextToSpeech -OutputDirectory $script:Out | Out-Null
        $null = Start-Transcript -Path $script:Transcript
        'Served from the cache.' | Invoke-TextToSpeech -OutputDirectory $script:Out -WhatIf
        $null = Stop-Transcript
        $output = Get-Content $script:Transcript -Raw
        $output | Should -Match '0 requests to send, 1 served by the cache'

        $verbose = 'Served from the cache.' | Invoke-TextToSpeech -OutputDirectory $script:Out -WhatIf -Verbose 4>&1 | Out-String
        $verbose | Should -Match 'basis: '
    }

    It 'states the estimate under -Verbose or $VerbosePreference on a real run too' {
        $given = 'Estimated aloud.' | Invoke-TextToSpeech -OutputDirectory $script:Out -Verbose 4>&1 | Out-String
        $given | Should -Match 'Estimate: 1 request to send; cost unknown'
        $byPreference = & { $VerbosePreference = 'Continue'; 'Estimated by preference.' | Invoke-TextToSpeech -OutputDirectory $script:Out } 4>&1 | Out-String
        $byPreference | Should -Match 'Estimate: 1 request to send'
        # The core's own messages follow the preference too, though they are skipped when nobody would see them.
        $byPreference | Should -Match 'POST \S+ .*HTTP 200'
        $byPreference | Should -Match 'Wrote \d+ bytes'
        $quiet = 'Estimated quietly.' | Invoke-TextToSpeech -OutputDirectory $script:Out 4>&1 | Out-String
        $quiet | Should -Not -Match 'Estimate:'
    }

    It 'says the cost is unknown where no price is known, and uses a stored price per million characters' {
        $null = Start-Transcript -Path $script:Transcript
        ('y' * 2000) | Invoke-TextToSpeech -OutputDirectory $script:Out -WhatIf
        $null = Stop-Transcript
        Get-Content $script:Transcript -Raw | Should -Match 'cost unknown'

        Set-TtsConfiguration -Scope Process -PricePerMillionCharacters 100
        try {
            $verbose = ('y' * 2000) | Invoke-TextToSpeech -OutputDirectory $script:Out -WhatIf -Verbose 4>&1 | Out-String
        }
        finally {
            Remove-TtsConfiguration -Scope Process -Confirm:$false
            Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
        }

        $verbose | Should -Match 'estimated cost \$0\.2000'
        $verbose | Should -Match 'PricePerMillionCharacters'
    }
}

Describe 'Documents in parallel' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
    }

    AfterEach {
        Set-EmulatorOption $script:Emulator @{ latencyMs = 0 }
    }

    It 'writes files and errors in input order, although the first document finishes last' {
        # The first document's answer is held until the server has answered the three others, one of them refused
        # and one failed by the server: it finishes last at any machine speed. Output still follows the input.
        # Documents start in parallel and may arrive in any order, so the three others are held until all four are
        # held at once: none is answered before the first has arrived.
        Add-EmulatorFault $script:Emulator @{ inputContains = 'SLOWEST'; holdUntilAnswered = 3 }
        Add-EmulatorFault $script:Emulator @{ inputContains = 'REFUSED'; statusCode = 400; errorMessage = 'refused by the server'; holdUntilHeld = 4 }
        Add-EmulatorFault $script:Emulator @{ holdUntilHeld = 4; times = 2 }
        $inputs = 'First and SLOWEST.', 'Second.', '', 'Fourth is REFUSED.', 'Fifth.'
        $output = @($inputs | Invoke-TextToSpeech -OutputDirectory $script:Out -ErrorAction Continue 2>&1)

        Assert-EmulatorHoldsKept $script:Emulator
        $output.Count | Should -Be 5
        $output[0].Name | Should -Match '^first-and-slowest'
        $output[1].Name | Should -Match '^second'
        $output[2].FullyQualifiedErrorId | Should -BeLike 'TtsInputEmpty,*'
        $output[3].FullyQualifiedErrorId | Should -BeLike 'TtsBadRequest,*'
        $output[3].TargetObject | Should -Be 'Fourth is REFUSED.'
        $output[4].Name | Should -Match '^fifth'

        # The later documents were sent while the first still waited for its answer.
        $requests = @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' })
        $requests.Count | Should -Be 4
        ($requests | Where-Object input -EQ 'Fifth.').inFlight | Should -BeGreaterThan 1
    }

    It 'bounds the requests in flight by -ThrottleLimit <Limit> across documents and chunks' -TestCases @(
        @{ Limit = 2; Given = @{ ThrottleLimit = 2 } }
        @{ Limit = 4; Given = @{} }
    ) {
        param($Limit, $Given)
        # Every request is held until the test lets it go: the first $Limit are in flight together however slow the
        # machine is, and one more would be held beside them.
        Add-EmulatorFault $script:Emulator @{ pathContains = '/audio/speech'; holdUntilReleased = $true; times = 0 }
        $long = ('The long document in the middle of the batch has several chunks of its own to send. ' * 60).Trim()
        $inputs = @(1..5 | ForEach-Object { "Short document number $_." }) + $long + @(6..10 | ForEach-Object { "Short document number $_." })
        $runner = [powershell]::Create()
        $null = $runner.AddScript({
                param($Manifest, $Inputs, $Out, $BaseUrl, $Key, $Given)
                Import-Module $Manifest
                $Inputs | Invoke-TextToSpeech -OutputDirectory $Out -NoCache -BaseUrl $BaseUrl -ApiKey $Key @Given
            }).AddParameters(@{ Manifest = $script:Manifest; Inputs = $inputs; Out = $script:Out; BaseUrl = $script:Emulator.BaseUrl; Key = $script:Key; Given = $Given })
        $running = $runner.BeginInvoke()
        try {
            Wait-EmulatorHeld $script:Emulator -Count $Limit | Should -BeTrue
            # A limit that let more through would send the next request now: give it two seconds to show. A correct
            # limit holds however long this takes, so the window decides nothing on a slow machine.
            Wait-EmulatorHeld $script:Emulator -Count ($Limit + 1) -TimeoutSec 2 -AllowTimeout | Should -BeFalse -Because "at most $Limit requests may be in flight"
            while (-not $running.AsyncWaitHandle.WaitOne(100)) { $null = Invoke-EmulatorRelease $script:Emulator }
            $files = @($runner.EndInvoke($running))
            @($runner.Streams.Error) | Should -HaveCount 0
        }
        finally {
            $null = Invoke-EmulatorRelease $script:Emulator
            $runner.Dispose()
        }

        Assert-EmulatorHoldsKept $script:Emulator
        $files.Count | Should -Be 11
        $files[5].Chunks | Should -BeGreaterThan 1
        ($files | ForEach-Object Characters) | Should -Be ($inputs | ForEach-Object Length)
        $files[5].Name | Should -Match '^the-long-document'
        $files[6].Name | Should -Match '^short-document-number-6-'
        $files[10].Name | Should -Match '^short-document-number-10-'
        $inFlight = @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' } | ForEach-Object inFlight)
        ($inFlight | Measure-Object -Maximum).Maximum | Should -Be $Limit
    }

    It '-ErrorAction Stop ends the batch at the first failure in input order, and leaves no temporary file' {
        Set-EmulatorOption $script:Emulator @{ latencyMs = 200 }
        Add-EmulatorFault $script:Emulator @{ inputContains = 'REFUSED'; statusCode = 400; errorMessage = 'refused by the server' }
        $written = [System.Collections.Generic.List[object]]::new()
        $inputs = @('First.', 'Second is REFUSED.') + @(3..12 | ForEach-Object { "Document $_." })
        { $inputs | Invoke-TextToSpeech -OutputDirectory $script:Out -ErrorAction Stop | ForEach-Object { $written.Add($_) } } |
            Should -Throw -ErrorId 'TtsBadRequest,*'
        @($written | ForEach-Object Name) | Should -HaveCount 1
        $written[0].Name | Should -Match '^first'
        # Documents after the failure that were still running were cancelled and cleaned up; none was reported.
        @(Get-ChildItem $script:Out -Force -Filter '*.partial').Count | Should -Be 0
        @(Get-ChildItem $script:Out -Force -Filter '.*').Count | Should -Be 0
    }

    It 'delivers every Verbose message of every document, each before its file, however the documents finish' {
        # A document could finish between the last pump and the writing of its result: its messages were then left
        # in the queue when the command ended. Ten rounds, since it depended on timing.
        Add-EmulatorFault $script:Emulator @{ inputContains = 'Bravo'; statusCode = 500; errorMessage = 'try again'; times = 0 }
        $inputs = 'Alpha speaks.', 'Bravo fails.', 'Charlie speaks.', 'Echo speaks longer than the others do.'
        foreach ($round in 1..10) {
            $stream = @($inputs | Invoke-TextToSpeech -OutputDirectory $script:Out -NoCache -MaximumRetryCount 1 -RetryIntervalSec 0 -Verbose -ErrorAction SilentlyContinue 4>&1 | ForEach-Object { $_ })
            $files = @($stream | Where-Object { $_ -is [System.IO.FileInfo] })
            $files.Count | Should -Be 3
            @($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Attempt 1 of 2 failed*' }).Count | Should -Be 1 -Because "round $round"
            foreach ($file in $files) {
                $wrote = [array]::FindIndex([object[]] $stream, [Predicate[object]] { param($item) $item -is [System.Management.Automation.VerboseRecord] -and $item.Message -like "Wrote * to $($file.FullName)." })
                $wrote | Should -BeGreaterOrEqual 0 -Because "round $round, $($file.Name)"
                $wrote | Should -BeLessThan ([array]::IndexOf([object[]] $stream, $file)) -Because "round $round, $($file.Name)"
            }
        }
    }

    It 'gives a name two inputs would both take to the earlier input, however the two finish' {
        $a = Join-Path $script:Out 'a'; $b = Join-Path $script:Out 'b'; $target = Join-Path $script:Out 'spoken'
        $null = New-Item -ItemType Directory -Path $a, $b
        Set-Content -Path (Join-Path $a 'notes.txt') -Value 'The first notes file, answered SLOWLY.'
        Set-Content -Path (Join-Path $b 'notes.txt') -Value 'The second notes file.'
        Add-EmulatorFault $script:Emulator @{ inputContains = 'SLOWLY'; holdUntilAnswered = 1 } # the second answers first, at any speed
        $files = @(Get-ChildItem (Join-Path $a 'notes.txt'), (Join-Path $b 'notes.txt') | Invoke-TextToSpeech -OutputDirectory $target -NoCache)
        $files[0].Name | Should -Be 'notes.mp3'
        $files[1].Name | Should -Match '^notes-[0-9a-f]{8}\.mp3$'
    }

    It '-OutFile still puts every piped string into one file' {
        Set-EmulatorOption $script:Emulator @{ latencyMs = 100 }
        $target = Join-Path $script:Out 'all.mp3'
        $files = @('One.', 'Two.', 'Three.' | Invoke-TextToSpeech -OutFile $target)
        $files.Count | Should -Be 1
        $files[0].FullName | Should -Be $target
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.path -like '*/audio/speech*' }).Count | Should -Be 1
    }
}
