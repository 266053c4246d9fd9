"""The options file of a what-if study: one CSV row per investment option.

Columns (``option`` and ``action`` are required; the others as the action needs; ``notes`` is
free text)::

    option            a unique name (the baseline row may be called anything)
    action            none | add_trucks | retrofit | precool | cold_room | combine
    like, count       add_trucks: copy vehicle ``like`` of the scenario ``count`` times
    dry_capacity_kg, reefer_capacity_kg, fixed_cost_cny_per_day, cost_cny_per_km
                      add_trucks: the new trucks' own figures where they differ from ``like``
                      (a reefer type the fleet lacks: like=D1, dry 0, reefer 1200, 1.5 CNY/km)
    vehicles          retrofit: vehicle ids (space separated) that get a reefer unit
    payload_loss_kg   retrofit: payload the insulated box and unit take (default 0)
    extra_cny_per_km  retrofit: extra running cost of the unit (default 0)
    sites             precool: site ids (space separated) that get a pre-cooling room
    precooled_window_h precool: window of products that have none of their own (default: none)
    intake_kg         cold_room (and the baseline row): daily intake limit of the hub cold store
    combine           combine: names of other options joined by + (``reefer_1 + precool``)
    capital_cny, lifetime_y, yearly_cost_cny, subsidy_share, subsidy_cap_cny
                      the economics, per unit: per truck (add_trucks), per van (retrofit), per
                      site (precool), per room (cold_room); a combination adds up its parts

A "do nothing" baseline is always part of the study: the row whose action is ``none`` (at most
one; it may set the current cold store's ``intake_kg``), or an added ``baseline``. Any numeric
cell may sweep a range, one per row: ``0..4`` (whole numbers, both ends included) or
``10000..40000 step 10000``; the row then stands for one option per value, named
``<option>_<value>`` (``reefer_0`` ... ``reefer_4``). Problems are reported as
``file:line:column: message (got value)`` with the header as line 1, all at once, and
checked against the base scenario (unknown vehicles and sites).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from coldchain import InputError, Problem, Scenario
from coldchain.apps.whatif.economics import Investment

ACTIONS = ("none", "add_trucks", "retrofit", "precool", "cold_room", "combine")
TRUCK_FIELDS = ("dry_capacity_kg", "reefer_capacity_kg", "fixed_cost_cny_per_day", "cost_cny_per_km")
NUMERIC = (
    "count",
    *TRUCK_FIELDS,
    "payload_loss_kg",
    "extra_cny_per_km",
    "precooled_window_h",
    "intake_kg",
    "capital_cny",
    "lifetime_y",
    "yearly_cost_cny",
    "subsidy_share",
    "subsidy_cap_cny",
)
COLUMNS = ("option", "action", "like", "vehicles", "sites", "combine", *NUMERIC, "notes")
NEEDS = {
    "add_trucks": ("like", "count"),
    "retrofit": ("vehicles",),
    "precool": ("sites",),
    "cold_room": ("intake_kg",),
    "combine": ("combine",),
    "none": (),
}
_SWEEP = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*(?:step\s+(\d+(?:\.\d+)?))?\s*$")
_NAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,64}$")
MAX_SWEEP = 50


@dataclass(frozen=True)
class AddTrucks:
    """``count`` more trucks, copies of vehicle ``like`` (ids ``<like>+1``, ``<like>+2``, ...)."""

    like: str
    count: int
    overrides: tuple[tuple[str, float], ...] = ()  # (Vehicle field, value) that differ from ``like``


@dataclass(frozen=True)
class Retrofit:
    """A reefer unit on each named van: all its payload becomes reefer space, less ``payload_loss_kg``."""

    vehicles: tuple[str, ...]
    payload_loss_kg: float = 0.0
    extra_cny_per_km: float = 0.0


@dataclass(frozen=True)
class Precool:
    """A pre-cooling room at each named site; ``precooled_window_h`` for products without one."""

    sites: tuple[str, ...]
    precooled_window_h: float | None = None


@dataclass(frozen=True)
class ColdRoom:
    """A cold store at the hub that takes at most ``intake_kg`` a day."""

    intake_kg: float


Change = AddTrucks | Retrofit | Precool | ColdRoom


@dataclass(frozen=True)
class Option:
    """One option of the study: what it changes and what it costs."""

    name: str
    changes: tuple[Change, ...] = ()
    investments: tuple[Investment, ...] = ()
    line: int | None = None
    notes: str = ""
    parts: tuple[str, ...] = field(default=())  # names of the combined options (combine)

    @property
    def is_baseline(self) -> bool:
        return not self.changes and not self.investments

    @property
    def intake_kg(self) -> float | None:
        """The cold store's daily intake limit this option sets (None: it sets none)."""
        rooms = [c.intake_kg for c in self.changes if isinstance(c, ColdRoom)]
        return max(rooms) if rooms else None


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _number(text: str) -> float:
    if re.match(r"^[+-]?\d+,\d+$", text):
        raise ValueError("a comma in a number is not accepted: write a decimal point (1.5)")
    try:
        return float(text)
    except ValueError:
        raise ValueError("expected a number") from None


