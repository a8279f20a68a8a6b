"""Raw WordprocessingML that python-docx has no API for, each element inserted in schema order.

This is the only briefkit module that builds XML by hand (lxml, ``OxmlElement``, ``qn``). Every
helper takes python-docx proxies or their elements and inserts new children in the position the
ECMA-376 schema requires (``_SEQ`` below), so the package validates and Word never "repairs" it.
RTL needs all of: paragraph ``w:bidi`` (section ``bidi`` alone does not flip paragraphs), ``jc`` read
logically (under ``bidi``, "left" is the start side), complex-script twins (``bCs``/``iCs``/``szCs``,
``rFonts/@cs`` with theme attributes removed), and ``bidiVisual`` tables.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import uuid
import zipfile
from io import BytesIO

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph
from lxml import etree

# ---- schema order ---------------------------------------------------------------------------------

_SEQ = {
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
            "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
            "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
            "rPr", "sectPr", "pPrChange"),
    "rPr": ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
            "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
            "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
            "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
            "oMath", "rPrChange"),
    "sectPr": ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
               "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign",
               "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid",
               "printerSettings", "sectPrChange"),
    "tblPr": ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
              "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
              "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange"),
    "tcPr": ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"),
    "style": ("name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
              "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
              "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"),
    "settings": ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
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
                 "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
                 "bookFoldRevPrinting", "bookFold", "bookFoldPrinting", "bookFoldPrintingSheets",
                 "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
                 "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
                 "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
                 "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
                 "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars",
                 "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture",
                 "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent",
                 "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml", "saveXmlDataOnly",
                 "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags", "alwaysMergeEmptyNamespace",
                 "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars",
                 "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                 "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                 "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
                 "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"),
}


def _local(el) -> str:
    return etree.QName(el).localname


def _child(parent, tag: str, **attrs):
    """Return ``parent``'s ``w:tag`` child, creating it in schema position; set ``w:`` attributes."""
    el = parent.find(qn("w:" + tag))
    if el is None:
        el = OxmlElement("w:" + tag)
        seq = _SEQ[_local(parent)]
        later = set(seq[seq.index(tag) + 1:])
        for i, existing in enumerate(parent):
            if isinstance(existing.tag, str) and _local(existing) in later:
                parent.insert(i, el)
                break
        else:
            parent.append(el)
    for key, value in attrs.items():
        el.set(qn("w:" + key), str(value))
    return el


def _drop(parent, *tags: str) -> None:
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


# ---- paragraphs, runs, styles ---------------------------------------------------------------------

def set_bidi(paragraph_or_style) -> None:
    """``w:bidi``: right-to-left base direction for a paragraph (or a paragraph style)."""
    _child(_pPr(paragraph_or_style), "bidi")


def set_outline_level(paragraph, level: int) -> None:
    """``w:outlineLvl`` (0-based): a paragraph that is no heading yet is a TOC entry (``TOC \\u``),
    a navigation-pane entry and a PDF bookmark at that level."""
    _child(_pPr(paragraph), "outlineLvl", val=level)


def set_fonts(target, latin: str, cs: str | None = None) -> None:
    """One family in the ascii/hAnsi/eastAsia slots and ``cs`` (default the same); theme attributes removed.

    A ``*Theme`` attribute beats a font name, and the default template sets ``cstheme="majorBidi"``.
    """
    rPr = _rPr(target)
    fonts = _child(rPr, "rFonts")
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme", "hint"):
        fonts.attrib.pop(qn("w:" + attr), None)
    for attr, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", latin), ("cs", cs or latin)):
        fonts.set(qn("w:" + attr), value)


def set_run_rtl(run) -> None:
    """``w:rtl`` on a run: its neutrals resolve right-to-left and it is formatted from the cs slots."""
    run.font.rtl = True


def set_run_style(run, style_id: str) -> None:
    """``w:rStyle`` by id (works in parts python-docx cannot look styles up from, like footnotes)."""
    run._r.get_or_add_rPr().get_or_add_rStyle().set(qn("w:val"), style_id)


def _text(value: str):
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = value
    return t


