"""The compiled route search on days with every rule (coldchain.search.day): prizes, deadlines,
pay by the hour, one visit per site; each small case by hand, each plan through the checker.

These tests pay for the compiled search (about a minute the first time on a machine; Numba
caches it on disk): they are marked ``component``."""

from __future__ import annotations

import pytest
from builders import build, order, parcels, product, site, solve_and_check, truck

from coldchain.core.evaluate import evaluate_route
from coldchain.core.instance import build_instance
from coldchain.scenario.timefmt import parse_clock
from coldchain.search.day import day_items, search_day

LEGS = {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 5}


def _lost(inst, found) -> float:
    served = {o for r in found.routes for os in r.picks.values() for o in os}
    return sum(o.value_cny for o in inst.orders if o.index not in served)


@pytest.mark.component
@pytest.mark.parametrize(("per_kg", "served", "total"), [(0.01, False, 141.0), (1.0, True, 150.0)])
def test_an_order_worth_less_than_its_detour_is_left(tmp_path, per_kg, served, total):
    """Parcels at A (H-A 10 km and minutes), a 100 kg pickup at B (H-B 10, A-B 5); fixed 100,
    1 CNY/km, 1 CNY/min. H-A-H costs 100 + 20 + 20 = 140; H-A-B-H 100 + 25 + 25 = 150, a detour
    of 10. Worth 1 CNY (0.01/kg) the order is left: 140 + 1 lost = 141; worth 100 it is served:
    150."""
    sc = build(
        [site("A", "town"), site("B")],
        LEGS,
        [truck("D1")],
        orders=[order("OB", "B", 100, product="p")],
        parcel_lines=[parcels("A", 10)],
        products=[product("p", value=per_kg)],
    )
    inst = build_instance(sc)
    found = search_day(inst, 10.0, seed=1, max_iters=2000)
    assert found.unplaced == ()
    assert found.cost + _lost(inst, found) == pytest.approx(total, abs=1e-6)
    _result, k = solve_and_check(sc, tmp_path, time_limit=5, method="search", heuristic_s=0.3)
    assert k["total_cost_cny"] == pytest.approx(total, abs=0.01)
    assert (k["orders_served"] == 1) is served


@pytest.mark.component
@pytest.mark.parametrize(("window_h", "truck_id", "total"), [(3.0, "D1", 140.0), (48.0, "D2", 90.0)])
def test_a_deadline_puts_the_order_on_the_earlier_truck(tmp_path, window_h, truck_id, total):
    """One 100 kg pickup at B (10 minutes from the hub), ready 06:00, worth 1,000 CNY. D2 costs
    50 a day but starts at 09:00; D1 costs 100 and starts at 07:00. With a 3 h window (back by
    09:00) D2 would be back at 09:20, so D1 goes: 100 + 20 km + 20 min = 140. With 48 h, D2:
    50 + 20 + 20 = 90."""
    sc = build(
        [site("B")],
        LEGS,
        [truck("D1"), truck("D2", fixed=50, start="09:00")],
        orders=[order("OB", "B", 100, product="p")],
        products=[product("p", value=10.0, window_h=window_h)],
    )
    inst = build_instance(sc)
    found = search_day(inst, 10.0, seed=1, max_iters=2000)
    assert [inst.types[r.k].vehicle_ids for r in found.routes] == [(truck_id,)]
    assert found.cost == pytest.approx(total, abs=1e-6)
    result, k = solve_and_check(sc, tmp_path, time_limit=5, method="search", heuristic_s=0.3)
    assert [r.vehicle_id for r in result.routes if r.seq] == [truck_id]
    assert k["total_cost_cny"] == pytest.approx(total, abs=0.01)


@pytest.mark.component
def test_drivers_paid_by_the_hour_leave_late_enough_not_to_wait(tmp_path):
    """B closes 07:40, A opens 08:00, both 10 minutes from the hub and 5 apart; the shift starts
    07:00. Only H-B-A-H keeps B's window. Leaving at 07:00 would pay 50 minutes of waiting at B;
    the search books the departure at 07:30 (at B 07:40, at A 07:45, wait to 08:00, back 08:10):
    40 paid minutes, 25 km, 100 fixed = 165, the exact evaluator's figure (and so is every route
    of its pool: B alone, A alone)."""
    sc = build(
        [site("A", "town", open_time="08:00"), site("B", "town", close_time="07:40")],
        LEGS,
        [truck("D1")],
        parcel_lines=[parcels("A", 10), parcels("B", 10)],
    )
    inst = build_instance(sc)
    found = search_day(inst, 10.0, seed=1, max_iters=2000)
    (r,) = found.routes
    assert [inst.nodes[i] for i in r.seq] == ["B", "A"]
    assert r.ev.depart == pytest.approx(parse_clock("07:30"), abs=1e-3)
    assert found.cost == pytest.approx(165.0, abs=1e-6)
    for c in found.pool:  # every route met is booked at the evaluator's cost
        assert c.ev.cost == pytest.approx(evaluate_route(inst, c.k, c.seq, c.picks).cost, abs=1e-6)
    _, k = solve_and_check(sc, tmp_path, time_limit=5, method="search", heuristic_s=0.3)
    assert k["total_cost_cny"] == pytest.approx(165.0, abs=0.01)


@pytest.mark.component
def test_a_sites_parcels_and_pickups_are_one_visit():
    """A has 600 kg of parcels and two 300 kg pickups; payload 1,000; two trucks. The day has three
    items at A (the parcel drop and each order), and one visit takes all three: 600 kg on board
    before A, 600 after. One truck, one visit: 100 + 20 km + 20 min = 140."""
    sc = build(
        [site("A", "town")],
        LEGS,
        [truck("D1"), truck("D2")],
        orders=[order("O1", "A", 300), order("O2", "A", 300)],
        parcel_lines=[parcels("A", 600)],
    )
    inst = build_instance(sc)
    items = day_items(inst)
    assert len(items.node) == 4  # hub, A's parcels, two orders
    found = search_day(inst, 10.0, seed=1, max_iters=2000, items=items)
    (r,) = found.routes
    assert r.seq == [1] and sorted(r.picks[1]) == [0, 1]
    assert r.ev.feasible and found.cost == pytest.approx(140.0)


@pytest.mark.compiled
@pytest.mark.parametrize(("granular_k", "route_removal"), [(1, 0.0), (1, 1.0), (0, 1.0)])
def test_granular_insertion_and_route_removal_keep_the_optimum(granular_k, route_removal):
    """The two-truck day of the case above worth 1 CNY/kg (optimum 150: H-A-B-H on one truck,
    fixed 100 + 25 km + 25 min) with the large-day operators forced on: re-insertion next to only
    the one nearest item first (an item that fits nowhere there falls back to every position),
    and every iteration removing the shortest route whole. The search still reaches 150 with one
    truck, and every mandatory stop placed."""
    sc = build(
        [site("A", "town"), site("B")],
        LEGS,
        [truck("D1"), truck("D2")],
        orders=[order("OB", "B", 100, product="p")],
        parcel_lines=[parcels("A", 10)],
        products=[product("p", value=1.0)],
    )
    inst = build_instance(sc)
    found = search_day(inst, 10.0, seed=1, max_iters=2000, granular_k=granular_k, route_removal=route_removal)
    assert found.unplaced == ()
    assert len(found.routes) == 1
    assert found.cost + _lost(inst, found) == pytest.approx(150.0, abs=1e-6)
