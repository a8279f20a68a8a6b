"""Shared fixtures: the repository's sample reports."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED = SEEDS / "turkey-russia-relations.yaml"
ENGLISH = SEEDS / "india-china-relations.yaml"


@pytest.fixture(scope="session")
def seed_report():
    import briefkit

    return briefkit.load(SEED)


@pytest.fixture(scope="session")
def english_report():
    import briefkit

    return briefkit.load(ENGLISH)
