"""Per vehicle type, the numbers the compiled loops read (pricing in `coldchain.colgen.labelling`,
the route search in `coldchain.search.sisr`), as lists and as arrays; and `Column`, a route as
those loops return it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coldchain.core.instance import Instance

NG_SIZE = 8  # ng-neighbourhood to start with: a stop and its 7 nearest


@dataclass(frozen=True)
class Column:
    """A route as pricing found it: type, stops in order, cost (fixed + km, and the driver's paid
    time where drivers are paid by the hour). ``picks``: the orders taken at each stop, in the
    order of ``seq`` (empty: every stop takes all its orders). ``exact``: the cost is the route
    evaluator's and the route keeps every rule (False for a column only the pricing labels, a
    relaxation, vouch for: never part of a plan)."""

    k: int
    seq: tuple[int, ...]
    cost: float
    picks: tuple[tuple[int, ...], ...] = ()
    exact: bool = True

    @property
    def elementary(self) -> bool:
        return len(set(self.seq)) == len(self.seq)

    @property
    def key(self) -> tuple:
        """What makes two columns the same route: type, stops, orders taken."""
        return (self.k, self.seq, self.picks)

    def orders_at(self, inst: Instance) -> dict[int, list[int]]:
        """The orders taken at each stop (all of a stop's orders when ``picks`` is empty)."""
        if not self.picks:
            return {i: list(inst.stop(i).orders) for i in self.seq}
        return {i: list(os) for i, os in zip(self.seq, self.picks)}


class TypeData:
    """Per vehicle type: the numbers pricing (`coldchain.colgen.labelling`) and the route search
    (`coldchain.search.sisr`) read, as lists and as arrays."""

    def __init__(self, inst: Instance, k: int):
        t = inst.types[k]
        f = inst.fast
        n = inst.n
        self.inst = inst
        self.k = k
        self.count = t.count
        self.q = t.capacity_kg
        self.start = t.start_min
        self.end = t.end_min
        self.fixed = inst.costs.fixed[k]
        self.nodes = [i for i in range(1, n + 1) if inst.serves[k, i]]
        per_km = inst.costs.per_km[k]  # the objective's weighted prices (`coldchain.core.costs`)
        self.cost = [[per_km * f.km[i][j] for j in range(n + 1)] for i in range(n + 1)]
        self.minutes = f.minutes
        self.service = f.service
        self.pick = [0.0] + [sum(inst.orders[o].kg for o in inst.stop(i).orders) for i in range(1, n + 1)]
        self.delivery = f.delivery
        orders = inst.orders
        ready = [0.0] + [max([orders[o].ready_min for o in inst.stop(i).orders], default=0.0) for i in range(1, n + 1)]
        self.early = [t.start_min] + [max(f.open_min[i], ready[i]) for i in range(1, n + 1)]
        self.late = [t.end_min] + [f.latest[i] for i in range(1, n + 1)]
        # successors: the arcs the instance allows this type, less those two pickups overload; nearest first
        self.succ: list[list[int]] = [[] for _ in range(n + 1)]
        for i, j in inst.arcs(k):
            if j and (i == 0 or self.pick[i] + self.pick[j] <= self.q + 1e-9):
                self.succ[i].append(j)
        for i, js in enumerate(self.succ):
            js.sort(key=lambda j: self.cost[i][j])
        self.ng = [1 << i for i in range(n + 1)]  # then grown where the LP drives a cycle
        dist = np.asarray(self.cost)
        for i in self.nodes:
            near = [j for j in np.argsort(dist[i] + dist[:, i]) if j in set(self.nodes)][:NG_SIZE]
            self.ng[i] = sum(1 << int(j) for j in near) | (1 << i)
        # the same as arrays, for the compiled labelling loop
        self.cost_a = dist
        self.minutes_a = np.asarray(self.minutes, dtype=np.float64)
        self.service_a = np.asarray(self.service, dtype=np.float64)
        self.early_a = np.asarray(self.early, dtype=np.float64)
        self.late_a = np.asarray(self.late, dtype=np.float64)
        self.ret_a = self.service_a + self.minutes_a[:, 0]
        self.delivery_a = np.asarray(self.delivery, dtype=np.float64)
        self.pick_a = np.asarray(self.pick, dtype=np.float64)
        self.succ_ptr = np.cumsum([0] + [len(js) for js in self.succ]).astype(np.int64)
        self.succ_idx = np.array([j for js in self.succ for j in js], dtype=np.int64)
        self.allowed = np.ones((n + 1, n + 1), dtype=np.bool_)
        self.words = (n + 64) // 64

    def arcs(self) -> np.ndarray:
        """Mask of the arcs in the type's graph: to each successor, and from each stop home."""
        mask = np.zeros_like(self.allowed)
        for i, js in enumerate(self.succ):
            mask[i, js] = True
        mask[self.nodes, 0] = True
        return mask

    def route_cost(self, seq: tuple[int, ...]) -> float:
        """Fixed + km cost of driving ``seq`` from the hub and back."""
        return self.fixed + sum(self.cost[a][b] for a, b in zip((0, *seq), (*seq, 0)))

    def arc_arrays(self) -> tuple[np.ndarray, ...]:
        """Arc costs, driving minutes, service minutes, earliest and latest start, and minutes
        back to the hub: the first arguments of both compiled loops."""
        return self.cost_a, self.minutes_a, self.service_a, self.early_a, self.late_a, self.ret_a

    def loop_args(self, mu: float) -> tuple:
        """The first arguments of `labelling.label` and `labelling.enumerate_routes`: the arc
        arrays, deliveries, pickups, payload, end of shift, the empty route's reduced cost (fixed
        cost less the fleet dual ``mu``) and the successor lists."""
        return (
            *self.arc_arrays(),
            self.delivery_a,
            self.pick_a,
            float(self.q),
            float(self.end),
            float(self.fixed - mu),
            self.succ_ptr,
            self.succ_idx,
        )

    def ng_words(self) -> np.ndarray:
        """The ng-memories as rows of 64-bit words (stop j: bit j % 64 of word j // 64)."""
        out = np.zeros((len(self.ng), self.words), dtype=np.uint64)
        mask = (1 << 64) - 1
        for i, m in enumerate(self.ng):
            for w in range(self.words):
                out[i, w] = (m >> (64 * w)) & mask
        return out
