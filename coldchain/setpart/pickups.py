r"""Choosing the pickups for delivery runs whose stops are fixed: enumerated columns and set packing.

Two callers share this: fixed lines (`coldchain.planner.lines`: the runs and their departures
come from ``lines.csv``) and the pool method (`coldchain.planner.by_pool`: the runs are the
parcel stops of the best plan found, and the choice re-deals every pickup between them). A *run* is a truck, an ordered
list of stops it must visit, an optional fixed departure, and limits on the pickup stops it may
add. A *column* is one run with a set of added pickup stops (villages with orders and no
parcels), each placed where it adds the fewest km, timed by the exact route evaluator; while
the column breaks a rule, its bulkiest order is dropped, and then each dropped order that fits
again is put back. A run's known-good route, when
given, is always a column, so the choice is never worse than it.

Symbols

=======================================  ==========================================================
:math:`R`                                runs; :math:`C_r` the columns of run :math:`r` (always
                                         including the run with no added stop)
:math:`z_c \in \{0,1\}`                  ``uses_column[c]``
:math:`c_c`, :math:`O_c`, :math:`S_c`    cost, orders served and added stops of column :math:`c`
:math:`v_o`                              value of order :math:`o` (lost if it is not picked up)
=======================================  ==========================================================

.. math::

    \min \sum_c (c_c - \sum_{o \in O_c} v_o) z_c + \sum_o v_o, \qquad
    \sum_{c \in C_r} z_c = 1 \ \forall r, \qquad
    \sum_{c: i \in S_c} z_c \le 1 \ \forall i, \qquad
    \sum_{c: o \in O_c} z_c \le 1 \ \forall o

(with split visits, ``[rules] split_visits``, there are no stop rows: two runs may pick up at
one site, the order rows keep every order on one run at most; a run keeps only the parcel stops
where it drops the parcels, and its known route, pickup-only visits and all, is a column).

Costs and values carry the objective's weights (`coldchain.core.costs`); the model is the one set
partitioning of `coldchain.setpart.partition` (rows per run, per added stop and per order).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from coldchain.core.evaluate import RouteEval, evaluate_route
from coldchain.core.instance import Instance
from coldchain.core.outcome import SolveOptions, SolveOutcome
from coldchain.core.route import Route, route_key
from coldchain.setpart.partition import INF, SetPartition

CANDIDATES_PER_RUN = 8  # pickup stops considered per run (its known route's own first, then the nearest)


@dataclass(frozen=True)
class Run:
    """A delivery run with fixed stops (node indices, in order) that may add pickup stops."""

    vehicle_id: str
    k: int  # vehicle type
    stops: tuple[int, ...]
    depart: float | None  # fixed departure (minutes), or None for the evaluator's best departure
    max_added: int
    max_detour_km: float
    keep: Route | None = None  # a feasible route for this run, always offered as a column


Column = tuple[int, Route, list[int]]  # (run index, route, added stops)


def detour_km(inst: Instance, base: list[int], i: int) -> float:
    """Fewest extra km to visit ``i`` somewhere on hub-``base``-hub."""
    path = [0, *base, 0]
    return min(inst.km[a, i] + inst.km[i, b] - inst.km[a, b] for a, b in zip(path, path[1:]))


def pickup_columns(
    inst: Instance, runs: list[Run], deadline: float | None = None
) -> tuple[list[Column], list[tuple[int, str]]]:
    """Every run's columns, and ``(run, rule)`` for each run that breaks a rule with no pickups.

    Columns are enumerated run by run, smallest sets first; past ``deadline`` (a
    ``time.perf_counter()`` value) only the runs' plain and known routes are added."""
    on_run = {i for r in runs for i in r.stops}
    pickup_only = [st.node for st in inst.stops if not st.mandatory and st.node not in on_run and st.orders]
    columns: list[Column] = []
    broken: list[tuple[int, str]] = []
    for n, run in enumerate(runs):
        base = list(run.stops)
        own = {i: [o for o in inst.stop(i).orders if inst.orders[o].excluded is None] for i in base}
        keep_ok = run.keep is not None and run.keep.ev is not None and run.keep.ev.feasible
        if keep_ok:
            columns.append((n, run.keep, [i for i in run.keep.seq if i not in run.stops]))
        plain = evaluate_route(inst, run.k, base, {}, depart=run.depart) if base else None
        if plain is not None and not plain.feasible:
            if not keep_ok:
                broken.append((n, plain.reason))
            continue
        kept = [i for i in (run.keep.seq if run.keep else ()) if i not in run.stops]
        near = sorted(pickup_only, key=lambda i: min(inst.km[j, i] + inst.km[i, j] for j in [0, *base]))
        near = kept + [i for i in near if i not in kept and detour_km(inst, base, i) <= run.max_detour_km]
        near = near[:CANDIDATES_PER_RUN]
        late = deadline is not None and time.perf_counter() > deadline
        for size in range(1 if late else min(run.max_added, len(near)) + 1):  # size 0: the plain run
            for added in itertools.combinations(near, size):
                col = _column(inst, run, base, own, list(added))
                if col is not None:
                    columns.append((n, col, list(added)))
    seen, unique = set(), []
    for n, r, added in columns:
        key = (n, route_key(r))
        if key not in seen:
            seen.add(key)
            unique.append((n, r, added))
    return unique, broken


