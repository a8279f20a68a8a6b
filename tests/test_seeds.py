"""The sample reports: they load, and the flagship carries every paragraph of its source article."""
from __future__ import annotations

import pytest

import briefkit
from textcheck import missing, recall

from conftest import SEED, SEEDS


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.yaml")), ids=lambda p: p.name)
def test_seed_loads(path):
    report = briefkit.load(path)
    assert report.meta.id == path.stem
    assert len(report.actors) >= 2 and report.areas


def test_flagship_carries_the_whole_article(seed_report):
    article = SEED.with_suffix(".source.txt").read_text(encoding="utf-8").splitlines()[2:]
    text = "\n".join(seed_report.all_text())
    score = recall(article, text)
    assert score >= 0.98, (score, missing(article, text))


def test_flagship_shape(seed_report):
    r = seed_report
    assert [a.id for a in r.actors] == ["tr", "ru"]
    assert r.actors[0].aliases and r.actors[1].aliases
    assert r.meta.locale == "ar-SY" and r.rtl
    relations = {a.relation for a in r.areas}
    assert relations == {"cooperation", "rivalry", "mixed"}
    assert len(r.areas) >= 8 and len(r.balance.regions) >= 3
    assert r.timeline and r.outlook and r.footnotes
    assert any(a.id == "syria" for a in r.areas)
