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

    def __post_init__(self):
        # a typo must not silently change a brief (docx_fonts="bogus" embedded the full faces) nor surface
        # later as a render failure: each field is checked as the command line checks its flag
        if self.docx_fonts not in ("embed", "subset", "none"):
            raise ValueError(f"Options.docx_fonts: {self.docx_fonts!r} is not 'embed', 'subset' or 'none'")
        if self.pdf_variant is not None:
            if not isinstance(self.pdf_variant, str):
                raise TypeError(f"Options.pdf_variant: {self.pdf_variant!r} is not None, 'ua', 'a3b' or 'ua,a3b'")
            try:
                object.__setattr__(self, "pdf_variant", pdf_variant(self.pdf_variant))
            except ValueError as e:
                raise ValueError(f"Options.pdf_variant: {e}") from None
        if not isinstance(self.chart, bool):
            raise TypeError(f"Options.chart: {self.chart!r} is not True or False")
        if self.theme is not None:
            if isinstance(self.theme, str) and not self.theme.strip():
                raise ValueError("Options.theme: '' is not a theme file (None: the shipped look)")
            if not isinstance(self.theme, (str, Path)):
                raise TypeError(f"Options.theme: {self.theme!r} is not a path to a theme file")
            object.__setattr__(self, "theme", Path(self.theme))
        if self.max_pages is not None and (isinstance(self.max_pages, bool) or not isinstance(self.max_pages, int)
                                           or self.max_pages < 1):
            raise ValueError(f"Options.max_pages: {self.max_pages!r} is not a whole number of pages (1 or more)")


DEFAULT = Options()


def pdf_variant(text: str) -> PdfVariant:
    """``--pdf-variant``: ``ua``, ``a3b``, or both (``ua,a3b`` in either order) → the canonical value."""
    parts = {p.strip().lower() for p in text.split(",") if p.strip()}
    if not parts or parts - {"ua", "a3b"}:
        raise ValueError(f"'{text}' is not ua, a3b or ua,a3b")
    return "ua,a3b" if len(parts) == 2 else parts.pop()  # type: ignore[return-value]

