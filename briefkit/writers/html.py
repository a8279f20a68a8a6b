"""Report → HTML: the brief as one standalone HTML document (the PDF writer typesets this same HTML).

The only importer of jinja2. It walks the document plan (``briefkit.plan``): ``_Context.RULES`` has one
rule per part type, and the template one macro per part. Report text is untrusted: the environment
autoescapes, and every inline node is rendered by ``InlineRenderer`` (Text, Cite) and the ``_WRAP`` rule
table (Strong, Emph, Link); text is escaped, and runs against the base direction are isolated with
``<bdi>``. Output is deterministic: no clocks, no ``id()``, ids come from the report's own slugs.

Two variants of one template: ``render_string`` is the print HTML the PDF typesets (footnotes float to the
page foot); ``render_page`` is the self-contained page ``--format html`` and ``briefkit preview`` serve
(faces and logo as data URIs, notes listed per part, ``templates/screen.css``). A theme reaches both
through ``briefkit.house``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from .. import bidi, localize
from .. import plan as P
from ..links import is_safe_href
from ..model import RELATIONS, Emph, Inlines, Link, Report, Strong, Text, plain_text
from .. import house
from ..fontsubset import subset_woff
from ..resources import fonts_dir, logo_url, templates_dir
from ..style import DEFAULT as DEFAULT_THEME
from ..style import Theme
from ..theme import actor_color

TEMPLATE = "brief.html.j2"
STYLESHEET = "brief.css"

SHORT_ITEM = 24
"""A list whose items are all this short (and at least four) is set in columns."""


# ---- inline nodes ---------------------------------------------------------------------------------

class InlineRenderer:
    """Renders the plan's inline nodes.

    A first citation (``Cite.first``) emits the footnote itself (``float: footnote`` in CSS); a
    repeated one emits a call with the same number that links to the source's numbered entry.
    """

    def __init__(self, report: Report, *, screen: bool = False):
        self.report = report
        self.rtl = report.rtl
        self.sources = {s.id: s for s in report.sources}
        self.screen = screen
        self.notes: list[dict] = []
        """The self-contained page's notes not yet placed (``screen``): a part collects them."""
        self._narrow = False

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
                out.append(("iso", _unbroken_hosts(chunk, self._narrow)))
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
                out.append(("base", _unbroken_hosts(core, self._narrow)))    # a URL in an English line too
                if trail:
                    out.append(("ws", escape(trail)))
        return out

    def _pieces(self, nodes: Inlines) -> list[tuple[str, Markup]]:
        out: list[tuple[str, Markup]] = []
        for node in nodes:
            if isinstance(node, Text):
                out += self._text_pieces(node.text)
                continue
            if isinstance(node, P.Cite):
                # WORD JOINER: a note's number never starts a line of its own («بنجاح”.» | «1»)
                out.append(("base", Markup("\u2060") + self.cite(node)))
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

    def inlines(self, nodes: Inlines, *, narrow: bool = False) -> Markup:
        """``narrow``: the nodes are set in a table column (``bidi.host_spans``)."""
        outer, self._narrow = self._narrow, narrow
        try:
            return self._inlines(nodes)
        finally:
            self._narrow = outer

    def _inlines(self, nodes: Inlines) -> Markup:
        pieces = self._pieces(nodes)
        if bidi.foreign_block(plain_text(nodes), self.rtl):
            # an English quote in an Arabic brief: its full stop closes its isolate (bidi.FINAL_STOP)
            for k in range(len(pieces) - 1, 0, -1):
                kind, html = pieces[k]
                if kind == "base" and bidi.FINAL_STOP.fullmatch(str(html)) and pieces[k - 1][0] == "iso":
                    pieces[k] = ("iso", html)
                    break
                if kind != "base" or "\u2060" not in str(html):      # only a note call may follow it
                    break
        return self._join(pieces)

    def number(self, n: int) -> str:
        return localize.number(n, self.report)

    def citation(self, source) -> Markup:
        """A source as ``bidi.citation`` composes it (the DOCX writer uses the same items); a note is set
        at the page foot, full width, whatever column calls it."""
        outer, self._narrow = self._narrow, False
        try:
            return self._citation(source)
        finally:
            self._narrow = outer

    def _citation(self, source) -> Markup:
        date = localize.date(source.date, self.report) if source.date else None
        url = source.url if is_safe_href(source.url) else None
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

    def cite(self, node: P.Cite) -> Markup:
        shown = self.number(node.number)
        if self.screen and node.first:
            # On screen a first citation is a call; its note is listed at the end of the part.
            self.notes.append({"id": node.source_id, "n": shown,
                               "citation": self.citation(self.sources[node.source_id])})
            return Markup('<a class="fn-call" id="call-{0}" href="#fn-{0}" role="doc-noteref">{1}</a>').format(
                node.source_id, shown)
        if not node.first:
            # A real reference to the note's number: it links to the source's numbered entry, which
            # always exists (a footnote's own id can be lost when WeasyPrint defers it to a later page).
            return Markup('<a class="fn-again" href="#source-{}">{}</a>').format(node.source_id, shown)
        return Markup('<span class="footnote" id="fn-{}" data-n="{}">{}</span>').format(
            node.source_id, shown, self.citation(self.sources[node.source_id]))


