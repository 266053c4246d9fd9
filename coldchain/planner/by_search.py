"""The ``search`` method (any day, every rule): the compiled route search, set partitioning, pickups re-dealt.

1. the per-type arc LP with capacity cuts (`coldchain.colgen.arc_bound`, by arc generation from
   each stop's ``ARC_NEAREST`` cheapest arcs) bounds the plan's cost; on a day whose LP does not
   fit its share of the time up front (`bound_fits`: a full county day), the degree bound of
   `coldchain.colgen.degree_bound` does at first, in milliseconds, and the arc LP runs after
   step 4, once the plan is final, in every second left (at least ``LATE_BOUND_SHARE`` of the
   limit, kept from steps 3 and 4), the plan carrying the better of the two;
2. the compiled SISR search over parcel drops and pickup orders (`coldchain.search.day`) finds a
   plan and keeps every route it meets (prize collecting, reefer space, deadlines, paid time);
3. set partitioning over those routes, each checked by the exact evaluator
   (`coldchain.setpart.pool.recombine`), picks the best plan of them;
4. the pickups are re-dealt between the chosen runs (`coldchain.setpart.pickups`).

The gap is measured against the best bound computed: every plan has one.
"""

from __future__ import annotations

import time

from coldchain.colgen.arc_bound import lower_bound
from coldchain.colgen.degree_bound import degree_bound
from coldchain.core.explain import unserved_reasons
from coldchain.core.instance import Instance
from coldchain.core.outcome import Progress, SolveOptions, SolveOutcome, SolveStatus, announce_phase, relative_gap
from coldchain.core.plan import Plan, PlanOptions
from coldchain.core.route import Route, route_key
from coldchain.errors import SolverError
from coldchain.search.day import GRANULAR_MIN_ITEMS, checked, day_items, search_day
from coldchain.search.day import warm_up as compile_day_search
from coldchain.setpart.pickups import improve_pickups
from coldchain.setpart.pool import assign_trucks, recombine

DAY_SEARCH_SHARE = 0.7  # the compiled search's share of the time limit
DAY_BOUND_SHARE = 0.12  # and the arc LP bound's (at most DAY_BOUND_MAX_S)
DAY_BOUND_MAX_S = 15.0
# A day whose arc LP has more arcs than this many per second of the bound's time gets no bound, and
# the search those seconds. Measured (shared 2-core machine, 2026-12-03): the full day, seed 1
# (865,000 arcs) took 16 s to build and had no LP solved within 30 s (under 29,000 arcs/s); it gave
# its first bound within 60 s. The ordinary day (44,000 arcs) gets its bound within 1.8 s.
BOUND_ARCS_PER_S = 40_000.0
ARC_NEAREST = 20  # arc generation starts from each stop's 20 cheapest arcs out and in per type
# On such a day the arc LP runs last, once the plan is final, in every second left: set partitioning
# and the pickups keep LATE_BOUND_SHARE of the limit for it (measured on the full day, seed 3, at
# 60 s on a busy 2-core machine, set partitioning used all of its 21 s and the arc LP needs about
# 12 s for its first LP over every arc: bench/README.md, "A bound for the full day"); on an idle
# machine the search ends at its iteration cap early and the bound gets those seconds too.
LATE_BOUND_SHARE = 0.2
LATE_BOUND_MIN_S = 3.0  # and only when at least this many seconds are left
LATE_BOUND_END_S = 0.5  # the arc LP's stop before the limit (it ends a round past its time)
DAY_POOL_MAX = 20_000  # pool routes (cheapest per item first) offered to set partitioning
# The search's iterations are capped so that the same scenario and seed give the same plan: the
# cap is ITERATION_MARGIN of the iterations that fit in the search's seconds at the rate measured
# by ``python bench/search_rate.py --days peak:1 full:1 full:2 --seconds 10`` (shared 2-core
# machine, 2026-12-03), so the clock ends the search only on a slower or busier machine:
# - granular re-insertion (days of at least `day.GRANULAR_MIN_ITEMS` items, `day.GRANULAR_K`
#   = 80 nearest items): 91 us an iteration at 272 items (peak day), 157-165 us at 581-590 items
#   (full days): GRANULAR_BASE_S + GRANULAR_ITEM_S per item (whole 60 s plans ran 115-155 us);
# - every position tried (smaller days): about 1 / ITEM_WORK_PER_S seconds per item.
ITEM_WORK_PER_S = 1.0e6
GRANULAR_BASE_S = 31.0e-6
GRANULAR_ITEM_S = 0.22e-6
ITERATION_MARGIN = 0.7


def iteration_cap(n_items: int, seconds: float) -> int:
    """The search's iteration cap for a day of ``n_items`` items given ``seconds`` (see above)."""
    if n_items >= GRANULAR_MIN_ITEMS:
        per_iteration = GRANULAR_BASE_S + GRANULAR_ITEM_S * n_items
    else:
        per_iteration = n_items / ITEM_WORK_PER_S
    return int(ITERATION_MARGIN * seconds / per_iteration) + 1


def bound_fits(inst: Instance, seconds: float) -> bool:
    """Whether the arc LP of ``inst`` can be built and solved in ``seconds`` (``BOUND_ARCS_PER_S``)."""
    arcs = sum((int(inst.serves[t.index].sum()) + 1) ** 2 for t in inst.types)
    return arcs <= BOUND_ARCS_PER_S * seconds


