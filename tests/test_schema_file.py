"""The report schema as editors use it: the committed file matches `briefkit schema`, every field is documented,
and a JavaScript validator (ajv under node, default options) compiles it and accepts the samples."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from briefkit.schema import SCHEMA

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schema" / "briefkit-1.schema.json"
JS = ROOT / "tests" / "js"


def test_committed_schema_matches_the_command(capsys):
    from briefkit.cli import main

    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8")), \
        "schema/briefkit-1.schema.json drifted: regenerate it with `briefkit schema > schema/briefkit-1.schema.json`"


def _walk(node, path="$"):
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            yield f"{path}.{key}", sub
            yield from _walk(sub, f"{path}.{key}")
        if isinstance(node.get("items"), dict):
            yield f"{path}[]", node["items"]
            yield from _walk(node["items"], f"{path}[]")
        for branch in node.get("oneOf", ()):
            yield from _walk(branch, path)


def test_every_field_has_a_description_and_an_example():
    missing = [p for p, sub in _walk(SCHEMA) if "description" not in sub]
    no_example = [p for p, sub in _walk(SCHEMA)
                  if "examples" not in sub and not p.endswith(("meta", "areas", "sections", "sources"))]
    assert not missing, missing
    assert not no_example, no_example


def test_patterns_are_ecma_262():
    # Python-only syntax such as inline flags (?i:...) breaks VS Code's YAML server and ajv.
    patterns = [sub["pattern"] for _, sub in _walk(SCHEMA) if "pattern" in sub]
    patterns += [d["pattern"] for d in SCHEMA["$defs"].values() if "pattern" in d]
    assert patterns and not [p for p in patterns if "(?i" in p or "(?P" in p or "\\A" in p or "\\Z" in p]


def _as_json(src: Path, dest: Path) -> Path:
    data = YAML(typ="safe").load(src.read_text(encoding="utf-8-sig"))
    dest.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    return dest


def test_ajv_compiles_the_schema_and_accepts_the_samples(tmp_path):
    if not shutil.which("node") or not (JS / "node_modules" / "ajv").is_dir():
        pytest.fail("node and tests/js/node_modules are needed (scripts/setup.sh runs npm ci in tests/js)")
    samples = sorted(ROOT.glob("seeds/*.yaml")) + sorted((ROOT / "tests" / "cases").glob("*.yaml"))
    docs = [_as_json(p, tmp_path / f"{p.stem}.json") for p in samples]
    bad = _as_json(ROOT / "tests" / "invalid" / "03-relation-typo.yaml", tmp_path / "bad.json")
    out = subprocess.run(["node", str(JS / "check-schema.mjs"), str(SCHEMA_FILE), *map(str, docs), str(bad)],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    result = json.loads(out)
    assert result["compiled"]
    assert {k: v for k, v in result["results"].items() if k != str(bad) and v} == {}
    assert any("allowed values" in e for e in result["results"][str(bad)])


def test_each_field_keeps_its_own_description():
    # blind9 F22: every text field shared one sub-schema object, so each read the last one written
    # («Who published it.» for an actor's aliases, an author's role, a heading)
    from briefkit.schema_docs import FIELDS

    seen = {path[2:]: node.get("description") for path, node in _walk(SCHEMA)}
    for field, (description, _, _) in FIELDS.items():
        if field in seen:
            assert seen[field] == description, field
    assert seen["actors[].aliases[]"] == "Another name for the actor."
