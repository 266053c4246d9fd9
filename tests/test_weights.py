"""The objective weights (``models/objective.toml``, a scenario's ``[weights]``) reach every method.

Every method costs routes and lost orders with `coldchain.core.costs.Costs`, so changing a weight
changes each method's plan the same way (before that, only the compact MILP saw the weights).
"""

from __future__ import annotations

import pytest
from builders import build, order, parcels, served, site, solve_and_check, truck

from coldchain.scenario.domain import ObjectiveWeights
from coldchain.scenario.lines import Line


def _weighted(s, **weights):
    return s.model_copy(update={"settings": s.settings.model_copy(update={"weights": ObjectiveWeights(**weights)})})


def _two_stops():
    """Parcel stops A and B, each 10 km from the hub but 30 km apart; two trucks at 100 CNY a day
    and 1 CNY/km, drivers not paid by the hour (so the route method applies).
    One truck H-A-B-H: 100 + 50 = 150; two trucks: 200 + 40 = 240. With the fixed cost weighted
    0.05: one truck 5 + 50 = 55, two trucks 10 + 40 = 50."""
    trucks = [truck("T1", per_h=0), truck("T2", per_h=0)]
    legs = {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 30}
    return build([site("A"), site("B")], legs, trucks, parcel_lines=[parcels("A", 100), parcels("B", 100)])


@pytest.mark.component
@pytest.mark.parametrize("method", ["compact", "pool", "routes"])
def test_the_fixed_cost_weight_changes_how_many_trucks_each_method_sends(method, tmp_path):
    s = _two_stops()
    plain, k = solve_and_check(s, tmp_path / "plain", time_limit=10, method=method)
    assert sum(1 for r in plain.routes if r.seq) == 1 and k["objective_cny"] == pytest.approx(150.0)
    cheap_trucks = _weighted(s, fixed=0.05)
    weighted, k = solve_and_check(cheap_trucks, tmp_path / "weighted", time_limit=10, method=method)
    assert sum(1 for r in weighted.routes if r.seq) == 2
    assert k["objective_cny"] == pytest.approx(50.0) and k["total_cost_cny"] == pytest.approx(240.0)
    assert weighted.cost == pytest.approx(50.0)  # the plan's cost is the objective's


def _detour():
    """Parcel stop A 10 km from the hub; an optional 10 kg order worth 10 CNY/kg (100 CNY) at C,
    60 km from the hub and 55 km from A. One truck (100 CNY a day, 1 CNY/km, no hourly pay).
    Serving C on the way: H-A-C-H = 125 km, 105 km more than H-A-H, above its 100 CNY value:
    left (plan 100 + 20 + 100 = 220). With spoilage weighted 2 the order is worth 200: served
    (plan 100 + 125 = 225, objective 225)."""
    legs = {("H", "A"): 10, ("H", "C"): 60, ("A", "C"): 55}
    return build([site("A"), site("C")], legs, [truck("T1", per_h=0)], orders=[order("O1", "C", 10)],
                 parcel_lines=[parcels("A", 100)])  # fmt: skip


@pytest.mark.component
@pytest.mark.parametrize("method", ["compact", "pool", "lines"])
def test_the_spoilage_weight_changes_which_orders_each_method_serves(method, tmp_path):
    s = _detour()
    lines = (Line("L1", "T1", 7 * 60, ("A",), 200.0, 1),) if method == "lines" else None
    plain, k = solve_and_check(s, tmp_path / "plain", time_limit=10, method=method, lines=lines)
    assert served(plain) == set() and k["objective_cny"] == pytest.approx(220.0)
    weighted, k = solve_and_check(_weighted(s, spoilage=2.0), tmp_path / "w", time_limit=10, method=method, lines=lines)
    assert served(weighted) == {"O1"} and k["objective_cny"] == pytest.approx(225.0)
