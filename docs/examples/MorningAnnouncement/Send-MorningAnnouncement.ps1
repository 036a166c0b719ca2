<#
.SYNOPSIS
Speaks the morning announcement to a dated audio file.

.DESCRIPTION
Reads the announcement from a text file and writes it to <OutputDirectory>/announcement-<yyyy-MM-dd>.mp3. When the
provider still answers TtsRateLimited after the module's own retries, the script waits and tries once more; if it is
still rate limited, it warns and exits with code 3, so the scheduler can tell "try later" from a real failure. Any
other error stops the script (a non-zero exit code under pwsh -File).

.EXAMPLE
pwsh -NoProfile -File Send-MorningAnnouncement.ps1 -Path C:\announce\today.txt -OutputDirectory C:\announce\audio
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $OutputDirectory,
    [datetime] $Date = (Get-Date),
    [string] $Voice = 'nova',
    [int] $RateLimitWaitSec = 60
)

$ErrorActionPreference = 'Stop'
$target = Join-Path $OutputDirectory ('announcement-{0:yyyy-MM-dd}.mp3' -f $Date)

for ($attempt = 1; $attempt -le 2; $attempt++) {
    try {
        # A file object piped in is read (as UTF-8 unless -Encoding says otherwise) as one document: one audio file.
        return Get-Item -LiteralPath $Path | Invoke-TextToSpeech -Voice $Voice -OutFile $target -ErrorAction Stop
    }
    catch {
        if ($_.FullyQualifiedErrorId -notlike 'TtsRateLimited,*') { throw }
        if ($attempt -eq 2) {
            Write-Warning "Still rate limited; no announcement for $('{0:yyyy-MM-dd}' -f $Date). $($_.Exception.Message)"
            exit 3
        }

        Write-Warning "Rate limited; trying again in $RateLimitWaitSec s."
        Start-Sleep -Seconds $RateLimitWaitSec
    }
}
