r"""The equal profit method (EPM) of Frisk, Göthe-Lundgren, Jörnsten & Rönnqvist (2010, *EJOR*
205(2)): a core allocation whose relative savings are as equal as possible.

.. math::

    \min f \quad\text{s.t.}\quad f \ge \frac{y_i}{c_i} - \frac{y_j}{c_j}\ \ (i \ne j),\qquad
    y(S) \le c(S) + \varepsilon'\ \ (\emptyset \ne S \subsetneq N),\qquad y(N) = c(N),

with :math:`\varepsilon' = 0`. When the core is empty that LP is infeasible; the rows are then
relaxed to the least core's level, :math:`\varepsilon' = \varepsilon^* > 0` (the docs, §2: a
derived rule, reported as ``relaxed_by``). The optimum need not be unique: each :math:`y_i` is
minimised and maximised with :math:`f = f^*` and ``unique`` says whether the ranges are points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coldchain.apps.share.core import least_core
from coldchain.apps.share.game import CostGame, proper_coalitions
from coldchain.apps.share.lp import INF, indicator_rows, solve_lp


@dataclass(frozen=True)
class EqualProfit:
    value: np.ndarray  # cost shares (the solver's optimum)
    f: float  # largest difference of relative cost shares y_i/c_i - y_j/c_j
    relaxed_by: float  # 0 when the core is non-empty, else the least core's epsilon*
    lower: np.ndarray  # each member's range over the optimal set
    upper: np.ndarray

    @property
    def unique(self) -> bool:
        return bool(np.all(self.upper - self.lower <= 1e-6 * max(1.0, float(np.abs(self.value).sum()))))


def equal_profit(game: CostGame) -> EqualProfit:
    """The EPM allocation (module docstring); stand-alone costs must be positive."""
    n = game.n
    c = game.standalone
    if np.any(c <= 0):
        raise ValueError("the equal profit method needs positive stand-alone costs")
    if n == 1:
        return EqualProfit(c.copy(), 0.0, 0.0, c.copy(), c.copy())
    eps = max(0.0, least_core(game).epsilon)
    masks = list(proper_coalitions(n))
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    a_core = np.hstack([indicator_rows(masks + [game.grand], n), np.zeros((len(masks) + 1, 1))])
    a_pair = np.zeros((len(pairs), n + 1))
    for r, (i, j) in enumerate(pairs):
        a_pair[r, i] = 1.0 / c[i]
        a_pair[r, j] = -1.0 / c[j]
        a_pair[r, -1] = -1.0
    a = np.vstack([a_core, a_pair])
    hi = np.concatenate([game.cost[masks] + eps, [game(game.grand)], np.zeros(len(pairs))])
    lo = np.concatenate([np.full(len(masks), -INF), [game(game.grand)], np.full(len(pairs), -INF)])
    obj = np.zeros(n + 1)
    obj[-1] = 1.0
    res = solve_lp(obj, a, lo, hi)
    if not res.optimal:
        raise RuntimeError(f"the equal profit LP did not solve ({res.status})")
    f = float(res.x[-1])
    col_lo = np.full(n + 1, -INF)
    col_hi = np.full(n + 1, INF)
    col_hi[-1] = f + 1e-9  # f >= f* anyway: the optimal set
    lower, upper = np.zeros(n), np.zeros(n)
    for i in range(n):
        obj = np.zeros(n + 1)
        obj[i] = 1.0
        got = [solve_lp(obj, a, lo, hi, col_lo, col_hi, maximise=m) for m in (False, True)]
        if not all(g.optimal for g in got):
            raise RuntimeError("an equal profit range LP did not solve")
        lower[i], upper[i] = got[0].objective, got[1].objective
    return EqualProfit(res.x[:n].copy(), f, eps, lower, upper)
