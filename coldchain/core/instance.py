"""The planning instance: a scenario turned into indexed numbers the model and heuristics share.

Node 0 is the hub; nodes 1..n are the *stops*: service points with parcels (mandatory) or with
at least one servable pickup order (optional). Identical trucks are grouped into *vehicle types*
(same payloads, costs and shift), so the model routes types with a count, never interchangeable
copies of one truck. Orders that no truck could serve even alone are excluded here, each with a
reason a shipper understands.

All times are minutes from 00:00 of the planning day; distances are km.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from coldchain.core.costs import Costs
from coldchain.core.reasons import Reason
from coldchain.scenario.domain import Scenario
from coldchain.scenario.freshness import all_order_terms
from coldchain.scenario.timefmt import clock
from coldchain.scenario.travel import TravelMatrix

EPS_MIN = 1e-3  # minimum time between consecutive stops, so routes cannot close a cycle


@dataclass(frozen=True)
class VehicleType:
    """A group of identical trucks: the model routes ``count`` of them interchangeably."""

    index: int
    vehicle_ids: tuple[str, ...]
    capacity_kg: float
    reefer_kg: float
    fixed_cny: float
    cny_per_km: float
    cny_per_h: float
    start_min: float  # earliest departure: shift start, not before the hub opens
    end_min: float  # latest return: shift end, not after the hub closes

    @property
    def count(self) -> int:
        return len(self.vehicle_ids)


@dataclass(frozen=True)
class NodeLists:
    """Per-node numbers as lists (node 0 = hub); indexing lists is much faster than numpy scalars."""

    minutes: list[list[float]]
    km: list[list[float]]
    open_min: list[float]
    latest: list[float]  # latest service start (close_time - service_min)
    service: list[float]
    delivery: list[float]


@dataclass(frozen=True)
class Stop:
    """A service point visited today (node index = position in ``Instance.nodes``)."""

    node: int
    site_id: str
    open_min: float
    latest_start_min: float  # close_time - service_min
    service_min: float
    delivery_kg: float
    parcels: int
    orders: tuple[int, ...]  # indices into Instance.orders (servable ones only)

    @property
    def mandatory(self) -> bool:
        return self.parcels > 0 or self.delivery_kg > 0


@dataclass(frozen=True)
class PickupOrder:
    """A pickup order as the model sees it; ``excluded`` says why it cannot be served at all."""

    index: int
    order_id: str
    site_id: str
    node: int | None
    kg: float
    ready_min: float
    deadline_min: float
    window_h: float
    chilled: bool
    max_out_of_cold_min: float
    value_cny: float
    excluded: str | None = None
    required: bool = False


@dataclass(frozen=True)
class Instance:
    """Everything the model needs, as plain numbers (no Pyomo)."""

    scenario: Scenario
    nodes: tuple[str, ...]  # site ids; nodes[0] is the hub
    stops: tuple[Stop, ...]  # stops[i - 1] is node i
    types: tuple[VehicleType, ...]
    orders: tuple[PickupOrder, ...]
    km: np.ndarray
    minutes: np.ndarray
    earliest: np.ndarray  # earliest service start per node (hub: earliest departure)
    latest: np.ndarray  # latest service start per node (hub: latest return)
    serves: np.ndarray  # serves[k, i]: type k can visit node i alone within windows and payload (with split
    # visits, for the parcels or, another truck dropping them, to pick up only: see `drops_fit`)
    shortest: np.ndarray = field(repr=False)  # shortest-path minutes (valid bounds without triangle inequality)

    @property
    def n(self) -> int:
        """Number of stops."""
        return len(self.stops)

    @property
    def split_visits(self) -> bool:
        """Whether several trucks may visit one site, each serving a disjoint part of its work
        (the parcel drop is one part, each pickup order another; ``[rules] split_visits``)."""
        return self.scenario.settings.rules.split_visits

    def may_split(self, node: int) -> bool:
        """Whether stop ``node`` could be served by two trucks today: splits are allowed and it
        has at least two parts (the parcel drop and an order, or two orders)."""
        st = self.stops[node - 1]
        return self.split_visits and int(st.mandatory) + len(st.orders) >= 2

    def visits_allowed(self, node: int) -> int:
        """How many trucks may visit stop ``node``: one, or with split visits one per part of its
        work (the parcel drop, each servable order), at most every truck."""
        if not self.may_split(node):
            return 1
        st = self.stops[node - 1]
        return min(int(st.mandatory) + len(st.orders), sum(t.count for t in self.types))

    @property
    def visit_slots(self) -> int:
        """Stop visits the day may have: ``n`` without split visits, more with them."""
        return sum(self.visits_allowed(st.node) for st in self.stops)

    def stop(self, node: int) -> Stop:
        return self.stops[node - 1]

    @cached_property
    def costs(self) -> Costs:
        """The objective's prices, weights applied (`coldchain.core.costs`)."""
        return Costs.of(self)

    @cached_property
    def fast(self) -> NodeLists:
        """Plain Python lists of the per-node data, for the route evaluator's inner loops."""
        return NodeLists(
            minutes=self.minutes.tolist(),
            km=self.km.tolist(),
            open_min=[0.0] + [s.open_min for s in self.stops],
            latest=[float(self.latest[0])] + [s.latest_start_min for s in self.stops],
            service=[0.0] + [s.service_min for s in self.stops],
            delivery=[0.0] + [s.delivery_kg for s in self.stops],
        )

    def drops_fit(self, k: int, node: int) -> bool:
        """Whether a truck of type ``k`` can visit ``node`` alone and drop its parcels there."""
        return bool(self.serves[k, node]) and self.delivery(node) <= self.types[k].capacity_kg + 1e-9

    def service(self, node: int) -> float:
        return 0.0 if node == 0 else self.stops[node - 1].service_min

    def delivery(self, node: int) -> float:
        return 0.0 if node == 0 else self.stops[node - 1].delivery_kg

    def arcs(self, k: int) -> list[tuple[int, int]]:
        """Arcs type ``k`` may drive: not ruled out by windows, shift or payload."""
        t = self.types[k]
        n = self.n
        out = []
        for i in range(n + 1):
            if i and not self.serves[k, i]:
                continue
            for j in range(n + 1):
                if i == j or (j and not self.serves[k, j]) or (i == 0 and j == 0):
                    continue
                if i and j:
                    arrive = self.earliest[i] + self.service(i) + self.minutes[i, j]
                    if arrive > self.latest[j] + 1e-9:
                        continue
                    back = max(arrive, self.earliest[j]) + self.service(j) + self.minutes[j, 0]
                    if back > t.end_min + 1e-9:
                        continue
                    if not self.split_visits and self.delivery(i) + self.delivery(j) > t.capacity_kg + 1e-9:
                        continue  # (with split visits a truck may visit a parcel stop to pick up only)
                out.append((i, j))
        return out


