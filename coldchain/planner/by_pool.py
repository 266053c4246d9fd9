"""The ``pool`` method (county days): a lower bound, a route search collecting a pool, set partitioning over it.

1. the per-type arc LP with capacity cuts (`coldchain.colgen.arc_bound`) bounds the plan's cost;
2. ruin-and-recreate (`coldchain.search.insertion`) finds a plan and keeps every route it meets;
3. set partitioning over the pool (`coldchain.setpart.pool.recombine`) picks the best plan of them;
4. the pickups are re-dealt between the chosen parcel runs (`coldchain.setpart.pickups`).

The gap is measured against the bound of step 1.
"""

from __future__ import annotations

import time

from coldchain.colgen.arc_bound import lower_bound
from coldchain.core.explain import unserved_reasons
from coldchain.core.instance import Instance
from coldchain.core.outcome import Progress, SolveOptions, SolveOutcome, SolveStatus, announce_phase, relative_gap
from coldchain.core.plan import Plan, PlanOptions
from coldchain.errors import SolverError
from coldchain.search.insertion import solve_heuristic
from coldchain.setpart.pickups import improve_pickups
from coldchain.setpart.pool import recombine


def plan_by_pool(
    inst: Instance, options: PlanOptions, timings: dict[str, float], excluded: dict, notes_in: tuple[str, ...] = ()
) -> Plan:
    """Large days: lower bound (LP with cuts), ruin-and-recreate collecting a route pool, set
    partitioning over the pool, then the pickups re-dealt between the chosen parcel runs
    (``pickups.improve_pickups``); the gap is measured against the lower bound."""
    limit = options.solve.time_limit_s
    started = time.perf_counter() - sum(timings.values())
    progress = options.solve.progress
    t0 = time.perf_counter()
    announce_phase(progress, "lower bound", t0 - started)
    lb = lower_bound(inst, time_limit_s=max(1.0, min(15.0, 0.15 * limit)), threads=options.solve.threads or 1)
    timings["bound_s"] = time.perf_counter() - t0
    bound = lb.value if lb else None

    def report(cost: float, phase: str = "search") -> None:
        if progress:
            progress(Progress(cost, bound, relative_gap(cost, bound), time.perf_counter() - started, phase))

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
        report(cost, "set partitioning")
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
        report(cost, "pickups")
    gap = relative_gap(cost, bound)
    proved = gap is not None and gap <= max(options.solve.mip_gap, 1e-9)
    status = SolveStatus.OPTIMAL if proved else SolveStatus.FEASIBLE
    outcome = SolveOutcome(status, "pool", cost, bound, gap, time.perf_counter() - started)
    how_bound = "lower bound from the per-type arc LP with capacity cuts" if bound is not None else None
    if any(inst.may_split(st.node) for st in inst.stops):
        notes.append("the pool method's route search visits each site once; for split visits use the search method")
    notes.append(
        f"planned by route search and set partitioning over {len(pool):,} routes; "
        + (how_bound or "no lower bound within the time limit")
    )
    return Plan(
        inst, status, tuple(routes), unserved_reasons(inst, routes), (), outcome, heur.cost, timings, tuple(notes)
    )
