"""The ``coldchain`` command line: a thin layer over the library.

Exit codes: 0 success; 1 invalid input; 2 usage error; 3 infeasible (the mandatory parcel
deliveries cannot all be made); 4 solver failure or no solution within the time limit;
5 the checker found violations in a plan.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from coldchain.checks import check_scenario
from coldchain.errors import ColdchainError, InputError
from coldchain.io import read_scenario
from coldchain.summary import scenario_summary

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_CHECK = 0, 1, 2, 3, 4, 5

app = typer.Typer(
    help="Plan the daily runs of a rural joint-distribution alliance: parcels out, perishables back.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

ScenarioDir = Annotated[Path, typer.Argument(help="Scenario folder (scenario.toml and CSV files).")]


def fail(message: str, code: int) -> typer.Exit:
    """Print ``Error: message`` on stderr and return the exit to raise."""
    for line in message.splitlines() or [""]:
        err.print(f"Error: {line}", markup=False)
    return typer.Exit(code)


def load(folder: Path):
    """Read a scenario, printing each problem as an ``Error:`` line (exit 1) and warnings."""
    try:
        scenario = read_scenario(folder)
    except InputError as exc:
        for p in exc.warnings:
            err.print(f"Warning: {p}", markup=False)
        raise fail("\n".join(str(p) for p in exc.problems), EXIT_INPUT) from None
    for p in check_scenario(scenario):
        if p.severity == "warning":
            err.print(f"Warning: {p}", markup=False)
    return scenario


@app.callback()
def _root() -> None:
    """Plan the daily runs of a rural joint-distribution alliance: parcels out, perishables back."""


@app.command()
def validate(scenario: ScenarioDir) -> None:
    """Check a scenario folder and print a short summary, or every problem found (exit 1)."""
    s = load(scenario)
    table = Table(title=f"Scenario {scenario} is valid", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for label, text in scenario_summary(s):
        table.add_row(label, text)
    out.print(table)


def main() -> None:
    """Console-script entry point: never a traceback for an error coldchain knows about."""
    try:
        app()
    except ColdchainError as exc:
        for line in str(exc).splitlines():
            print(f"Error: {line}", file=sys.stderr)
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: say so plainly, keep the trace on request
        if os.environ.get("COLDCHAIN_DEBUG"):
            raise
        print(f"Error: internal error ({type(exc).__name__}: {exc}); rerun with COLDCHAIN_DEBUG=1 "
              "for the trace and please report it", file=sys.stderr)
        sys.exit(70)