def _group_types(scenario: Scenario) -> list[VehicleType]:
    hub = scenario.hub
    groups: dict[tuple, list[str]] = defaultdict(list)
    for v in scenario.vehicles:
        key = (
            v.capacity_kg,
            v.reefer_capacity_kg,
            v.fixed_cost_cny_per_day,
            v.cost_cny_per_km,
            v.driver_cost_cny_per_h,
            max(v.shift_start, hub.open_time),
            min(v.shift_end, hub.close_time),
        )
        groups[key].append(v.vehicle_id)
    return [VehicleType(k, tuple(ids), *key) for k, (key, ids) in enumerate(groups.items())]


def _shortest_paths(minutes: np.ndarray) -> np.ndarray:
    d = minutes.copy()
    for m in range(len(d)):
        d = np.minimum(d, d[:, m : m + 1] + d[m : m + 1, :])
    return d


def _exclusion(
    o: PickupOrder, site, types, minutes_from_hub: float, minutes_to_hub: float, service: float
) -> Reason | None:
    """Why an order cannot be served even by a truck that fetches it alone (None if it can)."""
    cap = max(t.capacity_kg for t in types)
    if o.kg > cap + 1e-9:
        return Reason(f"larger than any truck's payload ({o.kg:,.0f} kg > {cap:,.0f} kg)", "too_heavy")
    latest = site.close_time - service
    if o.ready_min > latest:
        return Reason(
            f"ready at {clock(o.ready_min)}, after the last possible pickup at this point ({clock(latest)})",
            "ready_after_close",
        )
    best_back = np.inf
    shift_ok = False
    for t in types:
        begin = max(t.start_min + minutes_from_hub, site.open_time, o.ready_min)
        if begin > latest:
            continue
        back = begin + service + minutes_to_hub
        if back > t.end_min:
            continue
        shift_ok = True
        best_back = min(best_back, back)
        if back > o.deadline_min + 1e-9:
            continue
        if not o.chilled or t.reefer_kg >= o.kg - 1e-9 or back - begin <= o.max_out_of_cold_min + 1e-9:
            return None
    if not shift_ok:
        return Reason("no truck's shift can fetch it after it is ready and bring it back", "no_shift")
    if best_back > o.deadline_min + 1e-9:
        return Reason(
            f"cannot reach the cold store within {o.window_h:g} h even by a direct trip "
            f"(earliest arrival {clock(best_back)}, deadline {clock(o.deadline_min)})",
            "deadline",
        )
    return Reason(
        f"must ride cold but no truck has {o.kg:,.0f} kg of reefer space, and the trip back takes "
        f"longer than its {o.max_out_of_cold_min / 60:g} h allowed out of the cold",
        "no_reefer_room",
    )


MAX_PLANNED_ORDERS = 1_000  # pickup orders one plan considers; beyond, the least valuable are left out


