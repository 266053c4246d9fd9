"""``coldchain orders ...`` and the ``coldchain plan --from-book`` path: a thin layer over `Book`.

The book is ``SCENARIO/orders.db`` (``--scenario``, default the current folder) unless
``--book PATH`` says otherwise; ``COLDCHAIN_SCENARIO`` and ``COLDCHAIN_BOOK`` set the defaults.
Exit codes as ``coldchain``'s: 0 ok, 1 invalid input, a refused change or an unusable book,
2 usage.
"""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from coldchain.apps.orders.book import Book
from coldchain.apps.orders.commit import PlanRejected, commit_written_plan, refusal
from coldchain.apps.orders.day import DayOrders, day_orders
from coldchain.apps.orders.notices import write_notices
from coldchain.apps.orders.records import STATES, BookError, SubmitResult
from coldchain.scenario.timefmt import clock

BOOK_NAME = "orders.db"

orders_app = typer.Typer(
    help="The order book: shippers submit pickup orders as CSV files; nothing is lost or doubled.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

ScenarioOpt = Annotated[
    Path,
    typer.Option("--scenario", "-s", envvar="COLDCHAIN_SCENARIO", help="Scenario folder (its sites and products)."),
]
BookOpt = Annotated[
    Path | None,
    typer.Option("--book", envvar="COLDCHAIN_BOOK", help="Order book file (default: SCENARIO/orders.db)."),
]
ByOpt = Annotated[str | None, typer.Option("--by", help="Who makes the change (recorded in the history).")]


def _main():
    import coldchain.cli as main_cli  # the shared error and scenario helpers (imports this module)

    return main_cli


def book_path(scenario: Path, book: Path | None) -> Path:
    """The book's file: ``--book``, else ``orders.db`` in the scenario folder."""
    return book if book is not None else scenario / BOOK_NAME


def open_book(path: Path, create: bool = False) -> Book:
    """Open the book, turning a refusal into ``Error: ...`` and exit 1."""
    try:
        return Book(path, create=create)
    except BookError as exc:
        raise _main().fail(str(exc), _main().EXIT_INPUT) from None


def _wide(console: Console) -> Console:
    """The screen's console, or one 160 columns wide when the output is a file or a pipe."""
    if console.is_terminal:
        return console
    return Console(file=console.file, width=160, highlight=False, emoji=False)


def _user(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def parse_day(text: str | None) -> date | None:
    """``--date YYYY-MM-DD`` (exit 2 on anything else)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _main().fail(f"--date: expected a date as YYYY-MM-DD (got {text})", _main().EXIT_USAGE) from None


def _report(result: SubmitResult, verb: str) -> None:
    m = _main()
    if not result.accepted:
        lines = [str(p) for p in result.problems]
        lines.append(f"nothing was {verb}: fix the rows above and send the file again")
        raise m.fail("\n".join(lines), m.EXIT_INPUT)
    if result.duplicate_file:
        m.out.print(
            f"This file was already submitted (submission {result.submission_id}): nothing added.", markup=False
        )
        return
    changed = result.added if verb == "added" else result.amended
    text = f"{verb.capitalize()} {len(changed)} order(s)"
    if changed:
        shown = ", ".join(changed[:20]) + (f" and {len(changed) - 20} more" if len(changed) > 20 else "")
        text += f": {shown}"
    if result.unchanged:
        text += f"; {len(result.unchanged)} already in the book unchanged"
    m.out.print(text + ".", markup=False)


@orders_app.command()
def submit(
    file: Annotated[Path, typer.Argument(help="CSV file with orders.csv's columns.")],
    shipper: Annotated[str | None, typer.Option("--shipper", help="Every row must be this shipper's.")] = None,
    scenario: ScenarioOpt = Path("."),
    book: BookOpt = None,
    by: ByOpt = None,
) -> None:
    """Add a file of pickup orders: all rows or none; the same file or order again adds nothing."""
    s = _main().load(scenario)
    with open_book(book_path(scenario, book), create=True) as b:
        _report(b.submit(s, file, shipper, actor=by or shipper), "added")


@orders_app.command()
def amend(
    file: Annotated[Path, typer.Argument(help="CSV file: rows replacing open orders with the same order_id.")],
    shipper: Annotated[str | None, typer.Option("--shipper", help="Every row must be this shipper's.")] = None,
    scenario: ScenarioOpt = Path("."),
    book: BookOpt = None,
    by: ByOpt = None,
) -> None:
    """Change open orders already in the book (all rows or none; each change is in the history)."""
    s = _main().load(scenario)
    with open_book(book_path(scenario, book)) as b:
        _report(b.amend(s, file, shipper, actor=by or shipper), "amended")


def _move(action: str, order_id: str, scenario: Path, book: Path | None, by: str | None, reason: str = "") -> None:
    m = _main()
    with open_book(book_path(scenario, book)) as b:
        try:
            if action == "cancel":
                o = b.cancel(order_id, _user(by), reason)
            elif action == "collect":
                o = b.collect(order_id, _user(by))
            else:
                o = b.reopen(order_id, _user(by), reason)
        except BookError as exc:
            raise m.fail(str(exc), m.EXIT_INPUT) from None
    m.out.print(f"Order {o.order_id} is now {o.state}.", markup=False)


@orders_app.command()
def cancel(
    order_id: Annotated[str, typer.Argument(help="The order to cancel.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history).")] = "",
    scenario: ScenarioOpt = Path("."),
    book: BookOpt = None,
    by: ByOpt = None,
) -> None:
    """Cancel an open or planned order."""
    _move("cancel", order_id, scenario, book, by, reason)


@orders_app.command()
def collect(
    order_id: Annotated[str, typer.Argument(help="The planned order the truck collected.")],
    scenario: ScenarioOpt = Path("."),
    book: BookOpt = None,
    by: ByOpt = None,
) -> None:
    """Record that the truck collected a planned order."""
    _move("collect", order_id, scenario, book, by)


@orders_app.command()
def reopen(
    order_id: Annotated[str, typer.Argument(help="The planned order the truck did not collect.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history).")] = "",
    scenario: ScenarioOpt = Path("."),
    book: BookOpt = None,
    by: ByOpt = None,
) -> None:
    """Put a planned order back among the open ones (it is planned again next time)."""
    _move("reopen", order_id, scenario, book, by, reason)


LIST_COLUMNS = [
    "order_id", "shipper", "site_id", "product_id", "quantity_kg", "ready_at", "state", "plan_day", "vehicle_id",
    "pickup", "reason",
]  # fmt: skip


@orders_app.command("list")
def list_orders(
    status: Annotated[str | None, typer.Option("--status", help=f"One of: {', '.join(STATES)}.")] = None,
    shipper: Annotated[str | None, typer.Option("--shipper", help="Only this shipper's orders.")] = None,
    day: Annotated[str | None, typer.Option("--date", help="Orders ready on, or planned for, YYYY-MM-DD.")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on standard output instead of a table.")] = False,
    scenario: ScenarioOpt = Path("."),
    book: BookOpt = None,
) -> None:
    """The book's orders with their state, truck and planned pickup time."""
    m = _main()
    if status is not None and status not in STATES:
        raise m.fail(f"unknown status {status!r}; choose one of: {', '.join(STATES)}", m.EXIT_USAGE)
    when = parse_day(day)
    with open_book(book_path(scenario, book)) as b:
        orders = b.list(status=status, shipper=shipper, day=when)
    rows = [
        [o.order_id, o.shipper, o.site_id, o.product_id, f"{o.quantity_kg:g}", o.ready_at.strftime("%Y-%m-%d %H:%M"),
         o.state, str(o.plan_day or ""), o.vehicle_id or "", "" if o.pickup_min is None else clock(o.pickup_min),
         o.reason]
        for o in orders
    ]  # fmt: skip
    if as_csv:
        from coldchain.output.atomic import csv_rows

        print(csv_rows(LIST_COLUMNS, rows), end="")
        return
    table = Table(title=f"{len(rows)} order(s)", title_justify="left")
    for col in LIST_COLUMNS:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*r)
    _wide(m.out).print(table)


def _detail(key: str, value: object) -> str:
    if key == "changes" and isinstance(value, dict):
        return ", ".join(f"{f} {_num(b)} -> {_num(a)}" for f, (b, a) in value.items())
    if key.endswith("_min") and isinstance(value, float):
        return f"{key[:-4]}: {clock(value)}"
    return f"{key}: {_num(value)}"


def _num(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else str(value)


@orders_app.command()
def history(
    order_id: Annotated[str, typer.Argument(help="The order.")],
    scenario: ScenarioOpt = Path("."),
    book: BookOpt = None,
) -> None:
    """Every change of one order: what, who and when (UTC)."""
    m = _main()
    with open_book(book_path(scenario, book)) as b:
        events = b.history(order_id)
    if not events:
        raise m.fail(f"no order {order_id!r} in the book", m.EXIT_INPUT)
    table = Table(title=f"History of order {order_id}", title_justify="left")
    for col in ("#", "when (UTC)", "event", "by", "details"):
        table.add_column(col, overflow="fold")
    for e in events:
        details = "; ".join(_detail(k, v) for k, v in e.details.items() if v not in (None, ""))
        if e.plan_id is not None:
            details = f"plan {e.plan_id}; {details}"
        table.add_row(str(e.seq), e.at, e.kind, e.actor, details)
    _wide(m.out).print(table)


@orders_app.command()
def notices(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for one CSV per shipper.")],
    plan_id: Annotated[int | None, typer.Option("--plan", help="Committed plan id (default: the latest).")] = None,
    scenario: ScenarioOpt = Path("."),
    book: BookOpt = None,
) -> None:
    """(Re)write the pickup notices of a committed plan: one CSV per shipper."""
    m = _main()
    with open_book(book_path(scenario, book)) as b:
        plans = b.plans()
        if not plans:
            raise m.fail("no plan has been committed to this book yet", m.EXIT_INPUT)
        pid = plan_id if plan_id is not None else plans[0]["plan_id"]
        try:
            written = write_notices(b, pid, out_dir)
        except BookError as exc:
            raise m.fail(str(exc), m.EXIT_INPUT) from None
    m.out.print(f"Wrote {len(written)} pickup notice(s) of plan {pid} to {out_dir}/")


# -- coldchain plan --from-book -----------------------------------------------------------------
class BookRun:
    """The ``--from-book`` part of ``coldchain plan``: the day's orders in, the commit out."""

    def __init__(self, book: Book, orders: DayOrders) -> None:
        self.book = book
        self.orders = orders

    @classmethod
    def start(cls, scenario_dir: Path, scenario, book: Path | None, day: date | None, commit: bool = False) -> BookRun:
        """Open the book and sort its open orders for ``day``; prints what goes into the plan.

        With ``commit``, a day that already has a committed plan is refused before planning.
        """
        from coldchain.errors import InputError

        m = _main()
        b = open_book(book_path(scenario_dir, book))
        text = refusal(b, day or scenario.settings.date)
        if text is not None:
            if commit:
                b.close()
                raise m.fail(text + "; plan the next day with --date", m.EXIT_INPUT)
            m.err.print(f"Warning: {text}", markup=False)
        try:
            orders = day_orders(b, scenario, day)
        except InputError as exc:
            b.close()
            raise m.fail("\n".join(str(p) for p in exc.problems), m.EXIT_INPUT) from None
        m.err.print(
            f"Order book {b.path}: {len(orders.orders)} open order(s) planned for {orders.day}, "
            f"{len(orders.expired)} past their freshness window, {len(orders.later)} ready on a later day",
            markup=False,
        )
        return cls(b, orders)

    def finish(self, plan, out_dir: Path, commit: bool, by: str | None = None) -> None:
        """After the plan is written: commit it (checked first) and write the notices, or say how."""
        m = _main()
        try:
            if not commit:
                for o, why in self.orders.expired:
                    m.out.print(f"Would expire {o.order_id}: {why}", markup=False)
                m.out.print(
                    "Not committed: run again with --commit to mark these orders planned and write the notices."
                )
                return
            try:
                result, written = commit_written_plan(self.book, self.orders, plan, out_dir, _user(by))
            except PlanRejected as exc:
                for p in exc.problems:
                    m.err.print(f"Error: {p}", markup=False)
                raise m.fail(str(exc), m.EXIT_CHECK) from None
            except BookError as exc:
                raise m.fail(str(exc), m.EXIT_INPUT) from None
            again = " (this plan was already committed)" if result.already_committed else ""
            m.out.print(
                f"Committed plan {result.plan_id} for {self.orders.day}{again}: {len(result.planned)} order(s) "
                f"planned, {len(result.carried_over)} left open for the next plan, {len(result.expired)} expired; "
                f"{len(written)} pickup notice(s) in {out_dir / 'notices'}/",
                markup=False,
            )
        finally:
            self.book.close()
