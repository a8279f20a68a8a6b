"""The Python API takes the command line's options (``briefkit.Options``): build and each renderer."""
from __future__ import annotations

import io
import zipfile

import pytest

import briefkit
from conftest import SEED

pikepdf = pytest.importorskip("pikepdf")


def test_build_takes_the_options_the_flags_set(tmp_path):
    # a blind CI engineer could not ask the API for a variant, the DOCX fonts or no chart
    pdf, docx = briefkit.build(SEED, tmp_path, options=briefkit.Options(pdf_variant="a3b", docx_fonts="none",
                                                                         chart=False))
    with pikepdf.open(pdf) as doc:
        assert list(doc.attachments) == ["source.yaml"]
    with zipfile.ZipFile(docx) as z:
        names = z.namelist()
        assert not [n for n in names if n.startswith("word/fonts/")]
        assert not [n for n in names if n.startswith("word/media/")]          # no chart picture
    plain = briefkit.build(SEED, tmp_path / "plain", formats=("docx",))[0]
    with zipfile.ZipFile(plain) as z:
        assert [n for n in z.namelist() if n.startswith("word/fonts/")]
        assert [n for n in z.namelist() if n.startswith("word/media/")]


def test_each_renderer_takes_options():
    report = briefkit.load(SEED)
    with pikepdf.open(io.BytesIO(briefkit.render_pdf(report, briefkit.Options(pdf_variant="ua")))) as doc:
        assert "/StructTreeRoot" in doc.Root
    with pikepdf.open(io.BytesIO(briefkit.render_pdf(report))) as doc:
        assert "/StructTreeRoot" not in doc.Root
    with zipfile.ZipFile(io.BytesIO(briefkit.render_docx(report, briefkit.Options(docx_fonts="none")))) as z:
        assert not [n for n in z.namelist() if n.startswith("word/fonts/")]
    assert b"<svg" not in briefkit.render_html(report, briefkit.Options(chart=False))
    assert b"<svg" in briefkit.render_html(report)
