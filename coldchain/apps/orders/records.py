"""The order book's records: what the `Book` API takes and returns (plain dataclasses, no I/O).

States of an order and the events that move it::

    submitted -> open --amended--> open
                 open --planned--> planned --collected--> collected
                 open --not_planned--> open        (unserved today: carried over, with the reason)
                 open --expired--> expired         (its freshness window closed before the day began)
                 open|planned --cancelled--> cancelled
                 planned --reopened--> open        (the truck did not collect it)

Every event is a row of the append-only history, with who (``actor``) and when (``at``, UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from coldchain.errors import ColdchainError, Problem

State = Literal["open", "planned", "collected", "expired", "cancelled"]
STATES: tuple[str, ...] = ("open", "planned", "collected", "expired", "cancelled")


class BookError(ColdchainError):
    """The book file cannot be used (not a coldchain book, newer, corrupt) or a change is refused."""


class ConflictError(BookError):
    """A change was refused because the order is not in the state (or version) it expected."""


@dataclass(frozen=True)
class BookOrder:
    """One order as the book holds it: the shipper's record, its state and where it is planned."""

    order_id: str
    shipper: str
    site_id: str
    product_id: str
    quantity_kg: float
    ready_at: datetime
    must_serve: bool
    state: str
    version: int
    reason: str = ""  # why it is expired / cancelled / was last left unserved
    plan_id: int | None = None
    plan_day: date | None = None
    vehicle_id: str | None = None
    stop_seq: int | None = None
    pickup_min: float | None = None  # planned start of service at the village, minutes from plan_day 00:00
    hub_arrival_min: float | None = None
    submitted_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Event:
    """One row of an order's history."""

    seq: int
    order_id: str
    kind: str  # submitted, amended, planned, not_planned, expired, cancelled, collected, reopened
    actor: str
    at: str  # ISO 8601 UTC
    details: dict = field(default_factory=dict)
    plan_id: int | None = None
    submission_id: int | None = None


@dataclass(frozen=True)
class SubmitResult:
    """What a submission (or an amendment file) did.

    ``accepted`` is False when any row has a problem or a conflict: then nothing changed.
    ``problems`` are located ``file:line:column: message (got value)`` records, conflicts included.
    """

    accepted: bool
    file_sha256: str
    duplicate_file: bool = False  # the same bytes were accepted before: nothing to do
    submission_id: int | None = None
    added: tuple[str, ...] = ()
    amended: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Assignment:
    """One order a plan serves: the truck, its stop number and the planned times."""

    order_id: str
    vehicle_id: str
    stop_seq: int
    arrival_min: float  # truck reaches the village (minutes from the plan day's 00:00)
    pickup_min: float  # service (loading) starts
    hub_arrival_min: float  # back at the cold store


@dataclass(frozen=True)
class DayPlan:
    """What committing a plan for ``day`` does to the book (built by ``coldchain.apps.orders.day``).

    ``versions`` are the order versions the plan was made from: the commit is refused when any of
    them changed since (an amendment or a cancellation came in while planning).
    """

    day: date
    assigned: tuple[Assignment, ...]
    unserved: tuple[tuple[str, str], ...]  # (order_id, reason): stays open
    expired: tuple[tuple[str, str], ...]  # (order_id, reason): window closed before the day
    versions: dict[str, int]
    scenario_name: str = ""
    cost_cny: float | None = None


@dataclass(frozen=True)
class CommitResult:
    """The outcome of ``Book.commit_plan``."""

    plan_id: int
    already_committed: bool
    planned: tuple[str, ...]
    carried_over: tuple[str, ...]
    expired: tuple[str, ...]
    shippers: tuple[str, ...]  # one pickup notice each


@dataclass(frozen=True)
class NoticeRow:
    """One line of a shipper's pickup notice."""

    order_id: str
    site_id: str
    product_id: str
    quantity_kg: float
    outcome: str  # "collected by truck", "not collected today", "expired"
    vehicle_id: str = ""
    window_from: str = ""  # HH:MM: be ready from
    window_to: str = ""  # HH:MM: the truck should have reached the village by
    reason: str = ""


ROLES: tuple[str, ...] = ("shipper", "admin")


@dataclass(frozen=True)
class Token:
    """A web sign-in token as the book keeps it (its secret is never stored: only its SHA-256).

    ``name`` is the shipper for role ``shipper`` (who then sees and changes only that shipper's
    orders) or the dispatcher's name for role ``admin``.
    """

    token_id: int
    name: str
    role: str
    created_by: str
    created_at: str
    revoked_at: str | None = None
    fingerprint: str = ""  # the first 8 hex digits of the hash, to tell tokens apart in a list

    @property
    def active(self) -> bool:
        return self.revoked_at is None
