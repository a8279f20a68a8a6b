"""The hostile corpus (tests/hostile): each file says what must happen to it, and the CLI does exactly that.

A case's first line ``# expect: EXIT | words | ...`` (or its line in tests/hostile/EXPECT) gives the exit code of
``validate`` and words its message must contain; ``render`` marks a valid case that is built and scanned; EXIT 3
is a valid report that ``build`` must refuse. Generated cases (too big, binary or needing symlinks) follow.
"""
from __future__ import annotations

import io
import json
import os
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefkit.cli import main

HOSTILE = Path(__file__).parent / "hostile"
CASES = sorted(p for p in HOSTILE.iterdir() if p.is_file() and p.name != "EXPECT")
LINE = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<path>\S+): (?P<msg>.+)$")
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                    "\ud800-\udfff]")
"""What a message must never carry raw (the newline that ends each line aside)."""


def _expectations() -> dict[str, tuple[int, list[str], bool]]:
    out = {}
    listed = [ln for ln in (HOSTILE / "EXPECT").read_text(encoding="utf-8").splitlines()
              if ln.strip() and not ln.startswith("#")]
    for ln in listed:
        name, spec = ln.split(": ", 1)
        out[name] = spec
    for p in CASES:
        first = p.read_bytes().split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf").rstrip(b"\r")
        if first.startswith(b"# expect: "):
            assert p.name not in out, f"{p.name} has two expectations"
            out[p.name] = first.decode("utf-8")[len("# expect: "):]
    parsed = {}
    for name, spec in out.items():
        code, *words = [w.strip() for w in spec.split(" | ")]
        render = "render" in words
        parsed[name] = (int(code), [w for w in words if w != "render"], render)
    return parsed


EXPECT = _expectations()


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def assert_safe_lines(stderr: str, name: str) -> list[re.Match]:
    """Every line is one problem, FILE:LINE:COL: PATH: message, with nothing a terminal would obey."""
    assert not UNSAFE.search(stderr), f"raw control in {stderr!r}"
    matches = []
    for line in stderr.splitlines():
        m = LINE.match(line)
        assert m and m["file"] == name, f"not one problem per line: {line!r}"
        matches.append(m)
    return matches


def test_corpus_is_large_and_every_case_says_what_must_happen():
    assert len(CASES) >= 50
    assert sorted(EXPECT) == sorted(p.name for p in CASES)
    assert {code for code, _, _ in EXPECT.values()} == {0, 1, 3}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_validate(case, monkeypatch):
    monkeypatch.chdir(HOSTILE)
    code, words, _ = EXPECT[case.name]
    got, out, err = run(["validate", case.name, "--json"])
    assert got == (0 if code in (0, 3) else code), err
    doc = json.loads(out)  # --json always prints valid JSON, whatever the values
    assert doc["exit_code"] == got
    lines = assert_safe_lines(err, case.name)
    if code == 1:
        assert lines and all(int(m["line"]) >= 1 and int(m["col"]) >= 1 for m in lines
                             if "larger than" not in m["msg"])
        for word in words:
            assert word in err, f"{word!r} not in {err!r}"
        assert [e["message"] for e in doc["reports"][0]["errors"]] == [m["msg"] for m in lines]
    else:
        assert err == ""


# ---- one build of the whole corpus: statuses, no file for a refused report, outputs scanned ----------------

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _allowed_uri(uri: str) -> bool:
    return re.match(r"(?i)(https?://[^/\s]|mailto:)", uri.strip()) is not None


