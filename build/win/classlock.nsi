; Classlock per-machine installer (NSIS). Compiled by scripts/package-nsis.mjs with
; makensis, which defines VERSION, OUTFILE, FILES_INSTALL and FILES_UNINSTALL (the file
; lists of the staged Windows folder) and the names from scripts/package-windows-layout.mjs.
; What it does to a PC, and the same done by the MSI: docs/deployment.md.
;
; Silent install for scripts, SCCM or Intune (every switch optional):
;   "Classlock Setup.exe" /S /POLICYURL=https://... /TRUSTEDKEYID=school-2026
;       /TRUSTEDKEY=MCowBQYDK2VwAyEA... /HUBURL=https://... /ENROLMENTSECRET=...
; Silent uninstall: "C:\Program Files\Classlock\Uninstall Classlock.exe" /S

Unicode true
ManifestSupportedOS all
RequestExecutionLevel admin
SetCompressor /SOLID lzma
Name "Classlock"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\Classlock"
BrandingText "Classlock ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "Classlock"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "Classlock installer (every user of this computer)"
VIAddVersionKey /LANG=1033 "LegalCopyright" "Classlock contributors"

!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "x64.nsh"

!define UNINSTALLER "Uninstall Classlock.exe"
!define ARP "Software\Microsoft\Windows\CurrentVersion\Uninstall\Classlock"
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define POLICYKEY "SOFTWARE\Policies\Classlock"
!define EVENTKEY "SYSTEM\CurrentControlSet\Services\EventLog\Application\${EVENT_SOURCE}"
; Well-known SIDs, so the rights work in every Windows language.
!define SID_SYSTEM "*S-1-5-18"
!define SID_ADMINS "*S-1-5-32-544"

Var PolicyUrl
Var TrustedKeyId
Var TrustedKey
Var HubUrl
Var EnrolmentSecret

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "Classlock needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  ${GetParameters} $R0
  ${GetOptions} $R0 "/POLICYURL=" $PolicyUrl
  ${GetOptions} $R0 "/TRUSTEDKEYID=" $TrustedKeyId
  ${GetOptions} $R0 "/TRUSTEDKEY=" $TrustedKey
  ${GetOptions} $R0 "/HUBURL=" $HubUrl
  ${GetOptions} $R0 "/ENROLMENTSECRET=" $EnrolmentSecret
  ${If} $TrustedKey != ""
  ${AndIf} $TrustedKeyId == ""
    MessageBox MB_ICONSTOP "/TRUSTEDKEY needs /TRUSTEDKEYID (the key id the policy is signed with)." /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

; Runs a command hidden, logs its output, leaves the exit code in $0.
!macro Run CMD
  nsExec::ExecToLog `${CMD}`
  Pop $0
!macroend

