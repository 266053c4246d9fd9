"""Turn a `Plan` into the tables a dispatcher reads, KPIs, and files on disk.

Tables (one CSV each, columns in a fixed order):

* ``routes.csv``: one row per truck movement point: leaving the hub (``stop_seq`` 0), each stop,
  back at the hub; times as ``HH:MM`` for people and ``*_min`` (minutes from midnight) for
  programs; parcels dropped, orders picked, and the load and reefer load after the point.
* ``orders.csv``: every pickup order: served by which truck, pickup time, arrival at the cold
  store, compartment, hours of freshness left; or unserved with the reason.
* ``deliveries.csv``: every company's parcels per point: which truck, when.
* ``kpis.json``: the summary figures; ``plan.txt``: the same as printed.

Files are written atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from coldchain.core.plan import Plan
from coldchain.core.reasons import reason_code
from coldchain.errors import OutputError
from coldchain.output.atomic import output_folder, safe_frame, write_text_atomic
from coldchain.scenario.timefmt import at_minutes, clock

ROUTE_COLUMNS = [
    "vehicle_id",
    "owner",
    "stop_seq",
    "site_id",
    "site_name",
    "kind",
    "arrival",
    "service_start",
    "departure",
    "arrival_min",
    "service_start_min",
    "departure_min",
    "km_from_prev",
    "parcels_dropped",
    "parcel_kg_dropped",
    "orders_picked",
    "kg_picked",
    "load_kg",
    "reefer_load_kg",
    "capacity_kg",
    "reefer_capacity_kg",
]
ORDER_COLUMNS = [
    "order_id",
    "shipper",
    "site_id",
    "product_id",
    "quantity_kg",
    "ready_at",
    "deadline",
    "status",
    "vehicle_id",
    "stop_seq",
    "pickup_time",
    "pickup_min",
    "hub_arrival",
    "hub_arrival_min",
    "compartment",
    "hours_out_of_cold",
    "freshness_h_left",
    "value_cny",
    "reason",
    "reason_code",
]
DELIVERY_COLUMNS = ["company", "site_id", "parcel_count", "weight_kg", "status", "vehicle_id", "stop_seq", "arrival"]


def multiple_trips(plan: Plan) -> bool:
    """Whether the plan's trucks may make several trips (``[rules] multiple_trips``): the tables
    then have a ``trip`` column after ``vehicle_id`` (1, 2, ... per truck)."""
    return plan.scenario.settings.rules.multiple_trips


def _with_trip(plan: Plan, columns: list[str]) -> list[str]:
    if not multiple_trips(plan):
        return columns
    at = columns.index("vehicle_id") + 1
    return [*columns[:at], "trip", *columns[at:]]


def trucks(plan: Plan) -> dict[str, list]:
    """Each used truck's trips in order (one trip a truck without ``multiple_trips``)."""
    out: dict[str, list] = {}
    for r in plan.routes:
        if r.seq:
            out.setdefault(r.vehicle_id, []).append(r)
    for trips in out.values():
        trips.sort(key=lambda r: r.trip)
    return out


def _vehicles(plan: Plan) -> dict:
    return {v.vehicle_id: v for v in plan.scenario.vehicles}


