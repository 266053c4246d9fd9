"""Plan a day: the library call behind ``coldchain plan``.

``plan(scenario, options)`` indexes the scenario, builds a heuristic plan, builds the MILP,
solves it with the heuristic plan as MIP start, reads the routes back, gives them exact times,
explains every unserved order, and returns a `Plan`. It keeps no global state, so many plans
may run in parallel (threads or processes) on different scenarios.
"""

from __future__ import annotations

import math
import time

import pyomo.environ as pyo

from coldchain.colgen.arc_bound import lower_bound
from coldchain.colgen.tree import branch_and_price, cost_grid, supports, to_routes, warm_up
from coldchain.core.arrays import Column, TypeData
from coldchain.core.evaluate import evaluate_route, time_route_as_given
from coldchain.core.explain import unserved_reasons
from coldchain.core.instance import Instance, build_instance
from coldchain.core.outcome import Progress, SolveOptions, SolveOutcome, SolveStatus, relative_gap
from coldchain.core.plan import Plan, PlanOptions
from coldchain.core.route import Route, route_key
from coldchain.errors import SolverError
from coldchain.model import build_model
from coldchain.model.cuts import add_root_cuts, separate_root_cuts
from coldchain.model.solve import solve, solve_relaxation
from coldchain.model.warmstart import mip_start
from coldchain.scenario.domain import Scenario
from coldchain.search.day import checked, day_items, search_day
from coldchain.search.day import warm_up as compile_day_search
from coldchain.search.insertion import HeuristicPlan, solve_heuristic
from coldchain.search.sisr import search_plan
from coldchain.search.sisr import warm_up as compile_search
from coldchain.setpart.pickups import improve_pickups
from coldchain.setpart.pool import assign_trucks, recombine

COMPACT_MAX_STOPS = 40  # above this, "auto" plans with the route pool (the compact MILP cannot keep up)
ROUTES_MAX_STOPS = 200  # up to this, "auto" plans days the route labels fully describe with the route method
SEARCH_FIRST_STOPS = 60  # above this, the route method's first search gets SEARCH_SHARE of the limit
SEARCH_SHARE = 0.4
PROOF_SHARE = 0.45  # and branch-and-price at most this share
PARTITION_PRICED = 3000  # priced routes (cheapest per stop) offered to set partitioning with the search's
PARTITION_MARGIN_S = 0.8  # the last set partitioning's limit ends this long before the plan's
DAY_SEARCH_SHARE = 0.6  # the "search" method: the compiled search's share of the time limit
DAY_BOUND_SHARE = 0.12  # and the arc LP bound's (at most DAY_BOUND_MAX_S)
DAY_BOUND_MAX_S = 15.0
DAY_POOL_MAX = 20_000  # pool routes (cheapest per item first) offered to set partitioning
# The search's iterations are capped so that the same scenario and seed give the same plan: an
# iteration costs about ITEM_WORK / items seconds on the 2-core reference machine, and the cap is
# ITERATION_MARGIN of what fits in the search's time (the clock ends it only on a slower machine).
ITEM_WORK_PER_S = 1.0e6
ITERATION_MARGIN = 0.7


def _routes_from_model(m: pyo.ConcreteModel, inst: Instance) -> list[Route]:
    """Follow the arcs the solver chose; give each route a truck of its type, earliest first."""
    out: list[Route] = []
    for t in inst.types:
        k = t.index
        succ: dict[int, list[int]] = {}
        for kk, i, j in m.ARCS:
            if kk == k and pyo.value(m.uses_arc[k, i, j]) > 0.5:
                succ.setdefault(i, []).append(j)
        found = []
        for first in succ.get(0, []):
            seq, node = [], first
            while node != 0 and len(seq) <= inst.n:
                seq.append(node)
                node = succ[node][0]
            picks = {
                i: [o for o in m.ORDERS if m.order_node[o] == i and pyo.value(m.serves_order[o]) > 0.5] for i in seq
            }
            reefer = {o: pyo.value(m.in_reefer[o]) > 0.5 for i in seq for o in picks[i] if o in m.in_reefer}
            reefer.update({o: False for i in seq for o in picks[i] if inst.orders[o].chilled and o not in reefer})
            found.append((pyo.value(m.service_start_min[seq[0]]), seq, picks, reefer))
        found.sort(key=lambda f: f[0])
        for vid, (_, seq, picks, reefer) in zip(t.vehicle_ids, found):
            ev = evaluate_route(inst, k, seq, picks, reefer)
            if not ev.feasible:  # numerical edge: let the evaluator choose reefer places
                ev = evaluate_route(inst, k, seq, picks)
            out.append(Route(vid, k, seq, picks, ev))
        for vid in t.vehicle_ids[len(found) :]:
            out.append(Route(vid, k))
    return out


