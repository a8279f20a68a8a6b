"""PDF/UA-1 and PDF/A-3b in one brief (`--pdf-variant ua,a3b`): tagged, identified as both in one XMP packet,
carrying its report, and passing the `pdfua` checker."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import pytest
from lxml import etree

import briefkit
from briefkit.cli import main
from briefkit.options import Options, pdf_variant
from briefkit.writers import pdf as pdf_writer
from conftest import ROOT, SEED

pikepdf = pytest.importorskip("pikepdf")
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    path = tmp_path_factory.mktemp("both") / "brief.pdf"
    path.write_bytes(pdf_writer.render(briefkit.load(SEED), Options(pdf_variant="ua,a3b")))
    return path


def test_one_xmp_packet_names_both_standards(both):
    with pikepdf.open(both) as pdf:
        root = etree.fromstring(pdf.Root.Metadata.read_bytes())
        assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
    rdfs = root.findall(f"{RDF}RDF")
    assert len(rdfs) == 1                                     # XMP allows one rdf:RDF in x:xmpmeta
    claims = {k.split("}")[0] + "}" + k.split("}")[1]: v for d in rdfs[0].findall(f"{RDF}Description")
              for k, v in d.attrib.items() if k.endswith(("}part", "}conformance"))}
    assert claims == {"{http://www.aiim.org/pdfa/ns/id/}part": "3", "{http://www.aiim.org/pdfa/ns/id/}conformance": "B",
                      "{http://www.aiim.org/pdfua/ns/id/}part": "1"}
    # PDF/A admits pdfuaid only with an extension schema describing it
    prefixes = rdfs[0].findall(".//{http://www.aiim.org/pdfa/ns/schema#}prefix")
    assert [p.text for p in prefixes] == ["pdfuaid"]


def test_pdfua_checker_finds_no_error(both):
    exe = shutil.which("pdfua") or str(ROOT / ".venv" / "bin" / "pdfua")
    cmd = [exe] if shutil.which("pdfua") or (ROOT / ".venv" / "bin" / "pdfua").exists() else [sys.executable, "-m", "pdfua"]
    out = subprocess.run([*cmd, "check", "-f", "json", str(both)], capture_output=True, text=True)
    report = json.loads(out.stdout)
    assert report["summary"]["errors"] == 0, report["findings"]


def test_carries_its_report_for_extract(both):
    with pikepdf.open(both) as pdf:
        assert list(pdf.attachments) == ["source.yaml"]
    out, err = io.StringIO(), io.StringIO()
    assert main(["extract", str(both)], stdout=out, stderr=err) == 0
    assert out.getvalue().encode() == SEED.read_bytes()


def test_the_manifest_names_both_and_its_schema_admits_it(tmp_path):
    import jsonschema

    out, err = io.StringIO(), io.StringIO()
    code = main(["build", str(SEED), "-o", str(tmp_path), "--format", "pdf", "--pdf-variant", "a3b,ua", "--json",
                 "--cache", str(tmp_path / "cache")], stdout=out, stderr=err)
    manifest = json.loads(out.getvalue())
    assert code == 0 and manifest["options"]["pdf_variant"] == "ua,a3b"
    jsonschema.validate(manifest, json.loads((ROOT / "docs" / "manifest.schema.json").read_text()))


def test_the_option_names_both_in_either_order():
    assert pdf_variant("ua") == "ua" and pdf_variant("A3B") == "a3b"
    assert pdf_variant("ua,a3b") == pdf_variant("a3b, ua") == "ua,a3b"
    for bad in ("", "ua,xx", "a3a"):
        with pytest.raises(ValueError):
            pdf_variant(bad)
    out, err = io.StringIO(), io.StringIO()
    assert main(["build", str(SEED), "--pdf-variant", "ua,a3a"], stdout=out, stderr=err) == 2
    assert err.getvalue() == ("briefkit build: error: argument --pdf-variant: 'ua,a3a' is not ua, a3b or ua,a3b\n"
                              "(see briefkit build --help)\n")
