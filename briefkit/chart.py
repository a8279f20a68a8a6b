"""The balance chart: one figure per brief, laid out once from the model and drawn for every format.

The figure places every area on a scale from cooperation through mixed to rivalry (further out = more
intense), grouped by region, and closes with the per-region balance as stacked bars. ``figure``
computes the geometry (points, physical coordinates, mirrored for RTL); the drawings only paint it:

- ``html``: for the PDF. An inline SVG holds the marks, bars and rules (no text: WeasyPrint draws
  Arabic SVG ``<text>`` reversed), and the labels are absolutely positioned HTML over it, so the PDF's
  text is real, shaped by Pango and selectable in logical order.
- ``svg`` and ``png``: for the DOCX picture (SVG for Word 2016+, PNG at 300 dpi as the fallback every
  reader shows). Labels are shaped by HarfBuzz, the PDF's shaper (joining forms, ligatures, kerning,
  marks placed by the face's GPOS), each python-bidi run in its direction, then drawn glyph by glyph:
  outlines in the SVG, Pillow's basic layout by glyph id in the PNG. Neither depends on the reader's
  fonts or on libraqm being installed.

Relation is never told by colour alone: marks have one shape per relation, bars one pattern per
relation, and the zone headings and legend name them. Output is deterministic (no clocks, no random ids).
"""
from __future__ import annotations

import io
import re
import struct
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from . import bidi, localize
from .model import RELATIONS, Report
from .resources import font_path
from .theme import PALETTE, RELATION_COLORS

WIDTH = 476.0
"""The figure's width in points: the PDF's text width (A4 less 2 × 21 mm); the DOCX uses the same."""
DPI = 300
"""Resolution of the PNG fallback (print resolution)."""

SHAPES = {"cooperation": "circle", "mixed": "diamond", "rivalry": "square"}
PATTERNS = {"cooperation": "solid", "mixed": "stripes", "rivalry": "crosshatch"}
INK = PALETTE["ink"]
MUTED = PALETTE["muted"]
RULE = PALETTE["rule"]
PAPER = PALETTE["paper"]
MAX_INTENSITY = 5
MAX_LINES = 2
"""An area title wraps to at most this many lines, then is shortened with an ellipsis."""

_LABEL_COL = 150.0      # start-side column for area and region names
_GAP = 10.0
_SCALE_UNITS = 12       # five cooperation slots, a mixed zone two slots wide, five rivalry slots


# ---- geometry ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Label:
    """One line of text. ``x`` is the physical anchor; ``y`` the middle of the line."""

    x: float
    y: float
    anchor: str          # "left" | "right" | "center"
    text: str            # logical order, as the report wrote it
    size: float
    bold: bool = False
    color: str = INK
    role: str = "label"  # a CSS class suffix: label, region, zone, tick, legend, digit, count, title


@dataclass(frozen=True)
class Shape:
    """A mark, bar segment, swatch or rule, in physical points."""

    kind: str            # "rect" | "circle" | "diamond" | "square" | "line"
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    pattern: str = "solid"
    dashed: bool = False
    role: str = ""       # "mark" (one per area), "seg" (a bar segment), "swatch", "zone", "rule"
    relation: str = ""
    ref: str = ""        # the area id for marks, the region for segments


@dataclass(frozen=True)
class Figure:
    width: float
    height: float
    rtl: bool
    lang: str
    shapes: tuple[Shape, ...]
    labels: tuple[Label, ...]
    colors: tuple = ()
    """(relation, (fill, ink)) when a theme changes them (``briefkit.house.palette``); () is RELATION_COLORS."""

    def relation_colors(self) -> dict:
        return dict(self.colors) or RELATION_COLORS


# ---- fonts, shaping and measuring -------------------------------------------------------------

def _stack(rtl: bool) -> tuple[str, ...]:
    # The brief's table and caption faces, in the same order as its CSS, so the chart speaks with
    # the tables' voice in both formats.
    return ("Noto Kufi Arabic", "Noto Sans", "Amiri") if rtl else ("Noto Sans", "Noto Kufi Arabic", "Amiri")


def css_fonts(rtl: bool) -> str:
    return ", ".join(f"'{f}'" for f in _stack(rtl))


@dataclass(frozen=True)
class Line:
    """One shaped label line, in ems of its size: glyphs left to right, each (family, glyph id, x, y)
    with its origin ``x`` from the line's left edge and ``y`` above the baseline."""

    width: float
    glyphs: tuple[tuple[str, int, float, float], ...]


@lru_cache(maxsize=None)
def _hb_font(family: str, bold: bool):
    """(HarfBuzz font at units-per-em scale, units per em): the shaper WeasyPrint's Pango uses for the PDF."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(font_path(family, "Bold" if bold else "Regular"))))
    return hb.Font(face), face.upem


@lru_cache(maxsize=None)
def _vmetrics(family: str, bold: bool) -> tuple[float, float]:
    """(ascent, descent) in ems, from hhea: where a line's baseline sits."""
    font, upm = _hb_font(family, bold)
    ascent, descent = struct.unpack_from(">hh", font.face.reference_table("hhea").data, 4)
    return ascent / upm, -descent / upm


