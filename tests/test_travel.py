"""Derived and measured travel between sites."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from coldchain.scenario.domain import Site, TravelSettings
from coldchain.scenario.read import read_scenario
from coldchain.scenario.travel import TravelMatrix, derived_leg, haversine_km

T = TravelSettings(detour_factor=1.3, road_speed_kmh=40, village_speed_kmh=20, village_access_km=2)


def _site(kind: str, lat: float, lon: float) -> Site:
    return Site(
        site_id=kind,
        name=kind,
        kind=kind,
        parent_town="t" if kind == "village" else None,
        lat=lat,
        lon=lon,
        open_time="00:00",
        close_time="24:00",
        service_min=0,
    )


@pytest.mark.unit
def test_haversine_one_degree_of_latitude() -> None:
    """One degree of latitude is 111.19 km on the mean-radius sphere."""
    assert haversine_km(_site("hub", 22, 109), _site("town", 23, 109)) == pytest.approx(math.pi * 6371.0088 / 180)


@pytest.mark.unit
def test_derived_leg_town_to_village() -> None:
    """10 straight km -> 13 road km; 2 km at 20 km/h (6 min) + 11 km at 40 km/h (16.5 min) = 22.5 min."""
    a, b = _site("town", 22.0, 109.0), _site("village", 22.0, 109.0)
    km_per_deg = haversine_km(_site("hub", 22, 109), _site("hub", 23, 109))
    b = _site("village", 22.0 + 10 / km_per_deg, 109.0)
    km, minutes = derived_leg(a, b, T)
    assert km == pytest.approx(13.0)
    assert minutes == pytest.approx(22.5)


@pytest.mark.unit
def test_short_village_hop_is_all_village_road() -> None:
    """A 1.3 km village-to-village leg runs entirely at village speed: 3.9 minutes."""
    km_per_deg = haversine_km(_site("hub", 22, 109), _site("hub", 23, 109))
    a, b = _site("village", 22.0, 109.0), _site("village", 22.0 + 1 / km_per_deg, 109.0)
    km, minutes = derived_leg(a, b, T)
    assert (km, minutes) == (pytest.approx(1.3), pytest.approx(3.9))


@pytest.mark.unit
def test_measured_leg_wins_and_mirrors(tiny_dir: Path) -> None:
    """A travel.csv leg given one way replaces the derived value both ways; others stay derived."""
    (tiny_dir / "travel.csv").write_text("from_site,to_site,distance_km,travel_min\nHUB,T1,18.5,31\n", encoding="utf-8")
    m = TravelMatrix.build(read_scenario(tiny_dir))
    h, t, v = m.index("HUB"), m.index("T1"), m.index("V1")
    assert (m.km[h, t], m.minutes[h, t], m.km[t, h], m.minutes[t, h]) == (18.5, 31, 18.5, 31)
    assert m.km[h, v] == pytest.approx(m.km[v, h]) and m.km[h, v] > 0
