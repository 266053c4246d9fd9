"""The order book: co-op shippers submit pickup orders as CSV files; the dispatcher plans from it.

Modules, one concept each:

* ``records``: the API's types (`BookOrder`, `Event`, `SubmitResult`, `DayPlan`, ...);
* ``schema``: the SQLite file, its versioned schema and migrations, refusal of foreign files;
* ``book``: `Book`, every read and change of the book (one transaction per change);
* ``day``: the open orders a day can plan (`day_orders`) and what a plan did (`day_plan`);
* ``notices``: one pickup-notice CSV per shipper after a committed plan;
* ``commit``: a written plan checked, committed and its notices written (the CLI's and the web's path);
* ``cli``: ``coldchain orders ...`` and the ``plan --from-book`` path.
"""

from coldchain.apps.orders.book import Book
from coldchain.apps.orders.commit import PlanRejected, commit_written_plan, refusal
from coldchain.apps.orders.day import DayOrders, day_orders, day_plan
from coldchain.apps.orders.notices import notice_rows, write_notices
from coldchain.apps.orders.records import (
    STATES,
    Assignment,
    BookError,
    BookOrder,
    CommitResult,
    ConflictError,
    DayPlan,
    Event,
    NoticeRow,
    SubmitResult,
    Token,
)

__all__ = [
    "STATES",
    "Assignment",
    "Book",
    "BookError",
    "BookOrder",
    "CommitResult",
    "ConflictError",
    "DayOrders",
    "DayPlan",
    "Event",
    "NoticeRow",
    "PlanRejected",
    "SubmitResult",
    "Token",
    "commit_written_plan",
    "day_orders",
    "day_plan",
    "notice_rows",
    "refusal",
    "write_notices",
]
