"""Regenerate the fallback faces in fonts/ from their upstream files (dev time only; the results are committed).

Sources (pinned versions; download them into one folder, e.g. /tmp/fontsrc, without installing them,
so the machine's own font set does not change):

- Debian 12 ``fonts-noto-core`` 20201225-1: NotoSans-Italic, NotoSans-BoldItalic, NotoSansMath-Regular,
  NotoSansSymbols-Regular, NotoSansSymbols2-Regular, NotoSansHebrew-Regular/-Bold
  (``apt-get download fonts-noto-core && dpkg -x fonts-noto-core_*.deb x``).
- PyPI ``manimgx-fonts`` 2026.9.26.post1: ``NotoEmoji[wght].ttf`` (Noto Emoji 3.002, monochrome)
  (``pip download --no-deps manimgx-fonts`` and unzip the wheel).

Usage: python scripts/fallback_fonts.py SOURCE_DIR   (searched recursively for the file names above)
       python scripts/fallback_fonts.py --table        (only rewrite fonts/coverage.json)

fonts/coverage.json lists, for every shipped face, the code points its cmap maps (as ranges), so
``briefkit validate`` checks coverage without opening the fonts (tests/test_coverage.py holds it equal
to the fonts).

Each face is cut to the Unicode blocks briefkit promises (README, "Characters"); faces that are
small already are copied whole. Subsets keep every OpenType feature and name, and ``head.modified``
(recalcTimestamp off), so a rerun gives the same bytes.
"""
from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

OUT = Path(__file__).resolve().parent.parent / "fonts"

SYMBOL_BLOCKS = [
    (0x2070, 0x209F),    # superscripts and subscripts
    (0x20A0, 0x20CF),    # currency symbols
    (0x2100, 0x214F),    # letterlike symbols
    (0x2150, 0x218F),    # number forms (⅓ Ⅻ)
    (0x2190, 0x21FF),    # arrows
    (0x2200, 0x22FF),    # mathematical operators
    (0x2300, 0x23FF),    # miscellaneous technical
    (0x2460, 0x24FF),    # enclosed alphanumerics (① ⓐ)
    (0x25A0, 0x25FF),    # geometric shapes
    (0x2600, 0x26FF),    # miscellaneous symbols (★ ☆ ☎ ⚠)
    (0x2700, 0x27BF),    # dingbats (✓ ✔ ✗ ➔)
    (0x27C0, 0x27EF),    # miscellaneous mathematical symbols-A
    (0x27F0, 0x27FF),    # supplemental arrows-A
    (0x2900, 0x297F),    # supplemental arrows-B
    (0x2980, 0x29FF),    # miscellaneous mathematical symbols-B
    (0x2A00, 0x2AFF),    # supplemental mathematical operators
    (0x2B00, 0x2BFF),    # miscellaneous symbols and arrows
]

FACES = [
    # (source file, output file, code point ranges or None for the whole face)
    ("NotoSans-Italic.ttf", "NotoSans-Italic.ttf", None),
    ("NotoSans-BoldItalic.ttf", "NotoSans-BoldItalic.ttf", None),
    ("NotoSansMath-Regular.ttf", "NotoSansMath-Regular.ttf", SYMBOL_BLOCKS),
    ("NotoSansSymbols-Regular.ttf", "NotoSansSymbols-Regular.ttf", SYMBOL_BLOCKS),
    ("NotoSansSymbols2-Regular.ttf", "NotoSansSymbols2-Regular.ttf", SYMBOL_BLOCKS),
    ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Regular.ttf", None),
    ("NotoSansHebrew-Bold.ttf", "NotoSansHebrew-Bold.ttf", None),
    ("NotoEmoji[wght].ttf", "NotoEmoji-Regular.ttf", None),
]


def _find(src: Path, name: str) -> Path:
    hits = sorted(p for p in src.rglob("*.ttf") if p.name == name)
    if not hits:
        sys.exit(f"fallback_fonts: {name} not found under {src} (see this script's docstring)")
    return hits[0]


def _subset(font: TTFont, ranges) -> None:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = True
    cps = {cp for lo, hi in ranges for cp in range(lo, hi + 1)}
    cps |= {0x20, 0xA0}  # a space keeps the face's metrics sane in every renderer
    sub = subset.Subsetter(options)
    sub.populate(unicodes=cps & set(font.getBestCmap()) | {0x20})
    sub.subset(font)


def build(src: Path) -> None:
    for name, out_name, ranges in FACES:
        path = _find(src, name)
        font = TTFont(path, recalcTimestamp=False)
        if ranges is None and "fvar" not in font:
            (OUT / out_name).write_bytes(path.read_bytes())  # whole face: the upstream bytes
            print(f"{out_name}: {path.stat().st_size // 1024} KB, {len(font.getBestCmap())} code points (whole)")
            continue
        if "fvar" in font:
            # One static instance at Regular weight: fontconfig, Word and LibreOffice see a plain face.
            font = instancer.instantiateVariableFont(font, {"wght": 400}, updateFontNames=True)
        if ranges is not None:
            _subset(font, ranges)
        buf = BytesIO()
        font.save(buf)
        (OUT / out_name).write_bytes(buf.getvalue())
        print(f"{out_name}: {len(buf.getvalue()) // 1024} KB, {len(font.getBestCmap())} code points")


def ranges(cps) -> list[list[int]]:
    out: list[list[int]] = []
    for cp in sorted(cps):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def write_table() -> None:
    import json

    table = {}
    for path in sorted(OUT.glob("*.ttf")):
        table[path.name] = ranges(TTFont(path, lazy=True).getBestCmap())
    text = "{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}"
                                for k, v in table.items()) + "\n}\n"
    (OUT / "coverage.json").write_text(text, encoding="utf-8")
    print(f"coverage.json: {len(table)} faces")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if sys.argv[1] != "--table":
        build(Path(sys.argv[1]))
    write_table()
