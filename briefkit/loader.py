"""Report file → validated, frozen model: decoding, YAML/JSON parsing with positions, and every rule of the format."""
from __future__ import annotations

import dataclasses
import difflib
import json
import re
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem, ReportError
from .inline import parse as parse_inline
from .model import (RTL_LANGUAGES, Actor, Area, Author, BulletList, Meta, Para, PartialDate, Publisher, Quote,
                    Report, Section, Source, SourceRef, TimelineEvent)
from .links import URL_PATTERN, host_problem, with_scheme
from .teach import date_fix, enum_hint, json_hint, number_fix, suggest, syntax_hint, valid_ids

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
"""Nodes after alias expansion: a 'billion laughs' file stops here instead of eating memory."""
MAX_CHARS = 10_000_000
"""Characters of keys and values after alias expansion: one long string aliased many times stops here."""
MAX_DEPTH = 50
LOGO_TYPES = {".png", ".jpg", ".jpeg"}
MAX_LOGO_BYTES = 5 * 1024 * 1024
MAX_LOGO_PIXELS = 8_000_000
"""A logo prints 11 mm high (about 300 pixels are enough); each million pixels costs a build about 8 MB while
WeasyPrint decodes it, so 8 million keeps a hostile logo inside a worker's memory budget."""
MAX_LOGO_SIDE = 10_000

_CORE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map",
                                                   "timestamp")}
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\ud800-\udfff]")
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")

Path_ = tuple  # a location inside the report: ('areas', 2, 'relation')


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


@dataclass
class _Doc:
    """Parsed data plus where each value and key sits in the file (1-based line, col)."""

    data: Any = None
    values: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    nulls: set = field(default_factory=set)
    """Keys given with an empty or ``~`` value: treated as absent."""
    numbers: dict = field(default_factory=dict)
    """Where a plain scalar resolved to a number: its text as typed (for places that expect text)."""
    nodes: dict = field(default_factory=dict)
    """Path → scalar node, to place a problem at a character inside a value."""
    source: Any = None
    """The file's text (a SourceText), None for a report given as a mapping."""
    order: dict = field(default_factory=dict)
    """A mapping's paths (as printed) in its own order: its problems, all at 0:0, are listed in that order."""
    json: bool = False


class _Collector:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.doc = _Doc()
        self.skip: set[Path_] = set()
        """Paths already reported (e.g. a refused YAML tag): no further problems below them."""
        self.theme_glyphs: frozenset[str] = frozenset()
        """Characters the report's theme draws: covered (briefkit.house.theme_glyphs)."""
        self.notes: list[Problem] = []
        """Advice that does not make the report invalid (see ``Report.notices``)."""

    def at(self, pos: tuple[int, int], path: Path_, message: str) -> None:
        self.problems.append(Problem(self.file, pos[0], pos[1], format_path(path), message))

    def add(self, path: Path_, message: str, *, key: bool = False) -> None:
        if any(path[:len(s)] == s for s in self.skip):
            return
        pos = None
        if key:
            pos = self.doc.keys.get(path)
        if pos is None:
            p = path
            while pos is None and p:
                pos = self.doc.values.get(p)
                p = p[:-1]
            pos = pos or self.doc.values.get((), (1, 1))
        self.at(pos, path, message)


_suggest = suggest


# ---- reading and parsing ------------------------------------------------------------------------

def _decode(raw: bytes, c: _Collector) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:2]:
        c.at((1, 1), (), "the file is UTF-16 (or another wide encoding): save it as UTF-8 (in Notepad: Save As, "
                         "Encoding: UTF-8)")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        before = raw[:e.start]
        line = before.count(b"\n") + 1
        col = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        hint = ""
        try:
            legacy = raw.decode("cp1256")
        except UnicodeDecodeError:
            legacy = ""
        # Arabic letters as an Arabic Windows saves them, and none as UTF-8 writes them (then one stray byte)
        if len(re.findall("[\u0621-\u064a]", legacy)) >= 2 and not re.search(rb"[\xd8-\xdb][\x80-\xbf]", raw):
            hint = ("; it looks like Windows-1256 (\"ANSI\" on an Arabic Windows): save it as UTF-8 (in Notepad: "
                    "Save As, Encoding: UTF-8)")
        c.at((line, col), (), f"the file is not valid UTF-8: byte 0x{raw[e.start]:02X} at offset {e.start}{hint}")
        return None


def _compose(text: str, c: _Collector, is_json: bool):
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    try:
        from ruamel.yaml.composer import MaxDepthExceededError
    except ImportError:  # ruamel.yaml < 0.18.7 has no depth limit: RecursionError below stands in
        MaxDepthExceededError = _TooBig

    if is_json:
        try:
            json.loads(text)
        except json.JSONDecodeError as e:
            c.at((e.lineno, e.colno), (), f"JSON syntax error: {e.msg}{json_hint(e.msg)}")
            return None
        except RecursionError:
            c.at((1, 1), (), f"the file nests deeper than {MAX_DEPTH} levels")
            return None
    try:
        yaml = YAML(typ="rt")
        yaml.Composer = _budget_composer(yaml.Composer)
        yaml.max_depth = MAX_DEPTH + 2  # stop composing 10,000 levels early (the converter words the error)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nothing ruamel says reaches the terminal raw
            return yaml.compose(text)
    except _TooBig as e:
        c.at(e.pos, (), str(e))
    except ReaderError as e:
        c.at(_offset_pos(text, e.position), (), _reader_message(e))
    except MaxDepthExceededError as e:
        mark = e.problem_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        c.at(where, (), f"the file nests deeper than {MAX_DEPTH} levels")
    except MarkedYAMLError as e:
        mark, hint, what = syntax_hint(e, text)
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = what or ": ".join(x for x in (e.context, e.problem) if x)
        c.at(where, (), f"{'JSON' if is_json else 'YAML'} syntax error: {what}{hint}")
    except YAMLError as e:
        c.at((1, 1), (), f"{'JSON' if is_json else 'YAML'} syntax error: {e}")
    except RecursionError:
        c.at((1, 1), (), f"the file nests deeper than {MAX_DEPTH} levels")
    return None


def _offset_pos(text: str, offset: int) -> tuple[int, int]:
    """(line, col), 1-based, of a character offset into the text."""
    offset = max(0, min(offset, len(text)))
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _reader_message(e) -> str:
    ch = e.character if isinstance(e.character, str) else chr(e.character)
    return f"the file contains a character that is not allowed: {_char_names([ch])}"


