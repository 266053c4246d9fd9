r"""Multiple trips per truck (``[rules] multiple_trips``): chain solved trips onto fewer trucks.

Every method plans routes that are each one trip out of the hub and back. With the rule on,
this exact post-pass puts several trips of one vehicle type onto one physical truck when that
is cheaper than another truck: the truck comes back, spends ``reload_min`` minutes at the hub
(the produce into the cold store, the next parcels on board) and goes out again.

**Costs.** A truck pays its fixed cost once a day, its km, and its driver from its first
departure to its last return, the waiting at the hub between trips included (the driver waits
with the truck). For a chain of trips :math:`1..m` of type :math:`k`, departing :math:`D_i`:

.. math::

    \text{cost} = F_k + c_k \sum_i \kappa_i + \tfrac{w_k}{60} (D_m + P_m - D_1)

(weights applied, `coldchain.core.costs`). Each trip after the first carries no fixed cost and
its driver is paid from the previous trip's return to its own return; `Route.ev.cost` of such a
trip holds exactly that, so the plan's cost stays the sum of its routes' costs.

**A trip's timing.** A solved trip leaves at :math:`D^*` with the least paid time :math:`P^*`
(`coldchain.core.evaluate.evaluate_route`). Every rule is monotone in the departure (leaving
later never helps), so the departures that keep every rule form an interval
:math:`[E, L]`; :math:`L` is found once per trip by bisection. The paid time never grows with a
later departure and :math:`P^*` is its least value, so for every :math:`D \in [D^*, L]` the trip
returns at exactly :math:`D + P^*`. A trip of a chain leaves at some :math:`D \in [D^*, L]`
(re-evaluated with ``depart = D``, which keeps every rule: windows, ready times, freshness
deadlines, time out of the cold, the shift).

**Two trips** :math:`a \to b` (same type, :math:`(D^*_a, a) < (D^*_b, b)`, so there is no
cycle): :math:`b` leaves at :math:`D_b = \max(D^*_b, D^*_a + P^*_a + \text{reload})`, which must
be :math:`\le L_b`; :math:`a` then leaves as late as it may and still be back in time,
:math:`D_a = \max(D^*_a, \min(L_a, D_b - \text{reload} - P^*_a))` (a later first departure pays
the driver less). The arc's saving over two trucks is

.. math::

    s_{ab} = F_k - \tfrac{w_k}{60}\,(D_b - D_a - P^*_a),

one fixed cost less the paid minutes at the hub between the trips (at least ``reload_min``).

**Choosing the chains exactly.** Chains are a path cover of the DAG of arcs, and the cover with
the largest total saving is an assignment problem (each trip has at most one successor and at
most one predecessor; a trip with none is a truck's first or last trip). As a 0-1 program,
:math:`\max \sum s_{ab} x_{ab}` subject to :math:`\sum_b x_{ab} \le 1` for every :math:`a` and
:math:`\sum_a x_{ab} \le 1` for every :math:`b`; HiGHS solves it exactly (with integrality; its
LP relaxation is already integral, the matrix being a bipartite incidence matrix). Only arcs
with :math:`s_{ab} > 0` are offered. For chains of two trips the arc's saving is exactly what
chaining saves.

**Longer chains** are timed exactly, in closed form: forward, each trip leaves at
:math:`D_i = \max(D^*_i, D_{i-1} + P^*_{i-1} + \text{reload})` (a trip whose :math:`D_i`
exceeds :math:`L_i` starts a new truck instead); backward, each earlier trip leaves as late as
the next one allows, :math:`D_i = \min(L_i, D_{i+1} - \text{reload} - P^*_i)` (never before
its forward time). Their cost is then recomputed; a chain that would cost more than its trips
on separate trucks (its arcs' savings assume each trip's solved timing, so a delay passed down
a long chain can eat them) is split into separate trucks. So chaining never raises the cost,
and a type's trucks are at most its solved trips: the fleet's ``count`` holds.

**The bound.** The lower bound of one-trip plans does not bound multi-trip plans (fixed costs
can drop below it), so a plan with the rule on carries the degree bound in its multi-trip form
(`coldchain.colgen.degree_bound`: one truck's fixed cost, every trip's arcs), which is valid
but weak, and is never called optimal (chaining after planning proves nothing).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from coldchain.colgen.degree_bound import degree_bound
from coldchain.core.evaluate import RouteEval, evaluate_route
from coldchain.core.instance import Instance
from coldchain.core.outcome import SolveStatus, relative_gap
from coldchain.core.plan import Plan
from coldchain.core.route import Route

TOL = 1e-9


@dataclass(frozen=True)
class _Timing:
    """A solved trip's departure ``d`` (D*), least paid time ``paid`` (P*) and latest departure ``latest`` (L)."""

    d: float
    paid: float
    latest: float


