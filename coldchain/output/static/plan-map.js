// The plan map of routes.html and of the web page's dispatcher view (coldchain/output/html_map.py).
// Reads the JSON in <script type="application/json" id="plan-data"> (html_map.map_data) and draws it
// with Leaflet into <div id="map">: no tiles, the background from the scenario's own sites.
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
    const trip = p.trip ? ' trip ' + p.trip : '';  // [rules] multiple_trips: a truck's trips share its layer
    const line = p.stops + ' stops, ' + p.distance_km + ' km, ' + esc(p.departure) + '-' + esc(p.return);
    if (!layers[p.vehicle]) {
      layers[p.vehicle] = L.layerGroup().addTo(map);
      layers[p.vehicle]._label = '<span class="swatch" data-vehicle="' + esc(p.vehicle) + '" data-colour="'
        + esc(p.colour) + '"></span>' + esc(p.vehicle) + ' <small>' + (trip ? 'trip 1: ' : '') + line + '</small>';
    } else {
      layers[p.vehicle]._label += ' <small>' + esc(trip) + ': ' + line + '</small>';
    }
    const path = f.geometry.coordinates.map(c => [c[1], c[0]]);
    if (big) {  // on a county day every route meets at the hub: its legs out and back drawn faint
      for (const leg of [path.slice(0, 2), path.slice(-2)]) {
        L.polyline(leg, {color: p.colour, weight: 2, opacity: 0.4, dashArray: '3 5', interactive: false})
          .addTo(layers[p.vehicle]);
      }
    }
    L.polyline(big ? path.slice(1, -1) : path, {color: p.colour, weight: 3, opacity: 0.85})
      .bindPopup('<b>' + esc(p.vehicle) + esc(trip) + '</b> (' + esc(p.owner) + ')<br>' + p.stops + ' stops, ' + p.distance_km
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
overlays['<span class="swatch" data-colour="#bbb"></span>service points'] = background;
L.control.layers(null, overlays, {collapsed: false}).addTo(map);
L.control.scale({metric: true, imperial: false}).addTo(map);
const all = data.sites.map(s => [s.lat, s.lon]);
if (all.length) map.fitBounds(all, {padding: [20, 20]});
// the legend's colours are set from here, not by style attributes, so that a page whose CSP
// forbids inline styles shows them too; the control redraws its list when the layers reach the map
const paint = () => {
  for (const e of document.querySelectorAll('.swatch[data-colour]')) e.style.background = e.dataset.colour;
};
map.on('layeradd layerremove', () => setTimeout(paint, 0));
paint();
