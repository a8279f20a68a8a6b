"""briefkit: typeset right-to-left PDF and DOCX policy briefs from one YAML or JSON report.

The public API is what this package exposes; submodules are implementation.
"""
from __future__ import annotations

from .errors import BriefkitError, Problem, RenderError, ReportError
from .options import Options

__version__ = "0.1.0"
__all__ = ["load", "loads", "build", "render_pdf", "render_docx", "render_page", "render_html", "Options", "ReportError",
           "RenderError", "Problem", "BriefkitError", "__version__"]


def load(path, options: Options | None = None):
    """Read and validate a report file; raises ReportError listing every problem. Characters the theme draws
    (``options.theme``, else a theme.yaml beside the report, as the command line has it) count as covered."""
    from .house import theme_glyphs
    from .loader import load as _load

    return _load(path, theme_glyphs=theme_glyphs(path, _options(options)))


def loads(source, name: str | None = None, options: Options | None = None):
    """Validate a report given as YAML/JSON text (str or bytes) or as a Python mapping; same rules and messages
    as ``load``. ``name`` is the file name shown in problems, gives the default ``meta.id`` (its stem), the
    format (``.json``: JSON; without a suffix, text that parses as JSON is JSON) and the folder logos are
    relative to (its parent; the working directory when omitted). A mapping has no lines: its problems carry
    line 0 and column 0. ``options``: its theme's characters count as covered (else a theme.yaml beside
    ``name``). Raises ReportError; the Report it returns is what ``build`` and the renderers take."""
    from collections.abc import Mapping

    from .loader import loads as _loads

    from .house import theme_glyphs

    label = name or ("<mapping>" if isinstance(source, Mapping) else "<string>" if isinstance(source, (str, bytes))
                     else "<value>")
    glyphs = theme_glyphs(name, _options(options)) if name or options is not None else frozenset()
    return _loads(source, label, name=label, theme_glyphs=glyphs)


def _report(report, options=None):
    """A Report as the API takes it: a loaded Report, or a path to a report file (loaded here, its theme's
    characters covered as ``load`` covers them)."""
    from collections.abc import Mapping
    from os import PathLike

    from .model import Report

    if isinstance(report, Report):
        return report
    if isinstance(report, (str, PathLike)):
        return load(report, options)
    hint = " (validate it first: briefkit.loads(mapping))" if isinstance(report, Mapping) else ""
    raise TypeError(f"expected a Report from briefkit.load or briefkit.loads, or a path to a report file; got "
                    f"{type(report).__name__}{hint}")


def _options(options) -> Options:
    from .options import DEFAULT

    if options is None:
        return DEFAULT
    if not isinstance(options, Options):
        raise TypeError(f"options: expected briefkit.Options(...), got {type(options).__name__}")
    return options


def render_html(report, options: Options | None = None) -> bytes:
    """The print HTML the PDF is typeset from (UTF-8 bytes): its fonts are referenced in briefkit's own
    folder and a theme's styles are added when the PDF is typeset, so it is not a page to open anywhere:
    ``render_page`` is (what ``build`` and ``--format html`` write)."""
    from .writers.html import render

    return render(_report(report, options), _options(options))


def render_page(report, options: Options | None = None) -> bytes:
    """The brief as one self-contained HTML page (UTF-8 bytes; fonts and logo inside, the theme applied):
    the bytes ``build(..., formats=("html",))`` writes. Applies the page budget (``Options.max_pages``)."""
    from .writers import render

    return render(_report(report, options), "html", _options(options))


def render_pdf(report, options: Options | None = None) -> bytes:
    """The brief as a PDF (HTML typeset by WeasyPrint with the shipped fonts). ``report``: a Report or a path;
    ``options``: an ``Options`` (``pdf_variant``, ``chart``, ``theme``, ``max_pages``: a brief estimated past
    its page budget raises RenderError before any typesetting), the command line's defaults when omitted."""
    from .writers import render

    return render(_report(report, options), "pdf", _options(options))


def render_docx(report, options: Options | None = None) -> bytes:
    """The brief as a DOCX document. ``report``: a Report or a path; ``options``: an ``Options``
    (``docx_fonts``, ``chart``, ``theme``, ``max_pages``)."""
    from .writers import render

    return render(_report(report, options), "docx", _options(options))


def build(report, outdir="out", formats=("pdf", "docx"), options: Options | None = None):
    """Write ``OUTDIR/<meta.id>.<format>`` for each format atomically; returns the written paths.

    ``report`` is a loaded Report or a path to a report file; ``options`` an ``Options`` with what the
    command line's flags set (``Options(pdf_variant="a3b", docx_fonts="none", chart=False, theme=Path(...),
    max_pages=20)``), its defaults when omitted.
    """
    from .builder import build as _build

    if isinstance(formats, str):        # "pdf" or "pdf,docx", as --format takes it
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    formats = tuple(dict.fromkeys(formats))
    if not formats:
        raise ValueError("formats: name at least one of pdf, docx, html")
    model_or_path = report if isinstance(report, (str,)) or hasattr(report, "__fspath__") else _report(report, options)
    return _build(model_or_path, outdir, formats=formats, options=_options(options))
