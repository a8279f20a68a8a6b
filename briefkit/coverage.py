"""Which shipped face draws each character (for both writers), and the validate-time check that one does.

A piece of text is set in a *stack* (``resources.STACKS``: the families its CSS rule lists) and a
style (bold, italic). A character is drawn by the first family of the stack, then of
``resources.FALLBACK_FAMILIES``, that has it; within a family the face of the asked style is tried
first, then its other faces in fontconfig's order (slant matters more than weight). The PDF gets
exactly this through the private fontconfig configuration (``fontconfig_conf``), the DOCX through
``resolve``; the loader reports, at validate time, every character no face draws.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from .resources import FALLBACK_FAMILIES, FONT_FILES, STACKS, covered_codepoints, font_path, fonts_dir

_STYLE_ORDER = {
    # asked style → the faces of one family in the order fontconfig prefers them
    "Regular": ("Regular", "Bold", "Italic", "BoldItalic"),
    "Bold": ("Bold", "Regular", "BoldItalic", "Italic"),
    "Italic": ("Italic", "BoldItalic", "Regular", "Bold"),
    "BoldItalic": ("BoldItalic", "Italic", "Bold", "Regular"),
}


def style_name(bold: bool, italic: bool) -> str:
    return ("Bold" if bold else "") + ("Italic" if italic else "") or "Regular"


@lru_cache(maxsize=1)
def _table() -> dict:
    import json

    path = fonts_dir() / "coverage.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


@lru_cache(maxsize=None)
def face_codepoints(family: str, face: str) -> frozenset[int]:
    """The code points one shipped face has glyphs for (its cmap; from fonts/coverage.json, which
    scripts/fallback_fonts.py writes, so validate need not open the fonts)."""
    ranges = _table().get(FONT_FILES[family][face])
    if ranges is not None:
        return frozenset(cp for lo, hi in ranges for cp in range(lo, hi + 1))
    from fontTools.ttLib import TTFont

    font = TTFont(font_path(family, face), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def ignorable(cp: int) -> bool:
    """Characters the shaper never draws: white space, bidi marks and isolates, ZWJ/ZWNJ, variation
    selectors, emoji tags."""
    return (cp in (0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x061C, 0x00AD)
            or 0x200B <= cp <= 0x200F or 0x2066 <= cp <= 0x2069 or 0xFE00 <= cp <= 0xFE0F
            or 0xE0020 <= cp <= 0xE007F)


@lru_cache(maxsize=4096)
def resolve(ch: str, stack: tuple[str, ...], bold: bool = False, italic: bool = False) -> tuple[str, str] | None:
    """(family, face) that draws ``ch`` in ``stack`` and this style, or None when no shipped face has it."""
    cp = ord(ch)
    for family in (*stack, *(f for f in FALLBACK_FAMILIES if f not in stack)):
        faces = FONT_FILES[family]
        for face in _STYLE_ORDER[style_name(bold, italic)]:
            if face in faces and cp in face_codepoints(family, face):
                return family, face
    return None


def families_used(texts: Iterable[str], stacks: Iterable[tuple[str, ...]]) -> list[str]:
    """Every family ``resolve`` picks for the characters of ``texts`` in any of ``stacks`` (what a DOCX
    embeds), in ``FONT_FILES`` order: a set's order would change the DOCX bytes from run to run."""
    chars = {ch for t in texts for ch in t if not ignorable(ord(ch))}
    out = set()
    for stack in stacks:
        for ch in chars:
            hit = resolve(ch, tuple(stack))
            if hit:
                out.add(hit[0])
    return [f for f in FONT_FILES if f in out]


# ---- the private fontconfig configuration (PDF) ---------------------------------------------------------

