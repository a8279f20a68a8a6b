"""pandoc reads every tests/cases DOCX back (``pandoc -f docx -t json``): heading levels, footnotes,
tables with their header rows, lists and links match the report, in counts and order."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import briefkit
from briefkit import localize
from briefkit.model import BulletList, Emph, Link, NoteRef, Strong

HERE = Path(__file__).resolve().parent
CASES = sorted((HERE / "cases").glob("*.yaml"))

pytestmark = pytest.mark.skipif(shutil.which("pandoc") is None,
                                reason="pandoc is not installed (scripts/setup.sh installs it)")


def read_back(report) -> dict:
    out = subprocess.run(["pandoc", "-f", "docx", "-t", "json"], input=briefkit.render_docx(report),
                         capture_output=True, check=True, timeout=60).stdout
    return json.loads(out)


def nodes(tree, kind: str) -> list:
    """Every pandoc AST node of type ``kind``, in document order."""
    found = []

    def walk(x):
        if isinstance(x, dict):
            if x.get("t") == kind:
                found.append(x.get("c"))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(tree)
    return found


def stringify(inlines) -> str:
    out = []

    def walk(x):
        if isinstance(x, dict):
            if x.get("t") == "Str":
                out.append(x["c"])
            elif x.get("t") in ("Space", "SoftBreak"):
                out.append(" ")
            elif x.get("t") != "Note":
                walk(x.get("c"))
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(inlines)
    # the DOCX wraps runs against the base direction in isolates (LRI/RLI ... PDI), as <bdi> in HTML
    return re.sub("[\u2066-\u2069]", "", "".join(out)).strip()


# ---- what the report says (written from the report, not from briefkit.plan) -----------------------

def expected_headings(report) -> list[tuple[int, str]]:
    lab = localize.labels(report)
    out = []
    if report.takeaways:
        out.append((1, lab["takeaways"]))
    if report.summary:
        out.append((1, lab["summary"]))
    out += [(1, lab["areas"]), (1, lab["balance"])]
    if report.sections:
        out.append((1, lab["sections"]))
        out += [(2, s.heading) for s in report.sections]
    for key, present in (("timeline", report.timeline), ("outlook", report.outlook),
                         ("recommendations", report.recommendations), ("sources", report.sources)):
        if present:
            out.append((1, lab[key]))
    return out


def cited_ids(report) -> set[str]:
    found = set()

    def walk(inlines):
        for n in inlines:
            if isinstance(n, NoteRef):
                found.add(n.source_id)
            elif isinstance(n, (Strong, Emph, Link)):
                walk(n.children)
    for run in report.inline_runs():
        walk(run)
    return found


def link_targets(report) -> set[str]:
    found = {s.url for s in report.sources if s.url}
    if report.meta.publisher and report.meta.publisher.url:
        found.add(report.meta.publisher.url)
    if report.meta.source and report.meta.source.url:
        found.add(report.meta.source.url)

    def walk(inlines):
        for n in inlines:
            if isinstance(n, Link):
                found.add(n.href)
            if isinstance(n, (Strong, Emph, Link)):
                walk(n.children)
    for run in report.inline_runs():
        walk(run)
    return found


# ---- the test ------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_pandoc_reads_back_the_report(case):
    report = briefkit.load(case)
    doc = read_back(report)
    blocks = doc["blocks"]

    headers = [(c[0], stringify(c[2])) for c in nodes(blocks, "Header")]
    assert headers == expected_headings(report)

    # One real footnote per cited source (a repeated citation is a field, not a second note).
    notes = nodes(blocks, "Note")
    titles = {s.id: s.title for s in report.sources}
    assert len(notes) == len(cited_ids(report))
    # (with native digits the note starts with its custom mark, written as text)
    texts = [re.sub(r"^[0-9٠-٩۰-۹]+\s*", "", stringify(n)) for n in notes]
    matched = sorted(next(titles[i] for i in cited_ids(report) if t.startswith(titles[i])) for t in texts)
    assert matched == sorted(titles[i] for i in cited_ids(report))

    # Tables: the areas, the balance, the timeline; each with one header row.
    tables = nodes(blocks, "Table")
    assert len(tables) == 2 + bool(report.timeline)
    for table in tables:
        head_rows = table[3][1]
        assert len(head_rows) == 1
    areas_rows = sum(len(body[3]) for body in tables[0][4])
    assert areas_rows == len(report.areas)
    assert sum(len(body[3]) for body in tables[1][4]) + len(tables[1][5][1]) == len(report.balance.regions) + 1

    # Lists: takeaways bulleted, recommendations numbered, section lists as written.
    section_lists = [b for s in report.sections for b in s.body if isinstance(b, BulletList)]
    bullets = [len(items) for items in nodes(blocks, "BulletList")]
    ordered = [len(c[1]) for c in nodes(blocks, "OrderedList")]
    want_bullets = ([len(report.takeaways)] if report.takeaways else []) + \
        [len(b.items) for b in section_lists if not b.ordered]
    want_ordered = [len(b.items) for b in section_lists if b.ordered] + \
        ([len(report.recommendations)] if report.recommendations else [])
    assert bullets == want_bullets
    assert ordered == want_ordered

    # Links: every external address of the report is a real link.
    targets = {c[2][0] for c in nodes(blocks, "Link")}
    assert link_targets(report) <= targets


def test_mammoth_sees_the_lists(seed_report):
    """mammoth (another reader nobody here wrote) sees the takeaways and recommendations as lists."""
    import io

    import mammoth

    html = mammoth.convert_to_html(io.BytesIO(briefkit.render_docx(seed_report))).value
    lists = re.findall(r"<(ul|ol)>(.*?)</\1>", html, re.S)
    sizes = [(kind, item.count("<li>")) for kind, item in lists if 'id="footnote-' not in item]
    assert ("ul", len(seed_report.takeaways)) == sizes[0]
    assert ("ol", len(seed_report.recommendations)) == sizes[-1]
    assert html.count('<li id="footnote-') == len(seed_report.footnotes)
