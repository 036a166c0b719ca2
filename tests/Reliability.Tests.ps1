BeforeAll {
    # Root ignores file permissions, so a read-only directory proves nothing there; a read-only tmpfs does.
    # $IsWindows does not exist on Windows PowerShell 5.1.
    $script:OnWindows = [Environment]::OSVersion.Platform -eq 'Win32NT'
    $script:IsRoot = -not $script:OnWindows -and ((id -u) -eq '0')
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    $script:Manifest = Get-BuiltModuleManifest
    $script:Emulator = Start-TtsEmulator
    # Distinctive, so finding it in any output is a leak and not a coincidence.
    $script:Key = 'tk-pester-reliability-Hq8Zt3Vw6Ny1Kc4J'
    $env:XDG_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:APPDATA = Join-Path $TestDrive 'config'
    Set-TtsConfiguration -Scope Process -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key

    $script:Marker = 'MIDDLEMARKER'
    $script:Texts = @('First announcement for platform one.', "Second announcement $script:Marker for platform two.", 'Third announcement for platform three.')

    function Get-MarkerRequest {
        @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.Input -and $_.Input.Contains($script:Marker) })
    }

    # Mounts a small tmpfs where the machine allows it (root on Linux) and returns $null, or returns why it cannot.
    function Mount-SmallTmpfs {
        param([string] $Path, [string] $Options)
        if ($script:OnWindows -or -not (Test-Path /proc/self)) { return 'mounting a tmpfs needs Linux' }
        $null = New-Item -ItemType Directory -Path $Path -Force
        try {
            $output = & mount -t tmpfs -o $Options tmpfs $Path 2>&1
        }
        catch {
            return "there is no mount command here: $($_.Exception.Message)"
        }

        if ($LASTEXITCODE -ne 0) { return "this machine does not allow mounting a tmpfs (it needs root with CAP_SYS_ADMIN): $output" }
        $null
    }

    function Dismount-SmallTmpfs {
        param([string] $Path)
        & umount $Path 2>&1 | Out-Null
    }
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
}

