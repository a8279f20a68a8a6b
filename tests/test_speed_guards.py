"""briefkit's quicker paths through WeasyPrint (writers/pdf.py): the same bytes as WeasyPrint's own, taken, and
pinned to the WeasyPrint source they were written against (an upgrade that changes it fails here)."""
from __future__ import annotations

import contextlib
import difflib
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
    # the functions of one style pdf._style_answers_remembered answers from memory (strut's own cache key)
    "weasyprint.text.line_break.strut":
        "b57885b70dd08efe92f72a746709e08c576f47b90edb36f02925fefa15bb761a",
    "weasyprint.text.line_break._font_style_cache_key":
        "d6b09d54b8258d5861359b1bae2533929064715f647e36902523399bd14cce46",
    "weasyprint.text.fonts.get_font_description":
        "85734b8947b9bf64ef27ff11d8f5355db76a2ae8efc9a6fed925dc9e2a1056ce",
    # the function pdf._harfbuzz_subset copies, but for the ids its second pass keeps
    "weasyprint.pdf.fonts.Font._harfbuzz_subset":
        "f80805663ede8080a3e1ffff831e20c74bd25fa3b8e4410334ba807158dc685f",
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


def _code_lines(function) -> list[str]:
    """The statements of a function's body, stripped, without its docstring, comments or imports."""
    import ast
    import textwrap

    source = textwrap.dedent(inspect.getsource(function))
    body = ast.parse(source).body[0].body
    skip = set()
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        skip = set(range(body[0].lineno, body[0].end_lineno + 1))
    lines = source.splitlines()
    return [line.strip() for n, line in enumerate(lines[1:], 2)
            if n not in skip and line.strip() and not line.strip().startswith(("#", "from ", "import "))]


def test_quick_subset_is_weasyprints_but_for_the_kept_ids():
    theirs = _code_lines(_weasyprint_function("weasyprint.pdf.fonts.Font._harfbuzz_subset"))
    ours = _code_lines(pdf_writer._harfbuzz_subset)
    diff = [d for d in difflib.ndiff(theirs, ours) if d[:1] in "+-"]
    assert [d for d in diff if d.startswith("-")] == [
        "- keep = tuple(range(max(to_unicode) + 1))",
        "- gid_array = ffi.new(f'hb_codepoint_t[{len(keep)}]', keep)",
        "- harfbuzz.hb_set_add_sorted_array(gid_set, gid_array, len(keep))",
    ]
    assert all("count" in d or "gid_array" in d or d.startswith("+ if hb_face:") for d in diff if d[0] == "+")


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

    subsets = []
    quick_subset = pdf_writer._harfbuzz_subset

    def counting_subset(self, *args):
        subsets.append(self.family)
        return quick_subset(self, *args)

    monkeypatch.setattr(pdf_writer, "_harfbuzz_subset", counting_subset)
    real_strut = line_break.strut
    struts = []

    def counting_strut(style):
        struts.append(style)
        return real_strut(style)

    for module in pdf_writer.STYLE_ANSWERS["strut"]:
        monkeypatch.setattr(f"{module}.strut", counting_strut)
    for module in pdf_writer.LINE_SPLIT_HOOKS:
        monkeypatch.setattr(f"{module}.split_first_line", counting)
    quick = pdf_writer.render(report)
    quick_splits, quick_struts = len(pango_splits), len(struts)
    assert subsets, "the quick subsetting was not taken"

    pango_splits.clear()
    struts.clear()
    monkeypatch.setattr(pdf_writer, "_style_answers_remembered", contextlib.nullcontext)
    monkeypatch.setattr(pdf_writer, "_line_splits_remembered", contextlib.nullcontext)
    monkeypatch.setattr(pdf_writer, "_quick_subset", contextlib.nullcontext)
    stock = pdf_writer.render(report)
    assert quick_splits < len(pango_splits), "no line split was answered from memory"
    assert quick_struts < len(struts), "no strut was answered from memory"
    assert quick == stock
