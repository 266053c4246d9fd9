"""``coldchain share`` end to end: a three-company cut of the sample on Dask, the cache, bad usage."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coldchain.cli import app

runner = CliRunner()
CUT = "中国邮政,顺丰,京东"  # 顺丰 owns van SF1; the others hire the alliance's R1 and D1


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def cut_run(tmp_path_factory, sample_dir):
    """One run on two Dask workers (LocalCluster), 2 s per coalition, shared by the tests below."""
    out = tmp_path_factory.mktemp("share") / "out"
    args = ["share", str(sample_dir), "--out", str(out), "--members", CUT, "--time-limit", "2", "--workers", "2"]
    return out, runner.invoke(app, args)


@pytest.mark.integration
def test_share_on_a_three_company_cut_of_the_sample(cut_run):
    """Exit 0; a row per member with its stand-alone cost and every rule's share; each rule shares
    exactly the grand coalition's cost (after the closure); every coalition's plan costs at least
    its bound; a rule is in the core iff no coalition surely blocks it; the written plans (each
    member alone, the alliance) pass the checker; the chart is a PNG."""
    out, result = cut_run
    assert result.exit_code == 0, result.output
    for name in CUT.split(","):
        assert name in result.stdout
    assert "in core" in result.stdout and "Saving:" in result.stdout
    members = rows(out / "allocation.csv")
    coalitions = {int(r["mask"]): r for r in rows(out / "coalitions.csv")}
    assert [m["member"] for m in members] == CUT.split(",")
    assert sorted(coalitions) == list(range(1, 8))
    grand = float(coalitions[7]["closed_cost_cny"])
    standalone = [float(m["alone_cny"]) for m in members]
    assert grand <= sum(standalone)
    for rule in ("parcels", "weight", "standalone", "shapley", "nucleolus", "epm"):
        assert sum(float(m[f"{rule}_cny"]) for m in members) == pytest.approx(grand, abs=0.02)
    for r in coalitions.values():
        assert float(r["bound_cny"]) <= float(r["cost_cny"]) + 1e-6
        assert float(r["closed_cost_cny"]) <= float(r["cost_cny"]) + 1e-6
    for r in rows(out / "rules.csv"):
        assert (r["in_core"] == "yes") == (r["blocking_surely"] == "0")
    for mask in (1, 2, 4, 7):
        assert coalitions[mask]["check_violations"] == "0"
    assert (out / "plans" / "alliance" / "kpis.json").is_file()
    assert (out / "allocation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.integration
def test_share_rerun_takes_every_coalition_from_the_cache(cut_run, sample_dir):
    """The same command again (here in-process, --workers 0) plans nothing: all 7 coalitions come
    from OUT/coalitions.sqlite and allocation.csv is byte for byte the same."""
    out, first = cut_run
    assert first.exit_code == 0, first.output
    before = (out / "allocation.csv").read_bytes()
    args = ["share", str(sample_dir), "--out", str(out), "--members", CUT, "--time-limit", "2", "--workers", "0"]
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "7 from the cache" in again.stdout
    assert all(r["cached"] == "yes" for r in rows(out / "coalitions.csv"))
    assert (out / "allocation.csv").read_bytes() == before


@pytest.mark.integration
def test_share_samples_estimates_shapley_within_its_interval(cut_run, sample_dir):
    """--samples 400 (same options, so every coalition comes from the cache): the sampled Shapley
    value lies within two of its 95 % half-widths of the exact Shapley value of the same planned
    costs (coalitions.csv:cost_cny; a 3.9-sigma band), and the estimates add up to the alliance's
    cost (every order's marginal costs do)."""
    import numpy as np

    from coldchain.apps.share.game import CostGame
    from coldchain.apps.share.shapley import shapley

    out, first = cut_run
    assert first.exit_code == 0, first.output
    costs = np.zeros(8)
    for r in rows(out / "coalitions.csv"):
        costs[int(r["mask"])] = float(r["cost_cny"])
    exact = shapley(CostGame(tuple(CUT.split(",")), costs))
    sampled = out.parent / "sampled"
    shutil.copytree(out, sampled)
    args = ["share", str(sample_dir), "--out", str(sampled), "--members", CUT, "--time-limit", "2", "--workers", "0"]
    result = runner.invoke(app, [*args, "--samples", "400"])
    assert result.exit_code == 0, result.output
    assert "estimated from 400 random orders" in result.stdout and "7 from the cache" in result.stdout
    members = rows(sampled / "allocation.csv")
    est = np.array([float(m["shapley_cny"]) for m in members])
    half = np.array([float(m["shapley_half_width_cny"]) for m in members])
    assert np.all(np.abs(est - exact) <= 2 * half + 0.01)
    assert est.sum() == pytest.approx(costs[7], abs=0.02)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--members", "中通,NoSuchCo"], "Error: --members: not a company in"),
        (["--method", "shapley,bogus"], "Error: unknown method in 'shapley,bogus'"),
        (["--baseline", "moon"], "Error: unknown baseline 'moon'"),
        (["--members", "中通"], "Error: cost sharing needs at least two member companies"),
        (["--samples", "50", "--method", "nucleolus"], "Error: --samples estimates only parcels"),
    ],
)
def test_share_usage_errors_exit_2(tiny_dir, tmp_path, extra, message):
    """Bad options: one Error line on stderr, exit 2, nothing planned."""
    result = runner.invoke(app, ["share", str(tiny_dir), "--out", str(tmp_path / "o"), *extra])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.integration
def test_share_input_errors_exit_1(tiny_dir, tmp_path):
    """A day with one company has no game to share (exit 1); a member with no van and no pool van
    to hire is named, with the file (exit 1)."""
    one = tmp_path / "one"
    shutil.copytree(tiny_dir, one)
    (one / "parcels.csv").write_text("company,site_id,parcel_count,weight_kg\n中通,T1,55,70\n", encoding="utf-8")
    result = runner.invoke(app, ["share", str(one), "--out", str(tmp_path / "o1")])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: cost sharing needs at least two member companies")
    vans = tmp_path / "vans"
    shutil.copytree(tiny_dir, vans)
    text = (vans / "vehicles.csv").read_text(encoding="utf-8").splitlines()
    (vans / "vehicles.csv").write_text("\n".join([text[0], text[2].replace("alliance", "顺丰")]) + "\n", "utf-8")
    result = runner.invoke(app, ["share", str(vans), "--out", str(tmp_path / "o2")])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(f"Error: {vans}/vehicles.csv: 中通 owns no vans"), errors


@pytest.mark.integration
def test_share_member_that_cannot_plan_alone_exit_3(tiny_dir, tmp_path):
    """中通 owns D1; the only pool van R1 has 50 kg of space, but 顺丰's parcels weigh 60.5 kg: 顺丰
    cannot deliver alone. One Error line naming it, exit 3."""
    day = tmp_path / "day"
    shutil.copytree(tiny_dir, day)
    head, r1, d1 = (day / "vehicles.csv").read_text(encoding="utf-8").splitlines()[:3]
    r1 = r1.replace(",0,1200,", ",0,50,")
    d1 = d1.replace("alliance", "中通")
    (day / "vehicles.csv").write_text("\n".join([head, r1, d1]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["share", str(day), "--out", str(tmp_path / "o"), "--workers", "0"])
    assert result.exit_code == 3, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: 顺丰 alone cannot deliver all its parcels with its vans and the hire pool"]
