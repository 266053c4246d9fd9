"""Rules on when things happen: the shift, opening hours, service, and the clock texts.

A truck leaves the hub no earlier than max(shift_start, hub opening) and is back no later than
min(shift_end, hub closing). At each stop service starts on or after arrival and within opening
hours, and must *finish* by closing: open <= start and start + service_min <= close; the truck
leaves after the service: departure >= start + service_min. The ``HH:MM`` columns show the
minutes beside them (`coldchain.scenario.timefmt.clock`); deliveries' ``arrival`` is the
stop's service start.
"""

from __future__ import annotations

from collections.abc import Iterator

from coldchain.check.context import TOL_MIN, Context
from coldchain.check.read import DELIVERIES_FILE, ORDERS_FILE, ROUTES_FILE
from coldchain.check.rules import at, rule
from coldchain.check.violation import Finding
from coldchain.scenario.timefmt import clock

_CLOCK_COLUMNS = {
    ROUTES_FILE: (("arrival", "arrival_min"), ("service_start", "service_start_min"), ("departure", "departure_min")),
    ORDERS_FILE: (("pickup_time", "pickup_min"), ("hub_arrival", "hub_arrival_min")),
}


@rule("times.shift_start")
def shift_start(ctx: Context) -> Iterator[Finding]:
    """The truck leaves the hub within its shift and the hub's opening hours."""
    for vid, t in ctx.trucks.items():
        earliest = max(t.vehicle.shift_start, ctx.hub.open_time)
        if t.depart is not None and t.depart < earliest - TOL_MIN:
            yield at(
                t.rows[0],
                "departure_min",
                f"truck {vid} leaves at {clock(t.depart)}, before {clock(earliest)} (shift start / hub opening)",
            )


@rule("times.shift_end")
def shift_end(ctx: Context) -> Iterator[Finding]:
    """The truck is back at the hub within its shift and before the hub closes."""
    for vid, t in ctx.trucks.items():
        latest = min(t.vehicle.shift_end, ctx.hub.close_time)
        if t.ret is not None and t.ret > latest + TOL_MIN:
            yield at(
                t.rows[-1],
                "arrival_min",
                f"truck {vid} is back at {clock(t.ret)}, after {clock(latest)} (shift end / hub closing)",
            )


@rule("times.service_after_arrival")
def service_after_arrival(ctx: Context) -> Iterator[Finding]:
    """Service at a stop starts on or after the truck's arrival."""
    for t in ctx.trucks.values():
        for r in t.stops:
            start, came = r["service_start_min"], r["arrival_min"]
            if start is not None and came is not None and start < came - TOL_MIN:
                yield at(
                    r,
                    "service_start_min",
                    f"service at {r['site_id']} starts at {start:.2f} min, before the arrival at {came:.2f}",
                )


@rule("times.opening_hours")
def opening_hours(ctx: Context) -> Iterator[Finding]:
    """Service starts after the point opens and finishes by its closing time."""
    for t in ctx.trucks.values():
        for r in t.stops:
            start = r["service_start_min"]
            if start is None:
                continue
            site = ctx.sites[r["site_id"]]
            end = start + site.service_min
            if start < site.open_time - TOL_MIN or end > site.close_time + TOL_MIN:
                yield at(
                    r,
                    "service_start_min",
                    f"service at {site.site_id} {clock(start)}-{clock(end)} is outside its hours "
                    f"{clock(site.open_time)}-{clock(site.close_time)}",
                )


@rule("times.departure_after_service")
def departure_after_service(ctx: Context) -> Iterator[Finding]:
    """The truck leaves a stop only after its service_min of service."""
    for t in ctx.trucks.values():
        for r in t.stops:
            start, leave = r["service_start_min"], r["departure_min"]
            if start is None or leave is None:
                continue
            need = start + ctx.sites[r["site_id"]].service_min
            if leave < need - TOL_MIN:
                yield at(
                    r, "departure_min", f"leaves {r['site_id']} at {leave:.2f} min, before service ends at {need:.2f}"
                )


def _shows(text: str, minutes: float | None) -> bool:
    if minutes is None:
        return text == ""
    # the minutes carry 4 decimals: a value a hair's breadth from a half minute may round either way
    return text in {clock(minutes), clock(minutes - 1e-3), clock(minutes + 1e-3)}


@rule("times.clock_text")
def clock_text(ctx: Context) -> Iterator[Finding]:
    """Every HH:MM column shows the minutes beside it (empty where they are empty)."""
    for file, rows in ((ROUTES_FILE, ctx.route_rows), (ORDERS_FILE, ctx.order_rows)):
        for text_col, min_col in _CLOCK_COLUMNS[file]:
            if not (ctx.plan.has_column(file, text_col) and ctx.plan.has_column(file, min_col)):
                continue
            for r in rows:
                if (r.file, r.line, min_col) in ctx.plan.bad_cells:
                    continue
                if not _shows(r[text_col], r[min_col]):
                    want = "" if r[min_col] is None else clock(r[min_col])
                    yield at(r, text_col, f"shows {r[text_col]!r}, {min_col} {r[min_col]} is {want!r}")
    if ctx.plan.has_column(DELIVERIES_FILE, "arrival"):
        for d in ctx.delivery_rows:
            stop = ctx.stop_of(d)
            if stop is None or stop["service_start_min"] is None:
                continue
            if not _shows(d["arrival"], stop["service_start_min"]):
                yield at(
                    d,
                    "arrival",
                    f"shows {d['arrival']!r}, the stop's service starts at {clock(stop['service_start_min'])}",
                )
