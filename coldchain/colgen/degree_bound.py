r"""A lower bound for any day in well under a second: each stop entered and left once, the fleet's payload.

The arc LP (`coldchain.colgen.arc_bound`) is the bound of county days, but a full county day
has some 865,000 arcs and its LP does not solve within a minute. This bound needs no solver
and is valid at any size; it is far weaker (it sees neither time windows nor how stops chain
into routes), so it is what a plan carries when the arc LP does not fit its time.

With :math:`c_{ij} = \min_k \big(\text{CNY/km}_k\, km_{ij} + \text{CNY/h}_k\, (min_{ij} +
service_j) / 60\big)` over the types that may visit both ends (costs are :math:`\ge 0`),
:math:`V` the stops that must be visited (parcel stops, and stops of orders that must be
served), :math:`d(V)` their parcels (kg), :math:`Q = \max_k Q_k`, :math:`m = \lceil d(V) / Q
\rceil` and :math:`v_{ex}` the value of the orders no truck can serve:

.. math::

    LB = \max\big(d(V) \min_k \tfrac{fixed_k}{Q_k},\ \min_k fixed_k\big)
       + \tfrac12 \sum_{i \in V} \big(\min_j c_{ji} + \min_j c_{ij}\big)
       + \tfrac12\, m\, \big(\min_j c_{0j} + \min_j c_{j0}\big) + v_{ex}

Why it holds: the trucks that leave the hub carry all of :math:`d(V)`, so their payloads add
up to at least :math:`d(V)` and their fixed costs to at least :math:`d(V) \min_k fixed_k/Q_k`
(and at least one truck leaves when :math:`V` is not empty). Every arc a plan drives costs at
least :math:`c_{ij}` (waiting is paid on top, never less than zero); count each arc half at
its tail and half at its head: every stop of :math:`V` has an arc in and an arc out, and the
hub at least :math:`m` of each. Orders left out cost their value, at least those no truck can
serve. Split visits only add visits, so the bound holds for them too.
"""

from __future__ import annotations

import numpy as np

from coldchain.core.cutsets import trucks_needed
from coldchain.core.instance import Instance


def degree_bound(inst: Instance, multiple_trips: bool = False) -> float:
    r"""The bound of the module docstring (CNY), in the objective's own weights (`Instance.costs`).

    With ``multiple_trips`` (a truck may go out again after reloading), a truck's payload may
    carry parcels on several trips, so the fixed part is only :math:`\min_k fixed_k` (at least
    one truck leaves); the rest holds as it is: every trip leaves and re-enters the hub, and at
    least :math:`m` trips carry :math:`d(V)`, and waiting at the hub between trips is paid on top."""
    f = inst.fast
    n = inst.n
    price = inst.costs
    km = np.asarray(f.km, dtype=float)
    drive = np.asarray(f.minutes, dtype=float) + np.asarray(f.service, dtype=float)[None, :]
    best_in = np.full(n + 1, np.inf)
    best_out = np.full(n + 1, np.inf)
    for t in inst.types:
        ok = inst.serves[t.index].copy()
        ok[0] = True
        c = price.arc(t.index, km, drive)
        mask = ok[:, None] & ok[None, :]
        np.fill_diagonal(mask, False)
        c = np.where(mask, c, np.inf)
        best_in = np.minimum(best_in, c.min(axis=0))
        best_out = np.minimum(best_out, c.min(axis=1))
    must = {st.node for st in inst.stops if st.mandatory}
    must |= {o.node for o in inst.orders if o.required and o.excluded is None and o.node is not None}
    lost = price.unserved(o.index for o in inst.orders if o.excluded is not None)
    if not must:
        return float(lost)
    nodes = np.array(sorted(must))
    if not (np.isfinite(best_in[nodes]).all() and np.isfinite(best_out[nodes]).all()):
        return float(lost)  # a stop no truck can reach: the day is infeasible, said elsewhere
    parcels = sum(inst.delivery(i) for i in must)
    fixed = min(price.fixed[t.index] for t in inst.types)
    if not multiple_trips:
        fixed = max(fixed, parcels * min(price.fixed[t.index] / t.capacity_kg for t in inst.types if t.capacity_kg > 0))
    q = max(t.capacity_kg for t in inst.types)
    trucks = max(1, trucks_needed(parcels, q))
    stops = 0.5 * float(best_in[nodes].sum() + best_out[nodes].sum())
    hub = 0.5 * trucks * float(best_out[0] + best_in[0])
    return float(fixed + stops + hub + lost)