def add_text_run(paragraph, text: str, *, style_id: str | None = None, font: str | None = None,
                 bold: bool = False, italic: bool = False, color: str | None = None, rtl: bool = False):
    """A run of plain text with its properties, built in one go in schema order (``add_run`` plus
    one python-docx property call per attribute costs several times more on long briefs)."""
    from docx.text.run import Run

    if any(c in text for c in "\t\n\r"):       # python-docx turns these into w:tab / w:br
        run = paragraph.add_run(text)
        r = run._r
    else:
        r = etree.SubElement(paragraph._p, _W + "r")
        run = Run(r, paragraph)
    props = []
    if style_id:
        props.append(("rStyle", {"val": style_id}))
    if font:
        props.append(("rFonts", {"ascii": font, "hAnsi": font, "eastAsia": font, "cs": font}))
    if bold:
        props += [("b", {}), ("bCs", {})]
    if italic:
        props += [("i", {}), ("iCs", {})]
    if color:
        props.append(("color", {"val": color}))
    if rtl:
        props.append(("rtl", {}))
    if props:
        rPr = etree.Element(_W + "rPr")
        for tag, attrs in props:
            el = etree.SubElement(rPr, _W + tag)
            for key, value in attrs.items():
                el.set(_W + key, value)
        r.insert(0, rPr)
    if text and r.find(_W + "t") is None:
        t = etree.SubElement(r, _W + "t")
        t.text = text
        if text != text.strip():
            t.set(_XML_SPACE, "preserve")
    return run


_W = qn("w:r")[:-1]
"""``{namespace}`` of WordprocessingML, for building many elements without a ``qn`` call each."""
_XML_SPACE = qn("xml:space")


def set_run_bold(run) -> None:
    run.font.bold = True
    run.font.cs_bold = True


def set_run_italic(run) -> None:
    run.font.italic = True
    run.font.cs_italic = True


# ---- document defaults, settings, package clean-up -----------------------------------------------

def set_document_defaults(doc, *, lang: str, bidi_lang: str | None, rtl: bool) -> None:
    """docDefaults: the languages of the brief; ``w:bidi`` for RTL briefs."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rPr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang_el = _child(rPr, "lang", val=lang)
    lang_el.attrib.pop(qn("w:eastAsia"), None)
    if bidi_lang:
        lang_el.set(qn("w:bidi"), bidi_lang)
    else:
        lang_el.attrib.pop(qn("w:bidi"), None)
    if rtl:
        pPr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        _child(pPr, "bidi")


def load_styles(doc, xml: bytes, *, rtl: bool) -> None:
    """Replace the styles part with a reference one (written left-to-right); an RTL brief gets
    ``w:bidi`` on every paragraph style and its physical borders mirrored (``jc`` and ``ind`` are
    logical under ``w:bidi``, ``pBdr`` sides are not: ISO/IEC 29500-1 §17.3.1.17)."""
    root = parse_xml(xml)
    doc.part._styles_part._element = root
    if not rtl:
        return
    for style in root.findall(qn("w:style")):
        if style.get(qn("w:type")) != "paragraph":
            continue
        pPr = style.find(qn("w:pPr"))
        if pPr is None:
            pPr = OxmlElement("w:pPr")
            later = _SEQ["style"][_SEQ["style"].index("pPr") + 1:]
            for i, existing in enumerate(style):
                if _local(existing) in later:
                    style.insert(i, pPr)
                    break
            else:
                style.append(pPr)
        _child(pPr, "bidi")
        bdr = pPr.find(qn("w:pBdr"))
        if bdr is not None:
            swap = {qn("w:left"): qn("w:right"), qn("w:right"): qn("w:left")}
            for side in bdr:
                side.tag = swap.get(side.tag, side.tag)
            order = ("top", "left", "bottom", "right", "between", "bar")
            bdr[:] = sorted(bdr, key=lambda el: order.index(_local(el)))


def set_section_bidi(section) -> None:
    """``sectPr/w:bidi``: page-level RTL (column order, gutter); it does not flip paragraphs by itself."""
    _child(section._sectPr, "bidi")


def set_page_number_format(section, fmt: str) -> None:
    """``pgNumType@fmt`` (e.g. ``hindiNumbers``): how Word draws PAGE fields in this section."""
    _child(section._sectPr, "pgNumType", fmt=fmt)


def configure_settings(doc, *, embed_fonts: bool) -> None:
    """settings.xml: ask Word to refresh fields (TOC page numbers) on open, declare the footnote
    separators, embed TrueType fonts, and drop the preview-picture flag (its thumbnail is removed)."""
    settings = doc.settings.element
    _drop(settings, "savePreviewPicture", "rsids")
    if embed_fonts:
        _child(settings, "embedTrueTypeFonts")
    _child(settings, "updateFields", val="true")
    fpr = _child(settings, "footnotePr")
    if fpr.find(qn("w:footnote")) is None:
        for fid in ("-1", "0"):
            ref = OxmlElement("w:footnote")
            ref.set(qn("w:id"), fid)
            fpr.append(ref)


def drop_package_extras(doc) -> None:
    """Remove the template's stale ``stylesWithEffects`` copy and its blank-page thumbnail."""
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)
    pkg_rels = doc.part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            pkg_rels.pop(rid)


