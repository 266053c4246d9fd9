"""What freshness and temperature rules apply to one pickup order.

A product's window runs from the order's ready time (or its harvest time, ``harvested_at``,
when the order gives one: a fixed deadline at the cold store) to arrival at the county cold store. At a
village point with a pre-cooling room, a product that has a ``precooled_window_h`` gets that
longer window, but pre-cooled produce is then treated as chilled: it must ride in reefer space
or reach the cold store within ``max_out_of_cold_h`` of pickup.
"""

from __future__ import annotations

from dataclasses import dataclass

from coldchain.scenario.domain import Order, Product, Scenario, Site
from coldchain.scenario.timefmt import minutes_since


@dataclass(frozen=True)
class OrderTerms:
    """The rules for one order, in minutes from 00:00 of the planning day."""

    order_id: str
    ready_min: float
    deadline_min: float
    window_h: float
    chilled: bool
    max_out_of_cold_min: float
    precooled: bool
    value_cny: float


def order_terms(order: Order, product: Product, site: Site, scenario: Scenario) -> OrderTerms:
    """The freshness window, deadline and cold-chain rule of ``order``."""
    precooled = bool(site.has_precooling and product.precooled_window_h)
    window = product.precooled_window_h if precooled else product.freshness_window_h
    ready = minutes_since(scenario.settings.date, order.ready_at)
    start = ready if order.harvested_at is None else minutes_since(scenario.settings.date, order.harvested_at)
    return OrderTerms(
        order_id=order.order_id,
        ready_min=ready,
        deadline_min=start + 60.0 * window,
        window_h=window,
        chilled=product.temperature_class == "chilled" or precooled,
        max_out_of_cold_min=60.0 * product.max_out_of_cold_h,
        precooled=precooled,
        value_cny=order.quantity_kg * product.value_cny_per_kg,
    )


_LAST_TERMS: list = [None, None]  # (scenario, terms) of the last call: a scenario is immutable


def all_order_terms(scenario: Scenario) -> dict[str, OrderTerms]:
    """`OrderTerms` of every order whose site and product exist, by order id (remembered for the
    last scenario asked about: the checks and the planner ask about the same one in turn). Do
    not change the dict returned."""
    last, terms = _LAST_TERMS
    if last is scenario:
        return terms
    terms = _order_terms(scenario)
    _LAST_TERMS[:] = [scenario, terms]
    return terms


def _order_terms(scenario: Scenario) -> dict[str, OrderTerms]:
    sites = {s.site_id: s for s in scenario.sites}
    products = {p.product_id: p for p in scenario.products}
    return {
        o.order_id: order_terms(o, products[o.product_id], sites[o.site_id], scenario)
        for o in scenario.orders
        if o.site_id in sites and o.product_id in products
    }
