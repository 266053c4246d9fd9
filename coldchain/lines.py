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
least cost, timed by the exact route evaluator from the fixed departure; orders that break a
rule are dropped from the column, bulkiest first.

Symbols

=====================  ======================================================================
:math:`L`              lines; :math:`C_l` the columns of line :math:`l` (always including the
                       line as given)
:math:`z_c \in \{0,1\}` ``uses_column[c]``
:math:`c_c`, :math:`O_c`, :math:`S_c`  cost, orders served and added stops of column :math:`c`
=====================  ======================================================================

.. math::

    \min \sum_c (c_c - \sum_{o \in O_c} v_o) z_c + \sum_o v_o, \qquad
    \sum_{c \in C_l} z_c = 1 \ \forall l, \qquad
    \sum_{c: i \in S_c} z_c \le 1 \ \forall i, \qquad
    \sum_{c: o \in O_c} z_c \le 1 \ \forall o
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from pathlib import Path

import pyomo.environ as pyo

from coldchain.domain import FixedLine
from coldchain.errors import InputError, Problem
from coldchain.explain import unserved_reasons
from coldchain.heuristic import Route
from coldchain.instance import Instance, build_instance
from coldchain.io import FileSpec, read_table
from coldchain.plan import Plan
from coldchain.routes import RouteEval, evaluate_route
from coldchain.solve import SolveOptions, solve

CANDIDATES_PER_LINE = 8  # nearest pickup stops considered per line


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
    on_line = {node[s] for ln in lines for s in ln.stops}
    pickup_only = [st.node for st in inst.stops if not st.mandatory and st.node not in on_line and st.orders]
    columns: list[tuple[int, Route, list[int]]] = []  # (line, route, added stops)
    for n, ln in enumerate(lines):
        k = vtype[ln.vehicle_id]
        base = [node[s] for s in ln.stops]
        own = {i: [o for o in inst.stop(i).orders if inst.orders[o].excluded is None] for i in base}
        plain = evaluate_route(inst, k, base, {}, depart=ln.depart_min)
        if not plain.feasible:
            problems.append(Problem("lines.csv", ln.row, "stops", f"the line breaks the {plain.reason} rule as given"))
            continue
        near = sorted(pickup_only, key=lambda i: min(inst.km[j, i] + inst.km[i, j] for j in [0, *base]))
        near = [i for i in near if _detour(inst, base, i) <= ln.max_detour_km][:CANDIDATES_PER_LINE]
        for size in range(min(ln.max_pickup_stops, len(near)) + 1):
            for added in itertools.combinations(near, size):
                col = _column(inst, k, ln, base, own, list(added))
                if col is not None:
                    columns.append((n, col, list(added)))
    if problems:
        raise InputError(problems)
    build_s = time.perf_counter() - t0

    m = pyo.ConcreteModel("fixed_lines")
    m.COLS = pyo.RangeSet(0, len(columns) - 1)
    m.uses_column = pyo.Var(m.COLS, domain=pyo.Binary)
    m.one_per_line = pyo.Constraint(
        range(len(lines)), rule=lambda m, n: sum(m.uses_column[c] for c, col in enumerate(columns) if col[0] == n) == 1
    )
    by_stop: dict[int, list[int]] = {}
    by_order: dict[int, list[int]] = {}
    for c, (_, r, added) in enumerate(columns):
        for i in added:
            by_stop.setdefault(i, []).append(c)
        for os in r.picks.values():
            for o in os:
                by_order.setdefault(o, []).append(c)
    m.STOPS = pyo.Set(initialize=sorted(i for i, cs in by_stop.items() if len(cs) > 1))
    m.visit_once = pyo.Constraint(m.STOPS, rule=lambda m, i: sum(m.uses_column[c] for c in by_stop[i]) <= 1)
    m.ORDERS = pyo.Set(initialize=sorted(o for o, cs in by_order.items() if len(cs) > 1))
    m.serve_once = pyo.Constraint(m.ORDERS, rule=lambda m, o: sum(m.uses_column[c] for c in by_order[o]) <= 1)
    value = {o.index: o.value_cny for o in inst.orders}
    net = [r.cost - sum(value[o] for os in r.picks.values() for o in os) for _, r, _ in columns]
    m.total_cost_cny = pyo.Objective(expr=sum(net[c] * m.uses_column[c] for c in m.COLS) + sum(value.values()))
    t1 = time.perf_counter()
    outcome = solve(m, options)
    solve_s = time.perf_counter() - t1
    timings = {"columns_s": build_s, "solve_s": solve_s}
    note = f"fixed lines: {len(lines)} lines, {len(columns):,} columns"
    if not outcome.has_solution:
        return Plan(inst, outcome.status, (), {}, (), outcome, None, timings, (note,))
    routes = [columns[c][1] for c in m.COLS if pyo.value(m.uses_column[c]) > 0.5]
    used = {r.vehicle_id for r in routes}
    routes += [Route(vid, t.index) for t in inst.types for vid in t.vehicle_ids if vid not in used]
    unserved = unserved_reasons(inst, routes)
    return Plan(inst, outcome.status, tuple(routes), unserved, (), outcome, None, timings, (note,))


def _detour(inst: Instance, base: list[int], i: int) -> float:
    path = [0, *base, 0]
    return min(inst.km[a, i] + inst.km[i, b] - inst.km[a, b] for a, b in zip(path, path[1:]))


def _column(inst: Instance, k: int, ln: Line, base: list[int], own: dict, added: list[int]) -> Route | None:
    """The line with ``added`` stops, each where it adds least km; orders dropped bulkiest first until it keeps
    every rule. None when the added stops cannot be visited at all."""
    seq = list(base)
    for i in added:
        path = [0, *seq, 0]
        pos = min(range(len(path) - 1), key=lambda p: inst.km[path[p], i] + inst.km[i, path[p + 1]])
        seq.insert(pos, i)
    picks = {**{i: list(os) for i, os in own.items()}, **{i: list(inst.stop(i).orders) for i in added}}
    picks = {i: [o for o in os if inst.orders[o].excluded is None] for i, os in picks.items()}
    while True:
        ev: RouteEval = evaluate_route(inst, k, seq, picks, depart=ln.depart_min)
        if ev.feasible:
            break
        carried = [(inst.orders[o].kg, i, o) for i, os in picks.items() for o in os]
        if not carried:
            return None
        _, i, o = max(carried)
        picks[i].remove(o)
        if i in added and not picks[i]:
            return None  # an added stop with nothing to pick up is not worth a column
    picks = {i: os for i, os in picks.items() if os}
    return Route(ln.vehicle_id, k, seq, picks, ev)


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
