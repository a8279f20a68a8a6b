"""The element layer: children land where the ECMA-376 sequences put them, including children
python-docx declares no API for (their position comes from python-docx's successor lists)."""
from __future__ import annotations

import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from lxml import etree

from briefkit.writers import oxml


def element(xml: str):
    """A python-docx element (its own element class, as the writer gets them) from compact XML."""
    head, _, rest = xml.partition(">")
    return parse_xml(f"{head} {nsdecls('w')}>{rest}")


def children(el) -> list[str]:
    return [etree.QName(c).localname for c in el]


# (parent with children, tag added, expected children): orders from ECMA-376 Part 1 §17 (CT_PPr,
# CT_RPr, CT_SectPr, CT_TblPr, CT_TcPr, CT_TrPr, CT_Settings), written here, not read from the code.
CASES = [
    ("<w:pPr><w:pStyle/><w:spacing/><w:jc/></w:pPr>", "bidi", ["pStyle", "bidi", "spacing", "jc"]),
    ("<w:pPr><w:pStyle/><w:numPr/></w:pPr>", "bidi", ["pStyle", "numPr", "bidi"]),
    ("<w:pPr><w:rPr/></w:pPr>", "bidi", ["bidi", "rPr"]),
    ("<w:pPr><w:bidi/></w:pPr>", "bidi", ["bidi"]),
    ("<w:rPr><w:rFonts/><w:sz/><w:rtl/></w:rPr>", "szCs", ["rFonts", "sz", "szCs", "rtl"]),
    ("<w:rPr><w:rFonts/><w:rtl/><w:eastAsianLayout/></w:rPr>", "lang",
     ["rFonts", "rtl", "lang", "eastAsianLayout"]),
    ("<w:sectPr><w:pgSz/><w:pgMar/><w:cols/><w:titlePg/><w:docGrid/></w:sectPr>", "bidi",
     ["pgSz", "pgMar", "cols", "titlePg", "bidi", "docGrid"]),
    ("<w:sectPr><w:pgMar/><w:cols/></w:sectPr>", "pgNumType", ["pgMar", "pgNumType", "cols"]),
    ("<w:tblPr><w:tblStyle/><w:bidiVisual/><w:tblLayout/><w:tblLook/></w:tblPr>", "tblW",
     ["tblStyle", "bidiVisual", "tblW", "tblLayout", "tblLook"]),
    ("<w:tblPr><w:tblStyle/><w:tblW/><w:tblCaption/></w:tblPr>", "tblLook",
     ["tblStyle", "tblW", "tblLook", "tblCaption"]),
    ("<w:tcPr><w:tcW/><w:vAlign/></w:tcPr>", "shd", ["tcW", "shd", "vAlign"]),
    ("<w:trPr><w:tblHeader/></w:trPr>", "cantSplit", ["cantSplit", "tblHeader"]),
    ("<w:trPr><w:cantSplit/><w:jc/></w:trPr>", "tblHeader", ["cantSplit", "tblHeader", "jc"]),
    ("<w:settings><w:zoom/><w:proofState/><w:defaultTabStop/><w:compat/></w:settings>",
     "embedTrueTypeFonts",
     ["zoom", "embedTrueTypeFonts", "proofState", "defaultTabStop", "compat"]),
    ("<w:settings><w:zoom/><w:defaultTabStop/><w:compat/><w:rsids/></w:settings>", "updateFields",
     ["zoom", "defaultTabStop", "updateFields", "compat", "rsids"]),
    ("<w:settings><w:updateFields/><w:compat/></w:settings>", "footnotePr",
     ["updateFields", "footnotePr", "compat"]),
]


@pytest.mark.parametrize("xml,tag,expected", CASES, ids=[f"{c[0][3:c[0].index('>')]}-{c[1]}" for c in CASES])
def test_child_lands_in_schema_position(xml, tag, expected):
    parent = element(xml)
    added = oxml.child(parent, tag, val="x")
    assert children(parent) == expected
    assert added.getparent() is parent and added.get(f"{{{parent.nsmap['w']}}}val") == "x"


def test_child_returns_the_existing_element():
    parent = element("<w:tcPr><w:shd w:fill='FFFFFF'/></w:tcPr>")
    first = parent[0]
    assert oxml.child(parent, "shd", fill="000000") is first
    assert len(parent) == 1 and first.get(f"{{{parent.nsmap['w']}}}fill") == "000000"


def test_a_tag_outside_the_schema_is_refused():
    with pytest.raises(LookupError, match="no schema position for w:notAChild"):
        oxml.child(element("<w:pPr></w:pPr>"), "notAChild")


def test_rtl_styles_mirror_their_borders_and_read_right_to_left():
    styles = element(
        "<w:styles><w:style w:type='paragraph' w:styleId='Quote'><w:name w:val='Quote'/><w:rPr/>"
        "<w:pPr><w:pBdr><w:left w:val='single'/><w:bottom w:val='single'/></w:pBdr>"
        "<w:jc w:val='left'/></w:pPr>"
        "</w:style><w:style w:type='paragraph' w:styleId='Plain'><w:name w:val='Plain'/><w:rPr/></w:style>"
        "<w:style w:type='character' w:styleId='Strong'><w:name w:val='Strong'/></w:style></w:styles>")
    oxml.mirror_styles(styles)
    quote, plain, strong = styles
    assert children(quote.find("w:pPr", quote.nsmap)) == ["pBdr", "bidi", "jc"]
    assert children(quote.find("w:pPr/w:pBdr", quote.nsmap)) == ["bottom", "right"]
    assert children(plain) == ["name", "pPr", "rPr"] and children(plain[1]) == ["bidi"]
    assert children(strong) == ["name"]


def test_a_fast_text_run_writes_its_properties_in_schema_order():
    from docx import Document

    p = Document().add_paragraph()
    run = oxml.add_text_run(p, " نص ", style_id="Strong", font="Amiri", bold=True, italic=True,
                            color="1F3864", rtl=True)
    assert children(run._r.rPr) == ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "color", "rtl"]
    assert run.text == " نص " and run._r.find("w:t", run._r.nsmap).get(oxml.XML_SPACE) == "preserve"
    assert oxml.add_text_run(p, "a\tb").text == "a\tb"       # python-docx's w:tab


def test_a_tab_is_one_w_tab_and_no_literal_tab_character():
    # a tab written twice (w:tab and a "\t" in w:t) pushed the running head's and the masthead's
    # end-side text onto a second line in LibreOffice
    from docx import Document

    p = Document().add_paragraph()
    run = oxml.add_text_run(p, "\t", rtl=True)
    assert children(run._r) == ["rPr", "tab"]
    run = oxml.add_text_run(p, "a\tb")
    assert children(run._r) == ["t", "tab", "t"]
    assert [t.text for t in run._r.findall("w:t", run._r.nsmap)] == ["a", "b"]
