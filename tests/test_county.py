"""County scale: the day generator, the route-pool method, its lower bound, and fixed lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import build, order, parcels, product, site, truck
from typer.testing import CliRunner

from coldchain.apps.generate import generate_day, write_day
from coldchain.apps.lines import Line, design_lines, plan_lines, read_lines, write_lines
from coldchain.check import check_folder
from coldchain.cli import app
from coldchain.colgen.arc_bound import lower_bound
from coldchain.colgen.degree_bound import degree_bound
from coldchain.core.instance import build_instance
from coldchain.core.outcome import SolveOptions, SolveStatus
from coldchain.core.plan import PlanOptions
from coldchain.errors import InputError
from coldchain.output.report import write_plan
from coldchain.planner.plan import plan
from coldchain.scenario.read import read_scenario

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.mark.unit
def test_generator_is_reproducible_and_seeded():
    """Same kind and seed: the same files; another seed: another day."""
    assert generate_day("peak", 4) == generate_day("peak", 4)
    assert generate_day("peak", 4)["orders.csv"] != generate_day("peak", 5)["orders.csv"]


@pytest.mark.component
@pytest.mark.parametrize("kind", ["peak", "ordinary"])
def test_generated_day_is_a_valid_county_scenario(kind, tmp_path):
    """All 19 town points, 100+ villages, a mixed fleet; the reader accepts it; the shipped copy
    in inputs/ is exactly what the generator writes for seed 1."""
    write_day(tmp_path, generate_day(kind, 1))
    s = read_scenario(tmp_path)
    assert sum(x.kind == "town" for x in s.sites) == 19
    assert sum(x.kind == "village" for x in s.sites) >= 100
    assert {v.reefer_capacity_kg > 0 for v in s.vehicles} == {True, False}
    shipped = ROOT / "inputs" / f"county-{kind}"
    for name, text in generate_day(kind, 1).items():
        assert (shipped / name).read_text(encoding="utf-8") == text


@pytest.mark.component
def test_lower_bound_never_exceeds_the_proven_optimum(tmp_path):
    """On the tiny test day the compact MILP proves the optimum; the LP bound and the degree bound
    must lie below it,
    and the pool method's plan must cost at least the bound and pass the checker."""
    s = read_scenario(ROOT / "tests" / "data" / "tiny")
    exact = plan(s, PlanOptions(solve=SolveOptions(time_limit_s=30, threads=1), method="compact"))
    assert exact.status == SolveStatus.OPTIMAL
    b = lower_bound(build_instance(s), time_limit_s=5)
    assert b is not None and b.value <= exact.cost + 1e-6
    assert 0 < degree_bound(build_instance(s)) <= exact.cost + 1e-6
    pooled = plan(s, PlanOptions(solve=SolveOptions(time_limit_s=3, threads=1), method="pool"))
    assert pooled.has_routes and pooled.outcome.bound <= pooled.cost + 1e-6
    assert pooled.cost >= exact.cost - 1e-6
    write_plan(pooled, tmp_path, map_png=False)
    assert check_folder(s, tmp_path) == []


@pytest.mark.component
def test_lower_bound_with_a_leg_below_the_solvers_tolerance():
    """Village V 1e-10 km and minutes from the hub (two points at one place): HiGHS drops that
    coefficient with a warning, which the bound accepts (it used to raise). The one run H-V-H
    costs the fixed 100 CNY and 2e-10 of km and time, so the bound is 100."""
    sc = build([site("V")], {("H", "V"): 1e-10}, [truck("D")], parcel_lines=[parcels("V", 10)])
    b = lower_bound(build_instance(sc), time_limit_s=5)
    assert b is not None and b.value == pytest.approx(100.0, abs=1e-6)


@pytest.mark.component
def test_auto_on_a_county_day_returns_a_checked_plan_with_a_gap(tmp_path):
    """The generated ordinary day (119 stops) with 15 s: auto plans it with the search method;
    every parcel stop served, checker clean, bound below cost."""
    s = read_scenario(ROOT / "inputs" / "county-ordinary")
    p = plan(s, PlanOptions(solve=SolveOptions(time_limit_s=15, threads=1)))
    assert p.status == SolveStatus.FEASIBLE and p.outcome.termination == "search"
    assert 0 < p.outcome.bound <= p.cost and 0 <= p.outcome.gap < 1
    write_plan(p, tmp_path, map_png=False)
    assert check_folder(s, tmp_path) == []


