"""Rules on ``kpis.json``: every figure recomputed from the tables and the scenario.

For the used trucks u (the sound runs of ``routes.csv``; with ``[rules] multiple_trips`` a
truck's runs are its trips), with the travel model's km per leg and the times written in the
table:

    fixed    = sum_u fixed_cost_u (once a truck)    km       = sum_u sum_legs km
    distance = sum_u cost_per_km_u x km_u           hours    = sum_u (last return_u - first departure_u) / 60
    driver   = sum_u cost_per_h_u x hours_u         lost     = sum of the values of unserved orders
    objective = w_fixed fixed + w_distance distance + w_driver driver + w_spoilage lost
    total     = fixed + distance + driver + lost

(weights from ``scenario.toml``/``models/objective.toml``; a driver is paid from the truck's
first departure to its last return, the wait at the hub between trips included); the load factor is
sum_legs km x load / payload over km, empty km the legs with nothing on board; parcels, kg
and order counts follow from the runs and ``orders.csv``. A lower bound cannot exceed the
plan's objective, and the gap is |objective - bound| / objective. Figures are compared at the
precision they are written with (2 decimals for CNY and hours, 1 for km and kg).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from coldchain.check.context import Context
from coldchain.check.read import KPIS_FILE
from coldchain.check.rules import rule
from coldchain.check.violation import Finding

NUMBER, WHOLE, TEXT, OPTIONAL_NUMBER, OPTIONAL_TEXT, MAPPING, LIST = (
    "a number",
    "a whole number",
    "text",
    "a number or null",
    "text or null",
    "an object",
    "a list",
)
FIELDS = {
    "scenario": TEXT,
    "date": TEXT,
    "status": TEXT,
    "objective_cny": NUMBER,
    "best_bound_cny": OPTIONAL_NUMBER,
    "gap": OPTIONAL_NUMBER,
    "solver_status": OPTIONAL_TEXT,
    "method": OPTIONAL_TEXT,
    "runtime_s": NUMBER,
    "timings_s": MAPPING,
    "trucks_used": WHOLE,
    "trucks_available": WHOLE,
    "trips": WHOLE,
    "km": NUMBER,
    "driver_hours": NUMBER,
    "cost_fixed_cny": NUMBER,
    "cost_distance_cny": NUMBER,
    "cost_driver_cny": NUMBER,
    "value_lost_cny": NUMBER,
    "total_cost_cny": NUMBER,
    "load_factor": NUMBER,
    "empty_km": NUMBER,
    "empty_running_share": NUMBER,
    "parcels_delivered": WHOLE,
    "parcel_kg_delivered": NUMBER,
    "orders_served": WHOLE,
    "orders_unserved": WHOLE,
    "kg_to_cold_store": NUMBER,
    "kg_left_unserved": NUMBER,
    "missed_parcel_stops": LIST,
}
# written by coldchain since 2026-12-03: a plan folder from before (or from another tool) may lack them
OPTIONAL_FIELDS = {"trips", "method"}
STATUSES = ("optimal", "feasible", "infeasible", "no_solution", "error")
SLACK = 0.002  # CNY and hours: recomputed from times written with 4 decimals
EXACT = 1e-6  # figures recomputed exactly as the writer does (km, kg, counts, shares)
GAP_TOL = 2e-5  # beyond the rounding of objective and bound


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fits(value: object, kind: str) -> bool:
    if kind == NUMBER:
        return _is_number(value)
    if kind == WHOLE:
        return _is_number(value) and float(value).is_integer()
    if kind == TEXT:
        return isinstance(value, str)
    if kind == OPTIONAL_NUMBER:
        return value is None or _is_number(value)
    if kind == OPTIONAL_TEXT:
        return value is None or isinstance(value, str)
    if kind == MAPPING:
        return isinstance(value, dict) and all(_is_number(v) for v in value.values())
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _good(ctx: Context) -> dict:
    """The KPIs whose values have the right type (the others are reported by kpis.fields)."""
    kp = ctx.plan.kpis or {}
    return {k: v for k, v in kp.items() if k in FIELDS and _fits(v, FIELDS[k])}


def _here(key: str, message: str) -> Finding:
    return Finding(message, KPIS_FILE, None, key)


def _compare(kp: dict, want: dict[str, float], decimals: int, slack: float = EXACT) -> Iterator[Finding]:
    """Each written figure must be what the writer's rounding gives for a value within ``slack``
    of the recomputed one (so 0.01 km of empty running is wrong when no leg runs empty)."""
    unit = 10.0**-decimals
    for key, value in want.items():
        if key not in kp:
            continue
        lo, hi = round(value - slack, decimals), round(value + slack, decimals)
        steps = round((hi - lo) / unit)
        if not any(abs(kp[key] - (lo + k * unit)) <= 1e-9 * max(1.0, abs(value)) for k in range(steps + 1)):
            yield _here(key, f"recomputed from the tables: {value:.{decimals + 2}f}, kpis.json says {kp[key]}")


class _Figures:
    """The route-derived figures (None when a run is broken or routes.csv is unreadable)."""

    def __init__(self, ctx: Context):
        w = ctx.scenario.settings.weights
        self.fixed = self.distance = self.driver = self.km = self.hours = 0.0
        self.loaded_km = self.empty_km = 0.0
        self.parcels = 0
        self.parcel_kg = 0.0
        for t in ctx.trucks.values():
            v = t.vehicle
            km = 0.0
            for (a, b), load in zip(zip(t.rows, t.rows[1:]), t.loads):
                d, _ = ctx.leg(a["site_id"], b["site_id"])
                km += d
                self.loaded_km += d * load / v.capacity_kg
                if load <= 1e-9:
                    self.empty_km += d
            self.distance += v.cost_cny_per_km * km
            self.km += km
            for r in t.stops:
                if ctx.drops_here(r):
                    self.parcels += ctx.parcel_n.get(r["site_id"], 0)
                    self.parcel_kg += ctx.parcel_kg.get(r["site_id"], 0.0)
        for runs in ctx.runs_of().values():
            v, first, last = runs[0].vehicle, runs[0], runs[-1]
            hours = (last.ret - first.depart) / 60 if last.ret is not None and first.depart is not None else 0.0
            self.fixed += v.fixed_cost_cny_per_day
            self.driver += v.driver_cost_cny_per_h * hours
            self.hours += hours
        served = ctx.served_ids & set(ctx.orders)
        self.lost = sum(t.value_cny for oid, t in ctx.terms.items() if oid not in served)
        self.kg_served = sum(ctx.orders[oid].quantity_kg for oid in served)
        self.kg_left = sum(o.quantity_kg for oid, o in ctx.orders.items() if oid not in served)
        self.n_served, self.n_unserved = len(served), len(ctx.orders) - len(served)
        self.objective = (
            w.fixed * self.fixed + w.distance * self.distance + w.driver * self.driver + w.spoilage * self.lost
        )


def _figures(ctx: Context) -> _Figures | None:
    if ctx.plan.kpis is None or ctx.plan.routes is None or ctx.plan.orders is None or not ctx.all_sound:
        return None
    return _Figures(ctx)


@rule("kpis.fields")
def fields(ctx: Context) -> Iterator[Finding]:
    """kpis.json has every figure, each of the right type (numbers finite); ``method`` may be absent."""
    kp = ctx.plan.kpis
    if kp is None:
        return
    for key, kind in FIELDS.items():
        if key not in kp:
            if key not in OPTIONAL_FIELDS:
                yield _here(key, "missing from kpis.json")
        elif not _fits(kp[key], kind):
            yield _here(key, f"expected {kind}, got {kp[key]!r}")


@rule("kpis.identity")
def identity(ctx: Context) -> Iterator[Finding]:
    """scenario, date and trucks_available are the scenario's."""
    kp = _good(ctx)
    s = ctx.scenario.settings
    for key, want in (("scenario", s.name), ("date", str(s.date)), ("trucks_available", len(ctx.scenario.vehicles))):
        if key in kp and kp[key] != want:
            yield _here(key, f"the scenario's is {want!r}, kpis.json says {kp[key]!r}")


