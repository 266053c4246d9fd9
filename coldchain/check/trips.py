"""Rules across the runs of one truck: multiple trips (``[rules] multiple_trips``).

With the rule, a truck's runs in ``routes.csv`` are its trips, numbered 1, 2, ... in the
``trip`` column (same ``vehicle_id``); each is checked like any run by the other families. Across
them: trip n+1 leaves the hub after trip n is back (never two runs of one truck at once), and
at least ``reload_min`` minutes later (unloading the produce, loading the next parcels). Every
trip keeps the truck's shift (``times.*``), so the whole day does; the fixed cost is counted
once a truck and the driver paid from the first departure to the last return (``kpis.*``).
Without the rule a truck has one run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from coldchain.check.context import TOL_MIN, Context
from coldchain.check.rules import at, rule
from coldchain.check.violation import Finding
from coldchain.scenario.timefmt import clock


def _trips(ctx: Context) -> dict[str, dict[int, list]]:
    """Per vehicle id, its runs' rows by trip number (1 where the column is absent or empty)."""
    out: dict[str, dict[int, list]] = defaultdict(dict)
    for rows in ctx.by_vehicle.values():
        out[rows[0]["vehicle_id"]][rows[0].get("trip") or 1] = rows
    return out


@rule("trips.allowed")
def allowed(ctx: Context) -> Iterator[Finding]:
    """Without ``[rules] multiple_trips`` a truck makes one trip (trip 1 where the column is given)."""
    if ctx.scenario.settings.rules.multiple_trips:
        return
    for vid, trips in _trips(ctx).items():
        for n, rows in sorted(trips.items()):
            if n != 1:
                yield at(
                    rows[0],
                    "trip",
                    f"truck {vid} makes trip {n}, but multiple trips are not allowed "
                    "(scenario.toml [rules] multiple_trips = false)",
                )


@rule("trips.numbering")
def numbering(ctx: Context) -> Iterator[Finding]:
    """A truck's trips are numbered 1, 2, ..., m, with no number missing."""
    for vid, trips in _trips(ctx).items():
        if sorted(trips) != list(range(1, len(trips) + 1)):
            first = trips[min(trips)][0]
            yield at(first, "trip", f"truck {vid}'s trips must be numbered 1..{len(trips)} (got {sorted(trips)})")


def _pairs(ctx: Context):
    """(vehicle id, trip n, trip n+1) of each truck's sound consecutive runs with known times."""
    for vid, runs in ctx.runs_of().items():
        for a, b in zip(runs, runs[1:]):
            if a.ret is not None and b.depart is not None:
                yield vid, a, b


@rule("trips.overlap")
def overlap(ctx: Context) -> Iterator[Finding]:
    """A truck's next trip leaves the hub after its previous trip is back: never two runs at once."""
    for vid, a, b in _pairs(ctx):
        if b.depart < a.ret - TOL_MIN:
            yield at(
                b.rows[0],
                "departure_min",
                f"truck {vid} leaves for {b.key} at {clock(b.depart)}, before {a.key} is back at {clock(a.ret)}",
            )


@rule("trips.reload")
def reload(ctx: Context) -> Iterator[Finding]:
    """A truck's next trip leaves at least ``reload_min`` minutes after its previous trip is back."""
    need = ctx.scenario.settings.rules.reload_min
    for vid, a, b in _pairs(ctx):
        if a.ret - TOL_MIN <= b.depart < a.ret + need - TOL_MIN:
            yield at(
                b.rows[0],
                "departure_min",
                f"truck {vid} leaves for {b.key} at {clock(b.depart)}, {b.depart - a.ret:.1f} min after {a.key} is "
                f"back at {clock(a.ret)}; reloading takes {need} min (scenario.toml [rules] reload_min)",
            )