Describe 'Invoke-TextToSpeech when the server fails' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
        Push-Location $script:Out
    }

    AfterEach {
        Pop-Location
    }

    It 'retries a 429 that says Retry-After, and writes every document' {
        Add-EmulatorFault $script:Emulator @{ InputContains = $script:Marker; StatusCode = 429; Headers = @{ 'Retry-After' = '1' }; Times = 1 }
        $errors = $null
        $files = @($script:Texts | Invoke-TextToSpeech -MaximumRetryCount 2 -RetryIntervalSec 0 -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors.Count | Should -Be 0
        $files.Count | Should -Be 3
        (Get-MarkerRequest).StatusCode | Should -Be @(429, 200)
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 3
    }

    It 'fails only the middle document on <Case>, and writes the other two' -TestCases @(
        @{ Case = 'an exhausted quota (429 insufficient_quota)'; Rule = @{ StatusCode = 429; ErrorShape = 'openai'; ErrorCode = 'insufficient_quota' }; ErrorId = 'TtsQuotaExceeded'; Category = 'QuotaExceeded'; Attempts = 1 }
        @{ Case = '500 forever'; Rule = @{ StatusCode = 500 }; ErrorId = 'TtsServerError'; Category = 'ResourceUnavailable'; Attempts = 3 }
        @{ Case = '200 with an HTML page'; Rule = @{ StatusCode = 200; Body = '<html><head><title>Portal login</title></head><body><h1>Sign in</h1></body></html>'; ContentType = 'text/html' }; ErrorId = 'TtsUnexpectedResponse'; Category = 'InvalidData'; Attempts = 1 }
        @{ Case = 'a body cut short forever'; Rule = @{ CutAfterBytes = 500 }; ErrorId = 'TtsResponseTruncated'; Category = 'ConnectionError'; Attempts = 3 }
        # HttpClient throws NotSupportedException for file://: it once escaped as a raw exception that ended the batch.
        @{ Case = 'a redirect to file:///etc/passwd'; Rule = @{ StatusCode = 302; Body = ''; Headers = @{ Location = 'file:///etc/passwd' } }; ErrorId = 'TtsRedirectRefused'; Category = 'SecurityError'; Attempts = 1 }
    ) {
        param($Case, $Rule, $ErrorId, $Category, $Attempts)
        $rule = $Rule.Clone()
        $rule.InputContains = $script:Marker
        $rule.Times = 0
        Add-EmulatorFault $script:Emulator $rule

        $errors = $null
        $files = @($script:Texts | Invoke-TextToSpeech -MaximumRetryCount 2 -RetryIntervalSec 0 -ErrorVariable errors -ErrorAction SilentlyContinue)

        # The other two documents were written, and nothing else: no file and no temporary file for the middle one.
        $files.Count | Should -Be 2
        $files | ForEach-Object { Test-Path $_.FullName | Should -BeTrue }
        $files.Name | Should -Match '^(first|third)-announcement-for-platform-'
        @(Get-ChildItem $script:Out -Force).Name | Sort-Object | Should -Be ($files.Name | Sort-Object)

        # Exactly one error, for the middle document, that says what happened and quotes the request id.
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be "$ErrorId,AitreTts.Commands.InvokeTextToSpeechCommand"
        $errors[0].CategoryInfo.Category | Should -Be $Category
        $errors[0].TargetObject | Should -BeExactly $script:Texts[1]
        $markerRequests = Get-MarkerRequest
        $markerRequests.Count | Should -Be $Attempts
        $errors[0].ErrorDetails.Message | Should -BeLike "*$($markerRequests[-1].RequestId)*"
        $errors[0].Exception.Attempts | Should -Be $Attempts
    }

    It 'reports headers that never come as TtsTimeout after -TimeoutSec' {
        Add-EmulatorFault $script:Emulator @{ DelayHeadersSeconds = 30; Times = 0 }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        { 'Nobody answers' | Invoke-TextToSpeech -TimeoutSec 1 -MaximumRetryCount 0 -ErrorAction Stop } | Should -Throw -ErrorId 'TtsTimeout,*'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }

    It 'refuses an unwritable directory before sending anything, as root and as a normal user: <Case>' -TestCases @(
        @{ Case = '-OutFile in it'; Parameter = 'OutFile'; Child = 'x.mp3' }
        @{ Case = '-OutputDirectory to create in it'; Parameter = 'OutputDirectory'; Child = 'sub' }
    ) {
        param($Case, $Parameter, $Child)
        $locked = Join-Path $script:Out 'locked'
        if ($script:IsRoot) {
            # Root writes through mode bits, but not into a read-only file system.
            $reason = Mount-SmallTmpfs $locked 'ro,size=64k'
            if ($reason) {
                Set-ItResult -Skipped -Because "root ignores mode bits, and $reason"
                return
            }
        }
        else {
            $null = New-Item -ItemType Directory -Path $locked
            if ($script:OnWindows) {
                $acl = Get-Acl $locked
                $acl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new([System.Security.Principal.WindowsIdentity]::GetCurrent().Name, 'CreateFiles, CreateDirectories', 'Deny'))
                Set-Acl $locked $acl
            }
            else {
                chmod 555 $locked
            }
        }

        try {
            $arguments = @{ $Parameter = (Join-Path $locked $Child) }
            $err = $null
            try { 'Locked out' | Invoke-TextToSpeech @arguments -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'TtsOutputNotWritable,AitreTts.Commands.InvokeTextToSpeechCommand'
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $err.Exception.Message | Should -Not -Match 'partial'
            @(Get-ChildItem $locked -Force).Count | Should -Be 0
            @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
        }
        finally {
            if ($script:IsRoot) { Dismount-SmallTmpfs $locked }
            elseif (-not $script:OnWindows) { chmod 755 $locked }
        }
    }

    It 'reports TtsDiskFull on a full disk and leaves nothing behind' {
        $mount = Join-Path $script:Out 'tiny'
        $reason = Mount-SmallTmpfs $mount 'size=64k'
        if ($reason) {
            Set-ItResult -Skipped -Because $reason
            return
        }

        try {
            # About 30 s of mp3 from the emulator: far more than 64 KB.
            $long = ('The evening train to the coast leaves from platform four. ' * 8).Trim()
            $err = $null
            try { $long | Invoke-TextToSpeech -OutputDirectory $mount -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'TtsDiskFull,AitreTts.Commands.InvokeTextToSpeechCommand'
            $err.CategoryInfo.Category | Should -Be 'WriteError'
            @(Get-ChildItem $mount -Force).Count | Should -Be 0
            @(Get-EmulatorRequest $script:Emulator).Count | Should -BeGreaterThan 0
        }
        finally {
            Dismount-SmallTmpfs $mount
        }
    }

    It 'ends with a file inside when -OutFile names an existing folder (it used to spin forever)' {
        $folder = Join-Path $script:Out 'adir'
        $null = New-Item -ItemType Directory -Path $folder
        $command = "Import-Module '$script:Manifest'; " +
            "('Into the folder' | Invoke-TextToSpeech -OutFile '$folder' -BaseUrl '$($script:Emulator.BaseUrl)' -ApiKey '$script:Key' -ErrorAction Stop).FullName"
        $result = Invoke-ChildPowerShell $command -TimeoutSec 300 -Environment @{ XDG_CONFIG_HOME = (Join-Path $TestDrive 'config'); APPDATA = (Join-Path $TestDrive 'config') }
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.StdOut.Trim() | Should -Match ('^' + [regex]::Escape($folder) + '[\\/]into-the-folder-[0-9a-f]{8}\.mp3$')
        @(Get-ChildItem $script:Out -Recurse -Force -Filter *.partial).Count | Should -Be 0
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 1
    }

    It 'removes the temporary file of a run killed mid-download, on the next run into that folder' {
        Add-EmulatorFault $script:Emulator @{ InputContains = 'Killed'; StallAfterBytes = 300; StallSeconds = 60; Times = 1 }
        $command = "Import-Module '$script:Manifest'; " +
            "'Killed mid-download' | Invoke-TextToSpeech -OutputDirectory '$script:Out' -BaseUrl '$($script:Emulator.BaseUrl)' -ApiKey '$script:Key' -TimeoutSec 120"
        $child = Start-ChildPowerShell $command -Environment @{ XDG_CONFIG_HOME = (Join-Path $TestDrive 'config'); APPDATA = (Join-Path $TestDrive 'config') }
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not @(Get-ChildItem $script:Out -Force -Filter *.partial).Count -and [DateTime]::UtcNow -lt $deadline -and -not $child.Process.HasExited) {
                Start-Sleep -Milliseconds 100
            }

            $left = @(Get-ChildItem $script:Out -Force -Filter *.partial)
            $left.Count | Should -Be 1 -Because 'the child is stalled mid-download'
            # Like kill -9 or a scheduled task's time limit: the child gets no chance to clean up.
            $child.Process.Kill()
            $null = $child.Process.WaitForExit(10000)
        }
        finally {
            if (-not $child.Process.HasExited) { $child.Process.Kill() }
        }

        Test-Path $left[0].FullName | Should -BeTrue -Because 'a killed process cannot remove its own temporary file'
        $next = 'The next run' | Invoke-TextToSpeech -OutputDirectory $script:Out -Verbose 4>&1 | Out-String
        Test-Path $left[0].FullName | Should -BeFalse
        $next | Should -Match 'Removed 1 temporary file'
        @(Get-ChildItem $script:Out -Force -Filter *.partial).Count | Should -Be 0
    }

    It 'removes the temporary files of work still running when the process gets SIGTERM, as Ctrl+C does' {
        if ($script:OnWindows) {
            Set-ItResult -Skipped -Because 'SIGTERM is a Unix signal; Windows ends a process without one'
            return
        }

        Add-EmulatorFault $script:Emulator @{ InputContains = 'Terminated'; StallAfterBytes = 300; StallSeconds = 120; Times = 1 }
        $pidFile = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.pid')
        # The child writes its own $PID: the .NET tool's pwsh is a launcher whose child runs PowerShell, and the
        # signal must reach the PowerShell process itself, as systemd's or a container runtime's does.
        $command = "Set-Content -LiteralPath '$pidFile' -Value `$PID; Import-Module '$script:Manifest'; " +
            "'Terminated mid-download' | Invoke-TextToSpeech -OutputDirectory '$script:Out' -BaseUrl '$($script:Emulator.BaseUrl)' -ApiKey '$script:Key' -TimeoutSec 300 -MaximumRetryCount 0"
        $child = Start-ChildPowerShell $command -Environment @{ XDG_CONFIG_HOME = (Join-Path $TestDrive 'config'); APPDATA = (Join-Path $TestDrive 'config') }
        try {
            # The emulator records the request as it starts the body, then holds it open mid-download.
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            while (-not @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.Input -like 'Terminated*' }).Count -and [DateTime]::UtcNow -lt $deadline -and -not $child.Process.HasExited) {
                Start-Sleep -Milliseconds 50
            }

            @(Get-EmulatorRequest $script:Emulator | Where-Object { $_.Input -like 'Terminated*' }).Count | Should -Be 1 -Because 'the child is held mid-download'
            @(Get-ChildItem $script:Out -Force -Filter *.partial).Count | Should -Be 1 -Because 'the request is written to a temporary file'
            $powershellId = [int](Get-Content -LiteralPath $pidFile)
            & kill -TERM $powershellId
            Wait-Process -Id $powershellId -Timeout 60 -ErrorAction SilentlyContinue
            $null = $child.Process.WaitForExit(60000)
            $child.Process.HasExited | Should -BeTrue -Because 'SIGTERM ends PowerShell'
        }
        finally {
            if (-not $child.Process.HasExited) { $child.Process.Kill() }
        }

        @(Get-ChildItem $script:Out -Force -Filter *.partial).Count | Should -Be 0
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }

    It 'leaves no temporary file when a document fails after its joined file exists (chunks that do not match)' {
        # Two chunks; the second answers 200 with well-formed wav at another sample rate. Each chunk passes the
        # content check on its own, so only the join refuses them, once the joined temporary file has been created.
        $long = ('Platform four is now boarding for the coast. ' * 60) + 'OTHERRATE comes in this sentence. ' + ('The train leaves in five minutes. ' * 60)
        $rate = 16000
        $data = New-Object byte[] 3200
        $wav = New-Object System.IO.MemoryStream
        $writer = New-Object System.IO.BinaryWriter $wav
        $writer.Write([Text.Encoding]::ASCII.GetBytes('RIFF')); $writer.Write([int](36 + $data.Length)); $writer.Write([Text.Encoding]::ASCII.GetBytes('WAVEfmt '))
        $writer.Write([int]16); $writer.Write([int16]1); $writer.Write([int16]1); $writer.Write([int]$rate); $writer.Write([int]($rate * 2)); $writer.Write([int16]2); $writer.Write([int16]16)
        $writer.Write([Text.Encoding]::ASCII.GetBytes('data')); $writer.Write([int]$data.Length); $writer.Write($data); $writer.Flush()
        Add-EmulatorFault $script:Emulator @{ InputContains = 'OTHERRATE'; StatusCode = 200; ContentType = 'audio/wav'; BodyBase64 = [Convert]::ToBase64String($wav.ToArray()); Times = 0 }
        $err = $null
        try { $long | Invoke-TextToSpeech -Format wav -OutFile (Join-Path $script:Out 'joined.wav') -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'TtsAudioJoinFailed,AitreTts.Commands.InvokeTextToSpeechCommand'
        $err.Exception.Message | Should -BeLike '*sample rate*'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 2
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }

    It 'keeps an existing target with -NoClobber, sending nothing' {
        $path = Join-Path $script:Out 'kept.mp3'
        Set-Content -Path $path -Value 'the previous announcement'
        $errors = $null
        $files = @($script:Texts | Invoke-TextToSpeech -OutFile $path -NoClobber -ErrorVariable errors -ErrorAction SilentlyContinue)
        $files.Count | Should -Be 0
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'TtsOutputExists,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content $path | Should -Be 'the previous announcement'
        @(Get-ChildItem $script:Out -Force).Name | Should -Be 'kept.mp3'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }
}

