"""Exceptions and the `Problem` record that every input check reports.

Library code raises these; the CLI turns them into one ``Error:`` line each and an exit code
(see ``coldchain.cli``). An infeasible plan is *not* an exception: it is a status on the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a scenario's input files.

    ``line`` is the line number a spreadsheet shows (header = line 1); ``column`` is the CSV
    column. Both are ``None`` when the problem is about a whole file or a scenario built in code.
    """

    file: str
    line: int | None
    column: str | None
    message: str
    got: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p not in (None, ""))
        text = f"{where}: {self.message}"
        if self.got is not None:
            text += f" (got {self.got})" if self.got != "" else " (got an empty cell)"
        return text


class ColdchainError(Exception):
    """Base class of every error coldchain raises on purpose."""


class InputError(ColdchainError):
    """The scenario files have one or more problems; all of them are listed, one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity == "warning"]
        super().__init__("\n".join(str(p) for p in self.problems))


class SolverError(ColdchainError):
    """The solver itself failed (not: the model is infeasible; that is a status)."""


class OutputError(ColdchainError):
    """A plan's output folder cannot be written or read back."""


class UsageError(ColdchainError, ValueError):
    """A call asks for something that does not exist (an unknown method, preset, ...); the message
    lists the valid choices. The CLI exits 2 for it."""
