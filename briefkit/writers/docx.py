"""The DOCX brief: the report laid out with python-docx, right-to-left at every level when the report is.

The writer walks the document plan (``briefkit.plan``) exactly as the HTML writer does, one rule
per part type, so headings, levels, footnote numbers and the sources order are the PDF's. A source
cited again is a ``NOTEREF`` field to the bookmark on its first call (Word renumbers it). Everything
a style can carry lives in a named style an editor can restyle in Word or LibreOffice; the raw OOXML
python-docx cannot write sits in ``ooxml.py``, which also builds the elements a brief makes by the
thousand (paragraphs, tables, runs) whole: python-docx's proxies wrap them, its per-property setters
cost more than the brief's text.
"""
from __future__ import annotations

import copy
import logging
import re
from functools import lru_cache

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .. import __version__, bidi
from .. import plan as P
from ..langs import WORD_LANG, WORD_NUMBER_FORMAT
from ..links import is_safe_href
from ..localize import date as local_date
from ..localize import digits, generated_texts, labels, native_zero, number, series
from ..model import RELATIONS, Emph, Inlines, Link, Report, Source, Strong, Text, plain_text
from .. import chart, house
from ..style import DEFAULT as DEFAULT_THEME
from ..style import Theme
from ..theme import PALETTE, actor_color
from ..theme import docx as color
from .. import coverage
from ..resources import FONT_FILES, STACKS, font_path, templates_dir
from . import ooxml

log = logging.getLogger("briefkit")

BODY_FONT = "Amiri"
SANS_ARABIC = "Noto Kufi Arabic"
SANS_LATIN = "Noto Sans"

INK = color("ink")
ACCENT = color("accent")
MUTED = color("muted")
RULE = color("rule")
TINT = color("tint")

PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = Cm(2.0), Cm(2.2), Cm(2.2)
TEXT_WIDTH_CM = 17.0
BAR_PT = 8.0
"""The balance bar's type size: its height, and twice the width of one of its en spaces."""

_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


def render(report: Report, options=None, *, subset_fonts: bool = False) -> bytes:
    """The brief as DOCX bytes; identical input gives identical bytes.

    Fonts follow ``options.docx_fonts`` (the default ``Options``: only the glyphs the brief uses, as
    ``briefkit build`` does); ``subset_fonts=True`` forces the subset whatever the options say.
    """
    from ..options import DEFAULT

    options = options or DEFAULT
    subset_fonts = subset_fonts or options.docx_fonts == "subset"
    theme = house.theme_for(report, options)
    report = house.with_house_logo(report, theme)
    _Brief.check_fonts(report, theme)
    plan = P.plan_of(report, chart=P.chart_wanted(options))
    brief = _Brief(report, subset_fonts=subset_fonts, plan=plan, theme=theme)
    brief.no_fonts = options.docx_fonts == "none"  # fonts named, not embedded
    return brief.build()


def render_plan(plan: P.Plan, options=None) -> bytes:
    """The DOCX of an already computed plan (``render`` computes it from the report)."""
    _Brief.check_fonts(plan.report)
    return _Brief(plan.report, plan=plan).build()


