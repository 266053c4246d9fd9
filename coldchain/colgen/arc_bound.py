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


def lower_bound(inst: Instance, time_limit_s: float = 10.0, threads: int = 1) -> Bound | None:
    """Solve the LP with its cut loop (module docstring) within ``time_limit_s``; None if no LP
    could be solved in time."""
    t0 = time.perf_counter()
    n = inst.n
    f = inst.fast
    orders = [o for o in inst.orders if o.excluded is None]
    price = inst.costs
    arc_i, arc_j, arc_q, arc_k, costs = [], [], [], [], []
    out_k: list[dict[int, list[int]]] = []
    in_k: list[dict[int, list[int]]] = []
    minutes_k: list[tuple[list[int], list[float]]] = []
    for t in inst.types:
        k = t.index
        outs: dict[int, list[int]] = {i: [] for i in range(n + 1)}
        ins: dict[int, list[int]] = {i: [] for i in range(n + 1)}
        cols, mins = [], []
        for i, j in inst.arcs(k):
            c = len(arc_i)
            arc_i.append(i)
            arc_j.append(j)
            arc_q.append(t.capacity_kg)
            arc_k.append(k)
            drive = f.minutes[i][j] + f.service[j]
            costs.append(price.arc(k, f.km[i][j], drive, from_hub=i == 0))
            outs[i].append(c)
            ins[j].append(c)
            cols.append(c)
            mins.append(drive)
        out_k.append(outs)
        in_k.append(ins)
        minutes_k.append((cols, mins))
    nx = len(arc_i)
    y0 = nx
    col_y = lambda i: y0 + i - 1  # noqa: E731
    col_s = {o.index: nx + n + c for c, o in enumerate(orders)}
    cols = _Columns(np.array(arc_i), np.array(arc_j), np.array(arc_q, dtype=float), nx, y0)

    use_threads(threads)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    lo_y = [1.0 if st.mandatory else 0.0 for st in inst.stops]
    hi_y = [1.0 if inst.serves[:, st.node].any() else 0.0 for st in inst.stops]
    obj = np.concatenate([costs, np.zeros(n), [-price.lost[o.index] for o in orders]])
    lower = np.concatenate([np.zeros(nx), lo_y, np.zeros(len(orders))])
    upper = np.concatenate([np.full(nx, np.inf), hi_y, np.ones(len(orders))])
    h.addCols(len(obj), obj, lower, upper, 0, np.zeros(len(obj), dtype=np.int32), [], [])

    rows: list[Row] = []
    types = inst.types
    for k in range(len(types)):
        for i in range(n + 1):
            if out_k[k][i] or in_k[k][i]:
                rows.append((0.0, 0.0, out_k[k][i] + in_k[k][i], [1.0] * len(out_k[k][i]) + [-1.0] * len(in_k[k][i])))
        hub = out_k[k][0]
        rows.append((0.0, float(types[k].count), hub, [1.0] * len(hub)))
        span = types[k].end_min - types[k].start_min
        tc, tm = minutes_k[k]
        at_hub = set(hub)
        rows.append((-np.inf, 0.0, tc, [m - span if c in at_hub else m for c, m in zip(tc, tm)]))
    for i in range(1, n + 1):
        visits = [c for k in range(len(types)) for c in out_k[k][i]]
        st = inst.stop(i)
        extra = float(int(st.mandatory) + len(st.orders) - 1) if inst.may_split(i) else 0.0  # split visits
        rows.append((0.0, extra, [*visits, col_y(i)], [1.0] * len(visits) + [-1.0]))
        if extra and st.mandatory:  # one of the visits drops the parcels: a type they fit
            droppers = [c for k in range(len(types)) if inst.drops_fit(k, i) for c in out_k[k][i]]
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
            carriers = [c for k in able for c in out_k[k][o.node]]
            rows.append((-np.inf, 0.0, [col_s[o.index], *carriers], [1.0] + [-1.0] * len(carriers)))
    hub_cols = [c for k in range(len(types)) for c in out_k[k][0]]
    hub_q = [types[arc_k[c]].capacity_kg for c in hub_cols]
    hub_r = [types[arc_k[c]].reefer_kg for c in hub_cols]
    parcels = sum(st.delivery_kg for st in inst.stops)
    rows.append((parcels, np.inf, hub_cols, hub_q))
    rows.append((0.0, np.inf, hub_cols + list(col_s.values()), hub_q + [-o.kg for o in orders]))
    if cold:
        rows.append((0.0, np.inf, hub_cols + [col_s[o.index] for o in cold], hub_r + [-o.kg for o in cold]))
    _add_rows(h, rows)

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
        best = h.getInfo().objective_function_value + constant
        rounds += 1
        x = np.array(h.getSolution().col_value)
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
