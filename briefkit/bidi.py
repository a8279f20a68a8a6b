"""Direction runs: which pieces of a line are isolated against the brief's direction, for both writers.

One routine decides, the HTML writer turns an isolated chunk into ``<bdi>`` and the DOCX writer into
LRI/RLI…PDI, so the PDF and the DOCX read in one order. In an RTL brief the isolated chunks are:

- Latin phrases (words joined by spaces, ``, `` ``: `` ``; `` and dashes) with what belongs to them: inner
  punctuation (S/PV.8816, S-400, U.S., OPEC+, C++, 642(I)/2023), numbers after a word (Resolution 2334), brackets and
  quotes opened inside the phrase ("Somalia (AUSSOM)", "(S/PV.8816) Security Council meeting");
- URLs and e-mail addresses, each one unit (scheme, host and path);
- amounts written with Latin letters: digits, their decimal marks and a currency sign before them ($1.2bn,
  €5m, 3D), and a number before a Latin unit of ``UNITS`` (100 MW, 3,400 TEU);
- numbers in European digits written with separators (2019-10-22, 2019–2020, 10:30, 1,000, 5+5): printed as
  typed. A ``%`` or sign next to a number is the brief's and stays outside, so ``45%`` and ``10-20%`` both
  read ``%`` on the brief's side, as the Unicode bidi algorithm places it for a plain number. Arabic-Indic
  digits are Arabic numbers to the algorithm (rule W2 applies even inside an isolate): left alone.

Sentence punctuation after a phrase (``.``, ``،``, ``:``) and ``«»`` belong to the brief. In an LTR brief
the isolated chunks are Arabic-script phrases. ``citation`` composes a source's items for both writers.
"""
from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_R = r"\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF"     # Hebrew, Arabic and their presentation forms
# Neutrals between two Arabic letters are Arabic (UAX #9 rule N1): «د. سلمى», «انتهى الأمر. بدأ».
_RTL_TOKEN = re.compile(rf"[{_R}](?:[{_R}\u064B-\u065F\u0670\u200C\u200D]|[ ،؛.:؟!]+(?=[{_R}]))*")
_RTL_LETTER = re.compile(f"[{_R}]")

LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"

_OPEN = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", '"': '"'}
_CLOSE = {v: k for k, v in _OPEN.items()}
_JOIN = set("-‐‑–—./:,+&_'’@#*\\°")  # between two letters or digits, inside a token (N°271 too)
_GAP_PUNCT = set(",:;")              # "Somalia: The", "Washington, D.C." (followed by a space)
_GAP_DASH = {"–", "—", "-", "&", "/"}  # "Russia – Ukraine", "Research & Policy" (spaced)
_ABBREV = {"Inc", "Ltd", "Co", "Corp", "Jr", "Sr", "St", "No", "al", "vs", "etc", "Dr", "Mr", "Mrs", "Ms"}
_INITIALISM = re.compile(r"(?:^|[^A-Za-z])(?:[A-Za-z]\.)+[A-Za-z]$")

# The host is Latin; the path may hold Arabic (…/2024/5/12/تقرير-خاص) and is part of the one unit up to a space.
_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)[^\s/\u0590-\u08FF«»]+(?:/[^\s«»]*)?"
                  r"|mailto:[^\s\u0590-\u08FF«»]+"
                  r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL_TRAIL = ".,;:!?،؛»”’'\""
# European digits only: Arabic-Indic and Persian ones read in the line's direction, as the bidi algorithm (W2)
# and every browser and word processor have them (fa.wikipedia's «(۱۲۸۱–۱۳۶۸)»: the first year on the right)
_DIGIT = "0-9"
_SEPARATED_NUMBER = re.compile(rf"(?<![{_DIGIT}])[{_DIGIT}]+(?:[\-‐‑–—./:,+][{_DIGIT}]+)+")
_PHONE_BODY = r"\+[0-9]{1,4}(?:[ \-][0-9]{1,5}){1,6}"
_PHONE = re.compile(rf"(?<![\w+]){_PHONE_BODY}(?![\w])")
"""An international phone number: its groups in the order typed (+971 4 123 4567), never reversed."""


