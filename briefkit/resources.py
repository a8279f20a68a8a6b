"""Where the shipped templates and fonts live, in a wheel or a source checkout, and what the fonts cover."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A wheel carries templates/ and fonts/ inside the package (hatch force-include); an editable
    # install or a checkout has them at the top of the repository.
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"briefkit's {name}/ folder is missing from the installation")


def templates_dir() -> Path:
    return _data_dir("templates")


def fonts_dir() -> Path:
    return _data_dir("fonts")


FONT_FILES = {
    # family name used in CSS and DOCX → {face: file}
    "Amiri": {"Regular": "Amiri-Regular.ttf", "Bold": "Amiri-Bold.ttf",
              "Italic": "Amiri-Italic.ttf", "BoldItalic": "Amiri-BoldItalic.ttf"},
    "Noto Kufi Arabic": {"Regular": "NotoKufiArabic-Regular.ttf", "Bold": "NotoKufiArabic-Bold.ttf"},
    "Noto Sans": {"Regular": "NotoSans-Regular.ttf", "Bold": "NotoSans-Bold.ttf"},
}


def font_path(family: str, face: str = "Regular") -> Path:
    return fonts_dir() / FONT_FILES[family][face]


@lru_cache(maxsize=None)
def family_codepoints(family: str) -> frozenset[int]:
    """The code points a shipped family has glyphs for (its Regular face's cmap)."""
    from fontTools.ttLib import TTFont  # only needed when rendering

    font = TTFont(font_path(family), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


@lru_cache(maxsize=1)
def covered_codepoints() -> frozenset[int]:
    """Every code point some shipped font has a glyph for."""
    return frozenset().union(*map(family_codepoints, FONT_FILES))


def _ignorable(cp: int) -> bool:
    # Format and control characters the shaper never draws (bidi marks and isolates, ZWJ/ZWNJ,
    # variation selectors) and white space need no glyph.
    return (cp in (0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x061C, 0x00AD)
            or 0x200B <= cp <= 0x200F or 0x2066 <= cp <= 0x2069 or 0xFE00 <= cp <= 0xFE0F)


def missing_codepoints(texts) -> list[int]:
    """Code points in ``texts`` that no shipped font covers (sorted, unique)."""
    covered = covered_codepoints()
    seen: set[int] = set()
    for t in texts:
        seen.update(map(ord, t))
    return sorted(cp for cp in seen if cp not in covered and not _ignorable(cp))


def describe_codepoints(cps: list[int]) -> str:
    import unicodedata

    return ", ".join(f"U+{cp:04X} {unicodedata.name(chr(cp), '(unnamed)')} ({chr(cp)!r})" for cp in cps)


def ensure_covered(texts, what: str = "the report") -> None:
    """Raise RenderError naming every code point of ``texts`` that no shipped font can draw (no tofu)."""
    cps = missing_codepoints(texts)
    if cps:
        from .errors import RenderError

        raise RenderError(f"{what} uses characters no shipped font covers: {describe_codepoints(cps)}")
