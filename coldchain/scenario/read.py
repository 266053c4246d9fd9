"""Read a scenario folder: CSV files plus ``scenario.toml``, every problem collected and named.

A scenario folder holds::

    scenario.toml   planning date, name, optional [travel] and [weights] overrides
    sites.csv       hub, town and village service points
    vehicles.csv    the fleet
    orders.csv      co-op shippers' pickup orders (may be header-only)
    parcels.csv     member companies' parcels per service point (may be header-only)
    products.csv    optional: overrides/additions to models/products.toml
    travel.csv      optional: measured road km and minutes between sites

Files saved by Excel in China read correctly (UTF-8 with or without BOM, GB18030/GBK). Problems
are reported as ``file:line:column: message (got value)``, header = line 1, all at once.
"""

from __future__ import annotations

import codecs
import csv
import io as _io
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel, ValidationError

from coldchain.errors import InputError, Problem
from coldchain.scenario import catalogue
from coldchain.scenario.domain import (
    ObjectiveWeights,
    Order,
    Parcel,
    Product,
    Scenario,
    Settings,
    Site,
    TravelLeg,
    TravelSettings,
    Vehicle,
)
from coldchain.scenario.matrix import FILE_NAME as MATRIX_FILE
from coldchain.scenario.matrix import read_travel_table
from coldchain.suggest import did_you_mean

ALWAYS_ALLOWED = {"notes"}


@dataclass(frozen=True)
class FileSpec:
    """What one CSV file of a scenario must look like."""

    name: str
    record: type[BaseModel]
    required_file: bool = True
    optional_columns: frozenset[str] = field(default_factory=frozenset)

    @property
    def columns(self) -> list[str]:
        return [f for f in self.record.model_fields if f != "line"]

    @property
    def required_columns(self) -> list[str]:
        return [c for c in self.columns if c not in self.optional_columns]

    def describe_columns(self) -> str:
        """``a, b, c (optional: d, e)``: the header a file may have."""
        text = ", ".join(self.required_columns)
        optional = [c for c in self.columns if c in self.optional_columns]
        return text + (f" (optional: {', '.join(optional)})" if optional else "")


SPECS = {
    "sites": FileSpec("sites.csv", Site, optional_columns=frozenset({"parent_town", "has_precooling"})),
    "vehicles": FileSpec("vehicles.csv", Vehicle, optional_columns=frozenset({"count"})),
    "orders": FileSpec("orders.csv", Order, optional_columns=frozenset({"must_serve", "harvested_at"})),
    "parcels": FileSpec("parcels.csv", Parcel),
    "products": FileSpec(
        "products.csv", Product, required_file=False, optional_columns=frozenset({"precooled_window_h"})
    ),
    "travel": FileSpec("travel.csv", TravelLeg, required_file=False),
}


def decode_bytes(raw: bytes) -> str:
    """Text of a CSV file saved as UTF-8 (with or without BOM) or GB18030/GBK.

    Raises ``ValueError`` with advice when the encoding is something else.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ValueError("the file is saved as UTF-16 'Unicode text'; save it as 'CSV UTF-8 (comma delimited)'")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ValueError("cannot read the text: save the file as CSV in UTF-8 or GBK") from None


def _friendly(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx", {})

    def num(v: object) -> str:
        return f"{v:g}" if isinstance(v, float) else str(v)

    if kind == "missing" or kind == "string_too_short":
        return "a value is required"
    if kind == "greater_than":
        return f"must be greater than {num(ctx['gt'])}"
    if kind == "greater_than_equal":
        return f"must be at least {num(ctx['ge'])}"
    if kind == "less_than_equal":
        return f"must be at most {num(ctx['le'])}"
    if kind == "less_than":
        return f"must be less than {num(ctx['lt'])}"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']}"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return "expected a number"
    return err["msg"][0].lower() + err["msg"][1:]


def read_table(path: Path, spec: FileSpec) -> tuple[list[BaseModel], list[Problem]]:
    """Read one CSV file into validated records, collecting a `Problem` per defect."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Problem(spec.name, None, None, f"cannot open the file: {exc.strerror}")]
    return parse_table(raw, spec)


