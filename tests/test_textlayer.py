"""The PDF's text layer, read back by five extractors nobody on the project wrote (tests/extractors.py)."""
from __future__ import annotations

import subprocess
import html
import re
from functools import lru_cache

import pytest

import briefkit
from briefkit.writers import html as html_writer
from briefkit.writers import pdf as pdf_writer
from briefkit.writers import pdftext
from conftest import ROOT, SEED
import extractors as ex

HAVE = ex.available()
CASES = ROOT / "tests" / "cases"
# The share of the report's distinct words each extractor must find (goal in the README; where an
# extractor's own reading order loses words that no PDF can keep for it, the floor is what it reaches).
FLOORS = {
    "flagship": {"pdftotext": 100, "pdfplumber": 100, "pypdfium2": 99.5, "pymupdf": 100, "pdfjs": 100},
    "persian": {"pdftotext": 100, "pdfplumber": 100, "pypdfium2": 99.5, "pymupdf": 100, "pdfjs": 100},
    "english": {"pdftotext": 100, "pdfplumber": 100, "pypdfium2": 100, "pymupdf": 100, "pdfjs": 100},
}
SAMPLES = {"flagship": SEED, "persian": ROOT / "seeds" / "turkey-russia-relations-fa.yaml",
           "english": ROOT / "seeds" / "india-china-relations.yaml"}


@lru_cache(maxsize=None)
def sample(name):
    report = briefkit.load(SAMPLES[name])
    return report, pdf_writer.render(report)




def extract(name, data, rtl, tmp_path, *, glued=False):
    """One extractor's text; ``glued``: pdf.js's text items joined as Firefox's find reads them (else both
    its readings, ``ex.pdfjs_text``)."""
    if name == "pdfjs":
        path = tmp_path / "x.pdf"
        path.write_bytes(data)
        item = ex.pdfjs_many([path])[0]
        return item["glued"] if glued else ex.pdfjs_text(item)
    if name == "pdfplumber":
        return ex.pdfplumber(data, rtl=rtl)
    return ex.EXTRACTORS[name](data)


def assert_found(data, expected, tmp_path, *, rtl=True, skip=()):
    """Every installed extractor but ``skip`` finds every word of ``expected`` in ``data``."""
    for name, have in HAVE.items():
        if have and name not in skip:
            got = set(ex.words(extract(name, data, rtl, tmp_path)))
            assert expected <= got, (name, sorted(expected - got))


# ---- the patch is in place --------------------------------------------------------------------------------

def test_weasyprint_still_has_the_hook_points():
    """Fails on a WeasyPrint upgrade that moves what briefkit/writers/pdftext.py patches."""
    pdftext.check_hooks()


PROBE = """briefkit: 1
meta:
  id: probe
  title: "العلاقات التركية"
actors:
  - {id: a, name: "مصر"}
  - {id: b, name: "السودان"}
areas:
  - {id: nile, title: "مياه النيل", region: "حوض النيل", relation: mixed}
sections:
  - id: s1
    heading: "العلاقات التركية"
    body:
      - "ولكن الكبرى تركيا سوريا مذكرة المحطَّات"
"""


@lru_cache(maxsize=1)
def _probe_pdf() -> bytes:
    """A brief through the normal path (its own fonts: a probe with @font-face rules of its own would
    add faces to the process's one FontConfiguration)."""
    return pdf_writer.render(briefkit.loads(PROBE))


def test_probe_words_come_back_exactly_in_every_extractor(tmp_path):
    """Amiri's shared lam («ولكن» → «وللكن»), Noto Kufi's lam-alef («العالقات»), Amiri's shifted ra
    and dhal («سور يا», «م ذكرة») and tashkeel: the stock WeasyPrint text layer loses each of them."""
    data = _probe_pdf()
    expected = {"العلاقات", "ولكن", "الكبرى", "تركيا", "سوريا", "مذكرة", "المحطات"}
    assert_found(data, expected, tmp_path)


MIXED = """briefkit: 1
meta:
  id: mixed
  title: "منظومة S-400 وحلف NATO"
actors:
  - {id: a, name: "تركيا"}
  - {id: b, name: "روسيا"}
areas:
  - {id: s400, title: "صفقة S-400", region: "الدفاع", relation: mixed}
sections:
  - id: s1
    heading: "منظومة S-400 وحلف NATO"
    body:
      - "وقعت الصفقة في 2017-09-12 بقيمة 2.5 مليار دولار عبر الطريق M4 نحو 100 مليار."
      - "ويُرجَّح أن يظل الاقتصاد والتفاوض المستمر صمامَي أمان، وتُعدّ المحطَّات الخلافيَّة جديداً."
"""

@lru_cache(maxsize=1)
def _mixed_pdf() -> bytes:
    return pdf_writer.render(briefkit.loads(MIXED))


def test_mixed_lines_keep_every_word_in_every_extractor(tmp_path):
    """Left-to-right words across font runs («S-» in Noto Sans, «400» in Noto Kufi), the space between a
    number or date and the next Arabic word (poppler glued «2017-09-12بقيمة», MuPDF «مليار100»), and
    raised tashkeel (poppler cut «وير جح», pdf.js reordered it): each extractor finds every word."""
    data = _mixed_pdf()
    expected = set(ex.words(MIXED.split("sections:")[1])) - {"id", "s1", "heading", "body"}
    assert_found(data, expected, tmp_path)


def test_alias_codes_map_back_to_their_glyphs():
    """One glyph used with different texts gets several codes: the fonts carry a CIDToGIDMap stream."""
    import pikepdf

    with pikepdf.open(__import__("io").BytesIO(_probe_pdf())) as pdf:
        maps = [f.DescendantFonts[0].get("/CIDToGIDMap") for f in
                (page.Resources.Font[k] for page in pdf.pages for k in page.Resources.Font.keys())]
    assert any(isinstance(m, pikepdf.Stream) for m in maps)


@pytest.mark.parametrize("which", ["03-bidi", "mixed", "tanween", "boxes", "glued", "raised", "zwnj", "latin",
                                   "tokens", "vocalised", "ezafe", "cut", "glued-unit", "eras"])
def test_nothing_moves_on_the_page(which):
    """The same glyphs at the same places as WeasyPrint's own drawing (within 0.05 pt): mixed lines,
    split spaces, tashkeel drawn inside their letter's code or before its word."""
    pymupdf = pytest.importorskip("pymupdf")
    import contextlib

    report = briefkit.load(CASES / "03-bidi.yaml") if which == "03-bidi" \
        else briefkit.loads({"mixed": MIXED, "tanween": TANWEEN, "boxes": BOXES, "glued": GLUED, "raised": RAISED,
                            "zwnj": ZWNJ, "latin": LATIN, "tokens": TOKENS, "vocalised": VOCALISED,
                            "ezafe": EZAFE, "cut": CUT, "glued-unit": GLUED_UNIT, "eras": ERAS}[which])
    patched = pdf_writer.render(report)
    original = pdftext.exact_text
    pdftext.exact_text = lambda rtl=True: contextlib.nullcontext()
    try:
        stock = pdf_writer.render(report)
    finally:
        pdftext.exact_text = original

    def drawn(data):
        out = []
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            for page in doc:
                for span in page.get_texttrace():
                    if span["type"] == 3 or span["opacity"] == 0:
                        continue
                    # a space has no ink: where it is drawn shows nothing
                    out += [(span["font"], c[1], c[2][0], c[2][1]) for c in span["chars"] if c[1] >= 0 and c[0] != 32]
        return out

    ink = drawn(stock)
    new = drawn(patched)
    by_glyph = {}
    for font, gid, x, y in new:
        by_glyph.setdefault((font, gid, round(y, 1)), []).append(x)
    for font, gid, x, y in ink:
        xs = by_glyph.get((font, gid, round(y, 1)), [])
        assert xs and min(abs(x - v) for v in xs) < 0.05, (font, gid, x, y)


