"""Theme files: the example house style loads; every mistake in a theme is reported at its line and column."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefkit.errors import ReportError
from briefkit.style import DEFAULT, PAGE_SIZES, load_theme

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "themes" / "scheherazade" / "theme.yaml"


def test_the_example_theme_loads():
    theme = load_theme(EXAMPLE)
    assert theme.body.name == "Scheherazade"
    assert theme.body.face("bold").name == "Scheherazade-Bold.ttf"
    assert theme.accent == "#7A1F5C"
    assert dict(theme.relation_colors) == {"cooperation": "#009E73", "mixed": "#E69F00", "rivalry": "#D55E00"}
    assert theme.page_mm == PAGE_SIZES["Letter"]
    assert theme.margins_mm == (20.0, 22.0, 22.0, 18.0)
    assert (theme.head_start, theme.head_end, theme.footer, theme.logo) == ("publisher", "date", "page", "end")
    assert theme.digest() == load_theme(EXAMPLE).digest()


def test_an_empty_theme_is_the_shipped_look(tmp_path):
    (tmp_path / "theme.yaml").write_text("briefkit-theme: 1\n", encoding="utf-8")
    theme = load_theme(tmp_path / "theme.yaml")
    assert theme == DEFAULT


def _errors(tmp_path, text: str, files: dict | None = None) -> list[str]:
    for name, data in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    path = tmp_path / "theme.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportError) as info:
        load_theme(path)
    return [f"{p.line}:{p.col}: {p.path}: {p.message}" for p in info.value.problems]


def test_every_problem_at_once_with_positions(tmp_path):
    text = ("briefkit-theme: 1\n"
            "colours: {accent: '#000'}\n"
            "colors: {accent: teal, rivalry: '#D55E00'}\n"
            "page: {size: B7, margins: 20}\n"
            "fonts:\n"
            "  body: {regular: ../outside.ttf, bold: missing.ttf}\n"
            "  heading: notafont.txt\n"
            "footer: pages\n")
    assert _errors(tmp_path, text) == [
        "2:1: colours: unknown key 'colours' (did you mean 'colors'?); a theme has briefkit-theme, colors, fonts, "
        "footer, logo, name, page, running-head",
        "3:18: colors.accent: 'teal' is not a colour: write #RGB or #RRGGBB",
        "4:14: page.size: 'B7' is not a page size: use A4, A5, Letter, Legal or [width, height] like [170mm, 240mm]",
        "4:27: page.margins: '20' has no unit: write 20mm (mm, cm, in or pt; or {top, bottom, start, end}, each a "
        "length)",
        "6:19: fonts.body.regular: '../outside.ttf' is outside the theme's folder; fonts must be inside it",
        "6:41: fonts.body.bold: 'missing.ttf' does not exist (relative to the theme's folder)",
        "7:12: fonts.heading.regular: 'notafont.txt' is not a TTF or OTF file",
        "8:9: footer: 'pages' is not one of page-of, page, none (did you mean 'page'?)",
    ]


def test_a_tab_in_a_theme_gets_the_reports_hint(tmp_path):
    assert _errors(tmp_path, "page:\n\tsize: A5\n") == [
        "2:1: (root): YAML syntax error: found character '\\t' that cannot start any token; indent with spaces, "
        "not tabs (replace the tab at this place with spaces)"]


def test_a_file_that_is_not_a_font(tmp_path):
    assert _errors(tmp_path, "fonts: {body: fake.ttf}\n", {"fake.ttf": b"not a font at all"}) == [
        "1:15: fonts.body.regular: 'fake.ttf' is not a usable font: it is damaged or not a font (use a TTF or OTF "
        "file as its foundry ships it)"]


def test_faces_of_different_families_are_refused(tmp_path):
    fonts = ROOT / "fonts"
    files = {"a.ttf": (fonts / "Amiri-Regular.ttf").read_bytes(), "b.ttf": (fonts / "NotoSans-Bold.ttf").read_bytes()}
    assert _errors(tmp_path, "fonts:\n  body: {regular: a.ttf, bold: b.ttf}\n", files) == [
        "2:9: fonts.body: the faces belong to different families: Amiri, Noto Sans"]


def test_margins_that_leave_no_room(tmp_path):
    assert _errors(tmp_path, "page: {size: [90mm, 120mm], margins: 15mm}\n") == [
        "1:38: page: the text area would be smaller than 80 × 100 mm: use a larger page or smaller margins"]


def test_each_wrong_margin_has_its_own_line(tmp_path):
    # A blind editor's margins got one line for two mistakes; each side now says what is wrong with it
    theme = tmp_path / "theme.yaml"
    theme.write_text("briefkit-theme: 1\npage: {size: A5, margins: {top: 16, bottom: 18mm, left: 15mm, end: 90mm, "
                     "start: 2px}}\n", encoding="utf-8")
    with pytest.raises(ReportError) as info:
        load_theme(theme)
    assert [f"{p.line}:{p.col}: {p.path}: {p.message}" for p in info.value.problems] == [
        "2:33: page.margins.top: '16' has no unit: write 16mm (mm, cm, in or pt)",
        "2:51: page.margins.left: unknown side 'left'; use top, bottom, start or end (start is where a line "
        "begins: the right in an Arabic or Persian brief, the left in an English one)",
        "2:68: page.margins.end: '90mm' is more than 60 mm: a margin leaves room for the text",
        "2:81: page.margins.start: '2px' is not a length like 20mm (mm, cm, in or pt)",
    ]



def test_a_page_size_out_of_range_says_the_range(tmp_path):
    # a blind reviewer got a Python list's repr and no word on the allowed range
    assert _errors(tmp_path, "page: {size: [1mm, 1mm]}\n") == [
        "1:14: page.size: [1mm, 1mm] is not a page size: a page is 80 to 600 mm wide and 100 to 900 mm high"]
    assert _errors(tmp_path, "page: {size: [wide, tall]}\n") == [
        "1:14: page.size: [wide, tall] is not a page size: use A4, A5, Letter, Legal or [width, height] like "
        "[170mm, 240mm]"]


def test_a_theme_read_again_in_one_process_sees_every_change(tmp_path):
    # a process remembers a theme it read (a build reads it for every report); the preview's process lives
    # on while the editor changes the theme, its fonts and back again
    import shutil

    fonts = ROOT / "fonts"
    theme = tmp_path / "theme.yaml"
    theme.write_text('colors: {accent: "#0F766E"}\nfonts: {body: Face.ttf}\n', encoding="utf-8")
    shutil.copy(fonts / "Amiri-Regular.ttf", tmp_path / "Face.ttf")
    assert load_theme(theme).body.name == "Amiri"
    assert load_theme(theme).accent == "#0F766E"
    theme.write_text('colors: {accent: "#7A1F5C"}\nfonts: {body: Face.ttf}\n', encoding="utf-8")
    assert load_theme(theme).accent == "#7A1F5C"
    (tmp_path / "Face.ttf").unlink()
    with pytest.raises(ReportError) as first:
        load_theme(theme)
    with pytest.raises(ReportError) as again:
        load_theme(theme)
    assert [str(p) for p in again.value.problems] == [str(p) for p in first.value.problems] != []
    shutil.copy(EXAMPLE.parent / "fonts" / "Scheherazade-Regular.ttf", tmp_path / "Face.ttf")
    assert load_theme(theme).body.name == "Scheherazade"
