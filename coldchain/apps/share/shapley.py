r"""The Shapley value, exact and sampled.

.. math::

    \varphi_i = \sum_{S \subseteq N \setminus i} \frac{|S|!\,(n-|S|-1)!}{n!}\,\bigl[c(S \cup i) - c(S)\bigr]

``shapley`` sums over the :math:`2^{n-1}` coalitions without :math:`i` (:math:`O(n\,2^n)`);
``shapley_by_orders`` averages the marginal costs over all :math:`n!` orders (the definition, for
tests). ``sampled_shapley`` averages over ``samples`` random orders (Castro, Gómez & Tejada 2009,
*Computers & OR* 36(5)) and gives a normal-approximation confidence interval
:math:`\hat\varphi_i \pm z\,s_i/\sqrt{m}` from the sample standard deviation :math:`s_i` of the
marginal costs; it needs only the coalitions the orders meet, so ``cost`` may be any function of
a mask (a planner call behind a cache).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coldchain.apps.share.game import CostGame, popcount


def shapley(game: CostGame) -> np.ndarray:
    """The exact Shapley value (cost shares; they add up to :math:`c(N)`)."""
    n = game.n
    fact = [math.factorial(k) for k in range(n + 1)]
    weight = np.array([fact[s] * fact[n - s - 1] / fact[n] for s in range(n)])
    masks = np.arange(1 << n)
    sizes = np.array([popcount(int(s)) for s in masks])
    phi = np.zeros(n)
    for i in range(n):
        bit = 1 << i
        without = masks[(masks & bit) == 0]
        phi[i] = np.sum(weight[sizes[without]] * (game.cost[without | bit] - game.cost[without]))
    return phi


def shapley_by_orders(game: CostGame) -> np.ndarray:
    """The Shapley value as the mean marginal cost over all :math:`n!` orders (small ``n`` only)."""
    n = game.n
    total = np.zeros(n)
    count = 0
    for order in itertools.permutations(range(n)):
        s = 0
        for i in order:
            total[i] += game.cost[s | 1 << i] - game.cost[s]
            s |= 1 << i
        count += 1
    return total / count


@dataclass(frozen=True)
class SampledShapley:
    """A sampled Shapley value: estimate, confidence half-width, the level and the orders drawn."""

    value: np.ndarray
    half_width: np.ndarray
    confidence: float
    samples: int

    @property
    def lower(self) -> np.ndarray:
        return self.value - self.half_width

    @property
    def upper(self) -> np.ndarray:
        return self.value + self.half_width


def sample_orders(n: int, samples: int, seed: int = 0) -> list[list[int]]:
    """The random orders ``sampled_shapley`` draws (the same for the same seed)."""
    rng = np.random.default_rng(seed)
    return [[int(i) for i in rng.permutation(n)] for _ in range(samples)]


def coalitions_met(n: int, samples: int, seed: int = 0) -> set[int]:
    """Every coalition whose cost ``sampled_shapley(..., n, samples, seed)`` asks for."""
    met = set()
    for order in sample_orders(n, samples, seed):
        s = 0
        for i in order:
            s |= 1 << i
            met.add(s)
    return met


def sampled_shapley(
    cost: Callable[[int], float], n: int, samples: int, seed: int = 0, confidence: float = 0.95
) -> SampledShapley:
    """Estimate the Shapley value from ``samples`` random orders of the ``n`` members.

    Each order adds the members one by one and charges each its marginal cost
    ``cost(S | i) - cost(S)``; the estimate is the mean, the interval the normal approximation.
    The shares of every order add up to :math:`c(N)`, so the estimate does too.
    """
    if samples < 2:
        raise ValueError("a confidence interval needs at least 2 sampled orders")
    from statistics import NormalDist

    seen: dict[int, float] = {0: 0.0}

    def c(mask: int) -> float:
        if mask not in seen:
            seen[mask] = float(cost(mask))
        return seen[mask]

    marginal = np.zeros((samples, n))
    for k, order in enumerate(sample_orders(n, samples, seed)):
        s = 0
        for i in order:
            marginal[k, i] = c(s | 1 << i) - c(s)
            s |= 1 << i
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    value = marginal.mean(axis=0)
    half = z * marginal.std(axis=0, ddof=1) / math.sqrt(samples)
    return SampledShapley(value, half, confidence, samples)
