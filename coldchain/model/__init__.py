r"""The daily-plan MILP: a two-index, vehicle-type formulation with simultaneous pickup and delivery.

``build_model(instance)`` declares sets, parameters and variables, then each constraint family in
a fixed order, then the objective; nothing else. Each family's module docstring states its math.

Symbol table
------------

=====================  ==========================  ==========================================
symbol                 Pyomo component             meaning (source)
=====================  ==========================  ==========================================
:math:`N, S`           ``NODES``, ``STOPS``        hub 0 and stops 1..n (sites with work)
:math:`S^m, S^o`       ``MANDATORY_STOPS``,        stops with parcels / pickup-only stops
                       ``OPTIONAL_STOPS``
:math:`K`              ``TYPES``                   groups of identical trucks (vehicles.csv)
:math:`A, L`           ``ARCS``, ``LINKS``,        arcs (k,i,j) a type may drive; links (i,j);
                       ``STOP_LINKS``              links between two stops
:math:`A^{out},A^{in}` ``HUB_OUT``, ``HUB_IN``     arcs leaving / entering the hub
:math:`O`              ``ORDERS``                  servable pickup orders (orders.csv)
:math:`O^{cold}, O^c`  ``CHILLED_ORDERS``,         orders that must ride cold; those that fit a
                       ``REEFER_ORDERS``           reefer
:math:`Q_k, Q^r_k`     ``capacity_kg``,            payload, reefer payload
                       ``reefer_kg``               (dry_capacity_kg + reefer_capacity_kg)
:math:`n_k`            ``fleet_count``             trucks of the type
:math:`F_k,c_k,w_k`    ``fixed_cny``,              fixed cost per day, per km, per hour
                       ``cny_per_km``, ``cny_per_h``
:math:`a_k, b_k`       ``shift_start_min``,        earliest departure, latest return
                       ``shift_end_min``           (shift within hub hours)
:math:`s_i, q_i`       ``service_min``,            service minutes, parcel kg to drop
                       ``parcel_kg``               (sites.csv, parcels.csv)
:math:`e_i, l_i`       ``earliest_min``,           tightened earliest/latest service start
                       ``latest_min``
:math:`\kappa_{ij},    ``km``, ``travel_min``      road km and minutes (travel.csv or derived)
\tau_{ij}`
:math:`g_o, v_o`       ``order_kg``, ``value_cny`` kg and value of an order
:math:`i_o`            ``order_node``              the stop of an order
:math:`\rho_o,         ``ready_min``,              ready time, cold-store deadline, minutes
\delta_o, \omega_o`    ``deadline_min``,           allowed out of the cold
                       ``max_out_of_cold_min``
:math:`V^{excl}`       ``lost_value_excluded_cny`` value of orders no truck can serve at all
:math:`\bar h`         ``horizon_end_min``         latest return of any type
:math:`\underline h_i` ``hub_return_lb_min``       earliest possible hub return via stop i
:math:`M^{...}`        ``big_m_time_min``,         big-M values derived per arc
                       ``big_m_shift_start_min``,
                       ``big_m_shift_end_min``,
                       ``big_m_return_min``,
                       ``big_m_departure_min``
:math:`x_{kij}`        ``uses_arc``                binary: type k drives i -> j
:math:`t_i`            ``service_start_min``       service start at stop i
:math:`h_i`            ``hub_return_min``          hub arrival of the route through i
:math:`d_{kj}, r_{ki}` ``departure_min``,          departure / return of a route (driver time)
                       ``return_min``
:math:`y_o, w_o`       ``serves_order``,           order served; chilled order in reefer space
                       ``in_reefer``
:math:`D_{ij}, P_{ij}, ``parcel_load_kg``,         parcels, produce, reefer produce on a link
R_{ij}`                ``pickup_load_kg``,
                       ``reefer_load_kg``
:math:`z_i`            ``misses_stop``             elastic mode: a parcel stop is skipped
cut index sets         ``PARCEL_CUT_SETS``,        sets of stops with a rounded capacity cut;
                       ``PICKUP_CUT_SETS``,        cliques of stops no single truck can serve
                       ``TIME_CLIQUES``,           together (see ``model.cuts``)
                       ``LOAD_CLIQUES``
=====================  ==========================  ==========================================

Constraint families, in build order: routing (``routing.py``), pickups (``pickups.py``), time
(``timing.py``), capacity (``capacity.py``), freshness (``freshness.py``), temperature
(``temperature.py``), valid inequalities (``cuts.py``), objective (``objective.py``). With split
visits (``[rules] split_visits``) the model is built on the day with twin stops and
``twins.add_twin_constraints`` adds its rows (``twins.py``).
"""

from __future__ import annotations

import pyomo.environ as pyo

from coldchain.core.instance import Instance
from coldchain.model.capacity import add_capacity_constraints
from coldchain.model.cuts import add_capacity_cuts, add_route_count_cuts
from coldchain.model.freshness import add_freshness_constraints
from coldchain.model.objective import add_objective
from coldchain.model.params import add_params
from coldchain.model.pickups import add_pickup_constraints
from coldchain.model.routing import add_routing_constraints
from coldchain.model.sets import add_sets
from coldchain.model.temperature import add_temperature_constraints
from coldchain.model.timing import add_time_window_constraints
from coldchain.model.variables import add_variables
from coldchain.scenario.domain import ObjectiveWeights


def elastic_penalty(inst: Instance) -> float:
    """A per-stop penalty larger than the cost of any plan (elastic mode)."""
    n = inst.n + 1
    worst = sum(
        t.count * (t.fixed_cny + t.cny_per_km * n * float(inst.km.max()) + t.cny_per_h * (t.end_min - t.start_min) / 60)
        for t in inst.types
    )
    return 10.0 * (worst + sum(o.value_cny for o in inst.orders) + 1.0)


def build_model(inst: Instance, weights: ObjectiveWeights | None = None, *, elastic: bool = False) -> pyo.ConcreteModel:
    """Build the MILP for one planning instance.

    Parameters
    ----------
    inst
        The indexed planning instance (``coldchain.core.instance.build_instance``).
    weights
        Objective weights; default: the scenario's.
    elastic
        Let mandatory parcel stops be skipped at a prohibitive penalty, to name the deliveries
        an infeasible day cannot make.
    """
    m = pyo.ConcreteModel(name=inst.scenario.settings.name)
    add_sets(m, inst)
    add_params(m, inst)
    add_variables(m, elastic=elastic)
    add_routing_constraints(m)
    add_pickup_constraints(m)
    add_time_window_constraints(m)
    add_capacity_constraints(m)
    add_freshness_constraints(m)
    add_temperature_constraints(m)
    add_capacity_cuts(m, inst, elastic=elastic)
    add_route_count_cuts(m, inst)
    add_objective(m, weights or inst.scenario.settings.weights, elastic_penalty(inst) if elastic else 0.0)
    return m
