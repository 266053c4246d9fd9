"""Outputs for programs: plan.json (VROOM-like) and routes.geojson against their shipped schemas,
the JSON plan through the independent checker, plain numbers in the CSV files, the HTML map."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from test_explain import sample_plan

from coldchain.cli import check_plan_document as check_document
from coldchain.errors import OutputError
from coldchain.output.geojson import routes_geojson
from coldchain.output.html_map import html_map_text
from coldchain.output.planjson import plan_document, read_plan_json, schema
from coldchain.output.report import csv_text, order_table, route_table, write_plan
from coldchain.scenario.read import read_scenario
from coldchain.verify import check_folder


@pytest.fixture(scope="module")
def sample(sample_dir):
    """The sample's optimal plan (from its routes, no solver) and its plan.json document."""
    p = sample_plan(sample_dir)
    return p, plan_document(p)


@pytest.mark.unit
def test_plan_json_follows_its_schema_and_vroom_shape(sample):
    """3 routes (R1, D1, SF1), 3 unserved (MK-008 deadline, LZ-003 no_room, BN-010 not_worth).
    D1 = start, T_FOZI (parcels only: delivery), V_DALU (parcels + LZ-004: job), V_FZ_B (delivery),
    V_XX_B (job), end; its load after V_XX_B is 1,500 kg dry, 0 reefer."""
    _, doc = sample
    jsonschema.validate(doc, schema("plan"))
    assert doc["code"] == 0 and doc["summary"]["routes"] == 3 and doc["summary"]["unassigned"] == 3
    d1 = next(r for r in doc["routes"] if r["vehicle"] == "D1")
    assert [s["type"] for s in d1["steps"]] == ["start", "delivery", "job", "delivery", "job", "end"]
    assert d1["steps"][4]["load"] == {"dry_kg": 1500.0, "reefer_kg": 0.0}
    assert [o["id"] for o in d1["steps"][2]["orders"]] == ["LZ-004"]
    assert {u["id"]: u["code"] for u in doc["unassigned"]} == {
        "MK-008": "deadline",
        "LZ-003": "no_room",
        "BN-010": "not_worth",
    }
    assert sum(r["cost"] for r in doc["routes"]) + 5412 == pytest.approx(doc["summary"]["cost"], abs=0.05)


@pytest.mark.unit
def test_plan_json_round_trips_through_the_checker(sample, sample_dir, tmp_path):
    """The tables rebuilt from plan.json pass the checker as the CSVs do; a load changed in the JSON
    (D1 after 大芦村: 859 -> 900 kg) is found; a document without routes is refused with its place."""
    p, doc = sample
    s = read_scenario(sample_dir)
    write_plan(p, tmp_path / "csv", map_png=False)
    assert check_folder(s, tmp_path / "csv") == []
    assert check_document(s, doc) == []
    bad = json.loads(json.dumps(doc))
    step = next(r for r in bad["routes"] if r["vehicle"] == "D1")["steps"][2]
    step["load"]["dry_kg"] += 41.1
    assert {v.rule.split(".")[0] for v in check_document(s, bad)} == {"loads"}
    del bad["routes"]
    (tmp_path / "plan.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(OutputError, match=r"plan.json: \(top level\): 'routes' is a required property"):
        read_plan_json(tmp_path / "plan.json")


@pytest.mark.unit
def test_geojson_has_a_line_per_route_and_a_point_per_stop(sample):
    """Sample: 3 routes with 2 + 4 + 5 = 11 stops, the hub, and 2 points with unserved orders
    (V_NL_A: MK-008; V_XX_B: LZ-003; V_FZ_B: BN-010 -> 3 points)."""
    _, doc = sample
    geo = routes_geojson(doc)
    jsonschema.validate(geo, schema("routes"))
    kinds = [f["properties"]["feature"] for f in geo["features"]]
    assert kinds.count("route") == 3 and kinds.count("stop") == 11 and kinds.count("hub") == 1
    assert kinds.count("unserved") == 3
    line = next(f for f in geo["features"] if f["properties"].get("vehicle") == "D1")
    assert line["geometry"]["type"] == "LineString" and len(line["geometry"]["coordinates"]) == 6
    assert line["geometry"]["coordinates"][0] == [109.29, 22.42]  # [lon, lat], the hub


@pytest.mark.unit
def test_csv_numbers_are_plain(sample):
    """stop_seq and parcel counts are integers even when the column has blanks (unserved orders);
    other numbers have at most 4 decimals and no padding: 62.7, not 62.7000."""
    p, _ = sample
    orders = csv_text(order_table(p)).splitlines()
    fs = next(line for line in orders if line.startswith("FS-009"))
    assert ",SF1,4,09:40," in fs
    routes = csv_text(route_table(p))
    assert re.search(r"\d\.\d{5,}", routes) is None and re.search(r"\.\d*0,", routes.replace(".0,", "")) is None
    assert ",15.9009,159,234.8," in routes


@pytest.mark.unit
def test_html_map_is_offline_with_one_layer_per_truck(sample, sample_dir):
    """Leaflet inlined, no tile server or other network address loaded, the plan's GeoJSON inside."""
    _, doc = sample
    text = html_map_text(doc, read_scenario(sample_dir))
    assert "Leaflet 1.9.4" in text and "L.control.layers" in text and "L.control.scale" in text
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", text) and "url(http" not in text
    assert "tileLayer(" not in text.split("<script>")[-1]  # our script draws no tiles
    data = json.loads(re.search(r'id="plan-data">(.*?)</script>', text, re.S).group(1))
    assert [f["properties"]["vehicle"] for f in data["geo"]["features"] if f["properties"]["feature"] == "route"] == [
        "R1",
        "D1",
        "SF1",
    ]
