"""House style: a theme file (fonts, colours, page size, margins, running head, footer, logo place) both writers read."""
from __future__ import annotations

import hashlib
import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, ReportError

from .teach import suggest

THEME_FILE = "theme.yaml"
"""A theme file of this name beside the reports is used when no --theme is given."""

PAGE_SIZES = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "Letter": (215.9, 279.4), "Legal": (215.9, 355.6)}
_UNITS = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
_LENGTH = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(mm|cm|in|pt)\s*$")
_COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")
HEAD_CONTENT = ("title", "publisher", "kicker", "date", "none")
FOOTER_CONTENT = ("page-of", "page", "none")
LOGO_PLACES = ("start", "end", "none")
FACES = ("regular", "bold", "italic", "bold-italic")
MAX_FONT_BYTES = 20_000_000
MAX_THEME_BYTES = 1_000_000
"""A theme file is a page of settings: a bigger one is refused before it is read."""


@dataclass(frozen=True)
class Family:
    """A user-supplied font family: the family name inside the files and a file per face."""

    name: str
    faces: tuple[tuple[str, Path], ...]
    """(face, file) for the faces given: regular always, bold, italic and bold-italic when supplied."""

    def face(self, face: str) -> Path | None:
        return dict(self.faces).get(face)


@dataclass(frozen=True)
class Theme:
    """The look of a brief. ``Theme()`` is the shipped look; every field a theme file leaves out keeps it."""

    body: Family | None = None
    """Body text face; None: the shipped Amiri."""
    heading: Family | None = None
    """Headings, tables and badges; None: the shipped Noto Kufi Arabic and Noto Sans."""
    accent: str | None = None
    """Headings, rules, links; None: the palette's accent."""
    relation_colors: tuple[tuple[str, str], ...] = ()
    """(relation, fill) overrides; the ink on each fill is chosen for contrast."""
    page_mm: tuple[float, float] = PAGE_SIZES["A4"]
    margins_mm: tuple[float, float, float, float] = (22.0, 22.0, 20.0, 20.0)
    """top, bottom, start (the side the text starts on), end."""
    head_start: str = "title"
    head_end: str = "publisher"
    footer: str = "page-of"
    logo: str = "start"
    logo_file: Path | None = None
    """The house logo (``logo: {file: ...}``): drawn for a report whose publisher names no logo of its own."""
    source: Path | None = field(default=None, compare=False)
    """The theme file (None for the shipped look)."""

    @property
    def text_mm(self) -> tuple[float, float]:
        """Width and height of the text area (the page less its margins)."""
        t, b, s, e = self.margins_mm
        return self.page_mm[0] - s - e, self.page_mm[1] - t - b

    def files(self) -> list[Path]:
        """The theme file, every font it names and its logo: what the build cache hashes and preview watches."""
        out = [self.source] if self.source else []
        for fam in (self.body, self.heading):
            if fam:
                out += [p for _, p in fam.faces]
        if self.logo_file:
            out.append(self.logo_file)
        return out

    def digest(self) -> str:
        h = hashlib.sha256()
        for p in self.files():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
        return h.hexdigest()


DEFAULT = Theme()


def find_theme(report_path: Path) -> Path | None:
    """``theme.yaml`` beside the report, if there is one."""
    candidate = Path(report_path).parent / THEME_FILE    # as the report was named: messages show it so
    return candidate if candidate.is_file() else None


