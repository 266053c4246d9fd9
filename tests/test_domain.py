"""Record-level rules, time formats, freshness terms and the Problem format."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from builders import build, order, site, truck
from pydantic import ValidationError

from coldchain.errors import Problem
from coldchain.scenario import catalogue
from coldchain.scenario.domain import Scenario, Site, Vehicle
from coldchain.scenario.freshness import order_terms
from coldchain.scenario.timefmt import clock, minutes_since, parse_clock


@pytest.mark.unit
@pytest.mark.parametrize(("text", "minutes"), [("00:00", 0), ("7:05", 425), ("18:30", 1110), ("24:00", 1440)])
def test_parse_clock(text: str, minutes: int) -> None:
    """HH:MM (and H:MM) become minutes from midnight."""
    assert parse_clock(text) == minutes


@pytest.mark.unit
@pytest.mark.parametrize("text", ["7", "07:60", "24:01", "noon", "-1:00"])
def test_parse_clock_rejects(text: str) -> None:
    """Anything but a time of day between 00:00 and 24:00 is refused."""
    with pytest.raises(ValueError):
        parse_clock(text)


@pytest.mark.unit
def test_clock_marks_other_days() -> None:
    """Minutes before midnight or past the day carry a day offset."""
    assert clock(450) == "07:30"
    assert clock(-300) == "19:00 (-1d)"
    assert clock(1500) == "01:00 (+1d)"


@pytest.mark.unit
def test_minutes_since_evening_before() -> None:
    """Litchi picked at 19:00 the evening before is ready at -300 minutes."""
    assert minutes_since(date(2026, 6, 15), datetime(2026, 6, 14, 19, 0)) == -300


@pytest.mark.unit
def test_problem_format() -> None:
    """Problems print as file:line:column: message (got value), leaving out what is unknown."""
    assert str(Problem("orders.csv", 14, "quantity_kg", "must be greater than 0", "-5")) == (
        "orders.csv:14:quantity_kg: must be greater than 0 (got -5)"
    )
    assert str(Problem("sites.csv", None, "kind", "no hub")) == "sites.csv:kind: no hub"
    assert str(Problem("x.csv", 2, "a", "required", "")) == "x.csv:2:a: required (got an empty cell)"


@pytest.mark.unit
def test_vehicle_capacity_is_dry_plus_reefer() -> None:
    """A retrofitted van's total payload is its dry plus its reefer space."""
    v = Vehicle(
        vehicle_id="SF1",
        owner="顺丰",
        home_hub="HUB",
        dry_capacity_kg=700,
        reefer_capacity_kg=500,
        fixed_cost_cny_per_day=150,
        cost_cny_per_km=1.3,
        driver_cost_cny_per_h=32,
        shift_start="07:00",
        shift_end="19:00",
    )
    assert v.capacity_kg == 1200
    assert (v.shift_start, v.shift_end) == (420, 1140)


@pytest.mark.unit
def test_records_are_frozen_and_strict() -> None:
    """Records cannot be changed after validation and refuse unknown fields."""
    site = Site(
        site_id="H", name="hub", kind="hub", lat=22.4, lon=109.3, open_time="05:00", close_time="21:00", service_min=0
    )
    with pytest.raises(ValidationError):
        site.name = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Site(
            site_id="H",
            name="hub",
            kind="hub",
            lat=22.4,
            lon=109.3,
            open_time="05:00",
            close_time="21:00",
            service_min=0,
            colour="red",
        )


def _scenario(precooling: bool) -> Scenario:
    """Hub H, town T, village V (sites in that order); truck D; 100 kg of litchi at V, ready 19:00
    the evening before."""
    return build(
        [site("V", precooling=precooling)],
        {},
        [truck("D")],
        orders=[order("O", "V", 100, product="litchi", ready="2026-06-14 19:00")],
    )


@pytest.mark.unit
def test_litchi_terms_without_precooling() -> None:
    """Litchi ready at 19:00 the evening before must be in the cold store by 19:00 today, ambient."""
    s = _scenario(precooling=False)
    t = order_terms(s.orders[0], next(p for p in s.products if p.product_id == "litchi"), s.sites[2], s)
    assert (t.ready_min, t.deadline_min, t.chilled, t.value_cny) == (-300, 1140, False, 800)


@pytest.mark.unit
def test_litchi_terms_with_precooling() -> None:
    """In a pre-cooling room the window grows to 72 h, but the fruit must then ride cold (2 h out)."""
    s = _scenario(precooling=True)
    t = order_terms(s.orders[0], next(p for p in s.products if p.product_id == "litchi"), s.sites[2], s)
    assert (t.deadline_min, t.chilled, t.max_out_of_cold_min) == (-300 + 72 * 60, True, 120)


@pytest.mark.unit
def test_scenario_replace_revalidates() -> None:
    """replace() gives a new validated scenario; an invalid change raises instead of slipping in."""
    s = _scenario(False)
    bigger = s.replace(vehicles=(*s.vehicles, s.vehicles[0].model_copy(update={"vehicle_id": "D2"})))
    assert [v.vehicle_id for v in bigger.vehicles] == ["D", "D2"]
    assert len(s.vehicles) == 1
    with pytest.raises(ValidationError):
        s.replace(vehicles=())


@pytest.mark.unit
def test_default_products_have_sources() -> None:
    """Every default freshness model in models/products.toml says where its numbers come from."""
    import tomllib

    with (catalogue.models_dir() / "products.toml").open("rb") as fh:
        data = tomllib.load(fh)
    assert set(data) == {"litchi", "longan", "banana", "leafy_greens", "fresh_fish", "duck_eggs", "raw_milk"}
    assert all(spec.get("sources") for spec in data.values())
