"""Report → HTML: the brief as one standalone HTML document (the PDF writer typesets this same HTML).

The only importer of jinja2. Report text is untrusted: the environment autoescapes, and every inline
node is rendered by ``InlineRenderer`` (Text, NoteRef) and the ``_WRAP`` rule table (Strong, Emph,
Link); text is escaped, and runs against the base direction are isolated with ``<bdi>``. Output is deterministic: no clocks, no ``id()``,
ids come from the report's own slugs.
"""
from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from .. import bidi, localize
from ..model import RELATIONS, Emph, Inlines, Link, NoteRef, Report, Strong, Text, plain_text
from ..resources import ensure_covered, templates_dir
from ..theme import RELATION_COLORS, actor_color

TEMPLATE = "brief.html.j2"
STYLESHEET = "brief.css"

SHORT_ITEM = 24
"""A list whose items are all this short (and at least four) is set in columns."""

_SAFE_HREF = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)


# ---- inline nodes ---------------------------------------------------------------------------------

class InlineRenderer:
    """Renders inline nodes in document order; remembers which sources already have their footnote.

    The first citation of a source emits the footnote itself (``float: footnote`` in CSS); later
    citations of the same source emit a call carrying the same number, and no new footnote.
    """

    def __init__(self, report: Report):
        self.report = report
        self.rtl = report.rtl
        self.cited: set[str] = set()
        self.sources = {s.id: s for s in report.sources}

    # -- text with bidi isolation --
    # Inline content is first turned into pieces: ("iso", html) runs against the base direction,
    # ("ws", html) white space, ("base", html) everything else. Adjacent iso pieces (possibly with
    # white space between, and across <strong>/<em>/<a> boundaries) are then wrapped in ONE <bdi>:
    # WeasyPrint resolves bidi per inline box, so "<b>North Atlantic</b> Treaty" in two isolates
    # would read "Treaty North Atlantic" in an Arabic line.

    def _text_pieces(self, text: str) -> list[tuple[str, Markup]]:
        out = []
        for chunk, isolate in bidi.runs(text, self.rtl):
            if isolate:
                out.append(("iso", _unbroken_hosts(chunk)))
            else:
                # keep surrounding white space separate so isolates can merge across it
                core = chunk.strip(" ")
                if not core:
                    out.append(("ws", escape(chunk)))
                    continue
                lead = chunk[:len(chunk) - len(chunk.lstrip(" "))]
                trail = chunk[len(chunk.rstrip(" ")):]
                if lead:
                    out.append(("ws", escape(lead)))
                out.append(("base", escape(core)))
                if trail:
                    out.append(("ws", escape(trail)))
        return out

    def _pieces(self, nodes: Inlines) -> list[tuple[str, Markup]]:
        out: list[tuple[str, Markup]] = []
        for node in nodes:
            if isinstance(node, Text):
                out += self._text_pieces(node.text)
                continue
            if isinstance(node, NoteRef):
                out.append(("base", self.noteref(node)))
                continue
            inner = self._pieces(node.children)
            kinds = {k for k, _ in inner}
            if "iso" in kinds and "base" not in kinds:
                # wholly against the base direction: it can join a neighbouring isolate
                out.append(("iso", _wrap(node, Markup("").join(h for _, h in inner))))
            else:
                out.append(("base", _wrap(node, self._join(inner))))
        return out

    def _join(self, pieces: list[tuple[str, Markup]]) -> Markup:
        iso_dir = "ltr" if self.rtl else "rtl"
        out: list[Markup] = []
        i = 0
        while i < len(pieces):
            kind, html = pieces[i]
            if kind != "iso":
                out.append(html)
                i += 1
                continue
            group = [html]
            j = i + 1
            while True:  # absorb (ws* iso) repeatedly
                k = j
                while k < len(pieces) and pieces[k][0] == "ws":
                    k += 1
                if k < len(pieces) and pieces[k][0] == "iso" and k > j:
                    group += [h for _, h in pieces[j:k + 1]]
                    j = k + 1
                elif k < len(pieces) and pieces[k][0] == "iso":
                    group.append(pieces[k][1])
                    j = k + 1
                else:
                    break
            out.append(Markup('<bdi dir="{}">{}</bdi>').format(iso_dir, Markup("").join(group)))
            i = j
        return Markup("").join(out)

    def text(self, text: str) -> Markup:
        return self._join(self._text_pieces(text))

    def inlines(self, nodes: Inlines) -> Markup:
        return self._join(self._pieces(nodes))

    def number(self, n: int) -> str:
        return localize.number(n, self.report)

    def citation(self, source) -> Markup:
        """A source as ``bidi.citation`` composes it (the DOCX writer uses the same items)."""
        date = localize.date(source.date, self.report) if source.date else None
        url = source.url if source.url and _SAFE_HREF.match(source.url) else None
        out = []
        for item in bidi.citation(source.title, source.publisher, date, url, rtl=self.rtl,
                                  sep=localize.labels(self.report)["list_separator"]):
            if item.role == "sep":
                out.append(escape(item.text))
            elif item.role == "url":
                out.append(Markup('<a class="src-url" href="{}"><bdi dir="ltr">{}</bdi></a>').format(
                    item.text, _unbroken_hosts(item.text)))
            else:
                out.append(Markup('<span class="src-{}">{}</span>').format(
                    _SRC_CLASS[item.role], self._join(self._chunk_pieces(item.chunks))))
        return Markup("").join(out)

    def _chunk_pieces(self, chunks) -> list[tuple[str, Markup]]:
        return [("iso", _unbroken_hosts(chunk)) if iso else ("base", escape(chunk)) for chunk, iso in chunks]

    def noteref(self, node: NoteRef) -> Markup:
        n = self.report.note_numbers[node.source_id]
        shown = self.number(n)
        if node.source_id in self.cited:
            # Links to the sources list, whose entries always exist: a footnote's own id can be lost
            # when WeasyPrint defers it to a later page (seen on long briefs).
            return Markup('<a class="fn-again" href="#source-{}">{}</a>').format(node.source_id, shown)
        self.cited.add(node.source_id)
        return Markup('<span class="footnote" id="fn-{}" data-n="{}">{}</span>').format(
            node.source_id, shown, self.citation(self.sources[node.source_id]))


