"""Rules on the shape of ``routes.csv``: who drives, which points, in which order, described how.

Each used truck has rows ``stop_seq`` = 0 (leaving the hub), 1..n (its stops, n >= 1), n+1
(back at the hub), each once; every stop is a known site other than the hub, visited by one
truck at most once in the whole plan (with split visits, at most once by each truck); the
names, kinds, owner and payloads written beside them are the scenario's; the cells each kind
of row needs are filled, and the hub rows leave empty what does not happen there (no arrival
before leaving, no service, no departure after return).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from coldchain.check.context import TOL_KG, Context, close, run_key
from coldchain.check.rules import at, rule
from coldchain.check.violation import Finding

_ALL_ROWS = (
    "vehicle_id",
    "site_id",
    "stop_seq",
    "km_from_prev",
    "parcels_dropped",
    "parcel_kg_dropped",
    "kg_picked",
    "load_kg",
    "reefer_load_kg",
    "capacity_kg",
    "reefer_capacity_kg",
)
_OUT_ROW = ("departure_min",)
_STOP_ROW = ("arrival_min", "service_start_min", "departure_min")
_BACK_ROW = ("arrival_min",)


@rule("routes.vehicle_known")
def vehicle_known(ctx: Context) -> Iterator[Finding]:
    """Every truck in routes.csv is a vehicle of the scenario."""
    for rows in ctx.by_vehicle.values():
        vid = rows[0]["vehicle_id"]
        if vid and vid not in ctx.vehicles:
            yield at(rows[0], "vehicle_id", f"{vid!r} is not a vehicle of the scenario")


@rule("routes.stop_sequence")
def stop_sequence(ctx: Context) -> Iterator[Finding]:
    """Each truck's stop_seq runs 0, 1, ..., n+1, each once, with at least one stop."""
    for vid, rows in ctx.by_vehicle.items():
        seqs = [r["stop_seq"] for r in rows if r["stop_seq"] is not None]
        counts = Counter(seqs)
        for r in rows:
            if r["stop_seq"] is not None and counts[r["stop_seq"]] > 1:
                yield at(r, "stop_seq", f"truck {vid} has stop_seq {r['stop_seq']} {counts[r['stop_seq']]} times")
                counts[r["stop_seq"]] = 1  # once per duplicate
        missing = sorted(set(range(len(rows))) - set(seqs))
        if missing or len(set(seqs)) != len(rows):
            yield at(
                rows[0],
                "stop_seq",
                f"truck {vid}'s stop_seq must run 0..{len(rows) - 1} once each (got {sorted(seqs)})",
            )
        elif len(rows) < 3:
            yield at(rows[0], None, f"truck {vid} has {len(rows)} rows: a run leaves the hub, makes stops and returns")


@rule("routes.hub_ends")
def hub_ends(ctx: Context) -> Iterator[Finding]:
    """A run starts (stop_seq 0) and ends (the last stop_seq) at the hub."""
    hub = ctx.hub.site_id
    for vid, rows in ctx.by_vehicle.items():
        seqs = [r["stop_seq"] for r in rows]
        if None in seqs or len(rows) < 2:
            continue
        first = min(rows, key=lambda r: r["stop_seq"])
        last = max(rows, key=lambda r: r["stop_seq"])
        for r, what in ((first, "leaves from"), (last, "returns to")):
            if r["site_id"] != hub:
                yield at(r, "site_id", f"truck {vid} {what} {r['site_id']!r}, not the hub {hub}")


@rule("routes.site_known")
def site_known(ctx: Context) -> Iterator[Finding]:
    """Every stop between leaving and returning is a known site other than the hub."""
    hub = ctx.hub.site_id
    for vid, rows in ctx.by_vehicle.items():
        seqs = [r["stop_seq"] for r in rows if r["stop_seq"] is not None]
        if not seqs:
            continue
        lo, hi = min(seqs), max(seqs)
        for r in rows:
            if r["stop_seq"] in (None, lo, hi):
                continue
            if r["site_id"] == hub:
                yield at(r, "site_id", f"truck {vid} stops at the hub mid-run (one round trip per truck)")
            elif r["site_id"] not in ctx.sites:
                yield at(r, "site_id", f"{r['site_id']!r} is not a site of the scenario")


