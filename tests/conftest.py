"""Shared fixtures and the test pyramid: every test carries exactly one of unit/component/integration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
LEVELS = {"unit", "component", "integration"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fail collection of any test without exactly one level marker (IDAES style)."""
    for item in items:
        levels = {m.name for m in item.iter_markers()} & LEVELS
        if len(levels) != 1:
            raise pytest.UsageError(f"{item.nodeid} needs exactly one of {sorted(LEVELS)}, has {sorted(levels)}")


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A writable copy of tests/data/tiny: hub, one town, two villages, two trucks, three orders."""
    dest = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny", dest)
    return dest


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The realistic Ling Shan sample day shipped in inputs/."""
    return REPO / "inputs"