Describe 'A redirect to another origin on the same host' {
    BeforeAll {
        # A second server on the same host, another port: another origin, which gets no credential.
        $script:Other = Start-TtsEmulator -ArgumentList '--allow-anonymous'
    }

    AfterAll {
        Stop-TtsEmulator $script:Other
    }

    BeforeEach {
        Clear-EmulatorState $script:Emulator
        Clear-EmulatorState $script:Other
        $script:Out = New-TestOutputFolder
    }

    It 'keeps the key and a credential-like -Headers entry from it, and sends the other headers' {
        ([uri]$script:Other.BaseUrl).Host | Should -Be ([uri]$script:Emulator.BaseUrl).Host -Because 'the premise: the same host'
        ([uri]$script:Other.BaseUrl).Port | Should -Not -Be ([uri]$script:Emulator.BaseUrl).Port -Because 'the premise: another port'
        $token = 'tok-Redirect-Origin-7Rq2Lm9X'
        Add-EmulatorFault $script:Emulator @{ StatusCode = 307; Body = ''; Headers = @{ Location = "$($script:Other.BaseUrl.TrimEnd('/'))/v1/audio/speech" }; Times = 1 }

        $file = 'Another origin' | Invoke-TextToSpeech -OutputDirectory $script:Out -Headers @{ 'X-Team' = 'ops'; 'X-Api-Token' = $token } -ErrorAction Stop

        Test-Path $file.FullName | Should -BeTrue
        $first = @(Get-EmulatorRequest $script:Emulator)
        $first.StatusCode | Should -Be @(307)
        $first[0].Headers.'X-Api-Token' | Should -Be $token
        $followed = @(Get-EmulatorRequest $script:Other)
        $followed.Count | Should -Be 1
        $followed[0].Headers.'X-Team' | Should -Be 'ops'
        $followed[0].Headers.PSObject.Properties.Name | Should -Not -Contain 'X-Api-Token'
        $followed[0].Headers.PSObject.Properties.Name | Should -Not -Contain 'Authorization'
    }
}

