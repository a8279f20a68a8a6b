"""briefkit: typeset right-to-left PDF and DOCX policy briefs from one YAML or JSON report.

The public API is what this package exposes; submodules are implementation.
"""
from __future__ import annotations

from .errors import BriefkitError, Problem, RenderError, ReportError

__version__ = "0.1.0"
__all__ = ["load", "build", "render_pdf", "render_docx", "render_html", "ReportError", "RenderError",
           "Problem", "BriefkitError", "__version__"]


def load(path):
    """Read and validate a report file; raises ReportError listing every problem."""
    from .loader import load as _load

    return _load(path)


def render_html(report) -> bytes:
    """The brief as a standalone HTML document (UTF-8 bytes)."""
    from .writers.html import render

    return render(report)


def render_pdf(report) -> bytes:
    """The brief as a PDF (HTML typeset by WeasyPrint with the shipped fonts)."""
    from .writers.pdf import render

    return render(report)


def render_docx(report) -> bytes:
    """The brief as a DOCX document."""
    from .writers.docx import render

    return render(report)


def build(report, outdir="out", formats=("pdf", "docx")):
    """Write ``OUTDIR/<meta.id>.<format>`` for each format atomically; returns the written paths.

    ``report`` is a loaded Report or a path to a report file.
    """
    from .builder import build as _build

    return _build(report, outdir, formats=formats)