_SRC_CLASS = {"title": "title", "publisher": "pub", "date": "date"}


def _unbroken_hosts(text: str) -> Markup:
    """``text`` escaped, each URL's scheme and host kept on one line (a line may still break in the path)."""
    out, pos = [], 0
    for start, end in bidi.host_spans(text):
        out.append(escape(text[pos:start]))
        out.append(Markup('<span style="white-space: nowrap">{}</span>').format(text[start:end]))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _strong(node: Strong, inner: Markup) -> Markup:
    return Markup("<strong>{}</strong>").format(inner)


def _emph(node: Emph, inner: Markup) -> Markup:
    return Markup("<em>{}</em>").format(inner)


def _link(node: Link, inner: Markup) -> Markup:
    if not _SAFE_HREF.match(node.href):  # the loader already refuses these; belt and braces
        return inner
    return Markup('<a href="{}">{}</a>').format(node.href, inner)


_WRAP = {Strong: _strong, Emph: _emph, Link: _link}
"""The per-node rule table for container inlines (Text and NoteRef are handled by InlineRenderer)."""


def _wrap(node, inner: Markup) -> Markup:
    return _WRAP[type(node)](node, inner)


# ---- CSS helpers ----------------------------------------------------------------------------------

def css_string(text: str) -> str:
    """A CSS string literal; safe inside a <style> element."""
    out = ['"']
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def css_label(report: Report, key: str, **counters: str) -> str:
    """A label with ``{name}`` placeholders as a CSS ``content`` value: strings and counter() calls."""
    text = localize.labels(report)[key]
    parts = re.split(r"\{(\w+)\}", text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(counters[part])
        elif part:
            out.append(css_string(part))
    return " ".join(out)


# ---- context --------------------------------------------------------------------------------------

def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


@lru_cache(maxsize=1)
def _env():
    return _environment()


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return (templates_dir() / STYLESHEET).read_text(encoding="utf-8")


def heading_ids(report: Report) -> list[tuple[str, str, int]]:
    """(anchor id, heading text, level) of every heading the brief prints, in order (h1 first).

    The PDF's bookmarks must match this list; the table of contents lists the level-2 entries.
    """
    lab = localize.labels(report)
    out = [("title", report.meta.title, 1)]
    if report.takeaways:
        out.append(("takeaways", lab["takeaways"], 2))
    if report.summary:
        out.append(("summary", lab["summary"], 2))
    out.append(("areas", lab["areas"], 2))
    out.append(("balance", lab["balance"], 2))
    if report.sections:
        out.append(("analysis", lab["sections"], 2))
        out += [(f"sec-{s.id}", s.heading, 3) for s in report.sections]
    if report.timeline:
        out.append(("timeline", lab["timeline"], 2))
    if report.outlook:
        out.append(("outlook", lab["outlook"], 2))
    if report.recommendations:
        out.append(("recommendations", lab["recommendations"], 2))
    if report.sources:
        out.append(("sources", lab["sources"], 2))
    return out


def generated_texts(report: Report) -> list[str]:
    """Every piece of text the writer adds to the report's own (labels, dates, numbers)."""
    lab = localize.labels(report)
    out = [v for v in lab.values() if isinstance(v, str)]
    m = report.meta
    dates = [m.date, m.source.accessed if m.source else None]
    dates += [e.date for e in report.timeline] + [s.date for s in report.sources]
    out += [localize.date(d, report) for d in dates if d]
    out.append(localize.digits("0123456789", report))
    return out


def context(report: Report, toc: bool = False) -> dict:
    r = InlineRenderer(report)
    lab = localize.labels(report)
    m = report.meta
    style = localize.counter_style(report)

    actors = [{"id": a.id, "name": a.name,
               "color": actor_color(a.color, i)}
              for i, a in enumerate(report.actors)]
    actor_names = [a.name for a in report.actors]
    if len(actor_names) > 1:
        actors_text = lab["list_separator"].join(actor_names[:-1]) + lab["and"] + actor_names[-1]
    else:
        actors_text = actor_names[0]

    def relation(rel: str) -> dict:
        return {"key": rel, "label": lab[f"relation_{rel}"], "color": RELATION_COLORS[rel][0]}

    # Areas: rendered here, in inline_runs order (summary, then positions in actor order), so
    # footnote numbers follow first citation exactly as report.footnotes counts them.
    sections_by_id = {s.id: s for s in report.sections}
    takeaways = [r.inlines(t) for t in report.takeaways]
    summary = [r.inlines(p) for p in report.summary]
    areas = []
    for a in report.areas:
        summary_html = r.inlines(a.summary)
        cells = []
        for actor in report.actors:
            pos = a.position(actor.id)
            cells.append(r.inlines(pos) if pos is not None else None)
        areas.append({
            "id": a.id, "title": r.text(a.title), "region": r.text(a.region),
            "relation": relation(a.relation),
            "intensity": a.intensity,
            "intensity_label": localize.digits(localize.label(report, "intensity_of", n=a.intensity), report)
            if a.intensity else None,
            "summary": summary_html, "positions": cells,
            "sections": [{"id": sid, "heading": r.text(sections_by_id[sid].heading)}
                         for sid in a.sections if sid in sections_by_id],
        })

    def render_block(block):
        kind = type(block).__name__
        if kind == "Para":
            return {"kind": "para", "html": r.inlines(block.inlines)}
        if kind == "Quote":
            return {"kind": "quote", "html": r.inlines(block.inlines),
                    "by": r.inlines(block.by) if block.by else None}
        short = all(len(plain_text(i)) <= SHORT_ITEM for i in block.items) and len(block.items) >= 4
        return {"kind": "list", "ordered": block.ordered, "short": short,
                "items": [r.inlines(i) for i in block.items]}

    sections = [{"id": s.id, "heading": r.text(s.heading), "blocks": [render_block(b) for b in s.body]}
                for s in report.sections]
    areas_by_id = {a.id: a for a in report.areas}
    timeline = [{"date": r.text(localize.date(e.date, report)), "iso": e.date.iso(),
                 "event": r.inlines(e.event),
                 "area": r.text(areas_by_id[e.area].title) if e.area in areas_by_id else None,
                 "relation": relation(areas_by_id[e.area].relation) if e.area in areas_by_id else None}
                for e in report.timeline]
    outlook = [r.inlines(p) for p in report.outlook]
    recommendations = [r.inlines(p) for p in report.recommendations]

    bal = report.balance
    max_total = max(bal.overall.total, 1)   # one scale for every bar: a unit is one area

    def balance_row(row, label):
        return {"label": label, "total": localize.number(row.total, report),
                "counts": [{"rel": relation(rel), "n": n, "shown": localize.number(n, report),
                            "pct": round(100 * n / row.total, 3) if row.total else 0}
                           for rel, n in row.counts],
                "width": round(100 * row.total / max_total, 3)}

    balance = {"relations": [relation(rel) for rel in RELATIONS],
               "regions": [balance_row(row, r.text(row.region)) for row in bal.regions],
               "overall": balance_row(bal.overall, r.text(lab["balance_all"]))}

    numbers = report.note_numbers
    # The sources list follows footnote numbers (cited sources first), then the uncited ones.
    ordered = sorted(report.sources, key=lambda s: numbers.get(s.id, len(numbers) + 1))
    sources = [{"id": s.id, "n": localize.number(numbers[s.id], report) if s.id in numbers else None,
                "citation": r.citation(s)} for s in ordered]

    meta = {
        "title": r.text(m.title), "title_plain": m.title,
        "subtitle": r.text(m.subtitle) if m.subtitle else None,
        "kicker": r.text(m.kicker) if m.kicker else None,
        "breadcrumb": [r.text(b) for b in m.breadcrumb],
        "date": r.text(localize.date(m.date, report)) if m.date else None,
        "authors": [{"name": r.text(a.name), "role": r.text(a.role) if a.role else None} for a in m.authors],
        "authors_plain": lab["list_separator"].join(a.name for a in m.authors),
        "publisher": ({"name": r.text(m.publisher.name), "name_plain": m.publisher.name,
                       "url": m.publisher.url if m.publisher.url and _SAFE_HREF.match(m.publisher.url) else None,
                       "logo": m.publisher.logo.as_uri() if m.publisher.logo else None}
                      if m.publisher else None),
        "source": ({"title": r.text(m.source.title),
                    "url": m.source.url if m.source.url and _SAFE_HREF.match(m.source.url) else None,
                    "accessed": r.text(localize.date(m.source.accessed, report)) if m.source.accessed else None}
                   if m.source else None),
        "keywords": [r.text(k) for k in m.keywords],
        "keywords_plain": ", ".join(m.keywords),
        "description": m.subtitle or "",
    }

    rtl = report.rtl
    page_css = {
        "page_of": css_label(report, "page_of", page=f"counter(page, {style})",
                             pages=f"counter(pages, {style})"),
        "head_start": "top-right" if rtl else "top-left",
        "head_end": "top-left" if rtl else "top-right",
        "counter_style": style,
    }
    return {
        "lang": m.lang, "dir": m.dir, "rtl": rtl, "lab": lab, "meta": meta, "actors": actors,
        "areas_caption": Markup("").join(
            r.text(part) if i % 2 == 0 else r.text(actors_text)
            for i, part in enumerate(lab["areas_caption"].split("{actors}"))),
        "takeaways": takeaways, "summary": summary, "areas": areas, "sections": sections,
        "timeline": timeline, "outlook": outlook, "recommendations": recommendations,
        "balance": balance, "sources": sources, "page_css": page_css,
        "stylesheet": Markup(_stylesheet()),  # trusted: the package's own file
        "toc": _toc_columns([{"id": hid, "text": r.text(text), "level": level}
                             for hid, text, level in heading_ids(report) if level in (2, 3)]) if toc else None,
        "footnote_count": len(report.footnotes),
    }


def _toc_columns(entries: list[dict]) -> list[list[dict]]:
    """Two columns of TOC entries (a table, not CSS columns: those cost a re-layout per page)."""
    half = (len(entries) + 1) // 2
    return [entries[:half], entries[half:]] if len(entries) > 6 else [entries]


def render_string(report: Report, toc: bool = False) -> str:
    """The brief's HTML as text; ``toc=True`` adds the table of contents (the PDF's second pass)."""
    ensure_covered([*report.all_text(), *generated_texts(report)])
    return _env().get_template(TEMPLATE).render(context(report, toc=toc))


def render(report: Report, options=None, *, toc: bool = False) -> bytes:
    """The brief as a standalone HTML document (UTF-8 bytes, deterministic)."""
    return render_string(report, toc=toc).encode("utf-8")
