"""The PDF's text layer: a character code per (glyph, text, advance) use instead of WeasyPrint's one per glyph.

WeasyPrint 70 (``weasyprint/draw/text.py``) writes each glyph id as its character code and fills
``font.to_unicode`` once per glyph id, first use wins: a glyph shared by different letter sequences gets one
mapping (Amiri's auxiliary lam: «ولكن» → «وللكن»), and a ligature gets a multi-letter mapping that every
extractor with bidi (poppler, PDFium, MuPDF, pdf.js) reads backwards in right-to-left text (Noto Kufi's
lam-alef: «العلاقات» → «العالقات»). This module rewrites, while the page is drawn and before WeasyPrint
reads it, each line's Pango glyph string:

- every glyph use gets a code of its own for its exact text and advance (alias codes beyond the font's
  glyphs; a ``CIDToGIDMap`` sends them back to the real glyph), so one glyph can carry different texts and
  extractors see no kerning gaps inside words;
- in right-to-left runs a cluster of several characters (a ligature, a letter and its marks) is spread over
  its glyph's advance: the glyph carries the visually leftmost character and zero-ink copies of the font's
  space glyph, drawn nothing, carry the others, each one character in visual order, which is what every
  extractor reorders correctly;
- in a right-to-left line, each left-to-right word (digits, Latin, URLs) is carried whole by its first glyph,
  across font runs, so extractors without bidi (pdfminer/pdfplumber) do not reverse it; its other glyphs
  carry U+200D, and the whole stretch is a marked-content span whose /ActualText is its own text, which
  poppler, PDFium and MuPDF read instead (pdf.js skips the U+200D itself; pdfplumber keeps them);
- PDFium cuts a line into segments by a crude class (Latin letters; digits and separators; Arabic) and
  reverses their order in a right-to-left line, /ActualText included («M4» → «4M»); it orders a line's
  text objects by where they start. A stretch it would reverse is a /Frag PDFium and MuPDF read nothing
  from (NOTHING) inside a /Span with its own text for poppler, followed by one invisible code per segment,
  each a /Frag with that segment's /ActualText inside a /Span poppler drops (NOTHING), drawn inside the
  stretch's last half em from right to left: PDFium meets them last segment first, MuPDF in drawing
  order, and poppler's line stays whole;
- beside each stretch of the other direction, a zero-ink code carries a direction mark (U+200E/U+200F), so
  that poppler's reorderText and MuPDF's run reversal keep the space between the stretch and the next word;
- a vowel mark's text comes just before its own letter's in drawing order (read just after it), on a
  code sized so that the pen never goes back far (pdf.js starts a new text item there) and no gap opens
  (poppler reads one as a space); a raised mark's glyph, on a baseline of its own, carries U+200D after
  its word (_place_marks);
- in a left-to-right line, a right-to-left stretch's glyphs carry its characters in typed order from left
  to right, with WORD JOINERs for pdf.js's bidi, under a span with their old text for poppler, PDFium and
  MuPDF (_carry_right_to_left): pdfplumber, which has no bidi, read it reversed;
- a «%» or currency sign beside a number in a right-to-left line (on the Arabic side, where the bidi
  algorithm draws it) gets a right-to-left mark on its left, in its code's text or a zero-width code of
  its own, and so does the punctuation after a «%», so that poppler's reorderText does not take them into
  the number's section («80–90.%», «0.07$»): _sign_after, SIGN_MARK;
- a one-letter word glued to a left-to-right <bdi> drawn after its box («و<bdi>200 MW</bdi>») is handed to
  the <bdi> (_carry: handover), and given back if the next box does not take it (_give_back);
- a letter glued after a number, a year's era («1442ه», «1446هـ»), joins the number's pieces as a letter
  glued before it does (_carry: suffix, _glued_after), and the space right of that number is split for
  MuPDF's visual-order runs (_plan_run: "|");
- a word too long for its line, cut between two letters (noted while WeasyPrint breaks the lines,
  _note_cut), is carried whole by its first piece's glyphs under an /ActualText of it, one run of a letter
  a code; its later pieces' glyphs carry nothing (_mark_cut).

What a reader sees is unchanged: the same glyphs at the same positions (tests compare rendered pages).
``check_hooks`` fails loudly when a WeasyPrint upgrade moves the hook points.
"""
from __future__ import annotations

import math
import re
import unicodedata
from contextlib import contextmanager
from functools import lru_cache

ALIAS_TOP = 0xFFFE
"""Alias codes count down from here; WeasyPrint's own codes for missing glyphs count up from the glyph count."""

_state = {"active": False, "installed": False}


def check_hooks() -> None:
    """Raise if WeasyPrint no longer has the functions and fields this module relies on."""
    from .._native import import_weasyprint

    import_weasyprint()  # the project's one way in (no helper processes)
    from weasyprint.draw import text as draw_text
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text.line_break import Layout

    problems = []
    if not callable(getattr(draw_text, "draw_first_line", None)):
        problems.append("weasyprint.draw.text.draw_first_line")
    if not callable(getattr(Layout, "get_first_line", None)) or not callable(getattr(Layout, "set_text", None)):
        problems.append("weasyprint.text.line_break.Layout.get_first_line/set_text")
    for attr in ("to_unicode", "widths", "glyph_count", "missing"):
        if attr not in pdf_fonts.Font.__init__.__code__.co_names:
            problems.append(f"weasyprint.pdf.fonts.Font.{attr}")
    import inspect

    source = inspect.getsource(draw_text.draw_first_line)
    for needle in ("if glyph_id not in font.to_unicode", "if glyph_id in font.widths",
                   "textbox.pango_layout.get_first_line()", "stream.add_font(pango_font)"):
        if needle not in source:
            problems.append(f"draw_first_line no longer contains {needle!r}")
    from weasyprint.layout import inline

    split = getattr(inline, "split_text_box", None)
    if not callable(split) or inspect.signature(getattr(split, "__wrapped__", split)).parameters.keys() \
            != {"context", "box", "available_width", "skip", "is_line_start"}:
        problems.append("weasyprint.layout.inline.split_text_box(context, box, available_width, skip, ...)")
    if "'CIDToGIDMap': '/Identity'" not in inspect.getsource(pdf_fonts._build_vector_font_dictionary):
        problems.append("pdf.fonts._build_vector_font_dictionary no longer writes CIDToGIDMap /Identity")
    if problems:
        raise RuntimeError("briefkit's text-layer patch does not fit this WeasyPrint: " + "; ".join(problems))


def install() -> None:
    """Patch WeasyPrint (once): its line breaking notes words cut by a line end, its drawing writes
    briefkit's character codes inside ``exact_text``. Before laying out, so that the cuts are noted."""
    _install()


def _install() -> None:
    if _state["installed"]:
        return
    check_hooks()
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import inline

    split_text_box = inline.split_text_box

    def split_noting_cuts(context, box, available_width, skip, is_line_start=True):
        new_box, resume, preserved = split_text_box(context, box, available_width, skip, is_line_start)
        if new_box is not None:
            _note_cut(box, new_box, skip, resume)
        return new_box, resume, preserved

    split_noting_cuts.__wrapped__ = split_text_box
    inline.split_text_box = split_noting_cuts

    original = draw_text.draw_first_line

    def draw_first_line(stream, textbox, *args, **kwargs):
        if not _state["active"]:
            return original(stream, textbox, *args, **kwargs)
        layout = textbox.pango_layout
        swaps: dict[int, tuple] = {}
        inner_get, inner_set = layout.get_first_line, layout.set_text

        def get_first_line():
            line, index = inner_get()
            _rewrite_line(stream, layout, line, swaps)
            return line, index

        def set_text(*a, **k):
            _restore(swaps)  # Pango frees the old line: give it back its own arrays first
            return inner_set(*a, **k)

        layout.get_first_line, layout.set_text = get_first_line, set_text
        inner_show, inner_font = stream.show_text, stream.set_font_size
        stream.show_text = lambda string: _show_text(stream, inner_show, string)
        stream.set_font_size = lambda font, size: (_state.__setitem__("font", font), inner_font(font, size))[1]
        left = textbox.content_box_x()
        # a <bdi> with right-to-left text after it: one piece of its paragraph's line, whose other pieces
        # may be drawn after it
        element = getattr(textbox, "element", None)
        _state["part"] = getattr(textbox, "element_tag", None) == "bdi" and any(
            unicodedata.bidirectional(c) in ("R", "AL") for c in (getattr(element, "tail", None) or ""))
        _state["glued_next"] = _glued_to_bdi(textbox.text, element)
        _state["box"] = (left, left + textbox.width, round(textbox.content_box_y() + textbox.baseline, 2))
        # where WeasyPrint draws the baseline (draw_text): the content box's top differs from font to font
        _state["y"] = round(textbox.position_y + textbox.baseline, 2)
        _state["cut"] = (getattr(textbox, "_briefkit_head", None), getattr(textbox, "_briefkit_tail", None))
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            _restore(swaps)
            del layout.get_first_line, layout.set_text, stream.show_text, stream.set_font_size
            _state.pop("spans", None)
            # a box of white space only is not drawn: the boxes around it do not meet
            _state["previous_box"] = _state["box"] if textbox.text.strip() else None
            _state["previous_y"] = _state["y"] if textbox.text.strip() else None
            _state["previous_starts_ltr"] = _state.pop("starts_ltr", False)

    draw_first_line.__wrapped__ = original
    draw_text.draw_first_line = draw_first_line
    _state["installed"] = True


def _glued_to_bdi(text: str, element) -> bool:
    """This box's text ends with a one-letter Arabic word glued to a left-to-right <bdi> that follows
    it («و<bdi>200 MW</bdi>», the bdi a box of its own drawn next): the letter goes to the bdi's
    PDFium pieces (_carry: handover)."""
    if not text or len(text) < 2 or unicodedata.bidirectional(text[-1]) not in ("R", "AL") \
            or not text[-2].isspace() or element is None:
        return False
    before = getattr(element, "text", None) or ""
    for child in element:
        # (its text may be in a nowrap span: a number with its unit)
        if getattr(child, "tag", None) == "bdi" and child.get("dir") == "ltr" and before.endswith(text) \
                and "".join(child.itertext())[:1].strip():
            return True
        before = getattr(child, "tail", None) or ""
    return False


def _show_text(stream, inner_show, string: str) -> None:
    """WeasyPrint's TJ, cut around each carried stretch to wrap it in a marked-content span whose
    /ActualText is the stretch's own text (_plan_run). Cutting a TJ between two of its elements moves
    nothing."""
    events = _state.get("spans")
    font = _state.get("font")
    if not events or not any(key[0] == font for key in events):
        return inner_show(string)
    piece, inside, i = "", False, 0
    while i < len(string):
        char = string[i]
        if char in "<>":
            inside = char == "<"
            piece += char
            i += 1
            continue
        if not inside:
            piece += char
            i += 1
            continue
        code = string[i:i + 4]
        event = events.get((font, int(code, 16)))
        if event is not None and event[0] in ("begin", "both", "one"):
            if piece.strip("<>0"):
                inner_show(piece + ">")
            for tag, properties in event[1]:
                stream.begin_marked_content(tag, properties)
                if properties is HANDED_OVER:
                    # where the letter's "nothing" is written: given back its text if the <bdi> does
                    # not take it (_give_back)
                    _state["handover_chunk"] = (stream.stream, len(stream.stream) - 2, _state.get("handover_letter"))
            if event[0] == "both":
                stream.set_text_rendering(3)
            piece = "<"
        piece += code
        i += 4
        if event is not None and event[0] in ("end", "both", "one"):
            inner_show(piece + ">")
            if event[0] == "both":
                stream.set_text_rendering(0)
            for _ in range(event[1] if event[0] == "end" else len(event[1]) + event[2]):
                stream.end_marked_content()
            piece = "<"
    if piece.strip("<>0"):
        inner_show(piece)


@contextmanager
def exact_text(rtl: bool = True):
    """Within this block, WeasyPrint draws text with briefkit's per-use character codes. ``rtl``: the
    document reads right to left (its left-to-right words are then carried whole)."""
    _install()
    _state["active"] = True
    _state["rtl"] = rtl
    _state["after_ltr"] = False
    _state["previous_box"] = None
    _state["line"] = None
    _state["cut_done"] = set()
    _state["handover"] = _state["handover_code"] = _state["handover_chunk"] = None
    try:
        yield
    finally:
        _give_back()
        _state["active"] = False


# ---- words cut by a line end ------------------------------------------------------------------------------

