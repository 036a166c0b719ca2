BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Manifest = Get-BuiltModuleManifest
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = $env:XDG_CONFIG_HOME
    # The offline provider must work with no key and no server anywhere in reach.
    Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL, Env:AITRE_PROVIDER -ErrorAction SilentlyContinue
    Set-TtsConfiguration -Scope Process -Provider Offline

    $script:HasFfmpeg = [bool](Get-Command ffmpeg -ErrorAction SilentlyContinue) -and [bool](Get-Command ffprobe -ErrorAction SilentlyContinue)

    # -err_detect crccheck: ffmpeg checks frame CRCs (flac, mp3) only when asked, and a damaged frame must show.
    # Raw pcm has no header, so the decoders are told what the offline provider writes: 24 kHz 16-bit mono.
    function Get-RawInputOption([string] $Format) {
        if ($Format -eq 'pcm') { return @('-f', 's16le', '-ar', '24000', '-ac', '1') }
        @()
    }

    function Get-FfprobeResult([string] $Path, [string] $Format) {
        $inputOptions = Get-RawInputOption $Format
        $output = & ffprobe -v error @inputOptions -show_entries stream=codec_name,sample_rate,channels -of compact=p=0 $Path 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String).Trim() }
    }

    function Get-FfmpegDecodeError([string] $Path, [string] $Format) {
        $inputOptions = Get-RawInputOption $Format
        $output = & ffmpeg -nostdin -v error -err_detect crccheck @inputOptions -i $Path -f null - 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String).Trim() }
    }

    # The length a player hears: every sample decoded (ffprobe only estimates ADTS aac from its bit rate).
    function Get-DecodedSecond([string] $Path, [string] $Format) {
        $inputOptions = Get-RawInputOption $Format
        $raw = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.raw')
        $null = & ffmpeg -nostdin -v error @inputOptions -i $Path -f s16le -ac 1 -ar 24000 -y $raw 2>&1
        (Get-Item -LiteralPath $raw).Length / 48000.0
    }

    function New-Sentence([int] $Length) {
        # Ordinary prose, so sentence splitting and the character count behave as with a real document.
        $sentence = 'The backup of the file server finished without errors. '
        $text = $sentence * ([math]::Ceiling($Length / $sentence.Length))
        $text.Substring(0, $Length)
    }
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
}