def plan(scenario: Scenario, options: PlanOptions | None = None) -> Plan:
    """Plan one day for ``scenario``.

    Returns a `Plan` whose ``status`` is optimal, feasible (with a gap), infeasible (the parcel
    deliveries cannot all be made; ``missed_stops`` names them), or no_solution. Never raises for
    an infeasible day.
    """
    options = options or PlanOptions()
    timings: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    inst = build_instance(scenario)
    timings["prepare_s"] = time.perf_counter() - t0
    excluded = {o.index: o.excluded for o in inst.orders if o.excluded is not None}

    impossible = [st.site_id for st in inst.stops if st.mandatory and not inst.serves[:, st.node].any()]
    impossible += [o.site_id for o in inst.orders if o.required and o.excluded is not None]
    if impossible:
        return Plan(inst, SolveStatus.INFEASIBLE, (), excluded, tuple(impossible), None, None, timings)

    method = options.method
    if method == "auto":
        if supports(inst) is None and inst.n <= ROUTES_MAX_STOPS:
            method = "routes"
        else:
            method = "compact" if inst.n <= COMPACT_MAX_STOPS else "search"
    if method == "routes" and options.use_mip:
        why = supports(inst)
        if why is None:
            return _plan_by_routes(inst, options, timings, excluded)
        notes.append(f"the route method does not apply to this day ({why}); planned with the search method")
        method = "search"
    if method == "search" and options.use_mip:
        return _plan_by_search(inst, options, timings, excluded, tuple(notes))
    if method == "pool" and options.use_mip:
        return _plan_by_pool(inst, options, timings, excluded, tuple(notes))

    budget = _first_search_s(options)
    t0 = time.perf_counter()
    heur: HeuristicPlan = solve_heuristic(inst, budget, options.seed)
    timings["heuristic_s"] = time.perf_counter() - t0
    heur_ok = not heur.unplaced

    outcome = None
    routes: list[Route] | None = None
    if options.use_mip:
        t0 = time.perf_counter()
        m = build_model(inst)
        timings["build_s"] = time.perf_counter() - t0
        if options.root_cuts:
            t0 = time.perf_counter()
            threads = options.solve.threads
            cut_budget = 0.1 * options.solve.time_limit_s
            add_root_cuts(
                m,
                separate_root_cuts(m, inst, lambda lp: solve_relaxation(lp, threads=threads), time_limit_s=cut_budget),
            )
            timings["cuts_s"] = time.perf_counter() - t0
        start = mip_start(m, inst, heur) if heur_ok else None
        remaining = max(1.0, options.solve.time_limit_s - sum(timings.values()))
        opts = SolveOptions(**{**options.solve.__dict__, "time_limit_s": remaining})
        try:
            outcome = solve(m, opts, start=start)
        except SolverError as exc:
            if not heur_ok:
                raise
            notes.append(f"the solver failed ({exc}); this is the heuristic plan, without a bound")
            outcome = None
        timings["solve_s"] = outcome.runtime_s if outcome else 0.0
        if outcome is None:
            pass
        elif outcome.has_solution:
            routes = _routes_from_model(m, inst)
        elif outcome.status == SolveStatus.INFEASIBLE:
            missed = _missed_parcel_stops(inst, opts)
            return Plan(inst, SolveStatus.INFEASIBLE, (), excluded, missed, outcome, None, timings)

    if routes is None:
        if not heur_ok:
            status = SolveStatus.NO_SOLUTION
            return Plan(inst, status, (), excluded, (), outcome, None, timings)
        routes = heur.routes
    heur_routes_cost = heur.cost if heur_ok else None
    unserved = unserved_reasons(inst, routes)
    status = outcome.status if outcome and outcome.has_solution else SolveStatus.FEASIBLE
    return Plan(inst, status, tuple(routes), unserved, (), outcome, heur_routes_cost, timings, tuple(notes))


