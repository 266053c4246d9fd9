r"""Rules on why an order is unserved: its code is a known one, and what the code claims is true.

``orders.csv`` carries each unserved order's ``reason_code`` (README, "Why an order is
unserved"); the column is optional here (a plan written by hand or by another tool may lack it).
The checker holds its own list of the codes (`KNOWN_CODES`, a file-format contract that
`coldchain.core.reasons` must match; a test keeps the two equal) and re-derives, from the
scenario and the written runs alone, the claims it can test without a solver:

**A direct trip.** ``too_heavy``, ``ready_after_close`` and ``no_shift`` say that no truck could
serve the order even by fetching it alone; ``deadline`` and ``no_reefer_room`` say that, or
(decided after planning) that every truck tried breaks that rule: the one stopping there, each
taking over the whole stop, and an idle one fetching it alone. So a trip disproves them only
when it is one of those tries: by a truck with no run in the plan, to a point it may visit
without dropping parcels (no parcels there, or split visits allowed). For each such truck
:math:`v` (shift :math:`[a_v, b_v]` within the hub's
hours), with the direct legs hub :math:`\to` site :math:`\tau_{hs}` and back :math:`\tau_{sh}`,
service :math:`s` and the site open :math:`[e, l]`, the order ready at :math:`q` with deadline
:math:`L`:

.. math::

    \beta_v = \max(a_v + \tau_{hs},\ e,\ q), \qquad \rho_v = \beta_v + s + \tau_{sh}

and the trip works when :math:`\beta_v \le l - s`, :math:`\rho_v \le b_v`, :math:`\rho_v \le L`
and the order fits: its kg within the payload, and, if it must ride cold, within the reefer
space or :math:`\rho_v - \beta_v` within its time allowed out of the cold. ``too_heavy`` is false
when some truck's payload holds it; ``ready_after_close`` when :math:`q \le l - s`; ``no_shift``,
``deadline`` and ``no_reefer_room`` when some truck's direct trip works (the planner times legs
by shortest paths, never longer than the direct leg, so a trip that works here works there).

**A free ride.** An order at a point some truck already stops at, after it is ready, whose truck
is back by the order's deadline and has room for it from that stop to the end (in reefer space,
if it must ride cold: whether it may ride dry instead the planner's evaluator decides by its own
rule of which chilled order takes the reefer), costs nothing more to serve: the stop, the
times and the km stay as they are. Leaving it out for ``no_room``, ``not_worth``, ``hours`` or
``shift`` (or any code decided before planning) is then untrue; the true code is
``search_stopped`` (the search did not find the better plan), and fixed lines (``line_limits``),
the order cap (``too_many_orders``) and a plan from outside (``unexplained``) may keep their own.
``too_many_orders`` is true only when the scenario has more than `MAX_PLANNED_ORDERS` orders.

**Who made the plan.** ``kpis.json`` names the planning method in ``method`` (null or absent
for a plan given from outside, `coldchain.planner.imported`). ``line_limits`` is true only of a
plan on fixed lines (``method`` `LINES_METHOD`); ``unexplained`` only of a plan from outside
(coldchain's own methods explain every order they leave). The checker cannot tell a plan that
only claims to be on fixed lines from one that is (it is not given ``lines.csv``). ``search_stopped`` says the order
fits somewhere for less than its value, so it is false of an order no truck can ever take: one
heavier than every truck's payload, or ready only after its point's last possible pickup.
"""

from __future__ import annotations

from collections.abc import Iterator

from coldchain.check.context import SERVED, TOL_KG, TOL_MIN, UNSERVED, Context
from coldchain.check.read import Row
from coldchain.check.rules import at, rule
from coldchain.check.violation import Finding
from coldchain.scenario.freshness import OrderTerms
from coldchain.scenario.timefmt import clock

