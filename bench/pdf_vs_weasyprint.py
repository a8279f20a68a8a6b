"""PDF benchmark (not a test): briefkit's PDF against the floor of any WeasyPrint pipeline.

    .venv/bin/python bench/pdf_vs_weasyprint.py [--repeat N] [--goals | --floor-only]

First the three goals of the faster PDF (``--goals``: only these):
- the seed's PDF per page against the floor below (goal <= 2x);
- the seed's PDF and DOCX together, warm, in one process (CPU, median; goal <= 0.5 s);
- a cold ``briefkit build --no-cache`` of the seed to PDF and DOCX, the whole process (goal <= 1.2 s): wall
  clock with the default ``--jobs`` (on two cores or more a forked copy of the process imports WeasyPrint and
  typesets the PDF while the process reads the report and renders the DOCX: the CPU time of the longest of the
  two is what the wall time is on idle cores, printed too) and CPU (user + system) with ``--jobs 1``, medians,
  beside the floor of any WeasyPrint pipeline in a fresh process: ``import weasyprint`` alone, and
  ``import weasyprint`` plus raw WeasyPrint typesetting the seed's final HTML (the PDF only). Every fresh
  process runs with Python's bytecode cache on (``PYTHONPYCACHEPREFIX``, a warm-up run first), as an installed
  package has it (pip compiles it), whatever ``PYTHONDONTWRITEBYTECODE`` says.
Then a table:
- seed brief: per-page cost of ``briefkit.render_pdf`` (every pass it makes) against the **floor**: raw
  WeasyPrint, in the same process, laying out the same words (``Report.all_text()``) as plain justified
  Amiri paragraphs (12.5pt, line-height 1.7, A4, the brief's margins), layout plus ``write_pdf``. Runs are
  interleaved and the medians of CPU time (``time.process_time``) compared, so a busy machine shifts both
  alike. Goal: ≤ 2× the floor per page;
- the one-pass ``render_html`` helper against raw ``weasyprint.HTML(...).write_pdf()`` on the very same HTML;
- per-page cost at about 1, 10 and 50 pages (reports generated in code);
- ``python -c "import briefkit.cli"``: whether it imports weasyprint, and its import time.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import time
from functools import lru_cache
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


def floor_html(report) -> str:
    """The report's words as plain justified Amiri paragraphs of 70 words: what any pipeline must typeset."""
    from html import escape

    from briefkit.resources import fonts_dir

    words = " ".join(report.all_text()).split()
    body = "".join(f"<p>{escape(' '.join(words[i:i + 70]))}</p>" for i in range(0, len(words), 70))
    amiri = (fonts_dir() / "Amiri-Regular.ttf").as_uri()
    css = (f'@font-face {{ font-family: Amiri; src: url("{amiri}"); }} '
           "@page { size: A4; margin: 24mm 21mm 22mm 21mm; } "
           "html { font-family: Amiri; font-size: 12.5pt; line-height: 1.7; } "
           "p { margin: 0 0 7pt; text-align: justify; }")
    direction = "rtl" if report.rtl else "ltr"
    return (f'<!DOCTYPE html><html lang="{report.meta.lang}" dir="{direction}"><head><meta charset="utf-8">'
            f"<style>{css}</style></head><body>{body}</body></html>")


@lru_cache(maxsize=1)
def _floor_fonts():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def floor_pdf(html: str):
    """Raw WeasyPrint on the floor document: (pdf bytes, pages)."""
    import weasyprint

    document = weasyprint.HTML(string=html).render(font_config=_floor_fonts())
    return document.write_pdf(), len(document.pages)


def against_floor(report, repeat: int) -> tuple[int, float, int, float]:
    """(brief pages, brief CPU s, floor pages, floor CPU s): medians of interleaved runs."""
    html = floor_html(report)
    _, floor_pages = floor_pdf(html)
    pages = len(pdf_writer.render_document(report)[1].pages)
    brief, floor = [], []
    for _ in range(repeat):
        t = time.process_time()
        briefkit.render_pdf(report)
        brief.append(time.process_time() - t)
        t = time.process_time()
        floor_pdf(html)
        floor.append(time.process_time() - t)
    return pages, statistics.median(brief), floor_pages, statistics.median(floor)


