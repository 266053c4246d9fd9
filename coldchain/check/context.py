"""What every rule needs: the scenario's own figures and an index of the written tables.

Scenario side: sites, trucks, orders with their freshness terms (`coldchain.scenario.freshness`),
parcels per site, and each leg's km and minutes from the travel model
(`coldchain.scenario.travel`: a measured leg wins, one given one way is used both ways, every
other leg is derived from coordinates), computed only for the legs the plan drives.

Plan side: each run's rows in ``routes.csv``; a run is one trip of a truck, named by
`run_key` (the vehicle id, with `` trip n`` for its n-th trip when ``[rules] multiple_trips``
gives the tables a ``trip`` column; a table without it has one trip per truck). A run is *sound* when its rows run
``stop_seq`` 0..n+1 once each, start and end at the hub, visit n >= 1 known sites that are not
the hub, and the truck is a scenario vehicle. Only sound trucks are timed, loaded and costed
(the ``routes.*`` rules report the others), so one broken row gives one violation, not a cascade.

Loads are recomputed from the scenario, never read from the table: a truck leaves with every
parcel of the stops where it drops them, L_0 = sum_s parcel_kg(s), and after stop p carries
L_p = L_{p-1} + sum(kg of the orders picked at p) - parcel_kg(s_p); the reefer load R_p adds
the orders picked into reefer space. The return leg carries L_n.

Which visit drops a site's parcels: its only visit; of several (split visits, or a plan that
breaks the one-visit rule, reported by ``routes.site_once``), those whose ``parcels_dropped``
or ``parcel_kg_dropped`` is not 0, the parcel drop being one item that is never shared (the
``parcels.*`` rules then want exactly one such visit, with the site's totals, and 0 elsewhere).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from coldchain.check.read import Row, WrittenPlan
from coldchain.scenario.domain import Scenario, Site, Vehicle
from coldchain.scenario.freshness import OrderTerms, all_order_terms
from coldchain.scenario.travel import derived_leg

TOL_MIN = 0.01  # minutes (tables carry 4 decimals)
TOL_KG = 0.01
TOL_KM = 0.001
SERVED, UNSERVED = "served", "unserved"
REEFER, DRY = "reefer", "dry"


def run_key(row: Row) -> str:
    """The run a row of any plan table belongs to: its truck, and its trip after the first."""
    trip = row.get("trip")
    return row["vehicle_id"] if trip is None or trip == 1 else f"{row['vehicle_id']} trip {trip}"


@dataclass
class Truck:
    """A sound run (one trip of a truck): its vehicle, its rows in stop order, and the recomputed loads."""

    vehicle: Vehicle
    rows: list[Row]  # stop_seq 0..n+1
    key: str = ""  # its `run_key`
    loads: list[float] = field(default_factory=list)  # load on board after each point (len n+2)
    reefer: list[float] = field(default_factory=list)

    @property
    def stops(self) -> list[Row]:
        return self.rows[1:-1]

    @property
    def depart(self) -> float | None:
        return self.rows[0].get("departure_min")

    @property
    def ret(self) -> float | None:
        return self.rows[-1].get("arrival_min")


class Context:
    """The scenario's figures and the written plan's index, built once for all rules."""

    def __init__(self, scenario: Scenario, plan: WrittenPlan):
        self.scenario = scenario
        self.plan = plan
        self.hub: Site = scenario.hub
        self.sites: dict[str, Site] = {s.site_id: s for s in scenario.sites}
        self.vehicles: dict[str, Vehicle] = {v.vehicle_id: v for v in scenario.vehicles}
        self.products = {p.product_id: p for p in scenario.products}
        self.orders = {o.order_id: o for o in scenario.orders}
        self.terms: dict[str, OrderTerms] = all_order_terms(scenario)
        self.parcel_kg: dict[str, float] = defaultdict(float)
        self.parcel_n: dict[str, int] = defaultdict(int)
        for p in scenario.parcels:
            self.parcel_kg[p.site_id] += p.weight_kg
            self.parcel_n[p.site_id] += p.parcel_count
        self.parcel_sites = {
            s for s in set(self.parcel_kg) | set(self.parcel_n) if self.parcel_kg[s] or self.parcel_n[s]
        }
        self._measured = _measured_legs(scenario)
        self._legs: dict[tuple[str, str], tuple[float, float]] = {}

        self.route_rows: list[Row] = plan.routes or []
        self.order_rows: list[Row] = plan.orders or []
        self.delivery_rows: list[Row] = plan.deliveries or []
        self.by_vehicle: dict[str, list[Row]] = defaultdict(list)
        for r in self.route_rows:
            self.by_vehicle[run_key(r)].append(r)
        self.trucks: dict[str, Truck] = {}
        for vid, rows in self.by_vehicle.items():
            truck = self._sound(vid, rows)
            if truck is not None:
                self.trucks[vid] = truck
        self.all_sound = len(self.trucks) == len(self.by_vehicle)
        self.split_visits: bool = scenario.settings.rules.split_visits
        self.stop_at: dict[tuple[str, int], Row] = {}
        self.visits: dict[str, list[Row]] = defaultdict(list)
        for vid, t in self.trucks.items():
            for r in t.stops:
                self.stop_at[(vid, r["stop_seq"])] = r
                self.visits[r["site_id"]].append(r)
        self.drops: dict[str, list[Row]] = {}  # per parcel site, the visits that drop its parcels
        for sid in self.parcel_sites:
            seen = self.visits.get(sid, [])
            claimed = [r for r in seen if r["parcels_dropped"] or r["parcel_kg_dropped"]]
            self.drops[sid] = seen if len(seen) <= 1 else claimed
        self._dropping = {(run_key(r), r["stop_seq"]) for rows in self.drops.values() for r in rows}
        self.served_at: dict[tuple[str, int], list[Row]] = defaultdict(list)
        self.first_order_row: dict[str, Row] = {}
        for o in self.order_rows:
            self.first_order_row.setdefault(o["order_id"], o)
            if o["status"] == SERVED and o["stop_seq"] is not None:
                self.served_at[(run_key(o), o["stop_seq"])].append(o)
        self.served_ids = {o["order_id"] for o in self.order_rows if o["status"] == SERVED}
        for t in self.trucks.values():
            self._load(t)

    # --- the scenario's figures ----------------------------------------------------------------
    def leg(self, a: str, b: str) -> tuple[float, float]:
        """(km, minutes) from site ``a`` to site ``b`` in the travel model."""
        key = (a, b)
        if key not in self._legs:
            if a == b:
                self._legs[key] = (0.0, 0.0)
            elif key in self._measured:
                self._legs[key] = self._measured[key]
            else:
                self._legs[key] = derived_leg(self.sites[a], self.sites[b], self.scenario.settings.travel)
        return self._legs[key]

    def order_kg(self, row: Row) -> float:
        """An order's kg: the scenario's, or the table's for an order the scenario lacks."""
        src = self.orders.get(row["order_id"])
        return src.quantity_kg if src is not None else (row["quantity_kg"] or 0.0)

    def drops_here(self, row: Row) -> bool:
        """Whether the stop ``row`` of a sound truck is where its site's parcels are dropped."""
        return (run_key(row), row["stop_seq"]) in self._dropping

    def dropped_kg(self, row: Row) -> float:
        """The parcel kg dropped at the stop ``row`` (the site's, or 0 where another visit drops them)."""
        return self.parcel_kg.get(row["site_id"], 0.0) if self.drops_here(row) else 0.0

    def truck_of(self, row: Row) -> Truck | None:
        """The sound truck a row of ``orders.csv`` or ``deliveries.csv`` names."""
        return self.trucks.get(run_key(row))

    def stop_of(self, row: Row) -> Row | None:
        """The stop of a sound run that a row of ``orders.csv`` or ``deliveries.csv`` names."""
        return self.stop_at.get((run_key(row), row["stop_seq"]))

    def runs_of(self) -> dict[str, list[Truck]]:
        """Each truck's sound runs, in trip order (one per truck without multiple trips)."""
        out: dict[str, list[Truck]] = defaultdict(list)
        for t in self.trucks.values():
            out[t.vehicle.vehicle_id].append(t)
        for runs in out.values():
            runs.sort(key=lambda t: t.rows[0].get("trip") or 1)
        return dict(out)

    # --- building the index ---------------------------------------------------------------------
    def _sound(self, vid: str, rows: list[Row]) -> Truck | None:
        vehicle = self.vehicles.get(rows[0]["vehicle_id"])
        if vehicle is None:
            return None
        seqs = [r["stop_seq"] for r in rows]
        if None in seqs or sorted(seqs) != list(range(len(rows))) or len(rows) < 3:
            return None
        ordered = sorted(rows, key=lambda r: r["stop_seq"])
        hub = self.hub.site_id
        if ordered[0]["site_id"] != hub or ordered[-1]["site_id"] != hub:
            return None
        if any(r["site_id"] == hub or r["site_id"] not in self.sites for r in ordered[1:-1]):
            return None
        return Truck(vehicle, ordered, key=vid)

    def _load(self, t: Truck) -> None:
        load = sum(self.dropped_kg(r) for r in t.stops)
        cold = 0.0
        t.loads, t.reefer = [load], [0.0]
        vid = t.key
        for r in t.stops:
            for o in self.served_at.get((vid, r["stop_seq"]), ()):
                kg = self.order_kg(o)
                load += kg
                if o["compartment"] == REEFER:
                    cold += kg
            load -= self.dropped_kg(r)
            t.loads.append(load)
            t.reefer.append(cold)
        t.loads.append(load)
        t.reefer.append(cold)


def _measured_legs(scenario: Scenario) -> dict[tuple[str, str], tuple[float, float]]:
    """Measured legs as `coldchain.scenario.travel.TravelMatrix` uses them: the last one given for
    a pair wins, and one given one way only is used both ways."""
    ids = {s.site_id for s in scenario.sites}
    given: dict[tuple[str, str], tuple[float, float]] = {}
    for leg in scenario.travel:
        if leg.from_site in ids and leg.to_site in ids:
            given[(leg.from_site, leg.to_site)] = (leg.distance_km, leg.travel_min)
    both = dict(given)
    for (a, b), value in given.items():
        if (b, a) not in given:
            both[(b, a)] = value
    return both


def close(a: float | None, b: float | None, tol: float) -> bool:
    """True when either is unknown (reported elsewhere) or both are within ``tol`` of each other."""
    if a is None or b is None:
        return True
    return abs(a - b) <= tol + 1e-9 * abs(b)


def mismatch(ctx: Context, row: Row, column: str, want: float, tol: float) -> bool:
    """True when the cell differs from ``want`` by more than ``tol``, or is empty and not yet reported."""
    value = row[column]
    if value is None:
        return not ctx.plan.reported(row, column)
    return abs(value - want) > tol + 1e-9 * abs(want)
