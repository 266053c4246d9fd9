r"""A lower bound for days too large for the compact MILP: a lean LP with a capacity-cut loop.

Every plan is a set of hub-to-hub routes. Dropping time windows, shifts, freshness, reefer space
and the vehicle types' identities leaves a relaxation whose LP is small enough for a full county
(about 30,000 arcs) and is solved directly with HiGHS (``highspy``), adding cuts between
re-solves, which Pyomo would rebuild each time. Its optimum is a valid lower bound on the plan
cost: every term below is at most what a real plan pays.

Symbols

======================  =====================================================================
:math:`x_{ij} \ge 0`    flow on arc :math:`(i, j)` (an arc some truck type may drive)
:math:`y_i \in [0,1]`   stop :math:`i` is visited (fixed to 1 for parcel stops)
:math:`s_o \in [0,1]`   order :math:`o` is served
:math:`c_{ij}`          :math:`\min_k (\text{CNY/km}_k \cdot km_{ij} + \text{CNY/h}_k \cdot
                        (min_{ij} + service_j) / 60)`, plus :math:`\min_k \text{fixed}_k` when
                        :math:`i` is the hub (waiting is never cheaper than zero)
:math:`Q`, :math:`M`    largest payload; number of trucks
:math:`d(S)`            parcels (kg) for the stops in :math:`S`
======================  =====================================================================

.. math::

    \min \sum_{ij} c_{ij} x_{ij} + \sum_o v_o (1 - s_o)

    x(\delta^+(i)) = x(\delta^-(i)) = y_i, \quad s_o \le y_{i(o)}, \quad
    x(\delta^+(0)) = x(\delta^-(0)) \le M, \quad Q \, x(\delta^+(0)) \ge \max(d(V), \sum_o kg_o s_o)

    x(\delta^+(S)) \ge \lceil d(S) / Q \rceil \ (S \ni \text{a parcel stop}), \qquad
    x(\delta^+(S)) \ge y_i \ (i \in S) \qquad \text{(added when violated)}

Cuts are separated on the connected components of the LP's support graph at a few thresholds
(a standard, cheap heuristic for rounded capacity and subtour inequalities).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np

from coldchain.instance import Instance


@dataclass(frozen=True)
class Bound:
    """A valid lower bound on the plan cost (CNY), how many cuts it took, and how long."""

    value: float
    rounds: int
    cuts: int
    seconds: float
    proved: bool  # the cut loop ended with no violated cut found (else the time ran out)


def lower_bound(inst: Instance, time_limit_s: float = 10.0, threads: int = 1) -> Bound | None:
    """Solve the lean LP with its cut loop (module docstring) within ``time_limit_s``; None if no
    LP could be solved in time."""
    t0 = time.perf_counter()
    n = inst.n
    arcs = sorted({a for t in inst.types for a in inst.arcs(t.index)})
    km, mins = inst.km, inst.minutes
    service = np.array([inst.service(i) for i in range(n + 1)])
    cost = np.full(len(arcs), np.inf)
    for t in inst.types:
        for a, (i, j) in enumerate(arcs):
            c = t.cny_per_km * km[i, j] + t.cny_per_h * (mins[i, j] + service[j]) / 60.0
            cost[a] = min(cost[a], c)
    fixed = min(t.fixed_cny for t in inst.types)
    cost += np.array([fixed if i == 0 else 0.0 for i, _ in arcs])
    orders = [o for o in inst.orders if o.excluded is None]
    nx, ny = len(arcs), n
    col_x = {a: c for c, a in enumerate(arcs)}
    col_y = lambda i: nx + i - 1  # noqa: E731
    col_s = {o.index: nx + ny + c for c, o in enumerate(orders)}

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    lo_y = [1.0 if st.mandatory else 0.0 for st in inst.stops]
    hi_y = [1.0 if inst.serves[:, st.node].any() else 0.0 for st in inst.stops]
    costs = np.concatenate([cost, np.zeros(ny), [-o.value_cny for o in orders]])
    lower = np.concatenate([np.zeros(nx), lo_y, np.zeros(len(orders))])
    upper = np.concatenate([np.full(nx, np.inf), hi_y, np.ones(len(orders))])
    h.addCols(len(costs), costs, lower, upper, 0, np.zeros(len(costs), dtype=np.int32), [], [])

    rows: list[tuple[float, float, list[int], list[float]]] = []
    out_arcs: dict[int, list[int]] = {i: [] for i in range(n + 1)}
    in_arcs: dict[int, list[int]] = {i: [] for i in range(n + 1)}
    for (i, j), c in col_x.items():
        out_arcs[i].append(c)
        in_arcs[j].append(c)
    for i in range(1, n + 1):
        rows.append((0.0, 0.0, [*out_arcs[i], col_y(i)], [1.0] * len(out_arcs[i]) + [-1.0]))
        rows.append((0.0, 0.0, [*in_arcs[i], col_y(i)], [1.0] * len(in_arcs[i]) + [-1.0]))
    for o in orders:
        rows.append((-np.inf, 0.0, [col_s[o.index], col_y(o.node)], [1.0, -1.0]))
    fleet = sum(t.count for t in inst.types)
    q = max(t.capacity_kg for t in inst.types)
    parcels = sum(st.delivery_kg for st in inst.stops)
    rows.append((0.0, float(fleet), out_arcs[0], [1.0] * len(out_arcs[0])))
    rows.append((0.0, 0.0, out_arcs[0] + in_arcs[0], [1.0] * len(out_arcs[0]) + [-1.0] * len(in_arcs[0])))
    rows.append((parcels, np.inf, out_arcs[0], [q] * len(out_arcs[0])))
    rows.append((0.0, np.inf, out_arcs[0] + list(col_s.values()), [q] * len(out_arcs[0]) + [-o.kg for o in orders]))
    _add_rows(h, rows)

    arc_i = np.array([i for i, _ in arcs])
    arc_j = np.array([j for _, j in arcs])
    delivery = np.array([inst.delivery(i) for i in range(n + 1)])
    mandatory = np.array([i > 0 and inst.stop(i).mandatory for i in range(n + 1)])
    constant = sum(o.value_cny for o in orders) + sum(o.value_cny for o in inst.orders if o.excluded is not None)
    best, rounds, cuts, proved = None, 0, 0, False
    h.setOptionValue("time_limit", max(0.1, time_limit_s - (time.perf_counter() - t0)))  # HiGHS adds up runs
    while time.perf_counter() - t0 < time_limit_s:
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        best = h.getInfo().objective_function_value + constant
        rounds += 1
        x = np.array(h.getSolution().col_value)
        y = x[nx : nx + ny]
        new = _separate(x[:nx], y, arc_i, arc_j, delivery, mandatory, q, n, col_x, col_y)
        if not new:
            proved = True
            break
        cuts += len(new)
        _add_rows(h, new)
    if best is None:
        return None
    return Bound(best, rounds, cuts, time.perf_counter() - t0, proved)


def _add_rows(h: highspy.Highs, rows: list[tuple[float, float, list[int], list[float]]]) -> None:
    starts, index, value = [], [], []
    for _, _, idx, val in rows:
        starts.append(len(index))
        index += idx
        value += val
    h.addRows(
        len(rows),
        np.array([r[0] for r in rows], dtype=float),
        np.array([r[1] for r in rows], dtype=float),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value, dtype=float),
    )


def _components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n + 1))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in range(1, n + 1):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _separate(x, y, arc_i, arc_j, delivery, mandatory, q, n, col_x, col_y) -> list:
    """Violated rounded-capacity / subtour cuts on components of the support graph (without the hub)."""
    found, seen = [], set()
    for threshold in (1e-6, 0.3, 0.6):
        on = (x > threshold) & (arc_i > 0) & (arc_j > 0)
        for comp in _components(n, list(zip(arc_i[on].tolist(), arc_j[on].tolist()))):
            key = tuple(comp)
            if key in seen:
                continue
            seen.add(key)
            inside = np.zeros(n + 1, dtype=bool)
            inside[comp] = True
            leaving = inside[arc_i] & ~inside[arc_j]
            lhs = float(x[leaving].sum())
            cols = [int(c) for c in np.flatnonzero(leaving)]
            if mandatory[comp].any():
                need = max(1, math.ceil(delivery[comp].sum() / q - 1e-9))
                if lhs < need - 1e-6:
                    found.append((float(need), np.inf, cols, [1.0] * len(cols)))
            else:
                top = max(comp, key=lambda i: y[i - 1])
                if lhs < y[top - 1] - 1e-6:
                    found.append((0.0, np.inf, [*cols, col_y(top)], [1.0] * len(cols) + [-1.0]))
    return found
