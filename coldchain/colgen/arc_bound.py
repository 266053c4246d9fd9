r"""A lower bound for days too large for the compact MILP: a per-type flow LP with a cut loop.

Every plan is a set of hub-to-hub routes, each driven by one truck of one type. Dropping time
windows, ready times and the order of loading and unloading leaves a relaxation small enough for a
full county (about 30,000 arcs per truck type), solved directly with HiGHS (``highspy``) and
re-solved as cuts are added (Pyomo would rebuild it each time). Its optimum is a valid lower
bound on the plan cost: every term below is at most what a real plan pays.

Symbols

==========================  =================================================================
:math:`x^k_{ij} \ge 0`      trucks of type :math:`k` driving arc :math:`(i, j)` (arcs type
                            :math:`k` may drive, `Instance.arcs`)
:math:`y_i \in [0,1]`       stop :math:`i` is visited (fixed to 1 for parcel stops)
:math:`s_o \in [0,1]`       order :math:`o` is served, with lost value :math:`v_o` otherwise
:math:`c^k_{ij}`            :math:`\text{CNY/km}_k \, km_{ij} + \text{CNY/h}_k (min_{ij} +
                            service_j) / 60`, plus :math:`\text{fixed}_k` when :math:`i` is the
                            hub (waiting is never cheaper than zero)
:math:`Q_k, R_k, H_k, M_k`  payload, reefer payload, shift length, number of trucks of type
                            :math:`k`; :math:`Q = \max_k Q_k`
:math:`d(S), p(S)`          parcels (kg) for the stops in :math:`S`; pickup kg there,
                            :math:`p(S) = \sum_{o \in S} kg_o s_o`
:math:`K_o`                 types that can carry order :math:`o` (payload, and reefer space when
                            the direct trip to the hub is longer than it may spend out of cold)
==========================  =================================================================

.. math::

    \min \sum_{k, ij} c^k_{ij} x^k_{ij} + \sum_o v_o (1 - s_o)

    x^k(\delta^+(i)) = x^k(\delta^-(i)), \quad \sum_k x^k(\delta^+(i)) = y_i, \quad
    s_o \le \sum_{k \in K_o} x^k(\delta^+(i(o))), \quad x^k(\delta^+(0)) \le M_k

    \sum_k Q_k x^k(\delta^+(0)) \ge \max(d(V), p(V)), \quad
    \sum_k R_k x^k(\delta^+(0)) \ge \sum_{o \text{ must ride cold}} kg_o s_o, \quad
    \sum_{ij} (min_{ij} + service_j) x^k_{ij} \le H_k x^k(\delta^+(0))

Cuts (added when violated), for sets :math:`S` of stops, with :math:`X = \sum_k x^k`:

.. math::

    X(\delta^+(S)) \ge \lceil d(S) / Q \rceil \ (d(S) > 0), \qquad
    X(\delta^+(S)) \ge \lceil p^{all}(S) / Q \rceil - \sum_{o \in S} (1 - s_o), \qquad
    X(\delta^+(S)) \ge y_i \ (i \in S)

    \sum_k Q_k x^k(\delta^+(S)) \ge d(S), \qquad \sum_k Q_k x^k(\delta^+(S)) \ge p(S)

With split visits (``[rules] split_visits``) a stop :math:`i` may be visited by one truck per
part of its work (its parcel drop, each order): :math:`y_i \le \sum_k x^k(\delta^+(i)) \le
y_i + (\text{parts}_i - 1)`, and one of the visits to a parcel stop is by a type whose payload
takes its parcels, :math:`\sum_{k: d_i \le Q_k} x^k(\delta^+(i)) \ge 1` (without split visits
the arcs already say so); :math:`y_i` still says whether it is visited at all, and every other
row holds for such plans as it is.

Each route that delivers to or picks up in :math:`S` leaves it at least once and carries at most
its payload; the pickup cut holds because :math:`\lceil a + b \rceil \le \lceil a \rceil +
\lceil b \rceil` and each order fits on one truck (:math:`kg_o \le Q`). Sets come from the
connected components of the LP's support graph at a few thresholds (a standard, cheap
separation heuristic for rounded capacity and subtour inequalities).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from coldchain.core.cutsets import MIN_FLOW, flow_matrix, grown, support_components, trucks_needed
from coldchain.core.instance import Instance
from coldchain.setpart.highs import use_threads

Row = tuple[float, float, list[int], list[float]]


@dataclass(frozen=True)
class Bound:
    """A valid lower bound on the plan cost (CNY), how many cuts it took, and how long."""

    value: float
    rounds: int
    cuts: int
    seconds: float
    proved: bool  # the cut loop ended with no violated cut found (else the time ran out)


@dataclass
class _Columns:
    """Column layout of the LP: per-type arcs first, then y, then s (orders' columns travel with
    the orders, in ``pickups``)."""

    arc_i: np.ndarray  # tail of each arc column
    arc_j: np.ndarray  # head
    arc_q: np.ndarray  # payload of the column's type
    n_arcs: int
    y0: int  # column of y_1


def _must_ride_cold(inst: Instance, o) -> bool:
    f = inst.fast
    return o.chilled and f.service[o.node] + inst.shortest[o.node, 0] > o.max_out_of_cold_min + 1e-9


def arc_arrays(inst: Instance, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Tails and heads of the arcs type ``k`` may drive, as `Instance.arcs` lists them (same rules,
    same order), computed on arrays: a full county day has some 290,000 per type."""
    t = inst.types[k]
    n = inst.n
    ok = np.asarray(inst.serves[k], dtype=bool).copy()
    ok[0] = True
    minutes = np.asarray(inst.minutes, dtype=float)
    early = np.asarray(inst.earliest, dtype=float)
    late = np.asarray(inst.latest, dtype=float)
    service = np.array([inst.service(i) for i in range(n + 1)])
    delivery = np.array([inst.delivery(i) for i in range(n + 1)])
    keep = ok[:, None] & ok[None, :]
    np.fill_diagonal(keep, False)
    arrive = early[:, None] + service[:, None] + minutes
    back = np.maximum(arrive, early[None, :]) + service[None, :] + minutes[:, 0][None, :]
    inner = (arrive <= late[None, :] + 1e-9) & (back <= t.end_min + 1e-9)
    if not inst.split_visits:
        inner &= delivery[:, None] + delivery[None, :] <= t.capacity_kg + 1e-9
    inner[0, :] = True
    inner[:, 0] = True
    i, j = np.nonzero(keep & inner)
    return i.astype(np.int64), j.astype(np.int64)


