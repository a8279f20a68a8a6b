"""The one document model: frozen dataclasses that every writer reads, and the views derived from them."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, Union

from .langs import RTL_LANGUAGES  # noqa: F401  (the loader derives dir from it)
RELATIONS = ("cooperation", "mixed", "rivalry")
"""The relation kinds, in the order tables and charts show them."""

Relation = Literal["cooperation", "mixed", "rivalry"]


# ---- inline nodes -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    """Plain text, shown exactly as typed (HTML-looking text included)."""

    text: str


@dataclass(frozen=True)
class Strong:
    """``**bold**``."""

    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Emph:
    """``*italic*``."""

    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Link:
    """``[text](url)``; ``href`` is always http, https or mailto (checked by the loader)."""

    href: str
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class NoteRef:
    """``[^source-id]``: a footnote citing a source. Its number comes from ``Report.footnotes``."""

    source_id: str


Inline = Union[Text, Strong, Emph, Link, NoteRef]
Inlines = tuple[Inline, ...]


def plain_text(inlines: Inlines) -> str:
    """The visible text of inline nodes, footnote calls left out."""
    out = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, (Strong, Emph, Link)):
            out.append(plain_text(node.children))
    return "".join(out)


# ---- blocks -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Para:
    """A paragraph of inline text."""

    inlines: Inlines


@dataclass(frozen=True)
class Quote:
    """``{quote: ..., by: ...}``: a block quotation with optional attribution."""

    inlines: Inlines
    by: Inlines | None = None


@dataclass(frozen=True)
class BulletList:
    """``{list: [...]}`` (or ``{list: [...], ordered: true}``): one inline text per item."""

    items: tuple[Inlines, ...]
    ordered: bool = False
    sublists: tuple["BulletList | None", ...] = ()
    """Markdown's one level of nesting: ``sublists[i]`` is the list under ``items[i]`` (empty: none)."""


@dataclass(frozen=True)
class Subheading:
    """``### heading`` in a Markdown body: a heading one level below its section's heading."""

    text: str


Block = Union[Para, Quote, BulletList, Subheading]


# ---- report parts -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartialDate:
    """A date given as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


@dataclass(frozen=True)
class Author:
    name: str
    role: str | None = None


@dataclass(frozen=True)
class Publisher:
    name: str
    url: str | None = None
    logo: Path | None = None
    """Absolute, resolved path of the logo; the loader guarantees it lies inside the report's folder."""


@dataclass(frozen=True)
class SourceRef:
    """``meta.source``: where the brief's text comes from."""

    title: str
    url: str | None = None
    accessed: PartialDate | None = None


@dataclass(frozen=True)
class Meta:
    id: str
    title: str
    subtitle: str | None = None
    kicker: str | None = None
    breadcrumb: tuple[str, ...] = ()
    lang: str = "ar"
    """BCP 47 tag as given (``ar``, ``ar-SY``, ``fa``, ``en``)."""
    dir: Literal["rtl", "ltr"] = "rtl"
    """Resolved base direction (given, or derived from ``lang``)."""
    locale: str = "ar"
    """Locale for dates and numbers (given, or ``lang``)."""
    date: PartialDate | None = None
    authors: tuple[Author, ...] = ()
    publisher: Publisher | None = None
    source: SourceRef | None = None
    keywords: tuple[str, ...] = ()
    digits: Literal["latin", "native"] = "latin"
    chart: bool = True
    """Print the balance chart (``chart: false`` leaves it out of both formats)."""


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    color: str | None = None
    """``#RRGGBB`` (``#RGB`` is expanded by the loader), or None for the default palette."""


@dataclass(frozen=True)
class Area:
    """One row of the cooperation-versus-rivalry table."""

    id: str
    title: str
    region: str
    relation: Relation
    intensity: int | None = None
    summary: Inlines = ()
    positions: tuple[tuple[str, Inlines], ...] = ()
    """(actor id, position) pairs in actor order; actors without a position are absent."""
    sections: tuple[str, ...] = ()

    def position(self, actor_id: str) -> Inlines | None:
        for key, value in self.positions:
            if key == actor_id:
                return value
        return None


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    body: tuple[Block, ...] = ()


@dataclass(frozen=True)
class TimelineEvent:
    date: PartialDate
    event: Inlines
    area: str | None = None


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: PartialDate | None = None


@dataclass(frozen=True)
class Footnote:
    """One footnote: the source cited, numbered by order of first citation (from 1)."""

    number: int
    source: Source


@dataclass(frozen=True)
class BalanceRow:
    """How many areas of each relation in one region (or overall, ``region=None``)."""

    region: str | None
    counts: tuple[tuple[str, int], ...]
    """(relation, count) for every relation in ``RELATIONS`` order, zeros included."""

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    def count(self, relation: str) -> int:
        return dict(self.counts)[relation]


