"""Same bytes check (not a test): every sample report's PDF written to a folder, or compared with one.

    .venv/bin/python bench/pdf_same.py --out DIR              # write DIR/<name>.pdf for every sample
    .venv/bin/python bench/pdf_same.py --compare DIR [--png]   # render again, compare bytes with DIR
    .venv/bin/python bench/pdf_same.py --stock --out DIR      # ... without briefkit's quick paths through WeasyPrint

The samples are the seeds and every report under tests/ that loads (``extractors.sample_reports``), plus the
seed tagged (PDF/UA), as PDF/A-3b and with a theme. A speed change to the PDF path must leave every byte as
it was; ``--png`` also renders the pages of any PDF that differs at 60 dpi (pdftoppm) and says whether the
pictures differ.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


QUICK_PATHS = ("_line_splits_remembered", "_style_answers_remembered", "_quick_subset")
"""briefkit.writers.pdf's context managers that swap in its quicker paths through WeasyPrint."""


def samples():
    """(name, report, options) of every sample."""
    import briefkit
    from briefkit.options import Options
    from extractors import sample_reports

    out = []
    for path in sample_reports():
        name = str(path.relative_to(ROOT)).replace("/", "__")
        out.append((name, briefkit.load(path), None))
    seed = briefkit.load(ROOT / "seeds" / "turkey-russia-relations.yaml")
    out.append(("seed-ua", seed, Options(pdf_variant="ua")))
    out.append(("seed-a3b", seed, Options(pdf_variant="ua,a3b")))
    for theme in sorted((ROOT / "examples" / "themes").glob("*/theme.yaml")):
        out.append((f"seed-theme-{theme.parent.name}", seed, Options(theme=theme)))
    return out


def pages_as_png(pdf: bytes, folder: Path) -> list[bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "x.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(folder / "x.pdf"), str(folder / "p")], check=True)
    return [p.read_bytes() for p in sorted(folder.glob("p*.png"))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--compare", type=Path)
    ap.add_argument("--png", action="store_true")
    ap.add_argument("--stock", action="store_true",
                    help="WeasyPrint's own paths (the memos and the quick subsetting off)")
    args = ap.parse_args(argv)
    from briefkit.writers import pdf as pdf_writer

    if args.stock:
        import contextlib

        for name in QUICK_PATHS:
            setattr(pdf_writer, name, contextlib.nullcontext)

    different = 0
    for name, report, options in samples():
        try:
            data = pdf_writer.render(report, options)
        except Exception as exc:  # noqa: BLE001 - a sample that does not render is reported, not compared
            print(f"{name}: not rendered ({type(exc).__name__})")
            continue
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name}.pdf").write_bytes(data)
        if args.compare:
            old = args.compare / f"{name}.pdf"
            if not old.exists():
                print(f"{name}: no earlier PDF")
                continue
            if old.read_bytes() == data:
                continue
            different += 1
            note = ""
            if args.png:
                with tempfile.TemporaryDirectory() as tmp:
                    same = pages_as_png(old.read_bytes(), Path(tmp) / "a") == pages_as_png(data, Path(tmp) / "b")
                note = "; pages look the same at 60 dpi" if same else "; PAGES DIFFER"
            print(f"{name}: bytes differ{note}")
    if args.compare:
        print(f"{different} PDF(s) differ")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
