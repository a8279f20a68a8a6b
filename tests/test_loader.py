"""The loader: the invalid corpus gives its exact error lines; valid reports give the model."""
from __future__ import annotations

from pathlib import Path

import pytest

import briefkit
from briefkit.loader import loads
from briefkit.model import NoteRef, Para, Quote, BulletList

INVALID = Path(__file__).parent / "invalid"
CASES = sorted(p for p in INVALID.iterdir() if p.suffix in (".yaml", ".json"))

MINIMAL = """briefkit: 1
meta:
  title: "موجز"
actors:
  - {id: tr, name: تركيا}
  - {id: ru, name: روسيا}
areas:
  - id: syria
    title: الملف السوري
    region: الشرق الأوسط
    relation: rivalry
"""


def test_corpus_is_large_enough():
    assert len(CASES) >= 25
    assert all(p.with_suffix(".errors").is_file() for p in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_invalid_report_gives_exact_lines(case, monkeypatch):
    monkeypatch.chdir(INVALID)
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.load(case.name)
    got = "".join(f"{p}\n" for p in info.value.problems)
    assert got == case.with_suffix(".errors").read_text(encoding="utf-8")


def test_many_problems_reported_in_one_run(monkeypatch):
    monkeypatch.chdir(INVALID)
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.load("33-many-problems.yaml")
    problems = info.value.problems
    assert len(problems) >= 6
    assert len({p.path for p in problems}) >= 6
    for p in problems:
        assert p.file == "33-many-problems.yaml" and p.line > 0 and p.col > 0 and p.message


def test_problem_fields_and_order():
    with pytest.raises(briefkit.ReportError) as info:
        loads(MINIMAL.replace("relation: rivalry", "relation: rivaly"), "x.yaml")
    (p,) = info.value.problems
    assert (p.file, p.line, p.col, p.path) == ("x.yaml", 11, 15, "areas[0].relation")
    assert "did you mean 'rivalry'" in p.message
    assert info.value.report_id == "x"


def test_minimal_report_defaults():
    r = loads(MINIMAL, Path("/tmp/My Brief.yaml"))
    assert r.meta.id == "my-brief"
    assert (r.meta.lang, r.meta.dir, r.meta.locale, r.meta.digits) == ("ar", "rtl", "ar", "latin")
    assert r.rtl and r.language == "ar"


def test_direction_follows_language_unless_given():
    en = loads(MINIMAL.replace('  title: "موجز"', '  title: Brief\n  lang: en'), "en.yaml")
    assert en.meta.dir == "ltr" and en.meta.locale == "en"
    fa = loads(MINIMAL.replace('  title: "موجز"', '  title: گزارش\n  lang: fa-IR'), "fa.yaml")
    assert fa.meta.dir == "rtl" and fa.language == "fa"
    forced = loads(MINIMAL.replace('  title: "موجز"', '  title: x\n  lang: en\n  dir: rtl'), "f.yaml")
    assert forced.meta.dir == "rtl"


def test_bom_crlf_and_json_give_the_same_model(tmp_path):
    y = tmp_path / "r.yaml"
    y.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode())
    j = tmp_path / "r.json"
    j.write_text('{"briefkit": 1, "meta": {"title": "موجز"}, "actors": [{"id": "tr", "name": "تركيا"},'
                 ' {"id": "ru", "name": "روسيا"}], "areas": [{"id": "syria", "title": "الملف السوري",'
                 ' "region": "الشرق الأوسط", "relation": "rivalry"}]}', encoding="utf-8")
    a, b = briefkit.load(y), briefkit.load(j)
    assert a.meta == b.meta and a.actors == b.actors and a.areas == b.areas


