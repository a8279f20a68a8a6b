"""The authoring corpus (tests/authoring/): reports written as editors write them validate, build, and read back."""
from __future__ import annotations

import io
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

import briefkit
from textcheck import missing, recall

HERE = Path(__file__).parent
CORPUS = sorted(p for p in (HERE / "authoring").iterdir() if p.suffix in (".yaml", ".yml", ".json"))
FONTS = HERE.parent / "fonts"
MIN_RECALL = 0.98


@lru_cache(maxsize=1)
def shipped_codepoints() -> frozenset[int]:
    """Every code point some font file in fonts/ maps (read here, not through briefkit, so the test judges it)."""
    from fontTools.ttLib import TTFont

    out: set[int] = set()
    for f in sorted(FONTS.glob("*.[ot]tf")):
        with TTFont(f, lazy=True) as font:
            out.update(font["cmap"].getBestCmap())
    return frozenset(out)


def uncovered(report) -> list[str]:
    have = shipped_codepoints()
    chars = {ch for text in report.all_text() for ch in text
             if not ch.isspace() and ord(ch) not in have and ord(ch) >= 0x20
             and not 0x200B <= ord(ch) <= 0x200F and not 0x2066 <= ord(ch) <= 0x2069}
    out = [f"U+{ord(ch):04X} {ch}" for ch in sorted(chars)]
    return out


def printed(report) -> list[str]:
    """The report's words the brief prints: ``all_text`` without actor aliases (used for matching, not shown)."""
    texts = list(report.all_text())
    for actor in report.actors:
        for alias in actor.aliases:
            if alias in texts:
                texts.remove(alias)
    return [_unglue(t) for t in texts]


def _unglue(text: str) -> str:
    # A footnote call is a number set right after a word ("النار1"): a separate token on both sides.
    return re.sub(r"(?<=[^\W\d_])(?=[0-9\u0660-\u0669\u06F0-\u06F9])", " ", text)


def _rtl_letters(token: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in token)


def pdf_reading(text: str) -> str:
    """pdfplumber's rtl mode reverses the characters of a left-to-right run inside a right-to-left line (it reads
    'Karabakh' as 'hkabaraK' and 2020 as 0202): a token without right-to-left letters counts either way round."""
    lines = []
    for line in _unglue(text).split("\n"):
        lines.append(" ".join(t if _rtl_letters(t) else f"{t} {t[::-1]}" for t in line.split()))
    return "\n".join(lines)


def docx_text(data: bytes) -> str:
    from docx2python import docx2python

    with docx2python(io.BytesIO(data)) as doc:
        text = doc.text
    text = re.sub(r"----(footnote|endnote)\d+----", " ", text)
    return re.sub(r"</?a[^>]*>", "", text)


def pdf_text(data: bytes, rtl: bool) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text(char_dir="rtl" if rtl else "ltr", char_dir_render="ltr") or ""
                         for p in pdf.pages)


def test_corpus_covers_the_editors_habits():
    assert len(CORPUS) >= 12
    raw = {p: p.read_bytes() for p in CORPUS}
    reports = [briefkit.load(p) for p in CORPUS]
    assert all(3 <= len(r.actors) <= 5 for r in reports)
    assert {"en", "fa"} <= {r.language for r in reports}
    assert any(b.startswith(b"\xef\xbb\xbf") for b in raw.values())
    assert any(b"\r\n" in b for b in raw.values())
    text = b"".join(raw.values()).decode("utf-8", "replace")
    for habit in ("summary: >", "body: |", "body: >", "outlook: |", "recommendations: |", "# ", "Erdoğan",
                  "Çavuşoğlu", "→", "✓", "≤", "€", "₺"):
        assert habit in text, habit


def _id(p: Path) -> str:
    return p.stem


def _marks(path: Path):
    try:
        gaps = uncovered(briefkit.load(path))
    except Exception:  # noqa: BLE001 - the test itself then fails with the real error
        return []
    if gaps:
        # Until the "fonts" work (fallback faces for symbols) lands, these characters have no shipped glyph:
        # the build refuses them. The mark lifts itself once fonts/ covers them, and then the case must pass.
        return [pytest.mark.xfail(raises=briefkit.RenderError, strict=True,
                                  reason="no shipped font covers " + ", ".join(gaps))]
    return []


@pytest.mark.parametrize("path", [pytest.param(p, marks=_marks(p), id=_id(p)) for p in CORPUS])
def test_builds_and_reads_back(path, tmp_path):
    report = briefkit.load(path)
    pdf = briefkit.render_pdf(report)
    docx = briefkit.render_docx(report)
    source = printed(report)
    got_pdf = pdf_reading(pdf_text(pdf, report.rtl)) if report.rtl else _unglue(pdf_text(pdf, False))
    got_docx = _unglue(docx_text(docx))
    assert recall(source, got_pdf) >= MIN_RECALL, missing(source, got_pdf)
    assert recall(source, got_docx) >= MIN_RECALL, missing(source, got_docx)
