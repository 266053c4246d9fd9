"""An option applied to a day's Scenario: a pure function returning a new, validated Scenario.

* ``AddTrucks(like, n, overrides)``: n copies of vehicle ``like`` (same payloads, costs and
  shift, except the fields in ``overrides``), ids ``<like>+1`` ... ``<like>+n``.
* ``Retrofit(vehicles, loss, extra)``: a reefer unit on each named van. The whole box becomes
  reefer space: reefer_kg' = dry_kg + reefer_kg - loss, dry_kg' = 0 (the insulation and unit
  take ``loss`` of payload); cost_per_km' = cost_per_km + extra (the unit's fuel).
* ``Precool(sites, window)``: ``has_precooling`` at each named site. The planner's freshness
  rule (``coldchain.freshness``) then gives an order there the product's ``precooled_window_h``
  instead of its ambient window, and treats it as chilled: it rides in reefer space or reaches
  the cold store within ``max_out_of_cold_h`` of pickup. A product without a pre-cooled window
  gets ``window`` (if given) -- at every pre-cooling site, including those the scenario already
  had, since the window belongs to the product.
* ``ColdRoom(intake)``: no change to the day's scenario. The planner has no intake-limit rule,
  so the limit is applied to the plan afterwards (``intake_cap``), see there.
"""

from __future__ import annotations

from coldchain import Scenario
from coldchain.apps.whatif.options import AddTrucks, Change, ColdRoom, Option, Precool, Retrofit


def _add_trucks(s: Scenario, c: AddTrucks) -> Scenario:
    if c.count == 0:
        return s
    like = next((v for v in s.vehicles if v.vehicle_id == c.like), None)
    if like is None:
        raise ValueError(f"add_trucks: no vehicle {c.like} in the scenario")
    taken = {v.vehicle_id for v in s.vehicles}
    new, k = [], 0
    while len(new) < c.count:
        k += 1
        vid = f"{c.like}+{k}"
        if vid not in taken:
            new.append(like.model_copy(update={"vehicle_id": vid, "line": None, **dict(c.overrides)}))
    return s.replace(vehicles=(*s.vehicles, *new))


def _retrofit(s: Scenario, c: Retrofit) -> Scenario:
    wanted = set(c.vehicles)
    missing = wanted - {v.vehicle_id for v in s.vehicles}
    if missing:
        raise ValueError(f"retrofit: no vehicle {', '.join(sorted(missing))} in the scenario")
    fleet = []
    for v in s.vehicles:
        if v.vehicle_id in wanted:
            reefer = v.capacity_kg - c.payload_loss_kg
            if reefer <= 0:
                raise ValueError(f"retrofit: {v.vehicle_id} has no payload left")
            v = v.model_copy(
                update={
                    "dry_capacity_kg": 0.0,
                    "reefer_capacity_kg": reefer,
                    "cost_cny_per_km": v.cost_cny_per_km + c.extra_cny_per_km,
                }
            )
        fleet.append(v)
    return s.replace(vehicles=tuple(fleet))


def _precool(s: Scenario, c: Precool) -> Scenario:
    wanted = set(c.sites)
    missing = wanted - {x.site_id for x in s.sites}
    if missing:
        raise ValueError(f"precool: no site {', '.join(sorted(missing))} in the scenario")
    sites = tuple(x.model_copy(update={"has_precooling": True}) if x.site_id in wanted else x for x in s.sites)
    products = s.products
    if c.precooled_window_h is not None:
        products = tuple(
            p if p.precooled_window_h is not None else p.model_copy(update={"precooled_window_h": c.precooled_window_h})
            for p in products
        )
    return s.replace(sites=sites, products=products)


def apply_change(scenario: Scenario, change: Change) -> Scenario:
    """``scenario`` with one change made (``ColdRoom`` leaves it as it is)."""
    if isinstance(change, AddTrucks):
        return _add_trucks(scenario, change)
    if isinstance(change, Retrofit):
        return _retrofit(scenario, change)
    if isinstance(change, Precool):
        return _precool(scenario, change)
    if isinstance(change, ColdRoom):
        return scenario
    raise TypeError(f"unknown change {change!r}")


def apply_option(scenario: Scenario, option: Option) -> Scenario:
    """``scenario`` with every change of ``option`` made, in the order listed (a new Scenario)."""
    for change in option.changes:
        scenario = apply_change(scenario, change)
    return scenario


def intake_cap(served: list[tuple[float, float]], limit_kg: float | None) -> tuple[float, float]:
    """(kg refused, value refused) when the cold store takes at most ``limit_kg`` a day.

    ``served`` lists (kg, value in CNY) of the orders a plan brings in. The planner does not know
    the limit, so this is an approximation made after planning: the store turns away the excess,
    lowest value per kg first (the alliance would drop the cheapest produce), and the refused
    produce counts as lost at its value. The trucks' cost of fetching it stays in the plan, so the
    figure errs on the costly side for an option with a small room (a planner that knew the limit
    might not fetch that produce at all).

    Example: served (600 kg, 3,600 CNY) and (400 kg, 4,000 CNY), limit 700 kg: 300 kg are refused,
    all from the 6 CNY/kg order: (300, 1,800).
    """
    total = sum(kg for kg, _ in served)
    if limit_kg is None or total <= limit_kg + 1e-9:
        return 0.0, 0.0
    excess = total - limit_kg
    kg_out = value_out = 0.0
    for kg, value in sorted(served, key=lambda kv: kv[1] / kv[0] if kv[0] else 0.0):
        take = min(kg, excess - kg_out)
        if take <= 0:
            break
        kg_out += take
        value_out += value * take / kg
    return kg_out, value_out