def _convert(node, c: _Collector) -> Any:
    """ruamel node graph → plain data, recording positions; checks tags, duplicate keys and size."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    budget = [MAX_NODES]
    chars = [MAX_CHARS]

    def pos(n) -> tuple[int, int]:
        return (n.start_mark.line + 1, n.start_mark.column + 1)

    def walk(n, path: Path_, depth: int):
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooBig(f"the report expands to more than {MAX_NODES} values "
                          "(aliases referencing aliases?): refusing to load it")
        if depth > MAX_DEPTH:
            raise _TooBig(f"the report nests deeper than {MAX_DEPTH} levels")
        c.doc.values.setdefault(path, pos(n))
        tag = n.tag if isinstance(n.tag, str) else getattr(n.tag, "value", str(n.tag))
        if tag not in _CORE_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            c.add(path, f"YAML tag '{shown}' is not allowed: reports use plain values only")
            c.skip.add(path)
            return None
        if isinstance(n, ScalarNode):
            chars[0] -= len(n.value) if isinstance(n.value, str) else 1
            if chars[0] < 0:
                raise _TooBig(f"the report expands to more than {MAX_CHARS:,} characters "
                              "(one text referenced by many aliases?): refusing to load it")
            c.doc.nodes[path] = n
            return _scalar(n, tag, c, path)
        if isinstance(n, SequenceNode):
            return [walk(item, path + (i,), depth + 1) for i, item in enumerate(n.value)]
        if isinstance(n, MappingNode):
            out: dict = {}
            for knode, vnode in n.value:
                if not isinstance(knode, ScalarNode):
                    c.at(pos(knode), path, "a key must be plain text, not a list or mapping")
                    continue
                key = knode.value
                if key == "<<":
                    c.at(pos(knode), path, "YAML merge keys (<<) are not supported: write the keys out")
                    continue
                kpath = path + (key,)
                if key in out:
                    first = c.doc.keys.get(kpath, (0, 0))
                    c.at(pos(knode), kpath, f"duplicate key '{key}' (first given at line {first[0]})")
                    continue
                c.doc.keys[kpath] = pos(knode)
                if vnode.tag == "tag:yaml.org,2002:null" and vnode.value == "":
                    c.doc.values[kpath] = pos(knode)  # an empty value has no position of its own
                value = walk(vnode, kpath, depth + 1)
                if value is None and isinstance(vnode, ScalarNode) and kpath not in c.skip:
                    c.doc.nulls.add(kpath)  # `subtitle:` or `subtitle: ~` means the key is absent
                    continue
                out[key] = value
            return out
        return None  # pragma: no cover

    return walk(node, (), 0)


class _TooBig(Exception):
    def __init__(self, message: str, pos: tuple[int, int] = (1, 1)):
        super().__init__(message)
        self.pos = pos


def _too_many_chars(pos: tuple[int, int] = (1, 1)) -> _TooBig:
    return _TooBig(f"the report expands to more than {MAX_CHARS:,} characters "
                   "(one text referenced by many aliases?): refusing to load it", pos)


def _budget_composer(base):
    """ruamel's composer, counting characters as it goes (an alias counts its whole anchored value), so an
    amplifying file stops at the alias that crosses the budget instead of after composing everything."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    class Composer(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.warn_double_anchors = False  # YAML lets a later anchor take the name; no raw warning
            self.chars = MAX_CHARS
            self.sizes: dict[int, int] = {}

        def spend(self, n: int, mark) -> None:
            self.chars -= n
            if self.chars < 0:
                raise _too_many_chars((mark.line + 1, mark.column + 1) if mark else (1, 1))

        def compose_scalar_node(self, anchor):
            node = super().compose_scalar_node(anchor)
            self.spend(len(node.value), node.start_mark)
            return node

        def compose_node(self, parent, index):
            from ruamel.yaml.events import AliasEvent

            if self.parser.check_event(AliasEvent):
                self.alias_mark = self.parser.peek_event().start_mark
            return super().compose_node(parent, index)

        def return_alias(self, a):
            self.spend(self.size(a), getattr(self, "alias_mark", None))
            return super().return_alias(a)

        def size(self, node) -> int:
            # Iterative, memoised per node; a node that contains itself is a budget failure too.
            done, todo, open_ = self.sizes, [node], set()
            while todo:
                n = todo[-1]
                if id(n) in done:
                    todo.pop()
                    continue
                if isinstance(n, ScalarNode):
                    done[id(n)] = len(n.value)
                    todo.pop()
                    continue
                kids = [x for pair in n.value for x in pair] if isinstance(n, MappingNode) else \
                    list(n.value) if isinstance(n, SequenceNode) else []
                waiting = [k for k in kids if id(k) not in done]
                if not waiting:
                    done[id(n)] = min(sum(done[id(k)] for k in kids) + 1, MAX_CHARS + 1)
                    open_.discard(id(n))
                    todo.pop()
                    continue
                if id(n) in open_:
                    raise _too_many_chars()
                open_.add(id(n))
                todo.extend(waiting)
            return done[id(node)]

    return Composer


def _scalar(n, tag: str, c: _Collector | None = None, path: Path_ = ()):
    v = n.value
    if c is not None and n.style is None and (tag.endswith(":int") or tag.endswith(":float")):
        c.doc.numbers[path] = v
    if tag.endswith(":int") and n.style is None:
        try:
            return int(v, 0) if not v.lstrip("+-").isdigit() else int(v)
        except ValueError:
            return v
    if tag.endswith(":float") and n.style is None:
        try:
            return float(v)
        except ValueError:
            return v
    if tag.endswith(":bool") and n.style is None:
        return v.lower() == "true"
    if tag.endswith(":null") and n.style is None:
        return None
    if n.style == ">":
        v = v.replace("\a", "")  # ruamel's round-trip scanner marks fold points with BEL; nobody typed it
    return v  # strings, and timestamps kept as typed (dates are validated as text)


# ---- structure (JSON Schema) --------------------------------------------------------------------

def _describe(value) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "a mapping", "null": "nothing"}


def _pattern_message(pattern: str, value) -> str:
    from . import schema as S

    if pattern == S.SLUG:
        from .schema import SLUG_MAX

        hint = _SLUG_CHARS.sub("-", str(value).lower()).strip("-")
        hint = hint if len(hint) <= SLUG_MAX else hint[:SLUG_MAX].rsplit("-", 1)[0]
        return (f"'{value}' is not a valid id: use lowercase Latin letters, digits and single hyphens"
                + (f" (like '{hint}')" if hint else ""))
    if pattern == S.DATE:
        return f"'{value}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD{date_fix(value)}"
    if pattern == S.COLOR:
        return f"'{value}' is not a colour: write #RGB or #RRGGBB"
    if pattern == S.LANG:
        fixed = str(value).replace("_", "-")
        hint = f" (write '{fixed}')" if fixed != value and re.fullmatch(S.LANG, fixed) else ""
        return f"'{value}' is not a language tag like ar, ar-SY, fa or en{hint}"
    if pattern == S.URL:
        why = host_problem(str(value))
        if why:
            return f"'{value}' {why}"
        fixed = with_scheme(str(value))
        if fixed:
            return (f"'{value}' is not an allowed address: write it with its scheme, like '{fixed}' "
                    "(only http, https and mailto links are allowed)")
        return f"'{value}' is not an allowed address: only http, https and mailto links are allowed"
    return f"'{value}' does not match {pattern}"  # pragma: no cover


def _schema_problems(data, c: _Collector) -> None:
    import jsonschema

    from .schema import SCHEMA

    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = list(validator.iter_errors(data))
    for _ in range(MAX_DEPTH):  # a fixed key may hold a misspelt key of its own: look again
        if not (errors and _respell(errors, c)):
            break
        errors = list(validator.iter_errors(data))
    if errors and _numbers_as_text(data, errors, c):
        errors = list(validator.iter_errors(data))
    for err in errors:
        _report_schema_error(err, c)


def _respell(errors, c: _Collector) -> bool:
    """A misspelt key (``positons:``) is reported once, then read as the key it was meant to be, so the
    problems inside it are found in the same run rather than after the fix. True when a key was renamed."""
    renamed = False
    for err in errors:
        if err.validator != "additionalProperties" or not isinstance(err.instance, dict):
            continue
        path, inst = tuple(err.absolute_path), err.instance
        allowed = list(err.schema.get("properties", {}))
        for key in [k for k in inst if k not in allowed]:
            match = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if not match or match[0] in inst:
                continue
            c.add(path + (key,), f"unknown key '{key}'{_suggest(key, allowed)}", key=True)
            _rename(inst, key, match[0])
            _alias(c, path + (key,), path + (match[0],))
            renamed = True
    return renamed


def _rename(mapping: dict, old: str, new: str) -> None:
    items = [((new if k == old else k), v) for k, v in mapping.items()]
    mapping.clear()
    mapping.update(items)


