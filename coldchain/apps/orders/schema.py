"""The order book's SQLite file: connection settings, the versioned schema and its migrations.

A book is one SQLite file. Its header says what it is: ``PRAGMA application_id`` is
`APPLICATION_ID` (a file with another id, or with tables but no id, is not a coldchain book and
is refused) and ``PRAGMA user_version`` is the schema version. Each migration in `MIGRATIONS`
runs in one ``BEGIN IMMEDIATE`` transaction that ends by setting ``user_version``, so a book is
always at exactly one version; a file newer than `SCHEMA_VERSION` is refused, never rewritten.

Every connection uses WAL (readers and the one writer do not block each other),
``synchronous=FULL`` (a commit is on disk when it returns), ``busy_timeout`` (a second writer
waits its turn) and ``foreign_keys=ON``. Python's implicit transactions are off
(``isolation_level=None``): the book opens each write with ``BEGIN IMMEDIATE`` itself.

``order_events`` is append-only: triggers abort any UPDATE or DELETE of it.

Versions: 1, the orders, their history, plans and notices; 2, ``tokens``: the web page's
sign-in tokens (``coldchain tokens add``), of which only the SHA-256 is stored.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from coldchain.apps.orders.records import BookError

APPLICATION_ID = 0x43434F42  # "CCOB": coldchain order book
SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 10_000
SQLITE_MAGIC = b"SQLite format 3\x00"

_V1 = """
CREATE TABLE submissions (
    submission_id INTEGER PRIMARY KEY,
    file_sha256   TEXT NOT NULL UNIQUE,
    filename      TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL,
    n_rows        INTEGER NOT NULL,
    shippers      TEXT NOT NULL  -- JSON list of the shippers of its rows
) STRICT;

CREATE TABLE plans (
    plan_id     INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,
    plan_sha256 TEXT NOT NULL,
    scenario    TEXT NOT NULL,
    cost_cny    REAL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (day, plan_sha256)
) STRICT;

CREATE TABLE orders (
    order_id        TEXT PRIMARY KEY,
    shipper         TEXT NOT NULL,
    site_id         TEXT NOT NULL,
    product_id      TEXT NOT NULL,
    quantity_kg     REAL NOT NULL,
    ready_at        TEXT NOT NULL,
    must_serve      INTEGER NOT NULL,
    content_sha256  TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('open', 'planned', 'collected', 'expired', 'cancelled')),
    version         INTEGER NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    plan_id         INTEGER REFERENCES plans (plan_id),
    plan_day        TEXT,
    vehicle_id      TEXT,
    stop_seq        INTEGER,
    pickup_min      REAL,
    hub_arrival_min REAL,
    submitted_at    TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX orders_by_state ON orders (state, shipper);
CREATE INDEX orders_by_shipper ON orders (shipper);

CREATE TABLE order_events (
    seq           INTEGER PRIMARY KEY,
    order_id      TEXT NOT NULL REFERENCES orders (order_id),
    kind          TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL,
    details       TEXT NOT NULL,
    plan_id       INTEGER REFERENCES plans (plan_id),
    submission_id INTEGER REFERENCES submissions (submission_id)
) STRICT;
CREATE INDEX events_by_order ON order_events (order_id, seq);
CREATE INDEX events_by_plan ON order_events (plan_id);
CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
    BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
    BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;

CREATE TABLE notices (
    notice_id  INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plans (plan_id),
    shipper    TEXT NOT NULL,
    written_at TEXT,
    UNIQUE (plan_id, shipper)
) STRICT;
"""

# version 2: sign-in tokens for the web page (coldchain.apps.web). A token is shown once when made;
# the book keeps its SHA-256 only. ``name`` is the shipper (role 'shipper', sees only its own
# orders) or the dispatcher's name (role 'admin'); a revoked token stays, stamped, for the record.
_V2 = """
CREATE TABLE tokens (
    token_id     INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('shipper', 'admin')),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
) STRICT;
CREATE INDEX tokens_by_name ON tokens (name);
"""

# MIGRATIONS[n] takes a book from user_version n to n + 1. Append; never edit a released step.
MIGRATIONS: tuple[str, ...] = (_V1, _V2)
assert len(MIGRATIONS) == SCHEMA_VERSION


def _refuse(path: Path, why: str) -> BookError:
    return BookError(f"{path}: {why}")


def connect(path: str | Path, create: bool = True, check: bool = True) -> sqlite3.Connection:
    """Open (or create) the book at ``path``, migrated to `SCHEMA_VERSION`.

    Raises
    ------
    BookError
        When the file is missing (and ``create`` is false), is not a SQLite database, is another
        program's database, is newer than this coldchain, or fails SQLite's integrity check.
    """
    path = Path(path)
    if path.is_dir():
        raise _refuse(path, "is a folder, not an order book file")
    fresh = not path.exists() or path.stat().st_size == 0
    if not path.exists() and not create:
        raise _refuse(path, "no order book here (it is created by the first `coldchain orders submit`)")
    if not fresh:
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                raise _refuse(path, "not a coldchain order book (not an SQLite database)")
    elif not path.parent.is_dir():
        raise _refuse(path, "its folder does not exist")
    try:
        con = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise _refuse(path, f"cannot open the order book ({exc})") from None
    try:
        _configure(con, path)
        if check:
            bad = con.execute("PRAGMA quick_check(1)").fetchone()[0]
            if bad != "ok":
                detail = " ".join(bad.replace("*** in database main ***", "").split())
                raise _refuse(path, f"the order book is damaged ({detail}); restore it from a backup")
        _migrate(con, path)
    except sqlite3.DatabaseError as exc:
        con.close()
        raise _refuse(path, f"not a usable order book ({exc})") from None
    except BookError:
        con.close()
        raise
    return con


def _configure(con: sqlite3.Connection, path: Path) -> None:
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    app_id = con.execute("PRAGMA application_id").fetchone()[0]
    tables = 0
    if app_id != APPLICATION_ID:
        # a book being created by another process right now: read both under the write lock, so
        # its half-made state (tables, no application id yet) is never seen
        con.execute("BEGIN IMMEDIATE")
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            tables = con.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
        finally:
            con.execute("COMMIT")
    if app_id != APPLICATION_ID and (app_id != 0 or tables):
        raise _refuse(path, "not a coldchain order book (another program's SQLite database); refusing to change it")
    mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":
        raise _refuse(path, f"cannot use write-ahead logging here (journal mode {mode})")
    con.execute("PRAGMA synchronous = FULL")
    con.execute("PRAGMA foreign_keys = ON")


def _migrate(con: sqlite3.Connection, path: Path) -> None:
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise _refuse(
            path,
            f"the order book has schema version {version}, newer than this coldchain's "
            f"{SCHEMA_VERSION}: upgrade coldchain to use it",
        )
    while version < SCHEMA_VERSION:
        con.execute("BEGIN IMMEDIATE")
        try:
            # re-read inside the lock: another process may have migrated meanwhile
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                con.execute("COMMIT")
                break
            for statement in _statements(MIGRATIONS[version]):
                con.execute(statement)
            con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            con.execute(f"PRAGMA user_version = {version + 1}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        version += 1


def _statements(script: str) -> list[str]:
    """Split a migration into statements (``executescript`` would COMMIT the open transaction)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    assert not buf.strip(), "a migration ends in an incomplete statement"
    return out