_SUPERSCRIPT = re.compile(r"[\u00b2\u00b3\u00b9\u2070-\u207f]$")


def note_gap(before: str) -> str:
    """What sits between text and the footnote call after it: a narrow no-break space after a superscript
    («م³» then «²» read «م³²»), else nothing. Both writers ask here."""
    return "\u202f" if _SUPERSCRIPT.search(before) else ""


def has_rtl(text: str) -> bool:
    return bool(_RTL_LETTER.search(text))


FINAL_STOP = re.compile(r"[.!?…]+")
"""A block's closing punctuation: in a block with no letter of the brief's script (an English quote in
an Arabic brief) it is the block's own and closes its isolate («The EU stands ready.»), where after a
Latin phrase in an Arabic sentence it is the sentence's."""


def foreign_block(text: str, rtl: bool) -> bool:
    """Is a whole block (its plain text) in the other direction's script only?"""
    return (not has_rtl(text) and any(_strong_l(c) for c in text)) if rtl else False


def _strong_l(ch: str) -> bool:
    return unicodedata.bidirectional(ch) == "L"


def _digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _word_char(ch: str) -> bool:
    return _strong_l(ch) or _digit(ch)


_SYMBOL = re.compile(r"(?<![\w/])[A-Za-z0-9]+(?:[/.\-][A-Za-z0-9]+)*/[A-Za-z0-9]+(?:[/.\-][A-Za-z0-9]+)*(?![\w/])")
URL_SEGMENT_MAX = 28
"""A URL path segment with hyphens up to this long is never broken at its hyphens (longer ones may be, so a
long slug still fits a narrow column)."""
SYMBOL_MAX = 16
"""A document symbol with a slash up to this long (S/PV.8816, GOV/2023/8) is never broken across lines."""


NARROW_SEGMENT_MAX = 14
"""In a narrow table column only a URL segment up to this long stays whole (a longer one, and a host past its
first label, may break at a hyphen rather than run out of the column)."""


def host_spans(text: str, narrow: bool = False) -> list[tuple[int, int]]:
    """Spans a line must not break inside: each URL's scheme with its host when that is short
    ("https://nile-center.example.org"), else with its first label ("https://www", "mailto:desk"); short
    document symbols with a slash (S/PV.8816, GOV/2023/8), which UAX #14 would break after the slash; a
    number with its unit, a dashed range and a phone number. Only that much is glued, so a long URL or code
    in a narrow column (``narrow``: only the scheme and first label) still finds its usual break points."""
    out = []
    urls = url_spans(text)
    for s, e in urls:
        # a short host stays whole with its scheme: its only break, at a hyphen («https://nile-» |
        # «center.example.org»), would be copied by eye as the line's hyphen; a long one breaks as before
        longest = NARROW_SEGMENT_MAX if narrow else URL_SEGMENT_MAX
        m = (None if narrow else re.match(r"[a-z]+://[^/?#@\s]{1,%d}(?=[/?#]|$)" % longest, text[s:e],
                                          re.IGNORECASE)) \
            or re.match(r"(?:[a-z]+://|mailto:)[^/?#.\-@]*", text[s:e], re.IGNORECASE)
        if m:
            out.append((s, s + m.end()))
        # a short path segment with hyphens stays whole: a line broken at its hyphen («…-erdogan-» |
        # «cairo») reads as if the hyphen were the line's, not the address's; the slash before it breaks
        for seg in re.finditer(r"(?<=/)[^/?#\s]+/?", text[s:e]):
            # with its slash: a separate "/" between two glued spans was lost from the PDF's text layer
            short = "-" in seg.group(0) and len(seg.group(0)) <= longest and not narrow
            if short and s + seg.start() >= (out[-1][1] if out else 0):
                out.append((s + seg.start(), s + seg.end()))
    for m in _SYMBOL.finditer(text):
        if m.end() - m.start() <= SYMBOL_MAX and not any(s <= m.start() < e for s, e in urls):
            out.append(m.span())
    # a unit is kept only clear of the spans above: sorted by start, with the furthest end so far, one
    # bisect tells (a body of thousands of «1 MW» stays linear)
    taken = sorted(out + urls)
    starts = [s for s, _ in taken]
    reach = list(itertools.accumulate((e for _, e in taken), max))
    units = []
    for m in _unit_pattern().finditer(text):
        # only where a line could break (a space, an en or em dash): «2.5» and «2017-09-12» never do
        if m.end() - m.start() <= SYMBOL_MAX + 4 and re.search("[ –—‐]", m.group()):
            k = bisect.bisect_left(starts, m.end())     # the spans starting before this one ends
            if not (k and reach[k - 1] > m.start()):
                units.append(m.span())
    return sorted(out + units)


