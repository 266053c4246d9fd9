r"""Multiple trips per truck (``[rules] multiple_trips``): chain solved trips onto fewer trucks.

Every method plans routes that are each one trip out of the hub and back. With the rule on,
this exact post-pass puts several trips of one vehicle type onto one physical truck when that
is cheaper than another truck: the truck comes back, spends ``reload_min`` minutes at the hub
(the produce into the cold store, the next parcels on board) and goes out again.

**Costs.** A truck pays its fixed cost once a day, its km, and its driver from its first
departure to its last return, the waiting at the hub between trips included (the driver waits
with the truck). For a chain of trips :math:`1..m` of type :math:`k`, departing :math:`\delta_i`
and returning :math:`\rho_i`:

.. math::

    \text{cost} = F_k + c_k \sum_i \kappa_i + \tfrac{w_k}{60} (\rho_m - \delta_1)

(weights applied, `coldchain.core.costs`). So each trip after the first carries no fixed cost
and its driver is paid from the previous trip's return to its own return; `Route.ev.cost` of
such a trip holds exactly that, and the plan's cost stays the sum of its routes' costs.

**Timing.** A trip keeps its solved timing (departure :math:`\delta^*_b`, return
:math:`\rho^*_b`), except that a trip following another leaves at
:math:`D_b = \max(\delta^*_b, \rho_a + \text{reload})` and is re-timed from that departure
(`coldchain.core.evaluate.evaluate_route` with ``depart``), which must keep every rule: its
windows, ready times, freshness deadlines, time out of the cold and the shift.

**Choosing the chains exactly.** Trips are the nodes of a DAG: an arc :math:`a \to b` (same
type, :math:`(\rho^*_a, a) < (\rho^*_b, b)` so there is no cycle) exists when :math:`b`
departing at :math:`D_b = \max(\delta^*_b, \rho^*_a + \text{reload})` keeps every rule; its
saving is

.. math::

    s_{ab} = F_k + \tfrac{w_k}{60}\big((\rho^*_b - \delta^*_b) - (\rho_b(D_b) - \rho^*_a)\big),

one fixed cost less the driver's extra paid time (the idle minutes at the hub, less any waiting
the later departure saves on the road). Chains are a path cover of the DAG, and choosing the
cover with the largest total saving is an assignment problem (each trip has at most one
successor and at most one predecessor; a trip with none is a truck's first or last trip).
As a 0-1 program, :math:`\max \sum s_{ab} x_{ab}` subject to
:math:`\sum_b x_{ab} \le 1` for every :math:`a` and :math:`\sum_a x_{ab} \le 1` for every
:math:`b`; HiGHS solves it exactly (with integrality; its LP relaxation is already integral, the
constraint matrix being a bipartite incidence matrix). Only arcs with :math:`s_{ab} > 0` are
offered, so chaining never raises the cost.

**Realised chains.** The arc weights assume the predecessor keeps its solved timing. When a
trip in the middle of a chain was itself delayed, its successor is re-timed from its real
return: the idle time can only shrink and the trip's own paid time never grows (paid time does
not grow with a later departure), so the realised saving is at least the arc's; a re-timed
trip that would then break a rule (a delay passed down a chain) starts a new truck instead
(its solved timing, which keeps every rule). The number of trucks of a type is then at most
the number of its solved trips, so the fleet's ``count`` holds.

**No bound.** The lower bound of one-trip plans does not bound multi-trip plans (fixed costs
can drop below it), so a plan with the rule on carries no bound and is never called optimal.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from coldchain.core.evaluate import RouteEval, evaluate_route
from coldchain.core.instance import Instance
from coldchain.core.outcome import SolveStatus
from coldchain.core.plan import Plan
from coldchain.core.route import Route

TOL = 1e-9


def _retime(inst: Instance, r: Route, earliest: float) -> RouteEval | None:
    """``r`` leaving at ``max(its own departure, earliest)``: its evaluation, or None when that breaks a rule."""
    if earliest <= r.ev.depart + TOL:
        return r.ev
    if earliest > inst.types[r.k].end_min:
        return None
    ev = evaluate_route(inst, r.k, r.seq, r.picks, dict(r.ev.in_reefer), depart=earliest, pickup_only=r.pickup_only)
    return ev if ev.feasible else None


def _arcs(inst: Instance, trips: list[Route], reload: float) -> dict[tuple[int, int], float]:
    """The DAG's arcs ``(a, b)`` with a positive saving ``s_ab`` (module docstring)."""
    arcs: dict[tuple[int, int], float] = {}
    costs = inst.costs
    for a, ra in enumerate(trips):
        for b, rb in enumerate(trips):
            if ra.k != rb.k or (ra.ev.ret, a) >= (rb.ev.ret, b):
                continue
            ev = _retime(inst, rb, ra.ev.ret + reload)
            if ev is None:
                continue
            alone = rb.ev.ret - rb.ev.depart
            chained = ev.ret - ra.ev.ret
            saving = costs.fixed[ra.k] + costs.per_h[ra.k] * (alone - chained) / 60.0
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
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
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
    values = h.getSolution().col_value
    return {a: b for (a, b), v in zip(pairs, values) if v > 0.5}


