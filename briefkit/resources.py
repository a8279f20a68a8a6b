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


LOGO_URL_ROOT = "file:///briefkit-logo/"


def logo_url(path: Path) -> str:
    """The URL the PDF's HTML names a logo by: its content's digest, never its folder, so the same report
    and logo give the same PDF bytes from any folder (WeasyPrint names an image after its URL). Only the
    PDF writer's fetcher serves it."""
    import hashlib

    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    return f"{LOGO_URL_ROOT}{digest}{Path(path).suffix.lower()}"


def templates_dir() -> Path:
    return _data_dir("templates")


def fonts_dir() -> Path:
    return _data_dir("fonts")


FONT_FILES = {
    # family name (as the font names itself, used in CSS, fontconfig and DOCX) → {face: file}
    "Amiri": {"Regular": "Amiri-Regular.ttf", "Bold": "Amiri-Bold.ttf",
              "Italic": "Amiri-Italic.ttf", "BoldItalic": "Amiri-BoldItalic.ttf"},
    "Noto Kufi Arabic": {"Regular": "NotoKufiArabic-Regular.ttf", "Bold": "NotoKufiArabic-Bold.ttf"},
    "Noto Sans": {"Regular": "NotoSans-Regular.ttf", "Bold": "NotoSans-Bold.ttf",
                  "Italic": "NotoSans-Italic.ttf", "BoldItalic": "NotoSans-BoldItalic.ttf"},
    # Fallback faces (scripts/fallback_fonts.py makes them): tried after a stack's own families.
    "Noto Sans Math": {"Regular": "NotoSansMath-Regular.ttf"},
    "Noto Sans Symbols": {"Regular": "NotoSansSymbols-Regular.ttf"},
    "Noto Sans Symbols2": {"Regular": "NotoSansSymbols2-Regular.ttf"},
    "Noto Sans Hebrew": {"Regular": "NotoSansHebrew-Regular.ttf", "Bold": "NotoSansHebrew-Bold.ttf"},
    "Noto Emoji": {"Regular": "NotoEmoji-Regular.ttf"},
}

FALLBACK_FAMILIES = ("Noto Sans Math", "Noto Sans Symbols", "Noto Sans Symbols2", "Noto Sans Hebrew",
                     "Noto Emoji")
"""Tried in this order, after the families a piece of text asks for, by both writers (the PDF through
the private fontconfig configuration, the DOCX through ``coverage.resolve``)."""

STACKS = {
    # The font-family lists of templates/brief.css, by role (tests/test_coverage.py holds them equal).
    "body": ("Amiri", "Noto Sans", "Noto Kufi Arabic"),
    "sans": ("Noto Kufi Arabic", "Noto Sans", "Amiri"),
    "sans-ltr": ("Noto Sans", "Noto Kufi Arabic", "Amiri"),
    "latin": ("Noto Sans", "Amiri"),
}


def font_path(family: str, face: str = "Regular") -> Path:
    return fonts_dir() / FONT_FILES[family][face]


def family_codepoints(family: str) -> frozenset[int]:
    """The code points a shipped family has glyphs for (in any of its faces)."""
    from .coverage import face_codepoints

    return frozenset().union(*(face_codepoints(family, face) for face in FONT_FILES[family]))


@lru_cache(maxsize=1)
def covered_codepoints() -> frozenset[int]:
    """Every code point some shipped font has a glyph for."""
    return frozenset().union(*map(family_codepoints, FONT_FILES))


def _ignorable(cp: int) -> bool:
    from .coverage import ignorable

    return ignorable(cp)


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
