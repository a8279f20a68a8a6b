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


_OPENS_PROBE = """import sys
suffix, opened = sys.argv.pop(1), []
sys.addaudithook(lambda e, a: e == 'open' and str(a[0]).endswith(suffix) and opened.append(1))
from briefkit.cli import main
print('OPENED', main(sys.argv[1:]), len(opened))
"""


def cli_opens(suffix: str, *argv: str, env: dict | None = None) -> str:
    """Run the command line in a fresh process and count the files ending in ``suffix`` it opens (an audit
    hook): «OPENED <exit code> <count>»."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _OPENS_PROBE, suffix, *argv], capture_output=True, text=True,
                          check=False, env=env)
    return done.stdout.splitlines()[-1] if done.stdout else done.stderr
