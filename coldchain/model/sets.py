"""Index sets of the daily-plan model."""

from __future__ import annotations

import pyomo.environ as pyo

from coldchain.core.instance import Instance


def add_sets(m: pyo.ConcreteModel, inst: Instance) -> None:
    r"""Declare the index sets.

    ``NODES`` :math:`N=\{0..n\}` (0 = hub), ``STOPS`` :math:`S=N\setminus\{0\}`, ``TYPES``
    :math:`K`, ``ARCS`` :math:`A=\{(k,i,j)\}` (the arcs type *k* may drive), ``LINKS`` the
    :math:`(i,j)` driven by any type, ``STOP_LINKS`` those between two stops,
    ``MANDATORY_STOPS`` (with parcels) and ``OPTIONAL_STOPS`` (pickups only), ``HUB_OUT`` and
    ``HUB_IN`` the :math:`(k,j)`/:math:`(k,i)` of arcs leaving/entering the hub, ``ORDERS``
    :math:`O` the servable pickup orders,
    ``REQUIRED_ORDERS`` those that must be served (contracted; every pickup in the benchmarks),
    ``CHILLED_ORDERS`` :math:`O^{cold} \subseteq O` those that must ride cold (chilled or
    pre-cooled), and ``REEFER_ORDERS`` :math:`O^c \subseteq O^{cold}` those that fit some reefer.
    """
    n = inst.n
    m.NODES = pyo.Set(initialize=range(n + 1), ordered=True)
    m.STOPS = pyo.Set(initialize=range(1, n + 1), ordered=True)
    m.TYPES = pyo.Set(initialize=range(len(inst.types)), ordered=True)
    arcs = [(k, i, j) for k in range(len(inst.types)) for (i, j) in inst.arcs(k)]
    m.ARCS = pyo.Set(initialize=arcs, dimen=3, ordered=True)
    links = sorted({(i, j) for _, i, j in arcs})
    m.LINKS = pyo.Set(initialize=links, dimen=2, ordered=True)
    m.STOP_LINKS = pyo.Set(initialize=[(i, j) for i, j in links if i and j], dimen=2, ordered=True)
    m.HUB_OUT = pyo.Set(initialize=[(k, j) for k, i, j in arcs if i == 0], dimen=2, ordered=True)
    m.HUB_IN = pyo.Set(initialize=[(k, i) for k, i, j in arcs if j == 0], dimen=2, ordered=True)
    m.MANDATORY_STOPS = pyo.Set(initialize=[st.node for st in inst.stops if st.mandatory], ordered=True)
    m.OPTIONAL_STOPS = pyo.Set(initialize=[st.node for st in inst.stops if not st.mandatory], ordered=True)
    servable = [o.index for o in inst.orders if o.excluded is None]
    m.ORDERS = pyo.Set(initialize=servable, ordered=True)
    max_reefer = max(t.reefer_kg for t in inst.types)
    m.REQUIRED_ORDERS = pyo.Set(initialize=[o for o in servable if inst.orders[o].required], ordered=True)
    m.CHILLED_ORDERS = pyo.Set(initialize=[o for o in servable if inst.orders[o].chilled], ordered=True)
    m.REEFER_ORDERS = pyo.Set(
        initialize=[o for o in m.CHILLED_ORDERS if inst.orders[o].kg <= max_reefer + 1e-9], ordered=True
    )
    # adjacency, for fast rules (plain dicts; not model components)
    m._out = {i: [] for i in range(n + 1)}
    m._in = {i: [] for i in range(n + 1)}
    for k, i, j in arcs:
        m._out[i].append((k, i, j))
        m._in[j].append((k, i, j))
    m._links_out = {i: [(a, b) for a, b in links if a == i] for i in range(n + 1)}
    m._links_in = {i: [(a, b) for a, b in links if b == i] for i in range(n + 1)}
    m._types_on = {}
    for k, i, j in arcs:
        m._types_on.setdefault((i, j), []).append(k)
