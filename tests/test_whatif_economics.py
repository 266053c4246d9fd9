"""Appraisal arithmetic, checked against the worked example in ``economics``' docstring."""

from __future__ import annotations

import math

import pytest

from coldchain.apps.whatif.economics import (
    Investment,
    annualised_capital,
    annuity_factor,
    appraise,
    capital_recovery_factor,
    discounted_payback,
    net_capital,
    npv,
    simple_payback,
)

pytestmark = pytest.mark.unit


def test_crf_reference_value():
    """200,000 at 8 % over 30 years annualises to 17,765.49 (EngrEcon present_to_annual)."""
    assert annualised_capital(200_000, 0.08, 30) == pytest.approx(17_765.49, abs=0.005)


def test_crf_at_zero_rate_is_straight_line():
    """At r = 0 the capital is spread evenly: CRF = 1/T, AF = T."""
    assert capital_recovery_factor(0.0, 8) == pytest.approx(1 / 8)
    assert annuity_factor(0.0, 8) == 8


def test_worked_example():
    """The reefer truck of the module docstring: I0 155,000, EAC 26,972.29, NPV 28,892.45,
    payback 4.84 y simple and 6.37 y discounted."""
    i0 = net_capital(190_000, 0.3, 35_000)
    assert i0 == 155_000
    assert capital_recovery_factor(0.08, 8) == pytest.approx(0.174015, abs=1e-6)
    assert annualised_capital(i0, 0.08, 8) == pytest.approx(26_972.29, abs=0.01)
    assert annuity_factor(0.08, 8) == pytest.approx(5.746639, abs=1e-6)
    assert npv(i0, 32_000, 0.08, 8) == pytest.approx(28_892.45, abs=0.01)
    assert simple_payback(i0, 32_000) == pytest.approx(4.84375)
    assert discounted_payback(i0, 32_000, 0.08) == pytest.approx(6.3695, abs=1e-4)
    a = appraise([Investment(190_000, 8, 8_000, 0.3, 35_000)], season_saving=40_000, rate=0.08)
    assert a.net_capital_cny == 155_000
    assert a.annual_benefit_cny == 32_000
    assert a.npv_cny == pytest.approx(28_892.45, abs=0.01)
    assert a.payback_y == pytest.approx(4.84375)


def test_subsidy_share_without_cap():
    """30 % of 400,000 with no cap is 120,000: I0 = 280,000; with a 90万 cap it is the same."""
    assert net_capital(400_000, 0.3) == 280_000
    assert net_capital(400_000, 0.3, 900_000) == 280_000


def test_payback_undefined_when_benefit_too_small():
    """A <= 0 never pays back; A <= r*I0 never pays back once discounted (100 <= 0.08 * 2,000)."""
    assert simple_payback(1_000, 0) is None
    assert discounted_payback(2_000, 100, 0.08) is None
    assert simple_payback(2_000, 100) == 20
    assert simple_payback(0, -5) == 0.0


def test_combination_uses_replacement_chain():
    """A 4-year part (I0 1,000) and an 8-year part (I0 2,000) at r = 0 saving 1,000 a year:
    EAC = 250 + 250 = 500 a year, horizon 8 y, NPV = (1,000 - 500) * 8 = 4,000 (the 4-year part
    is bought twice: -1,000 - 1,000 - 2,000 + 8,000)."""
    a = appraise([Investment(1_000, 4), Investment(2_000, 8)], season_saving=1_000, rate=0.0)
    assert a.annualised_capital_cny == 500
    assert a.horizon_y == 8
    assert a.npv_cny == pytest.approx(4_000)
    assert a.payback_y == 3.0


def test_baseline_has_no_capital():
    """Nothing invested: NPV is the discounted saving (0 for the baseline itself), payback 0."""
    a = appraise([], season_saving=0.0, rate=0.08)
    assert a.npv_cny == 0 and a.payback_y == 0.0 and a.annualised_capital_cny == 0


def test_bad_inputs_raise():
    with pytest.raises(ValueError):
        capital_recovery_factor(0.08, 0)
    with pytest.raises(ValueError):
        net_capital(100, 1.5)
    assert math.isfinite(capital_recovery_factor(1e-9, 10))
