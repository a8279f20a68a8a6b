"""Interrupts and workers, by real signals: the manifest is written, exit 128 + signum, no partial file,
a dead worker fails only its report, no worker outlives its parent."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SEED


@pytest.fixture
def reports(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(8):
        (src / f"r{i:02d}.yaml").write_text(text.replace("id: turkey-russia-relations", f"id: r{i:02d}"),
                                           encoding="utf-8")
    return src


def start(src, out, jobs, *extra):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, "-m", "briefkit", "build", str(src), "-o", str(out), "--format",
                             "pdf", "--jobs", str(jobs), "--json", "--quiet", "--no-cache", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def wait_for(condition, what):
    deadline = time.monotonic() + 180  # a guard against a hang, not a speed requirement
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def children(pid):
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(c) for c in found]


def workers(pid):
    """The children that are render workers (spawn also starts multiprocessing's resource tracker)."""
    found = []
    for c in children(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes():
                found.append(c)
        except FileNotFoundError:
            pass
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\nState:\tZ" not in f.read()
    except FileNotFoundError:
        return False


def check_disk(doc, out):
    listed = set()
    for r in doc["reports"]:
        assert bool(r["outputs"]) == (r["status"] in ("built", "cached")), r
        for o in r["outputs"]:
            data = Path(o["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == o["sha256"]
            listed.add(Path(o["path"]).name)
    assert {p.name for p in out.iterdir()} == listed  # no partial, unlisted or stale file


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_and_the_manifest_is_still_written(reports, tmp_path, jobs, sig, code):
    out = tmp_path / "out"
    proc = start(reports, out, jobs)
    wait_for(lambda: out.exists() and any(out.glob("*.pdf")), "a first brief")
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=180)
    assert proc.returncode == code, stderr
    doc = json.loads(stdout)
    assert doc["exit_code"] == code and doc["interrupted"] == sig.name
    statuses = [r["status"] for r in doc["reports"]]
    assert "built" in statuses and "interrupted" in statuses, statuses
    assert set(statuses) <= {"built", "interrupted"}
    check_disk(doc, out)
    assert f"interrupted by {sig.name}" in stderr.decode()


def test_a_second_signal_exits_at_once(reports, tmp_path):
    out = tmp_path / "out"
    proc = start(reports, out, 2)
    wait_for(lambda: len(workers(proc.pid)) == 2, "two workers")
    proc.send_signal(signal.SIGTERM)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_dead_worker_fails_only_its_report(reports, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for i in range(8):
        (out / f"r{i:02d}.pdf").write_text("stale, from an earlier run")
    proc = start(reports, out, 2)
    wait_for(lambda: len(workers(proc.pid)) == 2, "two workers")
    time.sleep(1)  # let the workers take their first report
    os.kill(workers(proc.pid)[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=300)
    doc = json.loads(stdout)
    assert proc.returncode == 3 == doc["exit_code"]
    failed = [r for r in doc["reports"] if r["status"] == "failed"]
    assert len(failed) == 1, [r["status"] for r in doc["reports"]]
    assert failed[0]["errors"][-1]["message"] == "the worker rendering this report died (signal 9)"
    assert sum(r["status"] == "built" for r in doc["reports"]) == 7
    check_disk(doc, out)  # the failed report's stale file is gone too


def test_no_worker_outlives_its_parent(reports, tmp_path):
    proc = start(reports, tmp_path / "out", 2)
    wait_for(lambda: len(workers(proc.pid)) == 2, "two workers")
    helpers = children(proc.pid)  # the workers and multiprocessing's resource tracker
    proc.kill()
    proc.communicate(timeout=60)
    wait_for(lambda: not any(alive(h) for h in helpers), "the workers to die with their parent")
