"""PDF/UA-1 and PDF/A-3b details WeasyPrint 70 leaves out: /Scope on header cells, /Lang on elements whose
language differs from the document's, link descriptions, and the report embedded as the brief's source.

``install`` wraps ``weasyprint.pdf.tags._build_box_tree`` (each tagged element is yielded with its box);
``finish`` runs as WeasyPrint's finisher. ``check_hooks`` fails when a WeasyPrint upgrade moves them.
"""
from __future__ import annotations

import inspect

_state = {"installed": False}

SOURCE_NAME = "source"
"""The embedded report's file name stem: ``source.yaml`` or ``source.json``."""


def check_hooks() -> None:
    from .._native import import_weasyprint

    import_weasyprint()  # the project's one way in (no helper processes)
    from weasyprint.pdf import tags

    source = inspect.getsource(tags._build_box_tree)
    for needle in ("yield element", "element['A'] = pydyf.Dictionary({'O': '/Table'})"):
        if needle not in source:
            raise RuntimeError(f"briefkit's tagging patch does not fit this WeasyPrint: {needle!r} is gone")


LATIN_LANG = "en"
"""The language a screen reader is told for Latin-script runs (<bdi dir="ltr">) inside Arabic or Persian."""


def _latin(node) -> bool:
    text = "".join(node.itertext())
    return any("a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f" for c in text)


def install(rtl: bool = True) -> None:
    _state["rtl"] = rtl
    if _state["installed"]:
        return
    check_hooks()
    import pydyf
    from weasyprint.pdf import tags

    original = tags._build_box_tree

    def build(box, parent, pdf, *args, **kwargs):
        for element in original(box, parent, pdf, *args, **kwargs):
            node = getattr(box, "element", None)
            if node is not None and isinstance(element, dict):
                if node.get("role") in ("presentation", "none"):  # a layout table is no table
                    element["S"] = "/Div"
                tag = element.get("S")
                if tag == "/TH" and "A" in element:
                    scope = (node.get("scope") or "col").lower()
                    element["A"]["Scope"] = "/Row" if scope == "row" else "/Column"
                lang = node.get("lang")
                if not lang and _state.get("rtl") and node.get("dir") == "ltr" and _latin(node):
                    lang = LATIN_LANG  # a Latin run in a right-to-left brief: read with a Latin voice
                if lang and not str(node.tag).endswith("html"):
                    element["Lang"] = pydyf.String(lang)
            yield element

    tags._build_box_tree = build
    _state["installed"] = True


def _box_text(box) -> str:
    if hasattr(box, "text") and isinstance(getattr(box, "text"), str):
        return box.text
    return "".join(_box_text(child) for child in getattr(box, "children", ()))


def describe_links(document, pdf) -> None:
    """Every link annotation gets /Contents: the link's own text (PDF/UA 7.18.5)."""
    import pydyf

    texts = {}
    for page in document.pages:
        for link_type, target, rectangle, box in page.links:
            if box is not None:
                texts.setdefault((link_type, target), " ".join(_box_text(box).split()))
    for obj in pdf.objects:
        if not isinstance(obj, dict) or obj.get("Subtype") != "/Link" or "Contents" in obj:
            continue
        action = obj.get("A") or {}
        uri = action.get("URI") if isinstance(action, dict) else None
        target = None
        if uri is not None:
            target = uri.string if hasattr(uri, "string") else str(uri)
            text = texts.get(("external", target)) or target
        else:
            dest = obj.get("Dest") or (action.get("D") if isinstance(action, dict) else None)
            name = dest.string if hasattr(dest, "string") else str(dest or "")
            text = texts.get(("internal", name)) or name
        obj["Contents"] = pydyf.String(text or "link")


def embed_source(pdf, name: str, data: bytes, mime: str) -> None:
    """The report as the brief's associated source file (PDF/A-3 /AF, /AFRelationship /Source)."""
    import hashlib

    import pydyf

    stream = pydyf.Stream([data], pydyf.Dictionary({
        "Type": "/EmbeddedFile",
        "Subtype": "/" + mime.replace("/", "#2f"),
        "Params": pydyf.Dictionary({"Size": len(data),
                                    "CheckSum": pydyf.String(hashlib.md5(data).digest())}),
    }), compress=True)
    pdf.add_object(stream)
    spec = pydyf.Dictionary({
        "Type": "/Filespec", "F": pydyf.String(name), "UF": pydyf.String(name),
        "EF": pydyf.Dictionary({"F": stream.reference, "UF": stream.reference}),
        "Desc": pydyf.String("The report this brief was typeset from"),
        "AFRelationship": "/Source",
    })
    pdf.add_object(spec)
    names = pydyf.Dictionary({"Names": pydyf.Array([pydyf.String(name), spec.reference])})
    pdf.add_object(names)
    if "Names" not in pdf.catalog:
        pdf.catalog["Names"] = pydyf.Dictionary()
    pdf.catalog["Names"]["EmbeddedFiles"] = names.reference
    pdf.catalog["AF"] = pydyf.Array([spec.reference])


def extract_source(data: bytes) -> tuple[str, bytes] | None:
    """(file name, bytes) of the report embedded in a brief, or None."""
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    for name, contents in (reader.attachments or {}).items():
        if name.startswith(SOURCE_NAME + "."):
            return name, contents[0]
    return None


_UA_IN_PDFA = (
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>'
    # PDF/A admits only the XMP schemas it lists, or ones a pdfaExtension block describes: pdfuaid is not listed
    b'<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
    b' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
    b' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    b'<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    b'<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>'
    b'<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>'
    b'<pdfaSchema:schema>PDF/UA identification schema</pdfaSchema:schema>'
    b'<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    b'<pdfaProperty:category>internal</pdfaProperty:category>'
    b'<pdfaProperty:description>PDF/UA version identifier</pdfaProperty:description>'
    b'<pdfaProperty:name>part</pdfaProperty:name>'
    b'<pdfaProperty:valueType>Integer</pdfaProperty:valueType>'
    b'</rdf:li></rdf:Seq></pdfaSchema:property>'
    b'</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>')


def identify_ua(pdf) -> None:
    """A tagged PDF/A-3b brief also claims PDF/UA-1: ``pdfuaid:part`` (and its PDF/A extension schema) go
    into the one rdf:RDF of the XMP WeasyPrint wrote."""
    ref = pdf.catalog["Metadata"]
    stream = pdf.objects[int((ref.decode() if isinstance(ref, bytes) else str(ref)).split()[0])]
    data = b"".join(bytes(chunk) for chunk in stream.stream)
    if b"pdfuaid:part" in data or data.count(b"</rdf:RDF>") != 1:
        raise RuntimeError("briefkit cannot add the PDF/UA identification to this WeasyPrint's XMP")
    stream.stream = [data.replace(b"</rdf:RDF>", _UA_IN_PDFA + b"</rdf:RDF>")]