def _keeps_rules(inst: Instance, r: Route, depart: float) -> RouteEval | None:
    """``r`` leaving at ``depart``: its evaluation, or None when that breaks a rule."""
    if abs(depart - r.ev.depart) <= TOL:
        return r.ev
    ev = evaluate_route(inst, r.k, r.seq, r.picks, dict(r.ev.in_reefer), depart=depart, pickup_only=r.pickup_only)
    return ev if ev.feasible else None


def _timing(inst: Instance, r: Route) -> _Timing:
    """``r``'s timing terms; L by bisection (feasibility is monotone in the departure)."""
    paid = r.ev.ret - r.ev.depart
    lo, hi = r.ev.depart, inst.types[r.k].end_min - paid
    if hi <= lo + TOL or _keeps_rules(inst, r, hi) is not None:
        return _Timing(r.ev.depart, paid, max(lo, hi))
    for _ in range(40):
        if hi - lo < 1e-3:
            break
        mid = (lo + hi) / 2
        if _keeps_rules(inst, r, mid) is not None:
            lo = mid
        else:
            hi = mid
    return _Timing(r.ev.depart, paid, lo)


def _arcs(inst: Instance, trips: list[Route], times: list[_Timing], reload: float) -> dict[tuple[int, int], float]:
    """The DAG's arcs ``(a, b)`` with a positive saving ``s_ab`` (module docstring)."""
    arcs: dict[tuple[int, int], float] = {}
    costs = inst.costs
    for a, (ra, ta) in enumerate(zip(trips, times)):
        for b, (rb, tb) in enumerate(zip(trips, times)):
            if ra.k != rb.k or (ta.d, a) >= (tb.d, b):
                continue
            d_b = max(tb.d, ta.d + ta.paid + reload)
            if d_b > tb.latest + TOL:
                continue
            d_a = max(ta.d, min(ta.latest, d_b - reload - ta.paid))
            saving = costs.fixed[ra.k] - costs.per_h[ra.k] * (d_b - d_a - ta.paid) / 60.0
            if saving > TOL:
                arcs[(a, b)] = saving
    return arcs


def assign(n: int, arcs: dict[tuple[int, int], float]) -> dict[int, int]:
    """The largest-saving set of arcs with at most one out of and one into each of ``n`` nodes
    (an assignment problem, solved exactly by HiGHS): ``{a: b}``."""
    if not arcs:
        return {}
    import highspy

    pairs = list(arcs)
    m = len(pairs)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)  # threads: HiGHS's one pool per process, as the method left it
    # columns x_ab; rows 0..n-1: out of a, rows n..2n-1: into b
    starts, index = [], []
    for a, b in pairs:
        starts.append(len(index))
        index += [a, n + b]
    h.addRows(2 * n, np.full(2 * n, -highspy.kHighsInf), np.ones(2 * n), 0, np.array([]), np.array([]), np.array([]))
    h.addCols(
        m, -np.array([arcs[p] for p in pairs]), np.zeros(m), np.ones(m), len(index),
        np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.ones(len(index)),
    )  # fmt: skip
    h.changeColsIntegrality(m, np.arange(m, dtype=np.int32), np.full(m, highspy.HighsVarType.kInteger))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # not expected (x = 0 is feasible)
        raise RuntimeError(f"HiGHS could not choose the trips' chains: {h.modelStatusToString(h.getModelStatus())}")
    values = h.getSolution().col_value
    return {a: b for (a, b), v in zip(pairs, values) if v > 0.5}