def parse_table(raw: bytes, spec: FileSpec) -> tuple[list[BaseModel], list[Problem]]:
    """`read_table` on a file's bytes (an upload, or bytes already hashed), named ``spec.name``."""
    fname = spec.name
    problems: list[Problem] = []
    try:
        text = decode_bytes(raw)
    except ValueError as exc:
        return [], [Problem(fname, None, None, str(exc))]
    if not text.strip():
        return [], [Problem(fname, None, None, f"the file is empty; expected a header line: {spec.describe_columns()}")]

    reader = csv.reader(_io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "semicolons" if ";" in header[0] else "tabs"
        return [], [Problem(fname, 1, None, f"columns are separated by {sep}; save the file as comma-separated CSV")]
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(Problem(fname, 1, col, "this column appears twice in the header"))
        seen.add(col)
    missing = [c for c in spec.required_columns if c not in seen]
    if missing:
        problems.append(Problem(fname, 1, None, f"missing column(s): {', '.join(missing)}"))
    known = set(spec.columns) | ALWAYS_ALLOWED
    for col in header:
        if col and col not in known and not col.startswith("#"):
            hint = did_you_mean(col, missing or spec.columns)
            problems.append(
                Problem(fname, 1, col, f"unknown column{hint}; expected columns: {spec.describe_columns()}")
            )
        elif not col:
            problems.append(Problem(fname, 1, None, "a column has no name in the header"))
    if problems:
        return [], problems

    records: list[BaseModel] = []
    start = reader.line_num + 1
    for row in reader:
        line = start
        start = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            extra = [c for c in row[len(header) :] if c.strip()]
            if extra:
                problems.append(
                    Problem(
                        fname,
                        line,
                        None,
                        f"{len(row)} values but the header has {len(header)} columns "
                        "(a decimal comma such as 1,5 splits a number in two: write 1.5)",
                    )
                )
                continue
        cells = {col: (row[k].strip() if k < len(row) else "") for k, col in enumerate(header)}
        values = {c: (v if v != "" else None) for c, v in cells.items() if c in spec.columns}
        values = {c: v for c, v in values.items() if v is not None}
        try:
            records.append(spec.record(line=line, **values))
        except ValidationError as exc:
            for err in exc.errors():
                col = str(err["loc"][0]) if err["loc"] else None
                msg = _friendly(err)
                if col is None:
                    head, sep, rest = msg.partition(": ")
                    if sep and head in spec.columns:
                        col, msg = head, rest
                got = cells.get(col, "") if col else None
                problems.append(Problem(fname, line, col, msg, got))
    return records, problems


def read_orders(raw: bytes, name: str, scenario: Scenario) -> tuple[list[Order], list[Problem]]:
    """Validate an orders file (``orders.csv``'s columns) submitted on its own against ``scenario``.

    The same rules and messages as ``read_scenario``, named ``name:line:column``: every field
    rule, unique order ids within the file, and the cross-record rules about an order's site and
    product (``coldchain.scenario.checks.ORDER_CHECKS``). Rules that depend on the planning day (ready
    times, freshness windows) are the planner's, applied to the day being planned.
    """
    from coldchain.scenario.checks import ORDER_CHECKS

    spec = SPECS["orders"]
    records, problems = parse_table(raw, replace(spec, name=name))
    orders: list[Order] = list(records)  # type: ignore[arg-type]
    if orders:  # the rows that read well still meet the cross-record rules: every bad row named at once
        trial = scenario.replace(orders=tuple(orders))
        problems += [
            replace(p, file=name)
            for check in ORDER_CHECKS
            for p in check(trial)
            if p.file == spec.name and p.severity == "error"
        ]
    problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    return ([], problems) if problems else (orders, [])


def _read_settings(folder: Path) -> tuple[Settings | None, list[Problem]]:
    path = folder / "scenario.toml"
    fname = "scenario.toml"
    if not path.is_file():
        return None, [Problem(fname, None, None, "file not found; it must give at least: date = 2026-06-15")]
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        m = re.match(r"^(.*?)(?: \(at line (\d+), column \d+\))?$", str(exc))
        line = int(m.group(2)) if m and m.group(2) else None
        return None, [Problem(fname, line, None, f"not valid TOML: {m.group(1) if m else exc}")]
    except UnicodeDecodeError:
        return None, [Problem(fname, None, None, "save the file as UTF-8")]
    if "date" not in data:
        return None, [Problem(fname, None, "date", "a value is required, e.g. date = 2026-06-15")]
    travel = catalogue.default_travel().model_dump() | data.get("travel", {})
    weights = catalogue.default_weights().model_dump() | data.get("weights", {})
    try:
        return (
            Settings(
                name=data.get("name", folder.name),
                date=data.get("date"),
                travel=TravelSettings(**travel),
                weights=ObjectiveWeights(**weights),
            ),
            [],
        )
    except ValidationError as exc:
        return None, [
            Problem(fname, None, ".".join(map(str, e["loc"])) or None, _friendly(e), str(e.get("input", "")))
            for e in exc.errors()
        ]


def read_scenario(folder: str | Path) -> Scenario:
    """Read and validate a scenario folder.

    Parameters
    ----------
    folder
        The scenario folder (see the module docstring for its files).

    Returns
    -------
    Scenario
        The validated scenario. Warnings are available from ``coldchain.scenario.checks.check_scenario``.

    Raises
    ------
    InputError
        With every problem found, when any file or cross-record rule is violated.
    """
    from coldchain.scenario.checks import check_scenario  # checks imports io-free modules only

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), None, None, "not a folder")])
    problems: list[Problem] = []
    settings, probs = _read_settings(folder)
    problems += probs
    tables: dict[str, list] = {}
    for key, spec in SPECS.items():
        path = folder / spec.name
        if not path.is_file():
            if spec.required_file:
                problems.append(Problem(spec.name, None, None, "file not found"))
            tables[key] = []
            continue
        records, probs = read_table(path, spec)
        tables[key] = records
        problems += probs
    for key in ("sites", "vehicles"):
        if not tables[key] and not any(p.file == SPECS[key].name for p in problems):
            problems.append(Problem(SPECS[key].name, None, None, "no records; at least one is needed"))
    table = None
    if (folder / MATRIX_FILE).is_file():
        try:
            table = read_travel_table(folder / MATRIX_FILE)
        except ValueError as exc:
            problems.append(Problem(MATRIX_FILE, None, None, str(exc)))
        else:
            known = {s.site_id for s in tables["sites"]}
            unknown = [sid for sid in table.site_ids if sid not in known]
            if unknown:
                shown = ", ".join(unknown[:5])
                problems.append(Problem(MATRIX_FILE, None, "site_ids", "not a site in sites.csv", shown))
    if problems:
        raise InputError(problems)

    overridden = {p.product_id for p in tables["products"]}
    defaults = [p for pid, p in catalogue.default_products().items() if pid not in overridden]
    scenario = Scenario(
        settings=settings,
        sites=tuple(tables["sites"]),
        vehicles=tuple(tables["vehicles"]),
        products=(*defaults, *tables["products"]),
        orders=tuple(tables["orders"]),
        parcels=tuple(tables["parcels"]),
        travel=tuple(tables["travel"]),
        travel_table=table,
    )
    found = check_scenario(scenario)
    if any(p.severity == "error" for p in found):
        raise InputError(found)
    return scenario
