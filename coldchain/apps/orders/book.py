"""The order book: shippers' pickup orders in one SQLite file, nothing lost, nothing doubled.

`Book` is the API the CLI (``coldchain orders``, ``coldchain plan --from-book``) and the web
page share. Every change is one ``BEGIN IMMEDIATE`` transaction that updates ``orders`` and
appends one ``order_events`` row per order changed, so a process killed at any point leaves the
book exactly as before the change or exactly as after it.

Idempotency, enforced in the database:

* a file's key is the SHA-256 of its raw bytes (``submissions.file_sha256 UNIQUE``): the same
  file again is a no-op, reported as such;
* an order's key is its ``order_id`` (unique in the book); its content key is the SHA-256 of the
  canonical record (NFC text, fixed field order, ``repr`` of the float kg, ISO minute time).
  The same id with the same content is a no-op; the same id with other content is a conflict,
  reported and not applied, unless it comes through ``amend``;
* a plan's key is ``(day, plan_sha256)``: committing the same plan twice is a no-op. A commit
  re-checks the version of every order it touches: if a shipper amended or cancelled one while
  the plan was being made, nothing is committed (plan again).

Validation is the scenario's own (``coldchain.scenario.read.read_orders``): a file with any bad row changes
nothing and every bad row is named ``file:line:column: message (got value)``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from coldchain.apps.orders.records import (
    ROLES,
    STATES,
    BookError,
    BookOrder,
    CommitResult,
    ConflictError,
    DayPlan,
    Event,
    SubmitResult,
    Token,
)
from coldchain.apps.orders.schema import connect
from coldchain.errors import Problem
from coldchain.scenario.domain import Order, Scenario
from coldchain.scenario.read import read_orders

PAUSE_ENV = "COLDCHAIN_TEST_PAUSE"  # crash tests: stop inside the open transaction at this point
CONTENT_FIELDS = ("shipper", "site_id", "product_id", "quantity_kg", "ready_at", "must_serve")
_ORDER_COLUMNS = (
    "order_id, shipper, site_id, product_id, quantity_kg, ready_at, must_serve, state, version, reason, plan_id, "
    "plan_day, vehicle_id, stop_seq, pickup_min, hub_arrival_min, submitted_at, updated_at"
)
_ORDER_FIELDS = tuple(c.strip() for c in _ORDER_COLUMNS.split(","))
_CHUNK = 500  # ids per IN (...) query


def utc_now() -> str:
    """The time of an event: ISO 8601 UTC to the second."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pause(point: str) -> None:
    """Crash-test hook: with ``COLDCHAIN_TEST_PAUSE=point``, say so and wait to be killed."""
    if os.environ.get(PAUSE_ENV) == point:
        print(f"PAUSED {point}", flush=True)
        sys.stdout.flush()
        time.sleep(3600)


