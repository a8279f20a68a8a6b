"""Where a line may not end: a note's number never starts a line of its own."""
from __future__ import annotations

import io

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
            chars = page.chars
            body = max((c["size"] for c in chars), key=lambda s: sum(1 for c in chars if c["size"] == s))
            text = [c for c in chars if c["size"] == body and c["text"].strip()]

            def mid(c):
                return (c["top"] + c["bottom"]) / 2

            # a call: a small «1» among the body's lines (not a table's digits, not the notes area)
            calls = [c for c in chars if c["text"] in "1١" and c["size"] < body * 0.85
                     and any(abs(mid(t) - mid(c)) < 2.5 * body for t in text)]
            for call in calls:
                line = [t for t in text if abs(mid(t) - mid(call)) < body * 0.6]
                assert line, f"a note call alone on its line, page {page.page_number}, y={call['top']:.0f}"
                checked += 1
    assert checked >= 30