def scan_pdf(data: bytes) -> list[str]:
    """Links in a PDF: refuses embedded files, scripts, launch actions and non-web URIs anywhere."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject

    reader = PdfReader(io.BytesIO(data))
    uris = []
    bad_keys = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/GoToR",
                "/ImportData", "/SubmitForm", "/OpenAction", "/AA", "/XFA"}

    def visit(obj, seen):
        obj = obj.get_object() if hasattr(obj, "get_object") else obj
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, DictionaryObject):
            assert not bad_keys & set(obj.keys()), sorted(bad_keys & set(obj.keys()))
            assert obj.get("/Type") not in ("/EmbeddedFile", "/Filespec")
            assert obj.get("/S") in (None, "/URI", "/GoTo", "/Transparency", "/Alpha", "/Luminosity"), obj.get("/S")
            if "/URI" in obj:
                uris.append(str(obj["/URI"]))
            for key, value in obj.items():
                if key not in ("/Parent", "/P", "/Pg"):
                    visit(value, seen)
        elif isinstance(obj, ArrayObject):
            for value in obj:
                visit(value, seen)

    visit(reader.trailer, set())
    assert all(_allowed_uri(u) for u in uris), uris
    return uris


XHTML, SVG = "http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg"


def scan_docx(data: bytes) -> None:
    """Every XML element of the package is OOXML (no HTML element from the input); relationships point inside
    the package or to web addresses."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            root = etree.fromstring(z.read(name))
            for el in root.iter():
                if isinstance(el.tag, str):
                    assert el.tag.startswith("{"), f"{name}: element <{el.tag}> has no namespace"
                    assert etree.QName(el).namespace not in (XHTML, SVG), f"{name}: <{el.tag}>"
            if name.endswith(".rels"):
                for rel in root:
                    target = rel.get("Target", "")
                    if rel.get("TargetMode") == "External":
                        assert _allowed_uri(target), target
                    else:
                        assert ":" not in target and ".." not in target.split("/")[:-1] or \
                            target.startswith("../"), target


def scan_html(text: str) -> None:
    parser = _Tags()
    parser.feed(text)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "img", "iframe", "object", "embed", "form"), tag
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)
        if tag == "a":
            href = attrs.get("href") or ""
            assert href.startswith("#") or _allowed_uri(href), href
        if tag == "link":
            assert not re.match(r"(?i)\s*(file|javascript|data):", attrs.get("href") or ""), attrs


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile-out")
    code, stdout, stderr = run(["build", str(HOSTILE), "-o", str(out), "--format", "pdf,docx,html",
                                "--jobs", "1", "--quiet", "--json", "--no-cache"])
    return code, json.loads(stdout), stderr, out


def test_build_of_the_corpus(corpus_build):
    code, doc, stderr, out = corpus_build
    assert code == 3  # a render refusal (the runaway brief) wins over invalid reports
    status = {Path(r["input"]).name: r for r in doc["reports"]}
    assert sorted(status) == sorted(p.name for p in CASES)
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    expected_files = []
    for name, (want, words, _) in EXPECT.items():
        r = status[name]
        assert r["status"] == {0: "built", 1: "invalid", 3: "failed"}[want], (name, r["errors"])
        if want == 0:
            stem = r["id"]
            expected_files += [f"{stem}.docx", f"{stem}.html", f"{stem}.pdf"]
        else:
            assert r["outputs"] == []
        if want == 3:
            msg = r["errors"][-1]["message"]
            assert all(w in msg for w in words), msg
    assert written == sorted(expected_files)  # no file for a refused report, nothing else left behind
    for line in stderr.splitlines():
        assert not UNSAFE.search(line) and LINE.match(line), line


def test_built_outputs_are_safe(corpus_build):
    _, doc, _, out = corpus_build
    built = [r for r in doc["reports"] if r["status"] == "built"]
    assert built
    for r in built:
        files = {o["format"]: Path(o["path"]) for o in r["outputs"]}
        uris = scan_pdf(files["pdf"].read_bytes())
        scan_docx(files["docx"].read_bytes())
        scan_html(files["html"].read_text(encoding="utf-8"))
        if r["id"] == "html-script-css-everywhere":
            assert "https://example.org/%3Cx%3E" in uris or any("example.org" in u for u in uris)


def test_html_everywhere_is_shown_as_typed(corpus_build):
    """The markup typed in every field is text in the brief: visible in the PDF, escaped in the DOCX XML."""
    from pypdf import PdfReader

    _, doc, _, out = corpus_build
    pdf = PdfReader(out / "html-script-css-everywhere.pdf")
    text = "".join(page.extract_text() for page in pdf.pages)
    # Mixed with Arabic, pypdf mirrors the brackets; the words of the markup must be there, as text.
    assert text.count("script") >= 4 and "onerror=alert" in text and "display:none" in text
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(out / "html-script-css-everywhere.docx") as z:
        root = etree.fromstring(z.read("word/document.xml"))
    isolates = re.compile("[\u2066-\u2069]")  # the DOCX writer isolates Latin runs inside Arabic lines
    paragraphs = [isolates.sub("", "".join(t.text or "" for t in p.iter(f"{w}t"))) for p in root.iter(f"{w}p")]
    assert sum("<script>alert(1)</script><img src=x onerror=alert(2)>" in p for p in paragraphs) >= 10
    assert any("<w:r><w:t>injected</w:t></w:r>]]><!--" in p for p in paragraphs)
    assert not [el for el in root.iter() if isinstance(el.tag, str) and not el.tag.startswith("{")]


