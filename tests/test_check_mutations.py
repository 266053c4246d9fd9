"""The checker cannot be fooled: the sample's written plan, broken one rule at a time, never passes.

The sample day is planned once per session (20 s, HiGHS, one thread) and written. Each mutant
copies that folder and changes the files the way a bug, a hand edit or a cut-off copy would:
one cell, a row dropped or doubled, a column removed, a number replaced by text, a file cut
short or deleted, or a consistent change that breaks a rule of the model (a truck's timetable
shifted past a deadline, an order moved onto a full truck, chilled produce switched to dry).
Each must give at least one violation, and one of the rule the mutant breaks; a few go through
``coldchain check`` (exit 5, the rule's name on stderr). Every rule the checker knows has at
least one mutant (`test_every_rule_has_a_mutant`).

The plan found within 20 s may differ from run to run, so each mutant picks its rows from the
plan it breaks (`Facts`: the truck with the most stops, the first served order, ...), never by
fixed ids.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import Table, edit

from coldchain import PlanOptions, SolveOptions, plan_day, read_scenario, write_plan
from coldchain.check import RULE_NAMES, check_folder
from coldchain.scenario.timefmt import clock

REPO = Path(__file__).parent.parent


# --- editing a written plan ------------------------------------------------------------------


def edit_kpis(folder: Path, fn: Callable[[dict], None]) -> None:
    path = folder / "kpis.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


class Facts:
    """What the mutants need to know about the plan they break (read from its tables, so the
    mutants hold for whichever plan the solver finds within its time limit)."""

    def __init__(self, folder: Path, scenario):
        def rows(name: str) -> list[dict]:
            text = (folder / name).read_text(encoding="utf-8-sig")
            return list(csv.DictReader(io.StringIO(text, newline="")))

        self.scenario = scenario
        routes = rows("routes.csv")
        self.runs: dict[str, list[dict]] = {}
        for r in routes:
            self.runs.setdefault(r["vehicle_id"], []).append(r)
        self.busy = max(self.runs, key=lambda v: len(self.runs[v]))  # the truck with the most stops
        self.stops = self.runs[self.busy][1:-1]
        orders = rows("orders.csv")
        self.served = [o for o in orders if o["status"] == "served"]
        self.unserved = [o for o in orders if o["status"] == "unserved"]
        self.delivered = [d for d in rows("deliveries.csv") if d["status"] == "delivered"]
        sites = {x.site_id: x for x in scenario.sites}
        self.sites = sites
        self.vehicles = {v.vehicle_id: v for v in scenario.vehicles}
        parcel_sites = {p.site_id for p in scenario.parcels}
        self.parcel_stop = next(r for r in self.stops if r["site_id"] in parcel_sites)
        # a served order whose truck also stops elsewhere (the mutants move it to another stop)
        self.order = next(
            (o for o in self.served if len({r["site_id"] for r in self.runs[o["vehicle_id"]][1:-1]}) > 1),
            self.served[0],
        )

    def seq(self, k: int) -> str:
        return self.stops[k]["stop_seq"]

    def ready(self, o: dict) -> float:
        from coldchain.scenario.freshness import all_order_terms

        return all_order_terms(self.scenario)[o["order_id"]].ready_min

    def deadline(self, o: dict) -> float:
        from coldchain.scenario.freshness import all_order_terms

        return all_order_terms(self.scenario)[o["order_id"]].deadline_min

    def out_of_cold_limit(self, o: dict) -> float:
        from coldchain.scenario.freshness import all_order_terms

        t = all_order_terms(self.scenario)[o["order_id"]]
        return t.max_out_of_cold_min if t.chilled else float("inf")


SCENARIO = read_scenario(REPO / "inputs")
Mutant = Callable[[Path, Facts], None]


def shift_truck(folder: Path, vid: str, minutes: float) -> None:
    """Move a truck's whole timetable by ``minutes``, consistently in all three tables."""
    r = Table(folder / "routes.csv")
    for i in r.where(vehicle_id=vid):
        for name in ("arrival", "service_start", "departure"):
            if r.get(i, f"{name}_min"):
                r.set(i, f"{name}_min", r.num(i, f"{name}_min") + minutes)
                r.set(i, name, clock(r.num(i, f"{name}_min")))
    r.save()
    o = Table(folder / "orders.csv")
    for i in o.where(vehicle_id=vid):
        for name in ("pickup", "hub_arrival"):
            o.set(i, f"{name}_min", o.num(i, f"{name}_min") + minutes)
        o.set(i, "pickup_time", clock(o.num(i, "pickup_min")))
        o.set(i, "hub_arrival", clock(o.num(i, "hub_arrival_min")))
        o.set(i, "freshness_h_left", round(o.num(i, "freshness_h_left") - minutes / 60, 2))
    o.save()
    d = Table(folder / "deliveries.csv")
    stops = {r.get(i, "stop_seq"): r.get(i, "service_start") for i in r.where(vehicle_id=vid)}
    for i in d.where(vehicle_id=vid):
        d.set(i, "arrival", stops[d.get(i, "stop_seq")])
    d.save()