# ---- the samples, per extractor ---------------------------------------------------------------------------

@pytest.mark.parametrize("extractor", list(ex.EXTRACTORS) + ["pdfjs"])
@pytest.mark.parametrize("which", list(SAMPLES))
def test_distinct_words_found(extractor, which, tmp_path):
    if not HAVE[extractor]:
        pytest.skip(f"{extractor} is not installed here")
    report, data = sample(which)
    share, missing = ex.found_share(ex.report_words(report), extract(extractor, data, report.rtl, tmp_path))
    assert 100 * share >= FLOORS[which][extractor], missing


def test_search_finds_every_printed_occurrence(tmp_path):
    """«العلاقات» as often as the brief prints it in its body (16 times in the HTML), in every extractor."""
    report, data = sample("flagship")
    body = html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", html_writer.render_string(report), flags=re.S))
    printed = len(re.findall(r"(?<!\w)العلاقات(?!\w)", body))
    assert printed >= 14
    for name, have in HAVE.items():
        if have:
            text = extract(name, data, True, tmp_path, glued=True)
            assert ex.count("العلاقات", text) >= printed, name


def test_a_long_latin_word_in_an_arabic_line_keeps_a_valid_tounicode(tmp_path):
    """A word carried whole on one code must fit poppler's ToUnicode token (256 bytes): a longer URL
    once made pdftotext warn "Illegal entry in bfchar block" and lose it."""
    url = "https://www.example.org/reports/" + "nile-dam-negotiations-" * 4 + "final.pdf"
    text = PROBE.replace('"ولكن الكبرى', f'"انظر {url} ولكن الكبرى')
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf_writer.render(briefkit.loads(text)))
    run = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    assert "Illegal entry" not in run.stderr, run.stderr[:300]
    assert "final.pdf" in run.stdout


TANWEEN = """briefkit: 1
meta:
  id: tanween
  title: "اتفاق الغاز"
actors:
  - {id: a, name: "قطر"}
  - {id: b, name: "ألمانيا"}
areas:
  - {id: gas, title: "الغاز", region: "أوروبا", relation: cooperation}
sections:
  - id: s1
    heading: "التفاصيل"
    body:
      - "بقي التحالف متماسكاً رغم التباين، وأصبح الاتفاق نموذجاً جديداً للتعاون، إذ يورد مليوني طن سنوياً
        لخمسة عشر عاماً، خلافاً لما توقعه المحللون الذين رأوا فيه مشروعاً هشاً لا يصمد، وظل الحوار قائماً
        اجتماعاً بعد اجتماع، وبقي السعر ثابتاً تقريباً طوال المدة، وكان التنسيق أمنياً واقتصادياً معاً."
      - "اتفاق لتوريد الغاز خمسة عشر عاماً[^s] ثم التجديد."
sources:
  - {id: s, title: "مصدر"}
"""


@lru_cache(maxsize=1)
def _tanween_pdf() -> bytes:
    return pdf_writer.render(briefkit.loads(TANWEEN))


def test_tanween_after_alef_stays_in_its_word(tmp_path):
    """Amiri draws the tanween of «عاماً» left of the word's start (over the space before it); in a justified
    line each word is a run of its own. Drawn after the alef with a jump back, PDFium read the jump forward
    after it as a space («متماسك ًا»); a footnote's word joiner (an empty glyph) kept the mark there too."""
    data = _tanween_pdf()
    expected = set(ex.words(TANWEEN.split("body:")[1])) - {"s", "sources", "id", "title", "مصدر"}
    assert_found(data, expected, tmp_path)


BOXES = """briefkit: 1
meta:
  id: boxes
  title: "الغاز في شرق المتوسط"
actors:
  - {id: a, name: "تركيا"}
  - {id: b, name: "اليونان"}
areas:
  - {id: gas, title: "الغاز", region: "المتوسط", relation: rivalry}
timeline:
  - {date: "2020-11-10", event: "توقيع بيان وقف إطلاق النار", area: gas}
  - {date: "2023-09-19", event: "عملية عسكرية خاطفة", area: gas}
sections:
  - id: s1
    heading: "التفاصيل"
    body:
      - "فقرة **عريضة** و*مائلة* مع [رابط](https://example.org/x)."
      - "تتقاطع المصالح في *المياه الاقتصادية* و**الغاز ***الطبيعي*****، انظر الموقع."
"""


@lru_cache(maxsize=1)
def _boxes_pdf() -> bytes:
    return pdf_writer.render(briefkit.loads(BOXES))


def test_words_across_inline_boxes_stay_whole(tmp_path):
    """WeasyPrint draws each inline box (emphasis, link, a timeline's date and event) alone, jumping back
    to its left edge: MuPDF broke the line there («و» and «مائلة» apart) or glued a date to the event
    («10توقيع»), and pdf.js dropped the spaces at the boxes' ends («عريضةومائلة»)."""
    data = _boxes_pdf()
    expected = {"ومائلة", "عريضة", "والغاز", "الطبيعي", "المياه", "الاقتصادية", "توقيع", "عملية", "مع", "رابط"}
    assert_found(data, expected, tmp_path)


GLUED = """briefkit: 1
meta:
  id: glued
  title: "الليرة التركية"
actors:
  - {id: a, name: "تركيا"}
  - {id: b, name: "اليونان"}
areas:
  - {id: eco, title: "الاقتصاد", region: "المتوسط", relation: rivalry}
sections:
  - id: s1
    heading: "التفاصيل"
    body:
      - "فقدت الليرة نصف قيمتها بين 2021 و2023، ما رفع كلفة الطاقة."
"""


def test_a_letter_glued_to_a_number_keeps_the_punctuation_out(tmp_path):
    """«و2023،»: PDFium put the comma inside the number's segment, poppler inside its section
    («و،2023»); a zero-width mark after the comma keeps it on the far side. MuPDF, which writes a line
    mixing directions as its runs in visual order, read «2023و»: the letter is one of the number's pieces
    (pdftext._carry), which MuPDF reads in drawing order. pdf.js read the span as a text item of its own,
    left to right under 30 % Arabic («2023و»): ARABIC LETTER MARKs before the letter tip it."""
    data = pdf_writer.render(briefkit.loads(GLUED))
    assert_found(data, {"و2023", "2021", "ما", "بين"}, tmp_path)


def test_a_url_split_by_a_nowrap_span_reads_whole(tmp_path):
    """A source URL's scheme and host are a nowrap span, a box of their own: pdfplumber, reading right to
    left, put the rest first («.org/one?a=1&b=2https://example»). The whole URL is carried by the first
    box's code."""
    report = briefkit.load(CASES / "02-footnotes.yaml")
    data = pdf_writer.render(report)
    for name, have in HAVE.items():
        if have:
            text = ex._DROP.sub("", extract(name, data, True, tmp_path))
            if name == "pymupdf":
                # MuPDF places a span's /ActualText from its first glyph and judges the jump to the next
                # box from there: a new line at the box's edge (README: Limits)
                text = text.replace("\n", "")
            assert "https://example.org/one?a=1&b=2" in text, name


