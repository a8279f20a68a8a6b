"""The element layer: WordprocessingML python-docx has no API for, each child inserted in schema order.

Like python-docx's own ``oxml`` package, a new child goes in with
``BaseOxmlElement.insert_element_before(child, *successors)``, or, on the paths every paragraph and run
takes, ``insert_in_order`` (one pass over the children); the elements a brief makes by the thousand
(paragraphs with their style, tables, runs with their properties) are built whole, in schema order,
with lxml. The successors are python-docx's:
its element classes (``CT_PPr``, ``CT_RPr``, ``CT_SectPr``, ``CT_TblPr``, ``CT_TcPr``, ``CT_TrPr``,
``CT_Style``, ``CT_Settings``) declare children as ``ZeroOrOne("w:jc", successors=_tag_seq[27:])``;
where python-docx declares the child we use its generated ``get_or_add_*``, otherwise the successors
of the nearest declared child that lists ours. RTL needs all of: paragraph ``w:bidi`` (section
``bidi`` alone does not flip paragraphs), ``jc`` read logically (under ``bidi``, "left" is the start
side), complex-script twins (``bCs``/``iCs``/``szCs``, ``rFonts/@cs`` without theme attributes), and
``bidiVisual`` tables.
"""
from __future__ import annotations

from functools import lru_cache
from xml.sax.saxutils import escape

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.run import Run
from lxml import etree

W = qn("w:r")[:-1]
"""``{namespace}`` of WordprocessingML, for building many elements without a ``qn`` call each."""
XML_SPACE = qn("xml:space")

# ---- schema order, from python-docx's element classes ---------------------------------------------

_UNDECLARED_HEAD = {
    # CT_Settings._tag_seq up to its first declared child: python-docx declares only
    # evenAndOddHeaders, so what comes before it is not reachable from its successor lists.
    "CT_Settings": ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts",
                    "embedSystemFonts", "saveSubsetFonts", "saveFormsData", "mirrorMargins",
                    "alignBordersAndEdges", "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter",
                    "gutterAtTop", "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle",
                    "proofState", "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
                    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions",
                    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
                    "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
                    "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope",
                    "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders"),
}


@lru_cache(maxsize=None)
def _declared(cls) -> dict[str, tuple[str, ...]]:
    """python-docx's successor list of each child ``cls`` declares, as kept by the ``_insert_*``
    method its ``ZeroOrOne``/``ZeroOrMore`` descriptor generated (the class deletes ``_tag_seq``)."""
    out = {}
    for name in dir(cls):
        if name.startswith("_insert_"):
            for cell in getattr(cls, name).__closure__ or ():
                successors = getattr(cell.cell_contents, "_successors", None)
                if isinstance(successors, tuple):
                    out["w:" + name[len("_insert_"):]] = successors
    return out


@lru_cache(maxsize=None)
def successors(cls, tag: str) -> tuple[str, ...]:
    """The tags a ``w:tag`` child of a ``cls`` element must precede (ECMA-376 sequence order)."""
    declared = _declared(cls)
    tag = "w:" + tag
    if tag in declared:
        return declared[tag]
    for later in declared.values():
        if tag in later:
            return later[later.index(tag) + 1:]
    head = tuple("w:" + t for t in _UNDECLARED_HEAD.get(cls.__name__, ()))
    if tag in head:
        return head[head.index(tag) + 1:] + declared[head[-1]]
    raise LookupError(f"python-docx's {cls.__name__} gives no schema position for {tag}")


@lru_cache(maxsize=None)
def _successor_tags(cls, tag: str) -> frozenset[str]:
    """``successors`` as Clark names, for ``insert_in_order``."""
    return frozenset(qn(t) for t in successors(cls, tag))


@lru_cache(maxsize=None)
def _get_or_add(cls, tag: str):
    return getattr(cls, "get_or_add_" + tag, None)


def child(parent, tag: str, **attrs):
    """``parent``'s ``w:tag`` child, created in schema position if missing; sets ``attrs`` (``w:`` names).

    python-docx's ``get_or_add_<tag>`` when its element class declares the child.
    """
    get_or_add = _get_or_add(type(parent), tag)
    if get_or_add is not None:
        el = get_or_add(parent)
    else:
        el = parent.find(qn("w:" + tag))
        if el is None:
            el = parent.insert_element_before(OxmlElement("w:" + tag), *successors(type(parent), tag))
    for key, value in attrs.items():
        el.set(qn("w:" + key), str(value))
    return el


