"""Synthetic report corpora for the benchmarks: varied reports of a chosen length, made from the seeds' text."""
from __future__ import annotations

import copy
import random
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPHS_PER_PAGE = 8
"""About how many seed-length paragraphs fill an A4 page of the brief (checked by batch.py's page table)."""


def _seed(name: str) -> dict:
    return YAML(typ="safe", pure=True).load((ROOT / "seeds" / name).read_text(encoding="utf-8"))


def _dump(data: dict, path: Path) -> None:
    y = YAML()
    y.width = 4096
    with path.open("w", encoding="utf-8") as f:
        y.dump(data, f)


def _stringify(node):
    import datetime as dt

    if isinstance(node, dict):
        return {k: _stringify(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_stringify(v) for v in node]
    return node.isoformat() if isinstance(node, dt.date) else node


def make_report(pages: int, *, lang: str = "ar", seed: int = 0, digits: str = "latin",
                actors: int = 2) -> dict:
    """A valid report of roughly ``pages`` pages: the seed's front matter, then sections filled
    with the seed's paragraphs until the length is reached."""
    rng = random.Random(seed)
    base = _stringify(_seed("india-china-relations.yaml" if lang == "en" else "turkey-russia-relations.yaml"))
    data = copy.deepcopy(base)
    data["meta"]["id"] = f"bench-{lang}-{pages}p-{seed}"
    data["meta"]["digits"] = digits
    paras = [b for s in base["sections"] for b in s["body"] if isinstance(b, str)]
    extra_actors = [{"id": f"x{i}", "name": ("طرف" if lang != "en" else "Party") + f" {i}"} for i in range(actors - 2)]
    data["actors"] = base["actors"][:2] + extra_actors
    want = max(1, pages * PARAGRAPHS_PER_PAGE - 8)  # the masthead, table and lists take about 2 pages
    sections, n = [], 0
    while n < want:
        k = min(want - n, rng.randint(3, 8))
        sections.append({"id": f"part-{len(sections) + 1}", "heading": rng.choice(base["sections"])["heading"],
                         "body": [rng.choice(paras) for _ in range(k)]})
        n += k
    if pages <= 1:
        sections = sections[:1]
        sections[0]["body"] = sections[0]["body"][:2]
        data["areas"] = data["areas"][:3]
        data.pop("timeline", None)
    for a in data["areas"]:
        a["sections"] = [sections[0]["id"]]
    data["sections"] = sections
    for e in data.get("timeline", []):
        e["area"] = data["areas"][0]["id"] if e.get("area") else None
        if e["area"] is None:
            del e["area"]
    return data


def write_corpus(folder: Path, count: int = 200, *, max_pages: int = 30, seed: int = 7) -> list[Path]:
    """``count`` varied reports (1 to ``max_pages`` pages, ar/en/fa-digits, 2–4 actors)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        lang = rng.choice(["ar", "ar", "ar", "en"])
        data = make_report(rng.randint(1, max_pages), lang=lang, seed=i,
                           digits=rng.choice(["latin", "native"]), actors=rng.choice([2, 2, 3, 4]))
        data["meta"]["id"] = f"brief-{i:03d}"
        path = folder / f"brief-{i:03d}.yaml"
        _dump(data, path)
        out.append(path)
    return out
