"""House style: the example theme's fonts, colours, page size, running head and footer reach the PDF and
the DOCX; theme.yaml beside a report is found; a broken theme is an error at its line, never a render failure."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import briefkit
from briefkit.errors import ReportError
from briefkit.house import theme_for
from briefkit.localize import date, number
from briefkit.style import load_theme
from briefkit.options import Options
from briefkit.writers import render

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases"
EXAMPLE = ROOT / "examples" / "themes" / "scheherazade" / "theme.yaml"
ACCENT = (0x7A, 0x1F, 0x5C)       # the example's plum
COOPERATION = (0x00, 0x9E, 0x73)  # the example's bluish green


def themed_report(folder: Path) -> Path:
    """02-footnotes (three notes, a cooperation area) with a publisher and its logo, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assets").mkdir(exist_ok=True)
    shutil.copy(CASES / "assets" / "logo.png", folder / "assets" / "logo.png")
    text = (CASES / "02-footnotes.yaml").read_text(encoding="utf-8").replace(
        '  date: "2024-05-02"\n',
        '  date: "2024-05-02"\n  publisher: {name: "مركز الدراسات", logo: assets/logo.png}\n', 1)
    path = folder / "brief.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def themed(tmp_path_factory):
    report = briefkit.load(themed_report(tmp_path_factory.mktemp("house")))
    options = Options(theme=EXAMPLE)
    return report, render(report, "pdf", options), render(report, "docx", options)


def _near(color, want, tol=0.02) -> bool:
    return color is not None and len(color) == 3 and all(abs(c - w / 255) <= tol for c, w in zip(color, want))


def test_the_pdf_has_the_theme(themed, tmp_path):
    import pdfplumber

    report, pdf, _ = themed
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+612 x 792 pts", info), info
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    # WeasyPrint names a face after its CSS family: the theme's family and a digest of its files
    assert any(re.fullmatch(r"Scheherazade-[0-9a-f]{8}", n) for n in names), names
    assert any(re.fullmatch(r"Scheherazade-[0-9a-f]{8}-Bold", n) for n in names), names
    with pdfplumber.open(path) as doc:
        page = doc.pages[0]
        title = [c for c in page.chars if c["text"] in report.meta.title and c["size"] > 18]
        assert title and all("Scheherazade" in c["fontname"] for c in title)
        assert any(_near(c["non_stroking_color"], ACCENT) for c in page.chars)      # headings
        shapes = [o for p in doc.pages for o in (*p.rects, *p.curves)]
        assert any(_near(o.get("non_stroking_color"), COOPERATION) for o in shapes)  # the badge
        assert not any(_near(o.get("non_stroking_color"), (0x00, 0x72, 0xB2)) for o in shapes)
        # the logo at the end side of the masthead's top bar: the left in an Arabic brief
        assert page.images and all(im["x1"] < page.width / 2 for im in page.images), page.images
        # footer: the page number alone ("page" in the theme), not "page 1 of 2"
        bottom = page.crop((0, page.height - 60, page.width, page.height)).extract_text().strip()
        assert bottom == number(1, report), bottom


def test_the_docx_has_the_theme(themed):
    report, _, docx = themed
    z = zipfile.ZipFile(io.BytesIO(docx))
    styles = z.read("word/styles.xml").decode()
    document = z.read("word/document.xml").decode()
    table = z.read("word/fontTable.xml").decode()
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles, re.S).group(0)
    assert 'w:ascii="Scheherazade"' in defaults and 'w:cs="Scheherazade"' in defaults
    heading = re.search(r'<w:style [^>]*w:styleId="Heading1".*?</w:style>', styles, re.S).group(0)
    assert "Scheherazade" in heading and 'w:val="7A1F5C"' in heading
    assert "0B4F6C" not in styles.upper()
    font = re.search(r'<w:font w:name="Scheherazade">.*?</w:font>', table, re.S).group(0)
    assert "w:embedRegular" in font and "w:embedBold" in font
    assert 'w:fill="009E73"' in document and 'w:fill="0072B2"' not in document
    chart = z.read(next(n for n in z.namelist() if re.match(r"word/media/chart\d+\.svg", n))).decode().upper()
    assert "#009E73" in chart and "#0072B2" not in chart                 # the balance chart too
    assert re.search(r'<w:pgSz w:w="12240" w:h="15840"', document)
    headers = " ".join(z.read(n).decode() for n in z.namelist() if re.match(r"word/header\d+\.xml", n))
    # publisher at the start, date at the end
    assert "مركز الدراسات" in headers and date(report.meta.date, report) in headers
    footers = [z.read(n).decode() for n in z.namelist() if re.match(r"word/footer\d+\.xml", n)]
    assert footers and all("PAGE" in f and "NUMPAGES" not in f and "صفحة" not in f for f in footers)
    # the logo at the end side: after the top line's tab (the breadcrumb before it), or the line set
    # to the end when there is no breadcrumb
    logo = re.search(r"<w:p>(?:(?!</w:p>).)*<w:drawing>", document, re.S).group(0)
    assert '<w:jc w:val="right"/>' in logo or logo.index("<w:tab/>") < logo.index("<w:drawing>")