@rule("kpis.status")
def status(ctx: Context) -> Iterator[Finding]:
    """status is a known one; a plan with runs is optimal or feasible; optimal is proved by a bound."""
    kp = _good(ctx)
    if "status" not in kp:
        return
    st = kp["status"]
    if st not in STATUSES:
        yield _here("status", f"expected one of {', '.join(STATUSES)}, got {st!r}")
    elif st not in ("optimal", "feasible") and ctx.plan.routes:
        yield _here("status", f"{st!r}, but routes.csv has {len(ctx.by_vehicle)} runs")
    elif st == "optimal" and "best_bound_cny" in kp and kp["best_bound_cny"] is None:
        yield _here("status", "'optimal' without a bound that proves it (best_bound_cny is null)")


@rule("kpis.costs")
def costs(ctx: Context) -> Iterator[Finding]:
    """Fixed, distance and driver cost, produce lost and their total, recomputed."""
    f = _figures(ctx)
    if f is None:
        return
    yield from _compare(
        _good(ctx),
        {
            "cost_fixed_cny": f.fixed,
            "cost_distance_cny": f.distance,
            "cost_driver_cny": f.driver,
            "value_lost_cny": f.lost,
            "total_cost_cny": f.fixed + f.distance + f.driver + f.lost,
        },
        2,
        SLACK,
    )


@rule("kpis.objective")
def objective(ctx: Context) -> Iterator[Finding]:
    """objective_cny is the weighted sum of the cost components."""
    f = _figures(ctx)
    if f is not None:
        yield from _compare(_good(ctx), {"objective_cny": f.objective}, 2, SLACK)


