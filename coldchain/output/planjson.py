"""``plan.json``: the plan for programs, shaped like VROOM's solution output.

Top level (schema: ``coldchain/output/schemas/plan.schema.json``)::

    {"format": "coldchain-plan", "version": 1, "code": 0, "scenario", "date", "status",
     "summary": {cost, routes, unassigned, distance_km, duration_min, service_min, waiting_min,
                 delivery_kg, pickup_kg, parcels, computing_times, kpis},
     "routes": [{vehicle, owner, capacity_kg, reefer_capacity_kg, cost, distance_km, duration_min,
                 service_min, waiting_min, delivery_kg, pickup_kg,
                 steps: [{type: start|delivery|pickup|job|end, site, name, kind, location [lon, lat],
                          arrival, service_start, departure (HH:MM) and *_min, service_min,
                          waiting_min, distance_km, parcels, parcel_kg, parcel_lines, orders,
                          load {dry_kg, reefer_kg}}]}],
     "unassigned": [{id, type: "pickup", site, location, product, kg, value_cny, code, reason, ...}],
     "undelivered": [{company, site, parcels, kg, status}]}

As in VROOM, ``code`` 0 means a plan; a step of type ``delivery`` only drops parcels, ``pickup``
only picks up orders, ``job`` does both. Times are given twice: ``HH:MM`` for people and minutes
from midnight for programs (VROOM uses seconds; a day here is read in minutes everywhere). The
document is built from the same tables as the CSV files (`coldchain.output.report`), so both say
the same; `tables_from_document` turns it back into those tables, so that the independent
checker can judge a plan given as JSON (``coldchain check SCENARIO plan.json``).
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from coldchain.core.plan import Plan
from coldchain.core.reasons import reason_code
from coldchain.errors import OutputError
from coldchain.output.report import DELIVERY_COLUMNS, ORDER_COLUMNS, ROUTE_COLUMNS, delivery_table, kpis, order_table
from coldchain.output.report import route_table as _route_table

FORMAT, VERSION = "coldchain-plan", 1


def _num(x) -> float | int | None:
    """A table cell as JSON: None for empty, ints as ints, floats to 4 decimals (as in the CSVs)."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return None
    if isinstance(x, bool):
        return x
    if float(x).is_integer() and not isinstance(x, float):
        return int(x)
    return round(float(x), 4)


def _text(x) -> str | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) or x == "" else str(x)


def _step_type(parcels: int, orders: list) -> str:
    if parcels and orders:
        return "job"
    return "pickup" if orders else "delivery"


