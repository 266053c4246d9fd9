"""Decision variables of the daily-plan model."""

from __future__ import annotations

import pyomo.environ as pyo


def add_variables(m: pyo.ConcreteModel, elastic: bool = False) -> None:
    r"""Declare the variables, each with its domain, bounds and ``doc``.

    ``elastic`` adds ``misses_stop`` so that mandatory parcel stops may be skipped at a
    penalty: used only to name the deliveries an infeasible day cannot make.
    """
    m.uses_arc = pyo.Var(m.ARCS, within=pyo.Binary, doc="x[k,i,j]: a truck of type k drives from i to j")
    m.service_start_min = pyo.Var(
        m.STOPS,
        bounds=lambda m, i: (m.earliest_min[i], m.latest_min[i]),
        doc="t[i]: service starts at stop i (minutes from midnight)",
    )
    m.hub_return_min = pyo.Var(
        m.STOPS,
        bounds=lambda m, i: (m.hub_return_lb_min[i], m.horizon_end_min),
        doc="h[i]: the truck that serves stop i is back at the hub (cold store) by then",
    )
    m.departure_min = pyo.Var(
        m.HUB_OUT,
        bounds=lambda m, k, j: (0, m.shift_end_min[k]),
        doc="d[k,j]: departure time of the type-k route whose first stop is j (0 if none)",
    )
    m.return_min = pyo.Var(
        m.HUB_IN,
        bounds=lambda m, k, i: (0, m.shift_end_min[k]),
        doc="r[k,i]: hub return time of the type-k route whose last stop is i (0 if none)",
    )
    m.serves_order = pyo.Var(
        m.ORDERS,
        within=pyo.Binary,
        bounds=lambda m, o: (1 if o in m.REQUIRED_ORDERS else 0, 1),
        doc="y[o]: pickup order o is served (fixed to 1 for required orders)",
    )
    m.in_reefer = pyo.Var(m.REEFER_ORDERS, within=pyo.Binary, doc="w[o]: chilled order o rides in reefer space")
    m.parcel_load_kg = pyo.Var(
        [(i, j) for i, j in m.LINKS if j != 0],
        within=pyo.NonNegativeReals,
        doc="D[i,j]: parcels still on board on link i->j (kg)",
    )
    m.pickup_load_kg = pyo.Var(
        [(i, j) for i, j in m.LINKS if i != 0],
        within=pyo.NonNegativeReals,
        doc="P[i,j]: collected produce on board on link i->j (kg)",
    )
    m.reefer_load_kg = pyo.Var(
        [(i, j) for i, j in m.LINKS if i != 0] if len(m.REEFER_ORDERS) else [],
        within=pyo.NonNegativeReals,
        doc="R[i,j]: chilled produce kept in reefer space on link i->j (kg)",
    )
    m.misses_stop = pyo.Var(
        m.MANDATORY_STOPS if elastic else [], within=pyo.Binary, doc="z[i]: elastic mode only: parcel stop i is skipped"
    )