def fontconfig_conf(extra_dirs: Iterable[str] = ()) -> str:
    """A fontconfig configuration that sees only briefkit's fonts (and a theme's font folders).

    Fallback families are appended to every request in ``FALLBACK_FAMILIES`` order, and missing
    styles are synthesized as the system's 90-synthetic.conf does, so WeasyPrint picks the faces
    ``resolve`` predicts and never a font of the machine it runs on.
    """
    from xml.sax.saxutils import escape

    dirs = "".join(f"  <dir>{escape(str(d))}</dir>\n" for d in (fonts_dir(), *extra_dirs))
    fallbacks = "".join(f"<string>{escape(f)}</string>" for f in FALLBACK_FAMILIES)
    return f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
{dirs}  <match target="pattern">
    <edit name="family" mode="append_last" binding="strong">{fallbacks}</edit>
  </match>
  <match target="font">
    <test name="slant"><const>roman</const></test>
    <test target="pattern" name="slant" compare="not_eq"><const>roman</const></test>
    <edit name="matrix" mode="assign"><times><name>matrix</name>
      <matrix><double>1</double><double>0.2</double><double>0</double><double>1</double></matrix></times></edit>
    <edit name="slant" mode="assign"><const>oblique</const></edit>
  </match>
  <match target="font">
    <test name="weight" compare="less_eq"><const>medium</const></test>
    <test target="pattern" name="weight" compare="more_eq"><const>bold</const></test>
    <edit name="embolden" mode="assign"><bool>true</bool></edit>
    <edit name="weight" mode="assign"><const>bold</const></edit>
  </match>
