"""Where a line may not end: a note's number never starts a line of its own."""
from __future__ import annotations

import io
from pathlib import Path

import pdfplumber

import briefkit
from briefkit.writers import render


def test_a_note_number_stays_on_the_line_of_the_word_it_follows():
    # 36 paragraphs of growing length, each ending «“بنجاح”.» and a note call: the call falls at every
    # place in the line, including just past its end (where the line used to break before it)
    paras = "\n".join(f'      - "{"كلمة " * k}قال إن الملء اكتمل “بنجاح”.[^s]"' for k in range(20, 56))
    text = f"""briefkit: 1
meta: {{title: موجز, id: calls}}
actors: [{{id: a, name: مصر}}, {{id: b, name: إثيوبيا}}]
areas: [{{id: nile, title: السد, region: حوض النيل, relation: rivalry}}]
sources: [{{id: s, title: كلمة رئيس الوزراء, date: 2023-09-10}}]
sections:
  - id: one
    heading: مدخل
    body:
{paras}
"""
    report = briefkit.loads(text, name="calls.yaml")
    with pdfplumber.open(io.BytesIO(render(report, "pdf"))) as pdf:
        checked = 0
        for page in pdf.pages:
            chars = [{**c, "size": round(c["size"], 1)} for c in page.chars]
            body = max((c["size"] for c in chars), key=lambda s: sum(1 for c in chars if c["size"] == s))
            text = [c for c in chars if c["size"] == body and c["text"].strip()]

            def mid(c):
                return (c["top"] + c["bottom"]) / 2

            # a call: a small «1» among the body's lines (not a table's digits, not the notes area)
            if "تايوتحملا" in (page.extract_text() or ""):
                continue                               # «المحتويات»: the contents' page numbers are not calls
            calls = [c for c in chars if c["text"] in "1١" and c["size"] < body * 0.85
                     and any(abs(mid(t) - mid(c)) < 2.5 * body for t in text)]
            for call in calls:
                line = [t for t in text if t is not call and abs(mid(t) - mid(call)) < body * 0.6]
                assert line, f"a note call alone on its line, page {page.page_number}, y={call['top']:.0f}"
                checked += 1
    assert checked >= 30


def english_report(report_id: str, title: str, paras: list[str], meta: str = ""):
    """A two-actor English brief whose one section holds ``paras``."""
    body = "\n".join(f'      - "{p}"' for p in paras)
    extra = f", {meta}" if meta else ""
    return briefkit.loads(f"""briefkit: 1
meta: {{title: {title}, id: {report_id}, lang: en{extra}}}
actors: [{{id: a, name: Egypt}}, {{id: b, name: Houthis}}]
areas: [{{id: x, title: Suez, region: Red Sea, relation: rivalry}}]
sections:
  - id: one
    heading: Transits
    body:
{body}
""", name=f"{report_id}.yaml")


def test_a_url_in_an_english_line_never_breaks_after_its_scheme(tmp_path):
    import subprocess

    paras = [f'{"word " * k}see https://meridian.example.org/tracker/red-sea/weekly-transits for data.'
             for k in range(5, 41)]
    pdf = tmp_path / "urls.pdf"
    pdf.write_bytes(render(english_report("urls", "Shipping", paras), "pdf"))
    lines = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    assert sum("meridian" in ln for ln in lines) >= 36
    assert not [ln for ln in lines if ln.rstrip().endswith(("https://", "https:", "https"))]


def test_a_long_title_runs_as_one_line_cut_after_a_word_in_both_formats(tmp_path):
    import re
    import subprocess
    import zipfile

    title = ("Shipping in the Red Sea: Houthi attacks, the United States, Egypt and Saudi Arabia "
             "between deterrence, diplomacy and the economics of the Suez Canal")
    report = english_report("long-title", f'"{title}"', ["Transits fell sharply as lines re-routed. " * 12] * 6,
                            meta="publisher: {name: Meridian Policy Institute}")
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render(report, "pdf"))
    head = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[0]
    shown = re.split(r"\s{2,}", head.strip())[0]
    assert shown.endswith("…") and title.startswith(shown[:-1]) and title[len(shown) - 1] in " ,:;", head
    assert "Meridian Policy Institute" in head                       # the other half of the same line
    with zipfile.ZipFile(io.BytesIO(render(report, "docx"))) as z:
        tokens = re.findall(r"<w:t[^>]*>([^<]*)</w:t>|(<w:tab/>)", z.read("word/header1.xml").decode())
        header = "".join(t or "\t" for t, _ in tokens)
    assert header == shown + "\tMeridian Policy Institute"          # the same head: title, then publisher


def test_a_source_entry_is_never_split_from_its_number():
    # A5: «المصادر» and a bare «1» ended a page, the entry's text began the next one (the number floats)
    path = Path(__file__).parent / "regress" / "a5-sources" / "nile-a5.yaml"
    report = briefkit.load(path)
    pdf_bytes = render(report, "pdf")                      # with the theme.yaml beside it
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
    heading = [i for i, t in enumerate(pages) if "رداصملا" in t]     # «المصادر», visual order
    assert heading
    # the sources heading (its last occurrence: the contents list it too) shares its page with an entry
    assert any(title in pages[heading[-1]] for title in ("Ethiopia", "Nile Basin", "Africa Energy")), \
        pages[heading[-1]][-400:]
