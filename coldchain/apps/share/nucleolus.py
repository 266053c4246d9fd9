r"""The nucleolus by a sequence of LPs, done right, and Kohlberg's test of it.

The (pre)nucleolus (Schmeidler 1969) is the allocation whose excesses
:math:`e(S, y) = y(S) - c(S)`, sorted from the largest down, are lexicographically smallest. It
is computed by the sequence of LPs of Kopelowitz (1967) and Maschler, Peleg & Shapley (1979):

.. math::

    \text{LP}_k:\quad \varepsilon_k = \min \varepsilon \quad\text{s.t.}\quad
    y(S) - c(S) \le \varepsilon \ \ (S \in F_k), \qquad
    y(S) - c(S) = \varepsilon_j \ \ (S \text{ fixed at step } j < k), \qquad y(N) = c(N),

plus :math:`y_i \le c_i` for the nucleolus proper (the imputations; the *pre*nucleolus drops
them). After each LP only the coalitions whose excess equals :math:`\varepsilon_k` in **every**
optimum are fixed: a non-zero row dual proves it (complementary slackness); a row that is merely
tight at the vertex the solver returned is tested by maximising its slack
:math:`\varepsilon_k + c(S) - y(S)` with :math:`\varepsilon = \varepsilon_k` (any positive slack
clears it, and every other candidate with slack in that optimum too). Fixing every tight row
instead is the mistake Guajardo & Jörnsten (2015, "Common mistakes in computing the nucleolus",
*EJOR* 241(3)) document: in test game T10 of the docs it returns the least-core vertex
(65, 65, 65, 85), not the nucleolus (220/3, 220/3, 170/3, 230/3). Free coalitions whose indicator
lies in the span of the fixed ones (and :math:`1_N`) have a determined excess and leave
:math:`F`; the sequence stops when the fixed rows have rank :math:`n` or :math:`F` is empty.

Kohlberg's criterion (1971), the test oracle: :math:`y` with :math:`y(N) = c(N)` is the
prenucleolus iff for every level :math:`\alpha` the collection
:math:`\{S \ne \emptyset, N : e(S, y) \ge \alpha\}` is empty or balanced (weights
:math:`\lambda_S > 0` with :math:`\sum_S \lambda_S 1_S = 1_N`; one feasibility LP per level,
with :math:`\lambda_S \ge 1` and the right-hand side :math:`\mu 1_N` scaled freely).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coldchain.apps.share.core import excesses, tolerance
from coldchain.apps.share.game import CostGame, proper_coalitions
from coldchain.apps.share.lp import INF, indicator_rows, solve_lp


@dataclass(frozen=True)
class Nucleolus:
    value: np.ndarray  # cost shares
    levels: tuple[float, ...]  # epsilon_1 < epsilon_2 < ... of the LPs that fixed coalitions
    lps: int  # LPs solved (levels plus the slack tests)


def nucleolus(game: CostGame, pre: bool = False) -> Nucleolus:
    """The nucleolus (``pre=False``: within the imputations :math:`y_i \\le c_i`) or prenucleolus.

    Raises ValueError when the imputation set is empty (the members' stand-alone costs add up to
    less than the grand coalition's)."""
    n = game.n
    c = game.cost
    grand = game.grand
    standalone = game.standalone
    scale = tolerance(game)
    if not pre and standalone.sum() < c[grand] - scale:
        raise ValueError("no imputation: the stand-alone costs add up to less than the grand coalition's")
    if n == 1:
        return Nucleolus(np.array([c[grand]]), (), 0)
    col_hi = np.full(n + 1, INF)
    if not pre:
        col_hi[:n] = standalone
    free = list(proper_coalitions(n))
    fixed: list[tuple[int, float]] = []
    levels: list[float] = []
    lps = 0
    y = None
    basis = _orthonormal(indicator_rows([grand], n))
    while free:
        a, lo, hi = _system(game, free, fixed)
        obj = np.zeros(n + 1)
        obj[-1] = 1.0
        res = solve_lp(obj, a, lo, hi, None, col_hi)
        lps += 1
        if not res.optimal:
            raise RuntimeError(f"nucleolus LP {len(levels) + 1} did not solve ({res.status})")
        eps = float(res.x[-1])
        y = res.x[:n]
        nf = len(free)
        slack = c[free] + eps - indicator_rows(free, n) @ y
        dual = res.row_dual[:nf]
        always = {r for r in range(nf) if abs(dual[r]) > 1e-9}
        undecided = [r for r in range(nf) if slack[r] <= 10 * scale and r not in always]
        cleared: set[int] = set()
        col_lo = np.full(n + 1, -INF)
        col_fix = col_hi.copy()
        col_lo[-1] = col_fix[-1] = eps
        for r in undecided:
            if r in cleared:
                continue
            obj = np.zeros(n + 1)
            obj[:n] = indicator_rows([free[r]], n)[0]  # min y(S) = max slack
            got = solve_lp(obj, a, lo, hi, col_lo, col_fix)
            lps += 1
            if not got.optimal:
                raise RuntimeError("a nucleolus slack LP did not solve")
            slack_r = c[free] + eps - indicator_rows(free, n) @ got.x[:n]
            cleared.update(q for q in undecided if slack_r[q] > 10 * scale)
            if slack_r[r] <= 10 * scale:
                always.add(r)
        if not always:  # cannot happen for a solved LP_k (a convex combination argument); guard anyway
            raise RuntimeError("nucleolus: no coalition is tight in every optimum")
        levels.append(eps)
        fixed += [(free[r], eps) for r in sorted(always)]
        basis = _orthonormal(np.vstack([basis, indicator_rows([free[r] for r in always], n)]))
        if basis.shape[0] >= n:
            break
        rest = [free[r] for r in range(nf) if r not in always]
        if rest:
            rows = indicator_rows(rest, n)
            residual = rows - (rows @ basis.T) @ basis
            rest = [s for s, res_row in zip(rest, residual) if np.abs(res_row).max() > 1e-9]
        free = rest
    return Nucleolus(np.array(y, dtype=float), tuple(levels), lps)


def _system(game: CostGame, free: list[int], fixed: list[tuple[int, float]]):
    """Rows of LP_k: free ``y(S) - eps <= c(S)``, fixed ``y(S) = c(S) + eps_j``, ``y(N) = c(N)``."""
    n = game.n
    c = game.cost
    masks = free + [s for s, _ in fixed] + [game.grand]
    a = np.hstack([indicator_rows(masks, n), np.zeros((len(masks), 1))])
    a[: len(free), -1] = -1.0
    hi = np.array([c[s] for s in free] + [c[s] + e for s, e in fixed] + [c[game.grand]], dtype=float)
    lo = hi.copy()
    lo[: len(free)] = -INF
    return a, lo, hi


def _orthonormal(rows: np.ndarray) -> np.ndarray:
    """An orthonormal basis (as rows) of the span of ``rows``."""
    if rows.size == 0:
        return rows
    _, s, vt = np.linalg.svd(rows, full_matrices=False)
    rank = int(np.sum(s > 1e-9 * max(1.0, s.max())))
    return vt[:rank]


def kohlberg(game: CostGame, y: np.ndarray, tol: float | None = None) -> bool:
    """Kohlberg's criterion: True iff ``y`` is the prenucleolus of ``game`` (module docstring)."""
    n = game.n
    tol = 1e-6 * max(1.0, abs(game(game.grand))) if tol is None else tol
    if abs(float(np.sum(y)) - game(game.grand)) > tol:
        return False
    masks = np.array(list(proper_coalitions(n)), dtype=np.int64)
    if len(masks) == 0:
        return True
    e = excesses(game, np.asarray(y, dtype=float))[masks]
    levels: list[float] = []
    for value in sorted(e, reverse=True):
        if not levels or value < levels[-1] - tol:
            levels.append(float(value))
    for alpha in levels:
        members = masks[e >= alpha - tol]
        k = len(members)
        # variables: lambda_S (>= 1) for S in the collection, then mu (free)
        a = np.hstack([indicator_rows(members, n).T, -np.ones((n, 1))])
        col_lo = np.concatenate([np.ones(k), [-INF]])
        res = solve_lp(np.zeros(k + 1), a, np.zeros(n), np.zeros(n), col_lo, None)
        if not res.optimal:
            return False
    return True
