"""Every number the model's algebra uses, including the big-M values derived from the data."""

from __future__ import annotations

import pyomo.environ as pyo

from coldchain.core.instance import EPS_MIN, Instance


def add_params(m: pyo.ConcreteModel, inst: Instance) -> None:
    r"""Declare the parameters (units in the names).

    Big-M values are never literals: each is the smallest value that makes its constraint
    redundant when the switching binary is off, computed from the tightened time windows
    :math:`[e_i, l_i]` (``earliest_min``, ``latest_min``), the shifts and the horizon.
    """
    T = inst.types
    m.capacity_kg = pyo.Param(m.TYPES, initialize={t.index: t.capacity_kg for t in T})
    m.reefer_kg = pyo.Param(m.TYPES, initialize={t.index: t.reefer_kg for t in T})
    m.fleet_count = pyo.Param(m.TYPES, initialize={t.index: t.count for t in T})
    m.fixed_cny = pyo.Param(m.TYPES, initialize={t.index: t.fixed_cny for t in T})
    m.cny_per_km = pyo.Param(m.TYPES, initialize={t.index: t.cny_per_km for t in T})
    m.cny_per_h = pyo.Param(m.TYPES, initialize={t.index: t.cny_per_h for t in T})
    m.shift_start_min = pyo.Param(m.TYPES, initialize={t.index: t.start_min for t in T})
    m.shift_end_min = pyo.Param(m.TYPES, initialize={t.index: t.end_min for t in T})

    m.service_min = pyo.Param(m.NODES, initialize={i: inst.service(i) for i in range(inst.n + 1)})
    m.parcel_kg = pyo.Param(m.NODES, initialize={i: inst.delivery(i) for i in range(inst.n + 1)})
    m.earliest_min = pyo.Param(m.NODES, initialize=dict(enumerate(map(float, inst.earliest))))
    m.latest_min = pyo.Param(m.NODES, initialize=dict(enumerate(map(float, inst.latest))))
    m.km = pyo.Param(m.LINKS, initialize={(i, j): float(inst.km[i, j]) for i, j in m.LINKS})
    m.travel_min = pyo.Param(
        m.LINKS, initialize={(i, j): max(float(inst.minutes[i, j]), EPS_MIN if i and j else 0.0) for i, j in m.LINKS}
    )

    O = inst.orders
    m.order_kg = pyo.Param(m.ORDERS, initialize={o: O[o].kg for o in m.ORDERS})
    m.order_node = pyo.Param(m.ORDERS, initialize={o: O[o].node for o in m.ORDERS})
    m.value_cny = pyo.Param(m.ORDERS, initialize={o: O[o].value_cny for o in m.ORDERS})
    m.ready_min = pyo.Param(m.ORDERS, initialize={o: O[o].ready_min for o in m.ORDERS})
    m.deadline_min = pyo.Param(m.ORDERS, initialize={o: O[o].deadline_min for o in m.ORDERS})
    m.max_out_of_cold_min = pyo.Param(m.ORDERS, initialize={o: O[o].max_out_of_cold_min for o in m.ORDERS})
    m.lost_value_excluded_cny = pyo.Param(initialize=sum(o.value_cny for o in O if o.excluded is not None))

    horizon_end = max(t.end_min for t in T)
    m.horizon_end_min = pyo.Param(initialize=horizon_end)
    # lower bound on the hub arrival of the route through i (shortest path: valid without triangle inequality)
    m.hub_return_lb_min = pyo.Param(
        m.STOPS, initialize={i: float(inst.earliest[i] + inst.service(i) + inst.shortest[i, 0]) for i in m.STOPS}
    )

    e, l, s, tau = m.earliest_min, m.latest_min, m.service_min, m.travel_min
    m.big_m_time_min = pyo.Param(
        m.STOP_LINKS, initialize={(i, j): max(0.0, l[i] + s[i] + tau[i, j] - e[j]) for i, j in m.STOP_LINKS}
    )
    m.big_m_shift_start_min = pyo.Param(
        m.HUB_OUT, initialize={(k, j): max(0.0, T[k].start_min + tau[0, j] - e[j]) for k, j in m.HUB_OUT}
    )
    m.big_m_shift_end_min = pyo.Param(
        m.HUB_IN, initialize={(k, i): max(0.0, l[i] + s[i] + tau[i, 0] - T[k].end_min) for k, i in m.HUB_IN}
    )
    m.big_m_return_min = pyo.Param(m.HUB_IN, initialize={(k, i): l[i] + s[i] + tau[i, 0] for k, i in m.HUB_IN})
    m.big_m_departure_min = pyo.Param(m.HUB_OUT, initialize={(k, j): max(0.0, tau[0, j] - e[j]) for k, j in m.HUB_OUT})
