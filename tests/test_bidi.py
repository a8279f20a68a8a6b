"""One reading order: tests/fixtures/bidi.txt read back from the PDF and from the DOCX (LibreOffice render).

All cases go into one brief, rendered once as PDF (WeasyPrint) and once as DOCX converted to PDF by
LibreOffice; each rendered line is read as words ordered by glyph x-position (pdfplumber), Arabic
letter runs put back in their spelling, and each mirrored bracket named by the shape actually drawn
(its ink, read from a pdftoppm image of the page). A case passes only when both readings match.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

import briefkit
from briefkit import bidi
from briefkit.loader import loads
from briefkit.writers import docx as docx_writer
from briefkit.writers import pdf as pdf_writer

FIXTURES = Path(__file__).parent / "fixtures" / "bidi.txt"
DPI = 120
LONG_URL_HOST = "www.institute-for-black-sea-security-studies.org"
CELL_URL = "https://www.crisisgroup.org/africa/horn-africa/somalia"   # in a narrow table cell
LONG_URL = f"https://{LONG_URL_HOST}/publications/2024/reports/" + "/".join(["regional-security-outlook"] * 5)

_ARABIC_LETTER = re.compile("[\u0620-\u065F\u0670-\u06D5\u06FA-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")
NO_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))
_CONTROLS = set("\u200E\u200F\u061C\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u2060\uFEFF")
_FILLER = "\u200D"  # the PDF's text for a drawn glyph whose letters another glyph carries: a glyph, no text
_PAIRS = {"(": ")", "[": "]", "{": "}", "«": "»", "‹": "›", "<": ">"}
_MIRRORED = {**_PAIRS, **{v: k for k, v in _PAIRS.items()}}


# ---- the fixture file -------------------------------------------------------------------------------

def read_fixtures(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").split("\n")
    out, i = [], 0
    while i < len(lines):
        if not lines[i].strip() or lines[i].startswith("#"):
            i += 1
            continue
        title = lines[i]
        assert lines[i + 1] == ".", f"line {i + 2}: expected '.'"
        j = i + 2
        body = []
        while lines[j] != ".":
            body.append(lines[j])
            j += 1
        k = j + 1
        expected = []
        while lines[k] != ".":
            expected.append(lines[k])
            k += 1
        out.append({"line": i + 1, "title": title, "input": "\n".join(body),
                    "expected": " ".join(expected).split()})
        i = k + 1
    return out


CASES = read_fixtures(FIXTURES)


def _kind(case: dict) -> tuple[bool, bool, str]:
    """(ltr brief, source entry, text) of a case's input."""
    text = case["input"]
    ltr = text.startswith("ltr ")
    text = text[4:] if ltr else text
    source = text.startswith("source:")
    return ltr, source, text[len("source:"):] if source else text


def _report_dict(cases: list[dict], ltr: bool = False) -> dict:
    mine = [_kind(c) for c in cases if _kind(c)[0] == ltr]
    paras = [text for _, source, text in mine if not source]
    if not ltr:
        paras.append(f"نشر التقرير الكامل على الموقع {LONG_URL} للاطلاع")
    sources = []
    for n, (_, _, text) in enumerate(k for k in mine if k[1]):
        title, publisher, date, url = (f.strip() for f in text.split("|"))
        src = {"id": f"src-{n}", "title": title}
        src.update({k: v for k, v in (("publisher", publisher), ("date", date), ("url", url)) if v})
        sources.append(src)
    if ltr:
        return {"briefkit": 1, "meta": {"title": "Reading order test", "lang": "en"},
                "actors": [{"id": "a", "name": "Egypt"}, {"id": "b", "name": "Sudan"}],
                "areas": [{"id": "nile", "title": "Nile water", "region": "Nile basin", "relation": "mixed"}],
                "sections": [{"id": "cases", "heading": "Cases", "body": paras}], "sources": sources}
    return {
        "briefkit": 1,
        "meta": {"title": "اختبار اتجاه النص"},
        "actors": [{"id": "a", "name": "مصر"}, {"id": "b", "name": "السودان"}],
        "areas": [{"id": "nile", "title": "مياه النيل", "region": "حوض النيل", "relation": "mixed",
                   "positions": {"a": f"انظر {CELL_URL} للتفاصيل", "b": "موقف"}}],
        "sections": [{"id": "cases", "heading": "حالات", "body": paras}],
        "sources": sources,
    }