def named_files(path: Path) -> list[tuple[str, Path | None]]:
    """The files a theme names (fonts, then the logo) as written, each with its resolved path when that lies
    inside the theme's folder (None otherwise); [] when the theme cannot be read. For the build cache's key:
    nothing but the theme file itself is opened here."""
    from ruamel.yaml import YAML

    try:
        if path.stat().st_size > MAX_THEME_BYTES:
            return []
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8-sig"))
    except Exception:  # noqa: BLE001 - a broken theme has no named files; its own check reports it
        return []
    if not isinstance(data, dict):
        return []
    named: list[str] = []
    fonts = data.get("fonts")
    for spec in (fonts.values() if isinstance(fonts, dict) else ()):
        named += [spec] if isinstance(spec, str) else \
            [v for v in spec.values() if isinstance(v, str)] if isinstance(spec, dict) else []
    logo = data.get("logo")
    if isinstance(logo, dict) and isinstance(logo.get("file"), str):
        named.append(logo["file"])
    folder = path.resolve().parent
    out = []
    for rel in named:
        target = (folder / rel).resolve()
        out.append((rel, target if target.is_relative_to(folder) else None))
    return out


_LOADED: dict = {}
"""Resolved theme path → (what its files were when read, the Theme or the ReportError it gave)."""


def _state(paths) -> tuple:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        except (OSError, ValueError):
            out.append(None)
    return tuple(out)


def load_theme(path) -> Theme:
    """Read and check a theme file; raises ReportError listing every problem with FILE:LINE:COL.

    A process reads a theme once while neither it nor a file it names changes: a build checks the theme of
    each of its reports, and a folder of reports shares one (23 ms to read and check it again)."""
    path = Path(path)
    try:
        key = path.resolve()
    except (OSError, RuntimeError):
        return _read_theme(path)
    try:   # its bytes, not only its times: two saves can share a time on a coarse clock
        text = key.read_bytes() if key.is_file() and key.stat().st_size <= MAX_THEME_BYTES else b""
    except OSError:
        text = b""
    digest = hashlib.sha256(text).digest()
    memo = _LOADED.get(key)
    if memo is not None and memo[0] == (str(path), digest) + _state([key, *memo[1]]):
        if isinstance(memo[2], ReportError):
            raise ReportError(list(memo[2].problems))
        return memo[2]
    named = [t for _, t in named_files(key) if t is not None]
    state = (str(path), digest) + _state([key, *named])
    try:
        theme = _read_theme(path)
    except ReportError as e:
        _LOADED[key] = (state, named, e)
        raise
    _LOADED[key] = (state, named, theme)
    return theme


