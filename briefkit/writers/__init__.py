"""The writers: each turns a Report into the bytes of one format; imported only when used."""
from __future__ import annotations

import logging
import warnings
from importlib import import_module

FORMATS = ("pdf", "docx", "html")
"""Every format briefkit writes, in the order a build writes them."""
DEFAULT_FORMATS = ("pdf", "docx")


def render(report, fmt: str, options=None) -> bytes:
    """Render ``report`` in format ``fmt`` (one of FORMATS) with ``options`` (briefkit.options.Options)."""
    return render_counted(report, fmt, options)[0]


def render_counted(report, fmt: str, options=None) -> tuple[bytes, int | None]:
    """(bytes, page count) — the count is known for PDF only (a DOCX is paginated by its reader)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    from ..options import DEFAULT

    options = options or DEFAULT
    from ..budget import check_pages

    check_pages(report, options)  # before the writer spends memory on a runaway brief
    module = import_module(f"briefkit.writers.{fmt}")
    # A library warning (Pillow, fontTools, ...) is never printed raw on the user's terminal: it goes to the
    # "briefkit" logger at debug level; real failures are raised as RenderError by the writer.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if hasattr(module, "render_counted"):
            out = module.render_counted(report, options)
        else:
            out = module.render(report, options), None
    for w in caught:
        logging.getLogger("briefkit").debug("%s: %s", w.category.__name__, w.message)
    return out
