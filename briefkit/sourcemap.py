"""Where a character of a parsed YAML/JSON scalar sits in the file: offsets → line:col, resolved text → source."""
from __future__ import annotations

import bisect
import re
from typing import Callable

_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""Line breaks as the YAML reader counts them, so our lines agree with its marks."""
_ESCAPES = {"0": "\x00", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
            "L": "\u2028", "P": "\u2029"}
_HEX = {"x": 2, "u": 4, "U": 8}
_SKIP = " \t\r\n\a"
"""Resolved characters that folding may have made out of line breaks and indentation: not matched one to one."""

Locator = Callable[[int], "tuple[int, int]"]


class SourceText:
    """The text of a report file, answering 1-based (line, col) for a character offset."""

    def __init__(self, text: str):
        self.text = text
        self._starts = [0] + [m.end() for m in _BREAK.finditer(text)]

    def pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


def _escape(src: str, k: int) -> tuple[str, int]:
    """The character a double-quoted escape at ``src[k]`` (a backslash) stands for, and its length."""
    kind = src[k + 1:k + 2]
    if kind in _HEX:
        n = _HEX[kind]
        try:
            return chr(int(src[k + 2:k + 2 + n], 16)), 2 + n
        except (ValueError, OverflowError):
            return "", 2
    if kind in ("\n", "\r"):
        return "", 2  # an escaped line break joins lines
    return _ESCAPES.get(kind, ""), 2


def align(value: str, src: str, quoted: bool) -> list[int]:
    """For each character of ``value`` (a scalar's resolved text), its offset in ``src`` (the scalar as typed).

    Greedy and linear: every visible character is matched, in order, with the next equal character of the
    source (or the double-quoted escape that produces it); folded white space takes the position reached.
    """
    out = []
    j, n = 0, len(src)
    for ch in value:
        if ch in _SKIP:
            out.append(min(j, max(n - 1, 0)))
            continue
        k = j
        while k < n:
            if quoted and src[k] == "\\":
                made, length = _escape(src, k)
                if made == ch:
                    break
                k += length
                continue
            if src[k] == ch:
                break
            k += 1
        if k >= n:
            out.append(min(j, max(n - 1, 0)))
            continue
        out.append(k)
        j = k + (_escape(src, k)[1] if quoted and src[k] == "\\" else 1)
    return out


def scalar_locator(node, source: SourceText, value: str) -> Locator:
    """Offset in ``value`` (the node's resolved text) → (line, col) in the file."""
    start, end = node.start_mark.index, node.end_mark.index
    offsets: list[int] | None = None

    def locate(i: int) -> tuple[int, int]:
        nonlocal offsets
        if offsets is None:
            offsets = align(value, source.text[start:end], node.style == '"')
        if not offsets:
            return source.pos(start)
        return source.pos(start + offsets[max(0, min(i, len(offsets) - 1))])

    return locate


def block_lines(node, source: SourceText) -> tuple[str, Locator] | None:
    """A block scalar's (``|`` or ``>``) content as typed, dedented, with its own locator.

    Folding would join a Markdown list's lines into one; the typed lines keep what the editor wrote
    (and folding and Markdown agree on paragraphs: a single line break is a space, a blank line ends one).
    """
    if node.style not in ("|", ">"):
        return None
    start, end = node.start_mark.index, node.end_mark.index
    raw = source.text[start:end]
    first = _BREAK.search(raw)
    if not first:
        return None
    body_start = start + first.end()
    body = source.text[body_start:end]
    lines, starts, pos = [], [], 0
    for m in _BREAK.finditer(body):
        lines.append(body[pos:m.start()])
        starts.append(body_start + pos)
        pos = m.end()
    if pos < len(body):
        lines.append(body[pos:])
        starts.append(body_start + pos)
    indents = [len(ln) - len(ln.lstrip(" ")) for ln in lines if ln.strip()]
    if not indents:
        return None
    indent = indents[0]
    kept: list[str] = []
    for ln in lines:
        if ln.strip() and len(ln) - len(ln.lstrip(" ")) < indent:
            break  # a comment or the next key: not part of the scalar
        kept.append(ln[indent:])
    text = "\n".join(kept)
    line_starts = [0]
    for ln in kept[:-1]:
        line_starts.append(line_starts[-1] + len(ln) + 1)

    def locate(i: int) -> tuple[int, int]:
        k = max(0, bisect.bisect_right(line_starts, i) - 1)
        return source.pos(starts[k] + indent + (i - line_starts[k]))

    return text, locate
