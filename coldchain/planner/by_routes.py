"""The ``routes`` method: days whose every rule the route labels track (`registry.routes_apply`), in three phases:

1. the compiled route search (`coldchain.search.sisr`) for a first plan and a pool of routes;
2. branch-and-price (`coldchain.colgen.tree.branch_and_price`) from the pool's routes, with set
   partitioning over the routes met so far; its bound is the least open node's;
3. if that proves nothing within its share, the search again from the best plan, and a last
   set partitioning over every route met.

Up to ``SEARCH_FIRST_STOPS`` stops the first search is short (``heuristic_s``) and
branch-and-price gets the rest; on longer days the first search gets ``SEARCH_SHARE`` of the
time limit and branch-and-price at most ``PROOF_SHARE`` (its root LP may not finish). The
first such plan on a machine compiles the search and the pricing loop, outside the limit.
`RoutePlanning` holds what the phases share: the routes met, the ones timed, the incumbent.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from coldchain.colgen.arc_bound import lower_bound
from coldchain.colgen.degree_bound import degree_bound
from coldchain.colgen.tree import branch_and_price, cost_grid, plan_cost, to_routes, visits_of, warm_up
from coldchain.core.arrays import Column, TypeData
from coldchain.core.evaluate import evaluate_route
from coldchain.core.explain import unserved_reasons
from coldchain.core.instance import Instance
from coldchain.core.outcome import Progress, SolveOptions, SolveOutcome, SolveStatus, announce_phase, relative_gap
from coldchain.core.plan import Plan, PlanOptions
from coldchain.core.route import Route, route_key
from coldchain.errors import SolverError
from coldchain.planner.by_search import bound_fits
from coldchain.planner.compact import first_search_s, plan_compact
from coldchain.search.day import search_day
from coldchain.search.day import warm_up as compile_day_search
from coldchain.search.sisr import search_plan
from coldchain.search.sisr import warm_up as compile_search
from coldchain.setpart.pool import assign_trucks, recombine

SEARCH_FIRST_STOPS = 60  # above this, the route method's first search gets SEARCH_SHARE of the limit
SEARCH_SHARE = 0.4
PROOF_SHARE = 0.45  # and branch-and-price at most this share
ARC_BOUND_S = 3.0  # the arc LP's seconds when branch-and-price ends before its root LP (then a bound still)
PARTITION_PRICED = 3000  # priced routes (cheapest per stop) offered to set partitioning with the search's
DAY_FIRST_S = 0.5  # the first search on a county day of at most SEARCH_FIRST_STOPS stops (the day search)
PARTITION_MARGIN_S = 0.8  # the last set partitioning's limit ends this long before the plan's


@dataclass(frozen=True)
class Found:
    """A route search's best plan as columns (``unplaced``: stops left out, 0 when complete) and the
    pool of routes it met."""

    routes: tuple[Column, ...]
    unplaced: int
    pool: tuple[Column, ...]
    cost: float | None  # the plan's objective (None when it leaves stops out)


def plan_by_routes(
    inst: Instance, options: PlanOptions, timings: dict[str, float], excluded: dict, notes_in: tuple[str, ...] = ()
) -> Plan:
    """Plan a prepared day with the route method (module docstring)."""
    return RoutePlanning(inst, options, timings).run(excluded, notes_in)


class RoutePlanning:
    """One run of the route method: the routes met (``met``), the ones the exact evaluator has timed
    (``evaluated``), the incumbent plan (``routes``, ``cost``) and the clock (``started``, ``limit``)."""

    def __init__(self, inst: Instance, options: PlanOptions, timings: dict[str, float]) -> None:
        self.tds = [TypeData(inst, k) for k in range(len(inst.types))]
        self.plain = all(visits_of(td).plain for td in self.tds)  # a benchmark day (`colgen.visits`)
        announce_phase(options.solve.progress, "compiling", sum(timings.values()))
        compile_s = warm_up() + (compile_search() if self.plain else compile_day_search())
        self.inst, self.options, self.timings = inst, options, timings
        self.limit = options.solve.time_limit_s
        self.started = time.perf_counter() - sum(timings.values())
        if compile_s > 0.05:
            timings["compile_s"] = compile_s  # (not counted against the time limit)
        self.progress = options.solve.progress
        self.threads = options.solve.threads or 1
        self.long_day = inst.n > SEARCH_FIRST_STOPS
        self.met: dict[tuple, Column] = {}
        self.evaluated: dict[tuple, Route | None] = {}
        self.routes: list[Route] | None = None
        self.cost = math.inf
        self.bound: float | None = None

    def run(self, excluded: dict, notes_in: tuple[str, ...] = ()) -> Plan:
        inst, options, timings, limit = self.inst, self.options, self.timings, self.limit
        long_day = self.long_day
        t0 = time.perf_counter()
        first_s = SEARCH_SHARE * limit if long_day and options.heuristic_s is None else first_search_s(options)
        if not self.plain and not long_day and options.heuristic_s is None:
            first_s = min(first_s, DAY_FIRST_S)  # branch-and-price proves such days in a fraction of a second
        announce_phase(self.progress, "search", t0 - self.started)
        first = self.search(first_s, options.seed)
        timings["heuristic_s"] = time.perf_counter() - t0
        self.met.update({c.key: c for c in first.pool})
        if not first.unplaced:
            self.on_integer(first.routes, 0.0)

        t0 = time.perf_counter()
        reserve = min(10.0, 0.1 * limit)  # for the last search and set partitioning
        bp_s = max(0.5, self.left() - reserve)
        if long_day:
            bp_s = min(bp_s, PROOF_SHARE * limit)
        notes: list[str] = list(notes_in)
        try:
            bp = branch_and_price(
                inst, list(self.met.values()), self.cost, bp_s, self.threads, on_integer=self.on_integer,
                at_root=self.at_root,
            )  # fmt: skip
        except SolverError as exc:
            bp = None
            notes.append(f"branch-and-price failed ({exc}); this is the search's plan")
        timings["branch_and_price_s"] = time.perf_counter() - t0
        self.bound = bp.bound if bp else None
        self.grid_tol = max(cost_grid(inst) / 2, 1e-6)
        bound_from = None
        if self.bound is None and bound_fits(inst, ARC_BOUND_S) and self.left() > 2 * ARC_BOUND_S:
            t0 = time.perf_counter()  # the route LP not reached: the arc LP, if it fits a few seconds
            lb = lower_bound(inst, time_limit_s=ARC_BOUND_S, threads=self.threads)
            timings["bound_s"] = time.perf_counter() - t0
            if lb is not None:
                self.bound, bound_from = lb.value, "the per-type arc LP with capacity cuts"

        if not self.proved() and self.left() > 1.0:  # phase 3: search again from the best plan, then partition
            self.search_again(bp)
        routes = self.routes
        if routes is None and not long_day and options.use_mip:
            # no plan: the compact MILP decides (it proves a small day infeasible and names the stops)
            notes.append("neither the search nor branch-and-price found a plan; planned with the compact MILP")
            return plan_compact(inst, options, timings, excluded, tuple(notes))
        if routes is None:
            notes.append("neither the search nor branch-and-price found a plan within the time limit")
            return Plan(inst, SolveStatus.NO_SOLUTION, (), excluded, (), None, None, timings, tuple(notes))
        cost = self.objective(routes)
        bound = self.bound
        if bound is None:  # nor the arc LP: the degree bound (valid at any size, far weaker)
            bound = degree_bound(inst)
            bound_from = "the degree bound (each stop entered and left once)"
        if bound_from is not None:
            notes.append(
                f"lower bound from {bound_from}: the route LP was not solved in time, and this bound does not "
                "see time windows, so the true gap may be far smaller"
            )
        gap = relative_gap(cost, bound)
        status = SolveStatus.OPTIMAL if self.proved() else SolveStatus.FEASIBLE
        seconds = time.perf_counter() - self.started
        outcome = SolveOutcome(status, "branch_and_price", cost, bound, 0.0 if self.proved() else gap, seconds)
        self.report(cost, bound)
        if bp is not None:
            root = f"{bp.root_bound:,.2f}" if bp.root_bound is not None else "not reached"
            notes.append(
                f"planned by route search (SISR) and branch-and-price: {bp.nodes} nodes, {len(bp.pool):,} routes "
                f"priced, root LP bound {root}"
                + (f", settled by set partitioning over {bp.enumerated:,} enumerated routes" if bp.enumerated else "")
                + (f", {bp.fixed_arcs:,} arcs fixed by reduced cost" if bp.fixed_arcs else "")
                + ("" if self.proved() else f", {bp.open_nodes} nodes left open")
            )
        first_cost = first.cost
        return Plan(
            inst, status, tuple(routes), unserved_reasons(inst, routes), (), outcome, first_cost, timings, tuple(notes)
        )

    def search(self, seconds: float, seed: int, start: list[Route] | None = None) -> Found:
        """The route search: SISR over whole stops on a plain day (`coldchain.search.sisr`), else
        the day search over parcel drops and pickup orders (`coldchain.search.day`), its routes
        and pool as columns timed by the route evaluator (the ones it rejects left out)."""
        if self.plain:
            cols = [Column(r.k, tuple(r.seq), r.cost) for r in start or [] if r.seq]
            got = search_plan(self.inst, seconds, seed, start=cols or None, tds=self.tds)
            return Found(got.routes, got.unplaced, got.pool, got.cost if not got.unplaced else None)
        got = search_day(self.inst, seconds, seed, start=start)
        routes = tuple(self.column(r) for r in got.routes if r.seq)
        pool = [self.column(r) for r in got.pool if r.seq]
        exact = tuple(c for c in pool if c is not None)
        unplaced = len(got.unplaced) or int(None in routes)
        return Found(routes, unplaced, exact, None if unplaced else self.objective(list(got.routes)))

    def column(self, r: Route) -> Column | None:
        """A route of the day search as a column, timed by the route evaluator (None if rejected, or
        if it leaves a must-serve order at a stop it visits: the search's pool holds routes of
        plans with items still unplaced)."""
        orders = self.inst.orders
        if any(orders[o].required and o not in r.picks.get(i, ()) for i in r.seq for o in self.inst.stop(i).orders):
            return None
        ev = evaluate_route(self.inst, r.k, r.seq, r.picks)
        if not ev.feasible:
            return None
        return Column(r.k, tuple(r.seq), ev.cost, tuple(tuple(r.picks.get(i, ())) for i in r.seq))

    def objective(self, routes: list[Route]) -> float:
        """A plan's objective: its routes' cost plus the value of every order it leaves."""
        served = {o for r in routes for os in r.picks.values() for o in os}
        return sum(r.cost for r in routes) + self.inst.costs.unserved(
            o.index for o in self.inst.orders if o.index not in served
        )

    def search_again(self, bp) -> None:
        """Phase 3: the search again from the best plan, then set partitioning over every route met."""
        timings = self.timings
        t0 = time.perf_counter()
        last_s = max(0.0, self.left() - min(6.0, 0.5 * self.left()))  # the rest: set partitioning (and building it)
        again = self.search(last_s, self.options.seed + 1, start=[r for r in self.routes or [] if r.seq])
        self.met.update({c.key: c for c in again.pool})
        if not again.unplaced:
            self.on_integer(again.routes, 0.0)
        timings["heuristic_s"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        # HiGHS may run ~0.4 s past its limit on ~15k routes (rdp104): keep a margin
        better = self.partition(list(bp.pool) if bp else [], max(0.3, self.left() - PARTITION_MARGIN_S))
        if better is not None and better[1] < self.cost - 1e-6:
            self.on_integer(*better)
        timings["partition_s"] = time.perf_counter() - t0

    def report(self, cost: float, bound: float | None = None) -> None:
        if self.progress:
            seconds = time.perf_counter() - self.started
            self.progress(Progress(cost, bound, relative_gap(cost, bound), seconds, "branch-and-price"))

    def timed(self, cols: list[Column], deadline: float = math.inf) -> list[Route]:
        """``cols`` as routes timed by the exact evaluator (each once; rejected ones left out, and
        after ``deadline`` the ones not timed yet)."""
        out = []
        for c in cols:
            key = c.key
            if key not in self.evaluated:
                if time.perf_counter() > deadline:
                    continue
                got = to_routes(self.inst, [c])
                self.evaluated[key] = got[0] if got else None
            if self.evaluated[key] is not None:
                out.append(self.evaluated[key])
        return out

    def on_integer(self, cols, cost: float) -> None:
        """A new incumbent (from the search, branch-and-price or set partitioning)."""
        routes = self.timed(list(cols))
        if len(routes) < len(cols):  # a column the route evaluator rejects: not a plan (not expected)
            return
        objective = self.objective(routes)
        if objective >= self.cost - 1e-6:
            return
        self.routes = assign_trucks(self.inst, routes)
        self.cost = objective
        self.report(objective)

    def partition(self, cols: list[Column], budget: float):
        """The best plan from the routes met so far and ``cols`` (set partitioning), or None;
        building and solving take at most ``budget`` seconds (of ``cols``, only the
        ``PARTITION_PRICED`` cheapest per stop are offered)."""
        deadline = time.perf_counter() + budget
        priced = sorted((c for c in cols if c.elementary and c.exact), key=lambda c: c.cost / len(c.seq))
        priced = priced[:PARTITION_PRICED]
        # timing ~20k routes in Python takes seconds: the cheapest per stop first, within half the budget
        offered = sorted([*self.met.values(), *priced], key=lambda c: c.cost / len(c.seq))
        keyed = {route_key(r): r for r in self.timed(offered, time.perf_counter() + 0.5 * budget)}
        incumbent_routes = [r for r in (self.routes or []) if r.seq]
        for r in incumbent_routes:
            keyed.setdefault(route_key(r), r)
        try:
            # without presolve: on long routes HiGHS 1.16's presolve of this model ignores the time
            # limit (rdp205: 26 s on a 3 s limit), and the model solves in 1 s without it
            opts = SolveOptions(budget, 0.0, self.threads, highs_options={"presolve": "off"})
            chosen, out = recombine(self.inst, list(keyed.values()), incumbent_routes, opts, deadline)
        except (SolverError, ValueError):
            return None
        if chosen is None or out.objective is None:
            return None
        used = [r for r in chosen if r.seq]
        cols = tuple(
            Column(r.k, tuple(r.seq), r.ev.cost, () if self.plain else tuple(tuple(r.picks.get(i, ())) for i in r.seq))
            for r in used
        )
        return cols, plan_cost(self.inst, cols)

    def at_root(self, cols: list[Column], deadline: float):
        """Branch-and-price's call after the root LP: set partitioning over what is met so far."""
        return self.partition(cols, min(10.0, 0.3 * (deadline - time.perf_counter())))

    def left(self) -> float:
        return self.limit - (time.perf_counter() - self.started)

    def proved(self) -> bool:
        if self.bound is None or not math.isfinite(self.cost):
            return False
        return self.cost <= self.bound + max(self.grid_tol, 1e-9 * abs(self.cost))  # (LP and evaluator round apart)