@pytest.mark.component
def test_fixed_lines_take_the_pickup_with_the_smaller_detour(tmp_path):
    """Lines L1 = H-A-H (truck D1) and L2 = H-B-H (D2), both leaving 07:00; P has a 1,000 CNY order
    and no parcels. Legs (km = min): H-A 10, H-B 10, A-P 2, H-P 11, B-P 25, A-B 20. Trucks: fixed
    100, 1 CNY/km, 60 CNY/h. P on L1 adds 10+2+11-20 = 3 km and 3 min (6 CNY); on L2, 10+25+11-20
    = 26 km and 26 min (52 CNY). Optimum: L1 takes P: 2 x 100 + (23 + 23) + (20 + 20) = 286 CNY."""
    s = _detour_day(a_b_km=20)
    lines = [Line("L1", "D1", 420, ("A",), 50, 1), Line("L2", "D2", 420, ("B",), 50, 1)]
    p = plan_lines(s, lines, SolveOptions(time_limit_s=10, threads=1))
    assert p.status == SolveStatus.OPTIMAL
    seqs = {r.vehicle_id: [p.instance.nodes[i] for i in r.seq] for r in p.routes}
    assert seqs["D1"] in (["A", "P"], ["P", "A"]) and seqs["D2"] == ["B"]
    assert p.cost == pytest.approx(286, abs=1e-6)
    write_plan(p, tmp_path, map_png=False)
    assert check_folder(s, tmp_path) == []


@pytest.mark.integration
def test_cli_fixed_lines_plan_a_county_day_and_generate_rejects_unknown_days(tmp_path):
    """`plan --method lines` on the shipped peak day: exit 0 and a plan the checker accepts."""
    res = runner.invoke(
        app,
        ["plan", str(ROOT / "inputs" / "county-peak"), "--out", str(tmp_path), "--method", "lines", "-q", "--no-map"],
    )
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["check", str(ROOT / "inputs" / "county-peak"), str(tmp_path)]).exit_code == 0
    bad = runner.invoke(app, ["generate", str(tmp_path / "x"), "--day", "holiday"])
    assert bad.exit_code == 2 and "Error: unknown day 'holiday'" in bad.output