def set_app_properties(doc, application: str) -> None:
    """docProps/app.xml without the template's Word-for-Mac statistics."""
    for part in doc.part.package.iter_parts():
        if part.partname == "/docProps/app.xml":
            part._blob = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
                ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                f"<Application>{application}</Application><DocSecurity>0</DocSecurity>"
                "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
                "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
                "</Properties>").encode("utf-8")


# ---- tables ---------------------------------------------------------------------------------------

def set_table_grid(table, widths_twips: list[int]) -> None:
    """Column widths in ``tblGrid`` (LibreOffice), every ``tcW`` (Word), a fixed layout and full width."""
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_twips):
        col.set(qn("w:w"), str(width))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_twips):
            tcPr = cell._tc.get_or_add_tcPr()
            _child(tcPr, "tcW", w=width, type="dxa")
    tblPr = table._tbl.tblPr
    _child(tblPr, "tblW", w=sum(widths_twips), type="dxa")
    _child(tblPr, "tblLayout", type="fixed")


def repeat_header_row(row) -> None:
    """``w:tblHeader``: the row repeats at the top of every page the table runs onto."""
    trPr = row._tr.get_or_add_trPr()
    if trPr.find(qn("w:tblHeader")) is None:
        trPr.append(OxmlElement("w:tblHeader"))


def cant_split(row) -> None:
    """``w:cantSplit``: the row is never broken across pages."""
    trPr = row._tr.get_or_add_trPr()
    if trPr.find(qn("w:cantSplit")) is None:
        trPr.insert(0, OxmlElement("w:cantSplit"))


def allow_split(row) -> None:
    """Drop ``w:cantSplit``: a row that may be taller than a page must be allowed to break."""
    trPr = row._tr.get_or_add_trPr()
    for el in trPr.findall(qn("w:cantSplit")):
        trPr.remove(el)


def shade_cell(cell, fill: str) -> None:
    _child(cell._tc.get_or_add_tcPr(), "shd", val="clear", color="auto", fill=fill.lstrip("#").upper())


def set_cell_valign(cell, value: str = "center") -> None:
    """python-docx's public ``vertical_alignment`` (it inserts ``w:vAlign`` in schema order)."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = getattr(WD_CELL_VERTICAL_ALIGNMENT, value.upper())


def set_table_look(table, *, first_row: bool = True) -> None:
    """``tblLook``: apply the style's first-row formatting only (no banding, no first column)."""
    look = _child(table._tbl.tblPr, "tblLook")
    for k in list(look.attrib):
        del look.attrib[k]
    look.set(qn("w:val"), "0420" if first_row else "0400")
    for attr, value in (("firstRow", int(first_row)), ("lastRow", 0), ("firstColumn", 0),
                        ("lastColumn", 0), ("noHBand", 1), ("noVBand", 1)):
        look.set(qn("w:" + attr), str(value))


def bidi_everywhere(doc, footnotes=None) -> None:
    """``w:bidi`` on every paragraph of the body, headers, footers and footnotes.

    Styles and docDefaults carry it too, but some consumers read only direct formatting.
    """
    roots = [doc.element.body]
    for part in doc.part.package.iter_parts():
        name = str(part.partname)
        if name.startswith(("/word/header", "/word/footer")):
            roots.append(part.element)
    if footnotes is not None:
        roots.append(footnotes.part.element)
    for root in roots:
        for p in root.iter(qn("w:p")):
            _child(p.get_or_add_pPr(), "bidi")


# ---- lists ----------------------------------------------------------------------------------------

def _numbering(doc):
    return doc.part.numbering_part.element