def _alias(c: _Collector, old: Path_, new: Path_) -> None:
    # The fixed key's values keep the places they have in the file.
    n = len(old)
    for table in (c.doc.values, c.doc.keys, c.doc.numbers, c.doc.nodes):
        for p in [p for p in table if p[:n] == old]:
            table[new + p[n:]] = table[p]
    c.doc.nulls |= {new + p[n:] for p in c.doc.nulls if p[:n] == old}
    c.skip |= {new + p[n:] for p in c.skip if p[:n] == old}


def _numbers_as_text(data, errors, c: _Collector) -> bool:
    """Where text is expected and YAML read a number (``title: 2030``, ``1e999``), keep the text as typed."""
    def every(errs):
        for e in errs:
            yield e
            yield from every(e.context or ())

    changed = False
    for e in every(errors):
        path = tuple(e.absolute_path)
        want = e.validator_value if e.validator == "type" else ()
        if "string" in want and path in c.doc.numbers and isinstance(e.instance, (int, float)) \
                and not isinstance(e.instance, bool) and "integer" not in want:
            parent = data
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = c.doc.numbers.pop(path)
            changed = True
    return changed


def _report_schema_error(err, c: _Collector) -> None:
    path = tuple(err.absolute_path)
    v = err.validator
    inst = err.instance
    if v in ("oneOf", "anyOf"):
        branches: dict[int, list] = {}
        for sub in err.context:
            branches.setdefault(sub.schema_path[0], []).append(sub)
        plausible = [errs for errs in branches.values()
                     if not any(e.validator == "type" and tuple(e.absolute_path) == path for e in errs)]
        if plausible:
            for sub in min(plausible, key=len):
                _report_schema_error(sub, c)
        else:
            in_body = len(path) >= 2 and path[-2] == "body"
            wanted = ("a paragraph (text), {quote: ..., by: ...} or {list: [...]}" if in_body
                      else "Markdown text or a list of blocks" if path and path[-1] == "body"
                      else "text or a list of text")
            c.add(path, f"expected {wanted}, got {_describe(inst)}{_type_hint(inst, path, c)}")
        return
    if v == "additionalProperties":
        allowed = list(err.schema.get("properties", {}))
        for key in sorted(set(inst) - set(allowed), key=lambda k: list(inst).index(k)):
            if allowed:
                c.add(path + (key,), f"unknown key '{key}'{_suggest(key, allowed)}", key=True)
            else:  # pragma: no cover
                c.add(path + (key,), f"unexpected key '{key}'", key=True)
        return
    if v == "required":
        missing = [k for k in err.validator_value if k not in inst]
        for key in missing:
            if path + (key,) in c.doc.nulls:  # `title:` (or `title: # a comment`): say what it needs
                from .schema import SCHEMA

                prop = err.schema.get("properties", {}).get(key, {})
                prop = SCHEMA["$defs"].get(prop.get("$ref", "").rsplit("/", 1)[-1], prop)
                want = prop.get("type")
                want = [want] if isinstance(want, str) else want or []
                names = " or ".join(_TYPE_NAMES[w] for w in want if w != "integer" or "string" not in want)
                c.add(path + (key,), f"expected {names or 'a value'}, got nothing (an empty value)"
                                     f"{_type_hint(None, path + (key,), c)}", key=True)
            else:
                c.add(path, f"missing required key '{key}'")
        return
    if v == "type":
        want = err.validator_value
        want = [want] if isinstance(want, str) else want
        names = " or ".join(_TYPE_NAMES[w] for w in want if w != "integer" or "string" not in want)
        bounds = err.schema if isinstance(err.schema, dict) else {}
        if want == ["integer"] and "minimum" in bounds and "maximum" in bounds:
            names += f" from {bounds['minimum']} to {bounds['maximum']}"      # intensity: high → 1 to 5
        extra = ""
        got = _describe(inst)
        if path in c.doc.numbers and isinstance(inst, (int, float)) and not isinstance(inst, bool):
            got = f"the number {c.doc.numbers[path]}"  # as typed: 1e999, not inf
        if "string" in want and isinstance(inst, (int, float)):
            shown = str(inst).lower() if isinstance(inst, bool) else c.doc.numbers.get(path, inst)
            extra = f' (put it in quotes: "{shown}")'
        elif "string" in want:
            extra = _type_hint(inst, path, c)
        elif isinstance(inst, str):
            extra = number_fix(inst)
        c.add(path, f"expected {names}, got {got}{extra}")
        return
    if v == "enum":
        options = err.validator_value
        c.add(path, f"'{inst}' is not one of {', '.join(options)}{enum_hint(inst, options) or _suggest(inst, options)}")
        return
    if v == "const":
        shown = f"'{inst}'" if isinstance(inst, str) else _describe(inst) if isinstance(inst, (bool, list, dict)) \
            else c.doc.numbers.get(path, inst)
        c.add(path, f"unsupported format version {shown}: this briefkit reads version 1")
        return
    if v == "pattern":
        c.add(path, _pattern_message(err.validator_value, inst))
        return
    if v == "minLength":
        c.add(path, "must not be empty")
        return
    if v == "maxLength":
        n, limit = len(inst), err.validator_value
        if err.schema.get("pattern"):
            if re.fullmatch(err.schema["pattern"], inst):   # else the pattern's line says it all
                c.add(path, f"is {n} characters long: an id is at most {limit} (it names the output files)")
        else:
            c.add(path, f"is {n:,} characters long: a title, name, region or heading is at most {limit} (longer "
                        "text belongs in a summary or a section's body)")
        return
    if v == "maxItems":
        c.add(path, f"has {len(inst):,} items: at most {err.validator_value} are allowed here")
        return
    if v == "minItems":
        n = err.validator_value
        what = {"actors": "a brief needs at least two actors", "areas": "a brief needs at least one area"}
        c.add(path, what.get(path[-1] if path else "", f"needs at least {n} item{'s' if n > 1 else ''}"))
        return
    if v in ("minimum", "maximum"):
        c.add(path, f"{inst} is out of range: use a whole number from 1 to 5")
        return
    c.add(path, err.message)  # pragma: no cover - every validator the schema uses is handled above


def _char_at(c: _Collector, pos) -> str:
    if c.doc.source is None or not pos:
        return ""
    lines = c.doc.source.text.splitlines()
    return lines[pos[0] - 1][pos[1] - 1:pos[1]] if pos[0] <= len(lines) else ""


def _type_hint(inst, path: Path_, c: _Collector) -> str:
    """Why text came out as something else: the two YAML habits that do it."""
    if isinstance(inst, dict) and len(inst) == 1 and next(iter(inst)) not in ("quote", "list") \
            and _char_at(c, c.doc.values.get(path)) != "{":
        return " (an unquoted ': ' in text starts a key: put the whole text in quotes)"
    if inst is None and c.doc.source is not None and path in c.doc.keys:
        line = c.doc.source.text.splitlines()[c.doc.keys[path][0] - 1]
        if re.search(r":\s+#", line):
            return ": text starting with '#' is a YAML comment, put the text in quotes"
    return ""


# ---- meaning (references, text, dates, paths) ---------------------------------------------------

def _walk_strings(value, path: Path_):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_strings(v, path + (i,))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk_strings(v, path + (k,))


