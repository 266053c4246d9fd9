"""Multiple trips per truck (``[rules] multiple_trips``, `coldchain.planner.trips`), end to end.

The day of most tests (`_two_windows`): hub H; village A (parcels 600 kg, open 07:00-09:00) and
village B (parcels 600 kg, open 14:00-16:00), each 30 km and 30 min from H (A-B 500 km); trucks
X1, X2 (1,000 kg, fixed F CNY, 1 CNY/km, 60 CNY/h = 1 CNY a minute, shift 07:00-19:00).
A and B never share a trip (1,200 kg > 1,000 kg, and 500 km apart), so one trip serves A and
one serves B, each 60 km and 60 paid minutes at best (A: leaving 07:00-08:30, at A by its
09:00 closing, back 60 min later; B: leaving 13:30-15:30).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from builders import Table, build, edit, parcels, site, solve_and_check, truck

from coldchain.check import check_folder
from coldchain.scenario.domain import Rules

REPO = Path(__file__).parent.parent


def _two_windows(fixed: float = 300, reload_min: int = 30, multiple_trips: bool = True, trucks: int = 2):
    day = build(
        [site("A", open_time="07:00", close_time="09:00"), site("B", open_time="14:00", close_time="16:00")],
        {("H", "A"): 30, ("H", "B"): 30},
        [truck(f"X{n}", fixed=fixed) for n in range(1, trucks + 1)],
        parcel_lines=[parcels("A", 600), parcels("B", 600)],
    )
    rules = Rules(multiple_trips=multiple_trips, reload_min=reload_min)
    return day.replace(settings=day.settings.model_copy(update={"rules": rules}))


def _runs(result):
    return sorted((r.vehicle_id, r.trip, [result.instance.nodes[i] for i in r.seq]) for r in result.routes if r.seq)


@pytest.mark.component
def test_one_truck_makes_both_trips_when_that_saves_its_fixed_cost(tmp_path):
    """F = 300, reload 30 min. Two trucks: 2 x 300 + 120 km + 120 min = 840 CNY. One truck: its
    first trip leaves as late as A allows (08:30, at A 09:00, back 09:30), the second at 13:30
    (back 14:30); its driver is paid 08:30-14:30 = 360 min: 300 + 120 + 360 = 780 CNY, the
    optimum (one truck must serve both windows; its paid span is at least from the latest A
    departure to the earliest B return). It saves 840 - 780 = 60 CNY: one fixed cost less the
    240 minutes the driver waits at the hub (09:30-13:30). The plan's bound is the multi-trip
    degree bound: one fixed cost 300, each stop's cheapest arc in and out (60 CNY each: 30 km +
    30 min) halved, 120, and ceil(1,200 / 1,000) = 2 trips out of and into the hub, halved,
    120: 540 CNY, below the optimum, and not a proof."""
    result, k = solve_and_check(_two_windows(), tmp_path)
    assert _runs(result) == [("X1", 1, ["A"]), ("X1", 2, ["B"])] or _runs(result) == [
        ("X2", 1, ["A"]),
        ("X2", 2, ["B"]),
    ]
    assert k["total_cost_cny"] == pytest.approx(780.0)
    assert (k["trucks_used"], k["trips"]) == (1, 2)
    assert (k["cost_fixed_cny"], k["cost_driver_cny"], k["driver_hours"]) == (300.0, 360.0, 6.0)
    assert result.outcome.bound == pytest.approx(540.0)  # valid for multi-trip plans, no false proof
    assert str(result.status) == "feasible"
    assert result.cost == pytest.approx(780.0)


@pytest.mark.component
def test_no_chain_when_the_idle_driver_costs_more_than_a_truck(tmp_path):
    """F = 200: one truck would pay 200 + 120 + 360 = 680 CNY, two trucks 2 x 200 + 120 + 120 =
    640 CNY: the plan keeps two trucks, one trip each."""
    result, k = solve_and_check(_two_windows(fixed=200), tmp_path)
    assert [(v, t) for v, t, _ in _runs(result)] in ([("X1", 1), ("X2", 1)],)
    assert k["total_cost_cny"] == pytest.approx(640.0)
    assert (k["trucks_used"], k["trips"]) == (2, 2)


@pytest.mark.component
def test_rule_off_keeps_one_trip_per_truck(tmp_path):
    """Without the rule, the same day with F = 300 costs 840 CNY on two trucks (and the tables
    have no trip column)."""
    _, k = solve_and_check(_two_windows(multiple_trips=False), tmp_path)
    assert k["total_cost_cny"] == pytest.approx(840.0)
    assert (k["trucks_used"], k["trips"]) == (2, 2)
    assert "trip" not in Table(tmp_path / "plan" / "routes.csv").header


@pytest.mark.component
def test_a_long_reload_keeps_the_trips_apart(tmp_path):
    """reload_min = 400: after trip A (07:00-08:00 at the latest 08:30-09:30) trip B leaves no
    earlier than 08:00 + 400 min = 14:40 (before its latest departure 15:30), so one truck could
    do both, leaving at 07:00 and 14:40 (back 15:40): 300 + 120 + 520 min = 940 CNY > 840 on
    two trucks, which the plan keeps."""
    _, k = solve_and_check(_two_windows(reload_min=400), tmp_path)
    assert k["total_cost_cny"] == pytest.approx(840.0)
    assert k["trucks_used"] == 2


# --- the checker on a written multi-trip plan -------------------------------------------------------


@pytest.fixture(scope="module")
def chained(tmp_path_factory):
    out = tmp_path_factory.mktemp("trips")
    day = _two_windows()
    result, _ = solve_and_check(day, out)
    return day, out / "plan", result


def _copy(chained, tmp_path) -> tuple:
    import shutil

    day, folder, _ = chained
    dest = tmp_path / "plan"
    shutil.copytree(folder, dest)
    return day, dest


def _second_trip_rows(t: Table) -> list[int]:
    return t.where(trip="2")


def _renumber_trip2(t: Table) -> None:
    for i in t.where(trip="2"):
        t.set(i, "trip", "3")


def _shift_trip2(minutes: float):
    def fn(t: Table) -> None:
        for i in _second_trip_rows(t):
            for col in ("arrival_min", "service_start_min", "departure_min"):
                if t.get(i, col):
                    t.set(i, col, t.num(i, col) + minutes)

    return fn


def _rules(found) -> set[str]:
    return {v.rule for v in found}


@pytest.mark.component
def test_the_checker_passes_the_chained_plan(chained):
    from coldchain.output.summary import plan_text

    day, folder, result = chained
    assert [str(v) for v in check_folder(day, folder)] == []
    t = Table(folder / "routes.csv")
    assert t.header[:2] == ["vehicle_id", "trip"]
    assert {t.get(i, "vehicle_id") for i in range(len(t.rows))} == {t.get(0, "vehicle_id")}
    text = plan_text(result)
    assert "2 trips, 2 stops" in text and "Trip 1: leaves 08:30, back 09:30" in text
    assert "Trip 2: leaves 13:30, back 14:30" in text and "1 of 2 used (2 trips)" in text


@pytest.mark.component
@pytest.mark.parametrize(
    ("rule", "mutate"),
    [
        # trip 2 leaves at 08:50, before trip 1 is back at 09:30 (all its times 280 min earlier)
        ("trips.overlap", lambda d, f: edit(f, "routes.csv", _shift_trip2(-280))),
        # trip 2 leaves at 09:40, 10 min after trip 1 is back: reloading takes 30
        ("trips.reload", lambda d, f: edit(f, "routes.csv", _shift_trip2(-230))),
        # the plan is checked against the same day without the rule
        ("trips.allowed", lambda d, f: None),
        # trip 2 numbered 3
        (
            "trips.numbering",
            lambda d, f: edit(f, "routes.csv", _renumber_trip2),
        ),
    ],
    ids=["overlap", "reload", "allowed", "numbering"],
)
def test_each_trips_mutant_is_caught_by_its_rule(chained, tmp_path, rule, mutate):
    day, folder = _copy(chained, tmp_path)
    mutate(day, folder)
    if rule == "trips.allowed":
        day = day.replace(settings=day.settings.model_copy(update={"rules": Rules()}))
    found = check_folder(day, folder)
    assert rule in _rules(found), [str(v) for v in found]
    assert "check.rule_failed" not in _rules(found)


def _kpis(folder: Path, fn) -> None:
    path = folder / "kpis.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.component
@pytest.mark.parametrize(
    ("what", "fixed", "driver"),
    [("fixed cost charged twice", 600.0, 360.0), ("no fixed cost", 0.0, 360.0), ("driver paid per trip", 300.0, 120.0)],
)
def test_costs_across_trips_are_recomputed(chained, tmp_path, what, fixed, driver):
    """The fixed cost is once a truck (300, not 600 or 0) and the driver is paid 08:30-14:30
    (360, not the 120 minutes of the two trips alone): kpis.costs."""
    day, folder = _copy(chained, tmp_path)

    def fn(k: dict) -> None:
        k["cost_fixed_cny"], k["cost_driver_cny"] = fixed, driver
        k["total_cost_cny"] = fixed + k["cost_distance_cny"] + driver + k["value_lost_cny"]

    _kpis(folder, fn)
    assert "kpis.costs" in _rules(check_folder(day, folder)), what


@pytest.mark.component
def test_a_plan_without_the_trip_column_reads_as_one_trip_per_truck(chained, tmp_path):
    """Dropping the column from every table: X1's two runs merge into one broken run (the
    checker does not guess trips), so the plan fails its routes rules instead of crashing."""
    day, folder = _copy(chained, tmp_path)
    for name in ("routes.csv", "orders.csv", "deliveries.csv"):
        t = Table(folder / name)
        if "trip" in t.header:
            c = t.col("trip")
            t.header.pop(c)
            for r in t.rows:
                r.pop(c)
            t.save()
    rules = _rules(check_folder(day, folder))
    assert "routes.stop_sequence" in rules and "check.rule_failed" not in rules


# --- the rule's values -------------------------------------------------------------------------------


def _plan_cli(folder: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coldchain", "plan", str(folder), "--out", str(out), "--time-limit", "10"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )


@pytest.mark.integration
@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ('multiple_trips = "yes"', "scenario.toml:rules.multiple_trips: expected true or false (got yes)"),
        ("multiple_trips = 1", "scenario.toml:rules.multiple_trips: expected true or false (got 1)"),
        ("reload_min = 30.5", "scenario.toml:rules.reload_min: expected a whole number (got 30.5)"),
        ("reload_min = -5", "scenario.toml:rules.reload_min: must be at least 0 (got -5)"),
        ("reload_min = 721", "scenario.toml:rules.reload_min: must be at most 720 (got 721)"),
    ],
)
def test_bad_rule_values_give_one_located_error(tmp_path, rules, message):
    import shutil

    folder = tmp_path / "day"
    shutil.copytree(REPO / "inputs", folder, ignore=shutil.ignore_patterns("county-*", "orders-demo", "whatif"))
    with (folder / "scenario.toml").open("a", encoding="utf-8") as fh:
        fh.write(f"\n[rules]\n{rules}\n")
    done = _plan_cli(folder, tmp_path / "out")
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [f"Error: {message}"]
    assert "Traceback" not in done.stderr


def _write_day(folder: Path) -> None:
    """`_two_windows` (F = 300) as scenario files (the town T idle, 500 km from every point)."""
    folder.mkdir()
    files = {
        "scenario.toml": 'name = "two-windows"\ndate = 2026-06-15\n\n[rules]\nmultiple_trips = true\nreload_min = 30\n',
        "sites.csv": "site_id,name,kind,parent_town,lat,lon,open_time,close_time,service_min,has_precooling\n"
        "H,H,hub,,22.4,109.3,05:00,21:00,0,no\nT,T,town,,22.4,109.3,06:00,20:00,0,no\n"
        "A,A,village,T,22.4,109.3,07:00,09:00,0,no\nB,B,village,T,22.4,109.3,14:00,16:00,0,no\n",
        "vehicles.csv": "vehicle_id,owner,home_hub,dry_capacity_kg,reefer_capacity_kg,fixed_cost_cny_per_day,"
        "cost_cny_per_km,driver_cost_cny_per_h,shift_start,shift_end\n"
        "X1,alliance,H,1000,0,300,1,60,07:00,19:00\nX2,alliance,H,1000,0,300,1,60,07:00,19:00\n",
        "orders.csv": "order_id,shipper,site_id,product_id,quantity_kg,ready_at\n",
        "parcels.csv": "company,site_id,parcel_count,weight_kg\nEMS,A,10,600\nEMS,B,10,600\n",
        "travel.csv": "from_site,to_site,distance_km,travel_min\nH,A,30,30\nH,B,30,30\nA,B,500,500\n"
        "H,T,500,500\nA,T,500,500\nB,T,500,500\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.integration
def test_the_cli_writes_a_multi_trip_plan_the_checker_accepts(tmp_path):
    """``coldchain plan`` on the two-window day (F = 300) writes one truck with two trips
    (780 CNY, as derived above) and ``coldchain check`` accepts it, from the CSVs and from
    plan.json."""
    _write_day(tmp_path / "day")
    out = tmp_path / "out"
    done = _plan_cli(tmp_path / "day", out)
    assert done.returncode == 0, done.stderr
    k = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert (k["total_cost_cny"], k["trucks_used"], k["trips"], k["best_bound_cny"]) == (780.0, 1, 2, 540.0)
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert [(r["vehicle"], r["trip"], r["cost"]) for r in doc["routes"]] == [
        (doc["routes"][0]["vehicle"], 1, 300 + 60 + 60),
        (doc["routes"][0]["vehicle"], 2, 60 + 300),
    ]
    geo = json.loads((out / "routes.geojson").read_text(encoding="utf-8"))
    lines = [f["properties"] for f in geo["features"] if f["properties"]["feature"] == "route"]
    assert [p["trip"] for p in lines] == [1, 2] and lines[0]["colour"] == lines[1]["colour"]
    for plan_path in (out, out / "plan.json"):
        check = subprocess.run(
            [sys.executable, "-m", "coldchain", "check", str(tmp_path / "day"), str(plan_path)],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        assert check.returncode == 0, check.stderr


@pytest.mark.component
def test_a_truck_freed_by_chaining_fetches_an_order_left_out(tmp_path):
    """The two-window day (F = 300) plus point P, 30 min from the hub, with one 100 kg order O
    worth 50 CNY/kg (5,000 x 100 = 500,000 CNY), ready 06:00 and due at the cold store by 08:00.
    Planned one trip per truck, X1 and X2 are both needed for A and B, so O is left out. Chaining
    puts A and B on one truck (780 CNY, as derived above) and frees the other, which fetches O
    alone: leave 07:00, at P 07:30, back 08:00, on time; 300 + 60 km + 60 min = 420 CNY, far below
    its value. Plan: 780 + 420 = 1,200 CNY, every order served, passing the checker. (Not the
    optimum: one truck making P, A and B, 07:00-14:30, costs 300 + 180 + 450 = 930 CNY; chaining
    after planning does not find it.)"""
    from builders import order, product

    base = _two_windows()
    day = build(
        [site("A", open_time="07:00", close_time="09:00"), site("B", open_time="14:00", close_time="16:00"), site("P")],
        {("H", "A"): 30, ("H", "B"): 30, ("H", "P"): 30},
        [truck("X1", fixed=300), truck("X2", fixed=300)],
        orders=[order("O", "P", 100, product="fresh")],
        parcel_lines=[parcels("A", 600), parcels("B", 600)],
        products=[product("fresh", value=5000, window_h=2)],
    )
    day = day.replace(settings=day.settings.model_copy(update={"rules": base.settings.rules}))
    result, k = solve_and_check(day, tmp_path)
    assert result.cost == pytest.approx(1200.0, abs=1e-3)
    assert not result.unserved
    assert sorted(r[2] for r in _runs(result)) == [["A"], ["B"], ["P"]]
    assert (k["trucks_used"], k["trips"]) == (2, 3)
    assert any("freed trucks fetch 1 order" in n for n in result.notes)