def style_num_id(style) -> int:
    """The ``numId`` a list style's ``numPr`` names."""
    return _style_num_id(style)


def _style_num_id(style) -> int:
    numPr = style.element.pPr.find(qn("w:numPr"))
    return int(numPr.find(qn("w:numId")).get(qn("w:val")))


def set_bullet_glyph(doc, style, glyph: str, font: str, *, indent_twips: int = 425,
                     hanging_twips: int = 284) -> None:
    """The bullet of ``style``'s list: a real character in a shipped font (the template uses Symbol's PUA)."""
    numbering = _numbering(doc)
    num = numbering.num_having_numId(_style_num_id(style))
    abstract_id = num.abstractNumId.val
    abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == str(abstract_id))
    lvl = abstract.find(qn("w:lvl"))
    lvl.find(qn("w:lvlText")).set(qn("w:val"), glyph)
    for tab in lvl.iter(qn("w:tab")):
        tab.set(qn("w:pos"), str(indent_twips))
    for ind in lvl.iter(qn("w:ind")):
        ind.set(qn("w:left"), str(indent_twips))
        ind.set(qn("w:hanging"), str(hanging_twips))
    rPr = lvl.find(qn("w:rPr"))
    fonts = rPr.find(qn("w:rFonts"))
    fonts.attrib.clear()
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn("w:" + attr), font)


def set_number_format(doc, style, fmt: str) -> None:
    """``w:numFmt`` of ``style``'s list (``decimal``, ``hindiNumbers``): the digits Word numbers it in."""
    numbering = _numbering(doc)
    num = numbering.num_having_numId(_style_num_id(style))
    abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == str(num.abstractNumId.val))
    for lvl in abstract.findall(qn("w:lvl")):
        lvl.find(qn("w:numFmt")).set(qn("w:val"), fmt)


def restart_numbering(doc, style) -> int:
    """A new list instance of ``style``'s numbering that starts again at 1; returns its numId."""
    numbering = _numbering(doc)
    base = numbering.num_having_numId(_style_num_id(style))
    num = numbering.add_num(base.abstractNumId.val)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def set_numbering(paragraph, num_id: int) -> None:
    numPr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numPr.get_or_add_ilvl().val = 0
    numPr.get_or_add_numId().val = num_id


# ---- fields, bookmarks, hyperlinks ---------------------------------------------------------------

def add_field(paragraph, instruction: str, cached: str, *, rtl: bool, style=None) -> None:
    """A complex field (``PAGE``, ``NUMPAGES``) whose cached result is already written."""
    for kind, payload in (("begin", None), ("instr", instruction), ("separate", None),
                          ("text", cached), ("end", None)):
        run = paragraph.add_run(style=style)
        if rtl:
            run.font.rtl = True
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {payload} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = payload
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def begin_field(paragraph, instruction: str, *, rtl: bool, before_content: bool = False) -> None:
    """The opening half of a field whose result paragraphs follow (the TOC).

    With ``before_content`` the field starts ahead of what the paragraph already holds.
    """
    pPr = paragraph._p.pPr
    anchor = pPr
    for kind in ("begin", "instr", "separate"):
        run = paragraph.add_run()
        if rtl:
            run.font.rtl = True
        if before_content:
            if anchor is None:
                paragraph._p.insert(0, run._r)
            else:
                anchor.addnext(run._r)
            anchor = run._r
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def end_field(paragraph, *, rtl: bool) -> None:
    run = paragraph.add_run()
    if rtl:
        run.font.rtl = True
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), "end")
    run._r.append(el)


def add_bookmark(paragraph, name: str, bookmark_id: int) -> None:
    """Wrap the paragraph's runs in a bookmark (the TOC and internal links point at it)."""
    p = paragraph._p
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    pPr = p.pPr
    if pPr is not None:
        pPr.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


