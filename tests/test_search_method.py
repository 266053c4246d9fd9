"""The search method's bound and repeatability: the degree bound (`coldchain.colgen.degree_bound`:
hand-derived values, below proved optima, the bound a search plan carries when the arc LP does
not fit its time), and the same plan whatever the clock left for planning."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import build, parcels, site, truck

from coldchain import PlanOptions, SolveOptions, plan_day, read_scenario, write_plan
from coldchain.check import check_folder
from coldchain.colgen.degree_bound import degree_bound
from coldchain.core.instance import build_instance
from coldchain.planner import by_search

ROOT = Path(__file__).parent.parent
SAMPLE_OPTIMUM = 6314.32  # the sample day's proved optimum (README; the route method proves it)


@pytest.mark.unit
def test_one_stop_day_is_tight():
    """V is 30 km and 30 min from the hub with 100 kg of parcels; D costs 100 a day, 1 CNY/km
    and 60 CNY/h, so an arc of d km and d min costs 2d. The only plan H-V-H costs 100 + 60 + 60 =
    220. The bound: fixed max(100 kg x 100/1000, 100) = 100; V half its cheapest arc in and out,
    (60 + 60) / 2 = 60; the hub, one truck, (60 + 60) / 2 = 60: 220, the optimum."""
    day = build([site("V")], {("H", "V"): 30}, [truck("D")], parcel_lines=[parcels("V", 100)])
    assert degree_bound(build_instance(day)) == pytest.approx(220.0)


@pytest.mark.unit
def test_two_stops_count_the_short_leg_between_them():
    """V1 and V2 are 30 from the hub and 10 apart, 100 kg each, one truck as above. The best
    plan H-V1-V2-H costs 100 + 2 x 70 = 240. The bound: fixed 100; each stop's cheapest arc in and
    out is the 10-unit leg (cost 20): (20 + 20 + 20 + 20) / 2 = 40; the hub (60 + 60) / 2 = 60:
    200, below 240 (it does not see that a route must go out and come back through both)."""
    day = build(
        [site("V1"), site("V2")],
        {("H", "V1"): 30, ("H", "V2"): 30, ("V1", "V2"): 10},
        [truck("D")],
        parcel_lines=[parcels("V1", 100), parcels("V2", 100)],
    )
    assert degree_bound(build_instance(day)) == pytest.approx(200.0)


@pytest.mark.unit
def test_below_the_sample_days_proved_optimum():
    """The sample day: the bound (with the 1,200 CNY of milk no truck can bring in time) lies
    below the proved optimum."""
    b = degree_bound(build_instance(read_scenario(ROOT / "inputs")))
    assert 1200.0 < b <= SAMPLE_OPTIMUM


@pytest.mark.component
@pytest.mark.parametrize("late_lp", [False, True])
def test_a_search_plan_too_large_for_the_arc_lp_up_front(tmp_path, monkeypatch, late_lp):
    """With the arc LP judged too large for any day up front, the search method's plan of the
    ordinary county day still has a bound and a gap, and passes the checker (whose kpis.bound rule
    keeps the bound below the plan): the degree bound, named in the notes, when no seconds are
    left for the arc LP once the plan is final; else the better of it and the arc LP run last,
    by arc generation (named in the notes)."""
    monkeypatch.setattr(by_search, "BOUND_ARCS_PER_S", 1.0)
    if late_lp:  # seconds for it after the search, even on a busy machine
        monkeypatch.setattr(by_search, "DAY_SEARCH_SHARE", 0.3)
        monkeypatch.setattr(by_search, "LATE_BOUND_SHARE", 0.5)
    else:
        monkeypatch.setattr(by_search, "LATE_BOUND_MIN_S", 1e9)
    s = read_scenario(ROOT / "inputs" / "county-ordinary")
    p = plan_day(s, PlanOptions(solve=SolveOptions(time_limit_s=12 if late_lp else 8, threads=1), method="search"))
    degree = degree_bound(build_instance(s))
    if late_lp:
        assert p.outcome.bound > degree
        assert any("arc generation after the plan" in n for n in p.notes)
    else:
        assert p.outcome.bound == pytest.approx(degree)
        assert any("degree bound" in n for n in p.notes)
    assert 0 < p.outcome.bound < p.cost and 0 < p.outcome.gap < 1
    write_plan(p, tmp_path, map_png=False)
    assert check_folder(s, tmp_path) == []


@pytest.mark.component
def test_the_search_repeats_under_a_different_clock():
    """The same day and seed planned with 8 s and with 9 s left, both sized by the same
    repeat_limit_s (as the CLI sets it from --time-limit, whatever reading took), run the same
    number of search iterations and give the same cost."""
    s = read_scenario(ROOT / "inputs" / "county-ordinary")

    def run(left: float):
        p = plan_day(
            s, PlanOptions(solve=SolveOptions(time_limit_s=left, threads=1, repeat_limit_s=8), method="search")
        )
        (note,) = [n for n in p.notes if "SISR" in n]
        return p.cost, note.split("SISR, ")[1].split(" ")[0]

    assert run(8.0) == run(9.0)
