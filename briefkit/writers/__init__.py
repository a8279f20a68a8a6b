"""The writers: each turns a Report into the bytes of one format; imported only when used."""
from __future__ import annotations

from importlib import import_module

FORMATS = ("pdf", "docx", "html")
"""Every format briefkit writes, in the order a build writes them."""
DEFAULT_FORMATS = ("pdf", "docx")


def render(report, fmt: str) -> bytes:
    """Render ``report`` in format ``fmt`` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return import_module(f"briefkit.writers.{fmt}").render(report)
