"""``coldchain whatif`` from the command line on the tiny scenario (tests/data/tiny)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from coldchain.cli import app

pytestmark = pytest.mark.integration

OPTIONS = (
    "option,action,like,count,vehicles,payload_loss_kg,extra_cny_per_km,sites,"
    "capital_cny,lifetime_y,yearly_cost_cny,subsidy_share,subsidy_cap_cny\n"
    """reefer,add_trucks,R1,0..1,,,,,190000,8,8000,1,35000
retro,retrofit,,,D1,300,0.4,,60000,6,2000,,
pre,precool,,,,,,V2,80000,10,3000,0.3,
"""
)
SEASON = "date,parcels,litchi\n2026-06-15,1,1\n2026-06-16,1.2,1.5\n"


@pytest.fixture
def study_files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "options.csv").write_text(OPTIONS, encoding="utf-8")
    (tmp_path / "season.csv").write_text(SEASON, encoding="utf-8")
    return tmp_path / "options.csv", tmp_path / "season.csv"


def _run(*args: str):
    return CliRunner().invoke(app, ["whatif", *map(str, args)])


def test_whatif_in_process_then_two_workers_then_resume(tiny_dir, study_files, tmp_path):
    """Baseline, reefer_0 (= baseline: the same scenario, one solve), reefer_1, retro and pre on
    two days: 4 distinct scenarios x 2 days = 8 cases. In-process and on two Dask workers the
    report is identical; rerunning the first study solves nothing."""
    opts, season = study_files
    common = ["--options", opts, "--season", season, "--time-limit", "5"]
    one = _run(tiny_dir, *common, "--out", tmp_path / "one", "--workers", "1")
    assert one.exit_code == 0, one.output
    assert "8 cases: 0 found in results.sqlite, 8 solved now" in one.output
    for name in (
        "report.csv",
        "days.csv",
        "representative_days.csv",
        "report.txt",
        "cost_by_option.png",
        "npv_vs_investment.png",
        "payback.png",
    ):
        assert (tmp_path / "one" / name).stat().st_size > 0, name
    two = _run(tiny_dir, *common, "--out", tmp_path / "two", "--workers", "2")
    assert two.exit_code == 0, two.output
    a = pd.read_csv(tmp_path / "one" / "report.csv", encoding="utf-8-sig")
    b = pd.read_csv(tmp_path / "two" / "report.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(a, b)
    assert list(a["option"]) == ["baseline", "reefer_0", "reefer_1", "retro", "pre"]
    assert a.loc[1, "total_cny"] == a.loc[0, "total_cny"]
    again = _run(tiny_dir, *common, "--out", tmp_path / "one", "--workers", "1")
    assert again.exit_code == 0, again.output
    assert "8 cases: 8 found in results.sqlite, 0 solved now" in again.output


def test_whatif_bad_options_exit_1_with_place(tiny_dir, tmp_path):
    """An unknown vehicle in the options file: one Error line with file:line:column, exit 1."""
    bad = tmp_path / "options.csv"
    bad.write_text("option,action,like,count\nmore,add_trucks,X9,1\n", encoding="utf-8")
    season = tmp_path / "season.csv"
    season.write_text(SEASON, encoding="utf-8")
    r = _run(tiny_dir, "--options", bad, "--season", season, "--out", tmp_path / "out")
    assert r.exit_code == 1
    assert "Error: options.csv:2:like: no such vehicle in the scenario" in r.output
    assert not (tmp_path / "out").exists()


def test_whatif_usage_errors(tiny_dir, study_files, tmp_path):
    opts, season = study_files
    r = _run(tiny_dir, "--options", opts, "--season", season, "--out", tmp_path / "o", "--method", "magic")
    assert r.exit_code == 2 and "Error: unknown method" in r.output
    r = _run(tiny_dir, "--options", opts, "--season", tmp_path / "nope.csv", "--out", tmp_path / "o")
    assert r.exit_code == 1 and "nope.csv: not found" in r.output
    r = _run(tiny_dir, "--options", opts, "--season", season, "--out", tiny_dir)
    assert r.exit_code == 2 and "is an input folder" in r.output
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "results.sqlite").write_text("not a database", encoding="utf-8")
    r = _run(tiny_dir, "--options", opts, "--season", season, "--out", tmp_path / "junk", "--workers", "1")
    assert r.exit_code == 1 and "cannot read the study's results" in r.output
