"""The balance chart: label shaping (HarfBuzz, marks included), one mark per area and the right counts per region in
every drawing (SVG elements, HTML labels, PNG pixels), deterministic bytes, the PDF text layer of its
labels, and the DOCX picture (openxml-audit, LibreOffice)."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree

import briefkit
from briefkit import chart
from briefkit.model import Actor, Area, Meta, Report
from conftest import ENGLISH, SEED, SEEDS
from textcheck import missing, recall

PERSIAN = SEEDS / "turkey-russia-relations-fa.yaml"
SVG = "{http://www.w3.org/2000/svg}"

# The seed's areas by region, read off seeds/turkey-russia-relations.yaml.
SEED_COUNTS = {
    "آسيا الوسطى والقوقاز": {"rivalry": 2},
    "أوروبا والبحر الأسود": {"mixed": 2, "rivalry": 1},
    "الشرق الأوسط": {"mixed": 1, "rivalry": 1},
    "العلاقات الثنائية": {"cooperation": 2},
}
OKABE_ITO = {"cooperation": (0x00, 0x72, 0xB2), "mixed": (0xE6, 0x9F, 0x00), "rivalry": (0xC4, 0x52, 0x0A)}


@pytest.fixture(scope="module")
def persian_report():
    return briefkit.load(PERSIAN)


# ---- shaping: HarfBuzz, as the PDF's labels ------------------------------------------------------

@lru_cache(maxsize=None)
def _face(family: str):
    from fontTools.ttLib import TTFont

    from briefkit.resources import font_path
    return TTFont(io.BytesIO(font_path(family, "Regular").read_bytes()))   # no file left open


def _glyph_names(text: str, rtl: bool = True) -> list[str]:
    """The glyphs a label draws, left to right, as Unicode names read off the face's glyph names
    (Noto Kufi Arabic names its joining forms after their presentation forms: uniFEB4)."""
    out = []
    for family, gid, _, _ in chart.shape(text, rtl).glyphs:
        name = _face(family).getGlyphOrder()[gid]
        out.append(unicodedata.name(chr(int(name[3:], 16))) if re.fullmatch(r"uni[0-9A-F]{4}", name) else name)
    return out


def test_arabic_label_is_joined_and_right_to_left():
    names = _glyph_names("الملف السوري")
    # Visual order: the last logical word comes first, read from its last letter: «السوري».
    assert names[:6] == ["ARABIC LETTER YEH", "ARABIC LETTER REH", "ARABIC LETTER WAW FINAL FORM",
                         "ARABIC LETTER SEEN MEDIAL FORM", "ARABIC LETTER LAM INITIAL FORM", "ARABIC LETTER ALEF"]
    # «الملف» read from its end: feh final, lam medial, meem medial, lam initial, alef.
    assert names[-5:] == ["ARABIC LETTER FEH FINAL FORM", "ARABIC LETTER LAM MEDIAL FORM",
                          "ARABIC LETTER MEEM MEDIAL FORM", "ARABIC LETTER LAM INITIAL FORM", "ARABIC LETTER ALEF"]
    # Noto Kufi Arabic draws lam-alef as lam joined to a final alef.
    assert _glyph_names("لا") == ["ARABIC LETTER ALEF FINAL FORM", "ARABIC LETTER LAM INITIAL FORM"]


def test_persian_label_keeps_its_zero_width_non_joiner():
    # «حوزه‌ها»: the ZWNJ stops heh from joining the next heh; it is not drawn itself.
    assert _glyph_names("حوزه\u200cها") == [
        "ARABIC LETTER ALEF FINAL FORM", "ARABIC LETTER HEH INITIAL FORM", "ARABIC LETTER HEH",
        "ARABIC LETTER ZAIN", "ARABIC LETTER WAW FINAL FORM", "ARABIC LETTER HAH INITIAL FORM"]
    # Without the ZWNJ the first heh would join: a medial form appears.
    assert "ARABIC LETTER HEH MEDIAL FORM" in _glyph_names("حوزهها")


def test_latin_label_in_order_and_kerned():
    text = "AVATAR (LAC), 2020"
    assert _glyph_names(text, rtl=False)[:6] == ["A", "V", "A", "T", "A", "R"]
    # Inside an Arabic label a Latin run keeps its own left-to-right order.
    assert _glyph_names("منظومة S-400")[:5] == ["S", "hyphen", "four", "zero", "zero"]
    # The face's kerning applies (A–V, T–A are kerned in Noto Sans): narrower than its letters one by one.
    assert chart.measure("AVATAR", 10, False) < sum(chart.measure(ch, 10, False) for ch in "AVATAR") - 1


def test_brackets_and_quotes_mirror_in_arabic():
    # «…» and (…) around Arabic read right to left: drawn left to right, the line starts with the
    # closing mark's mirror, i.e. the same characters the reader expects to see on each side.
    names = _glyph_names("«الناتو» (روسيا)")
    assert names[0] == "parenleft" and names[-1] == "guillemotright"
    assert names.index("guillemotleft") < names.index("guillemotright")


def test_latin_phrase_reads_as_in_the_pdf():
    # The PDF isolates «Somalia (AUSSOM)» as one left-to-right phrase (briefkit.bidi); the plain algorithm
    # drew «(Somalia (AUSSOM» (the closing bracket took the Arabic side).
    names = _glyph_names("بعثة Somalia (AUSSOM)")
    assert names[:17] == [*"Somalia", "space", "parenleft", *"AUSSOM", "parenright", "space"]
    assert names[-1] == "ARABIC LETTER BEH INITIAL FORM"


def test_report_isolates_are_drawn_in_order_not_a_crash(persian_report):
    import dataclasses

    # python-bidi's levels predate isolates (it raised «LRI not allowed here»): they become embeddings.
    title = "پرونده \u2066S-400\u2069 \u2067نه\u2069"
    # Read right to left: «پرونده», «S-400», «نه».
    assert _glyph_names(title) == [
        "ARABIC LETTER HEH FINAL FORM", "ARABIC LETTER NOON INITIAL FORM", "space", "S", "hyphen", "four", "zero",
        "zero", "space", "ARABIC LETTER HEH", "ARABIC LETTER DAL FINAL FORM", "ARABIC LETTER NOON INITIAL FORM",
        "ARABIC LETTER WAW", "ARABIC LETTER REH FINAL FORM", "ARABIC LETTER PEH INITIAL FORM"]
    areas = (dataclasses.replace(persian_report.areas[0], title=title), *persian_report.areas[1:])
    assert chart.png(dataclasses.replace(persian_report, areas=areas)).startswith(b"\x89PNG")


MARKED = {   # label: the marks it must draw (ARABIC LIGATURE SHADDA WITH FATHA: the face's own glyph for both)
    "پروندهٔ هسته\u200cای": {"ARABIC HAMZA ABOVE"},
    "الأمم المُتَّحِدة": {"ARABIC DAMMA", "ARABIC LIGATURE SHADDA WITH FATHA ISOLATED FORM", "ARABIC KASRA"},
    "عاماً": {"ARABIC FATHATAN"},
    "الرحمٰن": {"ARABIC LETTER SUPERSCRIPT ALEF"},
}


@pytest.mark.parametrize("text", MARKED)
def test_marks_are_drawn_and_take_no_width(text):
    assert MARKED[text] <= set(_glyph_names(text))
    bare = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    assert chart.measure(text, 10, True) == pytest.approx(chart.measure(bare, 10, True), abs=0.01)


def _ink(family: str, gid: int) -> tuple[float, float, float, float]:
    from fontTools.pens.boundsPen import BoundsPen

    font = _face(family)
    pen = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[font.getGlyphOrder()[gid]].draw(pen)
    return pen.bounds


def _uses(svg_text: str):
    """Every glyph drawn in a chart's SVG: (face key, glyph id, x, y, scale), read off its <use>."""
    return [(m[1], int(m[2]), float(m[3]), float(m[4]), float(m[5])) for m in re.finditer(
        r'<use xlink:href="#([A-Za-z_]+?_[rb])_(\d+)" transform="translate\(([-\d.]+),([-\d.]+)\) scale\(([\d.]+),',
        svg_text)]


