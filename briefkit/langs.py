"""The language table: direction, native digits, Word language ids and scripts, one row per language."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    """Primary subtag (``ar``, ``fa``)."""
    rtl: bool
    script: str
    """ISO 15924 code of the script the language is written in."""
    native_zero: int | None = None
    """Code point of the native zero (None: the language has no native digits briefkit writes)."""
    word_lang: str | None = None
    """Word's ``w:lang`` id for the language (``w:bidi`` slot for RTL languages)."""


LANGUAGES = {lang.code: lang for lang in (
    Language("ar", True, "Arab", 0x0660, "ar-SA"),
    Language("fa", True, "Arab", 0x06F0, "fa-IR"),
    Language("ur", True, "Arab", 0x06F0, "ur-PK"),
    Language("ps", True, "Arab", 0x06F0, "ps-AF"),
    Language("sd", True, "Arab", 0x0660, "sd-Arab-PK"),
    Language("ckb", True, "Arab", 0x0660, "ku-Arab-IQ"),
    Language("ku-arab", True, "Arab"),
    Language("ug", True, "Arab", None, "ug-CN"),
    Language("he", True, "Hebr", None, "he-IL"),
    Language("yi", True, "Hebr", None, "yi-001"),
    Language("dv", True, "Thaa", None, "dv-MV"),
    Language("en", False, "Latn", None, "en-US"),
)}

RTL_LANGUAGES = frozenset(code for code, lang in LANGUAGES.items() if lang.rtl)
NATIVE_ZERO = {code: lang.native_zero for code, lang in LANGUAGES.items() if lang.native_zero}
WORD_LANG = {code: lang.word_lang for code, lang in LANGUAGES.items() if lang.word_lang}

CSS_COUNTER = {0x0660: "arabic-indic", 0x06F0: "persian"}
"""CSS counter style per native zero."""

WORD_NUMBER_FORMAT = {None: "decimal", 0x0660: "hindiNumbers", 0x06F0: "hindiNumbers"}
"""Word ``w:numFmt`` per native zero. Word has no Extended Arabic-Indic (Persian) list format:
``hindiNumbers`` is the closest it offers (Arabic-Indic digits; ٤٥٦ are shaped differently from
Persian ۴۵۶). The digits in the text itself are the exact Persian code points."""
