"""Why an order is left unserved: a stable code for programs and a sentence for people.

A `Reason` *is* the sentence (a ``str``, so every table and summary that printed the reason
keeps doing so) and carries its ``code`` from `REASON_CODES`. The codes are part of the output
formats (``orders.csv`` column ``reason_code``, ``plan.json``'s ``unassigned[].code``): they
are never renamed, only added to.

Imports nothing, so `coldchain.core.instance` (exclusions before the solve) and
`coldchain.core.explain` (after it) share it without a cycle.
"""

from __future__ import annotations

REASON_CODES: dict[str, str] = {
    # no truck can serve it even alone (decided before planning)
    "too_heavy": "larger than any truck's payload",
    "ready_after_close": "ready only after the last possible pickup at its point",
    "no_shift": "no truck's shift can fetch it after it is ready and bring it back",
    "deadline": "no truck can bring it to the cold store before its freshness deadline",
    "no_reefer_room": "it must ride cold and no truck that could fetch it has reefer space for it",
    "too_many_orders": "the day has more pickup orders than a plan considers; more valuable ones were planned",
    # every truck tried against the final plan
    "no_room": "every truck that could take it is full",
    "hours": "no truck can be at its point within opening hours after it is ready",
    "shift": "no truck has enough of its shift left to fetch it",
    "not_worth": "the cheapest way to serve it costs more than the produce is worth",
    "search_stopped": "it fits for less than its value, but the search stopped before finding that plan",
    "line_limits": "it fits, but outside the limits of every fixed line (pickup stops, detour)",
    "no_truck": "no truck can serve its point today",
    "unexplained": "left out by a plan given from outside (no explanation computed)",
}


class Reason(str):
    """An unserved order's reason: the text itself, with a stable ``code`` (see `REASON_CODES`)."""

    code: str

    def __new__(cls, text: str, code: str) -> Reason:
        if code not in REASON_CODES:
            raise ValueError(f"unknown reason code {code!r}")
        obj = super().__new__(cls, text)
        obj.code = code
        return obj

    def __getnewargs__(self) -> tuple[str, str]:  # pickling (Dask sweeps ship plans between processes)
        return (str(self), self.code)


def reason_code(reason: str) -> str:
    """The code of a reason; ``unexplained`` for a plain string (a plan built from outside)."""
    return getattr(reason, "code", "unexplained")
