#Requires -Version 5.1
<#
.SYNOPSIS
    Turns the cmdlet help markdown in docs/en-US into MAML (AitreTts.dll-Help.xml) and the about_ topics into
    about_*.help.txt, without platyPS.
.DESCRIPTION
    The markdown follows platyPS's layout, so New-ExternalHelp can read it where platyPS is installed; this script is
    what build.ps1 runs where it is not (platyPS is not installable everywhere the module is built). It reads only the
    layout the files in docs/en-US use:

      YAML front matter; '# Name'; '## SYNOPSIS'; '## SYNTAX' with one '### <set name>' and a code block per parameter
      set; '## DESCRIPTION'; '## EXAMPLES' with '### Example N: title', a code block and remarks; '## PARAMETERS' with
      '### -Name', a description and a yaml block per parameter; '## INPUTS'/'## OUTPUTS' with '### <type>'; '## NOTES';
      '## RELATED LINKS' with markdown links.

    It stops with an error, naming the file, when a section is missing or a syntax block disagrees with the parameter
    sets of the yaml blocks, rather than writing help that misleads. The XML is written with System.Xml, so every
    text is escaped as XML requires.
.EXAMPLE
    ./docs/Build-Help.ps1
    Regenerates docs/en-US/AitreTts.dll-Help.xml and docs/en-US/about_AitreTts.help.txt in place.
.EXAMPLE
    ./docs/Build-Help.ps1 -OutputPath ./output/AitreTts/0.1.0/en-US
#>
[CmdletBinding()]
param(
    # The folder of the markdown files.
    [string] $Path = (Join-Path $PSScriptRoot 'en-US'),

    # Where the MAML and the .help.txt files go; the markdown folder by default.
    [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$NsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$NsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$NsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$NsMsHelp = 'http://msdn.microsoft.com/mshelp'
$Utf8 = New-Object System.Text.UTF8Encoding($false)

function Read-MarkdownFile {
    # Front matter and a flat list of blocks: Heading, Code, Para, List, Table.
    param([string] $File)

    $text = [System.IO.File]::ReadAllText($File, $Utf8) -replace "`r`n", "`n"
    $lines = $text.Split("`n")
    $frontMatter = [ordered]@{}
    $i = 0
    if ($lines.Count -gt 0 -and $lines[0] -eq '---') {
        $i = 1
        while ($i -lt $lines.Count -and $lines[$i] -ne '---') {
            if ($lines[$i] -match '^([^:]+):\s*(.*)$') { $frontMatter[$Matches[1].Trim()] = $Matches[2].Trim() }
            $i++
        }
        $i++
    }

    $blocks = New-Object System.Collections.Generic.List[object]
    while ($i -lt $lines.Count) {
        $line = $lines[$i]
        if ($line -match '^```(\S*)\s*$') {
            $language = $Matches[1]
            $code = New-Object System.Collections.Generic.List[string]
            $i++
            while ($i -lt $lines.Count -and $lines[$i] -notmatch '^```\s*$') {
                $code.Add($lines[$i])
                $i++
            }

            if ($i -ge $lines.Count) { throw "${File}: a code block is not closed." }
            $i++
            $blocks.Add([pscustomobject]@{ Kind = 'Code'; Language = $language; Text = ($code -join "`n") })
            continue
        }

        if ($line -match '^(#{1,6})\s+(.*?)\s*$') {
            $blocks.Add([pscustomobject]@{ Kind = 'Heading'; Level = $Matches[1].Length; Text = $Matches[2] })
            $i++
            continue
        }

        if ($line.Trim().Length -eq 0) {
            $i++
            continue
        }

        if ($line -match '^\s*\|') {
            $rows = New-Object System.Collections.Generic.List[object]
            while ($i -lt $lines.Count -and $lines[$i] -match '^\s*\|') {
                $cells = @($lines[$i].Trim().Trim('|').Split('|') | ForEach-Object { $_.Trim() })
                if (-not ($cells | Where-Object { $_ -notmatch '^:?-+:?$' })) { $i++; continue }
                $rows.Add($cells)
                $i++
            }

            $blocks.Add([pscustomobject]@{ Kind = 'Table'; Rows = $rows.ToArray() })
            continue
        }

        if ($line -match '^(-|\*|\d+\.)\s+') {
            $items = New-Object System.Collections.Generic.List[object]
            while ($i -lt $lines.Count -and $lines[$i].Trim().Length -gt 0 -and $lines[$i] -notmatch '^(#{1,6})\s|^```') {
                if ($lines[$i] -match '^(-|\*|\d+\.)\s+(.*)$') {
                    $items.Add([pscustomobject]@{ Marker = $Matches[1]; Text = $Matches[2].Trim() })
                }
                else {
                    $items[$items.Count - 1].Text += ' ' + $lines[$i].Trim()
                }

                $i++
            }

            $blocks.Add([pscustomobject]@{ Kind = 'List'; Items = $items.ToArray() })
            continue
        }

        $paragraph = New-Object System.Collections.Generic.List[string]
        while ($i -lt $lines.Count -and $lines[$i].Trim().Length -gt 0 -and $lines[$i] -notmatch '^(#{1,6})\s|^```|^\s*\||^(-|\*|\d+\.)\s+') {
            $paragraph.Add($lines[$i].Trim())
            $i++
        }

        $blocks.Add([pscustomobject]@{ Kind = 'Para'; Text = ($paragraph -join ' ') })
    }

    [pscustomobject]@{ File = $File; FrontMatter = $frontMatter; Blocks = $blocks.ToArray() }
}

function ConvertFrom-Inline {
    # Help is read as plain text: links show their address, code spans lose their backticks.
    param([string] $Text)
    $Text = [regex]::Replace($Text, '\[([^\]]+)\]\((https?://[^)]+)\)', '$1 ($2)')
    $Text = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)]+)\)', '$1')
    return $Text.Replace('`', '')
}

