"""The HTML writer: golden HTML per case, escaping of hostile text, footnote numbering, bidi isolation.

Regenerate the goldens with ``BRIEFKIT_UPDATE_GOLDEN=1 pytest tests/test_html.py`` and review the diff.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import briefkit
from briefkit import RenderError
from briefkit.writers import html as html_writer

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
GOLDEN = HERE / "golden"
CASE_FILES = sorted(CASES.glob("[0-9][0-9]-*.yaml"))
"""This writer's cases (numbered); other writers keep their own cases beside them."""
UPDATE = os.environ.get("BRIEFKIT_UPDATE_GOLDEN") == "1"


def load_case(name: str):
    return briefkit.load(CASES / f"{name}.yaml")


def normalise(html: str) -> str:
    """The HTML as stored in the goldens: the package stylesheet (the first <style>) and the
    machine-specific path of the cases folder are replaced by placeholders."""
    start = html.index("<style>\n") + len("<style>\n")
    end = html.index("</style>", start)
    html = html[:start] + "/* templates/brief.css */\n" + html[end:]
    # the chart's drawing (SVG and placed labels) is tested in test_chart.py; its figure and caption stay
    html = re.sub(r'(<div class="bk-plot"[^>]*>).*?</div></div>(<figcaption)',
                  r"\1<!-- briefkit/chart.py --></div>\2", html, flags=re.S)
    return html.replace(CASES.as_uri(), "file:///CASES")


def body(html: str) -> str:
    return html[html.index("<body"):]


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda p: p.stem)
def test_golden_html(case):
    html = normalise(briefkit.render_html(briefkit.load(case)).decode("utf-8"))
    golden = GOLDEN / f"{case.stem}.html"
    if UPDATE or not golden.exists():
        if not UPDATE:
            pytest.fail(f"no golden for {case.stem}; run with BRIEFKIT_UPDATE_GOLDEN=1 and review")
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8")


def test_no_orphan_goldens():
    assert {p.stem for p in GOLDEN.glob("*.html")} == {p.stem for p in CASE_FILES}


def test_deterministic(seed_report):
    assert briefkit.render_html(seed_report) == briefkit.render_html(seed_report)


def test_document_shell(seed_report, english_report):
    ar = briefkit.render_html(seed_report).decode()
    assert '<html lang="ar" dir="rtl">' in ar
    assert f"<title>{seed_report.meta.title}</title>" in ar
    en = briefkit.render_html(english_report).decode()
    assert '<html lang="en" dir="ltr">' in en
    assert "Key takeaways" in en and "أبرز النقاط" not in en
    assert "@top-left { content: string(doctitle); }" in en      # LTR: title at the start (left)
    assert "@top-right { content: string(doctitle); }" in ar     # RTL: title at the start (right)


# ---- hostile text -----------------------------------------------------------------------------------

def test_hostile_text_is_literal():
    report = load_case("07-hostile")
    html = body(briefkit.render_html(report).decode())
    # The chart's own drawing is the only <svg>; the report's text in it is escaped like the rest.
    figure = re.search(r'<figure id="figure-balance".*?</figure>', html, re.S).group()
    assert figure.count("<svg") == 1 and figure.count("<title>") == 1
    html = html.replace(figure, "")
    for tag in ("<script", "<img", "<link", "<object", "<embed", "<iframe", "<svg", "<style"):
        assert tag not in html and tag not in figure.replace("<svg", "", 1), tag
    text = re.sub(r'</?bdi( dir="ltr")?>', "", html)   # Latin runs are isolated in an RTL brief
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;link rel=attachment href=file:///etc/passwd&gt;" in text
    assert 'rel="attachment"' not in html and "rel=attachment>" not in html
    # the only hrefs are the brief's own anchors
    assert set(re.findall(r'href="([^"]*)"', html)) <= {"#fn-s"}
    # and the document head carries the title as text only
    head = briefkit.render_html(report).decode().split("<body", 1)[0]
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;&lt;link rel=attachment" in head


# ---- footnotes ------------------------------------------------------------------------------------

