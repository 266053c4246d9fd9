"""Turn a heuristic plan into a complete MIP start for the daily-plan model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyomo.environ as pyo
from pyomo.common.collections import ComponentMap

from coldchain.core.instance import Instance

if TYPE_CHECKING:  # the model takes the search's plan, it does not run the search
    from coldchain.search.insertion import HeuristicPlan


def mip_start(m: pyo.ConcreteModel, inst: Instance, plan: HeuristicPlan) -> ComponentMap:
    """Values for every variable of ``m`` that reproduce ``plan`` (a feasible point of the MILP).

    Returns an empty dict when the plan does not fit the model (an arc the model left out),
    so that a start is never wrong, only missing.
    """
    values = ComponentMap()
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        values[v] = 0.0
    for i in m.STOPS:
        values[m.service_start_min[i]] = m.earliest_min[i]
        values[m.hub_return_min[i]] = m.hub_return_lb_min[i]
    for r in plan.routes:
        if not r.seq:
            continue
        ev = r.ev
        path = [0, *r.seq, 0]
        for i, j in zip(path, path[1:]):
            if (r.k, i, j) not in m.uses_arc:
                return ComponentMap()
            values[m.uses_arc[r.k, i, j]] = 1.0
        values[m.departure_min[r.k, r.seq[0]]] = ev.depart
        values[m.return_min[r.k, r.seq[-1]]] = ev.ret
        parcels = sum(inst.delivery(i) for i in r.seq)
        picked = cold = 0.0
        prev = 0
        for p, i in enumerate(r.seq):
            values[m.service_start_min[i]] = ev.start[p]
            values[m.hub_return_min[i]] = ev.ret
            values[m.parcel_load_kg[prev, i]] = parcels
            if prev:
                values[m.pickup_load_kg[prev, i]] = picked
                if (prev, i) in m.reefer_load_kg:
                    values[m.reefer_load_kg[prev, i]] = cold
            parcels -= inst.delivery(i)
            for o in r.picks.get(i, []):
                values[m.serves_order[o]] = 1.0
                picked += inst.orders[o].kg
                if o in m.in_reefer and ev.in_reefer.get(o):
                    values[m.in_reefer[o]] = 1.0
                    cold += inst.orders[o].kg
            prev = i
        values[m.pickup_load_kg[prev, 0]] = picked
        if (prev, 0) in m.reefer_load_kg:
            values[m.reefer_load_kg[prev, 0]] = cold
    return values
