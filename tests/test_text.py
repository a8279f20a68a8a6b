"""Direction runs, digits, dates and labels: the script helpers both writers share."""
from __future__ import annotations

import pytest

from briefkit import localize
from briefkit.bidi import runs
from briefkit.loader import loads
from briefkit.model import PartialDate
from briefkit.resources import ensure_covered, missing_codepoints
from briefkit.errors import RenderError

REPORT = """briefkit: 1
meta: {title: t, lang: %s, locale: %s, digits: %s}
actors: [{id: a, name: A}, {id: b, name: B}]
areas: [{id: x, title: X, region: R, relation: mixed}]
"""


def report(lang="ar", locale=None, digits="latin"):
    return loads(REPORT % (lang, locale or lang, digits), "r.yaml")


@pytest.mark.parametrize("text,isolated", [
    ("تعمل تركيا على تأمين الطريق الدولي “M4” بعمق 6 كيلومترات", ["“M4”"]),   # quotes go with it
    ("اتفاقية سوتشي في 2019-10-22 ومذكرة آذار 2020", ["2019-10-22"]),
    ("حلف North Atlantic Treaty Organization والناتو", ["North Atlantic Treaty Organization"]),
    ("منظومة S-400 بنسبة 45%", ["S-400"]),
    ("100 مليار دولار", []),
])
def test_rtl_runs_isolate_latin_and_separated_numbers(text, isolated):
    out = runs(text, rtl=True)
    assert "".join(chunk for chunk, _ in out) == text
    assert [chunk for chunk, iso in out if iso] == isolated


def test_ltr_runs_isolate_arabic():
    out = runs("The Sochi memorandum (مذكرة سوتشي) of 2019", rtl=False)
    assert [c for c, iso in out if iso] == ["مذكرة سوتشي"]


@pytest.mark.parametrize("lang,locale,digits,date,expected", [
    ("ar", "ar", "latin", PartialDate(2023, 7), "يوليو 2023"),
    ("ar", "ar-SY", "latin", PartialDate(2023, 7), "تموز 2023"),
    ("ar", "ar-SY", "native", PartialDate(2019, 10, 22), "٢٢\u00a0تشرين\u00a0الأول ٢٠١٩"),
    ("ar", "ar-EG", "latin", PartialDate(2020, 3, 5), "5\u00a0مارس 2020"),
    ("fa", "fa", "native", PartialDate(2023, 7), "ژوئیهٔ ۲۰۲۳"),
    ("en", "en", "latin", PartialDate(2024, 10, 21), "21\u00a0October 2024"),
    ("en", "en", "native", PartialDate(2024), "2024"),
])
def test_dates_follow_locale_and_digits(lang, locale, digits, date, expected):
    # no-break spaces tie the day to its month (and a two-word month together): a line ends only before the year
    assert localize.date(date, report(lang, locale, digits)) == expected


def test_labels_and_page_numbers_in_native_digits():
    ar = report("ar", digits="native")
    assert localize.label(ar, "page_of", page=3, pages=12) == "صفحة ٣ من ١٢"
    assert localize.counter_style(ar) == "arabic-indic"
    assert localize.counter_style(report("fa", digits="native")) == "persian"
    assert localize.counter_style(report("ar")) == "decimal"
    assert localize.label(report("en"), "relation_rivalry") == "Rivalry"
    assert localize.label(report("fa"), "relation_rivalry") == "رقابت"


def test_every_language_file_has_every_english_key():
    """Read from the files themselves (the loaded labels are merged with English and cannot lack a key)."""
    from ruamel.yaml import YAML

    folder = localize.templates_dir() / "labels"
    files = {p.stem: YAML(typ="safe").load(p.read_text(encoding="utf-8")) for p in folder.glob("*.yaml")}
    assert {"ar", "en", "fa"} <= set(files)
    for lang, data in files.items():
        assert set(data) == set(files["en"]), (lang, sorted(set(files["en"]) ^ set(data)))
        assert all(isinstance(v, str) and v for v in data.values()), lang


def test_font_coverage():
    assert missing_codepoints(["مرحبا Hello «» ٪ ۰۱ گ پ چ ژ ک ی – — … \u200c\u2066x\u2069"]) == []
    with pytest.raises(RenderError) as info:
        ensure_covered(["نص 漢 ok"])
    assert "U+6F22" in str(info.value)


def test_a_series_of_names_as_each_language_writes_it():
    # Arabic puts و before every item after the first (a blind editor: «بين مصر، تركيا والإمارات» read as
    # English style); Persian and English keep commas with «و» / "and" before the last
    from briefkit.localize import series

    names = {"ar": ["مصر", "تركيا", "الإمارات"], "fa": ["ایران", "ترکیه", "عربستان"], "en": ["Egypt", "Turkey", "the UAE"]}
    assert series(names["ar"], language="ar") == "مصر وتركيا والإمارات"
    assert series(names["fa"], language="fa") == "ایران، ترکیه و عربستان"
    assert series(names["en"], language="en") == "Egypt, Turkey and the UAE"
    assert series(names["ar"][:2], language="ar") == "مصر وتركيا"
    assert series(["مصر"], language="ar") == "مصر"