def _char_names(found) -> str:
    """The characters' names, and how to get rid of them: they are invisible, so an editor cannot see
    what to delete."""
    kinds = {"Cs": "lone surrogate", "Cn": "non-character"}
    chars = sorted(set(found))
    names = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '') or kinds.get(unicodedata.category(ch), 'control character')}"
                      for ch in chars)
    direction = [ch for ch in chars if "\u202a" <= ch <= "\u202e"]
    if direction and len(direction) == len(chars):
        return (names + "; these invisible direction controls come with text copied from a web page or a "
                "word processor: delete them (briefkit sets the direction of Latin text itself)")
    if all(unicodedata.category(ch) == "Cc" for ch in chars):
        if len(chars) > 1:
            return names + ("; delete them (they are invisible: text copied from a PDF or a terminal often "
                            "carries such characters)")
        return names + "; delete it (it is invisible: text copied from a PDF or a terminal often carries one)"
    return names + ("; delete them (text copied from a web page, a PDF or a terminal carries such invisible "
                    "characters" + ("; briefkit sets the direction of Latin text itself)" if direction else ")"))


def _at_char(c: _Collector, path: Path_, value: str, index: int, message: str) -> None:
    """A problem at one character of a value: its own line:col when the file is known."""
    node = c.doc.nodes.get(path)
    if node is None or c.doc.source is None or any(path[:len(s)] == s for s in c.skip):
        c.add(path, message)
        return
    from .sourcemap import scalar_locator

    c.at(scalar_locator(node, c.doc.source, value)(index), path, message)


def _typed_controls(text: str) -> tuple[str, list[tuple[int, str]]]:
    """Characters YAML refuses to read (C0/C1 controls typed in the file): where they are, and the text with
    each replaced by U+FFFD so that parsing goes on and the problem can be placed at its value."""
    from ruamel.yaml.reader import Reader

    found = [(m.start(), m.group()) for m in Reader.NON_PRINTABLE.finditer(text)]
    if found:
        text = Reader.NON_PRINTABLE.sub("\ufffd", text)
    return text, found


# Only where a key or a list item follows: inside a block of prose a non-breaking space is the text's own.
_KEY = r"[A-Za-z_][\w-]*:"
_NBSP_INDENT = re.compile(rf"(?m)^[ ]*\u00a0[ \u00a0]*(?=-[ \u00a0]|{_KEY}(?:[ \u00a0]|$))")
_NBSP_AFTER_KEY = re.compile(rf"(?m)^([ \u00a0]*(?:-[ ]+)*{_KEY})\u00a0")


def _structural_nbsp(text: str, c: _Collector) -> str:
    """A non-breaking space pasted from Word or the web where YAML needs a plain one (indentation, the space
    after 'key:') silently changes the structure («unknown key ' title'»). Say so at its place, and read
    it as a space (one character for one) so the rest of the report is checked as it was meant."""
    chars = list(text)
    prose = _block_scalar_lines(text)
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    import bisect

    def in_prose(offset: int) -> bool:
        return bisect.bisect_right(starts, offset) - 1 in prose

    for m in _NBSP_INDENT.finditer(text):
        if in_prose(m.start()):
            continue
        c.at(c.doc.source.pos(m.start() + m.group().index("\u00a0")), (),
             "this line is indented with a non-breaking space (U+00A0, pasted from Word or the web): indent "
             "with plain spaces")
        for k in range(m.start(), m.end()):
            chars[k] = " "
    for m in _NBSP_AFTER_KEY.finditer(text):
        if in_prose(m.start()):
            continue
        c.at(c.doc.source.pos(m.end() - 1), (),
             f"the space after '{m.group(1).strip().lstrip('- ')}' is a non-breaking space (U+00A0, pasted from "
             "Word or the web): type a plain space")
        chars[m.end() - 1] = " "
    return "".join(chars)


def _block_scalar_lines(text: str) -> set[int]:
    """0-based numbers of the lines inside YAML block scalars (``key: |`` and the lines indented under it)."""
    inside, indent, out = False, 0, set()
    for n, line in enumerate(text.split("\n")):
        body = line.lstrip(" \u00a0")
        depth = len(line) - len(body)
        if inside and (not body or depth > indent):
            out.add(n)
            continue
        inside = bool(re.search(r"(?:^|[:\-][ \u00a0]+)[|>][+-]?\d?[ \t]*(?:#.*)?$", body))
        indent = depth
    return out


def _report_typed_controls(found: list[tuple[int, str]], c: _Collector) -> None:
    import bisect

    # Scalars are leaves: their spans never overlap, so a sorted list of starts finds each one's value.
    spans = sorted(((n.start_mark.index, n.end_mark.index, path) for path, n in c.doc.nodes.items()),
                   key=lambda s: s[:2])
    starts = [s[0] for s in spans]
    by_path: dict = {}
    for offset, ch in found:
        k = bisect.bisect_right(starts, offset) - 1
        inside = k >= 0 and spans[k][0] <= offset < spans[k][1]
        by_path.setdefault(spans[k][2] if inside else None, []).append((offset, ch))
    for path, chars in by_path.items():
        names = _char_names(ch for _, ch in chars)
        where = c.doc.source.pos(chars[0][0])
        if path is not None and _restore_typed(path, dict(chars), c):
            continue    # the value holds its characters again: the text check names them, once
        if path is None:
            c.at(where, (), f"the file contains characters that are not allowed: {names}")
        else:
            c.at(where, path, f"text contains characters that are not allowed: {names}")


def _restore_typed(path: Path_, typed: dict[int, str], c: _Collector) -> bool:
    """Put the characters YAML could not read back into their value, so that every message quoting it shows
    them (as \\x1b, not as the U+FFFD they were parsed as). False when the value's U+FFFDs do not line up
    one for one with its span's (an escape such as "\\uFFFD" typed in quotes)."""
    node = c.doc.nodes.get(path)
    if node is None or c.doc.data is None:
        return False
    parent, key = c.doc.data, None
    for step in path:
        if key is not None:
            parent = parent[key]
        key = step
    value = parent[key] if isinstance(parent, (dict, list)) and key is not None else None
    if not isinstance(value, str):
        return False
    span = c.doc.source.text[node.start_mark.index:node.end_mark.index]
    chars = [typed.get(node.start_mark.index + i, "\ufffd") for i, ch in enumerate(span) if ch == "\ufffd"]
    pieces = value.split("\ufffd")
    if len(pieces) != len(chars) + 1:
        return False
    parent[key] = "".join(p + ch for p, ch in zip(pieces, chars + [""]))
    return True


_PLAIN_FIELDS = (("meta", "title"), ("meta", "subtitle"), ("meta", "kicker"), ("meta", "publisher", "name"),
                 ("meta", "authors", "*", "name"), ("actors", "*", "name"), ("areas", "*", "title"),
                 ("areas", "*", "region"), ("sections", "*", "heading"), ("sources", "*", "title"),
                 ("sources", "*", "publisher"))
"""Text printed as typed: markup written in them would show its marks."""
_NOTE_CALL = re.compile(r"\[\^[^\]\s]+\]")
_STRONG = re.compile(r"\*\*[^*\s][^*]*\*\*|__[^_\s][^_]*__")


def _check_plain_markup(path: Path_, s: str, c: _Collector) -> None:
    from .coverage import _matches

    if not any(_matches(path, p) for p in _PLAIN_FIELDS):
        return
    m = _NOTE_CALL.search(s)
    if m:
        _at_char(c, path, s, m.start(), f"a footnote {m.group(0)} works only in prose (summary, takeaways, "
                 "body, positions, timeline events): this field is printed as typed, so move it there")
    m = _STRONG.search(s)
    if m:
        _at_char(c, path, s, m.start(), f"'{m.group(0)[:2]}' would be printed as typed: this field is plain "
                 "text (bold and italics work in prose); remove the marks")


