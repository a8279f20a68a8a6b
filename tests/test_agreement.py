"""The PDF, the DOCX and the HTML of every tests/cases report agree: headings and levels, footnote
numbers, the sources order and the area rows, each read from the output itself (PDF text and
bookmarks, DOCX XML, HTML markup) and checked against the report."""
from __future__ import annotations

import dataclasses
import html as htmllib
import io
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

import briefkit
from briefkit import localize
from briefkit import plan as P
from briefkit.model import BulletList, Para, Subheading, Text
from briefkit.writers import docx as docx_writer
from briefkit.writers import html as html_writer

HERE = Path(__file__).resolve().parent
CASES = sorted((HERE / "cases").glob("*.yaml"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ARABIC = re.compile(r"[\u0600-\u06FF]")


def w(tag: str) -> str:
    return W + tag


# ---- reading each output --------------------------------------------------------------------------

def _strip_tags(markup: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", markup)).strip()


def html_view(data: bytes) -> dict:
    text = data.decode("utf-8")
    # Headings, and figure captions marked as bookmarks (the chart's «شكل ١: …»), in document order.
    headings = [(int(m["h"] or m["b"]) - 1, _strip_tags(m["text"] or m["cap"])) for m in re.finditer(
        r'<h(?P<h>[1-6]) id="[^"]+">(?P<text>.*?)</h(?P=h)>'
        r'|<figcaption [^>]*bookmark-level:(?P<b>\d)[^>]*>(?P<cap>.*?)</figcaption>', text, re.S)]
    calls = re.findall(r'<span class="footnote" id="fn-([a-z0-9-]+)" data-n="([^"]+)">'
                       r'|<a class="fn-again" href="#source-([a-z0-9-]+)">([^<]+)</a>', text)
    calls = [(a or c, b or d) for a, b, c, d in calls]
    return {"headings": headings, "calls": calls,
            "sources": re.findall(r'<li id="source-([a-z0-9-]+)">', text),
            "areas": re.findall(r'<tr id="area-([a-z0-9-]+)">', text),
            "see": len(re.findall(r'<span class="area-links">(?:(?!</span>).)*<a href="#sec-', text))}


_ISOLATES = dict.fromkeys(range(0x2066, 0x206A))   # LRI/RLI/FSI/PDI: direction formatting, not text


def _ptext(p) -> str:
    return "".join(t.text or "" for t in p.iter(w("t"))).translate(_ISOLATES)


def _style(p) -> str | None:
    el = p.find(f"{w('pPr')}/{w('pStyle')}")
    return el.get(w("val")) if el is not None else None


def _note_text(note) -> str:
    """A footnote's text without its mark (the run in the FootnoteReference style)."""
    runs = [r for r in note.iter(w("r"))
            if r.find(f"{w('rPr')}/{w('rStyle')}[@{w('val')}='FootnoteReference']") is None]
    return "".join(t.text or "" for r in runs for t in r.iter(w("t"))).translate(_ISOLATES).strip()


def docx_view(data: bytes) -> dict:
    z = zipfile.ZipFile(io.BytesIO(data))
    doc = etree.fromstring(z.read("word/document.xml"))
    notes = etree.fromstring(z.read("word/footnotes.xml"))
    note_text = {n.get(w("id")): _note_text(n) for n in notes.iter(w("footnote")) if int(n.get(w("id"))) > 0}
    headings = []
    for p in doc.iter(w("p")):
        style = _style(p) or ""
        outline = p.find(f"{w('pPr')}/{w('outlineLvl')}")
        if style == "Title":
            headings.append((0, _ptext(p)))
        elif m := re.fullmatch(r"Heading(\d)", style):
            headings.append((int(m.group(1)), _ptext(p)))
        elif outline is not None:        # a caption with an outline level: a TOC entry (TOC \u)
            headings.append((int(outline.get(w("val"))) + 1, _ptext(p)))
    # Footnote calls in body order: real references, and NOTEREF fields to the bookmark on one.
    order = [n for n in note_text]                       # ids in footnotes.xml order
    bookmark_note: dict[str, str] = {}
    pending = None
    calls = []
    for el in doc.iter(w("bookmarkStart"), w("footnoteReference"), w("instrText")):
        if el.tag == w("bookmarkStart"):
            pending = el.get(w("name"))
        elif el.tag == w("footnoteReference"):
            fid = el.get(w("id"))
            if pending and pending.startswith("_Note"):
                bookmark_note[pending] = fid
            pending = None
            calls.append(("note", fid))
        elif "NOTEREF" in (el.text or ""):
            calls.append(("ref", el.text.split()[1]))
    calls = [(order.index(x if kind == "note" else bookmark_note[x]) + 1,
              note_text[x if kind == "note" else bookmark_note[x]]) for kind, x in calls]
    tables = list(doc.iter(w("tbl")))
    area_rows = [_ptext(row.find(f"{w('tc')}/{w('p')}")) for row in tables[0].findall(w("tr"))[1:]]
    sources = [_ptext(p) for p in doc.iter(w("p")) if _style(p) == "SourceEntry"]
    rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
    uris = {r.get("Target") for r in rels if r.get("TargetMode") == "External"}
    see = sum(1 for row in tables[0].findall(w("tr"))[1:]
              if any(h.get(w("anchor")) for h in row.find(w("tc")).iter(w("hyperlink"))))
    return {"headings": headings, "calls": calls, "areas": area_rows, "sources": sources, "see": see, "uris": uris,
            "notes": [note_text[i] for i in order]}


def _norm_words(text: str) -> list[str]:
    # pdftotext wraps RTL words in embedding controls and reverses the lam-alef ligature
    text = re.sub(r"[\u064B-\u0652\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069]", "", text).replace("لا", "ال")
    # Words compared as letter multisets: pdftotext reorders letters around some ligatures
    # (Persian تجارت comes out جارتت) and mirrors brackets in RTL lines.
    return ["".join(sorted(t)) for t in re.split(r"[\s«»“”\"()\[\]{}<>=;@:.,،؛|/]+", text) if t]


def pdf_view(data: bytes, tmp_path: Path) -> dict:
    from pypdf import PdfReader

    src = tmp_path / "brief.pdf"
    src.write_bytes(data)
    raw = subprocess.run(["pdftotext", "-raw", str(src), "-"], check=True, capture_output=True,
                         text=True).stdout
    tokens = []
    for line in raw.splitlines():
        words = _norm_words(line)
        tokens += words[::-1] if ARABIC.search(line) else words   # RTL lines come out in visual order

    headings = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                headings.append((depth, item.title))
    reader = PdfReader(io.BytesIO(data))
    walk(reader.outline, 0)
    annots = [a.get_object() for page in reader.pages for a in (page.get("/Annots") or [])]
    return {"headings": headings, "tokens": tokens,
            "uris": {a["/A"]["/URI"] for a in annots if "/A" in a and "/URI" in a["/A"]},
            "dests": {str(a["/Dest"]) for a in annots if "/Dest" in a}}


def find_phrase(tokens: list[str], phrase: str, start: int = 0) -> int:
    """Index of the first window of ``tokens`` holding ``phrase``'s words (any order: mixed lines)."""
    want = Counter(_norm_words(phrase))
    n = sum(want.values())
    for i in range(start, len(tokens)):
        if tokens[i] in want and not (want - Counter(tokens[i:i + n + 2])):
            return i
    return -1


# ---- the test ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    from briefkit.writers import pdf as pdf_writer

    out = {}
    for case in CASES:
        report = briefkit.load(case)
        folder = tmp_path_factory.mktemp(case.stem)
        out[case.stem] = (report, html_view(html_writer.render(report)), docx_view(docx_writer.render(report)),
                          pdf_view(pdf_writer.render(report), folder))
    return out


@pytest.mark.parametrize("case", [c.stem for c in CASES])
def test_headings_and_levels_agree(outputs, case):
    report, html, docx, pdf = outputs[case]
    assert html["headings"] == docx["headings"] == pdf["headings"]
    # ... and follow the report: the title on top, each section at level 2 in report order.
    assert html["headings"][0] == (0, report.meta.title)
    # The chart's caption, numbered in the report's digits, right under the balance heading.
    balance = localize.labels(report)["balance"]
    figure = localize.label(report, "figure_caption", n=1, title=balance)
    at = html["headings"].index((1, balance))
    assert html["headings"][at + 1] == (2, figure)
    assert [t for lvl, t in html["headings"] if lvl == 2] == [figure] + [s.heading for s in report.sections]


@pytest.mark.parametrize("case", [c.stem for c in CASES])
def test_footnote_numbers_agree(outputs, case):
    report, html, docx, pdf = outputs[case]
    titles = {s.id: s.title for s in report.sources}
    html_calls = [(localize.digits(str(n), report), titles[sid]) for sid, n in
                  [(sid, _int(shown)) for sid, shown in html["calls"]]]
    docx_calls = [(localize.digits(str(n), report), text) for n, text in docx["calls"]]
    assert [n for n, _ in html_calls] == [n for n, _ in docx_calls]
    assert all(text.startswith(title) for (_, title), (_, text) in zip(html_calls, docx_calls))
    # Numbers by first citation: the first call of each source is the next number.
    firsts = []
    for n, _ in html_calls:
        if n not in firsts:
            firsts.append(n)
    assert firsts == [localize.digits(str(i), report) for i in range(1, len(firsts) + 1)]
    # The PDF prints every note: its source title follows its number in the text.
    for i, note in enumerate(docx["notes"], start=1):
        title = note.split(localize.labels(report)["list_separator"])[0].rstrip(".")
        assert find_phrase(pdf["tokens"], title) >= 0, (i, title)


def _int(shown: str) -> int:
    return int(shown.translate({0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}))


@pytest.mark.parametrize("case", [c.stem for c in CASES])
def test_sources_order_agrees(outputs, case):
    report, html, docx, pdf = outputs[case]
    if not report.sources:
        return
    by_id = {s.id: s for s in report.sources}
    expected = [by_id[sid].title for sid in html["sources"]]
    # cited first, by note number; then uncited in file order
    numbers = report.note_numbers
    assert html["sources"] == sorted(by_id, key=lambda sid: (numbers.get(sid, 10**6), list(by_id).index(sid)))
    assert [next(t for t in expected if t in entry) for entry in docx["sources"]] == expected
    heading = localize.labels(report)["sources"]
    start = max(i for i in range(len(pdf["tokens"])) if find_phrase(pdf["tokens"][i:i + 5], heading) == 0)
    positions = [find_phrase(pdf["tokens"], t, start) for t in expected]
    assert -1 not in positions and positions == sorted(positions), positions


@pytest.mark.parametrize("case", [c.stem for c in CASES])
def test_area_rows_agree(outputs, case):
    report, html, docx, pdf = outputs[case]
    assert html["areas"] == [a.id for a in report.areas]
    assert docx["areas"] == [a.title for a in report.areas]
    start = find_phrase(pdf["tokens"], localize.labels(report)["areas"])
    positions = [find_phrase(pdf["tokens"], a.title, start) for a in report.areas]
    assert -1 not in positions and positions == sorted(positions), positions
    # «discussed in» links from an area to its sections, in every format
    linked = sum(1 for a in report.areas if set(a.sections) & {sec.id for sec in report.sections})
    assert html["see"] == docx["see"] == linked
    wanted = {f"sec-{sid}" for a in report.areas for sid in a.sections if sid in {x.id for x in report.sections}}
    assert wanted <= pdf["dests"]
    # the publisher's address is a link in both formats
    if report.meta.publisher and report.meta.publisher.url:
        assert report.meta.publisher.url in pdf["uris"]
        assert report.meta.publisher.url in docx["uris"]


# ---- every part type has a rule in every writer ------------------------------------------------------

def test_every_part_type_has_a_rule_in_each_writer():
    assert set(html_writer._Context.RULES) == set(P.PART_TYPES)
    # The DOCX writer's match: one `case P.<Type>():` per part type.
    import inspect

    source = inspect.getsource(docx_writer._Brief._part)
    assert {t.__name__ for t in P.PART_TYPES} == set(re.findall(r"case P\.(\w+)\(\):", source))


@dataclasses.dataclass(frozen=True)
class Stray:
    """A part type no writer knows."""


def test_a_new_part_type_fails_loudly(seed_report):
    plan = P.plan_of(seed_report)
    bad = dataclasses.replace(plan, parts=(*plan.parts, Stray()))
    with pytest.raises(TypeError, match="Stray"):
        html_writer.render_string(seed_report, plan=bad)
    with pytest.raises(TypeError, match="Stray"):
        docx_writer.render_plan(bad)


def test_an_unknown_block_type_fails_loudly(seed_report):
    section = dataclasses.replace(seed_report.sections[0], body=(Stray(),))
    report = dataclasses.replace(seed_report, sections=(section, *seed_report.sections[1:]))
    with pytest.raises(TypeError, match="Stray"):
        P.build(report)


def test_subheadings_and_nested_lists_in_every_writer(tmp_path):
    from briefkit.writers import pdf as pdf_writer

    base = briefkit.load(HERE / "cases" / "06-blocks.yaml")

    nested = BulletList(items=((Text("أول"),), (Text("ثان"),)), ordered=True,
                        sublists=(BulletList(items=((Text("فرعي"),),)), None))
    # long enough for a table of contents (plan.contents_wanted), so the sub-heading has an entry in it
    filler = tuple(Para((Text("فقرة طويلة عن العلاقات الثنائية والملفات المشتركة بين البلدين " * 6),))
                   for _ in range(30))
    section = dataclasses.replace(base.sections[0], body=(
        Para((Text("مقدمة"),)), Subheading("عنوان فرعي"), nested, *filler))
    report = dataclasses.replace(base, sections=(section, *base.sections[1:]))
    html = html_view(html_writer.render(report))
    docx_data = docx_writer.render(report)
    docx = docx_view(docx_data)
    assert (3, "عنوان فرعي") in html["headings"]
    # the PDF too: in its bookmarks, and its nested list's markers in a shipped font (no fallback error)
    assert html["headings"] == docx["headings"] == pdf_view(pdf_writer.render(report), tmp_path)["headings"]
    page = html_writer.render(report).decode()
    assert re.search(r"<ol><li>أول<ul><li>فرعي</li></ul></li><li>ثان</li></ol>", page)
    doc = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx_data)).read("word/document.xml"))
    styles = [(_style(p), _ptext(p)) for p in doc.iter(w("p")) if _ptext(p) in ("أول", "فرعي", "ثان")]
    assert styles == [("ListNumber", "أول"), ("ListBullet2", "فرعي"), ("ListNumber", "ثان")]
    toc = [_ptext(p) for p in doc.iter(w("p")) if _style(p) == "TOC3"]
    assert toc == ["عنوان فرعي"]
    with_toc = html_writer.render(report, toc=True).decode()
    assert re.search(r'<li class="toc-l4"><a href="#sub-[a-z0-9-]+-1">عنوان فرعي</a></li>', with_toc)


def test_contents_in_both_formats_or_in_neither(tmp_path):
    from briefkit.plan import contents_wanted
    from briefkit.writers import pdf as pdf_writer

    for path, wanted in ((HERE / "cases" / "06-blocks.yaml", False),
                         (HERE.parent / "seeds" / "turkey-russia-relations.yaml", True)):
        report = briefkit.load(path)
        assert contents_wanted(report) is wanted
        doc = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx_writer.render(report))).read("word/document.xml"))
        docx_toc = [_ptext(p) for p in doc.iter(w("p")) if (_style(p) or "").startswith("TOC")]
        tokens = pdf_view(pdf_writer.render(report), tmp_path)["tokens"]
        label = _norm_words(localize.labels(report)["contents"])
        assert bool(docx_toc) is wanted, path.name
        assert (label[0] in tokens) is wanted, path.name