def drop(parent, *tags: str) -> None:
    for tag in tags:
        for el in parent.findall(qn("w:" + tag)):
            parent.remove(el)


def _pPr(obj):
    """The ``w:pPr`` of a Paragraph proxy, a paragraph style proxy, or a ``w:pPr`` element itself."""
    if hasattr(obj, "_p"):
        return obj._p.get_or_add_pPr()
    if hasattr(obj, "element"):
        return obj.element.get_or_add_pPr()
    return obj


def _rPr(obj):
    if hasattr(obj, "_r"):
        return obj._r.get_or_add_rPr()
    if hasattr(obj, "element"):
        return obj.element.get_or_add_rPr()
    return obj


def text_el(value: str):
    """A ``w:t`` that keeps its spaces."""
    t = OxmlElement("w:t")
    t.set(XML_SPACE, "preserve")
    t.text = value
    return t


# ---- paragraphs, runs, styles ---------------------------------------------------------------------

def set_bidi(paragraph_or_style) -> None:
    """``w:bidi``: right-to-left base direction for a paragraph (or a paragraph style)."""
    child(_pPr(paragraph_or_style), "bidi")


def set_outline_level(paragraph, level: int) -> None:
    """``w:outlineLvl`` (0-based): a paragraph that is no heading yet is a TOC entry (``TOC \\u``),
    a navigation-pane entry and a PDF bookmark at that level."""
    child(_pPr(paragraph), "outlineLvl", val=level)


def set_paragraph_style(paragraph, style_id: str) -> None:
    """``w:pStyle`` by id: what ``Paragraph.style = ...`` does, without its per-call style-table scan."""
    paragraph._p.get_or_add_pPr().style = style_id


def new_paragraph(parent, style_id: str, *, bidi: bool, before=None):
    """A new ``w:p`` at the end of ``parent`` (or just before ``before``, the body's ``sectPr``) whose
    ``pPr`` holds ``pStyle`` and, for a right-to-left paragraph, ``bidi``: what ``add_paragraph`` plus
    ``set_paragraph_style`` and ``set_bidi`` make, without python-docx's successor scans."""
    p = etree.SubElement(parent, W + "p")
    if before is not None:
        before.addprevious(p)
    _new_pPr(p, style_id, bidi)
    return p


def style_paragraph(p, style_id: str, *, bidi: bool) -> None:
    """``pStyle`` (and ``bidi``) on an existing ``w:p``: built in one go when it has no ``pPr`` yet."""
    pPr = p.pPr
    if pPr is None:
        _new_pPr(p, style_id, bidi)
        return
    pPr.style = style_id
    if bidi:
        child(pPr, "bidi")


def _new_pPr(p, style_id: str, bidi: bool) -> None:
    pPr = p.makeelement(W + "pPr")
    etree.SubElement(pPr, W + "pStyle").set(W + "val", style_id)
    if bidi:
        etree.SubElement(pPr, W + "bidi")
    p.insert(0, pPr)


def new_run(p, *, style_id: str | None = None, rtl: bool = False):
    """An empty ``w:r`` at the end of the ``w:p`` ``p``, its ``rPr`` holding ``rStyle`` and ``rtl`` when
    asked: what ``add_run`` plus ``set_run_style`` and ``set_run_rtl`` make, in one go."""
    r = etree.SubElement(p, W + "r")
    if style_id or rtl:
        rPr = etree.SubElement(r, W + "rPr")
        if style_id:
            etree.SubElement(rPr, W + "rStyle").set(W + "val", style_id)
        if rtl:
            etree.SubElement(rPr, W + "rtl")
    return r


def insert_in_order(parent, el, successors: frozenset[str]) -> None:
    """Insert ``el`` before ``parent``'s first child whose tag is in ``successors`` (Clark names), else at
    the end: python-docx's ``insert_element_before`` in one pass over the children (it looks each
    successor tag up in turn) for children already in schema order."""
    for c in parent:
        if c.tag in successors:
            c.addprevious(el)
            return
    parent.append(el)


