"""Time: opening hours, service times, shifts, ready times, and the driver's paid hours."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.util import quicksum


def links_used(m: pyo.ConcreteModel, i: int, j: int):
    """Expression: 1 if any truck drives i -> j."""
    return quicksum(m.uses_arc[k, i, j] for k in m._types_on[(i, j)])


def add_time_window_constraints(m: pyo.ConcreteModel) -> None:
    r"""Service starts within opening hours, after the truck can arrive and after the order is ready.

    Opening hours and the horizon are variable bounds :math:`e_i \le t_i \le l_i`, with
    :math:`l_i` = close time minus service time, both tightened by what any truck can reach.

    ``arrival_after_predecessor[i,j]``

    .. math:: t_j \ge t_i + s_i + \tau_{ij} - M^{t}_{ij}\,(1 - \textstyle\sum_k x_{kij})
              \quad \forall (i,j) \in L,\ i,j \in S

    ``leave_after_shift_start[k,j]``

    .. math:: t_j \ge a_k + \tau_{0j} - M^{a}_{kj}(1 - x_{k0j}) \quad \forall (k,j) \in A^{out}

    ``back_before_shift_end[k,i]``

    .. math:: t_i + s_i + \tau_{i0} \le b_k + M^{b}_{ki}(1 - x_{ki0}) \quad \forall (k,i) \in A^{in}

    ``pickup_after_ready[o]``

    .. math:: t_{i_o} \ge \rho_o - (\rho_o - e_{i_o})(1 - y_o) \quad \forall o \in O: \rho_o > e_{i_o}

    Driver time (paid from leaving the hub to returning): ``departure_before_first_stop[k,j]``,
    ``departure_only_if_used[k,j]``, ``return_after_last_stop[k,i]``

    .. math:: d_{kj} \le t_j - \tau_{0j} + M^{d}_{kj}(1-x_{k0j}), \quad d_{kj} \le b_k\,x_{k0j},
    .. math:: r_{ki} \ge t_i + s_i + \tau_{i0} - M^{r}_{ki}(1 - x_{ki0})

    and the valid inequalities ``departure_within_shift[k,j]``, ``return_within_shift[k,i]``,
    ``paid_time_covers_driving[k]`` that keep the linearised driver time honest in the LP
    relaxation (without them it can go negative):

    .. math:: d_{kj} \ge a_k x_{k0j}, \quad r_{ki} \le b_k x_{ki0}, \quad
              \sum_i r_{ki} - \sum_j d_{kj} \ge \sum_{(k,i,j)\in A} (\tau_{ij} + s_i)\, x_{kij}

    Notes
    -----
    :math:`M^{t}_{ij} = \max(0, l_i + s_i + \tau_{ij} - e_j)`; :math:`M^{a}_{kj} = \max(0, a_k +
    \tau_{0j} - e_j)`; :math:`M^{b}_{ki} = \max(0, l_i + s_i + \tau_{i0} - b_k)`;
    :math:`M^{r}_{ki} = l_i + s_i + \tau_{i0}`; :math:`M^{d}_{kj} = \max(0, \tau_{0j} - e_j)`.
    A constraint whose big-M is 0 cannot bind and is not built.
    """
    t, s, tau = m.service_start_min, m.service_min, m.travel_min

    @m.Constraint(m.STOP_LINKS)
    def arrival_after_predecessor(m, i, j):
        big_m = m.big_m_time_min[i, j]
        if big_m <= 0:
            return pyo.Constraint.Skip
        return t[j] >= t[i] + s[i] + tau[i, j] - big_m * (1 - links_used(m, i, j))

    @m.Constraint(m.HUB_OUT)
    def leave_after_shift_start(m, k, j):
        big_m = m.big_m_shift_start_min[k, j]
        if big_m <= 0:
            return pyo.Constraint.Skip
        return t[j] >= m.shift_start_min[k] + tau[0, j] - big_m * (1 - m.uses_arc[k, 0, j])

    @m.Constraint(m.HUB_IN)
    def back_before_shift_end(m, k, i):
        big_m = m.big_m_shift_end_min[k, i]
        if big_m <= 0:
            return pyo.Constraint.Skip
        return t[i] + s[i] + tau[i, 0] <= m.shift_end_min[k] + big_m * (1 - m.uses_arc[k, i, 0])

    @m.Constraint(m.ORDERS)
    def pickup_after_ready(m, o):
        i = m.order_node[o]
        slack = m.ready_min[o] - m.earliest_min[i]
        if slack <= 0:
            return pyo.Constraint.Skip
        return t[i] >= m.ready_min[o] - slack * (1 - m.serves_order[o])

    @m.Constraint(m.HUB_OUT)
    def departure_before_first_stop(m, k, j):
        return m.departure_min[k, j] <= t[j] - tau[0, j] + m.big_m_departure_min[k, j] * (1 - m.uses_arc[k, 0, j])

    @m.Constraint(m.HUB_OUT)
    def departure_only_if_used(m, k, j):
        return m.departure_min[k, j] <= m.shift_end_min[k] * m.uses_arc[k, 0, j]

    @m.Constraint(m.HUB_IN)
    def return_after_last_stop(m, k, i):
        return m.return_min[k, i] >= t[i] + s[i] + tau[i, 0] - m.big_m_return_min[k, i] * (1 - m.uses_arc[k, i, 0])

    @m.Constraint(m.HUB_OUT)
    def departure_within_shift(m, k, j):
        return m.departure_min[k, j] >= m.shift_start_min[k] * m.uses_arc[k, 0, j]

    @m.Constraint(m.HUB_IN)
    def return_within_shift(m, k, i):
        return m.return_min[k, i] <= m.shift_end_min[k] * m.uses_arc[k, i, 0]

    @m.Constraint(m.TYPES)
    def paid_time_covers_driving(m, k):
        if not any(kk == k for kk, _, _ in m.ARCS):
            return pyo.Constraint.Skip  # this type can serve no stop today
        paid = quicksum(m.return_min[k, i] for kk, i in m.HUB_IN if kk == k) - quicksum(
            m.departure_min[k, j] for kk, j in m.HUB_OUT if kk == k
        )
        driving = quicksum((tau[i, j] + s[i]) * m.uses_arc[k, i, j] for kk, i, j in m.ARCS if kk == k)
        return paid >= driving