def test_punctuation_between_two_latin_boxes_stays_between_them(tmp_path):
    """A source's Latin title, «، », its Latin publisher, each a box of its own in a Persian line: poppler's
    reorderText took the comma and space into the title's section («، Iran» then «Ministry» glued to it).
    A zero-width RIGHT-TO-LEFT MARK after the comma keeps them between."""
    if not HAVE["pdftotext"]:
        pytest.skip("pdftotext is not installed here")
    report = briefkit.load(ROOT / "tests" / "authoring" / "04-fa-iran-saudi-beijing.yaml")
    got = set(ex.words(ex.pdftotext(pdf_writer.render(report))))
    assert {"iran", "ministry"} <= got


CALLS = """briefkit: 1
meta:
  id: calls
  title: "{title}"
  lang: {lang}
actors:
  - {{id: a, name: "{a}"}}
  - {{id: b, name: "{b}"}}
areas:
  - {{id: x, title: "{a}", region: "{b}", relation: mixed}}
sections:
  - id: s1
    heading: "{title}"
    body:
      - "{body}"
sources:
  - {{id: s, title: "{a}"}}
"""


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_footnote_call_is_not_glued_to_its_word(lang, tmp_path):
    """pdfplumber reads no baseline: the raised call right after its word came out glued («honoured1»,
    «الحالية1»). A zero-width space at the call's reading start."""
    if lang == "ar":
        text = CALLS.format(title="المياه", lang="ar", a="العراق", b="تركيا",
                            body="إذا استمرت معدلات الاستهلاك الحالية[^s] فسيزيد العجز.")
        word = "الحالية"
    else:
        text = CALLS.format(title="Grain", lang="en", a="Ukraine", b="Russia",
                            body="The exports had not been honoured[^s] by then.")
        word = "honoured"
    report = briefkit.loads(text)
    data = pdf_writer.render(report)
    assert_found(data, {word}, tmp_path, rtl=report.rtl)


M4_LINE = """briefkit: 1
meta:
  id: m4
  title: "ترکیه و روسیه"
  lang: fa
actors:
  - {id: a, name: "ترکیه"}
  - {id: b, name: "روسیه"}
areas:
  - {id: x, title: "سوریه", region: "ادلب", relation: mixed}
sections:
  - id: s1
    heading: "ادلب"
    body:
      - "ترکیه را به تأمین امنیت بزرگراه M4 به عمق ۶ کیلومتر متعهد است"
"""


def test_a_latin_word_before_the_rest_of_its_line_is_not_glued_to_its_last_word(tmp_path):
    """WeasyPrint draws «M4» (a box of its own), then the rest of the line from its left end; MuPDF ignored
    that jump (a change of direction) and, writing the line in visual order, glued «M4» to a word of the
    rest («M4کیلومتر»). A zero-width LEFT-TO-RIGHT MARK first makes it judge the jump."""
    report = briefkit.loads(M4_LINE)
    data = pdf_writer.render(report)
    words = set(ex.words(M4_LINE.split("body:")[1]))
    assert_found(data, words, tmp_path)


RAISED = """briefkit: 1
meta:
  id: raised
  title: "سد النهضة"
actors:
  - {id: eg, name: "مصر"}
  - {id: et, name: "إثيوبيا"}
areas:
  - id: water
    title: "المياه"
    region: "النيل"
    relation: rivalry
    positions:
      eg: "تطالب باتفاق ملزم يضمن حصتها سنويًا وتلوّح بالقوة العسكرية."
      et: "تطرح ربطًا كهربائيًا مع جيرانها يوميًا."
sections:
  - id: s1
    heading: "التفاصيل"
    body:
      - "فقرة."
"""


def test_a_raised_mark_does_not_cut_its_word(tmp_path):
    """Noto Kufi (tables) raises tanween and shadda: WeasyPrint draws them with a text rise, a text object of
    their own, which PDFium put on a line of its own in the middle of the word («سنوي» / «ً» / «ا»)."""
    data = pdf_writer.render(briefkit.loads(RAISED))
    expected = {"سنويا", "وتلوح", "ربطا", "كهربائيا", "يوميا", "بالقوة", "جيرانها"}
    assert_found(data, expected, tmp_path)


ZWNJ = """briefkit: 1
meta:
  id: zwnj
  title: "ایران و عربستان"
  lang: fa
actors:
  - {id: ir, name: "ایران"}
  - {id: sa, name: "عربستان"}
areas:
  - {id: n, title: "انرژی", region: "خلیج فارس", relation: rivalry,
     positions: {ir: "دفاع از حق غنی‌سازی.", sa: "حمایت از دیپلماسی بین‌المللی."}}
sections:
  - id: s1
    heading: "پرونده"
    body:
      - "پرونده هسته‌ای ایران به آژانس بین‌المللی انرژی اتمی ارجاع داده می‌شود و تنش‌زدایی ادامه دارد."
      - "گفت‌وگوی امنیت دریایی با حضور ایران و سهمیه‌ها."
"""


def test_zero_width_non_joiners_are_copied_where_the_report_has_them(tmp_path):
    """Persian writes «هسته‌ای» with a ZERO WIDTH NON-JOINER, which Pango draws as an empty glyph and stock
    WeasyPrint drops from the text layer: a search for the right spelling found nothing. Each word of the
    report that has one comes back with it, every time it is printed (each is printed once, in the body
    or the positions table), and never without it. pdfplumber (no bidi, a code's text kept whole) reads
    the ZWNJ one letter early, inside the same word (README: Limits): it only gets the count right."""
    report = briefkit.loads(ZWNJ)
    data = pdf_writer.render(report)
    source = re.findall(r"[\w\u200c]+", ZWNJ.split("areas:")[1])
    joined = sorted({w for w in source if "\u200c" in w})
    assert len(joined) == 7 and "هسته\u200cای" in joined
    for name, have in HAVE.items():
        if not have:
            continue
        text = extract(name, data, True, tmp_path, glued=True)
        tokens = re.findall(r"[\w\u200c]+", text)
        bare = [t.replace("\u200c", "") for t in tokens]
        if name == "pdfplumber":
            assert sum(t.count("\u200c") for t in tokens if t.replace("\u200c", "") in
                       {w.replace("\u200c", "") for w in joined}) == sum(map(source.count, joined)), name
            continue
        for word in joined:
            assert tokens.count(word) == bare.count(word.replace("\u200c", "")) == source.count(word), \
                (name, word, tokens.count(word), bare.count(word.replace("\u200c", "")))
        assert "هسته\u200cای" in text, name


def one_section(report_id, paragraphs, *, title, actors, area, heading="التفاصيل", relation="mixed", lang=None,
                sources=()):
    """A two-actor brief with one area and one section holding ``paragraphs``: most probes below differ
    only in these."""
    lines = ["briefkit: 1", "meta:", f"  id: {report_id}", f'  title: "{title}"', *([f"  lang: {lang}"] if lang else []),
             "actors:", *(f'  - {{id: {k}, name: "{name}"}}' for k, name in zip("ab", actors)),
             "areas:", f'  - {{id: x, title: "{area[0]}", region: "{area[1]}", relation: {relation}}}',
             "sections:", "  - id: s1", f'    heading: "{heading}"', "    body:",
             *(f'      - "{para}"' for para in paragraphs)]
    if sources:
        lines += ["sources:", *(f"  - {src}" for src in sources)]
    return "\n".join(lines) + "\n"