def _read_theme(path: Path) -> Theme:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    name = str(path)
    problems: list[Problem] = []

    def add(node_pos, where: str, message: str) -> None:
        line, col = node_pos
        problems.append(Problem(name, line, col, where, message))

    def add_length_problem(node_pos, where: str, value, also: str = "") -> None:
        """What is wrong with one margin: no unit, an unknown unit, or over 60 mm."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            add(node_pos, where, f"'{value}' has no unit: write {value}mm (mm, cm, in or pt{also})")
        elif _length(value) is None:
            add(node_pos, where, f"'{value}' is not a length like 20mm (mm, cm, in or pt{also})")
        elif _length(value) > 60:
            add(node_pos, where, f"'{value}' is more than 60 mm: a margin leaves room for the text")

    try:
        if not path.is_file():
            raise ReportError([Problem(name, 0, 0, "(root)", "the theme is not a regular file")])
        if path.stat().st_size > MAX_THEME_BYTES:
            raise ReportError([Problem(name, 0, 0, "(root)", f"the theme file is larger than "
                                                             f"{MAX_THEME_BYTES // 1_000_000} MB")])
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError([Problem(name, 0, 0, "(root)", f"cannot read the theme: {e}")]) from None
    try:
        data = YAML(typ="rt", pure=True).load(text)
    except YAMLError as e:
        from ruamel.yaml.error import MarkedYAMLError

        from .teach import syntax_hint

        hint, what, mark = "", None, getattr(e, "problem_mark", None)
        if isinstance(e, MarkedYAMLError):
            mark, hint, what = syntax_hint(e, text)
        pos = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = what or getattr(e, "problem", None) or e
        raise ReportError([Problem(name, *pos, "(root)", f"YAML syntax error: {what}{hint}")]) from None
    if not isinstance(data, dict):
        raise ReportError([Problem(name, 1, 1, "(root)", "a theme is a mapping of settings")])

    def pos(mapping, key) -> tuple[int, int]:
        try:
            line, col = mapping.lc.key(key)
            return line + 1, col + 1
        except (AttributeError, KeyError, TypeError):
            return 1, 1

    def vpos(mapping, key) -> tuple[int, int]:
        try:
            line, col = mapping.lc.value(key)
            return line + 1, col + 1
        except (AttributeError, KeyError, TypeError):
            return pos(mapping, key)

    known = {"briefkit-theme", "name", "fonts", "colors", "page", "running-head", "footer", "logo"}
    for key in data:
        if key not in known:
            add(pos(data, key), str(key),
                f"unknown key '{key}'{suggest(key, known)}; a theme has {', '.join(sorted(known))}")
    if data.get("briefkit-theme", 1) != 1:
        add(vpos(data, "briefkit-theme"), "briefkit-theme", "this briefkit reads theme version 1")
    kw: dict = {}
    folder = path.resolve().parent

    fonts = data.get("fonts") or {}
    if not isinstance(fonts, dict):
        add(vpos(data, "fonts"), "fonts", "expected {body: {...}, heading: {...}}")
        fonts = {}
    for role in fonts:
        if role not in ("body", "heading"):
            add(pos(fonts, role), f"fonts.{role}", f"unknown font role '{role}'; use body or heading")
            continue
        fam = _family(fonts[role], f"fonts.{role}", folder, fonts, role, add, pos, vpos)
        if fam:
            kw[role] = fam

    colors = data.get("colors") or {}
    if not isinstance(colors, dict):
        add(vpos(data, "colors"), "colors", "expected a mapping of colours")
        colors = {}
    rel = []
    for key, value in colors.items():
        where = f"colors.{key}"
        if key not in _COLOR_KEYS:
            add(pos(colors, key), where, f"unknown colour '{key}'{suggest(key, _COLOR_KEYS)}; use accent, "
                "cooperation, mixed or rivalry")
        elif not isinstance(value, str) or not _COLOR.match(value):
            add(vpos(colors, key), where, f"'{value}' is not a colour: write #RGB or #RRGGBB")
        elif key == "accent":
            kw["accent"] = _normal(value)
        else:
            rel.append((key, _normal(value)))
    if rel:
        kw["relation_colors"] = tuple(rel)

    page = data.get("page") or {}
    if not isinstance(page, dict):
        add(vpos(data, "page"), "page", "expected {size: ..., margins: ...}")
        page = {}
    for key in page:
        if key not in ("size", "margins"):
            add(pos(page, key), f"page.{key}", f"unknown key '{key}'; use size or margins")
    if "size" in page:
        size = _page_size(page["size"])
        if size is None:
            given = page["size"]
            shown = f"[{', '.join(map(str, given))}]" if isinstance(given, list) else f"'{given}'"
            pair = isinstance(given, list) and len(given) == 2 and all(_length(v) for v in given)
            add(vpos(page, "size"), "page.size",
                f"{shown} is not a page size: " + (
                    "a page is 80 to 600 mm wide and 100 to 900 mm high" if pair else
                    f"use {', '.join(PAGE_SIZES)} or [width, height] like [170mm, 240mm]"))
        else:
            kw["page_mm"] = size
    if "margins" in page:
        margins = _margins(page["margins"])
        given = page["margins"]
        if margins is not None:
            kw["margins_mm"] = margins
        elif isinstance(given, dict):
            # one line per wrong side, as the report's own messages are
            for side, value in given.items():
                where = f"page.margins.{side}"
                if side not in _SIDES:
                    physical = str(side) in ("left", "right")
                    add(pos(given, side), where, f"unknown side '{side}'{suggest(side, _SIDES)}; use top, bottom, "
                        "start or end" + (" (start is where a line begins: the right in an Arabic or Persian "
                                          "brief, the left in an English one)" if physical else ""))
                else:
                    add_length_problem(vpos(given, side), where, value)
        else:
            add_length_problem(vpos(page, "margins"), "page.margins", given,
                               also="; or {top, bottom, start, end}, each a length")
    if "page_mm" in kw or "margins_mm" in kw:
        w, h = kw.get("page_mm", DEFAULT.page_mm)
        t, b, s, e = kw.get("margins_mm", DEFAULT.margins_mm)
        if w - s - e < 80 or h - t - b < 100:
            add(vpos(page, "margins" if "margins" in page else "size"), "page",
                "the text area would be smaller than 80 × 100 mm: use a larger page or smaller margins")

    head = data.get("running-head") or {}
    if not isinstance(head, dict):
        add(vpos(data, "running-head"), "running-head", "expected {start: ..., end: ...}")
        head = {}
    for key, value in head.items():
        where = f"running-head.{key}"
        if key not in ("start", "end"):
            add(pos(head, key), where, f"unknown key '{key}'{suggest(key, ('start', 'end'))}; use start or end")
        elif value not in HEAD_CONTENT:
            add(vpos(head, key), where,
                f"'{value}' is not one of {', '.join(HEAD_CONTENT)}{suggest(value, HEAD_CONTENT)}")
        else:
            kw["head_start" if key == "start" else "head_end"] = value
    if isinstance(data.get("logo"), dict):
        _logo_spec(data["logo"], folder, kw, add, pos, vpos)
    for key, allowed in (("footer", FOOTER_CONTENT), ("logo", LOGO_PLACES)):
        if key == "logo" and isinstance(data.get("logo"), dict):
            continue
        if key in data:
            if data[key] not in allowed:
                add(vpos(data, key), key,
                    f"'{data[key]}' is not one of {', '.join(allowed)}{suggest(data[key], allowed)}")
            else:
                kw[key] = data[key]
    if problems:
        raise ReportError(problems)
    return Theme(source=path.resolve(), **kw)


_COLOR_KEYS = ("accent", "cooperation", "mixed", "rivalry")


def _normal(color: str) -> str:
    c = color.upper()
    return "#" + "".join(ch * 2 for ch in c[1:]) if len(c) == 4 else c


def _length(value) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None  # a bare number has no unit: refuse rather than guess
    m = _LENGTH.match(str(value))
    return float(m.group(1)) * _UNITS[m.group(2)] if m else None


def _page_size(value) -> tuple[float, float] | None:
    if isinstance(value, str):
        for key, size in PAGE_SIZES.items():
            if value.lower() == key.lower():
                return size
        return None
    if isinstance(value, list) and len(value) == 2:
        w, h = (_length(v) for v in value)
        if w and h and 80 <= w <= 600 and 100 <= h <= 900:
            return (round(w, 2), round(h, 2))
    return None


_SIDES = ("top", "bottom", "start", "end")


def _margins(value) -> tuple[float, float, float, float] | None:
    if not isinstance(value, dict):
        one = _length(value)
        return (one,) * 4 if one is not None and one <= 60 else None
    if set(value) - {"top", "bottom", "start", "end"}:
        return None
    out = []
    for side, default in zip(("top", "bottom", "start", "end"), DEFAULT.margins_mm):
        v = _length(value[side]) if side in value else default
        if v is None or v > 60:
            return None
        out.append(v)
    return tuple(out)


def _logo_spec(spec, folder: Path, kw: dict, add, pos, vpos) -> None:
    """``logo: {file: assets/logo.png, place: start}``: the house logo, a PNG or JPEG inside the theme's
    folder (a theme is the operator's file, unlike a report, so its logo may serve every report)."""
    from .loader import logo_image_problem

    for key in spec:
        if key not in ("file", "place"):
            add(pos(spec, key), f"logo.{key}", f"unknown key '{key}'{suggest(key, ('file', 'place'))}; use file "
                "or place")
    place = spec.get("place", "start")
    if place not in LOGO_PLACES:
        add(vpos(spec, "place"), "logo.place", f"'{place}' is not one of {', '.join(LOGO_PLACES)}"
            f"{suggest(place, LOGO_PLACES)}")
    else:
        kw["logo"] = place
    file = spec.get("file")
    if file is None:
        return
    at = vpos(spec, "file")
    if not isinstance(file, str) or not file:
        add(at, "logo.file", "expected the path of a PNG or JPEG file")
        return
    target = (folder / file).resolve()
    if not target.is_relative_to(folder):
        add(at, "logo.file", f"'{file}' is outside the theme's folder; the logo must be inside it")
    elif target.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        add(at, "logo.file", f"'{file}' must be a PNG or JPEG image (export the logo as a PNG about 300 "
            "pixels high: it is drawn 11 mm high)")
    elif target.exists() and not target.is_file():
        add(at, "logo.file", f"'{file}' is not a regular file")
    elif not target.is_file():
        add(at, "logo.file", f"'{file}' does not exist (relative to the theme's folder)")
    else:
        problem = logo_image_problem(target, file)
        if problem:
            add(at, "logo.file", problem)
        else:
            kw["logo_file"] = target


def _family(spec, where, folder, parent, role, add, pos, vpos) -> Family | None:
    from fontTools.ttLib import TTFont, TTLibError

    if isinstance(spec, str):
        spec = {"regular": spec}
        given = {"regular": (vpos(parent, role), spec["regular"])}
    elif isinstance(spec, dict):
        given = {}
        for face, file in spec.items():
            if face not in FACES:
                add(pos(spec, face), f"{where}.{face}", f"unknown face '{face}'; use {', '.join(FACES)}")
            else:
                given[face] = (vpos(spec, face), file)
    else:
        add(vpos(parent, role), where, "expected a font file, or {regular: ..., bold: ..., italic: ..., bold-italic: ...}")
        return None
    if "regular" not in given:
        add(vpos(parent, role), where, "a font family needs at least its regular face")
        return None
    faces, names = [], set()
    for face, (at, file) in given.items():
        fw = f"{where}.{face}"
        if not isinstance(file, str) or not file:
            add(at, fw, "expected the path of a TTF or OTF file")
            continue
        target = (folder / file).resolve()
        if not target.is_relative_to(folder):
            add(at, fw, f"'{file}' is outside the theme's folder; fonts must be inside it")
            continue
        if target.suffix.lower() not in (".ttf", ".otf"):
            add(at, fw, f"'{file}' is not a TTF or OTF file")
            continue
        if target.exists() and not target.is_file():
            add(at, fw, f"'{file}' is not a regular file")
            continue
        if not target.is_file():
            add(at, fw, f"'{file}' does not exist (relative to the theme's folder)")
            continue
        if target.stat().st_size > MAX_FONT_BYTES:
            add(at, fw, f"'{file}' is larger than {MAX_FONT_BYTES // 1_000_000} MB")
            continue
        try:
            with open(target, "rb") as fh:
                font = TTFont(fh, lazy=True)
                family = font["name"].getBestFamilyName()
                font["cmap"]  # noqa: B018 (a font with no character map cannot be used)
        except (TTLibError, KeyError, OSError, AssertionError, ValueError, struct.error) as e:
            why = ("it has no character map" if isinstance(e, KeyError) else
                   "it cannot be read" if isinstance(e, OSError) else "it is damaged or not a font")
            add(at, fw, f"'{file}' is not a usable font: {why} (use a TTF or OTF file as its foundry ships it)")
            continue
        names.add(family)
        faces.append((face, target))
    if not faces or len(faces) != len(given):
        return None
    if len(names) > 1:
        add(vpos(parent, role), where, f"the faces belong to different families: {', '.join(sorted(names))}")
        return None
    return Family(names.pop(), tuple(faces))

