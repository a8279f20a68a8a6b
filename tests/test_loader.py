"""The loader: the invalid corpus gives its exact error lines; valid reports give the model."""
from __future__ import annotations

from pathlib import Path

import pytest

import briefkit
from briefkit.loader import loads, stem_id
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


# ---- YAML scalar styles mean what the editor meant ----------------------------------------------

STYLES = MINIMAL + """takeaways:
  - >
    folded
    into one line
  - >-
    folded, stripped
    at the end
  - >+
    folded, kept

  - |
    literal
    lines
  - plain over
    two lines
  - 'single ''quoted''
    folded'
  - "double \\"quoted\\" \\u00e9t\\u00e9\\
    joined"
  - &shared "an anchored text"
  - *shared
"""


def test_every_scalar_style_resolves_as_yaml_says():
    from briefkit.model import plain_text

    report = loads(STYLES, "styles.yaml")
    got = [plain_text(t) for t in report.takeaways]
    # Inline text turns line breaks into spaces; what matters is that no U+0007 fold marker survives
    # and every style is accepted.
    assert got == ["folded into one line ", "folded, stripped at the end", "folded, kept  ", "literal lines ",
                   "plain over two lines", "single 'quoted' folded", 'double "quoted" étéjoined',
                   "an anchored text", "an anchored text"]


def test_folded_title_has_no_fold_marker():
    report = loads(MINIMAL.replace('title: "موجز"', 'title: >-\n    موجز\n    طويل'), "t.yaml")
    assert report.meta.title == "موجز طويل"


def test_typed_control_character_is_refused_at_its_line_and_column():
    text = MINIMAL.replace("region: الشرق الأوسط", "region: الشرق\x07 الأوسط") + "# a comment\x01 here\n"
    with pytest.raises(briefkit.ReportError) as info:
        loads(text.encode(), "c.yaml")
    got = [str(p) for p in info.value.problems]
    fix = "; delete it (it is invisible: text copied from a PDF or a terminal often carries one)"
    assert got == ["c.yaml:10:18: areas[0].region: text contains characters that are not allowed: "
                   "U+0007 control character" + fix,
                   "c.yaml:12:12: (root): the file contains characters that are not allowed: "
                   "U+0001 control character" + fix]


def test_typed_control_character_shows_as_an_escape_in_every_message_about_its_value():
    # A raw ESC is parsed as U+FFFD so YAML reads on; a second message quoting the value showed that '�'.
    text = MINIMAL.replace("- id: syria\n", "- id: syr\x1bia\x07\n")
    with pytest.raises(briefkit.ReportError) as info:
        loads(text.encode(), "c.yaml")
    got = [str(p) for p in info.value.problems if p.path == "areas[0].id"]
    assert got == ["c.yaml:8:9: areas[0].id: 'syr\\x1bia\\x07' is not a valid id: use lowercase Latin letters, "
                   "digits and single hyphens (like 'syr-ia')",
                   "c.yaml:8:12: areas[0].id: text contains characters that are not allowed: U+0007 control "
                   "character, U+001B control character; delete them (they are invisible: text copied from a "
                   "PDF or a terminal often carries such characters)"]


def test_escaped_control_character_is_placed_at_its_escape():
    text = MINIMAL.replace('title: "موجز"', 'title: "موجز\\a"')
    with pytest.raises(briefkit.ReportError) as info:
        loads(text, "e.yaml")
    (p,) = info.value.problems
    assert (p.line, p.col, p.path) == (3, 15, "meta.title")


# ---- Markdown prose: both forms give the same model ---------------------------------------------

HOSTED = MINIMAL + """sources: [{id: s1, title: مصدر}]
sections:
  - id: s
    heading: قسم
"""

LIST_FORM = HOSTED + """    body:
      - "الفقرة **الأولى**[^s1]."
      - {quote: "لا حل عسكرياً.", by: "وزير الخارجية"}
      - {list: ["الطاقة", "الأمن"]}
      - {list: ["أولاً", "ثانياً"], ordered: true}
      - الفقرة الأخيرة.
summary: ["ملخص أول.", "ملخص ثان."]
outlook: ["خلاصة."]
recommendations: ["توصية أولى", "توصية ثانية"]
"""

MARKDOWN_FORM = HOSTED + """    body: |
      الفقرة **الأولى**[^s1].

      > لا حل عسكرياً.
      >
      > — وزير الخارجية

      - الطاقة
      - الأمن

      1. أولاً
      2. ثانياً

      الفقرة الأخيرة.
summary: >
  ملخص
  أول.

  ملخص ثان.
outlook: خلاصة.
recommendations: |
  1. توصية أولى
  2. توصية ثانية
"""


def test_markdown_and_list_forms_give_the_same_model():
    a = loads(LIST_FORM, "a.yaml")
    b = loads(MARKDOWN_FORM, "a.yaml")
    assert len(a.sections[0].body) == 5
    assert a == b