Describe 'Invoke-TextToSpeech never shows the API key' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
        Push-Location $script:Out
        $Error.Clear()
    }

    AfterEach {
        Pop-Location
        Set-EmulatorOption $script:Emulator @{ requiredApiKey = $null }
    }

    It 'in any stream or in $Error, when failures echo it back' {
        $echo = "Invalid credentials: $script:Key is not valid here"
        Add-EmulatorFault $script:Emulator @{ InputContains = 'Alpha'; StatusCode = 400; ErrorMessage = $echo; Times = 0 }
        Add-EmulatorFault $script:Emulator @{ InputContains = 'Bravo'; StatusCode = 500; ErrorMessage = $echo; Times = 0 }
        Add-EmulatorFault $script:Emulator @{ InputContains = 'Charlie'; StatusCode = 503; ErrorShape = 'text'; ErrorMessage = $echo; Times = 0 }
        Add-EmulatorFault $script:Emulator @{ InputContains = 'Delta'; StatusCode = 429; ErrorMessage = $echo; Headers = @{ 'Retry-After' = '600' }; Times = 0 }

        $streams = 'Alpha fails.', 'Bravo fails.', 'Charlie fails.', 'Delta fails.', 'Echo succeeds.' |
            Invoke-TextToSpeech -MaximumRetryCount 1 -RetryIntervalSec 0 -Verbose -Debug -ErrorAction Continue *>&1 | Out-String
        Set-EmulatorOption $script:Emulator @{ requiredApiKey = 'tk-the-one-the-server-wants-0000' }
        $streams += 'Foxtrot is refused.' | Invoke-TextToSpeech -Verbose -Debug -ErrorAction Continue *>&1 | Out-String

        $errorText = ($Error | Out-String) + ($Error | Format-List * -Force | Out-String) + ($Error | ForEach-Object { $_.Exception | Format-List * -Force } | Out-String)
        @($Error | Where-Object { $_.FullyQualifiedErrorId -like 'Tts*' }).Count | Should -Be 5
        $streams | Should -Match 'Request body'   # -Debug really was on
        $streams | Should -Match 'retrying'       # and so was -Verbose, through a retry
        $streams | Should -Not -Match ([regex]::Escape($script:Key))
        $errorText | Should -Not -Match ([regex]::Escape($script:Key))
        (Get-EmulatorRequest $script:Emulator)[0].Headers.Authorization | Should -Be "Bearer $script:Key"
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 1
    }

    It 'when a 200 body that is not audio echoes it' {
        Add-EmulatorFault $script:Emulator @{ StatusCode = 200; Body = "Key $script:Key is not allowed"; ContentType = 'text/plain'; Times = 0 }
        $streams = 'Golf' | Invoke-TextToSpeech -Verbose -ErrorAction Continue *>&1 | Out-String
        $streams + ($Error | Out-String) | Should -Not -Match ([regex]::Escape($script:Key))
    }
}

