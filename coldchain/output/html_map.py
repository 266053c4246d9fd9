"""``routes.html``: a zoomable map of the plan that works offline, in one file.

Leaflet 1.9.4 (BSD-2-Clause; ``coldchain/output/static/leaflet/``, from the npm package,
unmodified) is inlined with the plan's GeoJSON, so the file opens in any browser without a
network or a tile server. There are no map tiles: the background is drawn from the scenario's
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


_SCRIPT = r"""
const data = JSON.parse(document.getElementById('plan-data').textContent);
const map = L.map('map', {preferCanvas: true, zoomSnap: 0.25});
const ESC = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ESC[c]);
if (data.hull.length > 2) {
  L.polygon(data.hull.map(p => [p[1], p[0]]), {color: '#999', weight: 1, fillColor: '#f2efe6', fillOpacity: 1,
    interactive: false}).addTo(map);
}
const background = L.layerGroup().addTo(map);
for (const s of data.sites) {
  const m = L.circleMarker([s.lat, s.lon], {radius: s.kind === 'village' ? 2 : 4, color: '#888', weight: 1,
    fillColor: s.kind === 'village' ? '#bbb' : '#666', fillOpacity: 1});
  const short = s.kind === 'town' ? s.name.replace(/服务点$/, '') : s.name;
  const label = s.kind === 'village' ? esc(s.name) + ' [' + esc(s.id) + ']' : esc(short);
  m.bindTooltip(label, {permanent: s.kind !== 'village', direction: 'right', className: 'site-label ' + s.kind,
    offset: [4, 0]});
  m.addTo(background);
}
const layers = {};
const big = data.sites.length > 40;
for (const f of data.geo.features) {
  const p = f.properties;
  const ll = f.geometry.type === 'Point' ? [f.geometry.coordinates[1], f.geometry.coordinates[0]] : null;
  if (p.feature === 'route') {
    layers[p.vehicle] = L.layerGroup().addTo(map);
    layers[p.vehicle]._label = '<span class="swatch" style="background:' + p.colour + '"></span>' + esc(p.vehicle)
      + ' <small>' + p.stops + ' stops, ' + p.distance_km + ' km, ' + esc(p.departure) + '-' + esc(p.return)
      + '</small>';
    const path = f.geometry.coordinates.map(c => [c[1], c[0]]);
    if (big) {  // on a county day every route meets at the hub: its legs out and back drawn faint
      for (const leg of [path.slice(0, 2), path.slice(-2)]) {
        L.polyline(leg, {color: p.colour, weight: 2, opacity: 0.4, dashArray: '3 5', interactive: false})
          .addTo(layers[p.vehicle]);
      }
    }
    L.polyline(big ? path.slice(1, -1) : path, {color: p.colour, weight: 3, opacity: 0.85})
      .bindPopup('<b>' + esc(p.vehicle) + '</b> (' + esc(p.owner) + ')<br>' + p.stops + ' stops, ' + p.distance_km
        + ' km, ' + p.cost + ' CNY<br>leaves ' + esc(p.departure) + ', back ' + esc(p.return) + '<br>picks up '
        + p.pickup_kg + ' kg, delivers ' + p.delivery_kg + ' kg')
      .addTo(layers[p.vehicle]);
  } else if (p.feature === 'stop') {
    L.circleMarker(ll, {radius: 5, color: '#222', weight: 1, fillColor: p.colour, fillOpacity: 1})
      .bindPopup('<b>' + esc(p.vehicle) + ' #' + p.seq + ' ' + esc(p.name) + '</b> [' + esc(p.site) + ']<br>arrive '
        + esc(p.arrival) + ', leave ' + esc(p.departure) + '<br>parcels ' + p.parcels + ' (' + p.parcel_kg + ' kg)'
        + (p.orders.length ? '<br>picks up ' + p.orders.map(esc).join(', ') + ' (' + p.pickup_kg + ' kg)' : '')
        + '<br>on board: ' + p.load_dry_kg + ' kg dry, ' + p.load_reefer_kg + ' kg reefer')
      .addTo(layers[p.vehicle]);
  } else if (p.feature === 'hub') {
    L.circleMarker(ll, {radius: 9, color: '#000', weight: 2, fillColor: '#ffd700', fillOpacity: 1})
      .bindTooltip(esc(p.name), {permanent: true, direction: 'top', className: 'site-label hub'}).addTo(map);
  } else if (p.feature === 'unserved') {
    L.marker(ll, {icon: L.divIcon({className: 'unserved', html: '&#10005;', iconSize: [16, 16]})})
      .bindPopup('<b>unserved at ' + esc(p.name) + '</b> [' + esc(p.site) + ']<br>' + p.orders.map((o, i) =>
        esc(o) + ' (' + esc(p.codes[i]) + '): ' + esc(p.reasons[i])).join('<br>'))
      .addTo(map);
  }
}
const overlays = {};
for (const [v, g] of Object.entries(layers)) overlays[g._label] = g;
overlays['<span class="swatch" style="background:#bbb"></span>service points'] = background;
L.control.layers(null, overlays, {collapsed: false}).addTo(map);
L.control.scale({metric: true, imperial: false}).addTo(map);
const all = data.sites.map(s => [s.lat, s.lon]);
if (all.length) map.fitBounds(all, {padding: [20, 20]});
"""

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


def html_map_text(doc: dict, scenario: Scenario) -> str:
    """The self-contained ``routes.html`` of a plan.json document on its scenario."""
    sites = [
        {"id": s.site_id, "name": s.name, "kind": s.kind, "lat": s.lat, "lon": s.lon}
        for s in scenario.sites
        if s.kind != "hub"
    ]
    data = {
        "geo": routes_geojson(doc),
        "sites": sites,
        "hull": convex_hull([(s.lon, s.lat) for s in scenario.sites]),
    }
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
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )


def write_html_map(doc: dict, scenario: Scenario, out_dir: str | Path) -> list[Path]:
    """Write ``routes.html`` into ``out_dir`` atomically; the paths written."""
    path = Path(out_dir) / "routes.html"
    write_text_atomic(path, html_map_text(doc, scenario))
    return [path]