def _footnotes(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<span class="footnote" id="fn-([a-z0-9-]+)" data-n="([^"]+)">', html)


def test_footnotes_by_first_citation():
    report = load_case("02-footnotes")
    html = briefkit.render_html(report).decode()
    # takeaway cites two, the areas table cites one then three; the section only repeats them
    assert _footnotes(html) == [("two", "1"), ("one", "2"), ("three", "3")]
    assert [(f.number, f.source.id) for f in report.footnotes] == [(1, "two"), (2, "one"), (3, "three")]
    assert re.findall(r'<a class="fn-again" href="#source-([a-z]+)">(\d)</a>', html) == [
        ("two", "1"), ("one", "2"), ("three", "3")]
    # the sources list follows the footnote numbers; the uncited source comes last, unnumbered
    assert re.findall(r'<li id="source-([a-z]+)"><span class="src-n">([^<]+)</span>', html) == [
        ("two", "1"), ("one", "2"), ("three", "3"), ("unused", "·")]


def test_seed_one_footnote_per_cited_source(seed_report):
    html = briefkit.render_html(seed_report).decode()
    notes = _footnotes(html)
    assert [sid for sid, _ in notes] == [f.source.id for f in seed_report.footnotes]
    assert [n for _, n in notes] == [str(f.number) for f in seed_report.footnotes]


# ---- bidi ----------------------------------------------------------------------------------------------

def test_latin_inside_arabic_is_isolated_across_inline_boxes():
    html = briefkit.render_html(load_case("03-bidi")).decode()
    assert '<bdi dir="ltr"><strong>North Atlantic Treaty</strong> Organization</bdi>' in html
    assert '<bdi dir="ltr">2017-09-12</bdi>' in html
    assert '<bdi dir="ltr">10-20</bdi>%' in html   # the % reads on the brief's side, as after 45
    assert 'صفقة <bdi dir="ltr">S-400</bdi>' in html
    assert '<bdi dir="ltr">F-35 Lightning II</bdi>' in html


def test_arabic_inside_english_is_isolated():
    html = briefkit.render_html(load_case("04-english")).decode()
    assert 'Egypt (<bdi dir="rtl">مصر</bdi>)' in html


# ---- languages and digits --------------------------------------------------------------------------

def test_persian_labels_and_native_digits():
    report = load_case("05-persian-native")
    html = briefkit.render_html(report).decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert "نقشهٔ همکاری و رقابت" in html
    assert "counter(page, persian)" in html and "counter(pages, persian)" in html
    text = re.sub(r"<[^>]+>", " ", body(html))
    text = re.sub(r"(#[0-9A-Fa-f]{6}|[0-9.]+%|\b[a-z0-9-]*\d[a-z0-9-]*\b)", " ", text)
    assert not re.search(r"[0-9]", text), "generated numbers must be native"
    assert "۲۰۲۳" in html                          # the date
    assert 'data-n="۱"' in html                    # the footnote number
    assert "۳" in html                             # intensity and counts


def test_english_quote_marks_and_dates():
    html = briefkit.render_html(load_case("06-blocks")).decode()
    assert "«الاقتصاد حجر الزاوية.»" in html
    en = briefkit.render_html(load_case("04-english")).decode()
    assert "14\u00a0July 2023" in en


def test_short_lists_are_set_in_columns():
    html = briefkit.render_html(load_case("06-blocks")).decode()
    assert '<ul class="short">' in html and '<ol>' in html


def test_headings_in_order(seed_report):
    html = briefkit.render_html(seed_report).decode()
    found = re.findall(r'<h([1-3]) id="([^"]+)"[^>]*>|<figure id="([^"]+)"[^>]*>(?:(?!</figure>).)*'
                       r'<figcaption [^>]*bookmark-level:(\d)', html, re.S)
    found = [(h_level or fig_level, hid or fig_id) for h_level, hid, fig_id, fig_level in found]
    assert [(int(level), hid) for level, hid in found] == [
        (level, hid) for hid, _, level in html_writer.heading_ids(seed_report)]