def _check_text(data, c: _Collector) -> None:
    for path, s in _walk_strings(data, ()):
        _check_plain_markup(path, s, c)
        first = _FORBIDDEN.search(s)
        if first:
            _at_char(c, path, s, first.start(),
                     f"text contains characters that are not allowed: {_char_names(_FORBIDDEN.findall(s))}")
    if isinstance(data, dict):
        for key_path in list(c.doc.keys):
            if _FORBIDDEN.search(str(key_path[-1])):
                c.add(key_path, "key contains a control character", key=True)
    _fold_tabs(data)


def _fold_tabs(value):
    """A tab pasted between words (a Word table's cell) is a space, so both formats print it alike: the DOCX
    would show a tab stop where the PDF shows a space. A line's leading tabs stay (Markdown indentation), and
    the text keeps its length, so problems found later keep their columns."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in list(items):
        if isinstance(v, str) and "\t" in v:
            value[k] = "\n".join(line[:len(line) - len(line.lstrip(" \t"))]
                                 + line.lstrip(" \t").replace("\t", " ") for line in v.split("\n"))
        elif isinstance(v, (dict, list)):
            _fold_tabs(v)


def _date(value, path: Path_, c: _Collector) -> PartialDate | None:
    if value is None:
        return None
    text = str(value)
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not m:
        if isinstance(value, int) and not isinstance(value, bool):  # text is checked by the schema
            c.add(path, f"'{text}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD{date_fix(text)}")
        return None
    y, mo, d = (int(g) if g else None for g in m.groups())
    if y < 1:
        c.add(path, f"'{text}' is not a date: there is no year 0000")
        return None
    if mo is not None and not 1 <= mo <= 12:
        c.add(path, f"'{text}' is not a date: month {mo} does not exist")
        return None
    if d is not None:
        import calendar

        if not 1 <= d <= calendar.monthrange(y, mo)[1]:
            c.add(path, f"'{text}' is not a date: {y}-{mo:02d} has no day {d}")
            return None
    if path in (("meta", "date"), ("meta", "source", "accessed")) and 1300 <= y < 1500:
        # today's date as a Persian or Arabic calendar gives it (1403-02-23, 1445-10-12) reads as a year AD
        pos = c.doc.values.get(path, (0, 0))
        c.notes.append(Problem(c.file, pos[0], pos[1], format_path(path),
                               f"note: the year {y} is read as {y} AD: if '{text}' is a Solar Hijri or Hijri date, "
                               "write the Gregorian one (briefkit dates a brief in the Gregorian calendar)"))
    return PartialDate(y, mo, d)


def _note_out_of_order(d: PartialDate, i: int, before: list, c: _Collector) -> None:
    """A timeline prints in the order written: say when an event is dated before one written above it
    (compared as far as both dates go: 2019 and 2019-10 are in order either way)."""
    def parts(x):
        return [v for v in (x.year, x.month, x.day) if v]

    later = [e for e in before if (lambda a, b: a[:len(b)] > b[:len(a)])(parts(e.date), parts(d))]
    if later:
        pos = c.doc.values.get(("timeline", i, "date"), (0, 0))
        c.notes.append(Problem(c.file, pos[0], pos[1], format_path(("timeline", i, "date")),
                               f"note: {d.iso()} comes after {later[0].date.iso()}, a later date written above it; "
                               "the timeline prints in the order written"))


def _ids(items, list_name: str, c: _Collector) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        sid = item["id"]
        if sid in seen:
            first = c.doc.values.get((list_name, seen[sid], "id"), (0, 0))
            c.add((list_name, i, "id"), f"duplicate id '{sid}' (already used by {list_name}[{seen[sid]}] "
                                        f"at line {first[0]})")
        else:
            seen[sid] = i
        out.append(sid)
    return out


_SENTENCE_END = re.compile(r"[.!?؟…:](?:[\"'”»)\]]|\[\^[^\]]+\])*[ \t]*$")
"""A line that ends a sentence (a closing quote, bracket or footnote call may follow)."""


class _Builder:
    """Builds the model while checking references; problems go to the collector."""

    def __init__(self, c: _Collector, source_ids: list[str]):
        self.c, self.source_ids = c, source_ids

    def inline(self, value, path: Path_, where=None, line: int = 0):
        if not isinstance(value, str):
            return ()
        if where is None:
            if "\n" in value.strip():
                self._one_paragraph(value, path)
            where = _where(self.c, path, value, prose=False)
        nodes, problems, notes = parse_inline(value)
        for msg in problems:
            self._at(where, line, value, _needle(msg), path, msg)
        for sid in notes:
            if sid not in self.source_ids:
                hint = (_suggest(sid, self.source_ids) + valid_ids(self.source_ids) if self.source_ids
                        else " (the report has no sources)")
                if f"[^{sid}]:" in value:       # Markdown's way: "[^1]: the note's text"
                    hint += ("; a note is written as an entry under sources: (id, title, publisher, date, url), "
                             "not as a '[^id]: text' line")
                self._at(where, line, value, f"[^{sid}]", path,
                         f"footnote [^{sid}] cites an unknown source '{sid}'{hint}")
        return nodes

    def _one_paragraph(self, value: str, path: Path_) -> None:
        """An inline field holds one paragraph: a blank line, list or heading in it would be lost silently."""
        from .inline import blocks

        where = _where(self.c, path, value, prose=True)
        tree = blocks(where.text)
        if len(tree) > 1 or (tree and tree[0][0] != "para"):
            extra = tree[1] if tree[0][0] == "para" else tree[0]
            what = {"para": "a second paragraph", "list": "a list", "quote": "a quote",
                    "heading": "a heading"}[extra[0]]
            message = (f"{what} is not possible here: this field is one paragraph of inline text (paragraphs, "
                       "lists and sub-headings belong in a section's body, the summary or the outlook)")
            if where.locate is None:
                self.c.add(path, message)
            else:
                self.c.at(where.locate(where.find("", extra[1])), path, message)

    def _at(self, where, line: int, src: str, needle: str, path: Path_, message: str) -> None:
        if where.locate is None or any(path[:len(s)] == s for s in self.c.skip):
            self.c.add(path, message)
        else:
            self.c.at(where.locate(where.find(needle, line, src)), path, message)

    def prose(self, value, path: Path_, shape: str) -> list:
        """A prose string (Markdown blocks) → blocks, paragraphs or items, depending on the field's shape."""
        from .prose import ProseConverter

        if not isinstance(value, str):
            return []
        where = _where(self.c, path, value, prose=True)
        field = next((str(p) for p in reversed(path) if isinstance(p, str)), "text")

        def problem(offset: int, message: str) -> None:
            if where.locate is None:
                self.c.add(path, message)
            else:
                self.c.at(where.locate(offset), path, message)

        converter = ProseConverter(where, field, lambda src, w, ln: self.inline(src, path, w, ln), problem)
        out = converter.convert(shape)
        node = self.c.doc.nodes.get(path)
        if getattr(node, "style", None) != ">":     # '>' is YAML's own «fold these lines»: chosen, not pasted
            self._pasted_paragraphs(where, converter.tree, path)
        if not out and value.strip() == "" and value:
            self.c.add(path, "must not be empty")
        return out

    def _pasted_paragraphs(self, where, tree: list, path: Path_) -> None:
        """Word pastes one newline per paragraph, and Markdown joins such lines into one paragraph: when every
        line of a paragraph ends a sentence, say how to keep them apart. ``tree``: the prose's block tree."""
        for block in tree:
            lines = block[2].split("\n") if block[0] == "para" else []
            if len(lines) < 2 or not all(_SENTENCE_END.search(x) for x in lines[:-1]):
                continue
            message = (f"note: these {len(lines)} lines make one paragraph (Markdown joins lines); if they are "
                       "separate paragraphs, as Word pastes them, put a blank line between them")
            pos = where.locate(where.line_start(block[1] + 1)) if where.locate else (0, 0)
            self.c.notes.append(Problem(self.c.file, pos[0], pos[1], format_path(path), message))

    def paragraphs(self, value, path: Path_):
        if isinstance(value, str):
            return tuple(p.inlines for p in self.prose(value, path, "paragraphs"))
        if isinstance(value, list):
            return tuple(p.inlines for i, v in enumerate(value) for p in self.prose(v, path + (i,), "paragraphs"))
        return ()

    def items(self, value, path: Path_):
        if isinstance(value, str):
            return tuple(self.prose(value, path, "items"))
        return tuple(self.inline(v, path + (i,)) for i, v in enumerate(_as_list(value)))

    def body(self, value, path: Path_):
        if isinstance(value, str):
            return tuple(self.prose(value, path, "body"))
        out: list = []
        for j, blk in enumerate(_as_list(value)):
            if isinstance(blk, str):
                out.extend(self.prose(blk, path + (j,), "body"))
            else:
                out.append(self.block(blk, path + (j,)))
        return tuple(out)

    def block(self, value, path: Path_):
        if isinstance(value, str):
            return Para(self.inline(value, path))
        if isinstance(value, dict) and "quote" in value:
            by = value.get("by")
            return Quote(self.inline(value.get("quote"), path + ("quote",)),
                         self.inline(by, path + ("by",)) if by is not None else None)
        if isinstance(value, dict) and "list" in value:
            items = value.get("list") if isinstance(value.get("list"), list) else []
            return BulletList(tuple(self.inline(v, path + ("list", i)) for i, v in enumerate(items)),
                              bool(value.get("ordered", False)))
        return Para(())


