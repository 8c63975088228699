<#
.SYNOPSIS
  clampd-guard: re-assert the managed configuration, the editor wiring and the ACLs.

.DESCRIPTION
  Intune remediation script (pair it with detect.ps1), also run by install.ps1.
  Runs as SYSTEM in 64-bit PowerShell. Self-contained: Intune uploads remediation
  scripts as single files, so the managed editor settings and a fallback guard.json
  are embedded below (tests/test_mdm_intune.py keeps them equal to mdm/editor-settings
  and mdm/intune/guard.json).

  - %ProgramData%\clampd\guard.json: written from the embedded copy only when it is
    missing or does not validate (install.ps1 writes the package's own guard.json;
    a valid file is never replaced with the fallback).
  - %ProgramData%\clampd and %ProgramData%\Cursor: owned by Administrators, no
    inherited entries, SYSTEM and Administrators full control, Users read-only.
    ProgramData lets every user create folders (and own them): a user-made Cursor
    folder would let that user rewrite the enterprise hooks.
  - %ProgramFiles%\ClaudeCode\managed-settings.json and %ProgramData%\Cursor\hooks.json:
    written when absent or already ours (runs clampd-guard.exe; a changed file is
    backed up first). Claude Code settings that someone else manages are left alone
    and the guard goes to managed-settings.d\50-clampd-guard.json; Cursor has no
    drop-in folder, so a foreign hooks.json fails the run (exit 1) for a human to merge.
  Exit 0 when everything is in place, 1 otherwise (the reason is printed).
#>
[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

# A 32-bit PowerShell sees "Program Files (x86)" as ProgramFiles.
$ProgramFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }
$InstallDir = Join-Path $ProgramFiles 'clampd-guard'
$Exe = Join-Path $InstallDir 'clampd-guard.exe'
$ConfigDir = Join-Path $env:ProgramData 'clampd'
$ConfigFile = Join-Path $ConfigDir 'guard.json'
$ClaudeDir = Join-Path $ProgramFiles 'ClaudeCode'
$CursorDir = Join-Path $env:ProgramData 'Cursor'
$Marker = 'clampd-guard.exe'

$FallbackGuardJson = @'
{
  "fail_open": false,
  "sensitivity": "strict",
  "forbid_loosening": true,
  "audit": true,
  "deadline_ms": 5000
}
'@

$ClaudeManagedSettings = @'
{
  "allowManagedHooksOnly": true,
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "*",
        "hooks": [
          {
            "type": "command",
            "command": "C:\\Program Files\\clampd-guard\\clampd-guard.exe",
            "args": [
              "hook",
              "--agent",
              "claude"
            ],
            "timeout": 10
          }
        ]
      }
    ],
    "PostToolUse": [
      {
        "matcher": "*",
        "hooks": [
          {
            "type": "command",
            "command": "C:\\Program Files\\clampd-guard\\clampd-guard.exe",
            "args": [
              "hook",
              "--agent",
              "claude"
            ],
            "timeout": 10
          }
        ]
      }
    ],
    "PostToolUseFailure": [
      {
        "matcher": "*",
        "hooks": [
          {
            "type": "command",
            "command": "C:\\Program Files\\clampd-guard\\clampd-guard.exe",
            "args": [
              "hook",
              "--agent",
              "claude"
            ],
            "timeout": 10
          }
        ]
      }
    ],
    "UserPromptSubmit": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "C:\\Program Files\\clampd-guard\\clampd-guard.exe",
            "args": [
              "hook",
              "--agent",
              "claude"
            ],
            "timeout": 10
          }
        ]
      }
    ]
  }
}
'@

$CursorHooks = @'
{
  "version": 1,
  "hooks": {
    "beforeShellExecution": [
      {
        "command": "\"C:/Program Files/clampd-guard/clampd-guard.exe\" hook --agent cursor",
        "timeout": 10,
        "failClosed": true
      }
    ],
    "beforeMCPExecution": [
      {
        "command": "\"C:/Program Files/clampd-guard/clampd-guard.exe\" hook --agent cursor",
        "timeout": 10,
        "failClosed": true
      }
    ],
    "beforeReadFile": [
      {
        "command": "\"C:/Program Files/clampd-guard/clampd-guard.exe\" hook --agent cursor",
        "timeout": 10,
        "failClosed": true
      }
    ],
    "preToolUse": [
      {
        "command": "\"C:/Program Files/clampd-guard/clampd-guard.exe\" hook --agent cursor",
        "timeout": 10,
        "failClosed": true
      }
    ],
    "postToolUse": [
      {
        "command": "\"C:/Program Files/clampd-guard/clampd-guard.exe\" hook --agent cursor",
        "timeout": 10
      }
    ],
    "beforeSubmitPrompt": [
      {
        "command": "\"C:/Program Files/clampd-guard/clampd-guard.exe\" hook --agent cursor",
        "timeout": 10
      }
    ]
  }
}
'@

$Utf8NoBom = New-Object System.Text.UTF8Encoding $false

