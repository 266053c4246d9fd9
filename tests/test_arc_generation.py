"""The arc LP bound by arc generation (`coldchain.colgen.arc_bound.lower_bound` with ``nearest``),
which lets the bound run on a full county day: the arcs on arrays are `Instance.arcs`, and the
bound stays below the proved optimum and the hand-derived values whether it starts from every arc
or from one per stop."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import build, parcels, site, truck

from coldchain.colgen.arc_bound import arc_arrays, lower_bound
from coldchain.colgen.degree_bound import degree_bound
from coldchain.core.instance import build_instance
from coldchain.core.outcome import SolveOptions, SolveStatus
from coldchain.core.plan import PlanOptions
from coldchain.planner.plan import plan
from coldchain.scenario.read import read_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.unit
@pytest.mark.parametrize("day", ["inputs", "tests/data/tiny"])
def test_arc_arrays_are_the_instances_arcs(day):
    """Same arcs, same order, for every type (the LP's column layout depends on it)."""
    inst = build_instance(read_scenario(ROOT / day))
    for t in inst.types:
        i, j = arc_arrays(inst, t.index)
        assert list(zip(i.tolist(), j.tolist())) == inst.arcs(t.index)


@pytest.mark.component
def test_arc_generation_bound_lies_between_the_degree_bound_and_the_optimum():
    """The tiny day's optimum is proved by the compact MILP; starting from one arc per stop (so
    arc generation must free the arcs the LP wants) or from every arc, the bound is valid, and
    at least the degree bound (the LP's degree rows and fleet cost are the degree bound's, and
    more)."""
    s = read_scenario(ROOT / "tests" / "data" / "tiny")
    exact = plan(s, PlanOptions(solve=SolveOptions(time_limit_s=30, threads=1), method="compact"))
    assert exact.status == SolveStatus.OPTIMAL
    inst = build_instance(s)
    full = lower_bound(inst, time_limit_s=5)
    for nearest in (1, 2):
        b = lower_bound(inst, time_limit_s=5, nearest=nearest)
        assert b is not None and b.proved
        assert degree_bound(inst) - 1e-6 <= b.value <= exact.cost + 1e-6
        assert b.value == pytest.approx(full.value, rel=0.02)  # the same LP, cuts found maybe in another order


@pytest.mark.component
def test_arc_generation_bound_of_a_leg_below_the_solvers_tolerance():
    """Village V 1e-10 km and minutes from the hub: the one run H-V-H costs the fixed 100 CNY and
    2e-10 of km and time, so the bound is 100, from the hub's arcs alone as from every arc."""
    sc = build([site("V")], {("H", "V"): 1e-10}, [truck("D")], parcel_lines=[parcels("V", 10)])
    b = lower_bound(build_instance(sc), time_limit_s=5, nearest=1)
    assert b is not None and b.value == pytest.approx(100.0, abs=1e-6)
