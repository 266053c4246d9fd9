"""Cross-record rules of a scenario, one ``check_<rule>`` function per rule.

Each returns a list of `Problem` naming the file, line and column of the offending record and
what to do about it. ``check_scenario`` runs them all. Field-level rules live on the records in
``coldchain.scenario.domain``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta

from coldchain.errors import Problem
from coldchain.scenario.domain import Record, Scenario
from coldchain.scenario.freshness import all_order_terms
from coldchain.scenario.timefmt import clock, minutes_since
from coldchain.scenario.travel import TravelMatrix, haversine_km

DAY_MIN = 24 * 60
FAR_KM = 150.0


def _p(
    file: str, rec: Record | None, column: str | None, message: str, got: object = None, severity: str = "error"
) -> Problem:
    return Problem(file, rec.line if rec else None, column, message, None if got is None else str(got), severity)  # type: ignore[arg-type]


def _dupes(
    file: str, records: Iterable[Record], key: Callable[[Record], object], column: str, what: str
) -> list[Problem]:
    records = list(records)
    counts = Counter(key(r) for r in records)
    out, first = [], {}
    for r in records:
        k = key(r)
        if counts[k] > 1:
            if k in first:
                where = f" (first on line {first[k]})" if first[k] else ""
                out.append(_p(file, r, column, f"duplicate {what}{where}", k))
            else:
                first[k] = r.line
    return out


def check_duplicate_ids(s: Scenario) -> list[Problem]:
    """Ids are unique per file; a company lists each site once; a travel pair appears once."""
    return [
        *_dupes("sites.csv", s.sites, lambda r: r.site_id, "site_id", "site id"),
        *_dupes("vehicles.csv", s.vehicles, lambda r: r.vehicle_id, "vehicle_id", "vehicle id"),
        *_dupes("products.csv", s.products, lambda r: r.product_id, "product_id", "product id"),
        *_dupes("orders.csv", s.orders, lambda r: r.order_id, "order_id", "order id"),
        *_dupes(
            "parcels.csv",
            s.parcels,
            lambda r: (r.company, r.site_id),
            "site_id",
            "company and site pair: put all of a company's parcels for a site on one line",
        ),
        *_dupes("travel.csv", s.travel, lambda r: (r.from_site, r.to_site), "to_site", "travel pair"),
    ]


def check_one_hub(s: Scenario) -> list[Problem]:
    """Exactly one site is the county alliance hub (which is also the cold store)."""
    hubs = [x for x in s.sites if x.kind == "hub"]
    if not hubs:
        return [Problem("sites.csv", None, "kind", "no site has kind 'hub': add the county alliance centre")]
    return [_p("sites.csv", h, "kind", "only one hub is supported; this is a second one", h.site_id) for h in hubs[1:]]


def check_parent_towns(s: Scenario) -> list[Problem]:
    """Every village names its town (a site of kind 'town'); towns and the hub name none."""
    towns = {x.site_id for x in s.sites if x.kind == "town"}
    out = []
    for x in s.sites:
        if x.kind == "village":
            if not x.parent_town:
                out.append(_p("sites.csv", x, "parent_town", "a village needs its parent town's site_id", ""))
            elif x.parent_town not in towns:
                out.append(_p("sites.csv", x, "parent_town", "not the site_id of a town in sites.csv", x.parent_town))
        elif x.parent_town:
            out.append(
                _p("sites.csv", x, "parent_town", f"only villages have a parent town, not a {x.kind}", x.parent_town)
            )
    return out


def check_references(s: Scenario) -> list[Problem]:
    """Orders, parcels, vehicles and travel legs refer to sites and products that exist."""
    sites = {x.site_id: x for x in s.sites}
    products = {p.product_id for p in s.products}
    hubs = {x.site_id for x in s.sites if x.kind == "hub"}
    out = []
    for o in s.orders:
        if o.site_id not in sites:
            out.append(_p("orders.csv", o, "site_id", "unknown site: not in sites.csv", o.site_id))
        if o.product_id not in products:
            out.append(
                _p(
                    "orders.csv",
                    o,
                    "product_id",
                    f"unknown product; known: {', '.join(sorted(products))}",
                    o.product_id,
                )
            )
    for pc in s.parcels:
        if pc.site_id not in sites:
            out.append(_p("parcels.csv", pc, "site_id", "unknown site: not in sites.csv", pc.site_id))
    for v in s.vehicles if len(hubs) == 1 else ():
        if v.home_hub not in hubs:
            out.append(_p("vehicles.csv", v, "home_hub", "must be the site_id of the hub", v.home_hub))
    for leg in s.travel:
        for col in ("from_site", "to_site"):
            if getattr(leg, col) not in sites:
                out.append(_p("travel.csv", leg, col, "unknown site: not in sites.csv", getattr(leg, col)))
    return out


def check_nothing_at_hub(s: Scenario) -> list[Problem]:
    """Pickups and parcels are for service points, not the hub itself."""
    hubs = {x.site_id for x in s.sites if x.kind == "hub"}
    out = [
        _p("orders.csv", o, "site_id", "a pickup order at the hub: the fruit is already at the cold store", o.site_id)
        for o in s.orders
        if o.site_id in hubs
    ]
    out += [
        _p("parcels.csv", p, "site_id", "parcels for the hub itself need no truck", p.site_id)
        for p in s.parcels
        if p.site_id in hubs
    ]
    return out


def check_ready_times(s: Scenario) -> list[Problem]:
    """An order is ready before the planning day ends and not already past its freshness window."""
    day = s.settings.date
    terms = all_order_terms(s)
    out = []
    for o in s.orders:
        ready = minutes_since(day, o.ready_at)
        if ready >= DAY_MIN:
            out.append(
                _p(
                    "orders.csv",
                    o,
                    "ready_at",
                    f"ready after the planning day {day}: submit it with tomorrow's orders",
                    o.ready_at.strftime("%Y-%m-%d %H:%M"),
                )
            )
            continue
        t = terms.get(o.order_id)
        if t is not None and t.deadline_min <= 0:
            window = t.window_h
            end = o.ready_at + timedelta(hours=window)
            out.append(
                _p(
                    "orders.csv",
                    o,
                    "ready_at",
                    f"its {window:g} h freshness window closed at {end:%Y-%m-%d %H:%M}, "
                    f"before the planning day {day} began",
                    o.ready_at.strftime("%Y-%m-%d %H:%M"),
                )
            )
    return out


def check_reachable_hours(s: Scenario, travel: TravelMatrix | None = None) -> list[Problem]:
    """A service point with work today can be visited within its hours by some truck's shift.

    A truck leaving the hub at its shift start (not before the hub opens) must be able to start
    service before ``close_time - service_min`` and be back by its shift end.
    """
    hubs = [x for x in s.sites if x.kind == "hub"]
    if len(hubs) != 1 or not s.vehicles:
        return []
    hub = hubs[0]
    travel = travel or TravelMatrix.build(s)
    busy = {o.site_id for o in s.orders} | {p.site_id for p in s.parcels}
    h = travel.index(hub.site_id)
    out = []
    for x in s.sites:
        if x.kind == "hub" or x.site_id not in busy:
            continue
        i = travel.index(x.site_id)
        ok = False
        for v in s.vehicles:
            start = max(v.shift_start, hub.open_time) + travel.minutes[h, i]
            begin = max(start, x.open_time)
            back = begin + x.service_min + travel.minutes[i, h]
            if begin + x.service_min <= x.close_time and back <= min(v.shift_end, hub.close_time):
                ok = True
                break
        if not ok:
            out.append(
                _p(
                    "sites.csv",
                    x,
                    "close_time",
                    f"opening hours {clock(x.open_time)}-{clock(x.close_time)} can never be met: "
                    f"no truck shift reaches it ({travel.minutes[h, i]:.0f} min from the hub), "
                    f"serves it ({x.service_min:g} min) and returns in time",
                    clock(x.close_time),
                )
            )
    return out


def check_chilled_without_reefer(s: Scenario) -> list[Problem]:
    """Warn when chilled orders exist but no truck has reefer capacity (they may go unserved)."""
    if any(v.reefer_capacity_kg > 0 for v in s.vehicles):
        return []
    terms = all_order_terms(s)
    return [
        _p(
            "orders.csv",
            o,
            "product_id",
            "must ride cold (a chilled product, or pre-cooled at its village point) but no vehicle "
            "has reefer capacity: it can only be served within its hours allowed out of the cold",
            o.product_id,
            "warning",
        )
        for o in s.orders
        if o.order_id in terms and terms[o.order_id].chilled
    ]


def check_far_sites(s: Scenario) -> list[Problem]:
    """Warn about a site implausibly far from the hub (latitude and longitude swapped?)."""
    hubs = [x for x in s.sites if x.kind == "hub"]
    if len(hubs) != 1:
        return []
    out = []
    for x in s.sites:
        d = haversine_km(hubs[0], x)
        if d > FAR_KM:
            out.append(
                _p(
                    "sites.csv",
                    x,
                    None,
                    f"{d:,.0f} km from the hub: check the coordinates (mistyped, or lat and lon swapped?)",
                    f"{x.lat}, {x.lon}",
                    "warning",
                )
            )
    return out


CHECKS: tuple[Callable[[Scenario], list[Problem]], ...] = (
    check_duplicate_ids,
    check_one_hub,
    check_parent_towns,
    check_references,
    check_nothing_at_hub,
    check_ready_times,
    check_chilled_without_reefer,
    check_far_sites,
)


# The rules about an order that need only the scenario's sites and products (not its day):
# what an orders file submitted on its own must pass (``coldchain.scenario.read.read_orders``).
ORDER_CHECKS: tuple[Callable[[Scenario], list[Problem]], ...] = (
    check_duplicate_ids,
    check_references,
    check_nothing_at_hub,
)


_LAST_CHECK: list = [None, ()]  # (scenario, problems) of the last call: a scenario is immutable


def check_scenario(s: Scenario) -> list[Problem]:
    """Run every cross-record rule; the hours rule only when the references are sound. (The
    answer for the last scenario checked is remembered: reading a scenario checks it, and the
    CLI asks again for its warnings.)"""
    last, found = _LAST_CHECK
    if last is s:
        return list(found)
    out = [p for check in CHECKS for p in check(s)]
    if not any(p.severity == "error" for p in out):
        out += check_reachable_hours(s)
    _LAST_CHECK[:] = [s, tuple(out)]
    return out
