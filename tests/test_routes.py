"""The exact route evaluator (no solver): timing, waiting, reasons for infeasible routes."""

from __future__ import annotations

import pytest
from builders import build, order, parcels, product, site, truck
from hypothesis import given, settings
from hypothesis import strategies as st

from coldchain.core.evaluate import evaluate_route
from coldchain.core.instance import build_instance
from coldchain.scenario.timefmt import parse_clock

LEGS = {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 5}


def _inst(stops, vehicles=None, **kw):
    return build_instance(build(stops, LEGS, vehicles or [truck("D1")], **kw))


def _nodes(inst, *ids):
    return [inst.nodes.index(i) for i in ids]


@pytest.mark.unit
def test_leaves_as_late_as_needed_to_avoid_paid_waiting():
    """B closes 07:40, A opens 08:00: H-B-A-H leaves 07:30, waits 15 min at A, back 08:10: 165 CNY."""
    inst = _inst(
        [site("A", "town", open_time="08:00"), site("B", "town", close_time="07:40")],
        parcel_lines=[parcels("A", 10), parcels("B", 10)],
    )
    ev = evaluate_route(inst, 0, _nodes(inst, "B", "A"))
    assert ev.feasible
    assert (ev.depart, ev.ret) == (
        pytest.approx(parse_clock("07:30"), abs=1e-3),
        pytest.approx(parse_clock("08:10"), abs=1e-3),
    )
    assert ev.start == [pytest.approx(parse_clock("07:40"), abs=1e-3), pytest.approx(parse_clock("08:00"), abs=1e-3)]
    assert ev.cost == pytest.approx(100 + 25 + 40, abs=1e-3)


@pytest.mark.unit
def test_equal_paid_time_leaves_at_shift_start():
    """No window binds: the 25-minute round leaves at 07:00, not later."""
    inst = _inst([site("A", "town"), site("B", "town")], parcel_lines=[parcels("A", 10), parcels("B", 10)])
    ev = evaluate_route(inst, 0, _nodes(inst, "A", "B"))
    assert ev.depart == pytest.approx(parse_clock("07:00"), abs=1e-3)
    assert ev.ret - ev.depart == pytest.approx(25, abs=1e-3)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("seq", "reason"),
    [(("A", "B"), "window"), (("B", "A"), None)],
)
def test_window_reason(seq, reason):
    """A opens 08:00 and B closes 07:40: A first misses B's window."""
    inst = _inst(
        [site("A", "town", open_time="08:00"), site("B", "town", close_time="07:40")],
        parcel_lines=[parcels("A", 10), parcels("B", 10)],
    )
    assert evaluate_route(inst, 0, _nodes(inst, *seq)).reason == reason


@pytest.mark.unit
def test_capacity_reason_counts_parcels_still_on_board():
    """Payload 950: after B (300 kg dropped, 400 kg picked) the truck would hold 1000 kg."""
    inst = _inst(
        [site("A", "town"), site("B", "town")],
        vehicles=[truck("D1", dry=950)],
        orders=[order("OA", "A", 500), order("OB", "B", 400)],
        parcel_lines=[parcels("A", 600), parcels("B", 300)],
    )
    a, b = _nodes(inst, "A", "B")
    picks = {a: [0], b: [1]}
    assert evaluate_route(inst, 0, [b, a], picks).reason == "capacity"
    ev = evaluate_route(inst, 0, [a, b], picks)
    assert ev.feasible and ev.load_out == 900 and ev.load_after == [800, 900]


@pytest.mark.unit
def test_deadline_and_cold_reasons():
    """A is 40 min out, B 10 (A-B 35), B takes 10 min of service. Alone, A works for both orders;
    via B the truck is back 55 min after the pickup (45 allowed out of the cold: 'cold') and at
    08:35 (the fresh order's 2 h window from 06:30 closes 08:30: 'deadline')."""
    legs = {("H", "A"): 40, ("H", "B"): 10, ("A", "B"): 35}
    s = build(
        [site("A"), site("B", "town", service_min=10)],
        legs,
        [truck("D")],
        orders=[order("C", "A", 10, product="chill"), order("F", "A", 10, product="fresh", ready="2026-06-15 06:30")],
        parcel_lines=[parcels("B", 10)],
        products=[product("chill", chilled=True, out_of_cold_h=0.75), product("fresh", window_h=2)],
    )
    inst = build_instance(s)
    assert all(o.excluded is None for o in inst.orders)
    a, b = inst.nodes.index("A"), inst.nodes.index("B")
    assert evaluate_route(inst, 0, [a], {a: [0, 1]}).feasible
    assert evaluate_route(inst, 0, [a, b], {a: [0]}).reason == "cold"
    assert evaluate_route(inst, 0, [a, b], {a: [1]}).reason == "deadline"