def _first_search_s(options: PlanOptions) -> float:
    """Seconds for the route search that gives ``compact`` and ``routes`` their first plan."""
    if options.heuristic_s is not None:
        return options.heuristic_s
    return min(5.0, max(0.5, 0.05 * options.solve.time_limit_s))


def _plan_by_pool(
    inst: Instance, options: PlanOptions, timings: dict[str, float], excluded: dict, notes_in: tuple[str, ...] = ()
) -> Plan:
    """Large days: lower bound (LP with cuts), ruin-and-recreate collecting a route pool, set
    partitioning over the pool, then the pickups re-dealt between the chosen parcel runs
    (``pickups.improve_pickups``); the gap is measured against the lower bound."""
    limit = options.solve.time_limit_s
    started = time.perf_counter() - sum(timings.values())
    progress = options.solve.progress
    t0 = time.perf_counter()
    lb = lower_bound(inst, time_limit_s=max(1.0, min(15.0, 0.15 * limit)), threads=options.solve.threads or 1)
    timings["bound_s"] = time.perf_counter() - t0
    bound = lb.value if lb else None

    def report(cost: float) -> None:
        if progress:
            progress(Progress(cost, bound, relative_gap(cost, bound), time.perf_counter() - started))

    pool: dict = {}
    t0 = time.perf_counter()
    search_s = options.heuristic_s
    if search_s is None:
        search_s = max(0.5, 0.85 * limit - (time.perf_counter() - started))
    heur = solve_heuristic(inst, search_s, options.seed, pool=pool, on_best=report)
    timings["heuristic_s"] = time.perf_counter() - t0
    if heur.unplaced:
        missed = tuple(sorted({inst.nodes[i] for i in heur.unplaced}))
        note = "the search could not fit these stops on any truck: " + ", ".join(missed)
        status = SolveStatus.NO_SOLUTION
        return Plan(inst, status, (), excluded, missed, None, None, timings, (note,))
    routes, notes = heur.routes, list(notes_in)
    cost = heur.cost
    remaining = limit - (time.perf_counter() - started)
    threads = options.solve.threads
    if remaining > 0.5:
        t0 = time.perf_counter()
        pickups_s = min(0.1 * limit, 0.5 * remaining)  # kept for re-dealing the pickups
        try:
            chosen, out = recombine(
                inst, list(pool.values()), heur.routes, SolveOptions(remaining - pickups_s, 0.0, threads)
            )
            if chosen is not None and out.objective is not None and out.objective < heur.cost - 1e-6:
                routes, cost = chosen, out.objective
        except SolverError as exc:
            notes.append(f"set partitioning failed ({exc}); this is the search's best plan")
        timings["recombine_s"] = time.perf_counter() - t0
        report(cost)
    remaining = limit - (time.perf_counter() - started)
    if remaining > 0.5:
        t0 = time.perf_counter()
        try:
            dealt, dealt_cost = improve_pickups(inst, routes, SolveOptions(remaining, 0.0, threads))
            if dealt is not None and dealt_cost < cost - 1e-6:
                routes, cost = dealt, dealt_cost
        except SolverError as exc:
            notes.append(f"re-dealing the pickups failed ({exc})")
        timings["pickups_s"] = time.perf_counter() - t0
        report(cost)
    gap = relative_gap(cost, bound)
    proved = gap is not None and gap <= max(options.solve.mip_gap, 1e-9)
    status = SolveStatus.OPTIMAL if proved else SolveStatus.FEASIBLE
    outcome = SolveOutcome(status, "pool", cost, bound, gap, time.perf_counter() - started)
    how_bound = "lower bound from the per-type arc LP with capacity cuts" if bound is not None else None
    notes.append(
        f"planned by route search and set partitioning over {len(pool):,} routes; "
        + (how_bound or "no lower bound within the time limit")
    )
    return Plan(
        inst, status, tuple(routes), unserved_reasons(inst, routes), (), outcome, heur.cost, timings, tuple(notes)
    )