def lower_bound(
    inst: Instance, time_limit_s: float = 10.0, threads: int = 1, nearest: int | None = None
) -> Bound | None:
    r"""Solve the LP with its cut loop (module docstring) within ``time_limit_s``; None if no LP
    could be solved in time.

    With ``nearest``, by arc generation: every arc is a column, but at first only the hub's and,
    per stop and type, its ``nearest`` cheapest arcs out and in may carry flow (the others are
    fixed at 0); after each LP the fixed arcs with a negative reduced cost :math:`\bar c_a` are
    freed, and cuts are separated only once none is left (the LP is then the LP over every arc).
    Every LP gives a valid bound, solved over every arc or not: :math:`z + \sum_a u_a
    \min(0, \bar c_a)` over the fixed arcs, with :math:`u_a` a bound every plan keeps
    (:math:`M_k` for an arc out of the hub, else the visits its tail allows, 1 without split
    visits), by LP duality (the dual solution of the restricted LP, with each fixed arc's bound
    term)."""
    t0 = time.perf_counter()
    n = inst.n
    f = inst.fast
    orders = [o for o in inst.orders if o.excluded is None]
    price = inst.costs
    km = np.asarray(f.km, dtype=float)
    minutes_m = np.asarray(f.minutes, dtype=float)
    service = np.asarray(f.service, dtype=float)
    parts = [arc_arrays(inst, t.index) for t in inst.types]
    arc_i = np.concatenate([a for a, _ in parts])
    arc_j = np.concatenate([b for _, b in parts])
    arc_k = np.concatenate([np.full(len(a), t.index, dtype=np.int64) for t, (a, _) in zip(inst.types, parts)])
    arc_q = np.array([t.capacity_kg for t in inst.types], dtype=float)[arc_k]
    drive = minutes_m[arc_i, arc_j] + service[arc_j]
    per_km = np.asarray(price.per_km, dtype=float)[arc_k]
    per_h = np.asarray(price.per_h, dtype=float)[arc_k]
    fixed = np.asarray(price.fixed, dtype=float)[arc_k]
    costs = per_km * km[arc_i, arc_j] + per_h * drive / 60.0 + np.where(arc_i == 0, fixed, 0.0)
    nx = len(arc_i)
    nt = len(inst.types)
    # per (type, node): the arcs out and in, by one stable sort each
    key_out = arc_k * (n + 1) + arc_i
    key_in = arc_k * (n + 1) + arc_j
    order_out = np.argsort(key_out, kind="stable")
    order_in = np.argsort(key_in, kind="stable")
    ptr_out = np.searchsorted(key_out[order_out], np.arange(nt * (n + 1) + 1))
    ptr_in = np.searchsorted(key_in[order_in], np.arange(nt * (n + 1) + 1))

    def outs(k: int, i: int) -> list[int]:
        a = k * (n + 1) + i
        return order_out[ptr_out[a] : ptr_out[a + 1]].tolist()

    def ins(k: int, i: int) -> list[int]:
        a = k * (n + 1) + i
        return order_in[ptr_in[a] : ptr_in[a + 1]].tolist()

    y0 = nx
    col_y = lambda i: y0 + i - 1  # noqa: E731
    col_s = {o.index: nx + n + c for c, o in enumerate(orders)}
    cols = _Columns(arc_i, arc_j, arc_q, nx, y0)

    use_threads(threads)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    lo_y = [1.0 if st.mandatory else 0.0 for st in inst.stops]
    hi_y = [1.0 if inst.serves[:, st.node].any() else 0.0 for st in inst.stops]
    obj = np.concatenate([costs, np.zeros(n), [-price.lost[o.index] for o in orders]])
    active = np.ones(nx, dtype=bool) if nearest is None else _nearest_arcs(arc_i, arc_j, arc_k, costs, n, nearest)
    lower = np.concatenate([np.zeros(nx), lo_y, np.zeros(len(orders))])
    upper = np.concatenate([np.where(active, np.inf, 0.0), hi_y, np.ones(len(orders))])
    h.addCols(len(obj), obj, lower, upper, 0, np.zeros(len(obj), dtype=np.int32), [], [])

    rows: list[Row] = []
    types = inst.types
    for k in range(nt):
        for i in range(n + 1):
            o_k, i_k = outs(k, i), ins(k, i)
            if o_k or i_k:
                rows.append((0.0, 0.0, o_k + i_k, [1.0] * len(o_k) + [-1.0] * len(i_k)))
        hub = outs(k, 0)
        rows.append((0.0, float(types[k].count), hub, [1.0] * len(hub)))
        span = types[k].end_min - types[k].start_min
        tc = np.flatnonzero(arc_k == k)
        tm = drive[tc] - np.where(arc_i[tc] == 0, span, 0.0)
        rows.append((-np.inf, 0.0, tc.tolist(), tm.tolist()))
    extra_at = np.zeros(n + 1)
    for i in range(1, n + 1):
        visits = [c for k in range(nt) for c in outs(k, i)]
        st = inst.stop(i)
        extra = float(int(st.mandatory) + len(st.orders) - 1) if inst.may_split(i) else 0.0  # split visits
        extra_at[i] = extra
        rows.append((0.0, extra, [*visits, col_y(i)], [1.0] * len(visits) + [-1.0]))
        if extra and st.mandatory:  # one of the visits drops the parcels: a type they fit
            droppers = [c for k in range(nt) if inst.drops_fit(k, i) for c in outs(k, i)]
            rows.append((1.0, np.inf, droppers, [1.0] * len(droppers)))
    cold = []
    for o in orders:
        must_cold = _must_ride_cold(inst, o)
        if must_cold:
            cold.append(o)
        able = [
            k
            for k, t in enumerate(types)
            if t.capacity_kg >= o.kg - 1e-9 and (not must_cold or t.reefer_kg >= o.kg - 1e-9)
        ]
        if len(able) == len(types):
            rows.append((-np.inf, 0.0, [col_s[o.index], col_y(o.node)], [1.0, -1.0]))
        else:
            carriers = [c for k in able for c in outs(k, o.node)]
            rows.append((-np.inf, 0.0, [col_s[o.index], *carriers], [1.0] + [-1.0] * len(carriers)))
    hub_cols = [c for k in range(nt) for c in outs(k, 0)]
    hub_q = [types[arc_k[c]].capacity_kg for c in hub_cols]
    hub_r = [types[arc_k[c]].reefer_kg for c in hub_cols]
    parcels = sum(st.delivery_kg for st in inst.stops)
    rows.append((parcels, np.inf, hub_cols, hub_q))
    rows.append((0.0, np.inf, hub_cols + list(col_s.values()), hub_q + [-o.kg for o in orders]))
    if cold:
        rows.append((0.0, np.inf, hub_cols + [col_s[o.index] for o in cold], hub_r + [-o.kg for o in cold]))
    _add_rows(h, rows)
    # a bound on each arc's flow in every plan (its tail's visits; the fleet for the hub's arcs)
    counts = np.array([t.count for t in types], dtype=float)
    cap = np.where(arc_i == 0, counts[arc_k], 1.0 + extra_at[arc_i])

    pickups = [(o.node, o.kg, col_s[o.index]) for o in orders]
    delivery = np.array([inst.delivery(i) for i in range(n + 1)])
    q = max(t.capacity_kg for t in types)
    constant = sum(price.lost[o.index] for o in orders) + price.unserved(o.index for o in inst.orders if o.excluded)
    best, rounds, cuts, proved = None, 0, 0, False
    h.setOptionValue("time_limit", max(0.1, time_limit_s - (time.perf_counter() - t0)))  # HiGHS adds up runs
    last = 0.0  # seconds the last round took: no new round that would surely overrun the limit
    while time.perf_counter() - t0 + last < time_limit_s:
        r0 = time.perf_counter()
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        z = h.getInfo().objective_function_value + constant
        rounds += 1
        sol = h.getSolution()
        if not active.all():
            rc = np.asarray(sol.col_dual[:nx])
            fixed_neg = ~active & (rc < -1e-9)
            value = z + float((cap[fixed_neg] * rc[fixed_neg]).sum())
            best = value if best is None else max(best, value)
            if fixed_neg.any():  # free them (all of them: the LP then needs fewer rounds)
                free = np.flatnonzero(fixed_neg)
                active[free] = True
                h.changeColsBounds(len(free), free.astype(np.int32), np.zeros(len(free)), np.full(len(free), np.inf))
                last = time.perf_counter() - r0
                continue
        best = z if best is None else max(best, z)
        x = np.array(sol.col_value)
        new = _separate(x, cols, delivery, pickups, q, n)
        if not new:
            proved = True
            break
        cuts += len(new)
        _add_rows(h, new)
        last = time.perf_counter() - r0
    if best is None:
        return None
    return Bound(best, rounds, cuts, time.perf_counter() - t0, proved)


