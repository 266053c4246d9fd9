"""The planning methods: what each is called, what it does, which days it applies to, and how to run it.

Every method is a `Method` in ``METHODS``; ``auto`` is not a method of its own but the first of
``AUTO_ORDER`` that suits the day:

=========  ==========================================================  =====================
method     applies to                                                  auto, up to
=========  ==========================================================  =====================
routes     days whose every rule the route labels track (`routes_apply`) ``ROUTES_MAX_STOPS``
                                                                       (``COMPACT_MAX_STOPS`` with real rules)
compact    every day (with split visits: twin stops, ``model.twins``)  ``COMPACT_MAX_STOPS`` visits
search     every day (splits visits when the rules allow it)           any size
pool       every day (never splits a visit)                            never
lines      days with fixed lines (``PlanOptions.lines``)               never
=========  ==========================================================  =====================

A method that does not apply to a day falls back to its ``fallback`` with a note; without the
MIP (``PlanOptions.use_mip=False``) the search methods give the first search's plan (as
``compact`` does). This module imports no engine: a method's runner (``module:function``) is
loaded when it first plans, so the CLI builds its ``--method`` choices and help from here in no
time. To add a method: write ``run(day, options) -> Plan`` in a ``planner/`` module and add a
`Method` to ``METHODS`` (and to ``AUTO_ORDER`` if ``auto`` may choose it).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from coldchain.errors import UsageError
from coldchain.suggest import did_you_mean

if TYPE_CHECKING:
    from coldchain.core.instance import Instance
    from coldchain.core.plan import Plan, PlanOptions
    from coldchain.scenario.domain import Scenario

COMPACT_MAX_STOPS = 40  # above this, "auto" plans with the route pool (the compact MILP cannot keep up)
ROUTES_MAX_STOPS = 200  # up to this, "auto" plans days the route labels fully describe with the route method
AUTO = "auto"


def _always(inst: Instance) -> str | None:
    return None


def _stops(inst: Instance) -> int:
    return inst.n


def _visit_slots(inst: Instance) -> int:
    return inst.visit_slots


def visits_once(inst: Instance) -> str | None:
    """None unless the day allows split visits and has a site whose work two trucks could share
    (the route labels visit each site once: they cannot yet split)."""
    if inst.split_visits and any(inst.may_split(st.node) for st in inst.stops):
        return "split visits are allowed (rules.split_visits)"
    return None


def routes_apply(inst: Instance) -> str | None:
    """None when every rule of ``inst`` is one the route labels track (`coldchain.colgen.tree`,
    `coldchain.colgen.visits`: loads, reefer space, time windows, shifts, freshness deadlines,
    optional pickups with their value, the driver's paid time); otherwise the first rule that is
    not, in words: split visits, or a stop with more pickup orders than the labels enumerate
    choices for."""
    from coldchain.colgen.visits import MAX_OPTIONS, option_count

    split = visits_once(inst)
    if split is not None:
        return split
    for st in inst.stops:
        if option_count(inst, st.node) > MAX_OPTIONS:
            return f"stop {st.site_id} has too many pickup orders to choose from"
    return None


def real_rules(inst: Instance) -> str | None:
    """The first rule of ``inst`` beyond a benchmark day's, in words (None on a benchmark day):
    hourly driver pay, optional pickups, produce that must ride cold, a freshness deadline."""
    if any(t.cny_per_h > 0 for t in inst.types):
        return "drivers are paid by the hour"
    end = max(t.end_min for t in inst.types)
    for o in inst.orders:
        if o.excluded is not None:
            continue
        if not o.required:
            return "some pickup orders are optional"
        if o.chilled:
            return "some produce must ride cold"
        if o.deadline_min < end:
            return "some produce has a freshness deadline"
    return None


def _routes_auto(inst: Instance) -> str | None:
    """Why ``auto`` leaves a day to another method although the route method applies: a day with
    real rules (`real_rules`) of more than ``COMPACT_MAX_STOPS`` stops goes to the day search
    (the route method's proofs are measured on small county days only)."""
    why = real_rules(inst)
    if why is not None and inst.n > COMPACT_MAX_STOPS:
        return f"more than {COMPACT_MAX_STOPS} stops and {why}"
    return None


@dataclass(frozen=True)
class Method:
    """One planning method.

    ``run``: ``"module:function"`` of ``function(inst, options, timings, excluded, notes) -> Plan``
    on a prepared day (``prepared=True``: the instance is built and a day whose parcel stops
    cannot all be served is answered before), or ``function(day, options) -> Plan`` on the
    scenario as given (``prepared=False``). ``applies(inst)``: None, or why the method does not
    apply to the day (then ``fallback`` plans it, with a note). ``auto_max_stops``: ``auto``
    may choose the method for days of at most this many stops (None: never).
    """

    name: str
    help: str
    run: str
    applies: Callable[[Instance], str | None] = _always
    fallback: str | None = None
    auto_max_stops: int | None = None
    prepared: bool = True
    without_mip: str | None = None  # the method that plans when options.use_mip is False
    size: Callable[[Instance], int] = _stops  # what auto_max_stops counts (compact: stop visits, twins included)
    noun: str = ""  # how notes name it ("the route method"); default: the name
    auto_rule: Callable[[Instance], str | None] = _always  # why auto leaves a day it applies to (None: it may not)

    def runner(self) -> Callable[..., Plan]:
        module, function = self.run.split(":")
        return getattr(importlib.import_module(module), function)

    def suits(self, inst: Instance) -> str | None:
        """None when ``auto`` may choose this method for ``inst``; otherwise why not."""
        if self.auto_max_stops is None:
            return "auto never chooses it"
        if self.size(inst) > self.auto_max_stops:
            return f"more than {self.auto_max_stops} stops"
        return self.applies(inst) or self.auto_rule(inst)

    def plan(self, day: Scenario | Instance, options: PlanOptions | None = None) -> Plan:
        """Plan ``day`` (a scenario, or its instance already built) with this method."""
        from coldchain.core.plan import PlanOptions

        options = options or PlanOptions(method=self.name)
        if not self.prepared:
            return finish(replace(self.runner()(day, options), method=self.name))
        ready = prepare(day)
        if not isinstance(ready, tuple):
            return ready
        return finish(self._run(*ready, options))

    def _run(self, inst: Instance, timings: dict, excluded: dict, options: PlanOptions, notes=()) -> Plan:
        if not options.use_mip and self.without_mip:
            return METHODS[self.without_mip]._run(inst, timings, excluded, options)
        why = self.applies(inst) if options.use_mip else None  # without the MIP: its first search's plan
        if why is not None and self.fallback:
            note = (
                f"the {self.noun or self.name} method does not apply to this day ({why}); "
                f"planned with the {self.fallback} method"
            )
            return METHODS[self.fallback]._run(inst, timings, excluded, options, (*notes, note))
        return replace(self.runner()(inst, options, timings, excluded, tuple(notes)), method=self.name)


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "compact",
            "the full MILP (proves optimality on small days)",
            "coldchain.planner.compact:plan_compact",
            auto_max_stops=COMPACT_MAX_STOPS,
            size=_visit_slots,
        ),
        Method(
            "routes",
            "route search and branch-and-price (benchmark days, and county days with every rule: optional "
            "pickups, reefer space, freshness deadlines, drivers paid by the hour)",
            "coldchain.planner.by_routes:plan_by_routes",
            applies=routes_apply,
            auto_rule=_routes_auto,
            fallback="search",
            auto_max_stops=ROUTES_MAX_STOPS,
            without_mip="compact",
            noun="route",
        ),
        Method(
            "search",
            "the compiled route search for every rule + set partitioning, with the arc LP bound (county days)",
            "coldchain.planner.by_search:plan_by_search",
            auto_max_stops=10**9,
            without_mip="compact",
        ),
        Method(
            "pool",
            "the older Python route search + set partitioning with a lower bound",
            "coldchain.planner.by_pool:plan_by_pool",
            without_mip="compact",
        ),
        Method(
            "lines",
            "the fixed lines in the scenario's lines.csv, choosing only their pickups (seconds)",
            "coldchain.planner.lines:plan_by_lines",
            prepared=False,
        ),
    )
}
AUTO_ORDER = ("routes", "compact", "search")


