# smbguard-collect.ps1: writes what `smbguard audit` needs about THIS Windows host (docs/collector-format.md)
# into one UTF-16LE file COMPUTERNAME.smbguard.txt. PowerShell 2.0 compatible (Windows 7 / 2008 R2 as shipped).
# Usage: powershell -ExecutionPolicy Bypass -File smbguard-collect.ps1 [-OutDir FOLDER]   (run as administrator)
# Read-only: it changes nothing on the host. Not tested on Windows by the smbguard test suite.
param([string]$OutDir = "")

$ErrorActionPreference = "Continue"

# A 32-bit PowerShell on 64-bit Windows sees SysWOW64 and the 32-bit registry: restart as 64-bit (Sysnative).
if ([IntPtr]::Size -eq 4 -and $env:PROCESSOR_ARCHITEW6432) {
    $ps64 = Join-Path $env:SystemRoot "Sysnative\WindowsPowerShell\v1.0\powershell.exe"
    if (Test-Path $ps64) {
        & $ps64 -NoProfile -ExecutionPolicy Bypass -File $MyInvocation.MyCommand.Path -OutDir $OutDir
        exit $LASTEXITCODE
    }
}

if (-not $OutDir) { $OutDir = Split-Path -Parent $MyInvocation.MyCommand.Path }
$out = Join-Path $OutDir ($env:COMPUTERNAME + ".smbguard.txt")
$lines = New-Object System.Collections.ArrayList

function Add-Line([string]$s) { [void]$lines.Add($s) }
function Add-Output($o) {
    foreach ($l in @($o)) { if ($l -ne $null) { [void]$lines.Add(([string]$l).TrimEnd()) } }
}
function Section([string]$name, [scriptblock]$body) {
    Add-Line ("#smbguard-begin " + $name)
    try {
        $r = & $body 2>$null
        if ($r -eq $null) { Add-Line "unavailable" } else { Add-Output $r }
    } catch {
        Add-Line "unavailable"
    }
    Add-Line ("#smbguard-end " + $name)
}
function Reg-Present([string]$path) { if (Test-Path $path) { "present" } else { "absent" } }
function Have([string]$cmd) { [bool](Get-Command $cmd -ErrorAction SilentlyContinue) }

$os = Get-WmiObject Win32_OperatingSystem
$cs = Get-WmiObject Win32_ComputerSystem
$domain = $env:USERDOMAIN
if ($cs -and $cs.Domain) { $domain = $cs.Domain }
$utc = (Get-Date).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ")
$ui = ""
try { $ui = (Get-UICulture).Name } catch { }

Write-Host ("smbguard: collecting for " + $env:COMPUTERNAME + " ...")
Add-Line ("#smbguard-collector v1 host=" + $env:COMPUTERNAME + " domain=" + ($domain -replace '\s', '') + " time=" + $utc + " ui_language=" + $ui)

Section "systeminfo" { systeminfo.exe }

Section "get-hotfix-csv" {
    Get-HotFix | Select-Object CSName, HotFixID, Description, InstalledOn, InstalledBy | ConvertTo-Csv -NoTypeInformation
}

Section "wmic-qfe" {
    if (Have "wmic.exe") { wmic.exe qfe list full /format:csv } else { "unavailable" }
}

# The CBS package list: KBs and their state (Installed / Superseded / Install Pending ...). /english keeps
# the labels and state words English whatever the UI language. Not elevated or no dism.exe: "unavailable".
Section "dism-packages" {
    if (Have "dism.exe") {
        $d = dism.exe /online /get-packages /english
        if ($LASTEXITCODE -eq 0) { $d } else { "unavailable" }
    } else { "unavailable" }
}

Section "wmic-os" {
    $os | Format-List Caption, Version, BuildNumber, CSDVersion, ServicePackMajorVersion, ProductType, OSArchitecture, LastBootUpTime, LocalDateTime, OSLanguage | Out-String -Stream
}

# srv.sys: the NUMERIC file version (FileMajorPart...), never the FileVersion string (it can be stale).
Section "srv-sys-version" {
    $p = Join-Path $env:SystemRoot "System32\drivers\srv.sys"
    if (Test-Path $p) {
        $v = (Get-Item $p).VersionInfo
        "{0}.{1}.{2}.{3}" -f $v.FileMajorPart, $v.FileMinorPart, $v.FileBuildPart, $v.FilePrivatePart
    } else {
        "absent"
    }
    "path=" + $p
}

Section "ubr" {
    $k = Get-ItemProperty "HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion" -ErrorAction SilentlyContinue
    if ($k -and $k.UBR -ne $null) { [string]$k.UBR } else { "unavailable" }
}

Section "reboot-pending" {
    "#check cbs-reboot-pending"
    Reg-Present "HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending"
    "#check wu-reboot-required"
    Reg-Present "HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired"
    "#check pending-file-rename"
    $sm = Get-ItemProperty "HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager" -ErrorAction SilentlyContinue
    if ($sm -and $sm.PendingFileRenameOperations) {
        "    PendingFileRenameOperations    REG_MULTI_SZ    " + (($sm.PendingFileRenameOperations | Where-Object { $_ }) -join "\0")
    } else { "absent" }
    # DISM "Install Pending" comes from the dism-packages section (DISM runs once).
}

Section "smb1" {
    "#check registry"
    $par = Get-ItemProperty "HKLM:\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters" -ErrorAction SilentlyContinue
    if ($par -and $par.SMB1 -ne $null) { "    SMB1    REG_DWORD    0x" + ("{0:x}" -f [int]$par.SMB1) } else { "absent" }
    if (Have "Get-WindowsOptionalFeature") {
        "#check optional-feature"
        Get-WindowsOptionalFeature -Online -FeatureName SMB1Protocol | Format-List FeatureName, State | Out-String -Stream
    }
    if (Have "Get-SmbServerConfiguration") {
        "#check smb-server-configuration"
        Get-SmbServerConfiguration | Format-List EnableSMB1Protocol | Out-String -Stream
    }
}

Section "server-service" { sc.exe query lanmanserver }

Section "netstat" { netstat.exe -an | Select-String -Pattern ":445 |:139 " | ForEach-Object { $_.Line } }

Section "antivirus" {
    $av = Get-WmiObject -Namespace "root\SecurityCenter2" -Class AntiVirusProduct -ErrorAction SilentlyContinue
    if ($av) { $av | ForEach-Object { "displayName=" + $_.displayName + " productState=" + $_.productState } }
    if (Have "Get-MpComputerStatus") {
        Get-MpComputerStatus | Format-List AMServiceEnabled, AntivirusEnabled, AntivirusSignatureLastUpdated | Out-String -Stream
    }
}

# UTF-16LE with BOM, CRLF
$text = [string]::Join("`r`n", [string[]]$lines.ToArray()) + "`r`n"
[System.IO.File]::WriteAllText($out, $text, [System.Text.Encoding]::Unicode)
Write-Host ("smbguard: wrote " + $out)
Write-Host ("smbguard: copy it to the machine with smbguard and run: smbguard audit " + $env:COMPUTERNAME + ".smbguard.txt")