function Get-BlockText {
    # Paragraphs and list items as plain-text paragraphs.
    param([object[]] $Blocks)
    foreach ($block in $Blocks) {
        switch ($block.Kind) {
            'Para' { ConvertFrom-Inline $block.Text }
            'List' { foreach ($item in $block.Items) { ConvertFrom-Inline ('{0} {1}' -f $item.Marker, $item.Text) } }
            'Table' { foreach ($row in $block.Rows) { ConvertFrom-Inline ($row -join ' | ') } }
        }
    }
}

function Get-Section {
    # '## NAME' sections, each a list of entries: the text before the first '###' (Title $null), then one per '###'.
    param($Document)
    $sections = [ordered]@{}
    $title = $null
    $entries = $null
    $entry = $null
    foreach ($block in $Document.Blocks) {
        if ($block.Kind -eq 'Heading' -and $block.Level -eq 1) { $title = $block.Text; continue }
        if ($block.Kind -eq 'Heading' -and $block.Level -eq 2) {
            $entries = New-Object System.Collections.Generic.List[object]
            $sections[$block.Text.ToUpperInvariant()] = $entries
            $entry = [pscustomobject]@{ Title = $null; Blocks = (New-Object System.Collections.Generic.List[object]) }
            $entries.Add($entry)
            continue
        }

        if ($null -eq $entries) { throw "$($Document.File): text before the first '## ' section." }
        if ($block.Kind -eq 'Heading' -and $block.Level -eq 3) {
            $entry = [pscustomobject]@{ Title = $block.Text; Blocks = (New-Object System.Collections.Generic.List[object]) }
            $entries.Add($entry)
            continue
        }

        $entry.Blocks.Add($block)
    }

    [pscustomobject]@{ Title = $title; Sections = $sections }
}

function Get-RequiredSection {
    param($Parsed, [string] $Name, [string] $File)
    if (-not $Parsed.Sections.Contains($Name)) { throw "${File}: the section '## $Name' is missing." }
    return $Parsed.Sections[$Name]
}