@dataclass(frozen=True)
class Balance:
    overall: BalanceRow
    regions: tuple[BalanceRow, ...]
    """One row per region, in order of the region's first area."""


@dataclass(frozen=True)
class Report:
    """A validated report. Writers only read it; derived views are computed once, here."""

    meta: Meta
    actors: tuple[Actor, ...]
    areas: tuple[Area, ...]
    sections: tuple[Section, ...] = ()
    takeaways: tuple[Inlines, ...] = ()
    summary: tuple[Inlines, ...] = ()
    """Executive summary paragraphs."""
    timeline: tuple[TimelineEvent, ...] = ()
    outlook: tuple[Inlines, ...] = ()
    recommendations: tuple[Inlines, ...] = ()
    sources: tuple[Source, ...] = ()
    path: Path | None = field(default=None, compare=False)
    """The file the report was loaded from (None for reports built in code)."""
    notices: tuple = field(default=(), compare=False)
    """Advice that does not stop a build (errors.Problem, message starting ``note:``): shown by validate."""
    source: tuple[str, bytes] | None = field(default=None, compare=False, repr=False)
    """The report as it was given, for a PDF/A-3b brief to carry: ("yaml" or "json", its bytes); a mapping as
    JSON. None for a Report built otherwise."""

    # -- derived views --

    @property
    def rtl(self) -> bool:
        return self.meta.dir == "rtl"

    @property
    def language(self) -> str:
        """Primary language subtag: ``ar`` for ``ar-SY``; labels are chosen by it."""
        return self.meta.lang.split("-")[0].lower()

    def actor(self, actor_id: str) -> Actor:
        return next(a for a in self.actors if a.id == actor_id)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def area(self, area_id: str) -> Area:
        return next(a for a in self.areas if a.id == area_id)

    @cached_property
    def balance(self) -> Balance:
        def row(region, areas):
            return BalanceRow(region, tuple((r, sum(a.relation == r for a in areas)) for r in RELATIONS))

        regions: dict[str, list[Area]] = {}
        for a in self.areas:
            regions.setdefault(a.region, []).append(a)
        return Balance(row(None, self.areas), tuple(row(k, v) for k, v in regions.items()))

    def inline_runs(self) -> list[Inlines]:
        """Every inline text of the report (takeaways, summary, areas, section bodies with nested
        lists, timeline, outlook, recommendations); the document order is ``briefkit.plan``'s."""
        runs: list[Inlines] = [*self.takeaways, *self.summary]
        for a in self.areas:
            runs.append(a.summary)
            runs.extend(p for _, p in a.positions)

        def list_runs(b: BulletList) -> None:
            for item, sub in zip(b.items, b.sublists or (None,) * len(b.items)):
                runs.append(item)
                if sub is not None:
                    list_runs(sub)

        for s in self.sections:
            for b in s.body:
                if isinstance(b, Para):
                    runs.append(b.inlines)
                elif isinstance(b, Quote):
                    runs.append(b.inlines)
                    if b.by:
                        runs.append(b.by)
                elif isinstance(b, BulletList):
                    list_runs(b)
        runs.extend(e.event for e in self.timeline)
        runs.extend(self.outlook)
        runs.extend(self.recommendations)
        return runs

    @cached_property
    def footnotes(self) -> tuple[Footnote, ...]:
        """Cited sources numbered by first citation in document order (``briefkit.plan``)."""
        from .plan import plan_of

        return tuple(Footnote(f.number, f.source) for f in plan_of(self).footnotes)

    @cached_property
    def note_numbers(self) -> dict[str, int]:
        """Source id → footnote number. A source cited again reuses its first number."""
        return {f.source.id: f.number for f in self.footnotes}

    @property
    def uncited_sources(self) -> tuple[str, ...]:
        """Ids of the sources no text cites: listed at the end without a number (``validate`` says so)."""
        return tuple(s.id for s in self.sources if s.id not in self.note_numbers)

    def all_text(self) -> list[str]:
        """Every piece of visible report text (for font coverage checks and word-recall tests)."""
        m = self.meta
        out = [m.title, m.subtitle or "", m.kicker or "", *m.breadcrumb, *m.keywords]
        out += [a.name for a in m.authors] + [a.role or "" for a in m.authors]
        if m.publisher:
            out.append(m.publisher.name)
        if m.source:
            out += [m.source.title, m.source.url or ""]        # both printed in the colophon
        for a in self.actors:
            out += [a.name, *a.aliases]
        for a in self.areas:
            out += [a.title, a.region]
        out += [s.heading for s in self.sections]
        out += [b.text for s in self.sections for b in s.body if isinstance(b, Subheading)]
        for s in self.sources:
            out += [s.title, s.publisher or "", s.url or ""]
        out += [plain_text(r) for r in self.inline_runs()]
        return [t for t in out if t]