def plan_by_search(
    inst: Instance, options: PlanOptions, timings: dict[str, float], excluded: dict, notes_in: tuple[str, ...] = ()
) -> Plan:
    """Any day, every rule (`coldchain.search.day`): the compiled route search over parcel drops
    and pickup orders, set partitioning (HiGHS) over the routes it met, then the pickups re-dealt
    between the chosen runs (``pickups.improve_pickups``); the gap is against the arc LP bound
    (`coldchain.colgen.arc_bound`). Everything, compiling (or loading the cached code) included,
    counts against the time limit; the search's iterations are capped (`iteration_cap`) so
    that the same scenario and seed give the same plan. A day too large for the bound in its share
    of the time (`bound_fits`) gets the degree bound instead (`coldchain.colgen.degree_bound`)."""
    limit = options.solve.time_limit_s
    started = time.perf_counter() - sum(timings.values())
    threads = options.solve.threads or 1
    progress = options.solve.progress
    notes: list[str] = list(notes_in)

    def left() -> float:
        return limit - (time.perf_counter() - started)

    announce_phase(progress, "compiling", time.perf_counter() - started)
    timings["compile_s"] = compile_day_search()
    announce_phase(progress, "lower bound", time.perf_counter() - started)
    t0 = time.perf_counter()
    bound_s = max(1.0, min(DAY_BOUND_MAX_S, DAY_BOUND_SHARE * limit))
    nominal = options.solve.repeat_limit_s or limit  # what sizes the repeatable work (SolveOptions)
    nominal_bound_s = max(1.0, min(DAY_BOUND_MAX_S, DAY_BOUND_SHARE * nominal))
    fits = bound_fits(inst, nominal_bound_s)
    lb = lower_bound(inst, time_limit_s=bound_s, threads=threads, nearest=ARC_NEAREST) if fits else None
    bound = lb.value if lb else None
    bound_from = "the per-type arc LP with capacity cuts"
    if bound is None:  # the degree bound: valid at any size, in milliseconds, but far weaker
        bound = degree_bound(inst)
        why = "found no LP solution" if fits else "does not fit"
        bound_from = (
            f"the degree bound (each stop entered and left once; the arc LP {why} in its {bound_s:.0f} s), "
            "which sees neither time windows nor how stops chain into routes: the true gap is far smaller"
        )
    timings["bound_s"] = time.perf_counter() - t0

    def report(cost: float) -> None:
        if progress:
            progress(Progress(cost, bound, relative_gap(cost, bound), time.perf_counter() - started))

    announce_phase(progress, "route search", time.perf_counter() - started)
    t0 = time.perf_counter()
    items = day_items(inst)
    search_s = options.heuristic_s
    nominal_s = search_s  # the cap's seconds: from the time limit alone, not the clock, so that it repeats
    if search_s is None:
        search_s = max(0.5, DAY_SEARCH_SHARE * limit - (time.perf_counter() - started))
        nominal_s = max(0.5, DAY_SEARCH_SHARE * nominal - (nominal_bound_s if fits else 0.0))
    iters = iteration_cap(len(items.node), nominal_s)
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
    late_s = LATE_BOUND_SHARE * limit if not fits else 0.0  # kept for the arc LP after the plan

    def before_bound() -> float:
        return left() - late_s

    n_pool = 0
    if before_bound() > 1.0:  # set partitioning over every route met, each checked by the evaluator
        t0 = time.perf_counter()
        offered = sorted(found.pool, key=lambda r: r.ev.cost / max(len(r.seq), 1))[:DAY_POOL_MAX]
        keyed = {route_key(r): r for r in (checked(inst, r)[0] for r in offered) if r.seq and r.ev.feasible}
        for r in found.routes:
            keyed.setdefault(route_key(r), r)
        budget = max(0.5, before_bound() - min(0.1 * limit, 0.4 * before_bound()))  # the rest: the pickups
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
    if before_bound() > 0.5:
        t0 = time.perf_counter()
        try:
            dealt, _ = improve_pickups(inst, best, SolveOptions(max(0.3, before_bound() - 0.3), 0.0, threads))
            if dealt is not None and total(dealt) < cost - 1e-6:
                best, cost = dealt, total(dealt)
        except SolverError as exc:
            notes.append(f"re-dealing the pickups failed ({exc})")
        timings["pickups_s"] = time.perf_counter() - t0
        report(cost)
    if not fits and left() > LATE_BOUND_MIN_S:
        # the arc LP last, by arc generation, in every second the plan left (so it never changes the plan)
        announce_phase(progress, "lower bound", time.perf_counter() - started)
        t0 = time.perf_counter()
        late = lower_bound(inst, left() - LATE_BOUND_END_S, threads, nearest=ARC_NEAREST)
        timings["bound_s"] += time.perf_counter() - t0
        if late is not None and late.value > bound:
            bound = late.value
            bound_from = (
                f"the per-type arc LP with capacity cuts (by arc generation after the plan, {late.rounds} LP "
                f"rounds in {time.perf_counter() - t0:.0f} s; it sees no time windows)"
            )
        report(cost)
    gap = relative_gap(cost, bound)
    proved = gap is not None and gap <= max(options.solve.mip_gap, 1e-9)
    status = SolveStatus.OPTIMAL if proved else SolveStatus.FEASIBLE
    outcome = SolveOutcome(status, "search", cost, bound, gap, time.perf_counter() - started)
    notes.append(
        f"planned by the compiled route search (SISR, {found.iterations:,} iterations) and set partitioning over "
        f"{n_pool:,} routes; " + f"lower bound from {bound_from}"
    )
    if found.repaired:
        notes.append(f"{found.repaired} searched routes gave up orders the exact route evaluator rejected")
    return Plan(inst, status, tuple(best), unserved_reasons(inst, best), (), outcome, found.cost, timings, tuple(notes))