def set_fonts(target, latin: str, cs: str | None = None) -> None:
    """One family in the ascii/hAnsi/eastAsia slots and ``cs`` (default the same); theme attributes removed.

    A ``*Theme`` attribute beats a font name, and the default template sets ``cstheme="majorBidi"``.
    """
    rPr = _rPr(target)
    fonts = rPr.find(W + "rFonts")
    if fonts is None:
        fonts = rPr.makeelement(W + "rFonts")
        insert_in_order(rPr, fonts, _successor_tags(type(rPr), "rFonts"))
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme", "hint"):
        fonts.attrib.pop(qn("w:" + attr), None)
    for attr, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", latin), ("cs", cs or latin)):
        fonts.set(qn("w:" + attr), value)


def set_run_rtl(run) -> None:
    """``w:rtl`` on a run: its neutrals resolve right-to-left and it is formatted from the cs slots."""
    run.font.rtl = True


def set_run_style(run, style_id: str) -> None:
    """``w:rStyle`` by id (works in parts python-docx cannot look styles up from, like footnotes)."""
    run._r.get_or_add_rPr().style = style_id


def set_run_bold(run) -> None:
    run.font.bold = True
    run.font.cs_bold = True


def set_run_italic(run) -> None:
    run.font.italic = True
    run.font.cs_italic = True


def add_text_run(paragraph, text: str, *, style_id: str | None = None, font: str | None = None,
                 bold: bool = False, italic: bool = False, color: str | None = None, rtl: bool = False,
                 shade: str | None = None, size_pt: float | None = None):
    """A run of plain text with its properties, built in one go (``add_run`` plus one python-docx
    property call per attribute costs several times more on long briefs), in CT_RPr's order."""
    sub = etree.SubElement
    controls = "\t" in text or "\n" in text or "\r" in text
    if controls:                                # python-docx turns these into w:tab / w:br
        run = paragraph.add_run(text)
        r = run._r
    else:
        r = sub(paragraph._p, _R)
        run = Run(r, paragraph)
    if style_id or font or bold or italic or color or size_pt or shade or rtl:
        if controls:
            rPr = r.makeelement(_RPR)
            r.insert(0, rPr)
        else:
            rPr = sub(r, _RPR)
        if style_id:
            sub(rPr, _RSTYLE, {_VAL: style_id})
        if font:
            sub(rPr, _RFONTS, {_ASCII: font, _HANSI: font, _EASTASIA: font, _CS: font})
        if bold:
            sub(rPr, _B)
            sub(rPr, _BCS)
        if italic:
            sub(rPr, _I)
            sub(rPr, _ICS)
        if color:
            sub(rPr, _COLOR, {_VAL: color})
        if size_pt:
            half = str(round(size_pt * 2))
            sub(rPr, _SZ, {_VAL: half})
            sub(rPr, _SZCS, {_VAL: half})
        if shade:                               # a character background: the PDF's badge
            sub(rPr, _SHD, {_VAL: "clear", _COLOR_ATTR: "auto", _FILL: shade})
        if rtl:
            sub(rPr, _RTL)
    if text and not controls:
        t = sub(r, _T)
        t.text = text
        if text != text.strip():
            t.set(XML_SPACE, "preserve")
    return run


(_R, _RPR, _RSTYLE, _RFONTS, _B, _BCS, _I, _ICS, _COLOR, _SZ, _SZCS, _SHD, _RTL, _T) = (
    W + tag for tag in ("r", "rPr", "rStyle", "rFonts", "b", "bCs", "i", "iCs", "color", "sz", "szCs", "shd",
                        "rtl", "t"))
(_VAL, _ASCII, _HANSI, _EASTASIA, _CS, _COLOR_ATTR, _FILL) = (
    W + name for name in ("val", "ascii", "hAnsi", "eastAsia", "cs", "color", "fill"))