_SRC_CLASS = {"title": "title", "publisher": "pub", "date": "date"}


def _unbroken_hosts(text: str, narrow: bool = False) -> Markup:
    """``text`` escaped, each span a line must not break inside nowrap (``bidi.host_spans``; ``narrow``:
    in a table column, where a long URL piece must break rather than run out of the table)."""
    out, pos = [], 0
    if narrow:      # an address too long for the column breaks after its '@', not before its last letter
        at = [s + text[s:e].index("@") + 1 for s, e in bidi.url_spans(text)
              if "@" in text[s:e] and "/" not in text[s:e] and ":" not in text[s:e]]
        if at:
            text_at = [0, *at, len(text)]
            pieces = [text[a:b] for a, b in zip(text_at, text_at[1:])]
            return Markup("<wbr>").join(_unbroken_hosts(piece, narrow=True) for piece in pieces)
    for start, end in bidi.host_spans(text, narrow):
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
    if not is_safe_href(node.href):  # the loader already refuses these; belt and braces
        return inner
    return Markup('<a href="{}">{}</a>').format(node.href, inner)


_WRAP = {Strong: _strong, Emph: _emph, Link: _link}
"""The per-node rule table for container inlines (Text and Cite are handled by InlineRenderer)."""


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


def shipped_stylesheet() -> str:
    """The unthemed brief's stylesheet as its first ``<style>`` holds it (stripped)."""
    return _stylesheet().strip()


def heading_ids(report: Report) -> list[tuple[str, str, int]]:
    """(anchor id, heading text, HTML level) of every heading the brief prints, in order (h1 first).

    The plan's levels plus one (the title is ``h1``); the PDF's bookmarks follow the same list.
    """
    return [(h.id, h.text, h.level + 1) for h in P.plan_of(report).headings]


generated_texts = localize.generated_texts


