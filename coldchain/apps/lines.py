r"""Fixed lines: the same delivery runs at the same times every day; choose the pickups on the way back.

Many alliances run fixed lines (a truck, a departure time, an ordered list of parcel stops)
so that every village gets its parcels at a known hour. ``lines.csv`` in the scenario folder
gives them::

    line_id,vehicle_id,depart_at,stops,max_detour_km,max_pickup_stops
    L01,D01,07:10,T_FOZI V_FOZI_03 V_FOZI_07,15,3

``stops`` are site ids separated by spaces (every parcel stop must be on exactly one line).
Each line may add up to ``max_pickup_stops`` pickup stops (villages with orders and no
parcels) whose detour from the line is at most ``max_detour_km``, anywhere in its sequence,
and picks up orders at its own stops. Which pickups each line takes is a set-packing MILP over
enumerated columns: a column is one line with a set of added stops, each placed where it adds
least cost, timed by the exact route evaluator from the fixed departure (``pickups.py`` holds
the columns, the model and its symbols, shared with the county-day method).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

from coldchain.core.explain import unserved_reasons
from coldchain.core.instance import Instance, build_instance
from coldchain.core.outcome import SolveOptions
from coldchain.core.plan import Plan
from coldchain.core.route import Route
from coldchain.errors import InputError, Problem
from coldchain.scenario.domain import FixedLine
from coldchain.scenario.read import FileSpec, read_table
from coldchain.setpart.pickups import Run, choose_pickups, pickup_columns


@dataclass(frozen=True)
class Line:
    """A fixed line as the planner uses it (``row``: its line in ``lines.csv``, for messages)."""

    line_id: str
    vehicle_id: str
    depart_min: float
    stops: tuple[str, ...]
    max_detour_km: float
    max_pickup_stops: int
    row: int | None = None


LINES_FILE = FileSpec("lines.csv", FixedLine)


def read_lines(path: str | Path) -> list[Line]:
    """Read ``lines.csv`` with the scenario reader: every problem becomes one `Problem` naming the
    file, line, column and what was expected. Raises `InputError`."""
    records, problems = read_table(Path(path), LINES_FILE)
    if problems:
        raise InputError(problems)
    return [
        Line(r.line_id, r.vehicle_id, r.depart_at, tuple(r.stops.split()), r.max_detour_km, r.max_pickup_stops, r.line)
        for r in records
    ]


def write_lines(lines: list[Line]) -> str:
    """``lines.csv`` text for ``lines`` (the caller writes it)."""
    out = [",".join(LINES_FILE.columns)]
    for ln in lines:
        h, m = divmod(round(ln.depart_min), 60)
        out.append(
            f"{ln.line_id},{ln.vehicle_id},{h:02d}:{m:02d},{' '.join(ln.stops)},"
            f"{ln.max_detour_km:g},{ln.max_pickup_stops}"
        )
    return "\n".join(out) + "\n"


def _check_lines(inst: Instance, lines: list[Line]) -> tuple[list[Problem], dict[str, int]]:
    node = {sid: k for k, sid in enumerate(inst.nodes)}
    vtype = {vid: t.index for t in inst.types for vid in t.vehicle_ids}
    problems, seen_v, seen_s = [], set(), {}
    for ln in lines:
        n = ln.row
        if ln.vehicle_id not in vtype:
            problems.append(Problem("lines.csv", n, "vehicle_id", "not a vehicle in vehicles.csv", ln.vehicle_id))
        elif ln.vehicle_id in seen_v:
            problems.append(Problem("lines.csv", n, "vehicle_id", "this truck runs another line", ln.vehicle_id))
        seen_v.add(ln.vehicle_id)
        for sid in ln.stops:
            if sid not in node or sid == inst.nodes[0]:
                problems.append(Problem("lines.csv", n, "stops", "no parcels or orders there today", sid))
            elif sid in seen_s:
                problems.append(Problem("lines.csv", n, "stops", f"already on line {seen_s[sid]}", sid))
            else:
                seen_s[sid] = ln.line_id
    for st in inst.stops:
        if st.mandatory and st.site_id not in seen_s:
            problems.append(Problem("lines.csv", None, "stops", "this parcel stop is on no line", st.site_id))
    return problems, vtype


def plan_lines(scenario, lines: list[Line], options: SolveOptions | None = None) -> Plan:
    """Choose each fixed line's pickups (module docstring). Raises `InputError` for lines that do
    not fit the scenario or that break a rule as given (no pickups)."""
    options = options or SolveOptions(time_limit_s=10.0)
    t0 = time.perf_counter()
    inst = build_instance(scenario)
    problems, vtype = _check_lines(inst, lines)
    if problems:
        raise InputError(problems)
    node = {sid: k for k, sid in enumerate(inst.nodes)}
    runs = [
        Run(
            ln.vehicle_id,
            vtype[ln.vehicle_id],
            tuple(node[s] for s in ln.stops),
            ln.depart_min,
            ln.max_pickup_stops,
            ln.max_detour_km,
        )
        for ln in lines
    ]
    columns, broken = pickup_columns(inst, runs)
    if broken:
        what = "the line breaks the {} rule as given"
        raise InputError([Problem("lines.csv", lines[n].row, "stops", what.format(rule)) for n, rule in broken])
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    outcome, routes = choose_pickups(inst, runs, columns, options, name="fixed_lines")
    timings = {"columns_s": build_s, "solve_s": time.perf_counter() - t1}
    note = f"fixed lines: {len(lines)} lines, {len(columns):,} columns"
    if routes is None:
        return Plan(inst, outcome.status, (), {}, (), outcome, None, timings, (note,))
    used = {r.vehicle_id for r in routes}
    routes += [Route(vid, t.index) for t in inst.types for vid in t.vehicle_ids if vid not in used]
    unserved = unserved_reasons(inst, routes, fixed_departures=True)
    return Plan(inst, outcome.status, tuple(routes), unserved, (), outcome, None, timings, (note,))


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
