#!/usr/bin/env bash
# Makes PDFs with real producers, for the upload tests and the inspector's
# property test, plus a few refused ones made with real tools.
#
#   scripts/make-pdf-corpus.sh OUT_DIR [NAME...]
#
# Writes OUT_DIR/NAME.pdf for each NAME (default: all of them); a NAME whose
# tool is missing is left out with a note on stderr (the tests that need it
# check for the tool themselves). Accepted: chromium (print-to-PDF), cairo
# (rsvg-convert), ghostscript (pdfwrite), hyperref-open-action (Ghostscript's
# DOCVIEW pdfmark: /OpenAction [page /Fit]), pillow, qpdf-object-streams,
# qpdf-linearized, qpdf-permissions-aes256, qpdf-permissions-aes128,
# qpdf-permissions-rc4. Refused: qpdf-attachment (--add-attachment),
# qpdf-password (a user password).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${1:?usage: make-pdf-corpus.sh OUT_DIR [NAME...]}
shift
ALL=(chromium cairo ghostscript hyperref-open-action pillow qpdf-object-streams qpdf-linearized
    qpdf-permissions-aes256 qpdf-permissions-aes128 qpdf-permissions-rc4 qpdf-attachment qpdf-password)
NAMES=("$@")
if [[ ${#NAMES[@]} -eq 0 ]]; then NAMES=("${ALL[@]}"); fi
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

have() { command -v "$1" >/dev/null 2>&1; }

# Debian's python3-pil is for the system interpreter; a pyenv python3 may lack it.
pillow_python() {
    local py
    for py in python3 /usr/bin/python3; do
        if "$py" -c 'import PIL' 2>/dev/null; then echo "$py"; return 0; fi
    done
    return 1
}

cat >"$WORK/page.html" <<'HTML'
<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Handelsregisterauszug</title></head>
<body><h1>Handelsregisterauszug</h1><p>AutoHandel Mustermann GmbH, Hauptstraße 42, 10115 Berlin</p>
<p><a href="https://example.com/register">Registerportal</a></p></body></html>
HTML
cat >"$WORK/page.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="595" height="842">
<rect width="595" height="842" fill="white"/>
<text x="50" y="100" font-size="24" font-family="sans-serif">Kontoauszug 01/2026</text>
<circle cx="300" cy="400" r="80" fill="#3366aa"/></svg>
SVG
cat >"$WORK/page.ps" <<'PS'
%!PS
/Helvetica findfont 24 scalefont setfont
72 720 moveto (Gewerbeanmeldung) show
72 680 moveto (Musterstadt, 15.01.2026) show
showpage
PS
cat >"$WORK/hyperref.ps" <<'PS'
%!PS
[ /PageMode /UseNone /Page 1 /View [/Fit] /DOCVIEW pdfmark
[ /Rect [72 640 300 660] /Border [0 0 0] /Action << /Subtype /URI /URI (https://example.com) >>
  /Subtype /Link /ANN pdfmark
/Helvetica findfont 24 scalefont setfont
72 720 moveto (Satzung) show
showpage
PS
printf 'MZ\x90\x00 not really a program\n' >"$WORK/payload.exe"

# A plain base file for qpdf to rewrite (Python's standard library only).
base() {
    if [[ ! -f $WORK/base.pdf ]]; then python3 scripts/make-pdf.py 40000 "$WORK/base.pdf"; fi
    echo "$WORK/base.pdf"
}

make() {
    local name=$1 out=$OUT/$1.pdf py
    case $name in
    chromium)
        have chromium || return 1
        chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
            --user-data-dir="$WORK/chromium" --print-to-pdf="$out" "file://$WORK/page.html" >/dev/null 2>&1
        ;;
    cairo)
        have rsvg-convert || return 1
        rsvg-convert -f pdf -o "$out" "$WORK/page.svg"
        ;;
    ghostscript)
        have gs || return 1
        gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -o "$out" "$WORK/page.ps"
        ;;
    hyperref-open-action)
        have gs || return 1
        gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -o "$out" "$WORK/hyperref.ps"
        ;;
    pillow)
        py=$(pillow_python) || return 1
        "$py" - "$out" <<'PY'
import sys
from PIL import Image, ImageDraw
image = Image.new("RGB", (800, 600), "white")
ImageDraw.Draw(image).text((40, 40), "Personalausweis (Kopie)", fill="black")
image.save(sys.argv[1], "PDF", resolution=150)
PY
        ;;
    qpdf-object-streams)
        have qpdf || return 1
        qpdf --object-streams=generate "$(base)" "$out"
        ;;
    qpdf-linearized)
        have qpdf || return 1
        qpdf --linearize "$(base)" "$out"
        ;;
    qpdf-permissions-aes256)
        have qpdf || return 1
        qpdf --object-streams=generate --encrypt "" owner 256 --print=none -- "$(base)" "$out"
        ;;
    qpdf-permissions-aes128)
        have qpdf || return 1
        qpdf --object-streams=generate --encrypt "" owner 128 --use-aes=y --modify=none -- "$(base)" "$out"
        ;;
    qpdf-permissions-rc4)
        have qpdf || return 1
        qpdf --allow-weak-crypto --encrypt "" owner 128 --use-aes=n --print=low -- "$(base)" "$out"
        ;;
    qpdf-attachment)
        have qpdf || return 1
        qpdf "$(base)" --add-attachment "$WORK/payload.exe" -- "$out"
        ;;
    qpdf-password)
        have qpdf || return 1
        qpdf --encrypt user owner 256 -- "$(base)" "$out"
        ;;
    *)
        echo "make-pdf-corpus.sh: unknown name $name" >&2
        exit 2
        ;;
    esac
}

for name in "${NAMES[@]}"; do
    # qpdf exits 3 for warnings with a written file.
    if make "$name" || { [[ $? -eq 3 ]] && [[ -s $OUT/$name.pdf ]]; }; then
        [[ -s $OUT/$name.pdf ]] || { echo "make-pdf-corpus.sh: $name made no file" >&2; exit 1; }
    else
        echo "make-pdf-corpus.sh: skipped $name (its tool is missing or failed)" >&2
        rm -f "$OUT/$name.pdf"
    fi
done
