"""Pickups: an order is served only by the truck that visits its stop."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.util import quicksum

from coldchain.model.routing import visits


def add_pickup_constraints(m: pyo.ConcreteModel) -> None:
    r"""Serve an order only at a visited stop; visit a pickup-only stop only to serve something.

    ``order_needs_visit[o]``

    .. math:: y_o \le \sum_{(k,i_o,j)\in A} x_{k i_o j} \quad \forall o \in O

    ``visit_needs_order[i]`` (a tightening: such a visit would only add cost)

    .. math:: \sum_{(k,i,j)\in A} x_{kij} \le \sum_{o \in O_i} y_o \quad \forall i \in S^{o}
    """

    @m.Constraint(m.ORDERS)
    def order_needs_visit(m, o):
        return m.serves_order[o] <= visits(m, m.order_node[o])

    @m.Constraint(m.OPTIONAL_STOPS)
    def visit_needs_order(m, i):
        served = [m.serves_order[o] for o in m.ORDERS if m.order_node[o] == i]
        return visits(m, i) <= quicksum(served)