def route_table(plan: Plan) -> pd.DataFrame:
    """One row per point of every used truck's route (hub out, stops, hub back)."""
    inst = plan.instance
    sites = {s.site_id: s for s in plan.scenario.sites}
    vehicles = _vehicles(plan)
    parcels_at: dict[str, int] = {}
    for p in plan.scenario.parcels:
        parcels_at[p.site_id] = parcels_at.get(p.site_id, 0) + p.parcel_count
    rows = []
    for r in plan.routes:
        if not r.seq:
            continue
        ev, v, hub = r.ev, vehicles[r.vehicle_id], sites[inst.nodes[0]]
        common = {
            "vehicle_id": r.vehicle_id,
            "trip": r.trip,
            "owner": v.owner,
            "capacity_kg": v.capacity_kg,
            "reefer_capacity_kg": v.reefer_capacity_kg,
        }
        rows.append(
            {
                **common,
                "stop_seq": 0,
                "site_id": hub.site_id,
                "site_name": hub.name,
                "kind": "hub",
                "departure_min": ev.depart,
                "km_from_prev": 0.0,
                "parcels_dropped": 0,
                "parcel_kg_dropped": 0.0,
                "orders_picked": "",
                "kg_picked": 0.0,
                "load_kg": ev.load_out,
                "reefer_load_kg": 0.0,
            }
        )
        prev = 0
        for p, i in enumerate(r.seq):
            site = sites[inst.nodes[i]]
            picked = r.picks.get(i, [])
            text = "; ".join(
                f"{inst.orders[o].order_id} {inst.orders[o].kg:g} kg"
                + (" reefer" if ev.in_reefer.get(o) else (" dry" if inst.orders[o].chilled else ""))
                for o in picked
            )
            rows.append(
                {
                    **common,
                    "stop_seq": p + 1,
                    "site_id": site.site_id,
                    "site_name": site.name,
                    "kind": site.kind,
                    "arrival_min": ev.arrive[p],
                    "service_start_min": ev.start[p],
                    "departure_min": ev.start[p] + inst.service(i),
                    "km_from_prev": float(inst.km[prev, i]),
                    "parcels_dropped": parcels_at.get(site.site_id, 0) if r.drops(i) else 0,
                    "parcel_kg_dropped": inst.delivery(i) if r.drops(i) else 0.0,
                    "orders_picked": text,
                    "kg_picked": sum(inst.orders[o].kg for o in picked),
                    "load_kg": ev.load_after[p],
                    "reefer_load_kg": ev.reefer_after[p],
                }
            )
            prev = i
        rows.append(
            {
                **common,
                "stop_seq": len(r.seq) + 1,
                "site_id": hub.site_id,
                "site_name": hub.name,
                "kind": "hub",
                "arrival_min": ev.ret,
                "km_from_prev": float(inst.km[prev, 0]),
                "parcels_dropped": 0,
                "parcel_kg_dropped": 0.0,
                "orders_picked": "",
                "kg_picked": 0.0,
                "load_kg": ev.load_after[-1],
                "reefer_load_kg": ev.reefer_after[-1],
            }
        )
    df = pd.DataFrame(rows, columns=_with_trip(plan, ROUTE_COLUMNS))
    for col in ("arrival", "service_start", "departure"):
        df[col] = df[f"{col}_min"].map(lambda x: "" if pd.isna(x) else clock(x))
    return df


_LAST_ORDERS: list = [None, None]  # (plan, table) of the last call: a plan is immutable


def order_table(plan: Plan) -> pd.DataFrame:
    """Every pickup order with its fate (a copy of the table made for the last plan asked
    about: the files, plan.json and the overview each ask, and a day may hold 100,000 orders)."""
    last, table = _LAST_ORDERS
    if last is not plan:
        table = _order_table(plan)
        _LAST_ORDERS[:] = [plan, table]
    return table.copy()


def _order_table(plan: Plan) -> pd.DataFrame:
    inst = plan.instance
    day = plan.scenario.settings.date
    where: dict[int, tuple] = {}
    for r in plan.routes:
        for p, i in enumerate(r.seq):
            for o in r.picks.get(i, []):
                where[o] = (r, p)
    rows = []
    for rec, o in zip(plan.scenario.orders, inst.orders):
        row = {
            "order_id": rec.order_id,
            "shipper": rec.shipper,
            "site_id": rec.site_id,
            "product_id": rec.product_id,
            "quantity_kg": rec.quantity_kg,
            "ready_at": rec.ready_at.strftime("%Y-%m-%d %H:%M"),
            "deadline": at_minutes(day, o.deadline_min).strftime("%Y-%m-%d %H:%M"),
            "value_cny": o.value_cny,
        }
        if o.index in where:
            r, p = where[o.index]
            pickup, back = r.ev.start[p], r.ev.ret
            reefer = r.ev.in_reefer.get(o.index, False)
            row.update(
                {
                    "status": "served",
                    "vehicle_id": r.vehicle_id,
                    "trip": r.trip,
                    "stop_seq": p + 1,
                    "pickup_time": clock(pickup),
                    "pickup_min": pickup,
                    "hub_arrival": clock(back),
                    "hub_arrival_min": back,
                    "compartment": "reefer" if reefer else "dry",
                    "hours_out_of_cold": round((back - pickup) / 60, 2) if o.chilled and not reefer else None,
                    "freshness_h_left": round((o.deadline_min - back) / 60, 2),
                    "reason": "",
                    "reason_code": "",
                }
            )
        else:
            why = plan.unserved.get(o.index, "")
            row.update({"status": "unserved", "reason": str(why), "reason_code": reason_code(why)})
        rows.append(row)
    return pd.DataFrame(rows, columns=_with_trip(plan, ORDER_COLUMNS))


