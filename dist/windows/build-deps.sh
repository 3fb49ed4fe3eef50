#!/bin/sh
# Cross-builds the C libraries cotejo.exe links (tesseract, leptonica with zlib, libpng
# and libjpeg-turbo, libusb-1.0) for 64-bit Windows with mingw-w64, from Debian's own
# source packages at the versions pinned below, into a cache prefix named for this
# script's contents; a second run with the same script finds the prefix and does nothing.
#
#   dist/windows/build-deps.sh            # prints the prefix on its last line
#
# Nothing is downloaded except by apt-get from the Debian archive already configured
# (deb-src lines are added beside it when missing). apt checks each file against the
# signed Sources index; the .dsc checksums below are checked again here, and
# dpkg-source checks the tarballs against the .dsc. Build output goes to
# PREFIX/logs/, not the terminal. Run as root, or with sudo available, for apt.
set -eu

# source package=version sha256 of its .dsc. Debian 12 (bookworm).
PINS='
zlib=1:1.2.13.dfsg-1 3fa1e6b2fc525062aa88207dda52fed8e045373c809d362fe8a2bfbf7cf515a8
libpng1.6=1.6.39-2+deb12u5 7b86211030a34deb6b0a2cd7e1d9db0fe92443fd30cab537fb89b1e7f7c9f188
libjpeg-turbo=1:2.1.5-2 d718ead0dfbcbc8523665c02a7f7152e31039ded641d022868722623bb3b486d
leptonlib=1.82.0-3 6ff7d8f81c25ac6fe6c4ac174b300a0515bbf783edbb9fd5033797ddd328de8c
libusb-1.0=2:1.0.26-1 3d75673e367fab1d0ca1ef29276ff4ea31dd7678c9573c10975e8d80bdbd0b14
tesseract=5.3.0-2 1953764e1eb1638cb0aa26d1aea70babe518d124e72d6aa216846132eb7a5304
'
# The Debian packages the build needs: these, then mkexe.sh's Go modules (over HTTPS:
# ca-certificates) and the tessdata it copies (tesseract-ocr-*).
TOOLS='gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 cmake make pkg-config dpkg-dev autoconf automake libtool
ca-certificates tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-osd'

HOST=x86_64-w64-mingw32
# The posix thread model: tesseract uses std::thread and std::mutex, which GCC 12's
# win32 model lacks. cotejo.exe's cgo must use the same compilers (see the Makefile).
CC=$HOST-gcc-posix
CXX=$HOST-g++-posix
JOBS=${JOBS:-$(nproc)}

here=$(cd "$(dirname "$0")" && pwd)
cache=${COTEJO_WINDOWS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cotejo-windows}
# The prefix is named for what decides its contents: the pins, the toolchain file and
# the build steps (lines starting CMAKE= or step), not this script's comments or messages.
key=$( (echo "$PINS"; cat "$here/toolchain.cmake"; grep -E '^(CMAKE=|step )' "$here/build-deps.sh") | sha256sum | cut -c1-16)
prefix=$cache/$key
if [ -f "$prefix/.done" ]; then
	echo "$prefix"
	exit 0
fi

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo

missing=
for p in $TOOLS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# deb-src lines for the suites already configured, in files of our own: .sources from
# deb822 files (Debian's images), .list from one-line ones (/etc/apt/sources.list, as
# Debian 12's installer and debootstrap write it).
srclist=/etc/apt/sources.list.d/cotejo-windows-src
if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	lines=$(for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		sed -n 's/^Types: *deb$/Types: deb-src/; /^#/d; p' "$f"
		echo
	done)
	if [ -n "$lines" ]; then
		echo "adding $srclist.sources" >&2
		echo "$lines" | $sudo tee "$srclist.sources" >/dev/null
	fi
	lines=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed -n 's/^deb\([[:space:]]\)/deb-src\1/p')
	if [ -n "$lines" ]; then
		echo "adding $srclist.list" >&2
		echo "$lines" | $sudo tee "$srclist.list" >/dev/null
	fi
	$sudo apt-get update -qq
fi

