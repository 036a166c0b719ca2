# Every PowerShell file of the repository must parse and run under Windows PowerShell 5.1, which cannot run here: this
# applies 5.1's rules to them from any edition. Under 5.1 itself its own parser is the final judge (the first test).
BeforeDiscovery {
    $root = Split-Path $PSScriptRoot
    $script:Files = @(
        Get-ChildItem -LiteralPath $root -File | Where-Object { $_.Extension -in '.ps1', '.psm1', '.psd1' }
        Get-ChildItem -LiteralPath (Join-Path $root 'tests') -File | Where-Object { $_.Extension -in '.ps1', '.psm1' }
        Get-ChildItem -LiteralPath (Join-Path $root 'docs') -File -Filter '*.ps1'
    ) | ForEach-Object { $_.FullName.Substring($root.Length + 1).Replace('\', '/') }
}

BeforeAll {
    $script:Root = Split-Path $PSScriptRoot

    function Get-Ast {
        param([string] $File)
        $tokens = $null
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $script:Root $File), [ref] $tokens, [ref] $errors)
        [pscustomobject]@{ Ast = $ast; Errors = $errors }
    }

    function Test-InVersionGuard {
        # True when the node sits in an 'if' that tests the PowerShell version or edition.
        param($Node)
        for ($parent = $Node.Parent; $parent; $parent = $parent.Parent) {
            if ($parent -is [System.Management.Automation.Language.IfStatementAst]) {
                foreach ($clause in $parent.Clauses) {
                    if ($clause.Item1.Extent.Text -match 'PSVersion|PSEdition') { return $true }
                }
            }
        }

        return $false
    }

    function Get-PowerShell7Construct {
        # What Windows PowerShell 5.1 cannot parse or does not have, by AST node. Type names and property lookups, not
        # types: the AST classes for these constructs do not exist in 5.1.
        param($Ast)
        $found = $Ast.FindAll({ $true }, $true)
        foreach ($node in $found) {
            $type = $node.GetType().Name
            $line = $node.Extent.StartLineNumber
            $nullConditional = $node.PSObject.Properties['NullConditional']
            if ($type -eq 'TernaryExpressionAst') { "line ${line}: ternary operator" }
            elseif ($type -eq 'PipelineChainAst') { "line ${line}: && or || between pipelines" }
            elseif ($type -eq 'BinaryExpressionAst' -and "$($node.Operator)" -eq 'QuestionQuestion') { "line ${line}: ?? operator" }
            elseif ($type -eq 'AssignmentStatementAst' -and "$($node.Operator)" -eq 'QuestionQuestionEquals') { "line ${line}: ??= operator" }
            elseif ($nullConditional -and $nullConditional.Value) { "line ${line}: ?. or ?[] operator" }
            elseif ($type -eq 'ScriptBlockAst' -and $node.PSObject.Properties['CleanBlock'] -and $node.CleanBlock) { "line ${line}: clean block" }
            elseif ($type -eq 'VariableExpressionAst' -and $node.VariablePath.UserPath -in 'IsWindows', 'IsLinux', 'IsMacOS', 'IsCoreCLR') {
                "line ${line}: `$$($node.VariablePath.UserPath) (use [Environment]::OSVersion.Platform)"
            }
            elseif ($type -eq 'CommandAst' -and $node.GetCommandName() -in 'ForEach-Object', '%', 'foreach' -and
                @($node.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] -and $_.ParameterName -eq 'Parallel' }).Count -and
                -not (Test-InVersionGuard $node)) {
                "line ${line}: ForEach-Object -Parallel outside a PSVersion/PSEdition guard (a runspace pool works on both editions)"
            }
            elseif ($type -eq 'InvokeMemberExpressionAst' -and $node.Member.Extent.Text -eq 'Add' -and
                $node.Expression -is [System.Management.Automation.Language.MemberExpressionAst] -and $node.Expression.Member.Extent.Text -eq 'ArgumentList') {
                "line ${line}: ProcessStartInfo.ArgumentList (.NET Core only; use Start-ChildPowerShell or Arguments)"
            }
        }
    }
}

Describe 'PowerShell files under Windows PowerShell 5.1 rules' {
    It '<_> parses' -ForEach $Files {
        (Get-Ast $_).Errors | ForEach-Object { "line $($_.Extent.StartLineNumber): $($_.Message)" } | Should -BeNullOrEmpty
    }

    It '<_> has a UTF-8 BOM if it has any non-ASCII byte' -ForEach $Files {
        # Windows PowerShell 5.1 reads a file without a BOM as ANSI: UTF-8 'e acute' (C3 A9) arrives as two characters.
        $bytes = [System.IO.File]::ReadAllBytes((Join-Path $Root $_))
        $hasBom = $bytes.Length -ge 3 -and $bytes[0] -eq 0xEF -and $bytes[1] -eq 0xBB -and $bytes[2] -eq 0xBF
        $firstNonAscii = -1
        for ($i = 0; $i -lt $bytes.Length; $i++) {
            if ($bytes[$i] -gt 0x7F) { $firstNonAscii = $i; break }
        }

        if (-not $hasBom -and $firstNonAscii -ge 0) {
            $line = @($bytes[0..$firstNonAscii] | Where-Object { $_ -eq 10 }).Count + 1
            throw "non-ASCII byte on line $line of a file without a UTF-8 BOM"
        }
    }

    It '<_> uses no syntax or variable newer than Windows PowerShell 5.1' -ForEach $Files {
        @(Get-PowerShell7Construct (Get-Ast $_).Ast) | Should -BeNullOrEmpty
    }
}