def set_document_defaults(doc, *, lang: str, bidi_lang: str | None, rtl: bool) -> None:
    """docDefaults: the languages of the brief; ``w:bidi`` for RTL briefs."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rPr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang_el = child(rPr, "lang", val=lang)
    lang_el.attrib.pop(qn("w:eastAsia"), None)
    if bidi_lang:
        lang_el.set(qn("w:bidi"), bidi_lang)
    else:
        lang_el.attrib.pop(qn("w:bidi"), None)
    if rtl:
        child(defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")), "bidi")


def mirror_styles(styles) -> None:
    """``w:bidi`` on every paragraph style of a ``w:styles`` element written left-to-right, and its
    physical borders mirrored (``jc`` and ``ind`` are logical under ``w:bidi``, ``pBdr`` sides are
    not: ISO/IEC 29500-1 §17.3.1.17)."""
    swap = {qn("w:left"): qn("w:right"), qn("w:right"): qn("w:left")}
    order = ("top", "left", "bottom", "right", "between", "bar")
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) != "paragraph":
            continue
        pPr = style.get_or_add_pPr()
        child(pPr, "bidi")
        bdr = pPr.find(qn("w:pBdr"))
        if bdr is not None:
            for side in bdr:
                side.tag = swap.get(side.tag, side.tag)
            bdr[:] = sorted(bdr, key=lambda el: order.index(etree.QName(el).localname))


def set_section_bidi(section) -> None:
    """``sectPr/w:bidi``: page-level RTL (column order, gutter); it does not flip paragraphs by itself."""
    child(section._sectPr, "bidi")


def set_page_number_format(section, fmt: str) -> None:
    """``pgNumType@fmt`` (e.g. ``hindiNumbers``): how Word draws PAGE fields in this section."""
    child(section._sectPr, "pgNumType", fmt=fmt)


def bidi_everywhere(doc, footnotes=None) -> None:
    """``w:bidi`` on every paragraph of the body, headers, footers and footnotes.

    Styles and docDefaults carry it too, but some consumers read only direct formatting.
    """
    roots = [doc.element.body]
    for part in doc.part.package.iter_parts():
        if str(part.partname).startswith(("/word/header", "/word/footer")):
            roots.append(part.element)
    if footnotes is not None:
        roots.append(footnotes.part.element)
    for root in roots:
        for p in root.iter(W + "p"):
            pPr = p.find(W + "pPr")
            if pPr is None or pPr.find(W + "bidi") is None:     # most paragraphs were made with it
                child(p.get_or_add_pPr(), "bidi")


# ---- tables ---------------------------------------------------------------------------------------

def new_table(parent, widths_twips: list[int], n_rows: int, *, style_id: str, bidi_visual: bool, before=None,
              spanned: frozenset[int] = frozenset()):
    """A ``w:tbl`` of ``n_rows`` rows at the end of ``parent`` (or before ``before``) in table style
    ``style_id``, each cell one empty paragraph: column widths in ``tblGrid`` (LibreOffice) and every
    ``tcW`` (Word), a fixed layout at full width, the style's first-row formatting only (``tblLook``: no
    banding, no first column), the first row repeated on every page (``tblHeader``), no row broken across
    pages (``cantSplit``). The rows in ``spanned`` are one cell across (what python-docx's ``merge`` of
    their first and last cell makes). Parsed from one string: python-docx's ``add_table``, its cell-by-cell
    setters and ``merge`` cost more than the brief's text."""
    cells = "".join(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr><w:p/></w:tc>' for w in widths_twips)
    across = (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{sum(widths_twips)}"/>'
              f'<w:gridSpan w:val="{len(widths_twips)}"/></w:tcPr><w:p/></w:tc>')
    rows = "".join(f"<w:tr><w:trPr><w:cantSplit/>{'<w:tblHeader/>' if i == 0 else ''}</w:trPr>"
                   f"{across if i in spanned else cells}</w:tr>" for i in range(n_rows))
    tbl = parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{escape(style_id, {chr(34): "&quot;"})}"/>'
        f'{"<w:bidiVisual/>" if bidi_visual else ""}<w:tblW w:type="dxa" w:w="{sum(widths_twips)}"/>'
        '<w:tblLayout w:type="fixed"/><w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0"'
        ' w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>'
        + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths_twips)
        + f"</w:tblGrid>{rows}</w:tbl>")
    if before is not None:
        before.addprevious(tbl)
    else:
        parent.append(tbl)
    return tbl


def allow_split(row) -> None:
    """Drop ``w:cantSplit``: a row (a proxy or its ``w:tr``) that may be taller than a page must be
    allowed to break."""
    drop(getattr(row, "_tr", row).get_or_add_trPr(), "cantSplit")


def shade_cell(cell, fill: str) -> None:
    child(cell._tc.get_or_add_tcPr(), "shd", val="clear", color="auto", fill=fill.lstrip("#").upper())


def set_cell_top_rule(cell, color: str, eighths: int) -> None:
    """A coloured rule over the cell (``tcBorders/top``; the PDF's actor colour strip)."""
    borders = child(cell._tc.get_or_add_tcPr(), "tcBorders")
    drop(borders, "top")
    top = OxmlElement("w:top")
    for key, value in (("val", "single"), ("sz", eighths), ("space", 0), ("color", color.lstrip("#").upper())):
        top.set(qn("w:" + key), str(value))
    borders.insert(0, top)                      # first in CT_TcBorders' sequence