LATIN = one_section("latin", ["قالت الوكالة إن قدرة السد 5,150 MW وإن Ethiopia ستكمل الملء، والتقرير على "
                                      "https://www.worldbank.org/en/news اليوم."],
                    title="سد النهضة", actors=("مصر", "إثيوبيا"), area=("المياه", "النيل"), relation="rivalry")


def test_latin_words_and_urls_in_an_arabic_line_copy_without_fillers(tmp_path):
    """A left-to-right word in an Arabic line is carried whole by its first glyph's code (pdfplumber has no
    bidi); its other glyphs' codes carry U+200D. Wrapped in a span whose /ActualText is the stretch's own
    text, poppler, PDFium and MuPDF copy the word exactly; pdf.js skips the fillers itself. pdfplumber,
    which reads no /ActualText, still gets them (search normalisation drops them)."""
    data = pdf_writer.render(briefkit.loads(LATIN))
    for name, have in HAVE.items():
        if not have or name == "pdfplumber":
            continue
        text = extract(name, data, True, tmp_path, glued=True)
        assert "\u200d" not in text and "\x00" not in text, name
        assert "Ethiopia" in text and "https://www.worldbank.org/en/news" in text.replace("\n", ""), name
        if name != "pypdfium2":  # PDFium reverses a digit run and a Latin word in an Arabic line (Limits)
            assert "5,150 MW" in text, name


TOKENS = one_section("tokens", ["التزمت تركيا بتأمين الطريق M4 بعمق 6 كيلومترات وشراء منظومة S-400 وطائرات "
                                        "F-35 بقيمة 8bn دولار اليوم."],
                     title="تركيا وروسيا", actors=("تركيا", "روسيا"), area=("سوريا", "إدلب"), heading="إدلب")


def test_tokens_mixing_letters_and_digits_read_in_order_in_every_extractor(tmp_path):
    """PDFium cuts a line into segments by a crude class (letters, digits and separators, Arabic) and reverses
    their order in a right-to-left line (cpdf_textpage.cpp, CloseTempLine), /ActualText included: it read
    «4M», «-400S», «-35F», «bn8». The pieces are now spans of their own that PDFium meets in the reverse
    order, and each extractor copies the tokens exactly."""
    data = pdf_writer.render(briefkit.loads(TOKENS))
    for name, have in HAVE.items():
        if not have:
            continue
        text = ex._DROP.sub("", extract(name, data, True, tmp_path))
        for token in ("M4", "S-400", "F-35", "8bn"):
            assert re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text), (name, token)


def test_a_line_holding_only_a_mixed_token_is_left_as_it_was(tmp_path):
    """A title that is only «1e999»: PDFium reads that line left to right (no Arabic in it), so its pieces
    must not be reordered for it (a hostile sample read «999e1»)."""
    if not HAVE["pypdfium2"]:
        pytest.skip("pypdfium2 is not installed here")
    data = pdf_writer.render(briefkit.loads(TOKENS.replace('title: "تركيا وروسيا"', "title: 1e999")))
    assert "1e999" in ex._DROP.sub("", ex.pypdfium2(data))


def test_poppler_keeps_each_line_with_a_mixed_token_whole_and_in_order():
    """pdftotext (poppler: Evince, Okular, indexers) reads each line holding «S-400», «F-35» or «M4» as one
    line in reading order. PDFium's pieces drawn over the token's whole last glyph started a word more than
    half an em left of the token's end, which ended poppler's line there: it read «S-400 وحلف NATO» and
    then «منظومة» on the next line."""
    if not HAVE["pdftotext"]:
        pytest.skip("pdftotext is not installed here")
    data = pdf_writer.render(briefkit.load(CASES / "03-bidi.yaml"))
    lines = [ex._DROP.sub("", line).strip() for line in ex.pdftotext(data).splitlines()]
    for phrase in (r"منظومة S-400 وحلف NATO", r"صفقة S-400", r"أخرجت تركيا من برنامج F-35",
                   r"عبر الطريق \.?M4", r"وصول أولى مكونات S-400 إلى قاعدة Mürted"):
        assert any(re.search(phrase, line) for line in lines), (phrase, [l for l in lines if l])
    # no line is left holding only the Arabic words cut off a token's right
    for alone in ("منظومة", "صفقة", "أخرجت تركيا من برنامج", "مكونات"):
        assert not any(line.endswith(alone) for line in lines), alone


# ---- marks (marks5)

SUMS = one_section("sums", ["مسار «5+5» العسكري ومعادلة 3+2 المقترحة."],
                   title="ليبيا", actors=("مصر", "تركيا"), area=("الأمن", "ليبيا"))


def test_a_sum_of_numbers_copies_as_typed(tmp_path):
    """«5+5» in an Arabic line: the Unicode bidi algorithm makes its digits Arabic numbers (W2) and the «+»
    a neutral between them, three runs; poppler read «55+». bidi.py isolates it as one number, as typed."""
    data = pdf_writer.render(briefkit.loads(SUMS))
    for name, have in HAVE.items():
        if have:
            text = ex._DROP.sub("", extract(name, data, True, tmp_path))
            assert "5+5" in text and "3+2" in text, (name, text[-200:])


VOCALISED = """briefkit: 1
meta:
  id: vocalised
  title: "الطائرات المسيّرة"
actors:
  - {id: eg, name: "مصر"}
  - {id: tr, name: "تركيا"}
areas:
  - id: w
    title: "الحدود"
    region: "ليبيا"
    relation: rivalry
    positions:
      eg: "خفّضت دعمها المعلن وتركّز على الاستثمار."
      tr: "نمو بنسبة 12٪ تقريبًا وتعدّ وجودها قانونيًا."
sections:
  - id: s1
    heading: "التفاصيل"
    body:
      - "بدعم من الطائرات المسيّرة التركية، مع هدف مُعلن بلوغَه 15 مليار دولار، والمجلس يُناقش ذلك منذ ذلك الحين، وقد تحوّل التنافس وتغيّر المشهد وفتّشت سفنًا تركية."
"""
EZAFE = one_section("ezafe", ["گزارشی کوتاه دربارهٔ حوزه‌های همکاری و رابطهٔ ایران و ترکیه؛ خط لولهٔ تبریز–آنکارا "
                                      "مهم است و به گفتهٔ یک مقام ترک «توسعهٔ همکاری‌ها» ادامه دارد."],
                    title="ایران و ترکیه", actors=("ایران", "ترکیه"), area=("انرژی", "قفقاز"), heading="پرونده",
                    lang="fa")
_MARK = "\u0610-\u061A\u064B-\u065F\u0670"
_INVISIBLE = re.compile("[\u200d-\u200f\u202a-\u202e\u2066-\u2069]")


def _marked_words(text):
    """Words with their vowel marks (NFC, joiners and direction marks dropped)."""
    import unicodedata

    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return set(re.split(rf"[^\w{_MARK}\u200c]+", text)) - {""}


@lru_cache(maxsize=None)
def _vocalised(which):
    return pdf_writer.render(briefkit.loads({"ar": VOCALISED, "fa": EZAFE}[which]))


def _texts(data, tmp_path):
    """Each installed extractor's text (pdf.js: its items glued and spaced, as the word measure reads it)."""
    return {name: extract(name, data, True, tmp_path) for name, have in HAVE.items() if have}


