"""Messages that teach: the usual cause and fix of a YAML/JSON syntax error, labels named back to enum values."""
from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache


def suggest(word, options) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``options``, or nothing."""
    match = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


_NATIVE_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def number_fix(text: str) -> str:
    """`` (write it in ASCII digits: 2)`` for a number typed in Arabic-Indic or Persian digits."""
    ascii_text = text.strip().translate(_NATIVE_DIGITS).replace("٫", ".")
    if ascii_text != text.strip() and re.fullmatch(r"-?\d+(?:\.\d+)?", ascii_text):
        return f" (write it in ASCII digits: {ascii_text})"
    if re.fullmatch(r"-?\d+(?:\.\d+)?", ascii_text):      # intensity: "4"
        return f" (remove the quotes: {ascii_text})"
    return ""


def date_fix(value) -> str:
    """`` (like '2024-09-15')`` for a date written another common way (native digits, day/month/year,
    year/month/day); both readings when day and month could be either; "" when none is a real date."""
    import datetime

    text = str(value).strip().translate(_NATIVE_DIGITS)

    def real(y, mo, d=None) -> str | None:
        try:
            datetime.date(int(y), int(mo), int(d or 1))
        except ValueError:
            return None
        return f"{int(y):04d}-{int(mo):02d}" + (f"-{int(d):02d}" if d else "")

    if text != str(value).strip() and re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", text):
        return f" (in ASCII digits: '{text}')"
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?", text)
    if m and real(*m.groups()):
        return f" (like '{real(*m.groups())}')"
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if m:
        a, b, y = m.groups()
        day_first, month_first = real(y, b, a), real(y, a, b)
        if day_first and month_first and day_first != month_first:
            return f" (like '{day_first}' if {a} is the day, '{month_first}' if it is the month)"
        if day_first or month_first:
            return f" (like '{day_first or month_first}')"
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{4})", text)
    if m and real(m.group(2), m.group(1)):
        return f" (like '{real(m.group(2), m.group(1))}')"
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})|(\d{4})-(\d{2})-(\d{2})[T ][\d:.]+Z?", text)
    if m:                                                   # 20240512, 2024-05-12T10:00:00
        fixed = real(*(g for g in m.groups() if g))
        return f" (like '{fixed}')" if fixed else ""
    m = re.fullmatch(r"(?:(\d{1,2})\s+)?(\S+)\s+(\d{4})", text)
    month = _MONTHS.get(m.group(2).lower().rstrip(".,")) if m else None
    if month and real(m.group(3), month, m.group(1)):       # May 2024, 12 مايو 2024
        return f" (like '{real(m.group(3), month, m.group(1))}')"
    return ""


_MONTHS = {name: n for n, names in enumerate((
    ("january", "jan", "يناير", "كانون الثاني"), ("february", "feb", "فبراير", "شباط"), ("march", "mar", "مارس", "آذار"),
    ("april", "apr", "أبريل", "ابريل", "إبريل", "نيسان"), ("may", "مايو", "أيار"), ("june", "jun", "يونيو", "حزيران"),
    ("july", "jul", "يوليو", "تموز"), ("august", "aug", "أغسطس", "آب"), ("september", "sep", "sept", "سبتمبر", "أيلول"),
    ("october", "oct", "أكتوبر", "تشرين الأول"), ("november", "nov", "نوفمبر", "تشرين الثاني"),
    ("december", "dec", "ديسمبر", "كانون الأول")), 1) for name in names if " " not in name}
"""Month names an editor types in a date (English, and the Egyptian and Levantine Arabic names)."""


_OPENS_QUOTE = re.compile(r"""^(\s*)(?:-\s+)*(?:[^\s:'"#][^:#]*:\s+)?(")""")


class _At:
    def __init__(self, line: int, column: int):
        self.line, self.column = line, column


_BLOCK_START = re.compile(r"[|>][0-9+-]*\s*(?:#.*)?$")


def _in_block_scalar(lines: list[str], n: int) -> bool:
    """Is line ``n`` text inside a ``|`` or ``>`` block (where a quote is just a character)?"""
    indent = len(lines[n]) - len(lines[n].lstrip())
    for k in range(n - 1, -1, -1):
        if not lines[k].strip():
            continue
        if len(lines[k]) - len(lines[k].lstrip()) < indent:
            return bool(_BLOCK_START.search(lines[k].rstrip()))
    return False


def unclosed_quote(text: str, error_line: int) -> tuple[_At, int] | None:
    """The double quote an editor left open before a syntax error at ``error_line`` (0-based): a value
    opened with '"' whose line has no closing quote and whose next line is indented no deeper than it (a
    real continuation line is indented more), so the text swallowed the lines after it. Returns (where the
    quote is, the line it ran to), or None."""
    lines = text.splitlines()
    for n in range(min(error_line, len(lines)) - 1, max(-1, error_line - 200), -1):
        m = _OPENS_QUOTE.match(lines[n])
        if not m:
            col = _flow_open_quote(lines[n])
            if col is not None and not _in_block_scalar(lines, n) and not _continues(lines, n):
                return _At(n, col), error_line          # {date: 2011, event: "text, area: x}
            continue
        rest = lines[n][m.end(2):].replace('\\\\', "").replace('\\"', "")
        if '"' in rest or _in_block_scalar(lines, n):
            continue                                     # closed on its own line, or text of a '|' block
        if not _continues(lines, n):
            return _At(n, m.start(2)), error_line
    return None


def _continues(lines: list[str], n: int) -> bool:
    """The next non-empty line is indented deeper than line ``n`` (a real continuation of its text), or there
    is none (nothing was swallowed)."""
    indent = len(lines[n]) - len(lines[n].lstrip())
    nxt = next((k for k in range(n + 1, len(lines)) if lines[k].strip()), None)
    return nxt is None or len(lines[nxt]) - len(lines[nxt].lstrip()) > indent


def _flow_open_quote(line: str) -> int | None:
    """In a line of a ``{ }`` or ``[ ]`` collection, the column of a double quote that opens a value and is
    still open at the end of the line; None when every quote there closes (or there is no collection)."""
    start = re.match(r"\s*(?:-\s+)*", line).end()
    if not line[start:].startswith(("{", "[")):
        return None
    opened, k = None, start
    while k < len(line):
        ch = line[k]
        if opened is None:
            if ch == "#" and line[k - 1] == " ":
                return None                                  # a comment: the rest is not YAML
            if ch == '"' and line[:k].rstrip()[-1:] in ("{", "[", ",", ":"):
                opened = k
        elif ch == "\\":
            k += 1
        elif ch == '"':
            opened = None
        k += 1
    return opened


def syntax_hint(e, text: str):
    """Where a YAML syntax error really is, and the usual cause and fix of it (editors' mistakes).
    Returns (mark, hint, what) where ``what``, when not None, replaces the parser's own words."""
    problem, context = e.problem or "", e.context or ""
    mark = e.problem_mark or e.context_mark
    if mark is not None and not context.startswith("while scanning a quoted scalar"):
        found = unclosed_quote(text, mark.line)
        if found:
            at, ran_to = found
            return at, (f"; add the closing quote at the end of this line (a quote inside the text is written "
                        f'\\" between double quotes)'), (f"this quote is not closed on its line: the text runs "
                                                          f"on to line {ran_to + 1}, where the parser gave up")
    hint_mark, hint = _hint(e, text, problem, context, mark)
    return hint_mark, hint, None


def _indent_above(text: str, line_no: int) -> int:
    """The indentation of the nearest non-blank line above ``line_no`` (0-based)."""
    lines = text.splitlines()
    for k in range(min(line_no, len(lines)) - 1, -1, -1):
        if lines[k].strip():
            return len(lines[k]) - len(lines[k].lstrip())
    return 0


_TYPOGRAPHIC_QUOTES = "“”„‟«»‘’‚‹›"


def _hint(e, text: str, problem: str, context: str, mark):
    line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    value = re.sub(r"^\s*(?:-\s+)*(?:[^\s:'\"]+:\s+)?", "", line)
    if "'\\t'" in problem or "'\t'" in problem:
        if mark is not None and line[:mark.column].strip():
            # after text on its line: a tab pasted inside a value, not indentation
            return mark, "; a tab inside unquoted text: replace it with a space, or put the whole text in quotes"
        return mark, "; indent with spaces, not tabs (replace the tab at this place with spaces)"
    if value and value[0] in _TYPOGRAPHIC_QUOTES:
        # Word's autocorrect turns " into “ ”: the editor believes the text is quoted
        shown = value.strip().replace("\\", "\\\\").replace('"', '\\"')
        shown = shown if len(shown) <= 40 else shown[:24] + "…" + shown[-12:]
        return mark, (f"; {value[0]} is a typographic quote, not YAML's: put the whole text between straight "
                      f'double quotes, like "{shown}" (the typographic ones may stay inside)')
    if context.startswith("while scanning a quoted scalar"):
        return e.context_mark, ("; this quote is never closed: add the closing quote (a quote inside the text is "
                                "written \\\" between double quotes, or '' between single quotes)")
    if context.startswith("while scanning a simple key"):
        return e.context_mark, ("; this line is not 'key: value': add the missing ': ' (with a space after the "
                                "colon), put the text in quotes, or indent it under its key")
    if problem.startswith("mapping values are not allowed"):
        return mark, ("; text containing ': ' must be put in quotes (title: \"Turkey: a rival\"), or this "
                      "line is indented deeper than its siblings")
    if "undefined alias" in problem or context.startswith(("while scanning an alias", "while scanning an anchor")):
        return mark, "; text starting with '*' or '&' must be put in quotes (\"*NATO* said\")"
    m = re.search(r"found character '(.)' that cannot start any token", problem)
    if m:
        return mark, f"; text starting with '{m.group(1)}' must be put in quotes"
    if context.startswith(("while parsing a flow mapping", "while parsing a flow sequence")):
        opener = "{" if "mapping" in context else "["
        gap = re.search(r"[ \t]*$", line[:mark.column]) if mark is not None else None
        if gap and "\t" in gap.group() and line[:gap.start()].strip():
            # «name: وحدة<TAB>الرصد» pasted from a Word table: in { } the tab split the text in two
            return (_At(mark.line, gap.start() + gap.group().index("\t")),
                    "; a tab inside unquoted text: replace it with a space, or put the whole text in quotes")
        if "<stream end>" not in problem:
            return mark, (f"; inside {opener} {'}' if opener == '{' else ']'} text containing ',', '[', ']', '{{', "
                          "'}' or ': ' must be put in quotes (a footnote [^id] too)")
        return e.context_mark or mark, (f"; the '{opener}' opened here is not closed, or text starting with "
                                        f"'{opener}' (a link?) must be put in quotes")
    if context.startswith("while scanning a block scalar"):
        if line.lstrip().startswith("|") and line.count("|") >= 2 and mark.line and \
                len(line) - len(line.lstrip()) < _indent_above(text, mark.line):
            # «| أ | ب |» pasted at the margin ended the block above it: YAML read its '|' as a new one
            return _At(mark.line, len(line) - len(line.lstrip())), (
                "; this line, less indented than the text above it, ends that text: indent it like the rest "
                "(a pasted table row? a Markdown table is not supported: write its rows as a list)")
        return mark, "; after '|' or '>' the text starts on the next line, indented"
    if "expected <block end>" in problem:
        if value.startswith(("[", "{")):
            return mark, f"; text starting with '{value[0]}' (a link?) must be put in quotes"
        if value.startswith(('"', "'")):
            return mark, "; text goes on after the closing quote: put the whole text in quotes"
        if re.match(r"\s*-[^\s-]", line):
            return mark, "; a list item needs a space after its '-' ('- {id: ...}')"
        if "'-'" in problem:
            return mark, "; a list item ('- ') where a key was expected: check this line's indentation"
        return mark, "; this line is indented differently from the lines around it: align it with its siblings"
    return mark, ""


def json_hint(msg: str) -> str:
    if msg.startswith("Expecting property name"):
        return " (JSON keys need double quotes, and no comma may follow the last item)"
    if msg.startswith("Expecting ',' delimiter"):
        return " (a comma is missing between two items, or a quote inside text is not escaped as \\\")"
    if msg.startswith("Expecting value"):
        return " (a value is missing, or a comma follows the last item)"
    if msg.startswith("Unterminated string"):
        return " (this text's closing double quote is missing)"
    return ""


@lru_cache(maxsize=1)
def _localized_values() -> dict[str, tuple[str, str]]:
    """Every label an enum value has in templates/labels/*.yaml (casefolded) → (value, language name)."""
    from ruamel.yaml import YAML

    from .resources import templates_dir

    out: dict[str, tuple[str, str]] = {}
    for f in sorted((templates_dir() / "labels").glob("*.yaml")):
        labels = YAML(typ="safe").load(f.read_text(encoding="utf-8")) or {}
        for key, label in labels.items():
            if str(key).startswith("relation_") and isinstance(label, str):
                out.setdefault(_fold(label), (key.removeprefix("relation_"), _language_name(f.stem)))
    return out


def _language_name(code: str) -> str:
    from babel import Locale

    try:
        return Locale.parse(code).get_display_name("en")
    except (ValueError, LookupError):
        return code


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def enum_hint(value, options) -> str:
    """Name the canonical value for a label (تعاون, رقابت, Rivalry) or a case slip; "" when neither."""
    if isinstance(value, str):
        folded = _fold(value)
        for o in options:
            if folded == _fold(str(o)):
                return f" (write '{o}', in lowercase)"
        hit = _localized_values().get(folded)
        if hit and hit[0] in options:
            return f" (write '{hit[0]}': '{value}' is its {hit[1]} label)"
        meant = _value_words().get(folded)
        if meant in options:
            return f" (write '{meant}': briefkit's word for '{value}')"
    return ""


@lru_cache(maxsize=1)
def _value_words() -> dict[str, str]:
    """What editors write for a fixed-list value (templates/value-words.yaml, casefolded) → the value."""
    from ruamel.yaml import YAML

    from .resources import templates_dir

    data = YAML(typ="safe").load((templates_dir() / "value-words.yaml").read_text(encoding="utf-8")) or {}
    return {_fold(str(word)): value for value, words in data.items() for word in words}


def valid_ids(ids: list[str]) -> str:
    ids = list(dict.fromkeys(ids))           # a duplicated id (reported on its own) is listed once
    if not ids:
        return " (there are none)"
    shown = ", ".join(ids[:10])
    return f"; valid ids: {shown}" + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