def _has(family: str, bold: bool, ch: str) -> bool:
    return _hb_font(family, bold)[0].get_nominal_glyph(ord(ch)) is not None


def _families(text: str, stack: tuple[str, ...], bold: bool) -> list[str]:
    """Each character's face: the first of ``stack`` that has it. A mark or format character stays in its
    base's face when that face has it (or has no glyph to draw: ZWNJ), so the shaper can join and place it."""
    out: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if out and (cat == "Cf" or (cat[0] == "M" and _has(out[-1], bold, ch))):
            out.append(out[-1])
        else:
            out.append(next((f for f in stack if _has(f, bold, ch)), stack[0]))
    return out


_LRE, _RLE, _PDF = "\u202a", "\u202b", "\u202c"


def _first_strong_rtl(text: str) -> bool:
    return next((d != "L" for d in map(unicodedata.bidirectional, text) if d in ("L", "R", "AL")), False)


def _levels(text: str, rtl: bool) -> list[int]:
    """The resolved bidi embedding level of each character (rules up to I2, then L1 for trailing spaces).

    The chunks the PDF's labels isolate (``bidi.runs``: a Latin phrase in an Arabic label, with its
    brackets) are embedded here, so the picture reads in the PDF's order. python-bidi's pure-Python
    algorithm exposes its levels (the Rust-backed get_display only reorders) but predates isolates:
    the report's own LRI/RLI/FSI…PDI become embeddings, which it knows."""
    from bidi import algorithm as uba

    marked: list[str] = []
    origin: list[int | None] = []        # each marked character's index in ``text`` (None: added)
    pos = 0
    for chunk, isolate in bidi.runs(text, rtl):
        if isolate:
            marked.append(_RLE if not rtl else _LRE)
            origin.append(None)
        for i, ch in enumerate(chunk, start=pos):
            if ch in "\u2066\u2067\u2068":
                ch = _RLE if ch == "\u2067" or (ch == "\u2068" and _first_strong_rtl(text[i + 1:])) else _LRE
            elif ch == "\u2069":
                ch = _PDF
            marked.append(ch)
            origin.append(i)
        pos += len(chunk)
        if isolate:
            marked.append(_PDF)
            origin.append(None)
    base = 1 if rtl else 0
    storage = uba.get_empty_storage()
    storage["base_level"], storage["base_dir"] = base, "R" if rtl else "L"
    uba.get_embedding_levels("".join(marked), storage, False, False)
    for ch, i in zip(storage["chars"], origin):
        ch["index"] = i
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    levels: list[int | None] = [None] * len(text)
    for ch in storage["chars"]:
        if ch["index"] is not None:
            levels[ch["index"]] = ch["level"]
    out, prev = [], base
    for level in levels:          # characters X9 removed (ZWNJ, embeddings) go with what precedes them
        prev = prev if level is None else level
        out.append(prev)
    i = len(text)
    while i and text[i - 1].isspace():
        i -= 1
        out[i] = base
    return out


def _visual_runs(text: str, rtl: bool) -> list[tuple[int, int, int]]:
    """(start, end, level) of each run of one level, in visual order (rule L2)."""
    levels = _levels(text, rtl)
    runs: list[list[int]] = []
    for i, level in enumerate(levels):
        if runs and runs[-1][2] == level:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1, level])
    if not runs:
        return []
    lowest_odd = min(r[2] for r in runs) | 1
    for level in range(max(r[2] for r in runs), lowest_odd - 1, -1):
        i = 0
        while i < len(runs):
            if runs[i][2] >= level:
                j = i
                while j < len(runs) and runs[j][2] >= level:
                    j += 1
                runs[i:j] = runs[i:j][::-1]
                i = j
            else:
                i += 1
    return [tuple(r) for r in runs]


@lru_cache(maxsize=4096)   # a pure function of its text: labels are measured again for every fit and drawn twice
def shape(text: str, rtl: bool, bold: bool = False, lang: str = "") -> Line:
    """``text`` shaped by HarfBuzz as the PDF's labels are: joining forms, ligatures, kerning and marks placed
    by the face's GSUB and GPOS, each bidi run in its direction, each character in the first face of the
    stack that has it."""
    import uharfbuzz as hb

    stack = _stack(rtl)
    language = lang or ("ar" if rtl else "en")
    glyphs: list[tuple[str, int, float, float]] = []
    pen = 0.0
    for start, end, level in _visual_runs(text, rtl):
        run = text[start:end]
        fams = _families(run, stack, bold)
        pieces, i = [], 0
        while i < len(run):
            j = i
            while j < len(run) and fams[j] == fams[i]:
                j += 1
            pieces.append((i, j, fams[i]))
            i = j
        if level % 2:
            pieces.reverse()
        for i, j, family in pieces:
            font, upm = _hb_font(family, bold)
            buf = hb.Buffer()
            buf.add_str(run, i, j - i)     # the whole run as context: letters join across a face change
            buf.direction = "rtl" if level % 2 else "ltr"
            buf.language = language
            buf.flags = hb.BufferFlags.REMOVE_DEFAULT_IGNORABLES
            buf.guess_segment_properties()
            hb.shape(font, buf, {})
            for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
                glyphs.append((family, info.codepoint, pen + pos.x_offset / upm, pos.y_offset / upm))
                pen += pos.x_advance / upm
    return Line(pen, tuple(glyphs))


