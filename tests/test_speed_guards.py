"""briefkit's quicker paths through WeasyPrint (writers/pdf.py): the same bytes as WeasyPrint's own, taken, and
pinned to the WeasyPrint source they were written against (an upgrade that changes it fails here)."""
from __future__ import annotations

import contextlib
import hashlib
import inspect
from pathlib import Path

import pytest

import briefkit
from briefkit.writers import pdf as pdf_writer

ROOT = Path(__file__).resolve().parents[1]

PINNED = {
    # the line splitting pdf._line_splits_remembered answers from memory: pure for equal arguments
    "weasyprint.text.line_break.split_first_line":
        "39ad1016863ca34de0bea4c9fcffb46da7e27813c87dd82b7011bfa19fe5504f",
}


def _weasyprint_function(dotted: str):
    import importlib

    from briefkit._native import import_weasyprint

    import_weasyprint()
    module, _, name = dotted.rpartition(".")
    owner = None
    while module:
        try:
            owner = importlib.import_module(module)
            break
        except ImportError:
            module, _, cls = module.rpartition(".")
            name = f"{cls}.{name}"
    for part in name.split("."):
        owner = getattr(owner, part)
    return owner


@pytest.mark.parametrize("dotted", sorted(PINNED))
def test_patched_weasyprint_source_is_the_one_pinned(dotted):
    source = inspect.getsource(_weasyprint_function(dotted))
    assert hashlib.sha256(source.encode()).hexdigest() == PINNED[dotted], (
        f"WeasyPrint's {dotted} changed: check briefkit/writers/pdf.py's quick path against it, then pin it again")


REPORTS = [ROOT / "seeds" / "turkey-russia-relations.yaml", ROOT / "tests" / "cases" / "04-english.yaml"]


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_quick_paths_are_taken_and_change_no_byte(path, monkeypatch):
    from weasyprint.text import line_break

    report = briefkit.load(path)
    real_split = line_break.split_first_line
    pango_splits = []

    def counting(*args, **kwargs):
        pango_splits.append(args[0])
        return real_split(*args, **kwargs)

    for module in pdf_writer.LINE_SPLIT_HOOKS:
        monkeypatch.setattr(f"{module}.split_first_line", counting)
    quick = pdf_writer.render(report)
    quick_splits = len(pango_splits)

    pango_splits.clear()
    monkeypatch.setattr(pdf_writer, "_line_splits_remembered", contextlib.nullcontext)
    stock = pdf_writer.render(report)
    assert quick_splits < len(pango_splits), "no line split was answered from memory"
    assert quick == stock
