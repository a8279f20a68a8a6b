"""Five PDF text extractors nobody on the project wrote, and the distinct-word measure the text-layer
tests and bench/extractors.py share."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

PDFJS_DIR = Path(__file__).resolve().parents[1] / "bench" / "pdfjs"

_DROP = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640"
                   "\u200B-\u200F\u2060\u061C\u202A-\u202E\u2066-\u2069\uFEFF\u00AD]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_PUNCT = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """What search engines do before matching: NFKC, no tashkeel, tatweel, bidi or zero-width marks,
    Arabic-Indic digits as ASCII, case folded."""
    text = unicodedata.normalize("NFKC", text)
    return _DROP.sub("", text).translate(_DIGITS).casefold()


def words(text: str) -> list[str]:
    """Normalised words: runs of letters, marks and digits (punctuation and white space separate)."""
    return [w for w in _PUNCT.split(normalise(text)) if w and not w.isspace() and w != "_"]


def distinct_words(texts) -> set[str]:
    return {w for t in texts for w in words(t)}


def report_words(report) -> set[str]:
    """The distinct words of the text the brief prints (the actors' aliases are not printed)."""
    texts = list(report.all_text())
    for alias in {alias for a in report.actors for alias in a.aliases}:
        texts.remove(alias)
    return distinct_words(texts)


def found_share(source: set[str], extracted: str) -> tuple[float, list[str]]:
    """(share of the source's distinct words that occur in the extracted text, the missing ones)."""
    got = set(words(extracted))
    missing = sorted(source - got)
    return (1 - len(missing) / len(source)) if source else 1.0, missing


def count(word: str, extracted: str) -> int:
    """Occurrences of ``word`` as a whole normalised word."""
    target = normalise(word)
    return sum(1 for w in words(extracted) if w == target)


# ---- the extractors: PDF bytes → text ---------------------------------------------------------------

def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, check=True,
                          capture_output=True).stdout.decode()


def pdfplumber(data: bytes, rtl: bool = True) -> str:
    import pdfplumber as plumber

    direction = "rtl" if rtl else "ltr"
    with plumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text(char_dir=direction, char_dir_render="ltr") or "" for p in pdf.pages)


def pypdfium2(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for page in doc:
            tp = page.get_textpage()
            out.append(tp.get_text_range())
            tp.close()
            page.close()
        return "\n".join(out)
    finally:
        doc.close()


def pymupdf(data: bytes) -> str:
    import pymupdf as fitz

    with fitz.open(stream=data, filetype="pdf") as doc:
        return "\n".join(page.get_text() for page in doc)


def pdfjs_many(paths: list[Path]) -> list[dict[str, str]]:
    """pdf.js (Firefox) text for each file, in one node process, as {"glued", "spaced"}. pdf.js gives
    text items, not lines: "glued" joins them as Firefox's find does (nothing between items), "spaced"
    with a space between items. ``pdfjs_text`` uses both, so that a word is found when it is whole in
    either (a word pdf.js cuts in two items; two table cells it glues together)."""
    out = subprocess.run(["node", str(PDFJS_DIR / "extract.mjs"), *map(str, paths)], check=True,
                         capture_output=True, cwd=PDFJS_DIR).stdout
    return json.loads(out)


def pdfjs_text(item: dict[str, str]) -> str:
    return item["glued"] + "\n" + item["spaced"]


def available() -> dict[str, bool]:
    """Which extractors this machine has."""
    def has(module):
        try:
            __import__(module)
            return True
        except ImportError:
            return False

    return {
        "pdftotext": shutil.which("pdftotext") is not None,
        "pdfplumber": has("pdfplumber"),
        "pypdfium2": has("pypdfium2"),
        "pymupdf": has("pymupdf"),
        "pdfjs": shutil.which("node") is not None and (PDFJS_DIR / "node_modules" / "pdfjs-dist").is_dir(),
    }


EXTRACTORS = {"pdftotext": pdftotext, "pdfplumber": pdfplumber, "pypdfium2": pypdfium2, "pymupdf": pymupdf}
