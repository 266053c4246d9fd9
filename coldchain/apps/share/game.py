r"""A cost game over coalitions stored as bitmasks, and its subadditive closure.

Members are numbered :math:`0 \dots n-1`; a coalition :math:`S \subseteq N` is the integer whose
bit :math:`i` is set when member :math:`i` belongs to it, so :math:`N = 2^n - 1` and
:math:`c(\emptyset) = 0`. The costs are one array of length :math:`2^n` (``n`` up to about 12:
4,096 values; every rule here is at most :math:`O(3^n)`).

Subadditive closure (``closure``): the members of :math:`S` can always split into groups that plan
separately, so the cost of :math:`S` is at most that of its cheapest partition,

.. math::

    \bar c(S) = \min\bigl(c(S),\ \min_{\emptyset \ne T \subsetneq S} \bar c(T) + \bar c(S \setminus T)\bigr),

a dynamic programme over the subsets in increasing order (each split counted once by keeping the
lowest member of :math:`S` in :math:`T`: :math:`3^n/2` steps, 29,525 for ten members). It repairs
coalition costs that a time-limited planner left above a plan the members could run anyway.

The savings game of a cost game is :math:`v(S) = \sum_{i \in S} c_i - c(S)`; allocations are
costs :math:`y` with :math:`y(N) = c(N)` (savings :math:`x_i = c_i - y_i`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


def members_of(mask: int, n: int) -> list[int]:
    """The members of coalition ``mask``, lowest first."""
    return [i for i in range(n) if mask >> i & 1]


def mask_of(members: Sequence[int]) -> int:
    """The bitmask of a collection of member indices."""
    out = 0
    for i in members:
        out |= 1 << i
    return out


def popcount(mask: int) -> int:
    return bin(mask).count("1")


def proper_coalitions(n: int) -> range:
    """Every coalition but the empty one and the grand coalition: masks 1 .. 2^n - 2."""
    return range(1, (1 << n) - 1)


def coalition_sums(y: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    """:math:`y(S)` for every mask ``S`` (index 0 is 0), built by adding one member at a time."""
    y = np.asarray(y, dtype=float)
    sums = np.zeros(1 << n)
    for i in range(n):
        bit = 1 << i
        sums[bit : 2 * bit] = sums[:bit] + y[i]
    return sums


@dataclass(frozen=True)
class CostGame:
    """Costs of every coalition of ``names`` (``cost[mask]``, ``cost[0] == 0``)."""

    names: tuple[str, ...]
    cost: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.names)
        if n < 1:
            raise ValueError("a game needs at least one member")
        if len(self.cost) != 1 << n:
            raise ValueError(f"{n} members need {1 << n} coalition costs, got {len(self.cost)}")
        if not np.all(np.isfinite(self.cost)):
            raise ValueError("every coalition needs a finite cost")
        if abs(self.cost[0]) > 1e-12:
            raise ValueError("the empty coalition costs nothing")

    @classmethod
    def from_function(cls, names: Sequence[str], c: Callable[[int], float]) -> CostGame:
        """The game whose coalition ``mask`` costs ``c(mask)``."""
        n = len(names)
        cost = np.array([0.0] + [float(c(s)) for s in range(1, 1 << n)])
        return cls(tuple(names), cost)

    @classmethod
    def from_savings(cls, names: Sequence[str], standalone: Sequence[float], v: Callable[[int], float]) -> CostGame:
        """The cost game of a savings (profit) game ``v``: :math:`c(S) = \\sum_{i\\in S} c_i - v(S)`."""
        n = len(names)
        sums = coalition_sums(standalone, n)
        return cls.from_function(names, lambda s: sums[s] - v(s))

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def grand(self) -> int:
        return (1 << self.n) - 1

    @property
    def standalone(self) -> np.ndarray:
        """:math:`c_i = c(\\{i\\})` for each member."""
        return np.array([self.cost[1 << i] for i in range(self.n)])

    def __call__(self, mask: int) -> float:
        return float(self.cost[mask])

    def savings(self) -> np.ndarray:
        """The savings game :math:`v(S) = \\sum_{i \\in S} c_i - c(S)` for every mask."""
        return coalition_sums(self.standalone, self.n) - self.cost

    def closure(self) -> CostGame:
        """The subadditive closure (module docstring): each coalition at most its cheapest split."""
        return CostGame(self.names, subadditive_closure(self.cost, self.n))


def subadditive_closure(cost: np.ndarray, n: int) -> np.ndarray:
    """:math:`\\bar c(S) = \\min(c(S), \\min_T \\bar c(T) + \\bar c(S \\setminus T))` over splits of ``S``."""
    out = np.array(cost, dtype=float)
    for s in range(1, 1 << n):
        low = s & -s
        rest = s ^ low
        best = out[s]
        t = rest  # T = low + any submask of rest other than all of rest
        while True:
            t = (t - 1) & rest
            if t == rest:  # wrapped around (rest == 0)
                break
            part = low | t
            if part != s:
                best = min(best, out[part] + out[s ^ part])
            if t == 0:
                break
        out[s] = best
    return out
