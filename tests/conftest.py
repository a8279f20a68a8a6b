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


@pytest.fixture(scope="session", autouse=True)
def _session_build_cache(tmp_path_factory):
    """Module- and session-scoped fixtures that build use a cache of the test run, never the user's."""
    import os

    before = os.environ.get("BRIEFKIT_CACHE")
    os.environ["BRIEFKIT_CACHE"] = str(tmp_path_factory.mktemp("session-build-cache"))
    yield
    if before is None:
        os.environ.pop("BRIEFKIT_CACHE", None)
    else:
        os.environ["BRIEFKIT_CACHE"] = before


@pytest.fixture(autouse=True)
def _own_build_cache(tmp_path, monkeypatch):
    """Every test gets its own build cache (never the user's ~/.cache/briefkit, never another test's)."""
    monkeypatch.setenv("BRIEFKIT_CACHE", str(tmp_path / "build-cache"))
