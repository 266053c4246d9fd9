r"""Split visits in the compact MILP: twin stops.

The MILP times each stop once (one service start :math:`t_i`), so a stop is visited by one truck.
With split visits (``[rules] split_visits``) a site may be visited by as many trucks as it has
parts of work (its parcel drop, each pickup order), and at most by every truck. `expand` gives the
MILP an instance in which such a site :math:`i` has, besides its own stop (which drops the
parcels, if any, and may take orders), :math:`c_i = \min(\text{parts}_i, \text{trucks}) - 1` *twin*
stops: at the same place, with the same hours and service time, no parcels, and a copy of each of
the site's orders. Every other family of the model then holds as it is; this module adds, for each
order :math:`o` with copies :math:`C_o` (itself included):

``one_copy_served[o]``

.. math:: \sum_{c \in C_o} y_c \le 1 \quad (= 1 \text{ for a must-serve order})

``no_hop_to_twin[k,i,j]``: a truck never drives from a site to its own twin (it would visit the
site twice); ``twins_in_order[i]``: twin :math:`c+1` of a site is visited only if twin :math:`c`
is (and the first twin of a pickup-only site only if the site's own stop is), which removes the
symmetric copies of each plan.

The objective counts the value lost of every copy: :math:`\sum_{c \in C_o} v_o (1 - y_c) = v_o (1 -
\sum_c y_c) + (|C_o| - 1) v_o`, the true loss plus a constant, which `add_twin_constraints`
subtracts, so that the objective and the bound are the plan's cost.

A truck could still visit a site and, later, its twin (not one after the other): `collapse` merges
such visits into one where the route evaluator accepts it; otherwise the MILP's plan breaks the
one-visit-per-truck rule and `collapse` says so (None).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyomo.environ as pyo

from coldchain.core.evaluate import evaluate_route
from coldchain.core.instance import Instance, Stop
from coldchain.core.route import Route
from coldchain.scenario.domain import Rules


@dataclass(frozen=True)
class Twins:
    """The expanded instance and the way back: ``site_of[v]`` the original node of node ``v``,
    ``order_of[c]`` the original order of order ``c``, ``copies[o]`` the orders standing for
    original order ``o`` (itself first), ``twins[i]`` the twin nodes of original stop ``i``."""

    inst: Instance
    site_of: list[int]
    order_of: list[int]
    copies: dict[int, list[int]]
    twins: dict[int, list[int]]
    required: frozenset[int]  # original orders that must be served (one of their copies)

    @property
    def overcount_cny(self) -> float:
        """What the objective counts in excess: each copy's value beyond the first."""
        orders = self.inst.orders
        return sum(orders[o].value_cny * (len(cs) - 1) for o, cs in self.copies.items())


def expand(inst: Instance) -> Twins:
    """``inst`` with the twin stops of the module docstring (node and order indices of ``inst``
    kept; twins and copies appended). The expanded instance itself does not split visits: each of
    its stops is one visit."""
    n = inst.n
    site_of = list(range(n + 1))
    orders = [replace(o, required=False) for o in inst.orders]
    order_of = list(range(len(orders)))
    copies = {o.index: [o.index] for o in inst.orders if o.excluded is None}
    twins: dict[int, list[int]] = {}
    stops = list(inst.stops)
    for st in inst.stops:
        for _ in range(inst.visits_allowed(st.node) - 1):
            v = len(site_of)
            site_of.append(st.node)
            twins.setdefault(st.node, []).append(v)
            mine = []
            for o in st.orders:
                c = len(orders)
                orders.append(replace(orders[o], index=c, node=v))
                order_of.append(o)
                copies[o].append(c)
                mine.append(c)
            stops.append(Stop(v, st.site_id, st.open_min, st.latest_start_min, st.service_min, 0.0, 0, tuple(mine)))
    idx = np.array(site_of)
    serves = inst.serves[:, idx].copy()
    for st in inst.stops:
        if st.mandatory:  # the site's own stop drops the parcels
            serves[:, st.node] = [inst.drops_fit(t.index, st.node) for t in inst.types]
    settings = inst.scenario.settings.model_copy(update={"rules": Rules(split_visits=False)})
    exp = Instance(
        inst.scenario.model_copy(update={"settings": settings}),
        tuple(inst.nodes[i] for i in site_of),
        tuple(stops),
        inst.types,
        tuple(orders),
        inst.km[np.ix_(idx, idx)],
        inst.minutes[np.ix_(idx, idx)],
        inst.earliest[idx],
        inst.latest[idx],
        serves,
        inst.shortest[np.ix_(idx, idx)],
    )
    required = frozenset(o.index for o in inst.orders if o.required and o.excluded is None)
    return Twins(exp, site_of, order_of, copies, twins, required)


