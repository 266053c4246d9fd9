"""Public benchmark instances as coldchain scenarios: Solomon VRPTW and Wang & Chen VRPSPDTW.

Each customer becomes a stop: its delivery demand is a parcel line (mandatory), its pickup
demand a ``must_serve`` order of a product without freshness limits. Travel time equals
distance; time windows and service times come from the file (a window [ready, due] on the
service *start* becomes opening hours [ready, due + service], since coldchain's service must
finish by closing time). Trucks cost 1 per distance unit and nothing else, so the objective is
the total distance. Each ``BKS.csv`` convention is followed exactly:

* ``euclid_truncated_1dp`` (Solomon distance-only, DIMACS/CVRPLIB): distances truncated to one
  decimal, travel time the same; fleet as in the file (25 for the 25-customer instances).
* ``euclid_double`` (Wang & Chen): unrounded distances; fleet limited to ``VEHICLES``.

Coordinates are mapped to degrees only for the map (x/10, y/10); every distance comes from the
explicit travel legs.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import vrplib

from coldchain.scenario import catalogue
from coldchain.scenario.domain import Order, Parcel, Product, Scenario, Settings, Site, TravelLeg, Vehicle

BENCH_DAY = date(2026, 1, 1)


@dataclass(frozen=True)
class BenchInstance:
    """A routing benchmark instance; index 0 is the depot."""

    name: str
    xy: tuple[tuple[float, float], ...]
    delivery: tuple[float, ...]
    pickup: tuple[float, ...]
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]
    capacity: float
    vehicles: int
    rounding: str  # "trunc1" or "double"

    @property
    def n(self) -> int:
        """Number of customers."""
        return len(self.xy) - 1

    def dist(self, i: int, j: int) -> float:
        """Distance (= travel time) between nodes i and j under the instance's convention."""
        (x1, y1), (x2, y2) = self.xy[i], self.xy[j]
        d = math.hypot(x1 - x2, y1 - y2)
        if self.rounding == "trunc1":
            return math.floor(d * 10 + 1e-9) / 10
        return d


def _read(path: str | Path, **kw) -> dict:
    """vrplib's reader, with a ValueError naming the file for anything it cannot parse."""
    try:
        return vrplib.read_instance(str(path), compute_edge_weights=False, **kw)
    except (OSError, ValueError, IndexError, KeyError) as exc:
        raise ValueError(f"{path}: not a readable benchmark instance ({exc})") from None


def read_solomon(path: str | Path, rounding: str = "trunc1") -> BenchInstance:
    """Read a Solomon-format text file (``VEHICLE`` and ``CUSTOMER`` sections) with vrplib."""
    d = _read(path, instance_format="solomon")
    if "node_coord" not in d or "time_window" not in d:
        raise ValueError(f"{path}: not a Solomon instance")
    n = len(d["node_coord"])
    return BenchInstance(
        name=str(d.get("name", Path(path).stem)),
        xy=tuple((float(x), float(y)) for x, y in d["node_coord"]),
        delivery=tuple(float(q) for q in d["demand"]),
        pickup=tuple(0.0 for _ in range(n)),
        ready=tuple(float(a) for a, _ in d["time_window"]),
        due=tuple(float(b) for _, b in d["time_window"]),
        service=tuple(float(t) for t in d["service_time"]),
        capacity=float(d["capacity"]),
        vehicles=int(d["vehicles"]),
        rounding=rounding,
    )


def read_vrpspdtw(path: str | Path) -> BenchInstance:
    """Read a Wang & Chen instance in LKH-3's VRPSPDTW format with vrplib.

    vrplib gives ``PICKUP_AND_DELIVERY_SECTION`` rows without their id, as ``demand earliest
    latest service pickup delivery``. The order of the last two is pinned by the shipped BKS
    solutions: read this way all 60 are feasible, read the other way 24 overload a truck (see
    the tests).
    """
    d = _read(path)
    if "node_coord" not in d or "pickup_and_delivery" not in d:
        raise ValueError(f"{path}: not a VRPSPDTW instance")
    rows = [[float(x) for x in r] for r in d["pickup_and_delivery"]]
    return BenchInstance(
        name=str(d.get("name", Path(path).stem)),
        xy=tuple((float(x), float(y)) for x, y in d["node_coord"]),
        delivery=tuple(r[5] for r in rows),
        pickup=tuple(r[4] for r in rows),
        ready=tuple(r[1] for r in rows),
        due=tuple(r[2] for r in rows),
        service=tuple(r[3] for r in rows),
        capacity=float(d["capacity"]),
        vehicles=int(d["vehicles"]),
        rounding="double",
    )


