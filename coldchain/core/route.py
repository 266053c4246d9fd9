"""A truck's day as every engine hands it on: its type, its stops in order, the orders picked
at each and the stops where it only picks up (split visits), with the exact evaluation of
`coldchain.core.evaluate` once it has one."""

from __future__ import annotations

from dataclasses import dataclass, field

from coldchain.core.evaluate import RouteEval

INFEASIBLE_ROUTE_CNY = 1e12  # what a route that breaks a rule costs: more than any plan


@dataclass
class Route:
    """One trip of a truck: its type, the stops in order and the orders picked at each. Without
    ``rules.multiple_trips`` a truck makes one trip, so a route is its whole day; with it, routes
    of the same ``vehicle_id`` are its trips in the order ``trip`` 1, 2, ...

    ``pickup_only`` holds the parcel stops of ``seq`` where this truck only picks up: another
    truck drops their parcels (a split visit, when the scenario's rules allow it). At every other
    stop of ``seq`` the truck drops the site's parcels, if it has any.
    """

    vehicle_id: str
    k: int
    seq: list[int] = field(default_factory=list)
    picks: dict[int, list[int]] = field(default_factory=dict)
    ev: RouteEval | None = None
    pickup_only: frozenset[int] = frozenset()
    trip: int = 1  # the truck's trip number (rules.multiple_trips: 2, 3, ... after reloading at the hub)

    def copy(self) -> Route:
        return Route(
            self.vehicle_id, self.k, list(self.seq), {i: list(v) for i, v in self.picks.items()}, self.ev,
            self.pickup_only, self.trip,
        )  # fmt: skip

    def drops(self, i: int) -> bool:
        """Whether at its stop ``i`` (a node of ``seq``) this truck drops the parcels, if any."""
        return i not in self.pickup_only

    @property
    def cost(self) -> float:
        """The route's cost; a route that breaks a rule costs more than any plan. Removing a stop
        or an order can break one: the reefer places are re-chosen tightest first, and a freed
        place can go to an order that then pushes another chilled order into dry space."""
        if not self.seq:
            return 0.0
        return self.ev.cost if self.ev is not None and self.ev.feasible else INFEASIBLE_ROUTE_CNY

    @property
    def driven_cost(self) -> float:
        """What the route costs as driven (fixed + km + driver), whether or not it breaks a rule:
        the figure to report for another solver's plan, which the checker then judges."""
        return self.ev.cost if self.seq and self.ev is not None else 0.0


def route_key(r: Route) -> tuple:
    """What makes two routes the same route: truck type, stops in order, orders at each."""
    return (
        r.k,
        tuple(r.seq),
        tuple((i, tuple(sorted(r.picks.get(i, ())))) for i in r.seq),
        tuple(sorted(r.pickup_only)),
    )