def _lone_marks(text):
    return [t for t in text.split() if re.fullmatch(f"[{_MARK}\u200d-\u200f]+", t) and re.search(f"[{_MARK}]", t)]


def test_vowel_marks_are_read_with_their_own_letters(tmp_path):
    """A blind editor's report: «المسيّرة» came out «المسيرّة» (the shadda on the next letter), «مُعلن» «معُلن»,
    «يُناقش» «ُيناقش», the table cell «خفّضت» «خ ّفضت» (a space inside), the tanween of «تقريبًا» alone on
    a line. Amiri draws the damma of «مُعلن» over the «ع», Noto Kufi raises its tanween and shadda on a
    baseline of their own: the text layer gives each mark to its own letter all the same. pdf.js reads
    a mark on a word's last letter after a space (README: Limits): «وتعدّ» is left out for it."""
    data = _vocalised("ar")
    source = VOCALISED.split("positions:")[1]
    vocalised = {w for w in _marked_words(source) if re.search(f"[{_MARK}]", w)}
    assert {"المسيّرة", "مُعلن", "يُناقش", "خفّضت", "تقريبًا", "بلوغَه", "وتعدّ"} <= vocalised
    for name, text in _texts(data, tmp_path).items():
        want = vocalised - {"وتعدّ"} if name == "pdfjs" else vocalised
        assert want <= _marked_words(text), (name, sorted(want - _marked_words(text)))
        assert set(ex.words(source)) - {"eg", "tr", "sections", "id", "s1", "heading", "body"} <= set(ex.words(text)), name
        assert not _lone_marks(text), (name, _lone_marks(text))


def test_persian_ezafe_is_copied_as_typed(tmp_path):
    """«دربارهٔ» came out «درباره» with its «ٔ» (HAMZA ABOVE, the ezafe) on a line of its own in poppler
    and first in the word in MuPDF («ٔدرباره»): Amiri raises the hamza, a text object of its own. Its
    text is now on the baseline, after the «ه». pdf.js reads it after a space (README: Limits)."""
    data = _vocalised("fa")
    source = EZAFE.split("body:")[1]
    ezafe = {w for w in _marked_words(source) if "\u0654" in w}
    assert len(ezafe) == 5
    for name, text in _texts(data, tmp_path).items():
        if name == "pdfjs":
            assert {w.replace("\u0654", "") for w in ezafe} <= set(ex.words(text)), name
            continue
        assert ezafe <= _marked_words(text), (name, sorted(ezafe - _marked_words(text)))
        assert not _lone_marks(text), (name, _lone_marks(text))


FOOTNOTE = one_section("footnote", ["منها تقرير المجموعة.[^icg] ونص آخر."],
                       title="ليبيا", actors=("مصر", "تركيا"), area=("الأمن", "ليبيا"),
                       sources=['{id: icg, title: "Libya’s Fractured Peace", publisher: "International Crisis Group", '
                                'date: 2023-05}'])


def test_a_footnote_keeps_the_separator_between_a_latin_title_and_its_publisher(tmp_path):
    """A footnote's number, then its source's Latin title, «، » and the Latin publisher: poppler read the
    «، » inside the title and glued the title to the publisher («، Libya’s Fractured PeaceInternational
    Crisis Group»); the sources list was right. A direction mark at the title's end, as in the list."""
    data = pdf_writer.render(briefkit.loads(FOOTNOTE))
    for name, text in _texts(data, tmp_path).items():
        # the footnote and the sources list
        assert ex.count("Peace", text) >= 2 and ex.count("International", text) >= 2, name
    plain = _INVISIBLE.sub("", ex.pdftotext(data)) if HAVE["pdftotext"] else ""
    assert not HAVE["pdftotext"] or re.search(r"Peace ?، ?International", plain), plain[-300:]


SYMBOL = one_section("symbol", ["عقد المجلس جلسة خاصة (S/PV.8816) Security Council دون قرار ملزم.",
                                  "جلسة مجلس الأمن (S/PV.8816)."],
                     title="مجلس الأمن", actors=("مصر", "إثيوبيا"), area=("الوساطة", "النيل"))


def test_a_document_symbol_in_brackets_is_copied_once(tmp_path):
    """«(S/PV.8816)» in an Arabic line: the symbol is a nowrap span of its own inside the stretch's <bdi>,
    after the «(» box, whose code carried the whole word for pdfplumber («(S/PV.8816», the symbol's box
    going on from it). Outside any span, poppler, PDFium and MuPDF read that code too, then the symbol's own
    /ActualText: «(S/PV.8816S/PV.8816)»."""
    data = pdf_writer.render(briefkit.loads(SYMBOL))
    for name, have in HAVE.items():
        if not have:
            continue
        text = ex._DROP.sub("", extract(name, data, True, tmp_path, glued=True))
        assert text.count("S/PV.8816") == 2 and text.count("8816") == 2, (name, text)
        assert text.count("Security") == 1 and text.count("Council") == 1, (name, text)


CUT_WORD = "مستقبلالعلاقاتالدولية" * 8
ONE_LETTER = "ع" * 150
CUT = one_section("cut", [f"قالت الوكالة إن {CUT_WORD} كلمة طويلة.", f"ثم {ONE_LETTER} انتهى."],
                  title="كلمة طويلة", actors=("مصر", "إثيوبيا"), area=("المياه", "النيل"))


def test_a_word_cut_by_its_line_ends_reads_whole_and_once(tmp_path):
    """A word longer than its line is cut between two letters and each piece drawn on a line of its own,
    which every extractor read as several words (a hostile 256-letter title: eight). The head piece's
    codes now carry the whole word and the other pieces nothing. A run of one letter is one code: MuPDF
    drops a character ending within a tenth of an em of the same one before it («ععع…» came out halved)."""
    data = pdf_writer.render(briefkit.loads(CUT))
    for name, have in HAVE.items():
        if not have:
            continue
        text = extract(name, data, True, tmp_path, glued=True)
        for word in (CUT_WORD, ONE_LETTER):
            assert ex.count(word, text) == 1, (name, word[:9], [len(w) for w in ex.words(text) if len(w) > 9])
        assert "\x00" not in text, name
    if HAVE["pdftotext"]:  # a run of one letter in codes that fit poppler's 256-byte ToUnicode token
        run = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
        assert b"Illegal entry" not in run.stderr, run.stderr[:300]
    # and in an English brief, left to right
    word = "Supercalifragilisticexpialidocious" * 5
    data = pdf_writer.render(briefkit.loads(one_section(
        "cut-en", [f"The agency said {word} was the word of the year."], title="Long words",
        actors=("Egypt", "Ethiopia"), area=("Water", "Nile"), lang="en", heading="Details")))
    for name, have in HAVE.items():
        if have and name != "pdfjs":
            assert ex.count(word, extract(name, data, False, tmp_path)) == 1, name


GLUED_LATIN = one_section("glued-latin", ["وEU وUN", "اقترح رباعية تضم AU وEU وUN والولايات المتحدة."],
                          title="الوساطة", actors=("مصر", "إثيوبيا"), area=("المياه", "النيل"))


