r"""Every cost-sharing rule on one game, with its core check.

The game is built from the coalitions' plans: the incumbents :math:`U(S)` (plans that can be
driven) and lower bounds :math:`L(S)`, both closed under splitting (`game.subadditive_closure`;
in the ``town`` baseline the grand coalition is left alone, see `coalitions`). Each rule shares
:math:`U(N)`, the cost of the plan the alliance runs, and is checked against the incumbents
(``in_core``: no coalition's plan is cheaper than its share) and against the interval game
(surely / possibly blocking coalitions, `interval`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coldchain.apps.share.core import LeastCore, blocking, least_core
from coldchain.apps.share.epm import equal_profit
from coldchain.apps.share.game import CostGame, subadditive_closure
from coldchain.apps.share.interval import Blocking, IntervalGame
from coldchain.apps.share.nucleolus import nucleolus
from coldchain.apps.share.proportional import by_standalone, proportional
from coldchain.apps.share.shapley import shapley

RULES = {
    "parcels": "proportional to parcels (the seed's suggestion)",
    "weight": "proportional to parcel weight",
    "standalone": "proportional to stand-alone cost (every member saves the same per cent)",
    "shapley": "Shapley value (exact)",
    "nucleolus": "nucleolus (sequential LPs)",
    "epm": "equal profit method (Frisk et al. 2010)",
}
LEAST_CORE = "leastcore"  # not an allocation: the least core's level and each member's range
METHODS = (*RULES, LEAST_CORE)


@dataclass(frozen=True)
class Share:
    """One rule's allocation and how stable it is."""

    rule: str
    value: np.ndarray  # cost shares, adding up to U(N)
    blocking: list[tuple[int, float]]  # coalitions whose plan costs less than their share, with the excess
    surely: int  # = len(blocking): they block whatever their true optimum (share above the incumbent)
    possibly: int  # coalitions that block for some cost within [bound, incumbent] (share above the bound)
    note: str = ""

    @property
    def in_core(self) -> bool:
        return not self.blocking


@dataclass(frozen=True)
class Sharing:
    """The game and every rule asked for."""

    game: CostGame  # the closed incumbents U(S)
    interval: IntervalGame  # [L(S), U(S)], closed
    shares: dict[str, Share]
    least: LeastCore | None
    core_status: str  # "non-empty", "empty" or "unknown" from the interval game
    repaired: list[int] = field(default_factory=list)  # coalitions whose cost the closure lowered


def build_games(
    names: tuple[str, ...], upper: np.ndarray, lower: np.ndarray, close: bool = True, keep_grand: bool = False
) -> tuple[CostGame, IntervalGame, list[int]]:
    """The incumbent game and the interval game, closed under splitting when ``close``
    (``keep_grand``: the grand coalition's values are not lowered by its splits)."""
    n = len(names)
    u, l = np.array(upper, dtype=float), np.minimum(np.array(lower, dtype=float), upper)
    if close:
        cu, cl = subadditive_closure(u, n), subadditive_closure(l, n)
        if keep_grand:
            cu[-1], cl[-1] = u[-1], l[-1]
        repaired = [s for s in range(1, 1 << n) if cu[s] < u[s] - 1e-9]
        u, l = cu, np.minimum(cl, cu)
    else:
        repaired = []
    if not np.all(np.isfinite(u)):
        missing = [s for s in range(1, 1 << n) if not np.isfinite(u[s])]
        raise ValueError(f"{len(missing)} coalitions have no plan (first: mask {missing[0]})")
    l = np.where(np.isfinite(l), l, 0.0)
    return CostGame(names, u), IntervalGame(names, l, u), repaired


def share_costs(
    game: CostGame,
    interval: IntervalGame,
    parcels: np.ndarray,
    weight: np.ndarray,
    methods: tuple[str, ...] = METHODS,
    repaired: list[int] | None = None,
) -> Sharing:
    """Every rule of ``methods`` on ``game`` (module docstring)."""
    shares: dict[str, Share] = {}
    for rule in methods:
        if rule == LEAST_CORE:
            continue
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; choose from {', '.join(METHODS)}")
        note = ""
        if rule == "parcels":
            y = proportional(game, parcels)
        elif rule == "weight":
            y = proportional(game, weight)
        elif rule == "standalone":
            y = by_standalone(game)
        elif rule == "shapley":
            y = shapley(game)
        elif rule == "nucleolus":
            try:
                y = nucleolus(game).value
            except ValueError:  # no imputation: the prenucleolus still exists
                y = nucleolus(game, pre=True).value
                note = "prenucleolus: the stand-alone costs add up to less than the alliance's"
        else:
            epm = equal_profit(game)
            y = epm.value
            if epm.relaxed_by > 0:
                note = f"core empty: rows relaxed by epsilon* = {epm.relaxed_by:,.2f} CNY"
            if not epm.unique:
                note = (note + "; " if note else "") + "not unique (the solver's optimum)"
        classes = interval.blocking(y)
        shares[rule] = Share(
            rule,
            y,
            blocking(game, y),
            sum(1 for c in classes.values() if c == Blocking.SURELY),
            sum(1 for c in classes.values() if c == Blocking.POSSIBLY),
            note,
        )
    least = least_core(game) if LEAST_CORE in methods or "epm" in methods else None
    return Sharing(game, interval, shares, least, interval.core_status(), list(repaired or []))
