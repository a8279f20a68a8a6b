"""Prints the text-layer table: the share of each report's distinct words that five extractors nobody
on the project wrote (pdftotext, pdfplumber, pypdfium2, PyMuPDF, pdf.js) find in its PDF.

    PYTHONPATH=. .venv/bin/python bench/extractors.py [--variant ua|a3b] [--pdf-dir DIR] [--missing] [--marks] [REPORT ...]

Without REPORT: the seeds and every report under tests/ that renders. With --pdf-dir, PDFs already built
there (named <meta.id>.pdf) are read instead of rendering. pdf.js needs `npm ci` in bench/pdfjs.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import extractors as ex  # noqa: E402

GOALS = {"pdftotext": 99.5, "pdfplumber": 99.0, "pypdfium2": 100.0, "pymupdf": 100.0, "pdfjs": 99.5}
SEARCH_WORD = "العلاقات"
INVISIBLE = "\u200d\u200c\u200e\u200f"


def sample_reports() -> list[Path]:
    """The seeds and every report under tests/ that loads (the invalid and hostile inputs do not)."""
    import briefkit
    from briefkit.errors import ReportError

    out = []
    for path in [*sorted((ROOT / "seeds").glob("*.yaml")), *sorted((ROOT / "tests").rglob("*.yaml"))]:
        if "invalid" in path.parts:
            continue
        try:
            briefkit.load(path)
        except (ReportError, Exception):  # noqa: BLE001 - a sample that does not load is not a sample
            continue
        out.append(path)
    return out




def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", nargs="*", type=Path)
    ap.add_argument("--variant", choices=["ua", "a3b"], default=None)
    ap.add_argument("--pdf-dir", type=Path, default=None)
    ap.add_argument("--missing", action="store_true", help="list the words each extractor misses")
    ap.add_argument("--marks", action="store_true",
                    help="also count invisible characters per extractor (ZWJ, ZWNJ, LRM, RLM) against the report's")
    args = ap.parse_args(argv)

    import briefkit
    from briefkit.errors import RenderError
    from briefkit.options import Options
    from briefkit.writers import pdf as pdf_writer

    have = ex.available()
    names = [n for n in GOALS if have[n]]
    rows, counts = [], []
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for path in args.reports or sample_reports():
            report = briefkit.load(path)
            if args.pdf_dir:
                data = (args.pdf_dir / f"{report.meta.id}.pdf").read_bytes()
            else:
                try:
                    data = pdf_writer.render(report, Options(pdf_variant=args.variant))
                except RenderError as e:  # a sample that does not render is not a sample
                    print(f"(skipped {path.relative_to(ROOT)}: {e.message[:80]})", file=sys.stderr)
                    continue
            pdf_path = Path(tmp) / f"{len(jobs)}.pdf"
            pdf_path.write_bytes(data)
            jobs.append((path, report, data, pdf_path))
        js = ex.pdfjs_many([j[3] for j in jobs]) if "pdfjs" in names else []
        for k, (path, report, data, _) in enumerate(jobs):
            source = ex.report_words(report)
            texts = {}
            for name in names:
                if name == "pdfjs":
                    texts[name] = ex.pdfjs_text(js[k])
                elif name == "pdfplumber":
                    texts[name] = ex.pdfplumber(data, rtl=report.rtl)
                else:
                    texts[name] = ex.EXTRACTORS[name](data)
            shares = {n: ex.found_share(source, t) for n, t in texts.items()}
            if args.marks:
                in_report = "".join(report.all_text())
                counts.append((path.name, {n: [(js[k]["glued"] if n == "pdfjs" else t).count(c) for c in INVISIBLE]
                                           for n, t in texts.items()}, [in_report.count(c) for c in INVISIBLE]))
            rows.append((path.relative_to(ROOT) if path.is_relative_to(ROOT) else path, len(source), shares))
            if args.missing:
                for n, (_, miss) in shares.items():
                    if miss:
                        print(f"  {path.name} {n} misses: {' '.join(miss[:30])}", file=sys.stderr)
            if report.meta.id == "turkey-russia-relations":
                hits = {n: ex.count(SEARCH_WORD, js[k]["glued"] if n == "pdfjs" else t)
                        for n, t in texts.items()}
                print(f"«{SEARCH_WORD}» in {path.name}: " + ", ".join(f"{n} {c}" for n, c in hits.items()))

    head = f"| report | words | " + " | ".join(names) + " |"
    print(head)
    print("|" + "---|" * (len(names) + 2))
    worst = {n: 100.0 for n in names}
    for rel, n_words, shares in rows:
        cells = []
        for n in names:
            pct = 100 * shares[n][0]
            worst[n] = min(worst[n], pct)
            cells.append(f"{pct:.1f}")
        print(f"| {rel} | {n_words} | " + " | ".join(cells) + " |")
    print("| **lowest** (goal) | | " + " | ".join(f"{worst[n]:.1f} (≥ {GOALS[n]:g})" for n in names) + " |")
    if counts:
        print("\n| report | " + " | ".join(names) + " |   (U+200D ZWJ / U+200C ZWNJ / U+200E LRM / U+200F RLM)")
        print("|" + "---|" * (len(names) + 1))
        for name, per, own in counts:
            print(f"| {name} (report {'/'.join(map(str, own))}) | "
                  + " | ".join("/".join(map(str, per[n])) for n in names) + " |")
    return 0 if all(worst[n] >= GOALS[n] for n in names) else 1


if __name__ == "__main__":
    sys.exit(main())
