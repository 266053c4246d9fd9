"""Refrigeration: chilled produce rides in reefer space, or is back in the cold store soon enough."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.util import quicksum


def add_temperature_constraints(m: pyo.ConcreteModel) -> None:
    r"""Chilled (or pre-cooled) orders use reefer capacity or stay out of the cold briefly.

    ``reefer_flow[i]``

    .. math:: \sum_{(i,j)\in L} R_{ij} - \sum_{(h,i)\in L,h\ne0} R_{hi} = \sum_{o\in O^c_i} g_o\,w_o
              \quad \forall i \in S

    ``reefer_payload[i,j]`` and ``reefer_within_pickups[i,j]``

    .. math:: R_{ij} \le \sum_k Q^{r}_k\, x_{kij}, \qquad R_{ij} \le P_{ij} \quad \forall (i,j)\in L, i \ne 0

    ``reefer_only_if_served[o]``

    .. math:: w_o \le y_o \quad \forall o \in O^c

    ``out_of_cold_limit[o]``: a chilled order not in reefer space is back within
    :math:`\omega_o` minutes of its pickup

    .. math:: h_{i_o} - t_{i_o} \le \omega_o + M^{\omega}_o\,(1 - y_o + w_o) \quad \forall o \in O^{cold}

    Notes
    -----
    :math:`M^{\omega}_o = \bar h - e_{i_o} - \omega_o`, skipped when not positive. An order that
    must ride cold but is too large for any reefer has no :math:`w_o`: only the time rule applies.
    """
    R, P = m.reefer_load_kg, m.pickup_load_kg
    h, t = m.hub_return_min, m.service_start_min

    if len(m.REEFER_ORDERS):

        @m.Constraint(m.STOPS)
        def reefer_flow(m, i):
            outflow = quicksum(R[a] for a in m._links_out[i])
            inflow = quicksum(R[a] for a in m._links_in[i] if a[0] != 0)
            kept = quicksum(m.order_kg[o] * m.in_reefer[o] for o in m.REEFER_ORDERS if m.order_node[o] == i)
            return outflow - inflow == kept

        @m.Constraint(m.LINKS)
        def reefer_payload(m, i, j):
            if i == 0:
                return pyo.Constraint.Skip
            cap = [m.reefer_kg[k] * m.uses_arc[k, i, j] for k in m._types_on[(i, j)] if m.reefer_kg[k] > 0]
            return R[i, j] <= quicksum(cap)

        @m.Constraint(m.LINKS)
        def reefer_within_pickups(m, i, j):
            if i == 0:
                return pyo.Constraint.Skip
            return R[i, j] <= P[i, j]

        @m.Constraint(m.REEFER_ORDERS)
        def reefer_only_if_served(m, o):
            return m.in_reefer[o] <= m.serves_order[o]

    @m.Constraint(m.CHILLED_ORDERS)
    def out_of_cold_limit(m, o):
        i = m.order_node[o]
        big_m = m.horizon_end_min - m.earliest_min[i] - m.max_out_of_cold_min[o]
        if big_m <= 0:
            return pyo.Constraint.Skip
        w = m.in_reefer[o] if o in m.REEFER_ORDERS else 0
        return h[i] - t[i] <= m.max_out_of_cold_min[o] + big_m * (1 - m.serves_order[o] + w)
