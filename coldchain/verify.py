"""The independent checker: recompute every rule of a plan from its output tables.

It reads the scenario and the tables ``routes.csv``, ``orders.csv``, ``deliveries.csv`` (and
``kpis.json`` if present) and knows nothing of the model, the solver or the route evaluator: it
re-derives travel, loads, times, freshness and costs itself. ``coldchain check SCENARIO DIR``
runs it; the test suite runs it on every plan it solves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coldchain.errors import OutputError
from coldchain.scenario.domain import Scenario
from coldchain.scenario.freshness import all_order_terms
from coldchain.scenario.travel import TravelMatrix

TOL_MIN = 0.01  # minutes
TOL_KG = 0.01
TOL_KM = 0.001
TOL_CNY = 0.05


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, about what (truck, order, site), and the numbers."""

    rule: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.subject}: {self.message}"


def read_tables(out_dir: str | Path) -> dict[str, pd.DataFrame | dict]:
    """Read a plan folder's tables. Raises `OutputError` if a table is missing or unreadable.

    A plan given as JSON (a ``plan.json`` file, or a folder with plan.json and no routes.csv) is
    turned into the same tables by `coldchain.output.planjson.read_plan_json`."""
    out = Path(out_dir)
    if out.suffix == ".json" or (not (out / "routes.csv").exists() and (out / "plan.json").is_file()):
        from coldchain.output.planjson import read_plan_json

        return read_plan_json(out if out.suffix == ".json" else out / "plan.json")
    tables: dict = {}
    for name in ("routes", "orders", "deliveries"):
        path = out / f"{name}.csv"
        try:
            tables[name] = pd.read_csv(
                path, encoding="utf-8-sig", dtype={"vehicle_id": str, "site_id": str, "order_id": str, "company": str}
            )
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise OutputError(f"{path}: cannot read the plan table: {exc}") from None
    kp = out / "kpis.json"
    if kp.is_file():
        try:
            tables["kpis"] = json.loads(kp.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OutputError(f"{kp}: cannot read: {exc}") from None
    return tables


def check_plan(scenario: Scenario, tables: dict) -> list[Violation]:
    """Every violation of the plan's rules found in ``tables`` (empty list = the plan is sound)."""
    v: list[Violation] = []
    routes, orders, deliveries = tables["routes"], tables["orders"], tables["deliveries"]
    sites = {s.site_id: s for s in scenario.sites}
    vehicles = {x.vehicle_id: x for x in scenario.vehicles}
    products = {p.product_id: p for p in scenario.products}
    hub = scenario.hub
    travel = TravelMatrix.build(scenario)
    pos = {sid: k for k, sid in enumerate(travel.site_ids)}
    terms = all_order_terms(scenario)
    scen_orders = {o.order_id: o for o in scenario.orders}

    parcel_kg: dict[str, float] = {}
    parcel_n: dict[str, int] = {}
    for p in scenario.parcels:
        parcel_kg[p.site_id] = parcel_kg.get(p.site_id, 0.0) + p.weight_kg
        parcel_n[p.site_id] = parcel_n.get(p.site_id, 0) + p.parcel_count

    # --- orders table: every order exactly once -------------------------------------------------
    ids = list(orders["order_id"].astype(str))
    for oid in sorted(set(ids)):
        if ids.count(oid) > 1:
            v.append(Violation("orders_once", oid, f"listed {ids.count(oid)} times"))
    for oid in scen_orders:
        if oid not in ids:
            v.append(Violation("orders_once", oid, "missing from orders.csv"))
    for oid in set(ids) - set(scen_orders):
        v.append(Violation("orders_once", oid, "not an order of the scenario"))
    by_id = {str(r.order_id): r for r in orders.itertuples(index=False)}

    # --- routes ----------------------------------------------------------------------------------
    visited: dict[str, list[tuple[str, int]]] = {}
    route_return: dict[str, float] = {}
    stop_rows: dict[tuple[str, int], object] = {}
    costs = {"fixed": 0.0, "distance": 0.0, "driver": 0.0}
    for vid, rows in routes.groupby("vehicle_id", sort=False):
        vid = str(vid)
        rows = rows.sort_values("stop_seq")
        truck = vehicles.get(vid)
        if truck is None:
            v.append(Violation("vehicle", vid, "not a vehicle of the scenario"))
            continue
        seqs = list(rows["stop_seq"])
        if seqs != list(range(len(seqs))) or len(seqs) < 3:
            v.append(Violation("route_shape", vid, f"stop_seq must run 0..n+1 once (got {seqs})"))
            continue
        recs = list(rows.itertuples(index=False))
        if recs[0].site_id != hub.site_id or recs[-1].site_id != hub.site_id:
            v.append(Violation("route_shape", vid, "a route starts and ends at the hub"))
            continue
        depart, back = float(recs[0].departure_min), float(recs[-1].arrival_min)
        route_return[vid] = back
        if depart < max(truck.shift_start, hub.open_time) - TOL_MIN:
            v.append(Violation("shift", vid, f"leaves the hub at {depart:.1f} min, before its shift/hub opening"))
        if back > min(truck.shift_end, hub.close_time) + TOL_MIN:
            v.append(Violation("shift", vid, f"back at {back:.1f} min, after its shift end/hub closing"))
        costs["fixed"] += truck.fixed_cost_cny_per_day
        costs["driver"] += truck.driver_cost_cny_per_h * (back - depart) / 60

        load = sum(parcel_kg.get(r.site_id, 0.0) for r in recs[1:-1])
        if abs(load - float(recs[0].load_kg)) > TOL_KG:
            v.append(Violation("load", vid, f"leaves with {recs[0].load_kg} kg, parcels on board are {load:.2f} kg"))
        if load > truck.capacity_kg + TOL_KG:
            v.append(Violation("capacity", vid, f"leaves with {load:.1f} kg > {truck.capacity_kg:g} kg payload"))
        cold = 0.0
        prev_site, prev_leave = hub.site_id, depart
        for r in recs[1:]:
            sid = str(r.site_id)
            i, j = pos[prev_site], pos[sid]
            km = float(travel.km[i, j])
            costs["distance"] += truck.cost_cny_per_km * km
            if abs(km - float(r.km_from_prev)) > TOL_KM * max(1.0, km):
                v.append(Violation("travel", vid, f"{prev_site}->{sid} is {km:.3f} km, table says {r.km_from_prev}"))
            earliest = prev_leave + float(travel.minutes[i, j])
            if float(r.arrival_min) < earliest - TOL_MIN:
                v.append(
                    Violation(
                        "travel", vid, f"arrives at {sid} at {r.arrival_min:.2f} min, earliest possible {earliest:.2f}"
                    )
                )
            if r.stop_seq == len(recs) - 1:
                break
            site = sites.get(sid)
            if site is None:
                v.append(Violation("site", vid, f"unknown site {sid}"))
                break
            start, leave = float(r.service_start_min), float(r.departure_min)
            if start < float(r.arrival_min) - TOL_MIN:
                v.append(Violation("service", vid, f"service at {sid} starts before arrival"))
            if start < site.open_time - TOL_MIN or start + site.service_min > site.close_time + TOL_MIN:
                v.append(
                    Violation(
                        "opening_hours",
                        vid,
                        f"service at {sid} {start:.1f}-{start + site.service_min:.1f} "
                        f"min outside {site.open_time}-{site.close_time}",
                    )
                )
            if leave < start + site.service_min - TOL_MIN:
                v.append(Violation("service", vid, f"leaves {sid} before {site.service_min:g} min of service"))
            visited.setdefault(sid, []).append((vid, int(r.stop_seq)))
            stop_rows[(vid, int(r.stop_seq))] = r
            dropped = parcel_kg.get(sid, 0.0)
            if abs(float(r.parcel_kg_dropped) - dropped) > TOL_KG or int(r.parcels_dropped) != parcel_n.get(sid, 0):
                v.append(
                    Violation(
                        "parcels",
                        vid,
                        f"at {sid} drops {r.parcels_dropped} parcels/{r.parcel_kg_dropped} kg, "
                        f"the site gets {parcel_n.get(sid, 0)}/{dropped:.2f} kg",
                    )
                )
            picked = [
                o
                for o in by_id.values()
                if o.status == "served" and str(o.vehicle_id) == vid and int(o.stop_seq) == int(r.stop_seq)
            ]
            kg = sum(float(o.quantity_kg) for o in picked)
            if abs(kg - float(r.kg_picked)) > TOL_KG:
                v.append(Violation("pickups", vid, f"at {sid} picks {r.kg_picked} kg, orders.csv says {kg:.2f} kg"))
            load += kg - dropped
            cold += sum(float(o.quantity_kg) for o in picked if o.compartment == "reefer")
            if abs(load - float(r.load_kg)) > TOL_KG:
                v.append(Violation("load", vid, f"after {sid} carries {load:.2f} kg, table says {r.load_kg}"))
            if load > truck.capacity_kg + TOL_KG:
                v.append(Violation("capacity", vid, f"after {sid} carries {load:.1f} kg > {truck.capacity_kg:g} kg"))
            if abs(cold - float(r.reefer_load_kg)) > TOL_KG:
                v.append(
                    Violation("reefer", vid, f"after {sid} reefer holds {cold:.2f} kg, table says {r.reefer_load_kg}")
                )
            if cold > truck.reefer_capacity_kg + TOL_KG:
                v.append(
                    Violation(
                        "reefer", vid, f"after {sid} reefer holds {cold:.1f} kg > {truck.reefer_capacity_kg:g} kg"
                    )
                )
            prev_site, prev_leave = sid, leave

    # --- parcels: every stop with parcels visited exactly once ------------------------------------
    for sid in parcel_kg.keys() | parcel_n.keys():
        n_visits = len(visited.get(sid, []))
        if n_visits != 1:
            v.append(Violation("parcels", sid, f"parcel stop visited {n_visits} times (must be once)"))
    for sid, vis in visited.items():
        if len(vis) > 1:
            v.append(Violation("visits", sid, f"visited {len(vis)} times"))
    for d in deliveries.itertuples(index=False):
        vis = visited.get(str(d.site_id), [])
        if d.status == "delivered" and (not vis or str(d.vehicle_id) != vis[0][0]):
            v.append(
                Violation("deliveries", f"{d.company}@{d.site_id}", "delivered by a truck that does not stop there")
            )
        if d.status != "delivered" and vis:
            v.append(Violation("deliveries", f"{d.company}@{d.site_id}", "site visited but parcels not delivered"))

    # --- served orders: ready, deadline, cold chain ----------------------------------------------
    lost = 0.0
    for oid, o in by_id.items():
        src = scen_orders.get(oid)
        t = terms.get(oid)
        if src is None or t is None:
            continue
        if o.status != "served":
            lost += t.value_cny
            if not isinstance(o.reason, str) or not o.reason.strip():
                v.append(Violation("reason", oid, "unserved without a reason"))
            continue
        key = (str(o.vehicle_id), int(o.stop_seq))
        stop = stop_rows.get(key)
        if stop is None or str(stop.site_id) != src.site_id:
            v.append(Violation("pickup_site", oid, f"picked up by {key} which is not a stop at {src.site_id}"))
            continue
        pickup = float(o.pickup_min)
        if pickup < float(stop.service_start_min) - TOL_MIN or pickup > float(stop.departure_min) + TOL_MIN:
            v.append(Violation("pickup_time", oid, "pickup time outside the stop's service"))
        if pickup < t.ready_min - TOL_MIN:
            v.append(Violation("ready", oid, f"picked up at {pickup:.1f} min before it is ready ({t.ready_min:.1f})"))
        back = route_return.get(key[0])
        if back is None or abs(float(o.hub_arrival_min) - back) > TOL_MIN:
            v.append(Violation("hub_arrival", oid, "hub arrival differs from the truck's return"))
            continue
        if back > t.deadline_min + TOL_MIN:
            v.append(
                Violation(
                    "freshness",
                    oid,
                    f"reaches the cold store at {back:.1f} min, after its deadline {t.deadline_min:.1f}",
                )
            )
        truck = vehicles[key[0]]
        if o.compartment == "reefer" and truck.reefer_capacity_kg <= 0:
            v.append(Violation("reefer", oid, f"in reefer space on {key[0]}, which has none"))
        if t.chilled and o.compartment != "reefer" and back - pickup > t.max_out_of_cold_min + TOL_MIN:
            v.append(
                Violation(
                    "cold_chain",
                    oid,
                    f"{(back - pickup) / 60:.2f} h out of the cold, allowed {t.max_out_of_cold_min / 60:g} h",
                )
            )
        if products.get(src.product_id) is None:
            v.append(Violation("product", oid, "unknown product"))

    # --- costs against kpis.json ------------------------------------------------------------------
    kp = tables.get("kpis")
    if isinstance(kp, dict):
        expected = {
            "cost_fixed_cny": costs["fixed"],
            "cost_distance_cny": costs["distance"],
            "cost_driver_cny": costs["driver"],
            "value_lost_cny": lost,
        }
        for key, value in expected.items():
            if key in kp and abs(float(kp[key]) - value) > TOL_CNY + 1e-6 * abs(value):
                v.append(Violation("kpis", key, f"reported {kp[key]}, recomputed {value:.2f}"))
    return v


def check_folder(scenario: Scenario, out_dir: str | Path) -> list[Violation]:
    """Read a plan folder and check it against ``scenario``."""
    return check_plan(scenario, read_tables(out_dir))