def measure(text: str, size: float, rtl: bool, bold: bool = False, lang: str = "") -> float:
    """Width in points of ``text`` drawn at ``size``: its HarfBuzz advances, as drawn."""
    return shape(text, rtl, bold, lang).width * size


def _fit(text: str, size: float, width: float, rtl: bool, bold: bool = False,
         max_lines: int = MAX_LINES, lang: str = "") -> list[str]:
    """Wrap ``text`` at spaces into lines no wider than ``width``; shorten the last with an ellipsis."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        trial = f"{current} {word}" if current else word
        if not current or measure(trial, size, rtl, bold, lang) <= width:
            current = trial
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines:
            current = " ".join([lines.pop(), *words[i:]])
            break
    lines.append(current)
    last = lines[-1]
    if measure(last, size, rtl, bold, lang) > width:
        while len(last) > 1 and measure(last + "…", size, rtl, bold, lang) > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return lines


# ---- layout -----------------------------------------------------------------------------------

class _Builder:
    def __init__(self, report: Report, colors: dict | None = None, width: float = WIDTH):
        self.report = report
        self.width = width
        self.colors = colors or RELATION_COLORS
        self.rtl = report.rtl
        self.lang = report.meta.lang
        self.lab = localize.labels(report)
        self.shapes: list[Shape] = []
        self.labels: list[Label] = []

    # Layout is written in logical x (distance from the start edge); these make it physical.
    def px(self, x: float) -> float:
        return self.width - x if self.rtl else x

    def span(self, x: float, w: float) -> float:
        """Physical left edge of the logical span [x, x + w]."""
        return self.width - x - w if self.rtl else x

    def anchor(self, logical: str) -> str:
        if logical == "middle":
            return "center"
        start = logical == "start"
        return ("right" if start else "left") if self.rtl else ("left" if start else "right")

    def text(self, x, y, anchor, text, size, **kw) -> None:
        self.labels.append(Label(self.px(x), y, self.anchor(anchor), text, size, **kw))

    def rect(self, x, y, w, h, **kw) -> None:
        self.shapes.append(Shape("rect", self.span(x, w), y, w, h, **kw))

    def mark(self, kind, x, y, r, **kw) -> None:
        self.shapes.append(Shape(SHAPES[kind], self.px(x) - r, y - r, 2 * r, 2 * r, **kw))

    def hline(self, x, y, w, color=RULE, **kw) -> None:
        self.shapes.append(Shape("line", self.span(x, w), y, w, 0, stroke=color, role="rule", **kw))

    def measure(self, text: str, size: float, bold: bool = False) -> float:
        return measure(text, size, self.rtl, bold, self.lang)

    def fit(self, text: str, size: float, width: float, bold: bool = False, max_lines: int = MAX_LINES) -> list[str]:
        return _fit(text, size, width, self.rtl, bold, max_lines, self.lang)

    def number(self, n: int) -> str:
        return localize.number(n, self.report)

    # -- the figure --
    def build(self, size: float, row_h: float, max_lines: int) -> Figure:
        report, lab = self.report, self.lab
        line_h = size * 1.45
        # The name column is as wide as the longest name needs, up to _LABEL_COL: the scale gets the rest.
        names = [a.title for a in report.areas] + [row.region for row in report.balance.regions]
        label_col = min(_LABEL_COL * self.width / WIDTH, max(60.0, *(self.measure(t, size) + 2 for t in names)))
        scale_x = label_col + _GAP
        scale_w = self.width - scale_x - 4
        unit = scale_w / _SCALE_UNITS

        def slot(relation: str, intensity: int | None) -> float:
            if relation == "mixed":
                return scale_x + 6 * unit
            i = intensity or 3
            return scale_x + ((5 - i + 0.5) * unit if relation == "cooperation" else (7 + i - 0.5) * unit)

        zones = {"cooperation": (scale_x, 5 * unit), "mixed": (scale_x + 5 * unit, 2 * unit),
                 "rivalry": (scale_x + 7 * unit, 5 * unit)}

        # Legend: swatch (pattern) + mark (shape) + name, per relation; then the intensity key.
        y = 8.0
        x = 0.0
        for rel in RELATIONS:
            fill = self.colors[rel][0]
            self.rect(x, y - 4.5, 12, 9, fill=fill, pattern=PATTERNS[rel], role="swatch", relation=rel)
            self.mark(rel, x + 20, y, 4.2, fill=fill, role="swatch", relation=rel)
            name = lab[f"relation_{rel}"]
            self.text(x + 28, y, "start", name, 7.5, role="legend")
            x += 28 + self.measure(name, 7.5) + 14
        note = localize.label(report, "chart_intensity_note", n=MAX_INTENSITY)
        self.text(self.width - 2, y, "end", note, 7, color=MUTED, role="legend")
        if any(a.intensity is None for a in report.areas):
            y += 12
            self.mark("cooperation", self.width - self.measure(lab["chart_no_intensity"], 7) - 8, y, 3.5,
                      stroke=MUTED, dashed=True, role="swatch")
            self.text(self.width - 2, y, "end", lab["chart_no_intensity"], 7, color=MUTED, role="legend")

        # Zone headings and the intensity ticks under them.
        y += 17
        for rel in RELATIONS:
            zx, zw = zones[rel]
            self.text(zx + zw / 2, y, "middle", lab[f"relation_{rel}"], size, bold=True, role="zone")
        y += 11
        for i in range(1, MAX_INTENSITY + 1):
            for rel in ("cooperation", "rivalry"):
                self.text(slot(rel, i), y, "middle", self.number(i), 6.5, color=MUTED, role="tick")
        y += 7
        self.hline(scale_x, y, scale_w, color=MUTED)
        top = y

        # Rows: a region heading, then its areas, one mark each.
        regions: dict[str, list] = {}
        for a in report.areas:
            regions.setdefault(a.region, []).append(a)
        rows_start = len(self.shapes)
        r = min(5.2, row_h * 0.36)
        for region, areas in regions.items():
            y += 4 if row_h > 12 else 2
            for j, line in enumerate(self.fit(region, size, self.width - 4, bold=True, max_lines=1)):
                self.text(1, y + row_h / 2, "start", line, size, bold=True, role="region")
            y += row_h
            self.hline(0, y, self.width, color=RULE)
            for a in areas:
                lines = self.fit(a.title, size, label_col, max_lines=max_lines)
                h = max(row_h, len(lines) * line_h + 3) if len(lines) > 1 else row_h
                mid = y + h / 2
                for k, line in enumerate(lines):
                    self.text(1, mid + (k - (len(lines) - 1) / 2) * line_h, "start", line, size, role="label")
                self.hline(scale_x, mid, scale_w, color=PAPER)   # white guides over the zone tints
                fill, ink = self.colors[a.relation]
                cx = slot(a.relation, a.intensity)
                if a.intensity is None:
                    self.mark(a.relation, cx, mid, r, fill=PAPER, stroke=fill, dashed=True,
                              role="mark", relation=a.relation, ref=a.id)
                else:
                    self.mark(a.relation, cx, mid, r, fill=fill, role="mark", relation=a.relation, ref=a.id)
                    self.text(cx, mid, "middle", self.number(a.intensity), round(r * 1.25, 1), bold=True, color=ink,
                              role="digit")
                y += h
        bottom = y + 3
        # Zone tints go under everything in the rows (inserted before the rows' shapes).
        tints = [Shape("rect", self.span(zx, zw), top, zw, bottom - top,
                       fill=tint(self.colors[rel][0]), role="zone", relation=rel)
                 for rel, (zx, zw) in zones.items()]
        self.shapes[rows_start:rows_start] = tints

        # The per-region balance as stacked bars; a unit is one area, on one scale for every bar.
        y = bottom + 14
        self.text(1, y, "start", lab["chart_bars"], size, bold=True, role="title")
        y += 9
        bal = report.balance
        most = max(row.total for row in bal.regions)
        per = min(scale_w / most, 2 * unit)
        bar_h = row_h * 0.85
        for row in bal.regions:
            y += bar_h
            mid = y - bar_h / 2
            for line in self.fit(row.region, size, label_col, max_lines=1):
                self.text(1, mid, "start", line, size, role="label")
            x = scale_x
            for rel, n in row.counts:
                if not n:
                    continue
                fill, ink = self.colors[rel]
                w = n * per
                self.rect(x, mid - bar_h * 0.36, w, bar_h * 0.72, fill=fill, pattern=PATTERNS[rel],
                          role="seg", relation=rel, ref=row.region)
                # The count sits on a plain chip so it stays legible over a pattern.
                shown, digit_size = self.number(n), min(size - 1, bar_h * 0.6)
                chip_h = bar_h * 0.72
                chip_w = max(chip_h, self.measure(shown, digit_size, bold=True) + 3)
                if w >= chip_w + 4:
                    self.rect(x + (w - chip_w) / 2, mid - chip_h / 2, chip_w, chip_h, fill=fill, role="chip",
                              relation=rel)
                    self.text(x + w / 2, mid, "middle", shown, digit_size, bold=True, color=ink, role="count")
                x += w + 1
            self.text(x + 4, mid, "start", self.number(row.total), size - 1, color=MUTED, role="count")
        return Figure(self.width, round(y + 6, 2), self.rtl, self.report.meta.lang,
                      tuple(self.shapes), tuple(self.labels),
                      () if self.colors == RELATION_COLORS else tuple(self.colors.items()))


def tint(color: str, keep: float = 0.12) -> str:
    """``color`` (#RRGGBB) mixed with white, keeping ``keep`` of it (the zones' and tags' light fills)."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02X}" for c in rgb)


PRESETS = ((8.0, 15.0, MAX_LINES), (7.0, 12.5, MAX_LINES), (6.0, 10.0, 1))
"""(label size, row height, lines per title), tried in turn until the figure fits MAX_HEIGHT."""
MAX_HEIGHT = 690.0
"""Points: the A4 text height less a caption, so the figure never breaks across pages."""


def figure(report: Report, colors: dict | None = None, area: tuple[float, float] | None = None) -> Figure:
    """The chart's geometry for ``report`` (no drawing yet), as large as fits on one page; ``colors``:
    (fill, ink) by relation when a theme changes them; ``area``: (width, height) in points the figure
    may take (a theme's smaller page), else WIDTH × MAX_HEIGHT."""
    width, max_height = area or (WIDTH, MAX_HEIGHT)
    for preset in PRESETS:
        fig = _Builder(report, colors, width).build(*preset)
        if fig.height <= max_height:
            break
    return fig


def area_for(text_mm: tuple[float, float]) -> tuple[float, float] | None:
    """The figure's room on a page whose text area is ``text_mm``: None for A4's (WIDTH × MAX_HEIGHT,
    which leave the same slack for the caption), never larger than that."""
    w, h = (v * 72 / 25.4 for v in text_mm)
    slack_w, slack_h = 170 * 72 / 25.4 - WIDTH, 255 * 72 / 25.4 - MAX_HEIGHT
    area = (round(min(WIDTH, w - slack_w), 2), round(min(MAX_HEIGHT, h - slack_h), 2))
    return None if area == (WIDTH, MAX_HEIGHT) else area


# ---- words: alt text and caption --------------------------------------------------------------

def caption(report: Report, n: int = 1) -> str:
    """«شكل ١: ميزان العلاقة»: the figure's caption, numbered in the report's digits."""
    return localize.label(report, "figure_caption", n=n, title=localize.labels(report)["balance"])


def alt_text(report: Report) -> str:
    """The chart's content in words, for the DOCX picture and the PDF figure's accessible text."""
    lab = localize.labels(report)
    sep = lab["list_separator"]

    def counts(row, zeros: bool = True) -> str:
        return sep.join(f"{lab[f'relation_{rel}']} {localize.number(n, report)}" for rel, n in row.counts
                        if n or zeros)

    names = [a.name for a in report.actors]
    actors = localize.series(names, report)
    bal = report.balance
    parts = [caption(report) + ".",
             localize.label(report, "chart_alt_intro", actors=actors),
             localize.label(report, "chart_alt_totals", total=bal.overall.total, counts=counts(bal.overall))]
    for row in bal.regions:
        areas = []
        for a in report.areas:
            if a.region != row.region:
                continue
            relation = lab[f"relation_{a.relation}"]
            if a.intensity is not None:
                relation = localize.label(report, "chart_alt_intensity", relation=relation, n=a.intensity,
                                          max=MAX_INTENSITY)
            areas.append(localize.label(report, "chart_alt_area", title=a.title, relation=relation))
        parts.append(localize.label(report, "chart_alt_region", region=row.region,
                                    counts=counts(row, zeros=False), areas=lab["chart_alt_separator"].join(areas)))
    return " ".join(parts)


# ---- drawing: SVG -----------------------------------------------------------------------------

def _f(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _svg_defs(colors: dict = RELATION_COLORS) -> list[str]:
    out = []
    for rel in RELATIONS:
        fill = colors[rel][0]
        if PATTERNS[rel] == "stripes":
            out.append(f'<pattern id="bk-p-{rel}" width="5" height="5" patternUnits="userSpaceOnUse">'
                       f'<rect width="5" height="5" fill="{fill}"/>'
                       f'<path d="M-1,1 L1,-1 M0,5 L5,0 M4,6 L6,4" stroke="{PAPER}" stroke-width="0.9"/>'
                       '</pattern>')
        elif PATTERNS[rel] == "crosshatch":
            out.append(f'<pattern id="bk-p-{rel}" width="5" height="5" patternUnits="userSpaceOnUse">'
                       f'<rect width="5" height="5" fill="{fill}"/>'
                       '<path d="M-1,1 L1,-1 M0,5 L5,0 M4,6 L6,4 M-1,4 L1,6 M0,0 L5,5 M4,-1 L6,1" '
                       f'stroke="{PAPER}" stroke-width="0.8"/></pattern>')
    return out


def _svg_shape(s: Shape) -> str:
    fill = s.fill or "none"
    if s.pattern != "solid" and s.role in ("seg", "swatch"):
        fill = f"url(#bk-p-{s.relation})"
    attrs = f'fill="{fill}"'
    if s.stroke:
        attrs += f' stroke="{s.stroke}" stroke-width="{0.6 if s.kind == "line" else 1}"'
        if s.dashed:
            attrs += ' stroke-dasharray="2 1.5"'
    if s.role == "mark":
        attrs += f' class="bk-mark bk-{s.relation}" data-area="{escape(s.ref)}"'
    elif s.role == "seg":
        attrs += f' class="bk-seg bk-{s.relation}" data-region="{escape(s.ref)}"'
    x, y, w, h = s.x, s.y, s.w, s.h
    if s.kind == "line":
        return f'<line x1="{_f(x)}" y1="{_f(y)}" x2="{_f(x + w)}" y2="{_f(y)}" {attrs}/>'
    if s.kind == "circle":
        return f'<circle cx="{_f(x + w / 2)}" cy="{_f(y + h / 2)}" r="{_f(w / 2)}" {attrs}/>'
    if s.kind == "diamond":
        cx, cy, r = x + w / 2, y + h / 2, w / 2 * 1.15
        return (f'<path d="M{_f(cx)},{_f(cy - r)} L{_f(cx + r)},{_f(cy)} L{_f(cx)},{_f(cy + r)} '
                f'L{_f(cx - r)},{_f(cy)} Z" {attrs}/>')
    if s.kind == "square":
        k = w * 0.06
        return f'<rect x="{_f(x + k)}" y="{_f(y + k)}" width="{_f(w - 2 * k)}" height="{_f(h - 2 * k)}" {attrs}/>'
    return f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" {attrs}/>'


def _label_origin(label: Label, width: float) -> float:
    if label.anchor == "left":
        return label.x
    if label.anchor == "right":
        return label.x - width
    return label.x - width / 2


def _placed(label: Label, fig: Figure) -> tuple[Line, float, float]:
    """A label's shaped line with the physical left end and baseline of its origin, in points."""
    line = shape(label.text, fig.rtl, label.bold, fig.lang)
    asc, desc = _vmetrics(_stack(fig.rtl)[0], label.bold)
    return line, _label_origin(label, line.width * label.size), label.y + (asc - desc) / 2 * label.size


def _svg_text(label: Label, fig: Figure, glyphs: dict[str, str]) -> str:
    """One label as glyph outlines (``<use>`` of glyphs defined once), so no reader font is needed."""
    line, x, base = _placed(label, fig)
    out = []
    for family, gid, gx, gy in line.glyphs:
        if not gid:              # .notdef: a character no face has leaves its gap, as in the PDF
            continue
        key = re.sub(r"[^A-Za-z0-9]", "_", f"{family}-{'b' if label.bold else 'r'}-{gid}")
        if key not in glyphs:
            glyphs[key] = _glyph_outline(family, label.bold, gid)
        if glyphs[key]:
            k = label.size / _hb_font(family, label.bold)[1]
            out.append(f'<use xlink:href="#{key}" transform="translate({_f(x + gx * label.size)},'
                       f'{_f(base - gy * label.size)}) scale({k:.5f},{-k:.5f})"/>')
    return f'<g fill="{label.color}">{"".join(out)}</g>'


@lru_cache(maxsize=4096)   # a pure function of the shipped face: every chart of a process shares its glyphs
def _glyph_outline(family: str, bold: bool, gid: int) -> str:
    """A glyph's outline as SVG path commands, in font units (drawn by HarfBuzz from the face)."""
    from fontTools.pens.svgPathPen import SVGPathPen

    pen = SVGPathPen(None, ntos=_f)
    _hb_font(family, bold)[0].draw_glyph_with_pen(gid, pen)
    return pen.getCommands()


def _svg(fig: Figure, *, text: bool, title: str = "") -> str:
    body = [_svg_shape(s) for s in fig.shapes]
    defs = _svg_defs(fig.relation_colors())
    if text:
        glyphs: dict[str, str] = {}
        body += [_svg_text(label, fig, glyphs) for label in fig.labels]
        defs += [f'<path id="{key}" d="{d}"/>' for key, d in sorted(glyphs.items()) if d]
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{_f(fig.width)}pt" height="{_f(fig.height)}pt" '
            f'viewBox="0 0 {_f(fig.width)} {_f(fig.height)}"')
    head += ' role="img">' if title else ' aria-hidden="true">'
    if title:
        head += f"<title>{escape(title)}</title>"
    return head + f"<defs>{''.join(defs)}</defs>" + "".join(body) + "</svg>"


def svg(report: Report) -> str:
    """The whole chart as a standalone SVG: shapes and text (as glyph outlines), with the alt text as title."""
    return _svg(figure(report), text=True, title=alt_text(report))


# ---- drawing: HTML for the PDF ----------------------------------------------------------------

def html(report: Report, n: int = 1, *, anchor: str = "figure-balance", bookmark_level: int | None = None,
         colors: dict | None = None, area: tuple[float, float] | None = None) -> str:
    """The chart for the HTML/PDF writer: a ``<figure id="figure-balance">`` with its caption.

    Self-contained: inline SVG (marks, bars, rules) under absolutely positioned HTML labels, styles
    inline. Report text is escaped; runs against the base direction are isolated with ``<bdi>``.
    ``bookmark_level`` makes the caption a PDF bookmark (and contents entry) at that level.
    """
    fig = figure(report, colors, area)
    rtl = fig.rtl
    # The brief's caption faces (sans first), named so no system font is ever picked.
    caption_fonts = "'Noto Kufi Arabic', 'Noto Sans', 'Amiri'" if rtl else "'Noto Sans', 'Noto Kufi Arabic', 'Amiri'"
    spans = []
    for lab in fig.labels:
        lh = lab.size * 1.6
        style = ["position:absolute", f"top:{_f(lab.y - lh / 2)}pt", f"font-size:{_f(lab.size)}pt", f"line-height:{_f(lh)}pt"]
        if lab.anchor == "left":
            style.append(f"left:{_f(lab.x)}pt")
        elif lab.anchor == "right":
            style.append(f"right:{_f(fig.width - lab.x)}pt")
        else:
            style += [f"left:{_f(lab.x - 60)}pt", "width:120pt", "text-align:center"]
        if lab.bold:
            style.append("font-weight:700")
        if lab.color != INK:
            style.append(f"color:{lab.color}")
        spans.append(f'<span class="bk-{lab.role}" style="{";".join(style)}">{_html_text(lab.text, rtl)}</span>')
    box = (f"position:relative;width:{_f(fig.width)}pt;height:{_f(fig.height)}pt;margin:0;"
           f"font-family:{css_fonts(rtl)};color:{INK};white-space:nowrap")
    bookmark = f";bookmark-level:{bookmark_level};bookmark-label:content(text)" if bookmark_level else ""
    return (f'<figure id="{escape(anchor)}" class="bk-chart" style="margin:6pt 0 0 0;break-inside:avoid">'
            f'<div class="bk-plot" style="{box}">'
            # The SVG's <title> becomes the tagged PDF's Figure /Alt (WeasyPrint reads it there).
            f'<div style="position:absolute;left:0;top:0">{_svg(fig, text=False, title=alt_text(report))}</div>'
            f'<div style="position:absolute;left:0;top:0;width:{_f(fig.width)}pt;height:{_f(fig.height)}pt"'
            f' aria-hidden="true">'
            + "".join(spans)
            + f'</div></div><figcaption class="bk-caption" style="font-family:{caption_fonts};font-size:9pt;'
            f'line-height:1.5;color:{MUTED};text-align:start;margin-top:4pt{bookmark}">'
            f'{escape(caption(report, n))}</figcaption></figure>')


def _html_text(text: str, rtl: bool) -> str:
    iso = "ltr" if rtl else "rtl"
    return "".join(f'<bdi dir="{iso}">{escape(chunk)}</bdi>' if isolate else escape(chunk)
                   for chunk, isolate in bidi.runs(text, rtl))


# ---- drawing: PNG (the DOCX picture's fallback) -----------------------------------------------

def png(report: Report, dpi: int = DPI, colors: dict | None = None) -> bytes:
    """The chart as a PNG at ``dpi``, drawn with Pillow's basic layout from pre-shaped labels."""
    return _png(figure(report, colors), dpi)


def _png(fig: Figure, dpi: int) -> bytes:
    from PIL import Image, ImageDraw

    # Drawn at the final size: rectangles and rules are axis-aligned, Pillow smooths text itself, and only
    # the round or slanted marks and the hatching are drawn supersampled, each in its own small tile. A
    # page-sized canvas at twice the size cost 45 MB and a third of a second per DOCX.
    k = dpi / 72
    size = (round(fig.width * k), round(fig.height * k))
    im = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(im)
    for s in fig.shapes:
        _png_shape(im, draw, s, k)
    for lab in fig.labels:
        line, x, base = _placed(lab, fig)
        for family, gid, gx, gy in line.glyphs:
            if gid:
                # Each glyph by its id at HarfBuzz's position (the face's cmap maps _PUA + id to it).
                draw.text(((x + gx * lab.size) * k, (base - gy * lab.size) * k), chr(_PUA + gid),
                          font=_png_font(family, lab.bold, lab.size * k), fill=lab.color, anchor="ls")
    # A 64-colour palette (no dithering) keeps text edges smooth and makes the PNG about a third of its
    # RGB size. Fast octree: a fifth of median cut's CPU for the same look (and 5% more bytes).
    im = im.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    im.putpalette(_snap_palette(im.getpalette(), fig.relation_colors()))
    out = io.BytesIO()
    im.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


_PUA = 0xF0000
"""Glyph ``g`` of a face is character ``_PUA + g`` in the face Pillow draws (plane 15 private use)."""


@lru_cache(maxsize=None)
def _glyph_face(family: str, bold: bool) -> bytes:
    """The shipped face with its cmap replaced by one from private-use code points to every glyph id:
    Pillow's basic layout draws characters, and the glyphs HarfBuzz chose (joining forms, marks) are
    reached so. Tables are copied as bytes (nothing else is parsed); the cmap is one format 12 group."""
    from fontTools.ttLib.sfnt import SFNTReader, SFNTWriter

    with open(font_path(family, "Bold" if bold else "Regular"), "rb") as f:
        reader = SFNTReader(f)
        tables = {tag: reader[tag] for tag in reader.keys()}
        version = reader.sfntVersion
    n = _hb_font(family, bold)[0].face.glyph_count
    # cmap v0, one encoding record (Windows, UCS-4) at offset 12; format 12, one sequential group.
    tables["cmap"] = struct.pack(">HHHHI" "HHIIIIII", 0, 1, 3, 10, 12, 12, 0, 28, 0, 1, _PUA, _PUA + n - 1, 0)
    out = io.BytesIO()
    writer = SFNTWriter(out, len(tables), version)
    for tag in sorted(tables):
        writer[tag] = tables[tag]
    writer.close()
    return out.getvalue()


@lru_cache(maxsize=64)   # a FreeType face read from the face's bytes once per size, not once per chart
def _png_font(family: str, bold: bool, size: float):
    from PIL import ImageFont

    return ImageFont.truetype(io.BytesIO(_glyph_face(family, bold)), size, layout_engine=ImageFont.Layout.BASIC)


_SS = 4
"""Supersampling of a tile holding a round or slanted shape (its anti-aliasing)."""


def _flat_colours(colors: dict = RELATION_COLORS) -> list[tuple[int, ...]]:
    hexes = [PAPER, INK, MUTED, RULE, *(c for pair in colors.values() for c in pair),
             *(tint(fill) for fill, _ in colors.values())]
    return [tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in hexes]


def _snap_palette(palette: list[int], colors: dict = RELATION_COLORS) -> list[int]:
    """Palette entries within a few steps of a flat colour of the figure become exactly that colour:
    the quantizer averages, and paper must stay white and the relation fills exactly the PDF's."""
    flat = _flat_colours(colors)
    out = list(palette)
    for i in range(0, len(out) - 2, 3):
        entry = tuple(out[i:i + 3])
        best = min(flat, key=lambda c: sum(abs(a - b) for a, b in zip(c, entry)))
        if sum(abs(a - b) for a, b in zip(best, entry)) <= 24:
            out[i:i + 3] = best
    return out


def _png_shape(im, draw, s: Shape, k: float) -> None:
    from PIL import Image, ImageDraw

    x0, y0, x1, y1 = s.x * k, s.y * k, (s.x + s.w) * k, (s.y + s.h) * k
    if s.kind == "line":
        if not s.dashed:
            draw.rectangle([round(x0), round(y0 - 0.3 * k), round(x1) - 1, round(y0 + 0.3 * k) - 1], fill=s.stroke)
        return
    fill, outline = s.fill, s.stroke
    if s.kind in ("circle", "diamond"):
        # A tile around the mark, drawn _SS times larger, reduced, and pasted through its own coverage.
        pad = k
        left, top = int(x0 - pad), int(y0 - pad)
        w, h = int(x1 + pad) + 1 - left, int(y1 + pad) + 1 - top
        tile = Image.new("RGBA", (w * _SS, h * _SS), (0, 0, 0, 0))
        d = ImageDraw.Draw(tile)
        q = k * _SS
        bx0, by0, bx1, by1 = ((x0 - left) * _SS, (y0 - top) * _SS, (x1 - left) * _SS, (y1 - top) * _SS)
        width = max(1, round(q)) if outline else 0
        if s.kind == "circle":
            d.ellipse([bx0, by0, bx1, by1], fill=fill, outline=outline, width=width)
        else:
            cx, cy, r = (bx0 + bx1) / 2, (by0 + by1) / 2, (bx1 - bx0) / 2 * 1.15
            d.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=fill, outline=outline,
                      width=width)
        tile = tile.reduce(_SS)
        im.paste(tile.convert("RGB"), (left, top), tile.getchannel("A"))
        return
    m = (x1 - x0) * 0.06 if s.kind == "square" else 0
    box = [round(x0 + m), round(y0 + m), round(x1 - m) - 1, round(y1 - m) - 1]
    width = max(1, round(k)) if outline else 0
    draw.rectangle(box, fill=fill, outline=outline, width=width)
    if s.pattern != "solid" and s.role in ("seg", "swatch") and s.kind == "rect":
        _png_pattern(im, s, k, (x0, y0, x1, y1))


