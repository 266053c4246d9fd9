"""The objective: what the day costs the alliance."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.util import quicksum


def add_objective(m: pyo.ConcreteModel, weights, elastic_penalty: float = 0.0) -> None:
    r"""Minimise truck fixed cost + distance cost + driver hours + value of produce left to spoil.

    ``fixed_cost_cny``, ``distance_cost_cny``, ``driver_cost_cny``, ``spoilage_cny`` are named
    expressions; ``total_cost`` weighs them (``models/objective.toml``):

    .. math:: \min\; \alpha^{f}\sum_{(k,j)\in A^{out}} F_k x_{k0j}
              + \alpha^{d}\sum_{(k,i,j)\in A} c_k\,\kappa_{ij}\,x_{kij}
              + \alpha^{h}\sum_k \frac{w_k}{60}\Big(\sum_{i} r_{ki} - \sum_j d_{kj}\Big)
              + \alpha^{s}\Big(\sum_{o\in O} v_o (1-y_o) + V^{excl}\Big)
              \;[+\; \Pi \sum_i z_i]

    :math:`V^{excl}` is the value of orders no truck could serve at all (a constant, so the
    objective is the whole day's cost). :math:`\Pi` (elastic mode only) exceeds any plan's cost.
    """
    x = m.uses_arc
    m.fixed_cost_cny = pyo.Expression(expr=quicksum(m.fixed_cny[k] * x[k, 0, j] for k, j in m.HUB_OUT))
    m.distance_cost_cny = pyo.Expression(expr=quicksum(m.cny_per_km[k] * m.km[i, j] * x[k, i, j] for k, i, j in m.ARCS))
    m.driver_cost_cny = pyo.Expression(
        expr=quicksum(m.cny_per_h[k] / 60.0 * m.return_min[k, i] for k, i in m.HUB_IN)
        - quicksum(m.cny_per_h[k] / 60.0 * m.departure_min[k, j] for k, j in m.HUB_OUT)
    )
    m.spoilage_cny = pyo.Expression(
        expr=quicksum(m.value_cny[o] * (1 - m.serves_order[o]) for o in m.ORDERS) + m.lost_value_excluded_cny
    )
    penalty = quicksum(elastic_penalty * m.misses_stop[i] for i in m.misses_stop) if elastic_penalty else 0
    m.total_cost = pyo.Objective(
        expr=weights.fixed * m.fixed_cost_cny
        + weights.distance * m.distance_cost_cny
        + weights.driver * m.driver_cost_cny
        + weights.spoilage * m.spoilage_cny
        + penalty,
        sense=pyo.minimize,
    )