@pytest.mark.unit
def test_chilled_pickup_riding_dry_is_picked_late_and_the_truck_arrives_after_it_leaves():
    """H-A-C-B-H, legs of 10 min. A (parcels) closes 08:00, so the truck leaves 07:50 and is at A
    at 08:00; B (parcels, 10 min service) opens 10:00. C's chilled order rides dry, so it is
    picked as late as the route allows: 09:50, leaving just in time for B at 10:00 (back 10:20,
    30 min out of the cold). The truck reaches C at 08:10 and waits there; it reaches B at
    10:00, after leaving C, not at 08:20."""
    legs = {("H", "A"): 10, ("A", "C"): 10, ("C", "B"): 10, ("H", "C"): 20, ("H", "B"): 10, ("A", "B"): 20}
    s = build(
        [site("A", "town", close_time="08:00"), site("C"), site("B", "town", open_time="10:00", service_min=10)],
        legs,
        [truck("D")],
        orders=[order("O", "C", 10, product="chill")],
        parcel_lines=[parcels("A", 10), parcels("B", 10)],
        products=[product("chill", chilled=True, out_of_cold_h=1.5)],
    )
    inst = build_instance(s)
    a, c, b = _nodes(inst, "A", "C", "B")
    ev = evaluate_route(inst, 0, [a, c, b], {c: [0]})
    assert ev.feasible
    clocks = [parse_clock(x) for x in ("07:50", "08:00", "08:10", "09:50", "10:00", "10:20")]
    assert [ev.depart, ev.start[0], ev.arrive[1], ev.start[1], ev.arrive[2], ev.ret] == [
        pytest.approx(x, abs=1e-3) for x in clocks
    ]


@pytest.mark.unit
def test_heuristic_serves_must_serve_orders_even_when_worthless():
    """A contracted pickup worth 0 CNY is still served by the heuristic (it must be), so its
    plan is a valid MIP start; left out, it would count as unplaced."""
    from coldchain.search.insertion import solve_heuristic

    s = build(
        [site("A", "town"), site("B", "town")],
        LEGS,
        [truck("D1")],
        orders=[order("O", "B", 50, product="free").model_copy(update={"must_serve": True})],
        parcel_lines=[parcels("A", 10)],
        products=[product("free", value=0.0)],
    )
    inst = build_instance(s)
    h = solve_heuristic(inst, 0.2)
    assert h.unplaced == [] and h.unserved == set()
    assert h.cost == pytest.approx(100 + 25 + 25)


def _oracle(inst, k, seq, picks):
    """Brute force over whole-minute departures: (least paid time, earliest departure with it), or None."""
    t = inst.types[k]
    best = None
    for depart in range(int(t.start_min), int(t.end_min) + 1):
        clock, prev, ok = float(depart), 0, True
        for i in seq:
            clock += inst.minutes[prev, i]
            ready = max([inst.orders[o].ready_min for o in picks.get(i, [])], default=-1e18)
            clock = max(clock, inst.stop(i).open_min, ready)
            if clock > inst.stop(i).latest_start_min + 1e-6:
                ok = False
                break
            clock += inst.service(i)
            prev = i
        clock += inst.minutes[prev, 0]
        if not ok or clock > t.end_min + 1e-6:
            continue
        if best is None or clock - depart < best[0] - 1e-6:
            best = (clock - depart, depart)
    return best