def plan_document(plan: Plan) -> dict:
    """The plan as a VROOM-like JSON document (see the module docstring)."""
    routes, orders, deliveries, k = _route_table(plan), order_table(plan), delivery_table(plan), kpis(plan)
    sites = {s.site_id: s for s in plan.scenario.sites}
    vehicles = {v.vehicle_id: v for v in plan.scenario.vehicles}
    lines: dict[str, list[dict]] = {}
    for d in deliveries.itertuples(index=False):
        lines.setdefault(d.site_id, []).append(
            {"company": d.company, "parcels": int(d.parcel_count), "kg": _num(d.weight_kg)}
        )
    chilled = {x.order_id: x.chilled for x in plan.instance.orders}
    trips = "trip" in routes.columns  # [rules] multiple_trips: one route per trip of a truck
    picked: dict[tuple[str, int, int], list[dict]] = {}
    for o in orders[orders["status"] == "served"].itertuples(index=False):
        picked.setdefault((o.vehicle_id, int(o.trip) if trips else 1, int(o.stop_seq)), []).append(
            {
                "id": o.order_id,
                "shipper": o.shipper,
                "product": o.product_id,
                "kg": _num(o.quantity_kg),
                "ready_at": o.ready_at,
                "deadline": o.deadline,
                "value_cny": _num(o.value_cny),
                "compartment": o.compartment,
                "chilled": bool(chilled[o.order_id]),
                "pickup": o.pickup_time,
                "pickup_min": _num(o.pickup_min),
                "hub_arrival": o.hub_arrival,
                "hub_arrival_min": _num(o.hub_arrival_min),
                "hours_out_of_cold": _num(o.hours_out_of_cold),
                "freshness_h_left": _num(o.freshness_h_left),
            }
        )
    out_routes = []
    last_back: dict[str, float] = {}  # a truck's previous return (its driver is paid on from there)
    for key, rows in routes.groupby(["vehicle_id", "trip"] if trips else "vehicle_id", sort=False):
        vid, trip = (key[0], int(key[1])) if trips else (key, 1)
        steps = []
        recs = list(rows.itertuples(index=False))
        for n, r in enumerate(recs):
            ords = picked.get((vid, trip, int(r.stop_seq)), [])
            s = sites[r.site_id]
            drops = bool(r.parcels_dropped or r.parcel_kg_dropped)  # not a pickup-only (split) visit
            step = {
                "type": "start" if n == 0 else "end" if n == len(recs) - 1 else _step_type(r.parcels_dropped, ords),
                "site": r.site_id,
                "name": r.site_name,
                "kind": r.kind,
                "location": [s.lon, s.lat],
                "arrival": _text(r.arrival),
                "arrival_min": _num(r.arrival_min),
                "service_start": _text(r.service_start),
                "service_start_min": _num(r.service_start_min),
                "departure": _text(r.departure),
                "departure_min": _num(r.departure_min),
                "service_min": 0,
                "waiting_min": 0,
                "distance_km": _num(r.km_from_prev),
                "parcels": int(r.parcels_dropped),
                "parcel_kg": _num(r.parcel_kg_dropped),
                "parcel_lines": lines.get(r.site_id, []) if 0 < n < len(recs) - 1 and drops else [],
                "orders": ords,
                "pickup_kg": _num(r.kg_picked),
                "load": {"dry_kg": _num(r.load_kg - r.reefer_load_kg), "reefer_kg": _num(r.reefer_load_kg)},
            }
            if 0 < n < len(recs) - 1:
                step["service_min"] = _num(r.departure_min - r.service_start_min)
                step["waiting_min"] = _num(r.service_start_min - r.arrival_min)
            steps.append(step)
        v = vehicles[vid]
        depart, back = float(recs[0].departure_min), float(recs[-1].arrival_min)
        km = float(rows["km_from_prev"].sum())
        paid_from = last_back.get(vid, depart)
        fixed = v.fixed_cost_cny_per_day if vid not in last_back else 0.0
        last_back[vid] = back
        out_routes.append(
            {
                "vehicle": vid,
                **({"trip": trip} if trips else {}),
                "owner": recs[0].owner,
                "capacity_kg": _num(recs[0].capacity_kg),
                "reefer_capacity_kg": _num(recs[0].reefer_capacity_kg),
                "cost": round(
                    fixed + v.cost_cny_per_km * km + v.driver_cost_cny_per_h * (back - paid_from) / 60,
                    2,
                ),
                "distance_km": round(km, 4),
                "duration_min": round(back - depart, 4),
                "service_min": round(sum(s["service_min"] for s in steps), 4),
                "waiting_min": round(sum(s["waiting_min"] for s in steps), 4),
                "delivery_kg": _num(rows["parcel_kg_dropped"].sum()),
                "pickup_kg": _num(rows["kg_picked"].sum()),
                "steps": steps,
            }
        )
    unassigned = []
    index = {x.order_id: x.index for x in plan.instance.orders}
    lost = orders[orders["status"] != "served"]
    # columns as lists, not itertuples: a day may leave 100,000 orders unserved
    names = [str(c) for c in lost.columns]
    for values in zip(*(lost[c].tolist() for c in lost.columns)):
        o = SimpleNamespace(**dict(zip(names, values)))
        s = sites[o.site_id]
        reason = plan.unserved.get(index[o.order_id], o.reason or "")
        unassigned.append(
            {
                "id": o.order_id,
                "type": "pickup",
                "shipper": o.shipper,
                "site": o.site_id,
                "name": s.name,
                "location": [s.lon, s.lat],
                "product": o.product_id,
                "kg": _num(o.quantity_kg),
                "ready_at": o.ready_at,
                "deadline": o.deadline,
                "value_cny": _num(o.value_cny),
                "code": reason_code(reason),
                "reason": str(reason),
            }
        )
    undelivered = [
        {
            "company": d.company,
            "site": d.site_id,
            "parcels": int(d.parcel_count),
            "kg": _num(d.weight_kg),
            "status": d.status,
        }
        for d in deliveries[deliveries["status"] != "delivered"].itertuples(index=False)
    ]
    summary = {
        "cost": k["total_cost_cny"],
        "objective_cny": k["objective_cny"],
        "best_bound_cny": k["best_bound_cny"],
        "gap": k["gap"],
        "routes": len(out_routes),
        "unassigned": len(unassigned),
        "distance_km": k["km"],
        "duration_min": round(sum(r["duration_min"] for r in out_routes), 4),
        "service_min": round(sum(r["service_min"] for r in out_routes), 4),
        "waiting_min": round(sum(r["waiting_min"] for r in out_routes), 4),
        "delivery_kg": k["parcel_kg_delivered"],
        "pickup_kg": k["kg_to_cold_store"],
        "parcels": k["parcels_delivered"],
        "computing_times": k["timings_s"],
        "kpis": k,
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "code": 0 if plan.has_routes else 1,
        "scenario": k["scenario"],
        "date": k["date"],
        "status": k["status"],
        "summary": summary,
        "routes": out_routes,
        "unassigned": unassigned,
        "undelivered": undelivered,
    }


