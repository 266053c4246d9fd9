"""``routes.html``: a zoomable map of the plan that works offline, in one file.

Leaflet 1.9.4 (BSD-2-Clause; ``coldchain/output/static/leaflet/``, from the npm package,
unmodified) is inlined with the plan's GeoJSON (`map_data`) and the drawing script
(``static/plan-map.js``, which the web page serves as a file), so the file opens in any browser
without a network or a tile server. There are no map tiles: the background is drawn from the scenario's
own sites (every service point as a small grey dot, town and hub names as labels, the county's
outline as the convex hull of its sites; on a county day the legs to and from the hub are
faint). Each truck is one layer (its route and stops, in the colour of the PNG map) that the
layer control at the top right turns on and off; clicking a stop shows its times, parcels,
orders and load; red crosses are unserved pickups with their reasons; a scale bar sits at the
bottom left.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path

from coldchain.output.atomic import write_text_atomic
from coldchain.output.geojson import routes_geojson
from coldchain.output.geometry import convex_hull
from coldchain.scenario.domain import Scenario


def _static(name: str) -> str:
    return resources.files("coldchain.output").joinpath("static", "leaflet", name).read_text(encoding="utf-8")


def map_script() -> str:
    """The map's own script (``static/plan-map.js``), shared with the web page."""
    return resources.files("coldchain.output").joinpath("static", "plan-map.js").read_text(encoding="utf-8")


_CSS = """
html, body { margin: 0; height: 100%; font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei",
  "PingFang SC", sans-serif; }
#map { position: absolute; top: 2.2em; bottom: 0; left: 0; right: 0; background: #dfe8ee; }
header { height: 2.2em; line-height: 2.2em; padding: 0 0.8em; font-size: 14px; background: #fff;
  border-bottom: 1px solid #ccc; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.leaflet-control-layers { max-height: 80vh; overflow-y: auto; font-size: 12px; }
.swatch { display: inline-block; width: 1.6em; height: 0.6em; margin-right: 0.3em; vertical-align: middle; }
.site-label { background: none; border: none; box-shadow: none; padding: 0; font-size: 11px; color: #333; }
.site-label.hub { font-weight: bold; font-size: 12px; }
.site-label.village { font-size: 10px; }
.unserved { color: #d00; font-weight: bold; font-size: 16px; line-height: 16px; text-align: center; }
"""


def map_data(doc: dict, scenario: Scenario) -> dict:
    """What the map's script draws: the plan's GeoJSON, the scenario's sites and its outline."""
    sites = [
        {"id": s.site_id, "name": s.name, "kind": s.kind, "lat": s.lat, "lon": s.lon}
        for s in scenario.sites
        if s.kind != "hub"
    ]
    return {
        "geo": routes_geojson(doc),
        "sites": sites,
        "hull": convex_hull([(s.lon, s.lat) for s in scenario.sites]),
    }


def html_map_text(doc: dict, scenario: Scenario) -> str:
    """The self-contained ``routes.html`` of a plan.json document on its scenario."""
    data = map_data(doc, scenario)
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")  # no "</script>" inside the data
    s = doc["summary"]
    title = (
        f"{doc['scenario']} {doc['date']}: {s['routes']} trucks, {s['distance_km']:,.1f} km, "
        f"{s['cost']:,.0f} CNY, {s['unassigned']} unserved orders ({doc['status']})"
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<style>\n{_static('leaflet.css')}\n</style>\n<style>{_CSS}</style>\n"
        f"<script>\n{_static('leaflet.js')}\n</script>\n</head>\n<body>\n"
        f'<header>{html.escape(title)}</header>\n<div id="map"></div>\n'
        f'<script type="application/json" id="plan-data">{payload}</script>\n'
        f"<script>{map_script()}</script>\n</body>\n</html>\n"
    )


def write_html_map(doc: dict, scenario: Scenario, out_dir: str | Path) -> list[Path]:
    """Write ``routes.html`` into ``out_dir`` atomically; the paths written."""
    path = Path(out_dir) / "routes.html"
    write_text_atomic(path, html_map_text(doc, scenario))
    return [path]
