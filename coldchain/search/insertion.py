"""A fast heuristic plan: cheapest insertion, then ruin-and-recreate with local search.

Every candidate route is checked by ``coldchain.core.evaluate.evaluate_route``, so every plan it returns
keeps all the hard rules. It serves as the MIP start for HiGHS and as the fallback plan when
the solver finds nothing better in time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from coldchain.core.evaluate import RouteEval, evaluate_route
from coldchain.core.instance import Instance
from coldchain.core.route import Route, route_key

MUST_SERVE_WORTH = 1e9  # the same weight as an unplaced parcel stop
GRANULAR_FROM = 40  # stops: above this, insertion costs only the positions that add least km
GRANULAR_TRIES = 2  # feasible positions costed exactly per route on large days


@dataclass
class HeuristicPlan:
    """Routes for every truck (some empty), the orders left out, and the stops whose parcels or
    must-serve orders could not be placed (the plan is complete only when that list is empty)."""

    routes: list[Route]
    unserved: set[int]
    unplaced: list[int]
    cost: float


class _Search:
    def __init__(self, inst: Instance, seed: int):
        self.inst = inst
        self.rng = random.Random(seed)
        self.servable = [o.index for o in inst.orders if o.excluded is None]
        self.lost_excluded = inst.costs.unserved(o.index for o in inst.orders if o.excluded is not None)
        # what serving an order is worth to the search: its value, or, for a must-serve order,
        # more than any plan costs (leaving one out is as bad as leaving a parcel stop out)
        self.worth = {o.index: MUST_SERVE_WORTH if o.required else inst.costs.lost[o.index] for o in inst.orders}

    def eval(self, r: Route) -> RouteEval:
        return evaluate_route(self.inst, r.k, r.seq, r.picks)

    def total(self, routes: list[Route], unserved: set[int]) -> float:
        return sum(r.cost for r in routes) + sum(self.worth[o] for o in unserved) + self.lost_excluded

    # -- insertion -----------------------------------------------------------------------------
    def best_stop_insertion(self, routes: list[Route], node: int, orders: list[int], noise: float = 0.0):
        """Cheapest (route, position) to insert ``node`` with ``orders``; (delta, r, pos, ev) or None.

        On large days (more than ``GRANULAR_FROM`` stops) each route's positions are tried in order
        of added km and only the first ``GRANULAR_TRIES`` feasible ones are costed exactly.
        """
        inst = self.inst
        f = inst.fast
        km = f.km
        extra_load = f.delivery[node]
        tries = GRANULAR_TRIES if inst.n > GRANULAR_FROM else None
        best = None
        empty_tried: set[int] = set()
        for r in routes:
            if not inst.serves[r.k, node]:
                continue
            if not r.seq:
                if r.k in empty_tried:
                    continue  # one empty truck per type is enough to try
                empty_tried.add(r.k)
            elif r.ev is not None and r.ev.load_out + extra_load > inst.types[r.k].capacity_kg + 1e-6:
                continue
            base = r.cost
            positions = range(len(r.seq) + 1)
            if tries is not None and len(r.seq) > 1:
                path = [0, *r.seq, 0]
                positions = sorted(
                    positions, key=lambda q: km[path[q]][node] + km[node][path[q + 1]] - km[path[q]][path[q + 1]]
                )
            found = 0
            for pos in positions:
                cand = Route(r.vehicle_id, r.k, r.seq[:pos] + [node] + r.seq[pos:], {**r.picks, node: list(orders)})
                ev = self.eval(cand)
                if not ev.feasible:
                    continue
                delta = ev.cost - base
                if noise:
                    delta *= 1 + noise * (self.rng.random() - 0.5)
                if best is None or delta < best[0]:
                    best = (delta, r, pos, ev)
                found += 1
                if tries is not None and found >= tries:
                    break
        return best

    def insert_order(self, routes: list[Route], o: int, noise: float = 0.0) -> bool:
        """Serve order ``o`` where it adds least cost, if that is below its value."""
        order = self.inst.orders[o]
        node = order.node
        holder = next((r for r in routes if node in r.picks), None)
        if holder is not None:
            cand = holder.copy()
            cand.picks[node] = cand.picks[node] + [o]
            ev = self.eval(cand)
            if ev.feasible and ev.cost - holder.cost < self.worth[o]:
                holder.picks, holder.ev = cand.picks, ev
                return True
            return False
        best = self.best_stop_insertion(routes, node, [o], noise)
        if best and best[0] < self.worth[o]:
            _, r, pos, ev = best
            r.seq.insert(pos, node)
            r.picks[node] = [o]
            r.ev = ev
            return True
        return False

    def _value(self, orders: list[int]) -> float:
        return sum(self.worth[o] for o in orders)

    def insert_unit(self, routes: list[Route], node: int, orders: list[int], noise: float) -> list[int] | None:
        """Insert stop ``node`` with as many of ``orders`` as pay; return the orders left out.

        Tries the whole set, then sets with the bulkiest order dropped one at a time; keeps the
        insertion with the lowest added cost minus value saved. A pickup-only stop is inserted
        only when that is negative; a parcel stop always (None if it fits nowhere).
        """
        mandatory = self.inst.stop(node).mandatory
        trials = []
        subset = sorted(orders, key=lambda o: -self.inst.orders[o].kg)
        while True:
            trials.append(list(subset))
            if not subset:
                break
            subset = subset[1:]
        best = None
        for sub in trials:
            found = self.best_stop_insertion(routes, node, sub, noise)
            if found is None:
                continue
            score = found[0] - self._value(sub)
            if best is None or score < best[0]:
                best = (score, sub, found)
            if len(sub) == len(orders):
                break  # everything fits somewhere: smaller sets only lose value
        if best is None or (not mandatory and best[0] >= 0):
            return None if mandatory else list(orders)
        _, sub, (_, r, pos, ev) = best
        r.seq.insert(pos, node)
        r.picks[node] = list(sub)
        r.ev = ev
        return [o for o in orders if o not in sub]

    def recreate(self, routes: list[Route], nodes: list[int], orders: list[int], noise: float) -> list[int]:
        """Re-insert stops ``nodes`` with their ``orders``, then leftover orders; return unplaced parcel stops."""
        by_node: dict[int, list[int]] = {}
        for o in orders:
            by_node.setdefault(self.inst.orders[o].node, []).append(o)
        visited = {i for r in routes for i in r.seq}
        units = sorted(
            set(nodes) | {i for i in by_node if i not in visited},
            key=lambda i: (
                -(self.inst.delivery(i) * 10 + self._value(by_node.get(i, []))) * (1 + noise * self.rng.random())
            ),
        )
        unplaced, leftover = [], []
        for node in units:
            left = self.insert_unit(routes, node, by_node.get(node, []), noise)
            if left is None:
                unplaced.append(node)
                leftover += by_node.get(node, [])
            else:
                leftover += left
        leftover += [o for i, os in by_node.items() if i in visited for o in os]
        for o in sorted(set(leftover), key=lambda o: -self.worth[o]):
            self.insert_order(routes, o, noise)
        return unplaced

    # -- ruin ----------------------------------------------------------------------------------
    def ruin(self, routes: list[Route], size: int) -> tuple[list[int], list[int]]:
        """Remove ``size`` stops near a random seed stop; return (mandatory stops, orders) to re-insert."""
        placed = [(r, i) for r in routes for i in r.seq]
        if not placed:
            return [], []
        _, seed = self.rng.choice(placed)
        near = sorted(placed, key=lambda ri: self.inst.km[seed, ri[1]])[:size]
        stops, orders = [], []
        for r, i in near:
            r.seq.remove(i)
            orders += r.picks.pop(i, [])
            stops.append(i)
        for r in {id(r): r for r, _ in near}.values():
            r.ev = self.eval(r) if r.seq else None
        return stops, orders

    def ruin_route(self, routes: list[Route]) -> tuple[list[int], list[int]]:
        """Empty one random used route; return its stops and orders for re-insertion."""
        used = [r for r in routes if r.seq]
        if not used:
            return [], []
        r = self.rng.choice(used)
        stops, orders = list(r.seq), [o for os in r.picks.values() for o in os]
        r.seq, r.picks, r.ev = [], {}, None
        return stops, orders

    def drop_orders(self, routes: list[Route], count: int) -> list[int]:
        """Unserve ``count`` random served orders (their stops stay); return them."""
        served = [(r, i, o) for r in routes for i, os in r.picks.items() for o in os]
        out = []
        for r, i, o in self.rng.sample(served, min(count, len(served))):
            r.picks[i].remove(o)
            out.append(o)
            if not r.picks[i] and not self.inst.stop(i).mandatory:
                r.seq.remove(i)
                del r.picks[i]
        for r in routes:
            r.ev = self.eval(r) if r.seq else None
        return out

    # -- local search --------------------------------------------------------------------------
    def two_opt(self, r: Route) -> bool:
        improved = False
        n = len(r.seq)
        for a in range(n - 1):
            for b in range(a + 1, n):
                cand = r.copy()
                cand.seq[a : b + 1] = reversed(cand.seq[a : b + 1])
                ev = self.eval(cand)
                if ev.feasible and ev.cost < r.cost - 1e-6:
                    r.seq, r.ev = cand.seq, ev
                    improved = True
        return improved


def solve_heuristic(
    inst: Instance,
    time_limit_s: float = 2.0,
    seed: int = 0,
    pool: dict | None = None,
    on_best: Callable[[float], None] | None = None,
) -> HeuristicPlan:
    """Plan with cheapest insertion and ruin-and-recreate for ``time_limit_s`` seconds (deterministic per seed
    up to the time budget).

    Acceptance is record-to-record travel: a candidate is kept when it costs less than the best
    plan times (1 + T), with T falling linearly from 2 % to 0 over the budget. When ``pool`` is a
    dict, every route of every kept plan is added to it (key -> Route), for set partitioning.
    ``on_best(cost)`` is called with each new best complete plan's cost (at most twice a second).
    """
    s = _Search(inst, seed)
    routes = [Route(v, t.index) for t in inst.types for v in t.vehicle_ids]
    mandatory = [st.node for st in inst.stops if st.mandatory]
    unplaced = s.recreate(routes, mandatory, s.servable, noise=0.0)
    for r in routes:
        if r.seq:
            s.two_opt(r)
    served = {o for r in routes for os in r.picks.values() for o in os}
    best = [r.copy() for r in routes]
    best_unserved = set(s.servable) - served
    best_cost = s.total(best, best_unserved) + 1e9 * len(unplaced)
    best_unplaced = unplaced

    def remember(plan_routes: list[Route]) -> None:
        if pool is not None:
            for r in plan_routes:
                if r.seq and r.ev is not None and r.ev.feasible:
                    pool.setdefault(route_key(r), r.copy())

    remember(best)
    t_start = time.perf_counter()
    deadline = t_start + time_limit_s
    current, current_cost = [r.copy() for r in best], best_cost
    since_best = 0
    last_report = t_start
    stall = max(1000, 150 * inst.n)  # iterations without a new best before stopping early
    while inst.n:
        now = time.perf_counter()
        if now >= deadline:
            break
        threshold = 0.02 * (deadline - now) / max(time_limit_s, 1e-9)
        cand = [r.copy() for r in current]
        roll = s.rng.random()
        if roll < 0.55:
            stops, orders = s.ruin(cand, s.rng.randint(2, max(2, min(12, inst.n // 3 + 1))))
        elif roll < 0.8:
            stops, orders = s.ruin_route(cand)
        else:
            stops, orders = [], s.drop_orders(cand, s.rng.randint(1, 3))
        served = {o for r in cand for os in r.picks.values() for o in os}
        missing = [o for o in s.servable if o not in served]
        visited = {i for r in cand for i in r.seq}
        absent = [i for i in mandatory if i not in visited and i not in stops]  # left out by an earlier move
        left = s.recreate(cand, [*stops, *absent], sorted(set(orders) | set(missing)), noise=0.3)
        for r, before in zip(cand, current):
            if len(r.seq) > 2 and r.seq != before.seq:  # only routes this move changed
                s.two_opt(r)
        served = {o for r in cand for os in r.picks.values() for o in os}
        unserved = set(s.servable) - served
        cost = s.total(cand, unserved) + 1e9 * len(left)
        if cost < current_cost - 1e-6 or cost < best_cost * (1 + threshold):
            current, current_cost = cand, cost
            if not left:
                remember(cand)
        if cost < best_cost - 1e-6:
            best, best_cost, best_unserved, best_unplaced = [r.copy() for r in cand], cost, unserved, left
            since_best = 0
            if on_best and not left and now - last_report > 0.5:
                on_best(cost - sum(s.worth[o] - inst.costs.lost[o] for o in unserved))
                last_report = now
        else:
            since_best += 1
            if since_best > stall:
                break
    missing = [inst.orders[o].node for o in best_unserved if inst.orders[o].required]
    real_cost = sum(r.cost for r in best) + inst.costs.unserved(best_unserved) + s.lost_excluded
    return HeuristicPlan(best, best_unserved, list(dict.fromkeys([*best_unplaced, *missing])), real_cost)
