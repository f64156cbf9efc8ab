; Classlock NSIS additions (electron-builder `nsis.include`). The machine-wide folders, their
; rights and the HKLM Run key are set by the same script MSI deployments run, so both
; installers leave a computer in exactly the same state. See docs/deployment.md.

!macro customInstall
  nsExec::ExecToLog '"$SYSDIR\cmd.exe" /d /c ""$INSTDIR\resources\prepare-machine.cmd" "$INSTDIR""'
  Pop $0
  ${if} $0 != 0
    DetailPrint "Classlock: preparing the machine folders failed (exit code $0)."
    SetErrorLevel 2
  ${endif}
!macroend

!macro customUnInstall
  nsExec::ExecToLog '"$SYSDIR\cmd.exe" /d /c ""$INSTDIR\resources\remove-machine.cmd""'
  Pop $0
!macroend
