"""Shared fixtures: every test gets its own data home, never the user's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BRIEFING_HOME", str(home))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return home


@pytest.fixture
def home(_isolated_home) -> Path:
    return _isolated_home


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A writable copy of the bundled briefing."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest


@pytest.fixture
def briefing(desk, home):
    """The test module's `desk` folder, opened and read (closed afterwards)."""
    from index.briefing import Briefing

    b = Briefing.open(desk, home)
    b.read_changes()
    yield b
    b.close()
