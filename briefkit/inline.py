"""The inline language (**bold**, *italic*, [text](url), [^source-id]) parsed with markdown-it-py into model nodes."""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .links import ALLOWED_SCHEMES, host_problem, is_slug, with_scheme
from .model import Emph, Inline, Inlines, Link, NoteRef, Strong, Text

_STOP = re.compile(r"[\]\n]")


def _footnote_ref(state: StateInline, silent: bool) -> bool:
    # `[^id]` is a citation, never a link: it must win over the link rule.
    src = state.src
    if not src.startswith("[^", state.pos):
        return False
    # The next ']' or newline, found by bisection in a list made once per text: scanning ahead from every
    # '[^' would make a text of many unclosed '[^' quadratic.
    cached = state.env.get("note_stops")
    if cached is None or cached[0] is not src:
        cached = (src, [m.start() for m in _STOP.finditer(src)])
        state.env["note_stops"] = cached
    stops = cached[1]
    i = bisect.bisect_left(stops, state.pos + 2)
    if i == len(stops) or src[stops[i]] != "]":
        return False
    end = stops[i] + 1
    if not silent:
        token = state.push("note_ref", "", 0)
        token.meta = {"id": src[state.pos + 2:end - 1]}
        token.content = src[state.pos:end]
    state.pos = end
    return True


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["emphasis", "link", "escape", "newline"])
    md.inline.ruler.before("link", "note_ref", _footnote_ref)
    # Every destination is accepted by the parser; the loader reports disallowed schemes as
    # errors instead of letting markdown-it silently turn the link into text.
    md.validateLink = lambda url: True
    return md


class InlineProblem(Exception):
    pass


def link_problem(href: str) -> str | None:
    """Why ``href`` is not an allowed link, or None when it is."""
    scheme = urlsplit(href).scheme.lower() if ":" in href else ""
    if scheme not in ALLOWED_SCHEMES:
        shown = f"scheme '{scheme}:'" if scheme else "a relative address"
        fixed = None if scheme else with_scheme(href)
        if fixed:
            return (f"link '{href}' has no scheme: write it '{fixed}' (only http, https and mailto links "
                    "are allowed)")
        return f"link '{href}' uses {shown}; only http, https and mailto links are allowed"
    if scheme in ("http", "https"):
        why = host_problem(href) or ("has no host" if not urlsplit(href).netloc else None)
        if why:
            return f"link '{href}' {why}"
    return None


def parse(text: str) -> tuple[Inlines, list[str], list[str]]:
    """Parse inline text into nodes.

    Returns ``(nodes, problems, note_ids)``: problems are messages about disallowed links or
    malformed citations; note_ids are the cited source ids, for the loader to resolve.
    """
    tokens = _parser().parseInline(text)
    children = tokens[0].children or [] if tokens else []
    problems: list[str] = []
    notes: list[str] = []
    stack: list[tuple[str, str | None, list[Inline]]] = [("root", None, [])]

    def emit(node: Inline) -> None:
        out = stack[-1][2]
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        else:
            out.append(node)

    for tok in children:
        t = tok.type
        if t == "text":
            if tok.content:
                emit(Text(tok.content))
        elif t in ("softbreak", "hardbreak"):
            emit(Text(" "))
        elif t in ("strong_open", "em_open"):
            stack.append((t, None, []))
        elif t == "link_open":
            href = tok.attrGet("href") or ""
            why = link_problem(href)
            if why:
                problems.append(why)
            elif stack[-1][2] and isinstance(stack[-1][2][-1], Text) and stack[-1][2][-1].text.endswith("!"):
                problems.append(f"link '{href}' has a '!' before it: '![text](address)' is a Markdown image, and "
                                "a brief prints no pictures in its text (remove the '!' to keep it as a link)")
            stack.append((t, href, []))
        elif t in ("strong_close", "em_close", "link_close"):
            kind, href, kids = stack.pop()
            content = tuple(kids)
            emit(Strong(content) if kind == "strong_open" else
                 Emph(content) if kind == "em_open" else Link(href or "", content))
        elif t == "note_ref":
            sid = tok.meta["id"]
            if not is_slug(sid):
                problems.append(f"footnote reference '{tok.content}' needs a source id like [^sochi-2019]")
                emit(Text(tok.content))
            else:
                notes.append(sid)
                emit(NoteRef(sid))
        else:  # pragma: no cover - the enabled rules produce nothing else
            emit(Text(tok.content))
    return tuple(stack[0][2]), problems, notes


# ---- Markdown blocks (prose fields) -------------------------------------------------------------

@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    # Paragraphs, lists, quotes and ATX headings only: indented code, fences, tables, rules, setext
    # headings, reference definitions and HTML stay text, as an editor pasting prose expects.
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["blockquote", "list", "heading"])
    return md


_WORD_BULLET = re.compile(r"(?m)^([ \t]*)[•●▪◦‣∙–](?=[ \t])")
"""A list item pasted from Word keeps Word's bullet («• نقطة», «– بند»): read it as Markdown's '-' (one
character for one, so every column stays where it was). Not after '>': «> – name» names a quote's author."""


def blocks(text: str) -> list[tuple]:
    """Split Markdown prose into a tree of blocks; inline text is left unparsed (see ``parse``).

    Each block is ``(kind, line, ...)`` with ``line`` the 0-based line of ``text`` where it starts:
    ``("para", line, inline_src)``, ``("heading", line, level, inline_src)``, ``("quote", line, children)``,
    ``("list", line, ordered, items)`` where each item is ``(line, children)``.
    """
    tokens = _block_parser().parse(_WORD_BULLET.sub(r"\1-", text))
    pos = 0

    def seq(stop: str | None) -> list[tuple]:
        nonlocal pos
        out: list[tuple] = []
        while pos < len(tokens):
            tok = tokens[pos]
            line = tok.map[0] if tok.map else 0
            if tok.type == stop:
                pos += 1
                return out
            pos += 1
            if tok.type == "paragraph_open":
                out.append(("para", line, tokens[pos].content))
                pos += 2  # inline, paragraph_close
            elif tok.type == "heading_open":
                out.append(("heading", line, int(tok.tag[1]), tokens[pos].content))
                pos += 2
            elif tok.type == "blockquote_open":
                out.append(("quote", line, seq("blockquote_close")))
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                close = tok.type.replace("_open", "_close")
                items = []
                while tokens[pos].type == "list_item_open":
                    item_line = tokens[pos].map[0] if tokens[pos].map else line
                    pos += 1
                    items.append((item_line, seq("list_item_close")))
                pos += 1  # the list's close
                assert tokens[pos - 1].type == close
                out.append(("list", line, tok.type.startswith("ordered"), items))
        return out

    return seq(None)
