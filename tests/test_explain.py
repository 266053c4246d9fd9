"""Reasons for unserved orders: every truck is tried, and each reason has a stable code."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest
from builders import build, order, parcels, product, site, truck

from coldchain.core.explain import try_every_truck, unserved_reasons
from coldchain.core.instance import build_instance
from coldchain.core.reasons import REASON_CODES, Reason, reason_code
from coldchain.planner.plan import plan_from_routes
from coldchain.scenario.read import read_scenario

# The sample's proven-optimal plan (6,314.32 CNY; `coldchain plan inputs/`), as routes and picks.
SAMPLE_ROUTES = [
    ["T_XINXU", "V_XX_A"],
    ["T_FOZI", "V_DALU", "V_FZ_B", "V_XX_B"],
    ["T_TANXU", "T_NALONG", "V_NL_A", "V_TX_B", "V_TX_A"],
]
SAMPLE_PICKS = [
    {"T_XINXU": [], "V_XX_A": ["LZ-001", "LZ-006"]},
    {"T_FOZI": [], "V_DALU": ["LZ-004"], "V_FZ_B": [], "V_XX_B": ["LZ-002"]},
    {"T_TANXU": [], "T_NALONG": [], "V_NL_A": ["MK-007"], "V_TX_B": ["FS-009"], "V_TX_A": ["LZ-005"]},
]


def sample_plan(sample_dir):
    """The plan with its reasons as the planner gives them (`unserved_reasons` on its routes)."""
    p = plan_from_routes(read_scenario(sample_dir), SAMPLE_ROUTES, picks=SAMPLE_PICKS)
    return replace(p, unserved=unserved_reasons(p.instance, list(p.routes)))


@pytest.mark.unit
def test_the_sample_banana_order_names_its_real_cause(sample_dir):
    """BN-010 (4 kg of banana, 12 CNY) is at 佛子镇蕉坡村, a stop D1 makes; D1 comes back with
    1,500 of 1,500 kg. R1 (1,050 of 1,200 kg) and SF1 (1,080 of 1,200 kg) have room, and one of
    them may take the order by taking over the stop (its 25.5 kg of parcels too). By hand, with the
    evaluator's times: D1 without the stop drives 74.63 -> 62.36 km (1 CNY/km) and is back 36.4 min
    earlier (30 CNY/h): -12.27 - 18.2 = -30.5 CNY; R1 H-新圩-荔香村-蕉坡村-H drives 43.26 -> 79.96 km
    (1.5 CNY/km) and is back 73 min later: +55.05 + 36.5 = +91.6 CNY; net +61 CNY > 12 CNY. SF1
    taking the stop would bring MK-007's milk back after its 11:30 deadline. So the reason is the
    cost against the value, naming R1; before, it read "every truck ... was full"."""
    p = sample_plan(sample_dir)
    assert p.cost == pytest.approx(6314.32, abs=0.01)
    o = next(x.index for x in p.instance.orders if x.order_id == "BN-010")
    why = p.unserved[o]
    assert why.code == "not_worth"
    assert why == (
        "serving it would cost 61 CNY more (R1 takes over the stop at 佛子镇蕉坡村 from D1), above its value "
        "of 12 CNY; D1, which stops there: no room for it (1,500 of 1,500 kg on board)"
    )
    trials = {t.vehicle_id: t for t in try_every_truck(p.instance, list(p.routes), o)}
    assert trials["D1"].rule == "capacity" and trials["SF1"].rule == "deadline"
    assert trials["R1"].extra == pytest.approx(61.1, abs=0.1)


@pytest.mark.unit
def test_the_sample_litchi_left_for_room_is_full_on_every_truck(sample_dir):
    """LZ-003 (300 kg) at 红岭村, D1's stop: D1 is full; R1 or SF1 taking over the stop would carry
    LZ-002's 700 kg too: R1 1,050 + 1,000 > 1,200, SF1 1,080 + 1,000 > 1,200. So: no room."""
    p = sample_plan(sample_dir)
    o = next(x.index for x in p.instance.orders if x.order_id == "LZ-003")
    assert p.unserved[o].code == "no_room"
    assert p.unserved[o] == (
        "no truck can take it: D1 (stops there): no room for it (1,500 of 1,500 kg on board); "
        "R1, SF1 (taking over the stop): no room for it"
    )