@pytest.mark.component
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_exact_departure_matches_brute_force(data):
    """With whole-minute data the best departure is a whole minute: the O(n) rule finds the least paid
    time and the earliest departure with it, as trying every minute of the shift does."""
    names = ["A", "B", "C", "D"]
    legs = {}
    for a, b in [("H", x) for x in names] + [(x, y) for i, x in enumerate(names) for y in names[i + 1 :]]:
        legs[(a, b)] = data.draw(st.integers(3, 40))
    stops, orders = [], []
    for x in names:
        open_h = data.draw(st.integers(6, 12))
        stops.append(
            site(
                x,
                "town",
                open_time=f"{open_h:02d}:{data.draw(st.sampled_from([0, 15, 40])):02d}",
                close_time=f"{open_h + data.draw(st.integers(1, 6)):02d}:00",
                service_min=data.draw(st.sampled_from([0, 5, 15])),
            )
        )
        if data.draw(st.booleans()):
            orders.append(order(f"O{x}", x, 10, ready=f"2026-06-15 {data.draw(st.integers(6, 13)):02d}:30"))
    inst = build_instance(
        build(
            stops,
            legs,
            [truck("D1", start="06:00", end="16:00")],
            orders=orders,
            parcel_lines=[parcels(x, 5) for x in names],
        )
    )
    seq = data.draw(st.permutations(_nodes(inst, *names)))[: data.draw(st.integers(1, 4))]
    picks = {o.node: [o.index] for o in inst.orders if o.node in seq}
    ev = evaluate_route(inst, 0, seq, picks)
    want = _oracle(inst, 0, seq, picks)
    assert ev.feasible == (want is not None)
    if want is not None:
        assert ev.ret - ev.depart == pytest.approx(want[0], abs=1e-3)
        assert ev.depart == pytest.approx(want[1], abs=1e-3)


@pytest.mark.unit
def test_fixed_departure_pays_the_waiting():
    """A opens 08:00, 10 min from the hub. Left free, the truck leaves 07:50 (20 min paid: 140 CNY);
    on a fixed line leaving 07:00 it waits 50 min at A and is paid 70 min: 100 + 20 km + 70 = 190 CNY."""
    inst = _inst([site("A", "town", open_time="08:00")], parcel_lines=[parcels("A", 10)])
    a = _nodes(inst, "A")
    free = evaluate_route(inst, 0, a)
    fixed = evaluate_route(inst, 0, a, depart=parse_clock("07:00"))
    assert free.depart == pytest.approx(parse_clock("07:50"), abs=1e-3) and free.cost == pytest.approx(140, abs=1e-3)
    assert fixed.depart == parse_clock("07:00") and fixed.cost == pytest.approx(190, abs=1e-3)
    assert fixed.start == [pytest.approx(parse_clock("08:00"), abs=1e-3)]


@pytest.mark.unit
def test_a_route_that_breaks_a_rule_costs_more_than_any_plan():
    """The search must never prefer a route whose evaluation failed (its cost would otherwise read 0).
    H-A-H, 10 min each way: 100 fixed + 20 km + 20 min at 60 CNY/h = 140 CNY."""
    from coldchain.core.evaluate import RouteEval
    from coldchain.core.route import INFEASIBLE_ROUTE_CNY, Route

    inst = _inst([site("A", "town")], parcel_lines=[parcels("A", 10)])
    a = _nodes(inst, "A")
    assert Route("D1", 0, a, {}, RouteEval(False, "window")).cost == INFEASIBLE_ROUTE_CNY
    assert Route("D1", 0, a, {}, evaluate_route(inst, 0, a)).cost == pytest.approx(140, abs=1e-3)
    assert Route("D1", 0).cost == 0.0


@pytest.mark.component
def test_other_solvers_routes_strict_refuses_lenient_keeps_and_the_checker_counts(tmp_path):
    """A opens 08:00 and B closes 07:40: the route A-B breaks B's window. Strict: ValueError naming
    the rule. Lenient: the plan is timed as driven from 07:00 and the checker reports the window.
    Its cost is what the route costs to drive: 07:00-08:15 (waiting at A until 08:00), 25 km:
    100 fixed + 25 km + 75 min at 60 CNY/h = 200 CNY (not the search's penalty for broken routes)."""
    from coldchain.check import check_folder
    from coldchain.output.report import write_plan
    from coldchain.planner.plan import plan_from_routes

    s = build(
        [site("A", "town", open_time="08:00"), site("B", "town", close_time="07:40")],
        LEGS,
        [truck("D1")],
        parcel_lines=[parcels("A", 10), parcels("B", 10)],
    )
    with pytest.raises(ValueError, match="breaks the window rule"):
        plan_from_routes(s, [["A", "B"]])
    p = plan_from_routes(s, [["A", "B"]], strict=False, departures=[parse_clock("07:00")])
    (route,) = [r for r in p.routes if r.seq]
    assert not route.ev.feasible and route.ev.depart == parse_clock("07:00")
    assert route.ev.start == [parse_clock("08:00"), parse_clock("08:05")]
    assert p.cost == pytest.approx(200, abs=1e-6)
    write_plan(p, tmp_path, map_png=False)
    assert {v.rule for v in check_folder(s, tmp_path)} == {"times.opening_hours"}