class _Context:
    """Turns each plan part into the template's data: one rule per part type (``RULES``)."""

    def __init__(self, plan: P.Plan, toc: bool, theme: Theme = DEFAULT_THEME, screen: bool = False):
        self.plan = plan
        self.report = report = plan.report
        self.r = InlineRenderer(report, screen=screen)
        self.relation_colors = house.palette(theme)[1]
        self.lab = localize.labels(report)
        self.toc = toc
        self.theme = theme

    def heading(self, h: P.Heading) -> dict:
        return {"id": h.id, "text": self.r.text(h.text), "tag": f"h{h.level + 1}", "level": h.level}

    def relation(self, rel: str) -> dict:
        return {"key": rel, "label": self.lab[f"relation_{rel}"], "color": self.relation_colors[rel][0]}

    # -- one rule per part type --

    def title(self, part: P.TitleBlock) -> dict:
        return {"kind": "title"}      # the masthead is drawn from ``meta`` (it is also the page's <head>)

    def contents(self, part: P.Contents) -> dict | None:
        if not self.toc:
            return None
        # The same entries as the DOCX contents: parts, sections and subheadings (plan levels 1-3).
        entries = [{"id": h.id, "text": self.r.text(h.text), "level": h.level + 1} for h in part.entries]
        return {"kind": "contents", "columns": _toc_columns(entries)}

    def takeaways(self, part: P.Takeaways) -> dict:
        return {"kind": "takeaways", "heading": self.heading(part.heading),
                "items": [self.r.inlines(t) for t in part.items]}

    def paragraphs(self, part: P.Paragraphs) -> dict:
        return {"kind": "paragraphs", "key": part.key, "heading": self.heading(part.heading),
                "paras": [self.r.inlines(p) for p in part.paras]}

    def areas(self, part: P.AreasTable) -> dict:
        r, report, lab = self.r, self.report, self.lab
        actor_names = [a.name for a in report.actors]
        actors_text = localize.series(actor_names, report)
        rows = []
        for row in part.rows:
            a = row.area
            rows.append({
                "id": a.id, "title": r.text(a.title), "region": r.text(a.region),
                "relation": self.relation(a.relation),
                "intensity": a.intensity,
                "intensity_label": localize.digits(localize.label(report, "intensity_of", n=a.intensity), report)
                if a.intensity else None,
                "summary": r.inlines(row.summary, narrow=True),
                "positions": [r.inlines(pos, narrow=True) if pos is not None else None for pos in row.positions],
                "sections": [{"id": link.target.id, "heading": r.text(link.text)} for link in row.links],
                "splits": row.splits,
            })
        return {"kind": "areas", "heading": self.heading(part.heading),
                # the label's text around {actors} (its tail was lost: "…, with each side's position")
                "caption": r.text(actors_text).join(r.text(piece) for piece in lab["areas_caption"].split("{actors}")),
                "actors": [{"id": a.id, "name": a.name, "color": actor_color(a.color, i)}
                           for i, a in enumerate(report.actors)],
                "rows": rows, "stacked": part.stacked}

    def balance(self, part: P.BalancePart) -> dict:
        report, bal = self.report, part.balance
        max_total = max(bal.overall.total, 1)   # one scale for every bar: a unit is one area

        def balance_row(row, label):
            return {"label": label, "total": localize.number(row.total, report),
                    "counts": [{"rel": self.relation(rel), "n": n, "shown": localize.number(n, report),
                                "pct": round(100 * n / row.total, 3) if row.total else 0}
                               for rel, n in row.counts],
                    "width": round(100 * row.total / max_total, 3)}

        return {"kind": "balance", "heading": self.heading(part.heading),
                "relations": [self.relation(rel) for rel in RELATIONS],
                "regions": [balance_row(row, self.r.text(row.region)) for row in bal.regions],
                "overall": balance_row(bal.overall, self.r.text(self.lab["balance_all"]))}

    def chart(self, part: P.Chart) -> dict:
        from .. import chart

        # chart.html escapes the report's text itself; the caption is the plan's heading (a bookmark)
        return {"kind": "chart", "figure": Markup(chart.html(
            self.report, part.number, anchor=part.caption.id, bookmark_level=part.caption.level + 1,
            colors=self.relation_colors, area=chart.area_for(self.theme.text_mm)))}

    def block(self, block: P.PlanBlock) -> dict:
        r = self.r
        match block:
            case P.ParaBlock():
                return {"kind": "para", "html": r.inlines(block.inlines)}
            case P.QuoteBlock():
                return {"kind": "quote", "html": r.inlines(block.inlines),
                        "by": r.inlines(block.by) if block.by else None}
            case P.ListBlock():
                return self.list_block(block)
            case P.Heading():
                return {"kind": "heading", **self.heading(block)}
            case _:
                P.unhandled(block)

    def list_block(self, block: P.ListBlock) -> dict:
        short = (all(len(plain_text(i)) <= SHORT_ITEM for i in block.items) and len(block.items) >= 4
                 and not any(block.sublists))
        subs = block.sublists or (None,) * len(block.items)
        return {"kind": "list", "ordered": block.ordered, "short": short,
                "items": [{"html": self.r.inlines(i), "sub": self.list_block(sub) if sub else None}
                          for i, sub in zip(block.items, subs)]}

    def analysis(self, part: P.Analysis) -> dict:
        sections = []
        for s in part.sections:
            section = {"id": s.heading.id, "heading": self.heading(s.heading),
                       "blocks": [self.block(b) for b in s.blocks]}
            if self.r.notes:      # on screen, a section's notes follow the section
                section["notes"], self.r.notes = self.r.notes, []
            sections.append(section)
        return {"kind": "analysis", "heading": self.heading(part.heading), "sections": sections}

    def timeline(self, part: P.Timeline) -> dict:
        r, report = self.r, self.report
        return {"kind": "timeline", "heading": self.heading(part.heading),
                "events": [{"date": r.text(localize.date(e.event.date, report)), "iso": e.event.date.iso(),
                            "event": r.inlines(e.text),
                            "area": r.text(e.area.title) if e.area else None,
                            "relation": self.relation(e.area.relation) if e.area else None}
                           for e in part.events]}

    def recommendations(self, part: P.Recommendations) -> dict:
        return {"kind": "recommendations", "heading": self.heading(part.heading),
                "items": [self.r.inlines(p) for p in part.items]}

    def sources(self, part: P.Sources) -> dict:
        return {"kind": "sources", "heading": self.heading(part.heading),
                "entries": [{"id": e.source.id,
                             "n": localize.number(e.number, self.report) if e.number else None,
                             "citation": self.r.citation(e.source)} for e in part.entries]}

    def colophon(self, part: P.Colophon) -> dict:
        return {"kind": "colophon"}      # drawn from ``meta.source`` (the masthead's context has it)

    RULES = {P.TitleBlock: title, P.Contents: contents, P.Takeaways: takeaways, P.Paragraphs: paragraphs,
             P.AreasTable: areas, P.BalancePart: balance, P.Chart: chart, P.Analysis: analysis,
             P.Timeline: timeline, P.Recommendations: recommendations, P.Sources: sources,
             P.Colophon: colophon}

    def part(self, part: P.Part) -> dict | None:
        rule = self.RULES.get(type(part))
        if rule is None:
            P.unhandled(part)
        out = rule(self, part)
        if self.r.notes and out is not None:
            out["notes"], self.r.notes = self.r.notes, []
        return out


