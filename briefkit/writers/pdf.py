"""Report → PDF: the HTML writer's document typeset by WeasyPrint with the shipped fonts only.

The only importer of weasyprint, imported lazily (``briefkit validate`` never pays for it).

- Resources come through ``PackageFetcher``: files under the package's fonts/ and templates/
  folders and the report's own logo; nothing else (no network, no other ``file:``, no attachments).
- One ``FontConfiguration`` per process, on a private fontconfig that sees only the shipped fonts
  (``coverage.fontconfig_conf``); ``presentational_hints`` off.
- One pass: the plan says whether the brief has a table of contents (``plan.contents_wanted``, which
  the DOCX follows too); the contents' page numbers are written into the laid-out contents
  (``fill_toc_numbers``), with wider placeholders or ``target-counter`` only as a last resort.
- The shipped stylesheet is parsed once per process (``_shipped_stylesheet_parsed_once``).
- A build that hands the report to a forked process to typeset renders the HTML of its first layout pass
  meanwhile (``first_html``, ``offer_first_html``); a process leaving by ``os._exit`` removes WeasyPrint's
  temporary font folder itself (``cleanup_before_exit``).
- briefkit's own HTML is parsed by expat into the tree WeasyPrint's HTML5 parser would build (``html_tree``;
  anything where the two could differ goes to WeasyPrint's parser), and WeasyPrint's user-agent sheet
  has its universal pseudo-element rules scoped to the elements that use them (``_scoped_ua_stylesheet``).
- While a document is laid out, a line split WeasyPrint already made is answered from memory
  (``_line_splits_remembered``), and so are a style's strut and Pango font in a layout or a drawing
  (``_style_answers_remembered``); fonts are subset without WeasyPrint's array of 65,535 glyph ids
  (``_quick_subset``, WeasyPrint 70.0 only). tests/test_speed_guards.py pins what each relies on.
- Metadata from the report; the creation date is the report's date (or ``SOURCE_DATE_EPOCH``),
  never the wall clock. No ``/Direction /R2L`` viewer preference, even for RTL briefs (see ``_finisher``).
- After rendering, every font WeasyPrint embedded must be one of the shipped files (byte for byte):
  a system fallback font is a RenderError, never a silent substitution.
- WeasyPrint's log records at WARNING and above become RenderError.
"""
from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import threading
import warnings
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import plan as P
from ..errors import RenderError
from ..model import Report
from ..resources import FONT_FILES, fonts_dir, logo_url, templates_dir
from . import html as html_writer
from . import pdftags, pdftext

MAX_RESOURCE_BYTES = 20_000_000

_lock = threading.Lock()


# ---- WeasyPrint objects, created once ---------------------------------------------------------------

@lru_cache(maxsize=1)
def _weasy():
    with _private_fontconfig():
        from .._native import import_weasyprint

        weasyprint = import_weasyprint()  # lazy (0.4 s), and without ldconfig/gcc helper processes
        from weasyprint.text.fonts import FontConfiguration

        _made_by["pid"] = os.getpid()
        return weasyprint, FontConfiguration()


_made_by: dict[str, int] = {}
"""The process that made the font configuration (a forked copy shares the object, not the folder's owner)."""


def prepare() -> None:
    """Import WeasyPrint and configure its fonts now (what a process's first PDF would do first)."""
    _weasy()


