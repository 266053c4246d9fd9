"""Every bad scenario in tests/data/bad/ gives exactly its expected lines and exit code.

Each case folder holds only the files that differ from tests/data/tiny (and a remove.txt naming
files to delete), plus expected.txt: the lines ``coldchain validate`` must print on stderr. The exit
code is 1 when any line is an ``Error:``, else 0 (warnings only).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coldchain.cli import app

BAD = Path(__file__).parent / "data" / "bad"
CASES = sorted(p.name for p in BAD.iterdir())


def materialise(case: str, tiny_dir: Path) -> Path:
    """Overlay a bad case onto a copy of the tiny scenario."""
    src = BAD / case
    for f in src.iterdir():
        if f.name == "remove.txt":
            for name in f.read_text(encoding="utf-8").split():
                (tiny_dir / name).unlink()
        elif f.name != "expected.txt":
            shutil.copy(f, tiny_dir / f.name)
    return tiny_dir


@pytest.mark.unit
@pytest.mark.parametrize("case", CASES)
def test_validate_reports_exact_lines(case: str, tiny_dir: Path) -> None:
    """The validator prints exactly the expected problem lines, in order, and the right exit code."""
    folder = materialise(case, tiny_dir)
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    result = CliRunner().invoke(app, ["validate", str(folder)])
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith(("Error:", "Warning:"))]
    assert lines == expected
    assert result.exit_code == (1 if any(e.startswith("Error:") for e in expected) else 0)
    assert "Traceback" not in result.output


@pytest.mark.unit
def test_catalogue_is_large() -> None:
    """The bad-input table covers the file, field and cross-record rules (guards accidental loss)."""
    assert len(CASES) >= 45
