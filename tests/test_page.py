"""The self-contained page (--format html): loads nothing but data: URIs from any folder, its fonts load in
headless Chromium, notes are numbered per part, and it shows what the PDF's first page shows."""
from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

import briefkit
from briefkit.localize import number
from briefkit.options import Options
from briefkit.writers import render

from browser import chromium
from test_house import ACCENT, EXAMPLE, themed_report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def browser():
    driver = chromium("--hide-scrollbars")
    yield driver
    driver.quit()


def assert_self_contained(page: str) -> None:
    assert "file:" not in page
    assert not re.search(r"<(?:link|script|iframe|object|embed)\b", page)
    for url in re.findall(r'(?:src|srcset)="([^"]*)"', page) + re.findall(r'url\(["\']?([^"\')]*)', page):
        assert url.startswith(("data:", "#")), url[:80]     # "#": the chart's own SVG patterns
    for href in re.findall(r'href="([^"]*)"', page):
        assert href.startswith(("#", "https://", "http://", "mailto:")), href   # links, never loaded


def _loaded(driver) -> tuple[list, list]:
    """(family, status) of every face after document.fonts.ready, and every resource the page fetched."""
    faces, fetched = driver.execute_async_script(
        "const done = arguments[0];"
        "document.fonts.ready.then(() => done([[...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.status]),"
        " performance.getEntriesByType('resource').map(e => e.name)]));")
    return [tuple(f) for f in faces], fetched


def _pixels_near(png: bytes, rgb, tol=14) -> int:
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGB")
    data = im.tobytes()
    return sum(1 for i in range(0, len(data), 3)
               if all(abs(data[i + k] - rgb[k]) <= tol for k in range(3)))


def test_themed_page_in_chromium_matches_the_pdf(tmp_path, browser):
    report = briefkit.load(themed_report(tmp_path / "src"))
    options = Options(theme=EXAMPLE)
    page = render(report, "html", options).decode("utf-8")
    assert_self_contained(page)
    out = tmp_path / "any" / "folder" / "brief.html"      # not beside the report, not in the repository
    out.parent.mkdir(parents=True)
    out.write_text(page, encoding="utf-8")
    browser.get(out.as_uri())

    faces, fetched = _loaded(browser)
    assert fetched == [] or all(u.startswith("data:") for u in fetched), fetched
    assert faces and all(status in ("loaded", "unloaded") for _, status in faces), faces   # none failed
    assert any(f.startswith("Scheherazade ") and status == "loaded" for f, status in faces), faces
    assert browser.find_elements("css selector", ".bk-chart")
    assert ("Noto Kufi Arabic", "loaded") in faces, faces         # the chart's labels name the shipped sans
    h1 = browser.find_element("css selector", "h1")
    assert h1.text == report.meta.title
    assert "Scheherazade" in h1.value_of_css_property("font-family").split(",")[0]
    assert h1.value_of_css_property("color") in ("rgb(18, 21, 26)", "rgba(18, 21, 26, 1)")
    logo = browser.find_element("css selector", "img.logo")
    assert logo.get_attribute("src").startswith("data:image/png;base64,")
    assert browser.execute_script("return arguments[0].naturalWidth", logo) > 0

    # Notes: numbered at the end of each part, in first-citation order, each call linking to its note.
    calls = browser.find_elements("css selector", "a.fn-call")
    notes = browser.find_elements("css selector", ".notes li")
    assert [n.find_element("css selector", ".note-n").text for n in notes] == [number(i, report) for i in (1, 2, 3)]
    for call in calls:
        target = call.get_attribute("href").split("#", 1)[1]
        assert browser.find_elements("id", target), target
    assert len({c.get_attribute("href") for c in calls}) == 3
    assert not browser.find_elements("css selector", "span.footnote")   # the print-only floats are not here

    shot = browser.get_screenshot_as_png()
    (tmp_path / "page.png").write_bytes(shot)
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(render(report, "pdf", options))
    subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")], check=True)
    first = next(tmp_path.glob("p-*1.png")).read_bytes()
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert report.meta.title in text
    # The masthead's plum rule and headings: in the screenshot and on the PDF's first page.
    assert _pixels_near(shot, ACCENT) > 300
    assert _pixels_near(first, ACCENT) > 100
    h2 = browser.find_element("css selector", "h2")
    assert h2.value_of_css_property("color") in ("rgb(122, 31, 92)", "rgba(122, 31, 92, 1)")


