"""Cache benchmark (not a test): a whole `briefkit build` of 1,000 briefs when all are cached, and when 10 changed.

Run: .venv/bin/python bench/cache.py [--count 1000] [--changed 10] [--jobs 2]

The 1,000 reports are the Persian seed with 1,000 ids. Rendering 1,000 briefs to fill the cache would take
about 15 minutes, so the bench renders one brief for real and stores its PDF and DOCX bytes (real sizes)
under each report's real key, computed by the builder's own code; the cache-hit path does not look at the
bytes beyond checking their hash, so this measures exactly what a rerun does. The changed reports are then
rendered for real, and the same changed reports built alone without the cache give "those 10".
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BRIEFKIT = [sys.executable, "-m", "briefkit"]
SEED = ROOT / "seeds" / "turkey-russia-relations-fa.yaml"


def build(src, out: Path, cache: Path | None, jobs: int) -> tuple[float, dict]:
    shutil.rmtree(out, ignore_errors=True)
    args = ["--no-cache"] if cache is None else ["--cache", str(cache)]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(BRIEFKIT + ["build", *map(str, src), "-o", str(out), "--jobs", str(jobs), "--json",
                                      "--quiet", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"build failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    doc["cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, doc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--changed", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from briefkit import builder
    from briefkit import cache as cache_mod
    from briefkit.options import Options

    work = Path(tempfile.mkdtemp(prefix="briefkit-bench-cache-"))
    src, cache_dir, out = work / "src", work / "cache", work / "out"
    src.mkdir()
    text = SEED.read_text(encoding="utf-8")
    paths = []
    for i in range(args.count):
        p = src / f"b{i:04d}.yaml"
        p.write_text(text.replace("id: turkey-russia-relations-fa", f"id: b{i:04d}"), encoding="utf-8")
        paths.append(p)

    t = time.perf_counter()
    _, doc = build([paths[0]], out, None, 1)
    blobs = {o["format"]: Path(o["path"]).read_bytes() for o in doc["reports"][0]["outputs"]}
    pages = {o["format"]: o.get("pages") for o in doc["reports"][0]["outputs"]}
    cache = cache_mod.Cache(cache_dir)
    inputs = builder.scan_inputs(paths, cache)  # loads every report once and remembers its id
    opts = cache_mod.options_text(Options(docx_fonts="subset"))
    for inp in inputs:
        key = builder._entry_key(inp, opts)
        for fmt, data in blobs.items():
            cache.put(key, fmt, data, hashlib.sha256(data).hexdigest(), pages[fmt])
    print(f"cache filled in {time.perf_counter() - t:.1f} s: {args.count} entries, "
          f"{sum(map(len, blobs.values())) / 1e3:.0f} KB per brief (PDF + subset DOCX)")

    def median(runs):
        return statistics.median(r[0] for r in runs)

    hits = [build([src], out, cache_dir, args.jobs) for _ in range(args.repeat)]
    assert hits[-1][1]["totals"]["cached"] == args.count, hits[-1][1]["totals"]
    cpu = statistics.median(h[1]["cpu_seconds"] for h in hits)
    load = os.getloadavg()[0]
    if not args.changed:
        print(f"\nall {args.count} cached, --jobs {args.jobs}: {median(hits):.2f} s wall, {cpu:.2f} s CPU "
              f"(whole process, median of {args.repeat}; load average {load:.1f} on {os.cpu_count()} cores)")
        shutil.rmtree(work, ignore_errors=True)
        return
    changed = paths[:: max(1, args.count // args.changed)][: args.changed]
    for p in changed:
        p.write_text(p.read_text(encoding="utf-8").replace("briefkit: 1", "briefkit: 1\n# edited"),
                     encoding="utf-8")
    wall_changed, doc = build([src], out, cache_dir, args.jobs)
    assert doc["totals"]["built"] == len(changed) and doc["totals"]["cached"] == args.count - len(changed)
    for p in changed:
        p.write_text(p.read_text(encoding="utf-8").replace("# edited", "# edited again"), encoding="utf-8")
    wall_alone, _ = build(changed, work / "alone", None, args.jobs)

    print(f"\n{args.count} briefs (PDF + DOCX), --jobs {args.jobs}, {os.cpu_count()} cores; whole process, "
          f"median of {args.repeat}")
    print("| run | wall |")
    print("|---|---:|")
    print(f"| all {args.count} cached | {median(hits):.2f} s ({cpu:.2f} s CPU; load average {load:.1f}) |")
    print(f"| {len(changed)} changed, {args.count - len(changed)} cached | {wall_changed:.2f} s |")
    print(f"| those {len(changed)} alone, no cache | {wall_alone:.2f} s |")
    print(f"| overhead of the {args.count - len(changed)} hits | {wall_changed - wall_alone:+.2f} s |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