# ---- reading a rendered PDF ------------------------------------------------------------------------

def _opens(image, char: dict, scale: float) -> bool | None:
    """Is the glyph drawn in ``char``'s box an opening shape ( ( [ « ), judged by its ink: at mid-height
    the ink of an opening bracket lies left of the ink at its top and bottom; None when unreadable."""
    box = (int(char["x0"] * scale), int(char["top"] * scale), int(char["x1"] * scale) + 1,
           int(char["bottom"] * scale) + 1)
    crop = image.crop(box).convert("L")
    w, h = crop.size
    px = crop.load()
    ink = [(x, y) for y in range(h) for x in range(w) if px[x, y] < 128]
    if not ink:
        return None
    top = min(y for _, y in ink)
    bottom = max(y for _, y in ink)
    height = bottom - top + 1

    def mean_x(lo, hi):
        xs = [x for x, y in ink if lo <= (y - top) / height < hi]
        return sum(xs) / len(xs) if xs else None

    middle, upper, lower = mean_x(0.4, 0.6), mean_x(0.0, 0.2), mean_x(0.8, 1.01)
    if middle is None or upper is None or lower is None:
        return None
    return middle < (upper + lower) / 2


def read_lines(pdf: Path, workdir: Path) -> list[list[str]]:
    """Every text line of ``pdf`` as its words from left to right (see the module docstring)."""
    import pdfplumber
    from PIL import Image

    prefix = workdir / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(prefix)], check=True,
                   capture_output=True)
    images = sorted(workdir.glob(f"{pdf.stem}-*.png"))
    scale = DPI / 72
    out = []
    with pdfplumber.open(pdf) as doc:
        for page, png in zip(doc.pages, images):
            with Image.open(png) as opened:     # closed now: an open file warns (as an error) at GC
                image = opened.copy()
            rows: list[dict] = []
            for c in sorted(page.chars, key=lambda c: c["top"]):
                if all(ch in _CONTROLS for ch in c["text"]):
                    continue
                c = {**c, "text": "".join(ch for ch in c["text"] if ch not in _CONTROLS)}  # «\u200f » is a space
                mid = (c["top"] + c["bottom"]) / 2
                for row in rows:
                    if abs(row["mid"] - mid) < row["size"] * 0.4:
                        row["chars"].append(c)
                        break
                else:
                    rows.append({"mid": mid, "size": c["size"], "chars": [c]})
            for row in sorted(rows, key=lambda r: r["mid"]):
                words, word, last = [], [], None
                chars = sorted(row["chars"], key=lambda c: c["x0"])
                glyphs = [c for c in chars if not c["text"].isspace()]
                for c in chars:
                    if c["text"].isspace():
                        # LibreOffice writes an isolate control as a "space" laid over a glyph: not a gap
                        if not any(g["x0"] < c["x1"] - 0.5 and g["x1"] > c["x0"] + 0.5 for g in glyphs):
                            words.append(word)
                            word, last = [], None
                        continue
                    if last is not None and c["x0"] - last > c["size"] * 0.2:   # a space not drawn as a glyph
                        words.append(word)
                        word = []
                    word.append(c)
                    last = c["x1"]
                words.append(word)
                out.append([_spell(w, image, scale) for w in words if w])
    return out


def _spell(glyphs: list[dict], image, scale: float) -> str:
    """A word's glyphs (left to right) as text: Arabic letter runs reversed to their spelling,
    mirrorable brackets named by their drawn shape."""
    parts: list[list[str]] = []
    for c in glyphs:
        text = "".join(ch for ch in c["text"] if ch not in _CONTROLS and ch != _FILLER)
        if text in _MIRRORED:
            opens = _opens(image, c, scale)
            assert opens is not None, f"cannot read the shape of {text!r} at {c['x0']:.0f},{c['top']:.0f}"
            opening = text if text in _PAIRS else _MIRRORED[text]
            text = opening if opens else _PAIRS[opening]
        arabic = bool(_ARABIC_LETTER.search(text))
        if parts and arabic and parts[-1][0] == "ar":
            parts[-1][1].append(text)
        else:
            parts.append(["ar" if arabic else "x", [text]])
    return "".join("".join(reversed(ts)) if kind == "ar" else "".join(ts) for kind, ts in parts)


def _key(words: list[str]) -> Counter:
    """Order-free identity of a line, blind to bracket shapes (the order is what is checked)."""
    table = str.maketrans({k: "|" for k in _MIRRORED})
    return Counter(unicodedata.normalize("NFC", w).translate(table) for w in words)