def chain_trips(inst: Instance, routes: list[Route], reload: float) -> list[Route]:
    """The routes as trips of fewer trucks: each chain on one vehicle id, trips numbered 1, 2, ...
    in order, each trip timed and costed as the module docstring says."""
    trips = [r for r in routes if r.seq and r.ev is not None and r.ev.feasible]
    others = [r for r in routes if r not in trips]
    if len(trips) < 2:
        return routes
    times = [_timing(inst, r) for r in trips]
    nxt = assign(len(trips), _arcs(inst, trips, times, reload))
    has_pred = set(nxt.values())
    chains: list[list[int]] = []
    for a in range(len(trips)):
        if a in has_pred:
            continue
        chain = [a]
        while chain[-1] in nxt:
            chain.append(nxt[chain[-1]])
        chains.append(chain)
    done: list[list[Route]] = []
    for chain in chains:
        for part in _forward(chain, times, reload):
            done += _realise(inst, [trips[i] for i in part], [times[i] for i in part], reload)
    return _name(inst, done) + others


def _forward(chain: list[int], times: list[_Timing], reload: float) -> list[list[int]]:
    """The chain cut where a trip delayed by the one before could no longer leave in time."""
    parts, back = [[chain[0]]], times[chain[0]].d + times[chain[0]].paid
    for i in chain[1:]:
        d = max(times[i].d, back + reload)
        if d > times[i].latest + TOL:
            parts.append([i])
            d = times[i].d
        else:
            parts[-1].append(i)
        back = d + times[i].paid
    return parts


def _realise(inst: Instance, trips: list[Route], times: list[_Timing], reload: float) -> list[list[Route]]:
    """One truck's trips, timed (forward, then backward) and costed; or each trip on its own
    truck, when that is no dearer or a re-evaluation breaks a rule (a safety net)."""
    alone = [[r.copy()] for r in trips]
    if len(trips) == 1:
        return alone
    d = [times[0].d]
    for t_prev, t in zip(times, times[1:]):
        d.append(max(t.d, d[-1] + t_prev.paid + reload))
    for i in range(len(trips) - 2, -1, -1):
        d[i] = max(d[i], min(times[i].latest, d[i + 1] - reload - times[i].paid))
    out, prev_ret = [], None
    for r, when in zip(trips, d):
        ev = _keeps_rules(inst, r, when)
        if ev is None or (prev_ret is not None and ev.depart < prev_ret + reload - TOL):
            return alone
        t = r.copy()
        if prev_ret is not None:  # no fixed cost; the driver is paid on from the last return
            paid = ev.ret - prev_ret
            t.ev = dataclasses.replace(ev, cost=inst.costs.route(r.k, ev.km, paid) - inst.costs.fixed[r.k])
        else:
            t.ev = ev
        out.append(t)
        prev_ret = ev.ret
    if sum(r.ev.cost for r in out) >= sum(r.ev.cost for r in trips) - TOL:
        return alone
    return [out]


def _name(inst: Instance, chains: list[list[Route]]) -> list[Route]:
    """One vehicle id per chain (its first trip's, unless another chain of the type took it),
    trips numbered in order."""
    used: set[str] = set()
    free = {t.index: [v for v in t.vehicle_ids] for t in inst.types}
    wanted = {id(c): c[0].vehicle_id for c in chains}
    taken: dict[int, str] = {}
    for c in sorted(chains, key=lambda c: c[0].ev.depart):
        vid = wanted[id(c)]
        if vid in used:
            vid = next(v for v in free[c[0].k] if v not in used and v not in wanted.values())
        used.add(vid)
        taken[id(c)] = vid
    out = []
    for c in sorted(chains, key=lambda c: (c[0].k, taken[id(c)])):
        for n, r in enumerate(c, start=1):
            r.vehicle_id, r.trip = taken[id(c)], n
            out.append(r)
    return out