function Read-CommandHelp {
    # One cmdlet's markdown as a plain object the MAML writer walks.
    param([string] $File)

    $document = Read-MarkdownFile $File
    $parsed = Get-Section $document
    $name = $parsed.Title
    if ($name -notmatch '^[A-Za-z]+-[A-Za-z0-9]+$') { throw "${File}: the title '# $name' is not a cmdlet name." }
    $synopsis = @(Get-BlockText (Get-RequiredSection $parsed 'SYNOPSIS' $File)[0].Blocks)
    $description = @(Get-BlockText (Get-RequiredSection $parsed 'DESCRIPTION' $File)[0].Blocks)
    if ($synopsis.Count -eq 0) { throw "${File}: the synopsis is empty." }
    if ($description.Count -eq 0) { throw "${File}: the description is empty." }

    $parameters = New-Object System.Collections.Generic.List[object]
    foreach ($entry in (Get-RequiredSection $parsed 'PARAMETERS' $File)) {
        if ($null -eq $entry.Title -or $entry.Title -eq 'CommonParameters') { continue }
        if ($entry.Title -notmatch '^-(\w+)$') { throw "${File}: '### $($entry.Title)' under PARAMETERS is not '### -Name'." }
        $parameterName = $Matches[1]
        $yaml = @($entry.Blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Language -eq 'yaml' })
        if ($yaml.Count -ne 1) { throw "${File}: -$parameterName needs exactly one yaml block." }
        $fields = @{}
        foreach ($line in $yaml[0].Text.Split("`n")) {
            if ($line -match '^([^:]+):\s*(.*)$') { $fields[$Matches[1].Trim()] = $Matches[2].Trim() }
        }

        foreach ($key in 'Type', 'Parameter Sets', 'Required', 'Position', 'Default value', 'Accept pipeline input', 'Accept wildcard characters') {
            if (-not $fields.ContainsKey($key)) { throw "${File}: the yaml block of -$parameterName has no '$key'." }
        }

        $descriptionBlocks = @($entry.Blocks | Where-Object { $_.Kind -ne 'Code' })
        $parameters.Add([pscustomobject]@{
                Name           = $parameterName
                Description    = @(Get-BlockText $descriptionBlocks)
                Type           = $fields['Type']
                Sets           = @($fields['Parameter Sets'].Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_ })
                Aliases        = $(if ($fields['Aliases']) { $fields['Aliases'] } else { 'none' })
                AcceptedValues = @($(if ($fields.ContainsKey('Accepted values') -and $fields['Accepted values']) { $fields['Accepted values'].Split(',') | ForEach-Object { $_.Trim() } }))
                Required       = $fields['Required'] -eq 'True'
                Position       = $(if ($fields['Position'] -eq 'Named') { 'named' } else { $fields['Position'] })
                DefaultValue   = $fields['Default value']
                PipelineInput  = $fields['Accept pipeline input']
                Globbing       = $fields['Accept wildcard characters'] -eq 'True'
            })
    }

    $syntax = New-Object System.Collections.Generic.List[object]
    foreach ($entry in (Get-RequiredSection $parsed 'SYNTAX' $File)) {
        if ($null -eq $entry.Title) { continue }
        $setName = ($entry.Title -replace '\s*\(Default\)\s*$', '').Trim()
        $code = @($entry.Blocks | Where-Object { $_.Kind -eq 'Code' })
        if ($code.Count -ne 1) { throw "${File}: the syntax of '$setName' needs exactly one code block." }
        $written = @([regex]::Matches($code[0].Text, '(?<![\w<])-(\w+)') | ForEach-Object { $_.Groups[1].Value } | Where-Object { $_ -ne 'CommonParameters' })
        $inSet = @($parameters | Where-Object { $setName -eq '__AllParameterSets' -or $_.Sets -contains '(All)' -or $_.Sets -contains $setName })
        $missing = @($inSet | Where-Object { $written -notcontains $_.Name } | ForEach-Object { $_.Name })
        $extra = @($written | Where-Object { @($inSet.Name) -notcontains $_ })
        if ($missing.Count -gt 0 -or $extra.Count -gt 0) {
            throw "${File}: the syntax of '$setName' disagrees with the parameters' yaml blocks. Missing: $($missing -join ', '); not in the set: $($extra -join ', ')."
        }

        # The order the author wrote, which is the order Get-Help shows.
        $ordered = foreach ($parameterName in $written) { $parameters | Where-Object { $_.Name -eq $parameterName } }
        $syntax.Add([pscustomobject]@{ Name = $setName; Parameters = @($ordered) })
    }

    if ($syntax.Count -eq 0) { throw "${File}: the SYNTAX section has no '### <parameter set>' entry." }

    $examples = New-Object System.Collections.Generic.List[object]
    foreach ($entry in (Get-RequiredSection $parsed 'EXAMPLES' $File)) {
        if ($null -eq $entry.Title) { continue }
        $code = @($entry.Blocks | Where-Object { $_.Kind -eq 'Code' })
        if ($code.Count -ne 1) { throw "${File}: '$($entry.Title)' needs exactly one code block." }
        $examples.Add([pscustomobject]@{
                Title   = $entry.Title
                Code    = $code[0].Text
                Remarks = @(Get-BlockText @($entry.Blocks | Where-Object { $_.Kind -ne 'Code' }))
            })
    }

    $types = {
        param($Entries)
        foreach ($entry in $Entries) {
            if ($null -eq $entry.Title) { continue }
            [pscustomobject]@{ Name = $entry.Title; Description = @(Get-BlockText $entry.Blocks) }
        }
    }

    $notes = @()
    if ($parsed.Sections.Contains('NOTES')) { $notes = @(Get-BlockText $parsed.Sections['NOTES'][0].Blocks) }
    $links = New-Object System.Collections.Generic.List[object]
    if ($parsed.Sections.Contains('RELATED LINKS')) {
        foreach ($block in $parsed.Sections['RELATED LINKS'][0].Blocks) {
            foreach ($match in [regex]::Matches($block.Text, '\[([^\]]+)\]\(([^)]*)\)')) {
                $uri = $match.Groups[2].Value
                $links.Add([pscustomobject]@{ Text = $match.Groups[1].Value; Uri = $(if ($uri -match '^https?://') { $uri } else { '' }) })
            }
        }
    }

    [pscustomobject]@{
        Name         = $name
        HelpFile     = $document.FrontMatter['external help file']
        OnlineUri    = $document.FrontMatter['online version']
        Synopsis     = $synopsis
        Description  = $description
        Syntax       = $syntax.ToArray()
        Parameters   = $parameters.ToArray()
        Inputs       = @(& $types (Get-RequiredSection $parsed 'INPUTS' $File))
        Outputs      = @(& $types (Get-RequiredSection $parsed 'OUTPUTS' $File))
        Notes        = $notes
        Examples     = $examples.ToArray()
        RelatedLinks = $links.ToArray()
    }
}