def test_shipped_page_embeds_the_shipped_faces(tmp_path, browser):
    report = briefkit.load(ROOT / "tests" / "cases" / "04-english.yaml")
    page = render(report, "html").decode("utf-8")
    assert_self_contained(page)
    families = set(re.findall(r'@font-face \{ font-family: "([^"]+)"; src: url\("data:font/woff;base64,', page))
    assert {"Amiri", "Noto Sans"} <= families
    out = tmp_path / "brief.html"
    out.write_text(page, encoding="utf-8")
    browser.get(out.as_uri())
    faces, fetched = _loaded(browser)
    assert all(u.startswith("data:") for u in fetched), fetched
    assert faces and all(status in ("loaded", "unloaded") for _, status in faces), faces   # none failed
    assert ("Amiri", "loaded") in faces and ("Noto Sans", "loaded") in faces
    h2 = browser.find_element("css selector", "h2")
    assert h2.value_of_css_property("color") in ("rgb(11, 79, 108)", "rgba(11, 79, 108, 1)")
    width = browser.execute_script("return document.body.getBoundingClientRect().width")
    assert width < 1000 * 0.9      # a readable column, not the window's width


def test_subset_faces_shape_the_text_as_the_full_faces():
    """Every embedded face, decoded from the page, shapes each line of the page's text exactly as the
    shipped file does (same glyph advances, offsets and clusters): joining, marks and ligatures survive."""
    import base64
    import html as html_lib

    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    from briefkit.resources import font_path

    page = render(briefkit.load(ROOT / "seeds" / "turkey-russia-relations.yaml"), "html").decode("utf-8")
    text = html_lib.unescape(re.sub(r"<[^>]+>", "\n", page.split("<body", 1)[1]))
    lines = sorted({ln.strip() for ln in text.splitlines() if ln.strip()})
    faces = re.findall(r'@font-face \{ font-family: "([^"]+)"; src: url\("data:font/woff;base64,([^"]+)"\); '
                       r"font-weight: (\d+); font-style: (\w+);", page)
    assert {f for f, *_ in faces} >= {"Amiri", "Noto Kufi Arabic"}

    def shape(data: bytes, line: str) -> list:
        font = hb.Font(hb.Face(hb.Blob(data)))
        buf = hb.Buffer()
        buf.add_str(line)
        buf.guess_segment_properties()
        hb.shape(font, buf, {})
        return [(i.cluster, p.x_advance, p.x_offset, p.y_offset) for i, p in zip(buf.glyph_infos, buf.glyph_positions)]

    for family, data, weight, style in faces:
        face = ("Bold" if weight == "700" else "") + ("Italic" if style == "italic" else "") or "Regular"
        sub = TTFont(io.BytesIO(base64.b64decode(data)))
        sub.flavor = None
        raw = io.BytesIO()
        sub.save(raw)
        full = font_path(family, face).read_bytes()
        cmap = sub.getBestCmap()
        drawn = [ln for ln in lines if all(ord(c) in cmap or c.isspace() for c in ln)]
        assert drawn, family
        for line in drawn:
            assert shape(raw.getvalue(), line) == shape(full, line), (family, face, line)


def test_screen_css_uses_the_palette_only():
    from briefkit.theme import PALETTE

    css = (ROOT / "templates" / "screen.css").read_text(encoding="utf-8")
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", css)}
    assert used and used <= set(PALETTE.values()), used - set(PALETTE.values())


def test_emoji_and_symbols_come_from_the_pages_own_fallback_faces(tmp_path, browser):
    # the PDF draws them with the shipped fallback faces; the page embeds the same faces, cut to these
    # characters, and every font stack names them, so Chromium draws them (it drew blanks before)
    report = briefkit.loads('briefkit: 1\nmeta: {title: "Shipping 🚢 and the canal", id: emoji, lang: en}\n'
                            'actors: [{id: a, name: Egypt}, {id: b, name: Houthis}]\n'
                            'takeaways: ["Transits fell → ≈ 50% ✓ 📊"]\n'
                            'areas: [{id: x, title: Suez, region: Red Sea, relation: rivalry}]\n', name="e.yaml")
    page = render(report, "html").decode("utf-8")
    assert_self_contained(page)
    out = tmp_path / "emoji.html"
    out.write_text(page, encoding="utf-8")
    browser.get(out.as_uri())
    faces, _ = _loaded(browser)
    assert {("Noto Emoji", "loaded"), ("Noto Sans Math", "loaded"), ("Noto Sans Symbols2", "loaded")} <= set(faces), faces
    assert ("Amiri", "loaded") in faces and ("Noto Sans", "loaded") in faces    # the main faces still load
    for ch, family in (("🚢", "Noto Emoji"), ("📊", "Noto Emoji"), ("→", "Noto Sans Math"), ("✓", "Noto Sans Symbols2")):
        assert browser.execute_script("return document.fonts.check(arguments[0], arguments[1])",
                                      f'16px "{family}"', ch), (ch, family)
