r"""Interval cost games: each coalition's cost known only within :math:`[L(S), U(S)]`.

A time-limited plan gives an incumbent :math:`U(S)` (a plan that can be driven) and a lower bound
:math:`L(S)`; the true optimum lies between (Alparslan Gök, Miquel & Tijs 2009, *MMOR* 69(1);
Branzei, Branzei & Tijs 2010, *CEJOR* 18(3)). The rules (derived in the docs, §3):

* The allocation published is :math:`y` with :math:`y(N) = U(N)` (the plan actually run).
  Coalition :math:`S` **surely** blocks it when :math:`y(S) > U(S)` (it pays less alone even at
  its incumbent), **possibly** when :math:`L(S) < y(S) \le U(S)`, and **never** when
  :math:`y(S) \le L(S)` (robustly stable).
* The core is surely non-empty when :math:`\varepsilon^* \le 0` in the game with
  :math:`c(S) = L(S)` for :math:`S \ne N` and :math:`c(N) = U(N)` (the hardest case: a core
  allocation of it stays one after lowering :math:`y(N)` to the true :math:`c(N)`), and surely
  empty when :math:`\varepsilon^* > 0` with :math:`c(S) = U(S)` and :math:`c(N) = L(N)`.
* Shapley bounds: :math:`\varphi_i \in [\sum_S w_S (L(S \cup i) - U(S)),\ \sum_S w_S (U(S \cup i) - L(S))]`
  with the Shapley weights :math:`w_S = |S|!(n-|S|-1)!/n!`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from coldchain.apps.share.core import least_core, tolerance
from coldchain.apps.share.game import CostGame, coalition_sums, popcount, proper_coalitions, subadditive_closure


class Blocking(StrEnum):
    SURELY = "surely"
    POSSIBLY = "possibly"
    NEVER = "never"


@dataclass(frozen=True)
class IntervalGame:
    """Bounds ``lower[mask] <= c(mask) <= upper[mask]`` on every coalition's cost."""

    names: tuple[str, ...]
    lower: np.ndarray
    upper: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.names)
        if len(self.lower) != 1 << n or len(self.upper) != 1 << n:
            raise ValueError(f"{n} members need {1 << n} bounds on each side")
        if np.any(self.lower > self.upper + 1e-9 * np.maximum(1.0, np.abs(self.upper))):
            bad = int(np.argmax(self.lower - self.upper))
            raise ValueError(f"coalition {bad}: lower bound {self.lower[bad]} above the cost {self.upper[bad]}")

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def grand(self) -> int:
        return (1 << self.n) - 1

    def incumbent_game(self) -> CostGame:
        """The game of the plans found: :math:`c(S) = U(S)`."""
        return CostGame(self.names, self.upper.copy())

    def closure(self) -> IntervalGame:
        """Both sides closed (``game.subadditive_closure``): the closed cost lies within them."""
        lower, upper = subadditive_closure(self.lower, self.n), subadditive_closure(self.upper, self.n)
        return IntervalGame(self.names, lower, upper)

    def blocking(self, y: np.ndarray) -> dict[int, Blocking]:
        """Surely/possibly/never blocking for every proper coalition (module docstring)."""
        tol = tolerance(self.incumbent_game())
        sums = coalition_sums(y, self.n)
        out = {}
        for s in proper_coalitions(self.n):
            if sums[s] > self.upper[s] + tol:
                out[s] = Blocking.SURELY
            elif sums[s] > self.lower[s] + tol:
                out[s] = Blocking.POSSIBLY
            else:
                out[s] = Blocking.NEVER
        return out

    def core_status(self) -> str:
        """ "non-empty", "empty" or "unknown" (module docstring)."""
        if self.n < 2:
            return "non-empty"
        hardest = self.lower.copy()
        hardest[self.grand] = self.upper[self.grand]
        hardest[0] = 0.0
        if least_core(CostGame(self.names, hardest)).epsilon <= tolerance(self.incumbent_game()):
            return "non-empty"
        easiest = self.upper.copy()
        easiest[self.grand] = self.lower[self.grand]
        if least_core(CostGame(self.names, easiest)).epsilon > tolerance(self.incumbent_game()):
            return "empty"
        return "unknown"

    def shapley_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds on each member's Shapley value (module docstring)."""
        n = self.n
        fact = [math.factorial(k) for k in range(n + 1)]
        lo, hi = np.zeros(n), np.zeros(n)
        for i in range(n):
            bit = 1 << i
            for s in range(1 << n):
                if s & bit:
                    continue
                w = fact[popcount(s)] * fact[n - popcount(s) - 1] / fact[n]
                lo[i] += w * (self.lower[s | bit] - self.upper[s])
                hi[i] += w * (self.upper[s | bit] - self.lower[s])
        return lo, hi
