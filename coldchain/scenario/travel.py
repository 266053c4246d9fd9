"""Road distances and driving times between sites.

Measured legs from ``travel.csv`` win, then the matrix of ``travel_matrix.json``
(`coldchain.scenario.matrix`); a leg given one way in ``travel.csv`` is used both ways. Every other pair is
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


def derived_matrix(sites, t: TravelSettings) -> tuple[np.ndarray, np.ndarray]:
    """`derived_leg` for every ordered pair of ``sites`` (vectorised; 0 on the diagonal)."""
    lat = np.radians([s.lat for s in sites])
    lon = np.radians([s.lon for s in sites])
    h = (
        np.sin((lat[None, :] - lat[:, None]) / 2) ** 2
        + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin((lon[None, :] - lon[:, None]) / 2) ** 2
    )
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * t.detour_factor
    village = np.array([s.kind == "village" for s in sites], dtype=np.float64)
    access = np.minimum(km, (village[:, None] + village[None, :]) * t.village_access_km)
    minutes = 60.0 * (access / t.village_speed_kmh + (km - access) / t.road_speed_kmh)
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(minutes, 0.0)
    return km, minutes


@dataclass(frozen=True)
class TravelMatrix:
    """Distances (km) and times (min) between the scenario's sites, indexed like ``site_ids``."""

    site_ids: tuple[str, ...]
    km: np.ndarray
    minutes: np.ndarray

    @classmethod
    def build(cls, scenario: Scenario) -> TravelMatrix:
        """Measured legs where given (``travel.csv``, then ``travel_matrix.json``), derived ones
        elsewhere (the module docstring's formula, for all pairs at once)."""
        sites = scenario.sites
        ids = tuple(s.site_id for s in sites)
        km, minutes = derived_matrix(sites, scenario.settings.travel)
        pos = {sid: k for k, sid in enumerate(ids)}
        table = scenario.travel_table
        if table is not None:
            mine = [pos[sid] for sid in table.site_ids if sid in pos]
            theirs = [k for k, sid in enumerate(table.site_ids) if sid in pos]
            km[np.ix_(mine, mine)] = table.km[np.ix_(theirs, theirs)]
            minutes[np.ix_(mine, mine)] = table.minutes[np.ix_(theirs, theirs)]
            np.fill_diagonal(km, 0.0)
            np.fill_diagonal(minutes, 0.0)
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
