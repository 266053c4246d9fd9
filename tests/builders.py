"""Small hand-derivable scenarios for the model tests, and a plan-then-check helper.

Every leg is given explicitly (travel.csv style), so km and minutes are exactly what the test
docstrings use. Default costs make the arithmetic easy: fixed 100 CNY per truck, 1 CNY per km,
60 CNY per hour (1 CNY per minute of driver time). Times are HH:MM on 2026-06-15.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

from coldchain.check import check_folder
from coldchain.core.outcome import SolveOptions
from coldchain.core.plan import Plan, PlanOptions
from coldchain.output.report import kpis, write_plan
from coldchain.planner.plan import plan
from coldchain.scenario import catalogue
from coldchain.scenario.domain import Order, Parcel, Product, Scenario, Settings, Site, TravelLeg, Vehicle

DAY = date(2026, 6, 15)


def site(
    sid: str,
    kind: str = "village",
    open_time: str = "06:00",
    close_time: str = "20:00",
    service_min: float = 0,
    precooling: bool = False,
) -> Site:
    return Site(
        site_id=sid,
        name=sid,
        kind=kind,
        parent_town="T" if kind == "village" else None,
        lat=22.4,
        lon=109.3,
        open_time=open_time,
        close_time=close_time,
        service_min=service_min,
        has_precooling=precooling,
    )


def truck(
    vid: str,
    dry: float = 1000,
    reefer: float = 0,
    fixed: float = 100,
    per_km: float = 1,
    per_h: float = 60,
    start: str = "07:00",
    end: str = "19:00",
) -> Vehicle:
    return Vehicle(
        vehicle_id=vid,
        owner="alliance",
        home_hub="H",
        dry_capacity_kg=dry,
        reefer_capacity_kg=reefer,
        fixed_cost_cny_per_day=fixed,
        cost_cny_per_km=per_km,
        driver_cost_cny_per_h=per_h,
        shift_start=start,
        shift_end=end,
    )


def order(oid: str, at: str, kg: float, product: str = "plain", ready: str = "2026-06-15 06:00") -> Order:
    return Order(order_id=oid, shipper="co-op", site_id=at, product_id=product, quantity_kg=kg, ready_at=ready)


def parcels(at: str, kg: float, count: int = 10, company: str = "EMS") -> Parcel:
    return Parcel(company=company, site_id=at, parcel_count=count, weight_kg=kg)


def product(
    pid: str, value: float = 10.0, window_h: float = 48.0, chilled: bool = False, out_of_cold_h: float = 24.0
) -> Product:
    return Product(
        product_id=pid,
        name=pid,
        temperature_class="chilled" if chilled else "ambient",
        freshness_window_h=window_h,
        max_out_of_cold_h=out_of_cold_h,
        value_cny_per_kg=value,
    )


def build(
    stops: list[Site],
    legs: dict[tuple[str, str], float],
    vehicles: list[Vehicle],
    orders: list[Order] = (),
    parcel_lines: list[Parcel] = (),
    products: list[Product] = (),
    hub_hours: tuple[str, str] = ("05:00", "21:00"),
) -> Scenario:
    """A scenario with hub H, a town T (always present, maybe idle) and ``stops``.

    ``legs[(a, b)]`` is both the km and the minutes between a and b (both ways). Pairs not given
    are far apart (500 km) so that they are never used.
    """
    hub = Site(
        site_id="H",
        name="H",
        kind="hub",
        lat=22.4,
        lon=109.3,
        open_time=hub_hours[0],
        close_time=hub_hours[1],
        service_min=0,
    )
    all_sites = [hub] + ([] if any(s.site_id == "T" for s in stops) else [site("T", "town")]) + list(stops)
    ids = [s.site_id for s in all_sites]
    travel = []
    for a in ids:
        for b in ids:
            if a < b:
                d = legs.get((a, b), legs.get((b, a), 500.0))
                travel.append(TravelLeg(from_site=a, to_site=b, distance_km=d, travel_min=d))
    prods = {p.product_id: p for p in catalogue.default_products().values()}
    prods["plain"] = product("plain")
    for p in products:
        prods[p.product_id] = p
    return Scenario(
        settings=Settings(name="test", date=DAY, travel=catalogue.default_travel()),
        sites=tuple(all_sites),
        vehicles=tuple(vehicles),
        products=tuple(prods.values()),
        orders=tuple(orders),
        parcels=tuple(parcel_lines),
        travel=tuple(travel),
    )


def solve_and_check(scenario: Scenario, tmp_path: Path, time_limit: float = 20.0, **kw) -> tuple[Plan, dict]:
    """Plan, write the tables, and assert the independent checker finds nothing."""
    result = plan(scenario, PlanOptions(solve=SolveOptions(time_limit_s=time_limit, threads=1), **kw))
    if result.has_routes:
        out = tmp_path / "plan"
        write_plan(result, out, map_png=False)
        problems = check_folder(scenario, out)
        assert problems == [], [str(p) for p in problems]
    return result, kpis(result)


def route_of(result: Plan, vehicle_id: str | None = None) -> list[str]:
    """Site ids of a used truck's stops (the only used truck if ``vehicle_id`` is None)."""
    used = [r for r in result.routes if r.seq and (vehicle_id is None or r.vehicle_id == vehicle_id)]
    assert len(used) == 1, [r.vehicle_id for r in used]
    return [result.instance.nodes[i] for i in used[0].seq]


def served(result: Plan) -> set[str]:
    """Ids of the orders the plan serves."""
    return {result.instance.orders[o].order_id for r in result.routes for os in r.picks.values() for o in os}


# --- editing a written plan (the checker's tests) ------------------------------------------------


class Table:
    """A plan CSV as lists of strings, written back as the planner writes it (BOM, \\n)."""

    def __init__(self, path: Path):
        self.path = path
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
        self.header, self.rows = rows[0], rows[1:]

    def col(self, name: str) -> int:
        return self.header.index(name)

    def get(self, i: int, name: str) -> str:
        return self.rows[i][self.col(name)]

    def set(self, i: int, name: str, value: object) -> None:
        self.rows[i][self.col(name)] = value if isinstance(value, str) else f"{value:.4f}"

    def num(self, i: int, name: str) -> float:
        return float(self.get(i, name))

    def where(self, **eq: str) -> list[int]:
        return [i for i, r in enumerate(self.rows) if all(r[self.col(k)] == v for k, v in eq.items())]

    def one(self, **eq: str) -> int:
        (i,) = self.where(**eq)
        return i

    def save(self) -> None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([self.header, *self.rows])
        self.path.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")


def edit(folder: Path, name: str, fn: Callable[[Table], None]) -> None:
    t = Table(folder / name)
    fn(t)
    t.save()
