#!/bin/sh
# Makes marks.ttf: the check and cross marks (U+2713 ✓, U+2715 ✕, U+2717 ✗) and the
# space of Debian's DejaVu Sans (fonts-dejavu-core), the font Linux's font lookup gave
# Cotejo for the marks, and nothing else. Run from the module (it reads Fyne's Noto Sans).
# Needs python3-fonttools.
#
# The theme puts this font before Fyne's Noto Sans, so that Fyne finds the marks in it:
# - Fyne shapes the spaces after a mark with the mark's font, hence the space;
# - and it takes every text's height and baseline from the first font with a space, this
#   one: its units and vertical metrics are made Noto Sans's, so that text keeps its
#   size and its place. The space keeps DejaVu's width, as Linux drew "✓ " before.
# It is renamed "Cotejo Marks", as the font's licence asks of modified versions
# (LICENSE-DejaVu.txt; the licence is also in the font's name table).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
noto=$(go list -m -f '{{.Dir}}' fyne.io/fyne/v2)/theme/font/NotoSans-Regular.ttf
src=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
/usr/bin/python3 -m fontTools.subset "$src" --unicodes=U+0020,U+2713,U+2715,U+2717 \
	--no-hinting --layout-features='' --drop-tables+=MATH --name-IDs='*' \
	--output-file="$here/marks.ttf"
/usr/bin/python3 - "$here/marks.ttf" "$noto" <<'PY'
import sys
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
f, noto = TTFont(sys.argv[1]), TTFont(sys.argv[2])
scale_upem(f, noto["head"].unitsPerEm)
for k in ("ascent", "descent", "lineGap"):
    setattr(f["hhea"], k, getattr(noto["hhea"], k))
for k in ("sTypoAscender", "sTypoDescender", "sTypoLineGap", "usWinAscent", "usWinDescent"):
    setattr(f["OS/2"], k, getattr(noto["OS/2"], k))
useTypo = 1 << 7
f["OS/2"].fsSelection = f["OS/2"].fsSelection & ~useTypo | noto["OS/2"].fsSelection & useTypo
name = f["name"]
for rec in list(name.names):
    if rec.nameID in (1, 3, 4, 16):
        name.setName("Cotejo Marks", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
    elif rec.nameID == 6:
        name.setName("CotejoMarks", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
f.save(sys.argv[1])
PY