@lru_cache(maxsize=1)
def _unit_pattern() -> re.Pattern:
    """A number with its unit (500 kV, 1,000 MW, 1.5°C), a range or date (80–90, 2019-10-22) and a phone
    number: each read as one unit, so none is broken across lines («500» | «kV», «80–» | «90%»)."""
    units = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    return re.compile(rf"(?<![\w.,+\-])(?:{_PHONE_BODY}|[$€£¥]?[0-9][0-9.,]*(?: (?:{units})|°[A-Za-z]?)"
                      r"|[0-9]+(?:[\-‐‑–—./:,+][0-9]+)+)(?![\w])")


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where each URL and e-mail address of ``text`` lies, without the sentence's punctuation after it."""
    out = []
    for m in _URL.finditer(text):
        start, end = m.start(), m.end()
        while end > start:
            ch = text[end - 1]
            if ch in _URL_TRAIL:
                end -= 1
            elif ch in ")]}" and text[start:end].count(_CLOSE[ch]) < text[start:end].count(ch):
                end -= 1                       # "(see https://x.org)": the bracket is the sentence's
            else:
                break
        if end - start > 4:
            out.append((start, end))
    return out


def _starts_item(text: str, i: int) -> bool:
    """Can a phrase item start at ``i``: a letter or digit, or an opening bracket or quote before one."""
    if i >= len(text):
        return False
    if _word_char(text[i]):
        return True
    j = i
    while j < len(text) and text[j] in _OPEN:
        j += 1
    return j > i and j < len(text) and _word_char(text[j])


def _phrase_end(text: str, start: int, limit: int) -> int:
    """End of the Latin phrase starting at ``start`` (a strong-L letter or an opener before one)."""
    n = limit
    stack: list[str] = []
    i = start
    end = start            # last position the phrase may end at (exclusive)
    safe_end = start       # ``end`` when no bracket is left open
    while i < n:
        ch = text[i]
        if _word_char(ch):
            i += 1
            end = i
        elif ch in _CLOSE and stack and stack[-1] == _CLOSE[ch] and ch != '"' or (
                ch == '"' and stack and stack[-1] == '"'):
            stack.pop()
            i += 1
            end = i
        elif ch in _OPEN and _starts_item(text, i):
            stack.append(ch)
            i += 1
        elif ch in _GAP_PUNCT and i + 1 < n and text[i + 1] == " " and _starts_item(text, i + 2) and i > start:
            i += 2                             # "Somalia: The", "Smith, John"
            continue
        elif ch in _JOIN or ch == "+" or ch == "%":
            j = i
            while j < n and (text[j] in _JOIN or text[j] in "+%"):
                j += 1
            if j < n and _word_char(text[j]) and i > start and (_word_char(text[i - 1]) or text[i - 1] in _CLOSE):
                i = j                          # S-400, S/PV.8816, U.S.A, Erdoğan’s, 642(I)/2023
                continue
            run = text[i:j]
            signs = re.match(r"[+%]*", run).group()   # «OPEC+.», «OPEC+:»: the sign is the word's, the stop not
            if i > start and _word_char(text[i - 1]) and signs and (
                    "%" not in signs or _digit(text[i - 1])):
                i += len(signs)                # OPEC+, C++, "a 5% rise"
                end = i
                continue
            if run.startswith(".") and i > start:
                m = re.search(r"[\w.]+$", text[start:i])   # none after a bracket: "(S/PV.8816)."
                word = m.group(0) if m else ""
                if word in _ABBREV or _INITIALISM.search(word):
                    i += 1                     # U.S., Inc.
                    end = i
                    continue
            break
        elif ch == " " or ch in _GAP_PUNCT or ch in _GAP_DASH:
            j = i
            if text[j] in _GAP_PUNCT:
                j += 1
            if j < n and text[j] == " ":
                j += 1
                if j + 1 < n and text[j] in _GAP_DASH and text[j + 1] == " ":
                    j += 2
            if j > i and text[j - 1] == " " and _starts_item(text, j) and i > start:
                i = j
                continue
            break
        else:
            break
        if not stack:
            safe_end = end
    if stack:
        return safe_end
    return end


