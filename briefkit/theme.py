"""Colours both writers share, so a badge or an actor looks the same in the PDF and the DOCX."""
from __future__ import annotations

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
