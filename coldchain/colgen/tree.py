r"""Route-based lower bound and optimality proofs: column generation with ng-route pricing.

The arc LP of `coldchain.colgen.arc_bound` forgets time windows; this one does not. Every plan is a set of
hub-to-hub routes, so the set-partitioning LP over *all* feasible routes bounds every plan from
below, and on time-windowed instances it is far tighter (the route is where the windows bite).
There are too many routes to list, so the LP is solved by column generation: a restricted master
LP over the routes found so far, and a pricing problem that finds a route with negative reduced
cost, or proves that none exists (Desrochers, Desrosiers & Solomon 1992). Pricing is an
elementary shortest path with resources, relaxed to *ng-routes* (Baldacci, Mingozzi & Roberti
2011): a route may revisit a stop only after passing a stop that does not remember it. Each
stop starts remembering its ``NG_SIZE`` nearest; where the solved LP still drives a cycle, the
cycle's stop joins the memories along it, up to ``NG_MAX`` (dynamic ng-routes, Roberti &
Mingozzi 2014). The ng-route LP contains every real route, so its optimum is still a lower
bound; ng-routes with a cycle cover a stop twice and are never part of a plan. Pricing runs in
three levels (few labels per stop; full dominance without the memories; exact), and only the
exact one proves that no negative route is left. The labelling loop is compiled
(`coldchain.colgen.labelling`); in the exact level, completion bounds (`labelling.completion`) drop
labels that no extension can make negative. After the root LP, rounds of limited-memory
subset-row cuts (`_Cuts`, `_ColumnGeneration.cut_loop`) tighten it; they stay for the whole
tree (``NODE_CUT_ROUNDS`` more rounds at each other node; 0, since they did not pay).

`branch_and_price` closes the gap. At the root, after the LP and after each cut round, it tries
*route enumeration* (Baldacci, Christofides & Mingozzi 2008): a plan costs at least the LP plus
the reduced costs of its routes, so a plan below the incumbent uses only routes whose reduced
cost is below the gap; when those are few (``ENUMERATE_ROUTES``), set partitioning over them in
HiGHS settles the instance. Then *reduced-cost arc fixing* (Irnich et al. 2010) removes, for the
whole tree, every arc that no such route drives. The tree is best-first, branching on arc
flows (optionally chosen by strong branching on the restricted master LP, the cheap first phase
of Pecin et al. 2017). Plans come from integral node LPs and from set partitioning
(`coldchain.setpart.pool.recombine`, through the caller's ``at_root``) over the routes found by the
heuristic search and by pricing; a plan whose cost
meets the bound (rounded up to the cost grid, 0.1 on truncated-distance instances) is proved
optimal.

Which days. The labels track opening hours, ready times, the shift, payload with deliveries
and pickups on board together, per-km and fixed costs, and the real rules of a county day
(`coldchain.colgen.visits`): optional pickups with their value (a visit chooses which orders it
takes; a stop with only optional orders has an at-most-once row, and a column's cost in the
master is its route's cost less the value of the optional orders it takes, the master's constant
adding every optional order's value back, so the LP bounds the objective itself), reefer space
as a second capacity, freshness deadlines at the cold store, and the driver's paid time with the
departure free. The route method applies to every day whose stops have at most
``visits.MAX_OPTIONS`` visit options (`coldchain.planner.registry.routes_apply`).

Relaxed columns. The labels relax one rule, the time out of the cold of chilled produce riding
dry (`coldchain.colgen.visits`), so on such days the routes they price are a superset of the
feasible ones, at costs no higher. Every elementary priced route is re-costed by the route
evaluator (`_column`): accepted, it carries the evaluator's cost (:math:`\ge` the labels');
rejected, or with a cycle, it keeps the labels' cost and is not ``exact``, so it is never part
of a plan. The bound stays valid: the duals that price out every label route at label costs
price out every feasible route at its true cost, and the master's own columns at their
re-costed costs. A route priced negative at label cost but already in the master at a higher
re-costed cost may hide (by dominance) another negative route, so such a pass does not prove the
LP optimal; its Lagrangian bound, over label costs, still holds and is what the node reports.
Route enumeration (which needs exact costs on the labels) runs on plain days only, and the cost
grid is 0 where drivers are paid by the hour or some orders are optional.

Symbols

============================  ===============================================================
:math:`R_k`                   ng-routes of vehicle type :math:`k`; :math:`c_r` fixed + km cost
:math:`\alpha_{ir}`           times route :math:`r` visits stop :math:`i` (0, 1, or more for
                              an ng-route with a cycle)
:math:`\lambda_r \ge 0`       route :math:`r` is driven (fraction)
:math:`m_k`                   trucks of type :math:`k`
:math:`\pi_i`, :math:`\mu_k`  duals of the cover and fleet rows (:math:`\mu_k \le 0`)
:math:`e_i, l_i, s_i`         earliest / latest service start, service minutes at stop
                              :math:`i` (earliest includes the ready time of its orders)
:math:`d_i, p_i`              parcels delivered and kg picked up at stop :math:`i`
:math:`Q_k`                   payload of type :math:`k`
:math:`S_s, M_s`              the three stops of subset-row cut :math:`s`, and its memory
                              (:math:`S_s \subseteq M_s`)
:math:`\beta_{sr}`            coefficient of route :math:`r` in cut :math:`s` (see `_Cuts`)
:math:`\sigma_s \le 0`        dual of cut :math:`s`
============================  ===============================================================

.. math::

    \min \sum_k \sum_{r \in R_k} c_r \lambda_r \quad \text{s.t.} \quad
    \sum_r \alpha_{ir} \lambda_r = 1 \ (\pi_i), \qquad
    \sum_{r \in R_k} \lambda_r \le m_k \ (\mu_k), \qquad
    \sum_r \beta_{sr} \lambda_r \le 1 \ (\sigma_s)

    \bar c_r = c_r - \sum_i \alpha_{ir} \pi_i - \mu_k - \sum_s \beta_{sr} \sigma_s

Labels. A partial route ending at stop :math:`j` carries its reduced cost, its earliest service
start :math:`t`, the kg picked up so far :math:`p`, the peak load :math:`A` it would have if it
went home now (it leaves with every parcel it delivers), and its ng-memory (and, for the real
rules, the resources of `coldchain.colgen.labelling.label`: reefer kg, least deadline, the
dry-ride slack, and the forced and latest on-time starts that price paid waiting). Extending to
:math:`j`:

.. math::

    t' = \max(t + s_i + \tau_{ij}, e_j) \le l_j, \qquad
    p' = p + p_j, \qquad A' = \max(A + d_j, p') \le Q_k

(the load after stop :math:`j` is :math:`D - d(\text{prefix}) + p(\text{prefix})`, with
:math:`D` all the route's parcels; its peak over the route is exactly :math:`A` at the end).
A label dominates another at the same stop when it is no worse in reduced cost, :math:`t`,
:math:`A`, :math:`p`, and its ng-memory is a subset; with cuts, its reduced cost must stay no
worse after adding :math:`-\sigma_s` for each cut it has visited an odd number of times and the
other an even number. The Lagrangian bound
:math:`z_{RMP} + \sum_k m_k \min(0, \bar c^*_k)` is valid after every exact pricing round, so a
bound exists even when the time limit stops the loop before the LP is solved.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from coldchain.colgen.labelling import completion, enumerate_routes, label
from coldchain.colgen.visits import Visits
from coldchain.core.arrays import Column, TypeData
from coldchain.core.evaluate import evaluate_route
from coldchain.core.instance import Instance
from coldchain.core.outcome import SolveOptions, SolveStatus
from coldchain.core.route import Route
from coldchain.errors import SolverError
from coldchain.setpart.highs import use_threads
from coldchain.setpart.partition import SetPartition, cover_and_fleet_rows, route_rows

NG_MAX = 16  # a neighbourhood grows (where the LP drives a cycle) up to this many stops
HEURISTIC_LABELS = 3  # labels kept per stop in the fast pricing pass
COLUMNS_PER_ROUND = 60  # most negative routes added per type and round
ARTIFICIAL_CNY = 1e6  # cost of leaving a cover row to its artificial column (LP feasibility)
CUT_ROUNDS = 8  # subset-row cut rounds at the root
NODE_CUT_ROUNDS = 0  # at every other node (measured: no more proofs on Solomon 50; off, see bench/README)
CUTS_PER_ROUND = 30
MAX_CUTS = 128
CUT_VIOLATION = 0.02  # separate cuts violated by more than this
CUT_GAIN = 1e-4  # stop the rounds when the bound rises by less than this fraction
CUT_TIME_SHARE = 0.4  # of the time left at the root, the most the cut rounds start within
STRONG_CANDIDATES = 8  # arcs nearest 0.5 whose children's master LPs are compared (strong branching)
ENUMERATE_LABELS = 500_000  # route enumeration gives up past this many labels
ENUMERATE_ROUTES = 10_000  # and set partitioning over the routes is tried up to this many
EXACT_GAPS = {"mip_abs_gap": 1e-6}  # with mip_gap 1e-4: HiGHS's defaults, for the enumerated set partitioning
ENUMERATE_SHARE = 0.25  # of the time left, the most one enumeration and its set partitioning take


@dataclass(frozen=True)
class RouteBound:
    """The outcome of column generation.

    ``value``: a valid lower bound (the LP optimum when ``solved``, else the best Lagrangian
    bound, or None if no exact pricing round finished). ``lp``: the last master LP value.
    ``columns``: every route generated.
    """

    value: float | None
    lp: float
    solved: bool
    columns: tuple[Column, ...]
    rounds: int
    seconds: float


def _price(
    td: TypeData,
    pi: list[float],
    mu: float,
    level: int,
    deadline: float,
    banned: frozenset[tuple[int, int]] = frozenset(),
    enough: int | None = None,
    cuts: _Cuts | None = None,
) -> tuple[list[Column], float | None]:
    """Negative-reduced-cost routes of one type, most negative first, and the least reduced cost
    over all ng-routes (only at ``level`` 2 when the labelling ran to the end; else None).

    Level 0 keeps only the ``HEURISTIC_LABELS`` best labels per stop (by reduced cost, among
    those not dominated in reduced cost and time); level 1 applies the full dominance but ignores
    the ng-memory in it (fast, may miss routes); level 2 is exact. ``banned`` arcs are never
    driven (branching). Labelling stops once ``enough`` negative routes are found: the loop adds
    them and comes back, and only a pass that finds none needs to run to the end. The loop itself
    is `coldchain.colgen.labelling.label`. On a day with real rules (`Visits.plain` false) every
    elementary route is re-costed by the route evaluator (`_column`).
    """
    vis = visits_of(td)
    allowed = _allowed(td, banned)
    duals = np.asarray(pi, dtype=np.float64)
    # completion bounds prune the exact pass (the others are fast anyway)
    f = _completion(td, duals, allowed) if level == 2 else np.empty((0, 0))
    closed, ends, node, parent, finished, least, costs, option = _label(
        td, duals, mu, level, deadline, allowed, enough or 0, cuts, f, 0.0, np.empty((0, 0))
    )
    out, seen = [], set()
    for e in np.argsort(closed, kind="stable"):
        seq, opts = _route_to(int(ends[e]), node, parent, option)
        if (seq, opts) in seen:
            continue
        seen.add((seq, opts))
        out.append(_column(vis, seq, opts, float(costs[e])))
        if len(out) >= COLUMNS_PER_ROUND:
            break
    return out, (min(float(least), 0.0) if finished and level == 2 else None)


def visits_of(td: TypeData) -> Visits:
    """The type's visit options (`coldchain.colgen.visits.Visits`), built once per `TypeData`."""
    vis = getattr(td, "_visits", None)
    if vis is None:
        vis = Visits(td.inst, td)
        td._visits = vis
    return vis


