"""``routes.geojson``: the plan on a map, for GIS tools (QGIS, geojson.io, Leaflet, kepler.gl).

A GeoJSON FeatureCollection (RFC 7946; coordinates ``[longitude, latitude]`` in WGS 84), built
from ``plan.json``'s document so that both say the same:

* one ``LineString`` per used truck (hub, its stops in order, hub), ``properties.feature`` =
  ``route``: vehicle, trip (with ``[rules] multiple_trips``), owner, colour (the map's, one per
  truck), stops, distance_km, duration_min, cost, departure, return, pickup_kg, delivery_kg;
* one ``Point`` per stop, ``feature`` = ``stop``: vehicle, seq, site, name, kind, type
  (delivery/pickup/job), arrival, departure, parcels, parcel_kg, orders (ids), pickup_kg,
  load_dry_kg, load_reefer_kg, colour;
* one ``Point`` for the hub (``feature`` = ``hub``) and one per unserved order's point
  (``feature`` = ``unserved``: orders, codes, reasons, kg, value_cny).

Schema: ``coldchain/output/schemas/routes.schema.json``.
"""

from __future__ import annotations

import json

from coldchain.output.palette import truck_colour


def routes_geojson(doc: dict) -> dict:
    """The FeatureCollection of a plan.json document (`coldchain.output.planjson.plan_document`)."""
    features: list[dict] = []
    hub = None
    trucks: dict[str, int] = {}  # one colour per truck, all its trips alike ([rules] multiple_trips)
    for r in doc["routes"]:
        steps = r["steps"]
        hub = hub or steps[0]
        colour = truck_colour(trucks.setdefault(r["vehicle"], len(trucks)))
        trip = {"trip": r["trip"]} if "trip" in r else {}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [s["location"] for s in steps]},
                "properties": {
                    "feature": "route",
                    "vehicle": r["vehicle"],
                    **trip,
                    "owner": r["owner"],
                    "colour": colour,
                    "stops": len(steps) - 2,
                    "distance_km": round(r["distance_km"], 1),
                    "duration_min": round(r["duration_min"], 1),
                    "cost": round(r["cost"]),
                    "departure": steps[0]["departure"],
                    "return": steps[-1]["arrival"],
                    "pickup_kg": round(r["pickup_kg"], 1),
                    "delivery_kg": round(r["delivery_kg"], 1),
                },
            }
        )
        for seq, s in enumerate(steps[1:-1], start=1):
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": s["location"]},
                    "properties": {
                        "feature": "stop",
                        "vehicle": r["vehicle"],
                        **trip,
                        "seq": seq,
                        "site": s["site"],
                        "name": s["name"],
                        "kind": s["kind"],
                        "type": s["type"],
                        "arrival": s["arrival"],
                        "departure": s["departure"],
                        "parcels": s["parcels"],
                        "parcel_kg": round(s["parcel_kg"], 1),
                        "orders": [o["id"] for o in s["orders"]],
                        "pickup_kg": round(s["pickup_kg"], 1),
                        "load_dry_kg": round(s["load"]["dry_kg"], 1),
                        "load_reefer_kg": round(s["load"]["reefer_kg"], 1),
                        "colour": colour,
                    },
                }
            )
    if hub is not None:
        features.insert(
            0,
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": hub["location"]},
                "properties": {"feature": "hub", "site": hub["site"], "name": hub["name"], "kind": "hub"},
            },
        )
    by_site: dict[str, list[dict]] = {}
    for u in doc["unassigned"]:
        by_site.setdefault(u["site"], []).append(u)
    for site, us in by_site.items():
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": us[0]["location"]},
                "properties": {
                    "feature": "unserved",
                    "site": site,
                    "name": us[0]["name"],
                    "orders": [u["id"] for u in us],
                    "codes": [u["code"] for u in us],
                    "reasons": [u["reason"] for u in us],
                    "kg": round(sum(u["kg"] for u in us), 1),
                    "value_cny": round(sum(u["value_cny"] for u in us)),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "name": f"{doc['scenario']} {doc['date']}",
        "features": features,
    }


def geojson_text(doc: dict) -> str:
    """``routes.geojson``'s text."""
    return json.dumps(routes_geojson(doc), ensure_ascii=False, separators=(",", ":")) + "\n"