def _needle(message: str) -> str:
    """The piece of text an inline problem is about, to find its column."""
    m = re.match(r"link '(.*)' (?:uses|has) ", message) or re.match(r"footnote reference '(.*)' needs", message)
    return m.group(1) if m else ""


def _where(c: _Collector, path: Path_, value: str, *, prose: bool):
    """The text to parse for a value and where its characters sit in the file.

    Markdown prose in a block scalar is read from the lines as typed (folding would join a list's lines);
    in a YAML flow scalar, folding made each blank line a line break, so a line break ends a paragraph.
    """
    from .prose import Located
    from .sourcemap import block_lines, scalar_locator

    node = c.doc.nodes.get(path)
    if node is None or c.doc.source is None:
        return Located(value, None)
    if prose:
        typed = block_lines(node, c.doc.source)
        if typed is not None:
            return Located(*typed)
    locate = scalar_locator(node, c.doc.source, value)
    if not prose or c.doc.json or node.style in ("|", ">") or "\n" not in value:
        return Located(value, locate)
    index, parts = [], []
    for i, ch in enumerate(value):
        parts.append(ch)
        index.append(i)
        if ch == "\n":
            parts.append("\n")
            index.append(i)
    return Located("".join(parts), lambda k: locate(index[max(0, min(k, len(index) - 1))]))


