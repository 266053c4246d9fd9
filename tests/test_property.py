"""Property: on random small scenarios, every plan returned keeps every rule (checker finds nothing)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coldchain.check import check_folder
from coldchain.core.outcome import SolveOptions, SolveStatus
from coldchain.core.plan import PlanOptions
from coldchain.output.report import write_plan
from coldchain.planner.plan import plan
from coldchain.scenario import catalogue
from coldchain.scenario.checks import check_scenario
from coldchain.scenario.domain import Order, Parcel, Scenario, Settings, Site, Vehicle

PRODUCTS = ["litchi", "longan", "fresh_fish", "raw_milk", "leafy_greens"]


@st.composite
def scenarios(draw) -> Scenario:
    """2-4 service points within ~25 km, 1-2 trucks (dry, reefer or split), 0-3 pickup orders."""
    n = draw(st.integers(2, 4))
    hub = Site(
        site_id="H", name="hub", kind="hub", lat=22.42, lon=109.29, open_time="05:00", close_time="21:00", service_min=0
    )
    sites = [
        hub,
        Site(
            site_id="T0",
            name="t0",
            kind="town",
            lat=22.45,
            lon=109.25,
            open_time="07:00",
            close_time="19:00",
            service_min=draw(st.sampled_from([0, 10, 20])),
        ),
    ]
    for i in range(1, n):
        open_h = draw(st.integers(6, 11))
        sites.append(
            Site(
                site_id=f"V{i}",
                name=f"v{i}",
                kind="village",
                parent_town="T0",
                lat=22.42 + draw(st.floats(-0.15, 0.15)),
                lon=109.29 + draw(st.floats(-0.15, 0.15)),
                open_time=f"{open_h:02d}:00",
                close_time=f"{open_h + draw(st.integers(3, 10)):02d}:00",
                service_min=draw(st.sampled_from([5, 12])),
                has_precooling=draw(st.booleans()),
            )
        )
    vehicles = []
    for k in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(["dry", "reefer", "split"]))
        dry, reefer = {"dry": (1500, 0), "reefer": (0, 1200), "split": (700, 500)}[kind]
        vehicles.append(
            Vehicle(
                vehicle_id=f"K{k}",
                owner="alliance",
                home_hub="H",
                dry_capacity_kg=dry,
                reefer_capacity_kg=reefer,
                fixed_cost_cny_per_day=draw(st.sampled_from([80, 150])),
                cost_cny_per_km=1.2,
                driver_cost_cny_per_h=30,
                shift_start="06:30",
                shift_end=draw(st.sampled_from(["14:00", "19:30"])),
            )
        )
    parcels = [
        Parcel(company="EMS", site_id=s.site_id, parcel_count=10, weight_kg=draw(st.floats(5, 400)))
        for s in sites[1:]
        if draw(st.booleans()) or s.site_id == "T0"
    ]
    orders = []
    day = date(2026, 6, 15)
    for j in range(draw(st.integers(0, 3))):
        at = draw(st.sampled_from(sites[2:] or sites[1:]))
        ready = datetime(2026, 6, 15, 6) + timedelta(minutes=draw(st.integers(-600, 300)))
        orders.append(
            Order(
                order_id=f"O{j}",
                shipper="s",
                site_id=at.site_id,
                product_id=draw(st.sampled_from(PRODUCTS)),
                quantity_kg=draw(st.floats(20, 900)),
                ready_at=ready,
            )
        )
    return Scenario(
        settings=Settings(date=day, travel=catalogue.default_travel()),
        sites=tuple(sites),
        vehicles=tuple(vehicles),
        products=tuple(catalogue.default_products().values()),
        orders=tuple(orders),
        parcels=tuple(parcels),
    )


@pytest.mark.component
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(s=scenarios())
def test_every_returned_plan_passes_the_checker(s: Scenario, tmp_path_factory) -> None:
    """Whenever the planner returns routes, the independent checker finds no violation; an
    infeasible day names at least one parcel stop or none can be narrowed."""
    if any(p.severity == "error" for p in check_scenario(s)):
        return  # invalid inputs never reach the planner
    result = plan(s, PlanOptions(solve=SolveOptions(time_limit_s=5, threads=1), heuristic_s=0.2))
    if result.has_routes:
        out = tmp_path_factory.mktemp("plan")
        write_plan(result, out, map_png=False)
        assert [str(v) for v in check_folder(s, out)] == []
        served = {o for r in result.routes for os in r.picks.values() for o in os}
        assert served.isdisjoint(result.unserved)
        assert served | set(result.unserved) == {o.index for o in result.instance.orders}
    else:
        assert result.status in (SolveStatus.INFEASIBLE, SolveStatus.NO_SOLUTION)


@pytest.mark.component
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(s=scenarios())
def test_lower_bound_never_exceeds_a_proven_optimum(s: Scenario) -> None:
    """The county days' LP bound (per-type flows, capacity, pickup and subtour cuts, greedy sets)
    is valid: wherever the compact MILP proves an optimum, the bound lies at or below it."""
    from coldchain.colgen.arc_bound import lower_bound

    if any(p.severity == "error" for p in check_scenario(s)):
        return
    exact = plan(s, PlanOptions(solve=SolveOptions(time_limit_s=5, threads=1), heuristic_s=0.2, method="compact"))
    if exact.status != SolveStatus.OPTIMAL:
        return
    b = lower_bound(exact.instance, time_limit_s=5)
    assert b is not None and b.value <= exact.cost + 1e-6 * max(1.0, abs(exact.cost))
