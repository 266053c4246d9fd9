"""A short, readable summary of a valid scenario (what ``coldchain validate`` prints)."""

from __future__ import annotations

from collections import defaultdict

from coldchain.scenario.domain import Scenario
from coldchain.scenario.freshness import all_order_terms
from coldchain.scenario.timefmt import at_minutes


def scenario_summary(s: Scenario) -> list[tuple[str, str]]:
    """(label, text) rows describing the scenario."""
    kinds = defaultdict(int)
    for x in s.sites:
        kinds[x.kind] += 1
    reefers = [v for v in s.vehicles if v.reefer_capacity_kg > 0]
    cap = sum(v.capacity_kg for v in s.vehicles)
    rcap = sum(v.reefer_capacity_kg for v in s.vehicles)
    companies = sorted({p.company for p in s.parcels})
    rows = [
        ("scenario", f"{s.settings.name}, planning day {s.settings.date}"),
        ("sites", f"1 hub, {kinds['town']} towns, {kinds['village']} villages"),
        (
            "trucks",
            f"{len(s.vehicles)} ({len(reefers)} with reefer space); {cap:,.0f} kg in all, {rcap:,.0f} kg reefer",
        ),
        (
            "parcels",
            f"{sum(p.parcel_count for p in s.parcels):,} parcels, "
            f"{sum(p.weight_kg for p in s.parcels):,.0f} kg, for {len(companies)} companies "
            f"to {len({p.site_id for p in s.parcels})} service points",
        ),
    ]
    by_product: dict[str, list[float]] = defaultdict(list)
    for o in s.orders:
        by_product[o.product_id].append(o.quantity_kg)
    total = sum(o.quantity_kg for o in s.orders)
    rows.append(("pickup orders", f"{_n(len(s.orders), 'order')}, {total:,.0f} kg"))
    for pid in sorted(by_product, key=lambda k: -sum(by_product[k])):
        q = by_product[pid]
        rows.append((f"  {pid}", f"{_n(len(q), 'order')}, {sum(q):,.0f} kg"))
    terms = all_order_terms(s)
    if terms:
        t = min(terms.values(), key=lambda x: x.deadline_min)
        when = at_minutes(s.settings.date, t.deadline_min)
        rows.append(
            (
                "tightest deadline",
                f"{t.order_id} must reach the cold store by {when:%Y-%m-%d %H:%M} ({t.window_h:g} h window)",
            )
        )
    return rows


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