Describe 'Invoke-TextToSpeech in parallel runspaces' {
    BeforeAll {
        # ForEach-Object -Parallel exists only in PowerShell 7. A runspace pool does the same on both editions, so the
        # path Windows PowerShell 5.1 takes is the one that runs here too.
        function Invoke-InRunspaces {
            param([int] $Count, [scriptblock] $ScriptBlock, [hashtable] $Parameters)
            $pool = [runspacefactory]::CreateRunspacePool(1, $Count)
            $pool.Open()
            try {
                $running = foreach ($i in 1..$Count) {
                    $shell = [powershell]::Create()
                    $shell.RunspacePool = $pool
                    $null = $shell.AddScript($ScriptBlock.ToString()).AddParameters($Parameters)
                    [pscustomobject]@{ Shell = $shell; Handle = $shell.BeginInvoke() }
                }

                foreach ($run in $running) {
                    $run.Shell.EndInvoke($run.Handle)
                    foreach ($record in $run.Shell.Streams.Error) { Write-Error -ErrorRecord $record }
                    $run.Shell.Dispose()
                }
            }
            finally {
                $pool.Dispose()
            }
        }
    }

    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
    }

    It '8 runspaces x 20 documents of the same text all complete, with no temporary files left' {
        $results = Invoke-InRunspaces -Count 8 -Parameters @{ Manifest = $script:Manifest; Key = $script:Key; Url = $script:Emulator.BaseUrl; Dir = $script:Out } -ScriptBlock {
            param($Manifest, $Key, $Url, $Dir)
            Import-Module $Manifest
            foreach ($i in 1..20) {
                try {
                    $file = 'Platform four: the evening train is now boarding.' | Invoke-TextToSpeech -OutputDirectory $Dir -BaseUrl $Url -ApiKey $Key -ErrorAction Stop
                    [pscustomobject]@{ Path = $file.FullName; Error = $null }
                }
                catch {
                    [pscustomobject]@{ Path = $null; Error = $_.FullyQualifiedErrorId }
                }
            }
        }

        @($results | Where-Object Error).Error | Should -BeNullOrEmpty
        $results.Count | Should -Be 160
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 160
        $left = @(Get-ChildItem $script:Out -Force)
        $left.Name | Should -Not -Match '\.partial$'
        $left.Name | Should -Match '^platform-four-the-evening-train-is-[0-9a-f]{8}(-\d+)?\.mp3$'
        $sizes = @($left | Select-Object -ExpandProperty Length -Unique)
        $sizes.Count | Should -Be 1
    }

    It '8 runspaces x 20 documents of the same text share one file instead of numbered copies' {
        $paths = Invoke-InRunspaces -Count 8 -Parameters @{ Manifest = $script:Manifest; Key = $script:Key; Url = $script:Emulator.BaseUrl; Dir = $script:Out } -ScriptBlock {
            param($Manifest, $Key, $Url, $Dir)
            Import-Module $Manifest
            foreach ($i in 1..20) {
                ('Platform four: the evening train is now boarding.' | Invoke-TextToSpeech -OutputDirectory $Dir -BaseUrl $Url -ApiKey $Key).FullName
            }
        }

        @($paths).Count | Should -Be 160
        @($paths | Sort-Object -Unique).Count | Should -Be 1
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 1
    }
}