def test_long_core_properties_are_cut_not_fatal(corpus_build):
    from docx import Document

    _, _, _, out = corpus_build
    cp = Document(str(out / "docx-core-properties-long.docx")).core_properties
    assert len(cp.title) <= 255 and cp.title.startswith("ع" * 200) and cp.title.endswith("…")
    assert len(cp.author) <= 255 and cp.author.startswith("مؤلف 0")
    assert len(cp.keywords) <= 255 and len(cp.subject) <= 255


# ---- generated cases ------------------------------------------------------------------------------------

MINIMAL = """briefkit: 1
meta:
  title: "{title}"
actors:
  - {{id: tr, name: تركيا}}
  - {{id: ru, name: روسيا}}
areas:
  - {{id: syria, title: الملف السوري, region: الشرق الأوسط, relation: rivalry{extra}}}
"""


def validate(path: Path) -> tuple[int, str, dict]:
    code, out, err = run(["validate", str(path), "--json"])
    assert_safe_lines(err, _shown(str(path)))
    return code, err, json.loads(out)


def _shown(name: str) -> str:
    from briefkit.errors import safe

    return safe(name)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_ten_thousand_deep(tmp_path, suffix):
    p = tmp_path / f"deep{suffix}"
    p.write_text('{"briefkit": 1, "x": ' + "[" * 10_000 + "]" * 10_000 + "}")
    code, err, _ = validate(p)
    assert code == 1 and "nests deeper than 50 levels" in err


def test_fifty_megabyte_file(tmp_path):
    p = tmp_path / "big.yaml"
    with open(p, "wb") as f:
        f.write(b"briefkit: 1\n")
        f.truncate(50 * 1024 * 1024)
    code, err, _ = validate(p)
    assert code == 1 and err == f"{p}:0:0: (root): the file is larger than 5 MB\n"


def test_one_megabyte_text_aliased_150000_times(tmp_path):
    p = tmp_path / "amplified.yaml"
    p.write_text("briefkit: 1\nmeta:\n  title: &t " + "x" * 1_000_000 + "\nactors:\n"
                 + "  - *t\n" * 150_000)
    code, err, _ = validate(p)
    assert code == 1 and "expands to more than 10,000,000 characters" in err
    assert err.startswith(f"{p}:13:5:")  # the ninth alias crosses the budget (keys count too)


def test_unclosed_footnotes_in_64_kb_validate(tmp_path):
    p = tmp_path / "notes.yaml"
    p.write_text(MINIMAL.format(title="t", extra=", summary: \"" + "[^" * 32_768 + "\""))
    code, err, doc = validate(p)
    assert code == 0, err


def test_every_control_character_is_refused_at_its_place(tmp_path):
    from briefkit.errors import ReportError
    from briefkit.loader import loads

    controls = [c for c in range(0x00, 0xA0) if (c < 0x20 or c >= 0x7F) and c not in (0x09, 0x0A)]
    for cp in controls:
        ch = chr(cp)
        forms = {"escaped": MINIMAL.format(title=f"a\\x{cp:02x}b", extra="")}
        if ch not in "\r\x85":  # both are line breaks to YAML
            forms["raw"] = MINIMAL.format(title=f"a{ch}b", extra="")
        for form, text in forms.items():
            with pytest.raises(ReportError) as info:
                loads(text, "c.yaml")
            (p,) = info.value.problems
            assert (p.line, f"U+{cp:04X}" in p.message) == (3, True), (form, cp, str(p))
            assert p.col == 12, (form, cp, str(p))  # the character itself, typed or escaped
            assert "\n" not in str(p) and not UNSAFE.search(str(p))
        with pytest.raises(ReportError):
            loads(json.dumps({"briefkit": 1, "meta": {"title": f"a{ch}b"}}), "c.json")


def test_raw_next_line_in_a_title_is_a_line_break_not_a_control():
    from briefkit.loader import loads

    r = loads(MINIMAL.format(title="a\x85b", extra=""), "c.yaml")
    assert "\x85" not in r.meta.title


