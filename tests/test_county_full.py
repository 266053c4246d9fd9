"""The full county day (``coldchain generate --day full``): every village, the litchi sheds, 40 trucks.

Sizes by hand from ``coldchain.apps.generate``: 19 town points (17 town seats, 2 sub-districts);
389 villages over the 17 rural towns (389 = 17 x 22 + 15: 23 villages in each of the first 15
towns, 22 in the last 2), each with parcels; 128 pickup-only sheds, spread evenly over the 9
litchi towns (14 or 15 each), none with parcels; so 19 + 389 + 128 = 536 stops. The fleet is
three ``vehicles.csv`` rows with a ``count``: 24 dry vans, 10 reefers, 6 split-body trucks.
"""

from __future__ import annotations

from collections import Counter

import pytest
from typer.testing import CliRunner

from coldchain.apps.generate import LITCHI_TOWNS, generate_day, write_day
from coldchain.cli import app
from coldchain.core.instance import build_instance
from coldchain.scenario.read import read_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def full_day(tmp_path_factory):
    folder = tmp_path_factory.mktemp("full")
    write_day(folder, generate_day("full", 1))
    return folder, read_scenario(folder)


@pytest.mark.unit
def test_full_day_is_reproducible_and_seeded():
    """Same seed: byte-identical files; another seed: other orders and other places."""
    assert generate_day("full", 3) == generate_day("full", 3)
    one, two = generate_day("full", 1), generate_day("full", 2)
    assert one["orders.csv"] != two["orders.csv"] and one["sites.csv"] != two["sites.csv"]


@pytest.mark.unit
def test_full_day_has_every_village_the_sheds_and_about_540_stops(full_day):
    """The counts of the module docstring: 19 towns, 389 villages by town, 128 sheds, 536 stops,
    parcels at exactly the 408 town and village points."""
    _, s = full_day
    ids = [x.site_id for x in s.sites]
    assert sum(x.kind == "town" for x in s.sites) == 19
    villages = [i for i in ids if i.startswith("V_")]
    sheds = [i for i in ids if i.startswith("S_")]
    assert len(villages) == 389 and len(sheds) == 128
    per_town = Counter(i.rsplit("_", 1)[0] for i in villages)
    assert len(per_town) == 17 and sorted(per_town.values()) == [22] * 2 + [23] * 15
    assert {i.split("_")[1] for i in sheds} == LITCHI_TOWNS
    with_parcels = {p.site_id for p in s.parcels}
    assert with_parcels == {x.site_id for x in s.sites if x.kind != "hub" and not x.site_id.startswith("S_")}
    assert build_instance(s).n == 536


@pytest.mark.unit
def test_full_day_litchi_lots_and_fleet(full_day):
    """About 150 litchi lots of 50-400 kg, every shed with at least one; some sheds pre-cool;
    40 trucks of the three kinds, from three rows with a count."""
    folder, s = full_day
    lots = [o for o in s.orders if o.product_id == "litchi"]
    assert 140 <= len(lots) <= 180
    assert all(50 <= o.quantity_kg <= 400 for o in lots)
    shed_ids = {x.site_id for x in s.sites if x.site_id.startswith("S_")}
    assert shed_ids <= {o.site_id for o in lots}
    assert 0 < sum(x.has_precooling for x in s.sites if x.site_id in shed_ids) < len(shed_ids)
    assert len(s.vehicles) == 40
    kinds = Counter((v.dry_capacity_kg, v.reefer_capacity_kg) for v in s.vehicles)
    assert kinds == {(1500, 0): 24, (0, 1200): 10, (700, 500): 6}
    rows = (folder / "vehicles.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].endswith(",count") and len(rows) == 4


@pytest.mark.integration
def test_cli_generates_a_full_day_that_validates(tmp_path):
    """``generate --day full`` then ``validate``: exit 0 both, the summary line names 536 points;
    the same seed twice writes the same files."""
    res = runner.invoke(app, ["generate", str(tmp_path / "a"), "--day", "full", "--seed", "7"])
    assert res.exit_code == 0, res.output
    assert "536 service points, 40 trucks" in res.output
    assert runner.invoke(app, ["validate", str(tmp_path / "a")]).exit_code == 0
    runner.invoke(app, ["generate", str(tmp_path / "b"), "--day", "full", "--seed", "7"])
    for f in (tmp_path / "a").iterdir():
        assert (tmp_path / "b" / f.name).read_bytes() == f.read_bytes()
