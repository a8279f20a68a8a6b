"""Render options shared by the CLI, the builder, the cache key and every writer."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DocxFonts = Literal["embed", "subset", "none"]
PdfVariant = Literal["ua", "a3b", "ua,a3b"]


@dataclass(frozen=True)
class Options:
    """How to render; everything here is part of the build cache key."""

    docx_fonts: DocxFonts = "subset"
    """Fonts in the DOCX: the full faces (1.3 MB), only the glyphs used (the default: 271 KB for the seed), or
    none (named only: the reader substitutes an installed font)."""
    pdf_variant: PdfVariant | None = None
    """``ua``: tagged PDF/UA-1; ``a3b``: PDF/A-3b with the report embedded; ``ua,a3b``: both at once;
    None: a plain PDF."""
    chart: bool = True
    """Include the balance chart (``--no-chart`` turns it off)."""
    theme: Path | None = None
    """A theme file (fonts, colours, page size); None: the shipped look."""
    max_pages: int | None = None
    """Stop a brief that would run past this many PDF pages; None: the default budget."""


DEFAULT = Options()


def pdf_variant(text: str) -> PdfVariant:
    """``--pdf-variant``: ``ua``, ``a3b``, or both (``ua,a3b`` in either order) → the canonical value."""
    parts = {p.strip().lower() for p in text.split(",") if p.strip()}
    if not parts or parts - {"ua", "a3b"}:
        raise ValueError(f"'{text}' is not ua, a3b or ua,a3b")
    return "ua,a3b" if len(parts) == 2 else parts.pop()  # type: ignore[return-value]

