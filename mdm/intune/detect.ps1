<#
.SYNOPSIS
  clampd-guard: Intune detection (Win32 app detection rule, and the detection half of
  the remediation pair with remediate.ps1).

.DESCRIPTION
  Exit 0 with a line on stdout when the guard is installed and configured:
    - %ProgramFiles%\clampd-guard\clampd-guard.exe exists and answers --version;
    - %ProgramData%\clampd\guard.json exists and `clampd-guard config validate` accepts it;
    - no one but SYSTEM, Administrators and TrustedInstaller may change guard.json or its folder;
    - Claude Code's managed settings (managed-settings.json or managed-settings.d\*.json
      under %ProgramFiles%\ClaudeCode) and Cursor's %ProgramData%\Cursor\hooks.json run the guard.
  Exit 1 otherwise, with the first problem on stdout.
#>
[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$ProgramFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }
$Exe = Join-Path (Join-Path $ProgramFiles 'clampd-guard') 'clampd-guard.exe'
$ConfigDir = Join-Path $env:ProgramData 'clampd'
$ConfigFile = Join-Path $ConfigDir 'guard.json'
$ClaudeDir = Join-Path $ProgramFiles 'ClaudeCode'
$CursorHooks = Join-Path (Join-Path $env:ProgramData 'Cursor') 'hooks.json'
$Marker = 'clampd-guard.exe'
# SYSTEM, Administrators, TrustedInstaller
$Trusted = @('S-1-5-18', 'S-1-5-32-544', 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464')
$WriteRights = [System.Security.AccessControl.FileSystemRights]'Write, Delete, DeleteSubdirectoriesAndFiles, ChangePermissions, TakeOwnership'

function Fail([string]$Why) {
    Write-Output "clampd-guard not compliant: $Why"
    exit 1
}

function Invoke-Quiet([string[]]$Arguments) {
    $ErrorActionPreference = 'Continue'
    & $Exe @Arguments *> $null
    return $LASTEXITCODE
}

function Test-OnlyAdminsWrite([string]$Path) {
    $acl = Get-Acl -LiteralPath $Path
    foreach ($rule in $acl.Access) {
        if ($rule.AccessControlType -ne 'Allow') { continue }
        $sid = $rule.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value
        if ($Trusted -contains $sid) { continue }
        if (($rule.FileSystemRights -band $WriteRights) -ne 0) { return $false }
    }
    return $true
}

function Test-Wired([string[]]$Files) {
    foreach ($f in $Files) {
        if ((Test-Path -LiteralPath $f -PathType Leaf) -and ([System.IO.File]::ReadAllText($f).Contains($Marker))) { return $true }
    }
    return $false
}

try {
    if (-not (Test-Path -LiteralPath $Exe -PathType Leaf)) { Fail "$Exe is missing" }
    if ((Invoke-Quiet @('--version')) -ne 0) { Fail "$Exe does not run" }
    if (-not (Test-Path -LiteralPath $ConfigFile -PathType Leaf)) { Fail "$ConfigFile is missing" }
    if ((Invoke-Quiet @('config', 'validate', $ConfigFile)) -ne 0) { Fail "$ConfigFile is invalid" }
    foreach ($p in @($ConfigDir, $ConfigFile)) {
        if (-not (Test-OnlyAdminsWrite $p)) { Fail "$p can be changed by non-administrators" }
    }
    $claude = @(Join-Path $ClaudeDir 'managed-settings.json')
    $dropIns = Join-Path $ClaudeDir 'managed-settings.d'
    if (Test-Path -LiteralPath $dropIns) {
        $claude += @(Get-ChildItem -LiteralPath $dropIns -Filter '*.json' | ForEach-Object { $_.FullName })
    }
    if (-not (Test-Wired $claude)) { Fail "Claude Code's managed settings do not run the guard" }
    if (-not (Test-Wired @($CursorHooks))) { Fail "$CursorHooks does not run the guard" }
    if (-not (Test-OnlyAdminsWrite $CursorHooks)) { Fail "$CursorHooks can be changed by non-administrators" }
    Write-Output "clampd-guard installed and configured ($Exe)"
    exit 0
} catch {
    Fail $_.Exception.Message
}
