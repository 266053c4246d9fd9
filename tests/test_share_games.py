"""Cost-sharing rules on games with exact known values (docs: economics-and-games.md, section 4).

Each game's values are from the docs' table (recomputed there in exact arithmetic, every
nucleolus checked by Kohlberg's criterion); the original source is named in each test.
Profit (savings) games are turned into cost games with stand-alone cost 100 per member,
c(S) = 100|S| - v(S); shares are then costs y_i = 100 - x_i.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from coldchain.apps.share.core import blocking, in_core, least_core
from coldchain.apps.share.epm import equal_profit
from coldchain.apps.share.game import CostGame, coalition_sums, mask_of, popcount, subadditive_closure
from coldchain.apps.share.interval import Blocking, IntervalGame
from coldchain.apps.share.nucleolus import kohlberg, nucleolus
from coldchain.apps.share.proportional import by_standalone, proportional
from coldchain.apps.share.shapley import sampled_shapley, shapley, shapley_by_orders

A = 1e-7


def cost_game(values: dict[tuple[int, ...], float]) -> CostGame:
    """A cost game from {(members, 1-based): cost}."""
    n = max(max(k) for k in values)
    table = {mask_of([i - 1 for i in k]): v for k, v in values.items()}
    return CostGame.from_function([f"m{i + 1}" for i in range(n)], lambda s: table[s])


def savings_game(n: int, v) -> CostGame:
    """Cost game c(S) = 100|S| - v(S) of a savings game v(mask)."""
    return CostGame.from_savings([f"m{i + 1}" for i in range(n)], [100.0] * n, v)


def savings(game: CostGame, y) -> np.ndarray:
    return game.standalone - np.asarray(y)


def bankruptcy(e: float, d=(100, 200, 300)) -> CostGame:
    """v(S) = max(0, E - sum of the claims outside S) (O'Neill 1982; Aumann & Maschler 1985)."""
    total = sum(d)
    return savings_game(3, lambda s: max(0.0, e - (total - sum(d[i] for i in range(3) if s >> i & 1))))


def t1():
    return cost_game({(1,): 10, (2,): 6, (1, 2): 12})


def t2():
    """Glove game: v(S) = 1 iff 1 in S and S meets {2, 3}."""
    return savings_game(3, lambda s: 1.0 if s & 1 and s & 6 else 0.0)


def t3():
    """Three-player majority game: v(S) = 1 iff |S| >= 2."""
    return savings_game(3, lambda s: 1.0 if popcount(s) >= 2 else 0.0)


def t4():
    return cost_game({(1,): 1, (2,): 1, (3,): 1, (1, 2): 1, (1, 3): 1, (2, 3): 1, (1, 2, 3): 8 / 5})


def t8():
    """Airport game c(S) = max a_i, a = (1, 2, 3) (Littlechild & Owen 1973)."""
    a = (1, 2, 3)
    return CostGame.from_function(["m1", "m2", "m3"], lambda s: max(a[i] for i in range(3) if s >> i & 1))


def t9():
    return cost_game({(1,): 12, (2,): 8, (3,): 10, (1, 2): 12, (1, 3): 15, (2, 3): 12, (1, 2, 3): 19})


def t10():
    """Trucks of 10 units at 100 CNY, plus 2 CNY per km to the farthest member:
    c(S) = 100 ceil(q(S)/10) + 2 max d_i, q = (6, 5, 4, 3), d = (10, 20, 30, 40)."""
    q, d = (6, 5, 4, 3), (10, 20, 30, 40)

    def c(s):
        ms = [i for i in range(4) if s >> i & 1]
        return 100 * math.ceil(sum(q[i] for i in ms) / 10) + 2 * max(d[i] for i in ms)

    return CostGame.from_function(["m1", "m2", "m3", "m4"], c)


ALL = {
    "T1": (t1, (8, 4), (8, 4), -2),
    "T2": (t2, (100 - 2 / 3, 100 - 1 / 6, 100 - 1 / 6), (99, 100, 100), 0),
    "T3": (t3, (100 - 1 / 3,) * 3, (100 - 1 / 3,) * 3, 1 / 3),
    "T4": (t4, (8 / 15,) * 3, (8 / 15,) * 3, 1 / 15),
    "T5": (lambda: bankruptcy(100), (100 - 100 / 3,) * 3, (100 - 100 / 3,) * 3, -100 / 3),
    "T6": (lambda: bankruptcy(200), (100 - 100 / 3, 100 - 250 / 3, 100 - 250 / 3), (50, 25, 25), -50),
    "T7": (lambda: bankruptcy(300), (50, 0, -50), (50, 0, -50), -50),
    "T8": (t8, (1 / 3, 5 / 6, 11 / 6), (1 / 2, 3 / 4, 7 / 4), -1 / 2),
    "T9": (t9, (47 / 6, 13 / 3, 41 / 6), (22 / 3, 13 / 3, 22 / 3), -1 / 3),
    "T10": (t10, (190 / 3, 70, 190 / 3, 250 / 3), (220 / 3, 220 / 3, 170 / 3, 230 / 3), -30),
}


@pytest.mark.unit
@pytest.mark.parametrize("name", list(ALL))
def test_shapley_nucleolus_and_least_core_of_the_docs_games(name):
    """Shapley, nucleolus and epsilon* of T1-T10 as in the docs' table (sources there: T2 glove and
    T3 majority are textbook games, Peleg & Sudhölter 2007; T5-T7 bankruptcy, Aumann & Maschler
    1985; T8 airport, Littlechild & Owen 1973; T9, T10 recomputed in exact arithmetic). Every
    nucleolus is efficient and passes Kohlberg's criterion (T3 and T4, empty cores, are symmetric,
    so nucleolus = prenucleolus)."""
    make, phi, nu, eps = ALL[name]
    game = make()
    assert shapley(game) == pytest.approx(phi, abs=A)
    assert shapley_by_orders(game) == pytest.approx(phi, abs=A)
    got = nucleolus(game).value
    assert got == pytest.approx(nu, abs=1e-6)
    assert got.sum() == pytest.approx(game(game.grand), abs=1e-9)
    assert kohlberg(game, got)
    assert nucleolus(game, pre=True).value == pytest.approx(nu, abs=1e-6)
    assert least_core(game).epsilon == pytest.approx(eps, abs=1e-7)


@pytest.mark.unit
@pytest.mark.parametrize("name", ["T2", "T6", "T8", "T9", "T10"])
def test_nucleolus_and_shapley_differ_where_the_docs_say(name):
    """Docs section 4: nucleolus != Shapley in T2, T6, T8-T10 (T6 is Aumann & Maschler's Talmud case)."""
    make = ALL[name][0]
    game = make()
    assert np.abs(nucleolus(game).value - shapley(game)).max() > 1e-3


@pytest.mark.unit
def test_t10_naive_vertex_fails_kohlberg_and_the_least_core_is_a_set():
    """T10 (Guajardo & Jörnsten 2015 pitfall): fixing every tight row gives the least-core vertex
    y = (65, 65, 65, 85); it has epsilon* = -30 but is not the nucleolus (Kohlberg fails). Least
    core savings: x1 in [30, 55], x2 in [50, 75], x3, x4 in [95, 120] (docs), i.e. costs
    y1 in [65, 90], y2 in [65, 90], y3 in [40, 65], y4 in [60, 85]."""
    game = t10()
    naive = np.array([65.0, 65, 65, 85])
    assert naive.sum() == game(game.grand)
    assert max(coalition_sums(naive, 4)[s] - game(s) for s in range(1, 15)) == pytest.approx(-30)
    assert not kohlberg(game, naive)
    assert kohlberg(game, np.array([220 / 3, 220 / 3, 170 / 3, 230 / 3]))
    lc = least_core(game)
    assert lc.lower == pytest.approx([65, 65, 40, 60], abs=1e-6)
    assert lc.upper == pytest.approx([90, 90, 65, 85], abs=1e-6)
    assert in_core(game, lc.point)


@pytest.mark.unit
def test_core_checks_and_blocking_coalitions():
    """T9: Shapley (47/6, 13/3, 41/6) is blocked by {1,2} (73/6 > 12, excess 1/6) and only by it;
    proportional-to-stand-alone (38/5, 76/15, 19/3) is blocked by {1,2} (12.667 > 12); the
    nucleolus is in the core. T2: Shapley is blocked by {1,2} and {1,3} (savings 2/3 + 1/6 < 1)."""
    game = t9()
    assert blocking(game, shapley(game)) == [(mask_of([0, 1]), pytest.approx(1 / 6))]
    prop = by_standalone(game)
    assert prop == pytest.approx([38 / 5, 76 / 15, 19 / 3])
    assert [s for s, _ in blocking(game, prop)] == [mask_of([0, 1])]
    assert in_core(game, nucleolus(game).value)
    glove = t2()
    assert sorted(s for s, _ in blocking(glove, shapley(glove))) == [0b011, 0b101]
    assert not in_core(glove, shapley(glove))
    assert in_core(glove, nucleolus(glove).value)


@pytest.mark.unit
def test_proportional_shares():
    """T1: by stand-alone (10, 6) of 12 -> (15/2, 9/2). T10: by volume q = (6, 5, 4, 3) of 280 ->
    (280/3, 700/9, 560/9, 140/3), in the core; by stand-alone (56, 196/3, 224/3, 84), in the core."""
    assert by_standalone(t1()) == pytest.approx([7.5, 4.5])
    game = t10()
    vol = proportional(game, [6, 5, 4, 3])
    assert vol == pytest.approx([280 / 3, 700 / 9, 560 / 9, 140 / 3])
    assert in_core(game, vol)
    assert by_standalone(game) == pytest.approx([56, 196 / 3, 224 / 3, 84])
    assert in_core(game, by_standalone(game))
    with pytest.raises(ValueError):
        proportional(game, [0, 0, 0, 0])


@pytest.mark.unit
@pytest.mark.parametrize(
    ("make", "expected", "f"),
    [
        (t1, (15 / 2, 9 / 2), 0.0),
        (t8, (1 / 2, 1, 3 / 2), 0.0),
        (t9, (36 / 5, 24 / 5, 7), 1 / 10),
        (t10, (56, 196 / 3, 224 / 3, 84), 0.0),
    ],
)
def test_equal_profit_method(make, expected, f):
    """EPM (Frisk et al. 2010) values of the docs: T1 and T8 equal prop-stand-alone with f = 0; T9
    (36/5, 24/5, 7), f = 1/10, unique; T10 = prop-stand-alone (56, 196/3, 224/3, 84)."""
    game = make()
    epm = equal_profit(game)
    assert epm.f == pytest.approx(f, abs=1e-7)
    assert epm.value == pytest.approx(expected, abs=1e-6)
    assert epm.relaxed_by == 0.0
    assert in_core(game, epm.value)
    assert epm.unique


@pytest.mark.unit
def test_equal_profit_relaxes_to_the_least_core_when_the_core_is_empty():
    """T4: core empty (epsilon* = 1/15), so EPM's rows are relaxed by 1/15; the game is symmetric,
    so every member pays 8/15 and f = 0."""
    epm = equal_profit(t4())
    assert epm.relaxed_by == pytest.approx(1 / 15)
    assert epm.value == pytest.approx([8 / 15] * 3, abs=1e-7)
    assert epm.f == pytest.approx(0.0, abs=1e-9)


@pytest.mark.unit
def test_empty_core_is_reported():
    """T3 (majority) and T4 have empty cores: epsilon* = 1/3 and 1/15 > 0; no allocation is in the
    core, so even the nucleolus is blocked (T4: every pair pays 16/15 > 1)."""
    assert least_core(t3()).core_empty
    game = t4()
    assert least_core(game).core_empty
    nu = nucleolus(game).value
    assert sorted(s for s, _ in blocking(game, nu)) == [0b011, 0b101, 0b110]
    assert not least_core(t10()).core_empty


@pytest.mark.unit
def test_subadditive_closure_by_hand():
    """c1=4, c2=5, c3=6, c12=10, c13=8, c23=12, c123=20. Closed: c12 = min(10, 4+5) = 9,
    c23 = min(12, 5+6) = 11, c123 = min(20, 4+11, 5+8, 6+9, 15) = 13; the rest stay."""
    game = cost_game({(1,): 4, (2,): 5, (3,): 6, (1, 2): 10, (1, 3): 8, (2, 3): 12, (1, 2, 3): 20})
    closed = game.closure()
    assert closed.cost.tolist() == [0, 4, 5, 9, 6, 8, 11, 13]
    assert subadditive_closure(closed.cost, 3).tolist() == closed.cost.tolist()  # idempotent


@pytest.mark.unit
def test_subadditive_closure_matches_brute_force_partitions():
    """On a random 5-member game the closure equals the minimum over all set partitions of S."""
    rng = np.random.default_rng(3)
    n = 5
    cost = np.concatenate([[0.0], rng.uniform(1, 10, (1 << n) - 1)])

    def partitions(s):
        if s == 0:
            yield []
            return
        low = s & -s
        rest = s ^ low
        t = rest
        while True:
            for p in partitions(rest & ~t):
                yield [low | t, *p]
            if t == 0:
                break
            t = (t - 1) & rest

    closed = subadditive_closure(cost, n)
    for s in range(1, 1 << n):
        assert closed[s] == pytest.approx(min(sum(cost[p] for p in part) for part in partitions(s)))


@pytest.mark.unit
def test_sampled_shapley_covers_the_exact_value():
    """T10 with 4,000 random orders (seed 1): each estimate lies within its 99.9 % interval of the
    exact (190/3, 70, 190/3, 250/3); the estimates add up to c(N) = 280 (every order does); 4x the
    orders halves the interval (1/sqrt(m), within 15 %)."""
    game = t10()
    est = sampled_shapley(game, 4, 4000, seed=1, confidence=0.999)
    exact = shapley(game)
    assert np.all(np.abs(est.value - exact) <= est.half_width)
    assert est.value.sum() == pytest.approx(280)
    small = sampled_shapley(game, 4, 1000, seed=1, confidence=0.999)
    assert small.half_width / est.half_width == pytest.approx(np.full(4, 2.0), rel=0.15)


@pytest.mark.unit
def test_interval_game_blocking_classes_and_shapley_bounds():
    """Two members, c1 in [9, 10], c2 = 6, c12 in [11, 12]; y(N) = U(N) = 12.
    y = (8, 4): {1} pays 8 <= L = 9: never blocks. y = (9.5, 2.5): 9 < 9.5 <= 10: possibly.
    y = (10.5, 1.5): 10.5 > 10: surely. Core surely non-empty: c1 = 9, c2 = 6, c12 = 12 gives
    epsilon* = (12 - 15)/2 = -1.5. Shapley phi_1 = c1/2 + (c12 - c2)/2 in
    [9/2 + (11 - 6)/2, 10/2 + (12 - 6)/2] = [7, 8]."""
    game = IntervalGame(("a", "b"), np.array([0, 9, 6, 11.0]), np.array([0, 10, 6, 12.0]))
    assert game.blocking(np.array([8.0, 4]))[1] == Blocking.NEVER
    assert game.blocking(np.array([9.5, 2.5]))[1] == Blocking.POSSIBLY
    assert game.blocking(np.array([10.5, 1.5]))[1] == Blocking.SURELY
    assert game.blocking(np.array([10.5, 1.5]))[2] == Blocking.NEVER
    assert game.core_status() == "non-empty"
    lo, hi = game.shapley_bounds()
    assert (lo[0], hi[0]) == (pytest.approx(7), pytest.approx(8))
    assert lo[1] <= shapley(game.incumbent_game())[1] <= hi[1]


@pytest.mark.unit
def test_interval_game_core_surely_empty_or_unknown():
    """T4's costs with c(N) in an interval. c(N) in [1.55, 1.6]: with c(N) = 1.55 each pays 1.55/3
    and a pair 1.0333 > 1: epsilon* = 1/30 > 0, surely empty. c(N) in [1.4, 1.6]: at 1.6 the core
    is empty (1/15), at 1.4 it is not (pairs pay 0.933): unknown."""

    def bounds(lo_n, hi_n):
        lo = np.array([0, 1, 1, 1, 1, 1, 1, lo_n])
        hi = np.array([0, 1, 1, 1, 1, 1, 1, hi_n])
        return IntervalGame(("a", "b", "c"), lo, hi)

    assert bounds(1.55, 1.6).core_status() == "empty"
    assert bounds(1.4, 1.6).core_status() == "unknown"
    assert bounds(1.0, 1.4).core_status() == "non-empty"
    with pytest.raises(ValueError):
        IntervalGame(("a",), np.array([0, 2.0]), np.array([0, 1.0]))
