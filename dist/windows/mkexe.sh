#!/bin/sh
# Cross-compiles cotejo.exe for 64-bit Windows against the libraries build-deps.sh made
# in PREFIX, and puts beside it every DLL it loads that Windows does not ship (found by
# following the import tables from the exe down) and tesseract's data.
#
#   dist/windows/mkexe.sh PREFIX OUTDIR [go build flags...]
#
# tesseract on Windows looks for tessdata/ beside the executable when TESSDATA_PREFIX is
# unset, so OUTDIR is self-contained: copy it anywhere and run cotejo.exe.
set -eu
prefix=$1
out=$2
shift 2

HOST=x86_64-w64-mingw32
gcclib=$(dirname "$($HOST-gcc-posix -print-libgcc-file-name)")
# Where a DLL the exe names may come from, first match wins.
search="$prefix/bin $gcclib /usr/$HOST/lib"

rm -rf "$out"
mkdir -p "$out/tessdata"

# gosseract links -ltesseract -lleptonica; on Windows their CMake builds put the version
# in the name (libtesseract53.dll.a, libleptonica-1.82.0.dll.a): links under the plain
# names, in a folder of our own so the cache stays as build-deps.sh left it. The folder's
# path is the same for every prefix: the CGO_ flags are part of every cgo package's
# build-cache key, so a temporary or per-prefix path would recompile Fyne's GLFW and
# OpenGL C code (most of the build's time) on every run.
links=$(dirname "$prefix")/golinks
rm -rf "$links"
mkdir -p "$links/lib"
ln -s "$prefix/include" "$links/include"
for f in "$prefix"/lib/*.dll.a; do
	ln -s "$f" "$links/lib/"
done
for lib in tesseract leptonica; do
	f=$(ls "$prefix/lib/lib$lib"*.dll.a | head -n 1)
	ln -sf "$f" "$links/lib/lib$lib.dll.a"
done

# The same compilers (posix threads) as the libraries.
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
	CC=$HOST-gcc-posix CXX=$HOST-g++-posix \
	PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig:$prefix/share/pkgconfig" PKG_CONFIG_PATH= \
	CGO_CPPFLAGS="-I$links/include" CGO_LDFLAGS="-L$links/lib" \
	go build -trimpath "$@" -o "$out/cotejo.exe" .

# dlls FILE: the DLL names FILE imports, lower-cased.
dlls() {
	$HOST-objdump -p "$1" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z'
}

todo=$(dlls "$out/cotejo.exe")
seen=
while [ -n "$todo" ]; do
	next=
	for d in $todo; do
		case " $seen " in *" $d "*) continue ;; esac
		seen="$seen $d"
		for dir in $search; do
			f=$(find "$dir" -maxdepth 1 -iname "$d" 2>/dev/null | head -n 1)
			if [ -n "$f" ]; then
				cp "$f" "$out/"
				next="$next $(dlls "$f")"
				break
			fi
		done
		# Not found: a DLL of Windows itself (kernel32.dll, opengl32.dll, ...).
	done
	todo=$next
done

# The copies lose their symbols and debugging sections (libstdc++-6.dll alone is 23 MB
# with them); the exports the exe links against stay. The exe has none (-s -w).
$HOST-strip --strip-unneeded "$out"/*.dll

for lang in spa eng osd; do
	cp "/usr/share/tesseract-ocr/5/tessdata/$lang.traineddata" "$out/tessdata/"
done
ls "$out"
