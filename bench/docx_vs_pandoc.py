"""DOCX timing: briefkit's writer on the seed and on synthetic 10- and 50-page briefs, beside pandoc
converting the same text (as Markdown, dir=rtl) to DOCX when pandoc is installed.

    .venv/bin/python bench/docx_vs_pandoc.py [--repeat 5] [--pages]

Columns: briefkit in-process (median of warm renders, CPU time), of which the chart's picture (the same
render without the chart, subtracted), briefkit in a fresh process (import + load + render, what one CLI
call pays), pandoc (a fresh process per run), output sizes. Every time is CPU (user + system; a fresh
process's from the kernel's accounting of children), medians: the machine may be shared. ``--pages`` also converts each
DOCX with LibreOffice to report its page count.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This file is named docx.py: keep its folder off sys.path so `import docx` finds python-docx.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import briefkit  # noqa: E402
from briefkit.model import BulletList, Para, Quote, plain_text  # noqa: E402


def markdown(report) -> str:
    """The brief's text as Markdown for pandoc: the same headings, paragraphs, lists and tables."""
    out = [f"---\ntitle: \"{report.meta.title}\"\nlang: {report.meta.lang}\ndir: {report.meta.dir}\n---\n"]

    def para(inl):
        return plain_text(inl).replace("|", "/")

    out += ["# Takeaways\n"] + [f"- {para(t)}" for t in report.takeaways] + [""]
    out += ["# Summary\n"] + [para(p) + "\n" for p in report.summary]
    cols = ["area", "region", "relation", "intensity", *[a.name for a in report.actors]]
    out += ["# Areas\n", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for a in report.areas:
        cells = [a.title + " " + para(a.summary), a.region, a.relation, str(a.intensity or "")]
        cells += [para(a.position(x.id) or ()) for x in report.actors]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    for s in report.sections:
        out.append(f"## {s.heading}\n")
        for b in s.body:
            if isinstance(b, Para):
                out.append(para(b.inlines) + "\n")
            elif isinstance(b, Quote):
                out.append("> " + para(b.inlines) + "\n")
            elif isinstance(b, BulletList):
                out += [f"- {para(i)}" for i in b.items] + [""]
    out += ["# Outlook\n"] + [para(p) + "\n" for p in report.outlook]
    out += ["# Sources\n"] + [f"- {s.title}" for s in report.sources]
    return "\n".join(out)


def timed(fn, repeat: int, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeat):
        t = clock()
        fn()
        times.append(clock() - t)
    return statistics.median(times)


def children_cpu() -> float:
    """CPU seconds of this process's finished children (what a fresh process used)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def warm_cpu(report, repeat: int) -> tuple[float, float]:
    """(with the chart, without it): medians of CPU seconds of interleaved warm renders (the machine may be
    shared: CPU time, and both alike)."""
    from briefkit.options import Options
    from briefkit.writers import docx

    plain = Options(chart=False)
    docx.render(report, plain)
    full, bare = [], []
    for _ in range(repeat):
        t = time.process_time()
        docx.render(report)
        t1 = time.process_time()
        docx.render(report, plain)
        full.append(t1 - t)
        bare.append(time.process_time() - t1)
    return statistics.median(full), statistics.median(bare)


def lo_pages(docx: Path, folder: Path) -> int | None:
    soffice = shutil.which("soffice")
    if not soffice:
        return None
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), str(docx)], capture_output=True, check=True)
    info = subprocess.run(["pdfinfo", str(docx.with_suffix(".pdf"))], capture_output=True, text=True).stdout
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pages", action="store_true", help="count pages with LibreOffice")
    args = ap.parse_args()

    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    _dump, make_report = corpus._dump, corpus.make_report

    pandoc = shutil.which("pandoc")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = [("seed", ROOT / "seeds" / "turkey-russia-relations.yaml")]
        # The corpus is sized for PDF pages; the DOCX sets denser, so these sizes give about
        # 10 and 50 LibreOffice pages (run with --pages to see the measured count).
        for pages, nominal in ((10, 6), (50, 46)):
            path = folder / f"bench-{pages}p.yaml"
            _dump(make_report(nominal), path)
            inputs.append((f"~{pages} pages", path))
        for name, path in inputs:
            report = briefkit.load(path)
            briefkit.render_docx(report)                       # warm caches (fonts, imports)
            warm, no_chart = warm_cpu(report, args.repeat)
            data = briefkit.render_docx(report)
            out = folder / f"{path.stem}.docx"
            out.write_bytes(data)
            cmd = [sys.executable, "-c",  # run from ROOT's parent-free cwd so bench/ is not on the path
                   f"import briefkit; briefkit.render_docx(briefkit.load({str(path)!r}))"]
            cold = timed(lambda: subprocess.run(cmd, check=True), max(1, args.repeat // 2), children_cpu)
            row = {"brief": name, "warm": warm, "chart": warm - no_chart, "cold": cold, "bytes": len(data), "pandoc": None,
                   "pandoc_bytes": None, "pages": lo_pages(out, folder) if args.pages else None}
            if pandoc:
                md = folder / f"{path.stem}.md"
                md.write_text(markdown(report), encoding="utf-8")
                target = folder / f"{path.stem}.pandoc.docx"
                pcmd = [pandoc, str(md), "-f", "markdown", "-t", "docx", "-o", str(target)]
                row["pandoc"] = timed(lambda: subprocess.run(pcmd, check=True), args.repeat, children_cpu)
                row["pandoc_bytes"] = target.stat().st_size
            rows.append(row)

    head = f"{'brief':<10} {'pages':>5} {'briefkit warm':>14} {'of it chart':>11} {'briefkit cold':>14} {'pandoc':>8} " \
           f"{'cold/pandoc':>11} {'warm/pandoc':>11} {'docx KB':>8} {'pandoc KB':>9}"
    print(head)
    print("-" * len(head))
    for r in rows:
        pandoc_t = f"{r['pandoc']:.3f}s" if r["pandoc"] is not None else "n/a"
        pandoc_kb = f"{r['pandoc_bytes'] / 1024:.0f}" if r["pandoc_bytes"] else "n/a"
        # The ratio that matters: one fresh briefkit process against one fresh pandoc process.
        cold_ratio = f"{r['cold'] / r['pandoc']:.2f}x" if r["pandoc"] else "n/a"
        warm_ratio = f"{r['warm'] / r['pandoc']:.2f}x" if r["pandoc"] else "n/a"
        print(f"{r['brief']:<10} {r['pages'] or '':>5} {r['warm']:>13.3f}s {r['chart']:>10.3f}s {r['cold']:>13.3f}s "
              f"{pandoc_t:>8} "
              f"{cold_ratio:>11} {warm_ratio:>11} {r['bytes'] / 1024:>8.0f} {pandoc_kb:>9}")
    if not pandoc:
        print("(pandoc not installed: no comparison)")


if __name__ == "__main__":
    main()
