"""Font subsetting for the self-contained HTML page and a theme's DOCX faces, and cmap look-ups: the only
importer of uharfbuzz.

harfbuzz's subsetter keeps every layout feature (Arabic joining, marks, ligatures shape as with the full
face) and is a hundred times faster than fontTools' on a large GSUB such as Amiri's. Tables it does not
know (SIL Graphite) are dropped: browsers and word processors shape with the OpenType tables.
"""
from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path


def subset_ttf(data: bytes, unicodes) -> bytes:
    """``data`` (a TTF or OTF) cut down to the glyphs of ``unicodes`` and every glyph its layout rules reach."""
    import uharfbuzz as hb

    inp = hb.SubsetInput()
    inp.unicode_set.update(unicodes)
    for tags in (inp.layout_feature_tag_set, inp.name_id_set):
        tags.clear()
        tags.invert()      # an empty set inverted: every feature, every name
    inp.flags = hb.SubsetFlags.NO_HINTING
    face = hb.subset(hb.Face(hb.Blob(data)), inp)
    if face is None:
        raise ValueError("harfbuzz could not subset the font")
    return face.blob.data


def nominal_glyph(data: bytes, index: int, codepoint: int) -> int | None:
    """The glyph id of ``codepoint`` in the font's cmap (the subtable fontTools' ``getBestCmap`` would pick),
    or None when it has none or the font cannot be read (the text layer then keeps WeasyPrint's mapping)."""
    import uharfbuzz as hb

    try:
        return hb.Font(hb.Face(data, index)).get_nominal_glyph(codepoint)
    except Exception:  # noqa: BLE001 - any font harfbuzz cannot read
        return None


@lru_cache(maxsize=64)
def _woff(path: Path, mtime_ns: int, unicodes: tuple[int, ...]) -> bytes:
    from fontTools.ttLib import TTFont

    font = TTFont(BytesIO(subset_ttf(path.read_bytes(), unicodes)), lazy=True, recalcTimestamp=False)
    font.flavor = "woff"   # zlib: near WOFF2's size at a fraction of its compression time
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def subset_woff(path: Path, unicodes: tuple[int, ...]) -> bytes:
    """The face at ``path`` subset to ``unicodes`` as WOFF (cached while the file is unchanged)."""
    return _woff(path, path.stat().st_mtime_ns, tuple(unicodes))


GRAPHITE = ("Silf", "Silt", "Sill", "Glat", "Gloc", "Feat")
"""SIL Graphite tables. A HarfBuzz built with graphite2 (Debian's, under WeasyPrint) shapes with them
instead of the OpenType tables, and some fonts' Graphite rules mangle Latin punctuation there (an older
SIL Scheherazade draws ", " as "’"): the PDF gets the font without them, shaped like everywhere else."""


@lru_cache(maxsize=16)
def _opentype_only(path: Path, mtime_ns: int) -> bytes:
    from fontTools.ttLib import TTFont

    data = path.read_bytes()
    font = TTFont(BytesIO(data), lazy=True, recalcTimestamp=False)
    found = [tag for tag in GRAPHITE if tag in font]
    if not found:
        return data
    for tag in found:
        del font[tag]
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def opentype_only(path: Path) -> bytes:
    """The font file's bytes without its Graphite tables (the bytes themselves when it has none)."""
    return _opentype_only(Path(path), Path(path).stat().st_mtime_ns)