def _ltr_spans(text: str) -> list[tuple[int, int]]:
    urls = url_spans(text)
    for s, e in urls:      # a URL scans as one word: a phrase may hold it ("see https://…")
        text = text[:s] + "a" * (e - s) + text[e:]
    spans: list[tuple[int, int]] = []
    taken = [False] * (len(text) + 1)
    i = 0
    n = len(text)
    while i < n:
        if taken[i]:
            i += 1
            continue
        ch = text[i]
        begins = _strong_l(ch) or (ch in _OPEN and _starts_item(text, i) and _phrase_has_letter(text, i))
        if begins:
            end = _phrase_end(text, i, n)
            start = _amount_start(text, i, taken)
            if start == i and text[i:end] in UNITS:
                start = _amount_start(text, i, taken, spaced=True)
                if start == i and i > 1 and text[i - 1] == "/":     # a price per unit: $82/bbl
                    start = _amount_start(text, i - 1, taken)
                    start = i if start == i - 1 else start
            while end > i and text[end - 1] in _OPEN and text[end - 1] not in _CLOSE:
                end -= 1
            if end > i and any(_strong_l(c) for c in text[i:end]):
                spans.append((start, end))
                for k in range(start, end):
                    taken[k] = True
                i = end
                continue
        i += 1
    for m in [*_PHONE.finditer(text), *_SEPARATED_NUMBER.finditer(text)]:
        if not any(taken[k] for k in range(m.start(), m.end())) and \
                not (m.start() and _strong_l(text[m.start() - 1])):
            spans.append((m.start(), m.end()))
            for k in range(m.start(), m.end()):
                taken[k] = True
    return sorted(spans)


UNITS = frozenset("""km m cm mm kg g t kt Mt MW GW kW TW kWh MWh GWh TWh MWe GWe MWp GWp V kV MV Hz kHz MHz
                    GHz TEU bn mn bcm tcf bbl bpd mb/d b/d ha nm kn mph Mbps Gbps USD EUR GBP""".split())
"""Latin units a number before them belongs to ("100 MW", "170 km"): the two read as one left-to-right unit,
as "3,400 TEU" and "$1.2bn" do."""