def bookmark_run(run, name: str, bookmark_id: int) -> None:
    """Wrap one run in a bookmark (a footnote call, which NOTEREF fields then point at)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    run._r.addprevious(start)
    run._r.addnext(end)


def add_noteref(paragraph, bookmark: str, cached: str, *, style_id: str, rtl: bool):
    """A ``NOTEREF`` field: the number of the footnote whose call carries ``bookmark``.

    ``\\f`` formats the result as a footnote reference mark and ``\\h`` makes it a link to the
    note, as Word's own cross-reference to a footnote number does; ``cached`` is shown until Word
    updates the field. Returns the run holding the result.
    """
    result = None
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = paragraph.add_run()
        set_run_style(run, style_id)
        if rtl:
            run.font.rtl = True
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" NOTEREF {bookmark} \\f \\h "
        elif kind == "text":
            el = _text(cached)
            result = run
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
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
        rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link.set(qn("r:id"), rid)
    if anchor is not None:
        link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    runs[0]._r.addprevious(link)
    for run in runs:
        link.append(run._r)


# ---- footnotes ------------------------------------------------------------------------------------

_FOOTNOTES_XML = (
    f'<w:footnotes {nsdecls("w", "r")}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr>{bidi}'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    '<w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>{bidi}'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    '<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    '</w:footnotes>')


class _StoryParent:
    """The ``parent`` a python-docx Paragraph needs: something with ``.part`` (for hyperlinks)."""

    def __init__(self, part):
        self.part = part


class Footnotes:
    """``word/footnotes.xml``: real footnotes, each a paragraph the writer fills through a Paragraph proxy."""

    def __init__(self, doc, *, rtl: bool):
        self._rtl = rtl
        xml = _FOOTNOTES_XML.replace("{bidi}", "<w:bidi/>" if rtl else "")
        self.part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(xml),
                            doc.part.package)
        doc.part.relate_to(self.part, RT.FOOTNOTES)
        self._parent = _StoryParent(self.part)
        self._next_id = 1

    def add(self, body_run, *, style_id: str, ref_style_id: str, mark: str | None = None) -> Paragraph:
        """A new footnote referenced from ``body_run``; returns its (empty but for the mark) paragraph.

        ``mark`` writes the number as text (``customMarkFollows``) so native digits are exact code
        points; without it Word and LibreOffice number the footnotes themselves.
        """
        fid = self._next_id
        self._next_id += 1
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(fid))
        if mark is not None:
            ref.set(qn("w:customMarkFollows"), "1")
        body_run._r.append(ref)
        if mark is not None:
            body_run._r.append(_text(mark))

        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(fid))
        p = OxmlElement("w:p")
        note.append(p)
        self.part.element.append(note)
        para = Paragraph(p, self._parent)
        pPr = p.get_or_add_pPr()
        pPr.get_or_add_pStyle().set(qn("w:val"), style_id)
        if self._rtl:
            _child(pPr, "bidi")
        run = para.add_run()
        set_run_style(run, ref_style_id)
        if self._rtl:
            run.font.rtl = True
        if mark is None:
            run._r.append(OxmlElement("w:footnoteRef"))
        else:
            run._r.append(_text(mark))
        sep = para.add_run(" ")
        if self._rtl:
            sep.font.rtl = True
        return para


# ---- fonts ----------------------------------------------------------------------------------------

_FACE_TAGS = ("Regular", "Bold", "Italic", "BoldItalic")


def font_key(data: bytes) -> str:
    """A GUID derived from the font bytes, so the obfuscation key (and the package) is reproducible."""
    return "{%s}" % str(uuid.UUID(bytes=hashlib.md5(data).digest())).upper()


def obfuscate(data: bytes, guid: str) -> bytes:
    """ECMA-376 Part 1 §17.8.1: XOR the first 32 bytes with the GUID's bytes in reverse order.

    The operation is its own inverse, so the same function deobfuscates.
    """
    key = bytes.fromhex(guid.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ key[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def embed_fonts(doc, families: dict[str, dict[str, bytes]]) -> None:
    """Embed TrueType faces as obfuscated ``.odttf`` parts listed in fontTable.xml.

    ``families`` maps a family name to ``{face: font bytes}``, faces among Regular, Bold,
    Italic and BoldItalic. Families keep their order, so part names are deterministic.
    """
    table = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    root = parse_xml(table.blob)
    n = 0
    for family, faces in families.items():
        font = next((f for f in root.findall(qn("w:font")) if f.get(qn("w:name")) == family), None)
        if font is None:
            font = OxmlElement("w:font")
            font.set(qn("w:name"), family)
            charset = OxmlElement("w:charset")
            charset.set(qn("w:val"), "00")
            family_el = OxmlElement("w:family")
            family_el.set(qn("w:val"), "auto")
            pitch = OxmlElement("w:pitch")
            pitch.set(qn("w:val"), "variable")
            font.extend([charset, family_el, pitch])
            root.append(font)
        for face in _FACE_TAGS:
            if face not in faces:
                continue
            n += 1
            data = faces[face]
            guid = font_key(data)
            part = Part(PackURI(f"/word/fonts/font{n}.odttf"),
                        "application/vnd.openxmlformats-officedocument.obfuscatedFont",
                        obfuscate(data, guid), doc.part.package)
            el = OxmlElement(f"w:embed{face}")
            el.set(qn("r:id"), table.relate_to(part, RT.FONT))
            el.set(qn("w:fontKey"), guid)
            font.append(el)
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---- saving ---------------------------------------------------------------------------------------

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


CORE_MAX = 255
"""python-docx refuses a core property longer than this; the full text stays in the document body."""


def _core_text(value: str) -> str:
    if len(value) <= CORE_MAX:
        return value
    cut = value[:CORE_MAX - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > CORE_MAX // 2 else cut).rstrip() + "\u2026"


def set_core_properties(doc, *, title: str, author: str, subject: str, keywords: str, language: str,
                        category: str, identifier: str, when: _dt.datetime | None) -> None:
    cp = doc.core_properties
    cp.title = _core_text(title)
    cp.author = _core_text(author)
    cp.subject = _core_text(subject)
    cp.keywords = _core_text(keywords)
    cp.language = _core_text(language)
    cp.category = _core_text(category)
    cp.identifier = _core_text(identifier)
    cp.comments = ""
    cp.last_modified_by = "briefkit"
    cp.revision = 1
    if when is not None:
        cp.created = cp.modified = when
    else:       # no date known: no date at all (never the clock, never the template's)
        for tag in ("dcterms:created", "dcterms:modified"):
            for el in cp._element.findall(qn(tag)):
                cp._element.remove(el)


class _Entries:
    """Stands in for python-docx's zip writer: collects (member name, bytes) in its write order."""

    def __init__(self):
        self.items: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob) -> None:
        self.items.append((pack_uri.membername, blob))

    def close(self) -> None:
        pass


