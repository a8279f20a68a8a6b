"""The inline language, from fixture files in markdown-it-py's style: title, input, expected nodes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import briefkit

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


# ---- Markdown prose: tests/fixtures/markdown.txt, through the loader (positions included) ----------

from briefkit.loader import loads  # noqa: E402
from briefkit.model import BulletList, Para, Quote, Subheading  # noqa: E402

MARKDOWN = Path(__file__).parent / "fixtures" / "markdown.txt"
HOST = """briefkit: 1
meta: {title: موجز}
actors: [{id: tr, name: تركيا}, {id: ru, name: روسيا}]
areas: [{id: syria, title: سوريا, region: الشرق الأوسط, relation: rivalry}]
sources: [{id: sochi-2019, title: مذكرة سوتشي}]
"""
FIELD_LINE = HOST.count("\n") + 1
"""The line of `FIELD: |` in the host report; the fixture's first line is the next one."""


def host(field: str, source: str) -> str:
    indented = "\n".join(("      " + ln) if ln else "" for ln in source.split("\n"))
    if field == "body":
        return HOST + "sections:\n  - id: s\n    heading: قسم\n    body: |\n" + indented + "\n"
    return HOST + f"{field}: |\n" + indented + "\n"


def show_blocks(blocks) -> list[str]:
    out = []
    for b in blocks:
        if isinstance(b, Para):
            out.append("para " + show(b.inlines))
        elif isinstance(b, Subheading):
            out.append("subheading " + json.dumps(b.text, ensure_ascii=False))
        elif isinstance(b, Quote):
            out.append("quote " + show(b.inlines) + (" by " + show(b.by) if b.by else ""))
        elif isinstance(b, BulletList):
            out.append("olist" if b.ordered else "list")
            for i, item in enumerate(b.items):
                out.append("  - " + show(item))
                sub = b.sublists[i] if b.sublists else None
                if sub:
                    out.append("    " + ("olist" if sub.ordered else "list"))
                    out.extend("    - " + show(x) for x in sub.items)
    return out


@pytest.mark.parametrize("line,source,expected", read_fixtures(MARKDOWN))
def test_markdown_fixture(line, source, expected, request):
    title = request.node.callspec.id.split("-", 1)[1]
    field = title.split(":")[0] if title.split(":")[0] in ("summary", "outlook", "recommendations") else "body"
    text = host(field, source)
    first = FIELD_LINE + (3 if field == "body" else 0) + 1
    got: list[str] = []
    try:
        report = loads(text, "md.yaml")
    except briefkit.ReportError as e:
        for p in e.problems:
            got.append(f"error {p.line - first + 1}:{p.col - 6}: {p.message}")
    else:
        if field == "body":
            got = show_blocks(report.sections[0].body)
        else:
            got = [("item " if field == "recommendations" else "para ") + show(p)
                   for p in getattr(report, field)]
    assert "\n".join(got) == expected, f"fixture at line {line}"