def _sweep_values(text: str) -> list[float] | None:
    """The values of ``a..b`` or ``a..b step s`` (None if ``text`` is not a sweep)."""
    m = _SWEEP.match(text)
    if not m:
        return None
    lo, hi = float(m.group(1)), float(m.group(2))
    step = float(m.group(3)) if m.group(3) else 1.0
    if m.group(3) is None and not (lo.is_integer() and hi.is_integer()):
        raise ValueError("a range without a step must be whole numbers, e.g. 0..4")
    if hi < lo or step <= 0:
        raise ValueError("expected low..high with high >= low (and a positive step)")
    n = round((hi - lo) / step) + 1
    if n > MAX_SWEEP:
        raise ValueError(f"a sweep may have at most {MAX_SWEEP} values")
    return [lo + k * step for k in range(n) if lo + k * step <= hi + 1e-9]


def _label(value: float) -> str:
    return f"{value:g}"


class _Row:
    """One CSV row with its line number and the problems it reports."""

    def __init__(self, fname: str, line: int, cells: dict[str, str], problems: list[Problem]):
        self.fname, self.line, self.cells, self.problems = fname, line, cells, problems

    def fail(self, column: str | None, message: str) -> None:
        got = self.cells.get(column) if column else None
        self.problems.append(Problem(self.fname, self.line, column, message, got))

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def ids(self, column: str) -> tuple[str, ...]:
        return tuple(self.text(column).replace(",", " ").split())


def _read_rows(path: Path) -> tuple[list[_Row], list[Problem]]:
    fname = path.name
    problems: list[Problem] = []
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        return [], [Problem(str(path), None, None, f"cannot open the file: {exc.strerror}")]
    except UnicodeDecodeError:
        return [], [Problem(fname, None, None, "cannot read the text: save the file as CSV in UTF-8 or GBK")]
    if not text.strip():
        return [], [Problem(fname, None, None, "the file is empty; expected a header: option,action,...")]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    for col in header:
        if col and col not in COLUMNS and not col.startswith("#"):
            problems.append(Problem(fname, 1, col, f"unknown column; expected some of: {', '.join(COLUMNS)}"))
    for col in ("option", "action"):
        if col not in header:
            problems.append(Problem(fname, 1, None, f"missing column: {col}"))
    if len(set(header)) < len(header):
        problems.append(Problem(fname, 1, None, "a column appears twice in the header"))
    if problems:
        return [], problems
    rows = []
    start = reader.line_num + 1
    for raw in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in raw) or raw[0].strip().startswith("#"):
            continue
        if len(raw) > len(header) and any(c.strip() for c in raw[len(header) :]):
            problems.append(Problem(fname, line, None, f"{len(raw)} values but the header has {len(header)} columns"))
            continue
        cells = {col: (raw[k].strip() if k < len(raw) else "") for k, col in enumerate(header)}
        rows.append(_Row(fname, line, cells, problems))
    return rows, problems


