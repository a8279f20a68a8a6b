"""A theme applied: the effective palette and relation colours, and the CSS both HTML variants get.

``briefkit.style`` reads a theme file; this module turns the ``Theme`` into what the writers use.
The shipped look (``style.DEFAULT``) changes nothing: every function returns its input or the
shipped values, so a brief without a theme is byte-identical to one built before themes existed.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .style import DEFAULT, Theme, find_theme, load_theme
from .theme import PALETTE, RELATION_COLORS

INK_ON_LIGHT = "#1D1F23"
INK_ON_DARK = "#FFFFFF"

SANS_FAMILIES = ("Noto Kufi Arabic", "Noto Sans")
"""The shipped heading families: a stack that starts with one of them is a heading stack."""
BODY_FAMILIES = ("Amiri",)


def theme_for(report, options=None) -> Theme:
    """The theme of a build: ``options.theme`` (``--theme``), else ``theme.yaml`` beside the report, else
    the shipped look. A broken theme file raises ReportError with its FILE:LINE:COL problems."""
    path = getattr(options, "theme", None)
    if path is None and getattr(report, "path", None) is not None:
        path = find_theme(report.path)
    return load_theme(path) if path else DEFAULT


def with_house_logo(report, theme: Theme):
    """The report as the writers draw it: a publisher that names no logo gets the theme's
    (``logo: {file: ...}``); anything else unchanged."""
    import dataclasses

    publisher = report.meta.publisher
    if theme.logo_file is None or publisher is None or publisher.logo is not None:
        return report
    meta = dataclasses.replace(report.meta, publisher=dataclasses.replace(publisher, logo=theme.logo_file))
    return dataclasses.replace(report, meta=meta)


def theme_glyphs(report_path, options=None) -> frozenset[str]:
    """The characters the theme of the report at ``report_path`` draws (``--theme``, else theme.yaml
    beside it): the loader's coverage check counts them as covered. A broken theme draws nothing here;
    its own problems are reported where it is used."""
    return theme_check(report_path, options)[1]


def theme_check(report_path, options=None) -> tuple[list, frozenset[str]]:
    """The problems of the theme a report is built with (``--theme``, else theme.yaml beside it), at the
    theme's FILE:LINE:COL ([] for a good theme or none), and the characters its faces draw."""
    from .errors import ReportError

    path = getattr(options, "theme", None) or (find_theme(report_path) if report_path else None)
    if not path:
        return [], frozenset()
    try:
        theme = load_theme(path)
    except ReportError as e:
        return list(e.problems), frozenset()
    return [], drawn_glyphs(theme)


def drawn_glyphs(theme) -> frozenset[str]:
    """The characters a loaded theme's faces draw."""
    cps = frozenset().union(*(family_codepoints(f) for f in (theme.body, theme.heading) if f))
    return frozenset(map(chr, cps))


# ---- colours -------------------------------------------------------------------------------------

def _luminance(hex_color: str) -> float:
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ink_on(fill: str) -> str:
    """White or the body ink on ``fill``, whichever has the higher WCAG contrast ratio."""
    lum = _luminance(fill)
    white = 1.05 / (lum + 0.05)
    dark = (lum + 0.05) / (_luminance(INK_ON_LIGHT) + 0.05)
    return INK_ON_DARK if white >= dark else INK_ON_LIGHT


def palette(theme: Theme = DEFAULT) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """(palette by role, (fill, ink) by relation) with the theme's colours: the one place both writers
    get their colours from. The shipped look returns ``theme.PALETTE`` and ``theme.RELATION_COLORS``."""
    pal = dict(PALETTE)
    if theme.accent:
        pal["accent"] = theme.accent.lower()
    rel = dict(RELATION_COLORS)
    for name, fill in theme.relation_colors:
        rel[name] = (fill, ink_on(fill))
    return pal, rel


# ---- CSS -----------------------------------------------------------------------------------------