function Write-Paragraphs {
    # A maml:description holding one maml:para per paragraph (an empty one when there is none, as platyPS writes).
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs, [string] $Element = 'description')
    $Writer.WriteStartElement('maml', $Element, $NsMaml)
    if (-not $Paragraphs -or $Paragraphs.Count -eq 0) { $Paragraphs = @('') }
    foreach ($paragraph in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $NsMaml, $paragraph) }
    $Writer.WriteEndElement()
}

function Write-Parameter {
    param([System.Xml.XmlWriter] $Writer, $Parameter, [switch] $InSyntax)
    $isSwitch = $Parameter.Type -eq 'SwitchParameter'
    $Writer.WriteStartElement('command', 'parameter', $NsCommand)
    $Writer.WriteAttributeString('required', $Parameter.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', $Parameter.Type.EndsWith('[]').ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', $Parameter.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Parameter.PipelineInput)
    $Writer.WriteAttributeString('position', $Parameter.Position)
    $Writer.WriteAttributeString('aliases', $Parameter.Aliases)
    $Writer.WriteElementString('maml', 'name', $NsMaml, $Parameter.Name)
    Write-Paragraphs $Writer $Parameter.Description
    if ($Parameter.AcceptedValues.Count -gt 0) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $NsCommand)
        foreach ($value in $Parameter.AcceptedValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $NsCommand)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $NsCommand, 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }

        $Writer.WriteEndElement()
    }

    # Get-Help shows '<Type>' after a parameter from its parameterValue; a switch takes none in the syntax.
    if (-not ($isSwitch -and $InSyntax)) {
        $Writer.WriteStartElement('command', 'parameterValue', $NsCommand)
        $Writer.WriteAttributeString('required', (-not $isSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($Parameter.Type)
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('dev', 'type', $NsDev)
    $Writer.WriteElementString('maml', 'name', $NsMaml, $Parameter.Type)
    $Writer.WriteElementString('maml', 'uri', $NsMaml, '')
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $NsDev, $Parameter.DefaultValue)
    $Writer.WriteEndElement()
}

function Write-TypeList {
    param([System.Xml.XmlWriter] $Writer, [string] $ListElement, [string] $ItemElement, [object[]] $Types)
    $Writer.WriteStartElement('command', $ListElement, $NsCommand)
    foreach ($type in $Types) {
        $Writer.WriteStartElement('command', $ItemElement, $NsCommand)
        $Writer.WriteStartElement('dev', 'type', $NsDev)
        $Writer.WriteElementString('maml', 'name', $NsMaml, $type.Name)
        $Writer.WriteEndElement()
        Write-Paragraphs $Writer $type.Description
        $Writer.WriteEndElement()
    }

    $Writer.WriteEndElement()
}

function Write-CommandHelp {
    param([System.Xml.XmlWriter] $Writer, $Help)
    $verb, $noun = $Help.Name.Split('-', 2)
    $Writer.WriteStartElement('command', 'command', $NsCommand)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $NsMaml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $NsCommand)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $NsDev)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $NsMsHelp)

    $Writer.WriteStartElement('command', 'details', $NsCommand)
    $Writer.WriteElementString('command', 'name', $NsCommand, $Help.Name)
    $Writer.WriteElementString('command', 'verb', $NsCommand, $verb)
    $Writer.WriteElementString('command', 'noun', $NsCommand, $noun)
    Write-Paragraphs $Writer $Help.Synopsis
    $Writer.WriteEndElement()

    Write-Paragraphs $Writer $Help.Description

    $Writer.WriteStartElement('command', 'syntax', $NsCommand)
    foreach ($set in $Help.Syntax) {
        $Writer.WriteStartElement('command', 'syntaxItem', $NsCommand)
        $Writer.WriteElementString('maml', 'name', $NsMaml, $Help.Name)
        foreach ($parameter in $set.Parameters) { Write-Parameter $Writer $parameter -InSyntax }
        $Writer.WriteEndElement()
    }

    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $NsCommand)
    foreach ($parameter in $Help.Parameters) { Write-Parameter $Writer $parameter }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Help.Inputs
    Write-TypeList $Writer 'returnValues' 'returnValue' $Help.Outputs

    $Writer.WriteStartElement('maml', 'alertSet', $NsMaml)
    $Writer.WriteStartElement('maml', 'alert', $NsMaml)
    foreach ($note in $(if ($Help.Notes.Count -gt 0) { $Help.Notes } else { @('') })) {
        $Writer.WriteElementString('maml', 'para', $NsMaml, $note)
    }

    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $NsCommand)
    foreach ($example in $Help.Examples) {
        $Writer.WriteStartElement('command', 'example', $NsCommand)
        $Writer.WriteElementString('maml', 'title', $NsMaml, "-------------------------- $($example.Title) --------------------------")
        $Writer.WriteElementString('dev', 'code', $NsDev, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $NsDev)
        foreach ($remark in $(if ($example.Remarks.Count -gt 0) { $example.Remarks } else { @('') })) {
            $Writer.WriteElementString('maml', 'para', $NsMaml, $remark)
        }

        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $NsCommand)
    foreach ($link in $Help.RelatedLinks) {
        $Writer.WriteStartElement('maml', 'navigationLink', $NsMaml)
        # Get-Help -Online opens the first link that has an address.
        $Writer.WriteElementString('maml', 'linkText', $NsMaml, $(if ($link.Uri -and $link.Uri -eq $Help.OnlineUri) { 'Online Version:' } else { $link.Text }))
        $Writer.WriteElementString('maml', 'uri', $NsMaml, $link.Uri)
        $Writer.WriteEndElement()
    }

    $Writer.WriteEndElement()
    $Writer.WriteEndElement()
}