def plan_json(plan: Plan) -> str:
    """``plan.json``'s text."""
    return json.dumps(plan_document(plan), ensure_ascii=False, indent=1) + "\n"


@cache
def schema(name: str = "plan") -> dict:
    """A JSON Schema shipped in the package: ``plan`` (plan.json) or ``routes`` (routes.geojson)."""
    text = resources.files("coldchain.output").joinpath("schemas", f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _picked(o: dict) -> str:
    """An order as ``routes.csv`` lists it: ``LZ-001 650 kg reefer``; ``dry`` only for chilled produce."""
    if o["compartment"] == "reefer" or o.get("chilled", o.get("hours_out_of_cold") is not None):
        return f"{o['id']} {o['kg']:g} kg {o['compartment']}"
    return f"{o['id']} {o['kg']:g} kg"


def tables_from_document(doc: dict) -> dict:
    """The tables ``routes``, ``orders``, ``deliveries`` and ``kpis`` of a plan.json document, exactly
    as `coldchain.verify.read_tables` reads them from the CSV files."""
    route_rows, order_rows, delivery_rows = [], [], []
    trips = any("trip" in r for r in doc["routes"])
    for r in doc["routes"]:
        trip = {"trip": r.get("trip", 1)} if trips else {}
        for n, s in enumerate(r["steps"]):
            ords = s.get("orders", [])
            route_rows.append(
                {
                    "vehicle_id": r["vehicle"],
                    **trip,
                    "owner": r.get("owner"),
                    "stop_seq": n,
                    "site_id": s["site"],
                    "site_name": s.get("name"),
                    "kind": s.get("kind"),
                    "arrival": s.get("arrival"),
                    "service_start": s.get("service_start"),
                    "departure": s.get("departure"),
                    "arrival_min": s.get("arrival_min"),
                    "service_start_min": s.get("service_start_min"),
                    "departure_min": s.get("departure_min"),
                    "km_from_prev": s.get("distance_km"),
                    "parcels_dropped": s.get("parcels", 0),
                    "parcel_kg_dropped": s.get("parcel_kg", 0.0),
                    "orders_picked": "; ".join(_picked(o) for o in ords),
                    "kg_picked": s.get("pickup_kg", 0.0),
                    "load_kg": s["load"]["dry_kg"] + s["load"]["reefer_kg"],
                    "reefer_load_kg": s["load"]["reefer_kg"],
                    "capacity_kg": r.get("capacity_kg"),
                    "reefer_capacity_kg": r.get("reefer_capacity_kg"),
                }
            )
            for o in ords:
                order_rows.append(
                    {
                        "order_id": o["id"],
                        "shipper": o.get("shipper"),
                        "site_id": s["site"],
                        "product_id": o.get("product"),
                        "quantity_kg": o["kg"],
                        "ready_at": o.get("ready_at"),
                        "deadline": o.get("deadline"),
                        "status": "served",
                        "vehicle_id": r["vehicle"],
                        **trip,
                        "stop_seq": n,
                        "pickup_time": o.get("pickup"),
                        "pickup_min": o["pickup_min"],
                        "hub_arrival": o.get("hub_arrival"),
                        "hub_arrival_min": o["hub_arrival_min"],
                        "compartment": o["compartment"],
                        "hours_out_of_cold": o.get("hours_out_of_cold"),
                        "freshness_h_left": o.get("freshness_h_left"),
                        "value_cny": o.get("value_cny"),
                        "reason": "",
                        "reason_code": "",
                    }
                )
            for line in s.get("parcel_lines", []):
                delivery_rows.append(
                    {
                        "company": line["company"],
                        "site_id": s["site"],
                        "parcel_count": line["parcels"],
                        "weight_kg": line["kg"],
                        "status": "delivered",
                        "vehicle_id": r["vehicle"],
                        **trip,
                        "stop_seq": n,
                        "arrival": s.get("service_start"),
                    }
                )
    for u in doc.get("unassigned", []):
        order_rows.append(
            {
                "order_id": u["id"],
                "shipper": u.get("shipper"),
                "site_id": u["site"],
                "product_id": u.get("product"),
                "quantity_kg": u["kg"],
                "ready_at": u.get("ready_at"),
                "deadline": u.get("deadline"),
                "status": "unserved",
                "value_cny": u.get("value_cny"),
                "reason": u.get("reason", ""),
                "reason_code": u.get("code", ""),
            }
        )
    for d in doc.get("undelivered", []):
        delivery_rows.append(
            {
                "company": d["company"],
                "site_id": d["site"],
                "parcel_count": d["parcels"],
                "weight_kg": d["kg"],
                "status": d["status"],
            }
        )

    def cols(columns: list[str]) -> list[str]:
        at = columns.index("vehicle_id") + 1
        return [*columns[:at], "trip", *columns[at:]] if trips else columns

    return {
        "routes": pd.DataFrame(route_rows, columns=cols(ROUTE_COLUMNS)),
        "orders": pd.DataFrame(order_rows, columns=cols(ORDER_COLUMNS)),
        "deliveries": pd.DataFrame(delivery_rows, columns=cols(DELIVERY_COLUMNS)),
        "kpis": doc.get("summary", {}).get("kpis"),
    }


def read_plan_json(path: str | Path) -> dict:
    """Read a plan.json file into the checker's tables. Raises `OutputError` if it is unreadable
    or does not follow the schema (the message names the first place that breaks it)."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: cannot read the plan: {exc}") from None
    problem = validate_document(doc)
    if problem is not None:
        raise OutputError(f"{path}: {problem}")
    try:
        return tables_from_document(doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise OutputError(f"{path}: not a coldchain plan.json ({type(exc).__name__}: {exc})") from None


def validate_document(doc, name: str = "plan") -> str | None:
    """The first place where ``doc`` breaks the shipped schema, as ``path: message``; None if it
    follows it. Needs the ``jsonschema`` library (in the ``test`` extra); without it only the
    format tag is checked."""
    try:
        import jsonschema
    except ImportError:
        if name == "plan" and not (isinstance(doc, dict) and doc.get("format") == FORMAT):
            return f"(top level): not a {FORMAT} document"
        return None
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema(name)).iter_errors(doc))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"{where}: {error.message}"