def _shift(pick: Callable[[Facts], tuple[str, float]]) -> Mutant:
    def mutate(folder: Path, f: Facts) -> None:
        shift_truck(folder, *pick(f))

    return mutate


def _past_closing(f: Facts) -> tuple[str, float]:
    slack = min(f.sites[r["site_id"]].close_time - float(r["departure_min"]) for r in f.stops)
    return f.busy, slack + 10


def _before_opening(f: Facts) -> tuple[str, float]:
    slack = min(float(r["service_start_min"]) - f.sites[r["site_id"]].open_time for r in f.stops)
    return f.busy, -(slack + 10)


def _before_shift(f: Facts) -> tuple[str, float]:
    v = f.vehicles[f.busy]
    earliest = max(v.shift_start, SCENARIO.hub.open_time)
    return f.busy, -(float(f.runs[f.busy][0]["departure_min"]) - earliest + 10)


def _after_shift(f: Facts) -> tuple[str, float]:
    v = f.vehicles[f.busy]
    latest = min(v.shift_end, SCENARIO.hub.close_time)
    return f.busy, latest - float(f.runs[f.busy][-1]["arrival_min"]) + 10


def _before_ready(f: Facts) -> tuple[str, float]:
    o = min(f.served, key=lambda o: float(o["pickup_min"]) - f.ready(o))
    return o["vehicle_id"], -(float(o["pickup_min"]) - f.ready(o) + 20)


def _past_deadline(f: Facts) -> tuple[str, float]:
    o = min(f.served, key=lambda o: f.deadline(o) - float(o["hub_arrival_min"]))
    return o["vehicle_id"], f.deadline(o) - float(o["hub_arrival_min"]) + 20


def _cold_order(f: Facts) -> str:
    """A served reefer order whose ride back is longer than it may spend out of the cold."""
    return next(
        o["order_id"]
        for o in f.served
        if o["compartment"] == "reefer"
        and float(o["hub_arrival_min"]) - float(o["pickup_min"]) > f.out_of_cold_limit(o) + 1
    )


def _merge_runs(folder: Path, f: Facts) -> None:
    """Every stop of every run moved onto the busy truck (as written, times and loads untouched):
    the truck now carries every parcel and every served order."""
    r = Table(folder / "routes.csv")
    keep = [row for row in r.rows if row[r.col("vehicle_id")] == f.busy]
    moved = [
        row for row in r.rows if row[r.col("vehicle_id")] != f.busy and row[r.col("site_id")] != SCENARIO.hub.site_id
    ]
    new_seq: dict[tuple[str, str], str] = {}
    body = keep[:-1]
    for row in moved:
        new_seq[(row[r.col("vehicle_id")], row[r.col("stop_seq")])] = str(len(body))
        row = list(row)
        row[r.col("vehicle_id")] = f.busy
        row[r.col("stop_seq")] = str(len(body))
        body.append(row)
    back = list(keep[-1])
    back[r.col("stop_seq")] = str(len(body))
    r.rows = [*body, back]
    r.save()
    for name in ("orders.csv", "deliveries.csv"):
        t = Table(folder / name)
        for i, row in enumerate(t.rows):
            key = (row[t.col("vehicle_id")], row[t.col("stop_seq")].split(".")[0])
            if key in new_seq:
                t.set(i, "vehicle_id", f.busy)
                t.set(i, "stop_seq", new_seq[key])
        t.save()


def drop_stop(folder: Path, vid: str, site_id: str) -> None:
    """Take a stop out of a run, renumbering the rest (the run stays well formed)."""
    r = Table(folder / "routes.csv")
    j = r.one(vehicle_id=vid, site_id=site_id)
    seq = int(r.get(j, "stop_seq"))
    del r.rows[j]
    for k in r.where(vehicle_id=vid):
        if int(r.get(k, "stop_seq")) > seq:
            r.set(k, "stop_seq", str(int(r.get(k, "stop_seq")) - 1))
    r.save()


def _val(x, f: Facts):
    return x(f) if callable(x) else x


def _cell(name: str, column: str, value: object, **where) -> Mutant:
    """Set one cell of the first row matching ``where`` (values may be functions of the facts)."""

    def mutate(folder: Path, f: Facts) -> None:
        eq = {k: _val(v, f) for k, v in where.items()}
        edit(folder, name, lambda t: t.set(t.where(**eq)[0], column, _val(value, f)))

    return mutate


def _add(name: str, column: str, delta: float, **where) -> Mutant:
    def mutate(folder: Path, f: Facts) -> None:
        eq = {k: _val(v, f) for k, v in where.items()}

        def change(t: Table) -> None:
            i = t.where(**eq)[0]
            t.set(i, column, t.num(i, column) + delta)

        edit(folder, name, change)

    return mutate


def _kpi(key: str, value: object) -> Mutant:
    return lambda folder, f: edit_kpis(folder, lambda d: d.__setitem__(key, value))


def _kpi_add(key: str, delta: float) -> Mutant:
    return lambda folder, f: edit_kpis(folder, lambda d: d.__setitem__(key, d[key] + delta))