Describe 'The 5.1 rules themselves' {
    BeforeAll {
        function Test-Snippet {
            param([string] $Text)
            $tokens = $null
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref] $tokens, [ref] $errors)
            if ($errors.Count) { return 'parse error' }
            @(Get-PowerShell7Construct $ast)
        }
    }

    It 'find <Name>' -ForEach @(
        @{ Name = 'ForEach-Object -Parallel'; Text = '1..2 | ForEach-Object -Parallel { $_ }' }
        @{ Name = '$IsWindows'; Text = 'if ($IsWindows) { 1 }' }
        @{ Name = 'ArgumentList.Add'; Text = '$info.ArgumentList.Add(''x'')' }
    ) {
        Test-Snippet $Text | Should -Not -BeNullOrEmpty
    }

    It 'find <Name>, where this PowerShell parses it' -ForEach @(
        @{ Name = 'a ternary'; Text = '$a ? 1 : 2' }
        @{ Name = '??'; Text = '$a ?? 1' }
        @{ Name = '?.'; Text = '${a}?.b' }
        @{ Name = '&&'; Text = 'a && b' }
    ) {
        # Windows PowerShell 5.1 refuses these at parse time, which the 'parses' test reports there.
        Test-Snippet $Text | Should -Not -BeNullOrEmpty
    }

    It 'accept <Name>' -ForEach @(
        @{ Name = 'a guarded ForEach-Object -Parallel'; Text = 'if ($PSVersionTable.PSVersion.Major -ge 7) { 1..2 | ForEach-Object -Parallel { $_ } }' }
        @{ Name = '[Environment]::OSVersion.Platform'; Text = '[Environment]::OSVersion.Platform -eq ''Win32NT''' }
        @{ Name = '::new()'; Text = '[System.Text.StringBuilder]::new()' }
    ) {
        Test-Snippet $Text | Should -BeNullOrEmpty
    }
}

Describe 'The build each edition loads' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
        $script:Manifest = Get-BuiltModuleManifest
        $script:ModuleBase = Split-Path $script:Manifest
        $script:Emulator = Start-TtsEmulator
        $script:OnDesktop = $PSVersionTable.PSEdition -ne 'Core'
        # A fresh PowerShell per case: the TLS setting and the loaded assemblies are the process's.
        $script:Probe = Join-Path $TestDrive 'probe.ps1'
        Set-Content -LiteralPath $script:Probe -Encoding ASCII -Value @'
param($Manifest, $BaseUrl, $Config, $Protocol)
$ErrorActionPreference = 'Stop'
$env:XDG_CONFIG_HOME = $Config
$env:APPDATA = $Config
[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType][int]$Protocol
Import-Module $Manifest
$tls = [int][Net.ServicePointManager]::SecurityProtocol
# Get-TtsVoice reads the server's JSON: System.Text.Json is loaded by then.
$voices = @(Get-TtsVoice -BaseUrl $BaseUrl -ApiKey 'sk-test-0123456789' -Refresh)
$json = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'System.Text.Json' } | Select-Object -First 1
[pscustomobject]@{
    Cmdlets = (Get-Command Invoke-TextToSpeech).ImplementingType.Assembly.Location
    Json    = $json.Location
    Tls     = $tls
    Voices  = $voices.Count
} | ConvertTo-Json -Compress
'@
    }

    AfterAll {
        Stop-TtsEmulator $script:Emulator
    }

    It 'loads Desktop/ (net462) in Windows PowerShell and Core/ (netstandard2.0) in PowerShell 7, with System.Text.Json from <Where>' -ForEach @(
        @{ Where = 'Desktop/dependencies in Windows PowerShell, the runtime in PowerShell 7' }
    ) {
        $run = Invoke-ChildPowerShell -File $Probe -ArgumentList $Manifest, $Emulator.BaseUrl, (Join-Path $TestDrive 'config'), '0'
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $result = ($run.StdOut -split "`r?`n" | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
        $result.Voices | Should -BeGreaterThan 0
        if ($OnDesktop) {
            $result.Cmdlets | Should -Be (Join-Path $ModuleBase 'Desktop/AitreTts.dll')
            $result.Json | Should -Be (Join-Path $ModuleBase 'Desktop/dependencies/System.Text.Json.dll')
        }
        else {
            $result.Cmdlets | Should -Be (Join-Path $ModuleBase 'Core/AitreTts.dll')
            $result.Json | Should -Not -BeLike "$ModuleBase*"
        }
    }

    It 'leaves TLS <Name> as <Desktop> in Windows PowerShell and <Core> in PowerShell 7' -ForEach @(
        @{ Name = 'SystemDefault'; Protocol = 0; Desktop = 0; Core = 0 }
        @{ Name = 'Tls'; Protocol = 192; Desktop = 192 + 3072; Core = 192 }
        @{ Name = 'Tls12'; Protocol = 3072; Desktop = 3072; Core = 3072 }
    ) {
        $run = Invoke-ChildPowerShell -File $Probe -ArgumentList $Manifest, $Emulator.BaseUrl, (Join-Path $TestDrive 'config'), "$Protocol"
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $result = ($run.StdOut -split "`r?`n" | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
        # PowerShell 7's HttpClient ignores ServicePointManager, and the Core build leaves it alone.
        $result.Tls | Should -Be $(if ($OnDesktop) { $Desktop } else { $Core })
    }
}
