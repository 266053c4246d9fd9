"""The command line: help for every command, validate on the sample and on the tiny scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from coldchain.cli import app

runner = CliRunner()


@pytest.mark.integration
def test_validate_sample_prints_summary(sample_dir: Path) -> None:
    """validate on inputs/ exits 0 and summarises sites, trucks, orders by product and the tightest deadline."""
    result = runner.invoke(app, ["validate", str(sample_dir)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "1 hub, 4 towns, 7 villages" in text
    assert "litchi" in text and "raw_milk" in text
    assert "tightest deadline" in text and "MK-008" in text


@pytest.mark.integration
def test_validate_missing_folder_exit_1(tmp_path: Path) -> None:
    """A folder that does not exist is bad input: one Error line, exit 1."""
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {tmp_path / 'nope'}: not a folder"


@pytest.mark.integration
def test_usage_error_exit_2() -> None:
    """An unknown option is a usage error with click's exit code 2."""
    result = runner.invoke(app, ["validate", "--frobnicate"])
    assert result.exit_code == 2


COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]


@pytest.mark.integration
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    """Each command explains itself in --help."""
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.stdout.strip()) > 50


@pytest.fixture(scope="module")
def sample_plan(planned_sample) -> tuple[Path, object]:
    """The suite's one planning run of the sample (conftest), shared by the tests below."""
    return planned_sample


@pytest.mark.integration
def test_plan_sample_writes_everything(sample_plan) -> None:
    """plan on inputs/ exits 0 and writes the tables, KPIs, summary and map; every order has a row."""
    out, result = sample_plan
    assert result.exit_code == 0, result.output
    for name in ("routes.csv", "orders.csv", "deliveries.csv", "kpis.json", "plan.txt", "routes.png"):
        assert (out / name).is_file(), name
    import pandas as pd

    orders = pd.read_csv(out / "orders.csv", encoding="utf-8-sig")
    assert len(orders) == 10
    assert set(orders["status"]) == {"served", "unserved"}
    assert orders.loc[orders["order_id"] == "MK-008", "reason"].iloc[0].startswith("cannot reach the cold store")
    assert "Unserved orders (" in result.stdout and result.stdout.startswith("Plan for lingshan-2026-06-15")


@pytest.mark.integration
def test_check_accepts_the_sample_plan(sample_plan, sample_dir) -> None:
    """The independent checker accepts what plan wrote (exit 0)."""
    out, _ = sample_plan
    result = runner.invoke(app, ["check", str(sample_dir), str(out)])
    assert result.exit_code == 0, result.output
    assert "keeps every rule" in result.stdout


@pytest.mark.integration
def test_check_rejects_a_tampered_plan(sample_plan, sample_dir, tmp_path) -> None:
    """A load changed by hand is caught: exit 5 and an Error line naming the rule and the cell."""
    import shutil

    out, _ = sample_plan
    bad = tmp_path / "bad"
    shutil.copytree(out, bad)
    text = (bad / "routes.csv").read_text(encoding="utf-8-sig").splitlines()
    cells = text[1].split(",")
    header = text[0].split(",")
    cells[header.index("load_kg")] = "99999"
    text[1] = ",".join(cells)
    (bad / "routes.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(sample_dir), str(bad)])
    assert result.exit_code == 5
    assert "Error: loads.on_board: routes.csv:2:load_kg:" in result.stderr


@pytest.mark.integration
def test_plan_infeasible_exit_3(tiny_dir, tmp_path) -> None:
    """Parcels no truck can carry: exit 3 with an Error line naming the stop."""
    (tiny_dir / "parcels.csv").write_text("company,site_id,parcel_count,weight_kg\nEMS,T1,900,2000\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", str(tiny_dir), "--out", str(tmp_path / "o"), "--time-limit", "5"])
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        "Error: infeasible: the parcel deliveries cannot all be made with this fleet; stops that cannot be served: T1"
    )


@pytest.mark.integration
def test_plan_bad_input_exit_1(tiny_dir, tmp_path) -> None:
    """Bad input stops before planning: exit 1, the problem line, nothing written."""
    (tiny_dir / "orders.csv").write_text(
        "order_id,shipper,site_id,product_id,quantity_kg,ready_at\nO1,s,V1,litchi,-5,2026-06-15 07:00\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["plan", str(tiny_dir), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "Error: orders.csv:2:quantity_kg: must be greater than 0 (got -5)" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.integration
def test_unknown_preset_exit_2(tiny_dir, tmp_path) -> None:
    """A preset that models/solver.toml does not define is a usage error."""
    result = runner.invoke(app, ["plan", str(tiny_dir), "--out", str(tmp_path / "o"), "--preset", "turbo"])
    assert result.exit_code == 2
    assert "unknown preset 'turbo'" in result.stderr


@pytest.mark.integration
def test_check_missing_plan_folder_exit_1(tiny_dir, tmp_path) -> None:
    """Checking a folder without plan tables is an input error, not a traceback."""
    result = runner.invoke(app, ["check", str(tiny_dir), str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")


@pytest.mark.integration
def test_plan_accepts_the_routes_method_and_names_it_among_the_choices(tmp_path):
    """--method routes is accepted (the tiny day's rules are all ones the route labels track: it
    writes a plan made by branch-and-price, and the summary says so); an unknown method is a usage
    error (exit 2) that lists routes among the choices."""
    tiny = Path(__file__).parent / "data" / "tiny"
    ok = runner.invoke(app, ["plan", str(tiny), "--method", "routes", "--out", str(tmp_path / "p"), "--no-map", "-q",
                             "--time-limit", "5"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "p" / "routes.csv").is_file()
    summary = " ".join((tmp_path / "p" / "plan.txt").read_text().split())
    assert "does not apply" not in summary
    assert "branch-and-price" in summary
    bad = runner.invoke(app, ["plan", str(tiny), "--method", "nope", "--out", str(tmp_path / "q")])
    assert bad.exit_code == 2
    assert "choose one of: auto, compact, routes, search, pool, lines" in bad.output
