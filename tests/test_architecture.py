"""The import rules of the architecture (README, "Architecture"): checked by import-linter's contracts
in pyproject.toml, and by what importing each light layer really loads."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("numba", "pyomo", "highspy")


@pytest.mark.integration
def test_the_import_contracts_hold():
    """`lint-imports` keeps every contract of ``[tool.importlinter]`` (layers; the checker, the
    engines, core and the writers each import only what they may)."""
    exe = Path(sys.executable).with_name("lint-imports")
    cmd = [str(exe)] if exe.exists() else [shutil.which("lint-imports") or "lint-imports"]
    run = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


@pytest.mark.integration
def test_ruff_keeps_the_style_and_complexity_rules():
    """`ruff check` passes on the package and the tests (``[tool.ruff]``: imports sorted, no bare
    mistakes, McCabe complexity at most 20 except the documented compiled loops)."""
    exe = Path(sys.executable).with_name("ruff")
    cmd = [str(exe) if exe.exists() else shutil.which("ruff") or "ruff", "check", "coldchain", "tests", "bench"]
    run = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


@pytest.mark.integration
@pytest.mark.parametrize(
    "module",
    [
        "coldchain.verify",
        "coldchain.scenario.read",
        "coldchain.core.plan",
        "coldchain.core.evaluate",
        "coldchain.core.costs",
        "coldchain.core.cutsets",
        "coldchain.core.arrays",
        "coldchain.output.report",
        "coldchain.output.summary",
        "coldchain.output.map",
        "coldchain.planner.registry",
    ],
)
def test_light_layers_load_no_solver_and_no_compiler(module):
    """Importing the checker, the scenario reader, the core types or the writers loads neither Numba,
    Pyomo nor HiGHS (the report used to load all three through `Plan`)."""
    code = f"import sys, {module}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stdout