def test_a_letter_glued_to_a_latin_word_stays_on_its_line_in_mupdf():
    """«وEU»: the letter ends one box and the Latin word is a <bdi> of its own. MuPDF judged the jump back
    to the <bdi> (both sides right to left: the letter, then the mark opening the <bdi>) a new line and read
    «و» / «EU»; a LEFT-TO-RIGHT MARK first makes it a change of direction, which it ignores."""
    if not HAVE["pymupdf"]:
        pytest.skip("pymupdf is not installed here")
    words = ex.words(ex.pymupdf(pdf_writer.render(briefkit.loads(GLUED_LATIN))))
    assert words.count("وeu") == 2 and words.count("وun") == 2, [w for w in words if w in ("و", "eu", "un")]


def test_a_footnote_call_after_punctuation_or_a_year_stays_apart_in_poppler(tmp_path):
    """poppler's reorderText gave the punctuation or the number before a call to the call's left-to-right
    section and glued the call to the word («السكان1 .», «20203 ،» in the flagship). A RIGHT-TO-LEFT MARK
    at the call's reading start, after its zero-width space, ends the section there."""
    body = "والمذكرة الملحقة في آذار 2020[^s]، والتي تنص على التزام. وكان نحو 55% من السكان.[^s] وتأمل أديس أبابا."
    data = pdf_writer.render(briefkit.loads(CALLS.format(title="المياه", lang="ar", a="العراق", b="تركيا", body=body)))
    assert_found(data, {"السكان", "2020", "وتأمل", "والتي"}, tmp_path)
    if HAVE["pdftotext"]:
        got = ex.words(ex.pdftotext(data))
        assert not [w for w in got if re.fullmatch(r"السكان\d+|2020\d+", w)], got


def test_boxes_on_one_drawn_baseline_are_one_line_in_a_narrow_cell(tmp_path):
    """The A5 sample's narrow cells: boxes were compared on their content box's top plus baseline, which
    differs from font to font (Amiri's «و», Noto Sans's <bdi>EU</bdi>), where WeasyPrint draws them on one
    baseline: the box after «EU» passed for a raised footnote call and the «و» before it for a box on
    another line. MuPDF then read «و» / «EU» on two lines, and poppler glued «السكان» to its real call.
    «300 MW» cut by the cell's line end: poppler gave the space after «MW» (the next box's) to «MW» and
    glued «كبديل» to it; a RIGHT-TO-LEFT MARK on that space's right keeps it (and PDFium reads the cell's
    «وEU وUN» line right to left since)."""
    report = briefkit.load(ROOT / "tests" / "regress" / "a5-sources" / "nile-a5.yaml")
    data = pdf_writer.render(report)
    for name, words in (("pymupdf", {"وeu", "وun"}), ("pdftotext", {"وeu", "وun", "السكان", "كبديل"}),
                        ("pypdfium2", {"وeu", "وun"})):
        if HAVE[name]:
            got = set(ex.words(ex.EXTRACTORS[name](data)))
            assert words <= got, (name, sorted(words - got))


def test_the_plain_run_shortcut_writes_what_the_general_plan_writes(monkeypatch):
    """Most runs (one inked glyph per character, no mark, no offset, nothing carried) skip the general plan;
    the PDF must be byte for byte the one the general plan gives (a code given early changed the codes of
    the rest of the document)."""
    report = briefkit.load(CASES / "03-bidi.yaml")
    fast = pdf_writer.render(report)
    monkeypatch.setattr(pdftext, "_FAST_RUNS", False)
    assert pdf_writer.render(report) == fast


ARABIC_IN_ENGLISH = one_section(
    "ar-in-en", ["Dr Salma al-Haddad (د. سلمى الحداد) wrote it.",
                 "The professor أ.د. محمد علي said so.", "He quoted الكرملين: لا بديل and left."],
    title="Notes", actors=("Egypt", "Ethiopia"), area=("Water", "Nile"), lang="en", heading="Details").replace(
    "meta:\n", 'meta:\n  authors: [{name: "Dr Nour Hamdan (د. نور الحمّادي)", role: Author}]\n', 1)


def test_an_arabic_phrase_with_punctuation_in_an_english_line_copies_as_typed(tmp_path):
    """poppler's reorderText counts «.» and «:» with the digits, which end a right-to-left section: it read
    «( سلمى الحداد.د)»; PDFium read the phrase's words in visual order («الحداد سلمى .د»). The run is a
    /Span whose /ActualText is arranged for poppler, around a /Frag for PDFium and MuPDF."""
    data = pdf_writer.render(briefkit.loads(ARABIC_IN_ENGLISH))
    for name, have in HAVE.items():
        if not have:
            continue
        text = extract(name, data, False, tmp_path, glued=True)
        text = ex._DROP.sub("", text)  # poppler's embedding marks around each right-to-left section
        # the author's name: «.» in Noto Sans between Amiri's letters, a shadda (MuPDF puts the two fonts'
        # pieces on two lines and pdf.js reads them as items in visual order, as before: Limits)
        for phrase in ("(د. سلمى الحداد)", "أ.د. محمد علي", "الكرملين: لا بديل",
                       *(("د. نور الحمادي",) if name in ("pdftotext", "pypdfium2") else ())):
            assert phrase in text, (name, phrase, [line for line in text.splitlines() if phrase[-3:] in line])
        assert "\x00" not in text and text.count("سلمى") == 1, name


def _same_ink(source):
    """The glyphs of ``source``'s brief are drawn where WeasyPrint's own drawing puts them (within 0.05 pt)."""
    pymupdf = pytest.importorskip("pymupdf")
    import contextlib

    report = briefkit.loads(source)
    patched = pdf_writer.render(report)
    original = pdftext.exact_text
    pdftext.exact_text = lambda rtl=True: contextlib.nullcontext()
    try:
        stock = pdf_writer.render(report)
    finally:
        pdftext.exact_text = original

    def drawn(data):
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            return [(span["font"], c[1], c[2][0], c[2][1]) for page in doc for span in page.get_texttrace()
                    if span["type"] != 3 and span["opacity"] != 0 for c in span["chars"] if c[1] >= 0 and c[0] != 32]

    new = {}
    for font, gid, x, y in drawn(patched):
        new.setdefault((font, gid, round(y, 1)), []).append(x)
    for font, gid, x, y in drawn(stock):
        xs = new.get((font, gid, round(y, 1)), [])
        assert xs and min(abs(x - v) for v in xs) < 0.05, (font, gid, x, y)


def test_nothing_moves_with_an_arabic_phrase_in_an_english_line():
    _same_ink(ARABIC_IN_ENGLISH)


QUOTED = one_section("quoted", ["تصريحات المتحدث باسم الكرملين: “لا بديل عن الحوار”.",
                                "قالت الوزارة كذلك، (وفق البيان) إن الاتفاق قائم."],
                     title="روسيا", actors=("روسيا", "أوكرانيا"), area=("الحرب", "أوروبا"))


def test_a_colon_or_comma_before_a_quote_stays_on_its_word(tmp_path):
    """poppler's reorderText counts «:» and «،» with the digits: the left-to-right section it started there
    took the quote or bracket after it, and pdftotext read «الكرملين“ :لا» and «كذلك( ،وفق». A zero-width
    RIGHT-TO-LEFT MARK after the mark ends the section."""
    data = pdf_writer.render(briefkit.loads(QUOTED))
    same = str.maketrans({"“": '"', "”": '"', "(": "|", ")": "|"})  # PDFium mirrors both
    for name, have in HAVE.items():
        if not have:
            continue
        text = extract(name, data, True, tmp_path, glued=True)
        text = ex._DROP.sub("", text).translate(same)
        for phrase in ('الكرملين: "لا بديل', "كذلك، |وفق البيان| إن"):
            assert phrase in text, (name, phrase, [line for line in text.splitlines() if phrase[:5] in line])


