"""Column generation and branch-and-price (coldchain.colgen.tree) on instances with a hand-derived optimum."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from builders import build, order, parcels, site, solve_and_check, truck

from coldchain.apps.benchmarks import BenchInstance, read_solomon, to_scenario
from coldchain.colgen.labelling import completion, enumerate_routes, label
from coldchain.colgen.tree import (
    _arc_bounds,
    _ColumnGeneration,
    _Cuts,
    branch_and_price,
    cost_grid,
    round_up,
    route_bound,
    warm_up,
)
from coldchain.core.arrays import Column, TypeData
from coldchain.core.instance import build_instance
from coldchain.core.outcome import SolveStatus
from coldchain.planner.registry import routes_apply

ROOT = Path(__file__).resolve().parents[1] / "bench" / "instances"


def _bench(xy, delivery, pickup, ready, due, capacity, vehicles=3) -> BenchInstance:
    n = len(xy)
    return BenchInstance("t", tuple(xy), tuple(delivery), tuple(pickup), tuple(ready), tuple(due), (0.0,) * n,
                         capacity, vehicles, "double")  # fmt: skip


def _triangle() -> BenchInstance:
    """Hub at the centre of an equilateral triangle of three customers, radius 10 (side 10√3),
    one unit each, payload 2, wide windows."""
    xy = [(0.0, 0.0)] + [(10 * math.cos(a), 10 * math.sin(a)) for a in (math.pi / 2, 7 * math.pi / 6, 11 * math.pi / 6)]
    return _bench(xy, [0, 1, 1, 1], [0, 0, 0, 0], [0] * 4, [1000] * 4, capacity=2)


@pytest.mark.compiled
def test_root_lp_is_the_half_pairs_solution_of_the_triangle():
    """Triangle: a pair route costs 10 + 10√3 + 10, a single 20; payload 2 forbids all three on one
    truck. The LP takes every pair at 1/2: 1.5 (20 + 10√3) = 30 + 15√3 = 55.98; no plan does better
    because each route covers at most two customers and a pair is cheaper per customer."""
    rb = route_bound(build_instance(to_scenario(_triangle())), time_limit_s=10)
    assert rb.solved
    assert rb.value == pytest.approx(30 + 15 * math.sqrt(3), abs=1e-6)


@pytest.mark.compiled
@pytest.mark.parametrize("strong", [False, True])
def test_branch_and_price_closes_the_triangle_gap(strong):
    """The best plan is one pair and one single: 20 + 10√3 + 20 = 40 + 10√3 = 57.32, above the LP
    (55.98); without cuts or route enumeration, branching on an arc must prove it. Started from a
    worse plan (three singles, 60), it must find the optimum and a bound equal to it, with the arc
    nearest 0.5 or by strong branching."""
    inst = build_instance(to_scenario(_triangle()))
    singles = [Column(0, (i,), 20.0) for i in (1, 2, 3)]
    bp = branch_and_price(inst, singles, 60.0, time_limit_s=10, cuts=False, strong=strong, enumeration=False)
    assert bp.cost == pytest.approx(40 + 10 * math.sqrt(3), abs=1e-6)
    assert bp.bound == pytest.approx(bp.cost, abs=1e-6)
    assert bp.nodes > 1
    assert sorted(len(c.seq) for c in bp.columns) == [1, 2]


@pytest.mark.compiled
def test_a_subset_row_cut_closes_the_triangle_at_the_root():
    """The three half pairs violate the subset-row cut over the three customers (each pair visits
    two of them: 3 · 1/2 = 1.5 > 1). With the cut at most one pair is driven, so the LP is one
    pair and one single, 40 + 10√3, the integer optimum: branch-and-price proves it at the root,
    and pricing must charge the cut's dual for a route's second customer of the three (else it
    would find the pairs negative again and never stop)."""
    inst = build_instance(to_scenario(_triangle()))
    rb = route_bound(inst, time_limit_s=10, cuts=True)
    assert rb.value == pytest.approx(40 + 10 * math.sqrt(3), abs=1e-6)
    bp = branch_and_price(inst, [Column(0, (i,), 20.0) for i in (1, 2, 3)], 60.0, time_limit_s=10)
    assert bp.cost == pytest.approx(40 + 10 * math.sqrt(3), abs=1e-6)
    assert bp.bound == pytest.approx(bp.cost, abs=1e-6) and bp.nodes == 1


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_strong_branching_measures_both_children_of_the_triangle():
    """Triangle with the master holding the three pairs in one orientation (0-1-2-0, 0-2-3-0,
    0-3-1-0) and the singles: the LP drives each pair at 1/2, 30 + 15√3, and every arc carries
    1/2. Banning a pair's arc or forcing it leaves one pair plus a single in reach (e.g. forcing
    1→2 bans 1→hub, 1→3, hub→2, 3→2, so 0-3-1-0, 0-2-3-0 and the singles of 1 and 2 go), so
    each child's master LP is 40 + 10√3 and both rise by 10 - 5√3 = 1.34. Afterwards the node's
    LP must be as before (the bans are undone)."""
    inst = build_instance(to_scenario(_triangle()))
    cg = _ColumnGeneration(inst, None, 1)
    td = cg.types[0]
    cg.master.add([Column(0, seq, td.route_cost(seq)) for seq in ((1, 2), (2, 3), (3, 1))])
    cg.restrict(frozenset())
    lp = cg.master.solve()[0]
    assert lp == pytest.approx(30 + 15 * math.sqrt(3), abs=1e-6)
    x, _ = cg.flows()
    arcs = sorted(a for a, v in x.items() if 1e-6 < v < 1 - 1e-6)
    assert len(arcs) == 9
    arc, rises = cg.strong_branch(arcs, lp, math.inf)
    assert arc in arcs
    assert rises == pytest.approx([10 - 5 * math.sqrt(3)] * 2, abs=1e-6)
    assert cg.master.solve()[0] == pytest.approx(lp, abs=1e-6)


@pytest.mark.compiled
def test_cut_loop_runs_at_most_the_rounds_asked_for():
    """Triangle at its root LP (the three half pairs, 30 + 15√3): no round leaves the LP as it
    is; one round adds the subset-row cut over the three customers, and column generation under
    it reaches one pair and one single, 40 + 10√3 (what `NODE_CUT_ROUNDS` buys at a node)."""
    inst = build_instance(to_scenario(_triangle()))
    for rounds, want in [(0, 30 + 15 * math.sqrt(3)), (1, 40 + 10 * math.sqrt(3))]:
        cg = _ColumnGeneration(inst, None, 1)
        status, lp, _ = cg.solve(frozenset(), math.inf)
        assert status == "solved" and lp == pytest.approx(30 + 15 * math.sqrt(3), abs=1e-6)
        status, lp, _ = cg.cut_loop(frozenset(), math.inf, math.inf, lp, rounds)
        assert status == "solved" and lp == pytest.approx(want, abs=1e-6)
        assert len(cg.master.cuts.sets) == rounds


@pytest.mark.compiled
def test_completion_bounds_on_the_triangle():
    """Triangle (arcs to the hub 10, between customers 10√3), dual 25 on customer 2 only. From
    customer 1 the cheapest finish is 1-2-hub: 10√3 - 25 + 10 = 10√3 - 15 = 2.32 (straight home
    is 10; every detour out of 2 and back costs 20√3 - 25 > 0). From 2 it is straight home, 10.
    The bound may not rise before the window closes, and is infinite after it (1,000)."""
    inst = build_instance(to_scenario(_triangle()))
    td = TypeData(inst, 0)
    pi = np.array([0.0, 0.0, 25.0, 0.0])
    f = completion(*td.arc_arrays(), float(td.end), pi, td.succ_ptr, td.succ_idx, td.allowed)
    assert f[1, 0] == pytest.approx(10 * math.sqrt(3) - 15, abs=1e-9)
    assert f[2, 0] == pytest.approx(10.0, abs=1e-9)
    assert f[1, 500] == pytest.approx(f[1, 0]) and math.isinf(f[1, 1001])


@pytest.mark.compiled
def test_arc_bounds_on_the_triangle():
    """Triangle (hub arcs 10, side a = 10√3 = 17.32, payload 2), dual 30 on customer 1 only, gap
    10. Completion bounds: from 1 straight home, 10; from 2 (or 3) via 1, a - 30 + 10 = -2.68.
    Labels from the hub: at 1 with reduced cost -20, at 2 and 3 with 10. Each arc's bound is the
    least label-plus-arc-plus-completion over the labels that drive it:
    hub→1 and 1→hub: -20 + 10 = -10 (the single route of 1);
    hub→2: 10 - 2.68 = 7.32; 2→hub: the label at 2 via 1, -20 + a = -2.68, plus 10 = 7.32;
    1→2: -20 + a - 2.68 = -5.36; 2→1: 10 + a - 30 + 10 = 7.32;
    2→3: 10 + a - 2.68 = 24.64, clipped to the gap (via 1 the payload is full).
    So gap 10 fixes only 2→3 and 3→2; gap 7 also every arc touching 2 or 3 but 1→2 and 1→3."""
    inst = build_instance(to_scenario(_triangle()))
    td = TypeData(inst, 0)
    a = 10 * math.sqrt(3)
    b = _arc_bounds(td, [0.0, 30.0, 0.0, 0.0], 0.0, 10.0, math.inf)
    want = {(0, 1): -10, (1, 0): -10, (0, 2): a - 10, (2, 0): a - 10, (1, 2): 2 * a - 40, (2, 1): a - 10, (2, 3): 10}
    k = {2: 3, 3: 2}
    for (i, j), v in want.items():
        assert b[i, j] == pytest.approx(v, abs=1e-9), (i, j)
        assert b[k.get(i, i), k.get(j, j)] == pytest.approx(v, abs=1e-9), "2 and 3 are symmetric"
    arcs = [(i, j) for i in range(4) for j in range(4) if i != j]
    assert {x for x in arcs if b[x] >= 10} == {(2, 3), (3, 2)}
    assert {x for x in arcs if b[x] < 7} == {(0, 1), (1, 0), (1, 2), (1, 3)}


@pytest.mark.compiled
def test_route_enumeration_lists_every_route_below_the_gap():
    """Triangle root LP 30 + 15√3: the three pairs at 1/2 fix every cover dual at 10 + 5√3 (the
    fleet row has slack, dual 0). Reduced costs: a pair 20 + 10√3 - 2(10 + 5√3) = 0, a single
    20 - (10 + 5√3) = 10 - 5√3 = 1.34; three customers exceed the payload. Below an incumbent of
    60 (gap 4.02) every single and pair qualifies, one route per set of stops: six. Below the
    optimum 40 + 10√3 (gap 10 - 5√3, exactly a single's) only the three pairs do."""
    inst = build_instance(to_scenario(_triangle()))
    cg = _ColumnGeneration(inst, None, 1)
    status, lp, _ = cg.solve(frozenset(), math.inf)
    assert status == "solved" and lp == pytest.approx(30 + 15 * math.sqrt(3), abs=1e-6)
    wide = cg.routes_below(lp, 60.0, math.inf)
    assert sorted(sorted(c.seq) for c in wide) == [[1], [1, 2], [1, 3], [2], [2, 3], [3]]
    assert sorted(c.cost for c in wide) == pytest.approx([20] * 3 + [20 + 10 * math.sqrt(3)] * 3)
    tight = cg.routes_below(lp, 40 + 10 * math.sqrt(3) - 1e-6, math.inf)
    assert sorted(sorted(c.seq) for c in tight) == [[1, 2], [1, 3], [2, 3]]


@pytest.mark.compiled
def test_route_enumeration_closes_the_triangle_at_the_root():
    """Without cuts the triangle's root LP (55.98) is below the optimum 40 + 10√3 = 57.32, yet
    enumeration closes it at the root: from three singles (60) set partitioning over the six
    routes below the gap finds one pair and one single; given the optimum as incumbent, the three
    pairs left below the gap cannot cover three customers, which proves it (no better plan)."""
    inst = build_instance(to_scenario(_triangle()))
    opt = 40 + 10 * math.sqrt(3)
    bp = branch_and_price(inst, [Column(0, (i,), 20.0) for i in (1, 2, 3)], 60.0, time_limit_s=10, cuts=False)
    assert bp.nodes == 1 and bp.cost == pytest.approx(opt, abs=1e-6) and bp.bound == pytest.approx(opt, abs=1e-6)
    assert sorted(len(c.seq) for c in bp.columns) == [1, 2]
    bp = branch_and_price(inst, [Column(0, (i,), 20.0) for i in (1, 2, 3)], opt, time_limit_s=10, cuts=False)
    assert bp.nodes == 1 and bp.columns is None and bp.bound == pytest.approx(opt, abs=1e-6)


@pytest.mark.compiled
def test_branch_and_price_reports_the_routes_enumeration_settled_it_with():
    """The triangle without cuts, as above: from three singles (60) the root's set partitioning
    runs over the six routes below the gap, from the optimum 40 + 10√3 over the three pairs;
    with enumeration off, none. No arc is fixed (enumeration settles the root first)."""
    inst = build_instance(to_scenario(_triangle()))
    singles = [Column(0, (i,), 20.0) for i in (1, 2, 3)]
    got = [
        branch_and_price(inst, singles, incumbent, time_limit_s=10, cuts=False, enumeration=on)
        for incumbent, on in ((60.0, True), (40 + 10 * math.sqrt(3), True), (60.0, False))
    ]
    assert [bp.enumerated for bp in got] == [6, 3, 0]
    assert [bp.fixed_arcs for bp in got[:2]] == [0, 0]


@pytest.mark.compiled
def test_warm_up_compiles_what_pricing_calls():
    """`warm_up` runs before any deadline starts; it must compile the very specialisation that
    pricing and route enumeration then call (else the first call compiles again, on the clock):
    after a solve and a branch-and-price that enumerates, each compiled loop has exactly one
    signature."""
    warm_up()
    inst = build_instance(to_scenario(_triangle()))
    route_bound(inst, time_limit_s=10, cuts=True)
    branch_and_price(inst, [Column(0, (i,), 20.0) for i in (1, 2, 3)], 60.0, time_limit_s=10, cuts=False)
    assert len(label.signatures) == 1 and len(completion.signatures) == 1
    assert len(enumerate_routes.signatures) == 1


@pytest.mark.unit
def test_limited_memory_cut_coefficients():
    """Cut over stops {1, 2, 3} with memory {1, 2, 3, 4}: a route pays at every second visit to the
    three while it stays in the memory. (1, 4, 2): 1; (1, 5, 2): 0 (5 is outside, the visit to 1
    is forgotten); (1, 2, 3): 1 (floor 3/2); (1, 2, 1, 2), an ng-route with a cycle: 2; (4, 1): 0."""
    cuts = _Cuts(7)
    cuts.sets, cuts.memory = [(1, 2, 3)], [frozenset({1, 2, 3, 4})]
    got = [cuts.coefficients(r)[0] for r in [(1, 4, 2), (1, 5, 2), (1, 2, 3), (1, 2, 1, 2), (4, 1)]]
    assert got == [1, 0, 1, 2, 0]


@pytest.mark.compiled
def test_labels_keep_the_payload_with_deliveries_and_pickups_on_board():
    """Hub (0,0); A (10,0) receives 6 kg; B (10,1) hands over 6 kg; payload 6. Windows: B by time
    15, A from time 20. One truck must visit B first (A then B misses B's window), and leaving
    with A's 6 kg it cannot take B's 6 kg. So two trucks: 2·10 + 2·√101 = 40.10. A bound that
    forgot the load on board would allow the one-truck route 10 + 1 + √101 = 21.05."""
    b = _bench([(0, 0), (10, 0), (10, 1)], [0, 6, 0], [0, 0, 6], [0, 20, 0], [200, 100, 15], capacity=6)
    inst = build_instance(to_scenario(b))
    rb = route_bound(inst, time_limit_s=10)
    assert rb.solved and rb.value == pytest.approx(20 + 2 * math.sqrt(101), abs=1e-6)
    # with payload 12 the one-truck route B, A is allowed: 10.05 + 1 + 10 = 21.05
    b12 = _bench([(0, 0), (10, 0), (10, 1)], [0, 6, 0], [0, 0, 6], [0, 20, 0], [200, 100, 15], capacity=12)
    assert route_bound(build_instance(to_scenario(b12)), time_limit_s=10).value == pytest.approx(
        11 + math.sqrt(101), abs=1e-6
    )


@pytest.mark.unit
def test_cost_grid_rounds_bounds_up_on_truncated_distances():
    """Solomon distances are truncated to 0.1, so every plan costs a multiple of 0.1 and a bound of
    546.33 proves 546.4; Wang & Chen distances are unrounded (no grid)."""
    inst = build_instance(to_scenario(read_solomon(ROOT / "solomon_vrptw_25" / "solomon_txt" / "R102.25.txt")))
    assert cost_grid(inst) == pytest.approx(0.1)
    assert round_up(546.333, 0.1) == pytest.approx(546.4)
    assert round_up(546.4, 0.1) == pytest.approx(546.4)
    assert cost_grid(build_instance(to_scenario(_triangle()))) == 0.0


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
@pytest.mark.parametrize(("name", "optimum"), [("R102", 547.1), ("RC101", 461.1)])
def test_solomon_25_proved_by_branch_and_price(name, optimum, tmp_path):
    """R102.25 and RC101.25 (literature optima 547.1 and 461.1; root LP 546.33 and 406.63, so both
    need branching): the default method proves the optimum, and the plan passes the checker."""
    b = read_solomon(ROOT / "solomon_vrptw_25" / "solomon_txt" / f"{name}.25.txt")
    result, _ = solve_and_check(to_scenario(b), tmp_path, time_limit=60, heuristic_s=0.5)
    assert result.status == SolveStatus.OPTIMAL
    assert result.cost == pytest.approx(optimum, abs=1e-6)
    assert result.outcome.bound == pytest.approx(optimum, abs=1e-6)
    assert "branch-and-price" in result.notes[-1]


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
@pytest.mark.parametrize(("name", "optimum"), [("R102", 547.1), ("RC101", 461.1)])
def test_arc_fixing_keeps_every_plan_below_the_incumbent(name, optimum):
    """R102.25 and RC101.25 (literature optima 547.1 and 461.1), without cuts or enumeration so
    that the tree must branch after the root's arc fixing, with an incumbent just 0.2 above the
    optimum (the tightest fixing that must still keep an optimal plan's arcs): the tree must
    fix some arcs, and still find the optimum and prove it."""
    inst = build_instance(to_scenario(read_solomon(ROOT / "solomon_vrptw_25" / "solomon_txt" / f"{name}.25.txt")))
    td = TypeData(inst, 0)
    singles = [Column(0, (i,), td.route_cost((i,))) for i in td.nodes]
    bp = branch_and_price(inst, singles, optimum + 0.2, time_limit_s=60, cuts=False, enumeration=False)
    assert bp.fixed_arcs > 0 and bp.nodes > 1
    assert bp.columns is not None and bp.cost == pytest.approx(optimum, abs=1e-6)
    assert bp.bound == pytest.approx(optimum, abs=1e-6)


def _many_orders_day():
    """Stop A (parcels) with 7 optional orders of 10 kg (100 CNY each), 10 km = 10 min from H; one
    truck (100 fixed, 1 CNY/km, 60 CNY/h)."""
    return build(
        [site("A")], {("H", "A"): 10}, [truck("T1")], [order(f"O{i}", "A", 10) for i in range(7)],
        [parcels("A", 100)],
    )  # fmt: skip


@pytest.mark.unit
def test_supports_names_the_rule_the_labels_do_not_track():
    """Paid drivers, optional pickups and the rest are rules the labels track: such a day is
    supported, as a benchmark day is; a stop with 7 optional orders (2**7 visit options, above
    ``MAX_OPTIONS``) is not, and the reason names the stop."""
    paid = build([site("A")], {("H", "A"): 10}, [truck("T1")], [order("O1", "A", 50)], [parcels("A", 100)])
    assert routes_apply(build_instance(paid)) is None
    assert routes_apply(build_instance(to_scenario(_triangle()))) is None
    assert "stop A has too many pickup orders" in routes_apply(build_instance(_many_orders_day()))


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_route_method_on_an_unsupported_day_falls_back_to_the_search(tmp_path):
    """Asking for the route method on a day it does not apply to (`_many_orders_day`) plans it with
    the search method instead, says so, and the plan passes the checker. Hand optimum: one truck
    H-A-H, 100 fixed + 20 km + 20 min = 140 CNY, taking all seven orders (700 CNY of value)."""
    result, _ = solve_and_check(_many_orders_day(), tmp_path, time_limit=5, method="routes")
    assert any("does not apply" in n for n in result.notes)
    assert result.cost == pytest.approx(140.0, abs=1e-6)


@pytest.mark.unit
def test_ng_memory_allows_a_cycle_only_through_a_stop_that_forgets():
    """Memories: stop 2 remembers 1, stop 3 does not. 1-2-1 is not an ng-route (2 still remembers
    1); 1-3-1 is (3 forgot 1); a route without repeats always is."""
    from coldchain.colgen.tree import _ng_feasible

    ng = [0, 1 << 1, (1 << 2) | (1 << 1), 1 << 3]
    assert not _ng_feasible((1, 2, 1), ng)
    assert _ng_feasible((1, 3, 1), ng)
    assert _ng_feasible((3, 2, 1), ng)


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_growing_the_ng_memories_closes_the_root_gap_of_c204():
    """C204.25 (optimum 213.1): with fixed 8-stop ng-memories the root LP stops at 211.9, because
    it drives routes with cycles; growing the memories where the LP cycles removes them, and the
    root LP reaches 213.1, a proof without branching."""
    inst = build_instance(to_scenario(read_solomon(ROOT / "solomon_vrptw_25" / "solomon_txt" / "C204.25.txt")))
    rb = route_bound(inst, time_limit_s=120)
    assert rb.solved
    assert round_up(rb.value, 0.1) == pytest.approx(213.1, abs=1e-6)


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_routes_method_finds_the_plan_when_the_search_finds_none(monkeypatch, tmp_path):
    """If the route search leaves stops unplaced (a tight fleet), branch-and-price must still
    return the triangle's optimum, 40 + 10√3, proved, from its own routes."""
    import coldchain.planner.by_routes as plan_module
    from coldchain.search.sisr import Found

    monkeypatch.setattr(plan_module, "search_plan", lambda inst, *a, **kw: Found((), 3, math.inf, (), 0))
    result, _ = solve_and_check(to_scenario(_triangle()), tmp_path, time_limit=20)
    assert result.status == SolveStatus.OPTIMAL
    assert result.cost == pytest.approx(40 + 10 * math.sqrt(3), abs=1e-6)


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_routes_method_keeps_the_search_plan_when_the_master_lp_fails(monkeypatch, tmp_path):
    """A solver failure inside branch-and-price is not a crash: the plan is the search's (the
    triangle's search finds the optimum, 40 + 10√3), with the degree bound (valid without any
    LP, below the optimum), and a note says why."""
    import coldchain.planner.by_routes as plan_module
    from coldchain.errors import SolverError

    def fail(*a, **kw):
        raise SolverError("the master LP ended Solve error")

    monkeypatch.setattr(plan_module, "branch_and_price", fail)
    result, _ = solve_and_check(to_scenario(_triangle()), tmp_path, time_limit=5)
    from coldchain.colgen.degree_bound import degree_bound

    assert result.status == SolveStatus.FEASIBLE
    assert result.cost == pytest.approx(40 + 10 * math.sqrt(3), abs=1e-6)
    assert result.outcome.bound == pytest.approx(degree_bound(result.instance)) and result.outcome.bound < result.cost
    assert any("branch-and-price failed" in n for n in result.notes)
    assert any("degree bound" in n for n in result.notes)


@pytest.mark.unit
def test_bks_cost_uses_the_verified_cost_only_when_the_note_names_one():
    """BKS.csv rows whose literature value was not reproduced: rcdp5004 names its verified
    solution's cost (733.21); Solomon 50 R209 names none, so its published 600.6 stands."""
    from coldchain.apps.benchmarks import bks_cost, bks_table

    assert bks_cost(bks_table(ROOT / "vrpspdtw_wang_chen" / "BKS.csv")["rcdp5004"]) == pytest.approx(733.21)
    assert bks_cost(bks_table(ROOT / "solomon_vrptw_50" / "BKS.csv")["R209"]) == pytest.approx(600.6)


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_routes_method_searches_again_when_branch_and_price_proves_nothing(monkeypatch, tmp_path):
    """Phase 3 of the route method: the first search hands over three singles (60) and
    branch-and-price fails, so only the second search from that plan (and the last set
    partitioning) can reach the triangle's optimum, 40 + 10√3; without phase 3 the plan is 60."""
    import coldchain.planner.by_routes as plan_module
    from coldchain.errors import SolverError
    from coldchain.search.sisr import Found, search_plan

    calls = []

    def first_poor(inst, *a, **kw):
        calls.append(kw.get("start"))
        if len(calls) == 1:
            singles = tuple(Column(0, (i,), 20.0) for i in (1, 2, 3))
            return Found(singles, 0, 60.0, singles, 0)
        return search_plan(inst, *a, **kw)

    def fail(*a, **kw):
        raise SolverError("the master LP ended Solve error")

    monkeypatch.setattr(plan_module, "search_plan", first_poor)
    monkeypatch.setattr(plan_module, "branch_and_price", fail)
    result, _ = solve_and_check(to_scenario(_triangle()), tmp_path, time_limit=5)
    assert len(calls) == 2 and sorted(c.seq for c in calls[1]) == [(1,), (2,), (3,)]
    assert result.cost == pytest.approx(40 + 10 * math.sqrt(3), abs=1e-6)
    assert result.status == SolveStatus.FEASIBLE


@pytest.mark.integration
@pytest.mark.usefixtures("compiled_loops")
def test_auto_plans_a_100_customer_benchmark_with_the_route_method(tmp_path):
    """`auto` uses the route method up to ROUTES_MAX_STOPS (200) stops: Solomon C101 with all
    100 customers is planned by the search and branch-and-price (not the pool method), and the
    plan keeps every rule."""
    from coldchain.planner.registry import ROUTES_MAX_STOPS

    bench = read_solomon(ROOT / "solomon_vrptw_100" / "instances" / "C101.txt")
    assert 60 < bench.n <= ROUTES_MAX_STOPS
    result, _ = solve_and_check(to_scenario(bench), tmp_path, time_limit=4)
    assert result.has_routes
    assert any(n.startswith("planned by route search (SISR) and branch-and-price") for n in result.notes)