def test_file_name_with_controls_is_escaped(tmp_path):
    p = tmp_path / "evil\x1b[2J\u202e\nname.yaml"
    p.write_text(MINIMAL.format(title="t", extra=", relation: x"))
    code, out, err = run(["validate", str(p), "--json"])
    assert code == 1 and "\x1b" not in err and "\u202e" not in err and len(err.splitlines()) >= 1
    assert "evil\\x1b[2J\\u202e\\nname.yaml" in err
    assert json.loads(out)["reports"][0]["input"].endswith("evil\\x1b[2J\\u202e\\nname.yaml")


def test_surrogate_in_file_name_json_still_printed(tmp_path):
    name = os.fsdecode(b"bad\xff.yaml")  # an undecodable byte becomes a lone surrogate in Python
    p = tmp_path / name
    p.write_text(MINIMAL.format(title="t", extra=", relation: x"))
    code, out, err = run(["validate", str(p), "--json"])
    assert code == 1 and json.loads(out)["reports"][0]["status"] == "invalid"
    out.encode("utf-8")
    err.encode("utf-8")


@pytest.fixture
def logo_folder(tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)

    def report(logo: str) -> Path:
        p = folder / "r.yaml"
        p.write_text(MINIMAL.format(title="t", extra="").replace(
            'title: "t"', f'title: "t"\n  publisher: {{name: n, logo: "{logo}"}}'))
        return p
    return folder, report


def test_logo_symlinks_out_of_the_folder(logo_folder):
    folder, report = logo_folder
    (folder / "out.png").symlink_to(folder.parent / "secret.png")
    (folder / "zero.png").symlink_to("/dev/zero")
    (folder / "sub").symlink_to(folder.parent)
    for logo in ("out.png", "zero.png", "sub/secret.png"):
        code, err, _ = validate(report(logo))
        assert code == 1 and f"'{logo}' leaves the report's folder" in err, err


def test_logo_fifo_does_not_hang(logo_folder):
    folder, report = logo_folder
    os.mkfifo(folder / "pipe.png")
    code, err, _ = validate(report("pipe.png"))
    assert code == 1 and "'pipe.png' is not a regular file" in err


def test_logo_images_checked_at_validate(logo_folder):
    from PIL import Image

    folder, report = logo_folder
    Image.new("RGB", (40, 20), "red").save(folder / "ok.png")
    Image.new("RGB", (40, 20), "red").save(folder / "ok.jpg", format="JPEG")
    Image.new("L", (10_001, 1)).save(folder / "wide.png")
    (folder / "jpeg-named.png").write_bytes((folder / "ok.jpg").read_bytes())
    good = (folder / "ok.png").read_bytes()
    (folder / "crc.png").write_bytes(good[:40] + bytes([good[40] ^ 0xFF]) + good[41:])
    assert validate(report("ok.png"))[0] == 0
    assert validate(report("ok.jpg"))[0] == 0
    assert validate(report("jpeg-named.png"))[0] == 0  # the content decides, and it is a real JPEG
    code, err, _ = validate(report("wide.png"))
    assert code == 1 and "is 10001 × 1 pixels" in err
    code, err, _ = validate(report("crc.png"))
    assert code == 1 and "is not a readable PNG image" in err