@rule("routes.site_once")
def site_once(ctx: Context) -> Iterator[Finding]:
    """Each service point is a stop at most once in the whole plan; with split visits
    (``[rules] split_visits``), at most once per truck (one visit, one service time)."""
    for sid, rows in ctx.visits.items():
        if ctx.split_visits:
            firsts: dict[str, object] = {}
            for r in rows:
                first = firsts.setdefault(run_key(r), r)
                if first is not r:
                    yield at(r, "site_id", f"{sid} is visited twice by {r['vehicle_id']} (also at line {first.line})")
            continue
        for r in rows[1:]:
            yield at(
                r,
                "site_id",
                f"{sid} is visited {len(rows)} times (also by {rows[0]['vehicle_id']} at line {rows[0].line}); "
                "split visits are not allowed (scenario.toml [rules] split_visits = false)",
            )


@rule("routes.site_details")
def site_details(ctx: Context) -> Iterator[Finding]:
    """site_name and kind are the scenario's for the row's site."""
    for r in ctx.route_rows:
        site = ctx.sites.get(r["site_id"])
        if site is None:
            continue
        for column, want in (("site_name", site.name), ("kind", site.kind)):
            if ctx.plan.has_column(r.file, column) and r[column] != want:
                yield at(r, column, f"{site.site_id}'s {column} is {want!r}, the table says {r[column]!r}")


@rule("routes.truck_details")
def truck_details(ctx: Context) -> Iterator[Finding]:
    """owner, capacity_kg (dry + reefer) and reefer_capacity_kg are the scenario's for the truck."""
    for r in ctx.route_rows:
        v = ctx.vehicles.get(r["vehicle_id"])
        if v is None:
            continue
        if ctx.plan.has_column(r.file, "owner") and r["owner"] != v.owner:
            yield at(r, "owner", f"{v.vehicle_id} belongs to {v.owner!r}, the table says {r['owner']!r}")
        for column, want in (("capacity_kg", v.capacity_kg), ("reefer_capacity_kg", v.reefer_capacity_kg)):
            if not close(r[column], want, TOL_KG):
                yield at(r, column, f"{v.vehicle_id} has {want:g} kg, the table says {r[column]:g}")


@rule("routes.empty_cell")
def empty_cell(ctx: Context) -> Iterator[Finding]:
    """The cells a row needs are filled: times, km, parcels, kg and loads by the row's role."""
    for rows in ctx.by_vehicle.values():
        seqs = [r["stop_seq"] for r in rows if r["stop_seq"] is not None]
        lo, hi = (min(seqs), max(seqs)) if seqs else (None, None)
        for r in rows:
            role = _OUT_ROW if r["stop_seq"] == lo else _BACK_ROW if r["stop_seq"] == hi else _STOP_ROW
            for column in _ALL_ROWS + role:
                value = r[column]
                if (value is None or value == "") and not ctx.plan.reported(r, column):
                    yield at(r, column, "empty, but this row needs it")


@rule("routes.hub_rows")
def hub_rows(ctx: Context) -> Iterator[Finding]:
    """Leaving the hub has no arrival or service time; returning has no service or departure time."""
    for t in ctx.trucks.values():
        out, back = t.rows[0], t.rows[-1]
        for r, columns in ((out, ("arrival_min", "service_start_min")), (back, ("service_start_min", "departure_min"))):
            for column in columns:
                if r[column] is not None:
                    yield at(
                        r, column, f"must be empty at the hub ({'leaving' if r is out else 'back'}), got {r[column]:g}"
                    )