function Write-FileAtomic([string]$Path, [string]$Text) {
    $tmp = "$Path.clampd-new"
    [System.IO.File]::WriteAllText($tmp, $Text.Trim() + "`n", $Utf8NoBom)
    Move-Item -LiteralPath $tmp -Destination $Path -Force
}

function Test-GuardConfig([string]$Path) {
    # Windows PowerShell turns a native command's redirected stderr into an error under 'Stop'.
    $ErrorActionPreference = 'Continue'
    & $Exe config validate $Path *> $null
    return ($LASTEXITCODE -eq 0)
}

function Set-ManagedAcl([string]$Path) {
    # A fresh DACL: no inheritance from ProgramData, nothing a user added survives.
    $acl = New-Object System.Security.AccessControl.DirectorySecurity
    $acl.SetAccessRuleProtection($true, $false)
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    $none = [System.Security.AccessControl.PropagationFlags]::None
    $grants = @(
        @('S-1-5-18', 'FullControl'),       # SYSTEM
        @('S-1-5-32-544', 'FullControl'),   # Administrators
        @('S-1-5-32-545', 'ReadAndExecute') # Users: read-only
    )
    foreach ($g in $grants) {
        $sid = New-Object System.Security.Principal.SecurityIdentifier $g[0]
        $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule($sid, $g[1], $inherit, $none, 'Allow')))
    }
    $acl.SetOwner((New-Object System.Security.Principal.SecurityIdentifier 'S-1-5-32-544'))
    Set-Acl -LiteralPath $Path -AclObject $acl
    # Everything inside: owned by Administrators, only the inherited entries.
    & icacls.exe $Path /setowner '*S-1-5-32-544' /T /C /Q | Out-Null
    if (Get-ChildItem -LiteralPath $Path -Force) {
        & icacls.exe (Join-Path $Path '*') /reset /T /C /Q | Out-Null
    }
}

function New-ManagedDir([string]$Path) {
    if (-not (Test-Path -LiteralPath $Path -PathType Container)) {
        New-Item -ItemType Directory -Path $Path -Force | Out-Null
    }
}

# Wire one editor file; returns $true when it was written or already right.
# (Messages go through Write-Host: Write-Output would become part of the return value.)
function Set-EditorFile([string]$Name, [string]$Dir, [string]$File, [string]$Text, [string]$DropIn) {
    New-ManagedDir $Dir
    $dest = Join-Path $Dir $File
    $want = $Text.Trim() + "`n"
    if (Test-Path -LiteralPath $dest) {
        $have = [System.IO.File]::ReadAllText($dest)
        if ($have -eq $want) { return $true }
        if ($have.Contains($Marker)) {
            Copy-Item -LiteralPath $dest -Destination "$dest.clampd-backup" -Force
            Write-FileAtomic $dest $want
            Write-Host "${Name}: replaced an older $dest (backup: $File.clampd-backup)"
            return $true
        }
        if ($DropIn) {
            $dropDir = Join-Path $Dir $DropIn
            New-ManagedDir $dropDir
            $drop = Join-Path $dropDir '50-clampd-guard.json'
            if ((-not (Test-Path -LiteralPath $drop)) -or ([System.IO.File]::ReadAllText($drop) -ne $want)) {
                Write-FileAtomic $drop $want
                Write-Host "${Name}: $dest is managed by someone else: wrote $drop"
            }
            return $true
        }
        Write-Host "${Name}: $dest already exists with other hooks; merge the clampd-guard hooks into it by hand"
        return $false
    }
    Write-FileAtomic $dest $want
    Write-Host "${Name}: wrote $dest"
    return $true
}

try {
    if (-not (Test-Path -LiteralPath $Exe -PathType Leaf)) {
        Write-Output "clampd-guard: $Exe is missing: reinstall the clampd-guard app"
        exit 1
    }
    $ok = $true

    New-ManagedDir $ConfigDir
    if (-not ((Test-Path -LiteralPath $ConfigFile) -and (Test-GuardConfig $ConfigFile))) {
        $tmp = Join-Path $ConfigDir 'guard.json.clampd-fallback'
        [System.IO.File]::WriteAllText($tmp, $FallbackGuardJson.Trim() + "`n", $Utf8NoBom)
        if (-not (Test-GuardConfig $tmp)) { throw "the embedded guard.json does not validate" }
        Move-Item -LiteralPath $tmp -Destination $ConfigFile -Force
        Write-Output "clampd-guard: $ConfigFile was missing or invalid: wrote the fallback configuration"
    }
    Set-ManagedAcl $ConfigDir

    if (-not (Set-EditorFile 'Claude Code' $ClaudeDir 'managed-settings.json' $ClaudeManagedSettings 'managed-settings.d')) { $ok = $false }
    New-ManagedDir $CursorDir
    Set-ManagedAcl $CursorDir
    if (-not (Set-EditorFile 'Cursor' $CursorDir 'hooks.json' $CursorHooks '')) { $ok = $false }

    if ($ok) { Write-Output 'clampd-guard: configuration, editor wiring and ACLs are in place'; exit 0 }
    exit 1
} catch {
    Write-Output "clampd-guard remediation failed: $($_.Exception.Message)"
    exit 1
}