def test_nothing_moves_with_marks_before_quotes():
    _same_ink(QUOTED)


# ---- brackets (mirror8)

BRACKETS = one_section("brackets", ["وقّعت مذكرة (2019) في سوتشي.", "ثم اتفاق (آذار 2020) في موسكو.",
                                    "مع حلف شمال الأطلسي (ناتو) أمس.", "ونقل موقع (تقارير ودراسات) الخبر.",
                                    "ب) بدون: حلف شمال الأطلسي (NATO) لم يتدخل.",
                                    "ونص [ملحق] و{قيد} و«الناتو» و‹سوتشي› و<أقل> انتهى.",
                                    "قال التقرير (الفصل 3) إن الاتفاق [المادة 5] نافذ.",
                                    "كما ورد في (الاتحاد الأوروبي)[^icg] أمس."],
                       title="الأقواس (تجربة)", actors=("مصر", "تركيا"), area=("الأمن", "ليبيا"),
                       sources=['{id: icg, title: "تقرير (موجز)", publisher: "International Crisis Group", '
                                'date: 2023-05}'])
BRACKETS_EN = one_section("brackets-en", ["The summit (سوتشي) was held in 2019 (see «الناتو»).",
                                          "Turkey (تركيا) and Russia [روسيا] met."],
                          title="Brackets", actors=("Egypt", "Turkey"), area=("Security", "Libya"),
                          heading="Details", lang="en")
_BIDI_MARKS = re.compile("[\u061c\u200b-\u200f\u2060\u202a-\u202e\u2066-\u2069\u00ad]")


def test_brackets_copy_in_their_logical_form(tmp_path):
    """HarfBuzz draws a logical «(» of an Arabic run with the «)» glyph; PDFium (Chrome) mirrors every
    character it reads right to left and copied each Arabic bracket, guillemet and angle bracket
    backwards («)سوتشي(», «»الناتو«»), «(NATO)» too («)NATO )لم»); poppler read «الأطلسي )(NATO لم». Every
    extractor now copies them as typed (direction marks aside). MuPDF and pdf.js read a line holding a
    left-to-right number in the order of its runs on the page, so a bracket beside a number lands on the
    number's other side for them; pdf.js drops «<» and «>» (bidi.js) and reads a heading whose brackets
    come from another font in the order of its pieces (README Limits)."""
    texts = {}
    for which, source in (("ar", BRACKETS), ("en", BRACKETS_EN)):
        data = pdf_writer.render(briefkit.loads(source))
        for name, have in HAVE.items():
            if have:
                raw = extract(name, data, which == "ar", tmp_path, glued=True)
                assert "\x00" not in raw, name
                texts[which, name] = _BIDI_MARKS.sub("", raw)
    arabic = {"(ناتو)", "(تقارير ودراسات)", "[ملحق]", "{قيد}", "«الناتو»", "‹سوتشي›", "(NATO)", "(موجز)",
              "(الاتحاد الأوروبي)"}
    beside_numbers = {"(2019)", "(آذار 2020)", "(الفصل 3)", "[المادة 5]"}
    english = {"(سوتشي)", "«الناتو»", "(تركيا)", "[روسيا]"}
    for (which, name), text in texts.items():
        if which == "ar":
            want = arabic | (set() if name in ("pymupdf", "pdfjs") else beside_numbers) \
                | (set() if name == "pdfjs" else {"<أقل>", "(تجربة)"})
        else:
            want = english  # pdfplumber too: the letters carried in typed order (pdftext._carry_right_to_left)
        missing = sorted(phrase for phrase in want if phrase not in text)
        assert not missing, (which, name, missing)
        # once each (no doubled bracket or word), the title and the source aside
        assert all(text.count(phrase) == 1 for phrase in want - {"(تجربة)", "(موجز)"}), (which, name)


GLUED_UNIT = one_section("glued-unit", ["خط إثيوبيا–السودان بجهد 230 kV، بقدرة فعلية بين 100 و200 MW."],
                         title="الربط الكهربائي", actors=("مصر", "إثيوبيا"), area=("الطاقة", "النيل"))


def test_a_letter_glued_to_a_unit_reads_with_it_in_mupdf_and_pdfium(tmp_path):
    """«و<bdi>200 MW</bdi>»: the letter ends one box (drawn first in it, after «100» in drawing order) and
    the number is a <bdi> drawn after it. MuPDF writes a line's runs in drawing order and read «و 100» /
    «بين200 MW». The letter is now a span PDFium and MuPDF read nothing from, and the first of the
    <bdi>'s PDFium pieces; poppler reads it from a /Span of its own. pdfplumber and pdf.js, which read
    codes in the order of the page («و 100», the <bdi> after the rest), read it from the <bdi>'s first
    word's code, the letter's own code then carrying nothing."""
    data = pdf_writer.render(briefkit.loads(GLUED_UNIT))
    assert_found(data, {"و200", "100", "بين", "فعلية", "mw"}, tmp_path)
    for name in ("pdftotext", "pdfplumber", "pypdfium2", "pymupdf"):
        if HAVE[name]:
            assert ex.words(extract(name, data, True, tmp_path)).count("و200") == 1, name


def test_an_arabic_word_in_an_english_line_reads_as_typed_without_bidi(tmp_path):
    """pdfplumber has no bidi and orders characters by x: it read the Arabic words of an English brief
    reversed («مصر» → «رصم»). The stretch's glyphs now carry its letters in typed order from left to right,
    with WORD JOINERs that keep pdf.js (which reverses right-to-left runs) reading them in place; poppler,
    PDFium and MuPDF read /ActualText as before. Each extractor copies the words as typed, once."""
    source = one_section("ar-words-en", ["Egypt (مصر) and Sudan (السودان) met in Cairo القاهرة today.",
                                         "The dam سد النهضة is on the Blue Nile."],
                         title="Nile talks", actors=("Egypt", "Ethiopia"), area=("Water", "Nile"), lang="en",
                         heading="Details")
    data = pdf_writer.render(briefkit.loads(source))
    for name, have in HAVE.items():
        if not have:
            continue
        text = ex._DROP.sub("", extract(name, data, False, tmp_path))
        for phrase in ("(مصر)", "(السودان)", "القاهرة", "سد النهضة"):
            assert phrase in text or name == "pdfjs" and phrase.replace(" ", "") in text.replace(" ", ""), \
                (name, phrase, [line for line in text.splitlines() if "Cairo" in line or "dam" in line])
        assert text.count("القاهرة") == (2 if name == "pdfjs" else 1), name  # pdf.js: glued + spaced


@pytest.mark.parametrize("source", ["ARABIC_IN_ENGLISH", "BRACKETS_EN"])
def test_nothing_moves_with_arabic_words_in_an_english_line(source):
    _same_ink(globals()[source])