function New-XmlWriter {
    param([string] $File)
    $settings = New-Object System.Xml.XmlWriterSettings
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.NewLineChars = "`n"
    $settings.Encoding = $Utf8
    return [System.Xml.XmlWriter]::Create($File, $settings)
}

function Format-Wrapped {
    # Word-wraps one paragraph to 80 columns for a text help topic.
    param([string] $Text, [int] $Indent, [int] $HangingIndent = $Indent, [int] $Width = 80)
    $lines = New-Object System.Collections.Generic.List[string]
    $line = ' ' * $Indent
    $empty = $true
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ })) {
        if (-not $empty -and $line.Length + 1 + $word.Length -gt $Width) {
            $lines.Add($line)
            $line = ' ' * $HangingIndent
            $empty = $true
        }

        if ($empty) { $line += $word } else { $line += ' ' + $word }
        $empty = $false
    }

    $lines.Add($line)
    return $lines
}

function ConvertTo-AboutText {
    # An about_ markdown topic (platyPS's layout) as the plain-text topic Get-Help about_* shows.
    param([string] $File)
    $document = Read-MarkdownFile $File
    $out = New-Object System.Collections.Generic.List[string]
    $headings = @($document.Blocks | Where-Object { $_.Kind -eq 'Heading' })
    if ($headings.Count -lt 2 -or $headings[0].Text -notmatch '^about_' -or $headings[1].Level -ne 2) {
        throw "${File}: an about topic starts with '# about_Name' and '## about_Name'."
    }

    $out.Add('TOPIC')
    $out.Add('    ' + $headings[1].Text.ToLowerInvariant())
    $skip = 2
    $afterHeading = $false
    foreach ($block in $document.Blocks) {
        if ($skip -gt 0 -and $block.Kind -eq 'Heading') { $skip--; continue }
        # A heading's text follows it directly; blocks are otherwise separated by one blank line.
        $followsHeading = $afterHeading
        $afterHeading = $block.Kind -eq 'Heading'
        if ($block.Kind -ne 'Heading' -and $block.Kind -ne 'Table' -and -not $followsHeading) { $out.Add('') }
        switch ($block.Kind) {
            'Heading' {
                $out.Add('')
                if ($block.Level -eq 1) { $out.Add($block.Text.ToUpperInvariant()) } else { $out.Add('  ' + $block.Text.ToUpperInvariant()) }
            }
            'Para' {
                $out.AddRange([string[]](Format-Wrapped (ConvertFrom-Inline $block.Text) 4))
            }
            'List' {
                foreach ($item in $block.Items) {
                    $marker = $item.Marker + ' '
                    $out.AddRange([string[]](Format-Wrapped ($marker + (ConvertFrom-Inline $item.Text)) 4 (4 + $marker.Length)))
                }
            }
            'Code' {
                foreach ($codeLine in $block.Text.Split("`n")) { $out.Add(('        ' + $codeLine).TrimEnd()) }
            }
            'Table' {
                # Columns do not fit 80 characters: each row is its first cells on one line, the last below it.
                foreach ($row in $block.Rows) {
                    if (-not $followsHeading) { $out.Add('') }
                    $followsHeading = $false
                    $out.Add('    ' + (ConvertFrom-Inline ($row[0..($row.Count - 2)] -join '  ')))
                    $out.AddRange([string[]](Format-Wrapped (ConvertFrom-Inline $row[-1]) 8))
                }
            }
        }
    }

    $out.Add('')
    return ($out -join "`n")
}