def _word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def _note_cut(box, new_box, skip: int, resume) -> None:
    """A word too long for its line is cut between two of its letters (overflow-wrap) and each piece is
    drawn on a line of its own, which every extractor reads as several words (a 256-letter title read as
    eight). Notes on the piece where the word starts its head (that piece's part of the word, a token
    holding the whole word), and on each later piece its tail (its part, the same token): the head's
    glyphs then carry the whole word, the tails' nothing (_plan_run: emit_cut). ``box`` is the text
    box being laid out, ``skip`` and ``resume`` byte offsets in its text."""
    new_box.__dict__.pop("_briefkit_head", None)  # a copy of a piece noted before
    new_box.__dict__.pop("_briefkit_tail", None)
    encoded = box.text.encode()
    tokens = getattr(box, "_briefkit_cut_tokens", None)
    if skip and tokens and skip in tokens:
        piece = new_box.text
        end = next((n for n, c in enumerate(piece) if c.isspace()), len(piece))
        if end:
            new_box._briefkit_tail = (piece[:end], tokens[skip])
    if resume is None or not skip < resume < len(encoded) or len(new_box.text.encode()) != resume - skip:
        return  # the rest fits, or the line ends with a preserved break or a hyphen added
    before, after = encoded[:resume].decode(), encoded[resume:].decode()
    if not (_word_char(before[-1]) and _word_char(after[0])):
        return  # a break at a space or after punctuation: two words for every reader
    start = len(before)
    while start and not before[start - 1].isspace():
        start -= 1
    end = next((n for n, c in enumerate(after) if c.isspace()), len(after))
    if tokens is None:
        tokens = box._briefkit_cut_tokens = {}
    head_at = len(before[:start].encode())
    # one token per word, passed on from cut to cut
    token = tokens.setdefault(("word", head_at), [before[start:] + after[:end]])
    tokens[resume] = token
    if head_at >= skip:
        new_box._briefkit_head = (before[start:], token)


# ---- the line rewrite -------------------------------------------------------------------------------------

def _restore(swaps: dict) -> None:
    for glyph_string, glyphs, clusters, count, _keep in swaps.values():
        glyph_string.glyphs, glyph_string.log_clusters, glyph_string.num_glyphs = glyphs, clusters, count
    swaps.clear()


class _Codes:
    """Per WeasyPrint Font: (glyph, text, width) → code, and code → glyph for the CIDToGIDMap."""

    def __init__(self, font):
        self.by_key: dict[tuple, int] = {}
        self.gid: dict[int, int] = {}
        self.next_alias = ALIAS_TOP
        self.space = _space_glyph(font)
        self.widths: dict[int, int] = {}

    def nominal(self, gid: int, pango_font, stream, font_size) -> int:
        """The glyph's own width as WeasyPrint computes it (first computation wins, as in WeasyPrint)."""
        if gid not in self.widths:
            from weasyprint.text.ffi import FROM_UNITS, pango

            pango.pango_font_get_glyph_extents(pango_font, gid, stream.ink_rect, stream.logical_rect)
            self.widths[gid] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
        return self.widths[gid]

    def code(self, font, gid: int, text: str, width: float, own: bool = False) -> int:
        """``own``: a code no other use shares (its text may still grow: _carry_word)."""
        key = (gid, text, width) if not own else (gid, text, width, len(self.gid))
        code = self.by_key.get(key)
        if code is not None:
            return code
        if gid not in self.gid and gid not in font.to_unicode:
            code = gid
        elif self.next_alias > font.glyph_count + len(font.missing) + 256:
            code = self.next_alias
            self.next_alias -= 1
        else:  # out of codes (never seen): fall back to WeasyPrint's one mapping per glyph
            return gid
        self.by_key[key] = code
        self.gid[code] = gid
        font.to_unicode[code] = text
        font.widths[code] = width
        return code


_space_cache: dict[tuple, int | None] = {}


def _space_glyph(font) -> int | None:
    key = (font.hash, len(font.file_content))
    if key not in _space_cache:
        from ..fontsubset import nominal_glyph

        # HarfBuzz's cmap lookup: the glyph fontTools' getBestCmap gives, without decoding the whole cmap
        # and post tables (~40 ms of a process's first PDF)
        _space_cache[key] = nominal_glyph(font.file_content, font.index, 0x20)
    return _space_cache[key]


def _codes(font) -> _Codes | None:
    codes = getattr(font, "_briefkit_codes", None)
    if codes is None:
        if font.bitmap or font.png or font.svg or font.colr or font.type != "ttf":
            return None
        codes = font._briefkit_codes = _Codes(font)
    return codes


def _rewrite_line(stream, layout, line, swaps: dict) -> None:
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    # The page's direction, not this layout's: an inline <bdi dir="ltr"> is its own layout, yet its
    # words sit in right-to-left lines for an extractor.
    rtl_line = _state.get("rtl", True)
    utf8 = layout.text.encode()
    special, unknown = pango.PANGO_GLYPH_EMPTY, pango.PANGO_GLYPH_UNKNOWN_FLAG
    runs = []
    run = line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyph_string = glyph_item.glyphs
        address = int(ffi.cast("uintptr_t", glyph_string))
        if address in swaps:
            continue
        font, font_size = stream.add_font(glyph_item.item.analysis.font)
        codes = _codes(font)
        if codes is None or not font_size or not glyph_string.num_glyphs or codes.space is None:
            runs.append(None)
            continue
        runs.append([glyph_item, address, font, font_size, codes,
                     _groups(glyph_item, utf8, special, unknown), {}, {}])
    previous, box = _state.get("previous_box"), _state.get("box")
    # This box continues the one drawn before it in the same line (an emphasis, a link inside a paragraph):
    # in a right-to-left line it sits right on that box's left.
    same_line = _state.get("previous_y") is not None and _state.get("previous_y") == _state.get("y")
    _state["adjacent"] = bool(previous and box and same_line and abs(previous[0] - box[1]) < 0.5)
    # A left-to-right word the box before left open at its right end, and this box goes on from there
    # (a URL whose scheme and host are a nowrap span of their own)
    open_word = _state.pop("open_word", None)
    _state["continued"] = open_word if previous and box and previous[2] == box[2] \
        and abs(previous[1] - box[0]) < 0.5 else None
    # whether the box drawn before cut its number into PDFium's pieces (_sign_after)
    _state["previous_pieces"] = _state.pop("pieces_drawn", False)
    _carry(runs, rtl_line)
    if rtl_line:
        _poppler_punctuation(runs)
    head, tail = _state.pop("cut", (None, None))
    if head is not None or tail is not None:
        _mark_cut(runs, utf8, head, tail, rtl_line)
    drawn = _state.get("previous_y"), _state.get("y")
    if previous and box and None not in drawn and 1 < drawn[0] - drawn[1] < 12 \
            and -0.5 < (previous[0] - box[1] if rtl_line else box[0] - previous[1]) < 2:
        # A footnote call right after its word («honoured¹»): pdfplumber, which reads no baseline,
        # glued the two («honoured1»); every other extractor reads a space there. A zero-width space
        # at the call's reading start.
        ends = [entry for entry in runs if entry is not None]
        if ends:
            entry = ends[-1] if rtl_line else ends[0]
            entry[7][("space", "after" if rtl_line else "before")] = True
    first = next((entry for entry in runs if entry is not None), None)
    _state["starts_ltr"] = first is not None and first[0].item.analysis.level % 2 == 0
    last = next((entry for entry in reversed(runs) if entry is not None), None)
    if last is not None:
        # The direction of the last glyph drawn (the line's rightmost): a mark of the other direction right
        # after it would make MuPDF ignore the jump to the next box (stext-device.c: "Ignore jumps within
        # line when switching between LTR and RTL text") and glue the two («910»).
        _state["after_ltr"] = last[0].item.analysis.level % 2 == 0
    planned = []
    for entry in runs:
        if entry is None:
            planned.append(None)
            continue
        glyph_item, address, font, font_size, codes, groups, carried, marks = entry
        _state["no_span"] = True
        new = _plan_run(glyph_item, groups, carried, marks, font, font_size, codes, FROM_UNITS, pango, stream)
        planned.append((entry, new, _state.pop("no_span", False)))
    if not rtl_line:
        _poppler_runs(planned)
    for item in planned:
        if item is None:
            continue
        entry, new, _ = item
        glyph_item, address = entry[:2]
        glyph_string = glyph_item.glyphs
        infos = ffi.new("PangoGlyphInfo[]", len(new))
        clusters = ffi.new("gint[]", len(new))
        for i, (gid, width, x_off, y_off, cluster) in enumerate(new):
            infos[i].glyph = gid
            infos[i].geometry.width = width
            infos[i].geometry.x_offset = x_off
            infos[i].geometry.y_offset = y_off
            infos[i].attr.is_cluster_start = 1
            clusters[i] = cluster
        swaps[address] = (glyph_string, glyph_string.glyphs, glyph_string.log_clusters,
                          glyph_string.num_glyphs, (infos, clusters))
        glyph_string.glyphs, glyph_string.log_clusters = infos, clusters
        glyph_string.num_glyphs = len(new)