def test_a_letter_handed_to_a_bdi_that_does_not_take_it_is_given_back():
    """The letter's box hands its last one-letter word to the <bdi> that follows a run of its paragraph
    ending with the same text (pdftext._glued_to_bdi): here the paragraph's last box, «ثم 300 ف», ends
    like the run before the <bdi>, and nothing takes its «ف». Its span, written to read nothing in PDFium
    and MuPDF, is given its letter back (they lost it)."""
    source = one_section("handed-back", ["قال ثم 300 ف200 MW ثم 300 ف"], title="اختبار", actors=("مصر", "إثيوبيا"),
                         area=("الطاقة", "النيل"))
    data = pdf_writer.render(briefkit.loads(source))
    for name in ("pypdfium2", "pymupdf", "pdftotext"):
        if HAVE[name]:
            got = ex.words(ex.EXTRACTORS[name](data))
            assert got.count("ف") == 1 and got.count("ف200") == 1, (name, got)


KAF_SHADDA = one_section("kaf-shadda", ["وبالمقارنة، تذكّر الحالة بدور الوكالة الدولية للطاقة الذرية."],
                         title="الوكالة", actors=("مصر", "إثيوبيا"), area=("الطاقة", "النيل"))


def test_a_letter_after_a_marked_letter_does_not_cut_the_word_for_pdfjs(tmp_path):
    """«تذكّر»: Amiri draws the «ذ» after the kaf shifted back (an x offset), which the text layer
    folds into the kaf's advance, but the kaf's shadda, drawn between them, stopped the folding: pdf.js,
    which gives a mark's code no advance, met the «ذ» 0.3 em back and started a new text item there
    («وبالمقارنة، تذ» and «كّر الحالة» read in visual order)."""
    data = pdf_writer.render(briefkit.loads(KAF_SHADDA))
    assert_found(data, {"تذكر", "وبالمقارنة", "الحالة"}, tmp_path)
    _same_ink(KAF_SHADDA)


def test_a_url_too_long_to_carry_whole_keeps_its_words_apart(tmp_path):
    """A URL whose scheme and host are a nowrap box of their own and whose rest is too long for the first
    box's code to carry (MAX_CARRIED), in a timeline cell of an authoring sample: pdfplumber, reading right
    to left, put the rest just before the host and glued the URL's last word to its scheme
    («3739https»). The rest's first chunk now ends at its last punctuation."""
    data = pdf_writer.render(briefkit.load(ROOT / "tests" / "authoring" / "02-ar-opec-gas-bom-crlf.yaml"))
    assert_found(data, {"3739", "https", "itemid", "qatarenergy"}, tmp_path)


# ---- a number with its % or currency sign (blind8 F6)

SIGNS = one_section("signs", ["يخفض السد ذروة الفيضان بتقليل الطمي بنسبة 80–90%.",
                              "ويقلل السد الطمي بنسبة 80–90%، ما يطيل عمرهما التشغيلي",
                              "قد تبلغ 10–20% في سنوات الجفاف الممتد",
                              "تبيع الكهرباء بأسعار تفضيلية (نحو $0.07 لكل kWh).",
                              "ارتفع التضخم 3.5% في العام الماضي",
                              "الكلفة €5 للوحدة الواحدة",
                              "نمو 10–20٪ سنويا في القطاع"],
                    title="سد النهضة", actors=("مصر", "إثيوبيا"), area=("المياه", "النيل"))
# (expected text, the extractors that copy it as typed). Left out (README: Limits): PDFium reads a space
# between a cut number («80–90») and its «%»; pdfplumber a space before the comma after a «%»; MuPDF and
# pdf.js write a line holding a plain number («3.5%», «€5») in visual order.
SIGN_CASES = {
    "range, %, full stop": ("بنسبة 80–90%.", {"pdftotext", "pdfplumber", "pymupdf", "pdfjs"}),
    "range, %, comma": ("بنسبة 80–90%، ما يطيل", {"pdftotext", "pymupdf", "pdfjs"}),
    "range, %, next word": ("تبلغ 10–20% في سنوات", {"pdftotext", "pdfplumber", "pymupdf", "pdfjs"}),
    "$ before a number": ("(نحو $0.07 لكل kWh", {"pdftotext", "pdfplumber", "pypdfium2", "pymupdf", "pdfjs"}),
    "% after a decimal": ("التضخم 3.5% في العام", {"pdftotext", "pdfplumber", "pypdfium2"}),
    "€ before a plain number": ("الكلفة €5 للوحدة", {"pdftotext", "pdfplumber", "pypdfium2"}),
    "range, Arabic percent sign": ("نمو 10–20٪ سنويا", {"pdftotext", "pdfplumber", "pymupdf", "pdfjs"}),
}


@lru_cache(maxsize=None)
def _sign_texts():
    """Each installed extractor's copy of SIGNS: invisible marks dropped, runs of spaces as one (pdfplumber
    doubles some), MuPDF's line breaks between a <bdi> and the boxes around it dropped."""
    import tempfile
    from pathlib import Path

    data = pdf_writer.render(briefkit.loads(SIGNS))
    with tempfile.TemporaryDirectory() as tmp:    # pdf.js as Firefox's find reads it: the text items glued
        texts = {name: extract(name, data, True, Path(tmp), glued=True) for name, have in HAVE.items() if have}
    out = {}
    for name, text in texts.items():
        text = ex._DROP.sub("", text)
        out[name] = re.sub(" {2,}", " ", text.replace("\n", "") if name == "pymupdf" else text)
    return out


@pytest.mark.parametrize("case", SIGN_CASES)
def test_a_number_with_its_sign_copies_as_typed(case):
    """In an Arabic line «80–90%.» copied as «80–90.%» (pdftotext, pdf.js), «80–90%، ما» as «80–90 ،%ما»
    and «10–20% في» as «10–20 %في» (pdftotext); MuPDF put the «%» at the end of its line and «$» of
    «$0.07» before the line; pdftotext read «0.07$», «3.5 %في» and «5€». The number is a <bdi> (or a
    left-to-right run) and the sign stays on the Arabic side, as the bidi algorithm has it: direction
    marks beside the sign keep it and the punctuation after it in place (_sign_after, SIGN_MARK)."""
    expected, names = SIGN_CASES[case]
    texts = _sign_texts()
    for name in sorted(names & set(texts)):
        assert expected in texts[name], (name, case, texts[name][texts[name].find(expected[:4]) - 20:][:80])


def test_nothing_moves_with_signs_beside_numbers():
    _same_ink(SIGNS)


# (each paragraph one line: MuPDF glues a line's last word to a number on its right, README Limits)
ERAS = one_section("eras", ["وقّعت الحكومة الاتفاق عام 1442ه بعد مفاوضات طويلة.",
                            "ثم أعلنت الخطة سنة 2021م في القاهرة.",
                            "بدأ الملء في 2020 (ذو القعدة 1441هـ) بحجز نحو 4.9 مليار."],
                   title="سد النهضة", actors=("مصر", "إثيوبيا"), area=("المياه", "النيل"), relation="rivalry")


def test_a_letter_glued_after_a_number_reads_with_it(tmp_path):
    """A year's era glued after it («1442ه», «1446هـ», «2021م»), drawn on the number's left: MuPDF and pdf.js
    wrote the line's runs in visual order and read «ه بعد … سنة1442»; the letter (and its tatweel) joins
    the number's pieces, as a letter glued before does (pdftext._carry: suffix). MuPDF also glued the
    Arabic run right of the number to the next stretch («سنة1442ه»): the space right of a number now
    splits into a left-to-right half and a right-to-left one."""
    data = pdf_writer.render(briefkit.loads(ERAS))
    assert_found(data, {"1442ه", "2021م", "1441ه", "عام", "بعد", "سنة", "في", "نحو", "بحجز", "القعدة"}, tmp_path)
