"""Plan a day: the library call behind ``coldchain plan``.

``plan(scenario, options)`` indexes the scenario, answers a day whose parcel stops cannot all be
served as infeasible, and runs the method ``options.method`` names (`coldchain.planner.registry`;
``auto`` chooses from what each method declares). Each method explains every unserved order
and returns a `Plan`. It keeps no global state, so many plans may run in parallel (threads or
processes) on different scenarios.
"""

from __future__ import annotations

from coldchain.core.plan import Plan, PlanOptions
from coldchain.planner.imported import plan_from_routes
from coldchain.planner.registry import COMPACT_MAX_STOPS, ROUTES_MAX_STOPS
from coldchain.planner.registry import plan as _plan
from coldchain.scenario.domain import Scenario

__all__ = ["COMPACT_MAX_STOPS", "ROUTES_MAX_STOPS", "Plan", "PlanOptions", "plan", "plan_from_routes"]


def plan(scenario: Scenario, options: PlanOptions | None = None) -> Plan:
    """Plan one day for ``scenario``.

    Returns a `Plan` whose ``status`` is optimal, feasible (with a gap), infeasible (the parcel
    deliveries cannot all be made; ``missed_stops`` names them), or no_solution. Never raises for
    an infeasible day; raises `UsageError` for a method not in the registry.
    """
    return _plan(scenario, options)
