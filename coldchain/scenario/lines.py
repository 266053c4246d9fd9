"""Fixed lines as the planner reads them from ``lines.csv`` (and the text that writes them back).

Many alliances run fixed lines (a truck, a departure time, an ordered list of parcel stops)
so that every village gets its parcels at a known hour. ``lines.csv`` in the scenario folder
gives them::

    line_id,vehicle_id,depart_at,stops,max_detour_km,max_pickup_stops
    L01,D01,07:10,T_FOZI V_FOZI_03 V_FOZI_07,15,3

``stops`` are site ids separated by spaces. The file is read by the scenario reader
(`coldchain.scenario.read.read_table`), so its errors name the file, line and column. The
``lines`` method (`coldchain.planner.lines`) plans with them; `coldchain.apps.lines` designs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coldchain.errors import InputError
from coldchain.scenario.domain import FixedLine
from coldchain.scenario.read import FileSpec, read_table


@dataclass(frozen=True)
class Line:
    """A fixed line as the planner uses it (``row``: its line in ``lines.csv``, for messages)."""

    line_id: str
    vehicle_id: str
    depart_min: float
    stops: tuple[str, ...]
    max_detour_km: float
    max_pickup_stops: int
    row: int | None = None


LINES_FILE = FileSpec("lines.csv", FixedLine)


def read_lines(path: str | Path) -> list[Line]:
    """Read ``lines.csv`` with the scenario reader: every problem becomes one `Problem` naming the
    file, line, column and what was expected. Raises `InputError`."""
    records, problems = read_table(Path(path), LINES_FILE)
    if problems:
        raise InputError(problems)
    return [
        Line(r.line_id, r.vehicle_id, r.depart_at, tuple(r.stops.split()), r.max_detour_km, r.max_pickup_stops, r.line)
        for r in records
    ]


def write_lines(lines: list[Line]) -> str:
    """``lines.csv`` text for ``lines`` (the caller writes it)."""
    out = [",".join(LINES_FILE.columns)]
    for ln in lines:
        h, m = divmod(round(ln.depart_min), 60)
        out.append(
            f"{ln.line_id},{ln.vehicle_id},{h:02d}:{m:02d},{' '.join(ln.stops)},"
            f"{ln.max_detour_km:g},{ln.max_pickup_stops}"
        )
    return "\n".join(out) + "\n"
