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


MAPPING = {"briefkit": 1, "meta": {"title": "Pipe", "lang": "en", "id": "pipe-1"},
           "actors": [{"id": "a", "name": "India"}, {"id": "b", "name": "China"}],
           "areas": [{"id": "x", "title": "Water", "region": "Asia", "relation": "mixed"}]}


def _load_bad(mapping):
    return briefkit.loads(mapping)


def test_a_report_error_crosses_a_process_pool_whole():
    # blind9 F2: one invalid row broke the whole ProcessPoolExecutor (BrokenProcessPool), its message lost
    from concurrent.futures import ProcessPoolExecutor

    bad = {**MAPPING, "areas": [{**MAPPING["areas"][0], "relation": "competition"}]}
    with ProcessPoolExecutor(1) as pool:
        with pytest.raises(briefkit.ReportError) as info:
            pool.submit(_load_bad, bad).result()
        assert pool.submit(_load_bad, MAPPING).result().meta.id == "pipe-1"
    (problem,) = info.value.problems
    assert (problem.path, problem.line) == ("areas[0].relation", 0) and "'competition'" in problem.message
    assert info.value.report_id == "pipe-1"
    # a mapping's problems (all at 0:0) come in its keys' order, and keep it across a pickle
    import pickle

    with pytest.raises(briefkit.ReportError) as info:
        briefkit.loads({"briefkit": 1, "meta": {"title": 5, "id": "x"},
                        "areas": [{"id": "n", "title": "t", "region": "r", "relation": "bogus"}],
                        "actors": [{"id": "a"}, {"id": "b", "name": 3}]})
    again = pickle.loads(pickle.dumps(info.value))
    assert [p.path for p in again.problems] == [p.path for p in info.value.problems]
    assert [p.path for p in again.problems][:2] == ["meta.title", "areas[0].relation"]


@pytest.mark.parametrize("kwargs, error", [
    ({"docx_fonts": "bogus"}, "Options.docx_fonts: 'bogus' is not 'embed', 'subset' or 'none'"),
    ({"pdf_variant": "pdfa"}, "Options.pdf_variant: 'pdfa' is not ua, a3b or ua,a3b"),
    ({"pdf_variant": ["ua"]}, "Options.pdf_variant: ['ua'] is not None, 'ua', 'a3b' or 'ua,a3b'"),
    ({"chart": "no"}, "Options.chart: 'no' is not True or False"),
    ({"max_pages": 0}, "Options.max_pages: 0 is not a whole number of pages (1 or more)"),
    ({"theme": ""}, "Options.theme: '' is not a theme file (None: the shipped look)"),
])
def test_options_refuse_a_typo_at_once(kwargs, error):
    # blind9 F7: docx_fonts="bogus" silently embedded the full faces; pdf_variant="pdfa" failed as a render
    with pytest.raises((ValueError, TypeError)) as info:
        briefkit.Options(**kwargs)
    assert str(info.value) == error
    assert briefkit.Options(pdf_variant="a3b,ua").pdf_variant == "ua,a3b"


def test_the_renderers_take_a_path_apply_the_budget_and_refuse_a_mapping(tmp_path):
    # blind9 F6, F9: render_pdf ignored max_pages; a dict gave an AttributeError
    report = briefkit.loads(MAPPING)
    with pytest.raises(briefkit.RenderError) as info:
        briefkit.render_pdf(report, briefkit.Options(max_pages=1))
    assert "over the budget of 1 page:" in str(info.value)
    with pytest.raises(briefkit.RenderError):
        briefkit.render_docx(report, briefkit.Options(max_pages=1))
    with pytest.raises(TypeError) as info:
        briefkit.render_pdf(MAPPING)
    assert "briefkit.loads(mapping)" in str(info.value)
    assert briefkit.render_docx(SEED) == briefkit.render_docx(briefkit.load(SEED))
    (page,) = briefkit.build(report, tmp_path, formats="html")
    assert page.read_bytes() == briefkit.render_page(report)


