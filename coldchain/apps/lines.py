r"""Designing fixed lines: a first set from a sweep around the hub, or the routes of an optimised plan.

Fixed lines (``lines.csv``; `coldchain.scenario.lines`) are the same delivery runs at the same
times every day; the ``lines`` method (`coldchain.planner.lines`) chooses each day's pickups on
them in seconds. This module designs them: `design_lines` sweeps the parcel stops by bearing
from the hub, `lines_from_plan` repeats a typical day's optimised routes.
"""

from __future__ import annotations

import math

from coldchain.core.instance import build_instance
from coldchain.core.plan import Plan
from coldchain.planner.lines import _check_lines, plan_lines
from coldchain.scenario.lines import LINES_FILE, Line, read_lines, write_lines

__all__ = ["LINES_FILE", "Line", "_check_lines", "design_lines", "lines_from_plan", "plan_lines", "read_lines",
           "write_lines"]  # fmt: skip


def design_lines(scenario, max_detour_km: float = 15.0, max_pickup_stops: int = 3) -> list[Line]:
    """A first set of fixed lines for a scenario: parcel stops swept by bearing from the hub and cut
    into runs of at most 70 % of the largest payload (room for pickups as parcels come off), each
    run in nearest-neighbour order with morning-only stops first; each line leaves so as to reach
    its first stop when it opens.
    Trucks with reefer space go to the lines with the most chilled or pre-cooled produce nearby."""
    inst = build_instance(scenario)
    sites = {x.site_id: x for x in scenario.sites}
    hub = sites[inst.nodes[0]]
    trucks = sorted(
        ((t.index, vid) for t in inst.types for vid in t.vehicle_ids), key=lambda kv: inst.types[kv[0]].reefer_kg
    )
    cap = 0.7 * max(t.capacity_kg for t in inst.types)
    stops = [st.node for st in inst.stops if st.mandatory]
    angle = {i: math.atan2(sites[inst.nodes[i]].lat - hub.lat, sites[inst.nodes[i]].lon - hub.lon) for i in stops}
    runs: list[list[int]] = []
    chunk, load = [], 0.0
    for i in sorted(stops, key=angle.get):  # sweep around the hub, cut by payload
        if chunk and load + inst.delivery(i) > cap:
            runs.append(chunk)
            chunk, load = [], 0.0
        chunk.append(i)
        load += inst.delivery(i)
    if chunk:
        runs.append(chunk)
    for n, chunk in enumerate(runs):  # morning-only stops first, then nearest neighbour
        left, here, run = set(chunk), 0, []
        while left:
            here = min(left, key=lambda i: (inst.stop(i).latest_start_min > 12 * 60, inst.km[here, i]))
            run.append(here)
            left.remove(here)
        runs[n] = run
    chilled_near = []
    for run in runs:
        chilled = sum(
            o.kg for o in inst.orders if o.chilled and min(inst.km[o.node, i] for i in run) < max_detour_km / 2
        )
        chilled_near.append(chilled)
    order = sorted(range(len(runs)), key=lambda r: chilled_near[r])  # least chilled first: dry trucks
    if len(runs) > len(trucks):
        raise ValueError(f"{len(runs)} lines but only {len(trucks)} trucks")
    lines = []
    for (k, vid), r in zip(trucks, order):
        run = runs[r]
        depart = max(inst.types[k].start_min, inst.stop(run[0]).open_min - inst.minutes[0, run[0]])
        depart = 5 * (depart // 5)
        stops = tuple(inst.nodes[i] for i in run)
        lines.append(Line(f"L{r + 1:02d}", vid, depart, stops, max_detour_km, max_pickup_stops))
    return sorted(lines, key=lambda ln: ln.line_id)


def lines_from_plan(plan: Plan, max_detour_km: float = 15.0, spare_pickup_stops: int = 1) -> list[Line]:
    """Fixed lines that repeat a plan's routes: each route's stops in its order (parcel stops and
    the co-op points it fetched from), leaving at its departure (to the minute), each allowed
    ``spare_pickup_stops`` more pickup stops. Design lines from a typical day's optimised plan,
    then let ``--method lines`` choose each day's pickups in seconds."""
    inst = plan.instance
    lines = []
    for r in sorted((r for r in plan.routes if r.seq), key=lambda r: r.ev.depart):
        lines.append(
            Line(
                f"L{len(lines) + 1:02d}",
                r.vehicle_id,
                float(math.floor(r.ev.depart + 1e-6)),
                tuple(inst.nodes[i] for i in r.seq),
                max_detour_km,
                spare_pickup_stops,
            )
        )
    return lines