def _column(vis: Visits, seq: tuple[int, ...], opts: tuple[int, ...], label_cost: float) -> Column:
    """The column of a route the labels found. On a plain day: fixed + km. Otherwise the route
    evaluator times it and its cost is the evaluator's (at least the labels', which relax the time
    out of the cold: `coldchain.colgen.visits`); a route the evaluator rejects, or one with a
    cycle, keeps the labels' cost and is marked not ``exact`` (it stays in the master LP, which
    then still bounds every plan from below, but is never part of a plan)."""
    td = vis.td
    if vis.plain:
        return Column(td.k, seq, td.route_cost(seq))
    picks = tuple(vis.orders[o] for o in opts)
    if len(set(seq)) == len(seq):
        ev = evaluate_route(td.inst, td.k, list(seq), vis.picks(seq, opts))
        if ev.feasible:
            return Column(td.k, seq, max(ev.cost, label_cost), picks)
    return Column(td.k, seq, label_cost, picks, exact=False)


def _route_to(lab: int, node: np.ndarray, parent: np.ndarray, option: np.ndarray | None = None):
    """The stops of the route that ends at label ``lab``, from the hub on (the compiled loops
    return every label's stop and parent); with ``option`` (each label's visit option), the
    stops and the option taken at each."""
    seq, opts = [], []
    while lab > 0:
        seq.append(int(node[lab]))
        if option is not None:
            opts.append(int(option[lab]))
        lab = int(parent[lab])
    if option is None:
        return tuple(reversed(seq))
    return tuple(reversed(seq)), tuple(reversed(opts))


def _allowed(td: TypeData, banned: frozenset[tuple[int, int]]) -> np.ndarray:
    """The type's arcs less the ``banned`` ones."""
    if not banned:
        return td.allowed
    allowed = td.allowed.copy()
    for i, j in banned:
        allowed[i, j] = False
    return allowed


