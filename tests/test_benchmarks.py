"""Benchmark readers follow each BKS.csv convention exactly: the shipped best-known solutions
recompute to their published cost and are feasible routes of the converted coldchain scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from coldchain.apps.benchmarks import (
    bks_cost,
    bks_table,
    read_solomon,
    read_solution,
    read_vrpspdtw,
    solution_cost,
    to_scenario,
)
from coldchain.core.evaluate import evaluate_route
from coldchain.core.instance import build_instance

ROOT = Path(__file__).parent.parent / "bench" / "instances"


def _solomon_cases(folder: str, sols: str, suffix: str):
    bks = bks_table(ROOT / folder / "BKS.csv")
    for sol in sorted((ROOT / folder / sols).glob("*.sol")):
        name = sol.name.split(".")[0]
        if name in bks:
            txt = next((ROOT / folder).glob(f"*/{name}{suffix}"))
            yield pytest.param(txt, sol, float(bks[name]["bks_cost"]), id=f"{folder}-{name}")


SOLOMON = [
    *_solomon_cases("solomon_vrptw_25", "solutions_lkh3", ".25.txt"),
    *_solomon_cases("solomon_vrptw_50", "solutions_lkh3", ".50.txt"),
    *_solomon_cases("solomon_vrptw_100", "solutions_cvrplib_distance", ".txt"),
]
WC_BKS = bks_table(ROOT / "vrpspdtw_wang_chen" / "BKS.csv")


WANG_CHEN = [
    pytest.param(ROOT / "vrpspdtw_wang_chen" / f"{p.stem}.vrpspdtw", p, bks_cost(WC_BKS[p.stem]), id=p.stem)
    for p in sorted((ROOT / "vrpspdtw_wang_chen" / "solutions_lkh3").glob("*.sol"))
    if p.stem in WC_BKS
]


@pytest.mark.unit
def test_every_suite_is_present():
    """All Solomon solutions shipped (56 + 55 + 56) and the Wang-Chen ones are found."""
    assert len(SOLOMON) == 56 + 55 + 56
    assert len(WANG_CHEN) >= 50


@pytest.mark.unit
@pytest.mark.parametrize(("txt", "sol", "bks"), SOLOMON)
def test_solomon_bks_cost(txt, sol, bks):
    """Truncated-to-one-decimal distances reproduce the published distance-only BKS."""
    inst = read_solomon(txt)
    assert solution_cost(inst, read_solution(sol)) == pytest.approx(bks, abs=1e-6)


@pytest.mark.unit
@pytest.mark.parametrize(("txt", "sol", "bks"), WANG_CHEN)
def test_wang_chen_bks_cost(txt, sol, bks):
    """Unrounded distances reproduce the BKS (published to two decimals); fleet within VEHICLES."""
    inst = read_vrpspdtw(txt)
    routes = read_solution(sol)
    assert solution_cost(inst, routes) == pytest.approx(bks, abs=0.006)
    assert len(routes) <= inst.vehicles


def _feasible(inst_b, routes) -> float:
    inst = build_instance(to_scenario(inst_b))
    node = {sid: k for k, sid in enumerate(inst.nodes)}
    total = 0.0
    for r in routes:
        seq = [node[f"C{c}"] for c in r]
        picks = {i: list(inst.stop(i).orders) for i in seq}
        ev = evaluate_route(inst, 0, seq, picks)
        assert ev.feasible, (r, ev.reason)
        total += ev.km
    return total


@pytest.mark.unit
@pytest.mark.parametrize(("txt", "sol", "bks"), [c for c in SOLOMON if "_25-" in c.id][:12])
def test_solomon_bks_is_feasible_in_coldchain(txt, sol, bks):
    """The BKS routes keep every coldchain rule on the converted scenario (windows, capacity)."""
    inst = read_solomon(txt)
    assert _feasible(inst, read_solution(sol)) == pytest.approx(bks, abs=1e-6)


@pytest.mark.unit
@pytest.mark.parametrize(("txt", "sol", "bks"), WANG_CHEN)
def test_wang_chen_bks_is_feasible_in_coldchain(txt, sol, bks):
    """Simultaneous pickup and delivery: with the columns read as (pickup, delivery) every BKS
    route fits the payload at every point; read the other way round, some would not (next test)."""
    inst = read_vrpspdtw(txt)
    assert _feasible(inst, read_solution(sol)) == pytest.approx(bks, abs=0.006)


@pytest.mark.component
def test_swapping_delivery_and_pickup_breaks_some_bks_route():
    """The column order matters and is pinned: swapped, some BKS route overloads a truck."""
    from dataclasses import replace

    broken = 0
    for case in WANG_CHEN:
        txt, sol, _ = case.values
        inst = read_vrpspdtw(txt)
        swapped = replace(inst, delivery=inst.pickup, pickup=inst.delivery)
        try:
            _feasible(swapped, read_solution(sol))
        except AssertionError:
            broken += 1
    assert broken > 0


@pytest.mark.component
def test_reported_objective_matches_the_plan_with_an_optimal_mip_start():
    """Regression: with the heuristic's (optimal) MIP start, HiGHS reported -13183.3 for C201.25
    whose plan costs 214.7; the outcome must report the plan's true objective and bound."""
    from coldchain.core.outcome import SolveOptions
    from coldchain.core.plan import PlanOptions
    from coldchain.planner.plan import plan

    b = read_solomon(ROOT / "solomon_vrptw_25" / "solomon_txt" / "C201.25.txt")
    result = plan(to_scenario(b), PlanOptions(solve=SolveOptions(time_limit_s=20, threads=1), method="compact"))
    assert result.outcome.objective == pytest.approx(214.7, abs=1e-6)
    assert result.outcome.bound == pytest.approx(214.7, abs=0.01)
    assert sum(r.ev.km for r in result.routes if r.seq) == pytest.approx(214.7, abs=1e-6)


