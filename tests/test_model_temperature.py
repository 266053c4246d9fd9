"""Temperature family: chilled produce rides in reefer space or returns within its time out of cold.

Sites H, A (village, 40 from the hub), B (town with 100 kg parcels, 10 from the hub), A-B 35
(km and minutes). Dry van D: 100 CNY fixed, 1 CNY/km. Reefer R: 150 CNY fixed, 1.5 CNY/km.
Both 1 CNY per driver minute. 'chill' is a chilled product worth 10 CNY/kg.
"""

from __future__ import annotations

import pytest
from builders import build, order, parcels, product, served, site, solve_and_check, truck

from coldchain.core.instance import build_instance
from coldchain.core.outcome import SolveOptions, SolveStatus
from coldchain.model import build_model
from coldchain.model.solve import solve
from coldchain.output.report import order_table

LEGS = {("H", "A"): 40, ("H", "B"): 10, ("A", "B"): 35}
STOPS = [site("A"), site("B", "town")]
DRY = truck("D", dry=1000)
REEFER = truck("R", dry=0, reefer=1000, fixed=150, per_km=1.5)


def _scenario(out_of_cold_h: float, fleet, orders=None, extra_products=()):
    return build(
        STOPS,
        LEGS,
        fleet,
        orders=orders or [order("OC", "A", 100, product="chill")],
        parcel_lines=[parcels("B", 100)],
        products=[product("chill", chilled=True, out_of_cold_h=out_of_cold_h), *extra_products],
    )


@pytest.mark.component
def test_only_the_reefer_can_keep_it(tmp_path):
    """30 min out of the cold but A is 40 min out: the reefer does H-B-A-H, 150 + 1.5 x 85 + 85
    = 362.5 (dry van for B plus reefer for A: 140 + 350 = 490; dropping it: 1140)."""
    result, k = solve_and_check(_scenario(0.5, [DRY, REEFER]), tmp_path)
    assert k["objective_cny"] == pytest.approx(362.5)
    table = order_table(result).set_index("order_id")
    assert table.loc["OC", "vehicle_id"] == "R" and table.loc["OC", "compartment"] == "reefer"


@pytest.mark.component
def test_dry_van_suffices_when_the_trip_is_short_enough(tmp_path):
    """With 1 h allowed out of the cold, the dry van does H-B-A-H, A last (40 min back):
    100 + 85 + 85 = 270."""
    result, k = solve_and_check(_scenario(1.0, [DRY, REEFER]), tmp_path)
    assert k["objective_cny"] == pytest.approx(270)
    table = order_table(result).set_index("order_id")
    assert table.loc["OC", "compartment"] == "dry"
    assert table.loc["OC", "hours_out_of_cold"] <= 1.0


@pytest.mark.component
def test_small_reefer_compartment_decides_the_route(tmp_path):
    """A retrofit van (500 kg dry + 150 kg reefer) and two 100 kg chilled orders (30 min out of
    cold), C1 at A and C2 at B: only H-A-B-H works (C1 in reefer, C2 dry and 10 min from the
    hub); H-B-A-H would need 200 kg of reefer. 100 + 85 + 85 = 270."""
    van = truck("V", dry=500, reefer=150)
    s = _scenario(0.5, [van], orders=[order("C1", "A", 100, product="chill"), order("C2", "B", 100, product="chill")])
    result, k = solve_and_check(s, tmp_path)
    assert k["objective_cny"] == pytest.approx(270)
    assert served(result) == {"C1", "C2"}
    table = order_table(result).set_index("order_id")
    assert (table.loc["C1", "compartment"], table.loc["C2", "compartment"]) == ("reefer", "dry")


@pytest.mark.component
def test_no_reefer_and_too_far_is_excluded_with_reason(tmp_path):
    """No reefer in the fleet and A is 40 min from the cold store (30 allowed): unserved up front."""
    result, k = solve_and_check(_scenario(0.5, [DRY]), tmp_path)
    assert k["objective_cny"] == pytest.approx(140 + 1000)
    reason = next(iter(result.unserved.values()))
    assert reason.startswith("must ride cold but no truck has 100 kg of reefer space")


@pytest.mark.component
def test_forcing_it_dry_is_infeasible():
    """Infeasible by construction: the dry van alone must serve OC with 45 min allowed out of the
    cold, but A is 40 min from the hub and B (parcels) must be visited too: 45 >= 40 fits only
    with A last, so forbid that by making B open only after any A visit could return."""
    s = build(
        [site("A"), site("B", "town", open_time="12:00")],
        LEGS,
        [DRY],
        orders=[order("OC", "A", 100, product="chill", ready="2026-06-15 06:00")],
        parcel_lines=[parcels("B", 100)],
        products=[product("chill", chilled=True, out_of_cold_h=0.75, window_h=5)],
    )
    inst = build_instance(s)
    assert inst.orders[0].excluded is None  # alone it could be done
    m = build_model(inst)
    m.serves_order[0].fix(1)
    assert solve(m, SolveOptions(time_limit_s=10, threads=1)).status == SolveStatus.INFEASIBLE