_FONT_FAMILY = re.compile(r"(font-family:\s*)([^;}]+)")
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def restyle_css(css: str, theme: Theme = DEFAULT) -> str:
    """The package stylesheet with the theme's colours and families: palette colours replaced by role,
    and the theme's family put first in each body or heading stack (the shipped ones stay as fallbacks
    for characters the theme's font lacks)."""
    if theme == DEFAULT:
        return css
    pal, _ = palette(theme)
    swap = {PALETTE[role].lower(): value for role, value in pal.items() if value.lower() != PALETTE[role].lower()}
    if swap:
        css = _HEX.sub(lambda m: swap.get(m.group(0).lower(), m.group(0)), css)

    def stack(m: re.Match) -> str:
        families = m.group(2)
        first = families.split(",")[0].strip().strip('"')
        fam = theme.body if first in BODY_FAMILIES else theme.heading if first in SANS_FAMILIES else None
        if fam is None or css_name(fam) in families:
            return m.group(0)
        return f'{m.group(1)}"{css_name(fam)}", {families}'
    # An @font-face rule's font-family names one face: those stay as they are.
    parts = re.split(r"(@font-face\s*\{[^}]*\})", css)
    return "".join(p if p.startswith("@font-face") else _FONT_FAMILY.sub(stack, p) for p in parts)


def css_name(family) -> str:
    """The CSS name of a theme family: its own name and a digest of its files. WeasyPrint keeps every
    ``@font-face`` of a process, and fontconfig may know a system font of the same name: only this name
    is sure to reach exactly these files."""
    import hashlib

    h = hashlib.sha256()
    for face, path in family.faces:
        h.update(face.encode() + b"\0" + _bytes_digest(Path(path), Path(path).stat().st_mtime_ns).encode())
    return f"{family.name} {h.hexdigest()[:8]}"


@lru_cache(maxsize=32)
def _bytes_digest(path: Path, mtime_ns: int) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


_WEIGHTS = {"regular": (400, "normal"), "bold": (700, "normal"), "italic": (400, "italic"),
            "bold-italic": (700, "italic")}


