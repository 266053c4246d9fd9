"""Rules on the pickup orders: each listed once, as the scenario has it, served properly or explained.

``orders.csv`` lists every order of the scenario exactly once, with the scenario's shipper,
site, product, kg, ready time, deadline and value (`coldchain.scenario.freshness`). A served
order names a stop (truck, ``stop_seq``) of a sound run at the order's own site; it is picked
up when service starts there (``pickup_min``), not before it is ready, rides in ``reefer`` or
``dry`` space, and reaches the cold store when its truck does (``hub_arrival_min``). The stop's
``orders_picked`` in ``routes.csv`` lists the same orders (``ID KG kg``, ``reefer``/``dry`` for
chilled produce). An unserved order has a reason and no truck, stop or times; an order the
scenario marks ``must_serve`` is served.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from coldchain.check.context import DRY, REEFER, SERVED, TOL_KG, TOL_MIN, UNSERVED, Context, mismatch, run_key
from coldchain.check.read import ORDERS_FILE, Row
from coldchain.check.rules import at, rule
from coldchain.check.violation import Finding
from coldchain.scenario.timefmt import at_minutes

_FORMAT = "%Y-%m-%d %H:%M"
_SERVED_CELLS = ("vehicle_id", "stop_seq", "pickup_min", "hub_arrival_min", "compartment")
_UNSERVED_BLANK = (
    "vehicle_id",
    "stop_seq",
    "pickup_time",
    "pickup_min",
    "hub_arrival",
    "hub_arrival_min",
    "compartment",
    "hours_out_of_cold",
    "freshness_h_left",
)


@rule("orders.listed_once")
def listed_once(ctx: Context) -> Iterator[Finding]:
    """Every order of the scenario has exactly one row, and no row names another order."""
    if ctx.plan.orders is None:
        return
    seen: Counter = Counter()
    for o in ctx.order_rows:
        oid = o["order_id"]
        seen[oid] += 1
        if oid not in ctx.orders:
            yield at(o, "order_id", f"{oid!r} is not an order of the scenario")
        elif seen[oid] == 2:
            yield at(o, "order_id", f"{oid} is listed more than once (first at line {ctx.first_order_row[oid].line})")
    for oid in ctx.orders:
        if not seen[oid]:
            yield Finding(f"order {oid} is missing from the table", ORDERS_FILE)


@rule("orders.details")
def details(ctx: Context) -> Iterator[Finding]:
    """shipper, site, product, kg, ready time, deadline and value are the scenario's."""
    day = ctx.scenario.settings.date
    for o in ctx.order_rows:
        src, t = ctx.orders.get(o["order_id"]), ctx.terms.get(o["order_id"])
        if src is None or t is None:
            continue
        texts = {
            "shipper": src.shipper,
            "site_id": src.site_id,
            "product_id": src.product_id,
            "ready_at": src.ready_at.strftime(_FORMAT),
            "deadline": at_minutes(day, t.deadline_min).strftime(_FORMAT),
        }
        for column, want in texts.items():
            if ctx.plan.has_column(o.file, column) and o[column] != want:
                yield at(o, column, f"order {src.order_id}'s {column} is {want!r}, the table says {o[column]!r}")
        if mismatch(ctx, o, "quantity_kg", src.quantity_kg, TOL_KG):
            yield at(
                o, "quantity_kg", f"order {src.order_id} is {src.quantity_kg:g} kg, the table says {o['quantity_kg']}"
            )
        if mismatch(ctx, o, "value_cny", t.value_cny, 0.01):
            yield at(
                o, "value_cny", f"order {src.order_id} is worth {t.value_cny:.2f} CNY, the table says {o['value_cny']}"
            )


@rule("orders.status")
def status(ctx: Context) -> Iterator[Finding]:
    """status is 'served' or 'unserved'."""
    for o in ctx.order_rows:
        if o["status"] not in (SERVED, UNSERVED):
            yield at(o, "status", f"expected 'served' or 'unserved', got {o['status']!r}")


@rule("orders.must_serve")
def must_serve(ctx: Context) -> Iterator[Finding]:
    """An order the scenario marks must_serve is served."""
    for o in ctx.order_rows:
        src = ctx.orders.get(o["order_id"])
        if src is not None and src.must_serve and o["status"] == UNSERVED:
            yield at(o, "status", f"order {src.order_id} must be served (must_serve), the plan leaves it")


@rule("orders.empty_cell")
def empty_cell(ctx: Context) -> Iterator[Finding]:
    """A served order names its truck, stop, pickup and hub arrival times and compartment."""
    for o in ctx.order_rows:
        if o["status"] != SERVED:
            continue
        for column in _SERVED_CELLS:
            if o[column] in (None, "") and not ctx.plan.reported(o, column):
                yield at(o, column, "empty, but a served order needs it")


@rule("orders.unserved_blank")
def unserved_blank(ctx: Context) -> Iterator[Finding]:
    """An unserved order names no truck, stop, times or compartment."""
    for o in ctx.order_rows:
        if o["status"] != UNSERVED:
            continue
        for column in _UNSERVED_BLANK:
            if o[column] not in (None, ""):
                yield at(o, column, f"must be empty for an unserved order, got {o[column]!r}")


@rule("orders.reason")
def reason(ctx: Context) -> Iterator[Finding]:
    """An unserved order says why; a served one has no reason."""
    for o in ctx.order_rows:
        text = o["reason"].strip()
        if o["status"] == UNSERVED and not text and ctx.plan.has_column(o.file, "reason"):
            yield at(o, "reason", f"order {o['order_id']} is unserved without a reason")
        elif o["status"] == SERVED and text:
            yield at(o, "reason", f"order {o['order_id']} is served but has a reason {text!r}")