def _plan_by_search(
    inst: Instance, options: PlanOptions, timings: dict[str, float], excluded: dict, notes_in: tuple[str, ...] = ()
) -> Plan:
    """Any day, every rule (`coldchain.search.day`): the compiled route search over parcel drops
    and pickup orders, set partitioning (HiGHS) over the routes it met, then the pickups re-dealt
    between the chosen runs (``pickups.improve_pickups``); the gap is against the arc LP bound
    (`coldchain.colgen.arc_bound`). Everything, compiling (or loading the cached code) included,
    counts against the time limit; the search's iterations are capped (``ITEM_WORK_PER_S``) so
    that the same scenario and seed give the same plan."""
    limit = options.solve.time_limit_s
    started = time.perf_counter() - sum(timings.values())
    threads = options.solve.threads or 1
    progress = options.solve.progress
    notes: list[str] = list(notes_in)

    def left() -> float:
        return limit - (time.perf_counter() - started)

    timings["compile_s"] = compile_day_search()
    t0 = time.perf_counter()
    lb = lower_bound(inst, time_limit_s=max(1.0, min(DAY_BOUND_MAX_S, DAY_BOUND_SHARE * limit)), threads=threads)
    timings["bound_s"] = time.perf_counter() - t0
    bound = lb.value if lb else None

    def report(cost: float) -> None:
        if progress:
            progress(Progress(cost, bound, relative_gap(cost, bound), time.perf_counter() - started))

    t0 = time.perf_counter()
    items = day_items(inst)
    search_s = options.heuristic_s
    if search_s is None:
        search_s = max(0.5, DAY_SEARCH_SHARE * limit - (time.perf_counter() - started))
    iters = int(ITERATION_MARGIN * ITEM_WORK_PER_S / len(items.node) * search_s) + 1
    found = search_day(inst, search_s, options.seed, max_iters=iters, items=items)
    timings["heuristic_s"] = time.perf_counter() - t0
    if found.iterations < iters:
        notes.append(
            f"the clock ended the search after {found.iterations:,} of {iters:,} iterations "
            "(a busy or slow machine): the same seed may give another plan"
        )
    if found.unplaced:
        missed = tuple(inst.nodes[i] for i in found.unplaced)
        note = "the search could not fit these stops on any truck: " + ", ".join(missed)
        return Plan(inst, SolveStatus.NO_SOLUTION, (), excluded, missed, None, None, timings, (note,))
    best = assign_trucks(inst, list(found.routes))
    value = {o.index: o.value_cny for o in inst.orders}
    total_value = sum(value.values())

    def total(routes: list[Route]) -> float:
        return (
            sum(r.cost for r in routes)
            + total_value
            - sum(value[o] for r in routes for os in r.picks.values() for o in os)
        )

    cost = total(best)
    report(cost)
    n_pool = 0
    if left() > 1.0:  # set partitioning over every route met, each checked by the evaluator
        t0 = time.perf_counter()
        offered = sorted(found.pool, key=lambda r: r.ev.cost / max(len(r.seq), 1))[:DAY_POOL_MAX]
        keyed = {route_key(r): r for r in (checked(inst, r)[0] for r in offered) if r.seq and r.ev.feasible}
        for r in found.routes:
            keyed.setdefault(route_key(r), r)
        budget = max(0.5, left() - min(0.1 * limit, 0.4 * left()))  # the rest: re-dealing the pickups
        try:
            opts = SolveOptions(budget, 0.0, threads, highs_options={"presolve": "off"})
            chosen, out = recombine(inst, list(keyed.values()), list(found.routes), opts, time.perf_counter() + budget)
            if chosen is not None and out.objective is not None and total(chosen) < cost - 1e-6:
                best, cost = chosen, total(chosen)
        except (SolverError, ValueError) as exc:
            notes.append(f"set partitioning failed ({exc}); this is the search's best plan")
        timings["recombine_s"] = time.perf_counter() - t0
        n_pool = len(keyed)
        report(cost)
    if left() > 0.5:
        t0 = time.perf_counter()
        try:
            dealt, _ = improve_pickups(inst, best, SolveOptions(max(0.3, left() - 0.3), 0.0, threads))
            if dealt is not None and total(dealt) < cost - 1e-6:
                best, cost = dealt, total(dealt)
        except SolverError as exc:
            notes.append(f"re-dealing the pickups failed ({exc})")
        timings["pickups_s"] = time.perf_counter() - t0
        report(cost)
    gap = relative_gap(cost, bound)
    proved = gap is not None and gap <= max(options.solve.mip_gap, 1e-9)
    status = SolveStatus.OPTIMAL if proved else SolveStatus.FEASIBLE
    outcome = SolveOutcome(status, "search", cost, bound, gap, time.perf_counter() - started)
    notes.append(
        f"planned by the compiled route search (SISR, {found.iterations:,} iterations) and set partitioning over "
        f"{n_pool:,} routes; "
        + ("lower bound from the per-type arc LP with capacity cuts" if bound is not None else "no lower bound in time")
    )
    if found.repaired:
        notes.append(f"{found.repaired} searched routes gave up orders the exact route evaluator rejected")
    return Plan(inst, status, tuple(best), unserved_reasons(inst, best), (), outcome, found.cost, timings, tuple(notes))


