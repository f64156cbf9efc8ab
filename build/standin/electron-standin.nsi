; A stand-in for electron.exe (and node.exe) in installer test builds made where the
; Electron binary cannot be downloaded. It is a real Windows program that exits at once,
; with version information and Electron's fuse wire, so electron-builder can write the
; asar integrity resource and flip the fuses exactly as it does on the real binary.
; Compiled by scripts/dist-electron.mjs with Debian's makensis. Never shipped to schools.
Unicode true
SetCompress off
OutFile "${OUTFILE}"
RequestExecutionLevel user
SilentInstall silent
VIProductVersion "0.0.0.0"
VIAddVersionKey /LANG=1033 "ProductName" "Electron stand-in"
VIAddVersionKey /LANG=1033 "FileVersion" "0.0.0.0"
VIAddVersionKey /LANG=1033 "FileDescription" "Stand-in for installer tests; not Electron"
VIAddVersionKey /LANG=1033 "LegalCopyright" "Classlock contributors"

Section
  Quit
SectionEnd

; Never installed: present only so the fuse wire's bytes sit uncompressed in the file.
Section /o "fuse wire"
  File "${FUSEWIRE}"
SectionEnd
