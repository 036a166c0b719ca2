BeforeAll {
    # Root ignores file permissions, so a read-only directory proves nothing there.
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
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
}

Describe 'Invoke-TextToSpeech when the server fails' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:Out
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

    It 'refuses a read-only -OutFile directory before sending anything' {
        if ($script:IsRoot) {
            Set-ItResult -Skipped -Because 'root writes into a read-only directory, so mode bits cannot make one unwritable'
            return
        }

        $readOnly = Join-Path $script:Out 'locked'
        $null = New-Item -ItemType Directory -Path $readOnly
        if ($script:OnWindows) {
            $acl = Get-Acl $readOnly
            $acl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new([System.Security.Principal.WindowsIdentity]::GetCurrent().Name, 'CreateFiles', 'Deny'))
            Set-Acl $readOnly $acl
        }
        else {
            chmod 555 $readOnly
        }

        try {
            { 'Locked out' | Invoke-TextToSpeech -OutFile (Join-Path $readOnly 'x.mp3') -ErrorAction Stop } | Should -Throw -ErrorId 'TtsOutputNotWritable,*'
            @(Get-ChildItem $readOnly -Force).Count | Should -Be 0
            @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
        }
        finally {
            if (-not $script:OnWindows) { chmod 755 $readOnly }
        }
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

Describe 'Invoke-TextToSpeech never shows the API key' {
    BeforeEach {
        Clear-EmulatorState $script:Emulator
        $script:Out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:Out
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
        $script:Out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:Out
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

    It '8 runspaces x 20 documents of the same text give 160 distinct files' {
        $paths = Invoke-InRunspaces -Count 8 -Parameters @{ Manifest = $script:Manifest; Key = $script:Key; Url = $script:Emulator.BaseUrl; Dir = $script:Out } -ScriptBlock {
            param($Manifest, $Key, $Url, $Dir)
            Import-Module $Manifest
            foreach ($i in 1..20) {
                ('Platform four: the evening train is now boarding.' | Invoke-TextToSpeech -OutputDirectory $Dir -BaseUrl $Url -ApiKey $Key).FullName
            }
        }

        @($paths | Sort-Object -Unique).Count | Should -Be 160
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 160
    }
}