def set_cell_valign(cell, value: str = "center") -> None:
    """python-docx's public ``vertical_alignment`` (it inserts ``w:vAlign`` in schema order)."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = getattr(WD_CELL_VERTICAL_ALIGNMENT, value.upper())


def set_table_caption(table, caption: str, description: str) -> None:
    """``tblCaption`` and ``tblDescription``: what a screen reader announces for the table (a Table
    proxy or its ``w:tbl``)."""
    tblPr = getattr(table, "_tbl", table).tblPr
    child(tblPr, "tblCaption", val=caption)
    child(tblPr, "tblDescription", val=description)


# ---- lists ----------------------------------------------------------------------------------------

def _numbering(doc):
    return doc.part.numbering_part.element


def style_num_id(style) -> int:
    """The ``numId`` a list style's ``numPr`` names."""
    return style.element.pPr.numPr.numId.val


def _abstract(doc, style):
    numbering = _numbering(doc)
    abstract_id = numbering.num_having_numId(style_num_id(style)).abstractNumId.val
    return next(a for a in numbering.findall(qn("w:abstractNum"))
                if a.get(qn("w:abstractNumId")) == str(abstract_id))


def set_bullet_glyph(doc, style, glyph: str, font: str, *, indent_twips: int = 425,
                     hanging_twips: int = 284) -> None:
    """The bullet of ``style``'s list: a real character in a shipped font (the template uses Symbol's PUA)."""
    lvl = _abstract(doc, style).find(qn("w:lvl"))
    lvl.find(qn("w:lvlText")).set(qn("w:val"), glyph)
    for tab in lvl.iter(qn("w:tab")):
        tab.set(qn("w:pos"), str(indent_twips))
    for ind in lvl.iter(qn("w:ind")):
        ind.set(qn("w:left"), str(indent_twips))
        ind.set(qn("w:hanging"), str(hanging_twips))
    fonts = lvl.find(qn("w:rPr")).find(qn("w:rFonts"))
    fonts.attrib.clear()
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn("w:" + attr), font)


def set_number_format(doc, style, fmt: str) -> None:
    """``w:numFmt`` of ``style``'s list (``decimal``, ``hindiNumbers``): the digits Word numbers it in."""
    for lvl in _abstract(doc, style).findall(qn("w:lvl")):
        lvl.find(qn("w:numFmt")).set(qn("w:val"), fmt)


def restart_numbering(doc, style) -> int:
    """A new list instance of ``style``'s numbering that starts again at 1; returns its numId."""
    numbering = _numbering(doc)
    base = numbering.num_having_numId(style_num_id(style))
    num = numbering.add_num(base.abstractNumId.val)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def set_numbering(paragraph, num_id: int) -> None:
    """``numPr`` (level 0 of list ``num_id``) on a paragraph."""
    pPr = paragraph._p.get_or_add_pPr()
    if pPr.find(W + "numPr") is not None:
        numPr = pPr.numPr
        numPr.get_or_add_ilvl().val = 0
        numPr.get_or_add_numId().val = num_id
        return
    numPr = pPr.makeelement(W + "numPr")
    etree.SubElement(numPr, W + "ilvl").set(W + "val", "0")
    etree.SubElement(numPr, W + "numId").set(W + "val", str(num_id))
    insert_in_order(pPr, numPr, _successor_tags(type(pPr), "numPr"))


# ---- fields, bookmarks, hyperlinks ---------------------------------------------------------------

def _field_char(kind: str):
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    return el


def _instr(instruction: str):
    el = OxmlElement("w:instrText")
    el.set(XML_SPACE, "preserve")
    el.text = f" {instruction} "
    return el


def _field_run(paragraph, *, rtl: bool, style=None):
    if style is not None:
        run = paragraph.add_run(style=style)
        if rtl:
            run.font.rtl = True
        return run
    return Run(new_run(paragraph._p, rtl=rtl), paragraph)


def add_field(paragraph, instruction: str, cached: str, *, rtl: bool, style=None) -> None:
    """A complex field (``PAGE``, ``NUMPAGES``) whose cached result is already written."""
    for el in (_field_char("begin"), _instr(instruction), _field_char("separate"), text_el(cached),
               _field_char("end")):
        _field_run(paragraph, rtl=rtl, style=style)._r.append(el)


