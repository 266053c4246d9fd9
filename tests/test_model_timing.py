"""Timing family: opening hours, waiting, shifts, ready times.

Sites H, A, B; legs H-A = H-B = 10, A-B = 5 (km and minutes); trucks: 100 CNY fixed, 1 CNY/km,
1 CNY per driver minute; service takes no time; shifts 07:00-19:00 unless stated.
"""

from __future__ import annotations

import pytest
from builders import build, order, parcels, route_of, site, solve_and_check, truck

from coldchain.core.outcome import SolveStatus
from coldchain.scenario.timefmt import parse_clock

LEGS = {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 5}


@pytest.mark.component
def test_windows_fix_the_order_and_the_wait_is_paid(tmp_path):
    """B closes 07:40, A opens 08:00. Only H-B-A-H works: leave 07:30, B 07:40, A 07:45 (wait
    until 08:00), back 08:10: 100 + 25 km + 40 min = 165. Two trucks would cost 280."""
    stops = [site("A", "town", open_time="08:00"), site("B", "town", close_time="07:40")]
    s = build(stops, LEGS, [truck("D1"), truck("D2")], parcel_lines=[parcels("A", 100), parcels("B", 100)])
    result, k = solve_and_check(s, tmp_path)
    assert result.status == SolveStatus.OPTIMAL
    assert k["objective_cny"] == pytest.approx(165)
    assert route_of(result) == ["B", "A"]
    r = next(r for r in result.routes if r.seq)
    assert r.ev.depart == pytest.approx(parse_clock("07:30"), abs=0.01)
    assert r.ev.ret == pytest.approx(parse_clock("08:10"), abs=0.01)


@pytest.mark.component
def test_short_shift_forces_two_trucks(tmp_path):
    """Shifts of 24 minutes cannot hold H-A-B-H (25 min): two rounds of 20 min, 2 x 140 = 280."""
    stops = [site("A", "town"), site("B", "town")]
    s = build(
        stops,
        LEGS,
        [truck("D1", end="07:24"), truck("D2", end="07:24")],
        parcel_lines=[parcels("A", 100), parcels("B", 100)],
    )
    _, k = solve_and_check(s, tmp_path)
    assert k["objective_cny"] == pytest.approx(280)
    assert k["trucks_used"] == 2


@pytest.mark.component
def test_pickup_waits_for_ready_time(tmp_path):
    """An order at A ready at 09:00 (1000 CNY): one round of 25 min, served at A at 09:00 or
    later: 150. The truck leaves as early as that allows (08:50 or 08:45 via B), no paid waiting."""
    stops = [site("A", "town"), site("B", "town")]
    s = build(
        stops,
        LEGS,
        [truck("D1")],
        orders=[order("O", "A", 100, ready="2026-06-15 09:00")],
        parcel_lines=[parcels("A", 100), parcels("B", 100)],
    )
    result, k = solve_and_check(s, tmp_path)
    assert k["objective_cny"] == pytest.approx(150)
    r = next(r for r in result.routes if r.seq)
    pos = r.seq.index(result.instance.nodes.index("A"))
    assert r.ev.start[pos] >= parse_clock("09:00") - 1e-6
    assert r.ev.ret - r.ev.depart == pytest.approx(25, abs=0.01)


@pytest.mark.component
def test_windows_one_truck_cannot_meet_is_infeasible(tmp_path):
    """Infeasible by construction: A and B both open 08:00-08:05, 30 minutes apart, one truck."""
    legs = {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 30}
    stops = [
        site("A", "town", open_time="08:00", close_time="08:05"),
        site("B", "town", open_time="08:00", close_time="08:05"),
    ]
    s = build(stops, legs, [truck("D1")], parcel_lines=[parcels("A", 100), parcels("B", 100)])
    result, _ = solve_and_check(s, tmp_path)
    assert result.status == SolveStatus.INFEASIBLE
    assert len(result.missed_stops) == 1
