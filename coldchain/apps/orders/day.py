"""From the book to a day's plan and back: which open orders a day can plan, and what a plan did.

``day_orders(book, scenario, day)`` splits the book's open orders by the scenario's own
ready-time rule (``coldchain.scenario.checks.check_ready_times``, the rule ``validate`` applies to
``orders.csv``), with the scenario's date set to ``day``:

* ready after ``day`` ends: left open for a later day (not planned today);
* freshness window closed before ``day`` began: to expire, with the rule's message as reason;
* every other open order: planned today, in a scenario whose ``orders`` are these orders
  (``Scenario.replace``); the folder's ``orders.csv`` is not used.

``day_plan(orders, plan)`` turns a `Plan` of that scenario into the `DayPlan` that
``Book.commit_plan`` records: each served order's truck, stop and times; each unserved order's
reason (it stays open: carried over to the next day's plan); the expired ones: those sorted out
above, and the unserved ones whose window closes before the next day begins (the same rule on
the next day's date), with the plan's reason and the rule's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from coldchain.apps.orders.book import Book, as_scenario_order
from coldchain.apps.orders.records import Assignment, BookError, BookOrder, DayPlan
from coldchain.errors import InputError, Problem
from coldchain.scenario.checks import check_ready_times, check_scenario
from coldchain.scenario.domain import Scenario

BOOK_FILE = "order book"  # the "file" of a problem found in the book's orders


@dataclass(frozen=True)
class DayOrders:
    """The book's open orders sorted for one planning day (see the module docstring)."""

    day: date
    scenario: Scenario  # the scenario with the day's date and the plannable orders
    orders: tuple[BookOrder, ...]  # planned today, in the order of ``scenario.orders``
    expired: tuple[tuple[BookOrder, str], ...]
    later: tuple[BookOrder, ...]

    @property
    def versions(self) -> dict[str, int]:
        return {o.order_id: o.version for o in (*self.orders, *(e for e, _ in self.expired))}


def day_orders(book: Book, scenario: Scenario, day: date | None = None) -> DayOrders:
    """Sort the book's open orders for ``day`` (default: the scenario's date).

    Raises
    ------
    InputError
        When the day's scenario breaks a rule with the book's orders in it (a site or product an
        order names was removed from the scenario since it was submitted, say): every problem,
        located as ``order book:ORDER_ID:column``.
    """
    day = day or scenario.settings.date
    settings = scenario.settings.model_copy(update={"date": day})
    open_orders = book.list(status="open")
    trial = scenario.replace(
        settings=settings, orders=tuple(as_scenario_order(o, line=k) for k, o in enumerate(open_orders))
    )
    verdict = {p.line: p for p in check_ready_times(trial) if p.file == "orders.csv"}
    expired, later, keep = [], [], []
    for k, o in enumerate(open_orders):
        p = verdict.get(k)
        if p is None:
            keep.append(o)
        elif o.ready_at.date() > day:
            later.append(o)
        else:
            expired.append((o, p.message))
    planned = scenario.replace(
        settings=settings, orders=tuple(as_scenario_order(o, line=k) for k, o in enumerate(keep))
    )
    errors = [p for p in check_scenario(planned) if p.severity == "error"]
    if errors:
        raise InputError([_in_book(p, keep) for p in errors])
    return DayOrders(day, planned, tuple(keep), tuple(expired), tuple(later))


def _in_book(p: Problem, orders: list[BookOrder]) -> Problem:
    """Re-locate a problem the rules found on the day's orders as ``order book:ORDER_ID``."""
    if p.file != "orders.csv" or p.line is None:
        return p
    return Problem(BOOK_FILE, None, p.column, f"order {orders[p.line].order_id}: {p.message}", p.got)


def day_plan(orders: DayOrders, plan) -> DayPlan:
    """What ``plan`` (a `coldchain.Plan` of ``orders.scenario``) does to the book.

    Raises `BookError` when the plan has no routes (infeasible, or nothing found in time).
    """
    if not plan.has_routes:
        raise BookError("the plan has no routes (infeasible or not solved in time): nothing to commit")
    ids = [o.order_id for o in plan.scenario.orders]
    if ids != [o.order_id for o in orders.orders]:
        raise BookError("the plan is not of this day's orders (plan the scenario `day_orders` returned)")
    assigned: dict[str, Assignment] = {}
    for r in plan.routes:
        for p, node in enumerate(r.seq):
            for o in r.picks.get(node, []):
                assigned[ids[o]] = Assignment(
                    order_id=ids[o],
                    vehicle_id=r.vehicle_id,
                    stop_seq=p + 1,
                    arrival_min=float(r.ev.arrive[p]),
                    pickup_min=float(r.ev.start[p]),
                    hub_arrival_min=float(r.ev.ret),
                )
    left = [k for k, oid in enumerate(ids) if oid not in assigned]
    # an unserved order whose window closes before the next day begins cannot wait for it: the
    # ready-time rule applied to the next day says which (and its message is the reason)
    settings = orders.scenario.settings.model_copy(update={"date": orders.day + timedelta(days=1)})
    tomorrow = orders.scenario.replace(
        settings=settings, orders=tuple(orders.scenario.orders[k].model_copy(update={"line": k}) for k in left)
    )
    closing = {p.line: p.message for p in check_ready_times(tomorrow) if p.file == "orders.csv"}
    unserved, expired = [], [(o.order_id, why) for o, why in orders.expired]
    for k in left:
        why = plan.unserved.get(k) or "not planned"
        if k in closing:
            expired.append((ids[k], f"not collected on {orders.day}: {why}; {closing[k]}"))
        else:
            unserved.append((ids[k], why))
    return DayPlan(
        day=orders.day,
        assigned=tuple(assigned[oid] for oid in ids if oid in assigned),
        unserved=tuple(unserved),
        expired=tuple(expired),
        versions=orders.versions,
        scenario_name=orders.scenario.settings.name,
        cost_cny=float(plan.cost),
    )
