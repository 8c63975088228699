<#
.SYNOPSIS
  clampd-guard Intune Win32 app: install command.

.DESCRIPTION
  Install command:   powershell.exe -NoProfile -ExecutionPolicy Bypass -File install.ps1
  (Install behaviour: System. Tick "run as 64-bit" where Intune offers it; the script
  copes with a 32-bit host anyway.)

  The .intunewin package holds, next to this script:
    clampd-guard\   the frozen onedir for Windows (clampd-guard.exe + _internal\)
    guard.json      the managed configuration for this deployment
    remediate.ps1   editor wiring + ACLs (also uploaded as the remediation script)

  Steps: copy the onedir to %ProgramFiles%\clampd-guard (replacing an older one),
  validate guard.json with the new binary and write it to %ProgramData%\clampd\guard.json,
  then run remediate.ps1 (ACLs: users read-only; Claude Code managed-settings.json and
  Cursor's enterprise hooks.json), then `clampd-guard doctor` (reported, not fatal).
  Exit 0 on success, 1 on failure (Intune shows the install as failed).
#>
[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$ProgramFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }
$InstallDir = Join-Path $ProgramFiles 'clampd-guard'
$Exe = Join-Path $InstallDir 'clampd-guard.exe'
$ConfigDir = Join-Path $env:ProgramData 'clampd'
$ConfigFile = Join-Path $ConfigDir 'guard.json'
$Source = Join-Path $PSScriptRoot 'clampd-guard'

# Runs the installed guard; its output goes to the log (Out-Host), only the exit code is returned.
function Invoke-Guard([string[]]$Arguments) {
    $ErrorActionPreference = 'Continue'
    & $Exe @Arguments 2>&1 | Out-Host
    return $LASTEXITCODE
}

try {
    if (-not (Test-Path -LiteralPath (Join-Path $Source 'clampd-guard.exe') -PathType Leaf)) {
        throw "the package has no clampd-guard\clampd-guard.exe"
    }
    # 1. the binary: stage beside the old one, then swap (a running hook keeps its old copy).
    $staging = "$InstallDir.new"
    if (Test-Path -LiteralPath $staging) { Remove-Item -LiteralPath $staging -Recurse -Force }
    Copy-Item -LiteralPath $Source -Destination $staging -Recurse -Force
    if (Test-Path -LiteralPath $InstallDir) {
        $old = "$InstallDir.old"
        if (Test-Path -LiteralPath $old) { Remove-Item -LiteralPath $old -Recurse -Force }
        Rename-Item -LiteralPath $InstallDir -NewName (Split-Path $old -Leaf)
        Rename-Item -LiteralPath $staging -NewName (Split-Path $InstallDir -Leaf)
        Remove-Item -LiteralPath $old -Recurse -Force -ErrorAction SilentlyContinue
    } else {
        Rename-Item -LiteralPath $staging -NewName (Split-Path $InstallDir -Leaf)
    }
    Write-Output "clampd-guard: installed $Exe"

    # 2. the managed guard.json, validated by the binary just installed
    $bundled = Join-Path $PSScriptRoot 'guard.json'
    if ((Invoke-Guard @('config', 'validate', $bundled)) -ne 0) {
        throw "the package's guard.json is invalid; the configuration was not changed"
    }
    if (-not (Test-Path -LiteralPath $ConfigDir -PathType Container)) {
        New-Item -ItemType Directory -Path $ConfigDir -Force | Out-Null
    }
    Copy-Item -LiteralPath $bundled -Destination "$ConfigFile.clampd-new" -Force
    Move-Item -LiteralPath "$ConfigFile.clampd-new" -Destination $ConfigFile -Force
    Write-Output "clampd-guard: wrote $ConfigFile"

    # 3. ACLs and editor wiring
    & powershell.exe -NoProfile -ExecutionPolicy Bypass -File (Join-Path $PSScriptRoot 'remediate.ps1')
    if ($LASTEXITCODE -ne 0) { throw "remediate.ps1 failed (see above)" }

    # 4. doctor (reported, not fatal: the gateway may be out of reach during enrolment)
    if ((Invoke-Guard @('doctor')) -eq 0) {
        Write-Output 'clampd-guard: doctor: all checks passed'
    } else {
        Write-Output 'clampd-guard: warning: doctor reported problems (above); the guard is installed'
    }
    exit 0
} catch {
    Write-Output "clampd-guard install failed: $($_.Exception.Message)"
    exit 1
}