KNOWN_CODES = frozenset(
    {
        "too_heavy",
        "ready_after_close",
        "no_shift",
        "deadline",
        "no_reefer_room",
        "too_many_orders",
        "no_room",
        "hours",
        "shift",
        "not_worth",
        "search_stopped",
        "line_limits",
        "no_truck",
        "unexplained",
    }
)
BEFORE_PLANNING = frozenset({"too_heavy", "ready_after_close", "no_shift", "deadline", "no_reefer_room"})
MAY_LEAVE_A_FREE_RIDE = frozenset({"search_stopped", "line_limits", "too_many_orders", "unexplained"})
MAX_PLANNED_ORDERS = 1_000  # the planner's cap on the pickup orders one plan considers
LINES_METHOD = "lines"  # kpis.json's method of a plan on fixed lines (`coldchain.planner.lines`)


def _unserved(ctx: Context) -> Iterator[tuple[Row, str, OrderTerms]]:
    """(row, code, terms) of every unserved order with a code, whose scenario order is known."""
    if not ctx.plan.has_column("orders.csv", "reason_code"):
        return
    for o in ctx.order_rows:
        t = ctx.terms.get(o["order_id"])
        if o["status"] == UNSERVED and o["reason_code"] and t is not None:
            yield o, o["reason_code"].strip(), t


@rule("orders.reason_code")
def reason_code(ctx: Context) -> Iterator[Finding]:
    """An unserved order's reason_code is a known code; a served order has none."""
    if not ctx.plan.has_column("orders.csv", "reason_code"):
        return
    for o in ctx.order_rows:
        code = o["reason_code"].strip()
        if o["status"] == UNSERVED and code and code not in KNOWN_CODES:
            yield at(o, "reason_code", f"{code!r} is not a reason code (see README, 'Why an order is unserved')")
        elif o["status"] == UNSERVED and not code and o["reason"].strip():
            yield at(o, "reason_code", f"order {o['order_id']} is unserved with a reason but no reason_code")
        elif o["status"] == SERVED and code:
            yield at(o, "reason_code", f"order {o['order_id']} is served but has a reason_code {code!r}")


def direct_trip(ctx: Context, o: Row, t: OrderTerms) -> str | None:
    """How one truck could fetch the order alone and bring it back in time (None: none can)."""
    src = ctx.orders[o["order_id"]]
    site = ctx.sites.get(src.site_id)
    if site is None:
        return None
    if site.site_id in ctx.parcel_sites and not ctx.split_visits:
        return None  # a truck there drops the parcels too: not a trip alone
    hub = ctx.hub.site_id
    _, out = ctx.leg(hub, site.site_id)
    _, back = ctx.leg(site.site_id, hub)
    latest = site.close_time - site.service_min
    for v in ctx.scenario.vehicles:
        if v.vehicle_id in ctx.by_vehicle:
            continue  # it has a run: fetching the order alone would be another plan
        start = max(v.shift_start, ctx.hub.open_time)
        end = min(v.shift_end, ctx.hub.close_time)
        begin = max(start + out, site.open_time, t.ready_min)
        ret = begin + site.service_min + back
        if src.quantity_kg > v.capacity_kg + TOL_KG or begin > latest + TOL_MIN or ret > end + TOL_MIN:
            continue
        if ret > t.deadline_min + TOL_MIN:
            continue
        cold_ok = v.reefer_capacity_kg >= src.quantity_kg - TOL_KG or ret - begin <= t.max_out_of_cold_min + TOL_MIN
        if t.chilled and not cold_ok:
            continue
        return (
            f"{v.vehicle_id} can fetch it alone: there at {clock(begin)}, back at the cold store at {clock(ret)} "
            f"(deadline {clock(t.deadline_min)}, shift end {clock(end)})"
        )
    return None


def free_ride(ctx: Context, o: Row, t: OrderTerms) -> str | None:
    """A truck already stopping at the order's point that could take it at no extra cost (None: none)."""
    src = ctx.orders[o["order_id"]]
    kg = src.quantity_kg
    for vid, truck in ctx.trucks.items():
        for p, r in enumerate(truck.stops, start=1):
            start = r["service_start_min"]
            if r["site_id"] != src.site_id or start is None or truck.ret is None:
                continue
            if start < t.ready_min - TOL_MIN or truck.ret > t.deadline_min + TOL_MIN:
                continue
            if max(truck.loads[p:]) + kg > truck.vehicle.capacity_kg + TOL_KG:
                continue
            if t.chilled and max(truck.reefer[p:]) + kg > truck.vehicle.reefer_capacity_kg + TOL_KG:
                continue  # in reefer space only: riding dry, the planner's evaluator may choose otherwise
            return (
                f"{vid} stops at {src.site_id} at {clock(start)} with room for its {kg:g} kg and is back at the "
                f"cold store at {clock(truck.ret)}, before its deadline {clock(t.deadline_min)}: serving it there "
                f"costs nothing more and earns its value of {t.value_cny:,.0f} CNY"
            )
    return None


