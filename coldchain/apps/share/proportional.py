r"""Proportional cost sharing: :math:`y_i = c(N)\, q_i / q(N)`.

By volume (parcels), by weight, or by stand-alone cost (:math:`q_i = c_i`: every member saves the
same per cent). Frisk et al. (2010, *EJOR* 205(2)) and Vanovermeire et al. report that practice
prefers such shares; neither is sure to lie in the core (see `coldchain.apps.share.core`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coldchain.apps.share.game import CostGame


def proportional(game: CostGame, weights: Sequence[float]) -> np.ndarray:
    """The grand coalition's cost split in proportion to ``weights`` (non-negative, not all 0)."""
    q = np.asarray(weights, dtype=float)
    if q.shape != (game.n,):
        raise ValueError(f"expected {game.n} weights, got {q.shape}")
    if np.any(q < 0) or q.sum() <= 0:
        raise ValueError("proportional shares need non-negative weights that are not all zero")
    return game(game.grand) * q / q.sum()


def by_standalone(game: CostGame) -> np.ndarray:
    """Proportional to the stand-alone costs: every member saves the same fraction."""
    return proportional(game, game.standalone)
