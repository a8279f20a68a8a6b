"""The command line in process and as a subprocess: exit codes, error lines, schema, imports."""
from __future__ import annotations

import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from briefkit.cli import main
from briefkit.schema import SCHEMA

from conftest import SEEDS, cli_opens

INVALID = Path(__file__).parent / "invalid"



@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own build cache (subprocesses inherit the variable)."""
    monkeypatch.setenv("BRIEFKIT_CACHE", str(tmp_path / "cache"))


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_validate_seeds_exit_0():
    seeds = sorted(SEEDS.glob("*.yaml"))
    code, out, err = run("validate", *map(str, seeds))
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"{p}: valid" for p in seeds]
    assert run("validate", "--quiet", *map(str, seeds)) == (0, "", "")


def test_validate_names_sources_no_text_cites(tmp_path):
    # A blind editor deleted the paragraph citing a source: it went on printing, without a number, unseen
    path = tmp_path / "brief.yaml"
    path.write_text("briefkit: 1\nmeta: {title: t}\nactors: [{id: a, name: مصر}, {id: b, name: تركيا}]\n"
                    "areas: [{id: x, title: س, region: ر, relation: mixed, summary: 'نص [^s1]'}]\n"
                    "sources: [{id: s1, title: أ}, {id: s2, title: ب}, {id: s3, title: ج}]\n", encoding="utf-8")
    assert run("validate", str(path)) == (0, f"{path}: valid (never cited, so listed without a number: s2, s3)\n", "")


def test_validate_notes_lines_pasted_from_word_as_one_paragraph(tmp_path):
    # A blind editor pasted three Word paragraphs into `summary: |`: Markdown made them one, silently
    path = tmp_path / "brief.yaml"
    path.write_text("briefkit: 1\nmeta: {title: t}\nactors: [{id: a, name: مصر}, {id: b, name: تركيا}]\n"
                    "areas: [{id: x, title: س, region: ر, relation: mixed}]\n"
                    "summary: |\n  الجملة الأولى.\n  هل تبدأ الثانية هنا؟\n  والثالثة «هنا».\n"
                    "outlook: |\n  سطر ملفوف باليد في منتصف\n  الجملة ثم ينتهي.\n\n  فقرة ثانية.\n  وسطر [^s].\n"
                    "sources: [{id: s, title: ع}]\n", encoding="utf-8")
    note = ("note: these {} lines make one paragraph (Markdown joins lines); if they are separate paragraphs, "
            "as Word pastes them, put a blank line between them")
    assert run("validate", str(path)) == (0, f"{path}: valid\n", f"{path}:7:3: summary: {note.format(3)}\n"
                                                                  f"{path}:14:3: outlook: {note.format(2)}\n")
    assert run("validate", "--quiet", str(path)) == (0, "", "")
    code, out, _ = run("validate", "--json", str(path))
    assert [(n["line"], n["path"]) for n in json.loads(out)["reports"][0]["notes"]] == [(7, "summary"), (14, "outlook")]
    # blind8 F10: '>' is YAML's own «fold these lines into one paragraph»: an editor's choice, not a paste
    path.write_text(path.read_text(encoding="utf-8").replace("summary: |", "summary: >"), encoding="utf-8")
    assert run("validate", str(path)) == (0, f"{path}: valid\n", f"{path}:14:3: outlook: {note.format(2)}\n")


def test_validate_notes_a_brief_dated_in_the_hijri_calendar(tmp_path):
    # a blind Persian editor's «date: 1403-02-23» (today, Solar Hijri) was read as the year 1403 AD, silently
    path = tmp_path / "brief.yaml"
    path.write_text("briefkit: 1\nmeta: {title: t, date: 1403-02-23}\n"
                    "actors: [{id: a, name: ایران}, {id: b, name: ترکیه}]\n"
                    "areas: [{id: x, title: س, region: ر, relation: mixed}]\n"
                    "timeline: [{date: 1453, event: فتح}]\n", encoding="utf-8")   # a timeline may be history
    assert run("validate", str(path)) == (0, f"{path}: valid\n", (
        f"{path}:2:24: meta.date: note: the year 1403 is read as 1403 AD: if '1403-02-23' is a Solar Hijri or "
        "Hijri date, write the Gregorian one (briefkit dates a brief in the Gregorian calendar)\n"))
    # blind8 F19: with another mistake in the report the note came only in a second round, after the fix
    path.write_text(path.read_text(encoding="utf-8").replace("relation: mixed", "relation: mixd"), encoding="utf-8")
    code, out, err = run("validate", str(path))
    assert code == 1 and out == "" and [line.split(": ")[1] for line in err.splitlines()] == [
        "areas[0].relation", "meta.date"]


def test_validate_notes_a_timeline_event_written_after_a_later_one(tmp_path):
    path = tmp_path / "brief.yaml"
    path.write_text("briefkit: 1\nmeta: {title: t}\nactors: [{id: a, name: مصر}, {id: b, name: تركيا}]\n"
                    "areas: [{id: x, title: س, region: ر, relation: mixed}]\ntimeline:\n"
                    "  - {date: 2019, event: أ}\n  - {date: 2019-10, event: ب}\n  - {date: 2024-05-12, event: ج}\n"
                    "  - {date: 2023-03-10, event: د}\n  - {date: 2024, event: هـ}\n", encoding="utf-8")
    assert run("validate", str(path)) == (0, f"{path}: valid\n", (
        f"{path}:9:12: timeline[3].date: note: 2023-03-10 comes after 2024-05-12, a later date written above it; "
        "the timeline prints in the order written\n"))


def test_validate_invalid_prints_exact_lines(monkeypatch):
    monkeypatch.chdir(INVALID)
    code, out, err = run("validate", "03-relation-typo.yaml", "33-many-problems.yaml")
    assert code == 1 and out == ""
    expected = (INVALID / "03-relation-typo.errors").read_text() + (INVALID / "33-many-problems.errors").read_text()
    assert err == expected


def test_validate_json_output(monkeypatch):
    monkeypatch.chdir(INVALID)
    code, out, _ = run("validate", "--json", "03-relation-typo.yaml")
    doc = json.loads(out)
    assert code == 1 and doc["exit_code"] == 1
    (rep,) = doc["reports"]
    assert rep["status"] == "invalid"
    assert rep["errors"] == [{"file": "03-relation-typo.yaml", "line": 11, "col": 15, "path": "areas[0].relation",
                              "message": "'rivaly' is not one of cooperation, rivalry, mixed (did you mean 'rivalry'?)"}]


@pytest.mark.parametrize("argv,needle", [
    (["validate", "no-such-file.yaml"], "no such file or folder"),
    (["build", "no-such-file.yaml"], "no such file or folder"),
    (["build", "--format", "pdf,odt", "x.yaml"], "--format"),
    (["build", "--shard", "0/3", "x.yaml"], "--shard"),
    (["build", "--shard", "4/3", "x.yaml"], "--shard"),
    (["build", "--shard", "two", "x.yaml"], "--shard"),
    (["build", "--jobs", "0", "x.yaml"], "--jobs"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_errors_exit_2(argv, needle, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text("briefkit: 1\n")
    code, _, err = run(*argv)
    assert code == 2
    assert needle in err
    assert not (tmp_path / "out").exists()


def test_no_command_prints_help_and_exits_2():
    code, _, err = run()
    assert code == 2 and "build" in err


def test_schema_is_valid_and_accepts_every_sample():
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0 and schema == json.loads(json.dumps(SCHEMA))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    samples = sorted(SEEDS.glob("*.yaml")) + sorted((Path(__file__).parent / "cases").glob("*.yaml"))
    assert samples
    for path in samples:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        _stringify_dates(data)
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path


def _stringify_dates(node):
    # YAML's safe loader turns 2019-10-22 into a date; the schema (like briefkit) reads it as text.
    import datetime as dt

    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in list(items):
        if isinstance(v, dt.date):
            node[k] = v.isoformat()
        else:
            _stringify_dates(v)


def test_schema_rejects_unknown_keys():
    validator = jsonschema.Draft202012Validator(SCHEMA)
    doc = {"briefkit": 1, "meta": {"title": "t", "colour": 1}, "actors": [{"id": "a", "name": "A"}] * 2,
           "areas": [{"id": "x", "title": "X", "region": "R", "relation": "mixed"}], "extra": True}
    messages = " ".join(e.message for e in validator.iter_errors(doc))
    assert "extra" in messages and "colour" in messages


def test_python_m_version_and_validate_do_not_import_weasyprint():
    out = subprocess.run([sys.executable, "-m", "briefkit", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("briefkit ")
    probe = ("import sys; from briefkit.cli import main; code = main(['validate', '--quiet', %r]); "
             "print(code, 'weasyprint' in sys.modules, 'docx' in sys.modules)" % str(SEEDS / "turkey-russia-relations.yaml"))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.split() == ["0", "False", "False"], out.stderr


DEFERRED_PROBE = r"""
import json, sys
from briefkit.cli import main
code = main(["build", "--quiet", "--no-cache", "--jobs", "1", "--format", "pdf", "-o", sys.argv[1], sys.argv[2]])
after_build = sorted(m for m in ("fontTools.subset", "fontTools.varLib.instancer") if m in sys.modules)
from weasyprint.pdf import fonts                     # WeasyPrint's names for them forward to the real modules
import fontTools.subset
from fontTools.ttLib import TTFont, newTable
font = TTFont()
font["head"] = newTable("head")
try:
    fonts.instantiateVariableFont(font, {"wght": 400})   # no fvar table: the real function's own refusal
    refusal = None