def _whole(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else None


def _as_list(value) -> list:
    return value if isinstance(value, list) else []


def _as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _expand_color(color):
    if isinstance(color, str) and re.fullmatch(r"#[0-9A-Fa-f]{3}", color):
        return "#" + "".join(ch * 2 for ch in color[1:]).upper()
    return color.upper() if isinstance(color, str) else None


def _default_id(file: Path, c: _Collector) -> str:
    if file.name.startswith("<"):
        c.add(("meta",), "a report given as text or a mapping has no file name to take its id from: add meta.id "
                         "(like 'my-brief') or pass name='my-brief.yaml'")
        return "brief"
    slug = stem_id(file.stem)
    if not slug:
        c.add(("meta",), f"the file name '{file.name}' gives no usable id: add meta.id (like 'my-brief')")
    return slug or "brief"


def stem_id(stem: str) -> str | None:
    """The id a file name gives (``Iran Report v2`` → ``iran-report-v2``), or None: a name in another script
    would lose its words and keep only its digits («تقرير إيران (2)» → ``2``, which two copies share)."""
    if any(ch.isalpha() and not ch.isascii() and "LATIN" not in unicodedata.name(ch, "") for ch in stem):
        return None
    return _SLUG_CHARS.sub("-", stem.lower()).strip("-") or None


def _locale_ok(tag: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(tag.replace("-", "_"))
        return True
    except (UnknownLocaleError, ValueError):
        return False


def _logo(value, path: Path_, base: Path, c: _Collector) -> Path | None:
    if not isinstance(value, str) or _FORBIDDEN.search(value):
        return None  # a NUL or a lone surrogate is already reported, and no file system takes it
    try:
        target = _logo_path(value, path, base, c)
    except (OSError, ValueError) as e:
        c.add(path, f"'{value}' cannot be read: {getattr(e, 'strerror', None) or e}")
        return None
    if target is not None and _logo_image_problem(target, value, path, c):
        return None
    return target


def _logo_path(value: str, path: Path_, base: Path, c: _Collector) -> Path | None:
    if not value.strip():
        return None          # the schema's line says it: must not be empty
    rel = Path(value)
    if rel.is_absolute() or value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value):
        c.add(path, f"'{value}' must be a path relative to the report's folder")
        return None
    if "://" in value or value.startswith("file:"):
        c.add(path, f"'{value}' must be a file path inside the report's folder, not an address")
        return None
    folder = base.resolve()
    target = (folder / rel).resolve()
    if not target.is_relative_to(folder):
        c.add(path, f"'{value}' leaves the report's folder")
        return None
    if target.suffix.lower() not in LOGO_TYPES:
        c.add(path, f"'{value}' must be a PNG or JPEG image")
        return None
    if target.exists() and not target.is_file():
        c.add(path, f"'{value}' is not a regular file")
        return None
    if not target.is_file():
        c.add(path, f"'{value}' does not exist (looked in {folder})")
        return None
    if target.stat().st_size > MAX_LOGO_BYTES:
        c.add(path, f"'{value}' is larger than {MAX_LOGO_BYTES // 1024 // 1024} MB")
        return None
    return target


_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


def _logo_image_problem(target: Path, value: str, path: Path_, c: _Collector) -> bool:
    problem = logo_image_problem(target, value)
    if problem:
        c.add(path, problem)
    return problem is not None


def logo_image_problem(target: Path, value: str) -> str | None:
    """What is wrong with a logo file (the report's or a theme's), or None: a real PNG or JPEG of sane
    size. Reads the header only, never the pixels."""
    from PIL import Image

    if target.stat().st_size > MAX_LOGO_BYTES:
        return f"'{value}' is larger than {MAX_LOGO_BYTES // 1024 // 1024} MB"
    with open(target, "rb") as f:
        head = f.read(8)
    kind = next((k for magic, k in _MAGIC.items() if head.startswith(magic)), None)
    if kind is None:
        return f"'{value}' is not a PNG or JPEG image (its first bytes say otherwise)"
    limit = Image.MAX_IMAGE_PIXELS
    try:
        # Only the header is read (and a PNG's chunk checksums): Pillow's own bomb guard would refuse a
        # 20000 × 20000 header before the size rule below could say what is wrong
        Image.MAX_IMAGE_PIXELS = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(target, formats=[kind]) as im:
                width, height = im.size
                if kind == "PNG":
                    im.verify()  # chunk checksums, without decoding the pixels
    except Exception as e:  # noqa: BLE001 - any decoder complaint means a broken file
        why = ("it is cut short" if isinstance(e, (EOFError, OSError)) and "truncat" in str(e).lower()
               else f"its data is not a valid {kind} image")
        return f"'{value}' is not a readable {kind} image: {why} (export it again from an image editor)"
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    if width < 1 or height < 1 or max(width, height) > MAX_LOGO_SIDE or width * height > MAX_LOGO_PIXELS:
        return (f"'{value}' is {width} × {height} pixels: a logo may have at most "
                f"{MAX_LOGO_PIXELS // 1_000_000} million pixels and {MAX_LOGO_SIDE:,} per side")
    return None


def _url_problems(meta_d: dict, data: dict, c: _Collector) -> None:
    """Publisher, source and sources[] addresses follow the link rule of inline links (a host for http/https)."""
    from .inline import link_problem

    found = []
    for key in ("publisher", "source"):
        d = meta_d.get(key)
        if isinstance(d, dict) and isinstance(d.get("url"), str):
            found.append((("meta", key, "url"), d["url"]))
    for i, src in enumerate(_as_list(data.get("sources"))):
        if isinstance(src, dict) and isinstance(src.get("url"), str):
            found.append((("sources", i, "url"), src["url"]))
    for path, url in found:
        why = link_problem(url)
        if why and re.match(URL_PATTERN, url):  # other shapes: the schema's line says it
            c.add(path, why)


def _build(data: dict, file: Path, c: _Collector) -> Report:
    meta_d = _as_dict(data.get("meta"))
    source_ids = _ids(data.get("sources"), "sources", c)
    actor_ids = _ids(data.get("actors"), "actors", c)
    area_ids = _ids(data.get("areas"), "areas", c)
    section_ids = _ids(data.get("sections"), "sections", c)
    b = _Builder(c, source_ids)
    _url_problems(meta_d, data, c)

    lang = meta_d.get("lang") if isinstance(meta_d.get("lang"), str) else "ar"
    locale = meta_d.get("locale") if isinstance(meta_d.get("locale"), str) else lang
    for key, tag in (("lang", lang), ("locale", locale)):
        if isinstance(meta_d.get(key), str) and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag) \
                and not _locale_ok(tag):
            c.add(("meta", key), f"'{tag}' is not a language or locale briefkit knows (like ar, ar-SY, fa, en)")
    primary = lang.split("-")[0].lower()
    direction = meta_d.get("dir") if meta_d.get("dir") in ("rtl", "ltr") else \
        ("rtl" if primary in RTL_LANGUAGES else "ltr")

    authors = []
    for a in _as_list(meta_d.get("authors")):
        if isinstance(a, str):
            authors.append(Author(a))
        elif isinstance(a, dict) and isinstance(a.get("name"), str):
            authors.append(Author(a["name"], a.get("role") if isinstance(a.get("role"), str) else None))
    pub_d = meta_d.get("publisher")
    publisher = None
    if isinstance(pub_d, dict) and isinstance(pub_d.get("name"), str):
        publisher = Publisher(pub_d["name"], pub_d.get("url"),
                              _logo(pub_d.get("logo"), ("meta", "publisher", "logo"), file.parent, c))
    src_d = meta_d.get("source")
    source = None
    if isinstance(src_d, dict) and isinstance(src_d.get("title"), str):
        source = SourceRef(src_d["title"], src_d.get("url"),
                           _date(src_d.get("accessed"), ("meta", "source", "accessed"), c))
    meta_id = meta_d.get("id") if isinstance(meta_d.get("id"), str) else _default_id(file, c)
    meta = Meta(
        id=meta_id,
        title=meta_d.get("title") if isinstance(meta_d.get("title"), str) else "",
        subtitle=meta_d.get("subtitle"), kicker=meta_d.get("kicker"),
        breadcrumb=tuple(x for x in _as_list(meta_d.get("breadcrumb")) if isinstance(x, str)),
        lang=lang, dir=direction, locale=locale,
        date=_date(meta_d.get("date"), ("meta", "date"), c),
        authors=tuple(authors), publisher=publisher, source=source,
        keywords=tuple(x for x in _as_list(meta_d.get("keywords")) if isinstance(x, str)),
        digits=meta_d.get("digits") if meta_d.get("digits") in ("latin", "native") else "latin",
        chart=meta_d.get("chart") is not False,
    )

    actors = tuple(
        Actor(a["id"], a.get("name", ""), tuple(_as_list(a.get("aliases"))), _expand_color(a.get("color")))
        for a in _as_list(data.get("actors")) if isinstance(a, dict) and isinstance(a.get("id"), str))

    areas = []
    for i, a in enumerate(_as_list(data.get("areas"))):
        if not isinstance(a, dict):
            continue
        path = ("areas", i)
        pos_d = _as_dict(a.get("positions"))
        for key in pos_d:
            if key not in actor_ids:
                c.add(path + ("positions", key),
                      f"'{key}' is not an actor id{_suggest(key, actor_ids)}{valid_ids(actor_ids)}",
                      key=True)
        positions = tuple((aid, b.inline(pos_d[aid], path + ("positions", aid)))
                          for aid in actor_ids if aid in pos_d)
        for j, sid in enumerate(_as_list(a.get("sections"))):
            if isinstance(sid, str) and sid not in section_ids:
                c.add(path + ("sections", j),
                      f"'{sid}' is not a section id{_suggest(sid, section_ids)}{valid_ids(section_ids)}")
        areas.append(Area(
            id=a.get("id", ""), title=a.get("title", ""), region=a.get("region", ""),
            relation=a.get("relation", "mixed"),
            intensity=_whole(a.get("intensity")),
            summary=b.inline(a.get("summary"), path + ("summary",)),
            positions=positions,
            sections=tuple(s for s in _as_list(a.get("sections")) if isinstance(s, str)),
        ))

    sections = tuple(
        Section(s.get("id", ""), s.get("heading", ""), b.body(s.get("body"), ("sections", i, "body")))
        for i, s in enumerate(_as_list(data.get("sections"))) if isinstance(s, dict))

    timeline = []
    for i, e in enumerate(_as_list(data.get("timeline"))):
        if not isinstance(e, dict):
            continue
        area = e.get("area")
        if isinstance(area, str) and area not in area_ids:
            c.add(("timeline", i, "area"), f"'{area}' is not an area id{_suggest(area, area_ids)}{valid_ids(area_ids)}")
        d = _date(e.get("date"), ("timeline", i, "date"), c)
        event = b.inline(e.get("event"), ("timeline", i, "event"))
        if d:
            _note_out_of_order(d, i, timeline, c)
            timeline.append(TimelineEvent(d, event, area if isinstance(area, str) else None))

    sources = tuple(
        Source(s["id"], s.get("title", ""), s.get("publisher"), s.get("url"),
               _date(s.get("date"), ("sources", i, "date"), c))
        for i, s in enumerate(_as_list(data.get("sources"))) if isinstance(s, dict) and isinstance(s.get("id"), str))

    return Report(
        meta=meta, actors=actors, areas=tuple(areas), sections=sections,
        takeaways=tuple(b.inline(t, ("takeaways", i)) for i, t in enumerate(_as_list(data.get("takeaways")))),
        summary=b.paragraphs(data.get("summary"), ("summary",)),
        timeline=tuple(timeline),
        outlook=b.paragraphs(data.get("outlook"), ("outlook",)),
        recommendations=b.items(data.get("recommendations"), ("recommendations",)),
        sources=sources,
        path=file,
    )


