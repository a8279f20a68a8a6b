"""Link and id rules, written once: the schema, the inline parser and the HTML writer import them."""
from __future__ import annotations

import re

ALLOWED_SCHEMES = ("http", "https", "mailto")
"""The only link schemes a report may use."""

URL_PATTERN = r"^(?i:https?://|mailto:)\S+$"
"""JSON-schema pattern of a URL field (``meta.publisher.url``, ``sources[].url``, ...)."""

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
"""Ids (``meta.id``, actors, areas, sections, sources): lower-case ASCII words joined by hyphens."""

_SAFE_HREF = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_SLUG = re.compile(SLUG)


def is_safe_href(href: str | None) -> bool:
    """True for an http, https or mailto address (what a writer may emit as a link)."""
    return bool(href) and _SAFE_HREF.match(href) is not None


def is_slug(value: str) -> bool:
    return _SLUG.match(value) is not None
