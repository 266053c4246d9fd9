r"""The ``lines`` method: fixed lines (``lines.csv``, `coldchain.scenario.lines`) with their pickups chosen.

Each line may add up to ``max_pickup_stops`` pickup stops (villages with orders and no
parcels) whose detour from the line is at most ``max_detour_km``, anywhere in its sequence,
and picks up orders at its own stops; every parcel stop must be on exactly one line. Which
pickups each line takes is a set-packing MILP over enumerated columns: a column is one line
with a set of added stops, each placed where it adds least cost, timed by the exact route
evaluator from the fixed departure (`coldchain.setpart.pickups` holds the columns and the
model, shared with the pool method's re-dealing of pickups).
"""

from __future__ import annotations

import time

from coldchain.core.explain import unserved_reasons
from coldchain.core.instance import Instance, build_instance
from coldchain.core.outcome import SolveOptions
from coldchain.core.plan import Plan, PlanOptions
from coldchain.core.route import Route
from coldchain.errors import InputError, Problem, UsageError
from coldchain.scenario.domain import Scenario
from coldchain.scenario.lines import Line
from coldchain.setpart.pickups import Run, choose_pickups, pickup_columns


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
    return Plan(inst, outcome.status, tuple(routes), unserved, (), outcome, None, timings, (note,), method="lines")


def plan_by_lines(day: Scenario | Instance, options: PlanOptions) -> Plan:
    """The registry's ``lines`` method: `plan_lines` on ``options.lines`` within ``options.solve``.
    Raises `UsageError` without lines, `InputError` for lines that do not fit the day."""
    if options.lines is None:
        raise UsageError("the lines method needs the fixed lines: PlanOptions(lines=read_lines(folder / 'lines.csv'))")
    scenario = day.scenario if isinstance(day, Instance) else day
    return plan_lines(scenario, list(options.lines), options.solve)