def delivery_table(plan: Plan) -> pd.DataFrame:
    """Every company's parcels per service point, with the truck and time."""
    inst = plan.instance
    visit: dict[str, tuple] = {}
    for r in plan.routes:
        for p, i in enumerate(r.seq):
            if r.drops(i):  # a pickup-only visit (a split visit) leaves the parcels to another truck
                visit[inst.nodes[i]] = (r.vehicle_id, p + 1, clock(r.ev.start[p]), r.trip)
    rows = []
    for pc in plan.scenario.parcels:
        vid, seq, when, trip = visit.get(pc.site_id, (None, None, "", None))
        status = "delivered" if vid else ("cannot be delivered" if pc.site_id in plan.missed_stops else "not planned")
        rows.append(
            {
                "company": pc.company,
                "site_id": pc.site_id,
                "parcel_count": pc.parcel_count,
                "weight_kg": pc.weight_kg,
                "status": status,
                "vehicle_id": vid,
                "trip": trip,
                "stop_seq": seq,
                "arrival": when,
            }
        )
    return pd.DataFrame(rows, columns=_with_trip(plan, DELIVERY_COLUMNS))


def kpis(plan: Plan) -> dict:
    """Summary figures of a plan (costs in CNY, distances in km, loads in kg)."""
    inst = plan.instance
    w = plan.scenario.settings.weights
    used = [r for r in plan.routes if r.seq]
    types = inst.types
    runs = trucks(plan)  # a truck's driver is paid from its first departure to its last return
    fixed = sum(types[t[0].k].fixed_cny for t in runs.values())
    distance = sum(types[r.k].cny_per_km * r.ev.km for r in used)
    paid_h = {vid: (t[-1].ev.ret - t[0].ev.depart) / 60 for vid, t in runs.items()}
    driver = sum(types[t[0].k].cny_per_h * paid_h[vid] for vid, t in runs.items())
    lost = sum(inst.orders[o].value_cny for o in plan.unserved)
    km = sum(r.ev.km for r in used)
    # km-weighted load factor and empty running, leg by leg
    loaded_km = empty_km = 0.0
    for r in used:
        path = [0, *r.seq, 0]
        loads = [r.ev.load_out, *r.ev.load_after]
        for (i, j), load in zip(zip(path, path[1:]), loads):
            d = float(inst.km[i, j])
            loaded_km += d * load / types[r.k].capacity_kg
            if load <= 1e-9:
                empty_km += d
    served = [o for o in inst.orders if o.index not in plan.unserved]
    out = plan.outcome
    return {
        "scenario": plan.scenario.settings.name,
        "date": str(plan.scenario.settings.date),
        "status": str(plan.status),
        "objective_cny": round(w.fixed * fixed + w.distance * distance + w.driver * driver + w.spoilage * lost, 2),
        "best_bound_cny": None if not out or out.bound is None else round(out.bound, 2),
        "gap": None if not out or out.gap is None else round(out.gap, 6),
        "solver_status": None if not out else out.termination,
        "method": plan.method,
        "runtime_s": round(sum(plan.timings.values()), 2),
        "timings_s": {k: round(v, 3) for k, v in plan.timings.items()},
        "trucks_used": len(runs),
        "trips": len(used),
        "trucks_available": len(plan.scenario.vehicles),
        "km": round(km, 1),
        "driver_hours": round(sum(paid_h.values()), 2),
        "cost_fixed_cny": round(fixed, 2),
        "cost_distance_cny": round(distance, 2),
        "cost_driver_cny": round(driver, 2),
        "value_lost_cny": round(lost, 2),
        "total_cost_cny": round(fixed + distance + driver + lost, 2),
        "load_factor": round(loaded_km / km, 3) if km else 0.0,
        "empty_km": round(empty_km, 1),
        "empty_running_share": round(empty_km / km, 3) if km else 0.0,
        "parcels_delivered": int(sum(inst.stop(i).parcels for r in used for i in r.seq if r.drops(i))),
        "parcel_kg_delivered": round(sum(inst.delivery(i) for r in used for i in r.seq if r.drops(i)), 1),
        "orders_served": len(served),
        "orders_unserved": len(plan.unserved),
        "kg_to_cold_store": round(sum(o.kg for o in served), 1),
        "kg_left_unserved": round(sum(inst.orders[o].kg for o in plan.unserved), 1),
        "missed_parcel_stops": list(plan.missed_stops),
    }


