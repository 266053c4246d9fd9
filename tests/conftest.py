"""Shared fixtures and the test pyramid: every test carries exactly one of unit/component/integration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

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


@pytest.fixture(scope="session")
def planned_sample(tmp_path_factory, sample_dir) -> tuple[Path, SimpleNamespace]:
    """The one planning run of the sample shared by the whole suite, run as a user runs it:
    ``python -m coldchain plan inputs/ --out DIR --time-limit 15 --threads 1`` with stdout and
    stderr piped (so not a terminal). Returns the folder and the run (exit_code, stdout, stderr)."""
    out = tmp_path_factory.mktemp("sample") / "out"
    cmd = [sys.executable, "-m", "coldchain", "plan", str(sample_dir), "--out", str(out), "--time-limit", "15"]
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.run([*cmd, "--threads", "1"], capture_output=True, text=True, env=env, timeout=600)
    run = SimpleNamespace(exit_code=proc.returncode, stdout=proc.stdout, stderr=proc.stderr)
    run.output = proc.stdout + proc.stderr
    return out, run
