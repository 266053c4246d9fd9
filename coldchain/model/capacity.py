"""Capacity with simultaneous pickup and delivery: parcels out, produce back, never over payload."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.util import quicksum


def add_capacity_constraints(m: pyo.ConcreteModel) -> None:
    r"""The load after every stop (parcels still to drop + produce collected) fits the truck.

    Two commodity flows on the links: parcels :math:`D_{ij}` leave the hub and shrink by
    :math:`q_i` at each stop; produce :math:`P_{ij}` grows by what is picked up.

    ``parcel_flow[i]``

    .. math:: \sum_{(h,i)\in L} D_{hi} - \sum_{(i,j)\in L, j\ne0} D_{ij} = q_i\,(1 - z_i)
              \quad \forall i \in S

    ``pickup_flow[i]``

    .. math:: \sum_{(i,j)\in L} P_{ij} - \sum_{(h,i)\in L, h\ne0} P_{hi} = \sum_{o\in O_i} g_o\,y_o
              \quad \forall i \in S

    ``payload[i,j]``

    .. math:: D_{ij} + P_{ij} \le \sum_{k} Q_k\,x_{kij} \quad \forall (i,j) \in L

    ``parcels_for_next_stop[i,j]`` (a valid tightening)

    .. math:: D_{ij} \ge q_j \sum_k x_{kij} \quad \forall (i,j) \in L,\ j \ne 0,\ q_j > 0

    Notes
    -----
    One flow per link rather than per type suffices: each link carries at most one truck.
    :math:`D` does not exist on links into the hub, :math:`P` not on links out of it.
    """
    D, P = m.parcel_load_kg, m.pickup_load_kg

    @m.Constraint(m.STOPS)
    def parcel_flow(m, i):
        inflow = quicksum(D[a] for a in m._links_in[i])
        outflow = quicksum(D[a] for a in m._links_out[i] if a[1] != 0)
        need = m.parcel_kg[i] * (1 - m.misses_stop[i]) if i in m.misses_stop else m.parcel_kg[i]
        return inflow - outflow == need

    @m.Constraint(m.STOPS)
    def pickup_flow(m, i):
        outflow = quicksum(P[a] for a in m._links_out[i])
        inflow = quicksum(P[a] for a in m._links_in[i] if a[0] != 0)
        picked = quicksum(m.order_kg[o] * m.serves_order[o] for o in m.ORDERS if m.order_node[o] == i)
        return outflow - inflow == picked

    @m.Constraint(m.LINKS)
    def payload(m, i, j):
        load = (D[i, j] if j != 0 else 0) + (P[i, j] if i != 0 else 0)
        return load <= quicksum(m.capacity_kg[k] * m.uses_arc[k, i, j] for k in m._types_on[(i, j)])

    @m.Constraint(m.LINKS)
    def parcels_for_next_stop(m, i, j):
        if j == 0 or m.parcel_kg[j] <= 0:
            return pyo.Constraint.Skip
        return D[i, j] >= m.parcel_kg[j] * quicksum(m.uses_arc[k, i, j] for k in m._types_on[(i, j)])
