"""Read a scenario folder: CSV files plus ``scenario.toml``, every problem collected and named.

A scenario folder holds::

    scenario.toml   planning date, name, optional [travel], [weights] and [rules] overrides
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


def _line_at(raw: bytes, offset: int) -> int:
    """The 1-based line of the byte at ``offset``."""
    return raw.count(b"\n", 0, offset) + 1


def decode_bytes(raw: bytes) -> str:
    """Text of a CSV file saved as UTF-8 (with or without BOM) or GB18030/GBK.

    Raises ``ValueError`` with advice when the encoding is something else (the message names the
    line of the first byte that does not decode: ``line N: ...``).
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
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"line {_line_at(raw, exc.start)}: cannot read the text: save the file as CSV in UTF-8 or GBK"
        ) from None


def _file_problem(raw: bytes, fname: str) -> Problem | None:
    """What makes a file's bytes unreadable as text CSV (NUL bytes, encoding), located; else None."""
    nul = raw.find(b"\x00")
    if nul >= 0 and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Problem(
            fname,
            _line_at(raw, nul),
            None,
            "the file holds NUL bytes (a spreadsheet's own format, UTF-16 without a BOM, or a damaged copy); "
            "save it as 'CSV UTF-8 (comma delimited)'",
        )
    return None


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
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']}"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "int_type":  # a strict whole number (rules.reload_min): 30.5 and "30" are refused
        return "expected a whole number"
    if kind == "bool_type":
        return "expected true or false"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_from_float"):
        return "expected a number"
    return err["msg"][0].lower() + err["msg"][1:]


def read_table(path: Path, spec: FileSpec) -> tuple[list[BaseModel], list[Problem]]:
    """Read one CSV file into validated records, collecting a `Problem` per defect."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        return [], [Problem(spec.name, None, None, "is a folder, not a file")]
    except OSError as exc:
        return [], [Problem(spec.name, None, None, f"cannot open the file: {exc.strerror}")]
    return parse_table(raw, spec)


def _rows_shaped(text: str, width: int) -> int:
    """How many of ``text``'s lines would each be a whole row of ``width`` cells on their own."""
    return sum(1 for ln in text.split("\n")[1:] if ln.strip() and len(next(csv.reader([ln]), [])) >= max(width, 2))


def _quote_column(line_text: str, header: list[str]) -> str | None:
    """The column whose cell opens the unclosed quote on ``line_text`` (the row's first line)."""
    cells = next(csv.reader([line_text]), [])
    k = len(cells) - 1
    return header[k] if 0 <= k < len(header) else None


def _decoded(raw: bytes, spec: FileSpec) -> tuple[str | None, list[Problem]]:
    """The file's text, or the located problem that keeps it from being read as text CSV."""
    fname = spec.name
    if (bad := _file_problem(raw, fname)) is not None:
        return None, [bad]
    try:
        text = decode_bytes(raw)
    except ValueError as exc:
        head, sep, rest = str(exc).partition(": ")
        if sep and head.startswith("line ") and head[5:].isdigit():
            return None, [Problem(fname, int(head[5:]), None, rest)]
        return None, [Problem(fname, None, None, str(exc))]
    if not text.strip():
        message = f"the file is empty; expected a header line: {spec.describe_columns()}"
        return None, [Problem(fname, None, None, message)]
    if (bom := text.find("\ufeff")) >= 0:
        line = text.count("\n", 0, bom) + 1
        message = "a byte-order mark (BOM) inside the file: were two files joined? save it again as one CSV"
        return None, [Problem(fname, line, None, message)]
    return text, []


def _header_problems(header: list[str], spec: FileSpec) -> list[Problem]:
    fname = spec.name
    if len(header) == 1 and any(ch in header[0] for ch in ";\t|"):
        sep = "semicolons" if ";" in header[0] else "tabs" if "\t" in header[0] else "bars (|)"
        return [Problem(fname, 1, None, f"columns are separated by {sep}; save the file as comma-separated CSV")]
    problems: list[Problem] = []
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
    return problems


def _rows(reader, lines: list[str], header: list[str], fname: str, problems: list[Problem]):
    """``(line, row)`` for each non-blank row; a row the quotes make unreadable is a `Problem`
    instead (appended to ``problems``), never silently gone."""
    start = reader.line_num + 1
    while True:
        line = start
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "end of data" in str(exc):  # a quote opened on `line` never closes: the rest would vanish
                after = len([ln for ln in lines[line:] if ln.strip()])
                lost = f", so the {after} line(s) after it would be read into one cell" if after else ""
                message = f'a quote (") opened in this row is never closed{lost}; close the quote or remove it'
                problems.append(Problem(fname, line, _quote_column(lines[line - 1], header), message))
                return
            until = f" on line {reader.line_num}" if reader.line_num != line else ""
            message = (
                f'a quote (") opened in this row closes{until} in the middle of a cell ({exc}); quote '
                'the whole cell, and write a quote inside it twice ("")'
            )
            problems.append(Problem(fname, line, None, message))
            start = reader.line_num + 1
            continue
        start = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        swallowed = sum(_rows_shaped(cell, len(header) - 1) for cell in row if "\n" in cell)
        if swallowed:
            message = (
                f"a quoted cell runs over lines {line}-{reader.line_num} and holds {swallowed} line(s) that "
                "look like rows of their own; a quote is probably not closed"
            )
            problems.append(Problem(fname, line, _quote_column(lines[line - 1], header), message))
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
            message = (
                f"{len(row)} values but the header has {len(header)} columns "
                "(a decimal comma such as 1,5 splits a number in two: write 1.5)"
            )
            problems.append(Problem(fname, line, None, message))
            continue
        yield line, row


def parse_table(raw: bytes, spec: FileSpec) -> tuple[list[BaseModel], list[Problem]]:
    """`read_table` on a file's bytes (an upload, or bytes already hashed), named ``spec.name``.

    No row is dropped without a `Problem` saying so: a quote that is never closed (it would
    swallow every row after it) or a quoted cell that holds whole rows is an error at the line
    where the quote opens; NUL bytes, an undecodable byte, a byte-order mark inside the file and
    a header separated by semicolons, tabs or bars are located errors too.
    """
    fname = spec.name
    text, problems = _decoded(raw, spec)
    if text is None:
        return [], problems
    reader = csv.reader(_io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        return [], [Problem(fname, 1, None, f"the header line cannot be read as CSV: {exc}")]
    problems = _header_problems(header, spec)
    if problems:
        return [], problems

    records: list[BaseModel] = []
    columns = set(spec.columns)
    for line, row in _rows(reader, text.split("\n"), header, fname, problems):
        cells = {col: (row[k].strip() if k < len(row) else "") for k, col in enumerate(header)}
        values = {c: v for c, v in cells.items() if v != "" and c in columns}
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
    problems.sort(key=lambda p: p.line or 0)
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
    if path.is_dir():
        return None, [Problem(fname, None, None, "is a folder, not a file")]
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
    except OSError as exc:
        return None, [Problem(fname, None, None, f"cannot open the file: {exc.strerror}")]
    for table in ("travel", "weights", "rules"):
        if not isinstance(data.get(table, {}), dict):
            got = str(data[table])
            return None, [Problem(fname, None, table, f"must be a table: [{table}] with one key = value a line", got)]
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
                rules=data.get("rules", {}),
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
        if not path.exists():
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
