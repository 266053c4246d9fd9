"""The independent checker: recompute every rule of a written plan from its files and the scenario.

``check_folder(scenario, folder)`` reads a plan folder (`coldchain.check.read`: ``routes.csv``,
``orders.csv``, ``deliveries.csv``, ``kpis.json``) and returns every `Violation` found; an
empty list means the plan keeps every rule. ``coldchain check SCENARIO DIR`` runs it (exit 5
on violations). It depends only on the scenario package (domain, travel, freshness, clock
times) and the standard library: never on the model, the solver, the planner or the route
evaluator, so a bug there cannot hide itself here.

The rules, one function each with a stable name, live in one module per family: ``read``
(the files themselves), ``routes`` (shape of each run), ``trips`` (a truck's runs one after
another, reloading between them), ``legs`` (km and driving time),
``times`` (shift, opening hours, service, clock texts), ``loads`` (per compartment, at every
point), ``parcels`` and ``deliveries`` (every parcel delivered once, the same way in both
tables), ``orders`` (every order once, served properly or explained) and ``reasons`` (an
unserved order's code is true where the checker can tell), ``freshness``
(deadline, time out of the cold) and ``kpis`` (every figure of ``kpis.json`` recomputed).
`RULE_NAMES` lists them all.
"""

from __future__ import annotations

from pathlib import Path

from coldchain.check import (  # noqa: F401 (register)
    freshness,
    kpis,
    legs,
    loads,
    orders,
    parcels,
    reasons,
    routes,
    times,
    trips,
)
from coldchain.check.context import Context
from coldchain.check.read import DELIVERIES_FILE, KPIS_FILE, ORDERS_FILE, ROUTES_FILE, WrittenPlan, read_plan_folder
from coldchain.check.rules import RULES, run_rules
from coldchain.check.violation import Violation
from coldchain.scenario.domain import Scenario

READ_RULES = (
    "read.missing_file",
    "read.unreadable",
    "read.truncated",
    "read.header",
    "read.missing_column",
    "read.row_shape",
    "read.not_a_number",
    "read.not_whole",
)
FAMILIES = ("routes", "trips", "legs", "times", "loads", "parcels", "deliveries", "orders", "freshness", "kpis")
# run (and list) the rules family by family, in the order a reader follows a plan
_ordered = sorted(RULES.items(), key=lambda item: FAMILIES.index(item[0].split(".")[0]))
RULES.clear()
RULES.update(_ordered)

PLAN_FILES = (ROUTES_FILE, ORDERS_FILE, DELIVERIES_FILE, KPIS_FILE)
RULE_NAMES: tuple[str, ...] = (*READ_RULES, *RULES, "check.rule_failed")

__all__ = ["PLAN_FILES", "RULE_NAMES", "Violation", "WrittenPlan", "check_folder", "check_plan", "read_plan_folder"]


def check_plan(scenario: Scenario, plan: WrittenPlan) -> list[Violation]:
    """Every violation in a written plan (what reading found, then every rule's findings)."""
    return [*plan.problems, *run_rules(Context(scenario, plan))]


def check_folder(scenario: Scenario, folder: str | Path) -> list[Violation]:
    """Read a plan folder and check it against ``scenario`` (empty list: the plan is sound)."""
    return check_plan(scenario, read_plan_folder(folder))
