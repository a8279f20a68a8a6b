"""The page budget: a brief's length estimated from its model, checked before any writer spends memory on it."""
from __future__ import annotations

import math

from .errors import RenderError
from .model import BulletList, Para, Quote, Subheading, plain_text

DEFAULT_MAX_PAGES = 200
"""A runaway brief stops here unless ``--max-pages`` (Options.max_pages) says otherwise. Real briefs run to
5–40 pages; WeasyPrint needs roughly 0.4 MB and 60 ms per page, so 200 pages stay under a minute."""

CHARS_PER_LINE = 95
"""Characters on one full-width line of body text (A4, the shipped theme)."""
LINES_PER_PAGE = 40
FIXED_PAGES = 2
"""The title block, the chart and the table headings."""


def _lines(text: str, width: int) -> int:
    # Every paragraph takes at least one line, whatever its length, plus a little spacing.
    return max(1, math.ceil(len(text) / max(width, 1)))


def estimate_pages(report) -> int:
    """About how many A4 pages the PDF will have; errs on the long side for narrow table columns."""
    lines = 0.0
    full = CHARS_PER_LINE
    meta = report.meta
    # The masthead: the title is set about three times the body's size; keywords, authors and the
    # breadcrumb run on in small type (a hostile report listed 20,000 keywords)
    lines += 3 * _lines(meta.title, full // 3) + _lines(meta.subtitle or "", full // 2) + _lines(meta.kicker or "", full)
    lines += _lines(" · ".join(meta.keywords), full) + _lines(" · ".join(meta.breadcrumb), full)
    lines += _lines(" ، ".join(f"{a.name} {a.role or ''}" for a in meta.authors), full)
    for run in (*report.takeaways, *report.summary, *report.outlook, *report.recommendations):
        lines += _lines(plain_text(run), full) + 0.5
    # The areas table: one column per actor beside the area's own column, each a share of the line.
    columns = max(2, len(report.actors) + 1)
    cell = max(6, full // columns)
    for area in report.areas:
        cells = [f"{area.title} {area.region} {plain_text(area.summary)}",
                 *(plain_text(p) for _, p in area.positions)]
        lines += max(_lines(text, cell) for text in cells) + 1
    for section in report.sections:
        lines += 3
        for block in section.body:
            if isinstance(block, Para):
                lines += _lines(plain_text(block.inlines), full) + 0.5
            elif isinstance(block, Quote):
                lines += _lines(plain_text(block.inlines), full - 10) + (1 if block.by else 0) + 1
            elif isinstance(block, BulletList):
                lines += sum(_lines(plain_text(item), full - 5) for item in block.items) + 0.5
            elif isinstance(block, Subheading):
                lines += 2
    lines += sum(_lines(plain_text(e.event), full - 20) for e in report.timeline)
    lines += sum(_lines(f.source.title + (f.source.url or ""), full) for f in report.footnotes)
    lines += sum(_lines(s.title + (s.url or ""), full) for s in report.sources)
    return FIXED_PAGES + math.ceil(lines / LINES_PER_PAGE)


def check_pages(report, options=None) -> None:
    """Raise RenderError when the brief would run past its page budget (``options.max_pages``)."""
    limit = getattr(options, "max_pages", None) or DEFAULT_MAX_PAGES
    pages = estimate_pages(report)
    if pages > limit:
        unit = "page" if limit == 1 else "pages"
        raise RenderError(f"the brief would run to about {pages:,} pages, over the budget of {limit:,} {unit}: "
                          "shorten it or raise the budget with --max-pages (Options.max_pages in Python)")