def warm_pdf_docx(report, repeat: int) -> tuple[float, float, float]:
    """(PDF, DOCX, both): medians of CPU seconds, interleaved, in this (warm) process."""
    pdf, docx, both = [], [], []
    for _ in range(repeat):
        t = time.process_time()
        briefkit.render_pdf(report)
        t1 = time.process_time()
        briefkit.render_docx(report)
        t2 = time.process_time()
        pdf.append(t1 - t)
        docx.append(t2 - t1)
        both.append(t2 - t)
    return statistics.median(pdf), statistics.median(docx), statistics.median(both)


def chart_picture(report, repeat: int) -> float:
    """CPU seconds of the DOCX's chart picture (its PNG and SVG, as the DOCX writer asks for them), median."""
    from briefkit import chart, house
    from briefkit.options import DEFAULT
    from briefkit.style import DEFAULT as SHIPPED

    theme = house.theme_for(report, DEFAULT) or SHIPPED
    colors, area = house.palette(theme)[1], chart.area_for(theme.text_mm)
    times = []
    for _ in range(repeat):
        t = time.process_time()
        chart.docx_parts(report, 1, colors=colors, area=area)
        times.append(time.process_time() - t)
    return statistics.median(times)


@lru_cache(maxsize=1)
def _fresh_env() -> dict:
    """The environment of a fresh process: this one's, with Python's bytecode cache on (in a folder of its own,
    as an installed package has its compiled modules) and briefkit importable from this checkout."""
    import atexit
    import shutil
    import tempfile

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="briefkit-bench-pyc-")
    atexit.register(shutil.rmtree, env["PYTHONPYCACHEPREFIX"], ignore_errors=True)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


SELF_CPU = """import resource, runpy, sys
sys.argv = ["briefkit", *sys.argv[1:]]
try:
    runpy.run_module("briefkit", run_name="__main__")
finally:
    own = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write(f"\\nSELF-CPU {own.ru_utime + own.ru_stime}\\n")
"""
"""``python -m briefkit ...`` that also tells its own CPU time (without its children's) on stderr."""


def _run_fresh(argv: list[str]) -> tuple[float, float, int, float]:
    """(CPU seconds of the process and its children, wall seconds, peak memory KB, CPU seconds of the
    longest process: the wall time on idle cores) of one fresh process."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=_fresh_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{err[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    own = float(err.rpartition("SELF-CPU ")[2]) if "SELF-CPU " in err else cpu
    return cpu, wall, usage.ru_maxrss, max(own, cpu - own)


def _median_runs(argvs: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float, int, float]]:
    """Each command once untimed (the bytecode cache), then ``repeat`` interleaved rounds: medians of CPU,
    wall and the longest process's CPU, the largest peak memory."""
    runs: dict[str, list] = {name: [] for name in argvs}
    for argv in argvs.values():
        _run_fresh(argv)
    for _ in range(repeat):
        for name, argv in argvs.items():
            runs[name].append(_run_fresh(argv))
    return {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs), max(r[2] for r in rs),
                   statistics.median(r[3] for r in rs))
            for name, rs in runs.items()}


RAW_COLD = """import sys
from briefkit._native import import_weasyprint
weasyprint = import_weasyprint()
if len(sys.argv) > 1:
    from pathlib import Path
    html = Path(sys.argv[1]).read_text(encoding="utf-8")
    weasyprint.HTML(string=html, base_url=Path(sys.argv[2]).as_uri() + "/").write_pdf()
"""
"""A fresh process: WeasyPrint imported the cheapest way (no helper processes), then, given an HTML file,
that HTML typeset with WeasyPrint's defaults (briefkit's fonts through its @font-face rules)."""