def _completion(td: TypeData, duals: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    return completion(*visits_of(td).completion_args(duals), allowed)


def _label(td, duals, mu, level, deadline, allowed, enough, cuts, f, gap, arc_lb):
    """`coldchain.colgen.labelling.label` on the type's arrays (its arguments, in its order)."""
    vis = visits_of(td)
    return label(
        *vis.loop_args(mu),
        allowed,
        td.ng_words(),
        duals,
        *(cuts or _Cuts(len(duals))).arrays(),
        level,
        deadline,
        enough,
        HEURISTIC_LABELS,
        f,
        gap,
        arc_lb,
        *vis.option_args(),
    )


def _arc_bounds(
    td: TypeData,
    pi: list[float],
    mu: float,
    gap: float,
    deadline: float,
    banned: frozenset[tuple[int, int]] = frozenset(),
    cuts: _Cuts | None = None,
) -> np.ndarray | None:
    r"""Lower bounds on the reduced cost of every ng-route that drives each arc, as far as they
    matter: ``b[i, j]`` is at least :math:`\min(g, \min_{r \ni (i,j)} \bar c_r)` with :math:`g`
    the ``gap``. From one exact labelling pass that keeps every label whose completion bound is
    below ``gap`` (not 0):
    each extension of a label along :math:`(i, j)` bounds the routes through that arc by the
    label's reduced cost plus the arc plus the completion bound at :math:`j`; a route whose
    prefix was dominated is bounded through the label that dominated it (same stop, no later,
    no heavier, cheaper even after the cut penalties it may still pay); a prefix dropped by the
    completion bound already costs ``gap``. An arc never met is driven by no route below
    ``gap``. None when the pass could not run to the end (deadline, or no completion bounds)."""
    allowed = _allowed(td, banned)
    duals = np.asarray(pi, dtype=np.float64)
    f = _completion(td, duals, allowed)
    if f.shape[0] == 0:
        return None
    n1 = len(pi)
    b = np.full((n1, n1), np.inf)
    finished = _label(td, duals, mu, 2, deadline, allowed, 0, cuts, f, gap, b)[4]
    return np.minimum(b, gap) if finished else None


def _enumerate(
    td: TypeData, pi: list[float], mu: float, gap: float, deadline: float, cuts: _Cuts, most: int
) -> list[Column] | None:
    """Every elementary route of the type with reduced cost below ``gap``, the cheapest of each
    set of stops (`coldchain.colgen.labelling.enumerate_routes`), or None if the labels ran past
    ``most`` or the deadline (or no completion bounds)."""
    duals = np.asarray(pi, dtype=np.float64)
    f = _completion(td, duals, td.allowed)
    if f.shape[0] == 0:
        return None
    ends, node, parent, alive, finished = enumerate_routes(
        *td.loop_args(mu),
        td.allowed,
        duals,
        *cuts.arrays(),
        f,
        gap,
        deadline,
        most,
    )
    if not finished:
        return None
    best: dict[frozenset[int], Column] = {}
    for lab in ends[alive[ends]]:
        seq = _route_to(int(lab), node, parent)
        key = frozenset(seq)
        if key not in best or td.route_cost(seq) < best[key].cost:
            best[key] = Column(td.k, seq, td.route_cost(seq))
    return list(best.values())


def _partition_exactly(
    inst: Instance, cols: list[Column], deadline: float, threads: int
) -> tuple[str, tuple[Column, ...] | None, float]:
    r"""The cheapest plan made of ``cols``: the set partitioning of `coldchain.setpart.partition`
    with every stop covered once and at most :math:`m_k` routes of type :math:`k`. Returns
    ``("optimal", columns, cost)``, ``("infeasible", None, inf)`` or ``("time", best columns
    found or None, their cost)``. The columns are branch-and-price's own (fixed + km), not timed
    by the exact evaluator as `coldchain.setpart.pool.recombine`'s are (seconds for 10,000)."""
    sp = SetPartition("enumerated")
    cover_and_fleet_rows(sp, inst)
    sp.constant = lost_anyway(inst)
    for c in cols:
        sp.column(net_cost(inst, c), route_rows(c.k, c.seq))
    # HiGHS's default gaps (relative 1e-4, absolute 1e-6), as this step has always run
    opts = SolveOptions(max(0.05, deadline - time.perf_counter()), 1e-4, max(1, threads), highs_options=EXACT_GAPS)
    got = sp.solve(opts, deadline=deadline)
    if got.outcome.status == SolveStatus.INFEASIBLE:
        return "infeasible", None, math.inf
    chosen = tuple(cols[j] for j in got.chosen) if got.chosen is not None else None
    cost = plan_cost(inst, chosen) if chosen is not None else math.inf
    return ("optimal" if got.outcome.status == SolveStatus.OPTIMAL else "time"), chosen, cost


def lost_anyway(inst: Instance) -> float:
    """The value of every optional pickup order: the master's constant (a column's net cost takes
    off the value of the optional orders it serves, `net_cost`)."""
    return sum(inst.costs.lost[o.index] for o in inst.orders if not o.required)


def net_cost(inst: Instance, c: Column) -> float:
    """A column's cost in the master: the route's cost less the value of the optional orders it
    takes (with `lost_anyway` added back, a plan's objective: its routes' cost plus the value of
    every order left)."""
    if not c.picks:
        return c.cost
    lost = inst.costs.lost
    return c.cost - sum(lost[o] for os in c.picks for o in os if not inst.orders[o].required)


def plan_cost(inst: Instance, cols) -> float:
    """The objective of a plan made of ``cols``: net costs plus `lost_anyway`."""
    return sum(net_cost(inst, c) for c in cols) + lost_anyway(inst)


class _Cuts:
    r"""Subset-row cuts over three stops S (Jepsen, Petersen, Spoorendonk & Pisinger 2008):
    :math:`\sum_r \lfloor |r \cap S| / 2 \rfloor \lambda_r \le 1` (no two routes of a plan
    both visit two stops of S). Their duals :math:`\sigma_s \le 0` enter pricing: a route pays
    :math:`-\sigma_s` at every second visit to S. With limited memory M ⊇ S (Pecin, Pessoa, Poggi
    & Uchoa 2017) a route forgets an odd visit when it passes a stop outside M; the coefficient
    can only fall, so the cut stays valid, and labels that differ only in forgotten visits no
    longer block each other's dominance."""

    def __init__(self, n1: int):
        self.n1 = n1
        self.sets: list[tuple[int, int, int]] = []
        self.memory: list[frozenset[int]] = []
        self.sig = np.zeros(0)

    def coefficients(self, seq: tuple[int, ...]) -> list[int]:
        out = []
        for cut, memory in zip(self.sets, self.memory):
            odd, a = False, 0
            for i in seq:
                if i not in memory:
                    odd = False
                elif i in cut:
                    a += odd
                    odd = not odd
            out.append(a)
        return out

    def arrays(self) -> tuple:
        by_stop: list[list[int]] = [[] for _ in range(self.n1)]
        for s, cut in enumerate(self.sets):
            for i in cut:
                by_stop[i].append(s)
        ptr = np.cumsum([0] + [len(x) for x in by_stop]).astype(np.int64)
        idx = np.array([s for x in by_stop for s in x], dtype=np.int64)
        sig = self.sig if len(self.sig) else np.zeros(1)
        words = max(1, (len(self.sets) + 63) // 64)
        mem = np.zeros((self.n1, words), dtype=np.uint64)
        for s, memory in enumerate(self.memory):
            for i in memory:
                mem[i, s >> 6] |= np.uint64(1 << (s & 63))
        return ptr, idx, np.asarray(sig, dtype=np.float64), mem, words


_compiled = False


def warm_up() -> float:
    """Compile the labelling loop (`coldchain.colgen.labelling`) now, on a two-stop toy, so that no
    deadline pays for it; seconds taken. Numba caches the machine code on disk, so only the first
    process on a machine compiles (some seconds); later ones load it."""
    global _compiled
    if _compiled:
        return 0.0
    t0 = time.perf_counter()
    n1 = 3
    z1, z2 = np.zeros(n1), np.zeros((n1, n1))
    late = np.full(n1, 10.0)
    ptr, idx = np.array([0, 2, 3, 4], dtype=np.int64), np.array([1, 2, 2, 1], dtype=np.int64)
    allowed = np.ones((n1, n1), dtype=np.bool_)
    minutes = np.ones((n1, n1))
    f = completion(z2, minutes, z1, z1, late, z1 + 1, 20.0, z1, ptr, idx, allowed)
    cut_args = _Cuts(n1).arrays()
    options = (0.0, np.array([0, 0, 1, 2], dtype=np.int64), *(np.zeros(2) for _ in range(6)), 0.0, 0.0)
    for g in (f, np.empty((0, 0))):
        label(z2, minutes, z1, z1, late, z1 + 1, z1, z1, 1.0, 20.0, 0.0, ptr, idx, allowed,
              np.zeros((n1, 1), dtype=np.uint64), z1, *cut_args, 2, math.inf, 0, HEURISTIC_LABELS, g,
              0.0, np.full((n1, n1), np.inf) if g.shape[0] else np.empty((0, 0)), *options)  # fmt: skip
    enumerate_routes(z2, minutes, z1, z1, late, z1 + 1, z1, z1, 1.0, 20.0, 0.0, ptr, idx, allowed, z1,
                     *cut_args, f, 1.0, math.inf, 100)  # fmt: skip
    _compiled = True
    return time.perf_counter() - t0


class _OutOfTime(Exception):
    """The master LP reached the deadline (column generation then ends with status ``time``)."""


class _Master:
    """The restricted master LP in HiGHS, grown one batch of columns at a time."""

    def __init__(self, inst: Instance, threads: int = 1):
        self.inst = inst
        self.rows = {st.node: r for r, st in enumerate(inst.stops)}
        n = inst.n
        use_threads(max(1, threads))
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", max(1, threads))
        h.setOptionValue("simplex_strategy", 4)  # primal: adding columns keeps the basis primal feasible
        inf = highspy.kHighsInf
        rows = SetPartition("master")
        cover_and_fleet_rows(rows, inst)
        rows.add_rows_to(h)
        nt = len(inst.types)
        for r in range(n):
            h.addCol(ARTIFICIAL_CNY, 0.0, inf, 1, np.array([r], dtype=np.int32), np.array([1.0]))
        self.h = h
        self.columns: list[Column] = []
        self.keys: set[tuple] = set()
        self.cuts = _Cuts(n + 1)
        self.base_rows = n + nt
        self.constant = lost_anyway(inst)  # the LP's value adds it (the objective's scale)

    def add_cuts(self, sets: list[tuple[tuple[int, int, int], frozenset[int]]]) -> None:
        """Append subset-row cuts (stops, memory), with their coefficients on every column so far."""
        new = _Cuts(self.inst.n + 1)
        new.sets = [c for c, _ in sets]
        new.memory = [m for _, m in sets]
        rows: list[list[tuple[int, float]]] = [[] for _ in sets]
        for c_pos, c in enumerate(self.columns):
            if len(c.seq) < 2:
                continue
            for s, a in enumerate(new.coefficients(c.seq)):
                if a:
                    rows[s].append((self.inst.n + c_pos, float(a)))
        starts, idx, val = [], [], []
        for row in rows:
            starts.append(len(idx))
            idx += [i for i, _ in row]
            val += [a for _, a in row]
        self.h.addRows(
            len(sets),
            np.full(len(sets), -highspy.kHighsInf),
            np.ones(len(sets)),
            len(idx),
            np.array(starts, dtype=np.int32),
            np.array(idx, dtype=np.int32),
            np.array(val),
        )
        self.cuts.sets = self.cuts.sets + new.sets
        self.cuts.memory = self.cuts.memory + new.memory

    def add(self, cols: list[Column]) -> int:
        new, keys = [], set()
        for c in cols:
            if c.key not in self.keys and c.key not in keys:
                keys.add(c.key)
                new.append(c)
        if not new:
            return 0
        inf = highspy.kHighsInf
        n = self.inst.n
        starts, idx, val = [], [], []
        for c in new:
            self.keys.add(c.key)
            starts.append(len(idx))
            counts: dict[int, int] = {}
            for i in c.seq:
                counts[i] = counts.get(i, 0) + 1
            for i, a in sorted(counts.items()):
                idx.append(self.rows[i])
                val.append(float(a))
            idx.append(n + c.k)
            val.append(1.0)
            for s, a in enumerate(self.cuts.coefficients(c.seq)):
                if a:
                    idx.append(self.base_rows + s)
                    val.append(float(a))
        self.h.addCols(
            len(new),
            np.array([net_cost(self.inst, c) for c in new]),
            np.zeros(len(new)),
            np.full(len(new), inf),
            len(idx),
            np.array(starts, dtype=np.int32),
            np.array(idx, dtype=np.int32),
            np.array(val),
        )
        self.columns += new
        return len(new)

    def solve(self, deadline: float = math.inf) -> tuple[float, list[float], list[float], float]:
        """LP value, cover duals by node (index 0 unused), fleet duals by type, artificial total.
        Raises `_OutOfTime` if ``deadline`` (a ``time.perf_counter()`` value) stops HiGHS."""
        left = deadline - time.perf_counter()
        # HiGHS compares time_limit with its run time summed over every run of this object
        limit = self.h.getRunTime() + max(0.05, left) if math.isfinite(left) else highspy.kHighsInf
        self.h.setOptionValue("time_limit", limit)
        self.h.run()
        if self.h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
            raise _OutOfTime
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"the master LP ended {self.h.modelStatusToString(self.h.getModelStatus())}")
        sol = self.h.getSolution()
        duals = list(sol.row_dual)
        n = self.inst.n
        pi = [0.0] * (n + 1)
        for node, r in self.rows.items():
            pi[node] = duals[r]
        mu = [min(0.0, d) for d in duals[n : self.base_rows]]
        self.cuts.sig = np.maximum(0.0, -np.asarray(duals[self.base_rows :], dtype=np.float64))
        art = float(sum(sol.col_value[:n]))
        return self.h.getInfo().objective_function_value + self.constant, pi, mu, art


class _ColumnGeneration:
    """The master LP and the pricing data of one instance, shared by every branch-and-price node."""

    def __init__(self, inst: Instance, start: list[Column] | None, threads: int):
        self.inst = inst
        self.types = [TypeData(inst, t.index) for t in inst.types]
        self.master = _Master(inst, threads)
        self.master.add(list(start or []))
        self.plain = all(visits_of(td).plain for td in self.types)
        for td in self.types:  # one out-and-back route per stop keeps the LP feasible from the start
            if self.plain:
                self.master.add([Column(td.k, (i,), td.route_cost((i,))) for i in td.nodes])
            else:
                self.master.add(_singles(inst, td))
        self.rounds = 0
        self.ub = np.zeros(0)  # column upper bounds at the current node (set by `restrict`)
        self.grid = cost_grid(inst)
        self.fixed = 0  # arcs removed by reduced-cost fixing
        self.enumerated = 0  # routes enumerated at the root when that settled it (else 0)

    def restrict(self, banned: frozenset[tuple[int, int]]) -> None:
        """Columns that drive a banned arc, or a cycle the ng-memories now forbid, get an upper
        bound of 0 at this node."""
        cols = self.master.columns
        n = self.inst.n

        def off(c: Column) -> bool:
            if banned and _drives_any(c.seq, banned):
                return True
            return not c.elementary and not _ng_feasible(c.seq, self.types[c.k].ng)

        ub = np.array([0.0 if off(c) else highspy.kHighsInf for c in cols])
        idx = np.arange(n, n + len(cols), dtype=np.int32)
        self.master.h.changeColsBounds(len(cols), idx, np.zeros(len(cols)), ub)
        self.ub = ub

    def strong_branch(
        self, candidates: list[tuple[int, int]], lp: float, deadline: float
    ) -> tuple[tuple[int, int], list[float]]:
        r"""The arc to branch on among ``candidates``, by the product rule on the restricted
        master LP of each child (no pricing, Pecin et al.'s cheap first phase): the LP rises by
        :math:`\Delta_0` when the arc is banned and by :math:`\Delta_1` when it is forced; the
        arc with the largest :math:`\max(\Delta_0, \epsilon) \max(\Delta_1, \epsilon)` wins.
        Returns the arc and the two estimates (child 1, child 0). The master's bounds are left
        as they were at the node (``restrict``)."""
        cols = self.master.columns
        n = self.inst.n
        stops = [st.node for st in self.inst.stops]
        if len(self.ub) < len(cols):  # columns priced at this node respect its bans
            self.ub = np.concatenate([self.ub, np.full(len(cols) - len(self.ub), highspy.kHighsInf)])
        at: dict[int, set[int]] = {0: set()}  # the columns still allowed that visit each stop
        for pos, c in enumerate(cols):
            if self.ub[pos] != 0.0:
                for i in c.seq:
                    at.setdefault(i, set()).add(pos)
        h = self.master.h
        best: tuple[float, tuple[int, int], list[float]] | None = None
        eps = max(1e-6, 1e-6 * abs(lp))
        for i, j in candidates:
            if time.perf_counter() > deadline:
                break
            rises = []
            for value in (1, 0):
                bans = frozenset(_banned_by(i, j, value, stops))  # every banned arc touches i or j
                off = [p for p in at.get(i, set()) | at.get(j, set()) if _drives_any(cols[p].seq, bans)]
                if not off:
                    rises.append(0.0)
                    continue
                idx = np.array([n + p for p in off], dtype=np.int32)
                h.changeColsBounds(len(off), idx, np.zeros(len(off)), np.zeros(len(off)))
                try:
                    child, _, _, _ = self.master.solve(deadline)
                except _OutOfTime:
                    child = lp
                h.changeColsBounds(len(off), idx, np.zeros(len(off)), self.ub[off])
                rises.append(max(0.0, child - lp))
            if len(rises) < 2:
                break
            score = max(rises[0], eps) * max(rises[1], eps)
            if best is None or score > best[0]:
                best = (score, (i, j), rises)
        if best is None:
            return candidates[0], [0.0, 0.0]
        return best[1], best[2]

    def solve(
        self, banned: frozenset[tuple[int, int]], deadline: float, cutoff: float = math.inf
    ) -> tuple[str, float, float | None]:
        """Column generation at one node: ``(status, lp, bound)``. Status is ``solved`` (the LP is
        optimal over all ng-routes that respect ``banned``), ``cutoff`` (the Lagrangian bound
        reached ``cutoff``), ``infeasible`` (no plan respects ``banned``) or ``time``."""
        state: dict = {"lp": -math.inf, "bound": None}
        try:
            return self._solve(banned, deadline, cutoff, state)
        except _OutOfTime:
            return "time", state["lp"], state["bound"]

    def _solve(
        self, banned: frozenset[tuple[int, int]], deadline: float, cutoff: float, state: dict
    ) -> tuple[str, float, float | None]:
        self.restrict(banned)
        lp, pi, mu, art = self.master.solve(deadline)
        state["lp"] = lp
        bound: float | None = None
        level = 0
        while True:
            if time.perf_counter() > deadline:
                return "time", lp, bound
            self.rounds += 1
            new: list[Column] = []
            least_total, complete = 0.0, True
            for td in self.types:
                cols, least = _price(
                    td, pi, mu[td.k], level, deadline, banned, COLUMNS_PER_ROUND if level else None, self.master.cuts
                )
                new += cols
                if least is None:
                    complete = False
                else:
                    least_total += td.count * least
            if level == 2 and complete and art < 1e-6:
                lag = lp + least_total
                bound = lag if bound is None else max(bound, lag)
                state["bound"] = bound
                if round_up(bound, self.grid) >= cutoff:
                    return "cutoff", lp, bound
            new = [c for c in new if c.key not in self.master.keys]  # (a repeat: noise, or re-costed)
            if not new:
                if level < 2:
                    level += 1
                    continue
                if not complete:
                    return "time", lp, bound
                if least_total < -1e-6 * max(1.0, abs(lp)) and bound is not None and art < 1e-6:
                    # negative only under the labels' relaxed costs (columns the evaluator re-costed):
                    # the LP is not proved optimal, but the Lagrangian bound holds (module docstring)
                    return "solved", bound, bound
                if art > 1e-6:
                    return "infeasible", lp, None
                if round_up(lp, self.grid) >= cutoff:  # pruned before any ng-memory needs to grow
                    return "cutoff", lp, lp
                if self.grow_ng():
                    self.restrict(banned)
                    lp, pi, mu, art = self.master.solve(deadline)
                    state["lp"] = lp
                    level = 0
                    continue
                return "solved", lp, lp
            level = 0
            self.master.add(new)
            lp, pi, mu, art = self.master.solve(deadline)
            state["lp"] = lp

    def cut_loop(
        self,
        banned: frozenset[tuple[int, int]],
        deadline: float,
        cutoff: float,
        lp: float,
        rounds: int = CUT_ROUNDS,
        closes: Callable[[float], bool] | None = None,
    ) -> tuple[str, float, float | None]:
        """Subset-row cut rounds after a solved node LP of value ``lp``: separate, add, solve by
        column generation again, while the bound rises by at least ``CUT_GAIN`` of itself and the
        rounds have used less than ``CUT_TIME_SHARE`` of the time to ``deadline`` (the tree needs
        the rest). Returns what `solve` returns; on ``time`` the bound is at least the LP before
        the last round (adding valid cuts never lowers the LP). ``closes(lp)``, asked after each
        round, may close the node (route enumeration at the root): status ``closed``."""
        status, bound = "solved", lp
        t0 = time.perf_counter()
        stop_at = t0 + CUT_TIME_SHARE * (deadline - t0)
        for _ in range(rounds):
            if len(self.master.cuts.sets) >= MAX_CUTS or time.perf_counter() > stop_at:
                break
            sets = self.separate(min(CUTS_PER_ROUND, MAX_CUTS - len(self.master.cuts.sets)))
            if not sets:
                break
            self.master.add_cuts(sets)
            before = lp
            status, lp, bound = self.solve(banned, deadline, cutoff)
            if status == "time":
                return "time", lp, max(before, bound if bound is not None else -math.inf)
            if status == "solved" and closes is not None and closes(lp):
                return "closed", lp, lp
            if status != "solved" or lp - before < CUT_GAIN * abs(before):
                break
        return status, lp, bound

    def separate(self, most: int) -> list[tuple[tuple[int, int, int], frozenset[int]]]:
        """Subset-row cuts over three stops that the last LP solution violates by more than
        ``CUT_VIOLATION``, most violated first, each stop in at most 3 of them, each with its
        memory: the stops that the LP's routes visit between their first and last stop of the cut
        (so these routes keep their full coefficient; Pecin et al. 2017)."""
        _, used = self.flows()
        used = [(c, v) for c, v in used if v < 1 - 1e-6]
        stops = sorted({i for c, _ in used for i in c.seq})
        if len(stops) < 3:
            return []
        at = {i: a for a, i in enumerate(stops)}
        X = np.zeros((len(used), len(stops)))
        for r, (c, _) in enumerate(used):
            for i in c.seq:
                X[r, at[i]] += 1
        V = np.array([v for _, v in used])
        P = (X > 0).astype(float)
        W = P.T @ (P * V[:, None])  # weight of the routes through both stops of a pair
        tri = np.array(list(itertools.combinations(range(len(stops)), 3)), dtype=np.int64)
        a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
        tri = tri[W[a, b] + W[a, c] + W[b, c] > 1 + CUT_VIOLATION]  # a necessary condition
        if not len(tri):
            return []
        value = np.floor((X[:, tri[:, 0]] + X[:, tri[:, 1]] + X[:, tri[:, 2]]) / 2).T @ V
        have = set(self.master.cuts.sets)
        per_stop: dict[int, int] = {}
        out: list[tuple[tuple[int, int, int], frozenset[int]]] = []
        for t in np.argsort(-value, kind="stable"):
            if value[t] <= 1 + CUT_VIOLATION or len(out) >= most:
                break
            cut = tuple(stops[int(x)] for x in tri[t])
            if cut in have or any(per_stop.get(i, 0) >= 3 for i in cut):
                continue
            memory = set(cut)
            for col, _ in used:
                pos = [p for p, i in enumerate(col.seq) if i in cut]
                if len(pos) >= 2:
                    memory.update(col.seq[pos[0] : pos[-1] + 1])
            out.append((cut, frozenset(memory)))
            for i in cut:
                per_stop[i] = per_stop.get(i, 0) + 1
        return out

    def fix_arcs(self, banned: frozenset[tuple[int, int]], lp: float, cutoff: float, deadline: float) -> int:
        r"""Reduced-cost arc fixing (Irnich, Desaulniers, Desrosiers & Hadjar 2010) after a solved
        node LP of value ``lp``: a plan costs at least :math:`z_{LP} + \sum_r \bar c_r` over its
        routes (every dual row's slack only adds), and no route has :math:`\bar c_r < 0` once the
        LP is solved, so a plan below ``cutoff`` drives no arc whose routes all have
        :math:`\bar c_r \ge` ``cutoff`` :math:`- z_{LP}` (`_arc_bounds`). Those arcs leave the
        type for good (the caller fixes at the root, whose bans are none). Returns how many of
        the type's arcs (`TypeData.arcs`) went."""
        gap = cutoff - lp
        if gap <= 0:
            return 0
        try:
            _, pi, mu, _ = self.master.solve(deadline)  # the duals of the LP just solved
        except _OutOfTime:
            return 0
        fixed = 0
        for td in self.types:
            b = _arc_bounds(td, pi, mu[td.k], gap, deadline, banned, self.master.cuts)
            if b is None:
                continue
            off = (b >= gap - 1e-9) & td.allowed
            td.allowed &= ~off
            fixed += int(off[td.arcs()].sum())
        return fixed

    def routes_below(self, lp: float, cutoff: float, deadline: float) -> list[Column] | None:
        """Every route a plan below ``cutoff`` could use, after a solved LP of value ``lp`` with
        no bans (the root): each has reduced cost below ``cutoff - lp`` (see `fix_arcs`). None
        when there are more than ``ENUMERATE_LABELS`` labels, or time runs out."""
        try:
            _, pi, mu, _ = self.master.solve(deadline)
        except _OutOfTime:
            return None
        out: list[Column] = []
        for td in self.types:
            cols = _enumerate(td, pi, mu[td.k], cutoff - lp, deadline, self.master.cuts, ENUMERATE_LABELS)
            if cols is None:
                return None
            out += cols
        return out

    def grow_ng(self) -> bool:
        """Forbid every cycle the last LP solution drives: for a cycle i, v1, ..., vk, i in a used
        route, stop ``i`` joins the ng-memory of v1..vk (Roberti & Mingozzi's dynamic ng-routes).
        True if a memory grew."""
        _, used = self.flows()
        grew = False
        for c, _ in used:
            if c.elementary:
                continue
            ng = self.types[c.k].ng
            last: dict[int, int] = {}
            for pos, i in enumerate(c.seq):
                if i in last:
                    for v in c.seq[last[i] + 1 : pos]:
                        if not ng[v] >> i & 1 and ng[v].bit_count() < NG_MAX:
                            ng[v] |= 1 << i
                            grew = True
                last[i] = pos
        return grew

    def flows(self) -> tuple[dict[tuple[int, int], float], list[tuple[Column, float]]]:
        """Arc flows and the used columns of the last LP solution."""
        values = self.master.h.getSolution().col_value[self.inst.n :]
        used = [(c, v) for c, v in zip(self.master.columns, values) if v > 1e-7]
        x: dict[tuple[int, int], float] = {}
        for c, v in used:
            path = (0, *c.seq, 0)
            for a in zip(path, path[1:]):
                x[a] = x.get(a, 0.0) + v
        return x, used


def _singles(inst: Instance, td: TypeData) -> list[Column]:
    """Out-and-back routes of type ``td`` to each stop, one per set of orders its visit options
    take, timed by the route evaluator (those it rejects left out)."""
    vis = visits_of(td)
    out = []
    for i in td.nodes:
        for taken in sorted({vis.orders[o] for o in range(vis.opt_ptr[i], vis.opt_ptr[i + 1])}):
            ev = evaluate_route(inst, td.k, [i], {i: list(taken)})
            if ev.feasible:
                out.append(Column(td.k, (i,), ev.cost, (taken,)))
    return out


def _ng_feasible(seq: tuple[int, ...], ng: list[int]) -> bool:
    """Whether ``seq`` is an ng-route under the memories ``ng``."""
    memory = 0
    for j in seq:
        if memory >> j & 1:
            return False
        memory = (memory & ng[j]) | (1 << j)
    return True


def _drives_any(seq: tuple[int, ...], banned: frozenset[tuple[int, int]]) -> bool:
    path = (0, *seq, 0)
    return any(a in banned for a in zip(path, path[1:]))


def route_bound(
    inst: Instance,
    start: list[Column] | None = None,
    time_limit_s: float = 30.0,
    threads: int = 1,
    cuts: bool = False,
) -> RouteBound:
    """Column generation at the root (see the module docstring): the LP over all ng-routes when
    ``solved``, else the best Lagrangian bound the time limit allowed; with ``cuts``, after the
    subset-row cut rounds."""
    warm_up()
    t0 = time.perf_counter()
    cg = _ColumnGeneration(inst, start, threads)
    status, lp, bound = cg.solve(frozenset(), t0 + time_limit_s)
    if cuts and status == "solved":
        status, lp, bound = cg.cut_loop(frozenset(), t0 + time_limit_s, math.inf, lp)
    return RouteBound(
        bound,
        lp,
        status == "solved",
        tuple(cg.master.columns),
        cg.rounds,
        time.perf_counter() - t0,
    )


@dataclass(frozen=True)
class PriceAndBranch:
    """Branch-and-price result: the best plan's columns (None if none beat ``incumbent_cost``),
    its cost, the proven lower bound (None if the root LP was not solved), nodes and columns."""

    columns: tuple[Column, ...] | None
    cost: float
    bound: float | None
    root_bound: float | None
    nodes: int
    open_nodes: int
    pool: tuple[Column, ...]
    seconds: float
    fixed_arcs: int = 0  # removed at the root by reduced-cost arc fixing
    enumerated: int = 0  # routes in the root's set partitioning when route enumeration settled it


def _banned_by(i: int, j: int, value: int, nodes: list[int]) -> set[tuple[int, int]]:
    """Arcs to ban for the branch ``x_ij = value``: the arc itself for 0; for 1, every other arc
    out of ``i`` and into ``j`` (the hub has many arcs out and in, so only the stop side counts)."""
    if value == 0:
        return {(i, j)}
    out: set[tuple[int, int]] = set()
    if i != 0:
        out |= {(i, k) for k in [0, *nodes] if k != j and k != i}
    if j != 0:
        out |= {(k, j) for k in [0, *nodes] if k != i and k != j}
    return out


def branch_and_price(
    inst: Instance,
    start: list[Column],
    incumbent_cost: float,
    time_limit_s: float,
    threads: int = 1,
    on_integer: Callable[[tuple[Column, ...], float], None] | None = None,
    at_root: Callable[[list[Column], float], tuple[tuple[Column, ...], float] | None] | None = None,
    cuts: bool = True,
    strong: bool = False,
    enumeration: bool = True,
) -> PriceAndBranch:
    """Best-first branch-and-price on arc flows, proving ``incumbent_cost`` (from the heuristic)
    optimal or finding a cheaper plan.

    At the root, route enumeration (``enumeration``; see the module docstring) may close the
    tree after the LP or after any cut round, and reduced-cost arc fixing
    (`_ColumnGeneration.fix_arcs`) then shrinks every later pricing problem.
    Each node solves the ng-route LP by column generation with its banned arcs. A node whose bound
    (rounded up to the cost grid) is not below the incumbent is pruned; an integral LP solution of
    elementary, ``exact`` routes is a plan (one on a relaxed column, which no arc branching can
    remove, leaves the node open at its LP value: the bound stays valid). Branching is on the arc
    whose flow is nearest 0.5, or with
    ``strong``, of the ``STRONG_CANDIDATES`` nearest, the one whose two children raise the
    restricted master LP most (product rule, `_ColumnGeneration.strong_branch`; measured on
    Solomon 50 and Wang & Chen 5-50 without a gain, so off by default). One child bans the arc,
    the other bans every alternative to it. The lower bound is the least bound of the
    open nodes. ``on_integer(columns, cost)`` is called with each better plan found;
    ``at_root(columns, deadline)`` may return a better plan from the root's columns (set
    partitioning), which then prunes the tree; it is asked again after 10, 40, 160, ... nodes,
    with every route priced so far.
    """
    warm_up()
    t0 = time.perf_counter()
    found_plan = on_integer or (lambda cols, cost: None)
    deadline = t0 + time_limit_s
    grid = cost_grid(inst)
    cg = _ColumnGeneration(inst, start, threads)
    stops = [st.node for st in inst.stops]
    best_cols: tuple[Column, ...] | None = None
    best = incumbent_cost
    tol = max(grid / 2, 1e-6)
    heap: list[tuple[float, int, frozenset]] = [(-math.inf, 0, frozenset())]
    counter, nodes, partition_at = 1, 0, 1
    root_bound: float | None = None
    stuck: list[float] = []  # LP values of nodes left open on a relaxed (not exact) column

    def closed_by_enumeration(lp: float) -> bool:
        """Route enumeration after a solved root LP of value ``lp`` (`_ColumnGeneration.routes_below`):
        when at most ``ENUMERATE_ROUTES`` routes could be part of a plan below the incumbent, set
        partitioning over them finds the best plan; True when it ran to the end (the tree is then
        closed), within ``ENUMERATE_SHARE`` of the time left."""
        nonlocal best, best_cols
        if not enumeration or not cg.plain or round_up(lp, grid) >= best - tol:
            return False
        now = time.perf_counter()
        until = now + ENUMERATE_SHARE * (deadline - now)
        routes = cg.routes_below(lp, best - tol, until)
        if routes is None or len(routes) > ENUMERATE_ROUTES:
            return False
        how, cols, cost = _partition_exactly(inst, routes, until, threads)
        if cols is not None and cost < best - tol:
            best_cols, best = cols, cost
            found_plan(best_cols, best)
        if how == "time":
            return False
        cg.enumerated = len(routes)
        return True

    while heap and time.perf_counter() < deadline:
        parent_bound, _, banned = heapq.heappop(heap)
        if round_up(parent_bound, grid) >= best - tol:
            continue
        nodes += 1
        status, lp, bound = cg.solve(banned, deadline, cutoff=best - tol)
        if nodes == 1 and status == "solved" and closed_by_enumeration(lp):
            status = "closed"
        if status == "solved" and cuts and (nodes == 1 or NODE_CUT_ROUNDS):
            rounds = CUT_ROUNDS if nodes == 1 else NODE_CUT_ROUNDS
            status, lp, bound = cg.cut_loop(
                banned, deadline, best - tol, lp, rounds, closed_by_enumeration if nodes == 1 else None
            )
        if nodes == 1:
            root_bound = lp if status in ("solved", "closed") else bound
            if status == "solved" and round_up(lp, grid) < best - tol:
                cg.fixed = cg.fix_arcs(banned, lp, best - tol, deadline)
        if status == "closed":  # every plan below the incumbent was among the enumerated routes
            heap.clear()
            break
        if status == "solved" and nodes >= partition_at and at_root and round_up(lp, grid) < best - tol:
            partition_at = 10 if nodes == 1 else 4 * partition_at
            found = at_root(list(cg.master.columns), deadline)
            if found is not None and found[1] < best - tol:
                best_cols, best = found
                found_plan(best_cols, best)
        if status == "time":
            heapq.heappush(heap, (max(parent_bound, bound if bound is not None else -math.inf), counter, banned))
            break
        if status in ("infeasible", "cutoff") or round_up(lp, grid) >= best - tol:
            continue
        x, used = cg.flows()
        if all(v > 1 - 1e-6 and c.elementary and c.exact for c, v in used):
            best, best_cols = lp, tuple(c for c, _ in used)
            found_plan(best_cols, best)
            continue
        arc = _branching_arc(cg, x, lp, deadline, strong)
        if arc is None:  # integral arcs but split columns (or a cycle): leave it to set partitioning
            stuck += _left_open(used, lp)
            continue
        i, j = arc
        for value in (1, 0):
            child = banned | _banned_by(i, j, value, stops)
            heapq.heappush(heap, (lp, counter, frozenset(child)))
            counter += 1
    open_bounds = [b for b, _, _ in heap if round_up(b, grid) < best - tol]
    open_bounds += [b for b in stuck if round_up(b, grid) < best - tol]
    bound = _tree_bound(open_bounds, root_bound, best, grid)
    return PriceAndBranch(
        best_cols,
        best,
        bound,
        root_bound,
        nodes,
        len(open_bounds),
        tuple(cg.master.columns),
        time.perf_counter() - t0,
        cg.fixed,
        cg.enumerated,
    )


def _left_open(used: list[tuple[Column, float]], lp: float) -> list[float]:
    """``[lp]`` when a node's LP solution with integral arcs uses a relaxed (not ``exact``) column:
    no arc branching removes it, so the node stays open at its LP value; else ``[]``."""
    return [lp] if any(not c.exact for c, _ in used) else []


def _branching_arc(cg: _ColumnGeneration, x: dict, lp: float, deadline: float, strong: bool) -> tuple[int, int] | None:
    """The arc to branch on: the one whose flow is nearest 0.5 (with ``strong``, the best of the
    ``STRONG_CANDIDATES`` nearest by strong branching); None when every arc flow is integral."""
    frac = sorted((abs(v - 0.5), a) for a, v in x.items() if 1e-6 < v < 1 - 1e-6)
    if not frac:
        return None
    if strong and STRONG_CANDIDATES > 1 and len(frac) > 1:
        arc, _ = cg.strong_branch([a for _, a in frac[:STRONG_CANDIDATES]], lp, deadline)
        return arc
    return frac[0][1]


def _tree_bound(open_bounds: list[float], root_bound: float | None, best: float, grid: float) -> float | None:
    """The tree's lower bound: the incumbent when no node is left open below it, else the least
    open node's key (its parent's bound, never below the root's), rounded up to the cost grid; None
    when the root LP never finished."""
    if not open_bounds:
        bound: float | None = best
    elif root_bound is None:
        bound = None
    else:
        bound = max(root_bound, min(open_bounds))  # an open node's key is its parent's bound
    if bound is not None:
        bound = min(round_up(bound, grid), best)
    return bound


def cost_grid(inst: Instance) -> float:
    """The step every route cost is a multiple of (0.1 on truncated-distance benchmarks), or 0 (also
    when drivers are paid by the hour or some orders are optional: minutes and prizes)."""
    if any(t.cny_per_h > 0 for t in inst.types) or lost_anyway(inst) != 0.0:
        return 0.0
    for g in (1.0, 0.1, 0.01):
        ok = all(abs(f / g - round(f / g)) < 1e-6 for f in inst.costs.fixed)
        ok = ok and all(abs(c - round(c)) < 1e-9 for c in inst.costs.per_km)
        scaled = inst.km / g
        if ok and np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return g
    return 0.0


def round_up(value: float, grid: float) -> float:
    """``value`` rounded up to the cost grid (a bound on plans whose cost lies on the grid)."""
    if grid <= 0 or not math.isfinite(value):
        return value
    return math.ceil(value / grid - 1e-6) * grid


def to_routes(inst: Instance, columns: list[Column]) -> list[Route]:
    """Elementary columns as timed routes (each stop takes all its orders); ones the exact route
    evaluator rejects are left out (none are expected on supported days)."""
    out = []
    for c in columns:
        if not c.elementary or not c.exact:
            continue
        picks = c.orders_at(inst)
        ev = evaluate_route(inst, c.k, list(c.seq), picks)
        if ev.feasible:
            out.append(Route(inst.types[c.k].vehicle_ids[0], c.k, list(c.seq), picks, ev))
    return out
