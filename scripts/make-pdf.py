#!/usr/bin/env python3
"""Write a valid one-page PDF of exactly SIZE bytes, for the upload benchmark.

Usage: make-pdf.py SIZE_BYTES OUTPUT

The page shows one big uncompressed greyscale image XObject filled with
pseudo-random bytes, so the file does not compress and the upload inspector
has to scan every byte (it never decompresses image streams). The page's
content stream is padded with spaces to hit SIZE exactly.

The bytes are chosen to pass the portal's strict streaming inspector
(src/documents/inspect/pdf.rs): no '/' in stream data is followed by a
capital or '#', so no byte run can read as an active-content name such as
/JavaScript, /Launch or /Sound; the cross-reference table is exact and
`startxref` points at it; the file ends with `%%EOF` and a newline.
Standard library only.
"""

import os
import re
import sys

CHUNK = 8 * 1024 * 1024
WIDTH = 4096  # image width in pixels (1 byte per pixel, DeviceGray)
CONTENT = b"q 595 0 0 842 0 0 cm /Im0 Do Q\n"
IMAGE = None  # placeholder in the layout for the image data


def layout(height: int, pad: int) -> list:
    """The file as a list of byte strings, with IMAGE where the pixels go."""
    image_len = height * WIDTH
    parts = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
    offsets = []
    pos = len(parts[0])

    def add(*chunks, new_object=False):
        nonlocal pos
        if new_object:
            offsets.append(pos)
        for c in chunks:
            parts.append(c)
            pos += image_len if c is IMAGE else len(c)

    add(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n", new_object=True)
    add(b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n", new_object=True)
    add(
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>\nendobj\n",
        new_object=True,
    )
    add(
        b"4 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d"
        b" /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n"
        % (WIDTH, height, image_len),
        IMAGE,
        b"\nendstream\nendobj\n",
        new_object=True,
    )
    add(
        b"5 0 obj\n<< /Length %d >>\nstream\n" % (len(CONTENT) + pad),
        CONTENT + b" " * pad,
        b"\nendstream\nendobj\n",
        new_object=True,
    )
    xref_at = pos
    # Each entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, EOL.
    entries = b"".join(b"%010d 00000 n \n" % o for o in offsets)
    add(b"xref\n0 6\n0000000000 65535 f \n" + entries)
    add(b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return parts


def total(height: int, pad: int) -> int:
    return sum(height * WIDTH if p is IMAGE else len(p) for p in layout(height, pad))


def fit(size: int) -> tuple:
    """Most image rows that fit, and the padding that makes up the rest."""
    height = max((size - total(0, 0)) // WIDTH, 0)
    while height > 0 and total(height, 0) > size:
        height -= 1
    if height == 0:
        sys.exit(f"make-pdf.py: {size} bytes is too small")
    pad = size - total(height, 0)
    # A longer /Length number eats into the padding; settle in a few steps.
    while total(height, pad) != size:
        pad -= total(height, pad) - size
        if pad < 0:
            sys.exit(f"make-pdf.py: cannot hit exactly {size} bytes")
    return height, pad


# A '/' that starts something that could decode to an active-content name:
# all the names the inspector looks for in stream data begin with an upper
# case letter, and '#' would start a `#xx` escape of one.
NAME_START = re.compile(rb"/(?=[A-Z#])")


def random_chunk(n: int) -> bytes:
    """Random bytes, like compressed image data, minus name-like runs.

    Plain '/' stays in (about 1 byte in 256, as in real compressed data), so
    the inspector's name scanning costs what it costs on real uploads; only a
    '/' before an upper case letter or '#' is replaced, and the chunk never
    ends in '/' (the next chunk could start with a capital).
    """
    data = NAME_START.sub(b".", os.urandom(n))
    if data.endswith(b"/"):
        data = data[:-1] + b"."
    return data


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: make-pdf.py SIZE_BYTES OUTPUT")
    size = int(sys.argv[1])
    height, pad = fit(size)
    with open(sys.argv[2], "wb") as out:
        for part in layout(height, pad):
            if part is IMAGE:
                left = height * WIDTH
                while left:
                    n = min(CHUNK, left)
                    out.write(random_chunk(n))
                    left -= n
            else:
                out.write(part)
    written = os.path.getsize(sys.argv[2])
    if written != size:
        sys.exit(f"make-pdf.py: wrote {written} bytes, wanted {size}")


if __name__ == "__main__":
    main()