except Exception as e:
    refusal = type(e).__name__ + ": " + str(e)
print(json.dumps([code, after_build, fonts.subset.Subsetter is fontTools.subset.Subsetter,
                  "fontTools.varLib.instancer" in sys.modules, refusal]))
"""


def test_a_pdf_build_never_imports_the_fonttools_modules_weasyprint_only_needs_for_fallbacks(tmp_path):
    out = subprocess.run([sys.executable, "-c", DEFERRED_PROBE, str(tmp_path / "out"), str(SEEDS / "india-china-relations.yaml")],
                         capture_output=True, text=True)
    code, after_build, same_subsetter, instancer_loaded, refusal = json.loads(out.stdout.splitlines()[-1])
    assert code == 0, out.stderr
    assert after_build == []  # the PDF was typeset and subset (by HarfBuzz) without them
    assert same_subsetter and instancer_loaded
    assert refusal is not None and "fvar" in refusal


def test_docx_fonts_flag_embeds_full_subset_or_no_faces(tmp_path):
    import zipfile

    sizes, fonts = {}, {}
    for how in ("embed", "subset", "none"):
        code, _, err = run("build", str(SEEDS / "india-china-relations.yaml"), "-o", str(tmp_path / how),
                           "--format", "docx", "--docx-fonts", how, "--no-cache", "--quiet")
        assert code == 0, err
        path = tmp_path / how / "india-china-relations.docx"
        with zipfile.ZipFile(path) as z:
            fonts[how] = sorted(n for n in z.namelist() if n.startswith("word/fonts/"))
            table = z.read("word/fontTable.xml").decode()
        sizes[how] = path.stat().st_size
        assert "Noto Sans" in table  # named in every case
    assert fonts["none"] == [] and fonts["subset"] == fonts["embed"] != []
    assert sizes["none"] < sizes["subset"] < sizes["embed"]


def test_json_is_printed_even_for_a_usage_error(tmp_path):
    code, out, err = run("build", str(tmp_path / "nosuch.yaml"), "--json", "-o", str(tmp_path / "out"))
    doc = json.loads(out)
    assert code == 2 and doc["exit_code"] == 2 and doc["reports"] == []
    assert "no such file" in doc["error"] and "no such file" in err
    import jsonschema

    schema = json.loads((Path(__file__).parents[1] / "docs" / "manifest.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)


def test_a_theme_under_another_name_is_not_a_report(tmp_path, monkeypatch):
    # a blind tester's folder held theme-a5.yaml beside the reports: validate read it as a report and
    # printed nine unknown-key lines; named on its own it now says what it is in one line
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").write_text((Path(__file__).parent / "cases" / "01-minimal.yaml").read_text(encoding="utf-8"),
                              encoding="utf-8")
    Path("theme-a5.yaml").write_text("# the A5 look\nbriefkit-theme: 1\npage: {size: A5}\n", encoding="utf-8")
    assert run("validate", ".") == (0, "a.yaml: valid\n", "")
    assert run("validate", "theme-a5.yaml") == (1, "", "theme-a5.yaml:2:17: briefkit-theme: this is a theme file, "
                                               "not a report: pass it with --theme FILE, or name it theme.yaml "
                                               "beside the reports it styles\n")


def test_the_build_line_names_the_theme_it_applied(tmp_path):
    # a theme.yaml beside the report changes the look silently otherwise (a blind tester asked)
    folder = Path(__file__).parent / "regress" / "a5-sources"
    code, out, err = run("build", str(folder / "nile-a5.yaml"), "-o", str(tmp_path), "--format", "docx")
    assert code == 0, err
    assert err.rstrip().endswith(f"s, theme {folder / 'theme.yaml'})"), err


@pytest.mark.parametrize("argv", [["--jobs", "abc"], ["--frobnicate"], ["--shard", "x"]])
def test_a_bad_command_line_with_json_still_prints_json(argv, tmp_path):
    # a CI step writing "> manifest.json" parses it whatever went wrong (argparse's errors wrote nothing)
    (tmp_path / "x.yaml").write_text("briefkit: 1\n")
    code, out, err = run("build", str(tmp_path / "x.yaml"), "--json", *argv)
    doc = json.loads(out)
    assert (code, doc["exit_code"], doc["command"], doc["reports"]) == (2, 2, "build", [])
    assert doc["error"] and "error" in err


def test_extract_says_in_one_line_what_is_wrong_with_its_file(tmp_path, monkeypatch):
    # A blind CI engineer got pypdf's own warnings and an exception's class name
    monkeypatch.chdir(tmp_path)
    report = SEEDS / "turkey-russia-relations.yaml"
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<< /Type /Catalog")
    (tmp_path / "notes.txt").write_text("hello")
    assert run("extract", str(report)) == (2, "", f"briefkit: error: {report} is not a PDF (it looks like a report: "
                                                  "extract reads a brief's PDF)\n")
    assert run("extract", "notes.txt") == (2, "", "briefkit: error: notes.txt is not a PDF\n")
    assert run("extract", "nope.pdf") == (2, "", "briefkit: error: nope.pdf: no such file\n")
    assert run("extract", "cut.pdf") == (2, "", "briefkit: error: cut.pdf is a damaged PDF: briefkit cannot read it\n")


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script for a real terminal")
def test_build_on_a_terminal_ends_with_what_was_written_where(tmp_path):
    # A blind CI engineer on a terminal: the progress bar erased itself and the screen stayed empty
    bad = tmp_path / "bad.yaml"
    bad.write_text("briefkit: 1\nmeta: {title: t}\n", encoding="utf-8")
    seed = SEEDS / "india-china-relations.yaml"
    log = tmp_path / "tty.log"
    cmd = shlex.join([sys.executable, "-m", "briefkit", "build", str(seed), str(bad), "-o", str(tmp_path / "o"),
                      "--format", "pdf"])
    subprocess.run(["script", "-qec", cmd, str(log)], capture_output=True, timeout=120)
    last = log.read_text(encoding="utf-8", errors="replace").replace("\r", "").strip().splitlines()
    last = [line for line in last if line.strip() and not line.startswith("Script done")][-1]
    assert re.fullmatch(rf"briefkit: 1 brief \(1 file\) in {re.escape(str(tmp_path / 'o'))}/, 1 invalid "
                        r"\(\d+\.\ds\)", last), last



def test_an_unusable_cache_is_a_warning_and_in_the_manifest(tmp_path):
    # a blind CI engineer's mistyped BRIEFKIT_CACHE: no hit ever, and nothing said so
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, out, err = run("build", str(SEEDS / "india-china-relations.yaml"), "-o", str(tmp_path / "o"),
                         "--format", "html", "--cache", str(blocker / "cache"), "--json", "--quiet")
    manifest = json.loads(out)
    assert code == 0 and manifest["cache"]["error"].startswith("Not a directory")
    assert err == (f"briefkit: warning: the build cache {blocker / 'cache'} cannot be written "
                   f"({manifest['cache']['error']}): every run renders every brief again\n")
    schema = json.loads((Path(__file__).parents[1] / "docs" / "manifest.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema)


def test_a_report_turned_invalid_lists_the_files_it_removed(tmp_path):
    # a blind CI engineer: the last good brief was deleted, and the manifest did not say so
    report = tmp_path / "brief.yaml"
    text = (SEEDS / "india-china-relations.yaml").read_text(encoding="utf-8")
    report.write_text(text, encoding="utf-8")
    out_dir = tmp_path / "o"
    assert run("build", str(report), "-o", str(out_dir), "--format", "html,docx", "--quiet")[0] == 0
    report.write_text(text.replace("relation: rivalry", "relation: rivalryy", 1), encoding="utf-8")
    code, out, _ = run("build", str(report), "-o", str(out_dir), "--format", "html,docx", "--json", "--quiet")
    (entry,) = json.loads(out)["reports"]
    assert code == 1 and entry["status"] == "invalid"
    assert sorted(entry["removed"]) == sorted(str(out_dir / f"india-china-relations.{f}") for f in ("docx", "html"))
    assert list(out_dir.iterdir()) == []


def test_validate_lists_the_theme_problems_with_the_reports(tmp_path):
    # a blind reviewer saw the theme's line only after fixing the report's own
    theme = tmp_path / "house.yaml"
    theme.write_text('colors: {accent: "teal"}\n', encoding="utf-8")
    report = tmp_path / "r.yaml"
    report.write_text((SEEDS / "india-china-relations.yaml").read_text(encoding="utf-8")
                      .replace("relation: rivalry", "relation: rivaly", 1), encoding="utf-8")
    code, out, err = run("validate", "--theme", str(theme), str(report))
    lines = err.splitlines()
    assert code == 1 and out == "" and len(lines) == 2
    assert lines[0].startswith(f"{report}:") and "'rivaly'" in lines[0]
    assert lines[1].startswith(f"{theme}:1:18: colors.accent: 'teal' is not a colour")


def test_validate_reads_a_shared_theme_once(tmp_path):
    # reports in one folder share its theme.yaml; validate read it twice for each of them
    seed = (SEEDS / "india-china-relations.yaml").read_text(encoding="utf-8")

    def opened(n: int) -> str:
        folder = tmp_path / f"n{n}"
        folder.mkdir()
        (folder / "theme.yaml").write_text('colors: {accent: "#0F766E"}\n', encoding="utf-8")
        for k in range(n):
            (folder / f"r{k}.yaml").write_text(seed.replace("id: india-china-relations", f"id: r{k}"),
                                               encoding="utf-8")
        return cli_opens("theme.yaml", "validate", *(str(folder / f"r{k}.yaml") for k in range(n)))

    one, three = opened(1), opened(3)
    assert one.startswith("OPENED 0 ") and three == one
