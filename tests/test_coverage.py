"""Characters: validate refuses what no shipped face draws (at the character's line:col), both formats
draw the rest with the same shipped faces, and a build sees no system font."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from xml.etree import ElementTree
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from docx.oxml.ns import qn

import briefkit
from briefkit.errors import ReportError
from briefkit.resources import FALLBACK_FAMILIES, FONT_FILES, STACKS, fonts_dir, templates_dir
from briefkit.writers import docx as docx_writer
from briefkit.writers import html as html_writer
from briefkit.writers import pdf as pdf_writer

ROOT = Path(__file__).resolve().parents[1]

REFUSED = """\
briefkit: 1
meta: {title: "عنوان", lang: ar}
actors: [{id: a, name: تركيا}, {id: b, name: روسيا}]
areas:
  - id: x
    title: ملف
    region: R
    relation: mixed
    summary: "نص 中国 نص"
    positions: {a: "موقف", b: "ok ก"}
sections:
  - id: s
    heading: قسم
    body:
      - "Seoul \\uD55C"
      - {quote: نص, by: "*x* क"}
      - "→ ✓ ≤ ≈ ★ 😀 ⚠️ 👍🏽 שלום Ελλάδα"
"""


def test_validate_reports_each_uncovered_character_at_its_line_and_column(tmp_path):
    path = tmp_path / "refused.yaml"
    path.write_text(REFUSED, encoding="utf-8")
    with pytest.raises(ReportError) as info:
        briefkit.load(path)
    got = [(p.line, p.col, p.path, p.message.split(":")[0]) for p in info.value.problems]
    assert got == [
        (9, 18, "areas[0].summary", "U+4E2D CJK UNIFIED IDEOGRAPH-4E2D (中)"),
        (9, 19, "areas[0].summary", "U+56FD CJK UNIFIED IDEOGRAPH-56FD (国)"),
        (10, 35, "areas[0].positions.b", "U+0E01 THAI CHARACTER KO KAI (ก) cannot be typeset"),
        (15, 16, "sections[0].body[0]", "U+D55C HANGUL SYLLABLE HAN (한)"),     # written as an escape: at the escape
        (16, 30, "sections[0].body[1].by", "U+0915 DEVANAGARI LETTER KA (क) cannot be typeset"),
    ]
    cjk = info.value.problems[0].message
    assert "Chinese, Japanese and Korean text cannot be typeset" in cjk and "Latin or Arabic letters" in cjk
    assert "see README, Characters" in info.value.problems[2].message
    assert str(info.value.problems[2]).startswith(f"{path}:10:35: areas[0].positions.b: U+0E01 THAI")


def test_validate_names_at_most_five_characters_per_value(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text(REFUSED.replace("ok ก", "กขคฆงจฉช"), encoding="utf-8")
    with pytest.raises(ReportError) as info:
        briefkit.load(path)
    mine = sorted((p.line, p.col, p.message[:6]) for p in info.value.problems if p.path == "areas[0].positions.b")
    # five characters at their columns, and the rest summed up at the value's opening quote
    assert mine == [(10, 31, "... an"), (10, 32, "U+0E01"), (10, 33, "U+0E02"), (10, 34, "U+0E04"),
                    (10, 35, "U+0E06"), (10, 36, "U+0E07")]


FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467"  # one emoji: man ZWJ woman ZWJ girl
SYMBOLS = f"→ ✓ ≤ ≈ ★ € ₺ ₽ ﷼ ₹ ² Erdoğan Çavuşoğlu Łukaszenka Ελλάδα Россия ☎ ① 😀 שלום {FAMILY}"

BUILT = f"""\
briefkit: 1
meta: {{title: "الرموز", lang: ar}}
actors: [{{id: a, name: تركيا}}, {{id: b, name: روسيا}}]
areas:
  - id: x
    title: ملف
    region: R
    relation: mixed
    summary: "نص *NATO* نص"
    positions: {{a: "موقف *Erdoğan*", b: "موقف *Lavrov* ★"}}
sections:
  - id: s
    heading: قسم
    body:
      - "نص {SYMBOLS} نص"
      - {{quote: "نص", by: "*Mevlüt Çavuşoğlu*, 2019"}}
