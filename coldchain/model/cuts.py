"""Valid inequalities that tighten the LP relaxation (no feasible plan is cut off)."""

from __future__ import annotations

import itertools
import time

import pyomo.environ as pyo
from pyomo.core.util import quicksum

from coldchain.core.cutsets import MIN_FLOW, flow_matrix, grown, support_components, trucks_needed
from coldchain.core.instance import Instance


def _entering(m: pyo.ConcreteModel, S: frozenset[int]):
    return quicksum(m.uses_arc[k, i, j] for j in S for (k, i, _) in m._in[j] if i not in S)


def add_capacity_cuts(m: pyo.ConcreteModel, inst: Instance, max_set: int = 3, elastic: bool = False) -> None:
    r"""Rounded capacity inequalities on small sets of stops, for parcels and for pickups.

    Trucks entering a set *S* of stops must bring all its parcels in and take its produce out,
    each truck at most :math:`\bar Q = \max_k Q_k`:

    ``parcel_capacity_cut[S]``

    .. math:: \sum_{(k,i,j)\in A:\, i\notin S,\, j \in S} x_{kij} \ge \lceil q(S) / \bar Q \rceil

    ``pickup_capacity_cut[S]`` (lifted by the orders left out: each order weighs at most
    :math:`\bar Q`, so dropping one lowers the number of trucks needed by at most one)

    .. math:: \sum_{(k,i,j)\in A:\, i\notin S,\, j \in S} x_{kij} \ge \lceil g(S) / \bar Q \rceil
              - \sum_{o \in O_S} (1 - y_o)

    Notes
    -----
    Built for every set of up to ``max_set`` stops whose rounded requirement exceeds what the
    flow constraints already imply (the fractional :math:`q(S)/\bar Q` or :math:`g(S)/\bar Q`)
    and exceeds what single stops imply; the LP relaxation of the two flows alone would let
    fractional trucks share a set's load. In elastic mode (parcel stops may be skipped) the
    parcel cuts do not hold and are not built.
    """
    qmax = max(t.capacity_kg for t in inst.types)
    stops = [st.node for st in inst.stops]
    parcel_cuts, pickup_cuts = [], []
    for size in range(1, max_set + 1):
        for S in itertools.combinations(stops, size):
            q = sum(inst.delivery(i) for i in S)
            g = sum(inst.orders[o].kg for i in S for o in inst.stop(i).orders)
            rq = trucks_needed(q, qmax)
            rg = trucks_needed(g, qmax)
            if not elastic and rq >= 2 and rq > q / qmax + 1e-6:
                parcel_cuts.append((frozenset(S), rq))
            if rg >= 2 and rg > g / qmax + 1e-6:
                pickup_cuts.append((frozenset(S), rg))
    m.PARCEL_CUT_SETS = pyo.Set(initialize=range(len(parcel_cuts)))
    m.PICKUP_CUT_SETS = pyo.Set(initialize=range(len(pickup_cuts)))

    @m.Constraint(m.PARCEL_CUT_SETS)
    def parcel_capacity_cut(m, c):
        S, r = parcel_cuts[c]
        return _entering(m, S) >= r

    @m.Constraint(m.PICKUP_CUT_SETS)
    def pickup_capacity_cut(m, c):
        S, r = pickup_cuts[c]
        orders = [o for i in S for o in m.ORDERS if m.order_node[o] == i]
        return _entering(m, S) >= r - quicksum(1 - m.serves_order[o] for o in orders)


def _maximal_cliques(adj: dict[int, set[int]], limit: int = 2000) -> list[frozenset[int]]:
    """Maximal cliques (Bron-Kerbosch with pivoting), at most ``limit`` of them: enough for the
    cuts, and safe on large conflict graphs where the count can grow exponentially."""
    out: list[frozenset[int]] = []

    def expand(r: set[int], p: set[int], x: set[int]) -> None:
        if len(out) >= limit:
            return
        if not p and not x:
            out.append(frozenset(r))
            return
        pivot = max(p | x, key=lambda u: len(adj[u] & p))
        for v in list(p - adj[pivot]):
            expand(r | {v}, p & adj[v], x & adj[v])
            p.discard(v)
            x.add(v)

    expand(set(), set(adj), set())
    return out


