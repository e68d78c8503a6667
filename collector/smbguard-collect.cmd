@echo off
rem smbguard-collect.cmd: writes what `smbguard audit` needs about THIS Windows host (docs/collector-format.md)
rem into one UTF-16LE file %COMPUTERNAME%.smbguard.txt. Works without PowerShell (XP/2003 too). Run as administrator.
rem Usage: smbguard-collect.cmd [OUTPUT-FOLDER]     (default: the folder this script is in)
rem Read-only: it changes nothing on the host. Not tested on Windows by the smbguard test suite.
setlocal EnableExtensions

rem A 32-bit cmd on 64-bit Windows sees SysWOW64 and the 32-bit registry: restart as 64-bit (Sysnative).
if defined PROCESSOR_ARCHITEW6432 if exist "%SystemRoot%\Sysnative\cmd.exe" (
  "%SystemRoot%\Sysnative\cmd.exe" /c ""%~f0" %*"
  exit /b %ERRORLEVEL%
)

set "OUTDIR=%~1"
if not defined OUTDIR set "OUTDIR=%~dp0"
if "%OUTDIR:~-1%"=="\" set "OUTDIR=%OUTDIR:~0,-1%"
set "OUT=%OUTDIR%\%COMPUTERNAME%.smbguard.txt"
set "T=%TEMP%\smbguard-%RANDOM%%RANDOM%"
set "BODY=%T%.oem.txt"
set "VBS=%T%.vbs"
set "SRV=%SystemRoot%\System32\drivers\srv.sys"
if defined PROCESSOR_ARCHITEW6432 set "SRV=%SystemRoot%\Sysnative\drivers\srv.sys"

set "HAVEPS="
where powershell.exe >nul 2>&1 && set "HAVEPS=1"
if not defined HAVEPS if exist "%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe" set "HAVEPS=1"