def cold_build(repeat: int) -> dict[str, tuple[float, float, int]]:
    """Fresh processes, interleaved: ``briefkit build --no-cache`` of the seed (PDF and DOCX) with the default
    jobs and with ``--jobs 1``, ``import weasyprint`` alone, and raw WeasyPrint on the seed's final HTML.
    Each → (CPU s, wall s, peak KB), medians."""
    import tempfile

    from briefkit.coverage import fontconfig_conf
    from briefkit.plan import contents_wanted

    seed = briefkit.load(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "seed.html"
        html.write_text(html_writer.render_string(seed, toc=contents_wanted(seed)), encoding="utf-8")
        conf = Path(tmp) / "fonts.conf"       # the fonts raw WeasyPrint may see: briefkit's, as in a build
        conf.write_text(fontconfig_conf(), encoding="utf-8")
        raw = [sys.executable, "-c", f"import os; os.environ['FONTCONFIG_FILE'] = {str(conf)!r}\n" + RAW_COLD]
        build = [sys.executable, "-c", SELF_CPU, "build", "--no-cache", "--quiet", "-o", str(Path(tmp) / "out"),
                 str(SEED)]
        return _median_runs({"build": build, "build1": [*build, "--jobs", "1"], "import": raw,
                             "raw": [*raw, str(html), str(templates_dir())]}, repeat)


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
    ap.add_argument("--floor-only", action="store_true", help="only the seed against the floor")
    ap.add_argument("--goals", action="store_true", help="only the three goals (floor, warm PDF+DOCX, cold build)")
    args = ap.parse_args(argv)

    seed = briefkit.load(SEED)
    briefkit.render_pdf(seed)  # warm: import, font configuration, first-render costs
    raw_weasyprint(html_writer.render_string(seed))

    floor_pdf(floor_html(seed))
    pages, t_brief, floor_pages, t_floor = against_floor(seed, max(3, args.repeat))
    ratio = (t_brief / pages) / (t_floor / floor_pages)

    rows = []
    rows.append((f"seed brief, briefkit.render_pdf (CPU; {t_brief / pages * 1000:.0f} ms/page)", pages, t_brief,
                 f"{ratio:.2f}x the floor per page (goal <= 2)"))
    rows.append((f"floor: same words, plain Amiri paragraphs ({t_floor / floor_pages * 1000:.0f} ms/page)",
                 floor_pages, t_floor, "1.00x"))
    if args.floor_only:
        for name, n, t, note in rows:
            print(f"{name:58} {n:>5} {t:>8.3f}  {note}")
        return 0
    briefkit.render_docx(seed)
    t_pdf, t_docx, t_both = warm_pdf_docx(seed, max(3, args.repeat))
    t_chart = chart_picture(seed, max(3, args.repeat))
    rows.append((f"seed PDF + DOCX, warm (CPU; PDF {t_pdf:.2f} + DOCX {t_docx:.3f})", pages, t_both,
                 f"goal <= 0.5 s; of the DOCX, the chart's picture {t_chart:.3f} s"))
    cold = cold_build(max(3, args.repeat // 2))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    rows.append((f"cold `briefkit build` of the seed, whole process (wall, {cores} cores)", pages, cold["build"][1],
                 f"goal <= 1.2 s; CPU {cold['build'][0]:.2f} s (longest process {cold['build'][3]:.2f} s), "
                 f"peak {cold['build'][2] // 1024} MB"))
    rows.append(("cold `briefkit build --jobs 1` of the seed (CPU)", pages, cold["build1"][0],
                 f"wall {cold['build1'][1]:.2f} s, peak {cold['build1'][2] // 1024} MB"))
    rows.append(("floor, fresh process: raw WeasyPrint, seed's HTML, PDF only (CPU)", pages, cold["raw"][0],
                 f"wall {cold['raw'][1]:.2f} s; no validation, no DOCX, no text layer"))
    rows.append(("floor, fresh process: `import weasyprint` alone (CPU)", 0, cold["import"][0],
                 f"wall {cold['import'][1]:.2f} s"))
    if args.goals:
        for name, n, t, note in rows:
            print(f"{name:58} {n:>5} {t:>8.3f}  {note}")
        return 0
    t_full, data = timed(lambda: briefkit.render_pdf(seed), args.repeat)
    _, document = pdf_writer.render_document(seed)
    pages = len(document.pages)
    from briefkit.plan import contents_wanted
    final_html = html_writer.render_string(seed, toc=contents_wanted(seed))
    t_one, _ = timed(lambda: pdf_writer.render_html(final_html, seed), args.repeat)
    t_raw, _ = timed(lambda: raw_weasyprint(final_html), args.repeat)
    rows.append(("seed brief, briefkit.render_pdf (warm, wall clock)", pages, t_full, ""))
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