def begin_field(paragraph, instruction: str, *, rtl: bool, before_content: bool = False) -> None:
    """The opening half of a field whose result paragraphs follow (the TOC).

    With ``before_content`` the field starts ahead of what the paragraph already holds.
    """
    anchor = paragraph._p.pPr
    for el in (_field_char("begin"), _instr(instruction), _field_char("separate")):
        run = _field_run(paragraph, rtl=rtl)
        if before_content:
            if anchor is None:
                paragraph._p.insert(0, run._r)
            else:
                anchor.addnext(run._r)
            anchor = run._r
        run._r.append(el)


def end_field(paragraph, *, rtl: bool) -> None:
    _field_run(paragraph, rtl=rtl)._r.append(_field_char("end"))


def _bookmark(name: str, bookmark_id: int):
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    return start, end


def add_bookmark(paragraph, name: str, bookmark_id: int) -> None:
    """Wrap the paragraph's runs in a bookmark (the TOC and internal links point at it)."""
    p = paragraph._p
    start, end = _bookmark(name, bookmark_id)
    if p.pPr is not None:
        p.pPr.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


def bookmark_run(run, name: str, bookmark_id: int) -> None:
    """Wrap one run in a bookmark (a footnote call, which NOTEREF fields then point at)."""
    start, end = _bookmark(name, bookmark_id)
    run._r.addprevious(start)
    run._r.addnext(end)


def add_noteref(paragraph, bookmark: str, cached: str, *, style_id: str, rtl: bool):
    """A ``NOTEREF`` field: the number of the footnote whose call carries ``bookmark``.

    ``\\f`` formats the result as a footnote reference mark and ``\\h`` makes it a link to the
    note, as Word's own cross-reference to a footnote number does; ``cached`` is shown until Word
    updates the field. Returns the run holding the result.
    """
    result = None
    for el in (_field_char("begin"), _instr(f"NOTEREF {bookmark} \\f \\h"), _field_char("separate"),
               text_el(cached), _field_char("end")):
        run = Run(new_run(paragraph._p, style_id=style_id, rtl=rtl), paragraph)
        if el.tag == qn("w:t"):
            result = run
        run._r.append(el)
    return result


def wrap_in_hyperlink(paragraph, runs, *, url: str | None = None, anchor: str | None = None) -> None:
    """Move ``runs`` (already added to ``paragraph``) inside a ``w:hyperlink``.

    External targets become a relationship of the part the paragraph lives in (the document or
    the footnotes part); internal ones point at a bookmark.
    """
    if not runs:
        return
    link = OxmlElement("w:hyperlink")
    if url is not None:
        link.set(qn("r:id"), paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True))
    if anchor is not None:
        link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    runs[0]._r.addprevious(link)
    for run in runs:
        link.append(run._r)


# ---- footnote references --------------------------------------------------------------------------

def add_footnote_reference(body_run, footnote_id: int, mark: str | None) -> None:
    """``w:footnoteReference`` in ``body_run``; with ``mark``, the number written as text after it."""
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(footnote_id))
    if mark is not None:
        ref.set(qn("w:customMarkFollows"), "1")
    body_run._r.append(ref)
    if mark is not None:
        body_run._r.append(text_el(mark))


def new_footnote(footnote_id: int):
    """A ``w:footnote`` holding one empty paragraph; returns (footnote, paragraph element)."""
    note = OxmlElement("w:footnote")
    note.set(qn("w:id"), str(footnote_id))
    p = OxmlElement("w:p")
    note.append(p)
    return note, p


def footnote_mark(run, mark: str | None) -> None:
    """The mark at the start of a footnote: Word's own ``w:footnoteRef`` number, or ``mark`` as text."""
    run._r.append(OxmlElement("w:footnoteRef") if mark is None else text_el(mark))


# ---- paragraphs the theme rearranges --------------------------------------------------------------

def clear_paragraph(p) -> None:
    """Remove a paragraph's content, keeping its properties."""
    for child in list(p._p):
        if child.tag != qn("w:pPr"):
            p._p.remove(child)


def tab_at_end(p, section) -> None:
    """A tab stop at the end side of the text area (under ``w:bidi`` "right" is the end side)."""
    from docx.enum.text import WD_TAB_ALIGNMENT

    width = section.page_width - section.left_margin - section.right_margin
    p.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)


def align_end(p) -> None:
    """Align a paragraph to its end side ("right" is the end side under ``w:bidi``)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
