#!/bin/sh
# Runs a Windows program under Wine in a Wine prefix of cotejo's own
# (~/.cache/cotejo-windows/wine, or $WINEPREFIX), made on first use with the
# bcryptprimitives.dll stand-in Debian 12's Wine 8.0 needs to start Go programs (see
# bcryptprimitives.c beside this script). For make windows-screenshots and by hand:
#
#   dist/windows/wine/run.sh dist/windows/cotejo/cotejo.exe version
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export WINEPREFIX="${WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/cotejo-windows/wine}"
export WINEDEBUG="${WINEDEBUG:--all}"
# No Mono or Gecko: cotejo needs neither, and Wine would offer to download them.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
# tesseract finds tessdata/ beside cotejo.exe only when this is unset.
unset TESSDATA_PREFIX
dll=$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
if [ ! -f "$dll" ]; then
	wineboot --init >/dev/null 2>&1
	x86_64-w64-mingw32-gcc -O2 -shared -s -o "$dll" "$here/bcryptprimitives.c" -ladvapi32
fi
exec wine "$@"
