"""A travel matrix file (``travel_matrix.json``): every site-to-site leg in one file.

The shape is what OSRM's table service returns (``durations`` in seconds, ``distances`` in
metres, row = from, column = to), plus the order of the sites it was computed for:

    {"site_ids": ["HUB", "T_LUWU", ...],
     "durations": [[0, 1260.5, ...], ...],
     "distances": [[0, 18400, ...], ...]}

Sites not in ``site_ids`` keep derived travel; legs in ``travel.csv`` win over the matrix. A
null entry (OSRM: no route) or a negative or non-finite one is an error that names its row and
column. 540 sites (291,600 legs each way) read in a fraction of a second: one JSON parse and
one conversion to arrays, instead of a validated record per leg.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

FILE_NAME = "travel_matrix.json"


class TravelTable(BaseModel):
    """Minutes and km between the sites in ``site_ids`` (rows from, columns to)."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)
    site_ids: tuple[str, ...]
    minutes: np.ndarray
    km: np.ndarray

    @model_validator(mode="after")
    def _shape(self) -> TravelTable:
        n = len(self.site_ids)
        if len(set(self.site_ids)) != n:
            raise ValueError("site_ids: a site is listed twice")
        for name in ("minutes", "km"):
            a = getattr(self, name)
            if a.shape != (n, n):
                raise ValueError(f"{name}: expected {n} rows of {n} numbers (one per site), got shape {a.shape}")
            bad = np.argwhere(~np.isfinite(a) | (a < 0))
            if len(bad):
                i, j = bad[0]
                raise ValueError(f"{name} row {i + 1} column {j + 1}: must be a number >= 0 (got {a[i, j]})")
        return self

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TravelTable)
            and self.site_ids == other.site_ids
            and np.array_equal(self.minutes, other.minutes)
            and np.array_equal(self.km, other.km)
        )

    __hash__ = None  # type: ignore[assignment]


def _matrix(data: dict, key: str, n: int) -> np.ndarray:
    rows = data.get(key)
    if not isinstance(rows, list) or len(rows) != n or any(not isinstance(r, list) or len(r) != n for r in rows):
        raise ValueError(f"{key}: expected {n} rows of {n} numbers (one per entry of site_ids)")
    try:
        a = np.array(rows, dtype=np.float64)  # (null becomes nan)
    except (TypeError, ValueError):
        a = None
    if a is None or not np.isfinite(a).all() or (a < 0).any():
        for i, r in enumerate(rows):
            for j, x in enumerate(r):
                if x is None:
                    raise ValueError(f"{key} row {i + 1} column {j + 1}: no route (null)")
                if not isinstance(x, (int, float)) or isinstance(x, bool) or not np.isfinite(x) or x < 0:
                    raise ValueError(f"{key} row {i + 1} column {j + 1}: must be a number >= 0 (got {x!r})")
    return a


def read_travel_table(path: str | Path) -> TravelTable:
    """Read a travel matrix file (module docstring); ``ValueError`` with one sentence if it is bad."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError("save the file as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("site_ids"), list):
        raise ValueError('expected an object with "site_ids", "durations" (s) and "distances" (m)')
    ids = tuple(str(s) for s in data["site_ids"])
    n = len(ids)
    seconds = _matrix(data, "durations", n)
    metres = _matrix(data, "distances", n)
    return TravelTable(site_ids=ids, minutes=seconds / 60.0, km=metres / 1000.0)


def write_travel_table(path: str | Path, table: TravelTable) -> None:
    """Write ``table`` in the file's shape (seconds and metres, as OSRM gives them), atomically: a
    reader sees the old file or the whole new one."""
    data = {
        "site_ids": list(table.site_ids),
        "durations": np.round(table.minutes * 60.0, 1).tolist(),
        "distances": np.round(table.km * 1000.0, 1).tolist(),
    }
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
