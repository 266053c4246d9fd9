"""The plan as text for people: a one-page overview, then one sheet per van a driver can print.

Plain text, never cut to a terminal's width: every id is printed in full (columns are as wide as
their longest cell, counted in terminal cells so that Chinese names line up). Numbers are plain:
kg and km to one decimal, CNY whole, counts as integers, times as ``HH:MM``.

* **overview** (`overview_text`, what ``coldchain plan`` prints): status, cost and bound, vans
  used, km, driver hours, cost by part, parcels, produce to the cold store, the cold-store
  arrivals by hour, how the plan was made, and the unserved orders with code and reason;
* **van sheets** (`van_sheet`): the truck, when it leaves and returns, and one line per stop:
  arrival, departure, site id and name, parcels to drop, orders to pick up (with compartment),
  load on board after the stop (dry + reefer);
* ``plan.txt`` (`plan_text`) is the overview followed by every van's sheet.
"""

from __future__ import annotations

from collections import defaultdict

from rich.cells import cell_len

from coldchain.core.plan import Plan
from coldchain.core.reasons import reason_code
from coldchain.output.report import kpis, order_table, route_table


def kg(x: float) -> str:
    return f"{x:,.1f} kg"


def km(x: float) -> str:
    return f"{x:,.1f} km"


def cny(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f} CNY"


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - cell_len(text))
    return gap + text if right else text + gap


def table(header: list[str], rows: list[list[str]], right: set[int] = frozenset(), indent: str = "  ") -> list[str]:
    """Rows under a header, each column as wide as its widest cell (terminal cells), nothing cut."""
    widths = [max(cell_len(str(r[c])) for r in [header, *rows]) for c in range(len(header))]
    line = [indent + "  ".join(_pad(h, w, c in right) for c, (h, w) in enumerate(zip(header, widths))).rstrip()]
    line.append(indent + "  ".join("-" * w for w in widths))
    for r in rows:
        line.append(indent + "  ".join(_pad(str(x), w, c in right) for c, (x, w) in enumerate(zip(r, widths))).rstrip())
    return line


