"""Word-recall measure shared by the PDF and DOCX tests: words as a multiset, tashkeel and bidi marks ignored."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

_STRIP = ".,،؛؟?!:;()[]\"«»'“”‘’-–—…/*"
_DROP = re.compile("[\u064B-\u0652\u0640\u200B-\u200F\u061C\u202A-\u202E\u2066-\u2069]")


def words(text: str) -> list[str]:
    """Tokens as the recall metric counts them: split on white space, punctuation stripped,
    tashkeel, tatweel and bidi controls removed, NFKC-normalised."""
    text = unicodedata.normalize("NFKC", _DROP.sub("", text))
    out = []
    for tok in text.split():
        tok = tok.strip(_STRIP)
        if tok:
            out.append(tok)
    return out


def recall(source: str | list[str], extracted: str) -> float:
    """Share of the source's words (as a multiset) found in the extracted text."""
    src = Counter(words(source if isinstance(source, str) else "\n".join(source)))
    got = Counter(words(extracted))
    total = sum(src.values())
    return sum(min(n, got[w]) for w, n in src.items()) / total if total else 1.0


def missing(source: str | list[str], extracted: str, limit: int = 40) -> list[str]:
    src = Counter(words(source if isinstance(source, str) else "\n".join(source)))
    got = Counter(words(extracted))
    return [w for w, n in (src - got).most_common(limit)]
