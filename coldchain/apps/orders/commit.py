"""Committing a written plan to the book: one path for ``coldchain plan --from-book --commit`` and the web page.

`refusal` says, before planning, why a day cannot take a new plan (one is committed already).
`commit_written_plan` re-checks the plan written in a folder with the independent checker, records
it (``Book.commit_plan`` of ``day_plan``), and writes the pickup notices into ``FOLDER/notices``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from coldchain.apps.orders.book import Book
from coldchain.apps.orders.day import DayOrders, day_plan
from coldchain.apps.orders.notices import write_notices
from coldchain.apps.orders.records import BookError, CommitResult


class PlanRejected(BookError):
    """The written plan breaks a rule the independent checker recomputes: nothing was committed."""

    def __init__(self, problems: list) -> None:
        super().__init__("the plan breaks the rules above: nothing was committed")
        self.problems = problems


def refusal(book: Book, day: date) -> str | None:
    """Why ``day`` takes no new plan (a plan for it is committed), or None."""
    done = book.plan_of(day)
    if done is None:
        return None
    return (
        f"plan {done['plan_id']} for {done['day']} was committed by {done['actor']} at {done['at']}: "
        "its trucks are taken, and the orders it left open carry over to the next day's plan"
    )


def commit_written_plan(book: Book, orders: DayOrders, plan, folder: Path, actor: str) -> tuple[CommitResult, list]:
    """Check the plan written in ``folder``, commit it and write its notices to ``folder/notices``.

    Returns the commit's result and the notice files written.

    Raises
    ------
    PlanRejected
        When the checker finds a violation (its ``problems``); nothing is committed.
    BookError
        When the book refuses the commit (`ConflictError`: it changed while planning, or the day
        has another plan) or a notice cannot be written.
    """
    from coldchain.check import check_folder

    problems = check_folder(orders.scenario, folder)
    if problems:
        raise PlanRejected(problems)
    result = book.commit_plan(day_plan(orders, plan), actor)
    written = write_notices(book, result.plan_id, Path(folder) / "notices")
    return result, written