Section "Classlock" SecMain
  SectionIn RO
  ${DisableX64FSRedirection}

  ; Upgrade: stop the running service so its files can be replaced. Data stays.
  !insertmacro Run `"$SYSDIR\sc.exe" stop ${SERVICE_NAME}`
  Sleep 2000

  ${FILES_INSTALL}

  ; The machine service, as LocalSystem, started at boot, restarted on failure. WinSW
  ; (classlockd-service.exe) answers the Service Control Manager and runs classlockd.exe
  ; as its XML beside it says (docs/windows-service.md).
  !insertmacro Run `"$SYSDIR\sc.exe" query ${SERVICE_NAME}`
  ${If} $0 == 0
    !insertmacro Run `"$SYSDIR\sc.exe" config ${SERVICE_NAME} binPath= "\"$INSTDIR\${SERVICE_EXE}\"" start= auto obj= LocalSystem DisplayName= "${SERVICE_DISPLAY}"`
  ${Else}
    !insertmacro Run `"$SYSDIR\sc.exe" create ${SERVICE_NAME} binPath= "\"$INSTDIR\${SERVICE_EXE}\"" start= auto obj= LocalSystem DisplayName= "${SERVICE_DISPLAY}"`
  ${EndIf}
  ${If} $0 != 0
    DetailPrint "Classlock: the machine service could not be registered (sc.exe exit $0)."
    SetErrorLevel 3
  ${EndIf}
  !insertmacro Run `"$SYSDIR\sc.exe" description ${SERVICE_NAME} "${SERVICE_DESCRIPTION}"`
  !insertmacro Run `"$SYSDIR\sc.exe" failure ${SERVICE_NAME} reset= 86400 actions= restart/2000/restart/2000/restart/60000`

  ; %ProgramData%\Classlock (config.json) and its data folder: SYSTEM and Administrators
  ; only, nothing inherited. Existing records are kept (upgrade): only the folders' own
  ; rights are set, and files inherit from them.
  CreateDirectory "$APPDATA\${DATA_ROOT}\${DATA_DIR}"
  !insertmacro Run `"$SYSDIR\icacls.exe" "$APPDATA\${DATA_ROOT}" /inheritance:r /grant:r "${SID_SYSTEM}:(OI)(CI)F" "${SID_ADMINS}:(OI)(CI)F"`
  ${If} $0 != 0
    DetailPrint "Classlock: could not set the rights of $APPDATA\${DATA_ROOT} (icacls exit $0)."
    SetErrorLevel 4
  ${EndIf}
  !insertmacro Run `"$SYSDIR\icacls.exe" "$APPDATA\${DATA_ROOT}\${DATA_DIR}" /inheritance:r /grant:r "${SID_SYSTEM}:(OI)(CI)F" "${SID_ADMINS}:(OI)(CI)F"`
  ${If} $0 != 0
    DetailPrint "Classlock: could not set the rights of the data folder (icacls exit $0)."
    SetErrorLevel 4
  ${EndIf}
  ; Versions before the machine service kept per-user records in data\ and gave Users
  ; rights on it and the folders in it. Windows lets anyone reach a folder by its path
  ; without rights on its parent, so the whole tree takes the root's rights instead; the
  ; service reads it once (as SYSTEM) to import the acceptances.
  ${If} ${FileExists} "$APPDATA\${DATA_ROOT}\${LEGACY_DATA_DIR}\*.*"
    !insertmacro Run `"$SYSDIR\icacls.exe" "$APPDATA\${DATA_ROOT}\${LEGACY_DATA_DIR}" /reset /T /C /Q`
  ${EndIf}

  ; Event Log source for the service's messages.
  WriteRegExpandStr HKLM "${EVENTKEY}" "EventMessageFile" "%SystemRoot%\Microsoft.NET\Framework64\v4.0.30319\EventLogMessages.dll"
  WriteRegDWORD HKLM "${EVENTKEY}" "TypesSupported" 7

  ; The client starts in every user's session.
  WriteRegStr HKLM "${RUNKEY}" "${RUN_VALUE}" '"$INSTDIR\${APP_EXE}"'

  ; Settings given on the command line, where Group Policy puts them (a GPO wins).
  ${If} $PolicyUrl != ""
    WriteRegStr HKLM "${POLICYKEY}" "${VALUE_POLICYURL}" "$PolicyUrl"
  ${EndIf}
  ${If} $HubUrl != ""
    WriteRegStr HKLM "${POLICYKEY}" "${VALUE_HUBURL}" "$HubUrl"
  ${EndIf}
  ${If} $EnrolmentSecret != ""
    WriteRegStr HKLM "${POLICYKEY}" "${VALUE_ENROLMENTSECRET}" "$EnrolmentSecret"
  ${EndIf}
  ${If} $TrustedKey != ""
    WriteRegStr HKLM "${POLICYKEY}\${TRUSTEDKEYS_SUBKEY}" "$TrustedKeyId" "$TrustedKey"
    ; Remembered so the uninstaller removes exactly the key this installer added.
    WriteRegStr HKLM "SOFTWARE\Classlock" "InstallerTrustedKeyId" "$TrustedKeyId"
  ${EndIf}

  ; Add/Remove Programs.
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"
  WriteRegStr HKLM "${ARP}" "DisplayName" "Classlock"
  WriteRegStr HKLM "${ARP}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${ARP}" "Publisher" "Classlock contributors"
  WriteRegStr HKLM "${ARP}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${ARP}" "DisplayIcon" '"$INSTDIR\${APP_EXE}"'
  WriteRegStr HKLM "${ARP}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKLM "${ARP}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKLM "${ARP}" "NoModify" 1
  WriteRegDWORD HKLM "${ARP}" "NoRepair" 1

  !insertmacro Run `"$SYSDIR\sc.exe" start ${SERVICE_NAME}`
  ${If} $0 != 0
    DetailPrint "Classlock: the machine service did not start (sc.exe exit $0); see the Application event log."
  ${EndIf}
  ${EnableX64FSRedirection}
SectionEnd

Section "Uninstall"
  ${DisableX64FSRedirection}
  !insertmacro Run `"$SYSDIR\sc.exe" stop ${SERVICE_NAME}`
  Sleep 2000
  !insertmacro Run `"$SYSDIR\sc.exe" delete ${SERVICE_NAME}`
  ; No firewall rule may outlive the service that owns it.
  !insertmacro Run `"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -NonInteractive -Command "Get-NetFirewallRule -Group 'Classlock sanction *' -ErrorAction SilentlyContinue | Remove-NetFirewallRule"`

  ; Every Run value any version of Classlock wrote, in both registry views.
  DeleteRegValue HKLM "${RUNKEY}" "${RUN_VALUE}"
  SetRegView 32
  DeleteRegValue HKLM "${RUNKEY}" "${RUN_VALUE}"
  SetRegView 64

  ; The settings this installer may have written (values set by a GPO come back with it).
  DeleteRegValue HKLM "${POLICYKEY}" "${VALUE_POLICYURL}"
  DeleteRegValue HKLM "${POLICYKEY}" "${VALUE_HUBURL}"
  DeleteRegValue HKLM "${POLICYKEY}" "${VALUE_ENROLMENTSECRET}"
  ReadRegStr $1 HKLM "SOFTWARE\Classlock" "InstallerTrustedKeyId"
  ${If} $1 != ""
    DeleteRegValue HKLM "${POLICYKEY}\${TRUSTEDKEYS_SUBKEY}" "$1"
  ${EndIf}
  DeleteRegKey /ifempty HKLM "${POLICYKEY}\${TRUSTEDKEYS_SUBKEY}"
  DeleteRegKey /ifempty HKLM "${POLICYKEY}"
  DeleteRegKey HKLM "SOFTWARE\Classlock"
  DeleteRegKey HKLM "${EVENTKEY}"
  DeleteRegKey HKLM "${ARP}"

  ${FILES_UNINSTALL}
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"
  ; %ProgramData%\Classlock (config and the school's records) is kept: delete it by hand
  ; when the records are no longer needed.
  ${EnableX64FSRedirection}
SectionEnd
