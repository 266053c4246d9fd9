"""Pricing labels for the real rules (`coldchain.colgen.visits`, `coldchain.colgen.labelling.label`).

One hand-derived day per rule (optional pickups with their value, a freshness deadline at the
cold store, reefer space, drivers paid by the hour with the departure chosen late), planned by
the route method and checked; a property test of the labels against the exact route evaluator
on random small days; and the route method against ``compact`` on random small county days.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from builders import build, order, parcels, product, site, solve_and_check, truck
from hypothesis import given, settings
from hypothesis import strategies as st

from coldchain.colgen.tree import _label, _route_to, visits_of
from coldchain.colgen.visits import NO_LIMIT
from coldchain.core.arrays import TypeData
from coldchain.core.evaluate import evaluate_route
from coldchain.core.instance import build_instance
from coldchain.planner.registry import routes_apply


def _must(o):
    return o.model_copy(update={"must_serve": True})


def _routes_plan(s, tmp_path, **kw):
    """Plan ``s`` with the route method (it must apply) and check it; the plan must be proved."""
    assert routes_apply(build_instance(s)) is None
    result, k = solve_and_check(s, tmp_path, time_limit=20, method="routes", **kw)
    assert not any("does not apply" in n for n in result.notes), result.notes
    assert result.status.value == "optimal", result.notes
    return result, k


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_optional_pickups_are_taken_when_worth_their_detour(tmp_path):
    """H-A, H-B, A-B 10 km; C is 40 km from everything. Parcels at A; O1 at B worth 50 CNY (5 kg x
    10), O2 at C worth 50. One truck: 100 fixed + 1 CNY/km, drivers not paid by the hour.
    H-A-H costs 120; through B 130 (+10 < 50: take O1); through C +70 > 50 (leave O2).
    Optimum: 130 + 50 (O2 lost) = 180."""
    s = build(
        [site("A"), site("B"), site("C")],
        {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 10, ("H", "C"): 40, ("A", "C"): 40, ("B", "C"): 40},
        [truck("T1", per_h=0)],
        [order("O1", "B", 5), order("O2", "C", 5)],
        [parcels("A", 100)],
    )
    result, _ = _routes_plan(s, tmp_path)
    assert result.cost == pytest.approx(180.0, abs=1e-6)
    served = {result.instance.orders[o].order_id for r in result.routes for os in r.picks.values() for o in os}
    assert served == {"O1"}


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_freshness_deadline_sends_a_second_truck(tmp_path):
    """A (parcels) opens 08:00; O at B is ready 06:00 with a 2 h window: at the cold store by 08:00.
    Legs 10 km = 10 min; trucks leave from 07:00, 100 fixed + 1 CNY/km, not paid by the hour.
    One truck through A and B is back at 08:10 at the earliest (A at 08:00): too late for O. So
    O (1,000 CNY) rides alone: H-B-H back 07:20 (120) and H-A-H (120). Optimum 240 (one truck
    dropping O: 130 + 1,000)."""
    s = build(
        [site("A", open_time="08:00"), site("B")],
        {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 10},
        [truck("T1", per_h=0), truck("T2", per_h=0)],
        [order("O", "B", 100, product="short")],
        [parcels("A", 100)],
        products=[product("short", value=10.0, window_h=2.0)],
    )
    result, _ = _routes_plan(s, tmp_path)
    assert result.cost == pytest.approx(240.0, abs=1e-6)
    assert len([r for r in result.routes if r.seq]) == 2


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_reefer_space_is_a_second_capacity(tmp_path):
    """Two chilled orders of 60 kg (1,200 CNY each) at A and B, 10 km from H and from each other,
    allowed 0.1 h (6 min) out of the cold: less than the 10-minute drive home, so they ride in
    reefer space. Two trucks with 100 kg of reefer space each (and 500 dry): one truck cannot
    take both (120 > 100). Optimum: H-A-H and H-B-H, 2 x 120 = 240 (one truck for both would cost
    130; one order left, 120 + 1,200)."""
    s = build(
        [site("A"), site("B")],
        {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 10},
        [truck("R1", dry=500, reefer=100, per_h=0), truck("R2", dry=500, reefer=100, per_h=0)],
        [order("O1", "A", 60, product="cold"), order("O2", "B", 60, product="cold")],
        products=[product("cold", value=20.0, chilled=True, out_of_cold_h=0.1)],
    )
    result, _ = _routes_plan(s, tmp_path)
    assert result.cost == pytest.approx(240.0, abs=1e-6)


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_paid_driver_leaves_late_enough_to_avoid_waiting(tmp_path):
    """B closes 07:40, A opens 08:00 (parcels at both), legs 10 km = 10 min except A-B 5; one truck
    from 07:00, 100 fixed + 1 CNY/km + 1 CNY per paid minute. H-B-A-H leaves 07:30 (B at 07:40,
    A at 07:45, waits to 08:00, back 08:10): 100 + 25 km + 40 min = 165 CNY; leaving at 07:00 would
    pay 70 min. (H-A-B-H breaks B's window.) Optimum 165."""
    s = build(
        [site("A", "town", open_time="08:00"), site("B", "town", close_time="07:40")],
        {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 5},
        [truck("T1")],
        parcel_lines=[parcels("A", 10), parcels("B", 10)],
    )
    result, _ = _routes_plan(s, tmp_path)
    assert result.cost == pytest.approx(165.0, abs=1e-6)
    (r,) = [r for r in result.routes if r.seq]
    assert r.ev.depart == pytest.approx(7 * 60 + 30, abs=1e-6)


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
def test_a_route_only_the_relaxed_labels_accept_is_never_planned(tmp_path):
    """A closes 07:30, B opens 08:00 (legs: H-A, H-B 10, A-B 30 min = km); O1 at A, 50 kg chilled,
    36 min allowed out of the cold, 1,000 CNY; O2 at B, 90 kg chilled, 18 min, 1,800 CNY; two
    trucks with 100 kg of reefer space, 100 fixed + 1 CNY/km, not paid by the hour. One truck for
    both drives H-A-B-H (150 CNY), and the route evaluator puts the tighter O2 in reefer space, so
    O1 rides dry from 07:30 to 08:10, 40 > 36 min: rejected. The labels, which let O1 take the
    reefer space and O2 ride dry, accept it (a relaxation). The plan must not use it: two trucks,
    H-A-H and H-B-H, 2 x 120 = 240 CNY, every order served (one truck with one order: 150 + 1,000).
    The LP rests on the relaxed route (150), so the bound is valid but does not prove 240."""
    s = build(
        [site("A", close_time="07:30"), site("B", open_time="08:00")],
        {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 30},
        [truck("R1", dry=500, reefer=100, per_h=0), truck("R2", dry=500, reefer=100, per_h=0)],
        [order("O1", "A", 50, product="loose"), order("O2", "B", 90, product="tight")],
        products=[
            product("loose", value=20.0, chilled=True, out_of_cold_h=0.6),
            product("tight", value=20.0, chilled=True, out_of_cold_h=0.3),
        ],
    )
    inst = build_instance(s)
    both = {inst.nodes.index("A"): [0], inst.nodes.index("B"): [1]}
    assert evaluate_route(inst, 0, list(both), both).reason == "cold"
    result, _ = solve_and_check(s, tmp_path, time_limit=2, method="routes")
    assert result.cost == pytest.approx(240.0, abs=1e-6)
    assert len([r for r in result.routes if r.seq]) == 2
    assert result.status.value == "feasible"
    assert result.outcome.bound == pytest.approx(150.0, abs=1e-6)


def random_day(seed: int, stops: int = 3, trucks: int = 2):
    """A small county day: stops at random points (km = minutes, Euclidean, so the triangle
    inequality holds), random opening hours and service, parcels at some stops, 0-2 pickup orders
    per stop (optional or must-serve, plain, short-lived or chilled, ready at random), trucks with
    and without reefer space, paid by the hour or not."""
    rng = random.Random(seed)
    names = [chr(ord("A") + i) for i in range(stops)]
    pts = {"H": (0.0, 0.0), **{n: (rng.uniform(-20, 20), rng.uniform(-20, 20)) for n in names}}
    legs = {
        (a, b): max(1.0, math.dist(pts[a], pts[b])) for a, b in itertools.combinations(["H", *names], 2)
    }  # fmt: skip
    sites, orders, lines = [], [], []
    for n in names:
        open_h = rng.choice([6, 7, 8, 9])
        sites.append(site(n, open_time=f"{open_h:02d}:00", close_time=f"{open_h + rng.choice([2, 4, 8]):02d}:00",
                          service_min=rng.choice([0, 5, 10])))  # fmt: skip
        if rng.random() < 0.5:
            lines.append(parcels(n, rng.choice([50, 100, 200])))
        for m in range(rng.choice([0, 1, 1, 2])):
            o = order(f"{n}{m}", n, rng.choice([40, 80, 150, 250]), product=rng.choice(["plain", "short", "cold"]),
                      ready=f"2026-06-15 {rng.choice([5, 6, 7, 8, 9]):02d}:{rng.choice([0, 30]):02d}")  # fmt: skip
            orders.append(_must(o) if rng.random() < 0.2 else o)
    prods = [
        product("plain", value=rng.choice([0.5, 1.0, 3.0])),
        product("short", value=rng.choice([1.0, 3.0]), window_h=rng.choice([1.5, 3.0, 5.0])),
        product("cold", value=rng.choice([1.0, 4.0]), chilled=True, out_of_cold_h=rng.choice([0.1, 0.5, 1.0])),
    ]
    fleet = [
        truck(f"V{t}", dry=rng.choice([200, 400]), reefer=rng.choice([0, 0, 150]), per_h=rng.choice([0, 30, 60]),
              fixed=rng.choice([50, 100]))
        for t in range(trucks)
    ]  # fmt: skip
    return build(sites, legs, fleet, orders, lines, products=prods)


def _all_routes(inst, k):
    """Every elementary route of type ``k`` with every choice of orders (must-serve ones always;
    a pickup-only stop takes at least one), as (stops, picks)."""
    stops = [i for i in range(1, inst.n + 1) if inst.serves[k, i]]
    for r in range(1, len(stops) + 1):
        for seq in itertools.permutations(stops, r):
            choices = []
            for i in seq:
                here = inst.stop(i).orders
                req = [o for o in here if inst.orders[o].required]
                opt = [o for o in here if not inst.orders[o].required]
                sets = [req + list(c) for m in range(len(opt) + 1) for c in itertools.combinations(opt, m)]
                choices.append([c for c in sets if c or inst.stop(i).mandatory])
            for picks in itertools.product(*choices):
                yield list(seq), dict(zip(seq, picks))


@pytest.mark.compiled
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6))
def test_labels_agree_with_the_route_evaluator(seed):
    """On a random 3-stop day with random duals, per vehicle type: (1) every route the exact
    pricing pass returns has the evaluator's feasibility and cost when no chilled order is counted
    riding dry (the exact rules), and at most the evaluator's cost (or is rejected by it) when one
    is (the relaxed rule); its reduced cost is its cost less the duals and prizes. (2) The least
    reduced cost the labels report is at most that of every route the evaluator accepts (found by
    brute force: so the bound is valid), and equal to it on a day without chilled orders (exact)."""
    inst = build_instance(random_day(seed))
    rng = np.random.default_rng(seed)
    lost = inst.costs.lost
    for k in range(len(inst.types)):
        td = TypeData(inst, k)
        vis = visits_of(td)
        pi = np.concatenate([[0.0], rng.uniform(0, 250, inst.n)])
        mu = -float(rng.uniform(0, 30))
        closed, ends, node, parent, finished, least, costs, option = _label(
            td, pi, mu, 2, math.inf, td.allowed, 0, None, np.empty((0, 0)), 0.0, np.empty((0, 0))
        )
        assert finished
        for e in range(len(closed)):
            seq, opts = _route_to(int(ends[e]), node, parent, option)
            picks = vis.picks(seq, opts)
            prize = sum(lost[o] for os in picks.values() for o in os if not inst.orders[o].required)
            assert closed[e] == pytest.approx(costs[e] - sum(pi[i] for i in seq) - mu - prize, abs=1e-6)
            ev = evaluate_route(inst, k, list(seq), picks)
            if all(vis.opt_dry[o] >= NO_LIMIT for o in opts):
                assert ev.feasible, (seq, picks, ev.reason)
                assert ev.cost == pytest.approx(costs[e], abs=1e-6), (seq, picks)
            else:
                assert not ev.feasible or ev.cost >= costs[e] - 1e-6
        brute = 0.0
        for seq, picks in _all_routes(inst, k):
            ev = evaluate_route(inst, k, seq, picks)
            if ev.feasible:
                prize = sum(lost[o] for os in picks.values() for o in os if not inst.orders[o].required)
                brute = min(brute, ev.cost - sum(pi[i] for i in seq) - mu - prize)
        assert least <= brute + 1e-6
        if not any(o.chilled for o in inst.orders):
            assert least == pytest.approx(brute, abs=1e-6)


@pytest.mark.component
@pytest.mark.usefixtures("compiled_loops")
@pytest.mark.parametrize("seed", range(6))
def test_route_method_matches_compact_on_random_county_days(seed, tmp_path):
    """On random 4-stop county days with two trucks (every real rule drawn at random), the route
    method proves the same optimum as the compact MILP, and both plans pass the checker."""
    s = random_day(1000 + seed, stops=4)
    inst = build_instance(s)
    assert routes_apply(inst) is None
    compact, _ = solve_and_check(s, tmp_path / "compact", time_limit=30, method="compact")
    routes, _ = solve_and_check(s, tmp_path / "routes", time_limit=30, method="routes")
    assert compact.status == routes.status
    if not compact.has_routes:
        return
    assert compact.status.value == "optimal" and routes.status.value == "optimal", routes.notes
    assert routes.outcome.objective == pytest.approx(routes.cost, abs=1e-6)
    assert routes.cost == pytest.approx(compact.cost, rel=1e-4, abs=1e-3)
