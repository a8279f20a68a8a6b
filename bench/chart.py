"""What the balance chart costs per brief: each writer with the chart and without it
(``Options(chart=False)``, what ``--no-chart`` sets), and the bytes it adds. Prints medians of 3 runs
in CPU seconds (process time: other work on the machine does not inflate it).

    PYTHONPATH=. python bench/chart.py [REPORT...]
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import briefkit
from briefkit.options import Options
from briefkit.writers import render

SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.yaml"))
ON, OFF = Options(chart=True), Options(chart=False)


def median(fn, n=3) -> float:
    times = []
    for _ in range(n):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def main(paths) -> None:
    print(f"{'report':30} {'pdf':>6} {'+chart':>7} {'docx':>6} {'+chart':>7} {'pdf +KB':>8} {'docx +KB':>9}")
    for path in paths:
        report = briefkit.load(path)
        render(report, "docx", ON)      # warm: fonts read, faces mapped once per process
        cost = {(fmt, o.chart): median(lambda: render(report, fmt, o)) for fmt in ("pdf", "docx") for o in (OFF, ON)}
        size = {fmt: (len(render(report, fmt, ON)) - len(render(report, fmt, OFF))) / 1024 for fmt in ("pdf", "docx")}
        print(f"{Path(path).stem:30} {cost['pdf', False]:6.2f} {cost['pdf', True] - cost['pdf', False]:+7.2f} "
              f"{cost['docx', False]:6.2f} {cost['docx', True] - cost['docx', False]:+7.2f} "
              f"{size['pdf']:+8.0f} {size['docx']:+9.0f}")


if __name__ == "__main__":
    main(sys.argv[1:] or SEEDS)
