"""Shared fixtures and the test tiers: every test carries exactly one of unit/compiled/component/integration.

``unit``: no solver and no compiled loop (``pytest -m unit`` is the fast tier); ``compiled``: calls
the Numba loops, which the session compiles once (`compiled_loops`, before the first such test,
its time printed in the summary); ``component``: solves a tiny instance; ``integration``: the CLI,
subprocesses, the sample day.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
LEVELS = {"unit", "compiled", "component", "integration"}
_COMPILE: dict[str, float] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fail collection of any test without exactly one level marker (IDAES style)."""
    for item in items:
        levels = {m.name for m in item.iter_markers()} & LEVELS
        if len(levels) != 1:
            raise pytest.UsageError(f"{item.nodeid} needs exactly one of {sorted(LEVELS)}, has {sorted(levels)}")


@pytest.fixture(scope="session")
def compiled_loops() -> dict[str, float]:
    """Compile the Numba loops once for the session (pricing and enumeration: `colgen.tree.warm_up`;
    the route search: `search.day.warm_up`, SISR and the day's route costing), outside any test's
    own time; seconds each (a fraction of a second when Numba's on-disk cache has them), and
    written to Numba's on-disk cache, which a ``coldchain`` subprocess of a test then loads."""
    from coldchain.colgen.tree import warm_up as compile_pricing
    from coldchain.search.day import warm_up as compile_search

    t0 = time.perf_counter()
    _COMPILE["pricing_s"] = compile_pricing()
    _COMPILE["search_s"] = compile_search()  # the SISR loops and the day search's route costing
    _COMPILE["total_s"] = time.perf_counter() - t0
    return dict(_COMPILE)


@pytest.fixture(autouse=True)
def _compile_first(request: pytest.FixtureRequest) -> None:
    """Tests marked ``compiled`` get the session's compiled loops before they start."""
    if request.node.get_closest_marker("compiled") is not None:
        request.getfixturevalue("compiled_loops")


def pytest_terminal_summary(terminalreporter) -> None:
    if _COMPILE:
        terminalreporter.write_line(
            f"compiled the Numba loops once: pricing {_COMPILE['pricing_s']:.1f} s, "
            f"route search {_COMPILE['search_s']:.1f} s (on-disk cache: NUMBA_CACHE_DIR)"
        )


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