def _png_pattern(im, s: Shape, k: float, box) -> None:
    from PIL import Image, ImageDraw

    x0, y0, x1, y1 = (round(v) for v in box)
    w, h = x1 - x0, y1 - y0
    if w <= 0 or h <= 0:
        return
    # Paper-coloured hatching through a coverage mask drawn _SS times larger (its anti-aliasing).
    mask = Image.new("L", (w * _SS, h * _SS), 0)
    d = ImageDraw.Draw(mask)
    q = k * _SS
    step = 5 * q
    lw = max(1, round((0.9 if s.pattern == "stripes" else 0.8) * q))
    W, H = w * _SS, h * _SS
    # The same lines as the SVG pattern tile, in page coordinates so tiles line up.
    t = -(((x0 + y0) * _SS) % step) - step
    while t < W + H + step:
        d.line([(t - H, H), (t, 0)], fill=255, width=lw)
        t += step
    if s.pattern == "crosshatch":
        t = -(((x0 - y0) * _SS) % step) - step - H
        while t < W + step:
            d.line([(t, 0), (t + H, H)], fill=255, width=lw)
            t += step
    im.paste(PAPER, (x0, y0), mask.reduce(_SS))


# ---- the DOCX picture ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DocxPicture:
    png: bytes
    svg: bytes
    width_emu: int
    height_emu: int
    alt_text: str
    caption: str


EMU_PER_PT = 12700


def docx_parts(report: Report, n: int = 1, colors: dict | None = None,
               area: tuple[float, float] | None = None) -> DocxPicture:
    """Everything the DOCX writer needs: PNG (fallback), SVG (Word 2016+), size, alt text, caption."""
    fig = figure(report, colors, area)
    alt = alt_text(report)
    return DocxPicture(_png(fig, DPI), _svg(fig, text=True, title=alt).encode("utf-8"),
                       round(fig.width * EMU_PER_PT), round(fig.height * EMU_PER_PT), alt, caption(report, n))
