"""Rules on each leg of a run: its km and its driving time are the travel model's.

For consecutive points a -> b of a sound truck (`coldchain.check.context`), the table's
``km_from_prev`` at b equals km(a, b), and the truck arrives when it left a plus the driving
time: arrival_b = departure_a + minutes(a, b). Leaving the hub, ``km_from_prev`` is 0.
"""

from __future__ import annotations

from collections.abc import Iterator

from coldchain.check.context import TOL_KM, TOL_MIN, Context, close
from coldchain.check.rules import at, rule
from coldchain.check.violation import Finding


@rule("legs.km")
def leg_km(ctx: Context) -> Iterator[Finding]:
    """km_from_prev is the travel model's km from the previous point (0 when leaving the hub)."""
    for vid, t in ctx.trucks.items():
        if not close(t.rows[0]["km_from_prev"], 0.0, TOL_KM):
            yield at(
                t.rows[0],
                "km_from_prev",
                f"truck {vid} leaves the hub: 0 km, the table says {t.rows[0]['km_from_prev']:g}",
            )
        for a, b in zip(t.rows, t.rows[1:]):
            km, _ = ctx.leg(a["site_id"], b["site_id"])
            if not close(b["km_from_prev"], km, TOL_KM):
                yield at(
                    b,
                    "km_from_prev",
                    f"{a['site_id']} -> {b['site_id']} is {km:.3f} km, the table says {b['km_from_prev']:g}",
                )


@rule("legs.travel_time")
def leg_time(ctx: Context) -> Iterator[Finding]:
    """arrival_min is the previous point's departure_min plus the travel model's driving minutes."""
    for t in ctx.trucks.values():
        for a, b in zip(t.rows, t.rows[1:]):
            _, minutes = ctx.leg(a["site_id"], b["site_id"])
            leave = a["departure_min"]
            if leave is None or b["arrival_min"] is None:
                continue
            want = leave + minutes
            if not close(b["arrival_min"], want, TOL_MIN):
                yield at(
                    b,
                    "arrival_min",
                    f"leaving {a['site_id']} at {leave:.2f} min and driving {minutes:.2f} min arrives at "
                    f"{want:.2f}, the table says {b['arrival_min']:.2f}",
                )
