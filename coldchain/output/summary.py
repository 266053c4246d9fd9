"""The readable summary of a plan: KPIs, each truck's run, and the unserved orders with reasons."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table

from coldchain.core.plan import Plan
from coldchain.output.report import kpis, order_table, route_table


def _money(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def plan_renderables(plan: Plan) -> Group:
    """Rich renderables for the plan summary."""
    k = kpis(plan)
    head = Table(title=f"Plan for {k['scenario']} ({k['date']})", show_header=False, title_justify="left")
    head.add_column(style="bold")
    head.add_column()
    gap = "-" if k["gap"] is None else f"{100 * k['gap']:.2f} %"
    head.add_row(
        "status",
        f"{k['status']} (objective {_money(k['objective_cny'])} CNY, best bound "
        f"{_money(k['best_bound_cny'])} CNY, gap {gap})",
    )
    t = k["timings_s"]
    head.add_row(
        "time",
        f"{k['runtime_s']:.1f} s ("
        + ", ".join(f"{name.removesuffix('_s')} {sec:.1f} s" for name, sec in t.items() if name != "prepare_s")
        + ")",
    )
    head.add_row(
        "trucks",
        f"{k['trucks_used']} of {k['trucks_available']} used, {k['km']:,.1f} km, {k['driver_hours']:.1f} driver hours",
    )
    head.add_row(
        "cost",
        f"{_money(k['total_cost_cny'])} CNY = fixed {_money(k['cost_fixed_cny'])} + distance "
        f"{_money(k['cost_distance_cny'])} + driver {_money(k['cost_driver_cny'])} + produce lost "
        f"{_money(k['value_lost_cny'])}",
    )
    head.add_row("parcels", f"{k['parcels_delivered']:,} parcels, {k['parcel_kg_delivered']:,.0f} kg delivered")
    head.add_row(
        "to cold store",
        f"{k['orders_served']} orders, {k['kg_to_cold_store']:,.0f} kg; "
        f"{k['orders_unserved']} unserved ({k['kg_left_unserved']:,.0f} kg)",
    )
    head.add_row(
        "load",
        f"load factor {100 * k['load_factor']:.0f} % (km-weighted), empty running "
        f"{100 * k['empty_running_share']:.0f} % of km",
    )
    if k["missed_parcel_stops"]:
        head.add_row("cannot deliver", ", ".join(k["missed_parcel_stops"]))
    for n, note in enumerate(plan.notes):  # how it was planned, and any fallback taken
        head.add_row("how" if n == 0 else "", note)
    parts = [head]

    routes = route_table(plan)
    for vid, rows in routes.groupby("vehicle_id", sort=False):
        tab = Table(
            title=f"{vid} ({rows['owner'].iloc[0]}, {rows['capacity_kg'].iloc[0]:g} kg, reefer "
            f"{rows['reefer_capacity_kg'].iloc[0]:g} kg)",
            title_justify="left",
        )
        for col in ("#", "site", "arrive", "start", "leave", "drop parcels", "pick up", "load kg", "reefer kg"):
            tab.add_column(col, justify="right" if col in ("#", "load kg", "reefer kg") else "left")
        for r in rows.itertuples(index=False):
            drop = f"{r.parcels_dropped} ({r.parcel_kg_dropped:.0f} kg)" if r.parcels_dropped else ""
            tab.add_row(
                str(r.stop_seq),
                f"{r.site_name} [{r.site_id}]",
                r.arrival,
                r.service_start,
                r.departure,
                drop,
                r.orders_picked,
                f"{r.load_kg:.0f}",
                f"{r.reefer_load_kg:.0f}",
            )
        parts.append(tab)

    orders = order_table(plan)
    lost = orders[orders["status"] == "unserved"]
    if len(lost):
        tab = Table(title="Unserved orders", title_justify="left")
        for col in ("order", "site", "product", "kg", "value CNY", "reason"):
            tab.add_column(col)
        for r in lost.itertuples(index=False):
            tab.add_row(r.order_id, r.site_id, r.product_id, f"{r.quantity_kg:g}", f"{r.value_cny:,.0f}", r.reason)
        parts.append(tab)
    return Group(*parts)


def plan_text(plan: Plan, width: int = 120) -> str:
    """The summary as plain text (for plan.txt)."""
    console = Console(width=width, record=True, file=io.StringIO(), emoji=False, highlight=False)
    console.print(plan_renderables(plan))
    return console.export_text()
