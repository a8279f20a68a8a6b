"""The inline language, from fixture files in markdown-it-py's style: title, input, expected nodes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefkit.inline import parse
from briefkit.model import Emph, Link, NoteRef, Strong, Text

FIXTURES = Path(__file__).parent / "fixtures" / "inline.txt"


def read_fixtures(path: Path):
    lines = path.read_text(encoding="utf-8").split("\n")
    i, out = 0, []
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title, start = lines[i], i + 1
        assert lines[i + 1] == ".", f"line {i + 2}: expected '.'"
        j = i + 2
        body = []
        while lines[j] != ".":
            body.append(lines[j])
            j += 1
        k = j + 1
        expected = []
        while lines[k] != ".":
            expected.append(lines[k])
            k += 1
        out.append(pytest.param(start, "\n".join(body), "\n".join(expected), id=f"{start}-{title}"))
        i = k + 1
    return out


def show(nodes) -> str:
    parts = []
    for n in nodes:
        if isinstance(n, Text):
            parts.append("text:" + json.dumps(n.text, ensure_ascii=False))
        elif isinstance(n, Strong):
            parts.append(f"strong[{show(n.children)}]")
        elif isinstance(n, Emph):
            parts.append(f"emph[{show(n.children)}]")
        elif isinstance(n, Link):
            parts.append(f"link({n.href})[{show(n.children)}]")
        elif isinstance(n, NoteRef):
            parts.append(f"note({n.source_id})")
    return " ".join(parts)


@pytest.mark.parametrize("line,source,expected", read_fixtures(FIXTURES))
def test_inline_fixture(line, source, expected):
    nodes, problems, _ = parse(source)
    got = "\n".join([show(nodes)] + [f"error: {p}" for p in problems])
    assert got == expected, f"fixture at line {line}"


def test_note_ids_are_returned_in_order():
    _, _, notes = parse("a[^b] c[^d] e[^b]")
    assert notes == ["b", "d", "b"]