def conflict_cliques(
    inst: Instance, capacity_kg: float | None = None, types: list[int] | None = None
) -> tuple[list[frozenset[int]], list[frozenset[int]]]:
    """Cliques of stops no single truck (of ``types``, payload ``capacity_kg``) can serve together.

    Two stops conflict *by time* when none of the types may drive between them in either
    direction; *by load* when, whichever comes first, the truck would be overloaded with all
    their orders served: their parcels together, their pickups together, or the second stop's
    parcels still on board with the first stop's pickups exceed the payload.
    """
    types = list(range(len(inst.types))) if types is None else types
    qmax = capacity_kg if capacity_kg is not None else max(inst.types[k].capacity_kg for k in types)
    stops = [st.node for st in inst.stops if inst.serves[types, st.node].any()]
    arcs = {(i, j) for k in types for (i, j) in inst.arcs(k)}
    pick = {i: sum(inst.orders[o].kg for o in inst.stop(i).orders) for i in stops}
    by_time = {i: set() for i in stops}
    by_load = {i: set() for i in stops}
    for i, j in itertools.combinations(stops, 2):
        if (i, j) not in arcs and (j, i) not in arcs:
            by_time[i].add(j)
            by_time[j].add(i)
        q_i, q_j = inst.delivery(i), inst.delivery(j)
        overload = (
            pick[i] + pick[j] > qmax + 1e-9
            or q_i + q_j > qmax + 1e-9
            or (q_j + pick[i] > qmax + 1e-9 and q_i + pick[j] > qmax + 1e-9)
        )
        if overload:
            by_load[i].add(j)
            by_load[j].add(i)
    return (
        [c for c in _maximal_cliques(by_time) if len(c) >= 2],
        [c for c in _maximal_cliques(by_load) if len(c) >= 2],
    )


def add_route_count_cuts(m: pyo.ConcreteModel, inst: Instance) -> None:
    r"""Enough trucks for stops that cannot share one: clique inequalities on conflict graphs.

    Let :math:`C` be a clique of stops no two of which one truck of the types :math:`K'` can
    serve (see `conflict_cliques`; :math:`K'` is all types, or the types of one payload). Each
    route of those types visits at most one of them:

    ``time_conflict_routes[c]``

    .. math:: \sum_{(k,0,j)\in A: k\in K'} x_{k0j} \ge \sum_{i\in C} \sum_{(k,i,j)\in A: k \in K'} x_{kij}

    ``load_conflict_routes[c]`` (a load conflict assumes every order at both stops is served;
    each order left out can dissolve at most one conflict, hence the lifting)

    .. math:: \sum_{(k,0,j)\in A: k\in K'} x_{k0j} \ge \sum_{i\in C} \sum_{(k,i,j)\in A: k\in K'} x_{kij}
              - \sum_{o \in O_C} (1 - y_o)

    Notes
    -----
    The LP relaxation of the load flows alone packs produce into fractional trucks (2,945 kg
    into 1.96 trucks of 1,500 kg, when three stops of 1,050, 1,000 and 550 kg pairwise
    cannot share one); these cuts state the bin-packing fact directly. Cliques are built for all
    types together and for each group of types with the same payload.
    """
    groups = [list(range(len(inst.types)))]
    for cap in sorted({t.capacity_kg for t in inst.types}):
        g = [t.index for t in inst.types if t.capacity_kg == cap]
        if g != groups[0]:
            groups.append(g)
    time_cuts, load_cuts = [], []
    for g in groups:
        by_time, by_load = conflict_cliques(inst, types=g)
        time_cuts += [(frozenset(g), C) for C in by_time]
        load_cuts += [(frozenset(g), C) for C in by_load]
    m.TIME_CLIQUES = pyo.Set(initialize=range(len(time_cuts)))
    m.LOAD_CLIQUES = pyo.Set(initialize=range(len(load_cuts)))

    def routes(g):
        return quicksum(m.uses_arc[k, 0, j] for k, j in m.HUB_OUT if k in g)

    def visited(g, C):
        return quicksum(m.uses_arc[a] for i in C for a in m._out[i] if a[0] in g)

    @m.Constraint(m.TIME_CLIQUES)
    def time_conflict_routes(m, c):
        g, C = time_cuts[c]
        return routes(g) >= visited(g, C)

    @m.Constraint(m.LOAD_CLIQUES)
    def load_conflict_routes(m, c):
        g, C = load_cuts[c]
        orders = [o for o in m.ORDERS if m.order_node[o] in C]
        return routes(g) >= visited(g, C) - quicksum(1 - m.serves_order[o] for o in orders)


