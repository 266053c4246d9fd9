"""coldchain: daily truck plans for a rural joint-distribution alliance.

Trucks leave the county hub with every member company's parcels for town and village service
points and bring perishables (litchi above all) back to the county cold store within their
freshness windows.
"""

from coldchain.domain import Order, Parcel, Product, Scenario, Site, TravelLeg, Vehicle
from coldchain.errors import ColdchainError, InputError, Problem, SolverError
from coldchain.io import read_scenario

__all__ = [
    "ColdchainError",
    "InputError",
    "Order",
    "Parcel",
    "Problem",
    "Product",
    "Scenario",
    "Site",
    "SolverError",
    "TravelLeg",
    "Vehicle",
    "read_scenario",
    "plan_day",
    "PlanOptions",
    "SolveOptions",
    "SolveStatus",
    "Plan",
    "write_plan",
    "kpis",
    "check_folder",
]
__version__ = "0.1.0"

# The library facade for applications (what-if, order book, cost sharing, web): stable names that
# load the engines only when first used, so `import coldchain` stays light.
_LAZY = {
    "plan_day": ("coldchain.plan", "plan"),
    "PlanOptions": ("coldchain.plan", "PlanOptions"),
    "Plan": ("coldchain.plan", "Plan"),
    "SolveOptions": ("coldchain.solve", "SolveOptions"),
    "SolveStatus": ("coldchain.solve", "SolveStatus"),
    "write_plan": ("coldchain.report", "write_plan"),
    "kpis": ("coldchain.report", "kpis"),
    "check_folder": ("coldchain.verify", "check_folder"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'coldchain' has no attribute {name!r}")
