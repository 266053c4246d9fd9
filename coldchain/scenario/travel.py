"""Road distances and driving times between sites.

Measured legs from ``travel.csv`` win; a leg given one way is used both ways. Every other pair is
derived from coordinates (``models/travel.toml``, overridable in ``scenario.toml``):

    road_km = haversine_km x detour_factor
    minutes = 60 x (access_km / village_speed + (road_km - access_km) / road_speed)

where ``access_km`` is ``village_access_km`` for each end of the leg that is a village (capped at
the leg's length): the last stretch into a village runs on slower village roads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from coldchain.scenario.domain import Scenario, Site, TravelSettings

EARTH_RADIUS_KM = 6371.0088


def haversine_km(a: Site, b: Site) -> float:
    """Great-circle distance between two sites in km."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def derived_leg(a: Site, b: Site, t: TravelSettings) -> tuple[float, float]:
    """(road km, driving minutes) from coordinates, as documented in the module docstring."""
    km = haversine_km(a, b) * t.detour_factor
    ends = (a.kind == "village") + (b.kind == "village")
    access = min(km, ends * t.village_access_km)
    minutes = 60.0 * (access / t.village_speed_kmh + (km - access) / t.road_speed_kmh)
    return km, minutes


@dataclass(frozen=True)
class TravelMatrix:
    """Distances (km) and times (min) between the scenario's sites, indexed like ``site_ids``."""

    site_ids: tuple[str, ...]
    km: np.ndarray
    minutes: np.ndarray

    @classmethod
    def build(cls, scenario: Scenario) -> TravelMatrix:
        """Measured legs where given, derived ones elsewhere."""
        sites = scenario.sites
        ids = tuple(s.site_id for s in sites)
        n = len(sites)
        km = np.zeros((n, n))
        minutes = np.zeros((n, n))
        t = scenario.settings.travel
        for i, a in enumerate(sites):
            for j, b in enumerate(sites):
                if i != j:
                    km[i, j], minutes[i, j] = derived_leg(a, b, t)
        pos = {sid: k for k, sid in enumerate(ids)}
        given: set[tuple[int, int]] = set()
        for leg in scenario.travel:
            if leg.from_site in pos and leg.to_site in pos:
                i, j = pos[leg.from_site], pos[leg.to_site]
                km[i, j], minutes[i, j] = leg.distance_km, leg.travel_min
                given.add((i, j))
        for i, j in given:
            if (j, i) not in given:
                km[j, i], minutes[j, i] = km[i, j], minutes[i, j]
        return cls(ids, km, minutes)

    def index(self, site_id: str) -> int:
        """Row/column of a site."""
        return self.site_ids.index(site_id)