def test_persian_chart_draws_the_ezafe_above_its_heh(persian_report):
    """The blind tester's case: «پروندهٔ هسته‌ای» lost its hamza in the DOCX picture (SVG and PNG)."""
    import dataclasses

    from PIL import Image, ImageChops

    def with_title(title):
        areas = (dataclasses.replace(persian_report.areas[0], title=title), *persian_report.areas[1:])
        return dataclasses.replace(persian_report, areas=areas)

    marked, bare = with_title("پروندهٔ هسته\u200cای"), with_title("پرونده هسته\u200cای")
    # The PNG (what LibreOffice shows) draws the mark: the marked chart only adds ink to the bare one's.
    a = Image.open(io.BytesIO(chart.png(marked))).convert("L")
    b = Image.open(io.BytesIO(chart.png(bare))).convert("L")
    added = ImageChops.subtract(b, a).point(lambda v: 255 if v > 64 else 0).getbbox()
    assert added and ImageChops.subtract(a, b).point(lambda v: 255 if v > 64 else 0).getbbox() is None
    order = _face("Noto Kufi Arabic").getGlyphOrder()
    hamza, heh = order.index("uni0654"), order.index("uni0647")
    uses = _uses(chart.svg(marked))
    [(_, _, hx, hy, k)] = [u for u in uses if u[0] == "Noto_Kufi_Arabic_r" and u[1] == hamza]
    # the heh the ezafe belongs to: the nearest isolated heh left of the mark's origin
    bx, by, _ = min(((x, y, kk) for f, g, x, y, kk in uses
                    if f == "Noto_Kufi_Arabic_r" and g == heh and x <= hx + 1), key=lambda u: hx - u[0])
    m_x0, m_y0, m_x1, _ = _ink("Noto Kufi Arabic", hamza)
    b_x0, _, b_x1, b_y1 = _ink("Noto Kufi Arabic", heh)
    # In page points (y grows down): the mark's ink overlaps the heh's horizontally and sits above its top.
    assert hx + m_x0 * k < bx + b_x1 * k and bx + b_x0 * k < hx + m_x1 * k
    assert hy - m_y0 * k <= by - b_y1 * k + 0.2
    s = chart.DPI / 72      # and that ink is the mark's, over its heh
    assert bx * s - 2 < added[0] and added[2] < (bx + b_x1 * k) * s + 2 and added[3] < (by - b_y1 * k) * s + 2


