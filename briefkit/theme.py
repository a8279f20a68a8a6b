"""The palette both writers read: the CSS may use only these colours (a test checks), the DOCX imports them."""
from __future__ import annotations

PALETTE = {
    "accent": "#0b4f6c",        # headings, rules, links, the quote bar, list markers
    "ink": "#1d1f23",           # body text
    "ink_strong": "#12151a",    # titles
    "ink_soft": "#2f343b",      # quotes, footnotes
    "ink_table": "#3b4048",     # table notes, table rules
    "byline": "#474c55",
    "muted": "#6b7078",         # captions, attributions, running heads
    "faint": "#9aa1ab",
    "faint_zero": "#b5bac2",
    "rule": "#c9ced6",
    "actor_default": "#999999",
    "tint": "#f1f5f8",          # the takeaways box, the overall balance row
    "tint_header": "#eef1f5",   # table header rows
    "tint_keywords": "#edf1f5",
    "tint_toc": "#f6f7f9",
    "tint_row": "#fafbfc",
    "paper": "#ffffff",
}
"""Every colour of the brief by role; ``templates/brief.css`` uses no other (``tests/test_html.py``)."""

ACCENT = PALETTE["accent"]

RELATION_COLORS = {
    "cooperation": ("#0072B2", "#FFFFFF"),
    "mixed": ("#E69F00", "#1D1F23"),
    "rivalry": ("#C4520A", "#FFFFFF"),
}
"""(fill, ink) per relation: Okabe–Ito blue / orange / vermillion, told apart under every common
colour-vision deficiency and by lightness in grey-scale. Every badge also carries its label."""

DEFAULT_ACTOR_COLORS = ("#1F4E8C", "#B3261E", "#2E7D32", "#6A1B9A", "#8D6E00", "#00695C")
"""Actor colours used, in actor order, when the report gives none."""


def actor_color(color: str | None, index: int) -> str:
    """The actor's own colour (``#RRGGBB``, as the loader normalised it) or the palette's."""
    return color or DEFAULT_ACTOR_COLORS[index % len(DEFAULT_ACTOR_COLORS)]


def docx(role: str) -> str:
    """A palette colour as OOXML writes it (``0B4F6C``)."""
    return PALETTE[role].lstrip("#").upper()
