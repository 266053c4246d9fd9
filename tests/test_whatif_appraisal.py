"""Season figures and the saving's range from hand-made day results (no solver)."""

from __future__ import annotations

import pytest

from coldchain.apps.whatif.appraisal import DayFigures, season_figures
from coldchain.apps.whatif.economics import Investment
from coldchain.apps.whatif.options import Option

pytestmark = pytest.mark.unit


def _day(option, day, weight, cid, total, gap, kg=100.0, trucks=2, ok=True):
    return DayFigures(
        option,
        day,
        weight,
        cid,
        "feasible" if ok else "infeasible",
        ok,
        total,
        0.0,
        total,
        gap,
        kg,
        0.0,
        0.0,
        trucks,
        0,
    )


def test_saving_range_and_npv_by_hand():
    """Baseline: day A (weight 2) 1,000 with gap 50, day B (weight 1) 3,000 with gap 100: season
    5,000. Option X leaves day A's scenario unchanged (same case; 900 after its larger cold room)
    and costs 2,500 with gap 20 on day B: season 4,300, saving 700. Range: day A exact
    (2 x 100 = 200), day B 500 - 100 .. 500 + 20, so [600, 720]: "saves". Capital 1,000 over
    2 years at r = 0: EAC 500, NPV (700 - 500) x 2 = 400, range [200, 440], payback 1,000/700."""
    base, x = Option("base"), Option("x", investments=(Investment(1000, 2),))
    days = [
        _day("base", "A", 2, "a", 1000, 50),
        _day("base", "B", 1, "b", 3000, 100),
        _day("x", "A", 2, "a", 900, 50),
        _day("x", "B", 1, "xb", 2500, 20),
    ]
    fb, fx = season_figures([base, x], days, rate=0.0)
    assert (fb.total_cny, fx.total_cny) == (5000, 4300)
    assert (fb.gap_cny, fx.gap_cny) == (200, 120)
    assert (fx.saving_cny, fx.saving_low_cny, fx.saving_high_cny) == (700, 600, 720)
    assert fx.verdict == "saves"
    assert (fx.npv_cny, fx.npv_low_cny, fx.npv_high_cny) == (pytest.approx(400), pytest.approx(200), pytest.approx(440))
    assert fx.payback_y == pytest.approx(1000 / 700)
    assert (fb.verdict, fb.saving_cny) == ("baseline", None)


def test_saving_within_the_gaps_and_infeasible_days():
    """A saving of 50 with gaps of 100 on both sides is "within the gaps"; an option with an
    infeasible day gets no saving; an unknown gap gives no range."""
    base, y, z, w = Option("base"), Option("y"), Option("z"), Option("w")
    days = [
        _day("base", "A", 1, "a", 1000, 100),
        _day("y", "A", 1, "y", 950, 100),
        _day("z", "A", 1, "z", 0, None, ok=False),
        _day("w", "A", 1, "w", 900, None),
    ]
    _, fy, fz, fw = season_figures([base, y, z, w], days, rate=0.08)
    assert (fy.saving_low_cny, fy.saving_high_cny, fy.verdict) == (-50, 150, "within the gaps")
    assert not fz.feasible and fz.saving_cny is None and fz.failed_days == ("A",)
    assert fw.saving_cny == 100 and fw.saving_low_cny is None and fw.verdict.startswith("no bound")