# ---- the seed's chart -------------------------------------------------------------------------

def _svg_root(report):
    return etree.fromstring(chart.svg(report).encode())


def test_one_mark_per_area_and_counts_per_region(seed_report):
    root = _svg_root(seed_report)
    marks = [e for e in root.iter() if "bk-mark" in (e.get("class") or "")]
    assert sorted(e.get("data-area") for e in marks) == sorted(a.id for a in seed_report.areas)
    relation = {a.id: a.relation for a in seed_report.areas}
    assert all(f"bk-{relation[e.get('data-area')]}" in e.get("class") for e in marks)
    shapes = {e.get("data-area"): e.tag for e in marks}
    assert shapes["economy"] == f"{SVG}circle" and shapes["syria"] == f"{SVG}path" \
        and shapes["libya"] == f"{SVG}rect"                     # a shape per relation, not colour alone

    segs = [e for e in root.iter() if "bk-seg" in (e.get("class") or "")]
    widths: dict[str, dict[str, float]] = {}
    for e in segs:
        rel = e.get("class").split()[1].removeprefix("bk-")
        widths.setdefault(e.get("data-region"), {})[rel] = float(e.get("width"))
        assert e.get("fill") == ("#0072B2" if rel == "cooperation" else f"url(#bk-p-{rel})")
    assert set(widths) == set(SEED_COUNTS)
    assert {region: set(w) for region, w in widths.items()} == {r: set(c) for r, c in SEED_COUNTS.items()}
    unit = widths["العلاقات الثنائية"]["cooperation"] / 2      # one scale: a unit is one area
    for region, counts in SEED_COUNTS.items():
        for rel, n in counts.items():
            assert widths[region][rel] == pytest.approx(n * unit, abs=0.02)


def _mark_centres(fig):
    return {s.ref: (s.x + s.w / 2, s.y + s.h / 2, s.w / 2) for s in fig.shapes if s.role == "mark"}