def arrivals_by_hour(plan: Plan) -> list[tuple[int, int, float]]:
    """(hour, orders, kg) reaching the cold store in each hour of the day, in order."""
    orders = order_table(plan)
    served = orders[orders["status"] == "served"]
    by: dict[int, list[float]] = defaultdict(list)
    for r in served.itertuples(index=False):
        by[int(r.hub_arrival_min // 60)].append(float(r.quantity_kg))
    return [(h, len(v), sum(v)) for h, v in sorted(by.items())]


UNSERVED_SHOWN = 200  # the overview lists at most this many unserved orders (orders.csv has them all)


def overview_text(plan: Plan) -> str:
    """The one-page overview (see the module docstring)."""
    k = kpis(plan)
    gap = "-" if k["gap"] is None else f"{100 * k['gap']:.2f} %"
    trips = f" ({k['trips']} trips)" if k["trips"] != k["trucks_used"] else ""
    lines = [
        f"Plan for {k['scenario']} ({k['date']}): {k['status']}",
        "",
        f"  cost           {cny(k['total_cost_cny'])} = fixed {cny(k['cost_fixed_cny'])} + distance "
        f"{cny(k['cost_distance_cny'])} + driver {cny(k['cost_driver_cny'])} + produce lost {cny(k['value_lost_cny'])}",
        f"  bound          best bound {cny(k['best_bound_cny'])}, gap {gap}, {k['runtime_s']:.1f} s",
        f"  vans           {k['trucks_used']} of {k['trucks_available']} used{trips}, {km(k['km'])}, "
        f"{k['driver_hours']:.1f} driver hours",
        f"  parcels        {k['parcels_delivered']:,} parcels, {kg(k['parcel_kg_delivered'])} delivered",
        f"  to cold store  {k['orders_served']} orders, {kg(k['kg_to_cold_store'])}; "
        f"{k['orders_unserved']} unserved ({kg(k['kg_left_unserved'])})",
        f"  load           load factor {100 * k['load_factor']:.0f} % (km-weighted), empty running "
        f"{100 * k['empty_running_share']:.0f} % of km",
    ]
    if k["missed_parcel_stops"]:
        lines.append(f"  cannot deliver {', '.join(k['missed_parcel_stops'])}")
    for n, note in enumerate(plan.notes):
        lines.append(f"  {'how' if n == 0 else '':<14} {note}")
    hours = arrivals_by_hour(plan)
    if hours:
        lines += ["", "Cold-store arrivals by hour"]
        most = max(n for _, n, _ in hours)
        rows = [[f"{h:02d}:00", str(n), kg(w), "#" * max(1, round(20 * n / most))] for h, n, w in hours]
        lines += table(["hour", "orders", "produce", ""], rows, right={1, 2})
    orders = order_table(plan)
    lost = orders[orders["status"] == "unserved"]
    if len(lost):
        index = {o.order_id: o.index for o in plan.instance.orders}
        if len(lost) > UNSERVED_SHOWN:
            title = f"Unserved orders ({len(lost):,}; the {UNSERVED_SHOWN} worth the most shown, all in orders.csv)"
            lost = lost.sort_values("value_cny", ascending=False, kind="stable").head(UNSERVED_SHOWN)
        else:
            title = f"Unserved orders ({len(lost)})"
        lines += ["", title]
        rows = [
            [
                r.order_id,
                r.site_id,
                r.product_id,
                kg(r.quantity_kg),
                cny(r.value_cny),
                reason_code(plan.unserved.get(index[r.order_id], r.reason)),
                r.reason,
            ]
            for r in lost.itertuples(index=False)
        ]
        lines += table(["order", "site", "product", "kg", "value", "code", "reason"], rows, right={3, 4})
    return "\n".join(lines) + "\n"


def van_sheet(plan: Plan, vehicle_id: str) -> str:
    """One van's sheet (see the module docstring): with ``[rules] multiple_trips``, each of its
    trips in order, with the reload at the hub between them."""
    routes = route_table(plan)
    rows = routes[routes["vehicle_id"] == vehicle_id]
    trips = [rows] if "trip" not in rows.columns else [t for _, t in rows.groupby("trip", sort=True)]
    recs = list(rows.itertuples(index=False))
    first = recs[0]
    last = list(trips[-1].itertuples(index=False))[-1]
    n_trips = f"{len(trips)} trips, " if len(trips) > 1 else ""
    head = (
        f"Van {vehicle_id} ({first.owner}; payload {kg(first.capacity_kg)}, reefer {kg(first.reefer_capacity_kg)}): "
        f"leaves {first.departure}, back {last.arrival}, {n_trips}"
        f"{len(recs) - 2 * len(trips)} stops, {km(rows['km_from_prev'].sum())}"
    )
    lines = [head, "=" * min(cell_len(head), 100)]
    for n, trip in enumerate(trips, start=1):
        recs = list(trip.itertuples(index=False))
        if len(trips) > 1:
            lines += ["", f"Trip {n}: leaves {recs[0].departure}, back {recs[-1].arrival}, {len(recs) - 2} stops"]
        body = []
        for r in recs:
            drop = f"{r.parcels_dropped} ({kg(r.parcel_kg_dropped)})" if r.parcels_dropped else ""
            picks = r.orders_picked if isinstance(r.orders_picked, str) else ""
            body.append(
                [
                    str(r.stop_seq),
                    r.arrival or "",
                    r.departure or "",
                    r.site_id,
                    r.site_name,
                    drop,
                    picks,
                    kg(r.load_kg - r.reefer_load_kg),
                    kg(r.reefer_load_kg),
                ]
            )
        lines += table(
            ["#", "arrive", "leave", "site", "name", "drop parcels", "pick up", "dry on board", "reefer"],
            body,
            right={0, 7, 8},
        )
    return "\n".join(lines) + "\n"


def plan_text(plan: Plan) -> str:
    """``plan.txt``: the overview, then every used van's sheet."""
    parts = [overview_text(plan)]
    routes = route_table(plan)
    for vid in dict.fromkeys(routes["vehicle_id"]):
        parts.append(van_sheet(plan, vid))
    return "\n\n".join(parts)