def test_an_archival_pdf_of_a_mapping_carries_it(tmp_path):
    # blind9 F8: a3b from loads(dict) embedded nothing, and extract then said to build it with a3b
    import json
    import subprocess
    import sys

    (pdf,) = briefkit.build(briefkit.loads(MAPPING), tmp_path, formats=("pdf",),
                            options=briefkit.Options(pdf_variant="a3b"))
    with pikepdf.open(pdf) as doc:
        assert list(doc.attachments) == ["source.json"]
    done = subprocess.run([sys.executable, "-m", "briefkit", "extract", str(pdf)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == MAPPING
    assert briefkit.loads(done.stdout, name="back.json") == briefkit.loads(MAPPING)


def test_a_null_from_a_database_is_an_absent_key_as_yaml_has_it():
    # blind9 F1: None for an optional key was refused in a mapping, accepted as YAML's `subtitle:`
    row = {**MAPPING, "meta": {**MAPPING["meta"], "subtitle": None}, "summary": None,
           "areas": [{**MAPPING["areas"][0], "intensity": None}]}
    assert briefkit.loads(row) == briefkit.loads(MAPPING)
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.loads({**row, "meta": {**row["meta"], "title": None}})
    assert [str(p) for p in info.value.problems] == [
        "<mapping>:0:0: meta.title: expected text, got nothing (an empty value)"]


def test_a_mapping_has_the_files_character_limit():
    # blind9 F24: a 12-million-character summary in a mapping was accepted (the file's limit is 10 million)
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.loads({**MAPPING, "summary": "x" * 12_000_000})
    assert [str(p) for p in info.value.problems] == [
        "<mapping>:0:0: (root): the report has more than 10,000,000 characters: refusing to load it"]


def test_load_counts_the_theme_beside_the_report_as_validate_does(tmp_path):
    # blind9 F29: briefkit.load refused an Armenian word that `briefkit validate` accepted on the same file
    import shutil
    from pathlib import Path

    face = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    shutil.copy(face, tmp_path / "Face.ttf")
    (tmp_path / "theme.yaml").write_text("fonts: {body: Face.ttf}\n", encoding="utf-8")
    text = ("briefkit: 1\nmeta: {title: Yerevan, lang: en}\nactors: [{id: a, name: Armenia}, {id: b, name: Iran}]\n"
            "areas: [{id: x, title: 'Trade (Հայաստան)', region: Caucasus, relation: mixed}]\n")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    assert briefkit.load(tmp_path / "r.yaml").areas[0].title == "Trade (Հայաստան)"
    assert briefkit.loads(text, name=str(tmp_path / "r.yaml")).meta.title == "Yerevan"
    with pytest.raises(briefkit.ReportError):
        briefkit.loads(text, name="elsewhere.yaml")          # no theme there: no font draws Armenian
    themed = briefkit.Options(theme=tmp_path / "theme.yaml")
    assert briefkit.loads(text, name="elsewhere.yaml", options=themed).meta.title == "Yerevan"
    # a renderer given a path loads it with the options' theme, as build does
    (tmp_path / "away").mkdir()
    (tmp_path / "away" / "r.yaml").write_text(text, encoding="utf-8")
    assert b"Yerevan" in briefkit.render_page(tmp_path / "away" / "r.yaml", themed)


def test_a_pipelines_slips_get_one_fitting_line_each():
    # blind9 F3: inf gave two problems, nan a «put it in quotes» hint, "1" a contradiction, a mapping «line 0»
    row = {**MAPPING, "briefkit": "1", "actors": [*MAPPING["actors"], {"id": "a", "name": "Again"}],
           "areas": [{**MAPPING["areas"][0], "intensity": float("inf")}],
           "sources": [{"id": "s", "title": "T", "date": float("nan")}]}
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.loads(row)
    assert [f"{p.path}: {p.message}" for p in info.value.problems] == [
        "briefkit: '1' is text: write the number 1 (briefkit: 1), without quotes",
        "actors[2].id: duplicate id 'a' (already used by actors[0])",
        "areas[0].intensity: expected a whole number from 1 to 5, got the number inf",
        "sources[0].date: expected text, got the number nan"]
