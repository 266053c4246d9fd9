"""coldchain: daily truck plans for a rural joint-distribution alliance.

Trucks leave the county hub with every member company's parcels for town and village service
points and bring perishables (litchi above all) back to the county cold store within their
freshness windows.
"""

import time

STARTED = time.perf_counter()  # when coldchain was first imported: the CLI's --time-limit counts from here

from coldchain.errors import ColdchainError, InputError, Problem, SolverError, UsageError  # noqa: E402
from coldchain.scenario.domain import Order, Parcel, Product, Scenario, Site, TravelLeg, Vehicle  # noqa: E402
from coldchain.scenario.read import read_scenario  # noqa: E402

__all__ = [
    "ColdchainError",
    "InputError",
    "Order",
    "Parcel",
    "Plan",
    "PlanOptions",
    "Problem",
    "Product",
    "Scenario",
    "Site",
    "SolveOptions",
    "SolveStatus",
    "SolverError",
    "TravelLeg",
    "UsageError",
    "Vehicle",
    "check_folder",
    "kpis",
    "plan_day",
    "read_scenario",
    "write_plan",
]
__version__ = "0.1.0"

# The library facade for applications (what-if, order book, cost sharing, web): stable names that
# load the engines only when first used, so `import coldchain` stays light.
_LAZY = {
    "plan_day": ("coldchain.planner.plan", "plan"),
    "PlanOptions": ("coldchain.core.plan", "PlanOptions"),
    "Plan": ("coldchain.core.plan", "Plan"),
    "SolveOptions": ("coldchain.core.outcome", "SolveOptions"),
    "SolveStatus": ("coldchain.core.outcome", "SolveStatus"),
    "write_plan": ("coldchain.output.report", "write_plan"),
    "kpis": ("coldchain.output.report", "kpis"),
    "check_folder": ("coldchain.check", "check_folder"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'coldchain' has no attribute {name!r}")
