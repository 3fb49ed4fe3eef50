; Cotejo's Windows installer (NSIS 3). make windows-installer builds it from the folder
; make windows makes:
;
;   makensis -DVERSION=1.2.0 -DSRC=dist/windows/cotejo -DOUT=dist/windows/cotejo-setup.exe dist/windows/cotejo.nsi
;
; Per machine, into Program Files, with Start-menu and desktop shortcuts for every user.
; The kiosk option starts Cotejo full screen when anyone signs in. The uninstaller asks
; whether to delete the data (the uninstalling user's %APPDATA%\cotejo and
; %LOCALAPPDATA%\cotejo: configuration, sealed data file, key); silent, it keeps them
; unless given /REMOVEDATA. Silent install: cotejo-setup.exe /S [/KIOSK] [/D=FOLDER].

; A 64-bit installer: cotejo.exe is 64-bit only, and Wine's 64-bit-only install (Debian's
; wine64 without wine32), which tests it, runs no 32-bit program.
Target amd64-unicode
!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh

!ifndef VERSION
	!define VERSION 0
!endif
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Cotejo"
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"

Name "Cotejo"
OutFile "${OUT}"
InstallDir "$PROGRAMFILES64\Cotejo"
RequestExecutionLevel admin
SetCompressor /SOLID lzma

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Spanish"
!insertmacro MUI_LANGUAGE "English"

LangString SecMain ${LANG_SPANISH} "Cotejo"
LangString SecMain ${LANG_ENGLISH} "Cotejo"
LangString SecKioskName ${LANG_SPANISH} "Modo quiosco: abrir a pantalla completa al iniciar sesión"
LangString SecKioskName ${LANG_ENGLISH} "Kiosk mode: open full screen at sign-in"
LangString Uninstall ${LANG_SPANISH} "Desinstalar Cotejo"
LangString Uninstall ${LANG_ENGLISH} "Uninstall Cotejo"
LangString AskData ${LANG_SPANISH} "¿Borrar también los datos de Cotejo de este usuario (configuración, consultas guardadas, bitácora y llave de datos)?$\n$\nSi no, quedan en $APPDATA\cotejo y $LOCALAPPDATA\cotejo para una nueva instalación."
LangString AskData ${LANG_ENGLISH} "Also delete this user's Cotejo data (configuration, saved requests, audit trail and data key)?$\n$\nIf not, they stay in $APPDATA\cotejo and $LOCALAPPDATA\cotejo for a new installation."

Section "!$(SecMain)" SecCotejo
	SectionIn RO
	SetShellVarContext all
	SetOutPath "$INSTDIR"
	File "${SRC}\cotejo.exe"
	File "${SRC}\*.dll"
	SetOutPath "$INSTDIR\tessdata"
	File "${SRC}\tessdata\*.traineddata"
	SetOutPath "$INSTDIR"
	; The reader's WinUSB driver, for IT to sign and install (docs/windows.md): copied,
	; not installed, since a 64-bit Windows takes only a signed catalog. makensis works
	; in this script's folder (a relative ${__FILEDIR__} would name it twice).
	File "cotejo-readers.inf"
	WriteUninstaller "$INSTDIR\uninstall.exe"

	CreateDirectory "$SMPROGRAMS\Cotejo"
	CreateShortcut "$SMPROGRAMS\Cotejo\Cotejo.lnk" "$INSTDIR\cotejo.exe" "gui"
	CreateShortcut "$SMPROGRAMS\Cotejo\$(Uninstall).lnk" "$INSTDIR\uninstall.exe"
	CreateShortcut "$DESKTOP\Cotejo.lnk" "$INSTDIR\cotejo.exe" "gui"

	WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "Cotejo"
	WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\cotejo.exe"
	WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
	WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" $0
SectionEnd

; Every user's sign-in starts the kiosk, full screen.
Section /o "$(SecKioskName)" SecKiosk
	WriteRegStr HKLM "${RUNKEY}" "Cotejo" '"$INSTDIR\cotejo.exe" gui --fullscreen'
SectionEnd

; After the sections: it selects one by its index.
Function .onInit
	SetRegView 64
	!insertmacro MUI_LANGDLL_DISPLAY
	${GetParameters} $R0
	ClearErrors
	${GetOptions} $R0 "/KIOSK" $R1
	${IfNot} ${Errors}
		SectionSetFlags ${SecKiosk} ${SF_SELECTED}
	${EndIf}
FunctionEnd

Function un.onInit
	SetRegView 64
	!insertmacro MUI_UNGETLANGUAGE
FunctionEnd

Section "Uninstall"
	SetShellVarContext all
	DeleteRegValue HKLM "${RUNKEY}" "Cotejo"
	Delete "$SMPROGRAMS\Cotejo\Cotejo.lnk"
	Delete "$SMPROGRAMS\Cotejo\$(Uninstall).lnk"
	RMDir "$SMPROGRAMS\Cotejo"
	Delete "$DESKTOP\Cotejo.lnk"
	; Only what the installer put there: the folder may have been chosen by hand.
	Delete "$INSTDIR\cotejo.exe"
	Delete "$INSTDIR\*.dll"
	Delete "$INSTDIR\tessdata\*.traineddata"
	RMDir "$INSTDIR\tessdata"
	Delete "$INSTDIR\cotejo-readers.inf"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR"
	DeleteRegKey HKLM "${UNINSTKEY}"

	; The data is per user: the one uninstalling.
	SetShellVarContext current
	${GetParameters} $R0
	ClearErrors
	${GetOptions} $R0 "/REMOVEDATA" $R1
	${If} ${Errors}
		${If} ${Silent}
			Return
		${EndIf}
		MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "$(AskData)" /SD IDNO IDYES remove
		Return
	${EndIf}
remove:
	RMDir /r "$APPDATA\cotejo"
	RMDir /r "$LOCALAPPDATA\cotejo"
SectionEnd