@rule("kpis.trucks")
def trucks(ctx: Context) -> Iterator[Finding]:
    """trucks_used is the number of trucks with a run in routes.csv; trips (when given) the number of runs."""
    kp = _good(ctx)
    if ctx.plan.routes is None:
        return
    trucks = len({rows[0]["vehicle_id"] for rows in ctx.by_vehicle.values()})
    if "trucks_used" in kp and kp["trucks_used"] != trucks:
        yield _here("trucks_used", f"routes.csv has runs of {trucks} trucks, kpis.json says {kp['trucks_used']}")
    if "trips" in kp and kp["trips"] != len(ctx.by_vehicle):
        yield _here("trips", f"routes.csv has {len(ctx.by_vehicle)} runs, kpis.json says {kp['trips']}")


@rule("kpis.distance_and_hours")
def distance_and_hours(ctx: Context) -> Iterator[Finding]:
    """km, empty_km and driver_hours, recomputed; the load factor and empty running share too."""
    f = _figures(ctx)
    if f is None:
        return
    kp = _good(ctx)
    yield from _compare(kp, {"km": f.km, "empty_km": f.empty_km}, 1)
    yield from _compare(kp, {"driver_hours": f.hours}, 2, SLACK)
    if f.km > 0:
        yield from _compare(kp, {"load_factor": f.loaded_km / f.km, "empty_running_share": f.empty_km / f.km}, 3)
    else:
        yield from _compare(kp, {"load_factor": 0.0, "empty_running_share": 0.0}, 3)


@rule("kpis.parcels")
def parcels(ctx: Context) -> Iterator[Finding]:
    """parcels_delivered and parcel_kg_delivered, recomputed; missed_parcel_stops are stops no truck makes."""
    f = _figures(ctx)
    if f is None:
        return
    kp = _good(ctx)
    if "parcels_delivered" in kp and kp["parcels_delivered"] != f.parcels:
        yield _here(
            "parcels_delivered", f"the runs deliver {f.parcels} parcels, kpis.json says {kp['parcels_delivered']}"
        )
    yield from _compare(kp, {"parcel_kg_delivered": f.parcel_kg}, 1)
    missed = kp.get("missed_parcel_stops")
    if missed is not None:
        for sid in missed:
            if sid not in ctx.parcel_sites or ctx.visits.get(sid):
                yield _here("missed_parcel_stops", f"{sid!r} is listed as missed, but it is not a parcel stop left out")
        if not missed and any(not ctx.visits.get(s) for s in ctx.parcel_sites) and kp.get("status") != "infeasible":
            yield _here("missed_parcel_stops", "empty, but some parcel stops have no truck")


@rule("kpis.orders")
def orders(ctx: Context) -> Iterator[Finding]:
    """orders_served, orders_unserved, kg_to_cold_store and kg_left_unserved, recomputed."""
    f = _figures(ctx)
    if f is None:
        return
    kp = _good(ctx)
    for key, want in (("orders_served", f.n_served), ("orders_unserved", f.n_unserved)):
        if key in kp and kp[key] != want:
            yield _here(key, f"orders.csv gives {want}, kpis.json says {kp[key]}")
    yield from _compare(kp, {"kg_to_cold_store": f.kg_served, "kg_left_unserved": f.kg_left}, 1)


@rule("kpis.bound")
def bound(ctx: Context) -> Iterator[Finding]:
    """A lower bound is no higher than the plan's objective."""
    f = _figures(ctx)
    kp = _good(ctx)
    b = kp.get("best_bound_cny")
    if f is None or b is None:
        return
    if b > f.objective + 0.01 + 1e-6 * abs(f.objective):
        yield _here("best_bound_cny", f"a lower bound of {b} is above the plan's own objective {f.objective:.2f}")


@rule("kpis.gap")
def gap(ctx: Context) -> Iterator[Finding]:
    """gap is |objective - bound| / objective; it is null exactly when the bound is."""
    f = _figures(ctx)
    kp = _good(ctx)
    if f is None or "gap" not in kp or "best_bound_cny" not in kp:
        return
    g, b = kp["gap"], kp["best_bound_cny"]
    if (g is None) != (b is None):
        yield _here("gap", f"gap {g!r} with best_bound_cny {b!r}: both are given or neither")
        return
    if g is None:
        return
    want = abs(f.objective - b) / max(abs(f.objective), 1e-9)
    if abs(g - want) > GAP_TOL + 0.01 / max(abs(f.objective), 1e-9):
        yield _here("gap", f"objective {f.objective:.2f} and bound {b} give a gap of {want:.6f}, kpis.json says {g}")


@rule("kpis.runtime")
def runtime(ctx: Context) -> Iterator[Finding]:
    """runtime_s is the sum of the timings."""
    kp = _good(ctx)
    if "runtime_s" in kp and "timings_s" in kp:
        total = sum(kp["timings_s"].values())
        if abs(kp["runtime_s"] - total) > 0.005 + 0.0005 * len(kp["timings_s"]) + 1e-9:
            yield _here("runtime_s", f"the timings add up to {total:.3f} s, runtime_s says {kp['runtime_s']}")
