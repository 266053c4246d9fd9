"""Read a written plan folder into a `WrittenPlan`, whatever state its files are in.

The rules never see a file: they see a `WrittenPlan` (rows of plain values, each row knowing
its file and line, plus the KPIs as a dict). This module is the reader for the CSV tables and
``kpis.json`` that ``coldchain plan`` writes (`coldchain.output.report`); another reader (a
``plan.json``, say) only has to fill the same `WrittenPlan` for every rule to apply to it.

Every problem with the files themselves is a located `Violation`, never an exception: a
missing file (``read.missing_file``), one that cannot be read or decoded or whose quotes do
not close (``read.unreadable``), a file cut short (``read.truncated``: no final line break, or
JSON that stops mid-way), a missing header or a column named twice (``read.header``), a
missing column (``read.missing_column``), a row with more or fewer cells than the header
(``read.row_shape``; the row is left out), text or a non-finite number where a number belongs
(``read.not_a_number``) and a fraction where a whole number belongs (``read.not_whole``). A
cell that cannot be read is then ``None``, as an empty one, and `WrittenPlan.bad_cells`
remembers it so that no rule reports it a second time.

Cells: text as written (a leading ``'`` that a writer put before ``= + - @`` against
spreadsheet formula injection is taken off, see `unescape`), numbers as ``float`` (``int``
for whole-number columns, which also accept ``3.0000``), an empty number cell as ``None``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from coldchain.check.violation import Violation

TEXT, NUM, INT = "text", "num", "int"

ROUTES_FILE, ORDERS_FILE, DELIVERIES_FILE, KPIS_FILE = "routes.csv", "orders.csv", "deliveries.csv", "kpis.json"

ROUTE_SCHEMA: dict[str, str] = {
    "vehicle_id": TEXT,
    "owner": TEXT,
    "stop_seq": INT,
    "site_id": TEXT,
    "site_name": TEXT,
    "kind": TEXT,
    "arrival": TEXT,
    "service_start": TEXT,
    "departure": TEXT,
    "arrival_min": NUM,
    "service_start_min": NUM,
    "departure_min": NUM,
    "km_from_prev": NUM,
    "parcels_dropped": INT,
    "parcel_kg_dropped": NUM,
    "orders_picked": TEXT,
    "kg_picked": NUM,
    "load_kg": NUM,
    "reefer_load_kg": NUM,
    "capacity_kg": NUM,
    "reefer_capacity_kg": NUM,
}
ORDER_SCHEMA: dict[str, str] = {
    "order_id": TEXT,
    "shipper": TEXT,
    "site_id": TEXT,
    "product_id": TEXT,
    "quantity_kg": NUM,
    "ready_at": TEXT,
    "deadline": TEXT,
    "status": TEXT,
    "vehicle_id": TEXT,
    "stop_seq": INT,
    "pickup_time": TEXT,
    "pickup_min": NUM,
    "hub_arrival": TEXT,
    "hub_arrival_min": NUM,
    "compartment": TEXT,
    "hours_out_of_cold": NUM,
    "freshness_h_left": NUM,
    "value_cny": NUM,
    "reason": TEXT,
}
DELIVERY_SCHEMA: dict[str, str] = {
    "company": TEXT,
    "site_id": TEXT,
    "parcel_count": INT,
    "weight_kg": NUM,
    "status": TEXT,
    "vehicle_id": TEXT,
    "stop_seq": INT,
    "arrival": TEXT,
}
SCHEMAS = {ROUTES_FILE: ROUTE_SCHEMA, ORDERS_FILE: ORDER_SCHEMA, DELIVERIES_FILE: DELIVERY_SCHEMA}
# read when present, never required: a plan written by hand or by another tool may lack them
# ``trip``: a truck's trip 1, 2, ... (``[rules] multiple_trips``); a plan without the column has one trip per truck
OPTIONAL_COLUMNS: dict[str, dict[str, str]] = {
    ROUTES_FILE: {"trip": INT},
    ORDERS_FILE: {"reason_code": TEXT, "trip": INT},
    DELIVERIES_FILE: {"trip": INT},
}

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Row(dict):
    """One row of a table: column -> value, and where it was read (``file``, ``line``)."""

    __slots__ = ("file", "line")

    def __init__(self, values: dict, file: str, line: int | None):
        super().__init__(values)
        self.file = file
        self.line = line


@dataclass
class WrittenPlan:
    """A written plan as the rules see it. A table that could not be read at all is ``None``."""

    routes: list[Row] | None = None
    orders: list[Row] | None = None
    deliveries: list[Row] | None = None
    kpis: dict | None = None
    columns: dict[str, set[str]] = field(default_factory=dict)  # file -> columns present
    bad_cells: set[tuple[str, int | None, str]] = field(default_factory=set)  # already reported
    problems: list[Violation] = field(default_factory=list)  # what reading found

    def has_column(self, file: str, column: str) -> bool:
        """True when ``file`` was read and has ``column``."""
        return column in self.columns.get(file, set())

    def reported(self, row: Row, column: str) -> bool:
        """True when the reader already reported this cell (or its whole column is missing)."""
        return (row.file, row.line, column) in self.bad_cells or not self.has_column(row.file, column)


def unescape(text: str) -> str:
    """Undo a writer's formula escaping: ``'=SUM(A1)`` reads as ``=SUM(A1)``, and ``''=x`` as
    ``'=x`` (one ``'`` off when what follows it, past any further ``'``, starts a formula), the
    exact inverse of `coldchain.output.atomic.safe_cell`."""
    if len(text) > 1 and text[0] == "'" and text[1:].lstrip("'").startswith(_FORMULA_START):
        return text[1:]
    return text


def parse_number(text: str) -> float | None:
    """A finite decimal number, or None when ``text`` is not one (``nan``, ``inf``, ``1e309``,
    ``1_000``, ``1,5`` and words are not)."""
    text = unescape(text.strip())
    if not _NUMBER.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_table(folder: Path, file: str, schema: dict[str, str], plan: WrittenPlan) -> list[Row] | None:
    """Rows of one CSV table, every problem added to ``plan.problems`` (None: nothing readable)."""
    path = folder / file
    problems = plan.problems
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.append(Violation("read.missing_file", "the plan has no such file", file))
        return None
    except OSError as exc:
        problems.append(Violation("read.unreadable", f"cannot read the file ({exc.strerror or exc})", file))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if "end of data" not in exc.reason:
            line = _line_of_offset(data, exc.start)
            problems.append(Violation("read.unreadable", f"not UTF-8 text (byte {exc.start})", file, line))
            return None
        text = data[: exc.start].decode("utf-8-sig")  # cut inside a character: reported as truncated below
    if not text.strip():
        problems.append(Violation("read.header", "the file is empty (no header row)", file, 1))
        return None
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        problems.append(
            Violation("read.truncated", "the file does not end with a line break: it may be cut short", file, last)
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    header: list[str] | None = None
    parsed = {**schema, **OPTIONAL_COLUMNS.get(file, {})}
    prev_end = 0
    try:
        for record in reader:
            start, prev_end = prev_end + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if header is None:
                header = _header(record, file, schema, plan)
                continue
            if len(record) != len(header):
                problems.append(
                    Violation(
                        "read.row_shape",
                        f"{len(record)} cells where the header has {len(header)}; the row is left out",
                        file,
                        start,
                    )
                )
                continue
            rows.append(_row(dict(zip(header, record)), file, start, parsed, plan))
    except csv.Error as exc:
        problems.append(
            Violation("read.unreadable", f"the CSV cannot be read from here on ({exc})", file, prev_end + 1)
        )
    if header is None:
        problems.append(Violation("read.header", "the file has no header row", file, 1))
        return None
    return rows


def _header(record: list[str], file: str, schema: dict[str, str], plan: WrittenPlan) -> list[str]:
    names = [c.strip() for c in record]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            plan.problems.append(Violation("read.header", f"the column {name!r} appears twice", file, 1, name))
        seen.add(name)
    for name in schema:
        if name not in seen:
            plan.problems.append(Violation("read.missing_column", "the column is missing", file, 1, name))
    plan.columns[file] = seen & (set(schema) | set(OPTIONAL_COLUMNS.get(file, {})))
    return names


def _row(cells: dict[str, str], file: str, line: int, schema: dict[str, str], plan: WrittenPlan) -> Row:
    values: dict[str, object] = {}
    for column, kind in schema.items():
        raw = cells.get(column)
        if raw is None:
            values[column] = None if kind != TEXT else ""
            continue
        if kind == TEXT:
            values[column] = unescape(raw)
            continue
        if not raw.strip():
            values[column] = None
            continue
        number = parse_number(raw)
        if number is None:
            plan.problems.append(
                Violation("read.not_a_number", f"expected a finite number, got {raw!r}", file, line, column)
            )
            plan.bad_cells.add((file, line, column))
            values[column] = None
        elif kind == INT and not number.is_integer():
            plan.problems.append(
                Violation("read.not_whole", f"expected a whole number, got {raw!r}", file, line, column)
            )
            plan.bad_cells.add((file, line, column))
            values[column] = None
        else:
            values[column] = int(number) if kind == INT else number
    return Row(values, file, line)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def read_kpis(folder: Path, plan: WrittenPlan) -> dict | None:
    """``kpis.json`` as a dict, every problem added to ``plan.problems`` (None: not readable)."""
    path = folder / KPIS_FILE
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        plan.problems.append(Violation("read.missing_file", "the plan has no such file (the KPIs)", KPIS_FILE))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        plan.problems.append(Violation("read.unreadable", f"cannot read the file ({exc})", KPIS_FILE))
        return None
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip()) or not text.rstrip().endswith(("}", "]"))
        rule = "read.truncated" if cut else "read.unreadable"
        why = "the JSON stops before it is complete: the file may be cut short" if cut else f"not JSON ({exc.msg})"
        plan.problems.append(Violation(rule, why, KPIS_FILE, exc.lineno))
        return None
    except ValueError as exc:
        plan.problems.append(Violation("read.not_a_number", str(exc), KPIS_FILE))
        return None
    if not isinstance(data, dict):
        plan.problems.append(Violation("read.unreadable", "expected a JSON object of KPI names and values", KPIS_FILE))
        return None
    return data


def read_plan_folder(folder: str | Path) -> WrittenPlan:
    """Read ``routes.csv``, ``orders.csv``, ``deliveries.csv`` and ``kpis.json`` of a plan folder."""
    out = Path(folder)
    plan = WrittenPlan()
    if not out.is_dir():
        plan.problems.append(Violation("read.missing_file", "no such plan folder", str(out)))
        return plan
    plan.routes = read_table(out, ROUTES_FILE, ROUTE_SCHEMA, plan)
    plan.orders = read_table(out, ORDERS_FILE, ORDER_SCHEMA, plan)
    plan.deliveries = read_table(out, DELIVERIES_FILE, DELIVERY_SCHEMA, plan)
    plan.kpis = read_kpis(out, plan)
    return plan
