"""Pictures for the README: build the seed briefs' PDFs and write PNGs of their first pages.

    .venv/bin/python scripts/screenshots.py [--pages 3] [--dpi 70]

Writes docs/img/turkey-russia-relations-<n>.png (the Arabic flagship, pages 1..N) and
docs/img/india-china-relations-1.png (the English sample, page 1), rendered by pdftoppm from the
real output of ``briefkit.render_pdf``, and docs/img/turkey-russia-relations-docx-2.png: page 2 of
the flagship's DOCX as LibreOffice (headless) lays it out, when ``soffice`` is installed.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import briefkit  # noqa: E402

OUT = ROOT / "docs" / "img"
BRIEFS = (("turkey-russia-relations", None), ("india-china-relations", 1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=3, help="pages of the flagship brief (default 3)")
    ap.add_argument("--dpi", type=int, default=70)
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for stem, pages in BRIEFS:
            pdf = Path(tmp) / f"{stem}.pdf"
            pdf.write_bytes(briefkit.render_pdf(briefkit.load(ROOT / "seeds" / f"{stem}.yaml")))
            last = pages or args.pages
            subprocess.run(["pdftoppm", "-png", "-r", str(args.dpi), "-f", "1", "-l", str(last),
                            str(pdf), str(Path(tmp) / stem)], check=True)
            for i, png in enumerate(sorted(Path(tmp).glob(f"{stem}-*.png")), start=1):
                target = OUT / f"{stem}-{i}.png"
                target.write_bytes(png.read_bytes())
                print(target.relative_to(ROOT))
        if shutil.which("soffice"):
            _docx_page(Path(tmp), args.dpi, page=2)
        else:
            print("soffice not found: DOCX picture not made", file=sys.stderr)
    return 0


def _docx_page(tmp: Path, dpi: int, page: int) -> None:
    stem = "turkey-russia-relations"
    docx = tmp / f"{stem}.docx"
    docx.write_bytes(briefkit.render_docx(briefkit.load(ROOT / "seeds" / f"{stem}.yaml")))
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp / "lo"), str(docx)],
                   check=True, capture_output=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(tmp / "lo" / f"{stem}.pdf"), str(tmp / "docx-page")], check=True)
    target = OUT / f"{stem}-docx-{page}.png"
    target.write_bytes((tmp / "docx-page.png").read_bytes())
    print(target.relative_to(ROOT))


if __name__ == "__main__":
    sys.exit(main())