# ---- one render of the whole fixture --------------------------------------------------------------

@pytest.fixture(scope="module")
def readings(tmp_path_factory) -> dict[str, list[list[str]]]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftoppm"):
        pytest.skip("needs LibreOffice (soffice) and pdftoppm: both formats are checked, or none")
    from briefkit.writers import pdftext

    folder = tmp_path_factory.mktemp("bidi")
    for name, ltr in (("rtl", False), ("ltr", True)):
        src = folder / f"{name}.json"
        src.write_text(json.dumps(_report_dict(CASES, ltr), ensure_ascii=False), encoding="utf-8")
        report = briefkit.load(src)
        # the order glyphs are drawn in is read from their own letters: an Arabic stretch of an English line
        # otherwise carries its letters in typed order for extractors without bidi (the drawing is the same)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pdftext, "CARRY_TYPED", False)
            (folder / f"{name}-weasy.pdf").write_bytes(pdf_writer.render_document(report)[0])
        (folder / f"{name}.docx").write_bytes(docx_writer.render(report))
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(folder / "rtl.docx"),
                    str(folder / "ltr.docx")], check=True, capture_output=True, timeout=180)
    return {"pdf": read_lines(folder / "rtl-weasy.pdf", folder) + read_lines(folder / "ltr-weasy.pdf", folder),
            "docx": read_lines(folder / "rtl.pdf", folder) + read_lines(folder / "ltr.pdf", folder)}


def _find(lines: list[list[str]], expected: list[str], source: bool) -> list[str] | None:
    want = _key(expected)
    for words in lines:
        if source:   # the sources list's own marker: "·" (PDF, uncited) or "[n]" (DOCX)
            words = [w for w in words if w != "·" and not re.fullmatch(r"\[\d+\]|\]\d+\[", w)]
        if _key(words) == want:
            return words
    return None


def test_fixture_is_well_formed():
    assert len(CASES) >= 40
    keys = [frozenset(_key(c["expected"]).items()) for c in CASES]
    assert len(set(keys)) == len(keys), "two cases print the same words: a line could match either"
    for c in CASES:   # a paragraph's expected words are the input's, only reordered (and brackets reshaped)
        _, source, text = _kind(c)
        if not source:
            assert Counter(ch for ch in text if ch.isalnum()) == \
                Counter(ch for ch in "".join(c["expected"]) if ch.isalnum()), c["title"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['line']}-{c['title']}" for c in CASES])
def test_reading_order(case, readings):
    source = _kind(case)[1]
    got = {fmt: _find(lines, case["expected"], source) for fmt, lines in readings.items()}
    expected = " ".join(case["expected"])
    report = {fmt: (" ".join(words) if words is not None else "(no line with these words)")
              for fmt, words in got.items()}
    assert report == {"pdf": expected, "docx": expected}, (
        f"fixture line {case['line']}\n  expected: {expected}\n  pdf:      {report['pdf']}\n"
        f"  docx:     {report['docx']}")


def test_url_never_breaks_after_the_scheme(readings):
    """A URL too long for its line breaks further on, never right after ``https://`` (PDF and DOCX):
    in a paragraph (where the whole host stays on the line) and in a narrow table cell."""
    for fmt, lines in readings.items():
        words = [w for line in lines for w in line]
        assert not [w for w in words if w.endswith("://") or w in ("http", "https", "https:", "https:/")], fmt
        for url in (LONG_URL, CELL_URL):
            host = url.split("/")[2]
            assert [w for w in words if w.startswith("https://" + host.split(".")[0])], (fmt, url)
        assert [w for w in words if w.startswith("https://" + LONG_URL.split("/")[2])], fmt


# ---- the splitter on its own (cheap, no rendering) ----------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[f"{c['line']}" for c in CASES])
def test_runs_give_back_the_text(case):
    text = _kind(case)[2]
    for rtl in (True, False):
        assert "".join(chunk for chunk, _ in bidi.runs(text, rtl)) == text.translate(NO_MARKS)