def _parse_row(row: _Row) -> list[tuple[str, dict[str, float]]]:
    """The (name, numbers) of each option a row stands for (several when it sweeps); none when
    a cell is wrong (reported)."""
    before = len(row.problems)
    numbers: dict[str, float] = {}
    swept: tuple[str, list[float]] | None = None
    for col in NUMERIC:
        text = row.text(col)
        if not text:
            continue
        try:
            values = _sweep_values(text)
        except ValueError as exc:
            row.fail(col, str(exc))
            continue
        if values is not None:
            if swept is not None:
                row.fail(col, f"only one column of a row may sweep (already {swept[0]})")
                continue
            swept = (col, values)
            continue
        try:
            numbers[col] = _number(text)
        except ValueError as exc:
            row.fail(col, str(exc))
    name = row.text("option")
    if len(row.problems) > before:
        return []
    if swept is None:
        return [(name, numbers)]
    col, values = swept
    return [(f"{name}_{_label(v)}", {**numbers, col: v}) for v in values]


def _check_numbers(row: _Row, numbers: dict[str, float]) -> bool:
    ok = True
    rules = {
        "count": (0, None, True),
        **{f: (0, None, False) for f in TRUCK_FIELDS},
        "payload_loss_kg": (0, None, False),
        "extra_cny_per_km": (0, None, False),
        "precooled_window_h": (0, None, False),
        "intake_kg": (0, None, False),
        "capital_cny": (0, None, False),
        "lifetime_y": (0, None, False),
        "yearly_cost_cny": (0, None, False),
        "subsidy_share": (0, 1, False),
        "subsidy_cap_cny": (0, None, False),
    }
    for col, value in numbers.items():
        lo, hi, whole = rules[col]
        if whole and not float(value).is_integer():
            row.fail(col, "expected a whole number")
            ok = False
        elif value < lo or (hi is not None and value > hi):
            row.fail(col, f"must be between {lo} and {hi}" if hi is not None else f"must be at least {lo}")
            ok = False
        elif col in ("lifetime_y", "precooled_window_h") and value <= 0:
            row.fail(col, "must be greater than 0")
            ok = False
    return ok


def _change(row: _Row, action: str, numbers: dict[str, float], scenario: Scenario) -> tuple[Change | None, int]:
    """The scenario change of one (non-combine) row and its number of units."""
    vehicles = {v.vehicle_id: v for v in scenario.vehicles}
    sites = {s.site_id: s for s in scenario.sites}
    if action == "add_trucks":
        like = row.text("like")
        if like not in vehicles:
            row.fail("like", f"no such vehicle in the scenario; its vehicles are: {', '.join(vehicles)}")
            return None, 0
        count = int(numbers.get("count", 0))
        overrides = tuple((f, numbers[f]) for f in TRUCK_FIELDS if f in numbers)
        merged = {**vehicles[like].model_dump(), **dict(overrides)}
        if merged["dry_capacity_kg"] + merged["reefer_capacity_kg"] <= 0:
            row.fail("reefer_capacity_kg", "the new trucks need some dry or reefer capacity")
            return None, 0
        return AddTrucks(like, count, overrides), count
    if action == "retrofit":
        ids = row.ids("vehicles")
        loss = numbers.get("payload_loss_kg", 0.0)
        bad = [v for v in ids if v not in vehicles]
        if bad:
            row.fail("vehicles", f"not in the scenario: {', '.join(bad)}")
            return None, 0
        small = [v for v in ids if vehicles[v].capacity_kg - loss <= 0]
        if small:
            row.fail("payload_loss_kg", f"leaves no payload on {', '.join(small)}")
            return None, 0
        return Retrofit(ids, loss, numbers.get("extra_cny_per_km", 0.0)), len(ids)
    if action == "precool":
        ids = row.ids("sites")
        bad = [s for s in ids if s not in sites or sites[s].kind == "hub"]
        if bad:
            row.fail("sites", f"not a town or village point of the scenario: {', '.join(bad)}")
            return None, 0
        return Precool(ids, numbers.get("precooled_window_h")), len(ids)
    if action == "cold_room":
        return ColdRoom(numbers["intake_kg"]), 1
    return None, 0