def save_reproducible(doc) -> bytes:
    """The package as bytes, identical for identical input: fixed entry times, modes and order.

    python-docx's own part order (content types, package rels, then parts by relationship walk) is
    deterministic; only its zip timestamps are "now", so the entries are zipped here, once.
    Fonts are already dense, so they get the fast deflate level.
    """
    from docx.opc.pkgwriter import PackageWriter

    package = doc.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    entries = _Entries()
    PackageWriter._write_content_types_stream(entries, parts)
    PackageWriter._write_pkg_rels(entries, package.rels)
    PackageWriter._write_parts(entries, parts)
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in entries.items:
            entry = zipfile.ZipInfo(name, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            if name.endswith(".odttf"):
                _write_deflated(z, entry, blob)
            else:
                z.writestr(entry, blob, compresslevel=6)
    return out.getvalue()


_DEFLATED: dict[bytes, tuple[int, bytes]] = {}


def _write_deflated(z: zipfile.ZipFile, entry: zipfile.ZipInfo, blob: bytes) -> None:
    """Write an entry whose deflate stream is cached per content: the same embedded font is not
    compressed again on every build. Fonts are dense already: level 1 costs a third of level 6's
    time for 5% more bytes, which a fresh process (one CLI call) pays on every brief."""
    import zlib

    key = hashlib.sha1(blob).digest()
    if key not in _DEFLATED:
        if len(_DEFLATED) > 64:
            _DEFLATED.clear()
        compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
        _DEFLATED[key] = (zlib.crc32(blob), compressor.compress(blob) + compressor.flush())
    crc, data = _DEFLATED[key]
    entry.file_size, entry.compress_size, entry.CRC = len(blob), len(data), crc
    entry.header_offset = z.fp.tell()
    z.fp.write(entry.FileHeader(False))
    z.fp.write(data)
    z.filelist.append(entry)
    z.NameToInfo[entry.filename] = entry
    z.start_dir = z.fp.tell()
    z._didModify = True


def set_paragraph_style(paragraph, style_id: str) -> None:
    """``w:pStyle`` by id: what ``Paragraph.style = ...`` does, without its per-call style-table scan."""
    paragraph._p.get_or_add_pPr().style = style_id