def context(report: Report, toc: bool = False, plan: P.Plan | None = None, options=None, *,
            theme: Theme = DEFAULT_THEME, screen: bool = False, toc_placeholder: str | None = None) -> dict:
    plan = plan or P.plan_of(report, chart=P.chart_wanted(options))
    c = _Context(plan, toc, theme, screen)
    r, lab, m = c.r, c.lab, report.meta
    style = localize.counter_style(report)
    parts = [d for d in (c.part(part) for part in plan.parts) if d is not None]

    meta = {
        "title": r.text(m.title), "title_plain": m.title,
        "subtitle": r.text(m.subtitle) if m.subtitle else None,
        "kicker": r.text(m.kicker) if m.kicker else None,
        "breadcrumb": [r.text(b) for b in m.breadcrumb],
        "date": r.text(localize.date(m.date, report)) if m.date else None,
        "authors": [{"name": r.text(a.name), "role": r.text(a.role) if a.role else None} for a in m.authors],
        "authors_plain": lab["list_separator"].join(a.name for a in m.authors),
        "publisher": ({"name": r.text(m.publisher.name), "name_plain": m.publisher.name,
                       "url": m.publisher.url if is_safe_href(m.publisher.url) else None,
                       "logo": (_data_uri(m.publisher.logo) if screen else logo_url(m.publisher.logo))
                       if m.publisher.logo else None}
                      if m.publisher else None),
        "source": ({"title": r.text(m.source.title),
                    "url": m.source.url if is_safe_href(m.source.url) else None,
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
        # A contents entry's page number: WeasyPrint's target-counter, or (the PDF writer's fast path) a
        # placeholder it replaces with the laid-out page numbers (pdf.fill_toc_numbers)
        "toc_number": css_string(toc_placeholder) if toc_placeholder is not None
        else f"target-counter(attr(href), page, {style})",
    }
    return {
        "lang": m.lang, "dir": m.dir, "rtl": rtl, "lab": lab, "meta": meta, "parts": parts,
        "page_css": page_css, "running_title": house.running_title(report, theme),
        "stylesheet": Markup(house.restyle_css(_stylesheet(), theme)),  # trusted: the package's own file
        "footnote_count": len(plan.footnotes),
    }


def _toc_columns(entries: list[dict]) -> list[list[dict]]:
    """Two columns of TOC entries (a table, not CSS columns: those cost a re-layout per page)."""
    half = (len(entries) + 1) // 2
    return [entries[:half], entries[half:]] if len(entries) > 6 else [entries]


def render_string(report: Report, toc: bool = False, *, plan: P.Plan | None = None, options=None,
                  theme: Theme = DEFAULT_THEME, toc_placeholder: str | None = None) -> str:
    """The brief's HTML as text; ``toc=True`` adds the table of contents (the PDF's second pass).
    ``toc_placeholder``: the contents show this text instead of their page numbers (the PDF writer's).

    With a theme, its faces (file URLs the PDF writer's fetcher serves) and print rules follow the
    template's own styles; without one the HTML is exactly the shipped look."""
    house.ensure_covered([*report.all_text(), *generated_texts(report)], theme)
    html = _env().get_template(TEMPLATE).render(context(report, toc=toc, plan=plan, options=options, theme=theme,
                                                        toc_placeholder=toc_placeholder))
    if theme == DEFAULT_THEME:
        return html
    extra = house.font_faces(theme, lambda path: path.as_uri()) + "\n" + _theme_print_css(report, theme)
    return html.replace("</head>", f"<style>\n{extra}\n</style>\n</head>", 1)


def render(report: Report, options=None, *, toc: bool = False) -> bytes:
    """The HTML the PDF typesets, with the shipped look (UTF-8 bytes, deterministic); ``--format html``
    writes ``render_page`` instead."""
    return render_string(report, toc=toc, options=options).encode("utf-8")


def _theme_print_css(report: Report, theme: Theme) -> str:
    return house.page_css(theme, rtl=report.rtl, counter_style=localize.counter_style(report))


# ---- the self-contained page (--format html, briefkit preview) -------------------------------------

SCREEN_STYLESHEET = "screen.css"
_FONT_URL = re.compile(r'url\("\.\./fonts/([^"/]+)"\)')
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}\n?")


def render_counted(report: Report, options=None) -> tuple[bytes, None]:
    """What ``--format html`` writes: ``render_page`` (the writers' entry point for this format)."""
    return render_page(report, options), None


def render_page(report: Report, options=None, *, theme: Theme | None = None) -> bytes:
    """The brief as one self-contained HTML page for screens, in any folder: every face it uses
    subset to its characters and embedded as a data URI, the logo a data URI, the notes numbered at
    the end of each part, a readable column. It loads nothing: no file, no network."""
    if theme is None:
        theme = house.theme_for(report, options)
    report = house.with_house_logo(report, theme)
    house.ensure_covered([*report.all_text(), *generated_texts(report)], theme)
    ctx = context(report, options=options, theme=theme, screen=True)
    screen_css = house.restyle_css((templates_dir() / SCREEN_STYLESHEET).read_text(encoding="utf-8"), theme)
    theme_css = _theme_print_css(report, theme)
    html = _env().get_template(TEMPLATE).render(ctx)
    html = html.replace("</head>", f"<style>\n{screen_css}{theme_css}\n</style>\n</head>", 1)
    chars = frozenset(html) | _ALWAYS
    # A character both theme families draw never reaches a shipped face: those get only the rest.
    theme_fams = [f for f in (theme.body, theme.heading) if f]
    covered = (frozenset.intersection(*(house.family_codepoints(f) for f in theme_fams))
               if theme.body and theme.heading else frozenset())
    rest = frozenset(c for c in chars if ord(c) not in covered)
    # The chart names the shipped sans faces itself (its labels are measured in them): they keep its letters.
    rest |= frozenset("".join(re.findall(r'<figure [^>]*class="bk-chart".*?</figure>', html, re.S)))
    # Italic faces only when something is set in italic (emphasis; quotes in a left-to-right brief).
    italic = "<em>" in html or (not report.rtl and "<blockquote" in html)

    def shipped(m: re.Match) -> str:
        name = m.group(1)
        if "Italic" in name and not italic:
            return "@@EMPTY@@"
        uri = _font_data_uri(fonts_dir() / name, rest)
        return f'url("{uri}")' if uri else "@@EMPTY@@"

    def rule(m: re.Match) -> str:
        text = _FONT_URL.sub(shipped, m.group(0))
        return "" if "@@EMPTY@@" in text else text
    html = _FONT_FACE.sub(rule, html)
    html = _with_fallback_faces(html, chars)
    faces = house.font_faces(theme, lambda path: "@@THEME@@" + str(path))
    if faces:
        themed = re.sub(r"@@THEME@@([^\"]+)", lambda m: _font_data_uri(Path(m.group(1)), chars) or "", faces)
        html = html.replace("</head>", f"<style>\n{themed}\n</style>\n</head>", 1)
    return html.encode("utf-8")


def _with_fallback_faces(html: str, chars: frozenset) -> str:
    """The characters only a fallback face draws (emoji, symbols, Hebrew), as the PDF draws them: each
    fallback face used is embedded cut to them, and named at the end of every font stack of the page,
    as the PDF's fontconfig appends them (a browser would else draw them from the reader's system fonts,
    or not at all)."""
    from ..coverage import resolve
    from ..resources import FALLBACK_FAMILIES, FONT_FILES, STACKS

    by_family: dict[str, set[str]] = {}
    for ch in chars:
        for stack in STACKS.values():
            hit = resolve(ch, stack)
            if hit and hit[0] in FALLBACK_FAMILIES:
                by_family.setdefault(hit[0], set()).add(ch)
    rules, names = [], []
    for family in FALLBACK_FAMILIES:
        uri = by_family.get(family) and _font_data_uri(fonts_dir() / FONT_FILES[family]["Regular"],
                                                        frozenset(by_family[family]))
        if uri:
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{uri}"); }}')
            names.append(family)
    if not names:
        return html

    def extend(m: re.Match) -> str:
        if html.rfind("@font-face", 0, m.start()) > html.rfind("}", 0, m.start()):
            return m.group(0)                  # a face's own name, not a stack
        q = m.group(2)[0]
        return m.group(1) + m.group(2).rstrip() + "".join(f", {q}{n}{q}" for n in names)
    html = _FONT_STACK.sub(extend, html)
    return html.replace("</head>", "<style>\n" + "\n".join(rules) + "\n</style>\n</head>", 1)


_FONT_STACK = re.compile(r"""(font-family:\s*)((?:(["'])[^"']+\3\s*,?\s*)+)(?=[;}"])""")
"""A font-family list of quoted names (the stylesheet's and the chart's inline ones)."""


_ALWAYS = frozenset("0123456789\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
                    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9.-\u2013\u2014 ")
"""Characters a stylesheet can draw that the document's text may not hold (list counters)."""


def _data_uri(path) -> str:
    import base64
    import mimetypes

    path = Path(path)
    mime = {".svg": "image/svg+xml"}.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] \
        or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _font_data_uri(path: Path, chars: frozenset) -> str | None:
    """A data URI of the face subset to ``chars`` (None when it draws none of them). The cache key is
    the characters the face has, so an edit that adds no new letter to a face reuses its subset."""
    import base64

    cmap = house.cmap(path)
    unicodes = tuple(sorted(cp for cp in map(ord, chars) if cp in cmap))
    if not any(not chr(cp).isspace() for cp in unicodes):
        return None
    data = subset_woff(path, unicodes)
    return "data:font/woff;base64," + base64.b64encode(data).decode("ascii")