def _investment(numbers: dict[str, float], units: int) -> Investment | None:
    if units <= 0 or not any(k in numbers for k in ("capital_cny", "yearly_cost_cny")):
        return None
    cap = numbers.get("subsidy_cap_cny")
    return Investment(
        capital_cny=units * numbers.get("capital_cny", 0.0),
        lifetime_y=numbers.get("lifetime_y", 10.0),
        yearly_cost_cny=units * numbers.get("yearly_cost_cny", 0.0),
        subsidy_share=numbers.get("subsidy_share", 0.0),
        subsidy_cap_cny=None if cap is None else units * cap,
    )


def read_options(path: str | Path, scenario: Scenario) -> list[Option]:
    """Read and check an options file against the base ``scenario``; the baseline comes first.

    Raises
    ------
    InputError
        With every problem found, each placed as file:line:column.
    """
    path = Path(path)
    rows, problems = _read_rows(path)
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError([Problem(path.name, None, None, "no options; add at least one row below the header")])
    options: dict[str, Option] = {}
    combos: list[tuple[_Row, str, dict[str, float]]] = []
    baseline: Option | None = None
    seen: set[str] = set()
    for row in rows:
        name, action = row.text("option"), row.text("action")
        if not _NAME.match(name):
            row.fail("option", "a name of letters, digits, _ . - (at most 64 characters) is required")
            continue
        if action not in ACTIONS:
            row.fail("action", f"must be one of: {', '.join(ACTIONS)}")
            continue
        missing = [c for c in NEEDS[action] if not row.text(c)]
        if missing:
            row.fail(missing[0], f"a value is required for action {action}")
            continue
        for opt_name, numbers in _parse_row(row):
            if not _check_numbers(row, numbers):
                break
            if opt_name in seen:
                row.fail("option", f"the option {opt_name} is named twice")
                break
            seen.add(opt_name)
            if action == "combine":
                combos.append((row, opt_name, numbers))
                continue
            if action == "none":
                if baseline is not None:
                    row.fail("action", f"only one baseline (action none) is allowed; line {baseline.line} is one")
                    break
                rooms = (ColdRoom(numbers["intake_kg"]),) if "intake_kg" in numbers else ()
                baseline = Option(opt_name, rooms, (), row.line, row.text("notes"))
                continue
            change, units = _change(row, action, numbers, scenario)
            if change is None:
                break
            inv = _investment(numbers, units)
            options[opt_name] = Option(
                opt_name, (change,), (inv,) if inv else (), row.line, row.text("notes"), (opt_name,)
            )
    for row, opt_name, numbers in combos:
        names = tuple(n.strip() for n in row.text("combine").split("+") if n.strip())
        unknown = [n for n in names if n not in options]
        if unknown or len(names) < 2:
            what = f"unknown option(s): {', '.join(unknown)}" if unknown else "name at least two options"
            row.fail("combine", f"{what}; the options are: {', '.join(options)}")
            continue
        parts = [options[n] for n in names]
        changes = tuple(c for p in parts for c in p.changes)
        extra = _investment(numbers, 1)
        investments = tuple(i for p in parts for i in p.investments) + ((extra,) if extra else ())
        options[opt_name] = Option(opt_name, changes, investments, row.line, row.text("notes"), names)
    if problems:
        raise InputError(problems)
    if baseline is None:
        baseline = Option("baseline", (), (), None, "do nothing (added)")
    limit = baseline.intake_kg
    if limit is not None:  # the current cold store's limit holds for every option without a room
        options = {
            n: o if o.intake_kg is not None else replace(o, changes=(*o.changes, ColdRoom(limit)))
            for n, o in options.items()
        }
    return [baseline, *options.values()]