def test_toc_only_when_asked(seed_report):
    assert b'class="toc"' not in html_writer.render(seed_report)
    with_toc = html_writer.render(seed_report, toc=True).decode()
    assert with_toc.count('<li class="toc-l') == len(html_writer.heading_ids(seed_report)) - 1


def test_uncovered_character_is_a_render_error():
    # validate refuses such characters first (test_coverage.py); the writer still never draws tofu
    import dataclasses

    report = briefkit.load(CASES / "01-minimal.yaml")
    report = dataclasses.replace(report, meta=dataclasses.replace(report.meta, title="تقرير 中 ก"))
    with pytest.raises(RenderError) as err:
        briefkit.render_html(report)
    assert "U+4E2D" in str(err.value) and "U+0E01" in str(err.value)


def test_css_string_escapes():
    assert html_writer.css_string('a"b\\</style>') == '"a\\22 b\\5c \\3c /style\\3e "'


def test_badges_use_the_shared_palette(seed_report):
    from briefkit.theme import RELATION_COLORS

    html = briefkit.render_html(seed_report).decode()
    for relation in {a.relation for a in seed_report.areas}:
        assert RELATION_COLORS[relation][0] in html


def test_css_uses_only_the_palette():
    """One palette: every colour in brief.css is a theme.PALETTE role, the accent included,
    and the DOCX writer draws its accent from the same table."""
    from briefkit import theme
    from briefkit.resources import templates_dir
    from briefkit.writers import docx as docx_writer

    css = (templates_dir() / "brief.css").read_text(encoding="utf-8")
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", css)}
    assert used <= {c.lower() for c in theme.PALETTE.values()}, used - set(theme.PALETTE.values())
    assert theme.ACCENT in used
    assert docx_writer.ACCENT == theme.ACCENT.lstrip("#").upper()
    import io
    import zipfile

    styles = zipfile.ZipFile(io.BytesIO(briefkit.render_docx(briefkit.load(CASES / "01-minimal.yaml")))).read("word/styles.xml")
    heading = re.search(rb'w:styleId="Heading1".*?</w:style>', styles, re.S).group(0)
    assert b'w:color w:val="' + theme.ACCENT.lstrip("#").upper().encode() + b'"' in heading
    reference = (templates_dir() / "docx" / "styles.xml").read_text(encoding="utf-8")
    docx_colours = {"#" + c.lower() for c in re.findall(r'w:(?:val|fill|color)="([0-9A-F]{6})"', reference)}
    assert docx_colours <= {c.lower() for c in theme.PALETTE.values()}, docx_colours


def test_the_page_fits_a_phone(tmp_path, seed_report):
    # blind9 F19: no viewport meta, so a phone drew a 980 px page shrunk to 40 %; the chart then held it wide
    from browser import chromium

    page = tmp_path / "p.html"
    page.write_bytes(briefkit.render_page(seed_report))
    driver = chromium()
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        driver.get(page.as_uri())
        inner, scrolled = driver.execute_script("return [window.innerWidth, document.documentElement.scrollWidth]")
    finally:
        driver.quit()
    assert inner == scrolled == 390      # laid out at the phone's width, nothing wider


def test_a_note_call_after_a_superscript_keeps_a_narrow_space_in_both_formats():
    # blind8 F22: «م³» then the call «²» read «م³²»
    import io
    import zipfile

    # (the third citation of a source equals the second as a value: the DOCX found the wrong one's text)
    report = briefkit.loads("briefkit: 1\nmeta: {title: t, id: q}\nactors: [{id: a, name: مصر}, {id: b, name: تركيا}]\n"
                            "areas: [{id: x, title: س, region: ر, relation: mixed, summary: 'أ[^s] ب[^s] نحو 74 "
                            "مليار م³[^s] و2[^s].'}]\nsources: [{id: s, title: ع}]\n")
    html = briefkit.render_html(report).decode()
    assert "م³\u2060\u202f<a" in html and "و2\u2060<a" in html
    with zipfile.ZipFile(io.BytesIO(briefkit.render_docx(report))) as z:
        xml = z.read("word/document.xml").decode()
    assert xml.count("\u202f") == 1
