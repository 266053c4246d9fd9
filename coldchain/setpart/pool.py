r"""Recombine a pool of routes by set partitioning: the best plan made of routes already found.

The ruin-and-recreate search meets many good routes in plans that are poor as a whole. This
MILP picks the best combination of them (Rochat & Taillard's "adaptive memory", and the
set-partitioning step of Subramanian et al.'s ILS-SP). Every pool route has already been
checked and timed by the exact route evaluator, so any selection that covers each stop at most
once is a valid plan.

Symbols

=====================  ======================================================================
:math:`R`              routes in the pool; :math:`k_r` its vehicle type, :math:`c_r` its cost
                       (fixed + km + driver), :math:`S_r` its stops, :math:`O_r` its orders
:math:`x_r \in \{0,1\}` ``uses_route[r]``: route :math:`r` is driven
:math:`v_o`            value of order :math:`o` (lost when it is not served)
:math:`m_k`            trucks of type :math:`k`
=====================  ======================================================================

.. math::

    \min \sum_r (c_r - \sum_{o \in O_r} v_o)\, x_r + \sum_o v_o

    \sum_{r: i \in S_r} x_r = 1 \quad \text{parcel stops } i, \qquad
    \sum_{r: i \in S_r} x_r \le 1 \quad \text{pickup-only stops } i

    \sum_{r: k_r = k} x_r \le m_k \quad \forall k, \qquad
    \sum_{r: o \in O_r} x_r = 1 \quad \text{must-serve orders } o

An order is served by the route that visits its stop with it in :math:`O_r`; a stop visited at
most once means an order is served at most once.

With split visits (``[rules] split_visits``) a stop may be on several chosen routes, each
serving a disjoint part of its work: the stop rows then count only the routes that drop the
stop's parcels (:math:`D_r`, the parcel stops of :math:`S_r` where route :math:`r` does not only
pick up), and every order gets a row:

.. math::

    \sum_{r: i \in D_r} x_r = 1 \quad \text{parcel stops } i, \qquad
    \sum_{r: o \in O_r} x_r \le 1 \quad \text{orders } o \ (= 1 \text{ when must-serve})

Costs and values carry the objective's weights (`coldchain.core.costs`). The model is the one set partitioning of
`coldchain.setpart.partition`.
"""

from __future__ import annotations

from coldchain.core.instance import Instance
from coldchain.core.outcome import SolveOptions, SolveOutcome
from coldchain.core.route import Route, route_key
from coldchain.setpart.partition import INF, SetPartition, fleet_row, route_rows, stop_row


def build_pool_model(inst: Instance, pool: list[Route]) -> SetPartition:
    """The set-partitioning MILP over ``pool`` (see the module docstring); column ``r`` is ``pool[r]``."""
    split = inst.split_visits
    by_stop: dict[int, list[int]] = {}
    by_type: dict[int, list[int]] = {}
    carried: dict[int, list[int]] = {}
    for r, route in enumerate(pool):
        by_type.setdefault(route.k, []).append(r)
        for i in _covered(inst, route):
            by_stop.setdefault(i, []).append(r)
        for os in route.picks.values():
            for o in os:
                carried.setdefault(o, []).append(r)
    mandatory = [st.node for st in inst.stops if st.mandatory]
    missing = [i for i in mandatory if i not in by_stop]
    if missing:
        raise ValueError(f"the pool has no route for stops {missing}")
    required = [o.index for o in inst.orders if o.required and o.excluded is None]
    if any(o not in carried for o in required):
        raise ValueError("the pool has no route for some must-serve orders")
    sp = SetPartition("route_pool")
    for i in sorted(by_stop):
        sp.row(stop_row(i), 1.0 if inst.stop(i).mandatory else -INF, 1.0)
    for k in sorted(by_type):
        sp.row(fleet_row(k), -INF, float(inst.types[k].count))
    for o in required:
        sp.row(("order", o), 1.0, 1.0)
    if split:
        for o in sorted(set(carried) - set(required)):
            sp.row(("order", o), -INF, 1.0)
    price = inst.costs
    for route in pool:
        orders = [("order", o) for os in route.picks.values() for o in os]
        sp.column(price.net(route), [*route_rows(route.k, _covered(inst, route)), *orders])
    sp.constant = sum(price.lost)
    return sp


def _covered(inst: Instance, route: Route) -> list[int]:
    """The stops whose row ``route`` covers: all its stops, or with split visits its parcel drops."""
    if not inst.split_visits:
        return list(route.seq)
    return [i for i in route.seq if inst.stop(i).mandatory and route.drops(i)]


def recombine(
    inst: Instance, pool: list[Route], incumbent: list[Route], options: SolveOptions, deadline: float | None = None
) -> tuple[list[Route] | None, SolveOutcome]:
    """Solve the set-partitioning MILP with ``incumbent`` (routes that are all in ``pool``) as MIP start.

    Returns the chosen routes, each given a truck of its type, or None when the solver found no
    plan, and the solver's outcome. With a ``deadline`` (``time.perf_counter``), the solver gets
    at most what building the model left of it.
    """
    sp = build_pool_model(inst, pool)
    index = {route_key(r): n for n, r in enumerate(pool)}
    start = [index[route_key(r)] for r in incumbent if r.seq]
    got = sp.solve(options, start=start, deadline=deadline)
    if got.chosen is None:
        return None, got.outcome
    return assign_trucks(inst, [pool[r] for r in got.chosen]), got.outcome


def assign_trucks(inst: Instance, chosen: list[Route]) -> list[Route]:
    """Give each chosen route a truck of its type (earliest departure first), and every truck left
    over an empty route."""
    out: list[Route] = []
    for t in inst.types:
        mine = sorted((r for r in chosen if r.k == t.index), key=lambda r: r.ev.depart)
        for vid, r in zip(t.vehicle_ids, mine):
            out.append(
                Route(vid, t.index, list(r.seq), {i: list(os) for i, os in r.picks.items()}, r.ev, r.pickup_only)
            )
        out += [Route(vid, t.index) for vid in t.vehicle_ids[len(mine) :]]
    return out