def _nearest_arcs(arc_i, arc_j, arc_k, costs, n: int, nearest: int) -> np.ndarray:
    """The arcs free at the start of arc generation: every arc at the hub, and per type and stop
    its ``nearest`` cheapest arcs out and in."""
    active = (arc_i == 0) | (arc_j == 0)
    for key in (arc_k * (n + 1) + arc_i, arc_k * (n + 1) + arc_j):
        order = np.lexsort((costs, key))
        ks = key[order]
        start = np.searchsorted(ks, ks)  # first position of each arc's group
        rank = np.arange(len(order)) - start
        active[order[rank < nearest]] = True
    return active


def _add_rows(h: highspy.Highs, rows: list[Row]) -> None:
    starts, index, value = [], [], []
    for _, _, idx, val in rows:
        starts.append(len(index))
        index += idx
        value += val
    status = h.addRows(
        len(rows),
        np.array([r[0] for r in rows], dtype=float),
        np.array([r[1] for r in rows], dtype=float),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value, dtype=float),
    )
    # kWarning: HiGHS dropped coefficients below 1e-9 (a leg of ~1e-10 minutes between two points at
    # one place), which moves a row by less than its own feasibility tolerance
    if status not in (highspy.HighsStatus.kOk, highspy.HighsStatus.kWarning):
        raise RuntimeError(f"HiGHS refused {len(rows)} rows: {status}")


