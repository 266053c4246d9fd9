"""County scale: the day generator, the route-pool method, its lower bound, and fixed lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import build, order, parcels, product, site, truck
from typer.testing import CliRunner

from coldchain.bound import lower_bound
from coldchain.cli import app
from coldchain.errors import InputError
from coldchain.generate import generate_day, write_day
from coldchain.instance import build_instance
from coldchain.io import read_scenario
from coldchain.lines import Line, design_lines, plan_lines, read_lines, write_lines
from coldchain.plan import PlanOptions, plan
from coldchain.report import write_plan
from coldchain.solve import SolveOptions, SolveStatus
from coldchain.verify import check_folder

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
    """On the tiny test day the compact MILP proves the optimum; the lean LP bound must lie below it,
    and the pool method's plan must cost at least the bound and pass the checker."""
    s = read_scenario(ROOT / "tests" / "data" / "tiny")
    exact = plan(s, PlanOptions(solve=SolveOptions(time_limit_s=30, threads=1), method="compact"))
    assert exact.status == SolveStatus.OPTIMAL
    b = lower_bound(build_instance(s), time_limit_s=5)
    assert b is not None and b.value <= exact.cost + 1e-6
    pooled = plan(s, PlanOptions(solve=SolveOptions(time_limit_s=3, threads=1), method="pool"))
    assert pooled.has_routes and pooled.outcome.bound <= pooled.cost + 1e-6
    assert pooled.cost >= exact.cost - 1e-6
    write_plan(pooled, tmp_path, map_png=False)
    assert check_folder(s, tmp_path) == []


@pytest.mark.component
def test_pool_method_on_a_county_day_returns_a_checked_plan_with_a_gap(tmp_path):
    """The generated ordinary day (119 stops) with 15 s: every parcel stop served, checker clean,
    bound below cost."""
    s = read_scenario(ROOT / "inputs" / "county-ordinary")
    p = plan(s, PlanOptions(solve=SolveOptions(time_limit_s=15, threads=1)))
    assert p.status == SolveStatus.FEASIBLE
    assert 0 < p.outcome.bound <= p.cost and 0 <= p.outcome.gap < 1
    write_plan(p, tmp_path, map_png=False)
    assert check_folder(s, tmp_path) == []


@pytest.mark.component
def test_fixed_lines_take_the_pickup_with_the_smaller_detour(tmp_path):
    """Lines L1 = H-A-H (truck D1) and L2 = H-B-H (D2), both leaving 07:00; P has a 1,000 CNY order
    and no parcels. Legs (km = min): H-A 10, H-B 10, A-P 2, H-P 11, B-P 25, A-B 20. Trucks: fixed
    100, 1 CNY/km, 60 CNY/h. P on L1 adds 10+2+11-20 = 3 km and 3 min (6 CNY); on L2, 10+25+11-20
    = 26 km and 26 min (52 CNY). Optimum: L1 takes P: 2 x 100 + (23 + 23) + (20 + 20) = 286 CNY."""
    legs = {("H", "A"): 10, ("H", "B"): 10, ("A", "P"): 2, ("H", "P"): 11, ("B", "P"): 25, ("A", "B"): 20}
    s = build(
        [site("A"), site("B"), site("P")],
        legs,
        [truck("D1"), truck("D2")],
        orders=[order("OP", "P", 100, product="plain")],
        parcel_lines=[parcels("A", 10), parcels("B", 10)],
        products=[product("plain", value=10.0)],
    )
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
def test_shipped_lines_are_what_design_lines_writes():
    """inputs/county-*/lines.csv can be regenerated: write_lines(design_lines(scenario))."""
    for kind in ("peak", "ordinary"):
        folder = ROOT / "inputs" / f"county-{kind}"
        text = write_lines(design_lines(read_scenario(folder)))
        assert (folder / "lines.csv").read_text(encoding="utf-8") == text
        assert [ln.stops for ln in read_lines(folder / "lines.csv")] == [
            ln.stops for ln in design_lines(read_scenario(folder))
        ]
