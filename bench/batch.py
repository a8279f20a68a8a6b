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
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from corpus import make_report, write_corpus  # noqa: E402

BRIEFKIT = [sys.executable, "-m", "briefkit"]


def _yaml(data: dict) -> str:
    import io

    from ruamel.yaml import YAML

    buf = io.StringIO()
    y = YAML()
    y.width = 4096
    y.dump(data, buf)
    return buf.getvalue()


def run_build(inputs: list[str], out: Path, jobs: int, formats: str) -> tuple[float, dict]:
    started = time.perf_counter()
    proc = subprocess.run(BRIEFKIT + ["build", *inputs, "-o", str(out), "--jobs", str(jobs), "--format", formats,
                                      "--json", "--quiet", "--no-cache"], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"build failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--max-pages", type=int, default=30)
    ap.add_argument("--formats", default="pdf,docx")
    ap.add_argument("--pages-only", action="store_true", help="only the time-per-page table")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.pages_only:
            throughput(tmp, args)
        per_page(tmp)


def throughput(tmp: Path, args) -> None:
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
    print(f"\nspeed-up with 2 jobs: {rows[0][1] / rows[1][1]:.2f}× (goal ≥ 1.7×); "
          f"peak RSS per worker {rows[1][4]:.0f} MB (goal ≤ 150 MB)")


def per_page(tmp: Path) -> None:
    """Marginal cost in one warm process: imports and font loading are paid before timing."""
    from briefkit.loader import loads
    from briefkit.writers import docx as docx_writer, pdf as pdf_writer

    print("\n| pages asked | PDF pages | PDF s | s per PDF page | DOCX s |")
    print("|---:|---:|---:|---:|---:|")
    pdf_writer.render(loads(_yaml(make_report(2, seed=0)), tmp / "warm.yaml"))
    for pages in (1, 10, 50, 100):
        report = loads(_yaml(make_report(pages, seed=pages)), tmp / f"p{pages}.yaml")
        t0 = time.perf_counter()
        _, got = pdf_writer.render_counted(report)
        t1 = time.perf_counter()
        docx_writer.render(report)
        t2 = time.perf_counter()
        print(f"| {pages} | {got} | {t1 - t0:.2f} | {(t1 - t0) / got:.3f} | {t2 - t1:.2f} |")

if __name__ == "__main__":
    main()
