# The HTTP layer as a user meets it: connection failures with their retries, proxies that want credentials, bodies
# that never end, answers in the wrong format, completion against a slow or down server, and secrets in no stream.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-BuiltModule
    # Distinctive, so finding them in any output is a leak and not a coincidence.
    $script:Key = 'tk-pester-transport-Wm4Rq8Zt2Xn6Bv9K'
    $script:ProxyPassword = 'Pr0xyPass-Transport-7Hd3Lq9Z'
    $script:Emulator = Start-TtsEmulator -ArgumentList '--api-key', $script:Key
    # Local servers (no key) that also act as a proxy wanting svc:<password>, so a test can point -Proxy at them.
    $script:ProxyEmulator = Start-TtsEmulator -ArgumentList '--allow-anonymous', '--proxy-credential', "svc:$script:ProxyPassword"
    $script:SlowVoices = Start-TtsEmulator -ArgumentList '--allow-anonymous', '--voices-shape', 'objects', '--voices', 'af_bella,am_adam'

    # Each test starts with no configuration, no proxy or key in the environment, empty emulators and a new folder.
    function Reset-TransportTest {
        $env:XDG_CONFIG_HOME = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $env:APPDATA = $env:XDG_CONFIG_HOME
        Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL, Env:HTTP_PROXY, Env:http_proxy, Env:HTTPS_PROXY, Env:https_proxy, Env:NO_PROXY, Env:no_proxy -ErrorAction SilentlyContinue
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        Clear-EmulatorState $script:Emulator
        Clear-EmulatorState $script:ProxyEmulator
        Clear-EmulatorState $script:SlowVoices
        $script:Out = New-TestOutputFolder
    }

    function Get-ClosedPort {
        $listener = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback), 0
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        $port
    }

    # .NET Framework (Windows PowerShell 5.1) sends no request for a loopback address through any proxy, so there a
    # test that needs the proxy in front of a loopback emulator names the server by this machine's own name: the
    # request goes to the proxy emulator, which answers it itself without resolving the name. Elsewhere the loopback
    # address, as users of PowerShell 7 write it. $null where the machine has no name but a loopback one.
    function Get-ProxiedBaseUrl {
        param($Emulator)
        if ($PSVersionTable.PSEdition -ne 'Desktop') { return $Emulator.BaseUrl }
        $name = [System.Net.Dns]::GetHostName()
        if (-not $name -or $name -eq 'localhost') { return $null }
        $builder = New-Object System.UriBuilder $Emulator.BaseUrl
        $builder.Host = $name
        return $builder.Uri.GetLeftPart([System.UriPartial]::Authority)
    }

    function Get-ProxiedHost {
        param($Emulator)
        ([uri](Get-ProxiedBaseUrl $Emulator)).Host
    }

    $script:NoMachineName = 'Windows PowerShell 5.1 (.NET Framework) sends no request for a loopback address through a proxy, and this machine has no non-loopback name to use instead'

    function Get-ProxyCredential {
        New-Object System.Management.Automation.PSCredential 'svc', (ConvertTo-SecureString $script:ProxyPassword -AsPlainText -Force)
    }

    function Get-ExpectedProxyAuthorization {
        'Basic ' + [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes("svc:$script:ProxyPassword"))
    }
}

AfterAll {
    Remove-TtsConfiguration -Scope Process -Confirm:$false
    Stop-TtsEmulator $script:Emulator
    Stop-TtsEmulator $script:ProxyEmulator
    Stop-TtsEmulator $script:SlowVoices
}

