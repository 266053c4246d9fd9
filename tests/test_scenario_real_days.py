"""What real days need from the scenario: a travel matrix file (OSRM table shape), a vehicles row
standing for several identical trucks (``count``), and freshness counted from harvest
(``harvested_at``). No solver."""

from __future__ import annotations

import json

import numpy as np
import pytest

from coldchain.core.instance import build_instance
from coldchain.errors import InputError
from coldchain.scenario.read import read_scenario
from coldchain.scenario.travel import TravelMatrix


def _sites(folder) -> list[str]:
    return [line.split(",")[0] for line in (folder / "sites.csv").read_text(encoding="utf-8-sig").splitlines()[1:]]


@pytest.mark.unit
def test_a_travel_matrix_file_sets_every_leg_it_lists(tiny_dir):
    """The matrix gives leg i->j as (100 i + j) seconds and (1000 i + j) metres for the tiny day's
    sites in reverse order: the leg from the last-listed site to the first is row 0, column n-1:
    (n - 1) s = (n - 1) / 60 min and (n - 1) m."""
    ids = _sites(tiny_dir)[::-1]
    n = len(ids)
    sec = [[0 if i == j else 100 * i + j for j in range(n)] for i in range(n)]
    met = [[0 if i == j else 1000 * i + j for j in range(n)] for i in range(n)]
    (tiny_dir / "travel_matrix.json").write_text(json.dumps({"site_ids": ids, "durations": sec, "distances": met}))
    m = TravelMatrix.build(read_scenario(tiny_dir))
    a, b = m.index(ids[0]), m.index(ids[-1])
    assert m.minutes[a, b] == pytest.approx((n - 1) / 60)
    assert m.km[a, b] == pytest.approx((n - 1) / 1000)
    assert m.minutes[b, a] == pytest.approx((100 * (n - 1)) / 60)
    assert np.all(np.diag(m.km) == 0)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["durations"][0].__setitem__(1, None), "durations row 1 column 2: no route (null)"),
        (lambda d: d["distances"].pop(), "distances: expected"),
        (lambda d: d["site_ids"].__setitem__(0, "NOWHERE"), "not a site in sites.csv"),
    ],
)
def test_a_bad_travel_matrix_is_one_error_naming_its_place(tiny_dir, change, message):
    """A null leg (OSRM's "no route"), a missing row, an unknown site: each is an input error
    naming the file and the row and column or field."""
    ids = _sites(tiny_dir)
    n = len(ids)
    data = {"site_ids": ids, "durations": [[60] * n for _ in range(n)], "distances": [[1000] * n for _ in range(n)]}
    change(data)
    (tiny_dir / "travel_matrix.json").write_text(json.dumps(data))
    with pytest.raises(InputError) as exc:
        read_scenario(tiny_dir)
    text = "\n".join(str(p) for p in exc.value.problems)
    assert "travel_matrix.json" in text and message in text


@pytest.mark.unit
def test_a_vehicles_row_with_a_count_is_that_many_identical_trucks(tiny_dir):
    """D1 with count 3 becomes D1-1, D1-2, D1-3: one vehicle type of 3 in the instance, next to R1."""
    path = tiny_dir / "vehicles.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",count"
    lines[1:] = [line + (",3" if line.startswith("D1,") else ",") for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = read_scenario(tiny_dir)
    assert [v.vehicle_id for v in s.vehicles] == ["R1", "D1-1", "D1-2", "D1-3"]
    assert sorted(t.count for t in build_instance(s).types) == [1, 3]


@pytest.mark.unit
def test_freshness_counts_from_harvest_when_the_order_gives_it(tiny_dir):
    """O2 (litchi, 24 h window) is ready 2026-06-15 07:00; harvested 2026-06-14 19:00 its deadline
    is 2026-06-15 19:00 = 1140 min, not 07:00 + 24 h = 2026-06-16 07:00 (1860 min). A harvest after
    the ready time is an error."""
    path = tiny_dir / "orders.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",harvested_at"
    lines[1:] = [line + (",2026-06-14 19:00" if line.startswith("O2,") else ",") for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inst = build_instance(read_scenario(tiny_dir))
    deadline = {o.order_id: o.deadline_min for o in inst.orders}
    assert deadline["O2"] == pytest.approx(1140.0)
    lines[2] = lines[2].rsplit(",", 1)[0] + ",2026-06-15 08:00"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_scenario(tiny_dir)
    assert "harvested_at" in "\n".join(str(p) for p in exc.value.problems)