def test_marks_lie_on_the_scale_in_reading_order(seed_report, english_report):
    c = _mark_centres(chart.figure(seed_report))
    # Right to left: cooperation (start), mixed, rivalry; further out = more intense.
    assert c["economy"][0] > c["dialogue"][0] > c["syria"][0] > c["central-asia"][0] > c["libya"][0]
    assert c["syria"][0] == c["nato-enlargement"][0]
    e = _mark_centres(chart.figure(english_report))
    assert e["brics-sco"][0] < e["climate"][0] < e["water-brahmaputra"][0] < e["south-asia"][0] < e["border-lac"][0]
    # Grouped by region (regions in order of first mention), the report's order within a region.
    down = sorted(seed_report.areas, key=lambda a: c[a.id][1])
    assert [a.id for a in down] == ["central-asia", "caucasus", "ukraine-black-sea", "nato-enlargement",
                                    "balkans-kosovo", "syria", "libya", "economy", "dialogue"]


def test_png_pixels_show_each_mark_in_its_colour(seed_report):
    from PIL import Image

    fig = chart.figure(seed_report)
    im = Image.open(io.BytesIO(chart.png(seed_report))).convert("RGB")
    assert im.size == (round(fig.width * chart.DPI / 72), round(fig.height * chart.DPI / 72))
    k = chart.DPI / 72
    relation = {a.id: a.relation for a in seed_report.areas}
    for area_id, (cx, cy, r) in _mark_centres(fig).items():
        px = im.getpixel((round(cx * k), round((cy + 0.6 * r) * k)))   # below the intensity digit
        assert px == OKABE_ITO[relation[area_id]], (area_id, px)
    assert im.getpixel((0, 0)) == (255, 255, 255)                         # paper stays white


def test_labels_in_the_reports_language_and_digits(seed_report, persian_report):
    ar = chart.figure(seed_report)
    texts = [lab.text for lab in ar.labels]
    assert {"تعاون", "تنافس", "تعاون وتنافس"} <= set(texts)
    assert all(lab.anchor == "right" for lab in ar.labels if lab.role in ("label", "region"))
    fa = chart.figure(persian_report)
    generated = [lab.text for lab in fa.labels if lab.role in ("tick", "digit", "count")]
    assert generated and all(t and all("\u06F0" <= ch <= "\u06F9" for ch in t) for t in generated)
    assert chart.caption(seed_report) == "شكل 1: ميزان العلاقة"
    assert chart.caption(persian_report) == "شکل ۱: توازن رابطه"
    alt = chart.alt_text(seed_report)
    assert all(a.title in alt for a in seed_report.areas) and all(r in alt for r in SEED_COUNTS)
    assert "تنافس 4" in alt          # 4 areas of rivalry in all


def test_two_builds_give_the_same_bytes(seed_report, persian_report):
    for report in (seed_report, persian_report):
        assert chart.svg(report) == chart.svg(report)
        assert chart.html(report) == chart.html(report)
        assert chart.png(report) == chart.png(report)
        assert chart.docx_parts(report) == chart.docx_parts(report)


# ---- sizes: 1 to 40 areas, long titles ------------------------------------------------------------

def _synthetic(n_areas: int, n_actors: int, lang: str = "ar") -> Report:
    rels = ("cooperation", "mixed", "rivalry")
    areas = tuple(
        Area(id=f"a{i}", title=("ملف التعاون الاقتصادي والتجاري والطاقة والنقل والجمارك والسياحة " * (i % 3 + 1))
             .strip() if i % 4 == 0 else f"الملف {i}", region=f"المنطقة {i // 5}", relation=rels[i % 3],
             intensity=(None if i % 7 == 3 else i % 5 + 1))
        for i in range(n_areas))
    actors = tuple(Actor(id=f"x{i}", name=f"الطرف {i}") for i in range(n_actors))
    return Report(meta=Meta(id="t", title="t", lang=lang, dir="rtl", locale=lang), actors=actors, areas=areas)