def _drop_shadowed(problems: list[Problem]) -> None:
    # A misspelt required key ("qoute") is one mistake: keep the "did you mean 'quote'" line and
    # drop the "missing required key 'quote'" it explains.
    explained = set()
    for p in problems:
        m = re.search(r"unknown key '.*' \(did you mean '(.*)'\?\)$", p.message)
        if m:
            explained.add((p.path.rsplit(".", 1)[0] if "." in p.path else "(root)", m.group(1)))
    problems[:] = [p for p in problems
                   if not (p.message.startswith("missing required key '")
                           and (p.path, p.message.split("'")[1]) in explained)]


def _check_coverage(data, report: Report, c: _Collector) -> None:
    # Every printed character must have a glyph in the face and style it is set in (briefkit.coverage).
    from .coverage import problems

    for path, value, index, message in problems(data, report.rtl, c.theme_glyphs):
        if index is None:
            c.add(path, message)
        else:
            _at_char(c, path, value, index, message)


# ---- entry point --------------------------------------------------------------------------------

def load(path, *, theme_glyphs: frozenset[str] = frozenset()) -> Report:
    """Read, parse and validate a report file. Raises ReportError with every problem found."""
    file = Path(path)
    c = _Collector(str(path))
    try:
        if file.stat().st_size > MAX_BYTES:
            c.at((0, 0), (), f"the file is larger than {MAX_BYTES // 1024 // 1024} MB")
            raise ReportError(c.problems)
        raw = file.read_bytes()
    except OSError as e:
        c.at((0, 0), (), f"cannot read the file: {e.strerror or e}")
        raise ReportError(c.problems) from None
    return loads(raw, file, name=str(path), theme_glyphs=theme_glyphs)


def loads(raw, file: Path | str = "report.yaml", *, name: str | None = None,
          theme_glyphs: frozenset[str] = frozenset()) -> Report:
    """Validate a report given as text (bytes or str) or as a mapping; ``file`` gives the format (by suffix;
    text without one is JSON when it parses as JSON) and the folder for logos. A mapping has no lines:
    its problems are placed at 0:0."""
    file = Path(file)
    c = _Collector(name or str(file))
    c.theme_glyphs = theme_glyphs
    try:
        if isinstance(raw, Mapping):
            report = _loads_mapping(raw, file, c)
            text = json.dumps(c.doc.data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
            return dataclasses.replace(report, source=("json", text))
        if not isinstance(raw, (str, bytes, bytearray)):
            c.at((0, 0), (), f"a report is YAML or JSON text (str or bytes) or a mapping, got "
                             f"{type(raw).__name__}")
            raise ReportError(c.problems)
        raw = bytes(raw) if isinstance(raw, bytearray) else raw
        report = _loads(raw, file, c)
        kind = "json" if c.doc.json else "yaml"
        return dataclasses.replace(report, source=(kind, raw.encode("utf-8") if isinstance(raw, str) else raw))
    except ReportError as e:
        # The id its outputs would have had, so a build can remove a stale file of that name.
        meta = c.doc.data.get("meta") if isinstance(c.doc.data, dict) else None
        given = meta.get("id") if isinstance(meta, dict) else None
        e.report_id = given if isinstance(given, str) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", given) \
            else stem_id(file.stem)
        raise


def _loads(raw: bytes | str, file: Path, c: _Collector) -> Report:
    if len(raw) > MAX_BYTES:
        c.at((0, 0), (), f"the file is larger than {MAX_BYTES // 1024 // 1024} MB")
        raise ReportError(c.problems)
    text = raw if isinstance(raw, str) else _decode(raw, c)
    if text is None:
        raise ReportError(c.problems)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        c.at((1, 1), (), "the report is empty")
        raise ReportError(c.problems)
    from .sourcemap import SourceText

    text, typed = _typed_controls(text)
    c.doc.source = SourceText(text)
    c.doc.json = _is_json(text, file)
    if not c.doc.json:
        text = _structural_nbsp(text, c)
    node = _compose(text, c, c.doc.json)
    if node is None:
        _report_typed_controls(typed, c)
        if not c.problems:
            c.at((1, 1), (), "the report is empty")
        raise ReportError(c.problems)
    try:
        data = _convert(node, c)
    except _TooBig as e:
        c.problems.clear()
        c.at((1, 1), (), str(e))
        raise ReportError(c.problems) from None
    c.doc.data = data
    _report_typed_controls(typed, c)
    return _validate(data, file, c)


def _is_json(text: str, file: Path) -> bool:
    suffix = file.suffix.lower()
    if suffix in (".json", ".yaml", ".yml"):
        return suffix == ".json"
    if not text.lstrip().startswith("{"):
        return False
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def _loads_mapping(raw, file: Path, c: _Collector) -> Report:
    c.doc.values[()] = (0, 0)
    try:
        data = _plain(raw, (), 0, c, [MAX_NODES, MAX_CHARS])
    except _TooBig as e:
        c.problems.clear()
        c.at((0, 0), (), str(e))
        raise ReportError(c.problems) from None
    c.doc.data = data
    if c.problems:
        raise ReportError(c.problems)
    return _validate(data, file, c)


def _mapping_rank(order: dict):
    if not order:
        return None

    def rank(p: Problem) -> int:
        path = p.path
        while path not in order and path:   # a missing key's problem sits at its parent
            path = path[:max(path.rfind("."), path.rfind("["), 0)]
        return order.get(path, 0)
    return rank


def _plain(value, path: Path_, depth: int, c: _Collector, budget: list[int]):
    """A Python mapping → the JSON-like data a parsed file gives (a copy: later changes do not leak in)."""
    import datetime

    budget[0] -= 1
    c.doc.order.setdefault(format_path(path), len(c.doc.order))
    if budget[0] < 0:
        raise _TooBig(f"the report has more than {MAX_NODES} values: refusing to load it")
    if depth > MAX_DEPTH:
        raise _TooBig(f"the report nests deeper than {MAX_DEPTH} levels (does a list or mapping contain itself?)")
    if isinstance(value, str):
        budget[1] -= len(value)
        if budget[1] < 0:
            raise _TooBig(f"the report has more than {MAX_CHARS:,} characters: refusing to load it")
        return value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                c.add(path, f"key {k!r} must be text")
                continue
            if v is None:       # a database's NULL, as YAML's `subtitle:`: the key is absent
                c.doc.nulls.add(path + (k,))
                continue
            out[k] = _plain(v, path + (k,), depth + 1, c, budget)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, path + (i,), depth + 1, c, budget) for i, v in enumerate(value)]
    c.add(path, f"a value of type '{type(value).__name__}' cannot be in a report: use text, numbers, true/false, "
                "lists and mappings")
    return None


def _validate(data, file: Path, c: _Collector) -> Report:
    if not isinstance(data, dict):
        c.at((1, 1), (), f"the report must be a mapping of keys (briefkit, meta, actors, ...), "
                         f"got {_describe(data)}")
        raise ReportError(c.problems)
    if "briefkit-theme" in data:
        # a theme given as a report: one line that says so, not a dozen unknown keys
        c.add(("briefkit-theme",), "this is a theme file, not a report: pass it with --theme FILE, or "
                                           "name it theme.yaml beside the reports it styles")
        raise ReportError(c.problems)
    _schema_problems(data, c)
    _check_text(data, c)
    report = _build(data, file, c)
    _check_coverage(data, report, c)
    if c.problems:
        _drop_shadowed(c.problems)
        # One problem can reach the checks twice (e.g. a schema and a reference check): keep one.
        err = ReportError(list(dict.fromkeys(c.problems)), rank=_mapping_rank(c.doc.order))
        err.notes = tuple(dict.fromkeys(c.notes))     # met now, not in a second round after the fixes
        raise err
    report = dataclasses.replace(report, notices=tuple(dict.fromkeys(c.notes)))
    return report if not file.name.startswith("<") else dataclasses.replace(report, path=None)