@pytest.mark.unit
def test_plan_from_routes_passes_the_checker_and_rejects_broken_routes(tmp_path):
    """Another solver's routes become a checked coldchain plan; a route that breaks a window is
    refused with the rule it breaks, and a plan that skips a customer is refused too."""
    from coldchain.check import check_folder
    from coldchain.output.report import write_plan
    from coldchain.planner.plan import plan_from_routes

    folder = ROOT / "solomon_vrptw_25"
    b = read_solomon(folder / "solomon_txt" / "C101.25.txt")
    routes = read_solution(folder / "solutions_lkh3" / "C101.25.sol")
    scenario = to_scenario(b)
    p = plan_from_routes(scenario, [[f"C{c}" for c in r] for r in routes])
    write_plan(p, tmp_path / "p", map_png=False)
    assert check_folder(scenario, tmp_path / "p") == []
    assert sum(r.ev.km for r in p.routes if r.seq) == pytest.approx(191.3)
    with pytest.raises(ValueError, match="window"):
        plan_from_routes(
            scenario, [[f"C{c}" for c in reversed(routes[0])], *[[f"C{c}" for c in r] for r in routes[1:]]]
        )
    with pytest.raises(ValueError, match="not visited: C"):
        plan_from_routes(scenario, [[f"C{c}" for c in r] for r in routes[1:]])


@pytest.mark.component
def test_route_search_never_loses_a_parcel_stop():
    """Every parcel stop is on a route or reported unplaced. rcdp5004's stop C39 has parcels and no
    pickup; the first construction cannot place it (6 trucks, tight windows). Before the fix, a
    stop left out by one ruin-and-recreate move was never offered again, and the search returned
    a plan without C39 and an empty ``unplaced`` (731.35, below the BKS 733.21)."""
    from coldchain.search.insertion import solve_heuristic

    inst = build_instance(to_scenario(read_vrpspdtw(ROOT / "vrpspdtw_wang_chen" / "rcdp5004.vrpspdtw")))
    for seed in range(2):
        h = solve_heuristic(inst, 1.0, seed)
        visited = {i for r in h.routes for i in r.seq}
        lost = [st.node for st in inst.stops if st.mandatory and st.node not in visited and st.node not in h.unplaced]
        assert lost == []
        assert len(h.unplaced) == len(set(h.unplaced))