def test_plain_multiline_and_json_prose():
    plain = HOSTED.replace("sections:", "summary: ملخص\n  أول.\n\n  ملخص ثان.\nsections:")
    assert len(loads(plain, "p.yaml").summary) == 2  # folding made the blank line a break: two paragraphs
    import json

    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(HOSTED)
    data["summary"] = "ملخص\nأول.\n\nملخص ثان."  # JSON: Markdown as written, a single \n is a space
    report = loads(json.dumps(data, ensure_ascii=False), "j.json")
    assert [len(p) for p in report.summary] == [1, 1]
    assert report.summary[0][0].text == "ملخص أول."


def test_a_literal_block_in_the_list_form_is_markdown_too():
    text = HOSTED + """    body:
      - |
        فقرة.

        ### عنوان فرعي
        - بند
      - {quote: اقتباس}
"""
    body = loads(text, "l.yaml").sections[0].body
    assert [type(b).__name__ for b in body] == ["Para", "Subheading", "BulletList", "Quote"]


def test_folded_markdown_body_keeps_its_list():
    text = HOSTED + """    body: >
      مقدمة تمتد
      على سطرين.

      - بند أول
      - بند ثان
"""
    from briefkit.model import Text

    body = loads(text, "f.yaml").sections[0].body
    assert body == (Para((Text("مقدمة تمتد على سطرين."),)),
                    BulletList(((Text("بند أول"),), (Text("بند ثان"),))))


# ---- briefkit.loads: text or a mapping ----------------------------------------------------------

def test_loads_text_and_mapping_give_the_file_model(tmp_path):
    import datetime

    from ruamel.yaml import YAML

    f = tmp_path / "seed.yaml"
    f.write_text(LIST_FORM, encoding="utf-8")
    from_file = briefkit.load(f)
    from_text = briefkit.loads(LIST_FORM, name="seed.yaml")
    data = YAML(typ="safe").load(LIST_FORM)
    data["meta"]["date"] = datetime.date(2023, 7, 1)
    from_mapping = briefkit.loads(data, name="seed")
    assert from_text == from_file
    assert from_mapping.meta.date.iso() == "2023-07-01"
    assert from_mapping.sections == from_file.sections and from_mapping.meta.id == "seed"
    json_text = __import__("json").dumps(YAML(typ="safe").load(LIST_FORM), ensure_ascii=False)
    assert briefkit.loads(json_text, name="seed") == from_file  # no suffix: text that parses as JSON is JSON


def test_loads_mapping_problems_have_paths_and_no_lines():
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(MINIMAL)
    data["areas"][0]["relation"] = "تعاون"
    data["actors"].append({"id": "ir", "name": object()})
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.loads(data)
    got = [str(p) for p in info.value.problems]
    assert got == [
        "<mapping>:0:0: actors[2].name: a value of type 'object' cannot be in a report: use text, numbers, "
        "true/false, lists and mappings"]
    data["actors"].pop()
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.loads(data)
    assert [str(p) for p in info.value.problems] == [       # in the mapping's own order, as a file's are
        "<mapping>:0:0: meta: a report given as text or a mapping has no file name to take its id from: "
        "add meta.id (like 'my-brief') or pass name='my-brief.yaml'",
        "<mapping>:0:0: areas[0].relation: 'تعاون' is not one of cooperation, rivalry, mixed "
        "(write 'cooperation': 'تعاون' is its Arabic label)"]
    # a blind CI engineer's row: relation before positions in the mapping, so in the problems
    data["meta"]["id"] = "row"
    data["areas"][0]["positions"] = {"xx": "نص"}
    data["areas"][0] = {"positions": data["areas"][0].pop("positions"), **data["areas"][0]}
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.loads(data)
    assert [p.path for p in info.value.problems] == ["areas[0].positions.xx", "areas[0].relation"]
    data["areas"][0] = {"relation": data["areas"][0].pop("relation"), **data["areas"][0]}
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.loads(data)
    assert [p.path for p in info.value.problems] == ["areas[0].relation", "areas[0].positions.xx"]


def test_loads_refuses_a_mapping_that_contains_itself():
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(MINIMAL)
    data["meta"]["extra"] = data
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.loads(data, name="loop")
    assert "nests deeper than" in info.value.problems[0].message


def test_loads_result_builds(tmp_path):
    report = briefkit.loads(MARKDOWN_FORM.replace("meta:\n", "meta:\n  id: from-text\n"))
    assert report.path is None
    paths = briefkit.build(report, tmp_path, formats=("html",))
    assert [p.name for p in paths] == ["from-text.html"]


@pytest.mark.parametrize("style", [">", ">-", "|", "plain"])
def test_problem_inside_prose_is_at_its_line_in_every_style(style):
    lines = ["فقرة أولى طويلة", "تمتد على سطرين.", "", "ثم فقرة تذكر[^nope] مصدراً."]
    if style == "plain":
        value = lines[0] + "\n" + "\n".join(("      " + ln) if ln else "" for ln in lines[1:])
    else:
        value = style + "\n" + "\n".join(("      " + ln) if ln else "" for ln in lines)
    text = HOSTED + "    body: " + value + "\n"
    with pytest.raises(briefkit.ReportError) as info:
        loads(text, "s.yaml")
    (p,) = info.value.problems
    body_line = HOSTED.count("\n") + 1
    last = body_line + (3 if style == "plain" else 4)
    assert (p.line, p.col, p.path) == (last, 7 + len("ثم فقرة تذكر"), "sections[0].body")


