@{
    # AitreTts.psm1 imports Desktop/AitreTts.dll (net462) in Windows PowerShell 5.1, Core/AitreTts.dll (netstandard2.0)
    # in PowerShell 7.4+.
    RootModule           = 'AitreTts.psm1'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '5d0f7c1e-6b1a-4c53-9d0e-6f4a2b8c7e31'
    Author               = 'AitreTts contributors'
    CompanyName          = 'AitreTts'
    Copyright            = '(c) AitreTts contributors. MIT License.'
    Description          = 'Turns text into audio files through OpenAI-compatible text-to-speech APIs (OpenAI, Azure OpenAI, AITRE, apimart and local servers): pipeline input, long documents, retries, atomic files.'
    PowerShellVersion    = '5.1'
    # Windows PowerShell 5.1 needs .NET Framework 4.6.2 or newer. (5.1 itself checks this value only up to 4.5.)
    DotNetFrameworkVersion = '4.6.2'
    FormatsToProcess     = @('AitreTts.Format.ps1xml')
    CmdletsToExport      = @(
        'Invoke-TextToSpeech'
        'Get-TtsVoice'
        'Get-TtsModel'
        'Set-TtsConfiguration'
        'Get-TtsConfiguration'
        'Remove-TtsConfiguration'
        'Get-TtsCache'
        'Clear-TtsCache'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('TextToSpeech', 'TTS', 'OpenAI', 'Azure', 'Speech', 'Audio', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/aitre/AitreTts'
            LicenseUri   = 'https://github.com/aitre/AitreTts/blob/main/LICENSE'
            ReleaseNotes = 'First release: Invoke-TextToSpeech, Get-TtsVoice, Get-TtsModel, Set-TtsConfiguration, Get-TtsConfiguration, Remove-TtsConfiguration, Get-TtsCache and Clear-TtsCache; long documents, every provider, retries, atomic files, the chunk cache, subtitles and paragraph pauses, and costs under -WhatIf. See https://github.com/aitre/AitreTts/blob/main/CHANGELOG.md'
        }
    }
}