def _rows(name: str, fn: Callable[[list, Facts], list]) -> Mutant:
    def mutate(folder: Path, f: Facts) -> None:
        def change(t: Table) -> None:
            t.rows = fn(t.rows, f)

        edit(folder, name, change)

    return mutate


def _raw(name: str, fn: Callable[[bytes], bytes]) -> Mutant:
    def mutate(folder: Path, f: Facts) -> None:
        path = folder / name
        path.write_bytes(fn(path.read_bytes()))

    return mutate


def _delete(name: str) -> Mutant:
    return lambda folder, f: (folder / name).unlink()


def _drop_column(name: str, column: str) -> Mutant:
    def mutate(folder: Path, f: Facts) -> None:
        def change(t: Table) -> None:
            k = t.col(column)
            t.header = t.header[:k] + t.header[k + 1 :]
            t.rows = [r[:k] + r[k + 1 :] for r in t.rows]

        edit(folder, name, change)

    return mutate


def _truncate_mid_row(name: str) -> Mutant:
    return _raw(name, lambda b: b[: b.rstrip(b"\n").rfind(b"\n") + 25])


BUSY = lambda f: f.busy  # noqa: E731
STOP1 = lambda f: f.seq(0)  # noqa: E731
STOP2 = lambda f: f.seq(1)  # noqa: E731
LAST = lambda f: f.runs[f.busy][-1]["stop_seq"]  # noqa: E731
ORDER = lambda f: f.order["order_id"]  # noqa: E731
UNSERVED = lambda f: f.unserved[0]["order_id"]  # noqa: E731
PARCEL_SITE = lambda f: f.parcel_stop["site_id"]  # noqa: E731
DELIVERED_SITE = lambda f: f.delivered[0]["site_id"]  # noqa: E731


def _left_off_with_room(folder: Path, f: Facts) -> None:
    """A served order written as unserved for want of room: its truck still stops at its point
    after it is ready, is back before its deadline, and now has its kg free."""

    def change(t: Table) -> None:
        i = t.one(order_id=f.order["order_id"])
        for column in ("vehicle_id", "stop_seq", "pickup_time", "pickup_min", "hub_arrival", "hub_arrival_min"):
            t.set(i, column, "")
        for column in ("compartment", "hours_out_of_cold", "freshness_h_left"):
            t.set(i, column, "")
        t.set(i, "status", "unserved")
        t.set(i, "reason", "no truck can take it: no room for it")
        t.set(i, "reason_code", "no_room")

    edit(folder, "orders.csv", change)


def _is(row: list, f: Facts, seq) -> bool:
    return row[0] == f.busy and row[2] == _val(seq, f)


def _other_stop(f: Facts) -> str:
    """A stop of the order's truck at another site than the order's."""
    run = f.runs[f.order["vehicle_id"]]
    return next(r["stop_seq"] for r in run[1:-1] if r["site_id"] != f.order["site_id"])


def _other_truck(f: Facts) -> str:
    return next(v for v in f.runs if v != f.delivered[0]["vehicle_id"])


def _idle_truck(f: Facts) -> str:
    return next((v for v in f.vehicles if v not in f.runs), "X9")


def _overfill_reefer(folder: Path, f: Facts) -> None:
    """Every served order of a truck with less reefer space than it picks up put in reefer space."""
    vid = next(
        v
        for v in f.runs
        if sum(float(o["quantity_kg"]) for o in f.served if o["vehicle_id"] == v) > f.vehicles[v].reefer_capacity_kg
    )

    def change(t: Table) -> None:
        for i in t.where(vehicle_id=vid, status="served"):
            t.set(i, "compartment", "reefer")

    edit(folder, "orders.csv", change)