@pytest.mark.unit
def test_exclusions_before_planning_carry_codes(sample_dir):
    """MK-008 (night milk, ready 03:00, 4 h window -> 07:00) cannot reach the cold store in time even
    by a direct trip: code deadline. A 2,000 kg order above the largest payload (1,000): too_heavy;
    one ready at 21:00 at a point closing at 20:00: ready_after_close."""
    p = sample_plan(sample_dir)
    o = next(x.index for x in p.instance.orders if x.order_id == "MK-008")
    assert p.unserved[o].code == "deadline"
    s = build(
        [site("A")],
        {("H", "A"): 10},
        [truck("D1", dry=1000)],
        orders=[order("BIG", "A", 2000), order("LATE", "A", 10, ready="2026-06-15 21:00")],
        parcel_lines=[parcels("A", 10)],
        products=[product("plain", value=10.0)],
    )
    codes = {o.order_id: reason_code(o.excluded) for o in build_instance(s).orders}
    assert codes == {"BIG": "too_heavy", "LATE": "ready_after_close"}


@pytest.mark.unit
def test_a_reason_is_its_text_and_keeps_its_code_through_pickle():
    """Dask sweeps pickle plans: the code must survive; a plain string has the code unexplained."""
    r = Reason("serving it would cost 5 CNY more", "not_worth")
    back = pickle.loads(pickle.dumps(r))
    assert back == r and back.code == "not_worth" and isinstance(back, str)
    assert reason_code("not served by this plan") == "unexplained"
    with pytest.raises(ValueError):
        Reason("x", "no-such-code")
    assert all(code.replace("_", "").isalpha() and code.islower() for code in REASON_CODES)


@pytest.mark.unit
def test_every_truck_is_tried_not_only_the_nearest():
    """D1 (payload 100) runs H-A-H and comes back with OA's 90 kg; D2 runs H-B-H empty. OP, 20 kg
    at P (no parcels, so nobody stops there), would overfill D1 (110 > 100) but fits on D2. Legs
    H-A 10, H-B 10, H-P 12, A-P 3, B-P 4 (km = min; 1 CNY/km, 60 CNY/h): D2 H-B-P-H = 26 km and min
    against 20: 6 + 6 = 12 CNY more, below OP's value 20 kg * 5 = 100 CNY: it fits, the search
    stopped. (Trying only the nearest truck, D1 via A-P = 3, would say "full".)"""
    s = build(
        [site("A"), site("B"), site("P")],
        {("H", "A"): 10, ("H", "B"): 10, ("H", "P"): 12, ("A", "P"): 3, ("B", "P"): 4, ("A", "B"): 15},
        [truck("D1", dry=100), truck("D2", dry=100)],
        orders=[order("OA", "A", 90), order("OP", "P", 20)],
        parcel_lines=[parcels("A", 5), parcels("B", 5)],
        products=[product("plain", value=5.0)],
    )
    p = plan_from_routes(s, [["A"], ["B"]], picks=[{"A": ["OA"]}, {"B": []}])
    p = replace(p, unserved=unserved_reasons(p.instance, list(p.routes)))
    (o,) = p.unserved
    assert p.unserved[o].code == "search_stopped"
    assert p.unserved[o].startswith("it fits at 12 CNY more (D2 adds the stop at P), less than its value of 100 CNY")


@pytest.mark.unit
def test_the_checker_knows_every_reason_code():
    """The checker keeps its own list of the codes (it imports nothing of the planner's); the two
    lists are one file-format contract."""
    from coldchain.check.reasons import KNOWN_CODES

    assert set(REASON_CODES) == KNOWN_CODES