def test_no_library_warning_reaches_the_user(logo_folder, capfd):
    """A decompression-bomb-sized logo is refused by our own message; Pillow's warning is never printed."""
    import struct
    import warnings
    import zlib

    folder, report = logo_folder

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))

    ihdr = struct.pack(">IIBBBBB", 9_999, 9_999, 8, 2, 0, 0, 0)  # 100 MP: over Pillow's bomb threshold
    (folder / "bomb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                                      + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, err, _ = validate(report("bomb.png"))
    assert code == 1 and "is 9999 × 9999 pixels" in err
    assert not caught
    assert "Warning" not in capfd.readouterr().err


# ---- the page budget -------------------------------------------------------------------------------------

def test_page_estimate_is_near_the_real_count(corpus_build):
    """The estimate, against the page counts WeasyPrint reported for the corpus' built briefs."""
    import briefkit
    from briefkit.budget import estimate_pages

    _, doc, _, _ = corpus_build
    for r in doc["reports"]:
        if r["status"] == "built":
            pages = next(o["pages"] for o in r["outputs"] if o["format"] == "pdf")
            assert pages - 1 <= estimate_pages(briefkit.load(r["input"])) <= pages + 2, r["input"]


def test_page_budget_follows_options():
    import briefkit
    from briefkit.budget import DEFAULT_MAX_PAGES, check_pages, estimate_pages
    from briefkit.errors import RenderError
    from briefkit.options import Options

    runaway = briefkit.load(HOSTILE / "runaway-pages.yaml")
    pages = estimate_pages(runaway)
    assert pages > DEFAULT_MAX_PAGES
    check_pages(runaway, Options(max_pages=pages))  # a budget that fits lets it through
    with pytest.raises(RenderError) as info:
        check_pages(runaway, Options(max_pages=pages - 1))
    assert str(info.value) == (f"the brief would run to about {pages:,} pages, over the budget of "
                               f"{pages - 1:,} pages: shorten it or raise the budget with --max-pages (Options.max_pages in Python)")
    with pytest.raises(RenderError):
        check_pages(runaway)  # no options: the default budget


# ---- what a build touches (an audit hook: Python's equivalent of strace for opens, sockets, programs) -------

AUDIT = r'''
import json, sys
events = []
def hook(ev, args):
    if ev == "open" and isinstance(args[0], str):
        events.append(["open", args[0]])
    elif ev.startswith("socket.") or ev in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn",
                                           "os.spawn", "urllib.Request", "http.client.connect"):
        events.append([ev, repr(args)[:300]])
sys.addaudithook(hook)
from briefkit.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    json.dump({"code": code, "events": events}, f)
'''


def test_a_build_opens_no_payload_path_and_no_socket(tmp_path):
    """Python-level opens only: files opened by C libraries (fontconfig, Pango) are not audited."""
    import shutil
    import subprocess
    import sys
    import tempfile

    import briefkit

    folder, out = tmp_path / "report", tmp_path / "out"
    folder.mkdir()
    (tmp_path / "secret.png").write_bytes(b"secret")
    shutil.copytree(Path(__file__).parent / "cases" / "assets", folder / "assets")
    text = (HOSTILE / "html-script-css-everywhere.yaml").read_text(encoding="utf-8").replace(
        "  publisher: {name:", "  publisher: {logo: assets/logo.png, name:")
    (folder / "r.yaml").write_text(text + "# ../secret.png file:///etc/passwd /etc/hostname\n", encoding="utf-8")
    log = tmp_path / "audit.json"
    env = {**os.environ, "PYTHONPATH": str(Path(briefkit.__file__).parents[1])}
    cache = tmp_path / "cache"
    subprocess.run([sys.executable, "-c", AUDIT, str(log), "build", str(folder / "r.yaml"), "-o", str(out),
                    "--jobs", "1", "--quiet", "--cache", str(cache)], check=True, env=env, timeout=300)
    doc = json.loads(log.read_text())
    assert doc["code"] == 0 and sorted(p.name for p in out.iterdir()) == ["r.docx", "r.pdf"]
    events = doc["events"]
    assert not [e for e in events if e[0].startswith(("socket.", "urllib", "http"))]
    # ctypes looks libraries up with ldconfig/gcc/ld when WeasyPrint loads Pango; nothing else is run.
    programs = {re.match(r"\('([^']+)'", a).group(1) for e, a in events if e == "subprocess.Popen"}
    assert programs <= {"/sbin/ldconfig", "/usr/bin/gcc", "ld"}, programs
    allowed = [str(Path(briefkit.__file__).parents[1]), sys.prefix, sys.base_prefix, str(folder), str(out), str(cache),
               "/dev/null", "/usr/share/zoneinfo", "/etc/mime.types", "/usr/share/fonts", "/etc/fonts",
               os.path.join(tempfile.gettempdir(), "tmp"), os.path.join(tempfile.gettempdir(), "weasyprint-"),
               os.path.join(tempfile.gettempdir(), "briefkit-fc-")]  # the private fontconfig configuration
    opened = {os.path.realpath(p) if os.path.isabs(p) else p for e, p in events if e == "open"}
    tmp = tempfile.gettempdir()
    # tempfile checks that the temporary folder is writable with a file of a random 8-character name.
    probe = re.compile(re.escape(tmp) + r"(/[a-z0-9_]{8})?$")
    outside = sorted(p for p in opened if os.path.isabs(p) and not p.startswith(tuple(allowed))
                     and not probe.match(p) and p != str(log))
    assert outside == [], outside
    assert not {"/etc/passwd", "/etc/hostname", str(tmp_path / "secret.png")} & opened
