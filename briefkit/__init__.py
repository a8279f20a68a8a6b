"""briefkit: typeset right-to-left PDF and DOCX policy briefs from one YAML or JSON report.

The public API is what this package exposes; submodules are implementation.
"""
from __future__ import annotations

from .errors import BriefkitError, Problem, RenderError, ReportError
from .options import Options

__version__ = "0.1.0"
__all__ = ["load", "loads", "build", "render_pdf", "render_docx", "render_html", "Options", "ReportError",
           "RenderError", "Problem", "BriefkitError", "__version__"]


def load(path):
    """Read and validate a report file; raises ReportError listing every problem."""
    from .loader import load as _load

    return _load(path)


def loads(source, name: str | None = None):
    """Validate a report given as YAML/JSON text (str or bytes) or as a Python mapping; same rules and messages
    as ``load``. ``name`` is the file name shown in problems, gives the default ``meta.id`` (its stem), the
    format (``.json``: JSON; without a suffix, text that parses as JSON is JSON) and the folder logos are
    relative to (its parent; the working directory when omitted). A mapping has no lines: its problems carry
    line 0 and column 0. Raises ReportError; the Report it returns is what ``build`` and the renderers take."""
    from collections.abc import Mapping

    from .loader import loads as _loads

    label = name or ("<mapping>" if isinstance(source, Mapping) else "<string>")
    return _loads(source, label, name=label)


def render_html(report, options: Options | None = None) -> bytes:
    """The brief as a standalone HTML document (UTF-8 bytes)."""
    from .writers.html import render

    return render(report, options)


def render_pdf(report, options: Options | None = None) -> bytes:
    """The brief as a PDF (HTML typeset by WeasyPrint with the shipped fonts). ``options``: an ``Options``
    (``pdf_variant``, ``chart``, ``theme``, ``max_pages``), the command line's defaults when omitted."""
    from .writers.pdf import render

    return render(report, options)


def render_docx(report, options: Options | None = None) -> bytes:
    """The brief as a DOCX document. ``options``: an ``Options`` (``docx_fonts``, ``chart``, ``theme``)."""
    from .writers.docx import render

    return render(report, options)


def build(report, outdir="out", formats=("pdf", "docx"), options: Options | None = None):
    """Write ``OUTDIR/<meta.id>.<format>`` for each format atomically; returns the written paths.

    ``report`` is a loaded Report or a path to a report file; ``options`` an ``Options`` with what the
    command line's flags set (``Options(pdf_variant="a3b", docx_fonts="none", chart=False, theme=Path(...),
    max_pages=20)``), its defaults when omitted.
    """
    from .builder import build as _build
    from .options import DEFAULT

    return _build(report, outdir, formats=formats, options=options or DEFAULT)
