"""The document plan: a report's parts in order, with headings, footnote numbers, sources order and timestamp.

Computed once from a ``Report`` (``plan_of``); every writer walks ``Plan.parts`` and handles every
part type (``PART_TYPES``), so the PDF, the HTML and the DOCX cannot disagree on order, headings,
levels, note numbers or dates. Inline texts in the plan have every ``NoteRef`` replaced by a
``Cite``: the first citation of a source makes its footnote, later ones refer to that note.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import NoReturn, Union

from . import localize
from .chart import caption as chart_caption
from .model import (Area, Balance, BalanceRow, BulletList, Emph, Inlines, Link, Meta, NoteRef, Para, SourceRef,
                    Quote, Report, Source, Strong, Subheading, Text, TimelineEvent)
from .model import plain_text

# ---- inline: a citation --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cite:
    """A footnote call in the plan: ``first`` makes the note, a repeat refers to note ``number``."""

    source_id: str
    number: int
    first: bool


PlanInline = Union[Text, Strong, Emph, Link, Cite]

# ---- headings and blocks -------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """A heading every writer prints at the same level: 1 for parts, 2 for sections (and the chart's
    caption, printed as a caption), 3 below."""

    text: str
    level: int
    id: str
    """Anchor id (HTML ``id``, PDF bookmark target)."""
    bookmark: str
    """The DOCX bookmark name (Word's ``_Toc`` form: letters, digits, underscore)."""


@dataclass(frozen=True)
class ListBlock:
    """An ordered or bulleted list; ``sublists[i]`` (or None) nests one level under ``items[i]``."""

    items: tuple[Inlines, ...]
    ordered: bool
    sublists: tuple["ListBlock | None", ...] = ()


@dataclass(frozen=True)
class QuoteBlock:
    inlines: Inlines
    by: Inlines | None = None


@dataclass(frozen=True)
class ParaBlock:
    inlines: Inlines


PlanBlock = Union[ParaBlock, QuoteBlock, ListBlock, Heading]

# ---- parts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TitleBlock:
    meta: Meta
    title: Heading
    """The title as a level-0 heading (HTML ``h1``; the DOCX Title style)."""


@dataclass(frozen=True)
class Contents:
    """The table of contents: every heading of level 1 to 3 (printed only when ``contents_wanted``)."""

    heading_text: str
    entries: tuple[Heading, ...]


@dataclass(frozen=True)
class Takeaways:
    heading: Heading
    items: tuple[Inlines, ...]


@dataclass(frozen=True)
class Paragraphs:
    """A headed run of paragraphs: the executive summary, the outlook."""

    key: str
    heading: Heading
    paras: tuple[Inlines, ...]


@dataclass(frozen=True)
class SectionLink:
    section_id: str
    text: str
    target: Heading


LONG_ROW_CHARS = 1200
"""An area row whose longest cell holds more characters than this may break across pages (both formats):
kept whole, it would leave the table's heading and caption alone on a near-empty page."""


@dataclass(frozen=True)
class AreaRow:
    area: Area
    summary: Inlines
    positions: tuple[Inlines | None, ...]
    """One cell per actor, in actor order (None: no position)."""
    links: tuple[SectionLink, ...]
    """The sections that discuss the area («يُناقش في»)."""

    @property
    def splits(self) -> bool:
        """May break across pages (see LONG_ROW_CHARS)."""
        cells = (self.summary, *(p for p in self.positions if p is not None))
        return max(len(plain_text(c)) for c in cells) > LONG_ROW_CHARS


ACTOR_COLUMNS = 3
"""Up to this many actors the areas table has one column per actor; past it (both formats) each area's
positions are set under the area, full width, so 12 actors read as well as 2."""


@dataclass(frozen=True)
class AreasTable:
    heading: Heading
    rows: tuple[AreaRow, ...]

    @property
    def stacked(self) -> bool:
        """Positions under each area instead of one column per actor (more than ACTOR_COLUMNS actors)."""
        return bool(self.rows) and len(self.rows[0].positions) > ACTOR_COLUMNS


@dataclass(frozen=True)
class BalancePart:
    heading: Heading
    balance: Balance

    @property
    def rows(self) -> tuple[BalanceRow, ...]:
        return (*self.balance.regions, self.balance.overall)


@dataclass(frozen=True)
class Chart:
    """The balance chart after the balance table (briefkit/chart.py draws it). Its numbered caption
    («شكل ١: ميزان العلاقة») is a level-2 heading: an entry in the contents and bookmarks of every format.
    Absent when ``Options.chart`` or the report's ``meta.chart`` is false."""

    balance: Balance
    caption: Heading
    number: int = 1


@dataclass(frozen=True)
class SectionPart:
    heading: Heading
    blocks: tuple[PlanBlock, ...]


@dataclass(frozen=True)
class Analysis:
    heading: Heading
    sections: tuple[SectionPart, ...]


@dataclass(frozen=True)
class EventRow:
    event: TimelineEvent
    text: Inlines
    area: Area | None


@dataclass(frozen=True)
class Timeline:
    heading: Heading
    events: tuple[EventRow, ...]


@dataclass(frozen=True)
class Recommendations:
    heading: Heading
    items: tuple[Inlines, ...]


@dataclass(frozen=True)
class SourceEntry:
    source: Source
    number: int | None
    """Its footnote number (None: listed but never cited)."""


@dataclass(frozen=True)
class Sources:
    heading: Heading
    entries: tuple[SourceEntry, ...]
    """Cited sources by note number, then the uncited ones in file order."""


@dataclass(frozen=True)
class Colophon:
    """The report's own source (``meta.source``), closing the brief under a rule."""

    source: SourceRef


Part = Union[TitleBlock, Contents, Takeaways, Paragraphs, AreasTable, BalancePart, Chart, Analysis,
             Timeline, Recommendations, Sources, Colophon]
PART_TYPES: tuple[type, ...] = Part.__args__
"""Every part type: each writer has one rule per entry (a test checks)."""


@dataclass(frozen=True)
class Footnote:
    number: int
    source: Source
    bookmark: str
    """The DOCX bookmark around the note's first call: repeated citations refer to it (NOTEREF)."""


@dataclass(frozen=True)
class Plan:
    report: Report
    parts: tuple[Part, ...]
    footnotes: tuple[Footnote, ...]
    timestamp: _dt.datetime | None

    @property
    def headings(self) -> tuple[Heading, ...]:
        """Every heading in order, the title (level 0) first."""
        out: list[Heading] = []
        for part in self.parts:
            out += _part_headings(part)
        return tuple(out)

    @property
    def note_numbers(self) -> dict[str, int]:
        return {f.source.id: f.number for f in self.footnotes}


def unhandled(value) -> NoReturn:
    """The end of every writer's ``match``: a part or block type without a rule fails loudly."""
    raise TypeError(f"no writer rule for {type(value).__name__}")


def _part_headings(part) -> list[Heading]:
    match part:
        case TitleBlock():
            return [part.title]
        case Contents() | Colophon():
            return []
        case Chart():
            return [part.caption]
        case Analysis():
            out = [part.heading]
            for s in part.sections:
                out.append(s.heading)
                out += [b for b in s.blocks if isinstance(b, Heading)]
            return out
        case Takeaways() | Paragraphs() | AreasTable() | BalancePart() | Timeline() | Recommendations() \
                | Sources():
            return [part.heading]
        case _:
            unhandled(part)


# ---- the timestamp -------------------------------------------------------------------------------

def timestamp(report: Report) -> _dt.datetime | None:
    """The one date both outputs are stamped with: ``SOURCE_DATE_EPOCH``, else the report's date.

    Naive UTC; None when neither is known (never the clock).
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).replace(tzinfo=None)
    d = report.meta.date
    if d is None:
        return None
    return _dt.datetime(d.year, d.month or 1, d.day or 1)


# ---- building the plan ---------------------------------------------------------------------------

class _Builder:
    def __init__(self, report: Report, chart: bool = True):
        self.report = report
        self.chart = chart and report.meta.chart
        self.labels = localize.labels(report)
        self.by_id = {s.id: s for s in report.sources}
        self.numbers: dict[str, int] = {}
        self.n_headings = 0

    def heading(self, text: str, level: int, anchor: str) -> Heading:
        self.n_headings += 1
        return Heading(text, level, anchor, f"_Toc{self.n_headings:08d}")

    def inlines(self, nodes: Inlines) -> Inlines:
        out = []
        for n in nodes:
            if isinstance(n, NoteRef):
                first = n.source_id not in self.numbers
                if first:
                    self.numbers[n.source_id] = len(self.numbers) + 1
                out.append(Cite(n.source_id, self.numbers[n.source_id], first))
            elif isinstance(n, Strong):
                out.append(Strong(self.inlines(n.children)))
            elif isinstance(n, Emph):
                out.append(Emph(self.inlines(n.children)))
            elif isinstance(n, Link):
                out.append(Link(n.href, self.inlines(n.children)))
            elif isinstance(n, Text):
                out.append(n)
            else:
                unhandled(n)
        return tuple(out)

    def block_list(self, b: BulletList) -> ListBlock:
        items, subs = [], []
        sublists = b.sublists or (None,) * len(b.items)
        for item, sub in zip(b.items, sublists):
            items.append(self.inlines(item))
            subs.append(self.block_list(sub) if sub is not None else None)
        return ListBlock(tuple(items), b.ordered, tuple(subs))

    def blocks(self, section_id: str, body) -> tuple[PlanBlock, ...]:
        out: list[PlanBlock] = []
        n = 0
        for b in body:
            match b:
                case Para():
                    out.append(ParaBlock(self.inlines(b.inlines)))
                case Quote():
                    text = self.inlines(b.inlines)
                    out.append(QuoteBlock(text, self.inlines(b.by) if b.by else None))
                case BulletList():
                    out.append(self.block_list(b))
                case Subheading():
                    n += 1
                    # "sub-", not "sec-": a section may itself be called "x-1"
                    out.append(self.heading(b.text, 3, f"sub-{section_id}-{n}"))
                case _:
                    unhandled(b)
        return tuple(out)

    def build(self) -> Plan:
        r, L = self.report, self.labels
        title = self.heading(r.meta.title, 0, "title")
        parts: list = [TitleBlock(r.meta, title)]
        contents_at = len(parts)
        if r.takeaways:
            parts.append(Takeaways(self.heading(L["takeaways"], 1, "takeaways"),
                                   tuple(self.inlines(t) for t in r.takeaways)))
        if r.summary:
            parts.append(Paragraphs("summary", self.heading(L["summary"], 1, "summary"),
                                    tuple(self.inlines(p) for p in r.summary)))
        areas_heading = self.heading(L["areas"], 1, "areas")
        balance_heading = self.heading(L["balance"], 1, "balance")
        analysis_heading = self.heading(L["sections"], 1, "analysis") if r.sections else None
        section_headings = {s.id: self.heading(s.heading, 2, f"sec-{s.id}") for s in r.sections}
        rows = []
        for a in r.areas:
            summary = self.inlines(a.summary)
            positions = tuple(self.inlines(p) if (p := a.position(actor.id)) is not None else None
                              for actor in r.actors)
            links = tuple(SectionLink(sid, section_headings[sid].text, section_headings[sid])
                          for sid in a.sections if sid in section_headings)
            rows.append(AreaRow(a, summary, positions, links))
        parts.append(AreasTable(areas_heading, tuple(rows)))
        parts.append(BalancePart(balance_heading, r.balance))
        if self.chart:
            parts.append(Chart(r.balance, self.heading(chart_caption(r, 1), 2, "figure-balance"), 1))
        if analysis_heading is not None:
            parts.append(Analysis(analysis_heading, tuple(
                SectionPart(section_headings[s.id], self.blocks(s.id, s.body)) for s in r.sections)))
        if r.timeline:
            heading = self.heading(L["timeline"], 1, "timeline")
            areas = {a.id: a for a in r.areas}
            parts.append(Timeline(heading, tuple(EventRow(e, self.inlines(e.event), areas.get(e.area))
                                                 for e in r.timeline)))
        if r.outlook:
            parts.append(Paragraphs("outlook", self.heading(L["outlook"], 1, "outlook"),
                                    tuple(self.inlines(p) for p in r.outlook)))
        if r.recommendations:
            parts.append(Recommendations(self.heading(L["recommendations"], 1, "recommendations"),
                                         tuple(self.inlines(p) for p in r.recommendations)))
        footnotes = tuple(Footnote(n, self.by_id[sid], f"_Note{n:04d}") for sid, n in self.numbers.items())
        if r.sources:
            cited = [SourceEntry(f.source, f.number) for f in footnotes]
            rest = [SourceEntry(s, None) for s in r.sources if s.id not in self.numbers]
            parts.append(Sources(self.heading(L["sources"], 1, "sources"), tuple(cited + rest)))
        if r.meta.source:
            parts.append(Colophon(r.meta.source))
        plan = Plan(r, tuple(parts), footnotes, timestamp(r))
        entries = tuple(h for h in plan.headings if 1 <= h.level <= 3)
        parts.insert(contents_at, Contents(L["contents"], entries))
        return Plan(r, tuple(parts), footnotes, plan.timestamp)


def build(report: Report, chart: bool = True) -> Plan:
    """The plan of ``report`` (a fresh one: the timestamp reads the environment now); ``chart=False``
    leaves the balance chart out."""
    return _Builder(report, chart).build()


def plan_of(report: Report, chart: bool = True) -> Plan:
    """The plan of ``report``, computed once per report (and ``SOURCE_DATE_EPOCH`` value, and chart flag).

    Kept on the frozen report itself, as its ``cached_property`` views are: never shared between
    two reports that merely compare equal.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    cache = report.__dict__.setdefault("_plans", {})
    if any(k[0] != epoch for k in cache):
        cache.clear()
    key = (epoch, bool(chart))
    if key not in cache:
        cache[key] = build(report, chart)
    return cache[key]


CONTENTS_MIN_PAGES = 5
"""A brief estimated at this many A4 pages or more (``budget.estimate_pages``) has a table of contents."""


def contents_wanted(report: Report) -> bool:
    """Whether the brief has a table of contents, in every format: one decision from the report itself
    (the DOCX has no pages to count, and the PDF must not disagree with it)."""
    from .budget import estimate_pages

    return estimate_pages(report) >= CONTENTS_MIN_PAGES


def chart_wanted(options) -> bool:
    """Whether ``options`` (briefkit.options.Options, or None for the defaults) ask for the chart."""
    return options is None or options.chart
