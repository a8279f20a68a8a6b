"""The package layer: parts python-docx does not make (footnotes, embedded fonts), parts replaced
from templates (styles), package clean-up, properties, and the reproducible zip."""
from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import uuid
import zipfile
import zlib
from io import BytesIO

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from . import oxml

# ---- styles and settings --------------------------------------------------------------------------

def load_styles(doc, xml: bytes, *, rtl: bool) -> None:
    """Replace the styles part's XML with a reference one (written left-to-right, mirrored for an
    RTL brief by ``oxml.mirror_styles``): parsed and mirrored once per process, copied per brief."""
    doc.part._styles_part._element = copy.deepcopy(_styles_tree(xml, rtl))


_STYLES: dict[tuple[bytes, bool], object] = {}


def _styles_tree(xml: bytes, rtl: bool):
    key = (xml, rtl)
    if key not in _STYLES:
        if len(_STYLES) > 8:        # an organisation's own styles files: a few at most
            _STYLES.clear()
        root = parse_xml(xml)
        if rtl:
            oxml.mirror_styles(root)
        _STYLES[key] = root
    return _STYLES[key]


def configure_settings(doc, *, embed_fonts: bool) -> None:
    """settings.xml: ask Word to refresh fields (TOC page numbers) on open, declare the footnote
    separators, embed TrueType fonts, and drop the preview-picture flag (its thumbnail is removed)."""
    settings = doc.settings.element
    oxml.drop(settings, "savePreviewPicture", "rsids")
    if embed_fonts:
        oxml.child(settings, "embedTrueTypeFonts")
    oxml.child(settings, "updateFields", val="true")
    fpr = oxml.child(settings, "footnotePr")
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


# ---- properties -----------------------------------------------------------------------------------

def set_app_properties(doc, application: str) -> None:
    """docProps/app.xml without the template's Word-for-Mac statistics (python-docx has no API for it)."""
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
    """docProps/core.xml through python-docx's ``core_properties``."""
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
        oxml.add_footnote_reference(body_run, fid, mark)
        note, p = oxml.new_footnote(fid)
        self.part.element.append(note)
        oxml.style_paragraph(p, style_id, bidi=self._rtl)
        para = Paragraph(p, self._parent)
        oxml.footnote_mark(Run(oxml.new_run(p, style_id=ref_style_id, rtl=self._rtl), para), mark)
        oxml.new_run(p, rtl=self._rtl).append(oxml.text_el(" "))
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


def _font_entry(root, family: str):
    """fontTable's ``w:font`` for ``family``, added (charset, family, pitch) if missing."""
    font = next((f for f in root.findall(qn("w:font")) if f.get(qn("w:name")) == family), None)
    if font is None:
        font = OxmlElement("w:font")
        font.set(qn("w:name"), family)
        for tag, value in (("charset", "00"), ("family", "auto"), ("pitch", "variable")):
            el = OxmlElement("w:" + tag)
            el.set(qn("w:val"), value)
            font.append(el)
        root.append(font)
    return font


def embed_fonts(doc, families: dict[str, dict[str, bytes]]) -> None:
    """Embed TrueType faces as obfuscated ``.odttf`` parts listed in fontTable.xml.

    ``families`` maps a family name to ``{face: font bytes}``, faces among Regular, Bold,
    Italic and BoldItalic. Families keep their order, so part names are deterministic.
    """
    table = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    root = parse_xml(table.blob)
    n = 0
    for family, faces in families.items():
        font = _font_entry(root, family)
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
    Fonts are already dense, so they get the fast deflate level. The parts briefs of one language share
    (styles, theme, numbering, settings) are deflated once per process.
    """
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
                _write_deflated(z, entry, blob, 1)
            elif name in SHARED_PARTS:
                _write_deflated(z, entry, blob, 6)
            else:
                z.writestr(entry, blob, compresslevel=6)
    return out.getvalue()


SHARED_PARTS = frozenset({"word/styles.xml", "word/theme/theme1.xml", "word/numbering.xml", "word/settings.xml",
                          "word/webSettings.xml", "word/fontTable.xml", "docProps/app.xml"})
"""Parts that are the same bytes for most briefs of a run (one language, one font set)."""

_DEFLATED: dict[tuple[bytes, int], tuple[int, bytes]] = {}


def _write_deflated(z: zipfile.ZipFile, entry: zipfile.ZipInfo, blob: bytes, level: int) -> None:
    """Write an entry whose deflate stream is cached per content: the same embedded font or styles part
    is not compressed again on every build. The bytes are ``writestr``'s at that level. Fonts are dense
    already: level 1 costs a third of level 6's time for 5% more bytes, which a fresh process (one CLI
    call) pays on every brief."""
    key = (hashlib.sha1(blob).digest(), level)
    if key not in _DEFLATED:
        if len(_DEFLATED) > 64:
            _DEFLATED.clear()
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
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


# ---- pictures -------------------------------------------------------------------------------------

SVG_BLIP_EXT = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
_NS_ASVG = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"


def add_picture(paragraph, png: bytes, width_emu: int, height_emu: int, *, name: str, descr: str,
                svg: bytes | None = None) -> None:
    """An inline picture in ``paragraph``: the PNG, with ``svg`` as Word 2016's ``asvg:svgBlip``
    alternative (its own ``/word/media/chartN.svg`` part), alt text in ``wp:docPr/@descr``."""
    from docx.shared import Emu

    shape = paragraph.add_run().add_picture(BytesIO(png), width=Emu(width_emu), height=Emu(height_emu))
    inline = shape._inline
    inline.docPr.set("name", name)
    inline.docPr.set("descr", descr)
    if svg is None:
        return
    doc_part = paragraph.part
    package = doc_part.package
    existing = {str(p.partname) for p in package.iter_parts()}
    i = 1
    while f"/word/media/chart{i}.svg" in existing:
        i += 1
    rid = doc_part.relate_to(Part(PackURI(f"/word/media/chart{i}.svg"), "image/svg+xml", svg, package), RT.IMAGE)
    blip = inline.find(".//" + qn("a:blip"))
    ext = etree.SubElement(etree.SubElement(blip, qn("a:extLst")), qn("a:ext"))
    ext.set("uri", SVG_BLIP_EXT)
    svg_blip = etree.SubElement(ext, f"{{{_NS_ASVG}}}svgBlip", nsmap={"asvg": _NS_ASVG})
    svg_blip.set(qn("r:embed"), rid)