def test_a_bare_url_with_an_arabic_path_is_one_isolate():
    # a blind editor's «…/2024/5/12/تقرير-خاص»: the Arabic tail was left outside and jumped to the other side
    url = "https://www.aljazeera.net/politics/2024/5/12/تقرير-خاص"
    assert bidi.runs(f"للمزيد انظر {url}، ثم عد", True) == [("للمزيد انظر ", False), (url, True), ("، ثم عد", False)]
    assert bidi.runs("انظر https://x.org/ar/مصدر-2.", True)[1] == ("https://x.org/ar/مصدر-2", True)
    # the host stays Latin: Arabic glued to a bare host is the sentence's
    assert bidi.runs("موقع www.x.orgوفيه", True)[1] == ("www.x.org", True)


def test_runs_drop_pasted_bidi_marks():
    # the isolates do what a pasted LRM/RLM was for; kept, the LRM pulled a space into «(NATO)»'s isolate
    plain = bidi.runs("حلف الأطلسي (NATO) لم", True)
    assert bidi.runs("حلف الأطلسي\u200e (NATO) لم", True) == plain
    assert bidi.runs("حلف الأطلسي (NATO)\u200f لم", True) == plain
    assert bidi.runs("The \u061cمصر\u200f deal", False) == bidi.runs("The مصر deal", False)


def test_citation_items_in_order_with_the_briefs_separator():
    items = bidi.citation("Somalia (AUSSOM)", "ICG", "1 مارس 2022", "https://x.org/a", rtl=True, sep="، ")
    assert [(i.role, i.chunks) for i in items] == [
        ("title", (("Somalia (AUSSOM)", True),)), ("sep", (("، ", False),)),
        ("publisher", (("ICG", True),)), ("sep", (("، ", False),)),
        ("date", (("1 مارس 2022", False),)), ("sep", (("، ", False),)),
        ("url", (("https://x.org/a", True),)),
    ]


def test_docx_source_entry_text():
    """The DOCX writes a Latin source as the PDF does: each item isolated, «، » between, no final stop."""
    import io
    import zipfile

    data = _report_dict([])
    data["sources"] = [{"id": "icg", "title": "Somalia: The Transition to AUSSOM", "publisher": "Crisis Group",
                        "date": "2022-03-01", "url": "https://crisisgroup.org/b180"}]
    data["sections"][0]["body"] = ["نص[^icg]"]
    report = loads(json.dumps(data, ensure_ascii=False), "r.json")
    package = zipfile.ZipFile(io.BytesIO(docx_writer.render(report)))
    lri, pdi = "\u2066", "\u2069"
    entry = (f"{lri}Somalia: The Transition to AUSSOM{pdi}، {lri}Crisis Group{pdi}، 1\u00a0مارس 2022، "
             f"{lri}https://crisisgroup.org/b180{pdi}")
    for part in ("word/document.xml", "word/footnotes.xml"):
        xml = package.read(part).decode("utf-8")
        texts = ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in re.findall(r"<w:p[ >].*?</w:p>", xml)]
        assert any(t.endswith(entry) for t in texts), (part, [t for t in texts if "AUSSOM" in t])


def test_short_hyphenated_url_segments_are_never_broken_at_a_hyphen(tmp_path):
    # A blind editor's sources broke «…/2024-02-14-erdogan-» | «cairo»: a reader copying by eye cannot tell
    # the address's hyphen from a line's. A short segment stays whole; the line breaks after a slash.
    from briefkit.bidi import URL_SEGMENT_MAX, host_spans
    from briefkit.options import Options

    url = "https://www.aa.com.tr/ar/middle-east-north-africa/2024-02-14-erdogan-cairo/news-item"
    text = f"راجع {url}"
    glued = [text[a:b] for a, b in host_spans(text)]
    assert glued == ["https://www.aa.com.tr", "middle-east-north-africa/", "2024-02-14-erdogan-cairo/", "news-item"]
    # blind8 F3: a short host broke at its hyphen («https://nile-» | «center.example.org»)
    host = "راجع https://nile-center.example.org/data/gerd-model-2023 حيث"
    assert [host[a:b] for a, b in host_spans(host)] == ["https://nile-center.example.org", "gerd-model-2023"]
    long_host = "https://" + "a-" * URL_SEGMENT_MAX + "z.org/x"         # a long host may still break
    assert [long_host[a:b] for a, b in host_spans(long_host)] == ["https://a"]
    long_url = "https://x.org/" + "a-" * URL_SEGMENT_MAX + "z"       # a long slug may still break
    assert [long_url[a:b] for a, b in host_spans(long_url)] == ["https://x.org"]

    theme = tmp_path / "a5.yaml"
    theme.write_text("briefkit-theme: 1\npage: {size: A5}\n", encoding="utf-8")
    report = briefkit.loads(
        "briefkit: 1\nmeta: {title: t}\nactors: [{id: a, name: مصر}, {id: b, name: تركيا}]\n"
        "areas: [{id: x, title: س, region: ر, relation: mixed, summary: 'نص [^s1] ونص [^s2]'}]\n"
        f"sources:\n  - {{id: s1, title: خبر, url: '{url}'}}\n"
        "  - {id: s2, title: تقرير طويل عن العلاقات, publisher: مركز, "
        "url: 'https://www.example.org/research/middle-east-north-africa/north-africa/libya-report'}\n",
        name="urls.yaml")
    pdf = tmp_path / "u.pdf"
    pdf.write_bytes(pdf_writer.render(report, Options(theme=theme)))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [re.sub("[\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", ln) for ln in text.splitlines()]
    cut = [ln for ln in lines if re.search(r"[a-z0-9]-\s*$", ln)]      # a line ends at a URL's hyphen
    assert not cut, cut
    joined = "".join(lines)          # each address whole, its slashes included, across its lines
    assert joined.count(url) == 2 and joined.count("middle-east-north-africa/north-africa/libya-report") == 2


