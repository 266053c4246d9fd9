"""Split visits (``scenario.toml`` ``[rules] split_visits``): a site's parcel drop and its pickup
orders may ride different trucks, one visit (one service time) per truck.

The days are built by hand (`builders`: fixed 100 CNY a truck, 1 CNY per km, 1 CNY per minute
of driver time, each leg as many minutes as km). Every plan goes through the independent
checker; the checker's own tests edit a written split plan the way a bug would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import Table, build, order, parcels, product, site, solve_and_check, truck

from coldchain.check import check_folder
from coldchain.core.evaluate import evaluate_route
from coldchain.core.instance import build_instance
from coldchain.core.outcome import SolveStatus
from coldchain.output.report import write_plan
from coldchain.planner import registry
from coldchain.scenario.domain import Rules, Scenario
from coldchain.scenario.read import read_scenario


def _rules(sc: Scenario, split: bool) -> Scenario:
    return sc.model_copy(update={"settings": sc.settings.model_copy(update={"rules": Rules(split_visits=split)})})


def reefer_and_van(split: bool) -> Scenario:
    """Village V (30 km and minutes from the hub, 10 min of service) has 600 kg of parcels and a
    400 kg chilled litchi order worth 10 CNY/kg (4,000 CNY) that may spend only 15 minutes out
    of the cold. The dry van D (1,000 kg, no reefer) can take the parcels but not the litchi
    (40 minutes from its loading to the cold store); the reefer R (500 kg, all reefer space)
    can take the litchi but not the 600 kg of parcels. One run H-V-H costs
    100 + 60 km + 70 min = 230 CNY."""
    sc = build(
        [site("V", service_min=10)],
        {("H", "V"): 30},
        [truck("D", dry=1000), truck("R", dry=0, reefer=500)],
        orders=[order("LZ", "V", 400, product="lz")],
        parcel_lines=[parcels("V", 600)],
        products=[product("lz", value=10.0, chilled=True, out_of_cold_h=0.25)],
    )
    return _rules(sc, split)


def two_crates(split: bool) -> Scenario:
    """Pickup-only village P (30 km and minutes away, 10 min of service) has two 400 kg orders
    worth 4,000 CNY each; the two trucks carry 500 kg each, so one truck takes one order. A run
    H-P-H costs 230 CNY."""
    sc = build(
        [site("P", service_min=10)],
        {("H", "P"): 30},
        [truck("A", dry=500), truck("B", dry=500)],
        orders=[order("O1", "P", 400, product="p"), order("O2", "P", 400, product="p")],
        products=[product("p", value=10.0)],
    )
    return _rules(sc, split)


# --- planned and checked ----------------------------------------------------------------------


SPLIT_CASES = [(True, "compact"), (True, "search"), (False, "compact")]


@pytest.mark.component
@pytest.mark.parametrize(("split", "method"), SPLIT_CASES)
def test_the_van_drops_the_parcels_and_the_reefer_takes_the_litchi(tmp_path, split, method):
    """With split visits both trucks visit V: D drops the parcels (230), R picks up the litchi
    (230), 460 CNY in all, proved optimal by the compact MILP (with a twin of V) and by the search
    method's arc bound. Without, the only feasible plan is D alone with the litchi left:
    230 + 4,000 = 4,230 CNY."""
    total, trucks = (460.0, 2) if split else (4230.0, 1)
    result, k = solve_and_check(reefer_and_van(split), tmp_path, time_limit=10, method=method)
    assert result.status == SolveStatus.OPTIMAL
    assert k["total_cost_cny"] == pytest.approx(total, abs=0.01)
    assert k["trucks_used"] == trucks
    assert k["parcels_delivered"] == 10
    used = {r.vehicle_id: r for r in result.routes if r.seq}
    assert not used["D"].pickup_only and not used["D"].picks.get(1)
    if split:
        assert used["R"].pickup_only == {1} and used["R"].picks == {1: [0]}


@pytest.mark.component
@pytest.mark.parametrize(("split", "method"), SPLIT_CASES)
def test_two_orders_of_one_site_ride_two_trucks(tmp_path, split, method):
    """With split visits A and B each fetch one crate: 230 + 230 = 460 CNY. Without, one truck
    fetches one crate and the other is lost: 230 + 4,000 = 4,230 CNY."""
    total = 460.0 if split else 4230.0
    result, k = solve_and_check(two_crates(split), tmp_path, time_limit=10, method=method)
    assert result.status == SolveStatus.OPTIMAL
    assert k["total_cost_cny"] == pytest.approx(total, abs=0.01)
    assert k["orders_served"] == (2 if split else 1)


@pytest.mark.component
@pytest.mark.parametrize("method", ["compact", "search"])
def test_a_split_only_when_it_pays(tmp_path, method):
    """The van D with reefer space for the litchi too (1,000 kg dry + 500 kg reefer) does it all
    in one visit, 230 CNY, although splits are allowed: a second visit would cost 230 more."""
    sc = reefer_and_van(True)
    van = sc.vehicles[0].model_copy(update={"reefer_capacity_kg": 500.0})
    sc = sc.model_copy(update={"vehicles": (van, sc.vehicles[1])})
    result, k = solve_and_check(sc, tmp_path, time_limit=10, method=method)
    assert k["total_cost_cny"] == pytest.approx(230.0, abs=0.01)
    assert k["trucks_used"] == 1
    assert result.status == SolveStatus.OPTIMAL


@pytest.mark.component
def test_the_pool_method_says_it_does_not_split(tmp_path):
    """The pool method's Python search visits each site once: on the reefer-and-van day it finds
    the 4,230 CNY plan, says so, and does not claim it optimal (the arc bound is 460)."""
    result, k = solve_and_check(reefer_and_van(True), tmp_path, time_limit=6, method="pool")
    assert k["total_cost_cny"] == pytest.approx(4230.0, abs=0.01)
    assert result.status == SolveStatus.FEASIBLE
    assert any("visits each site once" in n for n in result.notes)


# --- the pieces, without a solver ---------------------------------------------------------------


@pytest.mark.unit
def test_a_pickup_only_visit_carries_no_parcels():
    """R (500 kg) visiting V to drop the 600 kg of parcels breaks its payload; visiting it to pick
    up only, it leaves the hub empty and comes back with the 400 kg of litchi in reefer space."""
    inst = build_instance(reefer_and_van(True))
    r = inst.types[1]
    assert r.vehicle_ids == ("R",)
    assert evaluate_route(inst, 1, [1], {1: [0]}).reason == "capacity"
    ev = evaluate_route(inst, 1, [1], {1: [0]}, pickup_only={1})
    assert ev.feasible and ev.load_out == 0.0 and ev.load_after == [400.0] and ev.reefer_after == [400.0]
    assert ev.cost == pytest.approx(230.0)


@pytest.mark.unit
def test_a_truck_that_cannot_take_the_parcels_may_still_come_for_the_orders():
    """With split visits R may visit V (for the litchi) but not drop its parcels; without, R may
    not visit V at all."""
    split, single = build_instance(reefer_and_van(True)), build_instance(reefer_and_van(False))
    assert split.serves[1, 1] and not split.drops_fit(1, 1) and split.drops_fit(0, 1)
    assert not single.serves[1, 1]
    assert split.may_split(1) and not single.may_split(1)


@pytest.mark.unit
def test_method_choice_on_a_day_that_may_split():
    """routes names the rule and falls back to search; auto picks compact while the stop visits
    (twins included) are at most COMPACT_MAX_STOPS, else search; a stop with one part of work
    (or a day without split visits) has one visit, and the same day without splits goes to routes."""
    inst = build_instance(reefer_and_van(True))
    assert "split visits" in registry.visits_once(inst)
    assert "split visits" in registry.routes_apply(inst)
    assert inst.visit_slots == 2 and registry.choose(inst).name == "compact"
    assert registry.visits_once(build_instance(reefer_and_van(False))) is None
    alone = build([site("V")], {("H", "V"): 30}, [truck("D")], parcel_lines=[parcels("V", 5)])
    assert registry.visits_once(build_instance(_rules(alone, True))) is None  # one part only: nothing to split
    many = build(
        [site(f"V{i}") for i in range(21)],
        {("H", f"V{i}"): 10 for i in range(21)},
        [truck("D"), truck("E")],
        orders=[order(f"O{i}", f"V{i}", 10) for i in range(21)],
        parcel_lines=[parcels(f"V{i}", 5) for i in range(21)],
    )
    big = build_instance(_rules(many, True))
    assert big.n == 21 and big.visit_slots == 42  # each village: parcels and an order, two trucks
    assert registry.choose(big).name == "search"
    assert registry.choose(build_instance(many)).name == "routes"  # without splits the route labels apply


@pytest.mark.unit
def test_twin_stops_for_the_compact_milp():
    """V (parcels and the litchi, two trucks) gets one twin: no parcels, a copy of the litchi
    order; R may visit only the twin (V's own stop drops the 600 kg of parcels). The model gets
    one row keeping the litchi on one truck, and no arc from V to its twin."""
    from coldchain.model import build_model
    from coldchain.model.twins import add_twin_constraints, expand

    inst = build_instance(reefer_and_van(True))
    tw = expand(inst)
    exp = tw.inst
    assert exp.n == 2 and tw.site_of == [0, 1, 1] and tw.twins == {1: [2]}
    assert exp.stop(2).delivery_kg == 0 and exp.stop(2).orders == (1,) and tw.order_of == [0, 0]
    assert exp.orders[1].node == 2 and exp.orders[1].kg == 400
    assert not exp.split_visits and not exp.serves[1, 1] and exp.serves[1, 2] and exp.serves[0, 1]
    assert tw.overcount_cny == pytest.approx(4000.0)
    m = build_model(exp)
    add_twin_constraints(m, tw, inst.scenario.settings.weights)
    assert list(m.one_copy_served) == [0]
    assert all(m.uses_arc[k, i, j].ub == 0 for k, i, j in m.ARCS if {i, j} == {1, 2})


@pytest.mark.unit
def test_scenario_toml_rules(tmp_path):
    """``[rules] split_visits = true`` is read; it is off without the table; an unknown rule, or
    a value that is not a TOML boolean, is one located error."""
    from coldchain.errors import InputError

    folder = tmp_path / "day"
    import shutil

    skip = shutil.ignore_patterns("county-*", "whatif", "orders-demo")
    shutil.copytree(Path(__file__).parent.parent / "inputs", folder, ignore=skip)
    toml = folder / "scenario.toml"
    assert read_scenario(folder).settings.rules.split_visits is False
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text + "\n[rules]\nsplit_visits = true\n", encoding="utf-8")
    assert read_scenario(folder).settings.rules.split_visits is True
    toml.write_text(text + "\n[rules]\nsplit_visit = true\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_scenario(folder)
    assert "scenario.toml" in str(err.value) and "rules.split_visit: unknown key" in str(err.value)
    for lax in ('"yes"', "1"):  # TOML has booleans: a string or a number is a mistake, not a yes
        toml.write_text(text + f"\n[rules]\nsplit_visits = {lax}\n", encoding="utf-8")
        with pytest.raises(InputError) as err:
            read_scenario(folder)
        assert "rules.split_visits: expected true or false" in str(err.value), lax


# --- the checker follows the rule ---------------------------------------------------------------


@pytest.fixture(scope="module")
def split_plan(tmp_path_factory) -> Path:
    """The reefer-and-van day planned with split visits and written (D drops, R picks up)."""
    from coldchain.core.outcome import SolveOptions
    from coldchain.core.plan import PlanOptions
    from coldchain.planner.plan import plan

    result = plan(reefer_and_van(True), PlanOptions(solve=SolveOptions(time_limit_s=10, threads=1)))
    out = tmp_path_factory.mktemp("split") / "plan"
    write_plan(result, out, map_png=False)
    assert check_folder(reefer_and_van(True), out) == []
    return out


def _copy(split_plan: Path, tmp_path: Path) -> Path:
    import shutil

    out = tmp_path / "plan"
    shutil.copytree(split_plan, out)
    return out


def _drops(split_plan: Path, tmp_path: Path, vehicle: str, parcels: str, kg: str) -> Path:
    """A copy of the split plan whose ``vehicle`` visit of V claims ``parcels`` parcels of ``kg`` kg."""
    out = _copy(split_plan, tmp_path)
    t = Table(out / "routes.csv")
    i = t.one(vehicle_id=vehicle, site_id="V")
    t.set(i, "parcels_dropped", parcels)
    t.set(i, "parcel_kg_dropped", kg)
    t.save()
    return out


def _rules_of(problems) -> set[str]:
    return {p.rule for p in problems}


@pytest.mark.component
def test_checker_rejects_a_split_the_scenario_forbids(split_plan):
    """The same tables against the day without split visits: V is a stop of two runs."""
    problems = check_folder(reefer_and_van(False), split_plan)
    assert "routes.site_once" in _rules_of(problems)
    assert any("split visits are not allowed" in p.message for p in problems)


@pytest.mark.component
def test_checker_rejects_parcels_delivered_twice_across_two_visits(split_plan, tmp_path):
    """R's pickup-only visit claims V's parcels too (count and kg): delivered twice."""
    problems = check_folder(reefer_and_van(True), _drops(split_plan, tmp_path, "R", "10", "600"))
    twice = [p for p in problems if p.rule == "parcels.delivered_once"]
    assert twice and "delivered 2 times" in twice[0].message
    assert "loads.capacity" in _rules_of(problems)  # 600 kg of parcels on a 500 kg truck, too


@pytest.mark.component
def test_checker_rejects_parcels_no_visit_drops(split_plan, tmp_path):
    """D's visit drops nothing any more: of V's two visits none delivers the parcels."""
    problems = check_folder(reefer_and_van(True), _drops(split_plan, tmp_path, "D", "0", "0"))
    assert any(p.rule == "parcels.delivered_once" and "none of its 2 visits" in p.message for p in problems)


@pytest.mark.component
def test_checker_rejects_an_order_picked_twice(split_plan, tmp_path):
    """The litchi listed again in orders.csv, served by D at V as well."""
    out = _copy(split_plan, tmp_path)
    t = Table(out / "orders.csv")
    t.rows.append(list(t.rows[t.one(order_id="LZ")]))
    t.set(len(t.rows) - 1, "vehicle_id", "D")
    t.save()
    assert "orders.listed_once" in _rules_of(check_folder(reefer_and_van(True), out))


@pytest.mark.component
def test_checker_rejects_two_visits_of_one_truck(split_plan, tmp_path):
    """Split visits are across trucks: D visiting V twice in its run is still refused."""
    out = _copy(split_plan, tmp_path)
    t = Table(out / "routes.csv")
    _hub, visit, back = t.where(vehicle_id="D")
    t.set(back, "stop_seq", "3")
    t.rows.insert(back, list(t.rows[visit]))  # the copy takes the hub row's place, before it
    t.set(back, "stop_seq", "2")
    t.set(back, "parcels_dropped", "0")
    t.set(back, "parcel_kg_dropped", "0")
    t.save()
    problems = check_folder(reefer_and_van(True), out)
    assert any(p.rule == "routes.site_once" and "twice by D" in p.message for p in problems)


@pytest.mark.unit
def test_routes_given_with_a_pickup_only_visit_write_and_check_clean(tmp_path):
    """Another program's plan for the reefer-and-van day: D drops at V, R only picks up there.
    Timed, written and checked like any plan: 230 + 230 = 460 CNY. Given without the
    pickup-only mark, R would drop V's parcels as well (R breaks its payload, kept as driven),
    and the checker finds the parcels delivered twice."""
    from coldchain.output.report import kpis
    from coldchain.planner.imported import plan_from_routes

    sc = reefer_and_van(True)
    got = plan_from_routes(sc, [["V"], ["V"]], picks=[{}, {"V": ["LZ"]}], pickup_only=[[], ["V"]])
    assert kpis(got)["total_cost_cny"] == pytest.approx(460.0)
    write_plan(got, tmp_path / "ok", map_png=False)
    assert check_folder(sc, tmp_path / "ok") == []
    twice = plan_from_routes(sc, [["V"], ["V"]], picks=[{}, {"V": ["LZ"]}], strict=False)
    write_plan(twice, tmp_path / "twice", map_png=False)
    assert "parcels.delivered_once" in _rules_of(check_folder(sc, tmp_path / "twice"))


@pytest.mark.integration
def test_the_sample_day_gains_from_split_visits(tmp_path):
    """The sample day with ``split_visits = true`` (auto chooses search; 20 s): the plan keeps
    every rule by the checker and costs less than the proved optimum without splits, 6,314.32
    CNY (README), so at least one site is visited by two trucks (measured: 3,961.75 CNY, D1
    drops 红岭村's parcels and takes LZ-002, SF1 fetches LZ-003 later)."""
    import shutil

    folder = tmp_path / "day"
    skip = shutil.ignore_patterns("county-*", "whatif", "orders-demo")
    shutil.copytree(Path(__file__).parent.parent / "inputs", folder, ignore=skip)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[rules]\nsplit_visits = true\n", encoding="utf-8")
    sc = read_scenario(folder)
    result, k = solve_and_check(sc, tmp_path, time_limit=20)
    assert k["total_cost_cny"] < 6314.32 - 1.0
    assert k["parcels_delivered"] == sum(p.parcel_count for p in sc.parcels)
    sites = [result.instance.nodes[i] for r in result.routes for i in r.seq]
    assert len(sites) > len(set(sites))


@pytest.mark.unit
def test_a_split_plan_spreads_onto_twins_and_collapses_back():
    """The split plan of the reefer-and-van day (D drops at V, R picks up the litchi there) as a
    MIP start: D at V's own stop, R at V's twin with the litchi's copy; read back, the same plan,
    R's visit pickup-only, 460 CNY."""
    from coldchain.model.twins import collapse, expand, spread
    from coldchain.planner.imported import plan_from_routes

    sc = reefer_and_van(True)
    given = plan_from_routes(sc, [["V"], ["V"]], picks=[{}, {"V": ["LZ"]}], pickup_only=[[], ["V"]])
    inst = given.instance
    tw = expand(inst)
    on_twins = spread(tw, list(given.routes))
    assert [(r.vehicle_id, r.seq, r.picks) for r in on_twins] == [("D", [1], {1: []}), ("R", [2], {2: [1]})]
    assert all(r.ev.feasible for r in on_twins)
    back = collapse(inst, tw, on_twins)
    assert [(r.vehicle_id, r.seq, r.picks, r.pickup_only) for r in back] == [
        ("D", [1], {1: []}, frozenset()),
        ("R", [1], {1: [0]}, frozenset({1})),
    ]
    assert sum(r.cost for r in back) == pytest.approx(460.0)


@pytest.mark.component
@pytest.mark.parametrize("split", [True, False])
def test_must_serve_litchi_makes_the_single_visit_day_infeasible(tmp_path, split):
    """The reefer-and-van day with the litchi must-serve: with split visits, 460 CNY as before
    (the MILP keeps one copy of the order served); without, no truck that can visit V can keep
    the litchi cold, and the compact MILP proves the day infeasible."""
    sc = reefer_and_van(split)
    sc = sc.model_copy(update={"orders": (sc.orders[0].model_copy(update={"must_serve": True}),)})
    result, k = solve_and_check(sc, tmp_path, time_limit=10, method="compact")
    if split:
        assert result.status == SolveStatus.OPTIMAL and k["total_cost_cny"] == pytest.approx(460.0, abs=0.01)
        assert k["orders_served"] == 1
    else:
        assert result.status == SolveStatus.INFEASIBLE
