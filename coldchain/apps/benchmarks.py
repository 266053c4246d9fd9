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


def read_solomon(path: str | Path, rounding: str = "trunc1") -> BenchInstance:
    """Read a Solomon-format text file (``VEHICLE`` and ``CUSTOMER`` sections)."""
    lines = Path(path).read_text().splitlines()
    name = lines[0].strip()
    number = capacity = None
    rows = []
    for k, line in enumerate(lines):
        if line.strip().startswith("NUMBER"):
            number, capacity = (float(t) for t in lines[k + 1].split())
        parts = line.split()
        if len(parts) == 7 and all(p.replace(".", "", 1).isdigit() for p in parts):
            rows.append([float(p) for p in parts])
    if number is None or not rows:
        raise ValueError(f"{path}: not a Solomon instance")
    rows.sort(key=lambda r: r[0])
    return BenchInstance(
        name=name,
        xy=tuple((r[1], r[2]) for r in rows),
        delivery=tuple(r[3] for r in rows),
        pickup=tuple(0.0 for _ in rows),
        ready=tuple(r[4] for r in rows),
        due=tuple(r[5] for r in rows),
        service=tuple(r[6] for r in rows),
        capacity=capacity,
        vehicles=int(number),
        rounding=rounding,
    )


def read_vrpspdtw(path: str | Path) -> BenchInstance:
    """Read a Wang & Chen instance in LKH-3's VRPSPDTW format.

    ``PICKUP_AND_DELIVERY_SECTION`` rows are ``id demand earliest latest service pickup delivery``.
    The order of the last two is pinned by the shipped BKS solutions: read this way all 60 are
    feasible, read the other way 24 overload a truck (see the tests). Repeated identical rows,
    which some files have, are ignored.
    """
    text = Path(path).read_text().splitlines()
    head: dict[str, str] = {}
    coords: dict[int, tuple[float, float]] = {}
    pd_rows: dict[int, list[float]] = {}
    section = None
    for line in text:
        s = line.strip()
        if not s:
            continue
        if ":" in s and section is None:
            key, _, value = s.partition(":")
            head[key.strip()] = value.strip()
            continue
        if s.endswith("_SECTION"):
            section = s
            continue
        if s in ("EOF", "-1"):
            continue
        parts = s.split()
        if section == "NODE_COORD_SECTION":
            coords[int(parts[0])] = (float(parts[1]), float(parts[2]))
        elif section == "PICKUP_AND_DELIVERY_SECTION":
            pd_rows.setdefault(int(parts[0]), [float(p) for p in parts[1:]])
    ids = sorted(coords)
    return BenchInstance(
        name=head.get("NAME", Path(path).stem),
        xy=tuple(coords[i] for i in ids),
        delivery=tuple(pd_rows[i][5] for i in ids),
        pickup=tuple(pd_rows[i][4] for i in ids),
        ready=tuple(pd_rows[i][1] for i in ids),
        due=tuple(pd_rows[i][2] for i in ids),
        service=tuple(pd_rows[i][3] for i in ids),
        capacity=float(head["CAPACITY"]),
        vehicles=int(head["VEHICLES"]),
        rounding="double",
    )


def read_solution(path: str | Path) -> list[list[int]]:
    """Routes of a VRPLIB solution file (``Route #k: c1 c2 ...``; customers numbered from 1)."""
    routes = []
    for line in Path(path).read_text().splitlines():
        if line.strip().lower().startswith("route"):
            routes.append([int(t) for t in line.split(":", 1)[1].split()])
    return routes


def write_solution(path: str | Path, routes: list[list[int]], cost: float) -> None:
    """Write routes in VRPLIB solution format."""
    lines = [f"Route #{k}: {' '.join(map(str, r))}" for k, r in enumerate((r for r in routes if r), start=1)]
    Path(path).write_text("\n".join([*lines, f"Cost {cost:.4f}"]) + "\n")


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
