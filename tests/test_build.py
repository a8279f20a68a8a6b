"""Builds: atomic outputs, no stale or partial files, exit codes, --json, shards, the API."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import briefkit
from briefkit.builder import expand_inputs, shard
from briefkit.cli import main

from conftest import SEED

VALID = """briefkit: 1
meta: {title: "موجز %(n)s", id: %(id)s}
actors: [{id: tr, name: تركيا}, {id: ru, name: روسيا}]
areas: [{id: syria, title: الملف السوري, region: الشرق الأوسط, relation: rivalry}]
sections: [{id: s, heading: مدخل, body: ["فقرة أولى عن العلاقة %(n)s."]}]
"""


def valid(n: int, id_: str | None = None) -> str:
    return VALID % {"n": n, "id": id_ or f"brief-{n}"}



@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own build cache (subprocesses inherit the variable)."""
    monkeypatch.setenv("BRIEFKIT_CACHE", str(tmp_path / "cache"))


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def mixed(tmp_path):
    src = tmp_path / "reports"
    src.mkdir()
    (src / "a-valid.yaml").write_text(valid(1, "a-valid"), encoding="utf-8")
    (src / "b-invalid.yaml").write_text(valid(2, "b-invalid").replace("rivalry", "rivaly"), encoding="utf-8")
    (src / "c-tofu.yaml").write_text(valid(3, "c-tofu").replace("فقرة أولى", "فقرة 漢字"), encoding="utf-8")
    (src / "notes.txt").write_text("not a report")
    return src