def _cuts_for(comp, x, cols, delivery, pickups, q, n, y) -> list[Row]:
    """The violated cuts of the module docstring for one set of stops."""
    xa = x[: cols.n_arcs]
    arc_i, arc_j = cols.arc_i, cols.arc_j
    found: list[Row] = []
    inside = np.zeros(n + 1, dtype=bool)
    inside[comp] = True
    leaving = np.flatnonzero(inside[arc_i] & ~inside[arc_j])
    lhs = float(xa[leaving].sum())
    qlhs = float((cols.arc_q[leaving] * xa[leaving]).sum())
    idx = [int(c) for c in leaving]
    ones = [1.0] * len(idx)
    qs = [float(v) for v in cols.arc_q[leaving]]
    d = float(delivery[comp].sum())
    picks = [(kg, c) for node, kg, c in pickups if inside[node]]
    if d > 0:
        need = trucks_needed(d, q)
        if lhs < need - 1e-6:
            found.append((float(need), np.inf, idx, ones))
        if qlhs < d - 1e-6:
            found.append((d, np.inf, idx, qs))
    if picks:
        total = sum(kg for kg, _ in picks)
        served = sum(kg * x[c] for kg, c in picks)
        need = trucks_needed(total, q) - len(picks)
        if lhs - sum(x[c] for _, c in picks) < need - 1e-6:
            found.append((float(need), np.inf, idx + [c for _, c in picks], ones + [-1.0] * len(picks)))
        if qlhs < served - 1e-6:
            found.append((0.0, np.inf, idx + [c for _, c in picks], qs + [-kg for kg, _ in picks]))
    if d <= 0:
        top = max(comp, key=lambda i: y[i - 1])
        if lhs < y[top - 1] - 1e-6:
            found.append((0.0, np.inf, [*idx, cols.y0 + top - 1], ones + [-1.0]))
    return found