@pytest.mark.parametrize("n_areas,n_actors", [(1, 2), (9, 3), (40, 6)])
def test_layout_fits_for_1_to_40_areas(n_areas, n_actors):
    report = _synthetic(n_areas, n_actors)
    fig = chart.figure(report)
    assert len([s for s in fig.shapes if s.role == "mark"]) == n_areas
    assert fig.height <= 690                                    # fits on one A4 page of text
    for lab in fig.labels:                                     # nothing drawn outside the figure
        w = chart.measure(lab.text, lab.size, True, lab.bold)
        left = lab.x if lab.anchor == "left" else lab.x - w if lab.anchor == "right" else lab.x - w / 2
        assert -0.5 <= left and left + w <= fig.width + 0.5, lab
    titles = [lab for lab in fig.labels if lab.role == "label"]
    assert all(chart.measure(lab.text, lab.size, True) <= 150.5 for lab in titles)
    assert any(lab.text.endswith("…") for lab in titles) == (n_areas > 1)   # long titles shortened
    marks = sorted(_mark_centres(fig).values(), key=lambda m: m[1])
    assert all(b[1] - a[1] >= 2 * a[2] for a, b in zip(marks, marks[1:]))  # rows never overlap
    hollow = [s for s in fig.shapes if s.role == "mark" and s.dashed]
    assert len(hollow) == sum(a.intensity is None for a in report.areas)
    alt = chart.alt_text(report)
    assert all(a.name in alt for a in report.actors) and all(a.title in alt for a in report.areas)


# ---- the PDF: labels are real text, in logical order ---------------------------------------------

def _chart_pdf(report) -> bytes:
    # Through briefkit's own PDF path (its fonts only): a raw WeasyPrint call with @font-face rules would
    # register faces in the process and change which face later renders fall back to.
    from briefkit.writers import pdf as pdf_writer

    doc = (f'<html lang="{report.meta.lang}" dir="{report.meta.dir}"><head><style>'
           f'@page {{ size: A4; margin: 24mm 21mm; }}</style></head><body>{chart.html(report)}</body></html>')
    return pdf_writer.render_html(doc, report)


@pytest.mark.parametrize("path", [SEED, PERSIAN, ENGLISH], ids=lambda p: p.stem)
def test_pdf_labels_are_selectable_in_logical_order(path):
    import pdfplumber

    report = briefkit.load(path)
    with pdfplumber.open(io.BytesIO(_chart_pdf(report))) as pdf:
        assert len(pdf.pages) == 1 and not pdf.pages[0].images
        text = pdf.pages[0].extract_text(char_dir="rtl" if report.rtl else "ltr", char_dir_render="ltr")
    wanted = [a.title for a in report.areas] + list(dict.fromkeys(a.region for a in report.areas)) \
        + [chart.caption(report)]
    assert recall(wanted, text) >= 0.97, missing(wanted, text)


def test_tagged_pdf_figure_carries_the_alt_text(seed_report):
    import pypdf
    import weasyprint

    doc = f'<html lang="ar" dir="rtl"><head><title>t</title></head><body>{chart.html(seed_report)}</body></html>'
    reader = pypdf.PdfReader(io.BytesIO(weasyprint.HTML(string=doc).write_pdf(pdf_variant="pdf/ua-1")))
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") in ("/Figure", "/Caption"):
                found.append((str(node["/S"]), str(node.get("/Alt", ""))))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert found == [("/Figure", chart.alt_text(seed_report)), ("/Caption", "")]


# ---- the DOCX picture ---------------------------------------------------------------------------

