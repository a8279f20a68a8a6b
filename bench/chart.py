"""What the balance chart costs per brief: its own drawing (HTML for the PDF; PNG + SVG for the DOCX)
and the extra WeasyPrint time when its HTML is placed after the balance table. Prints medians of 3
runs in CPU seconds (process time: other work on the machine does not inflate it).

    PYTHONPATH=. python bench/chart.py [REPORT...]
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import briefkit
from briefkit import chart
from briefkit.writers import html as html_writer
from briefkit.writers import pdf as pdf_writer

SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.yaml"))


def median(fn, n=3) -> float:
    times = []
    for _ in range(n):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def with_chart(report) -> str:
    page = html_writer.render_string(report, toc=True)
    i = page.index("</table>", page.index('class="balance-table"')) + len("</table>")
    return page[:i] + chart.html(report) + page[i:]


def main(paths) -> None:
    print(f"{'report':34} {'html':>7} {'png+svg':>8} {'pdf':>7} {'pdf+chart':>9} {'delta':>7} {'png KB':>7} {'svg KB':>7}")
    for path in paths:
        report = briefkit.load(path)
        t_html = median(lambda: chart.html(report))
        t_docx = median(lambda: chart.docx_parts(report))
        plain, charted = html_writer.render_string(report, toc=True), with_chart(report)
        t_pdf = median(lambda: pdf_writer.render_html(plain, report))
        t_pdf_chart = median(lambda: pdf_writer.render_html(charted, report))
        parts = chart.docx_parts(report)
        print(f"{Path(path).stem:34} {t_html:7.3f} {t_docx:8.3f} {t_pdf:7.2f} {t_pdf_chart:9.2f} "
              f"{t_pdf_chart - t_pdf:+7.2f} {len(parts.png) / 1024:7.0f} {len(parts.svg) / 1024:7.0f}")


if __name__ == "__main__":
    main(sys.argv[1:] or SEEDS)
