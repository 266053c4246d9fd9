"""Pickup notices: after a committed plan, one CSV per shipper saying what happens to its orders.

A notice lists every order of the shipper that the plan considered: collected by which truck,
and the window in which to have it ready at the village point (the planned arrival of the truck
minus and plus `WINDOW_SLACK_MIN`, as the plan's times are estimates); or not collected today
and why (it stays open and is planned again); or expired, and why.

The rows are rebuilt from the plan's events in the book, so a notice can be written again at any
time (``coldchain orders notices``) and says what the plan said even after the orders moved on.
Commit queues the notices in the book (an outbox); each is stamped ``written_at`` once its file
is in place, so a crash between the two writes it again (at least once, never lost).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from coldchain.apps.orders.book import Book
from coldchain.apps.orders.records import BookError, NoticeRow
from coldchain.output.atomic import csv_rows, write_text_atomic
from coldchain.scenario.timefmt import clock

WINDOW_SLACK_MIN = 30.0
NOTICE_COLUMNS = [
    "plan_day",
    "order_id",
    "site_id",
    "product_id",
    "quantity_kg",
    "outcome",
    "vehicle_id",
    "ready_from",
    "truck_by",
    "reason",
]
COLLECTED, NOT_TODAY, EXPIRED = "collected by truck", "not collected today", "expired"


def notice_rows(book: Book, plan_id: int, shipper: str) -> list[NoticeRow]:
    """The lines of ``shipper``'s notice for committed plan ``plan_id`` (empty if none concern it)."""
    rows = []
    for e in book.plan_events(plan_id):
        o = book.get(e.order_id)
        if o is None or o.shipper != shipper:
            continue
        common = {
            "order_id": o.order_id,
            "site_id": o.site_id,
            "product_id": o.product_id,
            "quantity_kg": o.quantity_kg,
        }
        if e.kind == "planned":
            arrive = e.details["arrival_min"]
            rows.append(
                NoticeRow(
                    **common,
                    outcome=COLLECTED,
                    vehicle_id=e.details["vehicle_id"],
                    window_from=clock(arrive - WINDOW_SLACK_MIN),
                    window_to=clock(arrive + WINDOW_SLACK_MIN),
                )
            )
        elif e.kind == "not_planned":
            rows.append(
                NoticeRow(**common, outcome=NOT_TODAY, reason=e.details["reason"] + "; it stays open for the next plan")
            )
        elif e.kind == "expired":
            rows.append(NoticeRow(**common, outcome=EXPIRED, reason=e.details["reason"]))
    return rows


def notice_csv(day: date | str, rows: list[NoticeRow]) -> str:
    """A notice as CSV text (UTF-8 with BOM when written, so that Excel shows the Chinese names)."""
    return csv_rows(
        NOTICE_COLUMNS,
        (
            [
                str(day),
                r.order_id,
                r.site_id,
                r.product_id,
                f"{r.quantity_kg:g}",
                r.outcome,
                r.vehicle_id,
                r.window_from,
                r.window_to,
                r.reason,
            ]
            for r in rows
        ),
    )


def notice_filename(shipper: str) -> str:
    """A file name for a shipper's notice: its name with anything but letters, digits, ``.-_`` as ``_``."""
    return re.sub(r"[^\w.-]", "_", shipper).strip(".") + ".csv"


def write_notices(book: Book, plan_id: int, out_dir: str | Path) -> list[Path]:
    """Write every notice of committed plan ``plan_id`` into ``out_dir`` and stamp it written."""
    plans = {p["plan_id"]: p for p in book.plans()}
    if plan_id not in plans:
        raise BookError(f"no committed plan {plan_id} in the book")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BookError(f"{out}: cannot create the notices folder ({exc.strerror})") from None
    written = []
    for shipper in book.notice_shippers(plan_id):
        path = out / notice_filename(shipper)
        try:
            write_text_atomic(path, "\ufeff" + notice_csv(plans[plan_id]["day"], notice_rows(book, plan_id, shipper)))
        except OSError as exc:
            raise BookError(f"{path}: cannot write the notice ({exc.strerror})") from None
        book.mark_notice_written(plan_id, shipper)
        written.append(path)
    return written