def _stop_of(ctx: Context, o: Row) -> Row | None:
    return ctx.stop_of(o)


@rule("orders.on_a_stop")
def on_a_stop(ctx: Context) -> Iterator[Finding]:
    """A served order names a stop of a run (truck, stop_seq) at the order's own site."""
    for o in ctx.order_rows:
        if o["status"] != SERVED or o["vehicle_id"] == "" or o["stop_seq"] is None:
            continue
        if ctx.plan.routes is None:
            return  # reported: routes.csv cannot be read
        src = ctx.orders.get(o["order_id"])
        by_vehicle = ctx.by_vehicle.get(run_key(o))
        if by_vehicle is None:
            yield at(
                o, "vehicle_id", f"order {o['order_id']} is on {o['vehicle_id']!r}, which has no run in routes.csv"
            )
            continue
        if run_key(o) not in ctx.trucks:
            continue  # the run itself is broken (reported by the routes rules)
        stop = _stop_of(ctx, o)
        if stop is None:
            yield at(o, "stop_seq", f"{o['vehicle_id']} has no stop {o['stop_seq']} (the hub rows pick nothing up)")
        elif src is not None and stop["site_id"] != src.site_id:
            yield at(
                o,
                "stop_seq",
                f"stop {o['stop_seq']} of {o['vehicle_id']} is {stop['site_id']}, the order is at {src.site_id}",
            )


@rule("orders.pickup_time")
def pickup_time(ctx: Context) -> Iterator[Finding]:
    """pickup_min is when service starts at the order's stop."""
    for o in ctx.order_rows:
        stop = _stop_of(ctx, o) if o["status"] == SERVED else None
        if stop is None or stop["service_start_min"] is None or o["pickup_min"] is None:
            continue
        if abs(o["pickup_min"] - stop["service_start_min"]) > TOL_MIN:
            yield at(
                o,
                "pickup_min",
                f"service at the stop starts at {stop['service_start_min']:.2f} min, "
                f"the table says {o['pickup_min']:.2f}",
            )


@rule("orders.ready")
def ready(ctx: Context) -> Iterator[Finding]:
    """A served order is picked up (service starts at its stop) no earlier than it is ready."""
    for o in ctx.order_rows:
        stop = _stop_of(ctx, o) if o["status"] == SERVED else None
        t = ctx.terms.get(o["order_id"])
        if stop is None or t is None or stop["service_start_min"] is None:
            continue
        if stop["service_start_min"] < t.ready_min - TOL_MIN:
            yield at(
                o,
                "pickup_min",
                f"order {t.order_id} is picked up at {stop['service_start_min']:.1f} min, "
                f"before it is ready at {t.ready_min:.1f}",
            )


@rule("orders.hub_arrival")
def hub_arrival(ctx: Context) -> Iterator[Finding]:
    """hub_arrival_min is when the order's truck is back at the hub (the cold store)."""
    for o in ctx.order_rows:
        t = ctx.truck_of(o) if o["status"] == SERVED else None
        if t is None or t.ret is None or o["hub_arrival_min"] is None:
            continue
        if abs(o["hub_arrival_min"] - t.ret) > TOL_MIN:
            yield at(
                o,
                "hub_arrival_min",
                f"{t.vehicle.vehicle_id} is back at {t.ret:.2f} min, the table says {o['hub_arrival_min']:.2f}",
            )


@rule("orders.compartment")
def compartment(ctx: Context) -> Iterator[Finding]:
    """A served order rides in 'reefer' or 'dry' space; reefer space only on a truck that has some."""
    for o in ctx.order_rows:
        if o["status"] != SERVED or o["compartment"] == "":
            continue
        if o["compartment"] not in (REEFER, DRY):
            yield at(o, "compartment", f"expected 'reefer' or 'dry', got {o['compartment']!r}")
            continue
        t = ctx.truck_of(o)
        if o["compartment"] == REEFER and t is not None and t.vehicle.reefer_capacity_kg <= 0:
            yield at(o, "compartment", f"in reefer space on {t.vehicle.vehicle_id}, which has none")


def _label(ctx: Context, o: Row) -> str:
    src, t = ctx.orders.get(o["order_id"]), ctx.terms.get(o["order_id"])
    kg = src.quantity_kg if src is not None else (o["quantity_kg"] or 0.0)
    chilled = t is not None and t.chilled
    suffix = " reefer" if o["compartment"] == REEFER else (" dry" if chilled else "")
    return f"{o['order_id']} {kg:g} kg{suffix}"


@rule("orders.picked_list")
def picked_list(ctx: Context) -> Iterator[Finding]:
    """orders_picked in routes.csv lists the orders orders.csv serves at that point, as they ride
    (``ID KG kg`` with `` reefer`` or, for chilled produce, `` dry``; separated by ``; ``)."""
    if ctx.plan.orders is None or not ctx.plan.has_column("routes.csv", "orders_picked"):
        return
    for vid, t in ctx.trucks.items():
        for r in t.rows:
            labels = [_label(ctx, o) for o in ctx.served_at.get((vid, r["stop_seq"]), ())]
            want = Counter(item for text in labels for item in text.split("; "))
            got = Counter(r["orders_picked"].split("; ") if r["orders_picked"] else [])
            if want != got:
                extra, missing = sorted((got - want).elements()), sorted((want - got).elements())
                parts = ([f"not served here per orders.csv: {', '.join(map(repr, extra))}"] if extra else []) + (
                    [f"missing: {', '.join(map(repr, missing))}"] if missing else []
                )
                yield at(r, "orders_picked", "; ".join(parts))
