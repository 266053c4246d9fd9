"""Routing: who visits which stop, route continuity, fleet size."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.util import quicksum


def visits(m: pyo.ConcreteModel, i: int):
    """Expression: number of truck visits to stop i (0 or 1)."""
    return quicksum(m.uses_arc[a] for a in m._out[i])


def add_routing_constraints(m: pyo.ConcreteModel) -> None:
    r"""Each parcel stop is visited once, routes are continuous, no type uses more trucks than it has.

    Business rule: parcel deliveries are mandatory and made in one visit; a pickup-only stop is
    visited at most once; a truck that arrives at a stop leaves it; each truck makes one round
    trip from the hub.

    ``visit_parcel_stop[i]``

    .. math:: \sum_{(k,i,j)\in A} x_{kij} \;(+\, z_i) = 1 \quad \forall i \in S^{m}

    (:math:`z_i` only in elastic mode.) ``visit_pickup_stop_at_most_once[i]``

    .. math:: \sum_{(k,i,j)\in A} x_{kij} \le 1 \quad \forall i \in S^{o}

    ``route_continuity[k,i]``

    .. math:: \sum_{(k,h,i)\in A} x_{khi} = \sum_{(k,i,j)\in A} x_{kij} \quad \forall k\in K, i \in S

    ``fleet_size[k]``

    .. math:: \sum_{(k,0,j)\in A} x_{k0j} \le n_k \quad \forall k \in K

    Notes
    -----
    Subtours among stops are impossible because service start times strictly increase along a
    route (``arrival_after_predecessor``; every link takes at least ``EPS_MIN``).
    """

    @m.Constraint(m.MANDATORY_STOPS)
    def visit_parcel_stop(m, i):
        extra = m.misses_stop[i] if i in m.misses_stop else 0
        return visits(m, i) + extra == 1

    @m.Constraint(m.OPTIONAL_STOPS)
    def visit_pickup_stop_at_most_once(m, i):
        return visits(m, i) <= 1

    @m.Constraint(m.TYPES, m.STOPS)
    def route_continuity(m, k, i):
        inflow = [m.uses_arc[a] for a in m._in[i] if a[0] == k]
        outflow = [m.uses_arc[a] for a in m._out[i] if a[0] == k]
        if not inflow and not outflow:
            return pyo.Constraint.Skip
        return quicksum(inflow) == quicksum(outflow)

    @m.Constraint(m.TYPES)
    def fleet_size(m, k):
        out = [m.uses_arc[a] for a in m._out[0] if a[0] == k]
        if len(out) <= m.fleet_count[k]:
            return pyo.Constraint.Skip
        return quicksum(out) <= m.fleet_count[k]
