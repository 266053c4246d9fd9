"""Routing family: visits, route continuity, fleet size, truck types.

Sites H (hub), A and B (towns with parcels); legs H-A = H-B = 10, A-B = 5 (km and minutes).
Trucks cost 100 CNY fixed, 1 CNY/km, 1 CNY per driver minute; service takes no time.
"""

from __future__ import annotations

import pytest
from builders import build, parcels, route_of, site, solve_and_check, truck

from coldchain.core.instance import build_instance
from coldchain.core.outcome import SolveStatus

LEGS = {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 5}
TOWNS = [site("A", "town"), site("B", "town")]


@pytest.mark.component
def test_one_truck_serves_both(tmp_path):
    """One round H-A-B-H: 100 fixed + 25 km + 25 min = 150; two trucks would cost 280."""
    s = build(TOWNS, LEGS, [truck("D1"), truck("D2")], parcel_lines=[parcels("A", 100), parcels("B", 100)])
    result, k = solve_and_check(s, tmp_path)
    assert result.status == SolveStatus.OPTIMAL
    assert k["objective_cny"] == pytest.approx(150)
    assert k["trucks_used"] == 1
    assert sorted(route_of(result)) == ["A", "B"]


@pytest.mark.component
def test_capacity_forces_two_trucks(tmp_path):
    """800 kg for A and for B, 1000 kg trucks: two rounds H-A-H, H-B-H = 2 x (100 + 20 + 20) = 280."""
    s = build(TOWNS, LEGS, [truck("D1"), truck("D2")], parcel_lines=[parcels("A", 800), parcels("B", 800)])
    result, k = solve_and_check(s, tmp_path)
    assert result.status == SolveStatus.OPTIMAL
    assert k["objective_cny"] == pytest.approx(280)
    assert k["trucks_used"] == 2


@pytest.mark.component
def test_cheaper_small_truck_is_chosen(tmp_path):
    """A 400 kg van (fixed 50) carries both 200 kg lots: 50 + 25 + 25 = 100 < 150 with the big truck."""
    s = build(
        TOWNS,
        LEGS,
        [truck("BIG"), truck("VAN", dry=400, fixed=50)],
        parcel_lines=[parcels("A", 200), parcels("B", 200)],
    )
    result, k = solve_and_check(s, tmp_path)
    assert k["objective_cny"] == pytest.approx(100)
    assert route_of(result, "VAN") and not any(r.seq for r in result.routes if r.vehicle_id == "BIG")


@pytest.mark.component
def test_too_few_trucks_is_infeasible_and_names_the_stop(tmp_path):
    """Infeasible by construction: 800 kg each for A and B but one 1000 kg truck; one stop is named."""
    s = build(TOWNS, LEGS, [truck("D1")], parcel_lines=[parcels("A", 800), parcels("B", 800)])
    result, _ = solve_and_check(s, tmp_path)
    assert result.status == SolveStatus.INFEASIBLE
    assert len(result.missed_stops) == 1 and result.missed_stops[0] in {"A", "B"}


@pytest.mark.component
def test_stop_heavier_than_any_truck_is_infeasible_before_solving(tmp_path):
    """1200 kg of parcels for A and only 1000 kg trucks: infeasible at once, naming A."""
    s = build(TOWNS, LEGS, [truck("D1"), truck("D2")], parcel_lines=[parcels("A", 1200), parcels("B", 10)])
    result, _ = solve_and_check(s, tmp_path)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.missed_stops == ("A",)
    assert result.outcome is None


@pytest.mark.unit
def test_identical_trucks_form_one_type():
    """Three identical vans and one different truck give two types, counts 3 and 1 (no symmetry)."""
    s = build(
        TOWNS,
        LEGS,
        [truck("D1"), truck("D2"), truck("D3"), truck("R1", dry=0, reefer=800)],
        parcel_lines=[parcels("A", 100)],
    )
    inst = build_instance(s)
    assert sorted(t.count for t in inst.types) == [1, 3]
    assert {t.vehicle_ids for t in inst.types} == {("D1", "D2", "D3"), ("R1",)}
