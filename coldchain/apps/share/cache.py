"""Coalition results kept in SQLite, keyed by a hash of everything the plan depends on.

The key is the sha256 of the canonical JSON of the coalition's sub-scenario, the planner options
and the coldchain version (`coalition_key`), so a rerun with the same inputs reuses every plan
and a change to any input, option or version plans again. One row per key; each result is
committed on its own, so an interrupted sweep keeps what it finished. Only the process that runs
the sweep writes (the workers return results to it).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS coalition (
    key TEXT PRIMARY KEY,
    result TEXT NOT NULL,
    saved_at TEXT NOT NULL DEFAULT (datetime('now'))
)
"""


@dataclass(frozen=True)
class CoalitionResult:
    """One coalition's plan in figures. ``cost`` is None when no plan was found (``status``)."""

    mask: int
    status: str  # optimal, feasible, infeasible, no_solution
    cost: float | None  # the incumbent: the plan's objective (CNY)
    bound: float | None  # a lower bound on the optimum (the cost itself when proved)
    trucks: int
    km: float
    empty_km: float
    runtime_s: float
    violations: int | None = None  # the checker's count, when the plan was written and checked

    @property
    def proved(self) -> bool:
        return self.status == "optimal"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CoalitionResult:
        return cls(**json.loads(text))


def coalition_key(scenario_digest: str, options: dict, version: str) -> str:
    """sha256 of the canonical JSON of (sub-scenario digest, plan options, coldchain version)."""
    text = json.dumps({"scenario": scenario_digest, "options": options, "version": version}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class ResultCache:
    """A SQLite file of coalition results (``None`` path: in memory, nothing kept)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = None if path is None else Path(path)
        self._db = sqlite3.connect(":memory:" if path is None else str(path))
        with self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(SCHEMA)

    def get(self, key: str, mask: int) -> CoalitionResult | None:
        row = self._db.execute("SELECT result FROM coalition WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        got = CoalitionResult.from_json(row[0])
        # keyed by the sub-scenario, not the mask: another --members order numbers it differently
        return CoalitionResult(**{**asdict(got), "mask": mask})

    def put(self, key: str, result: CoalitionResult) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO coalition (key, result) VALUES (?, ?)", (key, result.to_json()))

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM coalition").fetchone()[0]

    def close(self) -> None:
        self._db.close()