def cleanup_before_exit() -> None:
    """Remove the temporary folder of this process's @font-face files.

    WeasyPrint's FontConfiguration copies each @font-face font into a folder of its own and removes it when
    the object is collected, which never happens in a process that leaves by ``os._exit`` (the build's
    forked copy and its workers): one folder of fonts left in the temp folder per process. Only the process
    that made the configuration removes it (a forked copy of a process that had one leaves it alone)."""
    import shutil

    if _weasy.cache_info().currsize and _made_by.get("pid") == os.getpid():
        folder = getattr(_weasy()[1], "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _private_fontconfig():
    """Fontconfig sees only briefkit's fonts while WeasyPrint loads its configuration, so no build
    reads a system font and the same report gives the same bytes on any machine (coverage.py).
    The variable is restored afterwards: child processes (LibreOffice, ...) keep the machine's fonts."""
    import tempfile

    from ..coverage import fontconfig_conf

    with tempfile.TemporaryDirectory(prefix="briefkit-fc-") as tmp:
        conf = Path(tmp) / "fonts.conf"
        conf.write_text(fontconfig_conf(), encoding="utf-8")
        saved = {k: os.environ.get(k) for k in ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT")}
        os.environ["FONTCONFIG_FILE"] = str(conf)
        os.environ.pop("FONTCONFIG_PATH", None)
        os.environ.pop("FONTCONFIG_SYSROOT", None)
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


@lru_cache(maxsize=1)
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PackageFetcher(URLFetcher):
        """Serves only regular files under the allowed roots (and the allowed extra files)."""

        def __init__(self, roots, files=(), blobs=None, aliases=None):
            super().__init__(timeout=5, allowed_protocols={"file"}, allow_redirects=False)
            self.aliases = dict(aliases or {})
            """URL → file served under it (the logo, named by its digest: ``resources.logo_url``)."""
            self.roots = [Path(r).resolve() for r in roots]
            self.files = {Path(f).resolve() for f in files}
            self.blobs = {Path(f).resolve(): data for f, data in (blobs or {}).items()}
            """Allowed files served with these bytes instead of their own (a theme's fonts)."""
            self.denied: list[str] = []

        def _deny(self, url, why):
            self.denied.append(url)
            raise ValueError(f"briefkit refused to load {url[:200]!r}: {why}")

        def fetch(self, url, headers=None):
            if url in self.aliases:
                path = self.aliases[url]
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            scheme = url.split(":", 1)[0].lower()
            if scheme != "file":
                self._deny(url, "only the package's own files may be loaded")
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                self._deny(url, "remote file URL")
            path = Path(unquote(parts.path)).resolve()
            if path not in self.files and not any(path.is_relative_to(r) for r in self.roots):
                self._deny(url, "outside the package's fonts and templates")
            if not path.is_file() or path.stat().st_size > MAX_RESOURCE_BYTES:
                self._deny(url, "not a regular file or too large")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            data = self.blobs[path] if path in self.blobs else path.read_bytes()
            return URLFetcherResponse(path.as_uri(), data, {"Content-Type": mime})

    return PackageFetcher


def make_fetcher(report: Report | None = None, theme=None):
    aliases = {}
    if report is not None and report.meta.publisher and report.meta.publisher.logo:
        aliases[logo_url(report.meta.publisher.logo)] = Path(report.meta.publisher.logo)
    blobs = {}
    if theme is not None:
        from ..house import pdf_theme_fonts

        blobs = pdf_theme_fonts(theme)  # exactly the theme's font files, nothing else beside them
    return _fetcher_class()([fonts_dir(), templates_dir()], [*blobs], blobs, aliases)


@lru_cache(maxsize=1)
def shipped_font_digests() -> dict[str, str]:
    """sha256 of every shipped font file → its family name."""
    out = {}
    for family, faces in FONT_FILES.items():
        for file in faces.values():
            out[hashlib.sha256((fonts_dir() / file).read_bytes()).hexdigest()] = family
    return out


# ---- logging -----------------------------------------------------------------------------------------

class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@contextmanager
def _captured_log():
    """Route WeasyPrint's log into a list (not stderr) for the duration of one render."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate


# ---- metadata ------------------------------------------------------------------------------------------

def creation_date(report: Report | None) -> str | None:
    """``briefkit.plan.timestamp`` in W3C form (SOURCE_DATE_EPOCH, else the report's date): never the clock."""
    from ..plan import timestamp

    when = timestamp(report) if report is not None else None
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


VARIANTS = {"ua": "pdf/ua-1", "a3b": "pdf/a-3b", "ua,a3b": "pdf/a-3b"}
"""briefkit's --pdf-variant values → WeasyPrint's pdf_variant (with both, PDF/A-3b tagged, and the PDF/UA
identification added to its XMP by ``pdftags.identify_ua``)."""


def _source(report: Report | None) -> tuple[str, bytes, str] | None:
    """The report to embed in a PDF/A-3b brief, as it was loaded: (name, bytes, MIME type)."""
    given = getattr(report, "source", None)
    if given is not None:
        kind, data = given
        return f"{pdftags.SOURCE_NAME}.{kind}", data, f"application/{kind}"
    path = getattr(report, "path", None)
    if path is None or not Path(path).is_file():
        return None
    suffix = Path(path).suffix.lower()
    mime = "application/json" if suffix == ".json" else "application/yaml"
    ext = "json" if suffix == ".json" else "yaml"
    return f"{pdftags.SOURCE_NAME}.{ext}", Path(path).read_bytes(), mime


def _finisher(variant: str | None = None, source=None):
    def finish(document, pdf):
        pdftext.finish(document, pdf)
        parts = set(variant.split(",")) if variant else set()
        if "ua" in parts:
            pdftags.describe_links(document, pdf)
        if "a3b" in parts and source is not None:
            pdftags.embed_source(pdf, *source)
        if parts == {"ua", "a3b"}:
            pdftags.identify_ua(pdf)
        # No /ViewerPreferences /Direction /R2L: it only orders pages shown side by side, and PDFium
        # (Chrome's viewer and search) then reverses the segments of every line it extracts («S-400» →
        # «-400S», «M4» → «4M»; core/fxcrt/fx_bidi.cpp, fpdf_text.cpp).
    return finish


# ---- rendering -------------------------------------------------------------------------------------------

def layout(html: str, report: Report | None = None, *, fetcher=None, theme=None, scoped_ua: bool = True):
    """Lay out prepared HTML with briefkit's settings; returns the WeasyPrint Document.
    ``scoped_ua=False``: WeasyPrint's stock user-agent stylesheet (for the test that both agree)."""
    weasyprint, font_config = _weasy()
    pdftext.install()  # before the line breaking: it notes the words cut by a line end
    fetcher = fetcher or (make_fetcher(report, theme) if theme else make_fetcher(report))
    with _shipped_stylesheet_parsed_once(font_config):
        source = _html_source(weasyprint, html, templates_dir().as_uri() + "/", fetcher)
        ua = _scoped_ua_stylesheet()
        if ua is not None and scoped_ua:
            source._ua_stylesheets = lambda forms=False: [ua]
        with _line_splits_remembered(), _style_answers_remembered():
            document = source.render(font_config=font_config, presentational_hints=False)
    return document


LINE_SPLIT_HOOKS = ("weasyprint.text.line_break", "weasyprint.layout.inline", "weasyprint.layout.preferred")
"""The modules whose ``split_first_line`` name WeasyPrint 70's layout calls (each imported it by name)."""


@contextmanager
def _line_splits_remembered():
    """While one document is laid out, ``split_first_line`` answers a call it has answered before (same text,
    same style object, same width and flags) from memory, with a copy of the Pango layout it returned.

    WeasyPrint lays a lot out more than once: a table's rows for its column widths and again on each page
    it spans, a block that moves to the next page, min- and max-content widths. Half of the seed's ~1,900
    line splits repeat one made before (~60 ms of its PDF, mostly Pango shaping). The function is pure for
    equal arguments (Pango and HarfBuzz shape the same text with the same style alike; the hyphenation
    dictionaries it keeps on the context are only a cache) and returns a deactivated layout that holds
    plain values, copied per answer. The memory holds the style objects it keys on (no id is reused) and
    lives for one layout."""
    import copy
    import importlib

    from weasyprint.text import line_break

    real = line_break.split_first_line
    modules = [importlib.import_module(name) for name in LINE_SPLIT_HOOKS]
    if any(getattr(m, "split_first_line", None) is not real for m in modules):
        yield                                   # not WeasyPrint 70's layout: leave it alone
        return
    memory: dict = {}

    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True,
                         minimum=False):
        key = (text, id(style), max_width, justification_spacing, is_line_start, minimum)
        known = memory.get(key)
        if known is not None and known[0] is style and known[1] is context:
            layout, *rest = known[2]
            return (copy.copy(layout), *rest)
        result = real(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        memory[key] = (style, context, (copy.copy(result[0]), *result[1:]))
        return result

    split_first_line.__wrapped__ = real
    for module in modules:
        module.split_first_line = split_first_line
    try:
        yield
    finally:
        for module in modules:
            module.split_first_line = real


STYLE_ANSWERS = {"strut": ("weasyprint.text.line_break", "weasyprint.layout.inline", "weasyprint.css.units",
                           "weasyprint.css.computed_values"),
                 "get_font_description": ("weasyprint.text.line_break",)}
"""Functions of one computed style only → the modules whose name for them ``_style_answers_remembered`` swaps
(``get_font_description`` only where its result is handed to Pango, which copies it)."""


@contextmanager
def _style_answers_remembered():
    """While one document is laid out or drawn, WeasyPrint's ``strut`` (a line's height and baseline) and
    ``get_font_description`` (the Pango font of a style) answer a style object they have answered before
    from memory. Both depend on the style's values only, which do not change once computed: ``strut`` keyed
    its own cache by a string of fourteen of them for each of the seed's ~2,800 calls, and each of the
    ~1,700 Pango layouts made its font description anew. The memory holds the styles it keys on."""
    import importlib

    from weasyprint.text import line_break

    swapped = []
    for name, module_names in STYLE_ANSWERS.items():
        real = getattr(line_break, name, None)
        modules = [importlib.import_module(m) for m in module_names]
        if real is None or any(getattr(m, name, None) is not real for m in modules):
            continue                            # not WeasyPrint 70's layout: leave it alone
        memory: dict = {}

        def remembered(style, _real=real, _memory=memory):
            known = _memory.get(id(style))
            if known is not None and known[0] is style:
                return known[1]
            answer = _real(style)
            _memory[id(style)] = (style, answer)
            return answer

        remembered.__wrapped__ = real
        for module in modules:
            setattr(module, name, remembered)
        swapped.append((name, real, modules))
    try:
        yield
    finally:
        for name, real, modules in swapped:
            for module in modules:
                setattr(module, name, real)


QUICK_WEASYPRINT = "70.0"
"""The WeasyPrint release whose functions ``_quick_subset`` replaces (tests/test_speed_guards.py pins their
source): with any other, WeasyPrint's own run."""


@contextmanager
def _quick_subset():
    """While a PDF is written, WeasyPrint 70's ``Font._harfbuzz_subset`` without its 65,535-entry array.

    Its second subsetting pass keeps every glyph id up to the highest character code used, built as a
    Python tuple and a C array of that length. The text layer's alias codes count down from 0xFFFE
    (``pdftext.ALIAS_TOP``), so each font of each brief built and copied 65,535 ids (3 to 7 ms a font;
    the seed's fonts took 28 ms to subset, now 8 ms) for a face of at most a few thousand glyphs. HarfBuzz
    drops every id past the face's glyph count from the set (``_remove_invalid_gids``), so ids up to that
    count make the same subset; the array of ids is kept per process."""
    from weasyprint.pdf import fonts

    real = fonts.Font.__dict__.get("_harfbuzz_subset")
    import weasyprint

    if real is None or getattr(weasyprint, "__version__", None) != QUICK_WEASYPRINT:
        yield
        return
    fonts.Font._harfbuzz_subset = _harfbuzz_subset
    try:
        yield
    finally:
        fonts.Font._harfbuzz_subset = real


_glyph_ids: list = [None, 0]
"""A C array of the glyph ids 0..n-1 and n, the longest one needed yet (HarfBuzz copies what it is given of it
into its set): one array per process, whatever the fonts' glyph counts."""


def _harfbuzz_subset(self, to_unicode, hinting):
    """WeasyPrint 70's ``Font._harfbuzz_subset`` (weasyprint/pdf/fonts.py), line for line but for the ids
    its second pass keeps (see ``_quick_subset``)."""
    from weasyprint.pdf.fonts import LOGGER
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    hb_subset = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(),
        harfbuzz_subset.hb_subset_input_destroy)

    # Only keep used glyphs.
    gid_set = harfbuzz_subset.hb_subset_input_glyph_set(hb_subset)
    gid_array = ffi.new(f'hb_codepoint_t[{len(to_unicode)}]', sorted(to_unicode))
    harfbuzz.hb_set_add_sorted_array(gid_set, gid_array, len(to_unicode))

    # Set flags.
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS |
        harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED |
        harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)
    if self.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(hb_subset, flags)

    # Drop useless tables.
    drop_set = harfbuzz_subset.hb_subset_input_set(
        hb_subset, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    drop_tables = tuple(harfbuzz.hb_tag_from_string(name, -1) for name in (
        b'BASE', b'DSIG', b'EBDT', b'EBLC', b'EBSC', b'GPOS', b'GSUB', b'JSTF',
        b'LTSH', b'PCLT', b'SVG '))
    drop_tables_array = ffi.new(f'hb_codepoint_t[{len(drop_tables)}]', drop_tables)
    harfbuzz.hb_set_add_sorted_array(drop_set, drop_tables_array, len(drop_tables))

    # Subset font.
    hb_face = ffi.gc(
        harfbuzz_subset.hb_subset_or_fail(self.hb_face, hb_subset),
        harfbuzz.hb_face_destroy)

    # Drop empty glyphs after last one used: the ids up to the highest code, of which HarfBuzz keeps
    # those below the face's glyph count (briefkit: only those are put in the set).
    gid_set = harfbuzz_subset.hb_subset_input_glyph_set(hb_subset)
    count = max(to_unicode) + 1
    if hb_face:
        count = min(count, harfbuzz.hb_face_get_glyph_count(hb_face))
    if count > _glyph_ids[1]:
        _glyph_ids[:] = ffi.new(f'hb_codepoint_t[{count}]', tuple(range(count))), count
    gid_array = _glyph_ids[0]
    harfbuzz.hb_set_add_sorted_array(gid_set, gid_array, count)

    # Set flags.
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED |
        harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if self.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(hb_subset, flags)

    # Subset font.
    hb_face = ffi.gc(
        harfbuzz_subset.hb_subset_or_fail(hb_face, hb_subset),
        harfbuzz.hb_face_destroy)

    # Store new font.
    if hb_face:
        file_content = get_hb_object_data(hb_face)
        if file_content:
            self.file_content = file_content
            return

    LOGGER.warning('Unable to subset "%s" with HarfBuzz', self.family)


# ---- parsing briefkit's own HTML ---------------------------------------------------------------------

_SVG = "{http://www.w3.org/2000/svg}"
_XMLNS = "{http://www.w3.org/2000/xmlns/}"
_VOID = re.compile(r"<(area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)\b([^<>]*?)/?>")
_REFUSED = re.compile(r"<!--|<!\[|<\?|<(?:script|pre|textarea|listing|plaintext|xmp|template|noscript|math|frameset)\b"
                      r"|=\"[^\"]*[\t\n\r]|='|&#(?!34;|39;)|<style[^>]*>[^<]*[&]", re.I)
_CLOSES_P = frozenset("address article aside blockquote center details dialog dir div dl fieldset figcaption figure "
                      "footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section summary table "
                      "ul".split())
_BREAKOUT = frozenset("b big blockquote body br center code dd div dl dt em embed font h1 h2 h3 h4 h5 h6 head hr i "
                      "img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul "
                      "var".split())
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SVG_CAMEL = frozenset({"clipPath", "linearGradient", "radialGradient", "textPath"})
_TABLE_KIDS = {"table": {"caption", "colgroup", "thead", "tbody", "tfoot"}, "thead": {"tr"}, "tbody": {"tr"},
               "tfoot": {"tr"}, "tr": {"td", "th"}}


def html_tree(html: str):
    """briefkit's HTML parsed by expat into the very tree WeasyPrint's HTML5 parser (tinyhtml5) builds, or
    None when the text uses anything where the two could differ (then tinyhtml5 parses it).

    tinyhtml5 is pure Python: ~40 ms of every seed render, a thirtieth of the PDF. The writer's HTML is
    XML-shaped (every element closed, text and attributes escaped, double-quoted attributes), so expat
    reads it in ~1 ms once void elements are closed. What HTML5 does differently is either repaired
    here as it does (the implied ``tbody``, the whitespace outside ``head``/``body``, namespace
    declarations kept as attributes) or refused: comments, raw-text and foreign-content surprises,
    numeric character references (C1 remapping), tabs and newlines in attribute values (XML turns them
    into spaces), parse errors (control characters, unknown entities, mis-nesting), and the structures
    HTML5 reorders (a block inside ``p``, ``a`` in ``a``, ``li`` in ``li``, text or stray elements in
    table parts, HTML breaking out of SVG, case-folded SVG names). ``tests/test_pdf.py`` checks the trees
    are equal on every brief and case it has."""
    import xml.etree.ElementTree as ET

    if _REFUSED.search(html):
        return None
    text = _VOID.sub(r"<\1\2/>", html.replace("\r\n", "\n").replace("\r", "\n"))
    start = text.find("<html")
    end = text.rfind("</html>")
    if start < 0 or end < 0 or text[:start].strip().lower() not in ("<!doctype html>", "") \
            or text[end + 7:].strip():
        return None
    try:
        from tinyhtml5.constants import adjust_svg_attributes
    except ImportError:
        return None
    parser = ET.XMLPullParser(events=("start-ns", "start"))
    declared = []
    try:
        parser.feed(text[start:end + 7])
        parser.close()
        root = None
        for event, item in parser.read_events():
            if event == "start-ns":
                declared.append(item)
            else:
                root = root if root is not None else item
                for prefix, uri in declared:
                    item.set(_XMLNS + (prefix or "xmlns"), uri)
                declared = []
    except (ET.ParseError, UnicodeError, ValueError):
        return None
    if root is None or root.tag != "html" or [c.tag for c in root] != ["head", "body"] \
            or any(len(e) for e in root[0]):
        return None
    root.text = None                       # whitespace before <head> is dropped
    body = root[1]
    trailing = (body.tail or "") + text[end + 7:]
    body.tail = None
    if trailing:                          # whitespace after </body> and </html> goes into the body
        if len(body):
            body[-1].tail = (body[-1].tail or "") + trailing
        else:
            body.text = (body.text or "") + trailing
    if not _same_as_html5(root, adjust_svg_attributes):
        return None
    return root


def _same_as_html5(root, svg_attributes) -> bool:
    """True when HTML5 tree construction keeps this tree as it is (after adding implied tbody)."""
    svg_camel_lower = {n.lower() for n in _SVG_CAMEL}

    def walk(element, in_p, in_a, svg):
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                return False
            in_svg = tag.startswith(_SVG)
            for name in child.attrib:
                if name.startswith(_XMLNS) and in_svg:
                    continue                 # a namespace declaration: HTML5 keeps it as this attribute
                lower = name.lower()
                if name.startswith("{") or (svg_attributes.get(lower, lower) != name if in_svg else name != lower):
                    return False             # HTML5 would case-fold (or adjust) the name
            if in_svg:
                local = tag[len(_SVG):]
                if local in _BREAKOUT or local.lower() in ("foreignobject", "desc") or (local != local.lower() and (
                        local not in _SVG_CAMEL)) or (local.lower() in svg_camel_lower and local not in _SVG_CAMEL) \
                        or (local == "title" and len(child)) or not walk(child, False, False, True):
                    return False             # HTML breaks out of SVG; integration points; case-folded names
                continue
            if svg or tag.startswith("{") or tag != tag.lower():
                return False                 # an HTML element inside SVG: HTML5 would break out
            if (in_p and tag in _CLOSES_P) or (in_a and tag == "a") or (tag == "li" and element.tag == "li") \
                    or (tag in _HEADINGS and element.tag in _HEADINGS):
                return False
            if tag == "tr" and element.tag == "table":
                return False                 # handled by the caller (implied tbody) before the walk
            allowed = _TABLE_KIDS.get(tag)
            if allowed is not None:
                if (child.text or "").strip() or any((k.tail or "").strip() or k.tag not in allowed for k in child):
                    return False
            if not walk(child, in_p or tag == "p", in_a or tag == "a", False):
                return False
        return True

    for table in root.iter("table"):
        rows = [c for c in table if c.tag == "tr"]
        if rows:
            if any(c.tag != "tr" for c in table) or (table.text or "").strip():
                return False
            tbody = type(table)("tbody")
            for row in rows:
                table.remove(row)
                tbody.append(row)
            table.append(tbody)
    return walk(root, False, False, False)


def _html_source(weasyprint, html: str, base_url: str, fetcher):
    """``weasyprint.HTML(string=html, ...)``, built from ``html_tree`` when it can parse the text (the
    attributes ``HTML.__init__`` sets, WeasyPrint 70); else WeasyPrint's own parse."""
    root = html_tree(html)
    if root is None or not hasattr(weasyprint, "_find_base_url"):
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    import cssselect2

    source = weasyprint.HTML.__new__(weasyprint.HTML)
    source.base_url = weasyprint._find_base_url(root, base_url)
    source.url_fetcher = fetcher
    source.media_type = "print"
    source.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    source.etree_element = source.wrapper_element.etree_element
    return source


FOOTNOTE_CLASS = "footnote"
"""The class of the only elements brief.css floats to the footnote area (``float: footnote``)."""


@lru_cache(maxsize=1)
def _scoped_ua_stylesheet():
    """WeasyPrint's user-agent stylesheet with its universal pseudo-element rules scoped to the elements
    that use them: ``::marker`` to ``li`` (the only list items: brief.css makes no other element one),
    ``::footnote-call``/``::footnote-marker`` to ``.footnote`` (the only footnotes), and the ``::note-*``
    rules dropped (briefkit has no ``position: note()``).

    As universal rules they gave each of a brief's ~600 elements six pseudo-element styles to compute,
    none of them used: ~75 ms of the seed's layout (a twelfth of it). The kept rules keep their
    specificity and order, so every element that uses them cascades exactly as before (the seed's PDF
    is byte-identical). A copy: WeasyPrint's own sheet is untouched for anyone else in the process.
    Relies on cssselect2's Matcher buckets; if they change, None (the stock sheet is used)."""
    import copy

    try:
        from weasyprint.html import UA_STYLESHEET

        sheet = copy.copy(UA_STYLESHEET)
        matcher = sheet.matcher = copy.copy(UA_STYLESHEET.matcher)
        matcher.class_selectors = {k: list(v) for k, v in matcher.class_selectors.items()}
        matcher.lower_local_name_selectors = {k: list(v)
                                              for k, v in matcher.lower_local_name_selectors.items()}
        kept, moved = [], set()
        for entry in matcher.other_selectors:
            test, specificity, order, pseudo, payload = entry
            if pseudo == "marker":
                matcher.lower_local_name_selectors.setdefault("li", []).append(entry)
            elif pseudo in ("footnote-call", "footnote-marker"):
                matcher.class_selectors.setdefault(FOOTNOTE_CLASS, []).append(entry)
            elif pseudo not in ("note-call", "note-marker", "note-callback"):
                kept.append(entry)
                continue
            moved.add(pseudo)
        matcher.other_selectors = kept
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    return sheet if moved == {"marker", "footnote-call", "footnote-marker", "note-call", "note-marker",
                              "note-callback"} else None


@contextmanager
def _shipped_stylesheet_parsed_once(font_config):
    """While WeasyPrint finds a document's stylesheets, the shipped stylesheet (``templates/brief.css``,
    the unthemed brief's first ``<style>``) comes parsed: its rules are the same for every brief, and
    parsing them cost ~40 ms of every layout (tinycss2, validation, selector compilation).

    Only that exact text with briefkit's own font configuration is served from the parse; every other
    ``<style>`` is parsed as usual. The parsed sheet keeps private rule lists (its @page rules and
    layers; it has no @counter-style), so nothing of one brief reaches another: the output is the same
    in any render order. WeasyPrint's module attribute is swapped meanwhile: briefkit's renders hold
    ``_lock``; a concurrent direct call at worst parses the sheet itself."""
    import weasyprint.css as wcss

    real = wcss.CSS
    shipped = html_writer.shipped_stylesheet()

    def css(*args, string=None, **kwargs):
        if (not args and string is not None and kwargs.get("font_config") is font_config
                and string.strip() == shipped):
            return _parsed_shipped(real, kwargs.get("base_url"), kwargs.get("media_type", "print"),
                                   kwargs.get("url_fetcher"), font_config)
        return real(*args, string=string, **kwargs)

    wcss.CSS = css
    try:
        yield
    finally:
        wcss.CSS = real


_parsed: dict = {}


def _parsed_shipped(real, base_url, media_type, fetcher, font_config):
    key = (base_url, media_type, id(font_config))
    if key not in _parsed:
        # the fetcher only loads the shipped @font-face files (the same bytes from any fetcher)
        _parsed[key] = real(string=html_writer.shipped_stylesheet(), base_url=base_url, media_type=media_type,
                            url_fetcher=fetcher, font_config=font_config, counter_style={},
                            color_profiles={}, page_rules=[], layers=[])
    return _parsed[key]


def merge_leaders(document) -> None:
    """Draw each contents leader as one run of dots instead of one text box per dot.

    WeasyPrint fills ``leader(".")`` with a copy of the dot's text box per dot (~850 on the seed's
    contents), each drawn on its own: a third of ``write_pdf``'s text drawing. The copies are contiguous and
    equally spaced, so one box holding as many dots, at the first copy's place, paints the same glyphs at the
    same positions (~3% of the seed's PDF time). Relies on WeasyPrint 70's box internals: if they change, the
    document is left as laid out."""
    try:
        from weasyprint.text.line_break import Layout
    except ImportError:
        return

    def walk(box):
        for child in getattr(box, "children", ()):
            if getattr(child, "is_leader", False):
                dots = child.children
                if len(dots) > 1 and len({d.text for d in dots}) == 1:
                    first = min(dots, key=lambda d: d.position_x)
                    merged = first.copy_with_text(first.text * len(dots))
                    merged.width = sum(d.width for d in dots)
                    layout = Layout(first.style)
                    layout.text = merged.text
                    layout.deactivate()
                    merged.pango_layout = layout
                    child.children = (merged,)
            else:
                walk(child)
    try:
        for page in document.pages:
            walk(page._page_box)
    except (AttributeError, TypeError):
        return


def toc_placeholder(report: Report, digits: int = 1) -> str:
    """What the contents show in place of a page number while laid out: ``digits`` zeros."""
    return _localized_number(0, report) * digits


def fill_toc_numbers(document, report: Report, targets: list[str], placeholder: str) -> bool:
    """Write the page number of each contents entry's target into the laid-out contents.

    The contents are laid out with a placeholder (zeros) instead of ``target-counter()``: WeasyPrint
    lays the page holding target-counter() out three times (~140 ms on the seed's 8 pages, a tenth of its
    PDF). The numbers are the pages of the targets in this very layout, so they are right by construction.
    Each number keeps the placeholder's line end and the leader's dots run up to it, as WeasyPrint draws
    them. Returns False, the document untouched, when a number leaves no room for a dot or the boxes are
    not as expected (the caller then lays the brief out again). Relies on WeasyPrint
    70's box internals, as ``merge_leaders`` does."""
    try:
        from weasyprint.text.line_break import Layout, line_size
    except ImportError:
        return False
    pages: dict[str, int] = {}
    for n, page in enumerate(document.pages, 1):
        for name in page.anchors:
            pages.setdefault(name, n)
    found = []

    def walk(box):
        children = getattr(box, "children", ())
        for i, child in enumerate(children):
            if getattr(child, "is_leader", False):
                found.append((box, i, child))
            else:
                walk(child)
    try:
        for page in document.pages:
            walk(page._page_box)
        patches = []
        for parent, i, leader in found:
            number = parent.children[i + 1] if i + 1 < len(parent.children) else None
            href = (parent.element.get("href") or "") if parent.element is not None else ""
            if (len(parent.children) != i + 2 or getattr(number, "text", None) != placeholder
                    or not href.startswith("#") or href[1:] not in pages or not leader.children):
                return False
            text = _localized_number(pages[href[1:]], report)
            layout = Layout(number.style)
            layout.set_text(text)
            width = line_size(layout.get_first_line()[0], number.style)[0]
            layout.deactivate()
            new = number.copy_with_text(text)
            new.width = width
            new.pango_layout = layout
            dots = sorted(leader.children, key=lambda d: d.position_x)
            step = dots[0].width
            # The number keeps the line end; the dots stay on their grid and run up to the number.
            if number.position_x > dots[-1].position_x:      # the line ends on the right
                new.position_x = number.position_x + number.width - width
                kept = [d for d in dots if d.position_x + step <= new.position_x + 1e-6]
                x, grow = (kept[-1].position_x + step if kept else None), step
                fits = lambda x: x + step <= new.position_x + 1e-6  # noqa: E731
            else:                                               # on the left (right-to-left contents)
                kept = [d for d in dots if d.position_x >= number.position_x + width - 1e-6]
                x, grow = (kept[0].position_x - step if kept else None), -step
                fits = lambda x: x >= number.position_x + width - 1e-6  # noqa: E731
            if not kept:          # no room left for one dot: WeasyPrint would have broken the line
                return False
            while fits(x):
                dot = dots[0].copy()
                dot.position_x = x
                kept.append(dot)
                x += grow
            patches.append((parent, i, leader, new, tuple(sorted(kept, key=lambda d: d.position_x)), href[1:]))
        if sorted(p[-1] for p in patches) != sorted(targets):
            return False
    except (AttributeError, TypeError, IndexError):
        return False
    for parent, i, leader, new, dots, _ in patches:     # nothing changes until every number fits
        leader.children = dots
        parent.children = (*parent.children[:i + 1], new)
    return True


def _localized_number(n: int, report: Report) -> str:
    from ..localize import number

    return number(n, report)


def write(document, report: Report | None = None, variant: str | None = None) -> bytes:
    """PDF bytes; ``variant``: None, "ua" (tagged PDF/UA-1), "a3b" (PDF/A-3b, the report embedded) or
    "ua,a3b" (both)."""
    merge_leaders(document)
    created = creation_date(report)
    document.metadata.created = created
    document.metadata.modified = created
    document.metadata.attachments = []
    rtl = report.rtl if report is not None else False
    extra = {}
    if variant:
        pdftags.install(rtl)
        extra["pdf_variant"] = VARIANTS[variant]
        if variant == "ua,a3b":
            extra["pdf_tags"] = True
    source = _source(report) if variant in ("a3b", "ua,a3b") else None
    with pdftext.exact_text(rtl), _quick_subset(), _style_answers_remembered(), warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for PDF/A and never closes it (a ResourceWarning)
        warnings.simplefilter("ignore", ResourceWarning)
        return document.write_pdf(finisher=_finisher(variant, source), presentational_hints=False,
                                  **extra)


def check_fonts(document, theme=None) -> None:
    """Every font the PDF embeds must be one of the shipped files or the theme's (no system fallback)."""
    from weasyprint.text.fonts import get_hb_object_data

    digests = shipped_font_digests()
    if theme is not None:
        from ..house import pdf_theme_fonts

        served = pdf_theme_fonts(theme).items()
        digests = {**digests, **{hashlib.sha256(data).hexdigest(): p.name for p, data in served}}
    strangers = sorted({f.family for f in document.fonts.values()
                        if hashlib.sha256(get_hb_object_data(f.hb_face)).hexdigest() not in digests})
    if strangers:
        raise RenderError("text fell back to fonts briefkit does not ship: " + ", ".join(strangers))


def _check_log(records) -> None:
    errors = [r for r in records if r.levelno >= logging.ERROR]
    if errors:
        msgs = sorted({r.getMessage() for r in errors})
        raise RenderError("typesetting failed: " + "; ".join(m[:300] for m in msgs[:5]))


def render_html(html: str, report: Report | None = None) -> bytes:
    """Typeset prepared HTML through exactly the path ``render`` uses (one pass; for the benchmark)."""
    with _lock, _captured_log() as records:
        document = layout(html, report)
        data = write(document, report)
    _check_log(records)
    check_fonts(document)
    return data


SAFE_BREAKS = [
    # WeasyPrint can drop a footnote when it takes back the lines holding its call to honour
    # orphans/widows or a heading's break-after: avoid (cf. WeasyPrint #2432). When that happens
    # the brief is laid out again with these relaxed rules, first the lighter one.
    "p, li { orphans: 1; widows: 1; }",
    "p, li { orphans: 1; widows: 1; } * { break-after: auto !important; break-before: auto !important; }",
]


def placed_footnotes(document) -> list[str]:
    """Ids of the footnote bodies WeasyPrint placed in footnote areas, in page order."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    found: list[str] = []

    def walk(box):
        for child in getattr(box, "children", ()):
            if isinstance(child, FootnoteAreaBox):
                found.extend(f.element.get("id") for f in child.children)
            else:
                walk(child)
    for page in document.pages:
        walk(page._page_box)
    return found


def _layout_complete(html: str, report: Report, theme=None):
    """Lay out ``html``; if a footnote went missing, again with relaxed break rules; never lose one."""
    expected = [f"fn-{f.source.id}" for f in report.footnotes]
    document = layout(html, report, theme=theme)
    for extra in SAFE_BREAKS:
        if sorted(placed_footnotes(document)) == sorted(expected):
            return document
        document = layout(html.replace("</head>", f"<style>{extra}</style></head>", 1), report, theme=theme)
    missing = sorted(set(expected) - set(placed_footnotes(document)))
    if missing:
        raise RenderError("footnotes could not be placed: " + ", ".join(m[3:] for m in missing))
    return document


FOOTNOTE_WORDS = 12
"""A footnote takes about a line of page: counted as this many words."""


def _words(report: Report) -> int:
    return sum(len(t.split()) for t in report.all_text()) + FOOTNOTE_WORDS * len(report.footnotes)


WORDS_PER_PAGE = 200
"""About what a page of the seed holds (1,760 words with its footnotes on 8 pages): only sizes the
contents' page-number placeholders, a wrong guess costs one more pass."""


def _pages_guess(report: Report) -> int:
    return max(1, _words(report) // WORDS_PER_PAGE)


def _toc_targets(plan) -> list[str]:
    """The anchors the contents point to (as the HTML writer lists them)."""
    return [h.id for part in plan.parts if isinstance(part, P.Contents) for h in part.entries]


def _first_pass(report: Report) -> tuple[bool, int]:
    """(contents, the digits of their page-number placeholders) of the first layout pass."""
    # Contents or not is the plan's decision (the DOCX follows it too): one layout pass either way.
    return (True, len(str(_pages_guess(report)))) if P.contents_wanted(report) else (False, 0)


def first_html(report: Report, options=None) -> tuple[tuple[bool, str | None], str]:
    """The HTML ``render_counted`` lays out first, and its (contents, placeholder): a process that hands the
    report to another one to typeset can render it meanwhile (``offer_first_html``). Needs no WeasyPrint."""
    from ..house import theme_for
    from ..style import DEFAULT

    theme = theme_for(report, options) or DEFAULT
    toc, digits = _first_pass(report)
    placeholder = toc_placeholder(report, digits) if toc else None
    return (toc, placeholder), html_writer.render_string(report, toc=toc, plan=P.plan_of(
        report, chart=P.chart_wanted(options)), theme=theme, toc_placeholder=placeholder)


_offered: dict = {}


def offer_first_html(report: Report, options, first: tuple[bool, str | None], html: str) -> None:
    """The next ``render_counted`` of this very report and equal options takes ``html`` (from ``first_html``,
    rendered by another process) for its first pass instead of rendering it again (~0.1 s in a new process:
    Jinja compiling its templates, the chart measuring its labels). Only the next render looks at it."""
    _offered["html"] = (report, options, tuple(first), html)


def render_document(report: Report, options=None, theme=None):
    """(PDF bytes, WeasyPrint Document) for a report: one layout pass (more only when a contents page
    number outgrows its placeholder)."""
    from ..style import DEFAULT

    plan = P.plan_of(report, chart=P.chart_wanted(options))
    theme = theme or DEFAULT
    offered = [_offered.pop("html", None)]

    def html(toc: bool = False, placeholder: str | None = None) -> str:
        given, offered[0] = offered[0], None
        if given is not None and given[0] is report and given[1] == options and given[2] == (toc, placeholder):
            return given[3]
        return html_writer.render_string(report, toc=toc, plan=plan, theme=theme, toc_placeholder=placeholder)

    def complete(text: str):
        return _layout_complete(text, report, None if theme == DEFAULT else theme)

    def with_toc(digits: int):
        # Contents with placeholders as wide as the page numbers likely are, filled in after layout;
        # when a number is wider, with wider placeholders, then (never seen) with target-counter().
        for n in (digits, digits + 1):
            placeholder = toc_placeholder(report, n)
            document = complete(html(toc=True, placeholder=placeholder))
            if fill_toc_numbers(document, report, _toc_targets(plan), placeholder):
                return document
        return complete(html(toc=True))

    with _lock, _captured_log() as records:
        toc, digits = _first_pass(report)
        document = with_toc(digits) if toc else complete(html())
        data = write(document, report, getattr(options, "pdf_variant", None))
    _check_log(records)
    check_fonts(document, theme)
    return data, document


def render(report: Report, options=None) -> bytes:
    """The brief as PDF bytes (deterministic for a given report and installation)."""
    return render_counted(report, options)[0]


def render_counted(report: Report, options=None) -> tuple[bytes, int]:
    """(PDF bytes, page count): what a build records in its manifest."""
    from ..house import theme_for, with_house_logo

    theme = theme_for(report, options)  # a broken theme file is a ReportError (exit 1), not a render failure
    report = with_house_logo(report, theme)
    try:
        data, document = render_document(report, options, theme)
    except RenderError:
        raise
    except Exception as exc:  # WeasyPrint/Pango failures surface as render errors (exit 3)
        raise RenderError(f"PDF typesetting failed: {type(exc).__name__}: {exc}") from exc
    return data, len(document.pages)
