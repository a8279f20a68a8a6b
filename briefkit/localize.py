"""Fixed wording, digits, numbers and dates for the report's language and locale (shared by all writers)."""
from __future__ import annotations

import datetime as _dt
from functools import lru_cache

from .langs import CSS_COUNTER, NATIVE_ZERO
from .model import PartialDate, Report
from .resources import templates_dir

_DIGIT_MAP = {zero: str.maketrans("0123456789", "".join(chr(zero + i) for i in range(10)))
              for zero in set(NATIVE_ZERO.values())}


def native_zero(report: Report) -> int | None:
    """Code point of native zero when the report asks for native digits and its language has them."""
    if report.meta.digits != "native":
        return None
    return NATIVE_ZERO.get(report.language)


def digits(text: str, report: Report) -> str:
    """Write the ASCII digits of generated text (page numbers, counts, dates) in the report's digits."""
    zero = native_zero(report)
    return text.translate(_DIGIT_MAP[zero]) if zero else text


def counter_style(report: Report) -> str:
    """CSS counter style for generated numbers (page numbers, footnote calls, list markers)."""
    zero = native_zero(report)
    return CSS_COUNTER[zero] if zero else "decimal"


def number(n: int, report: Report) -> str:
    return digits(str(n), report)


def _babel_locale(tag: str) -> str:
    return tag.replace("-", "_")


def date(d: PartialDate | None, report: Report) -> str:
    """A date written for the locale: ``تموز 2023`` for ar-SY, ``يوليو 2023`` for ar, ``July 2023`` for en."""
    if d is None:
        return ""
    from babel.core import UnknownLocaleError
    from babel.dates import format_date

    loc = _babel_locale(report.meta.locale)
    if d.month is None:
        text = str(d.year)
    else:
        pattern = "d MMMM y" if d.day else "MMMM y"
        try:
            text = format_date(_dt.date(d.year, d.month, d.day or 1), pattern, locale=loc)
        except (UnknownLocaleError, ValueError):
            text = format_date(_dt.date(d.year, d.month, d.day or 1), pattern,
                               locale=_babel_locale(report.language))
    # Babel writes some locales in native digits: normalise, then apply the report's choice.
    text = text.translate({0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)})
    # A line may end before the year, never inside «22 تشرين الأول» (the patterns put the year last).
    head, space, year = text.rpartition(" ")
    text = head.replace(" ", "\u00a0") + space + year
    return digits(text, report)


@lru_cache(maxsize=None)
def _labels_for(language: str) -> dict[str, str]:
    from ruamel.yaml import YAML

    folder = templates_dir() / "labels"
    path = folder / f"{language}.yaml"
    if not path.is_file():
        path = folder / "en.yaml"
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    if language != "en":
        # Any label a language file lacks falls back to English rather than failing.
        base = dict(_labels_for("en"))
        base.update(data)
        data = base
    return data


def labels(report: Report) -> dict[str, str]:
    """Fixed wording in the report's language (``templates/labels/<lang>.yaml``; English fallback)."""
    return _labels_for(report.language)


def label(report: Report, key: str, **values) -> str:
    """One label with ``{name}`` placeholders filled (numbers in the report's digits)."""
    text = labels(report)[key]
    if values:
        text = text.format(**{k: digits(str(v), report) if isinstance(v, int) else v
                              for k, v in values.items()})
    return text


def series(names: list[str], report: Report | None = None, *, language: str | None = None) -> str:
    """Names joined as the language writes a series: «مصر وتركيا والإمارات», «ایران، ترکیه و عربستان»,
    "Egypt, Turkey and the UAE" (labels ``series_separator`` between items, ``and`` before the last)."""
    lab = _labels_for(language) if language else labels(report)
    if len(names) < 2:
        return "".join(names)
    return lab["series_separator"].join(names[:-1]) + lab["and"] + names[-1]


def generated_texts(report: Report) -> list[str]:
    """Every piece of text the writers add to the report's own (labels, dates, digits): what the fonts
    must cover and the DOCX's subset faces must hold."""
    lab = labels(report)
    out = [v for v in lab.values() if isinstance(v, str)]
    m = report.meta
    dates = [m.date, m.source.accessed if m.source else None]
    dates += [e.date for e in report.timeline] + [s.date for s in report.sources]
    out += [date(d, report) for d in dates if d]
    out.append(digits("0123456789", report))
    out.append(" › · • – — … \u00a0\u2003")    # separators, markers and spaces the writers draw
    return out
