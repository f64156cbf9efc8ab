@echo off
rem Classlock: undoes prepare-machine.cmd's start-at-login. The data folder
rem (%ProgramData%\Classlock\data) is kept: it holds the school's records.
reg delete "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run" /v Classlock /f /reg:64 >nul 2>&1
exit /b 0