if (-not $OutputPath) { $OutputPath = $Path }
$null = New-Item -ItemType Directory -Path $OutputPath -Force
$OutputPath = (Resolve-Path -LiteralPath $OutputPath).ProviderPath

$commandFiles = @(Get-ChildItem -LiteralPath $Path -Filter '*.md' | Where-Object { $_.Name -notlike 'about_*' } | Sort-Object Name)
$commands = @($commandFiles | ForEach-Object { Read-CommandHelp $_.FullName })
foreach ($group in ($commands | Group-Object HelpFile)) {
    if (-not $group.Name) { throw "$($group.Group[0].Name): the front matter has no 'external help file'." }
    $file = Join-Path $OutputPath $group.Name
    $writer = New-XmlWriter $file
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($help in $group.Group) { Write-CommandHelp $writer $help }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Close()
    }

    # Read back: what was written must be XML that loads.
    $null = ([xml][System.IO.File]::ReadAllText($file, $Utf8))
    Get-Item -LiteralPath $file
}

foreach ($about in (Get-ChildItem -LiteralPath $Path -Filter 'about_*.md' | Sort-Object Name)) {
    $file = Join-Path $OutputPath ($about.BaseName + '.help.txt')
    [System.IO.File]::WriteAllText($file, (ConvertTo-AboutText $about.FullName), $Utf8)
    Get-Item -LiteralPath $file
}
