"""Finished cases of a study in one SQLite file (``results.sqlite`` in the output folder).

One row per case id (``cases.case_id``): the result as JSON. Each result is written in its own
transaction as soon as it arrives, so an interrupted study loses nothing that finished, and a
rerun finds every finished case and never solves it again. ``INSERT OR IGNORE`` on the primary
key means a case delivered twice (a worker that died after sending its result and was retried)
is stored once. Only the process that runs the study writes; workers return results to it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    case_id  TEXT PRIMARY KEY,
    result   TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
"""


class ResultStore:
    """The finished cases of a study, keyed by case id."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._db.commit()

    def __contains__(self, case_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM results WHERE case_id = ?", (case_id,)).fetchone() is not None

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def get(self, case_id: str) -> dict | None:
        row = self._db.execute("SELECT result FROM results WHERE case_id = ?", (case_id,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, case_id: str, result: dict) -> bool:
        """Save one result in its own transaction; False if the case was already stored."""
        with self._db:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO results (case_id, result, saved_at) VALUES (?, ?, ?)",
                (case_id, json.dumps(result, ensure_ascii=False), datetime.now(UTC).isoformat(timespec="seconds")),
            )
        return cur.rowcount == 1

    def all(self) -> dict[str, dict]:
        return {cid: json.loads(r) for cid, r in self._db.execute("SELECT case_id, result FROM results")}

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
