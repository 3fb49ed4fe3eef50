#!/bin/sh
# Lays out Cotejo's Debian package and builds it with dpkg-deb: mkdeb.sh BINARY VERSION OUT.deb
# Run from the repository's top (make deb does). BINARY is the stripped binary built
# with the version's ldflags; the manual page is made by asking it.
set -eu

bin=$1
version=$2
out=$3
src=dist/debian
root=dist/build/root

umask 022
rm -rf "$root"
mkdir -p "$root/DEBIAN"

install -D -m 0755 "$bin" "$root/usr/bin/cotejo"
install -D -m 0755 "$src/autostart" "$root/usr/libexec/cotejo/autostart"
install -D -m 0644 "$src/default" "$root/etc/default/cotejo"
install -D -m 0644 "$src/cotejo-kiosk.desktop" "$root/etc/xdg/autostart/cotejo-kiosk.desktop"
install -D -m 0644 "$src/mx.cotejo.kiosk.desktop" "$root/usr/share/applications/mx.cotejo.kiosk.desktop"
install -D -m 0644 assets/icon.png "$root/usr/share/icons/hicolor/256x256/apps/mx.cotejo.kiosk.png"
install -D -m 0644 assets/icon.svg "$root/usr/share/icons/hicolor/scalable/apps/mx.cotejo.kiosk.svg"
install -D -m 0644 assets/60-cotejo-fingerprint.rules "$root/usr/lib/udev/rules.d/60-cotejo-fingerprint.rules"
install -D -m 0644 assets/demo-citizen.json "$root/usr/share/cotejo/demo-citizen.json"
install -D -m 0644 "$src/copyright" "$root/usr/share/doc/cotejo/copyright"

mkdir -p "$root/usr/share/man/man1"
"$bin" help --man | gzip -9n >"$root/usr/share/man/man1/cotejo.1.gz"
gzip -9n <"$src/changelog" >"$root/usr/share/doc/cotejo/changelog.gz"
chmod 0644 "$root/usr/share/man/man1/cotejo.1.gz" "$root/usr/share/doc/cotejo/changelog.gz"

# The shared libraries' packages, as dpkg-shlibdeps finds them; it wants a
# debian/control beside it, so it runs in a scratch folder.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/debian"
printf 'Source: cotejo\n\nPackage: cotejo\nArchitecture: any\n' >"$work/debian/control"
abs=$(cd "$root" && pwd)
shlibs=$(cd "$work" && dpkg-shlibdeps -O --warnings=0 "$abs/usr/bin/cotejo" | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "mkdeb.sh: dpkg-shlibdeps found no libraries" >&2; exit 1; }

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
arch=$(dpkg --print-architecture)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" \
	-e "s/@SHLIBS@/$shlibs/" "$src/control.in" >"$root/DEBIAN/control"
install -m 0644 "$src/conffiles" "$root/DEBIAN/conffiles"
install -m 0755 "$src/postinst" "$src/postrm" "$root/DEBIAN/"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\n' | LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

mkdir -p "$(dirname "$out")"
dpkg-deb --build --root-owner-group -Zxz "$root" "$out"