def names() -> list[str]:
    """Every name ``PlanOptions.method`` accepts, ``auto`` first."""
    return [AUTO, *METHODS]


def auto_help() -> str:
    return (
        f"routes up to {ROUTES_MAX_STOPS} stops on benchmark days and up to {COMPACT_MAX_STOPS} on county days, "
        f"else compact up to {COMPACT_MAX_STOPS} stops, else search"
    )


def help_text() -> str:
    """One line per method for the CLI's ``--method`` help, in ``names()`` order."""
    return "; ".join([f"{AUTO}: {auto_help()}", *(f"{m.name}: {m.help}" for m in METHODS.values())]) + "."


def check(name: str) -> str:
    """``name`` if it names a method (or ``auto``); otherwise `UsageError` listing the choices."""
    if name != AUTO and name not in METHODS:
        hint = did_you_mean(name, names())
        raise UsageError(f"unknown method {name!r}{hint}; choose one of: {', '.join(names())}")
    return name


def choose(inst: Instance) -> Method:
    """The method ``auto`` plans ``inst`` with: the first of ``AUTO_ORDER`` that suits it."""
    for name in AUTO_ORDER:
        if METHODS[name].suits(inst) is None:
            return METHODS[name]
    return METHODS[AUTO_ORDER[-1]]