@pytest.mark.unit
def test_bad_lines_file_gets_one_message_per_problem_with_line_and_column(tmp_path):
    """lines.csv goes through the scenario reader: a bad time, a negative count and an empty stop
    list each name file, line and column; the good line is not reported."""
    (tmp_path / "lines.csv").write_text(
        "line_id,vehicle_id,depart_at,stops,max_detour_km,max_pickup_stops\n"
        "L1,D1,07:10,A B,15,3\n"
        "L2,D2,7h,A,15,3\n"
        "L3,D3,07:00,B,15,-1\n"
        "L4,D4,07:00, ,15,1\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        read_lines(tmp_path / "lines.csv")
    got = [str(p) for p in exc.value.problems]
    assert len(got) == 3
    assert got[0].startswith("lines.csv:3:depart_at: ") and "(got 7h)" in got[0]
    assert got[1].startswith("lines.csv:4:max_pickup_stops: must be at least 0")
    assert got[2].startswith("lines.csv:5:stops: ")


@pytest.mark.unit
def test_shipped_lines_cover_every_parcel_stop_once():
    """inputs/county-*/lines.csv (written by `coldchain lines`, from a plan of that day) read
    cleanly, name real trucks once each, and put every parcel stop on exactly one line."""
    from coldchain.apps.lines import _check_lines

    for kind in ("peak", "ordinary"):
        folder = ROOT / "inputs" / f"county-{kind}"
        inst = build_instance(read_scenario(folder))
        lines = read_lines(folder / "lines.csv")
        problems, _ = _check_lines(inst, lines)
        assert problems == []
        on_lines = [s for ln in lines for s in ln.stops]
        assert len(on_lines) == len(set(on_lines))


def _detour_day(a_b_km: float | None = None):
    """Parcels at A and B, a 1,000 CNY order at P; legs (km = min) H-A 10, H-B 10, A-P 2, H-P 11,
    B-P 25, and A-B only if given (else 500 km: one truck cannot serve both)."""
    legs = {("H", "A"): 10, ("H", "B"): 10, ("A", "P"): 2, ("H", "P"): 11, ("B", "P"): 25}
    if a_b_km is not None:
        legs[("A", "B")] = a_b_km
    return build(
        [site("A"), site("B"), site("P")],
        legs,
        [truck("D1"), truck("D2")],
        orders=[order("OP", "P", 100, product="plain")],
        parcel_lines=[parcels("A", 10), parcels("B", 10)],
        products=[product("plain", value=10.0)],
    )


@pytest.mark.component
def test_re_dealing_pickups_moves_an_order_to_the_run_with_the_smaller_detour(tmp_path):
    """The day of the fixed-lines test, with a plan that fetches P from B: H-A-H (140) and
    H-B-P-H (10 + 25 + 11 = 46 km and min: 192), 332 CNY. Re-dealing the pickups between the two
    parcel runs moves P to A's run: H-A-P-H (23 km: 146) and H-B-H (140), 286 CNY, the optimum
    derived in that test. A plan that is already best stays as it is."""
    from coldchain.core.route import Route, route_key
    from coldchain.planner.plan import plan_from_routes
    from coldchain.setpart.pickups import improve_pickups

    s = _detour_day()
    worse = plan_from_routes(s, [["A"], ["B", "P"]])
    assert worse.cost == pytest.approx(332, abs=1e-6)
    routes, cost = improve_pickups(worse.instance, list(worse.routes), SolveOptions(time_limit_s=10, threads=1))
    assert cost == pytest.approx(286, abs=1e-6)
    inst = worse.instance
    seqs = sorted([inst.nodes[i] for i in r.seq] for r in routes if r.seq)
    assert seqs in ([["A", "P"], ["B"]], [["B"], ["P", "A"]])
    better = plan_from_routes(s, [[inst.nodes[i] for i in r.seq] for r in routes if r.seq])
    assert better.cost == pytest.approx(286, abs=1e-6)
    write_plan(better, tmp_path, map_png=False)
    assert check_folder(s, tmp_path) == []
    kept, cost = improve_pickups(inst, [r for r in routes if isinstance(r, Route)], SolveOptions(10, 0.0, 1))
    assert cost == pytest.approx(286, abs=1e-6)
    assert sorted(route_key(r) for r in kept if r.seq) == sorted(route_key(r) for r in routes if r.seq)


@pytest.mark.component
def test_lines_from_a_plan_repeat_it(tmp_path):
    """Lines designed from the two-truck plan H-A-P-H, H-B-H of the detour day (146 + 140 = 286 CNY)
    keep its stops and departures (to the minute), so planning them gives the same pickups
    and cost (within 1 CNY per line for a departure moved by under a minute) and a checked plan."""
    from coldchain.apps.lines import lines_from_plan
    from coldchain.planner.plan import plan_from_routes

    s = _detour_day()
    best = plan_from_routes(s, [["A", "P"], ["B"]])
    assert best.cost == pytest.approx(286, abs=1e-6)
    lines = lines_from_plan(best)
    assert sorted(ln.stops for ln in lines) == [("A", "P"), ("B",)]
    assert all(ln.max_pickup_stops == 1 for ln in lines)
    (tmp_path / "lines.csv").write_text(write_lines(lines), encoding="utf-8")
    again = plan_lines(s, read_lines(tmp_path / "lines.csv"), SolveOptions(time_limit_s=10, threads=1))
    assert again.cost == pytest.approx(286, abs=2.0)
    seqs = {tuple(again.instance.nodes[i] for i in r.seq) for r in again.routes if r.seq}
    assert seqs in ({("A", "P"), ("B",)}, {("P", "A"), ("B",)})
    write_plan(again, tmp_path, map_png=False)
    assert check_folder(s, tmp_path) == []


@pytest.mark.integration
def test_cli_lines_designs_by_sweep_and_never_overwrites_without_force(tmp_path):
    """`coldchain lines DIR --from sweep` writes what design_lines gives; a second run refuses (exit 2)
    and leaves the file alone; --force replaces it; an unknown design is a usage error."""
    folder = tmp_path / "day"
    write_day(folder, generate_day("ordinary", 1))
    res = runner.invoke(app, ["lines", str(folder), "--from", "sweep"])
    assert res.exit_code == 0, res.output
    text = (folder / "lines.csv").read_text(encoding="utf-8")
    assert text == write_lines(design_lines(read_scenario(folder)))
    (folder / "lines.csv").write_text(text + "# edited\n", encoding="utf-8")
    res = runner.invoke(app, ["lines", str(folder), "--from", "sweep"])
    assert res.exit_code == 2 and "pass --force" in res.output
    assert (folder / "lines.csv").read_text(encoding="utf-8").endswith("# edited\n")
    assert runner.invoke(app, ["lines", str(folder), "--from", "sweep", "--force"]).exit_code == 0
    assert (folder / "lines.csv").read_text(encoding="utf-8") == text
    assert runner.invoke(app, ["lines", str(folder), "--from", "guess", "--force"]).exit_code == 2


@pytest.mark.component
def test_bound_uses_each_types_payload_and_one_visit_per_stop():
    """Stop A: 1,200 kg of parcels and two 800 kg orders worth 8,000 CNY each; H-A is 10 km and
    10 min. Trucks: D1 1,500 kg (fixed 200), S1 1,000 kg (fixed 100), both 1 CNY/km and 60 CNY/h.
    Only D1 can carry A's parcels, and its one visit brings back one order (800 + 800 > 1,500):
    the optimum is H-A-H by D1 with one order, 200 + 20 + 20 = 240, plus 8,000 lost = 8,240 CNY.
    The LP bound reaches it: per-type arcs charge D1's fixed cost (the cheapest fixed cost would
    give 100), and the rounded pickup cut on {A}, 1 >= 2 - (unserved orders), loses a whole order
    (the payload row alone allows 1,500/1,600 of the orders)."""
    s = build(
        [site("A")],
        {("H", "A"): 10},
        [truck("D1", dry=1500, fixed=200), truck("S1", dry=1000, fixed=100)],
        orders=[order("O1", "A", 800), order("O2", "A", 800)],
        parcel_lines=[parcels("A", 1200)],
        products=[product("plain", value=10.0)],
    )
    exact = plan(s, PlanOptions(solve=SolveOptions(time_limit_s=20, threads=1), method="compact"))
    assert exact.status == SolveStatus.OPTIMAL and exact.cost == pytest.approx(8240, abs=1e-6)
    b = lower_bound(build_instance(s), time_limit_s=10)
    assert b.proved and b.value == pytest.approx(8240, abs=1e-4)


@pytest.mark.component
def test_an_order_left_out_although_it_fits_says_so():
    """The detour day planned as H-A-H and H-B-H leaves P's order (1,000 CNY) out, though A's truck
    could fetch it for 3 km and 3 min more (6 CNY): the reason must say it fits below its value,
    not that it costs more than it is worth. With fixed departures (lines) it names the lines' limits."""
    from coldchain.core.explain import unserved_reasons
    from coldchain.planner.plan import plan_from_routes

    p = plan_from_routes(_detour_day(), [["A"], ["B"]])
    (o,) = p.unserved
    why = unserved_reasons(p.instance, list(p.routes))[o]
    assert why == (
        "it fits at 6 CNY more (D1 adds the stop at P), less than its value of 1,000 CNY, but the search "
        "did not find that plan within the time limit"
    )
    assert why.code == "search_stopped"
    fixed = unserved_reasons(p.instance, list(p.routes), fixed_departures=True)
    assert fixed[o].startswith("outside the limits of every fixed line") and fixed[o].code == "line_limits"


@pytest.mark.component
def test_an_order_dropped_for_another_orders_rule_is_put_back(tmp_path):
    """Line L1 = H-A-H by dry truck D1; line L2 = H-B-H by reefer truck R1 (legs 10 km = 10 min).
    At A: O1, 800 kg of plain produce (8,000 CNY), and O2, 100 kg chilled that may spend 6 min out
    of the cold (1,000 CNY); A-H takes 10 min, so O2 only fits on a reefer, and A is on D1's line.
    D1's column first drops the bulkiest order (O1), which does not help, then O2; O1 fits again
    and is put back. Optimum: 140 + 140 + 1,000 (O2 lost) = 1,280 CNY; dropping O1 too would give
    9,280."""
    s = build(
        [site("A"), site("B")],
        {("H", "A"): 10, ("H", "B"): 10},
        [truck("D1"), truck("R1", dry=0, reefer=1000)],
        orders=[order("O1", "A", 800, product="plain"), order("O2", "A", 100, product="cold")],
        parcel_lines=[parcels("A", 10), parcels("B", 10)],
        products=[product("plain", value=10.0), product("cold", value=10.0, chilled=True, out_of_cold_h=0.1)],
    )
    lines = [Line("L1", "D1", 420, ("A",), 15, 0), Line("L2", "R1", 420, ("B",), 15, 0)]
    p = plan_lines(s, lines, SolveOptions(time_limit_s=10, threads=1))
    assert p.cost == pytest.approx(1280, abs=1e-6)
    served = {p.instance.orders[o].order_id for r in p.routes for os in r.picks.values() for o in os}
    assert served == {"O1"}
    write_plan(p, tmp_path, map_png=False)
    assert check_folder(s, tmp_path) == []


@pytest.mark.component
def test_a_visited_stops_order_is_explained_by_moving_the_stop():
    """The detour day with D2's payload cut to 50 kg: H-A-H by D1 and H-B-P-H by D2, which stops at
    P but cannot carry its 100 kg order. One visit per stop, so D1 may take the order only by taking
    over the whole stop: D1 H-A-P-H is 10 + 2 + 11 = 23 km (3 more), D2 H-B-H is 20 km (26 fewer),
    so the plan would cost less with the order on D1 (km = min, 1 CNY/km + 1 CNY/min: 2 * 23 = 46
    CNY saved). The reason says it fits and the plan is cheaper, not that every truck was full."""
    from coldchain.core.explain import unserved_reasons
    from coldchain.planner.plan import plan_from_routes

    legs = {("H", "A"): 10, ("H", "B"): 10, ("A", "P"): 2, ("H", "P"): 11, ("B", "P"): 25}
    s = build(
        [site("A"), site("B"), site("P")],
        legs,
        [truck("D1"), truck("D2", dry=50)],
        orders=[order("OP", "P", 100, product="plain")],
        parcel_lines=[parcels("A", 10), parcels("B", 10)],
        products=[product("plain", value=10.0)],
    )
    p = plan_from_routes(s, [["A"], ["B", "P"]], picks=[{"A": []}, {"B": [], "P": []}])
    assert {r.vehicle_id: [p.instance.nodes[i] for i in r.seq] for r in p.routes if r.seq} == {
        "D1": ["A"],
        "D2": ["B", "P"],
    }
    (o,) = p.unserved
    why = unserved_reasons(p.instance, list(p.routes))[o]
    assert why.code == "search_stopped"
    assert why.startswith("it fits (D1 takes over the stop at P from D2) and the plan would even cost 46 CNY less")


@pytest.mark.component
def test_set_partitioning_never_drops_a_must_serve_order():
    """Pool: R1 = H-A-H (parcels only) and R2 = H-A-P-H, with P's 1 kg must-serve order worth 10
    CNY. Legs H-A 10, A-P 50, H-P 50 (km = min); truck 100 fixed + 1 CNY/km + 1 CNY/min. R1 costs
    100 + 20 + 20 = 140, R2 100 + 110 + 110 = 320. Dropping the order would cost 140 + 10 = 150, but
    it must be served, so the only plan is R2 at 320 CNY."""
    from coldchain.core.evaluate import evaluate_route
    from coldchain.core.route import Route
    from coldchain.scenario.domain import Order
    from coldchain.setpart.pool import recombine

    must = Order(order_id="M1", shipper="co-op", site_id="P", product_id="plain", quantity_kg=1,
                 ready_at="2026-06-15 06:00", must_serve=True)  # fmt: skip
    s = build([site("A"), site("P")], {("H", "A"): 10, ("A", "P"): 50, ("H", "P"): 50}, [truck("T1")], [must],
              [parcels("A", 100)])  # fmt: skip
    inst = build_instance(s)
    a, p = inst.nodes.index("A"), inst.nodes.index("P")
    r1 = Route("T1", 0, [a], {}, evaluate_route(inst, 0, [a]))
    r2 = Route("T1", 0, [a, p], {p: [0]}, evaluate_route(inst, 0, [a, p], {p: [0]}))
    assert (r1.cost, r2.cost) == (pytest.approx(140), pytest.approx(320))
    chosen, out = recombine(inst, [r1, r2], [r2], SolveOptions(10, 0.0, 1))
    assert out.objective == pytest.approx(320)
    assert [r.seq for r in chosen if r.seq] == [[a, p]]