def choose_pickups(
    inst: Instance, runs: list[Run], columns: list[Column], options: SolveOptions, name: str = "pickups"
) -> tuple[SolveOutcome, list[Route] | None]:
    """The set-packing MILP of the module docstring (`coldchain.setpart.partition`); the chosen
    route of every run (None if the solver found no solution). Every run must have at least one column."""
    by_stop: dict[int, list[int]] = {}
    by_order: dict[int, list[int]] = {}
    for c, (_, r, added) in enumerate(columns):
        for i in added:
            by_stop.setdefault(i, []).append(c)
        for os in r.picks.values():
            for o in os:
                by_order.setdefault(o, []).append(c)
    sp = SetPartition(name)
    for n in range(len(runs)):
        sp.row(("run", n), 1.0, 1.0)
    if not inst.split_visits:  # with split visits, several trucks may pick up at one site
        for i in sorted(i for i, cs in by_stop.items() if len(cs) > 1):
            sp.row(("stop", i), -INF, 1.0)
    for o in sorted(o for o, cs in by_order.items() if len(cs) > 1):
        sp.row(("order", o), -INF, 1.0)
    price = inst.costs
    for n, r, added in columns:
        orders = [("order", o) for os in r.picks.values() for o in os]
        sp.column(price.net(r), [("run", n), *(("stop", i) for i in added), *orders])
    sp.constant = sum(price.lost)
    start = None
    keep = {n: route_key(run.keep) for n, run in enumerate(runs) if run.keep is not None}
    if len(keep) == len(runs):  # the known routes as MIP start (if they pack: they do for one plan's routes)
        start = [c for c, (n, r, _) in enumerate(columns) if route_key(r) == keep[n]]
    got = sp.solve(options, start=start)
    if got.chosen is None:
        return got.outcome, None
    return got.outcome, [columns[c][1] for c in got.chosen]


def _column(inst: Instance, run: Run, base: list[int], own: dict, added: list[int]) -> Route | None:
    """The run with ``added`` stops, each where it adds least km; orders dropped bulkiest first
    until it keeps every rule. None when the added stops cannot be visited at all."""
    seq = list(base)
    for i in added:
        path = [0, *seq, 0]
        pos = min(range(len(path) - 1), key=lambda p: inst.km[path[p], i] + inst.km[i, path[p + 1]])
        seq.insert(pos, i)
    if not seq:
        return None
    picks = {**{i: list(os) for i, os in own.items()}, **{i: list(inst.stop(i).orders) for i in added}}
    picks = {i: [o for o in os if inst.orders[o].excluded is None] for i, os in picks.items()}
    skip = frozenset(i for i in added if inst.stop(i).mandatory)  # a split visit: another run drops there
    dropped: list[tuple[int, int]] = []
    while True:
        ev: RouteEval = evaluate_route(inst, run.k, seq, picks, depart=run.depart, pickup_only=skip)
        if ev.feasible:
            break
        carried = [(inst.orders[o].kg, i, o) for i, os in picks.items() for o in os]
        if not carried:
            return None
        _, i, o = max(carried)
        picks[i].remove(o)
        dropped.append((i, o))
        if i in added and not picks[i]:
            return None  # an added stop with nothing to pick up is not worth a column
    for i, o in dropped[-2::-1]:  # put back what the last drop made unnecessary, lightest first
        picks[i].append(o)
        again = evaluate_route(inst, run.k, seq, picks, depart=run.depart, pickup_only=skip)
        if again.feasible:
            ev = again
        else:
            picks[i].remove(o)
    picks = {i: os for i, os in picks.items() if os}
    return Route(run.vehicle_id, run.k, seq, picks, ev, skip)


def improve_pickups(
    inst: Instance, routes: list[Route], options: SolveOptions, max_detour_km: float = 15.0
) -> tuple[list[Route] | None, float]:
    """Re-deal every pickup between the parcel runs of a plan: each route keeps the stops where it drops parcels
    (a route with none keeps all its stops) and may add up to one more pickup stop than it had
    (at most 4) within ``max_detour_km``. Returns every truck's route (or None if the solver
    found nothing) and the new plan's cost; never worse than ``routes``, whose routes are
    columns and the MIP start. Column enumeration stops at 60 % of the time limit."""
    deadline = time.perf_counter() + 0.6 * options.time_limit_s
    t0 = time.perf_counter()
    runs = []
    for r in routes:
        if not r.seq:
            continue
        parcel = tuple(i for i in r.seq if inst.stop(i).mandatory and r.drops(i))
        stops = parcel or tuple(r.seq)
        runs.append(Run(r.vehicle_id, r.k, stops, None, min(4, len(r.seq) - len(stops) + 1), max_detour_km, r))
    columns, broken = pickup_columns(inst, runs, deadline)
    if broken or not runs:
        return None, float("inf")
    left = max(0.5, options.time_limit_s - (time.perf_counter() - t0))
    outcome, chosen = choose_pickups(inst, runs, columns, SolveOptions(left, 0.0, options.threads))
    if chosen is None:
        return None, float("inf")
    used = {r.vehicle_id for r in chosen}
    out = chosen + [Route(r.vehicle_id, r.k) for r in routes if r.vehicle_id not in used]
    return out, outcome.objective
