"""The compiled route search (coldchain.search.sisr): its O(1) insertion test against the exact route
evaluator, and small plans worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from coldchain.apps.benchmarks import BenchInstance, read_solomon, read_vrpspdtw, to_scenario
from coldchain.core.arrays import Column
from coldchain.core.evaluate import evaluate_route
from coldchain.core.instance import build_instance
from coldchain.search.sisr import search_plan

ROOT = Path(__file__).resolve().parents[1] / "bench" / "instances"


def _bench(xy, delivery, pickup, ready, due, capacity, vehicles) -> BenchInstance:
    n = len(xy)
    return BenchInstance("t", tuple(xy), tuple(delivery), tuple(pickup), tuple(ready), tuple(due), (0.0,) * n,
                         capacity, vehicles, "double")  # fmt: skip


def _exact(inst, c: Column):
    return evaluate_route(inst, c.k, list(c.seq), {i: list(inst.stop(i).orders) for i in c.seq})


@pytest.mark.compiled
def test_search_finds_the_triangle_optimum():
    """Hub at the centre of an equilateral triangle of radius 10 (side 10√3), one parcel each,
    payload 2: a pair route costs 20 + 10√3, a single 20, and no truck takes all three. The best
    plan is one pair and one single, 40 + 10√3 = 57.32; started from three singles (60) too."""
    xy = [(0.0, 0.0)] + [(10 * math.cos(a), 10 * math.sin(a)) for a in (math.pi / 2, 7 * math.pi / 6, 11 * math.pi / 6)]
    inst = build_instance(to_scenario(_bench(xy, [0, 1, 1, 1], [0] * 4, [0] * 4, [1000] * 4, 2, 3)))
    for start in (None, [Column(0, (i,), 20.0) for i in (1, 2, 3)]):
        found = search_plan(inst, 0.3, seed=1, start=start)
        assert found.unplaced == 0
        assert found.cost == pytest.approx(40 + 10 * math.sqrt(3), abs=1e-6)
        assert sorted(len(c.seq) for c in found.routes) == [1, 2]


@pytest.mark.compiled
def test_the_load_peak_counts_parcels_still_on_board_and_pickups_already_made():
    """On a line: hub at 0, A at 10 picks up 2 kg (and closes at 15), B at 20 takes 2 parcels;
    payload 3. Hub→A→B→hub (40 km) keeps A's window but leaves with B's 2 parcels and picks up 2
    at A: 4 > 3 on board. Hub→B→A reaches A at 30, after it closes. So each needs its own truck:
    20 + 40 = 60 with two trucks; with one truck a stop is left out. A check that looked only at
    total deliveries or total pickups (2 and 2, both ≤ 3) would drive the 40 km route."""
    xy = [(0.0, 0.0), (10.0, 0.0), (20.0, 0.0)]
    for trucks, cost, unplaced in ((2, 60.0, 0), (1, None, 1)):
        inst = build_instance(to_scenario(_bench(xy, [0, 0, 2], [0, 2, 0], [0] * 3, [1000, 15, 1000], 3, trucks)))
        found = search_plan(inst, 0.2, seed=0)
        assert found.unplaced == unplaced
        if cost is not None:
            assert found.cost == pytest.approx(cost)
            assert sorted(c.seq for c in found.routes) == [(1,), (2,)]
        for c in found.routes:
            assert _exact(inst, c).feasible


@pytest.mark.compiled
@pytest.mark.parametrize(
    "path",
    [
        ROOT / "solomon_vrptw_25" / "solomon_txt" / "RC201.25.txt",
        ROOT / "solomon_vrptw_25" / "solomon_txt" / "R105.25.txt",
        ROOT / "vrpspdtw_wang_chen" / "rcdp2504.vrpspdtw",
    ],
)
def test_every_route_it_keeps_is_one_the_exact_evaluator_accepts_at_the_same_cost(path):
    """The search's O(1) insertion test (windows, shift, the load peak with deliveries and
    pickups on board) must agree with `coldchain.core.evaluate.evaluate_route`: every route of its plan
    and of its pool is feasible there, at the cost the search booked, and the plan visits every
    customer once."""
    bench = read_vrpspdtw(path) if path.suffix == ".vrpspdtw" else read_solomon(path)
    inst = build_instance(to_scenario(bench))
    found = search_plan(inst, 0.5, seed=3)
    assert found.unplaced == 0
    assert sorted(i for c in found.routes for i in c.seq) == list(range(1, inst.n + 1))
    assert len(found.routes) <= bench.vehicles
    assert found.pool
    for c in (*found.routes, *found.pool[:300]):
        ev = _exact(inst, c)
        assert ev.feasible, c
        assert ev.cost == pytest.approx(c.cost, abs=1e-6)