class _Brief:
    """One DOCX being written: the document, its styles and the running state (footnotes, bookmarks)."""

    def __init__(self, report: Report, *, subset_fonts: bool = False, plan: P.Plan | None = None,
                 theme: Theme | None = None):
        self.report = report
        self.theme = theme or DEFAULT_THEME
        self.relation_colors = house.palette(self.theme)[1]
        self.plan = plan or P.plan_of(report)
        self.notes = {f.source.id: f for f in self.plan.footnotes}
        self.rtl = report.rtl
        self.labels = labels(report)
        self.subset_fonts = subset_fonts
        self.native = native_zero(report) is not None
        self.doc = copy.deepcopy(_template())
        self.styles = {}
        self._bookmark_id = 0
        self.footnotes = None
        self._dates: dict = {}
        self._font_of: dict = {}

    # ---- entry point ------------------------------------------------------------------------------

    @staticmethod
    def check_fonts(report: Report, theme: Theme | None = None) -> None:
        house.ensure_covered([*report.all_text(), *labels(report).values(), " › ", "•", "–", "—"], theme)

    def build(self) -> bytes:
        self._page_setup()
        self._define_styles()
        self.footnotes = ooxml.Footnotes(self.doc, rtl=self.rtl)
        self._header_footer()
        self._house()
        for part in self.plan.parts:
            self._part(part)
        self._finish()
        _restyle(self.doc, self.theme)
        return ooxml.save_reproducible(self.doc)

    def _part(self, part: P.Part) -> None:
        """One rule per plan part type; a type without one fails loudly."""
        match part:
            case P.TitleBlock():
                self._masthead()
            case P.Contents():
                if P.contents_wanted(self.report):      # the PDF's decision: the same function
                    self._contents(part)
            case P.Takeaways():
                self._takeaways(part)
            case P.Paragraphs():
                self._paragraphs(part)
            case P.AreasTable():
                self._areas_table(part)
            case P.BalancePart():
                self._balance(part)
            case P.Chart():
                self._chart(part)
            case P.Analysis():
                self._analysis(part)
            case P.Timeline():
                self._timeline(part)
            case P.Recommendations():
                self._recommendations(part)
            case P.Sources():
                self._sources(part)
            case P.Colophon():
                self._colophon()
            case _:
                P.unhandled(part)

    # ---- page, styles ---------------------------------------------------------------------------

    def _page_setup(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.left_margin = section.right_margin = MARGIN_SIDE
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.header_distance = section.footer_distance = Cm(1.0)
        section.different_first_page_header_footer = True
        if self.rtl:
            ooxml.set_section_bidi(section)
            if native_zero(self.report) == 0x0660:
                ooxml.set_page_number_format(section, "hindiNumbers")
        # the theme's page before anything measures the text width (the running head's end tab did not)
        _page(section, self.theme, rtl=self.rtl)

    def _lang(self) -> tuple[str, str | None]:
        meta = self.report.meta
        if not self.rtl:
            if "-" not in meta.lang and "-" in meta.locale and meta.locale.split("-")[0].lower() == meta.lang:
                return meta.locale, None        # en with locale en-GB: British spelling and proofing
            return (meta.lang if "-" in meta.lang else {"en": "en-US"}.get(meta.lang, meta.lang)), None
        lang = self.report.language
        locale = meta.locale if meta.locale.split("-")[0].lower() == lang and "-" in meta.locale else None
        return "en-US", locale or WORD_LANG.get(lang, meta.lang)

    def _define_styles(self) -> None:
        """The styles part from ``templates/docx/styles.xml`` (an organisation can replace it, as
        pandoc's reference.docx); only the language and the direction are set per brief."""
        lang, bidi_lang = self._lang()
        ooxml.load_styles(self.doc, _reference_styles(), rtl=self.rtl)
        ooxml.set_document_defaults(self.doc, lang=lang, bidi_lang=bidi_lang, rtl=self.rtl)
        self.styles = {style.name: style for style in self.doc.styles}
        self._style_ids = {name: style.style_id for name, style in self.styles.items()}
        self._body = self.doc._body
        self._body_el = self.doc.element.body
        self._sectPr = self._body_el.sectPr
        self.table_style = self.styles["Brief Table"]
        # Numbering is per brief: the bullet glyphs in a shipped font, the digits of the report.
        ooxml.set_bullet_glyph(self.doc, self.styles["List Bullet"], "•", BODY_FONT)
        ooxml.set_bullet_glyph(self.doc, self.styles["List Bullet 2"], "–", BODY_FONT, indent_twips=850)
        fmt = WORD_NUMBER_FORMAT[native_zero(self.report)]
        for name in ("List Number", "List Number 2"):
            ooxml.set_number_format(self.doc, self.styles[name], fmt)

    def _date(self, d) -> str:
        """``localize.date`` for this brief, each date formatted once (a source's date is in its footnote
        and in the sources list; Babel takes ~0.1 ms a date)."""
        if d not in self._dates:
            self._dates[d] = local_date(d, self.report)
        return self._dates[d]

    # ---- text ----------------------------------------------------------------------------------------

    def _para(self, style: str, container=None):
        """A new paragraph in ``style`` (at the end of the body, or of a table cell)."""
        style_id = self._style_ids[style]
        if container is None:
            return Paragraph(ooxml.new_paragraph(self._body_el, style_id, bidi=self.rtl, before=self._sectPr),
                             self._body)
        return Paragraph(ooxml.new_paragraph(container._tc, style_id, bidi=self.rtl), container)

    def _cell_para(self, cell, style: str, first: bool):
        if first:
            p = cell._tc.p_lst[0]
            ooxml.style_paragraph(p, self._style_ids[style], bidi=self.rtl)
            return Paragraph(p, cell)
        return self._para(style, cell)

    def _text(self, p, text: str, *, bold=False, italic=False, char_style=None, color=None,
              link=False, shade=None, size_pt=None) -> list:
        """Runs for ``text``: Latin phrases and separated numbers in their own runs without ``w:rtl``.

        Bold and italic use the Strong and Emphasis character styles (restylable); inside a link
        the Hyperlink style wins and weight or slant is applied directly.
        """
        if link:
            char_style = self.styles["Hyperlink"]
        if char_style is None:
            if bold:
                char_style, bold = self.styles["Strong"], False
            elif italic:
                char_style, italic = self.styles["Emphasis"], False
        sans = _style_id(p) in SANS_STYLE_IDS
        return self._chunks(p, bidi.runs(text, self.rtl), char_style=char_style, bold=bold, italic=italic,
                            color=color, sans=sans, shade=shade, size_pt=size_pt)

    def _chunks(self, p, chunks, *, char_style=None, bold=False, italic=False, color=None, sans=False,
                shade=None, size_pt=None) -> list:
        """Runs for ``bidi`` chunks: an isolated chunk sits between LRI/RLI and PDI (what ``<bdi>`` is
        in the PDF; LibreOffice, like the Unicode bidi algorithm, orders the line by these, not by w:rtl)."""
        out = []
        style_id = char_style.style_id if char_style is not None else None
        for chunk, isolate in chunks:
            if isolate:                 # the controls in runs of their own: outside any hyperlink
                ooxml.add_text_run(p, bidi.LRI if self.rtl else bidi.RLI)
            for piece, fallback in _coverage_runs(chunk, sans, self.theme, self._font_of):
                out.append(ooxml.add_text_run(
                    p, piece, style_id=style_id,
                    font=fallback, bold=bold, italic=italic, color=color, rtl=self.rtl and not isolate,
                    shade=shade, size_pt=size_pt))
            if isolate:
                ooxml.add_text_run(p, bidi.PDI)
        return _contiguous(out)

    def _inlines(self, p, nodes: Inlines, *, bold=False, italic=False, sans=False, link=False,
                 block=True) -> list:
        """Inline nodes as runs; ``sans`` (headings, tables) renders emphasis as weight, never slanted Kufi.
        ``block``: ``nodes`` are a whole block's (not a Strong's or a link's children)."""
        runs = []
        for previous, node in zip((None, *nodes), nodes):
            if isinstance(node, Text):
                runs += self._text(p, node.text, bold=bold, italic=italic, link=link)
            elif isinstance(node, Strong):
                runs += self._inlines(p, node.children, bold=True, italic=italic, sans=sans, link=link,
                                      block=False)
            elif isinstance(node, Emph):
                # Noto Kufi Arabic has no italic: emphasis in Arabic sans text is weight, as in the PDF;
                # Latin emphasis stays italic (Noto Sans Italic), as the PDF sets it
                if sans and bidi.has_rtl(plain_text(node.children)):
                    runs += self._inlines(p, node.children, bold=True, italic=italic, sans=sans, link=link,
                                      block=False)
                else:
                    runs += self._inlines(p, node.children, bold=bold, italic=True, sans=sans, link=link,
                                      block=False)
            elif isinstance(node, Link):
                inner = _contiguous(self._inlines(p, node.children, bold=bold, italic=italic, sans=sans,
                                                  link=True, block=False))
                ooxml.wrap_in_hyperlink(p, inner, url=node.href)
                runs += inner
            elif isinstance(node, P.Cite):
                gap = bidi.note_gap(previous.text) if isinstance(previous, Text) else ""
                if gap:
                    ooxml.add_text_run(p, gap, rtl=self.rtl)
                runs.append(self._note(p, node))
            else:
                P.unhandled(node)
        _merge_isolates(p)
        if block and bidi.foreign_block(plain_text(nodes), self.rtl):
            _close_with_final_stop(p)
        return runs

    def _note(self, p, cite: P.Cite):
        """A footnote call: the first citation makes the footnote, with a bookmark on its call; a
        repeated one is a ``NOTEREF`` field to that bookmark, formatted as a footnote reference, so
        Word renumbers it with the note."""
        note = self.notes[cite.source_id]
        shown = number(cite.number, self.report)
        if not cite.first:
            if self.rtl:
                # the field's digits would join a number just before them («2024» then «9» read as one
                # left-to-right number, the mark landing on its right): a right-to-left mark keeps them
                # apart, as the footnote call of a first citation is (Word renumbers the field, not this)
                ooxml.add_text_run(p, "\u200f", rtl=True)
            return ooxml.add_noteref(p, note.bookmark, shown, style_id="FootnoteReference", rtl=self.rtl)
        run = Run(ooxml.new_run(p._p, style_id="FootnoteReference", rtl=self.rtl), p)
        body = self.footnotes.add(run, style_id="FootnoteText", ref_style_id="FootnoteReference",
                                  mark=shown if self.native else None)
        self._bookmark_id += 1
        ooxml.bookmark_run(run, note.bookmark, self._bookmark_id)
        self._source_text(body, note.source)
        return run

    def _source_text(self, p, source: Source) -> None:
        """A source as ``bidi.citation`` composes it (the HTML writer uses the same items)."""
        date = self._date(source.date) if source.date else None
        sans = _style_id(p) in SANS_STYLE_IDS if hasattr(p, "_p") else False
        url = source.url if is_safe_href(source.url) else None
        for item in bidi.citation(source.title, source.publisher, date, url, rtl=self.rtl,
                                  sep=self.labels["list_separator"]):
            if item.role == "url":
                runs = self._chunks(p, item.chunks, char_style=self.styles["Hyperlink"], sans=sans)
                ooxml.wrap_in_hyperlink(p, runs, url=item.text)
            elif item.role == "title":           # the PDF's .src-title
                self._chunks(p, item.chunks, char_style=self.styles["Strong"], sans=sans)
            else:
                self._chunks(p, item.chunks, sans=sans)

    def _heading(self, heading: P.Heading):
        p = self._para(f"Heading {heading.level}")
        self._text(p, heading.text)
        self._bookmark_id += 1
        ooxml.add_bookmark(p, heading.bookmark, self._bookmark_id)
        return p

    # ---- header, footer, masthead, contents -----------------------------------------------------------

    def _header_footer(self) -> None:
        section = self.doc.sections[0]
        p = section.header.paragraphs[0]
        p.style = self.styles["Header"]
        if self.rtl:
            ooxml.set_bidi(p)
        # the PDF's running head: the title at the start, the publisher at the end
        self._text(p, house.running_title(self.report, self.theme))
        publisher = house.head_text(self.report, "publisher", self.theme)
        if publisher:
            ooxml.tab_at_end(p, section)
            self._text(p, "\t")
            self._text(p, publisher)
        first = section.first_page_header.paragraphs[0]
        if self.rtl:
            ooxml.set_bidi(first)
        for footer in (section.footer, section.first_page_footer):
            self._page_x_of_y(footer.paragraphs[0])

    def _house(self) -> None:
        """The theme's page size, margins, running head and footer (the shipped look changes nothing)."""
        t, d = self.theme, DEFAULT_THEME
        if t == d:
            return
        section = self.doc.sections[0]
        if (t.head_start, t.head_end) != (d.head_start, d.head_end):
            p = section.header.paragraphs[0]
            ooxml.clear_paragraph(p)
            ooxml.tab_at_end(p, section)
            self._text(p, house.head_text(self.report, t.head_start, t))
            self._text(p, "\t")
            self._text(p, house.head_text(self.report, t.head_end, t))
        if t.footer != d.footer:
            for footer in (section.footer, section.first_page_footer):
                p = footer.paragraphs[0]
                ooxml.clear_paragraph(p)
                if t.footer == "page":
                    ooxml.add_field(p, "PAGE", number(1, self.report), rtl=self.rtl)

    def _page_x_of_y(self, p) -> None:
        p.style = self.styles["Footer"]
        if self.rtl:
            ooxml.set_bidi(p)
        text = self.labels["page_of"]
        for piece in re.split(r"(\{page\}|\{pages\})", text):
            if piece == "{page}":
                ooxml.add_field(p, "PAGE", number(1, self.report), rtl=self.rtl)
            elif piece == "{pages}":
                ooxml.add_field(p, "NUMPAGES", number(1, self.report), rtl=self.rtl)
            elif piece:
                self._text(p, piece)

    def _masthead(self) -> None:
        """The PDF's masthead, line for line: the publisher at the start of the top line and the
        breadcrumb at its end, the kicker, title and subtitle, the byline («role: name», then the date)
        and the keywords as tinted tags. The report's original source closes the brief (``_colophon``)."""
        meta = self.report.meta
        if meta.publisher or meta.breadcrumb:
            # one line: [logo] publisher, then at the other side the breadcrumb; the theme's logo place
            # "end" swaps the two sides, as the PDF's top bar does
            p = self._para("Breadcrumb")
            sides = [self._publisher, self._breadcrumb]
            if self.theme.logo == "end":
                sides.reverse()
            drawn = [side for side in sides if side(None)]
            if drawn == [self._publisher] and self.theme.logo == "end":
                ooxml.align_end(p)
            for i, side in enumerate(drawn):
                if i:
                    ooxml.tab_at_end(p, self.doc.sections[0])
                    self._text(p, "\t")
                side(p)
        if meta.kicker:
            self._text(self._para("Kicker"), meta.kicker)
        self._text(self._para("Title"), meta.title)
        if meta.subtitle:
            self._text(self._para("Subtitle"), meta.subtitle)
        if meta.authors or meta.date:
            p = self._para("Byline")
            for i, author in enumerate(meta.authors):
                if i:
                    self._text(p, "\u2003")
                if author.role:
                    self._text(p, author.role + ": ", color=MUTED)
                self._text(p, author.name, bold=True, color=INK)
            if meta.date:
                if meta.authors:
                    self._text(p, "\u2003")
                self._text(p, self._date(meta.date), bold=True, color=ACCENT)
        if meta.keywords:
            p = self._para("Masthead Meta")
            for i, keyword in enumerate(meta.keywords):
                if i:
                    self._text(p, " ")
                self._text(p, _badge_text(keyword, True), shade=color("tint_keywords"), color=color("byline"))

    def _colophon(self) -> None:
        """The report's original source under a rule at the end, as the PDF's colophon:
        «المصدر الأصلي: title URL (تاريخ الاطلاع: date)»."""
        source, L = self.report.meta.source, self.labels
        if not source:
            return
        p = self._para("Colophon")
        self._text(p, L["source"] + ": ", bold=True)
        self._text(p, source.title)
        if source.url and is_safe_href(source.url):
            self._text(p, " ")
            # isolated left to right in an RTL brief (as bidi.citation does for a source's URL)
            runs = self._chunks(p, ((source.url, self.rtl),), char_style=self.styles["Hyperlink"], sans=True)
            ooxml.wrap_in_hyperlink(p, runs, url=source.url)
        if source.accessed:
            self._text(p, f" ({L['accessed']}: {self._date(source.accessed)})")

    def _publisher(self, p) -> bool:
        """The top line's publisher: its logo at the PDF's 11 mm height, then its name (a link when it
        has a URL). With ``p`` None, only whether there is one."""
        publisher = self.report.meta.publisher
        if p is None or not publisher:
            return bool(publisher)
        if publisher.logo and self.theme.logo != "none":
            try:
                p.add_run().add_picture(str(publisher.logo), height=Cm(1.1))
            except Exception as exc:    # python-docx reads PNG/JPEG/GIF/BMP/TIFF only (no SVG)
                log.warning("DOCX: logo %s left out: %s", publisher.logo, exc)
            else:
                # the style's exact line height would crop the picture to one line of text
                p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                self._text(p, " ")
        runs = self._text(p, publisher.name, bold=True, color=INK)    # a link styled as the PDF's: not underlined
        if publisher.url:
            ooxml.wrap_in_hyperlink(p, runs, url=publisher.url)
        return True

    def _breadcrumb(self, p) -> bool:
        crumbs = self.report.meta.breadcrumb
        if p is not None and crumbs:
            self._text(p, " › ".join(crumbs))
        return bool(crumbs)

    def _contents(self, part: P.Contents) -> None:
        """The TOC field, its cached result already listing every plan heading of level 1-3 as an
        internal link. LibreOffice shows the cached entries as they are; Word refreshes them (with
        page numbers) because settings.xml asks it to update fields on open.
        """
        self._text(self._para("TOC Heading"), part.heading_text)
        paras = []
        for entry in part.entries:
            p = self._para(f"toc {entry.level}")
            paras.append(p)
            runs = self._text(p, entry.text)
            ooxml.wrap_in_hyperlink(p, runs, anchor=entry.bookmark)
        if paras:
            ooxml.begin_field(paras[0], 'TOC \\o "1-3" \\h \\z \\u', rtl=self.rtl, before_content=True)
            ooxml.end_field(paras[-1], rtl=self.rtl)

    # ---- the parts of the brief ------------------------------------------------------------------------

    def _takeaways(self, part: P.Takeaways) -> None:
        self._heading(part.heading)
        num_id = ooxml.style_num_id(self.styles["Key Point"])
        for k, item in enumerate(part.items):
            p = self._para("Key Point")
            ooxml.set_numbering(p, num_id)      # direct, so readers that ignore style numbering see a list
            # one box, never split across pages, as the PDF's (break-inside: avoid); Word lets a chain
            # longer than a page break where it must
            if k < len(part.items) - 1:
                p.paragraph_format.keep_with_next = True
            self._inlines(p, item)

    def _paragraphs(self, part: P.Paragraphs) -> None:
        self._heading(part.heading)
        for para in part.paras:
            self._inlines(self._para("Body Text"), para)

    def _table(self, n_rows: int, widths_cm: list[float], spanned: frozenset[int] = frozenset()):
        """A table in the Brief Table style: fixed column widths, the first row repeated on every page,
        no row split across pages, the rows in ``spanned`` one cell across; its rows' cells listed once
        (``_Row.cells`` recomputes grid spans)."""
        # Widths are set for A4's 17 cm of text: a theme's page scales them to its own text width.
        scale = self.theme.text_mm[0] / 10 / TEXT_WIDTH_CM
        if scale != 1:
            widths_cm = [w * scale for w in widths_cm]
        tbl = ooxml.new_table(self._body_el, [int(w * 567) for w in widths_cm], n_rows,
                              style_id=self.table_style.style_id, bidi_visual=self.rtl, before=self._sectPr,
                              spanned=spanned)
        table = Table(tbl, self._body)
        return table, [[_Cell(tc, table) for tc in tr.tc_lst] for tr in tbl.tr_lst]

    def _header_cell(self, cell, text: str, *, fill: str | None = None, ink: str | None = None) -> None:
        p = self._cell_para(cell, "Table Heading", True)
        self._text(p, text, color=ink)
        if fill:
            ooxml.shade_cell(cell, fill)
        ooxml.set_cell_valign(cell, "center")

    def _relation_cell(self, cell, area) -> None:
        """What the PDF's relation column holds: the badge (a shaded run), then the intensity as five
        dots in the relation's colour over «الحدة: 4 من 5»."""
        L = self.labels
        fill, ink = (c.lstrip("#").upper() for c in self.relation_colors[area.relation])
        p = self._cell_para(cell, "Table Text", True)
        # no-break spaces pad the shading as the PDF badge's padding does
        self._text(p, _badge_text(L[f"relation_{area.relation}"], house.narrow(self.theme)), bold=True,
                   color=ink, shade=fill,
                   size_pt=BADGE_PT)
        if area.intensity:
            # The PDF's five dots: filled for the intensity, hollow for the rest, in the relation's colour.
            p = self._cell_para(cell, "Table Note", False)
            n = area.intensity
            self._text(p, DOT * n + HOLLOW_DOT * (chart.MAX_INTENSITY - n), color=fill)
            p = self._cell_para(cell, "Table Note", False)
            self._text(p, f"{L['col_intensity']}: " + digits(L["intensity_of"].format(n=area.intensity), self.report))

    def _actor_color(self, index: int) -> str:
        color = self.report.actors[index].color
        return actor_color(color, index).lstrip("#").upper()

    def _areas_table(self, part: P.AreasTable) -> None:
        report, L = self.report, self.labels
        self._heading(part.heading)
        names = [a.name for a in report.actors]
        joined = series(names, report)
        self._text(self._para("Caption"), L["areas_caption"].format(actors=joined))
        # The PDF's columns: area (with its region under the title), relation (badge and intensity),
        # then one per actor under a rule in the actor's colour; past plan.ACTOR_COLUMNS actors the
        # positions go in a full-width row under each area.
        if part.stacked:
            widths = [12.9, 4.1]
            # under each area's row, one cell across for the actors' positions
            table, grid = self._table(1 + 2 * len(part.rows), widths,
                                      frozenset(range(2, 1 + 2 * len(part.rows), 2)))
            area_rows = range(1, len(grid), 2)
        else:
            # on a narrow page the relation column keeps the widest badge («Cooperation») on one line
            fixed = [4.8, 3.3] if house.narrow(self.theme) else [5.3, 2.6]
            actor_w = round((TEXT_WIDTH_CM - sum(fixed)) / len(report.actors), 2)
            table, grid = self._table(1 + len(report.areas), fixed + [actor_w] * len(report.actors))
            area_rows = range(1, len(grid))
        head = grid[0]
        self._header_cell(head[0], L["col_area"])
        self._text(head[0].paragraphs[0], " / " + L["col_region"], color=MUTED)
        self._header_cell(head[1], L["col_relation"])
        if not part.stacked:
            for i, actor in enumerate(report.actors):
                color = self._actor_color(i)
                p = self._cell_para(head[2 + i], "Table Heading", True)
                self._text(p, actor.name)
                ooxml.set_cell_top_rule(head[2 + i], color, 24)
                ooxml.set_cell_valign(head[2 + i], "bottom")
        for k, (row, plan_row) in enumerate(zip(area_rows, part.rows)):
            area = plan_row.area
            cells = grid[row]
            if plan_row.splits:
                ooxml.allow_split(cells[0]._tc.getparent())
            p = self._cell_para(cells[0], "Table Text", True)
            self._text(p, area.title, bold=True)
            self._text(self._cell_para(cells[0], "Table Note", False), area.region)
            if plan_row.summary:
                self._inlines(self._cell_para(cells[0], "Table Note", False), plan_row.summary, sans=True)
            if plan_row.links:
                p = self._cell_para(cells[0], "Table Note", False)
                self._text(p, L["see_sections"] + " ")
                for j, link in enumerate(plan_row.links):
                    if j:
                        self._text(p, L["list_separator"])
                    runs = self._text(p, link.text, char_style=self.styles["Hyperlink"])
                    ooxml.wrap_in_hyperlink(p, runs, anchor=link.target.bookmark)
            self._relation_cell(cells[1], area)
            if part.stacked:
                below = grid[2 + 2 * k]
                if plan_row.splits:     # only a very long area may run on (plan.LONG_ROW_CHARS), as in the PDF
                    ooxml.allow_split(below[0]._tc.getparent())
                for c in cells:         # Word keeps a row with the next when its paragraphs keep with the next
                    for para in c.paragraphs:
                        para.paragraph_format.keep_with_next = True
                cell = below[0]
                for i, position in enumerate(plan_row.positions):
                    p = self._cell_para(cell, "Table Text", i == 0)
                    self._text(p, report.actors[i].name + ": ", bold=True, color=self._actor_color(i))
                    if position:
                        self._inlines(p, position, sans=True)
                    else:
                        self._text(p, "—")
                continue
            for i, position in enumerate(plan_row.positions):
                p = self._cell_para(cells[2 + i], "Table Text", True)
                if position:
                    self._inlines(p, position, sans=True)
                else:
                    self._text(p, "—")

    def _balance(self, part: P.BalancePart) -> None:
        report, L = self.report, self.labels
        balance = part.balance
        self._heading(part.heading)
        self._text(self._para("Caption"), L["balance_caption"])
        # the PDF's columns: region, one count per relation, the total, then a bar of the three; on a
        # narrow page the bar gives the total room for its heading («المجموع» broke mid-word on A5)
        # (and the badges' longest label, «Cooperation», on one line)
        # (measured on A5: «المجموع» bold needs 2.3, «Cooperation» 3.25, «همکاری» 2.4, before scaling)
        if house.narrow(self.theme):
            widths = [4.0, 2.6, 2.6, 2.6, 2.5, 2.7] if self.rtl else [3.1, 3.3, 3.3, 3.3, 2.5, 1.5]
        else:
            widths = [4.1, 2.5, 2.5, 2.5, 1.5, 3.9]
        rows = [*balance.regions, balance.overall]
        table, grid = self._table(1 + len(rows), widths)
        head = grid[0]
        self._header_cell(head[0], L["balance_region"])
        for cell, relation in zip(head[1:4], RELATIONS):
            fill, ink = (c.lstrip("#").upper() for c in self.relation_colors[relation])
            p = self._cell_para(cell, "Relation Badge", True)     # the PDF's badge: a shaded run
            # may wrap between its words: a long label («همکاری و رقابت») ran into the next column
            self._text(p, _badge_text(L[f"relation_{relation}"], True), color=ink, shade=fill, size_pt=BADGE_PT)
            ooxml.set_cell_valign(cell, "center")
        self._header_cell(head[4], L["balance_total"])
        ooxml.set_paragraph_style(head[4].paragraphs[0], self.styles["Table Number"].style_id)
        self._header_cell(head[5], "")
        most = max((data.total for data in rows), default=0)
        scale = self.theme.text_mm[0] / 10 / TEXT_WIDTH_CM
        for cells, data in zip(grid[1:], rows):
            overall = data.region is None
            self._text(self._cell_para(cells[0], "Table Text", True), data.region or L["balance_all"],
                       bold=overall)
            for cell, relation in zip(cells[1:4], RELATIONS):
                n = data.count(relation)
                self._text(self._cell_para(cell, "Table Number", True), number(n, report),
                           bold=overall, color=None if n else color("faint_zero"))
            self._text(self._cell_para(cells[4], "Table Number", True), number(data.total, report),
                       bold=True)
            self._bar(self._cell_para(cells[5], "Table Text", True), data, most, widths[5] * scale)
            if overall:
                for cell in cells:
                    ooxml.shade_cell(cell, TINT)
        for cells in grid[:-1]:     # never split across pages, as the PDF's balance section (break-inside: avoid)
            for cell in cells:
                for para in cell.paragraphs:
                    para.paragraph_format.keep_with_next = True

    def _bar(self, p, data, most: int, cell_cm: float) -> None:
        """The PDF's stacked bar: per relation, shaded en spaces as long as its count's share of the
        largest total, in the relation's colour, a hair space between segments (the PDF's white rule)."""
        if not most:
            return
        units = int((cell_cm - 0.4) / 2.54 * 72 / (BAR_PT / 2))     # en spaces across the cell's text width
        first = True
        for relation in RELATIONS:
            n = data.count(relation)
            if not n:
                continue
            fill = self.relation_colors[relation][0].lstrip("#").upper()
            if not first:
                ooxml.add_text_run(p, "\u200a", font=SANS_LATIN, size_pt=BAR_PT, rtl=self.rtl)
            ooxml.add_text_run(p, "\u2002" * max(1, round(units * n / most)), font=SANS_LATIN,
                               size_pt=BAR_PT, shade=fill, rtl=self.rtl)
            first = False

    def _chart(self, part: P.Chart) -> None:
        """The chart as a picture (PNG, with SVG for Word 2016+; alt text in ``descr``), then its
        caption in the Caption style at the plan's outline level: a TOC entry and a bookmark, as the
        PDF's figure caption is."""
        from .. import chart

        p = self._para("Normal")
        fmt = p.paragraph_format
        # Normal's exact line height would crop an inline picture to one line
        fmt.line_spacing_rule, fmt.keep_with_next = WD_LINE_SPACING.SINGLE, True
        fmt.space_before, fmt.alignment = Pt(6), WD_ALIGN_PARAGRAPH.CENTER
        pic = chart.docx_parts(self.report, part.number, colors=self.relation_colors,
                               area=chart.area_for(self.theme.text_mm))
        ooxml.add_picture(p, pic.png, pic.width_emu, pic.height_emu, name=f"Figure {part.number}",
                          descr=pic.alt_text, svg=pic.svg)
        caption = self._para("Caption")
        caption.paragraph_format.keep_with_next = False    # the style keeps table captions with their table
        self._text(caption, part.caption.text)
        ooxml.set_outline_level(caption, part.caption.level - 1)
        self._bookmark_id += 1
        ooxml.add_bookmark(caption, part.caption.bookmark, self._bookmark_id)

    def _analysis(self, part: P.Analysis) -> None:
        self._heading(part.heading)
        for section in part.sections:
            self._heading(section.heading)
            for block in section.blocks:
                self._block(block)

    def _block(self, block: P.PlanBlock) -> None:
        match block:
            case P.ParaBlock():
                self._inlines(self._para("Body Text"), block.inlines)
            case P.QuoteBlock():
                # The PDF's quote: «text» with the bar and the attribution on the start side.
                p = self._para("Quote")
                self._text(p, self.labels["quote_open"])
                self._inlines(p, block.inlines)
                self._text(p, self.labels["quote_close"])
                if block.by:
                    # the attribution never starts a page alone: the PDF keeps the two together
                    p.paragraph_format.keep_with_next = True
                    p = self._para("Quote Attribution")
                    self._text(p, self.labels["quote_by"] + " ")
                    self._inlines(p, block.by, sans=True)
            case P.ListBlock():
                self._list(block)
            case P.Heading():
                self._heading(block)
            case _:
                P.unhandled(block)

    def _list(self, block: P.ListBlock, depth: int = 0) -> None:
        """Real Word numbering for every list (its digits from the language table); one nesting level."""
        suffix = " 2" if depth else ""
        style = ("List Number" if block.ordered else "List Bullet") + suffix
        num_id = (ooxml.restart_numbering(self.doc, self.styles[style]) if block.ordered
                  else ooxml.style_num_id(self.styles[style]))
        subs = block.sublists or (None,) * len(block.items)
        for item, sub in zip(block.items, subs):
            p = self._para(style)
            ooxml.set_numbering(p, num_id)
            self._inlines(p, item)
            if sub is not None:
                self._list(sub, depth + 1)

    def _timeline(self, part: P.Timeline) -> None:
        """The PDF's timeline: date and event, the event's area as a tag after its text, in the colour of
        the area's relation (a tint behind it: a frame would break wherever Word or LibreOffice starts a
        new run or line)."""
        L = self.labels
        self._heading(part.heading)
        # on a narrow page the date column keeps «19 September 1960» on one line
        table, grid = self._table(1 + len(part.events), [4.3, 12.7] if house.narrow(self.theme) else [3.1, 13.9])
        for cell, key in zip(grid[0], ("date", "timeline_event")):
            self._header_cell(cell, L[key])
        for cells, event in zip(grid[1:], part.events):
            self._text(self._cell_para(cells[0], "Table Text", True), self._date(event.event.date),
                       bold=True, color=ACCENT)
            p = self._cell_para(cells[1], "Timeline Event", True)     # the body face, as the PDF's
            self._inlines(p, event.text)
            if event.area is not None:
                fill = self.relation_colors[event.area.relation][0]
                self._text(p, " ")
                for run in self._chunks(p, bidi.runs(_badge_text(event.area.title), self.rtl), sans=True,
                                        char_style=self.styles["Tag"],
                                        shade=chart.tint(fill.upper(), 0.2).lstrip("#")):
                    if run._r.find(qn("w:rPr") + "/" + qn("w:rFonts")) is None:
                        # the sans pair on the run itself: LibreOffice keeps the paragraph's body face
                        # under a character style's fonts
                        ooxml.set_fonts(run, SANS_LATIN, SANS_ARABIC)
        # no lone event under the heading at a page foot, nor alone at the next page's top (blind8 F21):
        # the header row keeps with the first two events, the last event with the one before it
        keep = {0, 1} | ({len(grid) - 2} if len(grid) > 3 else set())
        for k in sorted(keep):
            if k < len(grid) - 1:
                for cell in grid[k]:
                    for para in cell.paragraphs:
                        para.paragraph_format.keep_with_next = True

    def _recommendations(self, part: P.Recommendations) -> None:
        self._heading(part.heading)
        self._list(P.ListBlock(part.items, ordered=True))

    def _sources(self, part: P.Sources) -> None:
        """The sources in the plan's order: by note number, then the uncited ones."""
        self._heading(part.heading)
        for entry in part.entries:
            p = self._para("Source Entry")
            # the PDF's number column: the note number (a dot for an uncited source) in the accent
            # colour, hanging in the indent
            mark = number(entry.number, self.report) if entry.number is not None else "·"
            for run in self._text(p, mark, bold=True, color=ACCENT):
                ooxml.set_fonts(run, SANS_LATIN, SANS_ARABIC)
            self._text(p, "\t")
            self._source_text(p, entry.source)

    # ---- finishing ------------------------------------------------------------------------------

    def _finish(self) -> None:
        doc, meta = self.doc, self.report.meta
        if self.rtl:
            ooxml.bidi_everywhere(doc, self.footnotes)
        ooxml.configure_settings(doc, embed_fonts=True)
        ooxml.drop_package_extras(doc)
        ooxml.set_app_properties(doc, f"briefkit {__version__}")
        sep = self.labels["list_separator"]
        ooxml.set_core_properties(
            doc, title=meta.title, author=sep.join(a.name for a in meta.authors),
            subject=meta.subtitle or "", keywords=sep.join(meta.keywords), language=meta.lang,
            category=meta.kicker or "", identifier=meta.id, when=self.plan.timestamp)
        describe_for_screen_readers(doc, self.report)
        ooxml.embed_fonts(doc, self._font_faces())

    def _font_faces(self) -> dict[str, dict[str, bytes]]:
        """The faces the brief uses, as bytes (subset to the brief's characters when asked)."""
        # Every face of the body font: the writer itself sets text bold (source titles, the overall row)
        # and italic (quotes), and bold inside a quote is bold italic; left out, LibreOffice fakes the
        # face and draws what the subset lacks in a system font. Subset, the four cost ~100 KB.
        _, _, bold_italic = _emphasis_used(self.report)
        wanted = {BODY_FONT: ["Regular", "Bold", "Italic", "BoldItalic"], SANS_ARABIC: ["Regular", "Bold"]}
        # the brief's own text and what the writers compose (labels, dates with their month names, the
        # running title's «…», the dots): LibreOffice drew a date's «J» in DejaVu when left out
        report = self.report
        text = "".join([*report.all_text(), *generated_texts(report), house.running_title(report, self.theme),
                        DRAWN])
        if _LATIN_LETTER.search(text):
            # Latin emphasis in tables and headings
            wanted[SANS_LATIN] = ["Regular", "Bold", "Italic"] + (["BoldItalic"] if bold_italic else [])
        chars = set(text) | set("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹ .,:;()[]-–—|›•«»")
        for family in coverage.families_used(["".join(set(text))], [STACKS["body"], STACKS["sans"]]):
            # the faces _fallback names in runs (symbols, Hebrew, emoji, ...) travel with the file
            wanted.setdefault(family, [f for f in FONT_FILES[family] if "Italic" not in f])
        out = {}
        if getattr(self, "no_fonts", False):
            return {family: {} for family in wanted}
        for family, faces in wanted.items():
            out[family] = {face: _font_bytes(family, face, frozenset(chars) if self.subset_fonts else None)
                           for face in faces}
        out.update(house.docx_faces(self.theme, chars if self.subset_fonts else None))
        return out


DOT, HOLLOW_DOT = "\u25cf", "\u25cb"
"""The intensity dots (Noto Sans Symbols2 draws them, embedded like any fallback face)."""
DRAWN = DOT + HOLLOW_DOT + "/"
"""Characters the writer itself draws (the dots; the slash of «الملف / المنطقة»): their faces are
embedded like the report's own."""

BADGE_PT = 7.5
"""The PDF badge's size (brief.css .badge)."""


def _badge_text(label: str, breakable: bool = False) -> str:
    """A badge is one unbreakable shaded run, padded by a space each side (the PDF's is nowrap); on a
    narrow page (``house.narrow``) it may break between its words, as the PDF's does there."""
    return "\u00a0" + (label if breakable else label.replace(" ", "\u00a0")) + "\u00a0"


SANS_STYLE_IDS = frozenset({
    "Title", "Heading1", "Heading2", "Heading3", "TOCHeading", "Kicker", "Breadcrumb", "Byline",
    "MastheadMeta", "QuoteAttribution", "Caption", "TableText", "TableHeading", "TableNote",
    "TableNumber", "RelationBadge", "Header", "Footer", "TOC1", "TOC2", "TOC3"})
"""Paragraph styles set in the sans pair (Noto Kufi Arabic for Arabic, Noto Sans for Latin)."""


def describe_for_screen_readers(doc, report: Report) -> None:
    """Alt text (``descr``) on every picture; a caption and a description on every table: the heading
    the table sits under, and what its columns hold (its header row). Call once the body is complete."""
    publisher = report.meta.publisher
    for pr in doc.element.body.iter(qn("wp:docPr")):
        if not pr.get("descr"):
            pr.set("descr", publisher.name if publisher else report.meta.title)
    heading = report.meta.title
    p_tag, tbl_tag, t_tag = qn("w:p"), qn("w:tbl"), qn("w:t")
    for block in doc.element.body.iterchildren():
        if block.tag == p_tag:
            if "heading" in (_style_id_of(block) or "").lower():
                text = "".join(t.text or "" for t in block.iter(t_tag)).strip()
                if text:
                    heading = text
            continue
        if block.tag != tbl_tag:
            continue
        rows = block.findall(qn("w:tr"))
        head = [" ".join("".join(t.text or "" for t in c.iter(t_tag)).split())
                for c in (rows[0].findall(qn("w:tc")) if rows else [])]
        ooxml.set_table_caption(block, heading, " / ".join(h for h in head if h) or heading)


@lru_cache(maxsize=1)
def _template():
    """python-docx's default document, opened once per process and copied for each brief (opening it
    parsed its 350 KB styles part, which ``_define_styles`` replaces at once: it is not kept)."""
    doc = Document()
    doc.part._styles_part._element = parse_xml(f"<w:styles {nsdecls('w')}/>")
    return doc


STYLES = "docx/styles.xml"
"""The reference styles part, under templates/."""


@lru_cache(maxsize=1)
def _reference_styles() -> bytes:
    return (templates_dir() / STYLES).read_bytes()


def _contiguous(runs: list) -> list:
    """``runs`` and every run between them: isolate controls inside a span stay in it when the span
    is moved into a hyperlink (those before the first and after the last stay outside)."""
    if len(runs) < 2:
        return runs
    first, last = runs[0]._r, runs[-1]._r
    if first.getparent() is not last.getparent():
        return runs
    out, r = [], first
    while r is not None:
        if r.tag == qn("w:r"):
            out.append(Run(r, runs[0]._parent))
        if r is last:
            return out
        r = r.getnext()
    return runs


def _merge_isolates(p) -> None:
    """Isolates separated only by spaces become one (as the HTML writer's ``<bdi>`` groups do), so
    "**North Atlantic** Treaty" stays one left-to-right phrase across its runs."""
    ts = [t for t in p._p.iter(qn("w:t"))]
    for i, t in enumerate(ts):
        if not (t.text or "").endswith(bidi.PDI):
            continue
        j = i + 1
        while j < len(ts) and not (ts[j].text or "").strip():
            j += 1
        if j < len(ts) and (ts[j].text or "").startswith((bidi.LRI, bidi.RLI)):
            t.text = t.text[:-1]
            ts[j].text = ts[j].text[1:]
            for k in range(i + 1, j):       # the spaces now belong to the phrase
                rpr = ts[k].getparent().find(qn("w:rPr"))
                if rpr is not None and rpr.find(qn("w:rtl")) is not None:
                    rpr.remove(rpr.find(qn("w:rtl")))


def _close_with_final_stop(p) -> None:
    """An English block in an Arabic brief: its closing full stop moves inside its isolate, as the HTML
    writer does (``bidi.FINAL_STOP``); only a footnote call may follow it."""
    ts = list(p._p.iter(qn("w:t")))
    last = max((k for k, t in enumerate(ts) if (t.text or "").endswith(bidi.PDI)), default=None)
    if last is None or last + 1 >= len(ts) or not bidi.FINAL_STOP.fullmatch(ts[last + 1].text or ""):
        return
    if any((t.text or "").strip() and not _is_note_call(t) for t in ts[last + 2:]):
        return
    ts[last].text = ts[last].text[:-1]
    stop = ts[last + 1]
    stop.text += bidi.PDI
    rpr = stop.getparent().find(qn("w:rPr"))
    if rpr is not None and rpr.find(qn("w:rtl")) is not None:
        rpr.remove(rpr.find(qn("w:rtl")))


def _is_note_call(t) -> bool:
    """Is this text a footnote call's number (a custom mark or a NOTEREF's result)?"""
    style = t.getparent().find(f"{qn('w:rPr')}/{qn('w:rStyle')}")
    return style is not None and style.get(qn("w:val")) == "FootnoteReference"


_PPR, _PSTYLE, _VAL = qn("w:pPr"), qn("w:pStyle"), qn("w:val")


def _style_id(p) -> str | None:
    return _style_id_of(p._p)


def _style_id_of(p) -> str | None:
    """A ``w:p``'s paragraph style id."""
    pPr = p.find(_PPR)      # one tag per find: a path goes through lxml's Python ElementPath
    style = pPr.find(_PSTYLE) if pPr is not None else None
    return style.get(_VAL) if style is not None else None


@lru_cache(maxsize=4096)
def _fallback(ch: str, sans: bool) -> str | None:
    """The family to draw ``ch`` with when the paragraph's own font lacks it (None: no override).

    The family is the one the PDF uses (``coverage.resolve`` over the paragraph's stack, then the
    shipped fallback faces). A renderer gives a neutral character (``.``, ``(``, ``“``) the font of
    the script around it, and Noto Kufi Arabic has almost no punctuation, so such characters get an
    explicit face instead of the renderer's own fallback (LibreOffice picks DejaVu Sans; Word its own).
    """
    if ch.isspace():
        return None
    hit = coverage.resolve(ch, STACKS["sans"] if sans else STACKS["body"])
    if hit is None:
        return None
    family = hit[0]
    if sans:
        if family == SANS_ARABIC:
            return None
        if family == SANS_LATIN and ch.isalpha() and not bidi.has_rtl(ch):
            return None              # a Latin letter: drawn from the ascii/hAnsi slot (Noto Sans)
    elif family == BODY_FONT:
        return None
    return family


def _theme_fallback(ch: str, sans: bool, theme: Theme) -> str | None:
    """``_fallback`` when a theme's family is the paragraph's font: None when that family draws ``ch``,
    else the shipped face the PDF falls back to, named explicitly (the style names the theme's)."""
    family = theme.heading if sans else theme.body
    if family is None or ch.isspace():
        return _fallback(ch, sans)
    if ord(ch) in house.family_codepoints(family):
        return None
    hit = coverage.resolve(ch, STACKS["sans"] if sans else STACKS["body"])
    return hit[0] if hit else None


def _coverage_runs(text: str, sans: bool, theme: Theme | None = None,
                   memo: dict | None = None) -> list[tuple[str, str | None]]:
    """``text`` cut where the font must change: (piece, fallback family or None).

    ``memo`` (one brief's): per paragraph font, each character's fallback family (None: the font draws
    it) and the set of those it draws itself; most runs hold only these, and are one piece."""
    if memo is None:
        memo = {}
    family = (theme.heading if sans else theme.body) if theme is not None else None
    fbs, plain = memo.setdefault(sans, ({}, set()))
    chars = set(text)
    if not chars <= plain:
        for ch in chars - fbs.keys():
            fb = fbs[ch] = _theme_fallback(ch, sans, theme) if family is not None else _fallback(ch, sans)
            if fb is None:
                plain.add(ch)
        if chars <= plain:
            return [(text, None)]
    elif text:
        # every character in the paragraph's own font: one piece, as the loop below would make it
        return [(text, None)]
    else:
        return []
    out: list[tuple[str, str | None]] = []
    start, fb, spaces = 0, None, False      # the current piece: its start, family, only no-break spaces
    for i, ch in enumerate(text):
        cp = ord(ch)
        # A joiner, variation selector or tag stays in its sequence's run: a renderer forms an emoji
        # ZWJ sequence (👨‍👩‍👧) or a keycap only inside one run. A no-break space (a badge's padding) too:
        # LibreOffice drew a hairline where a shaded run changed font, and the padding in the style's
        # font at its own width.
        joins = cp == 0xA0 or cp == 0x200D or 0xFE00 <= cp <= 0xFE0F or 0xE0020 <= cp <= 0xE007F
        own = fb if i and joins else fbs[ch]
        if i and (own == fb or spaces):     # leading no-break spaces take what follows them
            fb, spaces = own, spaces and cp == 0xA0
        else:
            if i:
                out.append((text[start:i], fb))
            start, fb, spaces = i, own, cp == 0xA0
    out.append((text[start:], fb))
    return out


def _emphasis_used(report: Report) -> tuple[bool, bool, bool]:
    found = {"b": False, "i": False, "bi": False}

    def walk(nodes, bold, italic):
        for n in nodes:
            if isinstance(n, Text):
                found["b"] |= bold and not italic
                found["i"] |= italic and not bold
                found["bi"] |= bold and italic
            elif isinstance(n, Strong):
                walk(n.children, True, italic)
            elif isinstance(n, Emph):
                walk(n.children, bold, True)
            elif isinstance(n, Link):
                walk(n.children, bold, italic)

    for run in report.inline_runs():
        walk(run, False, False)
    # Masthead labels are bold (sans), so Amiri Bold is only needed for bold body text.
    return found["b"], found["i"], found["bi"]


_FONT_CACHE: dict = {}


def _font_bytes(family: str, face: str, chars: frozenset | None) -> bytes:
    key = (family, face, chars)
    if key not in _FONT_CACHE:
        data = font_path(family, face).read_bytes()
        if chars is not None:
            data = _subset(data, chars)
        if len(_FONT_CACHE) > 32:
            _FONT_CACHE.clear()
        _FONT_CACHE[key] = data
    return _FONT_CACHE[key]


def _subset(data: bytes, chars: frozenset) -> bytes:
    """The font cut to ``chars`` and every glyph its layout features reach (all features, scripts and
    names kept): HarfBuzz's subsetter, the same glyph set as fontTools' in ~1/200 of the time (fontTools took
    ~0.7 s of one core per brief, most of a cold build). Deterministic: head.modified is copied as is."""
    import uharfbuzz as hb

    request = hb.SubsetInput()
    for c in chars:
        request.unicode_set.add(ord(c))
    for keep_all in (request.layout_feature_tag_set, request.layout_script_tag_set, request.name_id_set,
                     request.name_lang_id_set):
        keep_all.clear()
        keep_all.invert()
    request.flags = request.flags | hb.SubsetFlags.NOTDEF_OUTLINE
    return hb.subset(hb.Face(data), request).blob.data


# ---- the theme in the DOCX ------------------------------------------------------------------------

def _restyle(doc, theme: Theme) -> None:
    """The theme in a finished DOCX: its families in every style (the shipped ones stay on runs the
    writer set explicitly for coverage), palette colours swapped by role in every part."""
    if theme == DEFAULT_THEME:
        return
    families = {}
    if theme.body:
        families.update(dict.fromkeys(house.BODY_FAMILIES, theme.body.name))
    if theme.heading:
        families.update(dict.fromkeys(house.SANS_FAMILIES, theme.heading.name))
    attrs = [qn(f"w:{a}") for a in ("ascii", "hAnsi", "cs", "eastAsia")]
    for rf in doc.styles.element.iter(qn("w:rFonts")):
        for attr in attrs:
            if rf.get(attr) in families:
                rf.set(attr, families[rf.get(attr)])
    pal, _ = house.palette(theme)
    swap = {PALETTE[r].lstrip("#").upper(): v.lstrip("#").upper() for r, v in pal.items()
            if v.lower() != PALETTE[r].lower()}
    if not swap:
        return
    color, fill, val = qn("w:color"), qn("w:fill"), qn("w:val")
    for part in doc.part.package.iter_parts():
        if not isinstance(part, XmlPart):
            continue
        for el in part.element.iter():
            for attr in (color, fill):
                v = el.get(attr)
                if v and v.upper() in swap:
                    el.set(attr, swap[v.upper()])
            if el.tag == color and (el.get(val) or "").upper() in swap:
                el.set(val, swap[el.get(val).upper()])


def _page(section, theme: Theme, *, rtl: bool) -> None:
    """The theme's page size and margins on a DOCX section (start and end are physical per direction)."""
    if theme.page_mm != DEFAULT_THEME.page_mm:
        section.page_width, section.page_height = (Mm(v) for v in theme.page_mm)
    if theme.margins_mm != DEFAULT_THEME.margins_mm:
        t, b, s, e = theme.margins_mm
        section.top_margin, section.bottom_margin = Mm(t), Mm(b)
        section.right_margin, section.left_margin = (Mm(s), Mm(e)) if rtl else (Mm(e), Mm(s))