Describe 'Invoke-TextToSpeech over the network' {
    BeforeEach {
        Reset-TransportTest
    }

    AfterEach {
        Remove-Item Env:HTTP_PROXY, Env:http_proxy, Env:OPENAI_API_KEY -ErrorAction SilentlyContinue
    }

    It 'reports TtsConnectionFailed against a closed port, after its retries' {
        $port = Get-ClosedPort
        $errors = $null
        $verbose = 'Closed door' | Invoke-TextToSpeech -BaseUrl "http://127.0.0.1:$port" -OutputDirectory $script:Out -MaximumRetryCount 2 -RetryIntervalSec 0 -ErrorVariable errors -ErrorAction SilentlyContinue -Verbose 4>&1
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'TtsConnectionFailed,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $errors[0].Exception.Attempts | Should -Be 3
        $errors[0].Exception.Message | Should -BeLike "Could not connect to http://127.0.0.1:$port*"
        @($verbose | Where-Object { "$_" -like 'Attempt * of 3 failed*' }).Count | Should -Be 2
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }

    It 'sends -ProxyCredential to a proxy that answers 407' {
        $baseUrl = Get-ProxiedBaseUrl $script:ProxyEmulator
        if (-not $baseUrl) { Set-ItResult -Skipped -Because $script:NoMachineName; return }
        $file = 'Through the proxy' | Invoke-TextToSpeech -BaseUrl $baseUrl -Proxy $script:ProxyEmulator.BaseUrl -ProxyCredential (Get-ProxyCredential) -OutputDirectory $script:Out
        $file | Should -BeOfType System.IO.FileInfo
        $requests = @(Get-EmulatorRequest $script:ProxyEmulator)
        $requests.StatusCode | Should -Be @(407, 200)
        $requests[1].RawTarget | Should -BeLike "http://$(Get-ProxiedHost $script:ProxyEmulator):*/v1/audio/speech"
        $requests[1].Headers.'Proxy-Authorization' | Should -Be (Get-ExpectedProxyAuthorization)
    }

    It 'sends the stored proxy credentials to a proxy that answers 407' {
        $baseUrl = Get-ProxiedBaseUrl $script:ProxyEmulator
        if (-not $baseUrl) { Set-ItResult -Skipped -Because $script:NoMachineName; return }
        Set-TtsConfiguration -Profile proxied -Provider Local -BaseUrl $baseUrl -Proxy $script:ProxyEmulator.BaseUrl -ProxyCredential (Get-ProxyCredential)
        $file = 'Stored proxy' | Invoke-TextToSpeech -Profile proxied -OutputDirectory $script:Out
        $file | Should -BeOfType System.IO.FileInfo
        $requests = @(Get-EmulatorRequest $script:ProxyEmulator)
        $requests.StatusCode | Should -Be @(407, 200)
        $requests[1].Headers.'Proxy-Authorization' | Should -Be (Get-ExpectedProxyAuthorization)
    }

    It 'fails with the proxy''s 407 as TtsAuthenticationFailed that blames the proxy, when no proxy credential is given' {
        $baseUrl = Get-ProxiedBaseUrl $script:ProxyEmulator
        if (-not $baseUrl) { Set-ItResult -Skipped -Because $script:NoMachineName; return }
        $errors = $null
        'No credential' | Invoke-TextToSpeech -BaseUrl $baseUrl -Proxy $script:ProxyEmulator.BaseUrl -OutputDirectory $script:Out -MaximumRetryCount 0 -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'TtsAuthenticationFailed,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errors[0].Exception.Message | Should -BeLike 'The proxy asked for credentials (HTTP 407*'
        $errors[0].Exception.Message | Should -BeLike '*-ProxyCredential*-ProxyUseDefaultCredentials*HTTP_PROXY*'
        $errors[0].Exception.Message | Should -Not -BeLike '*speech server refused*'
        (Get-EmulatorRequest $script:ProxyEmulator).StatusCode | Should -Be 407
    }

    It 'reaches a loopback server through -Proxy, or on Windows PowerShell 5.1 directly, saying so under -Verbose' {
        $verbose = 'Loopback' | Invoke-TextToSpeech -BaseUrl $script:ProxyEmulator.BaseUrl -Proxy $script:ProxyEmulator.BaseUrl -ProxyCredential (Get-ProxyCredential) -OutputDirectory $script:Out -Verbose 4>&1 | Out-String -Width 4096
        $served = Get-EmulatorRequest $script:ProxyEmulator | Where-Object StatusCode -eq 200 | Select-Object -Last 1
        if ($PSVersionTable.PSEdition -eq 'Desktop') {
            # .NET Framework sends no request for a loopback address through a proxy; the module says so rather than
            # pretend.
            $verbose | Should -Match 'Connecting directly to http://127\.0\.0\.1:\d+/, not through the proxy http://127\.0\.0\.1:\d+/: \.NET Framework'
            $served.RawTarget | Should -Be '/v1/audio/speech'
        }
        else {
            $verbose | Should -Not -Match 'Connecting directly'
            $served.RawTarget | Should -BeLike 'http://127.0.0.1:*/v1/audio/speech'
        }
    }

    It 'names the proxy, not the server, when the proxy cannot be reached' {
        $baseUrl = Get-ProxiedBaseUrl $script:ProxyEmulator
        if (-not $baseUrl) { Set-ItResult -Skipped -Because $script:NoMachineName; return }
        $proxyPort = Get-ClosedPort
        $errors = $null
        'Proxy down' | Invoke-TextToSpeech -BaseUrl $baseUrl -Proxy "http://127.0.0.1:$proxyPort" -OutputDirectory $script:Out -MaximumRetryCount 0 -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'TtsConnectionFailed,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].Exception.Message | Should -BeLike "*through the proxy http://127.0.0.1:$proxyPort*"
        @(Get-EmulatorRequest $script:ProxyEmulator).Count | Should -Be 0
    }

    It 'shows a proxy password in no stream, from <Case>' -TestCases @(
        @{ Case = 'user:password@ in -Proxy'; UserInfo = $true }
        @{ Case = '-ProxyCredential'; UserInfo = $false }
    ) {
        param($Case, $UserInfo)
        $port = Get-ClosedPort
        $arguments = @{ BaseUrl = "http://127.0.0.1:$port"; OutputDirectory = $script:Out; MaximumRetryCount = 1; RetryIntervalSec = 0 }
        if ($UserInfo) { $arguments.Proxy = "http://svc:$($script:ProxyPassword)@127.0.0.1:$port" }
        else { $arguments.Proxy = "http://127.0.0.1:$port"; $arguments.ProxyCredential = Get-ProxyCredential }
        $Error.Clear()
        $all = 'Secret proxy' | Invoke-TextToSpeech @arguments -Verbose -Debug -ErrorAction Continue *>&1 | Out-String -Width 4096
        $Error.Count | Should -BeGreaterThan 0
        $Error[0].FullyQualifiedErrorId | Should -BeLike 'TtsConnectionFailed,*'
        $everything = $all + ($Error | Format-List * -Force | Out-String -Width 4096) + ($Error | ForEach-Object { $_.Exception.ToString() } | Out-String -Width 4096)
        $everything | Should -Not -BeLike "*$script:ProxyPassword*"
    }

    It 'follows a redirect whose Location echoes the key, and shows the key in no stream' {
        $port = ([uri]$script:Emulator.BaseUrl).Port
        $location = "http://user:$($script:Key)@127.0.0.1:$port/v1/audio/speech?key=$($script:Key)"
        Add-EmulatorFault $script:Emulator @{ StatusCode = 307; Body = ''; Headers = @{ Location = $location }; Times = 1 }
        $Error.Clear()
        $all = 'Redirected' | Invoke-TextToSpeech -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -OutputDirectory $script:Out -Verbose -Debug *>&1 | Out-String -Width 4096
        $Error.Count | Should -Be 0
        @(Get-EmulatorRequest $script:Emulator).StatusCode | Should -Be @(307, 200)
        $all | Should -BeLike "*Following HTTP 307 redirect to http://127.0.0.1:$port/v1/audio/speech*"
        $all | Should -Not -BeLike "*$($script:Key.Substring(0, 12))*"
        $all | Should -Not -BeLike '*user:*'
    }

    It 'sends a key for a loopback http server directly, never through HTTP_PROXY' {
        $env:HTTP_PROXY = $script:ProxyEmulator.BaseUrl
        $file = 'Local with a key' | Invoke-TextToSpeech -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -OutputDirectory $script:Out
        $file | Should -BeOfType System.IO.FileInfo
        @(Get-EmulatorRequest $script:ProxyEmulator).Count | Should -Be 0
        $request = Get-EmulatorRequest $script:Emulator | Select-Object -Last 1
        $request.RawTarget | Should -Be '/v1/audio/speech'
    }

    It 'refuses to send a key over plain http through -Proxy, with TtsInsecureTransport' {
        $baseUrl = Get-ProxiedBaseUrl $script:Emulator
        if (-not $baseUrl) { Set-ItResult -Skipped -Because $script:NoMachineName; return }
        { 'Key through a proxy' | Invoke-TextToSpeech -BaseUrl $baseUrl -ApiKey $script:Key -Proxy $script:ProxyEmulator.BaseUrl -ProxyCredential (Get-ProxyCredential) -OutputDirectory $script:Out -ErrorAction Stop } |
            Should -Throw -ErrorId 'TtsInsecureTransport,*'
        @(Get-EmulatorRequest $script:ProxyEmulator).Count | Should -Be 0
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'says no key was sent when the server wants one and the key was held back' {
        # OPENAI_API_KEY is a key for api.openai.com: it is never sent to another server.
        $env:OPENAI_API_KEY = $script:Key
        $errors = $null
        'Held back' | Invoke-TextToSpeech -BaseUrl $script:Emulator.BaseUrl -MaximumRetryCount 0 -OutputDirectory $script:Out -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'TtsAuthenticationFailed,*'
        $errors[0].Exception.Message | Should -BeLike '*requires an API key, but none was sent*held back*'
        $errors[0].Exception.Message | Should -Not -BeLike '*refused the API key*'
        (Get-EmulatorRequest $script:Emulator).Headers.PSObject.Properties.Name | Should -Not -Contain 'Authorization'
    }

    It 'stops a body that never ends at its cap with TtsResponseTooLarge, and leaves nothing on disk' {
        Add-EmulatorFault $script:Emulator @{ EndlessBody = $true; Times = 0 }
        { 'Endless' | Invoke-TextToSpeech -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -OutputDirectory $script:Out -ErrorAction Stop } |
            Should -Throw -ErrorId 'TtsResponseTooLarge,*'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 1
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }

    It 'reports wav sent for mp3 as TtsUnexpectedResponse, and leaves nothing on disk' {
        Add-EmulatorFault $script:Emulator @{ AnswerFormat = 'wav'; Times = 0 }
        $errors = $null
        'Wrong format' | Invoke-TextToSpeech -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -Format mp3 -OutputDirectory $script:Out -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'TtsUnexpectedResponse,AitreTts.Commands.InvokeTextToSpeechCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $errors[0].Exception.Message | Should -BeLike '*wav*'
        @(Get-ChildItem $script:Out -Force).Count | Should -Be 0
    }
}

Describe 'A redirect from https to http' {
    It 'is refused with TtsInsecureTransport, and nothing reaches the http server' {
        if ([Environment]::OSVersion.Platform -eq 'Win32NT') {
            Set-ItResult -Skipped -Because 'the child trusts the test certificate through SSL_CERT_FILE, which only OpenSSL (Linux, macOS) reads'
            return
        }

        Clear-EmulatorState $script:ProxyEmulator
        # A self-signed certificate for 127.0.0.1 that only the child process trusts.
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $request = New-Object System.Security.Cryptography.X509Certificates.CertificateRequest 'CN=127.0.0.1', $rsa, ([System.Security.Cryptography.HashAlgorithmName]::SHA256), ([System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $names = New-Object System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder
        $names.AddIpAddress([System.Net.IPAddress]::Loopback)
        $request.CertificateExtensions.Add($names.Build())
        $certificate = $request.CreateSelfSigned([DateTimeOffset]::Now.AddDays(-1), [DateTimeOffset]::Now.AddDays(1))
        $trusted = Join-Path $TestDrive 'trusted.pem'
        $pfx = Join-Path $TestDrive 'server.pfx'
        "-----BEGIN CERTIFICATE-----`n" + [Convert]::ToBase64String($certificate.RawData, 'InsertLineBreaks') + "`n-----END CERTIFICATE-----`n" | Set-Content -Path $trusted -Encoding Ascii
        [System.IO.File]::WriteAllBytes($pfx, $certificate.Export('Pfx'))
        $location = "$($script:ProxyEmulator.BaseUrl)/v1/audio/speech"

        # The child runs an https server on loopback that answers every request with a 307 to the plain http emulator.
        $child = @'
param($Pfx, $Location, $Out, $Key)
Add-Type -TypeDefinition @"
using System;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
public static class TlsRedirector
{
    public static int Start(X509Certificate2 certificate, string location)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var thread = new Thread(() =>
        {
            while (true)
            {
                TcpClient client = listener.AcceptTcpClient();
                try
                {
                    using (client)
                    using (var tls = new SslStream(client.GetStream()))
                    {
                        tls.AuthenticateAsServer(certificate);
                        var head = new StringBuilder();
                        var one = new byte[1];
                        while (!head.ToString().EndsWith("\r\n\r\n") && tls.Read(one, 0, 1) == 1) head.Append((char)one[0]);
                        byte[] answer = Encoding.ASCII.GetBytes("HTTP/1.1 307 Temporary Redirect\r\nLocation: " + location + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                        tls.Write(answer, 0, answer.Length);
                        tls.Flush();
                    }
                }
                catch (Exception) { }
            }
        });
        thread.IsBackground = true;
        thread.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
"@
$port = [TlsRedirector]::Start((New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 $Pfx), $Location)
Import-Module $env:AITRETTS_MODULE
try {
    'Downgrade' | Invoke-TextToSpeech -BaseUrl "https://127.0.0.1:$port" -ApiKey $Key -OutputDirectory $Out -MaximumRetryCount 0 -Verbose -ErrorAction Stop
    'NO ERROR'
}
catch { 'ERRORID=' + $_.FullyQualifiedErrorId; $_.Exception.Message }
'@
        $childFile = Join-Path $TestDrive 'downgrade.ps1'
        Set-Content -Path $childFile -Value $child -Encoding Ascii
        $out = Join-Path $TestDrive 'downgrade-out'
        $null = New-Item -ItemType Directory -Path $out
        $result = Invoke-ChildPowerShell -File $childFile -ArgumentList $pfx, $location, $out, $script:Key -Environment @{ SSL_CERT_FILE = $trusted; AITRETTS_MODULE = (Get-BuiltModuleManifest) }

        $result.Output | Should -Match 'ERRORID=TtsInsecureTransport,AitreTts.Commands.InvokeTextToSpeechCommand'
        $result.Output | Should -Match 'redirected from https to http://127\.0\.0\.1:\d+/, which is not encrypted'
        $result.Output | Should -Not -Match ([regex]::Escape($script:Key))
        @(Get-EmulatorRequest $script:ProxyEmulator).Count | Should -Be 0
        @(Get-ChildItem $out -Force).Count | Should -Be 0
    }
}

Describe 'Completion against a slow or down server' {
    BeforeAll {
        # One completion against a healthy server first, so the time limits below measure the server, not the JIT.
        $warm = "Invoke-TextToSpeech -BaseUrl $($script:SlowVoices.BaseUrl) -Voice "
        $null = TabExpansion2 -inputScript $warm -cursorColumn $warm.Length
    }

    BeforeEach {
        $env:XDG_CONFIG_HOME = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $env:APPDATA = $env:XDG_CONFIG_HOME
        Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL -ErrorAction SilentlyContinue
        Clear-EmulatorState $script:SlowVoices
    }

    It 'gives the catalogue within the 2 s limit when the <What> server <How>' -TestCases @(
        @{ What = 'voices'; How = 'does not answer'; Parameter = 'Voice'; Path = '/v1/audio/voices'; Rule = @{ DelayHeadersSeconds = 60 } }
        @{ What = 'voices'; How = 'stalls in its body'; Parameter = 'Voice'; Path = '/v1/audio/voices'; Rule = @{ StallAfterBytes = 5; StallSeconds = 60 } }
        @{ What = 'voices'; How = 'drips its body forever'; Parameter = 'Voice'; Path = '/v1/audio/voices'; Rule = @{ TrickleBytes = 1; TrickleIntervalSeconds = 0.5; EndlessBody = $true } }
        @{ What = 'models'; How = 'does not answer'; Parameter = 'Model'; Path = '/v1/models'; Rule = @{ DelayHeadersSeconds = 60 } }
    ) {
        param($What, $How, $Parameter, $Path, $Rule)
        $rule = $Rule.Clone()
        $rule.PathContains = $Path
        $rule.Times = 0
        Add-EmulatorFault $script:SlowVoices $rule
        # A profile of its own, so no list cached by an earlier test answers.
        $profileName = 'slow' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Set-TtsConfiguration -Profile $profileName -Provider Local -BaseUrl $script:SlowVoices.BaseUrl
        $line = "Invoke-TextToSpeech -Profile $profileName -$Parameter "
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $watch.Stop()
        # Against a server that would keep it 60 s (or forever), with a margin of five; the 2 s limit itself is the
        # lower bound, which load can only lengthen.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan (60 / 5)
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.5 # the premise: the server was asked, and did not answer
        @($completion.CompletionMatches).Count | Should -BeGreaterThan 0
        if ($Parameter -eq 'Voice') { $completion.CompletionMatches.CompletionText | Should -Contain 'alloy' }
        else { $completion.CompletionMatches.CompletionText | Should -Contain 'tts-1' }
    }

    It 'gives the catalogue at once, without an error, when the server is down' {
        $listener = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback), 0
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        $line = "Invoke-TextToSpeech -BaseUrl http://127.0.0.1:$port -Voice "
        $Error.Clear()
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $watch.Elapsed.TotalSeconds | Should -BeLessThan (60 / 5) # the bound of the hung servers above
        $completion.CompletionMatches.CompletionText | Should -Contain 'alloy'
        $Error.Count | Should -Be 0
    }
}

Describe 'Credentials written into a BaseUrl or a proxy address' {
    BeforeAll {
        # Distinctive, so finding them anywhere is a leak and not a coincidence.
        $script:UrlPassword = 'UrlPw-Transport-5Jc8Nw3Y'
        $script:UrlQuery = 'UrlQ-Transport-2Vb7Tk4M'

        # Everything a user can see of a call: every stream, and each error record with its target, category info,
        # details and the whole exception chain.
        function Get-EverythingShown {
            param([scriptblock] $Call)
            $Error.Clear()
            # A refused address ends the command: catch it so what came before it is kept; $Error keeps the record.
            $all = & { try { & $Call } catch { $null = $_ } } *>&1 | Out-String -Width 4096
            $all + ($Error | Format-List * -Force | Out-String -Width 4096) +
                ($Error | ForEach-Object { "$($_.TargetObject) $($_.CategoryInfo) $($_.ErrorDetails)"; $_.Exception.ToString() } | Out-String -Width 4096)
        }
    }

    BeforeEach {
        $env:XDG_CONFIG_HOME = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $env:APPDATA = $env:XDG_CONFIG_HOME
        Remove-Item Env:AITRE_API_KEY, Env:AITRE_BASE_URL, Env:OPENAI_API_KEY, Env:OPENAI_BASE_URL, Env:HTTP_PROXY, Env:http_proxy, Env:HTTPS_PROXY, Env:https_proxy, Env:NO_PROXY, Env:no_proxy -ErrorAction SilentlyContinue
        Remove-TtsConfiguration -Scope Process -Confirm:$false
        Clear-EmulatorState $script:Emulator
        $script:Out = New-TestOutputFolder
    }

    AfterEach {
        Remove-Item Env:AITRE_BASE_URL -ErrorAction SilentlyContinue
    }

    It 'refuses a BaseUrl with <Case> as TtsInvalidBaseUrl, and shows the secret in no stream' -TestCases @(
        @{ Case = 'user:password@'; Shape = 'http://u:{0}@127.0.0.1:{1}'; FromEnvironment = $false }
        @{ Case = 'user:password@ and a query'; Shape = 'http://u:{0}@127.0.0.1:{1}/?key={2}'; FromEnvironment = $false }
        @{ Case = 'user:password@ in AITRE_BASE_URL'; Shape = 'http://u:{0}@127.0.0.1:{1}'; FromEnvironment = $true }
        @{ Case = 'a key in the query, in AITRE_BASE_URL'; Shape = 'http://127.0.0.1:{1}/?key={2}'; FromEnvironment = $true }
    ) {
        param($Case, $Shape, $FromEnvironment)
        $port = ([uri]$script:Emulator.BaseUrl).Port
        $url = $Shape -f $script:UrlPassword, $port, $script:UrlQuery
        $file = Join-Path $script:Out 'a.mp3'
        if ($FromEnvironment) {
            $env:AITRE_BASE_URL = $url
            $everything = Get-EverythingShown { 'x' | Invoke-TextToSpeech -ApiKey $script:Key -OutFile $file -Verbose -ErrorAction Continue }
        }
        else {
            $everything = Get-EverythingShown { 'x' | Invoke-TextToSpeech -BaseUrl $url -ApiKey $script:Key -OutFile $file -Verbose -ErrorAction Continue }
        }

        $Error[0].FullyQualifiedErrorId | Should -Be 'TtsInvalidBaseUrl,AitreTts.Commands.InvokeTextToSpeechCommand'
        $Error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $Error[0].Exception.Message | Should -BeLike "*http://127.0.0.1:$port*"
        $Error[0].Exception.Message | Should -BeLike '*-ApiKey*'
        $everything | Should -Not -BeLike "*$script:UrlPassword*"
        $everything | Should -Not -BeLike "*$script:UrlQuery*"
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
        Test-Path $file | Should -BeFalse
    }

    It 'Get-TtsVoice shows a password in the BaseUrl in no stream' {
        $port = ([uri]$script:Emulator.BaseUrl).Port
        $url = 'http://u:{0}@127.0.0.1:{1}' -f $script:UrlPassword, $port
        $everything = Get-EverythingShown { Get-TtsVoice -BaseUrl $url -ApiKey $script:Key -Verbose -ErrorAction Continue }
        # Listing voices falls back to the catalogue with a warning that quotes the refusal.
        $everything | Should -BeLike "*The BaseUrl http://127.0.0.1:$port/ has a user name or password*-ApiKey*"
        $everything | Should -Not -BeLike "*$script:UrlPassword*"
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'refuses -Proxy <Case> as TtsInvalidProxy, and shows its password in no stream' -TestCases @(
        @{ Case = 'user:password@host:port without a scheme, http BaseUrl'; Proxy = 'bob:{0}@127.0.0.1:8080'; Https = $false }
        @{ Case = 'user:password@host:port without a scheme, https BaseUrl'; Proxy = 'bob:{0}@127.0.0.1:8080'; Https = $true }
        @{ Case = 'host:port without a scheme'; Proxy = '127.0.0.1:1'; Https = $false }
        @{ Case = 'with an ftp scheme'; Proxy = 'ftp://bob:{0}@127.0.0.1:21'; Https = $true }
    ) {
        param($Case, $Proxy, $Https)
        $proxyAddress = $Proxy -f $script:ProxyPassword
        $baseUrl = if ($Https) { 'https://127.0.0.1:9' } else { $script:Emulator.BaseUrl }
        $everything = Get-EverythingShown { 'x' | Invoke-TextToSpeech -BaseUrl $baseUrl -ApiKey $script:Key -Proxy $proxyAddress -OutputDirectory $script:Out -MaximumRetryCount 0 -Verbose -ErrorAction Continue }
        $Error[0].FullyQualifiedErrorId | Should -Be 'TtsInvalidProxy,AitreTts.Commands.InvokeTextToSpeechCommand'
        $Error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $Error[0].Exception.Message | Should -BeLike '*http://*https://*'
        $everything | Should -Not -BeLike "*$script:ProxyPassword*"
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }
}

Describe 'Extra headers, the User-Agent and unencrypted authentication' {
    BeforeEach {
        Reset-TransportTest
        $script:HeaderToken = 'tok-Header-Transport-5Vb8Nc2M'
    }

    It 'sends -Headers with the request, and <Cmdlet> does too' -TestCases @(
        @{ Cmdlet = 'Invoke-TextToSpeech'; Call = { param($Extra) 'With headers' | Invoke-TextToSpeech -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -OutputDirectory $script:Out @Extra } }
        @{ Cmdlet = 'Get-TtsVoice'; Call = { param($Extra) Get-TtsVoice -Refresh -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key @Extra } }
        @{ Cmdlet = 'Get-TtsModel'; Call = { param($Extra) Get-TtsModel -Refresh -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key @Extra } }
    ) {
        param($Cmdlet, $Call)
        $null = & $Call @{ Headers = @{ 'X-Team' = 'ops'; 'X-Api-Token' = $script:HeaderToken } }
        $request = Get-EmulatorRequest $script:Emulator | Select-Object -Last 1
        $request.Headers.'X-Team' | Should -Be 'ops'
        $request.Headers.'X-Api-Token' | Should -Be $script:HeaderToken
        $request.Headers.Authorization | Should -Be "Bearer $script:Key"
    }

    It 'sends the headers stored in a profile, but its credential headers only to the profile''s own server' {
        Set-TtsConfiguration -Profile gateway -Provider Local -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -Headers @{ 'X-Team' = 'ops'; 'X-Api-Token' = $script:HeaderToken }
        $null = 'Own server' | Invoke-TextToSpeech -Profile gateway -OutputDirectory $script:Out
        $own = Get-EmulatorRequest $script:Emulator | Select-Object -Last 1
        $own.Headers.'X-Team' | Should -Be 'ops'
        $own.Headers.'X-Api-Token' | Should -Be $script:HeaderToken

        $verbose = 'Other server' | Invoke-TextToSpeech -Profile gateway -BaseUrl $script:ProxyEmulator.BaseUrl -OutputDirectory $script:Out -Verbose 4>&1
        $other = Get-EmulatorRequest $script:ProxyEmulator | Select-Object -Last 1
        $other.StatusCode | Should -Be 200
        $other.Headers.PSObject.Properties.Name | Should -Not -Contain 'X-Api-Token'
        $other.Headers.PSObject.Properties.Name | Should -Not -Contain 'Authorization'
        $other.Headers.'X-Team' | Should -Be 'ops'
        ($verbose | Out-String) | Should -Not -Match 'Header-Transport'
    }

    It 'refuses the reserved header <Header> with TtsInvalidHeader before sending anything' -TestCases @(
        @{ Header = 'Authorization' }
        @{ Header = 'Host' }
    ) {
        param($Header)
        { 'Reserved' | Invoke-TextToSpeech -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -Headers @{ $Header = 'Bearer tk-other' } -OutputDirectory $script:Out -ErrorAction Stop } |
            Should -Throw -ErrorId 'TtsInvalidHeader,AitreTts.Commands.InvokeTextToSpeechCommand'
        @(Get-EmulatorRequest $script:Emulator).Count | Should -Be 0
    }

    It 'sends -UserAgent or a stored one, and the module''s name and version without either' {
        $version = (Get-Module AitreTts).Version.ToString(3)
        $null = 'Default agent' | Invoke-TextToSpeech -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -OutputDirectory $script:Out
        $null = 'Own agent' | Invoke-TextToSpeech -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key -UserAgent 'Gateway-Client/7.1' -OutputDirectory $script:Out
        Set-TtsConfiguration -Scope Process -UserAgent 'Stored-Client/2'
        $null = Get-TtsVoice -Refresh -BaseUrl $script:Emulator.BaseUrl -ApiKey $script:Key
        $agents = @(Get-EmulatorRequest $script:Emulator | ForEach-Object { $_.Headers.'User-Agent' })
        $agents | Should -Be @("AitreTts/$version", 'Gateway-Client/7.1', 'Stored-Client/2')
    }

    It 'sends a key over plain http through a proxy when the profile stores -AllowUnencryptedAuthentication' {
        $baseUrl = Get-ProxiedBaseUrl $script:Emulator
        if (-not $baseUrl) { Set-ItResult -Skipped -Because $script:NoMachineName; return }
        Set-TtsConfiguration -Profile plain -Provider Local -BaseUrl $baseUrl -ApiKey $script:Key -Proxy $script:ProxyEmulator.BaseUrl -ProxyCredential (Get-ProxyCredential)
        { 'Refused first' | Invoke-TextToSpeech -Profile plain -OutputDirectory $script:Out -ErrorAction Stop } | Should -Throw -ErrorId 'TtsInsecureTransport,*'
        @(Get-EmulatorRequest $script:ProxyEmulator).Count | Should -Be 0

        Set-TtsConfiguration -Profile plain -AllowUnencryptedAuthentication
        (Get-TtsConfiguration -Profile plain).AllowUnencryptedAuthentication | Should -BeTrue
        $file = 'Allowed now' | Invoke-TextToSpeech -Profile plain -OutputDirectory $script:Out
        $file | Should -BeOfType System.IO.FileInfo
        $request = Get-EmulatorRequest $script:ProxyEmulator | Where-Object StatusCode -eq 200 | Select-Object -Last 1
        $request.RawTarget | Should -BeLike "http://$(Get-ProxiedHost $script:Emulator):*/v1/audio/speech"
        $request.Headers.Authorization | Should -Be "Bearer $script:Key"
    }
}
