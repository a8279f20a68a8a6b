"""Markdown prose (summary, outlook, recommendations, a section's body) → model blocks, each problem at its line."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable
from urllib.parse import unquote

from .inline import blocks as markdown_blocks
from .model import BulletList, Emph, Inlines, Link, NoteRef, Para, Quote, Strong, Subheading, Text, plain_text

_ATTRIBUTION = re.compile(r"^(?:—|―|–|--)[ \t]*(\S.*)$")
"""The last line of a quote naming its author: ``> — Name`` (also ―, – and --)."""
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
"""The line under a Markdown table's header row (|---|:--:|)."""
_KIND_NAMES = {"list": "a list", "quote": "a quote", "heading": "a heading"}


@dataclass(frozen=True)
class Located:
    """A string as it is parsed, and where each of its characters sits in the file (None: nowhere)."""

    text: str
    locate: Callable[[int], tuple[int, int]] | None = None

    def line_start(self, line: int) -> int:
        pos = 0
        for _ in range(line):
            nl = self.text.find("\n", pos)
            if nl < 0:
                return pos
            pos = nl + 1
        return pos

    def find(self, needle: str, line: int = 0, source: str | None = None) -> int:
        """Offset of ``needle`` at or after ``line``; ``source`` (a paragraph's inline text, whose lines are
        the text's lines from ``line`` on, stripped of markers) says which of those lines holds it."""
        if source is not None and needle:
            k = source.find(needle)
            if k >= 0:
                line += source.count("\n", 0, k)
        start = self.line_start(line)
        k = self.text.find(needle, start) if needle else -1
        if k < 0 and needle:   # Markdown decoded it: a backslash escape, an entity, a non-ASCII letter
            for form in dict.fromkeys((needle, unquote(needle))):
                m = _as_typed(form).search(self.text, start)
                if m:
                    k = m.start()
                    break
        if k < 0:
            end = self.text.find("\n", start)
            line_text = self.text[start:end if end >= 0 else len(self.text)]
            return start + len(line_text) - len(line_text.lstrip(" >"))
        return k


@lru_cache(maxsize=1)
def _entity_names() -> dict[str, list[str]]:
    """Each character → the HTML5 entity names that stand for it (``Tab;`` for a tab), as markdown-it reads them."""
    from html.entities import html5

    out: dict[str, list[str]] = {}
    for name, ch in html5.items():
        if name.endswith(";") and len(ch) == 1:
            out.setdefault(ch, []).append(name)
    return out


def _as_typed(decoded: str) -> re.Pattern:
    """Matches the text as an editor may have typed it before Markdown decoded it: each character as itself
    (after a backslash escape), or as a numeric or named HTML entity («java&#115;cript»)."""
    names = _entity_names()

    def one(ch: str) -> str:
        forms = [(r"\\?" if not ch.isalnum() else "") + re.escape(ch), f"&#0*{ord(ch)};",
                 f"(?i:&#x0*{ord(ch):x};)"]
        forms += [f"&{re.escape(name)}" for name in names.get(ch, ())]
        return "(?:" + "|".join(forms) + ")"
    return re.compile("".join(one(ch) for ch in decoded))


InlineFn = Callable[[str, Located, int], Inlines]
"""(inline source, where, 0-based line of the source in ``where``) → nodes; reports its own problems."""
ProblemFn = Callable[[int, str], None]
"""(offset in ``where.text``, message)."""