def test_blocks_colours_positions_and_footnote_order():
    text = MINIMAL + """    summary: "أول[^b]"
    positions: {ru: "موقف روسيا[^a]", tr: "موقف تركيا[^b]"}
actors_extra: null
""".replace("actors_extra: null\n", "") + """takeaways: ["نقطة[^c]"]
sections:
  - id: s
    heading: عنوان
    body:
      - فقرة
      - {quote: اقتباس, by: مراقبون}
      - {list: [أ, ب], ordered: true}
sources:
  - {id: a, title: أ}
  - {id: b, title: ب}
  - {id: c, title: ج}
  - {id: unused, title: د}
"""
    r = loads(text.replace("{id: tr, name: تركيا}", '{id: tr, name: تركيا, color: "#b32"}'), "r.yaml")
    assert r.actors[0].color == "#BB3322"
    # positions come in actor order whatever order the report used
    assert [k for k, _ in r.areas[0].positions] == ["tr", "ru"]
    body = r.sections[0].body
    assert isinstance(body[0], Para) and isinstance(body[1], Quote) and isinstance(body[2], BulletList)
    assert body[2].ordered and len(body[2].items) == 2
    # first citation order: takeaways, then the area summary, then positions (tr before ru)
    assert [f.source.id for f in r.footnotes] == ["c", "b", "a"]
    assert r.note_numbers == {"c": 1, "b": 2, "a": 3}
    assert isinstance(r.takeaways[0][-1], NoteRef)


def test_balance_counts_by_region():
    text = MINIMAL + """  - {id: libya, title: ليبيا, region: شمال أفريقيا, relation: rivalry}
  - {id: trade, title: التجارة, region: الشرق الأوسط, relation: cooperation}
  - {id: nato, title: الناتو, region: أوروبا, relation: mixed}
"""
    b = loads(text, "r.yaml").balance
    assert b.overall.counts == (("cooperation", 1), ("mixed", 1), ("rivalry", 2))
    assert b.overall.total == 4
    assert [(row.region, row.counts) for row in b.regions] == [
        ("الشرق الأوسط", (("cooperation", 1), ("mixed", 0), ("rivalry", 1))),
        ("شمال أفريقيا", (("cooperation", 0), ("mixed", 0), ("rivalry", 1))),
        ("أوروبا", (("cooperation", 0), ("mixed", 1), ("rivalry", 0))),
    ]


def test_logo_inside_the_folder_is_resolved(tmp_path):
    (tmp_path / "assets").mkdir()
    logo = tmp_path / "assets" / "logo.png"
    from PIL import Image

    Image.new("RGB", (2, 1)).save(logo)  # the loader reads the header: it must be a real PNG
    text = MINIMAL.replace('  title: "موجز"', '  title: "موجز"\n  publisher: {name: ن, logo: assets/logo.png}')
    r = loads(text, tmp_path / "r.yaml")
    assert r.meta.publisher.logo == logo.resolve()


def test_symlinked_logo_leaving_the_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"x")
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "logo.png").symlink_to(outside)
    text = MINIMAL.replace('  title: "موجز"', '  title: "موجز"\n  publisher: {name: ن, logo: logo.png}')
    with pytest.raises(briefkit.ReportError) as info:
        loads(text, folder / "r.yaml")
    assert [p.message for p in info.value.problems] == ["'logo.png' leaves the report's folder"]


def test_unreadable_file_is_a_problem_not_a_traceback(tmp_path):
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.load(tmp_path / "missing.yaml")
    assert "cannot read the file" in info.value.problems[0].message


def test_oversized_file_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (5 * 1024 * 1024 + 10) + b"\n")
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.load(big)
    assert "larger than 5 MB" in info.value.problems[0].message


def test_deep_nesting_is_refused():
    deep = "briefkit: 1\nmeta: " + "[" * 200 + "]" * 200 + "\n"
    with pytest.raises(briefkit.ReportError) as info:
        loads(deep, "d.yaml")
    assert any("nests deeper" in p.message for p in info.value.problems)


def test_model_is_frozen():
    r = loads(MINIMAL, "r.yaml")
    with pytest.raises(AttributeError):
        r.meta.title = "x"


def test_whole_number_forms():
    r = loads(MINIMAL + "    intensity: 4.0\n", "r.yaml")
    assert r.areas[0].intensity == 4
    with pytest.raises(briefkit.ReportError) as info:
        loads(MINIMAL.replace('  title: "موجز"', '  title: "موجز"\n  date: 20190'), "r.yaml")
    assert [str(p) for p in info.value.problems] == [
        "r.yaml:4:9: meta.date: '20190' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"]