src=$cache/src
rm -rf "$prefix.tmp"
mkdir -p "$src" "$prefix.tmp/logs" "$prefix.tmp/build"
logs=$prefix.tmp/logs
build=$prefix.tmp/build
echo "$PINS" | while read -r pin sum; do
	[ -n "$pin" ] || continue
	name=${pin%%=*}
	ver=${pin#*=}
	dsc=${name}_${ver#*:}.dsc
	if [ ! -f "$src/$dsc" ]; then
		(cd "$src" && apt-get source --download-only "$pin") >>"$logs/apt-source.log" 2>&1 ||
			{ echo "apt-get source $pin failed: see $logs/apt-source.log" >&2; exit 1; }
	fi
	echo "$sum  $src/$dsc" | sha256sum -c --quiet - ||
		{ echo "$dsc: checksum differs from the one pinned in $0" >&2; exit 1; }
	dpkg-source -x "$src/$dsc" "$build/$name" >>"$logs/dpkg-source.log" 2>&1 ||
		{ echo "dpkg-source -x $dsc failed: see $logs/dpkg-source.log" >&2; exit 1; }
done

P=$prefix.tmp
export PKG_CONFIG_LIBDIR="$P/lib/pkgconfig:$P/share/pkgconfig"
unset PKG_CONFIG_PATH
CMAKE="cmake -G Unix\ Makefiles -DCMAKE_TOOLCHAIN_FILE=$here/toolchain.cmake -DCMAKE_INSTALL_PREFIX=$P -DCMAKE_PREFIX_PATH=$P -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON"

# step NAME COMMAND...: runs COMMAND in NAME's tree, its output in logs/NAME.log.
step() {
	name=$1
	shift
	start=$(date +%s)
	echo "building $name ($logs/$name.log)" >&2
	if ! (cd "$build/$name" && eval "$@") >>"$logs/$name.log" 2>&1; then
		echo "$name failed; the end of $logs/$name.log:" >&2
		tail -n 30 "$logs/$name.log" >&2
		exit 1
	fi
	echo "$name: $(($(date +%s) - start)) s" >>"$logs/times.txt"
}

# Debian's DFSG tarball leaves out win32/, whose zlib1.rc CMake compiles into the DLL:
# a version resource of our own stands in for it.
step zlib "mkdir -p win32 && printf '%s\\n' '1 VERSIONINFO' 'FILEVERSION 1,2,13,0' 'BEGIN' 'END' >win32/zlib1.rc && $CMAKE -S . -B out && make -C out -j$JOBS install"
step libpng1.6 "$CMAKE -DPNG_STATIC=OFF -DPNG_TESTS=OFF -DPNG_EXECUTABLES=OFF -S . -B out && make -C out -j$JOBS install"
step libjpeg-turbo "$CMAKE -DENABLE_STATIC=OFF -DWITH_TURBOJPEG=OFF -DWITH_SIMD=OFF -S . -B out && make -C out -j$JOBS install"
# Leptonica reads what the kiosk's camera and the demo write (JPEG, PNG) and nothing else.
step leptonlib "$CMAKE -DSW_BUILD=OFF -DBUILD_PROG=OFF -DENABLE_GIF=OFF -DENABLE_TIFF=OFF -DENABLE_WEBP=OFF -DENABLE_OPENJPEG=OFF -DENABLE_ZLIB=ON -DENABLE_PNG=ON -DENABLE_JPEG=ON -S . -B out && make -C out -j$JOBS install"
step libusb-1.0 "./configure --host=$HOST CC=$CC --prefix=$P --disable-static --enable-shared && make -j$JOBS install"
# mingw-w64's import library is libws2_32.a, and Linux's file names tell case apart.
step tesseract "sed -i 's/set(LIB_Ws2_32 Ws2_32)/set(LIB_Ws2_32 ws2_32)/' CMakeLists.txt && $CMAKE -DSW_BUILD=OFF -DBUILD_TRAINING_TOOLS=OFF -DBUILD_TESTS=OFF -DDISABLE_ARCHIVE=ON -DDISABLE_CURL=ON -DGRAPHICS_DISABLED=ON -DOPENMP_BUILD=OFF -DENABLE_LTO=OFF -DLeptonica_DIR=$P/lib/cmake/leptonica -S . -B out && make -C out -j$JOBS install"

echo "$PINS" >"$P/PINS"
rm -rf "$build"
mv "$P" "$prefix"
# pkg-config files name the prefix they were built in.
grep -rl "$P" "$prefix/lib/pkgconfig" "$prefix/share/pkgconfig" "$prefix/lib/cmake" 2>/dev/null | xargs -r sed -i "s|$P|$prefix|g"
touch "$prefix/.done"
echo "$prefix"
