"""Builds: atomic outputs, no stale or partial files, exit codes, --json, shards, the API."""
from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time

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
    assert doc["totals"] == {"built": 1, "invalid": 2, "failed": 0, "reports": 3, "files": 1,
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


def test_unwritable_outdir_is_exit_3(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run("build", SEED, "-o", blocker / "out", "--format", "html")
    assert code == 3 and "cannot write to the output folder" in err


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


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM", "kill-worker"])
def test_interrupted_run_leaves_no_partial_file(tmp_path, how):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(12):
        (src / f"r{i:02d}.yaml").write_text(SEED.read_text(encoding="utf-8").replace(
            "id: turkey-russia-relations", f"id: r{i:02d}"), encoding="utf-8")
    out = tmp_path / "out"
    jobs = "2" if how == "kill-worker" else "1"
    proc = subprocess.Popen([sys.executable, "-m", "briefkit", "build", str(src), "-o", str(out),
                             "--format", "pdf", "--jobs", jobs, "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and not (out.exists() and any(out.glob("*.pdf"))):
        time.sleep(0.05)
    assert any(out.glob("*.pdf")), proc.communicate()
    if how == "kill-worker":
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert children
        for c in children:
            os.kill(int(c), signal.SIGKILL)
    else:
        proc.send_signal(getattr(signal, how))
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(".") or n.endswith(".part")], names
    from pypdf import PdfReader

    for p in out.glob("*.pdf"):
        assert len(PdfReader(p).pages) >= 1  # every file that exists is complete


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
    assert [(r["status"], r["id"]) for r in doc["reports"]] == [("built", "same"), ("invalid", None)]
    assert doc["reports"][1]["errors"][0]["message"].startswith(f"'same' is also the id of {tmp_path / 'a.yaml'}")
    assert "موجز 1" in (tmp_path / "o" / "same.html").read_text(encoding="utf-8")