def prepare(day: Scenario | Instance) -> tuple[Instance, dict[str, float], dict[int, str]] | Plan:
    """Index the day (``timings["prepare_s"]``) and the orders excluded before planning; or, when
    a parcel stop no truck can serve or a required order that cannot be picked up makes the day
    infeasible, the infeasible `Plan` naming them."""
    from coldchain.core.instance import Instance, build_instance
    from coldchain.core.outcome import SolveStatus
    from coldchain.core.plan import Plan

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    inst = day if isinstance(day, Instance) else build_instance(day)
    timings["prepare_s"] = time.perf_counter() - t0
    excluded = {o.index: o.excluded for o in inst.orders if o.excluded is not None}

    impossible = [
        st.site_id
        for st in inst.stops
        if st.mandatory and not any(inst.drops_fit(t.index, st.node) for t in inst.types)
    ]
    impossible += [o.site_id for o in inst.orders if o.required and o.excluded is not None]
    if impossible:
        return Plan(inst, SolveStatus.INFEASIBLE, (), excluded, tuple(impossible), None, None, timings)
    return inst, timings, excluded


def plan(day: Scenario | Instance, options: PlanOptions | None = None) -> Plan:
    """Plan one day with ``options.method`` (``auto``: `choose`). Raises `UsageError` for an unknown
    method; an infeasible day is a status on the `Plan`, never an exception."""
    from coldchain.core.plan import PlanOptions

    options = options or PlanOptions()
    name = check(options.method)
    if name != AUTO:
        return METHODS[name].plan(day, options)
    ready = prepare(day)
    if not isinstance(ready, tuple):
        return ready
    inst, timings, excluded = ready
    return finish(choose(inst)._run(inst, timings, excluded, options))


def finish(result: Plan) -> Plan:
    """What every method's plan passes through: with ``[rules] multiple_trips``, its trips chained
    onto fewer trucks (`coldchain.planner.trips`); otherwise the plan as it is."""
    if not result.scenario.settings.rules.multiple_trips:
        return result
    from coldchain.planner.trips import apply

    return apply(result)