def test_a_number_with_its_unit_a_range_and_a_phone_number_are_never_broken():
    # blind8 F16: «500» | «kV», «1,000» | «MW», «80–» | «90%» at line ends in a narrow table column
    from briefkit.bidi import host_spans

    text = "خط 500 kV و1,000 MW وبنسبة 80–90% و2.5 في 2017-09-12 و1.5°C أو +971 4 123 4567 وS-400"
    assert [text[a:b] for a, b in host_spans(text)] == ["500 kV", "80–90", "+971 4 123 4567"]
    html = briefkit.render_html(briefkit.loads(
        "briefkit: 1\nmeta: {title: t}\nactors: [{id: a, name: مصر}, {id: b, name: تركيا}]\n"
        "areas: [{id: x, title: س, region: ر, relation: mixed, summary: 'خط 500 kV بنسبة 80–90%.'}]\n",
        name="u.yaml")).decode("utf-8")
    assert '<span style="white-space: nowrap">500 kV</span>' in html
    assert '<span style="white-space: nowrap">80–90</span>' in html


def test_a_long_url_and_an_address_in_a_narrow_column_stay_inside_it(tmp_path):
    # blind8 F15: three actors' columns are ~15 characters wide; a 28-character segment kept whole ran out of
    # the table into the margin, and «data@mwri.gov.eg» broke before its last letter
    import pdfplumber

    url = ("https://data.nile-basin-initiative.example.org/hydrology/eastern-nile/daily-flows/"
           "roseires-and-sennar-2023.csv")
    report = loads("briefkit: 1\nmeta: {title: t}\n"
                   "actors: [{id: a, name: مصر}, {id: b, name: إثيوبيا}, {id: c, name: السودان}]\n"
                   "areas: [{id: x, title: س, region: ر, relation: mixed, positions: {"
                   f"a: 'تطالب بالبيانات اليومية عبر البريد الإلكتروني data@mwri.gov.eg والمنصة المشتركة.', "
                   f"b: 'لا', c: 'عبر البوابة {url} مع نسخة'}}}}]\n", "narrow.yaml")
    pdf = tmp_path / "n.pdf"
    pdf.write_bytes(pdf_writer.render(report))
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        table = max(page.rects, key=lambda r: r["width"])        # the header row's band spans the table
        inked = [c for c in page.chars if any(unicodedata.category(ch)[0] not in "CZ" for ch in c["text"])]
        assert all(table["x0"] - 1 <= c["x0"] and c["x1"] <= table["x1"] + 1 for c in inked)
        words = [re.sub(r"[\u200b-\u200f\u2066-\u2069]", "", w["text"]) for w in page.extract_words()]
    assert "mwri.gov.eg" in words and any(w.startswith("data@") and "mwri" not in w for w in words), words


def test_an_arabic_script_quotation_in_an_english_line_is_one_unit_around_an_acronym_or_a_number():
    # blind9 F28: «معاہدہ IWT سال 1960 میں» in an English brief was three isolates, its words read left to right
    text = "The press wrote «معاہدہ IWT سال 1960 میں» last week, as مصر 2023 and سوريا did."
    assert [c for c, iso in bidi.runs(text, False) if iso] == ["معاہدہ IWT سال 1960 میں", "مصر", "سوريا"]
