"""Property-based tests (hypothesis): valid reports always build; mutated reports fail only the documented way.

The default run is short (a handful of examples; rendering costs about a second each). The long mode:
``BRIEFKIT_FUZZ_EXAMPLES=10000 pytest tests/test_fuzz.py -k validate`` runs the cheap validate-only property
that many times (the rendering properties get a tenth of it).
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from collections import Counter
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from briefkit.errors import RenderError, ReportError  # noqa: E402
from briefkit.loader import loads  # noqa: E402
from textcheck import words  # noqa: E402

LONG = int(os.environ.get("BRIEFKIT_FUZZ_EXAMPLES", "0"))
CHEAP = settings(max_examples=LONG or 40, deadline=None, derandomize=not LONG,
                 suppress_health_check=list(HealthCheck))
COSTLY = settings(max_examples=max(3, LONG // 10) if LONG else 3, deadline=None, derandomize=not LONG,
                  suppress_health_check=list(HealthCheck))

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted([*(ROOT / "seeds").glob("*.yaml"), *(ROOT / "tests" / "cases").glob("*.yaml")])
SMALL = [ROOT / "tests" / "cases" / n for n in ("01-minimal.yaml", "04-english.yaml", "06-blocks.yaml")]

ARABIC = ["السياسة", "التعاون", "الطاقة", "الأمن", "الحدود", "التجارة", "المياه", "الغاز", "النفط", "الاستثمار",
          "الملف", "الشرقي", "الإقليمي", "الدولي", "الاقتصاد", "الدفاع", "النقل", "الزراعة", "الصحة", "التعليم"]
LATIN = ["energy", "trade", "border", "water", "security", "transit", "finance", "grain", "ports", "cyber"]


# ---- generated valid reports build in both formats, every area title in the text ---------------------

def _phrase(vocab, lo=1, hi=3):
    return st.lists(st.sampled_from(vocab), min_size=lo, max_size=hi).map(" ".join)


@st.composite
def reports(draw):
    lang = draw(st.sampled_from(["ar", "en", "fa"]))
    vocab = LATIN if lang == "en" else ARABIC
    n_actors = draw(st.integers(2, 4))
    actors = [{"id": f"a{i}", "name": draw(_phrase(vocab, 1, 2))} for i in range(n_actors)]
    n_areas = draw(st.integers(1, 4))
    titles = draw(st.lists(_phrase(vocab, 1, 3), min_size=n_areas, max_size=n_areas, unique=True))
    sources = [{"id": f"s{i}", "title": draw(_phrase(vocab, 2, 4))} for i in range(draw(st.integers(0, 2)))]
    cite = (lambda: f" [^{draw(st.sampled_from(sources))['id']}]") if sources else (lambda: "")
    areas = []
    for j, title in enumerate(titles):
        area = {"id": f"x{j}", "title": title, "region": draw(_phrase(vocab, 1, 2)),
                "relation": draw(st.sampled_from(["cooperation", "rivalry", "mixed"]))}
        if draw(st.booleans()):
            area["summary"] = draw(_phrase(vocab, 3, 12)) + cite()
        if draw(st.booleans()):
            area["intensity"] = draw(st.integers(1, 5))
        area["positions"] = {a["id"]: draw(_phrase(vocab, 2, 20)) + cite() for a in actors if draw(st.booleans())}
        areas.append(area)
    report = {"briefkit": 1, "meta": {"title": draw(_phrase(vocab, 1, 5)), "lang": lang},
              "actors": actors, "areas": areas}
    if draw(st.booleans()):
        report["takeaways"] = draw(st.lists(_phrase(vocab, 3, 10), min_size=1, max_size=3))
    if draw(st.booleans()):
        report["sections"] = [{"id": "s-main", "heading": draw(_phrase(vocab)),
                               "body": draw(st.lists(_phrase(vocab, 5, 30), min_size=1, max_size=3))}]
    if sources:
        report["sources"] = sources
    return report


def _pdf_words(data: bytes, rtl: bool) -> Counter:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "\n".join(p.extract_text(char_dir="rtl" if rtl else "ltr", char_dir_render="ltr") or ""
                         for p in pdf.pages)
    return Counter(words(text))


def _docx_text(data: bytes) -> str:
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return "\n".join("".join(t.text or "" for t in p.iter(f"{w}t")) for p in root.iter(f"{w}p"))


@COSTLY
@given(reports())
def test_generated_reports_build_both_formats_with_every_area_title(tmp_path_factory, data):
    from briefkit.writers import render_counted

    report = loads(json.dumps(data, ensure_ascii=False), "gen.json")
    pdf, pages = render_counted(report, "pdf")
    docx, _ = render_counted(report, "docx")
    assert pdf.startswith(b"%PDF-") and pages >= 1
    in_pdf = _pdf_words(pdf, report.rtl)
    in_docx = _docx_text(docx)
    for area in report.areas:
        for word in words(area.title):
            assert in_pdf[word] >= 1, (word, area.title)
        assert area.title in in_docx, area.title


# ---- mutated reports: only ReportError, and validate's verdict predicts build's ------------------------

SNIPPETS = ["&a ", "*a", "!!python/object:os.system ", "\x00", "\x1b[2J", "\u202e", "\ud800", "{", "}", "[", "]",
            "[^", "](javascript:alert(1))", "<script>", ": ", "- ", "\n", "  ", "~", "1e999", ".nan", "0000-01",
            "'", '"', "\\", "#", "|", ">", "? ", "<<: *a", "---\n", "\t", "\ufeff", "https:///etc/passwd",
            "\u0085", "\r"]


@st.composite
def mutants(draw, bases, least=1):
    base = draw(st.sampled_from(bases)).read_text(encoding="utf-8")
    text = base
    for _ in range(draw(st.integers(least, 4))):
        lines = text.split("\n")
        kind = draw(st.sampled_from(["insert", "delete", "replace", "dup-line", "drop-line", "swap-lines",
                                     "bytes"]))
        pos = draw(st.integers(0, max(0, len(text) - 1)))
        if kind == "insert":
            text = text[:pos] + draw(st.sampled_from(SNIPPETS) | st.text(max_size=8)) + text[pos:]
        elif kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        elif kind == "replace":
            text = text[:pos] + draw(st.sampled_from(SNIPPETS)) + text[pos + 1:]
        elif kind in ("dup-line", "drop-line", "swap-lines") and len(lines) > 2:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if kind == "dup-line":
                lines.insert(i, lines[j])
            elif kind == "drop-line":
                del lines[i]
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif kind == "bytes":
            raw = text.encode("utf-8", "surrogatepass")
            p = min(pos, len(raw))
            text = raw[:p] + draw(st.binary(min_size=1, max_size=4)) + raw[p:]
            return text
    return text


def _verdict(raw) -> tuple[str, object]:
    try:
        return "valid", loads(raw, ROOT / "tests" / "cases" / "mutant.yaml")
    except ReportError as e:
        for p in e.problems:  # every problem is one safe line
            line = str(p)
            assert "\n" not in line and "\x1b" not in line and "\u202e" not in line
            line.encode("utf-8")
            json.dumps(p.as_dict(), ensure_ascii=False).encode("utf-8")
        return "invalid", e


@CHEAP
@given(mutants(SEEDS))
def test_validate_mutated_reports_only_raise_report_error(raw):
    verdict, _ = _verdict(raw)  # anything but ReportError fails the test
    hypothesis.event(f"verdict: {verdict}")


@settings(COSTLY, max_examples=max(8, LONG // 10) if LONG else 8)  # about one mutant in five is still valid
@given(mutants(SMALL, least=0))
def test_validate_verdict_predicts_build(tmp_path_factory, raw):
    from briefkit.builder import build

    import shutil

    work = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(ROOT / "tests" / "cases" / "assets", work / "assets")  # the cases' relative logos
    out = work / "out"
    src = work / "mutant.yaml"
    src.write_bytes(raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass"))
    verdict, _ = _verdict(raw)
    try:
        build(src, out, ("pdf", "docx"))
        outcome = "valid"
    except ReportError:
        outcome = "invalid"
    except RenderError as e:
        pytest.fail(f"validated, then failed to render: {e}")
    hypothesis.event(f"verdict: {verdict}")
    assert outcome == verdict
    assert sorted(p.suffix for p in out.iterdir()) == ([".docx", ".pdf"] if verdict == "valid" else [])
