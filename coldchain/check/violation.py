"""What the checker reports: a `Violation` of one named rule, at a place in the written files.

``line`` is the line a spreadsheet shows (the header is line 1), like the input checks'
`coldchain.errors.Problem`; ``column`` is the CSV column or the ``kpis.json`` key. A rule
function yields `Finding` records (message and place) and the runner stamps each with the
rule's stable name, so a rule cannot report under another rule's name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """What a rule function yields: the message and where it applies."""

    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None


@dataclass(frozen=True)
class Violation:
    """One broken rule: its stable name (``family.rule``), the message, and the place."""

    rule: str
    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None

    @property
    def where(self) -> str:
        """``file:line:column`` (the parts that are known)."""
        return ":".join(str(p) for p in (self.file, self.line, self.column) if p not in (None, ""))

    def __str__(self) -> str:
        where = self.where
        return f"{self.rule}: {where}: {self.message}" if where else f"{self.rule}: {self.message}"