Describe 'The offline provider' {
    BeforeEach {
        $script:Out = New-TestOutputFolder
        Push-Location $script:Out
    }

    AfterEach {
        Pop-Location
    }

    Context 'audio' {
        It 'writes <Format> that ffprobe reads and ffmpeg decodes without an error' -TestCases @(
            @{ Format = 'mp3'; Codec = 'mp3' }
            @{ Format = 'opus'; Codec = 'opus' }
            @{ Format = 'aac'; Codec = 'aac' }
            @{ Format = 'flac'; Codec = 'flac' }
            @{ Format = 'wav'; Codec = 'pcm_s16le' }
            @{ Format = 'pcm'; Codec = 'pcm_s16le' }
        ) {
            if (-not $script:HasFfmpeg) { Set-ItResult -Skipped -Because 'ffmpeg and ffprobe are not on PATH' ; return }
            $file = 'The backup finished at four. Nothing needs doing.' | Invoke-TextToSpeech -Format $Format
            $file.Extension | Should -Be ".$Format"
            $file.Format | Should -Be $Format
            $probe = Get-FfprobeResult $file.FullName $Format
            $probe.ExitCode | Should -Be 0
            $probe.Output | Should -BeLike "codec_name=$Codec*channels=1*"
            $decode = Get-FfmpegDecodeError $file.FullName $Format
            $decode.Output | Should -BeNullOrEmpty
            $decode.ExitCode | Should -Be 0
        }

        It 'wav is 24 kHz 16-bit mono with true header sizes' {
            $file = 'Header sizes.' | Invoke-TextToSpeech -Format wav
            $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
            [BitConverter]::ToUInt32($bytes, 4) | Should -Be ($bytes.Length - 8)
            [BitConverter]::ToUInt16($bytes, 22) | Should -Be 1
            [BitConverter]::ToUInt32($bytes, 24) | Should -Be 24000
            [BitConverter]::ToUInt16($bytes, 34) | Should -Be 16
            [BitConverter]::ToUInt32($bytes, 40) | Should -Be ($bytes.Length - 44)
        }

        It 'lasts one second per 15 characters divided by the speed, within 10%: <Format> at speed <Speed>' -TestCases @(
            foreach ($format in 'mp3', 'opus', 'aac', 'flac', 'wav', 'pcm') {
                foreach ($speed in 1.0, 2.0) { @{ Format = $format; Speed = $speed } }
            }
        ) {
            if (-not $script:HasFfmpeg) { Set-ItResult -Skipped -Because 'ffmpeg is not on PATH' ; return }
            $expected = 150 / 15 / $Speed
            $file = New-Sentence 150 | Invoke-TextToSpeech -Format $Format -Speed $Speed
            $file.Characters | Should -Be 150
            Get-DecodedSecond $file.FullName $Format | Should -BeGreaterThan ($expected * 0.9)
            Get-DecodedSecond $file.FullName $Format | Should -BeLessThan ($expected * 1.1)
            $file.Duration.TotalSeconds | Should -BeGreaterThan ($expected * 0.9)
            $file.Duration.TotalSeconds | Should -BeLessThan ($expected * 1.1)
        }

        It 'gives byte-identical files and the same RequestId for the same text and options' {
            foreach ($format in 'wav', 'mp3', 'opus', 'aac', 'flac', 'pcm') {
                $first = 'Same text, same bytes. Twice.' | Invoke-TextToSpeech -Format $format -Voice onyx -Speed 1.25 -OutFile "first.$format"
                $second = 'Same text, same bytes. Twice.' | Invoke-TextToSpeech -Format $format -Voice onyx -Speed 1.25 -OutFile "second.$format"
                (Get-FileHash $second.FullName).Hash | Should -Be (Get-FileHash $first.FullName).Hash -Because "$format must be deterministic"
                $second.RequestId | Should -Be $first.RequestId
                $first.RequestId | Should -Match '^offline-[0-9a-f]{16}$'
            }
        }

        It 'lets each voice sound different' {
            $alloy = 'Which voice is this?' | Invoke-TextToSpeech -Voice alloy -Format wav -OutFile alloy.wav
            $onyx = 'Which voice is this?' | Invoke-TextToSpeech -Voice onyx -Format wav -OutFile onyx.wav
            (Get-FileHash $alloy.FullName).Hash | Should -Not -Be (Get-FileHash $onyx.FullName).Hash
        }

        It 'splits a 20,000-character document into at least 5 chunks and joins them into one valid file' {
            $text = New-Sentence 20000
            $file = $text | Invoke-TextToSpeech -OutFile long.mp3
            @($file).Count | Should -Be 1
            $file.Characters | Should -Be 20000
            $file.Chunks | Should -BeGreaterOrEqual 5
            @($file.RequestIds).Count | Should -Be $file.Chunks
            if (-not $script:HasFfmpeg) { Set-ItResult -Skipped -Because 'ffmpeg is not on PATH to check the joined file' ; return }
            (Get-FfmpegDecodeError $file.FullName 'mp3').Output | Should -BeNullOrEmpty
            $seconds = Get-DecodedSecond $file.FullName 'mp3'
            $seconds | Should -BeGreaterThan (20000 / 15 * 0.9)
            $seconds | Should -BeLessThan (20000 / 15 * 1.1)
        }
    }

    Context 'the same path as online' {
        It 'makes one document of the lines Get-Content reads from one file, and one per line with -PerLine' {
            Set-Content -Path notes.txt -Value 'First line.', 'Second line.', 'Third line.'
            $files = @(Get-Content notes.txt | Invoke-TextToSpeech)
            $files.Count | Should -Be 1
            $files[0].Name | Should -Be 'notes.mp3'
            $files[0].Characters | Should -Be "First line.`nSecond line.`nThird line.".Length
            $again = @(Get-Content notes.txt | Invoke-TextToSpeech)
            # The same text offline is the same audio, so the rerun returns the file already there, not a numbered copy.
            $again[0].FullName | Should -Be $files[0].FullName
            $lines = @(Get-Content notes.txt | Invoke-TextToSpeech -PerLine)
            $lines.Count | Should -Be 3
        }

        It 'names files from the text, writes -OutFile with the format of its extension, and says it is offline' {
            $file = 'Server maintenance starts at 17:00' | Invoke-TextToSpeech -Voice onyx
            $file.Name | Should -Match '^server-maintenance-starts-at-17-00-[0-9a-f]{8}\.mp3$'
            $file.Voice | Should -Be 'onyx'
            $file.Model | Should -Be 'tts-1'
            $file.Chunks | Should -Be 1
            $verbose = $( $out = 'One.', 'Two.' | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'both.wav') -Verbose ) 4>&1
            $out.FullName | Should -Be (Join-Path $script:Out 'both.wav')
            $out.Format | Should -Be 'wav'
            ($verbose | Out-String) | Should -BeLike '*offline provider*'
        }

        It '-WhatIf writes nothing and, needing no key, warns of none' {
            $warnings = $null
            $result = 'hello' | Invoke-TextToSpeech -OutFile (Join-Path $script:Out 'whatif.mp3') -WhatIf -WarningVariable warnings
            $result | Should -BeNullOrEmpty
            @($warnings).Count | Should -Be 0
            Test-Path (Join-Path $script:Out 'whatif.mp3') | Should -BeFalse
            # A BaseUrl left in a profile (here OpenAI's, which needs a key) is not used, so it asks for no key either.
            $null = 'hello' | Invoke-TextToSpeech -BaseUrl 'https://api.openai.com' -OutFile (Join-Path $script:Out 'whatif.mp3') -WhatIf -WarningVariable warnings
            @($warnings).Count | Should -Be 0
        }

        It 'refuses a voice it does not have with TtsBadRequest, as a server would' {
            $err = $null
            $null = 'hello' | Invoke-TextToSpeech -Voice 'af_bella' -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'TtsBadRequest,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            { 'hello' | Invoke-TextToSpeech -Voice 'af_bella' -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'TtsBadRequest,*'
            @(Get-ChildItem $script:Out).Count | Should -Be 0
        }

        It 'Get-TtsVoice lists the built-in offline voices' {
            $voices = @(Get-TtsVoice)
            $voices.Count | Should -Be 13
            $voices.Name | Should -Contain 'alloy'
            $voices.Name | Should -Contain 'cedar'
            @($voices | Where-Object Source -ne 'Offline').Count | Should -Be 0
            @(Get-TtsVoice -Model tts-1).Count | Should -Be 9
            (Get-TtsVoice -Name onyx).Name | Should -Be 'onyx'
        }
    }

    Context 'no network and no key' {
        It 'AITRE_PROVIDER=Offline makes a file in a fresh process with no key and no configuration' {
            $config = Join-Path $TestDrive 'empty-config'
            $path = Join-Path $script:Out 'child.mp3'
            $command = "Import-Module '$($script:Manifest -replace "'", "''")'; `$file = 'Hello from CI' | Invoke-TextToSpeech -OutFile '$($path -replace "'", "''")' -Verbose; `$file.RequestId"
            $result = Invoke-ChildPowerShell -Command $command -Environment @{ AITRE_PROVIDER = 'Offline'; XDG_CONFIG_HOME = $config; APPDATA = $config }
            $result.ExitCode | Should -Be 0 -Because $result.Output
            $result.StdOut | Should -Match 'offline-[0-9a-f]{16}'
            $result.Output | Should -BeLike '*offline provider*'
            (Get-Item $path).Length | Should -BeGreaterThan 1000
            Test-Path $config | Should -BeFalse
        }

        It 'opens no connection, with proxies, -Proxy and a stored BaseUrl all pointing at a listening port' {
            $listener = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback, 0)
            $listener.Start()
            $saved = @{}
            foreach ($name in 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'NO_PROXY', 'no_proxy') {
                $saved[$name] = [Environment]::GetEnvironmentVariable($name)
            }

            # Every connection that reaches the listener waits in its backlog until it is counted here.
            function Get-ConnectionCount {
                $count = 0
                Start-Sleep -Milliseconds 300
                while ($listener.Pending()) {
                    $listener.AcceptTcpClient().Dispose()
                    $count++
                }
                $count
            }

            try {
                $url = "http://127.0.0.1:$($listener.LocalEndpoint.Port)"
                foreach ($name in 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy') {
                    [Environment]::SetEnvironmentVariable($name, $url)
                }

                [Environment]::SetEnvironmentVariable('NO_PROXY', $null)
                [Environment]::SetEnvironmentVariable('no_proxy', $null)
                Set-TtsConfiguration -BaseUrl $url -Proxy $url
                Set-TtsConfiguration -Profile control -Provider Local -BaseUrl $url

                # The short timeout only matters if the offline provider ever went online: the test then fails fast.
                $file = 'No socket at all.' | Invoke-TextToSpeech -Proxy $url -TimeoutSec 2 -MaximumRetryCount 0 -OutFile offline.mp3 -ErrorAction SilentlyContinue
                $voices = @(Get-TtsVoice -Refresh -Proxy $url)
                $line = 'Invoke-TextToSpeech -Voice '
                $completions = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText)
                $completions | Should -Contain 'alloy'
                $file.RequestId | Should -Match '^offline-'
                $voices.Count | Should -Be 13
                Get-ConnectionCount | Should -Be 0

                # The same listener does see a call that goes online, so the zero above means something.
                Remove-TtsConfiguration -Scope Process -Confirm:$false
                $null = 'Online on purpose.' | Invoke-TextToSpeech -Profile control -TimeoutSec 1 -MaximumRetryCount 0 -OutFile online.mp3 -ErrorAction SilentlyContinue
                Get-ConnectionCount | Should -BeGreaterThan 0
            }
            finally {
                Set-TtsConfiguration -Scope Process -Provider Offline
                Remove-TtsConfiguration -Confirm:$false
                Remove-TtsConfiguration -Profile control -Confirm:$false
                foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
                $listener.Stop()
            }
        }
    }
}