@pytest.mark.parametrize("value", [[1, 2], 42, None])
def test_loads_of_something_that_is_no_report_is_a_report_error(value):
    # a pipeline passing the wrong object got AttributeError or TypeError from inside the loader
    from briefkit.errors import ReportError

    with pytest.raises(ReportError) as info:
        briefkit.loads(value)
    (problem,) = info.value.problems
    assert problem.message.startswith("a report is YAML or JSON text (str or bytes) or a mapping, got ")


def test_a_pasted_tab_between_words_is_a_space_and_indentation_tabs_stay():
    # A blind editor's quoted «وحدة<TAB>الرصد»: a space in the PDF, a wide tab stop in the DOCX, a tab in the
    # PDF's Author. Now one space everywhere; a tab that indents a nested Markdown list still nests it.
    report = briefkit.loads(
        'briefkit: 1\nmeta: {title: "موجز\\tقصير", authors: [{name: "وحدة\\tالرصد", role: مراجعة}]}\n'
        "actors: [{id: a, name: مصر}, {id: b, name: تركيا}]\n"
        "areas: [{id: x, title: س, region: ر, relation: mixed}]\n"
        'sections: [{id: s, heading: ع, body: "- بند\\n\\t- بند\\tفرعي\\n"}]\n', name="t.yaml")
    assert report.meta.title == "موجز قصير" and report.meta.authors[0].name == "وحدة الرصد"
    (outer,) = report.sections[0].body
    assert [[t.text for t in item] for item in outer.sublists[0].items] == [["بند فرعي"]]


def test_a_file_name_in_arabic_gives_no_id_rather_than_its_digits(tmp_path):
    # Windows names a copy «تقرير إيران النهائي (2).yaml»: the id used to be «2», shared by every such copy
    path = tmp_path / "تقرير إيران النهائي (2).yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    with pytest.raises(briefkit.ReportError) as info:
        briefkit.load(path)
    assert [p.message for p in info.value.problems] == [
        f"the file name '{path.name}' gives no usable id: add meta.id (like 'my-brief')"]
    assert stem_id("Iran Report FINAL v2") == "iran-report-final-v2"
    assert stem_id("Erdoğan 2024") == "erdo-an-2024" and stem_id("گزارش (1)") is None


def test_a_logo_is_judged_by_its_header_in_words(tmp_path):
    # A blind reviewer's 20000 × 20000 PNG (48 KB) met Pillow's bomb guard and the message named the exception;
    # a 25-million-pixel logo within the old limit cost a build 286 MB
    from PIL import Image

    from briefkit.loader import logo_image_problem

    Image.new("1", (20000, 20000)).save(tmp_path / "bomb.png")
    Image.new("RGBA", (4000, 2500)).save(tmp_path / "big.png")
    Image.new("RGB", (300, 100), "red").save(tmp_path / "ok.png")
    data = (tmp_path / "ok.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[:len(data) // 2])
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff" + b"not a jpeg" * 5)
    assert {name: logo_image_problem(tmp_path / name, name) for name in
            ("bomb.png", "big.png", "ok.png", "cut.png", "bad.jpg")} == {
        "bomb.png": "'bomb.png' is 20000 × 20000 pixels: a logo may have at most 8 million pixels and 10,000 per side",
        "big.png": "'big.png' is 4000 × 2500 pixels: a logo may have at most 8 million pixels and 10,000 per side",
        "ok.png": None,
        "cut.png": "'cut.png' is not a readable PNG image: it is cut short (export it again from an image editor)",
        "bad.jpg": "'bad.jpg' is not a readable JPEG image: its data is not a valid JPEG image (export it again from "
                   "an image editor)"}


def test_mixed_refused_characters_get_one_explanation_that_fits_them_all():
    # a blind reviewer's ESC, DEL and RLO in one title were all called "invisible direction controls", and a
    # lone surrogate was reported twice (once more as a character no font has)
    with pytest.raises(briefkit.ReportError) as info:
        loads('briefkit: 1\nmeta: {title: "a\\x1bb\\u202ec\\x7f", subtitle: "x\\uD800y"}\n'
              "actors: [{id: a, name: A}, {id: b, name: B}]\nareas: [{id: x, title: t, region: r, relation: mixed}]\n",
              "t.yaml")
    assert [p.message for p in info.value.problems] == [
        "text contains characters that are not allowed: U+001B control character, U+007F control character, "
        "U+202E RIGHT-TO-LEFT OVERRIDE; delete them (text copied from a web page, a PDF or a terminal carries such "
        "invisible characters; briefkit sets the direction of Latin text itself)",
        "text contains characters that are not allowed: U+D800 lone surrogate; delete them (text copied from a web "
        "page, a PDF or a terminal carries such invisible characters)"]