# Each mutant: (id, rule it must trip, how).
MUTANTS: list[tuple[str, str, Mutant]] = [
    # --- the files themselves
    ("routes.csv deleted", "read.missing_file", _delete("routes.csv")),
    ("orders.csv deleted", "read.missing_file", _delete("orders.csv")),
    ("deliveries.csv deleted", "read.missing_file", _delete("deliveries.csv")),
    ("kpis.json deleted", "read.missing_file", _delete("kpis.json")),
    ("orders.csv not UTF-8", "read.unreadable", _raw("orders.csv", lambda b: b.replace(b"\n", b"\n\xff\xfe", 1))),
    ("unclosed quote in routes.csv", "read.unreadable", _raw("routes.csv", lambda b: b.replace(b"\n", b'\n"', 1))),
    ("kpis.json not JSON", "read.unreadable", _raw("kpis.json", lambda b: b.replace(b":", b"=", 1))),
    ("routes.csv cut mid-row", "read.truncated", _truncate_mid_row("routes.csv")),
    ("routes.csv cut mid-row, a short row", "read.row_shape", _truncate_mid_row("routes.csv")),
    ("deliveries.csv cut mid-row", "read.truncated", _truncate_mid_row("deliveries.csv")),
    ("kpis.json cut short", "read.truncated", _raw("kpis.json", lambda b: b[: len(b) // 2])),
    ("orders.csv empty", "read.header", _raw("orders.csv", lambda b: b"")),
    ("a column named twice", "read.header", _raw("routes.csv", lambda b: b.replace(b"site_name", b"site_id", 1))),
    ("load_kg column removed", "read.missing_column", _drop_column("routes.csv", "load_kg")),
    ("status column removed from orders.csv", "read.missing_column", _drop_column("orders.csv", "status")),
    ("weight_kg column removed", "read.missing_column", _drop_column("deliveries.csv", "weight_kg")),
    ("an extra cell in a row", "read.row_shape", _raw("deliveries.csv", lambda b: b.replace(b"\n", b",x\n", 2))),
    (
        "text for km",
        "read.not_a_number",
        _cell("routes.csv", "km_from_prev", "twelve", vehicle_id=BUSY, stop_seq=STOP2),
    ),
    ("nan for a load", "read.not_a_number", _cell("routes.csv", "load_kg", "nan", vehicle_id=BUSY, stop_seq=STOP1)),
    ("inf for a quantity", "read.not_a_number", _cell("orders.csv", "quantity_kg", "inf", order_id=ORDER)),
    ("1e309 for a pickup time", "read.not_a_number", _cell("orders.csv", "pickup_min", "1e309", order_id=ORDER)),
    (
        "NaN in kpis.json",
        "read.not_a_number",
        _raw("kpis.json", lambda b: b.replace(b'"km": ', b'"km": NaN, "x": ', 1)),
    ),
    ("half a parcel", "read.not_whole", _cell("routes.csv", "parcels_dropped", "2.5", vehicle_id=BUSY, stop_seq=STOP1)),
    # --- the shape of the runs
    (
        "a truck that does not exist",
        "routes.vehicle_known",
        _rows("routes.csv", lambda rs, f: [[("X9" if c == f.busy else c) for c in r] for r in rs]),
    ),
    (
        "a stop row dropped",
        "routes.stop_sequence",
        _rows("routes.csv", lambda rs, f: [r for r in rs if not _is(r, f, STOP2)]),
    ),
    (
        "a stop row doubled",
        "routes.stop_sequence",
        _rows("routes.csv", lambda rs, f: rs + [next(r for r in rs if _is(r, f, STOP2))]),
    ),
    (
        "the return row dropped",
        "routes.hub_ends",
        _rows("routes.csv", lambda rs, f: [r for r in rs if not _is(r, f, LAST)]),
    ),
    (
        "a run ends away from the hub",
        "routes.hub_ends",
        _cell("routes.csv", "site_id", PARCEL_SITE, vehicle_id=BUSY, stop_seq=LAST),
    ),
    (
        "an unknown site",
        "routes.site_known",
        _cell("routes.csv", "site_id", "NOWHERE", vehicle_id=BUSY, stop_seq=STOP2),
    ),
    (
        "the hub mid-run",
        "routes.site_known",
        _cell("routes.csv", "site_id", SCENARIO.hub.site_id, vehicle_id=BUSY, stop_seq=STOP2),
    ),
    (
        "a site visited twice",
        "routes.site_once",
        _cell("routes.csv", "site_id", lambda f: f.stops[0]["site_id"], vehicle_id=BUSY, stop_seq=STOP2),
    ),
    (
        "a site's name changed",
        "routes.site_details",
        _cell("routes.csv", "site_name", "某村", vehicle_id=BUSY, stop_seq=STOP1),
    ),
    (
        "a site's kind changed",
        "routes.site_details",
        _cell("routes.csv", "kind", "hub", vehicle_id=BUSY, stop_seq=STOP1),
    ),
    ("a truck's payload raised", "routes.truck_details", _cell("routes.csv", "capacity_kg", 3000.0, vehicle_id=BUSY)),
    ("a truck's owner changed", "routes.truck_details", _cell("routes.csv", "owner", "京东", vehicle_id=BUSY)),
    (
        "an arrival left empty",
        "routes.empty_cell",
        _cell("routes.csv", "arrival_min", "", vehicle_id=BUSY, stop_seq=STOP2),
    ),
    (
        "a service time at the hub",
        "routes.hub_rows",
        _cell("routes.csv", "service_start_min", 300.0, vehicle_id=BUSY, stop_seq="0"),
    ),
    # --- legs
    ("a leg's km altered", "legs.km", _add("routes.csv", "km_from_prev", 0.5, vehicle_id=BUSY, stop_seq=STOP2)),
    ("km leaving the hub", "legs.km", _cell("routes.csv", "km_from_prev", 3.0, vehicle_id=BUSY, stop_seq="0")),
    (
        "an arrival 5 min late",
        "legs.travel_time",
        _add("routes.csv", "arrival_min", 5, vehicle_id=BUSY, stop_seq=STOP2),
    ),
    (
        "a leg driven too fast",
        "legs.travel_time",
        _add("routes.csv", "arrival_min", -3, vehicle_id=BUSY, stop_seq=LAST),
    ),
    # --- times
    ("leaving before the shift", "times.shift_start", _shift(_before_shift)),
    ("back after the shift", "times.shift_end", _shift(_after_shift)),
    (
        "service before arrival",
        "times.service_after_arrival",
        _add("routes.csv", "service_start_min", -2, vehicle_id=BUSY, stop_seq=STOP2),
    ),
    ("times shifted past closing", "times.opening_hours", _shift(_past_closing)),
    ("service before opening", "times.opening_hours", _shift(_before_opening)),
    (
        "leaving before service ends",
        "times.departure_after_service",
        _add("routes.csv", "departure_min", -5, vehicle_id=BUSY, stop_seq=STOP2),
    ),
    (
        "a clock text wrong",
        "times.clock_text",
        _cell("routes.csv", "arrival", "00:01", vehicle_id=BUSY, stop_seq=STOP2),
    ),
    (
        "an order's hub arrival text wrong",
        "times.clock_text",
        _cell("orders.csv", "hub_arrival", "00:01", order_id=ORDER),
    ),
    (
        "a delivery's arrival text wrong",
        "times.clock_text",
        _cell("deliveries.csv", "arrival", "00:01", site_id=DELIVERED_SITE),
    ),
    # --- loads
    ("kg picked altered", "loads.kg_picked", _add("routes.csv", "kg_picked", 10, vehicle_id=BUSY, stop_seq=STOP1)),
    ("a load altered", "loads.on_board", _add("routes.csv", "load_kg", -100, vehicle_id=BUSY, stop_seq=STOP1)),
    (
        "a reefer load altered",
        "loads.reefer_on_board",
        _add("routes.csv", "reefer_load_kg", 50, vehicle_id=BUSY, stop_seq=STOP1),
    ),
    ("load pushed over capacity (every run on one truck)", "loads.capacity", _merge_runs),
    ("reefer space overfilled", "loads.reefer_capacity", _overfill_reefer),
    ("an order switched to reefer", "loads.reefer_on_board", _overfill_reefer),
    # --- parcels and deliveries
    (
        "parcels dropped altered",
        "parcels.dropped",
        _add("routes.csv", "parcels_dropped", 1, vehicle_id=BUSY, site_id=PARCEL_SITE),
    ),
    (
        "parcel kg altered",
        "parcels.dropped",
        _add("routes.csv", "parcel_kg_dropped", 1, vehicle_id=BUSY, site_id=PARCEL_SITE),
    ),
    (
        "parcels at the hub",
        "parcels.dropped",
        _cell("routes.csv", "parcels_dropped", "5", vehicle_id=BUSY, stop_seq="0"),
    ),
    ("a parcel stop left out", "parcels.delivered_once", lambda d, f: drop_stop(d, f.busy, f.parcel_stop["site_id"])),
    ("rows removed from deliveries.csv", "deliveries.rows", _rows("deliveries.csv", lambda rs, f: rs[3:])),
    ("a deliveries row doubled", "deliveries.rows", _rows("deliveries.csv", lambda rs, f: rs + rs[:1])),
    (
        "an unknown company's parcels",
        "deliveries.rows",
        _cell("deliveries.csv", "company", "DHL", site_id=DELIVERED_SITE),
    ),
    (
        "a delivery's weight altered",
        "deliveries.figures",
        _add("deliveries.csv", "weight_kg", 2, site_id=DELIVERED_SITE),
    ),
    (
        "a delivery's count altered",
        "deliveries.figures",
        _cell("deliveries.csv", "parcel_count", "999", site_id=DELIVERED_SITE),
    ),
    (
        "a visited site's parcels not planned",
        "deliveries.status",
        _cell("deliveries.csv", "status", "not planned", site_id=DELIVERED_SITE),
    ),
    (
        "a delivery status invented",
        "deliveries.status",
        _cell("deliveries.csv", "status", "lost", site_id=DELIVERED_SITE),
    ),
    (
        "a delivery on the wrong truck",
        "deliveries.truck",
        _cell("deliveries.csv", "vehicle_id", _other_truck, site_id=DELIVERED_SITE),
    ),
    (
        "a delivery at the wrong stop",
        "deliveries.truck",
        _cell("deliveries.csv", "stop_seq", "99", site_id=DELIVERED_SITE),
    ),
    # --- orders
    (
        "an order row dropped",
        "orders.listed_once",
        _rows("orders.csv", lambda rs, f: [r for r in rs if r[0] != UNSERVED(f)]),
    ),
    (
        "an order row doubled",
        "orders.listed_once",
        _rows("orders.csv", lambda rs, f: rs + [next(r for r in rs if r[0] == ORDER(f))]),
    ),
    ("an order invented", "orders.listed_once", _cell("orders.csv", "order_id", "LZ-999", order_id=UNSERVED)),
    ("an order's kg altered", "orders.details", _add("orders.csv", "quantity_kg", -50, order_id=ORDER)),
    (
        "an order's ready time altered",
        "orders.details",
        _cell("orders.csv", "ready_at", "2026-06-15 05:00", order_id=ORDER),
    ),
    (
        "an order's deadline altered",
        "orders.details",
        _cell("orders.csv", "deadline", "2026-06-19 07:00", order_id=ORDER),
    ),
    ("an order's value altered", "orders.details", _add("orders.csv", "value_cny", -1000, order_id=UNSERVED)),
    ("an order's site altered", "orders.details", _cell("orders.csv", "site_id", PARCEL_SITE, order_id=UNSERVED)),
    ("an order's status invented", "orders.status", _cell("orders.csv", "status", "maybe", order_id=UNSERVED)),
    ("a served order without its truck", "orders.empty_cell", _cell("orders.csv", "vehicle_id", "", order_id=ORDER)),
    (
        "an unserved order with a truck",
        "orders.unserved_blank",
        _cell("orders.csv", "vehicle_id", BUSY, order_id=UNSERVED),
    ),
    ("an unserved order without a reason", "orders.reason", _cell("orders.csv", "reason", "", order_id=UNSERVED)),
    ("a served order marked unserved", "orders.reason", _cell("orders.csv", "status", "unserved", order_id=ORDER)),
    (
        "a reason code invented",
        "orders.reason_code",
        _cell("orders.csv", "reason_code", "bad_luck", order_id=UNSERVED),
    ),
    ("a reason code dropped", "orders.reason_code", _cell("orders.csv", "reason_code", "", order_id=UNSERVED)),
    (
        "a light order called too heavy",
        "orders.reason_true",
        _cell("orders.csv", "reason_code", "too_heavy", order_id=UNSERVED),
    ),
    (
        "an order called beyond the order cap on a small day",
        "orders.reason_true",
        _cell("orders.csv", "reason_code", "too_many_orders", order_id=UNSERVED),
    ),
    ("an order left off a truck that has room for it", "orders.reason_true", _left_off_with_room),
    (
        "an order blamed on fixed lines in a plan without them",
        "orders.reason_true",
        _cell("orders.csv", "reason_code", "line_limits", order_id=UNSERVED),
    ),
    (
        "an order the planner explained called unexplained",
        "orders.reason_true",
        _cell("orders.csv", "reason_code", "unexplained", order_id=UNSERVED),
    ),
    ("an order at another stop", "orders.on_a_stop", _cell("orders.csv", "stop_seq", _other_stop, order_id=ORDER)),
    ("an order at a hub row", "orders.on_a_stop", _cell("orders.csv", "stop_seq", "0", order_id=ORDER)),
    (
        "an order on a truck with no run",
        "orders.on_a_stop",
        _cell("orders.csv", "vehicle_id", _idle_truck, order_id=ORDER),
    ),
    ("a pickup time altered", "orders.pickup_time", _add("orders.csv", "pickup_min", 3, order_id=ORDER)),
    ("a pickup moved before ready time", "orders.ready", _shift(_before_ready)),
    ("a hub arrival altered", "orders.hub_arrival", _add("orders.csv", "hub_arrival_min", -20, order_id=ORDER)),
    ("a compartment invented", "orders.compartment", _cell("orders.csv", "compartment", "frozen", order_id=ORDER)),
    (
        "orders_picked emptied",
        "orders.picked_list",
        _cell(
            "routes.csv",
            "orders_picked",
            "",
            vehicle_id=lambda f: f.order["vehicle_id"],
            stop_seq=lambda f: f.order["stop_seq"].split(".")[0],
        ),
    ),
    (
        "orders_picked names another order",
        "orders.picked_list",
        _cell("routes.csv", "orders_picked", "X-1 1 kg", vehicle_id=BUSY, stop_seq=STOP1),
    ),
    # --- freshness
    ("times shifted past a deadline", "freshness.deadline", _shift(_past_deadline)),
    (
        "a reefer order switched to dry",
        "freshness.out_of_cold",
        _cell("orders.csv", "compartment", "dry", order_id=_cold_order),
    ),
    ("freshness left altered", "freshness.hours_left", _add("orders.csv", "freshness_h_left", 1, order_id=ORDER)),
    (
        "hours out of the cold for reefer produce",
        "freshness.hours_out_of_cold",
        _cell("orders.csv", "hours_out_of_cold", 0.5, order_id=_cold_order),
    ),
    # --- kpis
    ("a kpi removed", "kpis.fields", lambda d, f: edit_kpis(d, lambda k: k.pop("km"))),
    ("a kpi as text", "kpis.fields", _kpi("objective_cny", "6000")),
    ("the method as a number", "kpis.fields", _kpi("method", 5)),
    ("the date changed", "kpis.identity", _kpi("date", "2026-06-16")),
    ("a status invented", "kpis.status", _kpi("status", "perfect")),
    ("a plan called infeasible", "kpis.status", _kpi("status", "infeasible")),
    (
        "optimal without a bound",
        "kpis.status",
        lambda d, f: edit_kpis(d, lambda k: k.update(status="optimal", best_bound_cny=None, gap=None)),
    ),
    ("fixed cost changed", "kpis.costs", _kpi_add("cost_fixed_cny", -10)),
    ("driver cost changed", "kpis.costs", _kpi_add("cost_driver_cny", 0.05)),
    ("value lost changed", "kpis.costs", _kpi_add("value_lost_cny", -100)),
    ("total cost changed", "kpis.costs", _kpi_add("total_cost_cny", 1)),
    ("objective changed", "kpis.objective", _kpi_add("objective_cny", -50)),
    ("trucks used changed", "kpis.trucks", _kpi_add("trucks_used", -1)),
    ("km changed", "kpis.distance_and_hours", _kpi_add("km", -10)),
    ("driver hours changed", "kpis.distance_and_hours", _kpi_add("driver_hours", 1)),
    ("load factor changed", "kpis.distance_and_hours", _kpi_add("load_factor", 0.1)),
    ("parcels delivered changed", "kpis.parcels", _kpi_add("parcels_delivered", 10)),
    ("a missed stop invented", "kpis.parcels", _kpi("missed_parcel_stops", [SCENARIO.parcels[0].site_id])),
    ("orders served changed", "kpis.orders", _kpi_add("orders_served", 1)),
    ("kg to the cold store changed", "kpis.orders", _kpi_add("kg_to_cold_store", 100)),
    ("a bound above the plan", "kpis.bound", _kpi_add("best_bound_cny", 500)),
    ("a gap claimed closed", "kpis.gap", lambda d, f: edit_kpis(d, lambda k: k.update(gap=k["gap"] + 0.01))),
    ("a gap without a bound", "kpis.gap", _kpi("best_bound_cny", None)),
    ("runtime changed", "kpis.runtime", _kpi_add("runtime_s", 5)),
    # --- two tables at once, each consistent with the other
    (
        "a parcel stop dropped from both tables",
        "parcels.delivered_once",
        lambda d, f: (
            drop_stop(d, f.busy, f.parcel_stop["site_id"]),
            _rows("deliveries.csv", lambda rs, f: [r for r in rs if r[1] != f.parcel_stop["site_id"]])(d, f),
        ),
    ),
]
SCENARIO_MUTANTS = {"orders.must_serve"}  # the plan is unchanged, the scenario asks more (test below)
# a truck's trips ([rules] multiple_trips): the sample has one trip a truck; tests/test_trips.py
# breaks a multi-trip plan for each
TRIPS_MUTANTS = {"trips.allowed", "trips.numbering", "trips.overlap", "trips.reload"}
SAFETY_NET = {"check.rule_failed"}  # reported only when a rule itself fails: no table can cause it on purpose


@pytest.fixture(scope="session")
def sample_plan(tmp_path_factory) -> Path:
    """The sample day, planned once (20 s, one thread) and written."""
    result = plan_day(SCENARIO, PlanOptions(solve=SolveOptions(time_limit_s=20, threads=1)))
    assert result.has_routes
    out = tmp_path_factory.mktemp("sample") / "plan"
    write_plan(result, out, map_png=False)
    facts = Facts(out, SCENARIO)  # what the mutants rely on
    assert len(facts.stops) >= 2 and facts.unserved and len(facts.runs) >= 2
    return out


@pytest.fixture
def sample():
    return SCENARIO


@pytest.fixture
def copy(sample_plan, tmp_path) -> Path:
    dest = tmp_path / "plan"
    shutil.copytree(sample_plan, dest)
    return dest


@pytest.mark.integration
def test_the_written_plan_passes(sample, sample_plan):
    """The planner's own plan of the sample day keeps every rule, and kpis.json names the method
    that ran (auto gives the sample to the route method: it has 22 stops, at most 40)."""
    assert [str(v) for v in check_folder(sample, sample_plan)] == []
    assert json.loads((sample_plan / "kpis.json").read_text(encoding="utf-8"))["method"] == "routes"


@pytest.mark.integration
@pytest.mark.parametrize(("rule", "mutate"), [(m[1], m[2]) for m in MUTANTS], ids=[m[0] for m in MUTANTS])
def test_each_mutant_is_caught_by_its_rule(sample, copy, rule, mutate):
    """One defect per mutant; the checker reports it under the rule the defect breaks."""
    mutate(copy, Facts(copy, sample))
    found = check_folder(sample, copy)
    assert found, "the broken plan passed"
    assert rule in {v.rule for v in found}, [str(v) for v in found]
    assert "check.rule_failed" not in {v.rule for v in found}, [str(v) for v in found]


@pytest.mark.integration
def test_a_must_serve_order_left_unserved(copy):
    """Checked against the same day with one of its unserved orders marked must_serve, the plan
    breaks orders.must_serve."""
    oid = Facts(copy, SCENARIO).unserved[0]["order_id"]
    strict = SCENARIO.replace(
        orders=tuple(o.model_copy(update={"must_serve": True}) if o.order_id == oid else o for o in SCENARIO.orders)
    )
    assert "orders.must_serve" in {v.rule for v in check_folder(strict, copy)}


@pytest.mark.component
def test_an_order_an_idle_truck_could_fetch_is_not_called_out_of_reach(tmp_path):
    """Village V (30 min from the hub) has 100 kg of parcels; the pickup-only point P (30 min
    away, 10 min of service) has one 1 kg order worth 0.01 CNY. D1 drops V's parcels; fetching
    the order costs more than it is worth (10 min of service alone is 10 CNY at 60 CNY/h), so
    the plan leaves it out as not_worth, and D2 stays idle. D2 could fetch it alone (there at
    07:30, back at 08:10, deadline two days later), so calling it past its deadline, beyond every
    shift or short of reefer room breaks orders.reason_true; the true code passes."""
    from builders import build, order, parcels, product, site, solve_and_check, truck

    day = build(
        [site("V"), site("P", service_min=10)],
        {("H", "V"): 30, ("H", "P"): 30},
        [truck("D1"), truck("D2")],
        orders=[order("CHEAP", "P", 1, product="p")],
        parcel_lines=[parcels("V", 100)],
        products=[product("p", value=0.01)],
    )
    result, _ = solve_and_check(day, tmp_path)
    assert [r.vehicle_id for r in result.routes if r.seq] == ["D1"]
    out = tmp_path / "plan"
    assert Table(out / "orders.csv").get(0, "reason_code") == "not_worth"
    for code in ("deadline", "no_shift", "no_reefer_room"):
        edit(out, "orders.csv", lambda t, code=code: t.set(0, "reason_code", code))
        found = [v for v in check_folder(day, out) if v.rule == "orders.reason_true"]
        assert len(found) == 1 and "D2 can fetch it alone" in str(found[0]), code


@pytest.mark.component
def test_an_order_no_truck_can_take_is_not_called_search_stopped(tmp_path):
    """D1 (1,000 kg payload) drops V's parcels. HEAVY (1,500 kg) is heavier than any payload and
    LATE is ready at 21:00, after P closes at 20:00: the plan leaves both out, too_heavy and
    ready_after_close. Calling either search_stopped (it fits, the search stopped) breaks
    orders.reason_true, since no plan can serve it."""
    from builders import build, order, parcels, site, solve_and_check, truck

    day = build(
        [site("V"), site("P")],
        {("H", "V"): 30, ("H", "P"): 30},
        [truck("D1")],
        orders=[order("HEAVY", "P", 1500), order("LATE", "P", 10, ready="2026-06-15 21:00")],
        parcel_lines=[parcels("V", 100)],
    )
    solve_and_check(day, tmp_path)
    out = tmp_path / "plan"
    table = Table(out / "orders.csv")
    codes = {table.get(i, "order_id"): table.get(i, "reason_code") for i in (0, 1)}
    assert codes == {"HEAVY": "too_heavy", "LATE": "ready_after_close"}
    edit(out, "orders.csv", lambda t: [t.set(i, "reason_code", "search_stopped") for i in (0, 1)])
    found = sorted(str(v) for v in check_folder(day, out) if v.rule == "orders.reason_true")
    assert len(found) == 2, found
    assert "the true code is too_heavy" in found[0] + found[1]
    assert "the true code is ready_after_close" in found[0] + found[1]


@pytest.mark.component
def test_a_plan_from_outside_may_leave_orders_unexplained(tmp_path):
    """A plan given as routes (another solver's: kpis.json method null) leaves LZ-style orders
    'unexplained'; the checker accepts that code there, and only there."""
    from builders import build, order, parcels, site, truck

    from coldchain.output.report import write_plan
    from coldchain.planner.imported import plan_from_routes

    day = build(
        [site("V"), site("P")],
        {("H", "V"): 30, ("H", "P"): 30},
        [truck("D1")],
        orders=[order("LEFT", "P", 10)],
        parcel_lines=[parcels("V", 100)],
    )
    out = tmp_path / "plan"
    write_plan(plan_from_routes(day, [["V"]]), out, map_png=False)
    assert Table(out / "orders.csv").get(0, "reason_code") == "unexplained"
    assert [str(v) for v in check_folder(day, out)] == []


@pytest.mark.unit
def test_every_rule_has_a_mutant():
    """Each rule the checker knows (but its safety net) is the expected rule of some mutant."""
    covered = {m[1] for m in MUTANTS} | SCENARIO_MUTANTS | TRIPS_MUTANTS
    assert set(RULE_NAMES) - SAFETY_NET - covered == set()
    assert covered <= set(RULE_NAMES)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coldchain", *args], capture_output=True, text=True, cwd=REPO)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("rule", "mutate"),
    [
        ("deliveries.rows", _rows("deliveries.csv", lambda rs, f: rs[5:])),
        ("read.missing_file", _delete("kpis.json")),
        ("kpis.costs", _kpi_add("cost_distance_cny", 25)),
        ("read.not_a_number", _cell("routes.csv", "load_kg", "heavy", vehicle_id=BUSY, stop_seq=STOP1)),
        ("read.truncated", _truncate_mid_row("orders.csv")),
    ],
    ids=["rows removed", "kpis deleted", "cost changed", "text for a number", "truncated"],
)
def test_check_command_exits_5_naming_the_rule(copy, rule, mutate):
    """`coldchain check` prints each violation as an Error: line with its rule and place, exit 5."""
    mutate(copy, Facts(copy, SCENARIO))
    done = _cli("check", "inputs", str(copy))
    assert done.returncode == 5, done.stderr
    assert f"Error: {rule}: " in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.integration
def test_check_command_passes_the_written_plan(sample_plan):
    """The unmutated plan: exit 0 and the one-line verdict."""
    done = _cli("check", "inputs", str(sample_plan))
    assert done.returncode == 0, done.stderr
    assert "keeps every rule" in done.stdout