def test_theme_beside_the_report_is_used(tmp_path):
    (tmp_path / "theme.yaml").write_text("briefkit-theme: 1\ncolors: {accent: '#224466'}\n", encoding="utf-8")
    shutil.copy(CASES / "01-minimal.yaml", tmp_path / "brief.yaml")
    report = briefkit.load(tmp_path / "brief.yaml")
    styles = zipfile.ZipFile(io.BytesIO(render(report, "docx"))).read("word/styles.xml").decode()
    assert "224466" in styles and "0B4F6C" not in styles.upper()
    from briefkit.writers import html as html_writer

    shipped = html_writer.render_string(report)
    themed = html_writer.render_string(report, theme=theme_for(report))
    assert "#0b4f6c" in shipped and "#0b4f6c" not in themed and "#224466" in themed
    with_fonts = html_writer.render_string(report, theme=load_theme(EXAMPLE))
    faces = re.findall(r"@font-face \{[^}]*\}", shipped)
    assert faces and all(f in with_fonts for f in faces)   # a theme leaves the shipped @font-face rules alone


def test_an_empty_theme_changes_no_byte(tmp_path):
    shutil.copy(CASES / "01-minimal.yaml", tmp_path / "brief.yaml")
    plain = render(briefkit.load(tmp_path / "brief.yaml"), "docx")
    (tmp_path / "theme.yaml").write_text("briefkit-theme: 1\n", encoding="utf-8")
    assert render(briefkit.load(tmp_path / "brief.yaml"), "docx") == plain


