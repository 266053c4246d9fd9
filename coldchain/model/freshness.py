"""Freshness: every served order reaches the county cold store before its window closes."""

from __future__ import annotations

import pyomo.environ as pyo

from coldchain.model.timing import links_used


def add_freshness_constraints(m: pyo.ConcreteModel) -> None:
    r"""Hub arrival of each route, propagated back to every stop, is before each served deadline.

    :math:`h_i` is (at least) the time the truck serving stop *i* gets back to the hub.

    ``hub_return_after_last_stop[i]``

    .. math:: h_i \ge t_i + s_i + \tau_{i0} - M^{h0}_i (1 - \textstyle\sum_k x_{ki0}) \quad \forall i \in S

    ``hub_return_follows_route[i,j]``

    .. math:: h_i \ge h_j - M^{hh}_{ij} (1 - \textstyle\sum_k x_{kij}) \quad \forall (i,j)\in L,\ i,j\in S

    ``reach_cold_store_in_time[o]``

    .. math:: h_{i_o} \le \delta_o + M^{\delta}_o (1 - y_o) \quad \forall o \in O

    Notes
    -----
    :math:`M^{h0}_i = l_i + s_i + \tau_{i0} - \underline{h}_i`, :math:`M^{hh}_{ij} = \bar h -
    \underline{h}_i`, :math:`M^{\delta}_o = \bar h - \delta_o`, where :math:`\underline{h}_i` =
    ``hub_return_lb_min`` and :math:`\bar h` = ``horizon_end_min``. A deadline after the
    horizon cannot bind and is not built; without any binding deadline or cold rule, no
    :math:`h` constraint is built at all.
    """
    h, t, s, tau = m.hub_return_min, m.service_start_min, m.service_min, m.travel_min
    binding = [o for o in m.ORDERS if m.deadline_min[o] < m.horizon_end_min]
    if not binding and not len(m.CHILLED_ORDERS):
        return

    @m.Constraint(m.STOPS)
    def hub_return_after_last_stop(m, i):
        if (i, 0) not in m._types_on:
            return pyo.Constraint.Skip
        big_m = max(0.0, m.latest_min[i] + s[i] + tau[i, 0] - m.hub_return_lb_min[i])
        return h[i] >= t[i] + s[i] + tau[i, 0] - big_m * (1 - links_used(m, i, 0))

    @m.Constraint(m.STOP_LINKS)
    def hub_return_follows_route(m, i, j):
        big_m = m.horizon_end_min - m.hub_return_lb_min[i]
        return h[i] >= h[j] - big_m * (1 - links_used(m, i, j))

    @m.Constraint(m.ORDERS)
    def reach_cold_store_in_time(m, o):
        big_m = m.horizon_end_min - m.deadline_min[o]
        if big_m <= 0:
            return pyo.Constraint.Skip
        return h[m.order_node[o]] <= m.deadline_min[o] + big_m * (1 - m.serves_order[o])
