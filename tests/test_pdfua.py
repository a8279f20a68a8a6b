"""The PDF variants: tagged PDF/UA-1 (checked by the `pdfua` checker and read back with pikepdf) and PDF/A-3b
carrying its report (`briefkit extract`)."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from functools import lru_cache

import pytest

import briefkit
from briefkit.cli import main
from briefkit.options import Options
from briefkit.writers import pdf as pdf_writer
from briefkit.writers import pdftags
from conftest import ROOT, SEED

pikepdf = pytest.importorskip("pikepdf")
CASES = ROOT / "tests" / "cases"
UA_SAMPLES = [SEED, CASES / "03-bidi.yaml", CASES / "08-logo.yaml", ROOT / "seeds" / "india-china-relations.yaml"]


@lru_cache(maxsize=None)
def built(path, variant):
    return pdf_writer.render(briefkit.load(path), Options(pdf_variant=variant))


def struct_elems(pdf):
    out = []
    stack = [pdf.Root.StructTreeRoot]
    seen = set()
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary) or node.objgen in seen and node.objgen != (0, 0):
            continue
        seen.add(node.objgen)
        if node.get("/Type") == "/StructElem":
            out.append(node)
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)
    return out


@pytest.mark.parametrize("path", UA_SAMPLES, ids=lambda p: p.stem)
def test_pdfua_checker_finds_no_error(path, tmp_path):
    if shutil.which("pdfua") is None and not (ROOT / ".venv" / "bin" / "pdfua").exists():
        exe = [sys.executable, "-m", "pdfua"]
    else:
        exe = [shutil.which("pdfua") or str(ROOT / ".venv" / "bin" / "pdfua")]
    target = tmp_path / "ua.pdf"
    target.write_bytes(built(path, "ua"))
    out = subprocess.run([*exe, "check", "-f", "json", str(target)], capture_output=True, text=True)
    report = json.loads(out.stdout)
    assert report["summary"]["errors"] == 0, report["findings"]


def test_ua_structure_of_the_flagship():
    with pikepdf.open(io.BytesIO(built(SEED, "ua"))) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert "/Direction" not in root.ViewerPreferences      # PDFium reverses lines under /R2L
        assert str(root.Lang) == "ar"
        xmp = root.Metadata.read_bytes().decode()
        assert "pdfuaid:part" in xmp and briefkit.load(SEED).meta.title in xmp
        elems = struct_elems(pdf)
        tags = [str(e.S) for e in elems]
        for tag in ("/H1", "/H2", "/L", "/LI", "/Table", "/TH", "/TD", "/Link"):
            assert tag in tags, tag
        headers = [e for e in elems if e.S == "/TH"]
        assert headers and all(e.A.Scope in ("/Column", "/Row") for e in headers)
        # the timeline has a header row: its table holds header cells
        tables_with_th = sum(1 for e in elems if e.S == "/Table"
                             and any(k.get("/S") == "/TH" for r in _kids(e) for k in _kids(r)))
        assert tables_with_th >= 3
        links = [a for page in pdf.pages for a in page.get("/Annots", []) if a.Subtype == "/Link"]
        assert links and all(str(a.get("/Contents", "")).strip() for a in links)


def _kids(e):
    out = []
    for k in (e.get("/K") if isinstance(e.get("/K"), pikepdf.Array) else [e.get("/K")]):
        if isinstance(k, pikepdf.Dictionary):
            if k.get("/S") in ("/THead", "/TBody", "/TFoot"):
                out.extend(_kids(k))
            else:
                out.append(k)
    return out


def test_logo_figure_has_alt_text_and_latin_runs_have_a_language():
    with pikepdf.open(io.BytesIO(built(CASES / "08-logo.yaml", "ua"))) as pdf:
        figures = [e for e in struct_elems(pdf) if e.S == "/Figure"]
        assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
    with pikepdf.open(io.BytesIO(built(CASES / "03-bidi.yaml", "ua"))) as pdf:
        langs = {str(e.Lang) for e in struct_elems(pdf) if "/Lang" in e}
        assert pdftags.LATIN_LANG in langs


def test_a3b_carries_exactly_its_report(tmp_path):
    data = built(SEED, "a3b")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "pdfaid:part" in pdf.Root.Metadata.read_bytes().decode()
        files = pdf.attachments
        assert list(files) == ["source.yaml"]
        spec = pdf.Root.AF[0]
        assert spec.AFRelationship == "/Source"
    target = tmp_path / "brief.pdf"
    target.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    assert main(["extract", str(target)], stdout=out, stderr=err) == 0
    assert out.getvalue().encode() == SEED.read_bytes()
    assert err.getvalue() == ""                      # the seed names no logo: nothing to add


def test_extract_says_the_logo_is_not_carried(tmp_path):
    # A blind editor's extracted report failed validate: its logo was not beside it. The PDF carries the
    # report alone, so extract says what a rebuild needs.
    import briefkit
    from briefkit.options import Options
    from briefkit.writers import pdf as pdf_writer

    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.png").write_bytes((CASES / "assets" / "logo.png").read_bytes())
    source = tmp_path / "brief.yaml"
    source.write_text((CASES / "08-logo.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "brief.pdf"
    target.write_bytes(pdf_writer.render(briefkit.load(source), Options(pdf_variant="a3b")))
    out, err = io.StringIO(), io.StringIO()
    assert main(["extract", str(target)], stdout=out, stderr=err) == 0
    assert out.getvalue().encode() == source.read_bytes()
    logo = briefkit.load(source).meta.publisher.logo.relative_to(tmp_path).as_posix()
    assert err.getvalue() == (f"briefkit: note: the report names its logo '{logo}', which the PDF does not carry: "
                              "put the image there, relative to the extracted report, to build it again (a theme "
                              "is not carried either)\n")


def test_other_variants_embed_nothing_and_extract_says_so(tmp_path):
    for variant in (None, "ua"):
        data = built(SEED, variant)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert not pdf.attachments
        target = tmp_path / f"{variant}.pdf"
        target.write_bytes(data)
        err = io.StringIO()
        assert main(["extract", str(target)], stdout=io.StringIO(), stderr=err) == 1
        assert "carries no report" in err.getvalue()


# ---- DOCX accessibility (docx.describe_for_screen_readers) ------------------------------------------------

@pytest.mark.parametrize("path", [SEED, CASES / "08-logo.yaml"], ids=lambda p: p.stem)
def test_docx_pictures_tables_and_core_properties_are_described(path):
    import zipfile

    from lxml import etree

    from briefkit.writers import docx as docx_writer

    report = briefkit.load(path)
    package = zipfile.ZipFile(io.BytesIO(docx_writer.render(report)))
    body = etree.fromstring(package.read("word/document.xml"))
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
          "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
    w = "{%s}" % ns["w"]
    pictures = body.findall(".//wp:docPr", ns)
    assert all(p.get("descr", "").strip() for p in pictures)
    if report.meta.publisher and report.meta.publisher.logo:
        assert report.meta.publisher.name in [p.get("descr") for p in pictures]
    tables = body.findall(".//w:tbl", ns)
    assert tables
    for table in tables:
        caption = table.find("w:tblPr/w:tblCaption", ns)
        description = table.find("w:tblPr/w:tblDescription", ns)
        assert caption is not None and caption.get(w + "val").strip()
        assert description is not None and description.get(w + "val").strip()
        assert list(table.find("w:tblPr", ns))[-2:] == [caption, description]  # schema order: last
    core = etree.fromstring(package.read("docProps/core.xml"))
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert core.find(dc + "title").text == report.meta.title
    assert core.find(dc + "language").text == report.meta.lang
