"""Splitting text into direction runs, so both writers isolate Latin inside Arabic (and Arabic inside English)."""
from __future__ import annotations

import re

_L = r"A-Za-z\u00C0-\u024F\u1E00-\u1EFF"          # Latin letters
_R = r"\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF"     # Hebrew, Arabic and their presentation forms
_JOIN = r"\-./:,+&_'’@#%"                          # separators that stay inside an LTR token

# An LTR token: Latin words and digits, possibly joined by separators or single spaces
# ("North Atlantic Treaty", "S-400", "2019-10-22", "M4"). Plain numbers without a separator are
# left alone: after Arabic they read correctly on their own (UAX #9 rule W2).
_LTR_TOKEN = re.compile(
    rf"[{_L}0-9](?:[{_L}0-9{_JOIN}]|[ ](?=[{_L}0-9]))*[{_L}0-9%]|[{_L}]"
)
_RTL_TOKEN = re.compile(rf"[{_R}](?:[{_R}\u064B-\u065F\u0670\u200C\u200D]|[ ،؛](?=[{_R}]))*")
_SEPARATED_NUMBER = re.compile(r"\d[\-./:,]\d")


def _is_ltr_token(tok: str) -> bool:
    return bool(re.search(f"[{_L}]", tok)) or bool(_SEPARATED_NUMBER.search(tok))


def has_rtl(text: str) -> bool:
    return bool(re.search(f"[{_R}]", text))


def runs(text: str, rtl: bool) -> list[tuple[str, bool]]:
    """Split ``text`` into ``(chunk, isolate)`` pairs; ``isolate`` marks a run against the base direction.

    In an RTL brief the isolated runs are Latin phrases and separated numbers (dates, ranges);
    in an LTR brief they are Arabic-script phrases. Concatenating the chunks gives back ``text``.
    """
    out: list[tuple[str, bool]] = []
    pos = 0
    pattern = _LTR_TOKEN if rtl else _RTL_TOKEN
    for m in pattern.finditer(text):
        tok = m.group(0)
        if rtl and not _is_ltr_token(tok):
            continue
        if m.start() > pos:
            out.append((text[pos:m.start()], False))
        out.append((tok, True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out