def fetch_with_freed(inst: Instance, routes: list[Route], unserved: dict) -> tuple[list[Route], set[int]]:
    """Trucks that chaining freed fetch orders the plan left out: one trip to one point, with as
    many of its unserved orders as keep every rule (most valuable first), when the trip costs
    less than their value. Only at a point no other trip visits and that has no parcels to drop
    (or, with split visits, any point): a point still gets one visit. Returns the routes with
    the new trips and the orders they serve."""
    used = {r.vehicle_id for r in routes if r.seq}
    free = [(t.index, v) for t in inst.types for v in t.vehicle_ids if v not in used]
    visited = {i for r in routes for i in r.seq}
    by_node: dict[int, list[int]] = {}
    for o in inst.orders:
        if o.index in unserved and o.excluded is None and o.node is not None:
            by_node.setdefault(o.node, []).append(o.index)
    price = inst.costs
    served: set[int] = set()
    out = list(routes)
    for node, orders in sorted(by_node.items(), key=lambda kv: -price.unserved(kv[1])):
        if not free:
            break
        split = inst.may_split(node)
        if not split and (node in visited or inst.delivery(node) > 0):
            continue
        best = None
        only = frozenset({node}) if split else frozenset()
        first_of_type = {k: (k, vid) for k, vid in reversed(free)}  # the first free truck of each type
        for k, vid in first_of_type.values():
            taken: list[int] = []
            ev = None
            for o in sorted(orders, key=lambda o: -price.unserved([o])):
                trial = evaluate_route(inst, k, [node], {node: [*taken, o]}, pickup_only=only)
                if trial.feasible:
                    taken, ev = [*taken, o], trial
            if ev is None:
                continue
            saving = price.unserved(taken) - ev.cost
            if saving > TOL and (best is None or saving > best[0]):
                best = (saving, Route(vid, k, [node], {node: taken}, ev, only))
        if best is not None:
            out.append(best[1])
            free.remove((best[1].k, best[1].vehicle_id))
            served.update(o for os in best[1].picks.values() for o in os)
    return out, served


def apply(plan: Plan) -> Plan:
    """``plan`` with its trips chained (`chain_trips`) when the scenario allows multiple trips;
    its bound the multi-trip degree bound and its status at most feasible (the module docstring says why)."""
    rules = plan.scenario.settings.rules
    if not rules.multiple_trips or not plan.has_routes:
        return plan
    inst = plan.instance
    before = plan.cost
    routes = chain_trips(inst, list(plan.routes), float(rules.reload_min))
    routes, fetched = fetch_with_freed(inst, routes, plan.unserved)  # (each on a truck of its own)
    trucks = len({r.vehicle_id for r in routes if r.seq})
    n_trips = sum(1 for r in routes if r.seq)
    unserved = {o: why for o, why in plan.unserved.items() if o not in fetched}
    chained = dataclasses.replace(plan, routes=tuple(routes), unserved=unserved)
    saved = before - chained.cost
    bound = degree_bound(inst, multiple_trips=True)
    out = plan.outcome
    if out is not None:
        out = dataclasses.replace(
            out,
            status=SolveStatus.FEASIBLE if out.status == SolveStatus.OPTIMAL else out.status,
            objective=chained.cost,
            bound=bound,
            gap=relative_gap(chained.cost, bound),
        )
    note = (
        f"multiple trips: {trucks} truck(s) make {n_trips} trip(s), saving {saved:,.2f} CNY"
        + (f" (freed trucks fetch {len(fetched)} order(s) left out)" if fetched else "")
        + "; "
        "a lower bound of one-trip plans does not bound multi-trip plans, so the bound is the degree bound "
        "with one truck's fixed cost (`coldchain.colgen.degree_bound`), far weaker"
    )
    status = SolveStatus.FEASIBLE if plan.status == SolveStatus.OPTIMAL else plan.status
    return dataclasses.replace(chained, status=status, outcome=out, notes=(*plan.notes, note))
