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
]
__version__ = "0.1.0"
