@echo off
rem Classlock: prepares this computer for every user. Run as an administrator (the NSIS
rem installer runs it; for MSI deployments run it as a computer startup script or once
rem after the MSI). Safe to run again: it only (re)sets folders, rights and the Run key.
rem
rem   prepare-machine.cmd "C:\Program Files\Classlock"
rem
rem Rights (SIDs, so they work in every Windows language):
rem   S-1-5-18 SYSTEM, S-1-5-32-544 Administrators, S-1-5-32-545 Users,
rem   S-1-3-0 CREATOR OWNER. docs/deployment.md explains each line.
setlocal
set "INSTDIR=%~1"
if "%INSTDIR%"=="" set "INSTDIR=%ProgramFiles%\Classlock"
set "ROOT=%ProgramData%\Classlock"
set "DATA=%ROOT%\data"

for %%D in ("%ROOT%" "%DATA%" "%DATA%\acceptances" "%DATA%\pins" "%DATA%\throttle" "%DATA%\policies" "%DATA%\state") do (
  if not exist "%%~D" mkdir "%%~D"
)

rem Config folder: only administrators write; users read config.json.
icacls "%ROOT%" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-32-545:(OI)(CI)RX" >nul || goto :failed

rem Data folder: users may list it, add files and folders, and read files placed directly
rem in it (the machine id); each file belongs to whoever created it (CREATOR OWNER).
icacls "%DATA%" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-32-545:(RX,WD,AD)" "*S-1-3-0:(OI)(CI)(IO)M" >nul || goto :failed
icacls "%DATA%" /grant "*S-1-5-32-545:(OI)(NP)(IO)R" >nul || goto :failed

rem Per-user records: users may add their own file, never read, change or delete another's.
for %%D in (acceptances pins throttle) do (
  icacls "%DATA%\%%D" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-32-545:(RX,WD,AD)" "*S-1-3-0:(OI)(CI)(IO)M" >nul || goto :failed
)

rem Saved policies: each session adds and rewrites only its own copy, and every session
rem may read all of them, because the newest verified copy goes in force at start.
icacls "%DATA%\policies" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-32-545:(RX,WD,AD)" "*S-1-3-0:(OI)(CI)(IO)M" >nul || goto :failed
icacls "%DATA%\policies" /grant "*S-1-5-32-545:(OI)(IO)R" >nul || goto :failed

rem Shared state every session replaces whole (trusted time; the policy copy of versions
rem before per-session copies).
icacls "%DATA%\state" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-32-545:(OI)(CI)M" >nul || goto :failed

rem The audit log: every user may append; nobody but administrators may read, rewrite,
rem truncate or delete it.
if not exist "%DATA%\audit.jsonl" type nul > "%DATA%\audit.jsonl"
icacls "%DATA%\audit.jsonl" /inheritance:r /grant:r "*S-1-5-18:F" "*S-1-5-32-544:F" "*S-1-5-32-545:(AD,RA,REA,S)" >nul || goto :failed

rem Start for every user at login.
reg add "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run" /v Classlock /t REG_SZ /d "\"%INSTDIR%\Classlock.exe\"" /f /reg:64 >nul || goto :failed

echo Classlock: machine folders, rights and start at login are set.
exit /b 0

:failed
echo Classlock: could not finish preparing this computer (are you an administrator?). 1>&2
exit /b 1