def test_mixed_folder_builds_the_valid_and_leaves_nothing_else(mixed, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    # stale files from an earlier, successful run of the two reports that now fail
    for stale in ("b-invalid.html", "c-tofu.html"):
        (out / stale).write_text("old")
    code, stdout, stderr = run("build", mixed, "-o", out, "--format", "html", "--json", "--jobs", "1")
    assert code == 1  # characters no shipped font has are refused at validation (briefkit.coverage)
    doc = json.loads(stdout)
    assert doc["exit_code"] == 1
    assert [(r["input"], r["id"], r["status"]) for r in doc["reports"]] == [
        (str(mixed / "a-valid.yaml"), "a-valid", "built"),
        (str(mixed / "b-invalid.yaml"), "b-invalid", "invalid"),
        (str(mixed / "c-tofu.yaml"), "c-tofu", "invalid"),
    ]
    assert sorted(p.name for p in out.iterdir()) == ["a-valid.html"]
    built, invalid, failed = doc["reports"]
    (o,) = built["outputs"]
    data = (out / "a-valid.html").read_bytes()
    assert o == {"format": "html", "path": str(out / "a-valid.html"), "bytes": len(data),
                 "sha256": hashlib.sha256(data).hexdigest()}
    assert invalid["errors"] == [{"file": str(mixed / "b-invalid.yaml"), "line": 4, "col": 74,
                                  "path": "areas[0].relation",
                                  "message": "'rivaly' is not one of cooperation, rivalry, mixed "
                                             "(did you mean 'rivalry'?)"}]
    assert [(e["line"], e["col"], e["message"][:6]) for e in failed["errors"]] == [(5, 48, "U+6F22"),
                                                                                   (5, 49, "U+5B57")]
    assert doc["totals"] == {"built": 1, "cached": 0, "invalid": 2, "failed": 0, "interrupted": 0,
                             "reports": 3, "files": 1,
                             "bytes": len(data)}
    # the text lines on stderr say the same
    assert f"{mixed / 'b-invalid.yaml'}:4:74: areas[0].relation: 'rivaly'" in stderr
    assert f"{mixed / 'c-tofu.yaml'}:5:48: sections[0].body[0]: U+6F22 " in stderr


def test_a_render_failure_wins_over_an_invalid_report(mixed, tmp_path):
    out = tmp_path / "out"
    (out / "a-valid.html" / "in-the-way").mkdir(parents=True)  # the output cannot be written
    code, _, _ = run("build", mixed / "a-valid.yaml", mixed / "b-invalid.yaml", "-o", out, "--format", "html",
                     "--quiet")
    assert code == 3


def test_only_invalid_gives_exit_1(mixed, tmp_path):
    code, _, _ = run("build", mixed / "a-valid.yaml", mixed / "b-invalid.yaml", "-o", tmp_path / "o",
                     "--format", "html", "--quiet")
    assert code == 1


def test_progress_lines_and_quiet(mixed, tmp_path):
    _, _, err = run("build", mixed / "a-valid.yaml", "-o", tmp_path / "o", "--format", "html")
    assert err.startswith("[1/1] built: ") and "a-valid.html" in err
    _, _, err = run("build", mixed / "a-valid.yaml", "-o", tmp_path / "o", "--format", "html", "--quiet")
    assert err == ""


def test_globs_and_folders_expand_sorted_and_unique(mixed):
    got = expand_inputs([str(mixed), str(mixed / "*.yaml"), str(mixed / "a-valid.yaml")])
    assert [p.name for p in got] == ["a-valid.yaml", "b-invalid.yaml", "c-tofu.yaml"]


def test_shards_cover_every_input_exactly_once(tmp_path):
    paths = [tmp_path / f"r{i:02d}.yaml" for i in range(10)]
    parts = [shard(list(reversed(paths)), k, 3) for k in (1, 2, 3)]
    flat = [p for part in parts for p in part]
    assert sorted(flat) == sorted(paths) and len(flat) == len(set(flat))
    assert [len(p) for p in parts] == [4, 3, 3]
    # the CLI builds exactly its shard
    for i in range(5):
        (tmp_path / f"s{i}.yaml").write_text(valid(i), encoding="utf-8")
    built = []
    for k in (1, 2, 3):
        code, out, _ = run("build", tmp_path / "s*.yaml", "-o", tmp_path / "out", "--format", "html",
                           "--shard", f"{k}/3", "--json", "--quiet")
        assert code == 0
        built += [r["id"] for r in json.loads(out)["reports"]]
    assert sorted(built) == [f"brief-{i}" for i in range(5)]


def test_duplicate_ids_in_one_run_do_not_overwrite(tmp_path):
    (tmp_path / "one.yaml").write_text(valid(1, "same"), encoding="utf-8")
    (tmp_path / "two.yaml").write_text(valid(2, "same"), encoding="utf-8")
    code, out, _ = run("build", tmp_path / "one.yaml", tmp_path / "two.yaml", "-o", tmp_path / "o",
                       "--format", "html", "--json", "--quiet")
    doc = json.loads(out)
    assert code == 1
    assert [r["status"] for r in doc["reports"]] == ["built", "invalid"]
    assert "موجز 1" in (tmp_path / "o" / "same.html").read_text(encoding="utf-8")


def test_a_duplicate_id_is_listed_in_file_order_with_the_other_problems(tmp_path):
    # A blind editor's copy kept the first brief's meta.id and had a mistake further down: the id's line
    # came after the later one
    (tmp_path / "one.yaml").write_text(valid(1, "same"), encoding="utf-8")
    (tmp_path / "two.yaml").write_text(valid(2, "same").replace("relation: rivalry", "relation: rivaly"),
                                       encoding="utf-8")
    code, _, err = run("build", tmp_path / "one.yaml", tmp_path / "two.yaml", "-o", tmp_path / "o",
                       "--format", "html", "--quiet")
    lines = [ln for ln in err.splitlines() if ln.startswith(str(tmp_path / "two.yaml"))]
    assert code == 1 and len(lines) == 2, err
    assert "meta.id" in lines[0] and "relation" in lines[1]
    positions = [tuple(int(n) for n in ln[len(str(tmp_path / "two.yaml")) + 1:].split(":")[:2]) for ln in lines]
    assert positions == sorted(positions)


@pytest.mark.parametrize("outdir", ["file", "file/out"])
def test_outdir_that_is_a_file_is_exit_3_with_a_manifest(tmp_path, outdir):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, stdout, err = run("build", SEED, "-o", tmp_path / outdir, "--format", "html", "--json", "--quiet")
    assert code == 3 and f"{SEED}:0:0: (render): cannot write to the output folder {tmp_path / outdir}: " in err
    doc = json.loads(stdout)
    check_manifest(doc)
    assert [r["status"] for r in doc["reports"]] == ["failed"]
    assert blocker.read_text() == "x"


def test_parallel_results_in_input_order(tmp_path):
    for i in range(4):
        (tmp_path / f"r{i}.yaml").write_text(valid(i), encoding="utf-8")
    code, out, _ = run("build", tmp_path, "-o", tmp_path / "o", "--format", "html", "--jobs", "2", "--json",
                       "--quiet")
    doc = json.loads(out)
    assert code == 0 and doc["jobs"] == 2
    assert [r["id"] for r in doc["reports"]] == [f"brief-{i}" for i in range(4)]
    serial = {p.name: p.read_bytes() for p in (tmp_path / "o").iterdir()}
    run("build", tmp_path, "-o", tmp_path / "o1", "--format", "html", "--jobs", "1", "--quiet")
    assert serial == {p.name: p.read_bytes() for p in (tmp_path / "o1").iterdir()}


def test_api_build_returns_paths_and_writes_nothing_on_failure(tmp_path):
    paths = briefkit.build(SEED, tmp_path / "o", formats=("html",))
    assert paths == [tmp_path / "o" / "turkey-russia-relations.html"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(valid(1, "bad").replace("rivalry", "rivaly"), encoding="utf-8")
    with pytest.raises(briefkit.ReportError):
        briefkit.build(bad, tmp_path / "o", formats=("html",))
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["turkey-russia-relations.html"]
    with pytest.raises(ValueError):
        briefkit.build(SEED, tmp_path / "o", formats=("odt",))


def test_json_records_pdf_page_count(tmp_path):
    code, out, _ = run("build", SEED, "-o", tmp_path, "--format", "pdf,docx", "--json", "--quiet")
    doc = json.loads(out)
    assert code == 0
    pdf, docx = doc["reports"][0]["outputs"]
    from pypdf import PdfReader

    assert pdf["format"] == "pdf" and pdf["pages"] == len(PdfReader(tmp_path / "turkey-russia-relations.pdf").pages)
    assert pdf["pages"] >= 4
    assert docx["format"] == "docx" and "pages" not in docx
    assert doc["reports"][0]["peak_rss_mb"] > 0


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_duplicate_ids_earliest_input_wins_whatever_finishes_first(tmp_path, jobs):
    (tmp_path / "a.yaml").write_text(valid(1, "same"), encoding="utf-8")
    # the later input is much larger, so a parallel run starts it first
    big = valid(2, "same").replace('body: ["فقرة أولى عن العلاقة 2."]',
                                   "body: [" + ", ".join(['"فقرة طويلة عن العلاقة."'] * 400) + "]")
    (tmp_path / "b.yaml").write_text(big, encoding="utf-8")
    code, out, _ = run("build", tmp_path / "a.yaml", tmp_path / "b.yaml", "-o", tmp_path / "o",
                       "--format", "html", "--json", "--quiet", "--jobs", jobs)
    doc = json.loads(out)
    assert code == 1
    assert [(r["status"], r["id"]) for r in doc["reports"]] == [("built", "same"), ("invalid", "same")]  # its id, as validate gives it
    assert doc["reports"][1]["errors"][0]["message"].startswith(f"'same' is also the id of {tmp_path / 'a.yaml'}")
    assert "موجز 1" in (tmp_path / "o" / "same.html").read_text(encoding="utf-8")


# ---- a manifest that never lies ------------------------------------------------------------------

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "manifest.schema.json"


def check_manifest(doc) -> None:
    """The manifest follows its schema, and every listed file exists with the listed hash."""
    import jsonschema

    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).validate(doc)
    for r in doc["reports"]:
        assert bool(r["outputs"]) == (r["status"] in ("built", "cached")), r
        for o in r["outputs"]:
            data = Path(o["path"]).read_bytes()
            assert (len(data), hashlib.sha256(data).hexdigest()) == (o["bytes"], o["sha256"]), o


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("invalid_first", [False, True])
def test_invalid_report_sharing_an_id_never_deletes_the_valid_ones_files(tmp_path, jobs, invalid_first):
    a, b = (tmp_path / "b.yaml", tmp_path / "a.yaml") if invalid_first else (tmp_path / "a.yaml",
                                                                                  tmp_path / "b.yaml")
    a.write_text(valid(1, "shared"), encoding="utf-8")
    b.write_text(valid(2, "shared").replace("rivalry", "rivaly"), encoding="utf-8")
    out = tmp_path / "o"
    out.mkdir()
    (out / "shared.html").write_text("from an earlier run")
    code, stdout, _ = run("build", a, b, "-o", out, "--format", "html", "--json", "--quiet", "--jobs", jobs)
    doc = json.loads(stdout)
    check_manifest(doc)
    assert code == 1
    by_input = {r["input"]: r for r in doc["reports"]}
    assert by_input[str(a)]["status"] == "built"
    bad = by_input[str(b)]
    assert bad["status"] == "invalid" and bad["id"] == "shared"   # as validate gives it; the files stay a's
    messages = [e["message"] for e in bad["errors"]]
    assert any("rivaly" in m for m in messages)
    assert f"'shared' is also the id of {a}: their outputs would overwrite each other" in messages
    assert "موجز 1" in (out / "shared.html").read_text(encoding="utf-8")


def test_input_sha256_version_and_options_in_the_manifest(tmp_path):
    src = tmp_path / "r.yaml"
    src.write_text(valid(1), encoding="utf-8")
    code, stdout, _ = run("build", src, "-o", tmp_path / "o", "--format", "html", "--json", "--quiet",
                          "--docx-fonts", "none", "--no-chart", "--max-pages", "40", "--pdf-variant", "ua",
                          "--no-cache")
    doc = json.loads(stdout)
    check_manifest(doc)
    assert code == 0 and doc["briefkit"] == briefkit.__version__ and doc["cache"] is None
    assert doc["options"] == {"docx_fonts": "none", "pdf_variant": "ua", "chart": False, "theme": None,
                              "max_pages": 40}
    assert doc["reports"][0]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_duplicate_ids_are_judged_across_shards(tmp_path, jobs):
    # sorted: a.yaml goes to shard 1, b.yaml to shard 2; b repeats a's id
    (tmp_path / "a.yaml").write_text(valid(1, "same"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(valid(2, "same"), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(valid(3, "other"), encoding="utf-8")
    docs = {}
    for k in (1, 2):
        code, stdout, err = run("build", tmp_path, "-o", tmp_path / "o", "--format", "html", "--json",
                                "--quiet", "--shard", f"{k}/2", "--jobs", jobs)
        docs[k] = (code, json.loads(stdout), err)
        check_manifest(docs[k][1])
    (c1, d1, _), (c2, d2, err2) = docs[1], docs[2]
    assert c1 == 0 and [(r["input"], r["status"]) for r in d1["reports"]] == [
        (str(tmp_path / "a.yaml"), "built"), (str(tmp_path / "c.yaml"), "built")]
    assert c2 == 1 and [(r["input"], r["status"]) for r in d2["reports"]] == [(str(tmp_path / "b.yaml"), "invalid")]
    assert (f"{tmp_path / 'b.yaml'}:2:29: meta.id: 'same' is also the id of {tmp_path / 'a.yaml'}: "
            "their outputs would overwrite each other") in err2
    assert "موجز 1" in (tmp_path / "o" / "same.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_invalid_input_of_another_shard_owns_no_id(tmp_path, jobs):
    # a shard reads the other shards' ids quickly and presumes those inputs valid until an id is shared:
    # a.yaml (shard 1, earlier) lacks its areas, so b.yaml (shard 2) owns 'same' and is built
    (tmp_path / "a.yaml").write_text(re.sub(r"areas: .*\n", "", valid(1, "same")), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(valid(2, "same"), encoding="utf-8")
    code, stdout, _ = run("build", tmp_path, "-o", tmp_path / "o", "--format", "html", "--json", "--quiet",
                          "--shard", "2/2", "--jobs", jobs)
    assert code == 0 and [(r["input"], r["status"]) for r in json.loads(stdout)["reports"]] == [
        (str(tmp_path / "b.yaml"), "built")]


def test_other_shards_are_loaded_only_where_an_id_is_shared(tmp_path):
    from briefkit.builder import scan_inputs

    texts = [valid(0, "mine"), valid(1, "lone"), valid(2, "mine"), valid(3, "lone-too")]
    paths = []
    for n, text in enumerate(texts):
        paths.append(tmp_path / f"r{n}.yaml")
        paths[-1].write_text(text, encoding="utf-8")
    inputs = scan_inputs(paths, mine=[0])
    assert [inp.id for inp in inputs] == ["mine", "lone", "mine", "lone-too"]
    assert [inp.report is not None for inp in inputs] == [True, False, True, False]
    assert [inp.owner for inp in inputs] == [None, None, 0, None]


def test_the_quick_id_is_the_loaders_or_none():
    # a shard trusts it for the other shards' inputs: it must never differ from the id the loader gives
    from briefkit.builder import quick_id
    from briefkit.loader import load

    root = Path(__file__).resolve().parents[1]
    files = sorted([*root.glob("seeds/*.yaml"), *root.glob("tests/**/*.yaml"), *root.glob("tests/**/*.json")])
    answered = 0
    for path in files:
        got = quick_id(path.read_bytes(), path)
        if got is None:
            continue
        answered += 1
        try:
            assert load(path).meta.id == got, path
        except briefkit.ReportError:
            pass    # presumed valid until its id is shared, then loaded
    assert answered >= 10
    tricky = {"meta: {id: 1e3}\n": None, "meta: {id: no}\n": None, "meta: {id: null}\n": None,
              "meta: {id: a-b, titel: x}\n": None, "meta:\n\tid: a\n": None, "meta: {id: \"a-b\"}\n": "a-b",
              "meta: {id: A}\n": None, "meta: {id: a}\nmeta2: 1\n": None, "\ufeffmeta: {id: a}\n": None}
    assert {t: quick_id(t.encode(), Path("r.yaml")) for t in tricky} == tricky
    assert quick_id(b'{"meta": {"id": "a-1"}}', Path("r.json")) == "a-1"
    assert quick_id(b"meta:\r\n  id: a-1\r\n", Path("r.yaml")) == "a-1"      # saved on Windows
    assert quick_id(b"meta:\r  id: a-1\r", Path("r.yaml")) is None             # a lone CR: the loader's


def test_validate_finds_duplicate_ids_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text(valid(1, "same"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(valid(2, "same"), encoding="utf-8")
    code, _, err = run("validate", tmp_path / "a.yaml", tmp_path / "b.yaml")
    assert code == 1
    assert err == (f"{tmp_path / 'b.yaml'}:2:29: meta.id: 'same' is also the id of {tmp_path / 'a.yaml'}: "
                   "their outputs would overwrite each other\n")


# ---- faults ----------------------------------------------------------------------------------------

def test_outdir_that_becomes_unwritable_mid_run(tmp_path):
    from briefkit.builder import build_many

    paths = []
    for i in range(3):
        (tmp_path / f"r{i}.yaml").write_text(valid(i), encoding="utf-8")
        paths.append(tmp_path / f"r{i}.yaml")
    out = tmp_path / "o"

    def sabotage(result):
        if not (tmp_path / "moved").exists():  # after the first brief, OUTDIR turns into a file
            out.rename(tmp_path / "moved")
            out.write_text("not a folder")

    results = build_many(paths, out, ("html",), jobs=1, on_result=sabotage)
    assert [r.status for r in results] == ["failed"] * 3
    assert "was removed or replaced by another process" in results[0].message
    assert all(r.message.startswith(f"cannot write to {out}: ") for r in results[1:]), results[1].message
    assert [p.name for p in (tmp_path / "moved").iterdir()] == ["brief-0.html"]  # complete, just moved


def _mount_tmpfs(path, size):
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


def test_full_disk_fails_the_reports_that_do_not_fit_and_leaves_no_partial_file(tmp_path):
    out = tmp_path / "small"
    from briefkit.writers import render

    (tmp_path / "size.yaml").write_text(valid(0), encoding="utf-8")
    one = len(render(briefkit.load(tmp_path / "size.yaml"), "html"))
    _mount_tmpfs(out, f"{(one * 5 // 2) // 1024 + 4}k")  # room for two briefs of six (the pages embed their fonts)
    try:
        for i in range(6):
            (tmp_path / f"r{i}.yaml").write_text(valid(i), encoding="utf-8")
        code, stdout, err = run("build", *sorted(tmp_path.glob("r*.yaml")), "-o", out, "--format", "html",
                                "--json", "--quiet", "--jobs", "1")
        doc = json.loads(stdout)
        check_manifest(doc)
        statuses = [r["status"] for r in doc["reports"]]
        assert code == 3 and "built" in statuses and "failed" in statuses, statuses
        assert "No space left on device" in err
        listed = sorted(Path(o["path"]).name for r in doc["reports"] for o in r["outputs"])
        assert sorted(p.name for p in out.iterdir()) == listed  # nothing else: no partial, no stale file
    finally:
        subprocess.run(["umount", str(out)], check=True)


def test_two_concurrent_builds_into_one_outdir(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(6):
        (src / f"r{i}.yaml").write_text(valid(i), encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-m", "briefkit", "build", str(src), "-o", str(out),
                               "--format", "html,docx", "--json", "--quiet", "--jobs", "1",
                               "--cache", str(tmp_path / f"cache{n}")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for n in (1, 2)]
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        assert p.returncode == 0, stderr
        check_manifest(json.loads(stdout))
    assert sorted(p.name for p in out.iterdir()) == sorted(f"brief-{i}.{f}" for i in range(6)
                                                           for f in ("html", "docx"))


AUDIT = r"""
import json, sys
seen = []

def hook(event, args):
    if event == "open" and not isinstance(args[0], int):
        seen.append(["open", str(args[0])])
    elif event.split(".")[0] in ("socket", "subprocess", "urllib", "http") or event in ("os.system", "os.exec", "os.posix_spawn", "os.fork"):
        seen.append([event, repr(args)[:200]])

sys.addaudithook(hook)
from briefkit.cli import main
code = main(sys.argv[1:])
sys.stderr.write("\nAUDIT" + json.dumps([code, seen]))
"""


def test_a_build_opens_only_its_own_files_and_no_socket(tmp_path):
    """A Python audit hook sees every open() and socket of a whole build (PDF, DOCX, cache)."""
    import shutil
    import sysconfig
    import tempfile

    from briefkit.resources import fonts_dir, templates_dir

    folder = tmp_path / "report"
    shutil.copytree(Path(__file__).parent / "cases" / "assets", folder / "assets")
    shutil.copy(Path(__file__).parent / "cases" / "08-logo.yaml", folder / "08-logo.yaml")
    out, cache = tmp_path / "out", tmp_path / "cache"
    done = subprocess.run([sys.executable, "-c", AUDIT, "build", str(folder / "08-logo.yaml"), "-o", str(out),
                           "--cache", str(cache), "--jobs", "1", "--quiet", "--format", "pdf,docx,html"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    code, seen = json.loads(done.stderr.rpartition("\nAUDIT")[2])
    assert code == 0, done.stderr
    assert [e for e, _ in seen if e != "open"] == []  # no socket, no subprocess
    package = Path(briefkit.__file__).resolve().parent
    python = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"],
                                          sysconfig.get_paths()["stdlib"])}
    mine = [package, templates_dir().resolve(), fonts_dir().resolve(), out.resolve(), cache.resolve()]
    report_files = {(folder / "08-logo.yaml").resolve(), (folder / "assets" / "logo.png").resolve()}
    tmp = Path(tempfile.gettempdir()).resolve()
    outside = []
    for _, name in seen:
        p = Path(name).resolve()
        if p in report_files or any(p.is_relative_to(r) for r in [*mine, *python]):
            continue
        if p.parent.name.startswith("weasyprint-") and p.parent.parent == tmp:
            continue  # WeasyPrint hands the shipped @font-face files to fontconfig through a temp copy
        if p.is_relative_to(tmp) and p != tmp and p.relative_to(tmp).parts[0].startswith("briefkit-fc-"):
            continue  # the private fontconfig configuration and its folder (briefkit.coverage.fontconfig_conf)
        if p.parent == tmp and re.fullmatch(r"[a-z0-9_]{8}", p.name):
            continue  # tempfile's one-time check that the temp folder is writable
        if str(p) == "/etc/mime.types":
            continue  # the standard library's table of file types (mimetypes)
        outside.append(str(p))
    assert outside == []


def test_a_file_replaced_by_another_process_during_the_run_is_not_listed_as_built(tmp_path):
    from briefkit.builder import build_many

    paths = []
    for i in range(2):
        (tmp_path / f"r{i}.yaml").write_text(valid(i), encoding="utf-8")
        paths.append(tmp_path / f"r{i}.yaml")
    out = tmp_path / "o"

    def other_build(result):  # another build into the same folder renames its own brief-0.html into place
        if result.id == "brief-0":
            (tmp_path / "theirs.html").write_text("another build's brief")
            (tmp_path / "theirs.html").replace(out / "brief-0.html")

    results = build_many(paths, out, ("html",), jobs=1, on_result=other_build)
    assert [r.status for r in results] == ["failed", "built"]
    assert results[0].outputs == [] and "replaced by another process" in results[0].message
    assert (out / "brief-0.html").read_text() == "another build's brief"  # theirs: left alone


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_changed_id_takes_its_old_files_with_it(tmp_path, jobs):
    src, out = tmp_path / "reports", tmp_path / "out"
    src.mkdir()
    (src / "r.yaml").write_text(valid(1, "old-id"), encoding="utf-8")
    (src / "q.yaml").write_text(valid(2, "other"), encoding="utf-8")
    assert run("build", src, "-o", out, "--format", "html", "--jobs", jobs, "--quiet")[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["old-id.html", "other.html"]
    (src / "r.yaml").write_text(valid(1, "new-id"), encoding="utf-8")
    code, stdout, _ = run("build", src, "-o", out, "--format", "html", "--jobs", jobs, "--json", "--quiet")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["new-id.html", "other.html"]
    by_id = {r["id"]: r for r in json.loads(stdout)["reports"]}
    assert by_id["new-id"]["removed"] == [str(out / "old-id.html")]
    assert "removed" not in by_id["other"]


def test_an_old_file_someone_changed_or_another_input_claims_stays(tmp_path):
    src, out = tmp_path / "reports", tmp_path / "out"
    src.mkdir()
    (src / "r.yaml").write_text(valid(1, "first"), encoding="utf-8")
    (src / "s.yaml").write_text(valid(2, "second"), encoding="utf-8")
    assert run("build", src, "-o", out, "--format", "html", "--quiet")[0] == 0
    (out / "first.html").write_text("edited by hand")       # no longer the bytes r.yaml wrote
    (src / "r.yaml").write_text(valid(1, "renamed"), encoding="utf-8")
    (src / "s.yaml").write_text(valid(2, "third"), encoding="utf-8")
    (src / "t.yaml").write_text(valid(3, "second"), encoding="utf-8")   # now the owner of 'second'
    assert run("build", src, "-o", out, "--format", "html", "--quiet")[0] == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["first.html", "renamed.html", "second.html", "third.html"]
    assert (out / "first.html").read_text() == "edited by hand"


def test_the_manifest_names_the_theme_a_report_used(tmp_path):
    src = tmp_path / "reports"
    src.mkdir()
    (src / "r.yaml").write_text(valid(1, "themed"), encoding="utf-8")
    (src / "theme.yaml").write_text("briefkit-theme: 1\ncolors: {accent: '#224466'}\n", encoding="utf-8")
    code, stdout, _ = run("build", src, "-o", tmp_path / "out", "--format", "html", "--json", "--quiet")
    (rep,) = json.loads(stdout)["reports"]          # the theme beside the report is not a report
    assert (code, rep["id"], rep["theme"]) == (0, "themed", str(src / "theme.yaml"))
    (src / "theme.yaml").unlink()
    code, stdout, _ = run("build", src, "-o", tmp_path / "out", "--format", "html", "--json", "--quiet")
    assert "theme" not in json.loads(stdout)["reports"][0]


# ---- one report on two processes: the PDF beside the other formats ------------------------------------

def _two_cores() -> bool:
    return sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) >= 2


# A process forks its engine only while it has no other thread (briefkit.builder.can_fork_formats), and this
# test process may have some (libraries imported while collecting tests start native threads): each test
# below runs briefkit in a fresh process.
two_cores = pytest.mark.skipif(not _two_cores(), reason="needs Linux and two usable cores")


def _fresh(argv, tmp_path, **kwargs):
    """A briefkit process whose temporary files go to a folder of the test's own."""
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "TMPDIR": str(tmp)}
    return subprocess.Popen([sys.executable, "-m", "briefkit", *map(str, argv)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, **kwargs), tmp


@two_cores
def test_a_one_report_build_on_two_cores_writes_what_one_core_writes(tmp_path):
    src = tmp_path / "r.yaml"
    src.write_text(valid(1, "two"), encoding="utf-8")
    docs = {}
    for jobs in ("1", "2"):
        proc, _ = _fresh(["build", src, "-o", tmp_path / jobs, "--json", "--quiet", "--jobs", jobs, "--no-cache",
                          "--format", "html,pdf,docx"], tmp_path)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        docs[jobs] = json.loads(out)["reports"][0]
    files = {jobs: {p.name: p.read_bytes() for p in (tmp_path / jobs).iterdir()} for jobs in docs}
    assert sorted(files["2"]) == ["two.docx", "two.html", "two.pdf"]
    assert files["1"] == files["2"]
    strip = lambda outputs: [{k: v for k, v in o.items() if k != "path"} for o in outputs]  # noqa: E731
    assert strip(docs["1"]["outputs"]) == strip(docs["2"]["outputs"])
    assert docs["2"]["status"] == "built" and docs["2"]["peak_rss_mb"] > 0


@two_cores
@pytest.mark.parametrize("formats", ["pdf,docx", "docx,pdf"])
def test_a_format_failing_on_either_process_fails_the_report_and_writes_nothing(tmp_path, formats):
    # The seed runs to about eight pages: every writer refuses it under a budget of two, the PDF in the
    # forked engine, the DOCX here; whichever comes first in --format, the report fails with that message.
    out = tmp_path / "out"
    out.mkdir()
    (out / "turkey-russia-relations.docx").write_text("stale, from an earlier run")
    proc, _ = _fresh(["build", SEED, "-o", out, "--json", "--quiet", "--jobs", "2", "--format", formats,
                      "--max-pages", "2", "--no-cache"], tmp_path)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3
    (report,) = json.loads(stdout)["reports"]
    assert report["status"] == "failed" and report["outputs"] == []
    assert report["errors"][-1]["message"].startswith("the brief would run to about ")
    assert "over the budget of 2 pages" in stderr.decode()
    assert list(out.iterdir()) == []


ENGINE = r"""
import json, os, signal, sys
import briefkit
from briefkit.builder import _render_formats, _Side
from briefkit.options import DEFAULT
from briefkit.writers import render_counted

report = briefkit.load(sys.argv[1])
formats = ("html", "pdf", "docx")
alone = _render_formats(report, formats, DEFAULT, [])
answer = {}
engine = _Side.engine()
answer["engine"] = engine is not None and engine.formats == ("pdf",)
peaks = []
both = _render_formats(report, formats, DEFAULT, peaks, engine)
answer["reaped"] = engine.pid is None and len(peaks) == 1 and peaks[0] > 0
answer["order"] = list(both)
answer["same"] = {fmt: both[fmt] == alone[fmt] for fmt in formats}
# An engine that dies: the PDF, larger than a pipe holds, cannot have been handed back in full yet.
engine = _Side.engine()
answer["submitted"] = engine.submit(report, DEFAULT)
os.kill(engine.pid, signal.SIGKILL)
got = engine.collect(report, DEFAULT)
answer["dead_reaped"] = engine.pid is None
answer["dead_same"] = got == {"pdf": alone["pdf"]}
print(json.dumps(answer))
"""


@two_cores
def test_an_engine_typesets_the_pdf_it_is_handed_with_the_bytes_of_one_and_if_it_dies_this_process_does():
    done = subprocess.run([sys.executable, "-c", ENGINE, str(SEED)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer == {"engine": True, "reaped": True, "order": ["html", "pdf", "docx"],
                      "same": {"html": True, "pdf": True, "docx": True},
                      "submitted": True, "dead_reaped": True, "dead_same": True}


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@two_cores
@pytest.mark.parametrize("cached", [False, True])
def test_a_one_report_build_on_two_cores_leaves_no_process_and_no_temporary_file(tmp_path, cached):
    from test_signals import alive

    src = tmp_path / "r.yaml"
    src.write_text(valid(1, "alone"), encoding="utf-8")
    argv = ["build", src, "-o", tmp_path / "out", "--jobs", "2", "--json", "--quiet", "--cache", tmp_path / "cache"]
    runs = 2 if cached else 1
    for _ in range(runs):
        proc, tmp = _fresh(argv, tmp_path)
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
    (report,) = json.loads(stdout)["reports"]
    assert report["status"] == ("cached" if cached else "built")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["alone.docx", "alone.pdf"]
    assert list(tmp.iterdir()) == []  # WeasyPrint's font folder and the fontconfig file went with the engine
    left = subprocess.run(["pgrep", "-f", str(src)], capture_output=True, text=True).stdout.split()
    assert [p for p in left if alive(int(p))] == []


@two_cores
@pytest.mark.parametrize("sig,code", [("SIGINT", 130), ("SIGTERM", 143), ("SIGKILL", -9)])
def test_an_interrupted_one_report_build_leaves_no_file_and_no_process(tmp_path, sig, code):
    import signal

    from test_signals import alive, children, wait_for

    out = tmp_path / "out"
    proc, _ = _fresh(["build", SEED, "-o", out, "--jobs", "2", "--json", "--quiet", "--no-cache"], tmp_path)
    # the engine, forked at once, has imported WeasyPrint and is typesetting the PDF
    wait_for(lambda: children(proc.pid) or proc.poll() is not None, "the forked process")
    (engine,) = children(proc.pid)
    wait_for(lambda: _cpu_seconds(engine) > 0.7 or proc.poll() is not None, "the engine typesetting")
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(getattr(signal, sig))
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    wait_for(lambda: not alive(engine), "the engine to end")
    assert not out.exists() or list(out.iterdir()) == []
    if sig != "SIGKILL":
        doc = json.loads(stdout)
        assert doc["interrupted"] == sig and [r["status"] for r in doc["reports"]] == ["interrupted"]


def test_the_first_pass_html_offered_by_another_process_is_typeset_once_and_only_for_its_report(tmp_path):
    import copy
    import io

    from pypdf import PdfReader

    from briefkit.options import DEFAULT
    from briefkit.writers import pdf

    src = tmp_path / "r.yaml"
    src.write_text(valid(1, "offered"), encoding="utf-8")
    report = briefkit.load(src)

    def text(data: bytes) -> str:
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)

    first, html = pdf.first_html(report, DEFAULT)
    assert first == (False, None)  # a one-page brief has no contents
    marked = html.replace("</body>", "<p>MARKER</p></body>")
    pdf.offer_first_html(copy.copy(report), DEFAULT, first, marked)  # an equal report, not this one: ignored
    plain = pdf.render(report, DEFAULT)
    assert "MARKER" not in text(plain)
    pdf.offer_first_html(report, DEFAULT, first, marked)
    assert "MARKER" in text(pdf.render(report, DEFAULT))
    assert pdf.render(report, DEFAULT) == plain  # taken once
    pdf.offer_first_html(report, DEFAULT, first, html)
    assert pdf.render(report, DEFAULT) == plain  # what it would have rendered itself


def test_a_parallel_run_leaves_no_temporary_file(tmp_path):
    # WeasyPrint keeps each process's @font-face files in a temporary folder it removes only when its font
    # configuration is collected: workers, which leave by os._exit, remove it themselves.
    for n in (1, 2, 3):
        (tmp_path / f"r{n}.yaml").write_text(valid(n), encoding="utf-8")
    proc, tmp = _fresh(["build", *(tmp_path / f"r{n}.yaml" for n in (1, 2, 3)), "-o", tmp_path / "out",
                        "--jobs", "2", "--format", "pdf", "--quiet", "--no-cache"], tmp_path)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert len(list((tmp_path / "out").iterdir())) == 3
    assert list(tmp.iterdir()) == []
