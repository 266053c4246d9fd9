"""A day's plan as every engine returns it, and the options that ask for one.

`Plan` holds the routes, what happens to every order and how the plan was obtained; it imports
no solver, so the writers and the applications read it without loading the engines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coldchain.core.instance import Instance
from coldchain.core.outcome import SolveOptions, SolveOutcome, SolveStatus
from coldchain.core.route import Route
from coldchain.scenario.domain import Scenario
from coldchain.scenario.lines import Line


@dataclass(frozen=True)
class PlanOptions:
    """How hard to try, and how.

    ``method``: a name in the method registry (`coldchain.planner.registry`, which says what each
    does and where it applies): ``compact`` solves the full MILP (proves optimality on small
    days); ``routes`` runs branch-and-price over whole routes on days the route labels fully
    describe (otherwise it falls back to ``search`` with a note); ``search`` runs the compiled
    route search for every rule with set partitioning and the arc LP bound (`coldchain.search.day`;
    county days); ``pool`` is the older Python route search with set partitioning; ``lines``
    chooses the pickups of the fixed ``lines``; ``auto`` picks ``routes`` where it applies up to
    ``ROUTES_MAX_STOPS`` stops, else ``compact`` up to ``COMPACT_MAX_STOPS`` stops, else
    ``search``. An unknown name raises `UsageError`. ``heuristic_s``: seconds of
    the first route search; None: for ``compact``, and ``routes`` up to ``SEARCH_FIRST_STOPS``
    stops, 5 % of the time limit, between 0.5 and 5 s; for ``routes`` above, ``SEARCH_SHARE`` of
    it; for ``pool``, what the bound leaves of 85 %.
    """

    solve: SolveOptions = field(default_factory=SolveOptions)
    heuristic_s: float | None = None
    use_mip: bool = True
    root_cuts: bool = True
    seed: int = 0
    method: str = "auto"
    lines: tuple[Line, ...] | None = None


@dataclass(frozen=True)
class Plan:
    """A day's plan: routes per truck, what happens to every order, and how it was obtained."""

    instance: Instance
    status: SolveStatus
    routes: tuple[Route, ...]
    unserved: dict[int, str]  # order index -> reason (including orders excluded before solving)
    missed_stops: tuple[str, ...]  # parcel stops that cannot be served (infeasible days)
    outcome: SolveOutcome | None
    heuristic_cost: float | None
    timings: dict[str, float]
    notes: tuple[str, ...] = ()
    method: str | None = None  # the registry method that made it (None: routes given from outside)

    @property
    def scenario(self) -> Scenario:
        return self.instance.scenario

    @property
    def has_routes(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    @property
    def cost(self) -> float:
        """Total cost of the plan as driven, recomputed from its routes (fixed + km + driver + lost
        value, each with its objective weight: `coldchain.core.costs`). A route that breaks a rule
        (only in another solver's plan, kept by ``plan_from_routes(strict=False)``) counts what it
        costs to drive; the checker reports the rule."""
        return sum(r.driven_cost for r in self.routes) + self.instance.costs.unserved(self.unserved)
