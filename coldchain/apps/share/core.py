r"""The core and the least core of a cost game.

Core: allocations :math:`y` with :math:`y(N) = c(N)` and :math:`y(S) \le c(S)` for every
coalition :math:`S`; a coalition with :math:`y(S) > c(S)` *blocks* :math:`y` (its members would
pay less alone), by the excess :math:`e(S, y) = y(S) - c(S)`.

Least core (Maschler, Peleg & Shapley 1979):

.. math::

    \varepsilon^* = \min \varepsilon \quad \text{s.t.}\quad y(S) \le c(S) + \varepsilon
    \ \ (\emptyset \ne S \subsetneq N), \qquad y(N) = c(N).

The core is non-empty iff :math:`\varepsilon^* \le 0`. The least core is a set: ``least_core``
returns :math:`\varepsilon^*`, one point of it and each member's range over it (:math:`2n` more
LPs with :math:`\varepsilon = \varepsilon^*`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coldchain.apps.share.game import CostGame, coalition_sums, proper_coalitions
from coldchain.apps.share.lp import INF, indicator_rows, solve_lp

TOL = 1e-7  # excesses within this (relative to the grand coalition's cost) count as zero


def tolerance(game: CostGame) -> float:
    return TOL * max(1.0, abs(game(game.grand)))


def excesses(game: CostGame, y: np.ndarray) -> np.ndarray:
    """:math:`e(S, y) = y(S) - c(S)` for every mask."""
    return coalition_sums(y, game.n) - game.cost


def blocking(game: CostGame, y: np.ndarray, tol: float | None = None) -> list[tuple[int, float]]:
    """Every coalition that pays less alone than under ``y``, with its excess, largest first."""
    tol = tolerance(game) if tol is None else tol
    e = excesses(game, y)
    found = [(s, float(e[s])) for s in proper_coalitions(game.n) if e[s] > tol]
    return sorted(found, key=lambda item: (-item[1], item[0]))


def in_core(game: CostGame, y: np.ndarray, tol: float | None = None) -> bool:
    """Efficient (:math:`y(N) = c(N)`) and blocked by no coalition."""
    tol = tolerance(game) if tol is None else tol
    return abs(float(np.sum(y)) - game(game.grand)) <= tol and not blocking(game, y, tol)


@dataclass(frozen=True)
class LeastCore:
    epsilon: float  # the least core's level; the core is non-empty iff it is <= 0
    point: np.ndarray  # one allocation in the least core (the solver's vertex)
    lower: np.ndarray  # each member's lowest cost over the least core
    upper: np.ndarray  # and highest

    @property
    def core_empty(self) -> bool:
        return self.epsilon > TOL * max(1.0, float(np.sum(self.point)))


def _rows(game: CostGame) -> tuple[np.ndarray, np.ndarray]:
    """Rows :math:`y(S) - \\varepsilon \\le c(S)` for proper ``S``, then :math:`y(N) = c(N)`."""
    n = game.n
    masks = np.array(list(proper_coalitions(n)) + [game.grand], dtype=np.int64)
    a = np.hstack([indicator_rows(masks, n), -np.ones((len(masks), 1))])
    a[-1, -1] = 0.0
    return masks, a


def least_core(game: CostGame) -> LeastCore:
    """:math:`\\varepsilon^*`, a point of the least core and the members' ranges over it."""
    n = game.n
    if n < 2:
        raise ValueError("the least core needs at least two members")
    masks, a = _rows(game)
    upper = game.cost[masks].astype(float)
    lower = np.full(len(masks), -INF)
    lower[-1] = upper[-1]
    obj = np.zeros(n + 1)
    obj[-1] = 1.0
    res = solve_lp(obj, a, lower, upper)
    if not res.optimal:
        raise RuntimeError(f"the least-core LP did not solve ({res.status})")
    eps = float(res.x[-1])
    lo, hi = np.zeros(n), np.zeros(n)
    col_lo = np.full(n + 1, -INF)
    col_hi = np.full(n + 1, INF)
    col_hi[-1] = eps + 1e-9 * max(1.0, abs(game(game.grand)))  # the least core: epsilon at its minimum
    for i in range(n):
        obj = np.zeros(n + 1)
        obj[i] = 1.0
        got = [solve_lp(obj, a, lower, upper, col_lo, col_hi, maximise=m) for m in (False, True)]
        if not all(g.optimal for g in got):
            raise RuntimeError("a least-core range LP did not solve")
        lo[i], hi[i] = got[0].objective, got[1].objective
    return LeastCore(eps, res.x[:n].copy(), lo, hi)