def add_twin_constraints(m: pyo.ConcreteModel, tw: Twins, weights) -> None:
    """The rows of the module docstring, and the objective's constant taken out."""
    must = tw.required
    groups = {o: cs for o, cs in tw.copies.items() if o in m.ORDERS and (len(cs) > 1 or o in must)}

    @m.Constraint(list(groups))
    def one_copy_served(m, o):
        total = sum(m.serves_order[c] for c in groups[o])
        return total == 1 if o in must else total <= 1

    same = [(k, i, j) for k, i, j in m.ARCS if i and j and tw.site_of[i] == tw.site_of[j]]
    for a in same:
        m.uses_arc[a].setub(0)  # a bound, not fix(): a fixed variable leaves the MIP start's columns

    ladder = []
    for i, vs in tw.twins.items():
        chain = vs if tw.inst.stop(i).mandatory else [i, *vs]
        ladder += list(zip(chain, chain[1:]))

    def visits(v):
        return sum(m.uses_arc[a] for a in m._out[v])

    @m.Constraint(range(len(ladder)))
    def twins_in_order(m, c):
        a, b = ladder[c]
        return visits(b) <= visits(a)

    m.total_cost.expr = m.total_cost.expr - weights.spoilage * tw.overcount_cny


def collapse(original: Instance, tw: Twins, routes: list[Route]) -> list[Route] | None:
    """The expanded plan's routes on the original instance: twins back to their sites (a visit to
    a twin of a parcel stop is a pickup-only visit), copies back to their orders, a site a route
    visits twice merged into one visit (at the first, else the last, the evaluator accepting).
    None when a merged route breaks a rule."""
    out = []
    for r in routes:
        if not r.seq:
            out.append(Route(r.vehicle_id, r.k))
            continue
        seq: list[int] = []
        picks: dict[int, list[int]] = {}
        drops: set[int] = set()
        for v in r.seq:
            i = tw.site_of[v]
            if i not in seq:
                seq.append(i)
            picks.setdefault(i, []).extend(tw.order_of[c] for c in r.picks.get(v, ()))
            if v == i:
                drops.add(i)
        skip = frozenset(i for i in seq if original.stop(i).mandatory and i not in drops)
        reefer = {tw.order_of[c]: cold for c, cold in r.ev.in_reefer.items()} if r.ev else None
        ev = evaluate_route(original, r.k, seq, picks, reefer, pickup_only=skip)
        if not ev.feasible:
            ev = evaluate_route(original, r.k, seq, picks, pickup_only=skip)
        if not ev.feasible and len(seq) < len(r.seq):
            last: list[int] = []
            for v in reversed(r.seq):
                if tw.site_of[v] not in last:
                    last.insert(0, tw.site_of[v])
            seq = last
            ev = evaluate_route(original, r.k, seq, picks, pickup_only=skip)
        if not ev.feasible:
            return None
        out.append(Route(r.vehicle_id, r.k, seq, picks, ev, skip))
    return out


def spread(tw: Twins, routes: list[Route]) -> list[Route] | None:
    """A plan on the original instance as routes on the expanded one (for a MIP start): at each
    site the visit that drops the parcels (or, at a pickup-only site, the first visit) is the
    site's own stop, every other visit the next twin, each order its copy there. None when a
    site has more visits than stops."""
    own_taken: set[int] = set()  # pickup-only sites whose own stop a route has
    twins_taken: dict[int, int] = {}
    out = []
    for r in routes:
        if not r.seq:
            out.append(Route(r.vehicle_id, r.k))
            continue
        seq, picks = [], {}
        for i in r.seq:
            mandatory = tw.inst.stop(i).mandatory
            if (mandatory and r.drops(i)) or (not mandatory and i not in own_taken):
                own_taken.add(i)
                v, copy = i, 0
            else:
                c = twins_taken.get(i, 0)
                if c >= len(tw.twins.get(i, ())):
                    return None
                twins_taken[i] = c + 1
                v, copy = tw.twins[i][c], c + 1
            seq.append(v)
            picks[v] = [tw.copies[o][copy] for o in r.picks.get(i, ())]
        out.append(Route(r.vehicle_id, r.k, seq, picks, evaluate_route(tw.inst, r.k, seq, picks)))
    return out