def _candidate_sets(inst: Instance, flow: dict[tuple[int, int], float], visit: dict[int, float]) -> set[frozenset[int]]:
    """Sets of stops worth testing (`coldchain.core.cutsets`): connected components of the LP
    support graph at several thresholds (those holding a visited stop), and sets grown greedily
    from every stop along the heaviest LP edges."""
    n = inst.n
    pairs = list(flow.items())
    i = [a for (a, _), _ in pairs]
    j = [b for (_, b), _ in pairs]
    w = flow_matrix(n, i, j, [v for _, v in pairs], floor=MIN_FLOW)
    out: set[frozenset[int]] = set()
    for thr in (0.0, 0.2, 0.5, 0.8):
        for comp in support_components(w, thr):
            if any(visit.get(u, 0.0) >= MIN_FLOW for u in comp):
                out.add(frozenset(comp))
    for seed in range(1, n + 1):
        for members, _, _ in grown(w, seed):
            out.add(frozenset(members))
    return out


def separate_root_cuts(
    m: pyo.ConcreteModel, inst: Instance, solve_lp, max_rounds: int = 25, time_limit_s: float = 30.0
) -> list[tuple[frozenset[int], int | None, int]]:
    r"""A root cut loop on a relaxed copy of ``m``: find violated subtour and capacity cuts.

    Returns cuts as ``(S, i, r)``: for a set *S* of stops, either
    :math:`x(\delta^-(S)) \ge r` (``i`` is None; *S* holds a parcel stop, :math:`r =
    \max(1, \lceil q(S)/\bar Q\rceil)`), or :math:`x(\delta^-(S)) \ge \sum_{(k,i,j)} x_{kij}`
    for the pickup-only stop *i* in *S* (a truck reaching *i* enters *S*). ``solve_lp(model)``
    solves the relaxed copy in place.
    """
    lp = m.clone()
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(lp)
    lp.root_cuts = pyo.ConstraintList()
    qmax = max(t.capacity_kg for t in inst.types)
    found: list[tuple[frozenset[int], int | None, int]] = []
    known: set = set()
    deadline = time.perf_counter() + time_limit_s
    for _ in range(max_rounds):
        if time.perf_counter() > deadline or not solve_lp(lp):
            break
        flow = {(i, j): sum(pyo.value(lp.uses_arc[k, i, j]) for k in lp._types_on[(i, j)]) for i, j in lp.LINKS}
        visit = {i: sum(flow.get(a, 0.0) for a in lp._links_out[i]) for i in range(1, inst.n + 1)}
        new = 0
        for S in _candidate_sets(inst, flow, visit):
            entering = sum(flow.get((i, j), 0.0) for j in S for (i, _) in lp._links_in[j] if i not in S)
            if any(inst.stop(i).mandatory for i in S):
                r = max(1, trucks_needed(sum(inst.delivery(i) for i in S), qmax))
                cut = (S, None, r)
                if entering < r - 1e-4 and cut not in known:
                    found.append(cut)
                    known.add(cut)
                    lp.root_cuts.add(_entering(lp, S) >= r)
                    new += 1
            else:
                i = max(S, key=lambda u: visit.get(u, 0.0))
                cut = (S, i, 0)
                if entering < visit.get(i, 0.0) - 1e-4 and cut not in known:
                    found.append(cut)
                    known.add(cut)
                    lp.root_cuts.add(_entering(lp, S) >= quicksum(lp.uses_arc[a] for a in lp._out[i]))
                    new += 1
        if not new:
            break
    return found


def add_root_cuts(m: pyo.ConcreteModel, cuts: list[tuple[frozenset[int], int | None, int]]) -> None:
    r"""Add cuts found by `separate_root_cuts` to ``m`` as ``root_cuts`` (subtour and capacity cuts:

    .. math:: \sum_{(k,i,j)\in A:\, i\notin S,\, j\in S} x_{kij} \ge r_S \ \text{ or } \
              \ge \sum_{(k,i,j)\in A} x_{kij} \text{ for a pickup-only stop } i \in S

    )."""
    m.root_cuts = pyo.ConstraintList()
    for S, i, r in cuts:
        if i is None:
            m.root_cuts.add(_entering(m, S) >= r)
        else:
            m.root_cuts.add(_entering(m, S) >= quicksum(m.uses_arc[a] for a in m._out[i]))