def _carrier(ctx: Context, kg: float) -> str | None:
    """A truck whose payload holds ``kg`` (None: none does)."""
    return next((v.vehicle_id for v in ctx.scenario.vehicles if v.capacity_kg >= kg - TOL_KG), None)


def _last_pickup(ctx: Context, site_id: str) -> float | None:
    """The latest start of service at the site within its opening hours (None: unknown site)."""
    site = ctx.sites.get(site_id)
    return None if site is None else site.close_time - site.service_min


def _never_servable(ctx: Context, o: Row, t: OrderTerms) -> str | None:
    """Why no truck can ever take the order (heavier than every payload, ready after the last
    pickup at its point), or None."""
    src = ctx.orders[o["order_id"]]
    if _carrier(ctx, src.quantity_kg) is None:
        return f"its {src.quantity_kg:g} kg is more than any truck carries (the true code is too_heavy)"
    latest = _last_pickup(ctx, src.site_id)
    if latest is not None and t.ready_min > latest + TOL_MIN:
        return (
            f"it is ready at {clock(t.ready_min)}, after the last possible pickup at {src.site_id} "
            f"({clock(latest)}; the true code is ready_after_close)"
        )
    return None


def _by_whom(ctx: Context, code: str) -> str | None:
    """Why the plan's maker could not have given ``code`` (line_limits, unexplained), or None."""
    method = (ctx.plan.kpis or {}).get("method")
    if code == "line_limits" and method != LINES_METHOD:
        return f"the plan is not on fixed lines (kpis.json method {method!r}, not {LINES_METHOD!r})"
    if code == "unexplained" and method is not None:
        return f"the plan was made by coldchain's {method} method, which explains every order it leaves"
    return None


@rule("orders.reason_true")
def reason_true(ctx: Context) -> Iterator[Finding]:
    """What an unserved order's reason_code claims holds (module docstring: a direct trip, a free
    ride, who made the plan)."""
    n_orders = len(ctx.scenario.orders)
    for o, code, t in _unserved(ctx):
        src = ctx.orders[o["order_id"]]
        why = _by_whom(ctx, code) or (_never_servable(ctx, o, t) if code == "search_stopped" else None)
        if why is not None:
            yield at(o, "reason_code", f"{code}, but {why}")
            continue
        if code == "too_many_orders" and n_orders <= MAX_PLANNED_ORDERS:
            yield at(o, "reason_code", f"too_many_orders, but the day has only {n_orders:,} pickup orders")
            continue
        if code == "too_heavy":
            carrier = _carrier(ctx, src.quantity_kg)
            if carrier is not None:
                yield at(o, "reason_code", f"too_heavy, but {carrier} carries {src.quantity_kg:g} kg")
            continue
        latest = _last_pickup(ctx, src.site_id)
        if code == "ready_after_close" and latest is not None:
            if t.ready_min <= latest + TOL_MIN:
                yield at(
                    o,
                    "reason_code",
                    f"ready_after_close, but it is ready at {clock(t.ready_min)}, "
                    f"before the last possible pickup at {src.site_id} ({clock(latest)})",
                )
            continue
        if code in BEFORE_PLANNING:
            how = direct_trip(ctx, o, t)
            if how is not None:
                yield at(o, "reason_code", f"{code}, but {how}")
                continue
        if code not in MAY_LEAVE_A_FREE_RIDE and t.value_cny > 0:
            how = free_ride(ctx, o, t)
            if how is not None:
                yield at(o, "reason_code", f"{code}, but {how} (the true code is search_stopped)")