class ProseConverter:
    """Turns the block tree of one prose string into model blocks for a field.

    ``shape`` is ``"body"`` (every block), ``"paragraphs"`` (summary, outlook) or ``"items"``
    (recommendations: one list, or paragraphs, each a recommendation).
    """

    def __init__(self, where: Located, field: str, inline: InlineFn, problem: ProblemFn):
        self.where, self.field, self._inline, self._problem = where, field, inline, problem
        self.tree: list[tuple] = []
        """The Markdown block tree ``convert`` read (for the loader's notes on it)."""

    def inline(self, src: str, line: int) -> Inlines:
        return self._inline(src, self.where, line)

    def problem(self, line: int, message: str) -> None:
        self._problem(self.where.find("", line), message)

    def convert(self, shape: str) -> list:
        tree = self.tree = markdown_blocks(self.where.text)
        if shape == "items":
            return self._items(tree)
        out: list = []
        for blk in tree:
            if shape == "paragraphs" and blk[0] != "para":
                self.problem(blk[1], f"{_KIND_NAMES[blk[0]]} is not allowed here: '{self.field}' is made of "
                                     "paragraphs (lists, quotes and ### sub-headings belong in a section's body)")
                continue
            out.extend(self._block(blk))
        return out

    # ---- one block -------------------------------------------------------------------------------


    def _block(self, blk) -> list:
        kind, line = blk[0], blk[1]
        if kind == "para":
            src = blk[2].split("\n")
            if len(src) >= 2 and src[0].lstrip().startswith("|") and _TABLE_RULE.match(src[1]):
                self.problem(line, "a Markdown table is not supported (it would print as one paragraph of '|'): "
                                   "write its rows as a list, or put the comparison in the areas table")
            return [Para(self.inline(blk[2], line))]
        if kind == "heading":
            return [self._heading(line, blk[2], blk[3])]
        if kind == "quote":
            return self._quote(line, blk[2])
        return [self._list(blk, nested=False)]

    def _heading(self, line: int, level: int, src: str) -> Subheading:
        nodes = self.inline(src, line)
        text = plain_text(nodes).strip()
        if level != 3:
            self.problem(line, f"'{'#' * level} ' makes a level-{level} heading: a sub-heading inside a body is "
                               f"written '### {text}' (one level below the section's heading)")
        if _has(nodes, (NoteRef, Link)):
            self.problem(line, "a sub-heading is plain text: move the link or footnote into the paragraph "
                               "below it")
        return Subheading(text)

    def _quote(self, line: int, children: list) -> list:
        paras = []
        for child in children:
            if child[0] != "para":
                self.problem(child[1], f"{_KIND_NAMES[child[0]]} inside a quote is not supported: a quote holds "
                                       "text only (end the quote with a line without '>')")
                continue
            paras.append(child)
        if not paras:
            return []
        by = None
        last_line, last_src = paras[-1][1], paras[-1][2]
        head, _, tail = last_src.rpartition("\n")
        m = _ATTRIBUTION.match(tail)
        if m:
            by = self.inline(m.group(1), last_line + last_src.count("\n"))
            if head:
                paras[-1] = ("para", last_line, head)
            else:
                paras.pop()
        if not paras:  # only an attribution line: it is the quote
            self.problem(last_line, "this quote has an attribution ('— name') but no quoted text")
            return []
        out = [Quote(self.inline(src, ln)) for _, ln, src in paras]
        out[-1] = Quote(out[-1].inlines, by)
        return out

    def _item_text(self, line: int, children: list, nested: bool) -> tuple[Inlines, BulletList | None]:
        parts: list[Inlines] = []
        sub = None
        for child in children:
            kind = child[0]
            if kind == "para":
                parts.append(self.inline(child[2], child[1]))
            elif kind == "list" and not nested and sub is None:
                sub = self._list(child, nested=True)
            elif kind == "list":
                self.problem(child[1], "lists nest one level deep: move this list up a level or write its items "
                                       "as sentences" if sub is not None or self.field != "recommendations" else
                             "a recommendation cannot hold a list: write each point as its own recommendation")
            else:
                self.problem(child[1], f"{_KIND_NAMES[kind]} inside a list item is not supported")
        if not parts:
            self.problem(line, "this list item is empty")
        joined: list = []
        for i, p in enumerate(parts):
            if i:
                joined.append(Text(" "))
            joined.extend(p)
        return _merge(joined), sub

    def _list(self, blk, nested: bool) -> BulletList:
        _, line, ordered, items = blk
        texts, subs = [], []
        for item_line, children in items:
            text, sub = self._item_text(item_line, children, nested)
            texts.append(text)
            subs.append(sub)
        return BulletList(tuple(texts), ordered, tuple(subs) if any(subs) else ())

    def _items(self, tree) -> list[Inlines]:
        lists = [b for b in tree if b[0] == "list"]
        others = [b for b in tree if b[0] != "list"]
        if lists and others:
            self.problem(others[0][1], f"'{self.field}' in Markdown is one list (lines starting with '1.' or "
                                       "'-') or paragraphs, one per item, not both")
        out: list[Inlines] = []
        for blk in tree:
            if blk[0] == "para":
                out.append(self.inline(blk[2], blk[1]))
            elif blk[0] == "list":
                for item_line, children in blk[3]:
                    text, sub = self._item_text(item_line, children, nested=True)
                    out.append(text)
            elif not lists:
                self.problem(blk[1], f"{_KIND_NAMES[blk[0]]} is not allowed here: '{self.field}' is a list of "
                                     "items")
        return out


def _has(nodes: Inlines, kinds) -> bool:
    for n in nodes:
        if isinstance(n, kinds):
            return True
        if isinstance(n, (Strong, Emph, Link)) and _has(n.children, kinds):
            return True
    return False


def _merge(nodes: list) -> Inlines:
    out: list = []
    for n in nodes:
        if isinstance(n, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + n.text)
        else:
            out.append(n)
    return tuple(out)
