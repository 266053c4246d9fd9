"""The independent checker catches every kind of broken plan table (no solver needed).

A heuristic plan of the tiny scenario is written, read back, and then broken one way at a time.
"""

from __future__ import annotations

import pandas as pd
import pytest

from coldchain.core.plan import PlanOptions
from coldchain.output.report import write_plan
from coldchain.planner.plan import plan
from coldchain.scenario.read import read_scenario
from coldchain.verify import check_plan, read_tables


@pytest.fixture
def written(tiny_dir, tmp_path):
    s = read_scenario(tiny_dir)
    result = plan(s, PlanOptions(use_mip=False, heuristic_s=0.2))
    write_plan(result, tmp_path / "out", map_png=False)
    return s, tmp_path / "out"


def _rules(s, tables):
    return {v.rule for v in check_plan(s, tables)}


@pytest.mark.unit
def test_clean_plan_passes(written):
    """The planner's own tables break no rule."""
    s, out = written
    assert check_plan(s, read_tables(out)) == []


def _served(tables):
    o = tables["orders"]
    return o[o["status"] == "served"].index


@pytest.mark.unit
@pytest.mark.parametrize(
    ("rule", "breaker"),
    [
        ("load", lambda t: t["routes"].loc.__setitem__((1, "load_kg"), t["routes"].loc[1, "load_kg"] + 5)),
        ("travel", lambda t: t["routes"].loc.__setitem__((1, "arrival_min"), t["routes"].loc[0, "departure_min"])),
        ("opening_hours", lambda t: t["routes"].loc.__setitem__((1, "service_start_min"), 100.0)),
        ("orders_once", lambda t: t.__setitem__("orders", t["orders"].iloc[1:])),
        (
            "orders_once",
            lambda t: t.__setitem__("orders", pd.concat([t["orders"], t["orders"].iloc[:1]], ignore_index=True)),
        ),
        ("parcels", lambda t: t["routes"].loc.__setitem__((1, "parcel_kg_dropped"), 1.0)),
        ("reason", lambda t: t["orders"].loc.__setitem__((0, "status"), "unserved")),
        ("kpis", lambda t: t["kpis"].__setitem__("cost_fixed_cny", 1.0)),
        ("shift", lambda t: t["routes"].loc.__setitem__((0, "departure_min"), 60.0)),
    ],
)
def test_each_broken_rule_is_reported(written, rule, breaker):
    """One defect per case, and the checker names its rule."""
    s, out = written
    tables = read_tables(out)
    breaker(tables)
    assert rule in _rules(s, tables)


@pytest.mark.unit
def test_late_arrival_breaks_freshness(written):
    """Moving the truck's return (and the orders' hub arrival) past the fish's 15:00 deadline."""
    s, out = written
    t = read_tables(out)
    last = t["routes"].index[-1]
    t["routes"].loc[last, "arrival_min"] = 16 * 60
    t["orders"].loc[_served(t), "hub_arrival_min"] = 16 * 60
    assert "freshness" in _rules(s, t)


@pytest.mark.unit
def test_chilled_too_long_out_of_cold(written):
    """The fish (1.5 h allowed) picked four hours before the return breaks the cold chain."""
    s, out = written
    t = read_tables(out)
    o = t["orders"]
    fish = o.index[o["order_id"] == "O3"][0]
    t["orders"].loc[fish, "compartment"] = "dry"
    t["orders"].loc[fish, "pickup_min"] = t["orders"].loc[fish, "hub_arrival_min"] - 240
    assert "cold_chain" in _rules(s, t)


@pytest.mark.unit
def test_reefer_space_on_a_dry_van(written):
    """An order marked as riding in reefer space on a truck without any is a violation."""
    s, out = written
    t = read_tables(out)
    served = _served(t)
    vid = t["orders"].loc[served[0], "vehicle_id"]
    if next(v for v in s.vehicles if v.vehicle_id == vid).reefer_capacity_kg > 0:
        pytest.skip("the heuristic used the reefer truck")
    t["orders"].loc[served[0], "compartment"] = "reefer"
    assert "reefer" in _rules(s, t)


@pytest.mark.integration
def test_checker_does_not_import_pyomo():
    """The checker is independent of the model: importing it (and running it) loads no Pyomo."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from coldchain.verify import check_folder\n"
        "from coldchain.scenario.read import read_scenario\n"
        "assert not any(m == 'pyomo' or m.startswith('pyomo.') for m in sys.modules), 'pyomo imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
