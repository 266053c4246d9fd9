"""The ``compact`` method: the full MILP (`coldchain.model`) with a route search's plan as MIP start.

A first route search (`coldchain.search.insertion`) gives a plan within ``first_search_s``; the
MILP, with root capacity cuts, starts from it and runs for the rest of the time limit; the
routes are read back from the arcs chosen and timed by the exact evaluator. Without the MIP
(``use_mip=False``) the search's plan is the answer. On a day the MILP proves infeasible, the
elastic model names the parcel stops that cannot all be served. With split visits
(``[rules] split_visits``) the MILP is built on the day with twin stops (`coldchain.model.twins`),
and its routes are read back onto the day's sites (a twin of a parcel stop: a pickup-only visit).
"""

from __future__ import annotations

import time

import pyomo.environ as pyo

from coldchain.core.evaluate import evaluate_route
from coldchain.core.explain import unserved_reasons
from coldchain.core.instance import Instance
from coldchain.core.outcome import SolveOptions, SolveOutcome, SolveStatus, announce_phase, relative_gap
from coldchain.core.plan import Plan, PlanOptions
from coldchain.core.route import Route
from coldchain.errors import SolverError
from coldchain.model import build_model
from coldchain.model.cuts import add_root_cuts, separate_root_cuts
from coldchain.model.solve import solve, solve_relaxation
from coldchain.model.twins import add_twin_constraints, collapse, expand, spread
from coldchain.model.warmstart import mip_start
from coldchain.search.insertion import HeuristicPlan, solve_heuristic


def first_search_s(options: PlanOptions) -> float:
    """Seconds for the route search that gives ``compact`` and ``routes`` their first plan."""
    if options.heuristic_s is not None:
        return options.heuristic_s
    return min(5.0, max(0.5, 0.05 * options.solve.time_limit_s))


def plan_compact(
    inst: Instance, options: PlanOptions, timings: dict[str, float], excluded: dict, notes_in: tuple[str, ...] = ()
) -> Plan:
    """Plan a prepared day with the compact MILP (module docstring)."""
    notes: list[str] = list(notes_in)
    budget = first_search_s(options)
    t0 = time.perf_counter()
    announce_phase(options.solve.progress, "search")
    heur: HeuristicPlan = solve_heuristic(inst, budget, options.seed)
    if options.use_mip and inst.visit_slots > inst.n:  # split visits: the compiled search splits them
        heur = min(heur, _split_search(inst, budget, options.seed), key=lambda h: (bool(h.unplaced), h.cost))
    timings["heuristic_s"] = time.perf_counter() - t0
    heur_ok = not heur.unplaced

    outcome = None
    routes: list[Route] | None = None
    if options.use_mip:
        t0 = time.perf_counter()
        announce_phase(options.solve.progress, "building the MILP")
        tw = expand(inst) if inst.visit_slots > inst.n else None  # split visits: twin stops
        model_inst = tw.inst if tw else inst
        m = build_model(model_inst)
        if tw:
            add_twin_constraints(m, tw, inst.scenario.settings.weights)
        timings["build_s"] = time.perf_counter() - t0
        if options.root_cuts:
            t0 = time.perf_counter()
            threads = options.solve.threads
            cut_budget = 0.1 * options.solve.time_limit_s
            add_root_cuts(
                m,
                separate_root_cuts(
                    m, model_inst, lambda lp: solve_relaxation(lp, threads=threads), time_limit_s=cut_budget
                ),
            )
            timings["cuts_s"] = time.perf_counter() - t0
        spread_routes = spread(tw, heur.routes) if tw and heur_ok else None
        if spread_routes is not None:
            start = mip_start(m, model_inst, HeuristicPlan(spread_routes, heur.unserved, [], heur.cost))
        else:
            start = mip_start(m, model_inst, heur) if heur_ok and not tw else None
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
            routes = _routes_from_model(m, model_inst)
            if tw:
                routes = collapse(inst, tw, routes)
                if routes is None:  # a truck visits a site twice in the MILP's plan: its value is a bound only
                    notes.append("the MILP's plan visits a site twice with one truck; this is the search's plan")
                    bound = outcome.bound
                    outcome = SolveOutcome(
                        SolveStatus.FEASIBLE, outcome.termination, heur.cost, bound, relative_gap(heur.cost, bound),
                        outcome.runtime_s,
                    )  # fmt: skip
        elif outcome.status == SolveStatus.INFEASIBLE:
            missed = _missed_parcel_stops(model_inst, opts)
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


def _split_search(inst: Instance, seconds: float, seed: int) -> HeuristicPlan:
    """The compiled day search's plan (`coldchain.search.day`, which splits visits), as a first plan.
    (Imported here: a day without split visits never loads the compiled search.)"""
    from coldchain.planner.by_search import ITEM_WORK_PER_S, ITERATION_MARGIN
    from coldchain.search.day import day_items, search_day
    from coldchain.setpart.pool import assign_trucks

    items = day_items(inst)
    iters = int(ITERATION_MARGIN * ITEM_WORK_PER_S / len(items.node) * seconds) + 1
    found = search_day(inst, seconds, seed, max_iters=iters, items=items)
    routes = assign_trucks(inst, list(found.routes))
    served = {o for r in routes for os in r.picks.values() for o in os}
    unserved = {o.index for o in inst.orders if o.index not in served and o.excluded is None}
    lost = inst.costs.unserved(o.index for o in inst.orders if o.index not in served)
    unplaced = [int(i) for i in found.unplaced]
    return HeuristicPlan(routes, unserved, unplaced, sum(r.cost for r in routes) + lost)


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


def _missed_parcel_stops(inst: Instance, opts: SolveOptions) -> tuple[str, ...]:
    """Solve the elastic model to name the parcel stops that cannot all be served."""
    m = build_model(inst, elastic=True)
    out = solve(m, SolveOptions(time_limit_s=opts.time_limit_s, mip_gap=0.0, threads=opts.threads))
    if not out.has_solution:
        return ()
    return tuple(inst.nodes[i] for i in m.misses_stop if pyo.value(m.misses_stop[i]) > 0.5)