def _plan_by_routes(inst: Instance, options: PlanOptions, timings: dict[str, float], excluded: dict) -> Plan:
    """Days whose every rule the route labels track (``colgen.supports``), in three phases:

    1. the compiled route search (`coldchain.search.sisr`) for a first plan and a pool of routes;
    2. branch-and-price (``colgen.branch_and_price``) from the pool's routes, with set
       partitioning over the routes met so far; its bound is the least open node's;
    3. if that proves nothing within its share, the search again from the best plan, and a last
       set partitioning over every route met.

    Up to ``SEARCH_FIRST_STOPS`` stops the first search is short (``heuristic_s``) and
    branch-and-price gets the rest; on longer days the first search gets ``SEARCH_SHARE`` of the
    time limit and branch-and-price at most ``PROOF_SHARE`` (its root LP may not finish). The
    first such plan on a machine compiles the search and the pricing loop, outside the limit."""
    compile_s = warm_up() + compile_search()
    limit = options.solve.time_limit_s
    started = time.perf_counter() - sum(timings.values())
    if compile_s > 0.05:
        timings["compile_s"] = compile_s  # (not counted against the time limit)
    progress = options.solve.progress
    threads = options.solve.threads or 1
    long_day = inst.n > SEARCH_FIRST_STOPS
    tds = [TypeData(inst, k) for k in range(len(inst.types))]
    t0 = time.perf_counter()
    first_s = SEARCH_SHARE * limit if long_day and options.heuristic_s is None else _first_search_s(options)
    first = search_plan(inst, first_s, options.seed, tds=tds)
    timings["heuristic_s"] = time.perf_counter() - t0
    met: dict[tuple, Column] = {(c.k, c.seq): c for c in first.pool}
    evaluated: dict[tuple, Route | None] = {}
    state: dict = {"routes": None, "cost": math.inf}

    def report(cost: float, bound: float | None = None) -> None:
        if progress:
            progress(Progress(cost, bound, relative_gap(cost, bound), time.perf_counter() - started))

    def timed(cols: list[Column], deadline: float = math.inf) -> list[Route]:
        """``cols`` as routes timed by the exact evaluator (each once; rejected ones left out, and
        after ``deadline`` the ones not timed yet)."""
        out = []
        for c in cols:
            key = (c.k, c.seq)
            if key not in evaluated:
                if time.perf_counter() > deadline:
                    continue
                got = to_routes(inst, [c])
                evaluated[key] = got[0] if got else None
            if evaluated[key] is not None:
                out.append(evaluated[key])
        return out

    def on_integer(cols, cost: float) -> None:
        routes = timed(list(cols))
        if len(routes) < len(cols):  # a column the route evaluator rejects: not a plan (not expected)
            return
        state["routes"] = assign_trucks(inst, routes)
        state["cost"] = sum(r.cost for r in routes)
        report(cost)

    if not first.unplaced:
        on_integer(first.routes, first.cost)

    def partition(cols: list[Column], budget: float):
        """The best plan from the routes met so far and ``cols`` (set partitioning), or None;
        building and solving take at most ``budget`` seconds (of ``cols``, only the
        ``PARTITION_PRICED`` cheapest per stop are offered)."""
        deadline = time.perf_counter() + budget
        priced = sorted((c for c in cols if c.elementary), key=lambda c: c.cost / len(c.seq))[:PARTITION_PRICED]
        # timing ~20k routes in Python takes seconds: the cheapest per stop first, within half the budget
        offered = sorted([*met.values(), *priced], key=lambda c: c.cost / len(c.seq))
        keyed = {route_key(r): r for r in timed(offered, time.perf_counter() + 0.5 * budget)}
        incumbent_routes = [r for r in (state["routes"] or []) if r.seq]
        for r in incumbent_routes:
            keyed.setdefault(route_key(r), r)
        try:
            # without presolve: on long routes HiGHS 1.16's presolve of this model ignores the time
            # limit (rdp205: 26 s on a 3 s limit), and the model solves in 1 s without it
            opts = SolveOptions(budget, 0.0, threads, highs_options={"presolve": "off"})
            chosen, out = recombine(inst, list(keyed.values()), incumbent_routes, opts, deadline)
        except (SolverError, ValueError):
            return None
        if chosen is None or out.objective is None:
            return None
        used = [r for r in chosen if r.seq]
        return tuple(Column(r.k, tuple(r.seq), r.ev.cost) for r in used), sum(r.ev.cost for r in used)

    def at_root(cols: list[Column], deadline: float):
        return partition(cols, min(10.0, 0.3 * (deadline - time.perf_counter())))

    def left() -> float:
        return limit - (time.perf_counter() - started)

    t0 = time.perf_counter()
    reserve = min(10.0, 0.1 * limit)  # for the last search and set partitioning
    bp_s = max(0.5, left() - reserve)
    if long_day:
        bp_s = min(bp_s, PROOF_SHARE * limit)
    notes: list[str] = []
    try:
        bp = branch_and_price(
            inst, list(met.values()), state["cost"], bp_s, threads, on_integer=on_integer, at_root=at_root
        )
    except SolverError as exc:
        bp = None
        notes.append(f"branch-and-price failed ({exc}); this is the search's plan, without a bound")
    timings["branch_and_price_s"] = time.perf_counter() - t0
    bound = bp.bound if bp else None
    grid_tol = max(cost_grid(inst) / 2, 1e-6)

    def proved() -> bool:
        return bound is not None and state["cost"] <= bound + grid_tol

    if not proved() and left() > 1.0:  # phase 3: search again from the best plan, then partition
        t0 = time.perf_counter()
        last_s = max(0.0, left() - min(6.0, 0.5 * left()))  # the rest: set partitioning (and building it)
        start = [Column(r.k, tuple(r.seq), r.cost) for r in state["routes"] or [] if r.seq]
        again = search_plan(inst, last_s, options.seed + 1, start=start, tds=tds)
        met.update({(c.k, c.seq): c for c in again.pool})
        if not again.unplaced and again.cost < state["cost"] - 1e-6:
            on_integer(again.routes, again.cost)
        timings["heuristic_s"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        # HiGHS may run ~0.4 s past its limit on ~15k routes (rdp104): keep a margin
        better = partition(list(bp.pool) if bp else [], max(0.3, left() - PARTITION_MARGIN_S))
        if better is not None and better[1] < state["cost"] - 1e-6:
            on_integer(*better)
        timings["partition_s"] = time.perf_counter() - t0
    routes = state["routes"]
    if routes is None:
        notes.append("neither the search nor branch-and-price found a plan within the time limit")
        return Plan(inst, SolveStatus.NO_SOLUTION, (), excluded, (), None, None, timings, tuple(notes))
    cost = sum(r.cost for r in routes)
    gap = relative_gap(cost, bound)
    status = SolveStatus.OPTIMAL if proved() else SolveStatus.FEASIBLE
    seconds = time.perf_counter() - started
    outcome = SolveOutcome(status, "branch_and_price", cost, bound, 0.0 if proved() else gap, seconds)
    report(cost, bound)
    if bp is not None:
        root = f"{bp.root_bound:,.2f}" if bp.root_bound is not None else "not reached"
        notes.append(
            f"planned by route search (SISR) and branch-and-price: {bp.nodes} nodes, {len(bp.pool):,} routes "
            f"priced, root LP bound {root}"
            + (f", settled by set partitioning over {bp.enumerated:,} enumerated routes" if bp.enumerated else "")
            + (f", {bp.fixed_arcs:,} arcs fixed by reduced cost" if bp.fixed_arcs else "")
            + ("" if proved() else f", {bp.open_nodes} nodes left open")
        )
    first_cost = first.cost if not first.unplaced else None
    return Plan(
        inst, status, tuple(routes), unserved_reasons(inst, routes), (), outcome, first_cost, timings, tuple(notes)
    )


def _missed_parcel_stops(inst: Instance, opts: SolveOptions) -> tuple[str, ...]:
    """Solve the elastic model to name the parcel stops that cannot all be served."""
    m = build_model(inst, elastic=True)
    out = solve(m, SolveOptions(time_limit_s=opts.time_limit_s, mip_gap=0.0, threads=opts.threads))
    if not out.has_solution:
        return ()
    return tuple(inst.nodes[i] for i in m.misses_stop if pyo.value(m.misses_stop[i]) > 0.5)


def plan_from_routes(
    scenario: Scenario,
    routes: list[list[str]],
    note: str = "",
    picks: list[dict[str, list[str]]] | None = None,
    departures: list[float] | None = None,
    strict: bool = True,
) -> Plan:
    """A `Plan` from routes given as lists of site ids (e.g. another solver's), one per truck.

    ``picks[n]`` maps a site id of route ``n`` to the order ids it picks up (default: every
    order at its stops). Each route is timed by the exact route evaluator, so the plan can be
    written and checked like any other. With ``strict`` (the default) a route that breaks a
    rule raises `ValueError` naming it; with ``strict=False`` it is kept, timed as driven from
    ``departures[n]`` (minutes; default the shift start), so that the independent checker can
    count what it breaks. A parcel stop that no route visits always raises `ValueError`.
    """
    inst = build_instance(scenario)
    node = {sid: k for k, sid in enumerate(inst.nodes)}
    order_index = {o.order_id: o.index for o in inst.orders}
    free = [(t.index, vid) for t in inst.types for vid in t.vehicle_ids]
    out: list[Route] = []
    given = [(n, ids) for n, ids in enumerate(routes) if ids]
    for used, (n, ids) in enumerate(given):
        if used >= len(free):
            raise ValueError(f"{len(given)} routes but only {len(free)} trucks")
        k, vid = free[used]
        seq = [node[s] for s in ids]
        if picks is None:
            chosen = {i: list(inst.stop(i).orders) for i in seq}
        else:
            chosen = {node[s]: [order_index[o] for o in os] for s, os in picks[n].items()}
        ev = evaluate_route(inst, k, seq, chosen)
        if not ev.feasible:
            if strict:
                raise ValueError(f"route {n + 1} ({' '.join(ids)}) breaks the {ev.reason} rule")
            depart = departures[n] if departures else inst.types[k].start_min
            ev = time_route_as_given(inst, k, seq, chosen, depart)
        out.append(Route(vid, k, seq, chosen, ev))
    out += [Route(vid, k) for k, vid in free[len(out) :]]
    visited = {i for r in out for i in r.seq}
    missing = [st.site_id for st in inst.stops if st.mandatory and st.node not in visited]
    if missing:
        raise ValueError(f"parcel stops not visited: {', '.join(missing)}")
    served = {o for r in out for os in r.picks.values() for o in os}
    unserved = {o.index: (o.excluded or "not served by this plan") for o in inst.orders if o.index not in served}
    return Plan(inst, SolveStatus.FEASIBLE, tuple(out), unserved, (), None, None, {}, (note,) if note else ())
