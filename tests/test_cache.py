"""The build cache: a hit is byte-identical and marked cached; each part of the key, changed alone, rebuilds."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefkit import cache as cache_mod
from briefkit.cli import main
from conftest import cli_opens

CASES = Path(__file__).parent / "cases"
FONTS = Path(__file__).resolve().parents[1] / "fonts"

REPORT = """briefkit: 1
meta: {title: "موجز", id: cached-brief, publisher: {name: "مركز", logo: assets/logo.png}}
actors: [{id: tr, name: تركيا}, {id: ru, name: روسيا}]
areas: [{id: syria, title: الملف السوري, region: الشرق الأوسط, relation: rivalry}]
sections: [{id: s, heading: مدخل, body: ["فقرة أولى."]}]
"""


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("BRIEFKIT_CACHE", raising=False)
    src = tmp_path / "src"
    (src / "assets").mkdir(parents=True)
    shutil.copy(CASES / "assets" / "logo.png", src / "assets" / "logo.png")
    (src / "r.yaml").write_text(REPORT, encoding="utf-8")
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.yaml").write_text("name: plain\nfonts: {body: Face.ttf}\nlogo: {file: logo.png}\n")
    shutil.copy(FONTS / "Amiri-Regular.ttf", theme / "Face.ttf")
    shutil.copy(CASES / "assets" / "logo.png", theme / "logo.png")
    return tmp_path


def build(work, *extra, fmt="html"):
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", str(work / "src"), "-o", str(work / "out"), "--format", fmt,
                 *([] if "--no-cache" in extra else ["--cache", str(work / "cache")]),
                 "--json", "--quiet", *map(str, extra)], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    doc = json.loads(out.getvalue())
    (rep,) = doc["reports"]
    return rep["status"]


def test_a_hit_is_marked_cached_and_byte_identical(work):
    assert build(work) == "built"
    fresh = (work / "out" / "cached-brief.html").read_bytes()
    (work / "out" / "cached-brief.html").unlink()
    assert build(work) == "cached"
    assert (work / "out" / "cached-brief.html").read_bytes() == fresh
    assert not [p for p in (work / "cache").rglob("*.part")]


@pytest.mark.parametrize("part", ["report", "file name", "logo", "theme", "theme font", "theme logo",
                                  "SOURCE_DATE_EPOCH",
                                  "format", "docx-fonts", "chart", "max-pages", "pdf-variant", "version",
                                  "templates", "fonts"])
def test_each_part_of_the_key_rebuilds(work, part, monkeypatch):
    base = ["--theme", work / "theme" / "theme.yaml"]
    assert build(work, *base) == "built"
    assert build(work, *base) == "cached"
    extra = list(base)
    if part == "report":
        (work / "src" / "r.yaml").write_text(REPORT.replace("فقرة أولى.", "فقرة ثانية."), encoding="utf-8")
    elif part == "file name":  # the default id and the format follow the name
        (work / "src" / "r.yaml").rename(work / "src" / "s.yaml")
    elif part == "logo":
        with open(work / "src" / "assets" / "logo.png", "ab") as f:
            f.write(b"\0")
    elif part == "theme":
        (work / "theme" / "theme.yaml").write_text("name: bold\n")
    elif part == "theme font":
        shutil.copy(FONTS / "Amiri-Bold.ttf", work / "theme" / "Face.ttf")
    elif part == "theme logo":           # the house logo (logo: {file: ...}) lives beside the theme
        from PIL import Image

        Image.new("RGB", (300, 100), "red").save(work / "theme" / "logo.png")
    elif part == "SOURCE_DATE_EPOCH":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    elif part == "format":
        return  # below: a format never built is a miss even when another format hits
    elif part in ("docx-fonts", "max-pages", "pdf-variant"):
        extra += [f"--{part}", {"docx-fonts": "embed", "max-pages": "30", "pdf-variant": "ua"}[part]]
    elif part == "chart":
        extra.append("--no-chart")
    elif part == "version":
        monkeypatch.setattr("briefkit.__version__", "99.0")
        cache_mod.code_hash.cache_clear()
    elif part in ("templates", "fonts"):
        from briefkit import resources

        original = getattr(resources, f"{part}_dir")()
        copy = work / part
        shutil.copytree(original, copy)
        first = sorted(p for p in copy.rglob("*") if p.is_file())[0]
        with open(first, "ab") as f:
            f.write(b"\n")
        monkeypatch.setattr(resources, f"{part}_dir", lambda: copy)
        cache_mod.code_hash.cache_clear()
    try:
        assert build(work, *extra) == "built", part
        assert build(work, *extra) == "cached", part
    finally:
        cache_mod.code_hash.cache_clear()


def test_only_the_files_a_theme_names_are_read_for_the_key(work):
    # A blind reviewer's symlink to /dev/zero beside an automatic theme.yaml drove a build to 23 GB, and a FIFO
    # there hung it: the key read every image and font file under the theme's folder
    import os

    assert build(work, "--theme", work / "theme" / "theme.yaml") == "built"
    os.symlink("/dev/zero", work / "theme" / "evil.png")
    os.mkfifo(work / "theme" / "fifo.ttf")
    (work / "theme" / "deep").mkdir()
    (work / "theme" / "deep" / "other.ttf").write_bytes(b"x" * 1000)
    assert build(work, "--theme", work / "theme" / "theme.yaml") == "cached"
    (work / "theme" / "theme.yaml").write_text("name: plain\nfonts: {body: fifo.ttf}\n")
    out, err = io.StringIO(), io.StringIO()
    assert main(["build", str(work / "src"), "-o", str(work / "out"), "--format", "html", "--theme",
                 str(work / "theme" / "theme.yaml"), "--cache", str(work / "cache")], stdout=out, stderr=err) == 1
    assert f"{work / 'theme' / 'theme.yaml'}:2:15: fonts.body.regular: 'fifo.ttf' is not a regular file" in \
        err.getvalue()


def test_a_format_never_built_is_a_miss(work):
    assert build(work, fmt="html") == "built"
    assert build(work, fmt="html,docx") == "built"  # html from the cache, docx rendered
    assert build(work, fmt="html,docx") == "cached"


def test_a_corrupted_entry_is_rebuilt_not_copied(work):
    assert build(work) == "built"
    good = (work / "out" / "cached-brief.html").read_bytes()
    (blob,) = (work / "cache").rglob("*.html")
    blob.write_bytes(blob.read_bytes().replace(b"</html>", b"<script>x</script></html>"))
    assert build(work) == "built"
    assert (work / "out" / "cached-brief.html").read_bytes() == good


def test_no_cache_neither_reads_nor_writes(work, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(work / "xdg"))
    assert build(work, "--no-cache") == "built"
    assert build(work, "--no-cache") == "built"
    assert not (work / "cache").exists() and not (work / "xdg").exists()


def test_the_default_cache_dir_follows_xdg(work, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(work / "xdg"))
    assert cache_mod.default_dir() == work / "xdg" / "briefkit"
    monkeypatch.setenv("BRIEFKIT_CACHE", str(work / "mine"))
    assert cache_mod.default_dir() == work / "mine"


def test_least_recently_used_entries_are_evicted_first(tmp_path):
    c = cache_mod.Cache(tmp_path, max_bytes=2500)
    for i, key in enumerate(("a" * 64, "b" * 64, "c" * 64)):
        c.put(key, "pdf", bytes([i]) * 1000, __import__("hashlib").sha256(bytes([i]) * 1000).hexdigest(), 1)
        listing = c._path("out", key, ".json")
        os.utime(listing, (1_000_000 + i, 1_000_000 + i))
    os.utime(c._path("out", "a" * 64, ".json"))  # 'a' used just now: 'b' is now the oldest
    c.evict()
    assert set(c.get("a" * 64, ["pdf"])) == {"pdf"}
    assert c.get("b" * 64, ["pdf"]) == {}
    assert set(c.get("c" * 64, ["pdf"])) == {"pdf"}


def test_an_all_hit_run_loads_no_renderer_and_no_yaml_parser(work):
    assert build(work, fmt="pdf,docx") == "built"
    probe = ("import sys, json; from briefkit.cli import main; code = main(sys.argv[1:]); "
             "sys.stderr.write(json.dumps([code] + [m for m in ('weasyprint', 'docx', 'ruamel.yaml', "
             "'briefkit.loader', 'multiprocessing') if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe, "build", str(work / "src"), "-o", str(work / "out2"),
                           "--cache", str(work / "cache"), "--jobs", "2", "--quiet"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert json.loads(done.stderr) == [0]
    assert sorted(p.name for p in (work / "out2").iterdir()) == ["cached-brief.docx", "cached-brief.pdf"]


def test_a_cache_that_cannot_be_written_only_costs_speed(work):
    (work / "cache").write_text("a file where the cache folder should be")
    assert build(work) == "built"
    assert build(work) == "built"
    assert (work / "out" / "cached-brief.html").exists()


def test_what_a_theme_made_valid_is_judged_again_without_it(work):
    # U+08A1 is drawn by the example theme's Scheherazade and by no shipped face: valid with the
    # theme beside the report, an error at validate's line:col once the theme is gone (not a failed render)
    scheherazade = Path(__file__).resolve().parents[1] / "examples" / "themes" / "scheherazade"
    src = work / "src"
    (src / "r.yaml").write_text(REPORT.replace("فقرة أولى.", "فقرة \u08a1 أولى."), encoding="utf-8")
    shutil.copy(scheherazade / "theme.yaml", src / "theme.yaml")
    shutil.copytree(scheherazade / "fonts", src / "fonts")
    assert build(work, fmt="pdf") == "built"
    (src / "theme.yaml").unlink()
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", str(src), "-o", str(work / "out"), "--format", "pdf", "--cache", str(work / "cache"),
                 "--json", "--quiet"], stdout=out, stderr=err)
    (rep,) = json.loads(out.getvalue())["reports"]
    assert (code, rep["status"]) == (1, "invalid"), err.getvalue()
    assert "U+08A1" in json.dumps(rep["errors"]), rep
    assert not (work / "out" / "cached-brief.pdf").exists()


def test_who_owns_a_shared_id_does_not_depend_on_the_cache(work):
    # a (with a logo) and b share an id: the earliest valid input owns it. A CI engineer deleted a's logo
    # (a invalid: b must build) and put it back (a owns the id again); the cache remembered a's validity
    # from the first run, then its invalidity from the second, and handed the id the other way
    src = work / "src"
    (src / "b.yaml").write_text(REPORT.replace(', publisher: {name: "مركز", logo: assets/logo.png}', ""),
                                encoding="utf-8")
    (src / "r.yaml").rename(src / "a.yaml")
    logo = (src / "assets" / "logo.png").read_bytes()

    def statuses(*extra):
        out, err = io.StringIO(), io.StringIO()
        main(["build", str(src), "-o", str(work / "out"), "--format", "html", "--json", "--quiet",
              *(extra or ["--cache", str(work / "cache")])], stdout=out, stderr=err)
        return [r["status"].replace("cached", "built") for r in json.loads(out.getvalue())["reports"]]

    assert statuses() == statuses("--no-cache") == ["built", "invalid"]
    (src / "assets" / "logo.png").unlink()
    assert statuses() == statuses("--no-cache") == ["invalid", "built"]
    (src / "assets" / "logo.png").write_bytes(logo)
    assert statuses() == statuses("--no-cache") == ["built", "invalid"]


def test_a_theme_shared_by_a_folder_is_read_once_per_run_however_many_reports(tmp_path):
    # 1,000 unchanged briefs beside one theme read its fonts 1,000 times: 8 ms a brief of a 2 s budget
    shutil.copy(FONTS / "Amiri-Regular.ttf", tmp_path / "Face.ttf")
    (tmp_path / "theme.yaml").write_text("name: plain\nfonts: {body: Face.ttf}\n", encoding="utf-8")
    def cached_rerun(n: int) -> str:
        folder = tmp_path / f"n{n}"
        folder.mkdir()
        for f in ("theme.yaml", "Face.ttf"):
            shutil.copy(tmp_path / f, folder / f)
        for k in range(n):
            (folder / f"r{k}.yaml").write_text(REPORT.replace("id: cached-brief", f"id: b{k}").replace(
                ", logo: assets/logo.png", ""), encoding="utf-8")
        args = ["build", str(folder), "--format", "html", "-o", str(folder / "out"), "--cache",
                str(folder / "cache"), "--quiet"]
        env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "BRIEFKIT_CACHE")}
        assert cli_opens("Face.ttf", *args, env=env).startswith("OPENED 0 ")      # fills the cache
        return cli_opens("Face.ttf", *args, env=env)

    one, four = cached_rerun(1), cached_rerun(4)
    assert one.startswith("OPENED 0 ") and four == one