def font_faces(theme: Theme, url) -> str:
    """``@font-face`` rules for the theme's faces; ``url(path)`` gives each file's URL (a file URL the
    PDF writer's fetcher serves, or a data URI in the self-contained page)."""
    out, seen = [], set()
    for fam in (theme.body, theme.heading):
        if fam is None:
            continue
        for face, path in fam.faces:
            if (fam.name, face) in seen:
                continue
            seen.add((fam.name, face))
            weight, style = _WEIGHTS[face]
            out.append(f'@font-face {{ font-family: "{css_name(fam)}"; src: url("{url(path)}"); '
                       f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(out)


_HEAD = {"title": "string(doctitle)", "publisher": "string(publisher)", "kicker": "string(kicker)",
         "date": "string(briefdate)", "none": "none"}


def page_css(theme: Theme, *, rtl: bool, counter_style: str) -> str:
    """The print rules a theme changes: page size and margins, running head, footer, logo place and
    the ink on its relation badges. Sides given as start/end become physical per direction."""
    if theme == DEFAULT:
        return ""
    out = []
    page = []
    if theme.page_mm != DEFAULT.page_mm:
        w, h = theme.page_mm
        page.append(f"size: {w:g}mm {h:g}mm;")
    if theme.margins_mm != DEFAULT.margins_mm:
        t, b, s, e = theme.margins_mm
        right, left = (s, e) if rtl else (e, s)
        page.append(f"margin: {t:g}mm {right:g}mm {b:g}mm {left:g}mm;")
    start, end = ("top-right", "top-left") if rtl else ("top-left", "top-right")
    heads = []
    if (theme.head_start, theme.head_end) != (DEFAULT.head_start, DEFAULT.head_end):
        heads += [f"@{start} {{ content: {_HEAD[theme.head_start]}; }}",
                  f"@{end} {{ content: {_HEAD[theme.head_end]}; }}"]
    if theme.footer != DEFAULT.footer:
        footer = "none" if theme.footer == "none" else f"counter(page, {counter_style})"
        heads.append(f"@bottom-center {{ content: {footer}; }}")
    if page or heads:
        out.append("@page { " + " ".join(page + heads) + " }")
    if "kicker" in (theme.head_start, theme.head_end):
        out.append(".kicker { string-set: kicker content(); }")
    if "date" in (theme.head_start, theme.head_end):
        out.append(".byline .date { string-set: briefdate content(); }")
    if theme.logo == "end":
        # The top bar floats the publisher to its start and sets the breadcrumb at its end: swap them.
        out.append(".topbar { text-align: start; } .publisher { float: inline-end; margin-inline-start: 12pt; } "
                   ".publisher-name { white-space: nowrap; }")
    elif theme.logo == "none":
        out.append(".publisher .logo { display: none; }")
    if narrow(theme):
        # A5-sized text: a two-word badge may wrap rather than run into the next column
        out.append(".badge { white-space: normal; }")
    _, rel = palette(theme)
    for name, fill in theme.relation_colors:
        out.append(f".badge-{name} {{ color: {rel[name][1].lower()}; }}")
    return "\n".join(out)


NARROW_TEXT_MM = 140
"""A text area narrower than this (A5's is 108 mm) lets a badge wrap between its words, in both formats."""


def narrow(theme: Theme) -> bool:
    return theme.text_mm[0] < NARROW_TEXT_MM


def family_codepoints(family) -> frozenset[int]:
    """The code points a theme family's regular face draws."""
    return cmap(family.face("regular"))


def cmap(path: Path) -> frozenset[int]:
    """The code points a font file draws (cached while the file is unchanged)."""
    return _cmap(Path(path), Path(path).stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _cmap(path: Path, mtime_ns: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap() or ())
    finally:
        font.close()


def ensure_covered(texts, theme: Theme | None = None) -> None:
    """``resources.ensure_covered`` (RenderError for a character no face can draw) counting the theme's
    faces: a character its font draws needs no shipped face."""
    from .resources import ensure_covered as shipped

    drawn = frozenset().union(*(family_codepoints(f) for f in (theme.body, theme.heading) if f)) \
        if theme is not None else frozenset()
    if drawn:
        texts = ["".join(ch for ch in t if ord(ch) not in drawn) for t in texts]
    shipped(texts)


def pdf_theme_fonts(theme: Theme) -> dict[Path, bytes]:
    """Each theme font file and the bytes the PDF writer's fetcher serves for it: the font without its
    Graphite tables (``fontsubset.GRAPHITE``), so WeasyPrint shapes it with OpenType as the browser and
    the DOCX readers do."""
    from .fontsubset import opentype_only

    return {p: opentype_only(p) for p in theme_fonts(theme)}


def theme_fonts(theme: Theme) -> list[Path]:
    """Every font file of the theme (what the PDF writer's fetcher may serve)."""
    return [p for fam in (theme.body, theme.heading) if fam for _, p in fam.faces]


# ---- DOCX faces ----------------------------------------------------------------------------------

FACE_NAMES = {"regular": "Regular", "bold": "Bold", "italic": "Italic", "bold-italic": "BoldItalic"}
"""Theme face keys → the face names the DOCX writer embeds under."""


def docx_faces(theme: Theme, chars=None) -> dict[str, dict[str, bytes]]:
    """The theme's faces for the DOCX's embedded fonts: {family: {face: bytes}}, subset to ``chars``
    when the build asks for subset fonts."""
    from .fontsubset import opentype_only, subset_ttf

    def subset(data: bytes) -> bytes:
        return subset_ttf(data, sorted({ord(c) for c in chars}))

    out: dict[str, dict[str, bytes]] = {}
    for fam in (theme.body, theme.heading):
        if fam is None:
            continue
        faces = out.setdefault(fam.name, {})
        for face, path in fam.faces:
            if FACE_NAMES[face] not in faces:   # body and heading may share a family
                data = opentype_only(path)       # LibreOffice's HarfBuzz would shape by Graphite too
                faces[FACE_NAMES[face]] = subset(data) if chars is not None else data
    return out


RUNNING_HEAD_PT = 7.5
"""The running head's size (brief.css @top-left/@top-right)."""


def running_title(report, theme: Theme = DEFAULT) -> str:
    """The title as the running heads print it: whole when it fits its half of the head, else cut after
    a word with «…» (a long title made a head of three lines on every page)."""
    from .chart import measure

    room = theme.text_mm[0] / 2 * 72 / 25.4 - 14       # each side of the head has half the width
    title = " ".join(report.meta.title.split())
    if measure(title, RUNNING_HEAD_PT, report.rtl) <= room:
        return title
    words = title.split(" ")
    while len(words) > 1:
        words.pop()
        cut = " ".join(words).rstrip("،,:;.–—-‒ ") + "…"
        if measure(cut, RUNNING_HEAD_PT, report.rtl) <= room:
            return cut
    word = words[0]
    while len(word) > 1 and measure(word + "…", RUNNING_HEAD_PT, report.rtl) > room:
        word = word[:max(1, len(word) * 3 // 4)]          # one unbroken word wider than the head: cut it too
    return word + "…"


def head_text(report, what: str, theme: Theme = DEFAULT) -> str:
    """The running head's text for ``what`` (title, publisher, kicker, date, none) in a DOCX header."""
    from .localize import date

    meta = report.meta
    return {"title": running_title(report, theme), "publisher": meta.publisher.name if meta.publisher else "",
            "kicker": meta.kicker or "", "date": date(meta.date, report) if meta.date else "",
            "none": ""}[what]