"""

# The face that must draw each character of a body paragraph (Amiri first, then Noto Sans, then the
# fallback faces): read from the fonts' tables when the fonts were chosen, written out here.
BODY_FACE = {
    "→": "Noto Sans Math", "✓": "Noto Sans Symbols2", "≤": "Noto Sans Math", "≈": "Noto Sans Math",
    "★": "Noto Sans Symbols2", "€": "Amiri", "₺": "Noto Sans", "₽": "Noto Sans", "﷼": "Amiri",
    "₹": "Noto Sans", "²": "Amiri", "ğ": "Amiri", "Ł": "Amiri", "λ": "Noto Sans", "Р": "Noto Sans",
    "☎": "Noto Sans Symbols2", "①": "Noto Sans Symbols", "😀": "Noto Emoji", "ש": "Noto Sans Hebrew",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("cov") / "symbols.yaml"
    path.write_text(BUILT, encoding="utf-8")
    report = briefkit.load(path)
    pdf, _ = pdf_writer.render_document(report)
    return pdf, docx_writer.render(report)


def _family(pdf_font_name: str) -> str:
    """'ABCDEF+Noto-Sans-Symbols2-Bold' → 'Noto Sans Symbols2' (the shipped family whose name it starts with)."""
    name = pdf_font_name.split("+", 1)[-1]
    return max((f for f in FONT_FILES if name == f.replace(" ", "-") or name.startswith(f.replace(" ", "-") + "-")),
               key=len)


def _pdf_chars(pdf: bytes) -> list[dict]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [c for page in doc.pages for c in page.chars]


def test_symbols_and_names_render_in_the_pdf_with_shipped_faces(built, tmp_path):
    pdf, _ = built
    chars = _pdf_chars(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "\n".join(page.extract_text() for page in doc.pages)
    for word in ("Erdoğan", "Çavuşoğlu", "Łukaszenka", "Ελλάδα", "Россия", "NATO", "Lavrov"):
        assert word in text, word
    # The text layer may carry a whole Latin word, or a ligature's letters, on one glyph: read each
    # glyph's text character by character.
    seen = {ch for c in chars for ch in c["text"]}
    for ch in "→✓≤≈★€₺₽﷼₹²☎①😀שלום":
        assert ch in seen, ch
    # the ZWJ sequence is drawn by the emoji face; the text layer spreads its letters over the glyph's width
    assert set(FAMILY) <= {ch for c in chars if "Emoji" in c["fontname"] for ch in c["text"]}
    faces = {}
    for c in chars:
        for ch in c["text"]:
            faces.setdefault(ch, set()).add(_family(c["fontname"]))
    for ch, family in BODY_FACE.items():
        assert family in faces[ch], (ch, faces[ch])
    (tmp_path / "s.pdf").write_bytes(pdf)
    listed = subprocess.run(["pdffonts", str(tmp_path / "s.pdf")], check=True, capture_output=True,
                            text=True).stdout.splitlines()[2:]
    assert listed
    for row in listed:
        _family(row.split()[0])  # raises ValueError (max of nothing) for a font briefkit does not ship


def test_docx_draws_each_symbol_with_the_pdfs_face_and_embeds_it(built):
    _, data = built
    doc = Document(io.BytesIO(data))
    face = {}
    for p in doc.paragraphs:
        if "Erdoğan" not in p.text:
            continue
        for run in p.runs:
            fonts = run._r.rPr.find(qn("w:rFonts")) if run._r.rPr is not None else None
            family = fonts.get(qn("w:ascii")) if fonts is not None else None
            for ch in run.text:
                face[ch] = family or "Amiri"   # no override: the body style's Amiri
    assert {ch: face[ch] for ch in BODY_FACE} == BODY_FACE
    # a ZWJ sequence stays in one run, or no renderer can form its single glyph
    assert any(FAMILY in run.text for p in doc.paragraphs for run in p.runs)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        table = ElementTree.fromstring(z.read("word/fontTable.xml"))
    embedded = {f.get(qn("w:name")) for f in table.iter(qn("w:font")) if f.find(qn("w:embedRegular")) is not None}
    for family in ("Noto Sans Math", "Noto Sans Symbols", "Noto Sans Symbols2", "Noto Sans Hebrew", "Noto Emoji"):
        assert family in embedded, (family, embedded)


def test_italic_latin_in_the_table_and_a_quotes_by_uses_the_shipped_italic(built):
    pdf, _ = built
    chars = _pdf_chars(pdf)
    italic = {ch for c in chars if c["fontname"].split("+", 1)[-1] == "Noto-Sans-Italic" for ch in c["text"]}
    assert set("NATOErdoğanLavrovMevlütÇavuşoğlu") <= italic


def test_css_font_stacks_are_the_table_stacks():
    css = (templates_dir() / "brief.css").read_text(encoding="utf-8")
    stacks = {tuple(f.strip().strip('"') for f in m.split(","))
              for m in re.findall(r"font-family:\s*([^;}]+)", css) if "," in m}
    assert stacks and stacks <= set(STACKS.values()), stacks - set(STACKS.values())
    assert set(re.findall(r'font-family:\s*"([^"]+)";\s*src', css)) <= set(FONT_FILES)


# ---- no system font --------------------------------------------------------------------------------------

def test_renderer_sees_only_shipped_fonts():
    from weasyprint.text.ffi import ffi, fontconfig

    _, font_config = pdf_writer._weasy()
    fonts = fontconfig.FcConfigGetFonts(font_config._config, fontconfig.FcSetSystem)
    files = set()
    string = ffi.new("FcChar8 **")
    for i in range(fonts.nfont):
        fontconfig.FcPatternGetString(fonts.fonts[i], b"file", 0, string)
        files.add(Path(ffi.string(string[0]).decode()))
    assert files == {fonts_dir() / f for faces in FONT_FILES.values() for f in faces.values()}
    assert "briefkit-fc-" not in os.environ.get("FONTCONFIG_FILE", "")  # the private setting did not leak


def test_a_css_request_for_a_system_font_gets_a_shipped_one(tmp_path):
    html = html_writer.render_string(briefkit.load(ROOT / "tests" / "cases" / "01-minimal.yaml"))
    html = html.replace("<h1 ", '<h1 style="font-family: DejaVu Sans, sans-serif" ', 1)
    (tmp_path / "d.pdf").write_bytes(pdf_writer.render_html(html))
    rows = subprocess.run(["pdffonts", str(tmp_path / "d.pdf")], check=True, capture_output=True,
                          text=True).stdout.splitlines()[2:]
    assert rows and not [r for r in rows if "DejaVu" in r]
    for row in rows:
        _family(row.split()[0])


def test_a_build_opens_no_font_file_outside_briefkit(tmp_path):
    strace = subprocess.run(["which", "strace"], capture_output=True, text=True).stdout.strip()
    if not strace:
        pytest.skip("strace is not installed (scripts/setup.sh installs it)")
    if subprocess.run([strace, "-o", os.devnull, "true"], capture_output=True).returncode:
        pytest.skip("this machine does not allow ptrace")
    path = tmp_path / "symbols.yaml"
    path.write_text(BUILT, encoding="utf-8")
    log = tmp_path / "trace"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([strace, "-f", "-qq", "-e", "trace=open,openat", "-o", str(log), sys.executable, "-m",
                    "briefkit", "build", str(path), "-o", str(tmp_path / "out"), "--format", "pdf,docx",
                    "--quiet"], check=True, env=env, capture_output=True)
    opened = set(re.findall(r'open(?:at)?\((?:AT_FDCWD, )?"([^"]+\.(?:ttf|otf|ttc|pfb|pfa|woff2?))"',
                            log.read_text()))
    assert opened, "the trace saw no font file at all"
    outside = {f for f in opened if not Path(f).resolve().is_relative_to(fonts_dir().resolve())}
    assert not outside
    assert (tmp_path / "out" / "symbols.pdf").exists()


def test_fallback_order_is_the_fontconfig_order():
    from briefkit.coverage import fontconfig_conf

    conf = fontconfig_conf()
    assert re.findall(r"<string>([^<]+)</string>", conf) == list(FALLBACK_FAMILIES)
    assert re.findall(r"<dir>([^<]+)</dir>", conf) == [str(fonts_dir())]


def test_validate_and_build_agree_on_an_alias(tmp_path):
    # Aliases are not printed, but the writers' last-line check reads them: validate must refuse first.
    path = tmp_path / "alias.yaml"
    path.write_text(REFUSED.replace("{id: a, name: تركيا}", "{id: a, name: تركيا, aliases: [土耳其]}")
                    .replace("中国", "").replace("ok ก", "ok").replace("\\uD55C", "").replace(" क", ""),
                    encoding="utf-8")
    with pytest.raises(ReportError) as info:
        briefkit.load(path)
    assert [(p.line, p.col, p.path) for p in info.value.problems] == [(3, c, "actors[0].aliases[0]") for c in (41, 42, 43)]


def test_coverage_table_is_the_fonts_cmaps():
    # fonts/coverage.json lets validate skip opening fonts; it must say what the files say.
    import json

    from fontTools.ttLib import TTFont

    table = json.loads((fonts_dir() / "coverage.json").read_text(encoding="utf-8"))
    files = {f for faces in FONT_FILES.values() for f in faces.values()}
    assert files <= set(table)
    for name in files:
        with TTFont(fonts_dir() / name, lazy=True) as font:
            cmap = set(font.getBestCmap())
        assert {cp for lo, hi in table[name] for cp in range(lo, hi + 1)} == cmap, name


def test_docx_with_fallback_faces_is_the_same_bytes_in_every_process(tmp_path):
    # The embedded fallback faces come out of a set: their order must not follow the string hash seed.
    path = tmp_path / "symbols.yaml"
    path.write_text(BUILT, encoding="utf-8")
    code = ("import sys, briefkit; from briefkit.writers import docx; "
            "sys.stdout.buffer.write(docx.render(briefkit.load(sys.argv[1])))")
    outs = [subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True,
                           env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED=seed)).stdout
            for seed in ("1", "2")]
    assert outs[0] == outs[1] and outs[0][:2] == b"PK"