def _greedy_sets(x, cols, delivery, pick_kg, q, n, y, max_size: int = 40, max_sets: int = 60):
    """Candidate sets grown greedily from every visited stop (`coldchain.core.cutsets.grown`),
    yielding each set whose rounded capacity cut (parcels or pickups, all orders served) is violated."""
    sym = flow_matrix(n, cols.arc_i, cols.arc_j, x[: cols.n_arcs])
    yv = np.concatenate([[0.0], y])
    out: dict[tuple[int, ...], float] = {}
    for seed in range(1, n + 1):
        if yv[seed] < 1e-6:
            continue
        internal, ysum = 0.0, yv[seed]
        d, p = delivery[seed], pick_kg[seed]
        best, best_viol = None, 1e-3
        for members, j, gain in grown(sym, seed, max_size):
            internal += gain
            ysum += yv[j]
            d += delivery[j]
            p += pick_kg[j]
            lhs = ysum - internal
            need = max(trucks_needed(d, q), trucks_needed(p, q))
            if need - lhs > best_viol:
                best, best_viol = tuple(sorted(members)), need - lhs
        if best is not None:
            out[best] = best_viol
    return [list(k) for k, _ in sorted(out.items(), key=lambda kv: -kv[1])[:max_sets]]


def _separate(x: np.ndarray, cols: _Columns, delivery: np.ndarray, pickups, q: float, n: int) -> list[Row]:
    """Violated cuts of the module docstring on components of the support graph (without the hub)."""
    xa = x[: cols.n_arcs]
    y = x[cols.y0 : cols.y0 + n]
    found: list[Row] = []
    seen = set()
    arc_i, arc_j = cols.arc_i, cols.arc_j
    # aggregate flow per (i, j) for the support graph (each direction on its own)
    flow = flow_matrix(n, arc_i, arc_j, xa, floor=MIN_FLOW, symmetric=False)
    for threshold in (1e-6, 0.3, 0.6):
        for comp in support_components(flow, threshold):
            key = tuple(comp)
            if key in seen:
                continue
            seen.add(key)
            found += _cuts_for(comp, x, cols, delivery, pickups, q, n, y)
    pick_kg = np.zeros(n + 1)
    for node, kg, c in pickups:
        pick_kg[node] += kg * x[c]
    for comp in _greedy_sets(x, cols, delivery, pick_kg, q, n, y):
        key = tuple(comp)
        if key in seen:
            continue
        seen.add(key)
        found += _cuts_for(comp, x, cols, delivery, pickups, q, n, y)
    return found
