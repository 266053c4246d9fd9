"""Rules on freshness: every served order reaches the cold store in time, cold enough.

With the order's terms (`coldchain.scenario.freshness.order_terms`: ready time r, deadline d =
r + window, whether it is chilled, hours h allowed out of the cold) and its truck's return T
(the run's last ``arrival_min``) and pickup p (service start at its stop, both from
``routes.csv``): T <= d, and for chilled or pre-cooled produce riding ``dry``,
T - p <= 60 h. The figures written beside them must agree: ``freshness_h_left`` =
round((d - T) / 60, 2), and ``hours_out_of_cold`` = round((T - p) / 60, 2) for chilled produce
riding dry, empty otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator

from coldchain.check.context import DRY, SERVED, TOL_MIN, Context, mismatch
from coldchain.check.rules import at, rule
from coldchain.check.violation import Finding
from coldchain.scenario.timefmt import clock

TOL_H = 0.0051  # hours written to 2 decimals, recomputed from minutes written to 4


def _served(ctx: Context):
    """(order row, terms, pickup, return) of every served order on a sound run's stop."""
    for o in ctx.order_rows:
        if o["status"] != SERVED:
            continue
        stop = ctx.stop_of(o)
        t = ctx.terms.get(o["order_id"])
        truck = ctx.truck_of(o)
        if stop is None or t is None or truck is None:
            continue
        yield o, t, stop["service_start_min"], truck.ret


@rule("freshness.deadline")
def deadline(ctx: Context) -> Iterator[Finding]:
    """A served order reaches the cold store by its freshness deadline."""
    for o, t, _, back in _served(ctx):
        if back is not None and back > t.deadline_min + TOL_MIN:
            yield at(
                o,
                "hub_arrival_min",
                f"order {t.order_id} reaches the cold store at {clock(back)}, "
                f"after its deadline {clock(t.deadline_min)} ({t.window_h:g} h from ready)",
            )


@rule("freshness.out_of_cold")
def out_of_cold(ctx: Context) -> Iterator[Finding]:
    """Chilled (or pre-cooled) produce riding dry is back within its hours allowed out of the cold."""
    for o, t, pickup, back in _served(ctx):
        if not t.chilled or o["compartment"] != DRY or pickup is None or back is None:
            continue
        if back - pickup > t.max_out_of_cold_min + TOL_MIN:
            yield at(
                o,
                "compartment",
                f"order {t.order_id} rides dry for {(back - pickup) / 60:.2f} h, "
                f"allowed {t.max_out_of_cold_min / 60:g} h out of the cold",
            )


@rule("freshness.hours_left")
def hours_left(ctx: Context) -> Iterator[Finding]:
    """freshness_h_left is the hours from the truck's return to the deadline."""
    for o, t, _, back in _served(ctx):
        if back is None:
            continue
        want = round((t.deadline_min - back) / 60, 2)
        if mismatch(ctx, o, "freshness_h_left", want, TOL_H):
            yield at(
                o,
                "freshness_h_left",
                f"{want:.2f} h are left at the cold store, the table says {o['freshness_h_left']}",
            )


@rule("freshness.hours_out_of_cold")
def hours_out_of_cold(ctx: Context) -> Iterator[Finding]:
    """hours_out_of_cold is the ride from pickup to the cold store for chilled produce riding dry."""
    for o, t, pickup, back in _served(ctx):
        if pickup is None or back is None:
            continue
        if t.chilled and o["compartment"] == DRY:
            want = round((back - pickup) / 60, 2)
            if mismatch(ctx, o, "hours_out_of_cold", want, TOL_H):
                yield at(
                    o,
                    "hours_out_of_cold",
                    f"it rides {want:.2f} h out of the cold, the table says {o['hours_out_of_cold']}",
                )
        elif o["hours_out_of_cold"] is not None:
            yield at(
                o, "hours_out_of_cold", f"must be empty (not chilled produce riding dry), got {o['hours_out_of_cold']}"
            )
