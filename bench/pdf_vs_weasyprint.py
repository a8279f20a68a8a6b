"""PDF benchmark (not a test): briefkit's PDF path against raw WeasyPrint on the same HTML.

    /work/venv/bin/python bench/pdf_vs_weasyprint.py [--repeat N]

Prints a table:
- seed brief: briefkit ``render`` warm time (both passes when the TOC is needed), the one-pass
  ``render_html`` helper, and raw ``weasyprint.HTML(...).write_pdf()`` on the very same HTML in the
  same process (goal: briefkit ≤ 1.15× raw);
- per-page cost at about 1, 10 and 50 pages (reports generated in code);
- ``python -c "import briefkit.cli"``: whether it imports weasyprint, and its import time.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import briefkit  # noqa: E402
from briefkit.model import Para, Section, Text  # noqa: E402
from briefkit.resources import templates_dir  # noqa: E402
from briefkit.writers import html as html_writer  # noqa: E402
from briefkit.writers import pdf as pdf_writer  # noqa: E402

SEED = ROOT / "seeds" / "turkey-russia-relations.yaml"


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def sized_report(base, n_sections: int):
    """The seed with its sections repeated ``n_sections`` times (unique ids), no TOC pass change."""
    if n_sections == 0:
        return dataclasses.replace(base, sections=(), timeline=(), outlook=(), recommendations=(),
                                   takeaways=base.takeaways[:1], summary=(),
                                   areas=tuple(dataclasses.replace(a, sections=()) for a in base.areas[:1]),
                                   sources=())
    paras = [b for s in base.sections for b in s.body if isinstance(b, Para)]
    sections = tuple(Section(f"s{i}", f"{base.sections[i % len(base.sections)].heading} {i + 1}",
                             tuple(Para(tuple(n for n in p.inlines if isinstance(n, Text)))
                                   for p in paras[:3]))
                     for i in range(n_sections))
    areas = tuple(dataclasses.replace(a, sections=()) for a in base.areas)
    return dataclasses.replace(base, sections=sections, areas=areas, timeline=(), sources=(),
                               takeaways=(), summary=(), outlook=(), recommendations=())


def raw_weasyprint(html: str) -> bytes:
    """Plain WeasyPrint as a user would call it: same HTML, same base URL, default fetcher."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=templates_dir().as_uri() + "/").write_pdf()


def import_check() -> tuple[bool, float]:
    code = ("import sys, time; t = time.perf_counter(); import briefkit.cli; "
            "print('weasyprint' in sys.modules, time.perf_counter() - t)")
    runs = []
    loaded = None
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             cwd=ROOT).stdout.split()
        loaded = out[0] == "True"
        runs.append(float(out[1]))
    return loaded, statistics.median(runs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)

    seed = briefkit.load(SEED)
    briefkit.render_pdf(seed)  # warm: import, font configuration, first-render costs
    raw_weasyprint(html_writer.render_string(seed))

    rows = []
    t_full, data = timed(lambda: briefkit.render_pdf(seed), args.repeat)
    _, document = pdf_writer.render_document(seed)
    pages = len(document.pages)
    final_html = html_writer.render_string(seed, toc=pages >= pdf_writer.TOC_MIN_PAGES)
    t_one, _ = timed(lambda: pdf_writer.render_html(final_html, seed), args.repeat)
    t_raw, _ = timed(lambda: raw_weasyprint(final_html), args.repeat)
    rows.append(("seed brief, briefkit.render_pdf (warm, 2 passes)", pages, t_full, ""))
    rows.append(("seed brief, briefkit one pass (render_html helper)", pages, t_one,
                 f"{t_one / t_raw:.2f}x raw"))
    rows.append(("seed brief, raw WeasyPrint, same HTML", pages, t_raw, "1.00x"))

    per_page = []
    for n_sections in (0, 22, 125):   # about 1, 10 and 50 pages
        report = sized_report(seed, n_sections)
        html = html_writer.render_string(report)
        t_b, _ = timed(lambda: pdf_writer.render_html(html, report), max(1, args.repeat // 2))
        t_r, _ = timed(lambda: raw_weasyprint(html), max(1, args.repeat // 2))
        n = len(pdf_writer.layout(html, report).pages)
        per_page.append((n, t_b, t_r))
        rows.append((f"generated, {n} pages (briefkit one pass)", n, t_b,
                     f"{t_b / n * 1000:.0f} ms/page; {t_b / t_r:.2f}x raw"))

    loaded, t_import = import_check()

    print(f"{'case':58} {'pages':>5} {'seconds':>8}  note")
    print("-" * 100)
    for name, n, t, note in rows:
        print(f"{name:58} {n:>5} {t:>8.3f}  {note}")
    if len(per_page) >= 2:
        (n1, t1, _), (n2, t2, _) = per_page[0], per_page[-1]
        print(f"{'marginal cost per page (' + str(n1) + ' → ' + str(n2) + ' pages)':58} {'':>5} "
              f"{(t2 - t1) / (n2 - n1):>8.3f}")
    print(f"{'import briefkit.cli (briefkit validate path)':58} {'':>5} {t_import:>8.3f}  "
          f"weasyprint imported: {loaded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