def test_docx_picture_validates_and_renders(tmp_path, seed_report, persian_report, english_report):
    from docx import Document
    from openxml_audit import FileFormat, OpenXmlValidator

    from briefkit.writers import ooxml

    doc = Document()
    ooxml.drop_package_extras(doc)
    reports = (seed_report, persian_report, english_report)
    for n, report in enumerate(reports, start=1):
        parts = chart.docx_parts(report, n)
        ooxml.add_picture(doc.add_paragraph(), parts.png, parts.width_emu, parts.height_emu,
                          name=f"Figure {n}", descr=parts.alt_text, svg=parts.svg)
        doc.add_paragraph(parts.caption, style="Caption")
    out = tmp_path / "charts.docx"
    doc.save(out)
    result = OpenXmlValidator(file_format=FileFormat.OFFICE_2019).validate(str(out))
    assert result.is_valid and not result.errors, [str(e) for e in result.errors][:10]

    import zipfile

    with zipfile.ZipFile(out) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
        types = z.read("[Content_Types].xml").decode()
        targets = {r.get("Id"): r.get("Target") for r in rels}
        ns = {"wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
              "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
              "asvg": "http://schemas.microsoft.com/office/drawing/2016/SVG/main",
              "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
        descrs = [e.get("descr") for e in body.iterfind(".//wp:docPr", ns)]
        assert descrs == [chart.alt_text(r) for r in reports]
        svg_ids = [e.get(f"{{{ns['r']}}}embed") for e in body.iterfind(".//a:blip/a:extLst/a:ext/asvg:svgBlip", ns)]
        assert len(svg_ids) == 3 and 'ContentType="image/svg+xml"' in types
        svgs = [z.read("word/" + targets[i]) for i in svg_ids]
        assert svgs[0] == chart.svg(seed_report).encode()
        png_ids = [e.get(f"{{{ns['r']}}}embed") for e in body.iterfind(".//a:blip", ns)]
        assert z.read("word/" + targets[png_ids[0]]) == chart.png(seed_report)

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdfimages"):
        pytest.skip("LibreOffice and poppler-utils are needed to check the rendering")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    listing = subprocess.run(["pdfimages", "-list", str(tmp_path / "charts.pdf")], check=True,
                             capture_output=True, text=True).stdout.splitlines()[2:]
    sizes = [tuple(int(v) for v in line.split()[3:5]) for line in listing]
    from PIL import Image

    expected = [Image.open(io.BytesIO(chart.png(r))).size for r in reports]
    assert sizes == expected                                  # every chart drawn, at print resolution
    text = subprocess.run(["pdftotext", str(tmp_path / "charts.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Figure 3: Balance of the relation" in text



# ---- in the briefs: both formats print it, and both leave it out when asked -------------------

OFF_FLAG = "  digits: latin\n"


@pytest.fixture(scope="module")
def seed_briefs(seed_report, tmp_path_factory):
    """The seed's PDF, DOCX and HTML with the chart; without it by ``Options(chart=False)`` (what
    ``--no-chart`` sets) and by the report's own ``meta.chart: false``."""
    from briefkit.options import Options
    from briefkit.writers import render

    text = SEED.read_text(encoding="utf-8")
    assert text.count(OFF_FLAG) == 1
    opted_out = tmp_path_factory.mktemp("off") / "brief.yaml"
    opted_out.write_text(text.replace(OFF_FLAG, OFF_FLAG + "  chart: false\n"), encoding="utf-8")
    report_off = briefkit.load(opted_out)
    assert report_off.meta.chart is False and seed_report.meta.chart is True
    return {
        "on": {fmt: render(seed_report, fmt) for fmt in ("pdf", "docx", "html")},
        "options": {fmt: render(seed_report, fmt, Options(chart=False)) for fmt in ("pdf", "docx", "html")},
        "report": {fmt: render(report_off, fmt) for fmt in ("docx", "html")},
    }


def _pdf_text(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        # without the text layer's invisible joiners and direction marks (briefkit/writers/pdftext.py)
        return "\n".join(p.extract_text(char_dir="rtl", char_dir_render="ltr") or "" for p in pdf.pages
                         ).translate({0x200D: None, 0x200E: None, 0x200F: None})


def _pdf_outline(data: bytes) -> list[str]:
    import pypdf

    out = []

    def walk(items):
        for item in items:
            walk(item) if isinstance(item, list) else out.append(item.title)
    walk(pypdf.PdfReader(io.BytesIO(data)).outline)
    return out


def test_seed_pdf_prints_the_chart_and_leaves_it_out_when_asked(seed_briefs, seed_report):
    on, off = _pdf_text(seed_briefs["on"]["pdf"]), _pdf_text(seed_briefs["options"]["pdf"])
    # The chart's own labels are text in the brief: its caption, its bar heading, and every area once
    # more, as a line of its own (then the intensity written in its mark).
    for label in ("شكل 1: ميزان العلاقة", "عدد الملفات في كل منطقة"):
        assert label in on and label not in off, label

    def area_lines(text, title):
        return sum(1 for line in text.splitlines() if re.fullmatch(rf"{re.escape(title)}(?: \d)?", line.strip()))
    for a in seed_report.areas:
        assert area_lines(on, a.title) == area_lines(off, a.title) + 1, a.title
    assert "شكل 1: ميزان العلاقة" in _pdf_outline(seed_briefs["on"]["pdf"])
    assert not any(t.startswith("شكل") for t in _pdf_outline(seed_briefs["options"]["pdf"]))


def test_seed_html_has_one_mark_per_area(seed_briefs, seed_report):
    page = seed_briefs["on"]["html"].decode()
    figures = re.findall(r'<figure id="figure-balance".*?</figure>', page, re.S)
    assert len(figures) == 1
    svg = etree.fromstring(re.search(r"<svg.*?</svg>", figures[0], re.S).group())
    marks = [e.get("data-area") for e in svg.iter() if "bk-mark" in (e.get("class") or "")]
    assert sorted(marks) == sorted(a.id for a in seed_report.areas)
    # the figure follows the balance table and its caption is a level-3 bookmark (h3's level)
    assert page.index('<section class="balance">') < page.index('<figure id="figure-balance"')
    assert re.search(r'<figcaption [^>]*bookmark-level:3[^>]*>شكل 1: ميزان العلاقة</figcaption>', figures[0])
    for off in ("options", "report"):
        assert "<figure" not in seed_briefs[off]["html"].decode(), off


def _docx(data: bytes):
    import zipfile

    z = zipfile.ZipFile(io.BytesIO(data))
    return z, etree.fromstring(z.read("word/document.xml"))


W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


def _ptext(p) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W_NS}t"))


def test_seed_docx_has_the_picture_and_its_caption(seed_briefs, seed_report):
    z, doc = _docx(seed_briefs["on"]["docx"])
    body = list(doc.find(f"{W_NS}body"))
    pictures = [i for i, el in enumerate(body) if el.find(f".//{WP_DOCPR}") is not None]
    assert len(pictures) == 1
    i = pictures[0]
    descr = body[i].find(f".//{WP_DOCPR}").get("descr")
    assert descr.startswith("شكل 1: ميزان العلاقة.") and all(a.title in descr for a in seed_report.areas)
    assert body[i - 1].tag == f"{W_NS}tbl"                           # right after the balance table
    caption = body[i + 1]
    assert caption.find(f"{W_NS}pPr/{W_NS}pStyle").get(f"{W_NS}val") == "Caption"
    assert _ptext(caption) == "شكل 1: ميزان العلاقة"
    assert caption.find(f"{W_NS}pPr/{W_NS}outlineLvl").get(f"{W_NS}val") == "1"     # a level-2 TOC entry
    bookmark = caption.find(f"{W_NS}bookmarkStart").get(f"{W_NS}name")
    assert any(h.get(f"{W_NS}anchor") == bookmark and _ptext(h) == "شكل 1: ميزان العلاقة"
               for h in doc.iter(f"{W_NS}hyperlink"))                 # and the TOC's cached entry
    assert "word/media/chart1.svg" in z.namelist()
    for off in ("options", "report"):
        z, doc = _docx(seed_briefs[off]["docx"])
        assert doc.find(f".//{WP_DOCPR}") is None and "word/media/chart1.svg" not in z.namelist(), off
        assert not any(_ptext(p).startswith("شكل") for p in doc.iter(f"{W_NS}p")), off


def test_persian_caption_in_native_digits(persian_report):
    from briefkit import plan as P

    chart_part = next(p for p in P.plan_of(persian_report).parts if isinstance(p, P.Chart))
    assert chart_part.caption.text == "شکل ۱: توازن رابطه" and chart_part.caption.level == 2


def test_report_option_must_be_a_boolean(tmp_path):
    path = tmp_path / "brief.yaml"
    text = SEED.read_text(encoding="utf-8")
    path.write_text(text.replace(OFF_FLAG, OFF_FLAG + '  chart: "no"\n'), encoding="utf-8")
    with pytest.raises(briefkit.ReportError) as err:
        briefkit.load(path)
    line = text[:text.index(OFF_FLAG)].count("\n") + 2
    assert [str(p) for p in err.value.problems] == [f"{path}:{line}:10: meta.chart: expected true or false, got text"]


def test_no_chart_flag_reaches_the_writers(tmp_path):
    from briefkit import cli

    for flag, out in (([], tmp_path / "on"), (["--no-chart"], tmp_path / "off")):
        code = cli.main(["build", str(SEED), "-o", str(out), "--format", "docx", "--no-cache", "-q", *flag],
                        stdout=io.StringIO(), stderr=io.StringIO())
        assert code == 0
    on = _docx((tmp_path / "on" / "turkey-russia-relations.docx").read_bytes())[1]
    off = _docx((tmp_path / "off" / "turkey-russia-relations.docx").read_bytes())[1]
    assert on.find(f".//{WP_DOCPR}") is not None and off.find(f".//{WP_DOCPR}") is None