def _beyond_the_cap(raw_orders: list, max_orders: int) -> dict[int, Reason]:
    """The servable orders beyond the first ``max_orders`` (orders that must be served first,
    then by value, highest first), each with its reason: the planner's arrays grow with the
    square of the orders, so a day of 100,000 orders is planned on its most valuable ones."""
    servable = [o for o, why in raw_orders if why is None]
    if len(servable) <= max_orders:
        return {}
    ranked = sorted(servable, key=lambda o: (not o.required, -o.value_cny, o.index))
    why = Reason(
        f"the day has {len(servable):,} servable pickup orders; a plan considers the {max_orders:,} "
        "that must be served or are worth the most",
        "too_many_orders",
    )
    return {o.index: why for o in ranked[max_orders:]}


def build_instance(
    scenario: Scenario, travel: TravelMatrix | None = None, max_orders: int = MAX_PLANNED_ORDERS
) -> Instance:
    """Index a validated scenario for planning (see the module docstring). Of more than
    ``max_orders`` servable pickup orders, the rest are excluded (reason ``too_many_orders``)."""
    travel = travel or TravelMatrix.build(scenario)
    hub = scenario.hub
    sites = {s.site_id: s for s in scenario.sites}
    types = _group_types(scenario)
    terms = all_order_terms(scenario)
    h = travel.index(hub.site_id)

    delivery: dict[str, float] = defaultdict(float)
    parcels: dict[str, int] = defaultdict(int)
    for p in scenario.parcels:
        delivery[p.site_id] += p.weight_kg
        parcels[p.site_id] += p.parcel_count

    raw_orders = []
    for o in scenario.orders:
        t = terms[o.order_id]
        order = PickupOrder(
            index=len(raw_orders),
            order_id=o.order_id,
            site_id=o.site_id,
            node=None,
            kg=o.quantity_kg,
            ready_min=t.ready_min,
            deadline_min=t.deadline_min,
            window_h=t.window_h,
            chilled=t.chilled,
            max_out_of_cold_min=t.max_out_of_cold_min,
            value_cny=t.value_cny,
            required=o.must_serve,
        )
        site = sites[o.site_id]
        i = travel.index(o.site_id)
        why = _exclusion(order, site, types, travel.minutes[h, i], travel.minutes[i, h], site.service_min)
        raw_orders.append((order, why))
    excess = _beyond_the_cap(raw_orders, max_orders)

    with_orders = {o.site_id for o, why in raw_orders if why is None and o.index not in excess}
    busy = [
        s.site_id
        for s in scenario.sites
        if s.kind != "hub" and (parcels[s.site_id] > 0 or delivery[s.site_id] > 0 or s.site_id in with_orders)
    ]
    nodes = (hub.site_id, *busy)
    node_of = {sid: k for k, sid in enumerate(nodes)}
    orders = tuple(
        replace(o, node=node_of[o.site_id]) if why is None and o.index not in excess
        else replace(o, excluded=why or excess[o.index])
        for o, why in raw_orders
    )  # fmt: skip
    at_node: dict[int, list[int]] = defaultdict(list)
    for o in orders:
        if o.node is not None:
            at_node[o.node].append(o.index)
    idx = [travel.index(sid) for sid in nodes]
    km = travel.km[np.ix_(idx, idx)]
    minutes = travel.minutes[np.ix_(idx, idx)]

    stops = []
    for k, sid in enumerate(busy, start=1):
        s = sites[sid]
        stops.append(
            Stop(
                node=k,
                site_id=sid,
                open_min=s.open_time,
                latest_start_min=s.close_time - s.service_min,
                service_min=s.service_min,
                delivery_kg=delivery[sid],
                parcels=parcels[sid],
                orders=tuple(at_node[k]),
            )
        )

    n = len(stops)
    start = min(t.start_min for t in types)
    end = max(t.end_min for t in types)
    shortest = _shortest_paths(minutes)
    earliest = np.zeros(n + 1)
    latest = np.zeros(n + 1)
    earliest[0], latest[0] = start, end
    serves = np.zeros((len(types), n + 1), dtype=bool)
    serves[:, 0] = True
    for st in stops:
        i = st.node
        earliest[i] = max(st.open_min, start + shortest[0, i])
        latest[i] = min(st.latest_start_min, end - st.service_min - shortest[i, 0])
        for t in types:
            begin = max(st.open_min, t.start_min + minutes[0, i])
            fits = st.delivery_kg <= t.capacity_kg + 1e-9
            if scenario.settings.rules.split_visits and st.orders:
                fits = True  # it may come to pick up only, another truck dropping the parcels
            serves[t.index, i] = (
                begin <= st.latest_start_min + 1e-9
                and begin + st.service_min + minutes[i, 0] <= t.end_min + 1e-9
                and fits
            )
    return Instance(
        scenario, nodes, tuple(stops), tuple(types), orders, km, minutes, earliest, latest, serves, shortest
    )
