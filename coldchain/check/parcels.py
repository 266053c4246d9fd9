"""Rules on the parcels: every one delivered exactly once, the same way in both tables.

Parcel deliveries are mandatory: each site with parcels is a stop of exactly one run, where
``parcels_dropped`` and ``parcel_kg_dropped`` are the site's totals over all companies (0 at
the hub and at stops without parcels). With split visits (``[rules] split_visits``) a site may
be a stop of several runs: exactly one of them drops all its parcels, the others 0 (the drop
is one item, never shared; `coldchain.check.context` says which visit drops).
``deliveries.csv`` lists each company's parcels for each site exactly once, with the
scenario's count and weight, as ``delivered`` by the truck and stop that drop them (service
start as ``arrival``), or, only when no truck stops there, as ``cannot be delivered`` / ``not planned`` with no truck.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from coldchain.check.context import TOL_KG, Context, mismatch, run_key
from coldchain.check.read import DELIVERIES_FILE
from coldchain.check.rules import at, rule
from coldchain.check.violation import Finding

DELIVERED = "delivered"
NOT_DELIVERED = ("cannot be delivered", "not planned")


@rule("parcels.dropped")
def dropped(ctx: Context) -> Iterator[Finding]:
    """parcels_dropped and parcel_kg_dropped at a point are its site's parcels (0 at the hub)."""
    for t in ctx.trucks.values():
        for k, r in enumerate(t.rows):
            here = 0 < k < len(t.rows) - 1 and ctx.drops_here(r)
            n = ctx.parcel_n.get(r["site_id"], 0) if here else 0
            kg = ctx.parcel_kg.get(r["site_id"], 0.0) if here else 0.0
            if mismatch(ctx, r, "parcels_dropped", n, 0):
                yield at(
                    r, "parcels_dropped", f"{r['site_id']} gets {n} parcels here, the table says {r['parcels_dropped']}"
                )
            if mismatch(ctx, r, "parcel_kg_dropped", kg, TOL_KG):
                yield at(
                    r,
                    "parcel_kg_dropped",
                    f"{r['site_id']} gets {kg:.2f} kg of parcels here, the table says {r['parcel_kg_dropped']}",
                )


@rule("parcels.delivered_once")
def delivered_once(ctx: Context) -> Iterator[Finding]:
    """Every site with parcels is a stop of exactly one run, or with split visits, of runs of which
    exactly one drops its parcels."""
    if ctx.plan.routes is None or not ctx.all_sound:
        return  # the missing file or the broken run is reported; which sites it served is unknown
    for sid in sorted(ctx.parcel_sites):
        visits = ctx.visits.get(sid, [])
        drops = ctx.drops[sid]
        if not visits:
            yield Finding(
                f"{sid}'s {ctx.parcel_n[sid]} parcels ({ctx.parcel_kg[sid]:.1f} kg) are not delivered: "
                "no truck stops there",
                "routes.csv",
            )
        elif not ctx.split_visits and len(visits) > 1:
            yield at(visits[1], "site_id", f"{sid}'s parcels: the site is a stop {len(visits)} times, not once")
        elif not drops:
            why = f"{sid}'s parcels are not delivered: none of its {len(visits)} visits drops them"
            yield at(visits[0], "parcels_dropped", why)
        elif len(drops) > 1:
            others = ", ".join(f"{r['vehicle_id']} (line {r.line})" for r in drops[:-1])
            n = len(drops)
            yield at(drops[-1], "parcels_dropped", f"{sid}'s parcels are delivered {n} times: also by {others}")


def _key(d) -> tuple[str, str]:
    return (d["company"], d["site_id"])


@rule("deliveries.rows")
def rows(ctx: Context) -> Iterator[Finding]:
    """deliveries.csv has one row per company and site of the scenario's parcels, and no other."""
    if ctx.plan.deliveries is None:
        return
    want = {(p.company, p.site_id) for p in ctx.scenario.parcels}
    seen: Counter = Counter()
    for d in ctx.delivery_rows:
        key = _key(d)
        seen[key] += 1
        if key not in want:
            yield at(d, "company", f"{key[0]!r} has no parcels for {key[1]!r} in the scenario")
        elif seen[key] == 2:
            yield at(d, None, f"{key[0]}'s parcels for {key[1]} are listed more than once")
    for p in ctx.scenario.parcels:
        if not seen[(p.company, p.site_id)]:
            yield Finding(
                f"{p.company}'s {p.parcel_count} parcels for {p.site_id} are missing from the table", DELIVERIES_FILE
            )


@rule("deliveries.figures")
def figures(ctx: Context) -> Iterator[Finding]:
    """parcel_count and weight_kg are the scenario's for the company and site."""
    lines = {(p.company, p.site_id): p for p in ctx.scenario.parcels}
    for d in ctx.delivery_rows:
        p = lines.get(_key(d))
        if p is None:
            continue
        if mismatch(ctx, d, "parcel_count", p.parcel_count, 0):
            yield at(
                d,
                "parcel_count",
                f"{p.company} has {p.parcel_count} parcels for {p.site_id}, the table says {d['parcel_count']}",
            )
        if mismatch(ctx, d, "weight_kg", p.weight_kg, TOL_KG):
            yield at(
                d,
                "weight_kg",
                f"{p.company}'s parcels for {p.site_id} weigh {p.weight_kg:g} kg, the table says {d['weight_kg']}",
            )


@rule("deliveries.status")
def status(ctx: Context) -> Iterator[Finding]:
    """status is 'delivered' exactly when a truck stops at the site."""
    if ctx.plan.routes is None or not ctx.all_sound:
        return
    for d in ctx.delivery_rows:
        visited = bool(ctx.visits.get(d["site_id"]))
        if d["status"] == DELIVERED and not visited:
            yield at(d, "status", f"delivered, but no truck stops at {d['site_id']}")
        elif d["status"] in NOT_DELIVERED and visited:
            yield at(d, "status", f"{d['status']!r}, but a truck stops at {d['site_id']}")
        elif d["status"] != DELIVERED and d["status"] not in NOT_DELIVERED:
            yield at(d, "status", f"expected 'delivered', 'cannot be delivered' or 'not planned', got {d['status']!r}")


@rule("deliveries.truck")
def truck(ctx: Context) -> Iterator[Finding]:
    """A delivered row names the truck and stop that visit the site; another names none."""
    for d in ctx.delivery_rows:
        visits = ctx.drops.get(d["site_id"]) or ctx.visits.get(d["site_id"], [])
        if d["status"] == DELIVERED and visits:
            stop = visits[0]
            if run_key(d) != run_key(stop):
                yield at(
                    d,
                    "vehicle_id",
                    f"{d['site_id']} is visited by {stop['vehicle_id']}, the table says {d['vehicle_id']!r}",
                )
            elif d["stop_seq"] != stop["stop_seq"] and not ctx.plan.reported(d, "stop_seq"):
                yield at(
                    d,
                    "stop_seq",
                    f"{d['site_id']} is stop {stop['stop_seq']} of {stop['vehicle_id']}, "
                    f"the table says {d['stop_seq']}",
                )
        elif d["status"] != DELIVERED:
            for column in ("vehicle_id", "stop_seq", "arrival"):
                if d[column] not in (None, ""):
                    yield at(d, column, f"must be empty for parcels that are not delivered, got {d[column]!r}")