def chain_trips(inst: Instance, routes: list[Route], reload: float) -> list[Route]:
    """The routes as trips of fewer trucks: each chain on one vehicle id, trips numbered 1, 2, ...
    in order, a chained trip re-timed and costed as the module docstring says."""
    trips = [r for r in routes if r.seq and r.ev is not None and r.ev.feasible]
    others = [r for r in routes if r not in trips]
    if len(trips) < 2:
        return routes
    n = len(trips)
    nxt = assign(n, _arcs(inst, trips, reload))
    has_pred = set(nxt.values())
    chains: list[list[int]] = []
    for a in range(n):
        if a in has_pred:
            continue
        chain = [a]
        while chain[-1] in nxt:
            chain.append(nxt[chain[-1]])
        chains.append(chain)
    realised: list[list[Route]] = []
    for chain in chains:
        cur = [trips[chain[0]].copy()]
        for b in chain[1:]:
            prev, rb = cur[-1], trips[b]
            ev = _retime(inst, rb, prev.ev.ret + reload)
            if ev is None:  # a delay passed down the chain: this trip starts a new truck
                realised.append(cur)
                cur = [rb.copy()]
                continue
            t = rb.copy()
            km_cost = inst.costs.per_km[t.k] * ev.km
            t.ev = dataclasses.replace(ev, cost=km_cost + inst.costs.per_h[t.k] * (ev.ret - prev.ev.ret) / 60.0)
            cur.append(t)
        realised.append(cur)
    return _name(inst, realised) + others


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


def apply(plan: Plan) -> Plan:
    """``plan`` with its trips chained (`chain_trips`) when the scenario allows multiple trips;
    its bound dropped and its status at most feasible (the module docstring says why)."""
    rules = plan.scenario.settings.rules
    if not rules.multiple_trips or not plan.has_routes:
        return plan
    inst = plan.instance
    before = plan.cost
    routes = chain_trips(inst, list(plan.routes), float(rules.reload_min))
    trucks = len({r.vehicle_id for r in routes if r.seq})
    n_trips = sum(1 for r in routes if r.seq)
    chained = dataclasses.replace(plan, routes=tuple(routes))
    saved = before - chained.cost
    out = plan.outcome
    if out is not None:
        out = dataclasses.replace(
            out,
            status=SolveStatus.FEASIBLE if out.status == SolveStatus.OPTIMAL else out.status,
            objective=chained.cost,
            bound=None,
            gap=None,
        )
    note = (
        f"multiple trips: {trucks} truck(s) make {n_trips} trip(s), saving {saved:,.2f} CNY; "
        "a lower bound of one-trip plans does not bound multi-trip plans, so this plan carries no bound"
    )
    status = SolveStatus.FEASIBLE if plan.status == SolveStatus.OPTIMAL else plan.status
    return dataclasses.replace(chained, status=status, outcome=out, notes=(*plan.notes, note))
