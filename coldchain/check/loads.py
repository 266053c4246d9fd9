"""Rules on what each truck carries, per compartment, at every point of its run.

The loads are recomputed from the scenario's parcels and the orders served at each stop
(`coldchain.check.context`: L_0 = all the run's parcels, L_p = L_{p-1} + picked_p - dropped_p,
R_p = the reefer orders picked so far), then compared with ``kg_picked``, ``load_kg`` and
``reefer_load_kg`` and checked against the truck: L_p <= dry + reefer capacity and
R_p <= reefer capacity at every point. Anything may ride in reefer space, so the dry
compartment's rule, (L_p - R_p) <= dry + (reefer - R_p), is the same as the first.
"""

from __future__ import annotations

from collections.abc import Iterator

from coldchain.check.context import TOL_KG, Context, close
from coldchain.check.rules import at, rule
from coldchain.check.violation import Finding


@rule("loads.kg_picked")
def kg_picked(ctx: Context) -> Iterator[Finding]:
    """kg_picked at a point is the kg of the orders orders.csv serves there."""
    if ctx.plan.orders is None:
        return  # reported: orders.csv cannot be read
    for vid, t in ctx.trucks.items():
        for r in t.rows:
            kg = sum(ctx.order_kg(o) for o in ctx.served_at.get((vid, r["stop_seq"]), ()))
            if not close(r["kg_picked"], kg, TOL_KG):
                yield at(r, "kg_picked", f"the orders served here weigh {kg:.2f} kg, the table says {r['kg_picked']:g}")


@rule("loads.on_board")
def on_board(ctx: Context) -> Iterator[Finding]:
    """load_kg after each point is the parcels still to drop plus the produce picked so far."""
    if ctx.plan.orders is None:
        return
    for t in ctx.trucks.values():
        for r, load in zip(t.rows, t.loads):
            if not close(r["load_kg"], load, TOL_KG):
                yield at(
                    r,
                    "load_kg",
                    f"the truck carries {load:.2f} kg after {r['site_id']}, the table says {r['load_kg']:g}",
                )


@rule("loads.reefer_on_board")
def reefer_on_board(ctx: Context) -> Iterator[Finding]:
    """reefer_load_kg after each point is the kg of the orders riding in reefer space so far."""
    if ctx.plan.orders is None:
        return
    for t in ctx.trucks.values():
        for r, cold in zip(t.rows, t.reefer):
            if not close(r["reefer_load_kg"], cold, TOL_KG):
                yield at(
                    r,
                    "reefer_load_kg",
                    f"reefer space holds {cold:.2f} kg after {r['site_id']}, the table says {r['reefer_load_kg']:g}",
                )


@rule("loads.capacity")
def capacity(ctx: Context) -> Iterator[Finding]:
    """The load never exceeds the truck's payload (dry plus reefer space)."""
    for vid, t in ctx.trucks.items():
        cap = t.vehicle.capacity_kg
        for r, load in zip(t.rows, t.loads):
            if load > cap + TOL_KG:
                yield at(
                    r, "load_kg", f"truck {vid} carries {load:.1f} kg after {r['site_id']}, over its {cap:g} kg payload"
                )


@rule("loads.reefer_capacity")
def reefer_capacity(ctx: Context) -> Iterator[Finding]:
    """The produce in reefer space never exceeds the truck's reefer capacity."""
    for vid, t in ctx.trucks.items():
        cap = t.vehicle.reefer_capacity_kg
        for r, cold in zip(t.rows, t.reefer):
            if cold > cap + TOL_KG:
                yield at(
                    r,
                    "reefer_load_kg",
                    f"truck {vid} holds {cold:.1f} kg in reefer space after {r['site_id']}, over its {cap:g} kg",
                )