def read_solution(path: str | Path) -> list[list[int]]:
    """Routes of a VRPLIB solution file (``Route #k: c1 c2 ...``; customers numbered from 1)."""
    return [[int(c) for c in r] for r in vrplib.read_solution(str(path))["routes"]]


def write_solution(path: str | Path, routes: list[list[int]], cost: float) -> None:
    """Write routes in VRPLIB solution format."""
    lines = [f"Route #{k}: {' '.join(map(str, r))}" for k, r in enumerate((r for r in routes if r), start=1)]
    from coldchain.output.atomic import write_text_atomic

    write_text_atomic(path, "\n".join([*lines, f"Cost {cost:.4f}"]) + "\n")


def solution_cost(inst: BenchInstance, routes: list[list[int]]) -> float:
    """Total distance of ``routes`` under the instance's convention."""
    total = 0.0
    for r in routes:
        path = [0, *r, 0]
        total += sum(inst.dist(a, b) for a, b in zip(path, path[1:]))
    return total


def bks_table(path: str | Path) -> dict[str, dict]:
    """``BKS.csv`` rows by instance name (distance-only conventions only)."""
    out = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            if row["objective_convention"].startswith("distance_only"):
                out[row["instance"]] = row
    return out


def bks_cost(row: dict) -> float:
    """A BKS row's cost to compare against: the published BKS, or, where ``BKS.csv`` says the
    literature value was not reproduced, the cost of the best verified solution it names (if it
    names none, as for Solomon 50 R209, the published value)."""
    note = row["source"].partition("NOT reproduced")[2]
    if "=" in note:
        return float(note.rsplit("=", 1)[1].strip(" )"))
    return float(row["bks_cost"])


def to_scenario(inst: BenchInstance) -> Scenario:
    """The instance as a coldchain scenario (see the module docstring)."""

    def site(i: int) -> Site:
        x, y = inst.xy[i]
        sid = "D" if i == 0 else f"C{i}"
        close = inst.due[i] if i == 0 else inst.due[i] + inst.service[i]
        return Site(
            site_id=sid,
            name=sid,
            kind="hub" if i == 0 else "town",
            lat=y / 10,
            lon=x / 10,
            open_time=inst.ready[i],
            close_time=close,
            service_min=inst.service[i],
        )

    sites = tuple(site(i) for i in range(inst.n + 1))
    legs = tuple(
        TravelLeg(
            from_site=sites[i].site_id,
            to_site=sites[j].site_id,
            distance_km=inst.dist(i, j),
            travel_min=inst.dist(i, j),
        )
        for i in range(inst.n + 1)
        for j in range(i + 1, inst.n + 1)
    )
    truck = Vehicle(
        vehicle_id="V",
        owner="bench",
        home_hub="D",
        dry_capacity_kg=inst.capacity,
        reefer_capacity_kg=0,
        fixed_cost_cny_per_day=0,
        cost_cny_per_km=1,
        driver_cost_cny_per_h=0,
        shift_start=inst.ready[0],
        shift_end=inst.due[0],
    )
    vehicles = tuple(truck.model_copy(update={"vehicle_id": f"V{k + 1}"}) for k in range(inst.vehicles))
    parcels = tuple(
        Parcel(company="bench", site_id=f"C{i}", parcel_count=1, weight_kg=inst.delivery[i])
        for i in range(1, inst.n + 1)
        if inst.delivery[i] > 0
    )
    start = datetime(BENCH_DAY.year, BENCH_DAY.month, BENCH_DAY.day)
    orders = tuple(
        Order(
            order_id=f"P{i}",
            shipper="bench",
            site_id=f"C{i}",
            product_id="bench",
            quantity_kg=inst.pickup[i],
            ready_at=start,
            must_serve=True,
        )
        for i in range(1, inst.n + 1)
        if inst.pickup[i] > 0
    )
    product = Product(
        product_id="bench",
        name="bench",
        temperature_class="ambient",
        freshness_window_h=10_000,
        max_out_of_cold_h=10_000,
        value_cny_per_kg=0,
    )
    return Scenario(
        settings=Settings(name=inst.name, date=BENCH_DAY, travel=catalogue.default_travel()),
        sites=sites,
        vehicles=vehicles,
        products=(*catalogue.default_products().values(), product),
        orders=orders,
        parcels=parcels,
        travel=legs,
    )
