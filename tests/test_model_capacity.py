"""Capacity family: simultaneous pickup and delivery never exceeds the payload.

Sites H, A, B; legs H-A = H-B = 10, A-B = 5; one truck, 100 CNY fixed, 1 CNY/km, 1 CNY/min.
Orders are of a plain product worth 10 CNY/kg unless stated.
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from builders import build, order, parcels, product, route_of, served, site, solve_and_check, truck

from coldchain.core.instance import build_instance
from coldchain.core.outcome import SolveOptions, SolveStatus
from coldchain.model import build_model
from coldchain.model.solve import solve

LEGS = {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 5}
STOPS = [site("A", "town"), site("B", "town")]


@pytest.mark.component
def test_drop_before_pick_decides_the_order(tmp_path):
    """Payload 950. A: 600 kg parcels, 500 kg pickup; B: 300 kg parcels, 400 kg pickup.
    H-A-B-H loads 900 -> 800 -> 900 fits; H-B-A-H would carry 1000 after B. Both orders
    served on H-A-B-H: 100 + 25 + 25 = 150."""
    s = build(
        STOPS,
        LEGS,
        [truck("D1", dry=950)],
        orders=[order("OA", "A", 500), order("OB", "B", 400)],
        parcel_lines=[parcels("A", 600), parcels("B", 300)],
    )
    result, k = solve_and_check(s, tmp_path)
    assert result.status == SolveStatus.OPTIMAL
    assert k["objective_cny"] == pytest.approx(150)
    assert route_of(result) == ["A", "B"]
    assert served(result) == {"OA", "OB"}


@pytest.mark.component
def test_full_truck_leaves_the_cheaper_order(tmp_path):
    """Payload 1000, 200 kg parcels for A; at B 600 kg worth 6000 and 500 kg worth 4000 cannot
    both ride (1100 kg). Keep the 6000 one: 150 + 4000 lost = 4150; the other is unserved for
    lack of room."""
    s = build(
        STOPS,
        LEGS,
        [truck("D1")],
        orders=[order("O1", "B", 600), order("O2", "B", 500, product="cheap")],
        parcel_lines=[parcels("A", 200)],
        products=[product("cheap", value=8.0)],
    )
    result, k = solve_and_check(s, tmp_path)
    assert k["objective_cny"] == pytest.approx(4150)
    assert served(result) == {"O1"}
    o2 = next(o.index for o in result.instance.orders if o.order_id == "O2")
    assert "room" in result.unserved[o2]


@pytest.mark.component
def test_forcing_both_orders_is_infeasible():
    """Infeasible by construction: the model with both 600 and 500 kg pickups forced on a 1000 kg truck."""
    s = build(
        STOPS,
        LEGS,
        [truck("D1")],
        orders=[order("O1", "B", 600), order("O2", "B", 500)],
        parcel_lines=[parcels("A", 200)],
    )
    inst = build_instance(s)
    m = build_model(inst)
    for o in m.ORDERS:
        m.serves_order[o].fix(1)
    out = solve(m, SolveOptions(time_limit_s=10, threads=1))
    assert out.status == SolveStatus.INFEASIBLE
    assert pyo.value(m.serves_order[0]) == 1  # fixed, untouched by a failed load


@pytest.mark.component
def test_must_serve_order_displaces_a_more_valuable_one(tmp_path):
    """O2 (4000 CNY) is contracted (must_serve): the truck takes it and leaves O1 (6000 CNY),
    150 + 6000 = 6150, although without the contract 4150 would be better."""
    s = build(
        STOPS,
        LEGS,
        [truck("D1")],
        orders=[order("O1", "B", 600), order("O2", "B", 500, product="cheap").model_copy(update={"must_serve": True})],
        parcel_lines=[parcels("A", 200)],
        products=[product("cheap", value=8.0)],
    )
    result, k = solve_and_check(s, tmp_path)
    assert k["objective_cny"] == pytest.approx(6150)
    assert served(result) == {"O2"}