INT_COLUMNS = ("stop_seq", "trip", "parcels_dropped", "parcel_count")  # always written as integers (blank when absent)


def csv_text(df: pd.DataFrame) -> str:
    """A table as CSV with plain numbers: integer columns as integers (``2``, never ``2.0000``, also
    when some rows are blank), other numbers rounded to 4 decimals and written shortest (``62.7``);
    text a spreadsheet would run as a formula escaped (`coldchain.output.atomic.safe_cell`)."""
    df = safe_frame(df)
    for col in df.columns:
        if col in INT_COLUMNS:
            df[col] = pd.to_numeric(df[col]).round().astype("Int64")
        elif pd.api.types.is_float_dtype(df[col]):
            df[col] = df[col].round(4)
    return df.to_csv(index=False)


PLAN_OUTPUTS = frozenset(
    {
        "routes.csv",
        "orders.csv",
        "deliveries.csv",
        "kpis.json",
        "plan.json",
        "routes.geojson",
        "plan.txt",
        "routes.png",
        "routes.html",
        "leaflet",
        "notices",  # plan --from-book --commit: the pickup notices
    }
)  # what a plan folder may hold: a folder holding anything else is not replaced


def write_plan(plan: Plan, out_dir: str | Path, summary_text: str | None = None, map_png: bool = True) -> list[Path]:
    """Write routes.csv, orders.csv, deliveries.csv, kpis.json, plan.json, routes.geojson (and plan.txt,
    routes.png, routes.html with its leaflet/ folder) atomically.

    Raises
    ------
    OutputError
        When the folder cannot be created or written.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        tables = {
            "routes.csv": route_table(plan),
            "orders.csv": order_table(plan),
            "deliveries.csv": delivery_table(plan),
        }
        for name, df in tables.items():
            # UTF-8 with BOM so that Excel in China opens the Chinese names correctly
            write_text_atomic(out / name, "\ufeff" + csv_text(df))
            written.append(out / name)
        write_text_atomic(out / "kpis.json", json.dumps(kpis(plan), ensure_ascii=False, indent=2) + "\n")
        written.append(out / "kpis.json")
        from coldchain.output.geojson import geojson_text
        from coldchain.output.planjson import plan_document

        doc = plan_document(plan)
        # indented for people; a document of many orders compact (Python's C encoder, 5x faster)
        indent = 1 if len(plan.instance.orders) <= 10_000 else None
        write_text_atomic(out / "plan.json", json.dumps(doc, ensure_ascii=False, indent=indent) + "\n")
        write_text_atomic(out / "routes.geojson", geojson_text(doc))
        written += [out / "plan.json", out / "routes.geojson"]
        if summary_text is not None:
            write_text_atomic(out / "plan.txt", summary_text)
            written.append(out / "plan.txt")
        if map_png and plan.has_routes:
            from coldchain.output.html_map import write_html_map
            from coldchain.output.map import draw_map

            draw_map(plan, out / "routes.png")
            written += [out / "routes.png", *write_html_map(doc, plan.scenario, out)]
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the plan: {exc.strerror or exc}") from None
    return written


def write_plan_folder(
    plan: Plan, out_dir: str | Path, summary_text: str | None = None, map_png: bool = True
) -> list[Path]:
    """`write_plan` into a fresh folder beside ``out_dir``, renamed into place when complete
    (`coldchain.output.atomic.output_folder`): the folder holds exactly this run, a previous plan
    there is replaced, a folder holding files a plan does not write is refused (`OutputError`)."""
    out = Path(out_dir)
    with output_folder(out, PLAN_OUTPUTS) as tmp:
        written = write_plan(plan, tmp, summary_text=summary_text, map_png=map_png)
    return [out / p.relative_to(tmp) for p in written]