def _moment(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def content_sha256(order: Order) -> str:
    """The order's content key: SHA-256 of its canonical record (the id is the other key)."""
    canonical = [
        _text(order.order_id),
        _text(order.shipper),
        _text(order.site_id),
        _text(order.product_id),
        repr(float(order.quantity_kg)),
        _moment(order.ready_at),
        bool(order.must_serve),
    ]
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def _content(order: Order) -> dict:
    return {
        "shipper": order.shipper,
        "site_id": order.site_id,
        "product_id": order.product_id,
        "quantity_kg": float(order.quantity_kg),
        "ready_at": _moment(order.ready_at),
        "must_serve": bool(order.must_serve),
    }


def plan_sha256(plan: DayPlan) -> str:
    """A plan's key: SHA-256 of what it does to the book (assignments, unserved, expired)."""
    canonical = {
        "day": plan.day.isoformat(),
        "assigned": sorted(
            [a.order_id, a.vehicle_id, a.stop_seq, round(a.pickup_min, 3), round(a.hub_arrival_min, 3)]
            for a in plan.assigned
        ),
        "unserved": sorted(list(u) for u in plan.unserved),
        "expired": sorted(list(e) for e in plan.expired),
    }
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def token_sha256(secret: str) -> str:
    """What the book stores of a sign-in token: the SHA-256 of its text (a random 256-bit token
    needs no slow hash)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


_TOKEN_COLUMNS = "token_id, name, role, created_by, created_at, revoked_at, token_sha256"


def _to_token(row: tuple) -> Token:
    *fields, sha = row
    return Token(*fields, fingerprint=sha[:8])


def _to_order(row: tuple) -> BookOrder:
    """A `BookOrder` from a row of ``SELECT {_ORDER_COLUMNS}``."""
    v = dict(zip(_ORDER_FIELDS, row))
    v["ready_at"] = datetime.strptime(v["ready_at"], "%Y-%m-%d %H:%M")
    v["must_serve"] = bool(v["must_serve"])
    v["plan_day"] = date.fromisoformat(v["plan_day"]) if v["plan_day"] else None
    return BookOrder(**v)


def as_scenario_order(o: BookOrder, line: int | None = None) -> Order:
    """The book's order as the planner's record (``line`` lets a rule's problem find it again)."""
    return Order(
        line=line,
        order_id=o.order_id,
        shipper=o.shipper,
        site_id=o.site_id,
        product_id=o.product_id,
        quantity_kg=o.quantity_kg,
        ready_at=o.ready_at,
        must_serve=o.must_serve,
    )


class _Rejected(Exception):
    """Raised inside a write transaction to roll it back and return ``result``."""

    def __init__(self, result: SubmitResult):
        self.result = result


@dataclass(frozen=True)
class _Source:
    raw: bytes
    name: str


class Book:
    """An order book file. Open one per thread (a `sqlite3` connection is not shared).

    Parameters
    ----------
    path
        The book's file (created on first use when ``create``).
    create
        Create a new book when the file does not exist (else `BookError`).
    check
        Run SQLite's ``quick_check`` when opening (refuses a damaged file).
    clock
        Returns the ``at`` of each event (ISO 8601 UTC); tests pass a fixed clock.
    """

    def __init__(
        self, path: str | Path, *, create: bool = True, check: bool = True, clock: Callable[[], str] = utc_now
    ) -> None:
        self.path = Path(path)
        self._con = connect(self.path, create=create, check=check)
        self._clock = clock

    # -- life cycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (the book stays consistent whether or not this is called)."""
        self._con.close()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error."""
        con = self._con
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    # -- reading ----------------------------------------------------------------------------
    def get(self, order_id: str) -> BookOrder | None:
        """One order, or None when the book has no order with this id."""
        row = self._con.execute(f"SELECT {_ORDER_COLUMNS} FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        return _to_order(row) if row else None

    def list(self, status: str | None = None, shipper: str | None = None, day: date | None = None) -> list[BookOrder]:
        """Orders by ready time, filtered by state, shipper, and day (ready on it or planned for it)."""
        if status is not None and status not in STATES:
            raise BookError(f"unknown status {status!r}; choose one of: {', '.join(STATES)}")
        where, args = [], []
        if status is not None:
            where.append("state = ?")
            args.append(status)
        if shipper is not None:
            where.append("shipper = ?")
            args.append(shipper)
        if day is not None:
            where.append("(substr(ready_at, 1, 10) = ? OR plan_day = ?)")
            args += [day.isoformat(), day.isoformat()]
        sql = f"SELECT {_ORDER_COLUMNS} FROM orders"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY ready_at, order_id"
        return [_to_order(r) for r in self._con.execute(sql, args)]

    def history(self, order_id: str) -> list[Event]:
        """Every event of one order, oldest first (empty when the book has no such order)."""
        rows = self._con.execute(
            "SELECT seq, order_id, kind, actor, at, details, plan_id, submission_id FROM order_events "
            "WHERE order_id = ? ORDER BY seq",
            (order_id,),
        )
        return [Event(s, o, k, a, at, json.loads(d), p, sub) for s, o, k, a, at, d, p, sub in rows]

    def shippers(self) -> list[str]:
        """Every shipper with an order in the book."""
        return [r[0] for r in self._con.execute("SELECT DISTINCT shipper FROM orders ORDER BY shipper")]

    def counts(self) -> dict[str, int]:
        """Orders per state (every state listed)."""
        found = dict(self._con.execute("SELECT state, count(*) FROM orders GROUP BY state").fetchall())
        return {s: found.get(s, 0) for s in STATES}

    def _by_id(self, con: sqlite3.Connection, ids: Iterable[str]) -> dict[str, tuple]:
        ids = list(ids)
        out: dict[str, tuple] = {}
        for k in range(0, len(ids), _CHUNK):
            part = ids[k : k + _CHUNK]
            marks = ",".join("?" * len(part))
            for row in con.execute(
                f"SELECT order_id, shipper, state, version, content_sha256, {', '.join(CONTENT_FIELDS[1:])} "
                f"FROM orders WHERE order_id IN ({marks})",
                part,
            ):
                out[row[0]] = row
        return out

    # -- submitting -------------------------------------------------------------------------
    @staticmethod
    def _source(source: str | Path | bytes, filename: str | None) -> _Source | SubmitResult:
        if isinstance(source, bytes):
            return _Source(source, filename or "upload.csv")
        path = Path(source)
        try:
            return _Source(path.read_bytes(), filename or path.name)
        except OSError as exc:
            name = filename or path.name
            return SubmitResult(
                False, "", problems=(Problem(name, None, None, f"cannot open the file: {exc.strerror}"),)
            )

    @staticmethod
    def _validate(scenario: Scenario, src: _Source, shipper: str | None) -> tuple[list[Order], list[Problem]]:
        orders, problems = read_orders(src.raw, src.name, scenario)
        if shipper is not None:
            problems += [
                Problem(
                    src.name,
                    o.line,
                    "shipper",
                    f"submitted as {shipper}: a shipper sends only its own orders",
                    o.shipper,
                )
                for o in orders
                if o.shipper != shipper
            ]
        return orders, problems

    def submit(
        self,
        scenario: Scenario,
        source: str | Path | bytes,
        shipper: str | None = None,
        *,
        actor: str | None = None,
        filename: str | None = None,
    ) -> SubmitResult:
        """Add the orders of one CSV file (``orders.csv``'s columns) in one transaction.

        ``source`` is a path or the file's bytes (``filename`` names it in messages). With
        ``shipper``, every row must be that shipper's. Nothing changes unless every row is valid
        and no row conflicts with an order already in the book; the result names every problem.
        """
        src = self._source(source, filename)
        if isinstance(src, SubmitResult):
            return src
        sha = hashlib.sha256(src.raw).hexdigest()
        seen = self._seen_file(sha)
        if seen is not None and (shipper is None or seen[1] == [shipper]):
            return SubmitResult(True, sha, duplicate_file=True, submission_id=seen[0])
        orders, problems = self._validate(scenario, src, shipper)
        if problems:
            return SubmitResult(False, sha, problems=tuple(problems))
        who = actor or shipper or ", ".join(sorted({o.shipper for o in orders})) or "unknown"
        try:
            with self._write() as con:
                return self._submit_in(con, src, sha, orders, who, reveal=shipper is None)
        except _Rejected as rejected:
            return rejected.result

    def _seen_file(self, sha: str) -> tuple[int, list[str]] | None:
        """(submission_id, its rows' shippers) of the accepted file with these bytes, if any."""
        row = self._con.execute(
            "SELECT submission_id, shippers FROM submissions WHERE file_sha256 = ?", (sha,)
        ).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def _submit_in(
        self, con: sqlite3.Connection, src: _Source, sha: str, orders: list[Order], who: str, reveal: bool = True
    ) -> SubmitResult:
        existing = self._by_id(con, (o.order_id for o in orders))
        new: list[tuple[Order, str]] = []
        unchanged: list[str] = []
        conflicts: list[Problem] = []
        for o in orders:
            key = content_sha256(o)
            old = existing.get(o.order_id)
            if old is None:
                new.append((o, key))
            elif old[4] == key:
                unchanged.append(o.order_id)
            else:
                conflicts.append(_conflict(src.name, o, old, reveal))
        if conflicts:
            raise _Rejected(SubmitResult(False, sha, problems=tuple(conflicts)))
        at = self._clock()
        cur = con.execute(
            "INSERT INTO submissions (file_sha256, filename, actor, at, n_rows, shippers) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (file_sha256) DO NOTHING",
            (sha, src.name, who, at, len(orders), json.dumps(sorted({o.shipper for o in orders}), ensure_ascii=False)),
        )
        if cur.rowcount == 0:  # the same file landed from another process meanwhile
            seen = self._seen_file(sha)
            raise _Rejected(SubmitResult(True, sha, duplicate_file=True, submission_id=seen[0] if seen else None))
        sub_id = cur.lastrowid
        _pause("submit:after-submission-row")
        half = len(new) // 2
        for part in (new[:half], new[half:]):
            con.executemany(
                "INSERT INTO orders (order_id, shipper, site_id, product_id, quantity_kg, ready_at, must_serve, "
                "content_sha256, state, version, submitted_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', 1, ?, ?) ON CONFLICT (order_id) DO NOTHING",
                [
                    (
                        o.order_id,
                        o.shipper,
                        o.site_id,
                        o.product_id,
                        float(o.quantity_kg),
                        _moment(o.ready_at),
                        int(o.must_serve),
                        key,
                        at,
                        at,
                    )
                    for o, key in part
                ],
            )
            con.executemany(
                "INSERT INTO order_events (order_id, kind, actor, at, details, submission_id) "
                "VALUES (?, 'submitted', ?, ?, ?, ?)",
                [
                    (
                        o.order_id,
                        who,
                        at,
                        json.dumps({"file": src.name, "line": o.line, **_content(o)}, ensure_ascii=False),
                        sub_id,
                    )
                    for o, _ in part
                ],
            )
            if part is not new[half:]:
                _pause("submit:mid-rows")
        _pause("submit:before-commit")
        return SubmitResult(
            True, sha, submission_id=sub_id, added=tuple(o.order_id for o, _ in new), unchanged=tuple(unchanged)
        )

    # -- amending, cancelling ---------------------------------------------------------------
    def amend(
        self,
        scenario: Scenario,
        source: str | Path | bytes,
        shipper: str | None = None,
        *,
        actor: str | None = None,
        filename: str | None = None,
        expected_versions: dict[str, int] | None = None,
    ) -> SubmitResult:
        """Replace the content of open orders already in the book by the rows of a CSV file.

        Each row must name an open order of the same shipper (``expected_versions``: and at
        that version, for a form that showed it). All rows apply or none; rows equal to the
        book are left alone. Each amended order gets version + 1 and an ``amended`` event
        listing what changed.
        """
        src = self._source(source, filename)
        if isinstance(src, SubmitResult):
            return src
        sha = hashlib.sha256(src.raw).hexdigest()
        orders, problems = self._validate(scenario, src, shipper)
        if problems:
            return SubmitResult(False, sha, problems=tuple(problems))
        who = actor or shipper or ", ".join(sorted({o.shipper for o in orders})) or "unknown"
        try:
            with self._write() as con:
                return self._amend_in(con, src, sha, orders, who, expected_versions or {})
        except _Rejected as rejected:
            return rejected.result

    def _amend_in(
        self, con: sqlite3.Connection, src: _Source, sha: str, orders: list[Order], who: str, expected: dict[str, int]
    ) -> SubmitResult:
        existing = self._by_id(con, (o.order_id for o in orders))
        problems: list[Problem] = []
        changes: list[tuple[Order, str, tuple]] = []
        unchanged: list[str] = []
        for o in orders:
            old = existing.get(o.order_id)
            key = content_sha256(o)
            if old is None:
                problems.append(
                    Problem(
                        src.name,
                        o.line,
                        "order_id",
                        "not in the book: send it with `coldchain orders submit`",
                        o.order_id,
                    )
                )
            elif old[1] != o.shipper:
                problems.append(
                    Problem(src.name, o.line, "order_id", "this order belongs to another shipper", o.order_id)
                )
            elif o.order_id in expected and expected[o.order_id] != old[3]:
                problems.append(
                    Problem(
                        src.name,
                        o.line,
                        "order_id",
                        f"changed since you saw it (version {expected[o.order_id]}, now {old[3]}): reload it",
                        o.order_id,
                    )
                )
            elif old[4] == key:
                unchanged.append(o.order_id)
            elif old[2] != "open":
                problems.append(
                    Problem(src.name, o.line, "order_id", f"is {old[2]}: only an open order can be amended", o.order_id)
                )
            else:
                changes.append((o, key, old))
        if problems:
            raise _Rejected(SubmitResult(False, sha, problems=tuple(problems)))
        at = self._clock()
        for o, key, old in changes:
            cur = con.execute(
                "UPDATE orders SET site_id = ?, product_id = ?, quantity_kg = ?, ready_at = ?, must_serve = ?, "
                "content_sha256 = ?, version = version + 1, updated_at = ? "
                "WHERE order_id = ? AND version = ? AND state = 'open'",
                (
                    o.site_id,
                    o.product_id,
                    float(o.quantity_kg),
                    _moment(o.ready_at),
                    int(o.must_serve),
                    key,
                    at,
                    o.order_id,
                    old[3],
                ),
            )
            assert cur.rowcount == 1, "the row was read in this transaction"
            diff = {f: [b, a] for f, b, a in _diff(o, old)}
            con.execute(
                "INSERT INTO order_events (order_id, kind, actor, at, details) VALUES (?, 'amended', ?, ?, ?)",
                (
                    o.order_id,
                    who,
                    at,
                    json.dumps({"file": src.name, "line": o.line, "changes": diff}, ensure_ascii=False),
                ),
            )
        return SubmitResult(True, sha, amended=tuple(o.order_id for o, _, _ in changes), unchanged=tuple(unchanged))

    def amend_order(
        self,
        scenario: Scenario,
        order_id: str,
        changes: dict[str, str],
        actor: str,
        expected_version: int | None = None,
    ) -> SubmitResult:
        """Amend one open order's fields (CSV text values, e.g. ``{"quantity_kg": "500"}``).

        The same rules and messages as an amendment file, located as ``order ID:2:column``.
        """
        current = self.get(order_id)
        if current is None:
            raise BookError(f"no order {order_id!r} in the book")
        unknown = set(changes) - set(CONTENT_FIELDS)
        if unknown:
            raise BookError(f"cannot amend {', '.join(sorted(unknown))}; fields: {', '.join(CONTENT_FIELDS)}")
        row = {
            "order_id": current.order_id,
            "shipper": current.shipper,
            "site_id": current.site_id,
            "product_id": current.product_id,
            "quantity_kg": repr(current.quantity_kg),
            "ready_at": _moment(current.ready_at),
            "must_serve": "yes" if current.must_serve else "no",
        } | {k: str(v) for k, v in changes.items()}
        raw = _csv_bytes([row])
        versions = {order_id: expected_version} if expected_version is not None else None
        return self.amend(
            scenario, raw, current.shipper, actor=actor, filename=f"order {order_id}", expected_versions=versions
        )

    def _move(
        self,
        order_id: str,
        kind: str,
        allowed: tuple[str, ...],
        to: str,
        actor: str,
        reason: str,
        expected_version: int | None,
        clear_plan: bool = False,
    ) -> BookOrder:
        with self._write() as con:
            row = con.execute("SELECT state, version FROM orders WHERE order_id = ?", (order_id,)).fetchone()
            if row is None:
                raise BookError(f"no order {order_id!r} in the book")
            state, version = row
            if state not in allowed:
                raise ConflictError(f"order {order_id} is {state}: only {' or '.join(allowed)} orders can be {kind}")
            if expected_version is not None and expected_version != version:
                raise ConflictError(
                    f"order {order_id} changed since you saw it (version {expected_version}, now {version}): reload it"
                )
            at = self._clock()
            plan = (
                ", plan_id = NULL, plan_day = NULL, vehicle_id = NULL, stop_seq = NULL, pickup_min = NULL, "
                "hub_arrival_min = NULL"
                if clear_plan
                else ""
            )
            con.execute(
                f"UPDATE orders SET state = ?, version = version + 1, reason = ?, updated_at = ?{plan} "
                "WHERE order_id = ? AND version = ?",
                (to, reason, at, order_id, version),
            )
            con.execute(
                "INSERT INTO order_events (order_id, kind, actor, at, details) VALUES (?, ?, ?, ?, ?)",
                (order_id, kind, actor, at, json.dumps({"from": state, "reason": reason}, ensure_ascii=False)),
            )
        got = self.get(order_id)
        assert got is not None
        return got

    def cancel(self, order_id: str, actor: str, reason: str = "", expected_version: int | None = None) -> BookOrder:
        """Cancel an open or planned order (a planned one: tell its truck's driver)."""
        return self._move(order_id, "cancelled", ("open", "planned"), "cancelled", actor, reason, expected_version)

    def collect(self, order_id: str, actor: str) -> BookOrder:
        """Record that the truck collected a planned order."""
        return self._move(order_id, "collected", ("planned",), "collected", actor, "", None)

    def reopen(self, order_id: str, actor: str, reason: str = "") -> BookOrder:
        """Put a planned order the truck did not collect back among the open orders."""
        return self._move(order_id, "reopened", ("planned",), "open", actor, reason, None, clear_plan=True)

    # -- plans ------------------------------------------------------------------------------
    def commit_plan(self, plan: DayPlan, actor: str) -> CommitResult:
        """Record a day's plan in one transaction: all its orders change state, or none.

        Served orders become ``planned`` (truck, stop, times); unserved ones stay ``open`` with
        the reason (carried over); those whose window closed become ``expired``. One pickup
        notice per shipper concerned is queued (``notices``). Raises `ConflictError`, changing
        nothing, when an order is no longer open at the version the plan was made from, or when
        another plan for the same day is already committed (its trucks are taken). Committing
        the same plan again returns the first commit's result (``already_committed``).
        """
        sha = plan_sha256(plan)
        ids = [a.order_id for a in plan.assigned] + [u for u, _ in plan.unserved] + [e for e, _ in plan.expired]
        if len(set(ids)) != len(ids):
            raise BookError("the plan lists an order twice")
        if set(ids) - set(plan.versions):
            raise BookError("the plan lists an order without the version it was made from")
        with self._write() as con:
            row = con.execute(
                "SELECT plan_id FROM plans WHERE day = ? AND plan_sha256 = ?", (plan.day.isoformat(), sha)
            ).fetchone()
            if row is not None:
                return self._committed(con, row[0])
            other = con.execute(
                "SELECT plan_id, actor, at FROM plans WHERE day = ? ORDER BY plan_id LIMIT 1", (plan.day.isoformat(),)
            ).fetchone()
            if other is not None:
                raise ConflictError(
                    f"plan {other[0]} for {plan.day} was committed by {other[1]} at {other[2]}; nothing was "
                    f"committed: its trucks are taken, and the orders it left open carry over to the next day's plan"
                )
            current = self._by_id(con, ids)
            stale = sorted(
                oid
                for oid in ids
                if oid not in current or current[oid][2] != "open" or current[oid][3] != plan.versions[oid]
            )
            if stale:
                shown = ", ".join(stale[:10]) + (f" and {len(stale) - 10} more" if len(stale) > 10 else "")
                raise ConflictError(
                    f"the book changed while planning ({shown} amended, cancelled or planned "
                    "meanwhile): nothing was committed; plan again"
                )
            at = self._clock()
            plan_id = con.execute(
                "INSERT INTO plans (day, plan_sha256, scenario, cost_cny, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
                (plan.day.isoformat(), sha, plan.scenario_name, plan.cost_cny, actor, at),
            ).lastrowid
            _pause("commit:after-plan-row")
            day = plan.day.isoformat()
            con.executemany(
                "UPDATE orders SET state = 'planned', version = version + 1, reason = '', plan_id = ?, plan_day = ?, "
                "vehicle_id = ?, stop_seq = ?, pickup_min = ?, hub_arrival_min = ?, updated_at = ? "
                "WHERE order_id = ? AND version = ? AND state = 'open'",
                [
                    (
                        plan_id,
                        day,
                        a.vehicle_id,
                        a.stop_seq,
                        a.pickup_min,
                        a.hub_arrival_min,
                        at,
                        a.order_id,
                        plan.versions[a.order_id],
                    )
                    for a in plan.assigned
                ],
            )
            self._events(
                con,
                plan_id,
                at,
                actor,
                "planned",
                [
                    (
                        a.order_id,
                        {
                            "day": day,
                            "vehicle_id": a.vehicle_id,
                            "stop_seq": a.stop_seq,
                            "arrival_min": a.arrival_min,
                            "pickup_min": a.pickup_min,
                            "hub_arrival_min": a.hub_arrival_min,
                        },
                    )
                    for a in plan.assigned
                ],
            )
            _pause("commit:mid-orders")
            con.executemany(
                "UPDATE orders SET reason = ?, updated_at = ? WHERE order_id = ? AND state = 'open'",
                [(why, at, oid) for oid, why in plan.unserved],
            )
            self._events(
                con,
                plan_id,
                at,
                actor,
                "not_planned",
                [(oid, {"day": day, "reason": why}) for oid, why in plan.unserved],
            )
            con.executemany(
                "UPDATE orders SET state = 'expired', version = version + 1, reason = ?, plan_day = ?, updated_at = ? "
                "WHERE order_id = ? AND state = 'open'",
                [(why, day, at, oid) for oid, why in plan.expired],
            )
            self._events(
                con, plan_id, at, actor, "expired", [(oid, {"day": day, "reason": why}) for oid, why in plan.expired]
            )
            con.execute(
                "INSERT INTO notices (plan_id, shipper) SELECT DISTINCT ?, o.shipper FROM order_events e "
                "JOIN orders o USING (order_id) WHERE e.plan_id = ?",
                (plan_id, plan_id),
            )
            _pause("commit:before-commit")
            return self._committed(con, plan_id, already=False)

    @staticmethod
    def _events(con: sqlite3.Connection, plan_id: int, at: str, actor: str, kind: str, rows: list) -> None:
        con.executemany(
            "INSERT INTO order_events (order_id, kind, actor, at, details, plan_id) VALUES (?, ?, ?, ?, ?, ?)",
            [(oid, kind, actor, at, json.dumps(d, ensure_ascii=False), plan_id) for oid, d in rows],
        )

    @staticmethod
    def _committed(con: sqlite3.Connection, plan_id: int, already: bool = True) -> CommitResult:
        kinds: dict[str, list[str]] = {"planned": [], "not_planned": [], "expired": []}
        for oid, kind in con.execute(
            "SELECT order_id, kind FROM order_events WHERE plan_id = ? ORDER BY seq", (plan_id,)
        ):
            kinds.setdefault(kind, []).append(oid)
        shippers = [
            r[0] for r in con.execute("SELECT shipper FROM notices WHERE plan_id = ? ORDER BY shipper", (plan_id,))
        ]
        return CommitResult(
            plan_id,
            already,
            tuple(kinds["planned"]),
            tuple(kinds["not_planned"]),
            tuple(kinds["expired"]),
            tuple(shippers),
        )

    def plans(self) -> list[dict]:
        """Every committed plan, newest first: plan_id, day, scenario, cost_cny, actor, at."""
        rows = self._con.execute("SELECT plan_id, day, scenario, cost_cny, actor, at FROM plans ORDER BY plan_id DESC")
        return [dict(zip(("plan_id", "day", "scenario", "cost_cny", "actor", "at"), r)) for r in rows]

    def plan_of(self, day: date) -> dict | None:
        """The plan committed for ``day`` (as in `plans`), or None."""
        return next((p for p in self.plans() if p["day"] == day.isoformat()), None)

    def plan_events(self, plan_id: int) -> list[Event]:
        """The events a committed plan wrote (planned, not_planned, expired), in order."""
        rows = self._con.execute(
            "SELECT seq, order_id, kind, actor, at, details, plan_id, submission_id FROM order_events "
            "WHERE plan_id = ? ORDER BY seq",
            (plan_id,),
        )
        return [Event(s, o, k, a, at, json.loads(d), p, sub) for s, o, k, a, at, d, p, sub in rows]

    def pending_notices(self) -> list[tuple[int, str]]:
        """Notices queued by a commit and not yet written: (plan_id, shipper)."""
        return list(
            self._con.execute("SELECT plan_id, shipper FROM notices WHERE written_at IS NULL ORDER BY plan_id, shipper")
        )

    def notice_shippers(self, plan_id: int) -> list[str]:
        """The shippers a committed plan owes a notice."""
        return [
            r[0]
            for r in self._con.execute("SELECT shipper FROM notices WHERE plan_id = ? ORDER BY shipper", (plan_id,))
        ]

    def mark_notice_written(self, plan_id: int, shipper: str) -> None:
        """Stamp a notice as written (after its file is in place: at-least-once, never lost)."""
        with self._write() as con:
            con.execute(
                "UPDATE notices SET written_at = ? WHERE plan_id = ? AND shipper = ?", (self._clock(), plan_id, shipper)
            )

    # -- sign-in tokens (the web page) ---------------------------------------------------------
    def add_token(self, name: str, role: str = "shipper", actor: str = "unknown") -> tuple[Token, str]:
        """Make a sign-in token for ``name`` (a shipper, or the dispatcher with role ``admin``).

        Returns the record and the token's text, which exists only here: the book keeps its
        SHA-256, so a lost token is revoked and replaced, never recovered.
        """
        name = _text(name)
        if not name:
            raise BookError("a token needs a name: the shipper's (as in its orders) or the dispatcher's")
        if role not in ROLES:
            raise BookError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
        secret = secrets.token_urlsafe(32)
        with self._write() as con:
            token_id = con.execute(
                "INSERT INTO tokens (token_sha256, name, role, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                (token_sha256(secret), name, role, actor, self._clock()),
            ).lastrowid
        token = self.token(token_id)
        assert token is not None
        return token, secret

    def token(self, token_id: int) -> Token | None:
        """One token's record (revoked or not), or None."""
        row = self._con.execute(f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE token_id = ?", (token_id,)).fetchone()
        return _to_token(row) if row else None

    def tokens(self) -> list[Token]:
        """Every token ever made, oldest first (revoked ones with their ``revoked_at``)."""
        return [_to_token(r) for r in self._con.execute(f"SELECT {_TOKEN_COLUMNS} FROM tokens ORDER BY token_id")]

    def revoke_token(self, token_id: int) -> Token:
        """Revoke a token: it signs no one in from now on (a page open with it is signed out)."""
        with self._write() as con:
            row = con.execute("SELECT revoked_at FROM tokens WHERE token_id = ?", (token_id,)).fetchone()
            if row is None:
                raise BookError(f"no token {token_id} in the book (see `coldchain tokens list`)")
            if row[0] is None:
                con.execute("UPDATE tokens SET revoked_at = ? WHERE token_id = ?", (self._clock(), token_id))
        token = self.token(token_id)
        assert token is not None
        return token

    def token_holder(self, secret: str) -> Token | None:
        """The active token whose text is ``secret``, or None.

        Looked up by its hash, which is then compared in constant time (`hmac.compare_digest`).
        """
        sha = token_sha256(secret)
        row = self._con.execute(
            f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE token_sha256 = ? AND revoked_at IS NULL", (sha,)
        ).fetchone()
        if row is None or not hmac.compare_digest(row[-1], sha):
            return None
        return _to_token(row)


def _diff(o: Order, old: tuple) -> list[tuple[str, object, object]]:
    """(field, book value, new value) for every content field that differs (old: a `_by_id` row)."""
    before = {"shipper": old[1], **dict(zip(CONTENT_FIELDS[1:], old[5:]))}
    new = _content(o)
    out = []
    for f in CONTENT_FIELDS:
        b, a = before.get(f), new[f]
        if f == "must_serve":
            b = bool(b)
        if b != a:
            out.append((f, b, a))
    return out


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _conflict(name: str, o: Order, old: tuple, reveal: bool = True) -> Problem:
    """The problem of a row whose id is in the book with other content; ``reveal``: name the other
    shipper (not to a shipper submitting its own orders: whose order it is, is not its business)."""
    if old[1] != o.shipper:
        whose = f" ({old[1]})" if reveal else ""
        return Problem(
            name,
            o.line,
            "order_id",
            f"order id already used by another shipper{whose}: choose another id",
            o.order_id,
        )
    diff = "; ".join(f"{f}: {_show(b)} in the book, {_show(a)} here" for f, b, a in _diff(o, old))
    return Problem(
        name,
        o.line,
        "order_id",
        f"already in the book with other content ({diff}); not changed: to change it, use `coldchain orders amend`",
        o.order_id,
    )


def _csv_bytes(rows: list[dict]) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode()
