"""Batch benchmark (not a test): briefs per second with --jobs 1 and 2, memory per worker, time per page.

Run: .venv/bin/python bench/batch.py [--count 200] [--formats pdf,docx]
All figures come from one run on this machine and are printed as a table.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_report, write_corpus, _dump  # noqa: E402

BRIEFKIT = [sys.executable, "-m", "briefkit"]


def run_build(inputs: list[str], out: Path, jobs: int, formats: str) -> tuple[float, dict]:
    started = time.perf_counter()
    proc = subprocess.run(BRIEFKIT + ["build", *inputs, "-o", str(out), "--jobs", str(jobs), "--format", formats,
                                      "--json", "--quiet"], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"build failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--max-pages", type=int, default=30)
    ap.add_argument("--formats", default="pdf,docx")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = write_corpus(tmp / "corpus", args.count, max_pages=args.max_pages)
        print(f"corpus: {len(corpus)} reports, 1–{args.max_pages} pages, formats {args.formats}, "
              f"{os.cpu_count()} cores")
        rows = []
        for jobs in (1, 2):
            wall, doc = run_build([str(tmp / "corpus")], tmp / f"out{jobs}", jobs, args.formats)
            pages = sum(o.get("pages") or 0 for r in doc["reports"] for o in r["outputs"])
            rss = max((r["peak_rss_mb"] or 0) for r in doc["reports"])
            rows.append((jobs, wall, len(corpus) / wall, pages, rss))
        print()
        print("| --jobs | wall s | briefs/s | PDF pages | peak RSS per process (MB) |")
        print("|---:|---:|---:|---:|---:|")
        for jobs, wall, rate, pages, rss in rows:
            print(f"| {jobs} | {wall:.1f} | {rate:.2f} | {pages} | {rss:.0f} |")
        print(f"\nspeed-up with 2 jobs: {rows[1][1] and rows[0][1] / rows[1][1]:.2f}× (goal ≥ 1.7×); "
              f"peak RSS per worker {rows[1][4]:.0f} MB (goal ≤ 150 MB)")

        print("\n| pages asked | PDF pages | seconds (pdf+docx, one process) | s per page |")
        print("|---:|---:|---:|---:|")
        for pages in (1, 10, 50, 100):
            path = tmp / f"p{pages}.yaml"
            _dump(make_report(pages, seed=pages), path)
            wall, doc = run_build([str(path)], tmp / "pages", 1, args.formats)
            got = sum(o.get("pages") or 0 for r in doc["reports"] for o in r["outputs"])
            secs = doc["reports"][0]["seconds"]
            print(f"| {pages} | {got} | {secs:.2f} | {secs / max(got, 1):.3f} |")


if __name__ == "__main__":
    main()
