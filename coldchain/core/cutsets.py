r"""Candidate sets of stops for capacity and subtour cuts, from an LP's flows (one builder for both
cut loops: the compact MILP's root cuts, `coldchain.model.cuts`, and the arc bound's,
`coldchain.colgen.arc_bound`).

Both loops look for sets :math:`S` of stops (the hub excluded) that too little flow enters or
leaves: :math:`x(\delta(S)) \ge \lceil q(S) / Q \rceil` (`trucks_needed`). With :math:`w_{ij}`
the LP flow between stops :math:`i` and :math:`j` in either direction (`flow_matrix`), the
candidates are

* the connected components of the support graph :math:`\{ij : w_{ij} > \theta\}` for a few
  thresholds :math:`\theta` (`components`), and
* sets grown greedily from each stop, adding the stop most connected to the set,
  :math:`\arg\max_{j \notin S} \sum_{a \in S} w_{aj}`, while that connection is positive
  (`grown`: the CVRPSEP-style heuristic of Lysgaard, Letchford & Eglese 2004).

Each loop then tests the sets against its own cuts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import numpy as np

MIN_FLOW = 1e-6  # flows (and connections) at or below this count as none


def trucks_needed(kg: float, q: float) -> int:
    r""":math:`\lceil kg / Q \rceil`: trucks of payload ``q`` it takes to carry ``kg`` (rounding noise ignored)."""
    return math.ceil(kg / q - 1e-9)


def flow_matrix(
    n: int, i: np.ndarray, j: np.ndarray, flow: np.ndarray, floor: float | None = None, symmetric: bool = True
) -> np.ndarray:
    """:math:`w` on nodes 0..n, the hub's row and column zero, from arcs ``i -> j`` carrying ``flow``
    (repeated pairs add up; with ``floor``, only flows above it count); ``symmetric``: both
    directions added together, else the flow from ``i`` to ``j`` alone."""
    i, j, flow = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64), np.asarray(flow, dtype=float)
    keep = (i > 0) & (j > 0)
    if floor is not None:
        keep &= flow > floor
    w = np.zeros((n + 1, n + 1))
    np.add.at(w, (i[keep], j[keep]), flow[keep])
    return w + w.T if symmetric else w


def components(n: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components of stops 1..n joined by ``edges`` (each ascending, ordered by their
    smallest stop; a stop without an edge is a component of its own)."""
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


def support_components(w: np.ndarray, threshold: float) -> list[list[int]]:
    """`components` of the support graph :math:`\\{ij : w_{ij} > \\theta\\}` (of either direction)."""
    a, b = np.nonzero(w > threshold)
    return components(len(w) - 1, zip(a.tolist(), b.tolist()))


def grown(w: np.ndarray, seed: int, max_size: int | None = None) -> Iterator[tuple[list[int], int, float]]:
    """The sets grown greedily from stop ``seed`` (module docstring): after each addition, the set's
    stops in the order added, the stop added and its connection to the set before it joined. Stops
    at ``max_size`` stops (default: every stop) or when no stop is connected. The list is the
    generator's own, growing: copy it to keep a set."""
    n = len(w) - 1
    limit = n if max_size is None else max_size
    inside = np.zeros(n + 1, dtype=bool)
    inside[0] = True
    inside[seed] = True
    members = [seed]
    conn = w[seed].copy()
    while len(members) < limit:
        masked = np.where(inside, -1.0, conn)
        j = int(masked.argmax())
        gain = float(masked[j])
        if gain <= MIN_FLOW:
            return
        inside[j] = True
        members.append(j)
        conn += w[j]
        yield members, j, gain