rem --- the VBScript helper: UTC time, srv.sys numeric version, the byte order mark -------------------------
> "%VBS%" echo Set a = WScript.Arguments
>>"%VBS%" echo On Error Resume Next
>>"%VBS%" echo If a(0) = "utc" Then
>>"%VBS%" echo   For Each t In GetObject("winmgmts:\\.\root\cimv2").ExecQuery("SELECT * FROM Win32_UTCTime")
>>"%VBS%" echo     WScript.Echo t.Year ^& "-" ^& Right("0" ^& t.Month, 2) ^& "-" ^& Right("0" ^& t.Day, 2) ^& "T" ^& Right("0" ^& t.Hour, 2) ^& ":" ^& Right("0" ^& t.Minute, 2) ^& ":" ^& Right("0" ^& t.Second, 2) ^& "Z"
>>"%VBS%" echo   Next
>>"%VBS%" echo ElseIf a(0) = "ver" Then
>>"%VBS%" echo   Set fso = CreateObject("Scripting.FileSystemObject")
>>"%VBS%" echo   If Not fso.FileExists(a(1)) Then
>>"%VBS%" echo     WScript.Echo "absent"
>>"%VBS%" echo   Else
>>"%VBS%" echo     v = fso.GetFileVersion(a(1))
>>"%VBS%" echo     If v = "" Then
>>"%VBS%" echo       For Each f In GetObject("winmgmts:\\.\root\cimv2").ExecQuery("SELECT Version FROM CIM_DataFile WHERE Name='" ^& Replace(a(1), "\", "\\") ^& "'")
>>"%VBS%" echo         v = f.Version
>>"%VBS%" echo       Next
>>"%VBS%" echo     End If
>>"%VBS%" echo     WScript.Echo v
>>"%VBS%" echo   End If
>>"%VBS%" echo   WScript.Echo "path=" ^& a(1)
>>"%VBS%" echo ElseIf a(0) = "bom" Then
>>"%VBS%" echo   CreateObject("Scripting.FileSystemObject").CreateTextFile(a(1), True, True).Close
>>"%VBS%" echo End If

set "UTC="
for /f "delims=" %%u in ('cscript //nologo "%VBS%" utc 2^>nul') do set "UTC=%%u"
set "LANGTAG="
if defined HAVEPS for /f "delims=" %%l in ('powershell -NoProfile -NonInteractive -Command "(Get-UICulture).Name" 2^>nul') do set "LANGTAG=%%l"

echo smbguard: collecting for %COMPUTERNAME% ...
> "%BODY%" echo #smbguard-collector v1 host=%COMPUTERNAME% domain=%USERDOMAIN% time=%UTC% ui_language=%LANGTAG%

call :begin systeminfo
systeminfo >> "%BODY%" 2>nul
call :end systeminfo

call :begin wmic-qfe
wmic qfe list full /format:csv > "%T%.wmic" 2>nul
if errorlevel 1 (>> "%BODY%" echo unavailable) else type "%T%.wmic" >> "%BODY%"
call :end wmic-qfe

rem The CBS package list: KBs and their state (Installed / Superseded / Install Pending ...). /english keeps
rem the labels and state words English whatever the UI language. No dism.exe (XP/2003/Vista) or not
rem elevated: "unavailable".
call :begin dism-packages
dism /online /get-packages /english > "%T%.dism" 2>nul
if errorlevel 1 (>> "%BODY%" echo unavailable) else type "%T%.dism" >> "%BODY%"
call :end dism-packages

call :begin wmic-os
wmic os get Caption,Version,BuildNumber,CSDVersion,ServicePackMajorVersion,ProductType,OSArchitecture,LastBootUpTime,LocalDateTime,OSLanguage /value > "%T%.wmic" 2>nul
if errorlevel 1 wmic os get Caption,Version,BuildNumber,CSDVersion,ServicePackMajorVersion,ProductType,LastBootUpTime,LocalDateTime,OSLanguage /value > "%T%.wmic" 2>nul
if errorlevel 1 (>> "%BODY%" echo unavailable) else type "%T%.wmic" >> "%BODY%"
call :end wmic-os

rem srv.sys: the NUMERIC file version (never the FileVersion string). PowerShell when present, else VBScript.
call :begin srv-sys-version
set "GOT="
if defined HAVEPS for /f "delims=" %%v in ('powershell -NoProfile -NonInteractive -Command "$p='%SRV%'; if (Test-Path $p) { $v=(Get-Item $p).VersionInfo; '{0}.{1}.{2}.{3}' -f $v.FileMajorPart,$v.FileMinorPart,$v.FileBuildPart,$v.FilePrivatePart } else { 'absent' }" 2^>nul') do (
  >> "%BODY%" echo %%v
  set "GOT=1"
)
if defined GOT (>> "%BODY%" echo path=%SRV%) else cscript //nologo "%VBS%" ver "%SRV%" >> "%BODY%" 2>nul
call :end srv-sys-version

call :begin ubr
reg query "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion" /v UBR >> "%BODY%" 2>nul
call :end ubr

call :begin reboot-pending
>> "%BODY%" echo #check cbs-reboot-pending
reg query "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending" >nul 2>&1 && (>> "%BODY%" echo present) || (>> "%BODY%" echo absent)
>> "%BODY%" echo #check wu-reboot-required
reg query "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired" >nul 2>&1 && (>> "%BODY%" echo present) || (>> "%BODY%" echo absent)
>> "%BODY%" echo #check pending-file-rename
reg query "HKLM\SYSTEM\CurrentControlSet\Control\Session Manager" /v PendingFileRenameOperations >> "%BODY%" 2>nul || (>> "%BODY%" echo absent)
rem DISM "Install Pending" comes from the dism-packages section above (DISM runs once).
call :end reboot-pending

call :begin smb1
>> "%BODY%" echo #check registry
reg query "HKLM\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters" /v SMB1 >> "%BODY%" 2>nul || (>> "%BODY%" echo absent)
if defined HAVEPS (
  >> "%BODY%" echo #check optional-feature
  powershell -NoProfile -NonInteractive -Command "if (Get-Command Get-WindowsOptionalFeature -ErrorAction SilentlyContinue) { Get-WindowsOptionalFeature -Online -FeatureName SMB1Protocol | Format-List FeatureName,State }" >> "%BODY%" 2>nul
  >> "%BODY%" echo #check smb-server-configuration
  powershell -NoProfile -NonInteractive -Command "if (Get-Command Get-SmbServerConfiguration -ErrorAction SilentlyContinue) { Get-SmbServerConfiguration | Format-List EnableSMB1Protocol }" >> "%BODY%" 2>nul
)
call :end smb1

call :begin server-service
sc query lanmanserver >> "%BODY%" 2>nul
call :end server-service

call :begin netstat
netstat -an | findstr /r /c:":445 " /c:":139 " >> "%BODY%"
call :end netstat

call :begin antivirus
wmic /namespace:\\root\SecurityCenter2 path AntiVirusProduct get displayName,productState /value > "%T%.wmic" 2>nul
if errorlevel 1 wmic /namespace:\\root\SecurityCenter path AntiVirusProduct get displayName,onAccessScanningEnabled,productUptoDate /value > "%T%.wmic" 2>nul
if errorlevel 1 (>> "%BODY%" echo unavailable) else type "%T%.wmic" >> "%BODY%"
call :end antivirus

rem --- to UTF-16LE: `cmd /u` makes `type` write UTF-16LE; the BOM comes from the VBScript helper ---------
cmd /u /c type "%BODY%" > "%T%.u16" 2>nul
cscript //nologo "%VBS%" bom "%T%.bom" >nul 2>&1
if exist "%T%.bom" (
  copy /b "%T%.bom" + "%T%.u16" "%OUT%" >nul
) else (
  copy /b "%T%.u16" "%OUT%" >nul
)
del /q "%T%.*" 2>nul
if exist "%OUT%" (
  echo smbguard: wrote %OUT%
  echo smbguard: copy it to the machine with smbguard and run: smbguard audit %COMPUTERNAME%.smbguard.txt
  exit /b 0
)
echo smbguard: could not write %OUT% 1>&2
exit /b 1

:begin
>> "%BODY%" echo #smbguard-begin %1
exit /b 0

:end
>> "%BODY%" echo #smbguard-end %1
exit /b 0