def test_a_broken_theme_is_reported_at_its_line(tmp_path, capsys):
    from briefkit.cli import main

    theme = tmp_path / "theme.yaml"
    theme.write_text("briefkit-theme: 1\ncolors:\n  accent: teal\npage: {size: B7}\n", encoding="utf-8")
    shutil.copy(CASES / "01-minimal.yaml", tmp_path / "brief.yaml")
    with pytest.raises(ReportError) as info:
        render(briefkit.load(tmp_path / "brief.yaml"), "pdf")
    assert [(p.line, p.col, p.path) for p in info.value.problems] == [(3, 11, "colors.accent"), (4, 14, "page.size")]
    assert main(["validate", str(tmp_path / "brief.yaml")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{theme}:3:11: colors.accent: 'teal' is not a colour: write #RGB or #RRGGBB",
                   f"{theme}:4:14: page.size: 'B7' is not a page size: use A4, A5, Letter, Legal or "
                   "[width, height] like [170mm, 240mm]"]


def test_characters_the_theme_font_lacks_fall_back_alike_in_both_formats(tmp_path):
    """A theme face without Latin letters: both formats draw a Latin word in the shipped body face, never
    tofu or a system font (the DOCX names it on the run, since the style now names the theme's family)."""
    import pdfplumber
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(EXAMPLE.parent / "fonts" / "Scheherazade-Regular.ttf")
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.drop_tables += ["Silf", "Silt", "Sill", "Glat", "Gloc", "Feat"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[*range(0x0600, 0x0700), 0x20, 0x2E, 0x3A])
    sub.subset(font)
    font.save(tmp_path / "arabic-only.ttf")
    (tmp_path / "theme.yaml").write_text("briefkit-theme: 1\nfonts: {body: arabic-only.ttf}\n", encoding="utf-8")
    text = (CASES / "01-minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("\nactors:", '\n  subtitle: "حلف NATO"\nactors:', 1) if "subtitle" not in text else text
    (tmp_path / "brief.yaml").write_text(text, encoding="utf-8")
    report = briefkit.load(tmp_path / "brief.yaml")
    assert report.meta.subtitle == "حلف NATO"

    document = zipfile.ZipFile(io.BytesIO(render(report, "docx"))).read("word/document.xml").decode()
    run = re.search(r"<w:r>(?:(?!</w:r>).)*>NATO</w:t>", document, re.S).group(0)
    assert 'w:ascii="Amiri"' in run
    arabic = re.search(r"<w:r>(?:(?!</w:r>).)*>حلف\s*</w:t>", document, re.S).group(0)
    assert "w:rFonts" not in arabic                       # the style's face: the theme's
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(render(report, "pdf"))
    with pdfplumber.open(pdf) as doc:
        subtitle = [c for c in doc.pages[0].chars if abs(c["size"] - 14) < 0.3]     # the subtitle (14 pt)
    latin = [c["fontname"] for c in subtitle if "N" in c["text"]]    # the text layer may carry "NATO" whole
    arabic = [c["fontname"] for c in subtitle if c["text"] == "ح"]
    # The PDF too: the Arabic in the theme's face, the Latin word in the same shipped face as the DOCX.
    assert arabic and all("Scheherazade" in f for f in arabic), subtitle
    assert latin and all("Amiri" in f for f in latin), subtitle


def test_a_theme_added_beside_the_report_is_no_cache_hit(tmp_path, capsys):
    import json

    from briefkit.cli import main

    shutil.copy(CASES / "01-minimal.yaml", tmp_path / "brief.yaml")
    args = ["build", str(tmp_path / "brief.yaml"), "-o", str(tmp_path / "out"), "--format", "docx",
            "--cache", str(tmp_path / "cache"), "--json", "--quiet", "--jobs", "1"]

    def status() -> str:
        assert main(args) == 0
        return json.loads(capsys.readouterr().out)["reports"][0]["status"]
    assert status() == "built" and status() == "cached"
    (tmp_path / "theme.yaml").write_text("briefkit-theme: 1\ncolors: {accent: '#224466'}\n", encoding="utf-8")
    assert status() == "built"
    out = next((tmp_path / "out").glob("*.docx"))
    assert "224466" in zipfile.ZipFile(out).read("word/styles.xml").decode()


def test_a_character_only_the_theme_font_has_is_accepted_with_the_theme(tmp_path, capsys):
    """U+08A6 ARABIC LETTER LAM WITH DOUBLE BAR: in Scheherazade, in no shipped face. Without the theme,
    validate refuses it at its line and column; with the theme (given or beside), it validates and builds."""
    import pdfplumber

    from briefkit.cli import main

    report = tmp_path / "brief" / "brief.yaml"
    report.parent.mkdir()
    text = (CASES / "01-minimal.yaml").read_text(encoding="utf-8")
    report.write_text(text.replace("\nactors:", '\n  subtitle: "حرف \u08a6 نادر"\nactors:', 1), encoding="utf-8")
    line = report.read_text(encoding="utf-8").splitlines().index('  subtitle: "حرف \u08a6 نادر"') + 1
    assert main(["validate", str(report)]) == 1
    assert capsys.readouterr().err.startswith(f"{report}:{line}:18: meta.subtitle: U+08A6 ARABIC LETTER LAM")
    assert main(["validate", str(report), "--theme", str(EXAMPLE)]) == 0
    shutil.copytree(EXAMPLE.parent / "fonts", report.parent / "fonts")
    shutil.copy(EXAMPLE, report.parent / "theme.yaml")
    assert main(["validate", str(report)]) == 0
    assert main(["build", str(report), "-o", str(tmp_path / "out"), "--quiet", "--no-cache", "--jobs", "1"]) == 0
    capsys.readouterr()
    document = zipfile.ZipFile(next((tmp_path / "out").glob("*.docx"))).read("word/document.xml").decode()
    assert "\u08a6" in document
    with pdfplumber.open(next((tmp_path / "out").glob("*.pdf"))) as doc:
        drawn = [c["fontname"] for c in doc.pages[0].chars if c["text"] == "\u08a6"]
    assert drawn and all("Scheherazade" in f for f in drawn), drawn


def test_a_graphite_font_shapes_latin_punctuation_with_opentype(tmp_path):
    """Debian's HarfBuzz shapes a font with SIL Graphite tables by them, and the example's Graphite rules
    draw ", " as "’": the PDF gets the theme's fonts without those tables."""
    import pdfplumber

    text = (CASES / "04-english.yaml").read_text(encoding="utf-8")
    (tmp_path / "brief.yaml").write_text(
        text.replace("A short test brief", "Water, power, and the river", 1), encoding="utf-8")
    report = briefkit.load(tmp_path / "brief.yaml")
    (tmp_path / "b.pdf").write_bytes(render(report, "pdf", Options(theme=EXAMPLE)))
    with pdfplumber.open(tmp_path / "b.pdf") as doc:
        assert "Water, power, and the river" in doc.pages[0].extract_text()


def test_an_unthemed_pdf_after_a_themed_one_is_the_fresh_process_bytes(themed, tmp_path):
    # The PDF writer keeps the shipped stylesheet parsed and one font configuration per process: a
    # themed render before must leave an unthemed one exactly as a fresh process makes it.
    import os
    import sys

    assert themed[1]                                  # the themed PDF was rendered in this process
    path = CASES / "06-blocks.yaml"
    here = render(briefkit.load(path), "pdf")
    out = tmp_path / "fresh.pdf"
    code = ("import sys, briefkit; from briefkit.writers import render; "
            "open(sys.argv[2], 'wb').write(render(briefkit.load(sys.argv[1]), 'pdf'))")
    subprocess.run([sys.executable, "-c", code, str(path), str(out)], check=True,
                   env={**os.environ, "PYTHONHASHSEED": "7"})
    assert out.read_bytes() == here


def test_an_a5_page_holds_every_table_and_the_chart(tmp_path):
    # A5 with the default margins leaves 108 mm of text: the chart and every table fit in it in both
    # formats (they were laid out for A4's 170 mm and ran off the page)
    import pdfplumber
    from lxml import etree

    theme = tmp_path / "a5.yaml"
    theme.write_text("briefkit-theme: 1\npage: {size: A5}\n", encoding="utf-8")
    report = briefkit.load(ROOT / "seeds" / "turkey-russia-relations.yaml")
    options = Options(theme=theme)
    pt_per_mm = 72 / 25.4
    with pdfplumber.open(io.BytesIO(render(report, "pdf", options))) as pdf:
        for page in pdf.pages:
            assert round(page.width) == round(148 * pt_per_mm)
            boxes = [*page.chars, *page.rects, *page.images, *page.curves]
            assert min(b["x0"] for b in boxes) >= 20 * pt_per_mm - 1, page.page_number
            assert max(b["x1"] for b in boxes) <= 128 * pt_per_mm + 1, page.page_number
    with zipfile.ZipFile(io.BytesIO(render(report, "docx", options))) as z:
        doc = etree.fromstring(z.read("word/document.xml"))
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
          "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
    text_twips = 108 / 25.4 * 1440
    for tbl in doc.iterfind(".//w:tbl", ns):
        grid = [int(c.get(f"{{{ns['w']}}}w")) for c in tbl.iterfind("w:tblGrid/w:gridCol", ns)]
        assert sum(grid) <= text_twips + 1, grid
    (extent,) = doc.iterfind(".//wp:inline/wp:extent", ns)
    assert int(extent.get("cx")) <= 108 / 25.4 * 914400
    # every tab stop, the running head's included, is inside the A5 text width (the header's end tab
    # stayed at A4's 9638 twips and pushed the publisher off the paper)
    with zipfile.ZipFile(io.BytesIO(render(report, "docx", options))) as z:
        parts = [n for n in z.namelist() if re.fullmatch(r"word/(document|header\d+|footer\d+)\.xml", n)]
        stops = [int(tab.get(f"{{{ns['w']}}}pos")) for n in parts
                 for tab in etree.fromstring(z.read(n)).iterfind(".//w:tabs/w:tab", ns)]
    assert stops and max(stops) <= text_twips + 1, stops


def test_an_a5_breadcrumb_breaks_between_items_only(tmp_path):
    # A blind editor's A5 masthead broke «تقديرات | الموقف» across two lines; a line now breaks between
    # items, and contents entries are set ragged, not justified
    import pdfplumber

    theme = tmp_path / "a5.yaml"
    theme.write_text("briefkit-theme: 1\npage: {size: A5}\n", encoding="utf-8")
    text = (CASES / "02-footnotes.yaml").read_text(encoding="utf-8").replace(
        '  date: "2024-05-02"\n',
        '  date: "2024-05-02"\n  publisher: {name: "مركز المشرق للدراسات الاستراتيجية والإقليمية"}\n'
        '  breadcrumb: ["الرئيسية", "تقديرات الموقف", "شمال أفريقيا", "ليبيا والمتوسط"]\n', 1)
    report = briefkit.loads(text, name="crumbs.yaml")
    with pdfplumber.open(io.BytesIO(render(report, "pdf", Options(theme=theme)))) as pdf:
        words = pdf.pages[0].extract_words(use_text_flow=False)
    tops = {}
    for w in words:        # pdfplumber keeps an Arabic word's letters in visual order
        tops.setdefault(w["text"][::-1], round(w["top"]))
    for a, b in (("تقديرات", "الموقف"), ("شمال", "أفريقيا"), ("ليبيا", "والمتوسط")):
        assert a in tops and b in tops, sorted(tops)
        assert tops[a] == tops[b], (a, b, tops[a], tops[b])


def test_the_house_logo_lives_in_the_theme(tmp_path):
    # A blind editor had to copy the logo into every report's folder: a theme may now carry it, for every
    # report whose publisher names no logo of its own
    import pdfplumber

    house_dir = tmp_path / "house"
    (house_dir / "assets").mkdir(parents=True)
    shutil.copy(CASES / "assets" / "logo.png", house_dir / "assets" / "logo.png")
    theme = house_dir / "theme.yaml"
    theme.write_text("briefkit-theme: 1\nlogo: {file: assets/logo.png, place: end}\n", encoding="utf-8")
    loaded = load_theme(theme)
    assert loaded.logo == "end" and loaded.logo_file == (house_dir / "assets" / "logo.png").resolve()
    assert loaded.logo_file in loaded.files()         # the build cache and preview see it change
    text = (CASES / "02-footnotes.yaml").read_text(encoding="utf-8").replace(
        '  date: "2024-05-02"\n', '  date: "2024-05-02"\n  publisher: {name: "مركز الدراسات"}\n', 1)
    (tmp_path / "briefs").mkdir()
    (tmp_path / "briefs" / "b.yaml").write_text(text, encoding="utf-8")
    report = briefkit.load(tmp_path / "briefs" / "b.yaml")
    assert report.meta.publisher.logo is None
    options = Options(theme=theme)
    with pdfplumber.open(io.BytesIO(render(report, "pdf", options))) as pdf:
        images = pdf.pages[0].images
        assert len(images) == 1 and images[0]["x0"] < pdf.pages[0].width / 2   # "end": the left of an Arabic page
    with zipfile.ZipFile(io.BytesIO(render(report, "docx", options))) as z:
        logo = (CASES / "assets" / "logo.png").read_bytes()
        assert any(z.read(n) == logo for n in z.namelist() if n.startswith("word/media/"))
    assert 'src="data:image/png' in render(report, "html", options).decode()
    plain = render(report, "pdf")
    with pdfplumber.open(io.BytesIO(plain)) as pdf:
        assert not pdf.pages[0].images                 # without the theme, no logo


def test_a_theme_logo_is_checked_like_a_report_logo(tmp_path):
    (tmp_path / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "fake.png").write_bytes(b"not a png at all")
    theme = tmp_path / "theme.yaml"
    theme.write_text("briefkit-theme: 1\nlogo: {file: ../x.png, plce: end}\n", encoding="utf-8")
    with pytest.raises(ReportError) as info:
        load_theme(theme)
    assert [f"{p.line}:{p.col}: {p.path}: {p.message}" for p in info.value.problems] == [
        "2:14: logo.file: '../x.png' is outside the theme's folder; the logo must be inside it",
        "2:24: logo.plce: unknown key 'plce' (did you mean 'place'?); use file or place"]
    for name, message in (("logo.svg", "'logo.svg' must be a PNG or JPEG image (export the logo as a PNG about "
                                       "300 pixels high: it is drawn 11 mm high)"),
                          ("fake.png", "'fake.png' is not a PNG or JPEG image (its first bytes say otherwise)"),
                          ("none.png", "'none.png' does not exist (relative to the theme's folder)")):
        theme.write_text(f"briefkit-theme: 1\nlogo: {{file: {name}}}\n", encoding="utf-8")
        with pytest.raises(ReportError) as info:
            load_theme(theme)
        assert [p.message for p in info.value.problems] == [message]
