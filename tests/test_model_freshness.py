"""Freshness family: a served order reaches the cold store before its window closes.

Sites H, A (village, pickups), B (town, parcels); legs H-A = H-B = 10, A-B = 5; two trucks,
100 CNY fixed, 1 CNY/km, 1 CNY/min. Product 'fresh': 3 h window from ready at 06:00, so the
deadline is 09:00. B opens at 10:00, so one round through both returns at 10:10 at the earliest.
"""

from __future__ import annotations

import pytest
from builders import build, order, parcels, product, served, site, solve_and_check, truck

from coldchain.core.instance import build_instance
from coldchain.core.outcome import SolveOptions, SolveStatus
from coldchain.model import build_model
from coldchain.model.solve import solve
from coldchain.scenario.timefmt import parse_clock

LEGS = {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 5}
STOPS = [site("A"), site("B", "town", open_time="10:00")]


def _scenario(value_per_kg: float, trucks: int = 2, window_h: float = 3.0):
    return build(
        STOPS,
        LEGS,
        [truck(f"D{i}") for i in range(1, trucks + 1)],
        orders=[order("OA", "A", 100, product="fresh")],
        parcel_lines=[parcels("B", 100)],
        products=[product("fresh", value=value_per_kg, window_h=window_h)],
    )


@pytest.mark.component
def test_deadline_sends_a_second_truck(tmp_path):
    """OA (2000 CNY) must be back by 09:00: H-A-H (140) plus H-B-H (140) = 280 beats one round
    (150) that loses it (150 + 2000)."""
    result, k = solve_and_check(_scenario(20.0), tmp_path)
    assert k["objective_cny"] == pytest.approx(280)
    assert k["trucks_used"] == 2
    assert served(result) == {"OA"}
    r = next(r for r in result.routes if result.instance.nodes.index("A") in r.seq)
    assert r.ev.ret <= parse_clock("09:00") + 1e-6


@pytest.mark.component
def test_not_worth_a_truck_is_left_with_its_price(tmp_path):
    """Worth 50 CNY only: H-B-H (140) + 50 lost = 190 < 280; the reason quotes the 140 CNY a
    separate truck would cost, since the round through B returns after 09:00."""
    result, k = solve_and_check(_scenario(0.5), tmp_path)
    assert k["objective_cny"] == pytest.approx(190)
    assert served(result) == set()
    reason = next(iter(result.unserved.values()))
    assert reason == "serving it would cost 140 CNY more (idle D2 serves A alone), above its value of 50 CNY"
    assert reason.code == "not_worth"


@pytest.mark.component
def test_window_closed_before_any_truck_can_come_is_excluded(tmp_path):
    """A 1 h window closing 07:00: the earliest direct trip is back at 07:20, so it is excluded
    up front with that reason; the plan is H-B-H = 140 + 100 lost."""
    result, k = solve_and_check(_scenario(1.0, window_h=1.0), tmp_path)
    assert k["objective_cny"] == pytest.approx(240)
    reason = next(iter(result.unserved.values()))
    assert reason == (
        "cannot reach the cold store within 1 h even by a direct trip (earliest arrival 07:20, deadline 07:00)"
    )


@pytest.mark.component
def test_forcing_the_order_with_one_truck_is_infeasible():
    """Infeasible by construction: one truck must visit B (opens 10:00) and bring OA back by 09:00."""
    inst = build_instance(_scenario(20.0, trucks=1))
    m = build_model(inst)
    m.serves_order[0].fix(1)
    assert solve(m, SolveOptions(time_limit_s=10, threads=1)).status == SolveStatus.INFEASIBLE