def _mark_cut(runs: list, utf8: bytes, head, tail, rtl_line: bool) -> None:
    """Mark the groups of a word cut by a line end (_note_cut): on its head piece, ("cut", k) = "head"
    on each group of the word's part, the whole word under ("cut head", first group); on a later piece,
    "tail" on each group of its part, once the head has carried the word. Only in runs of the line's
    direction, the head's part in one run (else the pieces read as they are drawn)."""
    def parts(lo, hi):
        found = []
        for entry in runs:
            if entry is None:
                continue
            base = entry[0].item.offset
            ks = [k for k, g in enumerate(entry[5]) if lo <= base + g[3] < hi]
            if ks:
                found.append((entry, ks))
        return found

    def free(entry, ks):
        return (entry[0].item.analysis.level % 2 == 1) == rtl_line \
            and not any(key[0] == "span" and key[2] in ks for key in entry[7] if isinstance(key, tuple))

    if tail is not None:
        part, token = tail
        if id(token) in _state.get("cut_done", ()) and utf8.startswith(part.encode()):
            for entry, ks in parts(0, len(part.encode())):
                if free(entry, ks):
                    for k in ks:
                        entry[7][("cut", k)] = "tail"
                    entry[7][("span", "begin", ks[0])] = [("Span", NOTHING)]
                    entry[7][("span", "end", ks[-1])] = 1
    if head is not None:
        part, token = head
        at = len(utf8) - len(part.encode())
        found = parts(at, len(utf8))
        if utf8.endswith(part.encode()) and len(found) == 1 and free(*found[0]):
            entry, ks = found[0]
            for k in ks:
                entry[7][("cut", k)] = "head"
            word = token[0]
            rtl = entry[0].item.analysis.level % 2 == 1
            # The word in drawing order, a code per run of one character (below)
            # (a long run in codes of at most MAX_CARRIED bytes: poppler calls a longer entry illegal)
            units = [run[n:n + MAX_CARRIED // len(run[0].encode("utf-16-be"))]
                     for run in (m.group() for m in re.finditer(r"(.)\1*", word[::-1] if rtl else word, re.S))
                     for n in range(0, len(run), MAX_CARRIED // len(run[0].encode("utf-16-be")))]
            entry[7][("cut head", ks[0])] = (ks, units)
            # /ActualText: what the codes say in drawing order, which poppler and PDFium read as one
            # string over the head (poppler else starts a word at each code closer than a tenth of an
            # em to the one before, PDFium drops a code repeated that close); MuPDF matches it with
            # the codes and reads those.
            entry[7][("span", "begin", ks[0])] = [("Span", _actual_text("".join(units)))]
            entry[7][("span", "end", ks[-1])] = 1
            _state.setdefault("cut_done", set()).add(id(token))


def _groups(glyph_item, utf8, special, unknown) -> list:
    """The run's clusters in visual order: [first glyph, end glyph, text, byte start, has ink]."""
    item = glyph_item.item
    glyph_string = glyph_item.glyphs
    n = glyph_string.num_glyphs
    rtl = item.analysis.level % 2 == 1
    base = item.offset
    glyphs = glyph_string.glyphs
    log = glyph_string.log_clusters
    groups = []
    i = 0
    while i < n:
        j = i
        ink = False
        while True:
            gid = glyphs[j].glyph
            ink = ink or (gid != special and not gid & unknown)
            if j + 1 < n and log[j + 1] == log[i]:
                j += 1
            else:
                break
        groups.append([i, j + 1, None, log[i], ink])
        i = j + 1
    last = len(groups) - 1
    for k, g in enumerate(groups):
        if rtl:
            end = item.length if k == 0 else groups[k - 1][3]
        else:
            end = item.length if k == last else groups[k + 1][3]
        g[2] = utf8[base + g[3]:base + end].decode("utf-8", "replace") if end >= g[3] else ""
    return groups


LEFT_MARK, RIGHT_MARK = "\u200f", "\u200e"
"""poppler's reorderText (TextOutputDev.cc) gives every neutral character, the space between words
included, to the left-to-right section it scans into: «في 2017-09-12 بقيمة» came out
«في  2017-09-12بقيمة». The space on the outer side of each opposite-direction stretch (left of a
left-to-right stretch in a right-to-left line, right of a right-to-left stretch in a left-to-right line)
lends half its advance to a zero-ink code carrying a strong mark of the line's direction (RIGHT-TO-LEFT
MARK, LEFT-TO-RIGHT MARK), between the space and the stretch: the scan stops there and the space stays
between the words. A code of its own, not a prefix of the word's text: MuPDF (pdf-op-run.c,
guess_bidi_level) takes a code's direction from its first character. Invisible; search drops it."""


def _carry(runs: list, rtl_line: bool) -> None:
    """Fill each run's carried map (group index → text for its first inked glyph, or None: filler only)
    and marks map (group index → LEFT_MARK or RIGHT_MARK: a space that lends half its advance to the mark;
    "": a zero-width mark before the group). Each left-to-right word of a right-to-left line is carried
    whole by its first inked glyph, across font runs («S-» in Noto Sans, «400» in Noto Kufi), so that no
    extractor reorders it."""
    flat = []  # every group of the line in visual order: (run entry, group index); None between pieces
    for entry in runs:
        if entry is None:
            flat.append(None)
        else:
            flat.extend((entry, k) for k in range(len(entry[5])))
    flat.append(None)
    _after_left_to_right(flat)
    head = flat[0]
    if rtl_line and head is not None and head[0][0].item.analysis.level % 2 and _text(head) in _SPACES \
            and _single(head):
        # A space opening the line of a right-to-left box (WeasyPrint draws each inline box alone): the box
        # on its left may be a left-to-right one (a URL after «2020، »), whose section in poppler's
        # reorderText would take this space and the comma (poppler counts «،» as a digit). A mark first.
        # After a left-to-right glyph, a LEFT-TO-RIGHT MARK comes first: MuPDF then still breaks the line
        # at the jump to this box instead of ignoring it at a change of direction.
        head[0][7][head[1]] = "<<" if _state.get("after_ltr") or _state.get("adjacent") else "<"
    elif rtl_line and head is not None and head[0][0].item.analysis.level % 2 \
            and (_state.get("after_ltr") or _state.get("adjacent")):
        # MuPDF (stext-device.c) ignores the jump back to a new box when the direction changes, and
        # judges it (a new line when far) when it does not. A zero-width LEFT-TO-RIGHT MARK first makes
        # the jump back to a box continuing the line after right-to-left text ignored (a word half in
        # italics, «و*مائلة*», stays one word), and the jump from a left-to-right end (a timeline's date,
        # «M4» before the rest of its line, which MuPDF writes in visual order) judged: a new line, not
        # glued to the box's leftmost word («10توقيع», «M4کیلومتر»).
        head[0][7][head[1]] = "L"
    if rtl_line:
        for end in (flat[0], flat[-2] if len(flat) > 1 else None):
            if end is not None and end[0][0].item.analysis.level % 2 and _text(end) in _SPACES \
                    and _single(end):
                end[0][7][("edge", end[1])] = True
        right = flat[-2] if len(flat) > 1 else None
        if right is not None and ("edge", right[1]) in right[0][7] and _state.get("adjacent") \
                and _state.get("previous_starts_ltr"):
            # The space on the right end goes on from a left-to-right box («300 MW» then « كبديل»): the
            # space's own mark is on its left, and poppler gave the space to that box's section and
            # glued the word to it («MWكبديل»). A zero-width RIGHT-TO-LEFT MARK on its right as well.
            right[0][7][("edge mark", right[1])] = True
    tail = flat[-2] if len(flat) > 1 else None
    if rtl_line and tail is not None and _state.get("adjacent") and _state.get("previous_starts_ltr") \
            and tail[0][0].item.analysis.level % 2 and _neutral(_text(tail)) and _single(tail):
        # The same, when the number or Latin words end the box before («Russian Federation» then «، »)
        tail[0][7][("mark after", tail[1])] = True
        if _sign(_text(tail)):
            _sign_after(flat)
    if rtl_line and head is not None and head[0][0].item.analysis.level % 2 and _sign(_text(head)) \
            and _single(head) and head[1] not in head[0][6]:
        # «$» ending its box (reading order), a <bdi> with its number drawn next on its left («(نحو
        # $<bdi>0.07</bdi>»): poppler took the sign into the number's left-to-right section, «0.07$».
        # A right-to-left mark on its left keeps it a section of its own, before the number (SIGN_MARK).
        head[0][6][head[1]] = SIGN_MARK + _text(head)
    # PDFium reads a line of the boxes drawn on one baseline: this box's text and the boxes' before it
    # (a <bdi> is a box of its own, between two pieces of its paragraph's line)
    box_text = "".join(_text(pos) for pos in flat if pos is not None)
    line = _state.get("line")
    baseline = (_state.get("box") or (0, 0, None))[2]
    before = line[1] if line and line[0] == baseline else ""
    _state["line"] = (baseline, before + box_text)
    # the leftmost character of the box drawn before (in a right-to-left line, its last one read)
    left_before, _state["left_char"] = _state.get("left_char", ""), box_text[:1]
    pdfium_rtl = rtl_line and _pdfium_right_to_left(before + box_text, margin=_state.get("part", False))
    # A one-letter word this box's right neighbour ended with, glued to this <bdi> («و» of
    # «بين 100 و<bdi>200 MW</bdi>»): MuPDF reverses each right-to-left run of a line in place and keeps
    # the runs in drawing order; with a left-to-right run in the letter's box, the letter, drawn first
    # there, stayed beside it («و 100»). PDFium and MuPDF read it from this box's pieces instead
    # (below). Not without one: MuPDF reads the letter with the <bdi> («وEU»), and pdf.js, whose
    # text item a marked-content span ends, would read it apart.
    handover = _state.pop("handover", None) if _state.get("adjacent") else None
    _state.pop("handover", None)
    if handover is None:
        _give_back()
    left = flat[0]
    if rtl_line and pdfium_rtl and _state.get("glued_next") and left is not None and _single(left) \
            and any(pos is not None and pos[0][0].item.analysis.level % 2 == 0 for pos in flat) \
            and len(_text(left)) == 1 and unicodedata.bidirectional(_text(left)) in ("R", "AL") \
            and (flat[1] is None or _text(flat[1]) in _SPACES) \
            and ("span", "begin", left[1]) not in left[0][7] and left[1] not in left[0][6]:
        # That letter, drawn first here: a span PDFium and MuPDF read nothing from, inside a /Span with
        # its text for poppler. pdfplumber and pdf.js read its code, in their order of the page: «و»
        # before «100», and the <bdi> after the rest; once the <bdi> takes the letter (below), the code
        # carries nothing and the <bdi>'s first word the letter (_plan_run: handover_code).
        left[0][7][("span", "begin", left[1])] = [("Span", _actual_text(_text(left))), (PIECE_TAG, HANDED_OVER)]
        left[0][7][("span", "end", left[1])] = 2
        left[0][7][("handover", left[1])] = True
        _state["handover"] = _state["handover_letter"] = _text(left)
    start = None
    for n, pos in enumerate(flat):
        opposite = pos is not None and (pos[0][0].item.analysis.level % 2 == 0) == rtl_line
        if opposite:
            if start is None:
                start = n
            continue
        if start is None:
            continue
        stretch = flat[start:n]
        if rtl_line:
            _carry_stretch(stretch, opens=n == len(flat) - 1, goes_on=start == 0)
            inked = [pos for pos in stretch if pos is not None and pos[0][5][pos[1]][4]]
            text = "".join(_text(pos) for pos in stretch if pos is not None)
            letter, glued = flat[n], False
            if letter is not None and _sign(_text(letter)) and _single(letter) and letter[1] not in letter[0][6] \
                    and letter[0][0].item.analysis.level % 2:
                # A currency sign before a number («€5»), drawn on its right: poppler took it into the
                # number's left-to-right section, «5€». A zero-width RIGHT-TO-LEFT MARK on its left (not
                # SIGN_MARK: MuPDF then glued the number to the word on the sign's right, «5الكلفة €»).
                letter[0][7].setdefault(letter[1], "")
            handed = handover is not None and n == len(flat) - 1 and bool(inked)
            if handed:
                text = handover + text
                _state["handover_chunk"] = None  # taken: the letter's span keeps reading nothing
                first_word = next((p for p in stretch if p is not None and p[0][6].get(p[1])), None)
                letter_code = _state.pop("handover_code", None)
                if first_word is not None and letter_code is not None:
                    # (a WORD JOINER between them, a left-to-right character for pdf.js's bidi: else it
                    # took the digits after an Arabic letter for Arabic ones and read «200و»)
                    first_word[0][6][first_word[1]] = handover + WORD_JOINER + first_word[0][6][first_word[1]]
                    letter_code[0].to_unicode[letter_code[1]] = FILLER
            elif pdfium_rtl and " " not in text and letter is not None and _single(letter) \
                    and len(_text(letter)) == 1 and unicodedata.bidirectional(_text(letter)) in ("R", "AL") \
                    and (flat[n + 1] is None or _text(flat[n + 1]) in _SPACES):
                # A letter glued to the stretch («و2023», «م3»): MuPDF wrote the line's runs in visual order
                # («2023و»). It joins the stretch's pieces (below), its glyph in the stretch's span.
                text, glued = _text(letter) + text, True
                inked.append(letter)
                stretch = stretch + [letter]
                # pdf.js reads the span's codes as a text item of their own («2023و») and, under 30 %
                # Arabic, left to right (bidi.js): ARABIC LETTER MARKs before the letter, which its bidi
                # counts as Arabic, make it read the item right to left («و2023»)
                letter[0][6][letter[1]] = _tipped(letter, text)
            suffix = _glued_after(flat, start) if pdfium_rtl and not handed and " " not in text else []
            if suffix:
                # A letter glued after the stretch, as a year's era («1442ه», «1446هـ», «2021م»), drawn on
                # its left: MuPDF and pdf.js wrote the line's runs in visual order («ه بعد … 1442»). The
                # mirror of the letter before: it joins the stretch's pieces, its glyph (and a tatweel's)
                # in the stretch's span; ARABIC LETTER MARKs in its code tip pdf.js's item right to left.
                suffix_text = "".join(_text(pos) for pos in suffix[::-1])
                text, glued = text + suffix_text, True
                inked = suffix + inked
                stretch = suffix + stretch
                letter = suffix[-1]  # its first letter in reading order, next to the number
                letter[0][6][letter[1]] = _tipped(letter, text)
            right = flat[n]
            if suffix and right is not None and _text(right) in _SPACES and _single(right):
                # The space on the stretch's right: MuPDF, which writes a line's runs in visual order and
                # gives a space the direction of the code before it (the letter's left-to-right piece),
                # took it into the stretch's run, and the Arabic run on its right, reversed, ended glued to
                # the next stretch («سنة1442ه»); with a RIGHT-TO-LEFT MARK first, that run took it and the
                # stretch was glued to the run's first word («1442هوقّعت»). Half the space a code of its
                # own read left to right (with the stretch), the other half after a RIGHT-TO-LEFT MARK
                # (_plan_run: "|"). Only here: poppler reads both halves, a double space («آذار  2020»).
                right[0][7].setdefault(right[1], "|")
            # A word the next box goes on with (_carry_word: «(» before a nowrap «S/PV.8816»): its code's
            # text grows to the whole word, which the next box's span gives again; a span of its own
            # keeps its text to this box's (else «(S/PV.8816S/PV.8816)»).
            opened = any(("open", p[1]) in p[0][7] for p in stretch if p is not None)
            if len(inked) > 1 or opened or handed or any(e[5][k][1] - e[5][k][0] > 1 for e, k in inked):
                # The stretch's own text as /ActualText (_show_text), which poppler, PDFium and MuPDF
                # read instead of the carried word and its fillers.
                pieces = _pdfium_segments(text)
                if suffix and len(pieces) > 1:
                    # MuPDF gives a piece's code the direction of its text's first character: the era
                    # letter, right to left, joined the Arabic run drawn next and went to its far end
                    # («سنة م1442»). A LEFT-TO-RIGHT MARK first keeps it in the number's run.
                    pieces[-1] = RIGHT_MARK + pieces[-1]
                if len(pieces) > 1 and (pdfium_rtl or handed):
                    # PDFium would read this stretch's pieces in reverse order («M4» → «4M»): its glyphs
                    # are a span PDFium and MuPDF read nothing from, and each piece is a span of its own
                    # drawn after them, inside the stretch (the next box starts at its right edge), the
                    # first rightmost (_plan_run: emit_pieces).
                    # poppler reads /ActualText on /Span only, and the innermost /Frag is the one PDFium
                    # and MuPDF read: the stretch's own text for poppler, not its carried word and
                    # fillers. Not with a glued letter: poppler read «و2023» without it.
                    # (with a letter handed over, poppler reads the letter's own code in the box before)
                    own = text[len(handover):] if handed else text
                    spans = ([] if glued else [("Span", _actual_text(_closed(own)))]) + [(PIECE_TAG, NOTHING)]
                    inked[0][0][7][("span", "begin", inked[0][1])] = spans
                    inked[-1][0][7][("span", "end", inked[-1][1])] = len(spans)
                    count = sum(e[5][k][1] - e[5][k][0] for e, k in (p for p in stretch if p is not None))
                    spare = count * inked[-1][0][3]  # WeasyPrint's rounding: a thousandth of an em a glyph
                    # The pieces' codes cover the stretch's last glyph from its right edge leftwards: a
                    # gap after them would read as a space to pdfplumber (a word glued on the right)
                    e, k = inked[-1]
                    last = sum(e[0].glyphs.glyphs[i].geometry.width for i in range(*e[5][k][:2])) * 1000 / 1024
                    # but no further left than poppler allows: a word starting more than half an em
                    # left of its line's last word's end ends the line (TextBlock::coalesce), and
                    # poppler put the rest of the line (the Arabic on the stretch's right) on a line after
                    last = min(last, PIECE_SPAN * inked[-1][0][3])
                    gap = max(PIECE_GAP, (last - spare - 50) / len(pieces))
                    inked[-1][0][7][("pieces", inked[-1][1])] = (pieces, round(gap), -round(spare + 50))
                else:
                    inked[0][0][7][("span", "begin", inked[0][1])] = [("Span", _actual_text(text))]
                    inked[-1][0][7][("span", "end", inked[-1][1])] = 1
            j = start - 1
            while j >= 0 and flat[j] is not None and _neutral(_text(flat[j])):
                j -= 1
            if j < start - 1 and _single(flat[start - 1]):
                # Punctuation right after a number in reading order («2023،»): PDFium (a weak character
                # joins the digits' segment) and poppler (a digit-like «،») read it inside the number, on
                # its wrong side («و،2023»). A zero-width RIGHT-TO-LEFT MARK after it keeps it out.
                flat[start - 1][0][7][("mark after", flat[start - 1][1])] = True
            if j >= 0 and flat[j] is not None and _text(flat[j]) in _SPACES and _single(flat[j]):
                flat[j][0][7][flat[j][1]] = LEFT_MARK
            elif (j < 0 or flat[j] is None) and not _state.get("after_ltr"):
                # The stretch (after its neutrals) opens the box's line, after right-to-left text (a
                # <bdi>: WeasyPrint draws each inline box alone): a zero-width mark.
                first = flat[j + 1]
                # Glued to the right-to-left box on its right («و» then «EU»), a LEFT-TO-RIGHT MARK
                # first: MuPDF then ignores the jump back to this box, at a change of direction, instead
                # of judging it a new line («و» / «EU»).
                # With that letter handed over (above), MuPDF should judge the jump instead: a new line,
                # not «بينو200».
                glued = _state.get("adjacent") and unicodedata.bidirectional(left_before or " ") in ("R", "AL")
                first[0][7][first[1]] = "><" if glued and handover is None else ""
            elif (j < 0 or flat[j] is None) and _follows_on_right():
                # The same after a left-to-right end of the box on its right (a footnote's number, then
                # its source's Latin title): without it poppler read the «، » after the title inside
                # it and glued the title to the publisher («، TitlePublisher»). A LEFT-TO-RIGHT MARK
                # first, so that MuPDF still judges the jump from that box.
                first = flat[j + 1]
                first[0][7][first[1]] = "><"
        else:
            if CARRY_TYPED:
                _carry_right_to_left(flat[start:n])
            j = n
            while flat[j] is not None and _neutral(_text(flat[j])):
                j += 1
            if flat[j] is not None and _text(flat[j]) in _SPACES and _single(flat[j]):
                flat[j][0][7][flat[j][1]] = RIGHT_MARK
            elif j == len(flat) - 1:
                # The stretch (with its neutrals) ends the box's line: a zero-width mark after it.
                last = flat[j - 1]
                last[0][7].setdefault(last[1], ">")
        start = None
    if handover is not None:
        _give_back()  # not taken by this box (taken: nothing left to give back)


def _tipped(letter, text: str) -> str:
    """The text of a letter glued to a left-to-right stretch, read with it as ``text`` (_carry): pdf.js
    reads the stretch's span as a text item of its own and, under 30 % Arabic, left to right (bidi.js);
    ARABIC LETTER MARKs before the letter, which its bidi counts as Arabic, make it read right to left."""
    arabic = sum(1 for c in text if 0x600 <= ord(c) <= 0x6ff)
    return MIRROR_BEFORE * (max(0, math.ceil((0.3 * len(text) - arabic) / 0.7)) + 1) + _text(letter)


def _glued_after(flat: list, start: int) -> list:
    """The groups of a one-letter word glued after (left of) the left-to-right stretch starting at
    ``start`` in a right-to-left line, a tatweel after it included («1442ه», «1446هـ»), in visual order;
    [] when there is none."""
    out, j = [], start - 1
    while j >= 0 and flat[j] is not None and _single(flat[j]) and len(_text(flat[j])) == 1 \
            and unicodedata.bidirectional(_text(flat[j])) in ("R", "AL") \
            and flat[j][0][0].item.analysis.level % 2 and flat[j][1] not in flat[j][0][6]:
        out.insert(0, flat[j])
        j -= 1
    # then a space, the box's end or punctuation («(1441هـ)», «2021م.»)
    if not (j < 0 or flat[j] is None or _neutral(_text(flat[j])) or _text(flat[j]) in _SPACES):
        return []
    letters = [_text(pos) for pos in out[::-1]]
    if not letters or len(letters[0]) != 1 or unicodedata.bidirectional(letters[0]) not in ("R", "AL") \
            or letters[0] == "\u0640" or any(t != "\u0640" for t in letters[1:]):
        return []
    return out


def _sign(text: str) -> bool:
    """A percent or currency sign («%», «٪», «$», «€»): a European-number terminator (ET) that is a symbol."""
    return len(text) == 1 and unicodedata.bidirectional(text) == "ET" and unicodedata.category(text) in ("Po", "Sc")


def _sign_after(flat: list) -> None:
    """A «%» opening a right-to-left box right after a left-to-right one, the number of a <bdi>
    («بنسبة <bdi>80–90</bdi>%، ما»): poppler's reorderText, which counts «%», «.» and «،» with the digits,
    took the sign, the punctuation after it and a space into one left-to-right section and wrote them in
    drawing order («80–90 ،%ما», «10–20 %في», «80–90.%»); MuPDF, which takes a code's direction from its
    first character and a neutral one's from the code drawn before, read the sign with the number's
    pieces and put it at the end of its line. The sign and each punctuation mark after it (in reading
    order) carry SIGN_MARK first; after a number PDFium reads as one segment («3.5», no pieces), whose
    «%» PDFium then read first («%3.5»), the sign gets a zero-width RIGHT-TO-LEFT MARK on its left instead."""
    n = len(flat) - 2
    while n >= 0 and flat[n] is not None and _single(flat[n]) and len(_text(flat[n])) == 1 \
            and _poppler_class(_text(flat[n])) == "#" and flat[n][0][0].item.analysis.level % 2:
        entry, k = flat[n]
        if n == len(flat) - 2 and not _state.get("previous_pieces"):
            # a number PDFium reads as one segment («3.5»): a mark in the sign's code made it read
            # «%3.5»; a zero-width code of its own on the sign's left does for poppler
            entry[7].setdefault(k, "")
        elif k not in entry[6]:
            entry[6][k] = SIGN_MARK + _text(flat[n])
        n -= 1


SIGN_MARK = "\u061c"
"""ARABIC LETTER MARK, first in the text of a «%» or currency sign's code (and of the punctuation after a
«%») beside a <bdi> number in a right-to-left line (_sign_after). poppler spreads a code's characters over
its glyph from left to right: the mark, a right-to-left character for it (UnicodeTypeTable.cc), lands on
the sign's left and ends the number's left-to-right section there (reorderText), the other side being
the zero-width RIGHT-TO-LEFT MARK after it («mark after»); MuPDF gives the code the mark's direction
(pdf-op-run.c, guess_bidi_level) and reads the sign with the Arabic after it. Not a RIGHT-TO-LEFT MARK:
pdf.js's bidi counts only U+0590–U+08AC as right to left, and read a text item «%.» (a paragraph's end)
left to right, «.%». Invisible; search drops it."""

WORD_JOINER = "\u2060"

CARRY_TYPED = True
"""Whether a right-to-left stretch of a left-to-right line carries its characters in typed order
(``_carry_right_to_left``). Off, each glyph carries its own letters in drawing order: what a test that reads
the order glyphs are drawn in needs (the drawing is the same either way)."""
"""Between the letters of a right-to-left stretch carried in a left-to-right line (_carry_right_to_left):
pdf.js's bidi (bidi.js) types every character outside U+0590–U+08AC and the presentation forms as L,
so each letter is a run of its own, which its reordering leaves in place; the real bidi algorithm types
it BN, and Arabic shaping lets letters join across it (transparent), so copied text shows the word as
typed. Default-ignorable: search drops it."""


HANDED_OVER = b"<</ActualText (\\000) >>"
"""NOTHING (the same for every extractor), for a letter handed to the <bdi> after it (_carry): its own
object, so that _show_text can find where it is written."""


def _give_back() -> None:
    """The letter handed over (_carry) was not taken by the box drawn next: its span's "nothing" becomes
    the letter's own text again (the page's content is a list of chunks until the PDF is written)."""
    chunk = _state.pop("handover_chunk", None)
    if chunk is not None and chunk[2]:
        chunk[0][chunk[1]] = _actual_text(chunk[2])


def _carry_right_to_left(stretch: list) -> None:
    """A right-to-left stretch of a left-to-right line (an Arabic word in an English brief): pdfplumber,
    which has no bidi and orders characters by x, read it reversed («مصر» → «رصم»). Its glyphs, from
    left to right, now carry its characters as typed (the first character on the leftmost glyph), each
    after a WORD JOINER but the first: pdfplumber reads them in order; pdf.js, which reverses each run
    of right-to-left characters (bidi.js), reads each letter as a run of one, in place, and the stretch
    as a text item of its own (a marked-content span), which it reads left to right under 30 % Arabic:
    more joiners on the second glyph bring it there. (A glyph carrying nothing would not do: pdf.js
    skips a code whose text ends with a format character without moving on, then reads the gap as a
    space.) poppler reads the /ActualText of a /Span around the stretch, what the codes said before
    (each letter on its own glyph, in drawing order: _poppler_left_to_right); PDFium and MuPDF the
    innermost /Frag's, the codes' old text in drawing order, which PDFium lays out from the right end of
    an object whose codes start right to left (cpdf_textpage.cpp, IsRightToLeft) and MuPDF gives to the
    glyphs in drawing order (stext-device.c, do_extract_within_actualtext), advancing left to right,
    which it reverses."""
    while stretch and (stretch[0] is None or _text(stretch[0]).isspace()):
        stretch = stretch[1:]
    while stretch and (stretch[-1] is None or _text(stretch[-1]).isspace()):
        stretch = stretch[:-1]
    if len(stretch) < 2 or None in stretch:
        return
    for pos in stretch:
        text = _text(pos)
        if not text or not pos[0][5][pos[1]][4] or pos[1] in pos[0][6] \
                or any(isinstance(key, tuple) and key[-1] == pos[1] for key in pos[0][7]) \
                or any(unicodedata.category(c)[0] in "MC" or unicodedata.mirrored(c) for c in text):
            return  # a vowel mark, a bracket, a glyph without ink, a mark of the line's own: as it was
    logical = "".join(_text(pos) for pos in reversed(stretch))
    if unicodedata.bidirectional(logical[0]) not in ("R", "AL"):
        return
    # each glyph its share of the characters, in visual order: as many as its cluster has
    chunks, at = [], 0
    for pos in stretch:
        size = len(_text(pos))
        chunks.append(WORD_JOINER.join(logical[at:at + size]))
        at += size
    total = len(logical) + len(logical) - 1
    arabic = sum(1 for c in logical if 0x590 <= ord(c) <= 0x8ff)
    # (pdf.js: under 30 % of a text item of more than 4 characters)
    pad = max(0, math.floor(arabic / 0.3) + 1 - total, 5 - total)
    chunks[1] = WORD_JOINER * (1 + pad) + chunks[1]
    chunks[2:] = [WORD_JOINER + chunk for chunk in chunks[2:]]
    if any(len(chunk.encode("utf-16-be")) > MAX_CARRIED for chunk in chunks):
        return
    for pos, chunk in zip(stretch, chunks):
        pos[0][6][pos[1]] = chunk
    # PDFium reads a neutral character after a right-to-left one right to left, mirrored, until a strong
    # left-to-right one (CloseTempLine): the LEFT-TO-RIGHT MARK after the stretch, a code of its own, is in
    # a text object of its own after the span, which it drops (no width): «(مصر(». The /Frag's text starts
    # with one, which PDFium, laying it out from the right end, reads last.
    drawn = RIGHT_MARK + "".join(_text(pos)[::-1] for pos in stretch)
    # MuPDF matches the /ActualText's last character with the last code's and then reads it twice:
    # a stretch ending as it starts («د. سلمى الحداد») gets a LEFT-TO-RIGHT MARK at the end too
    drawn += RIGHT_MARK if logical[-1] == logical[0] else ""
    first, last = stretch[0], stretch[-1]
    first[0][7][("span", "begin", first[1])] = [("Span", _actual_text(_poppler_left_to_right(logical))),
                                                (PIECE_TAG, _actual_text(drawn))]
    last[0][7][("span", "end", last[1])] = 2


PIECE_TAG = "Frag"
"""The marked-content tag of a stretch cut into PDFium's pieces and of each piece. Not /Span: poppler reads
/ActualText on /Span only, and keeps one at a time (no nesting), so it reads the /Span around each /Frag;
PDFium and MuPDF read the innermost /ActualText whatever the tag."""

NOTHING = b"<</ActualText (\\000)>>"
"""The properties of the glyphs of a stretch cut into pieces: an /ActualText of one null byte. PDFium skips a
text object whose /ActualText has no printable character (PreMarkedContent); MuPDF reads a string that is
valid UTF-8 as UTF-8, into a C string, empty here, and then reads nothing from the glyphs. On a /Span
around a piece's code, poppler reads U+0000 and drops it (TextPage::addChar)."""

def _actual_text(text: str) -> bytes:
    return b"<</ActualText <feff" + text.encode("utf-16-be").hex().encode() + b">>>"

PIECE_SPAN = 400
"""Thousandths of an em: the pieces' codes lie within this of the stretch's right edge (poppler's
minCharSpacing, half an em, with room to spare)."""

PIECE_GAP = 100
"""Thousandths of a point between the stretch's left edge and its first piece's code, and between pieces,
besides WeasyPrint's rounding of the stretch's width (1/1000 em a glyph at most)."""



def _pdfium_class(char: str) -> str:
    """PDFium's classes (core/fxcrt/fx_bidi.cpp, CFX_BidiChar::AppendChar)."""
    bidi = unicodedata.bidirectional(char)
    return "L" if bidi == "L" else "W" if bidi in _PDFIUM_WEAK else "R" if bidi in ("R", "AL") else "N"


_PDFIUM_WEAK = {"AN", "EN", "NSM", "CS", "ES", "ET", "BN"}


def _pdfium_segments(text: str) -> list[str]:
    """``text`` cut where PDFium's class changes. PDFium reverses the order of these segments in a
    right-to-left line (cpdf_textpage.cpp, CloseTempLine): «S-400» is read «-400S» whatever the text layer."""
    out, last = [], None
    for char in text:
        cls = _pdfium_class(char)
        if cls != last:
            out.append("")
            last = cls
        out[-1] += char
    return out


def _pdfium_right_to_left(text: str, margin: bool = False) -> bool:
    """Whether PDFium reads a line holding this text right to left (at least as many right-to-left
    segments as left-to-right ones: CFX_BidiString). ``margin``: one left-to-right segment more is
    allowed, the rest of the line not being drawn yet (a <bdi> first in its line)."""
    classes = [_pdfium_class(s[0]) for s in _pdfium_segments(text)]
    return classes.count("R") > 0 and classes.count("L") <= classes.count("R") or \
        margin and classes.count("L") <= classes.count("R") + 1


def _follows_on_right() -> bool:
    """This box sits right on the left of the box drawn before it, on about its baseline (a footnote's
    number is drawn a little lower than its text)."""
    previous, box = _state.get("previous_box"), _state.get("box")
    return bool(previous and box and abs(previous[2] - box[2]) < 1 and abs(previous[0] - box[1]) < 0.5)


def _text(pos) -> str:
    return pos[0][5][pos[1]][2]


def _single(pos) -> bool:
    group = pos[0][5][pos[1]]
    return group[1] - group[0] == 1 and group[4]


_NEUTRAL = {"ON", "CS", "ES", "ET", "NSM", "BN"}
_SPACES = {" ", "\u00a0"}  # a date's day and month are tied by a no-break space


def _neutral(text: str) -> bool:
    """Punctuation that poppler's reorderText gives to a neighbouring section (no letter, digit or space)."""
    return bool(text) and all(unicodedata.bidirectional(c) in _NEUTRAL for c in text)


def _carry_stretch(stretch: list, opens: bool = False, goes_on: bool = False) -> None:
    """``opens``: the stretch ends the box's line (its last word may go on in the next box); ``goes_on``:
    it starts the line (its first word may go on from the box before)."""
    word = []
    for n, pos in enumerate(stretch + [None]):
        text = _text(pos) if pos is not None else ""
        if text and not text.isspace():
            word.append(pos)
            continue
        if word:
            _carry_word(word, opens=opens and n == len(stretch), goes_on=goes_on and n == len(word))
        word = []


_LEFT_TO_RIGHT = {"L", "EN", "ES", "ET"}


def _carry_word(word: list, opens: bool = False, goes_on: bool = False) -> None:
    """Carry the word on its first inked glyph; a word too long for one code (a URL) in chunks that end
    after punctuation, so that the words inside it stay whole.

    A word cut by a box's end («https://example» in a nowrap span, then «.org/x»): pdfplumber, reading
    right to left, put the second box's piece first («.org/xhttps://example»). The first piece's code
    is kept open (a code of its own) and the second piece's text joins it there, the second box's
    glyphs carrying nothing."""
    continued = _state.get("continued") if goes_on else None
    if continued is not None:
        font, code, text = continued
        size = 0
        for n, (e, k) in enumerate(word):
            size += len(e[5][k][2].encode("utf-16-be"))
            if len(text.encode("utf-16-be")) + size > MAX_CARRIED:
                break
        else:
            font.to_unicode[code] = text + "".join(e[5][k][2] for e, k in word)
            for e, k in word:
                e[6][k] = None
            return
        # Too long to join: pdfplumber, reading right to left, puts this box's first chunk just before
        # the word's start in the box before, and glued the two when the chunk ended in a letter or digit
        # («…ItemId=3739https://www.qatarenergy.qa»). The chunk ends at its last punctuation instead.
        cut_at = max((n + 1 for n, (e, k) in enumerate(word[:-1]) if not e[5][k][2][-1:].isalnum()), default=0)
        if cut_at:
            _carry_word(word[:cut_at])
            _carry_word(word[cut_at:], opens=opens)
            return
    while word:
        size, cut, end = 0, 0, len(word)
        for n, (e, k) in enumerate(word):
            size += len(e[5][k][2].encode("utf-16-be"))
            if size > MAX_CARRIED:
                end = cut or n or 1
                break
            if not e[5][k][2][-1:].isalnum():
                cut = n + 1
        chunk, word = word[:end], word[end:]
        head = next((p for p in chunk if p[0][5][p[1]][4]), None)
        if head is None:
            continue
        text = "".join(e[5][k][2] for e, k in chunk)
        if unicodedata.bidirectional(text[0]) not in _LEFT_TO_RIGHT:
            # MuPDF (pdf-op-run.c, guess_bidi_level) gives a code the direction of its first character:
            # a quote or an Arabic-Indic digit first made the whole word right to left, reversed («”4M“»)
            text = RIGHT_MARK + text
        for e, k in chunk:
            e[6][k] = text if (e, k) == head else None
        if opens and not word:
            head[0][7][("open", head[1])] = True


MAX_CARRIED = 120
"""Bytes of UTF-16 one code may carry. poppler reads a ToUnicode entry into a 256-byte token and calls a
longer one illegal, so a longer left-to-right word (a long URL) keeps one code per glyph instead."""

_KEPT_INVISIBLE = {"\u200c"}
"""Characters with no ink that are part of a word's spelling (Persian's ZWNJ): kept in the text layer."""

FILLER = "\u200d"
"""The text of a drawn glyph whose characters are carried elsewhere (an auxiliary glyph, a glyph of a
ligature or of a word carried by a zero-ink code). An empty mapping would not do: PDFium, MuPDF and pdf.js
then read the character code as a code point. ZERO WIDTH JOINER is invisible, and search normalisation drops it."""


# ---- mirrored characters (brackets, guillemets) -----------------------------------------------------------

MIRROR_BEFORE, MIRROR_AFTER = "\u061c", "\u200d\u200e\u200f\u200d"
"""The marks around a mirrored character of a right-to-left run (_plan_run: emit_mirrored).

HarfBuzz draws a logical «(» of a right-to-left run with the «)» glyph, and its code's text is «(»: poppler,
MuPDF, pdf.js and pdfplumber, which reverse a right-to-left run without mirroring it (or do not reverse it),
copy it right. PDFium mirrors every character it reads right to left (cpdf_textpage.cpp,
AddCharInfoByRLDirection: GetMirrorChar), and it reads a neutral one right to left when the strong
character it met last, from the line's right end, was right to left (CloseTempLine): «(سوتشي)» came out
«)سوتشي(», ««الناتو»» «»الناتو«». A LEFT-TO-RIGHT MARK on the character's right makes PDFium read it left to
right, unmirrored, in its own segment; a strong right-to-left mark on its left gives what follows back to
right-to-left reading. The left mark is the code's own text's first character (a zero-width code of its
own there shifted pdfplumber's order of characters), ARABIC LETTER MARK, not RIGHT-TO-LEFT MARK: pdf.js's
bidi counts every character outside U+0590–U+06FF as left to right and read «[المادة 5]» «[المادة ]5»
with it. The right marks are a zero-ink code on the glyph's right half: ZERO WIDTH JOINER first, so that
MuPDF, which takes a code's direction from its first character, keeps the one it had; then the
LEFT-TO-RIGHT MARK; then a RIGHT-TO-LEFT MARK and a ZERO WIDTH JOINER (weak, joining no segment), so that
PDFium's count of right-to-left segments, by which it decides a line's direction (fx_bidi.cpp,
CFX_BidiString), never falls behind the left-to-right ones. pdf.js skips that code (its text ends with a
format character); search drops the marks."""


def _closed(text: str) -> str:
    """A stretch's text for poppler (its /Span in PDFium's pieces): a neutral end («(NATO)») and a
    LEFT-TO-RIGHT MARK after it. poppler's reorderText gives the neutrals at a left-to-right stretch's
    right end to the right-to-left section on their right: «الأطلسي (NATO) لم» came out «الأطلسي )(NATO لم»."""
    return text + RIGHT_MARK if _neutral(text[-1:]) else text


def _neutral_piece(piece: str) -> str:
    """A piece of PDFium's (emit_pieces) holding a mirrored character («(» of «(NATO)»): after an ARABIC
    LETTER MARK and before a LEFT-TO-RIGHT MARK, as a mirrored character of a right-to-left run
    (MIRROR_BEFORE), so that PDFium reads it left to right, unmirrored, whatever strong character it met
    before it («)NATO )لم»). Then a ZERO WIDTH JOINER: MuPDF matched an /ActualText ending with the
    piece code's own text (a LEFT-TO-RIGHT MARK) as a postfix, and put the rest where the line's last
    glyph was."""
    if not any(unicodedata.mirrored(char) for char in piece):
        return piece
    return MIRROR_BEFORE + piece + RIGHT_MARK + FILLER


def _after_left_to_right(flat: list) -> None:
    """Mark each mirrored character drawn right after a left-to-right glyph («(» after «2021» in
    «باكو (2021)»): its text starts with a ZERO WIDTH JOINER before the ARABIC LETTER MARK. MuPDF gives
    a code the direction of its text's first character, and a neutral one (ZWJ) that of the code drawn
    before it: with the ALM first there, it glued «2021» to the next line's first word («2021اتفاق»).
    poppler still needs the ALM («باكو 2021()» without it)."""
    for n, pos in enumerate(flat):
        if pos is None or not _mirrored(_text(pos), pos[0][0].item.analysis.level % 2 == 1):
            continue
        left = flat[n - 1] if n else None
        if left is not None and left[0][0].item.analysis.level % 2 == 0 \
                or n == 0 and _state.get("after_ltr"):
            pos[0][7][("after ltr", pos[1])] = True


def _mirrored(text: str, rtl: bool) -> bool:
    """A character HarfBuzz draws with its mirror image's glyph (Bidi_Mirrored), in a right-to-left run."""
    return rtl and len(text) == 1 and bool(unicodedata.mirrored(text))


_FAST_RUNS = True


def _plan_run(glyph_item, groups, carried, marks, font, font_size, codes, from_units, pango, stream):
    """The run's new glyph list: (code, geometry width, x_offset, y_offset, cluster) in visual order.

    Drawn glyphs keep their place (their ink does not move); a ligature's extra characters go to zero-ink
    codes of the space glyph that share its advance."""
    item = glyph_item.item
    glyph_string = glyph_item.glyphs
    rtl = item.analysis.level % 2 == 1
    glyphs = glyph_string.glyphs
    log = glyph_string.log_clusters
    scale = 1000 * from_units / font_size
    pango_font = item.analysis.font
    special = pango.PANGO_GLYPH_EMPTY
    unknown = pango.PANGO_GLYPH_UNKNOWN_FLAG

    # Most runs: one inked glyph per character, no vowel mark, nothing carried or marked. Without an
    # offset, what the general plan below gives them, without building it: each glyph its own character,
    # at its own width; with one (Amiri's ra), its entries built at once for the offsets' folding below.
    # (checked first: a code given to a glyph is given for good)
    prebuilt = _FAST_RUNS and not carried and not marks and all(
        end - start == 1 and len(text) == 1 and ink and unicodedata.category(text)[0] != "M"
        and not _mirrored(text, rtl) for start, end, text, _, ink in groups)
    if prebuilt:
        if not any(glyphs[start].geometry.x_offset for start, *_ in groups):
            plain = []
            for start, _, text, cluster, _ in groups:
                gid = glyphs[start].glyph
                geometry = glyphs[start].geometry
                plain.append((codes.code(font, gid, text, codes.nominal(gid, pango_font, stream, font_size)),
                              geometry.width, 0, geometry.y_offset, cluster))
            return plain

    # Right to left, a zero-width mark cluster (tashkeel) comes before its letter in visual order, at an
    # offset that reads as a jump backwards: it is drawn right after its letter instead (marks_after).
    marks_after = {}
    for k, g in enumerate(groups if not prebuilt else ()):
        start, end, text = g[:3]
        if not rtl or not text or not all(unicodedata.category(c) == "Mn" for c in text):
            continue
        if not all(glyphs[i].geometry.width == 0 for i in range(start, end)):
            continue
        host = k + 1
        if host < len(groups) and groups[host][2] and not groups[host][2].isspace():
            marks_after[host] = k

    out = []

    def drawable(i):
        gid = glyphs[i].glyph
        return gid != special and not gid & unknown

    # Entries: [glyph or None (drawn as WeasyPrint would), text, advance, x offset, y offset, cluster,
    # PDF width in Pango units or None for the glyph's own width (what WeasyPrint writes, so that its
    # TJ numbers, hence every glyph's position, stay exactly as they were), glyph].
    def emit(i, text, geometry=None, pdf_width=None):
        info = glyphs[i]
        w = info.geometry.width if geometry is None else geometry
        gid = info.glyph if drawable(i) else None
        group_of[len(out)] = current
        if gid is not None and pending and text != FILLER:
            text = pending.pop() + text
        out.append([gid, text, w, info.geometry.x_offset, info.geometry.y_offset, log[i],
                    pdf_width, info.glyph, None])

    def blank(text, width, cluster):
        out.append([codes.space, text, width, 0, 0, cluster, width, codes.space, None])

    mark_groups = set(marks_after.values())
    pending = []
    open_at = []  # the entry carrying a word the next box may go on with
    group_of = {}  # entry → its group, for the span edges
    current = None

    def emit_marks(host, host_at):
        # Right to left, a mark comes before its letter in visual order: drawn after it instead (the
        # same ink), it reads as a mark on that letter, not as a jump backwards.
        start, end, text = groups[marks_after[host]][:3]
        shift = sum(glyphs[i].geometry.width for i in range(groups[host][0], groups[host][1]))
        # one character per glyph, or (a ligature of marks: Noto Kufi's shadda with fatha) the whole text
        texts = text[::-1] if len(text) == end - start else [text] + [FILLER] * (end - start - 1)
        for i, char in zip(range(start, end), texts):
            emit(i, char)
            out[-1][8] = (host_at, out[-1][3]) if host_at is not None else None
            out[-1][3] -= round(shift * 1000 / 1024)  # WeasyPrint draws offsets in 1/1000 pt

    def emit_group(start, end, text, cluster):
        ink = [i for i in range(start, end) if drawable(i)]
        chars = list(text)
        if not ink and text and all(c in _KEPT_INVISIBLE for c in text):
            # A ZERO WIDTH NON-JOINER (Persian «هسته‌ای»): Pango draws an empty glyph, which WeasyPrint
            # writes as a bare offset, the character lost («هستهای»). It goes first in the text of the
            # next glyph drawn (visual order: in a right-to-left run the letter before it), which
            # poppler, PDFium, MuPDF and pdf.js reverse character by character into «ه‌ا». A code of its
            # own would do for all but pdf.js, which skips a glyph whose text ends with a format
            # character (evaluator.js, isInvisibleFormatMark); pdfplumber, which keeps a code's text
            # whole, reads the ZWNJ one letter early («هست‌های»).
            if not any(glyphs[i].geometry.width for i in range(start, end)) and not pending:
                pending.append(text)
                return
            for i in range(start, end):
                blank(text if i == start else FILLER, glyphs[i].geometry.width, cluster)
            return
        if not ink or len(chars) == len(ink) == end - start:
            # One character per glyph: visual order is reading order reversed in right-to-left runs.
            if end - start == 1 and ink and _mirrored(text, rtl):
                emit_mirrored(start, text, cluster)
                return
            for i, char in zip(range(start, end), chars[::-1] if rtl else chars):
                emit(i, char)
            return
        anchor = max(ink, key=lambda i: glyphs[i].geometry.width)
        if len(chars) > len(ink) and rtl:
            # A ligature: the widest glyph carries the last character, zero-ink codes on its advance
            # (to its right, where the reading starts) carry the others.
            whole = glyphs[anchor].geometry.width
            part = whole // len(chars)
            for i in range(start, end):
                if i != anchor:
                    emit(i, FILLER)
                    continue
                emit(i, chars[-1], geometry=whole - part * (len(chars) - 1),
                     pdf_width=whole - part * (len(chars) - 1))
                for char in reversed(chars[:-1]):
                    blank(char, part, cluster)
            return
        # More glyphs than characters (an auxiliary glyph), or a left-to-right ligature: the widest
        # glyph carries the cluster's text, the others a filler.
        for i in range(start, end):
            emit(i, text if i == anchor else FILLER)

    def emit_mirrored(i, text, cluster):
        # A mirrored character (MIRROR_BEFORE): the glyph keeps its place and ink, its right half of
        # the advance goes to the marks' zero-ink code
        whole = glyphs[i].geometry.width
        part = whole // 2
        before = FILLER + MIRROR_BEFORE if ("after ltr", current) in marks else MIRROR_BEFORE
        emit(i, before + text, geometry=whole - part, pdf_width=whole - part)
        blank(MIRROR_AFTER, part, cluster)

    def emit_pieces(k):
        # Each further piece of the stretch: a code of its own drawn after it, invisibly (text render mode
        # 3; an inked glyph, as PDFium skips a text object without a bounding box), left of the span's
        # start, the last piece leftmost, each as wide as the way to the next, so
        # that PDFium reads the pieces from the last to the first with no space between them: the
        # reverse of the order it then reverses. MuPDF reads them in drawing order, from the span on.
        texts, gap, end = marks[("pieces", k)]
        gid = next(glyphs[i].glyph for i in range(groups[k][0], groups[k][1]) if drawable(i))
        for piece_text in texts:
            # In thousandths of a point from the pen (WeasyPrint draws an x offset of n Pango units n/1000
            # pt away). It truncates the number it writes after the code: of the starts that leave a whole
            # number of thousandths of a point for the empty glyph that brings the pen back, the nearest.
            best = None
            for start in range(end - gap - 60, end - gap + 60):
                code_width = round((end - start) / font_size, 3)
                offset = start / font_size
                kerning = code_width + offset - 0 * 1000 * from_units / font_size
                rest = -(offset + code_width - int(kerning)) * font_size
                if best is None or abs(rest - round(rest)) < best[0]:
                    best = (abs(rest - round(rest)), start, round(rest), code_width)
            _, end, rest, code_width = best
            # MuPDF gives a code's glyphs the direction of its text's first character: a piece of digits
            # read in a right-to-left run came out reversed («3202»)
            mark = LEFT_MARK if _pdfium_class(piece_text[0]) == "R" else RIGHT_MARK
            out.append([gid, mark, 0, end, 0, groups[k][3], code_width / scale, gid, None])
            pieces_at[len(out) - 1] = piece_text
            out.append([None, "", rest, 0, 0, groups[k][3], None, special, None])

    pieces_at = {}
    if any(isinstance(key, tuple) and key[0] == "pieces" for key in marks):
        _state["pieces_drawn"] = True
    if ("space", "before") in marks and groups:
        blank(" ", 0, groups[0][3])
    if prebuilt:
        for start, _, text, cluster, _ in groups:
            info = glyphs[start]
            geometry = info.geometry
            out.append([info.glyph, text, geometry.width, geometry.x_offset, geometry.y_offset, cluster, None,
                        info.glyph, None])
    k = 0
    while not prebuilt and k < len(groups):
        if ("pieces", k - 1) in marks:
            emit_pieces(k - 1)
        start, end, text, cluster = groups[k][:4]
        current = k
        cut = marks.get(("cut", k))
        if cut == "tail":
            # a later piece of a word cut by a line end: the head carries its text (_mark_cut). Its
            # glyphs in Pango's order, marks included: as WeasyPrint draws them.
            for i in range(start, end):
                emit(i, FILLER)
            k += 1
            continue
        if cut == "head":
            # The head piece of a word cut by a line end: its glyphs carry the whole word, spread over
            # their advances as a ligature's characters are (one character a code, in visual order).
            ks, units = marks[("cut head", k)]
            inked = [i for g in ks for i in range(groups[g][0], groups[g][1])
                     if drawable(i) and glyphs[i].geometry.width > 0]
            share, extra = divmod(len(units), max(len(inked), 1))
            given, at = {}, 0
            for n, i in enumerate(inked):
                size = share + (n < extra)
                given[i] = units[at:at + size]
                at += size
            for g in ks:
                current = g
                for i in range(groups[g][0], groups[g][1]):
                    texts = given.get(i)
                    if not texts:
                        emit(i, FILLER)
                        continue
                    # The glyph carries the first text, zero-ink codes on its advance the others. Its
                    # code's width makes the pen end exactly where WeasyPrint's own number puts it
                    # (draw_first_line: it truncates the kerning it writes, x offset included).
                    whole = glyphs[i].geometry.width
                    part = whole // len(texts)
                    rest = whole - part * (len(texts) - 1)
                    nominal = codes.nominal(glyphs[i].glyph, pango_font, stream, font_size)
                    kerning = nominal + glyphs[i].geometry.x_offset / font_size - whole * scale
                    width = nominal - int(kerning) - (len(texts) - 1) * round(part * scale, 3)
                    emit(i, texts[0], geometry=rest, pdf_width=width / scale)
                    for text_ in texts[1:]:
                        blank(text_, part, groups[g][3])
                        group_of[len(out) - 1] = g
            k = ks[-1] + 1
            continue
        if k in mark_groups:
            k += 1
            continue
        if marks.get(k) == "":
            blank(LEFT_MARK, 0, cluster)
        elif marks.get(k) == "L":
            blank(RIGHT_MARK, 0, cluster)
        elif marks.get(k) == "><":
            blank(RIGHT_MARK, 0, cluster)
            blank(LEFT_MARK, 0, cluster)
        if ("edge", k) in marks:
            # A space at either end of a right-to-left box, drawn first or last before the jump to
            # the next box: pdf.js keeps a space only between two glyphs of one text item, so it lost
            # this one and glued the words on both sides («عريضةومائلة»). A strong mark before it
            # makes it a glyph pdf.js keeps (its whitespace test reads the first character).
            text = LEFT_MARK + text
        if k in carried:
            # A left-to-right word inside a right-to-left line: its first inked glyph carries the whole
            # word, so extractors without bidi do not reverse it (_carry).
            word = carried[k]
            for i in range(start, end):
                if word is not None and drawable(i):
                    if ("open", k) in marks:
                        open_at.append(len(out))
                    emit(i, word)
                    word = None
                else:
                    emit(i, FILLER)
            if marks.get(k) == ">":
                blank(RIGHT_MARK, 0, cluster)
            k += 1
            continue
        if marks.get(k) == "|":
            # the space right of a number with an era letter glued after it (_carry: suffix)
            whole = glyphs[start].geometry.width
            half = whole // 2
            blank(RIGHT_MARK + text, half, cluster)
            blank(LEFT_MARK, 0, cluster)
            emit(start, text, geometry=whole - half, pdf_width=whole - half)
            k += 1
            continue
        if marks.get(k) in (LEFT_MARK, RIGHT_MARK, "<", "<<"):
            # The space beside an opposite-direction stretch: half its advance to a direction mark (_carry)
            whole = glyphs[start].geometry.width
            half = whole // 2
            if marks[k] == "<<":
                third = whole // 3
                blank(RIGHT_MARK, third, cluster)
                blank(LEFT_MARK, third, cluster)
                emit(start, text, geometry=whole - 2 * third, pdf_width=whole - 2 * third)
            elif marks[k] in (RIGHT_MARK, "<"):
                blank(RIGHT_MARK if marks[k] == RIGHT_MARK else LEFT_MARK, half, cluster)
                emit(start, text, geometry=whole - half, pdf_width=whole - half)
            else:
                # MuPDF reverses each run of right-to-left characters in place and a space takes the
                # direction of the character before it: a LEFT-TO-RIGHT MARK first keeps the space out
                # of the Arabic run on its left (else «مليار100»).
                third = whole // 3
                blank(RIGHT_MARK, third, cluster)
                emit(start, text, geometry=whole - 2 * third, pdf_width=whole - 2 * third)
                blank(LEFT_MARK, third, cluster)
            k += 1
            continue
        before = len(out)
        if ("mark after", k) in marks:
            # a code of its own: pdf.js drops a glyph whose text ends with a format character
            if _mirrored(text, rtl) and drawable(start):
                emit_mirrored(start, text, cluster)
            else:
                emit(start, text)
            blank(LEFT_MARK, 0, cluster)
            k += 1
            continue
        if ("edge", k) in marks:
            emit(start, text)
            if ("edge mark", k) in marks:
                blank(LEFT_MARK, 0, cluster)
            k += 1
            continue
        emit_group(start, end, text, cluster)
        if k in marks_after:
            emit_marks(k, before if len(out) == before + 1 else None)
        if marks.get(k) == ">":
            blank(RIGHT_MARK, 0, cluster)
        k += 1
    if ("pieces", len(groups) - 1) in marks:
        emit_pieces(len(groups) - 1)
    if ("space", "after") in marks and groups:
        blank(" ", 0, groups[-1][3])
        # and a RIGHT-TO-LEFT MARK after it: poppler's reorderText gave the punctuation before the call
        # to the call's left-to-right section and glued the call to the word («السكان1 .»)
        blank(LEFT_MARK, 0, groups[-1][3])
    if pending:  # a ZWNJ ending the run: a code of its own
        blank(pending.pop(), 0, groups[-1][3])

    # A letter Pango shifts sideways (Amiri's ra and dhal) would leave a gap or a jump back in the text
    # layer, which extractors read as a space or a new chunk («سور يا», «م ذكرة»). The shift is moved
    # into the advance of the glyph on its left: the ink stays where it was, the boxes meet.
    # WeasyPrint 70 draws an x offset of n Pango units n/1000 pt away (not n/1024), and truncates each
    # TJ number: the shift moved is the one it draws, and the two glyphs' PDF widths are set to the exact
    # advances WeasyPrint's own numbers give, so that every glyph is drawn exactly where it was.
    gained, folded = {}, {}
    for k, entry in enumerate(out):
        x_offset, width = entry[3], entry[2]
        if not x_offset or k == 0 or entry[0] is None or width <= 0 or entry[6] is not None:
            continue
        # (over the zero-width marks drawn after the letter on its left: the kaf of «تذكّر», whose
        # shadda pdf.js gives no advance, so that the «ذ» came 0.3 em back and began a new text item)
        j, skipped = k - 1, []
        while j > 0 and out[j][8] is not None and out[j][8][0] is not None and out[j][2] == 0 \
                and out[j][6] is None and out[j][0] is not None:
            skipped.append(j)
            j -= 1
        left = out[j]
        shift = round(x_offset * 1024 / 1000)
        if left[0] is None or left[2] + shift < 0 or width - shift < 0 or left[6] is not None \
                or skipped and (left[8] is not None or j in gained):
            continue
        gained[j] = x_offset
        folded[k] = (x_offset, width)
        left[2] += shift
        entry[2] -= shift
        entry[3] = 0
        for m in skipped:  # drawn after the narrower letter: the same ink
            out[m][3] -= round(shift * 1000 / 1024)
    originals = {}
    for k in gained:
        if k not in folded:
            originals[k] = (out[k][3], out[k][2] - round(gained[k] * 1024 / 1000))
    originals.update(folded)

    def width_of(k):
        gid, text, width, x_offset, _, _, pdf_width, _, _ = out[k]
        if pdf_width is not None:
            return round(pdf_width * scale, 3)
        if k in originals:
            nominal = codes.nominal(gid, pango_font, stream, font_size)
            off, geometry = originals[k][0] / font_size, originals[k][1]
            advance = off + nominal - int(nominal + off - geometry * scale)
            advance += gained.get(k, 0) / font_size - (off if k in folded else 0)
            return round(advance - x_offset / font_size, 3)
        return codes.nominal(gid, pango_font, stream, font_size)

    def advance(k, code_width):
        # What WeasyPrint moves the pen by for this entry (draw_first_line: offset, width, kerning)
        off = out[k][3] / font_size
        return off + code_width - int(code_width + off - out[k][2] * scale)

    edges = {}
    for key, event in marks.items():
        if isinstance(key, tuple) and key[0] == "span":
            drawn = [n for n, g in group_of.items() if g == key[2] and out[n][0] is not None]
            if drawn:
                n = drawn[0] if key[1] == "begin" else drawn[-1]
                if n in edges:  # a stretch of one glyph (_carry: opened): its span begins and ends there
                    spans = event if key[1] == "begin" else edges[n][1]
                    closed = event if key[1] == "end" else edges[n][1]
                    edges[n] = ("one", spans, closed - len(spans))
                else:
                    edges[n] = (key[1], event)
    for n, piece_text in pieces_at.items():
        # poppler reads a piece's code (a direction mark) as a word of its own, over the stretch's last
        # glyph: a space before the next word, or a line cut in two (TextBlock::coalesce). A /Span whose
        # /ActualText is a null byte hides it from poppler (TextPage::addChar ignores U+0000); PDFium
        # and MuPDF read the innermost /ActualText.
        edges[n] = ("both", [("Span", NOTHING), (PIECE_TAG, _actual_text(_neutral_piece(piece_text)))], 0)
    plain = [(raw if gid is None else codes.code(font, gid, text, width_of(k), own=k in open_at or k in edges),
              width, x_offset, y_offset, cluster)
             for k, (gid, text, width, x_offset, y_offset, cluster, _, raw, _) in enumerate(out)]
    for k, event in edges.items():
        _state.setdefault("spans", {})[(font.hash, plain[k][0])] = event
    for k in open_at:
        _state["open_word"] = (font, plain[k][0], out[k][1])
    for key in marks:
        if isinstance(key, tuple) and key[0] == "handover":
            drawn = [n for n, g in group_of.items() if g == key[1] and out[n][0] is not None]
            if drawn:
                _state["handover_code"] = (font, plain[drawn[0]][0])
    if any(entry[8] is not None for entry in out) \
            and all(entry[0] is not None or entry[8] is None for entry in out) \
            and all(entry[8] is None or out[entry[8][0]][8] is None for entry in out):
        placed = _place_marks(out, plain, codes, font, font_size, scale, width_of, advance, rtl)
        if placed is not None:
            plain = placed
    if edges or open_at:
        _state["no_span"] = False  # for _poppler_runs
    return plain


def _place_marks(out, plain, codes, font, font_size, scale, width_of, advance, rtl):
    """Give each mark (tashkeel) to its own letter in the text layer, its ink where Pango put it.

    A mark drawn after its letter jumps back over it (or over the letter before), which pdf.js reads as a
    new text item (the word cut and reordered) and poppler, for a raised mark, as a gap (a space:
    «وير جح»); read where its ink falls, it went with the wrong letter («معُلن») or, raised, to a line of
    its own («درباره» / «ٔ»). The same ink at the same places, read in order."""
    items, marks = [], []  # items: [entry index, start, end]
    pen = 0.0
    k = 0
    while k < len(out):
        group = []
        while k + 1 + len(group) < len(out) and (out[k + 1 + len(group)][8] or (None,))[0] == k:
            group.append(k + 1 + len(group))
        # Where WeasyPrint's own drawing puts the marks (before their letter, at their first offsets) and
        # where its pen ends: the marks and the glyphs after them stay exactly where they were.
        end = pen
        for m in group:
            off = out[m][8][1] / font_size
            marks.append((end + off, m))
            width = width_of(m)
            end += off + width - int(width + off - out[m][2] * scale)
        # an empty glyph (a word joiner): WeasyPrint moves the pen by its width, nothing more
        end += advance(k, width_of(k)) if out[k][0] is not None else out[k][2] / font_size
        items.append([k, pen, end])
        pen = end
        k += 1 + len(group)
    # Each mark's text goes just before its letter's in drawing order (right to left: read just after
    # it), on a code ending where the letter starts:
    # - pdf.js and MuPDF take a code whose text is a mark as advancing by nothing, whatever its width:
    #   the wider it is, the further back they place what follows (pdf.js starts a new text item past
    #   a fifth of an em, and reorders the line); so only the last code before the letter has a width,
    #   at most MARK_REACH;
    # - poppler starts a new word when a character starts within a tenth of an em of the one before
    #   (a duplicate, it thinks) and sorts words by where they start: a mark's code starting where its
    #   letter does came out after it («خلاص |هٔ»), and a gap over a tenth of an em is a space.
    # A mark drawn left of its letter (Amiri's damma of «مُعلن», over the «ع») is drawn there with its
    # own text. Any other mark's text is a zero-ink code MARK_BACK before its letter, and its glyph,
    # carrying U+200D, is drawn after the word (or, left of the run, before it): a raised mark (Noto
    # Kufi's tanween and shadda, Amiri's ezafe hamza) is a text object of its own on another baseline,
    # which poppler, PDFium and pdf.js put on a line of its own, and inside the word it cut it
    # («خ ّفضت»).
    before, after, in_place, cut = [], {}, set(), {}
    for x, m in marks:
        k = out[m][8][0]
        i = next(n for n, item in enumerate(items) if item[0] == k)
        # (not in a left-to-right brief: there poppler and MuPDF lost «12 عامًا» to it)
        if abs(out[m][4]) < 1000 and 0 <= items[i][1] - x <= MARK_REACH + 0.1 * 1000 and _state.get("rtl", True):
            in_place.add(m)
        elif items[i][1] < x < items[i][2] - MARK_STEP:
            cut.setdefault(i, []).append((x, m))
            if abs(out[m][4]) >= 1000:
                end = i
                while end + 1 < len(items) and out[items[end + 1][0]][0] is not None \
                        and out[items[end + 1][0]][1] not in _SPACES:
                    end += 1
                after.setdefault(end, []).append((x, m))
        elif x < 0:
            before.append((x, m))
        else:
            end = i
            while end + 1 < len(items) and out[items[end + 1][0]][0] is not None \
                    and out[items[end + 1][0]][1] not in _SPACES:
                end += 1
            after.setdefault(end, []).append((x, m))
    where = dict((m, x) for x, m in marks)
    planned = []
    before.sort()
    for n, (x, m) in enumerate(before):
        # Drawn first, each mark's code as wide as the way to the next one (the last one's to the run's
        # start): the pen jumps back once, before the word, and never forward over a gap, which PDFium
        # reads as a space inside the word («متماسك ًا»).
        width = round((before[n + 1][0] if n + 1 < len(before) else 0) - x, 3)
        x_offset = round(x * font_size) if n == 0 else 0
        planned.append((codes.code(font, out[m][0], FILLER, width), 0, x_offset, out[m][4], out[m][5]))
    for i, (k, start, end) in enumerate(items):
        group = []
        for m in range(k + 1, len(out)):
            if (out[m][8] or (None,))[0] != k:
                break
            group.append(m)
        # the marks drawn in place first, in the order Pango draws them, then the others' texts
        cuts = sorted(cut.get(i, ()))
        group = [m for m in group if m not in {m for _, m in cuts}]
        group.sort(key=lambda m: m not in in_place)
        for n, m in enumerate(group):
            if m in in_place:
                gid, back, y_offset = out[m][0], start - where[m], out[m][4]
            else:
                gid, back, y_offset = codes.space, MARK_BACK, 0
            x_offset = round(-back * font_size)
            offset = x_offset / font_size
            # the pen comes back to the letter's start (WeasyPrint truncates the number it writes
            # after a glyph): by the code's width for the last one, by that number for the others
            width = _returning(offset, min(-offset, MARK_REACH) if n == len(group) - 1 else 0)
            planned.append((codes.code(font, gid, out[m][1], width), 0, x_offset, y_offset, out[m][5]))
        if not cuts:
            target = end - start  # with what Pango's offsets folded into its marks' advances
            if out[k][0] is None or abs(target - advance(k, width_of(k))) < 1e-9:
                planned.append(plain[k])
            else:
                gid, text, _, x_offset, y_offset, cluster = out[k][:6]
                planned.append((codes.code(font, gid, text, round(target - x_offset / font_size, 3)),
                                round(target / scale), x_offset, y_offset, cluster))
        else:
            # A mark drawn over its own letter (Amiri's fatha and shadda): the letter is cut where the
            # mark is, its ink on the first piece (U+200D), the mark's own code there, and a zero-ink
            # code over the rest carrying the letter, read before the mark.
            gid, text, _, x_offset, y_offset, cluster = out[k][:6]
            # MARK_STEP wide each: poppler put a code starting where the one before does before it. A
            # raised mark's text code goes just before the first mark drawn here, so that no piece of
            # the letter (a U+200D) comes between the marks.
            step = _returning(0, MARK_STEP)
            drawn = [(x, m) for x, m in cuts if abs(out[m][4]) < 1000]
            raised = [m for x, m in cuts if abs(out[m][4]) >= 1000]
            first = (drawn[0][0] if drawn else cuts[0][0] + step * len(raised)) - step * len(raised)
            if first <= start:
                first, raised, drawn = cuts[0][0], [], cuts
            codes_at = [(first + n * step, m) for n, m in enumerate(raised)] + drawn
            width = round(codes_at[0][0] - start - x_offset / font_size, 3)
            planned.append((codes.code(font, gid, FILLER, width), round((codes_at[0][0] - start) / scale),
                            x_offset, y_offset, cluster))
            for n, (x, m) in enumerate(codes_at):
                if abs(out[m][4]) >= 1000:  # drawn after the word: its text here, on the baseline
                    planned.append((codes.code(font, codes.space, out[m][1], step), round(step / scale), 0, 0,
                                    out[m][5]))
                else:
                    planned.append((codes.code(font, out[m][0], out[m][1], step), round(step / scale), 0,
                                    out[m][4], out[m][5]))
                edge = codes_at[n + 1][0] if n + 1 < len(codes_at) else end
                width = round(edge - x - step, 3)
                if edge == end or width > 0.001:
                    planned.append((codes.code(font, codes.space, text if edge == end else FILLER, width),
                                    round(width / scale), 0, 0, cluster))
        for x, m in sorted(after.get(i, ()), key=lambda mark: mark[0]):
            x_offset = round((x - end) * font_size)
            offset = x_offset / font_size
            # its code's width brings the pen back exactly where it was (WeasyPrint truncates the
            # number it writes after a glyph)
            width = round(math.ceil(offset) - offset, 3)
            planned.append((codes.code(font, out[m][0], FILLER, width), 0, x_offset, out[m][4], out[m][5]))
    return planned


def _poppler_punctuation(runs: list) -> None:
    """poppler's reorderText (TextOutputDev.cc) counts «.», «،», «:», «/» and the like with the digits: in a
    right-to-left line such a mark starts a left-to-right section, which takes the neutrals after it too,
    so «الكرملين: “لا» read «الكرملين“ :لا» (the quote on the wrong word). A zero-width RIGHT-TO-LEFT
    MARK on its left (after it in reading order) ends the section at the mark. Only before a quote or a
    bracket: before a space alone poppler read «أولى .جملة», the words whole, and the mark would stay in
    the text PDFium and MuPDF copy."""
    if not any(entry is not None and entry[0].item.analysis.level % 2 == 1
               and any(len(g[2]) == 1 and _poppler_class(g[2]) == "#" for g in entry[5]) for entry in runs):
        return
    flat = []
    for entry in runs:
        flat.extend([None] if entry is None else [(entry, k) for k in range(len(entry[5]))])
    for n, pos in enumerate(flat):
        if pos is None or pos[0][0].item.analysis.level % 2 == 0:
            continue
        entry, k = pos
        text, marks = _text(pos), entry[7]
        if len(text) != 1 or _poppler_class(text) != "#" or not _single(pos) \
                or any(key == k or isinstance(key, tuple) and key[-1] == k for key in marks):
            continue
        after = ""
        j = n - 1
        while j >= 0 and flat[j] is not None and _text(flat[j]) \
                and all(_poppler_class(c) == "N" for c in _text(flat[j])):
            after += _text(flat[j])
            j -= 1
        if after.strip() and not after.startswith(LEFT_MARK):
            marks[k] = ""


@lru_cache(maxsize=None)
def _poppler_class(char: str) -> str:
    """poppler's classes (UnicodeTypeTable.cc): L, R, "#" (digits and the separators and signs around
    them: # $ % + , - . / : and the like), or N."""
    bidi = unicodedata.bidirectional(char)
    return "L" if bidi == "L" else "R" if bidi in ("R", "AL") else "#" if bidi in _POPPLER_NUM else "N"


_POPPLER_NUM = {"EN", "AN", "ET", "ES", "CS"}


def _poppler_left_to_right(text: str) -> str:
    """What poppler's reorderText (TextOutputDev.cc) makes of ``text``, read in a left-to-right line (its
    embedding marks left out): sections of anything but R kept in order, sections of anything but L
    and "#" reversed, in turn."""
    out, i, ltr = [], 0, True
    while i < len(text):
        j = i
        while j < len(text) and ((_poppler_class(text[j]) != "R") if ltr
                                 else _poppler_class(text[j]) not in ("L", "#")):
            j += 1
        out.append(text[i:j] if ltr else text[i:j][::-1])
        i, ltr = j, not ltr
    return "".join(out)


def _poppler_runs(planned: list) -> None:
    """A right-to-left run in a left-to-right line with punctuation between its words («(د. سلمى
    الحداد)» in an English brief): poppler's reorderText counts «.», «:», «/» and the like with the
    digits, which end a right-to-left section, and read «( سلمى الحداد.د)»; PDFium read the words in
    visual order («الحداد سلمى .د»). The stretch becomes a /Span whose /ActualText is its text arranged so
    that reorderText gives it back as typed (poppler reads /Span only), around a /Frag for PDFium and
    MuPDF, which read the innermost: what the codes say in drawing order, the marks beside the run
    moved to the other end. MuPDF then matches no end of it and reads it in drawing order over the
    codes (stext-device.c, do_extract_within_actualtext), as it read the codes; PDFium lays a right-to-
    left object's /ActualText out from its right end (cpdf_textpage.cpp, ProcessMarkedContent), so it
    reads it reversed: the run as typed, then the mark. pdf.js reads the codes, and starts a new text
    item at the run anyway (a box or a font of its own). ``planned``: the line's runs in visual order,
    each (run entry, its final codes, whether it has spans of its own), None between pieces. Consecutive
    right-to-left runs (Amiri's letters, Noto Sans's «.» between them) are one stretch."""
    stretch = []
    for item in planned + [None]:
        if item is not None and item[0][0].item.analysis.level % 2 == 1 and item[2]:
            stretch.append(item)
            continue
        if stretch:
            _poppler_stretch(stretch)
        stretch = []


def codes_of(place) -> tuple:
    """(font, codes) of a place in a stretch (_poppler_stretch)."""
    return place[0][0][2], place[0][0][4]


def _poppler_stretch(stretch: list) -> None:
    """One right-to-left stretch of a left-to-right line (_poppler_runs)."""
    logical = "".join(g[2] for item in reversed(stretch) for g in reversed(item[0][5]))
    if not any(_poppler_class(c) == "#" for c in logical) or logical != logical.strip():
        return
    places = [(item, n) for item in stretch for n in range(len(item[1]))]
    texts = []
    for (entry, new, _), n in places:
        font, codes = entry[2], entry[4]
        code = new[n][0]
        texts.append(font.to_unicode.get(code) if code in codes.gid else None)
    if not texts or None in texts:
        return
    drawn = "".join(texts)
    bare = drawn.replace(LEFT_MARK, "").replace(RIGHT_MARK, "").replace(FILLER, "")
    if _poppler_left_to_right(bare) == logical:
        return
    # the same sections as reorderText's, each right-to-left one reversed in advance: the same walk
    arranged = _poppler_left_to_right(logical)
    if _poppler_left_to_right(arranged) != logical:
        return  # a neutral at a section's edge would change sides
    # The marks beside the stretch (_carry) stay outside the span, as they were for every extractor. Alone
    # in a text object after the span, a mark's zero-ink code was dropped by PDFium (ProcessTextObject
    # skips an object without a bounding box), which then mirrored the bracket after the stretch: an
    # inked glyph drawn invisibly instead (text render mode 3), as the PDFium pieces are.
    events = _state.setdefault("spans", {})
    inside = [at for at, text in enumerate(texts) if text not in (LEFT_MARK, RIGHT_MARK)]
    if not inside:
        return
    first, last = inside[0], inside[-1]
    # (the narrowest inked glyph of the stretch in the mark's font: a wide one made PDFium read a space)
    for at in range(len(places)):
        (entry, new, _), n = places[at]
        font, codes = entry[2], entry[4]
        if not first <= at <= last:
            widths = [(font.widths[c], codes.gid[c]) for c in
                      (places[i][0][1][places[i][1]][0] for i in inside if codes_of(places[i])[0] is font)
                      if font.widths.get(c, 0) > 0]
            if not widths:
                continue
            inked = min(widths)[1]
            code = codes.code(font, inked, texts[at], font.widths[new[n][0]], own=True)
            new[n] = (code, *new[n][1:])
            events[(font.hash, code)] = ("both", [], 0)
    spans = [("Span", _actual_text(arranged)), (PIECE_TAG, _actual_text("".join(texts[first:last + 1])))]
    # the span's edges on codes of their own (_show_text finds them by code)
    ends = [first] if first == last else [first, last]
    for at in ends:
        (entry, new, _), n = places[at]
        font, codes = entry[2], entry[4]
        code = new[n][0]
        new[n] = (codes.code(font, codes.gid[code], texts[at], font.widths[code], own=True), *new[n][1:])
        event = ("one", spans, 0) if len(ends) == 1 else ("begin", spans) if at == first else ("end", len(spans))
        events[(font.hash, new[n][0])] = event


def _returning(offset: float, width: float) -> float:
    """A code width near ``width`` after which WeasyPrint's number brings the pen back to where it was
    before the glyph's ``offset``: it writes int(width + offset), truncated towards zero."""
    whole = round(width + offset)
    return round(whole - offset + (0.0004 if whole >= 0 else -0.0004), 4)


MARK_STEP = 10
MARK_BACK = 105
"""Where a mark's text code starts, before its letter's start, in thousandths of an em: past poppler's
tenth of an em (a character starting closer to the one before is a duplicate, a word of its own)."""
MARK_REACH = 190
"""The widest a mark's code may be, in thousandths of an em: pdf.js and MuPDF do not advance over it, and
pdf.js starts a new text item after a jump back of a fifth of an em."""


# ---- the PDF side ------------------------------------------------------------------------------------------

def finish(document, pdf) -> None:
    """Give every font that has alias codes a CIDToGIDMap (alias code → its real glyph; codes never
    drawn → glyph 0, which keeps the map a run of zeros that compresses to nothing)."""
    import pydyf

    maps = {}
    for font in document.fonts.values():
        codes = getattr(font, "_briefkit_codes", None)
        if codes is not None and any(c != g for c, g in codes.gid.items()):
            maps[font.name] = (font, codes)
    if not maps:
        return
    for obj in list(pdf.objects):
        if not isinstance(obj, dict) or obj.get("Subtype") != "/CIDFontType2":
            continue
        found = maps.get(obj.get("BaseFont"))
        if found is None:
            continue
        font, codes = found
        table = bytearray(2 * (max(font.to_unicode) + 1))
        for code in font.to_unicode:
            gid = codes.gid.get(code, code if code < font.glyph_count else 0)
            table[2 * code:2 * code + 2] = gid.to_bytes(2, "big")
        stream = pydyf.Stream([bytes(table)], compress=True)
        pdf.add_object(stream)
        obj["CIDToGIDMap"] = stream.reference
