"""The command line: help for every command, validate on the sample and on the tiny scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from coldchain.cli import app

runner = CliRunner()


@pytest.mark.integration
def test_validate_sample_prints_summary(sample_dir: Path) -> None:
    """validate on inputs/ exits 0 and summarises sites, trucks, orders by product and the tightest deadline."""
    result = runner.invoke(app, ["validate", str(sample_dir)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "1 hub, 4 towns, 7 villages" in text
    assert "litchi" in text and "raw_milk" in text
    assert "tightest deadline" in text and "MK-008" in text


@pytest.mark.integration
def test_validate_missing_folder_exit_1(tmp_path: Path) -> None:
    """A folder that does not exist is bad input: one Error line, exit 1."""
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {tmp_path / 'nope'}: not a folder"


@pytest.mark.integration
def test_usage_error_exit_2() -> None:
    """An unknown option is a usage error with click's exit code 2."""
    result = runner.invoke(app, ["validate", "--frobnicate"])
    assert result.exit_code == 2


COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]


@pytest.mark.integration
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    """Each command explains itself in --help."""
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.stdout.strip()) > 50