</fontconfig>
"""


# ---- the check (validate and build) ---------------------------------------------------------------------

_CJK = re.compile("[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u4dbf"
                  "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef"
                  "\U00020000-\U0003134f]")

INLINE_FIELDS = (
    # paths (with "*" for any index or key) whose text is inline Markdown (**bold**, *italic*)
    ("takeaways", "*"), ("summary",), ("summary", "*"), ("outlook",), ("outlook", "*"),
    ("recommendations", "*"), ("areas", "*", "summary"), ("areas", "*", "positions", "*"),
    ("sections", "*", "body"), ("sections", "*", "body", "*"), ("sections", "*", "body", "*", "quote"),
    ("sections", "*", "body", "*", "by"), ("sections", "*", "body", "*", "list", "*"),
    ("timeline", "*", "event"),
)

ROLES = (
    # (path pattern, stack role, bold): the first match wins; "sans" becomes "sans-ltr" in LTR briefs
    (("meta", "title"), "sans", True), (("meta", "kicker"), "sans", True),
    (("meta", "breadcrumb", "*"), "sans", False), (("meta", "keywords", "*"), "sans", False),
    (("meta", "authors", "*", "name"), "sans", True), (("meta", "authors", "*", "role"), "sans", False),
    (("meta", "authors", "*"), "sans", True), (("meta", "publisher", "name"), "sans", True),
    (("meta", "publisher", "url"), "latin", False), (("meta", "source", "url"), "latin", False),
    (("actors", "*", "name"), "sans", True), (("areas", "*", "title"), "sans", True),
    (("areas", "*"), "sans", False), (("sections", "*", "heading"), "sans", True),
    (("sections", "*", "body", "*", "by"), "sans", False), (("sources", "*", "url"), "latin", False),
    (("sources", "*", "title"), "body", True),
)

NOT_TYPESET = frozenset({"id", "color", "relation", "lang", "locale", "dir", "digits", "logo", "date",
                         "accessed", "area", "sections", "briefkit", "ordered", "intensity"})
"""Keys whose values are never printed (ids, references, settings). Aliases are checked: the writers'
coverage backstop (resources.ensure_covered) reads them, and validate and build must agree."""


@lru_cache(maxsize=256)
def _is_inline(shape: tuple) -> bool:
    return any(_matches(shape, p) for p in INLINE_FIELDS)


def _matches(path: tuple, pattern: tuple) -> bool:
    return len(path) == len(pattern) and all(p == "*" or p == x for p, x in zip(pattern, path))


def _shape(path: tuple) -> tuple:
    # Roles depend on keys, not on list indexes or actor ids: one cached answer per shape.
    out = tuple("*" if isinstance(p, int) else p for p in path)
    if len(out) == 4 and out[:3] == ("areas", "*", "positions"):
        out = out[:3] + ("*",)
    return out


def _role(path: tuple, rtl: bool) -> tuple[tuple[str, ...], bool, bool]:
    """(stack, bold, italic) a value at ``path`` is set in, before its own inline emphasis."""
    return _role_of_shape(_shape(path), rtl)


@lru_cache(maxsize=256)
def _role_of_shape(path: tuple, rtl: bool) -> tuple[tuple[str, ...], bool, bool]:
    role, bold = "body", False
    for pattern, r, b in ROLES:
        if _matches(path, pattern) or (len(pattern) < len(path) and _matches(path[:len(pattern)], pattern)
                                       and pattern[-1] == "*"):
            role, bold = r, b
            break
    if role == "sans" and not rtl:
        role = "sans-ltr"
    # LTR quotes are set in italic (templates/brief.css: .ltr blockquote .q)
    italic = not rtl and _matches(path, ("sections", "*", "body", "*", "quote"))
    return STACKS[role], bold, italic


def _styled_runs(value: str, inline: bool, bold: bool, italic: bool):
    """(text, bold, italic) pieces of a value as it will be typeset."""
    if not inline:
        yield value, bold, italic
        return
    from .inline import parse
    from .model import Emph, Link, Strong, Text

    def walk(nodes, b, i):
        for n in nodes:
            if isinstance(n, Text):
                yield n.text, b, i
            elif isinstance(n, Strong):
                yield from walk(n.children, True, i)
            elif isinstance(n, Emph):
                yield from walk(n.children, b, True)
            elif isinstance(n, Link):
                yield from walk(n.children, b, i)

    nodes = parse(value)[0]
    yield from walk(nodes, bold, italic)


def _strings(value, path: tuple = ()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, path + (i,))
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in NOT_TYPESET or not path:  # top-level "sections" is text; areas[].sections are ids
                yield from _strings(v, path + (k,))


def explain(ch: str, stack: tuple[str, ...], bold: bool, italic: bool) -> str:
    """The message for a character no face draws in this stack and style."""
    cp = ord(ch)
    name = unicodedata.name(ch, "unnamed character")
    shown = f"U+{cp:04X} {name}" + (f" ({ch})" if unicodedata.category(ch)[0] not in "CZM" else "")
    if _CJK.match(ch):
        return (f"{shown}: Chinese, Japanese and Korean text cannot be typeset (briefkit ships no CJK font); "
                "write the name in Latin or Arabic letters")
    if unicodedata.category(ch) in ("Co", "Cn", "Cs"):
        return f"{shown}: a private-use or unassigned code point cannot be typeset; remove it"
    if cp in covered_codepoints():
        style = style_name(bold, italic)
        return (f"{shown} has no glyph in the faces this text is set in "
                f"({', '.join(stack)}, {style.lower()}); remove it or move it to body text")
    return (f"{shown} cannot be typeset: no font briefkit ships has it (covered: Arabic, Latin, Greek, "
            "Cyrillic, Hebrew, common symbols and emoji; see README, Characters)")


MAX_PER_VALUE = 5


def _refused_elsewhere(ch: str) -> bool:
    # Control characters and bidi overrides have their own message (loader._check_text): one problem each.
    return unicodedata.category(ch) in ("Cc", "Cs") or 0x202A <= ord(ch) <= 0x202E   # Cs: a lone surrogate


def problems(data, rtl: bool,
             theme_glyphs: frozenset[str] = frozenset()) -> list[tuple[tuple, str, int | None, str]]:
    """(path, value, index of the character in the value or None, message) for every character of the
    report's printed text that no shipped face draws in the face and style it is set in; at most
    MAX_PER_VALUE distinct characters per value, then one line (index None) saying how many more.
    ``theme_glyphs``: characters a theme's faces draw (``briefkit.house.theme_glyphs``), covered too."""
    out = []
    drawn: dict[tuple, set] = {}
    """stack → characters already known to be drawn in it in every style"""
    for path, value in _strings(data):
        stack, bold, italic = _role(path, rtl)
        known = drawn.setdefault(stack, set(theme_glyphs))
        unsure = set(value) - known
        for ch in list(unsure):
            if ignorable(ord(ch)) or all(resolve(ch, stack, b, i) for b in (False, True) for i in (False, True)):
                known.add(ch)
                unsure.discard(ch)
        if not unsure:
            continue  # every character is drawn in any style: no need to parse the emphasis
        inline = _is_inline(_shape(path))
        bad: dict[str, str] = {}
        for text, b, i in _styled_runs(value, inline, bold, italic):
            for ch in text:
                if ch not in bad and not ignorable(ord(ch)) and not _refused_elsewhere(ch) \
                        and ch not in theme_glyphs and resolve(ch, stack, b, i) is None:
                    bad[ch] = explain(ch, stack, b, i)
        for n, (ch, msg) in enumerate(bad.items()):
            if n == MAX_PER_VALUE:
                out.append((path, value, None, f"... and {len(bad) - MAX_PER_VALUE} more characters no "
                                               "shipped font has"))
                break
            out.append((path, value, value.find(ch), msg))
    return out