def _amount_start(text: str, i: int, taken, spaced: bool = False) -> int:
    """Where the amount before the word at ``i`` starts: its digits (3D, 2nd, 2bn), their decimal or
    thousands marks (1.2bn) and a currency sign ($5bn); with ``spaced``, across one space (100 MW).
    ``i`` itself when there is none."""
    j = i
    if spaced:
        if j < 2 or text[j - 1] != " " or not _digit(text[j - 2]):
            return i
        j -= 1
    elif j > 1 and text[j - 1] == "°" and _digit(text[j - 2]):
        j -= 1                                 # 1.5°C, 31°N
    k = j
    while k > 0 and not taken[k - 1] and (_digit(text[k - 1]) or (
            text[k - 1] in ".," and k > 1 and _digit(text[k - 2]) and k < len(text) and _digit(text[k]))):
        k -= 1
    if k == j:
        return i
    if k > 0 and not taken[k - 1] and unicodedata.category(text[k - 1]) == "Sc":
        k -= 1                                 # $5bn, €2m
    if k > 0 and (_strong_l(text[k - 1]) or _digit(text[k - 1])):
        return i                               # part of something else
    return k


def _phrase_has_letter(text: str, i: int) -> bool:
    j = i
    while j < len(text) and text[j] in _OPEN:
        j += 1
    return j < len(text) and _strong_l(text[j])


_MARKS = frozenset("\u200e\u200f\u061c")
_NO_MARKS = dict.fromkeys(map(ord, _MARKS))


_RTL_GAP = re.compile(r"[ ]+(?:[A-Z][A-Z0-9+&.\-]{0,7}|[0-9][0-9.,:/\-–]{0,10}|[\u0660-\u0669\u06F0-\u06F9]+)"
                      r"(?:[ ]+(?:[A-Z][A-Z0-9+&.\-]{0,7}|[0-9][0-9.,:/\-–]{0,10}))?[ ]+")
"""What may sit between two words of one Arabic-script phrase in an English line: an acronym or a number
(«معاہدہ IWT سال 1960 میں»): the phrase stays one right-to-left unit around it."""


def _rtl_spans(text: str) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for m in _RTL_TOKEN.finditer(text):
        if spans and _RTL_GAP.fullmatch(text, spans[-1][1], m.start()):
            spans[-1][1] = m.end()
        else:
            spans.append([m.start(), m.end()])
    return [(a, b) for a, b in spans]


def runs(text: str, rtl: bool) -> list[tuple[str, bool]]:
    """Split ``text`` into ``(chunk, isolate)`` pairs; ``isolate`` marks a run against the base direction.

    Concatenating the chunks gives back ``text`` less its bidi marks: a mark pasted from Word (LRM before
    «(NATO)») would pull a space into the isolate and glue the bracket to the word before it, and the
    isolates do what the marks were there for.
    """
    text = text.translate(_NO_MARKS) if _MARKS & set(text) else text
    if rtl:
        spans = _ltr_spans(text)
    else:
        spans = _rtl_spans(text)
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


# ---- citations ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One piece of a composed citation: ``role`` is title, publisher, date, url or sep."""
    role: str
    text: str
    chunks: tuple[tuple[str, bool], ...]


def item_runs(text: str, rtl: bool) -> tuple[tuple[str, bool], ...]:
    """An item with no letter of the brief's script is one isolate (its brackets, dots and all)."""
    foreign = not has_rtl(text) if rtl else not any(_strong_l(c) for c in text)
    if foreign and (any(_strong_l(c) for c in text) if rtl else has_rtl(text)):
        return ((text, True),)
    return tuple(runs(text, rtl))


def citation(title: str, publisher: str | None, date: str | None, url: str | None, *, rtl: bool,
             sep: str) -> list[Item]:
    """A source as the brief writes it: items in the brief's direction, joined by its separator.

    Title, publisher, (already localized) date and URL, in that order; each item of the other
    script is one isolate, so a Latin entry in an Arabic brief reads item by item from the right.
    No closing full stop: the separator is the brief's, the end is the end of the entry.
    """
    out: list[Item] = []
    for role, text in (("title", title), ("publisher", publisher), ("date", date), ("url", url)):
        if not text:
            continue
        if out:
            out.append(Item("sep", sep, ((sep, False),)))
        chunks = ((text, True),) if role == "url" and rtl else item_runs(text, rtl)
        out.append(Item(role, text, chunks))
    return out
