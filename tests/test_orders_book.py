"""The order book's API (coldchain.apps.orders): the file, submissions, amendments, plans, notices.

Every test uses the tiny scenario (hub, town T1, villages V1 with pre-cooling and V2; products
from models/products.toml) and a fixed clock, so each expected value is written out by hand.
"""

from __future__ import annotations

import sqlite3
import struct
from datetime import date, datetime
from pathlib import Path

import pytest

from coldchain import read_scenario
from coldchain.apps.orders import (
    Assignment,
    Book,
    BookError,
    ConflictError,
    DayPlan,
    day_orders,
    notice_rows,
    write_notices,
)
from coldchain.apps.orders.schema import APPLICATION_ID, SCHEMA_VERSION
from coldchain.errors import InputError

DATA = Path(__file__).parent / "data"
HEADER = "order_id,shipper,site_id,product_id,quantity_kg,ready_at\n"
AT = "2026-06-15T05:00:00Z"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode()


GOOD = csv(
    "A1,荔香合作社,V1,litchi,400,2026-06-15 07:00",
    "A2,荔香合作社,V1,litchi,300,2026-06-15 09:00",
)


@pytest.fixture
def scenario():
    return read_scenario(DATA / "tiny")


@pytest.fixture
def book(tmp_path: Path):
    with Book(tmp_path / "orders.db", clock=lambda: AT) as b:
        yield b


def dump(path: Path) -> dict:
    """Every row of every table, for before/after comparisons."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        con.close()


# -- the file -----------------------------------------------------------------------------------
@pytest.mark.unit
def test_new_book_header(tmp_path: Path) -> None:
    """A new book says what it is in its header: application_id 0x43434F42, user_version 2, WAL."""
    Book(tmp_path / "b.db").close()
    raw = (tmp_path / "b.db").read_bytes()
    assert raw[:16] == b"SQLite format 3\x00"
    assert struct.unpack(">I", raw[68:72])[0] == APPLICATION_ID == 0x43434F42
    assert struct.unpack(">I", raw[60:64])[0] == SCHEMA_VERSION == 2
    assert raw[18:20] == b"\x02\x02"  # file format write/read version 2: WAL


@pytest.mark.unit
def test_foreign_sqlite_file_refused_and_untouched(tmp_path: Path) -> None:
    """Another program's SQLite database (a table, application_id 0) is refused and not changed."""
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (name TEXT)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(BookError, match="not a coldchain order book"):
        Book(path)
    assert path.read_bytes() == before


@pytest.mark.unit
def test_not_sqlite_refused(tmp_path: Path) -> None:
    """A CSV file passed as the book is refused: not an SQLite database."""
    path = tmp_path / "orders.csv"
    path.write_bytes(GOOD)
    with pytest.raises(BookError, match="not an SQLite database"):
        Book(path)
    assert path.read_bytes() == GOOD


@pytest.mark.unit
def test_newer_book_refused(tmp_path: Path) -> None:
    """A book whose user_version is 3 (a newer coldchain wrote it) is refused, naming both versions."""
    path = tmp_path / "b.db"
    Book(path).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 3")
    con.close()
    with pytest.raises(BookError, match="schema version 3, newer than this coldchain's 2"):
        Book(path)


@pytest.mark.unit
def test_corrupt_book_refused(tmp_path: Path, scenario) -> None:
    """A book whose pages after the first were overwritten with garbage is refused as damaged."""
    path = tmp_path / "b.db"
    with Book(path) as b:
        assert b.submit(scenario, GOOD).accepted
    raw = bytearray(path.read_bytes())
    page = struct.unpack(">H", raw[16:18])[0]
    raw[page:] = b"\xa5" * (len(raw) - page)
    path.write_bytes(bytes(raw))
    with pytest.raises(BookError, match=r"damaged|not a usable order book"):
        Book(path)


@pytest.mark.unit
def test_missing_book_not_created_when_asked(tmp_path: Path) -> None:
    """Opening with create=False where there is no file is refused and creates nothing."""
    with pytest.raises(BookError, match="no order book here"):
        Book(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()


@pytest.mark.unit
def test_history_is_append_only(book: Book, scenario) -> None:
    """UPDATE and DELETE on order_events are aborted by the schema's triggers."""
    book.submit(scenario, GOOD)
    con = sqlite3.connect(book.path)
    for sql in ("UPDATE order_events SET actor = 'x'", "DELETE FROM order_events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(sql)
    con.close()
    assert len(book.history("A1")) == 1


# -- submitting ---------------------------------------------------------------------------------
@pytest.mark.unit
def test_submit_adds_and_resubmission_adds_nothing(book: Book, scenario) -> None:
    """GOOD adds A1 and A2 (open, version 1, one 'submitted' event each). The same bytes again
    are a duplicate file; the same orders in another file (a notes column added) are unchanged."""
    first = book.submit(scenario, GOOD, "荔香合作社", filename="a.csv")
    assert first.accepted and first.added == ("A1", "A2") and first.submission_id == 1
    again = book.submit(scenario, GOOD, "荔香合作社", filename="a.csv")
    assert again.accepted and again.duplicate_file and again.added == ()
    other = csv(
        "A1,荔香合作社,V1,litchi,400.0,2026-06-15 07:00,same",
        "A2,荔香合作社,V1,litchi,300,2026/06/15 09:00,",
        header=HEADER.strip() + ",notes\n",
    )
    third = book.submit(scenario, other, "荔香合作社", filename="b.csv")
    assert third.accepted and third.added == () and third.unchanged == ("A1", "A2")
    assert [(o.order_id, o.state, o.version) for o in book.list()] == [("A1", "open", 1), ("A2", "open", 1)]
    assert [e.kind for e in book.history("A1")] == ["submitted"]
    assert book.history("A1")[0].actor == "荔香合作社" and book.history("A1")[0].at == AT


@pytest.mark.unit
def test_bad_file_changes_nothing_and_names_every_row(book: Book, scenario, tmp_path: Path) -> None:
    """Rows 2-4 are bad (unknown site, decimal comma, an hour 25); row 5 repeats row 2's id and row 6
    is at the hub. Nothing is added, and each message is exactly what `validate` says about the same
    rows in orders.csv, with the submitted file's name."""
    rows = (
        "B1,红岭合作社,V9,litchi,300,2026-06-15 07:00",
        'B2,红岭合作社,V2,litchi,"1,5",2026-06-15 07:00',
        "B3,红岭合作社,V2,litchi,100,2026-06-15 25:00",
        "B1,红岭合作社,V2,litchi,100,2026-06-15 08:00",
        "B4,红岭合作社,HUB,litchi,100,2026-06-15 08:00",
    )
    result = book.submit(scenario, csv(*rows), filename="hongling.csv")
    assert not result.accepted and book.list() == []
    got = [str(p) for p in result.problems]
    assert [g.split(":")[1:3] for g in got] == [
        ["2", "site_id"], ["3", "quantity_kg"], ["4", "ready_at"], ["5", "order_id"], ["6", "site_id"]
    ]  # fmt: skip
    folder = tmp_path / "same"
    folder.mkdir()
    for f in (DATA / "tiny").iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    said = []
    fill = ("F2,红岭合作社,V2,litchi,1,2026-06-15 07:00", "F3,红岭合作社,V2,litchi,1,2026-06-15 07:00")
    said = []  # validate stops at field errors, so ask it twice: field errors, then the others
    for part in (rows[:3], (rows[0], *fill, *rows[3:])):
        (folder / "orders.csv").write_bytes(csv(*part))
        with pytest.raises(InputError) as exc:
            read_scenario(folder)
        said += [str(p).replace("orders.csv", "hongling.csv", 1) for p in exc.value.problems]
    assert sorted(got) == sorted(set(said))


@pytest.mark.unit
def test_conflict_reported_not_overwritten_until_amended(book: Book, scenario) -> None:
    """A1 again with 500 kg is a conflict (line 2, 400 in the book): the whole file changes nothing,
    not even its new A3. `amend` then sets 500 kg: version 2 and an 'amended' event 400 -> 500."""
    book.submit(scenario, GOOD)
    changed = csv("A1,荔香合作社,V1,litchi,500,2026-06-15 07:00", "A3,荔香合作社,V1,litchi,50,2026-06-15 07:00")
    result = book.submit(scenario, changed, filename="c.csv")
    assert not result.accepted
    assert [str(p) for p in result.problems] == [
        "c.csv:2:order_id: already in the book with other content (quantity_kg: 400 in the book, 500 here); "
        "not changed: to change it, use `coldchain orders amend` (got A1)"
    ]
    assert book.get("A1").quantity_kg == 400 and book.get("A3") is None
    amended = book.amend(scenario, csv("A1,荔香合作社,V1,litchi,500,2026-06-15 07:00"), actor="荔香合作社")
    assert amended.accepted and amended.amended == ("A1",)
    a1 = book.get("A1")
    assert (a1.quantity_kg, a1.version) == (500, 2)
    assert book.history("A1")[-1].kind == "amended"
    assert book.history("A1")[-1].details["changes"] == {"quantity_kg": [400.0, 500.0]}


@pytest.mark.unit
def test_a_shipper_sends_only_its_own_orders(book: Book, scenario) -> None:
    """Submitted as 红岭合作社, GOOD's two rows (荔香合作社's) are refused on their shipper column;
    an id another shipper already uses is a conflict, naming that shipper only to a submission not
    made as a shipper (the dispatcher's)."""
    result = book.submit(scenario, GOOD, "红岭合作社", filename="x.csv")
    assert [(p.line, p.column) for p in result.problems] == [(2, "shipper"), (3, "shipper")]
    book.submit(scenario, GOOD)
    taken = book.submit(scenario, csv("A1,红岭合作社,V2,litchi,10,2026-06-15 07:00"), "红岭合作社", filename="y.csv")
    assert not taken.accepted and taken.problems[0].message.startswith("order id already used by another shipper:")
    unnamed = book.submit(scenario, csv("A1,红岭合作社,V2,litchi,10,2026-06-15 07:00"), filename="z.csv")
    assert not unnamed.accepted and "another shipper (荔香合作社)" in unnamed.problems[0].message


@pytest.mark.unit
def test_cancel_and_amend_rules(book: Book, scenario) -> None:
    """Cancelling A1 makes it cancelled (version 2); cancelling again is a conflict; amending it is
    refused (only open orders); an amendment at a stale version is refused."""
    book.submit(scenario, GOOD)
    assert book.cancel("A1", "dispatcher", "sold at the farm gate").state == "cancelled"
    with pytest.raises(ConflictError, match="is cancelled"):
        book.cancel("A1", "dispatcher")
    refused = book.amend_order(scenario, "A1", {"quantity_kg": "10"}, "荔香合作社")
    assert not refused.accepted and "only an open order can be amended" in refused.problems[0].message
    stale = book.amend_order(scenario, "A2", {"quantity_kg": "10"}, "荔香合作社", expected_version=7)
    assert not stale.accepted and "changed since you saw it (version 7, now 1)" in stale.problems[0].message
    bad = book.amend_order(scenario, "A2", {"quantity_kg": "-1"}, "荔香合作社")
    assert [str(p) for p in bad.problems] == ["order A2:2:quantity_kg: must be greater than 0 (got -1)"]
    assert [e.kind for e in book.history("A1")] == ["submitted", "cancelled"]
    assert book.history("A1")[1].details == {"from": "open", "reason": "sold at the farm gate"}


@pytest.mark.unit
def test_list_filters(book: Book, scenario) -> None:
    """Two shippers, three orders; A2 cancelled: filters by status, shipper and ready day."""
    book.submit(scenario, GOOD)
    book.submit(scenario, csv("H1,红岭合作社,V2,litchi,100,2026-06-16 07:00"))
    book.cancel("A2", "x")
    assert [o.order_id for o in book.list(status="open")] == ["A1", "H1"]
    assert [o.order_id for o in book.list(shipper="红岭合作社")] == ["H1"]
    assert [o.order_id for o in book.list(day=date(2026, 6, 15))] == ["A1", "A2"]
    with pytest.raises(BookError, match="unknown status"):
        book.list(status="done")


# -- days and plans -----------------------------------------------------------------------------
@pytest.mark.unit
def test_day_orders_sorts_open_orders(book: Book, scenario) -> None:
    """On 2026-06-15: E1 (litchi ready 06-13 08:00 at V2, no pre-cooling: 24 h window closed 06-14
    08:00) expires; L1 (ready 06-16) waits; A1, A2 are planned; the cancelled C1 is not considered."""
    book.submit(scenario, GOOD)
    book.submit(
        scenario,
        csv(
            "E1,红岭合作社,V2,litchi,100,2026-06-13 08:00",
            "L1,红岭合作社,V2,litchi,100,2026-06-16 07:00",
            "C1,红岭合作社,V2,litchi,100,2026-06-15 07:00",
        ),
    )
    book.cancel("C1", "x")
    day = day_orders(book, scenario)
    assert day.day == date(2026, 6, 15)
    assert [o.order_id for o in day.scenario.orders] == [o.order_id for o in day.orders] == ["A1", "A2"]
    assert [o.order_id for o, _ in day.expired] == ["E1"]
    assert day.expired[0][1] == (
        "its 24 h freshness window closed at 2026-06-14 08:00, before the planning day 2026-06-15 began"
    )
    assert [o.order_id for o in day.later] == ["L1"]
    assert day.versions == {"A1": 1, "A2": 1, "E1": 1}
    next_day = day_orders(book, scenario, date(2026, 6, 16))
    assert [o.order_id for o in next_day.orders] == ["A1", "A2", "L1"]


def _plan(day: date = date(2026, 6, 15), versions: dict | None = None) -> DayPlan:
    return DayPlan(
        day=day,
        assigned=(Assignment("A1", "R1", 2, 480.0, 490.0, 560.0),),
        unserved=(("A2", "truck full"),),
        expired=(),
        versions=versions or {"A1": 1, "A2": 1},
        scenario_name="tiny",
        cost_cny=123.0,
    )


@pytest.mark.unit
def test_commit_plan_marks_orders_and_queues_notices(book: Book, scenario, tmp_path: Path) -> None:
    """Committing A1 on R1 (arrives 08:00, loads 08:10) and A2 unserved: A1 planned (version 2),
    A2 open with the reason (version 1). The notice: A1 collected by R1, ready 07:30-08:30;
    A2 not collected today. Committing the same plan again changes nothing."""
    book.submit(scenario, GOOD)
    result = book.commit_plan(_plan(), "dispatcher")
    assert (result.plan_id, result.already_committed) == (1, False)
    assert (result.planned, result.carried_over, result.shippers) == (("A1",), ("A2",), ("荔香合作社",))
    a1, a2 = book.get("A1"), book.get("A2")
    assert (a1.state, a1.version, a1.vehicle_id, a1.stop_seq, a1.pickup_min, a1.plan_day) == (
        "planned", 2, "R1", 2, 490.0, date(2026, 6, 15)
    )  # fmt: skip
    assert (a2.state, a2.version, a2.reason) == ("open", 1, "truck full")
    rows = notice_rows(book, 1, "荔香合作社")
    assert [(r.order_id, r.outcome, r.vehicle_id, r.window_from, r.window_to) for r in rows] == [
        ("A1", "collected by truck", "R1", "07:30", "08:30"),
        ("A2", "not collected today", "", "", ""),
    ]
    before = dump(book.path)
    again = book.commit_plan(_plan(), "dispatcher")
    assert again.already_committed and again.plan_id == 1
    assert dump(book.path) == before
    assert book.pending_notices() == [(1, "荔香合作社")]
    (path,) = write_notices(book, 1, tmp_path / "notices")
    assert path.name == "荔香合作社.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == "2026-06-15,A1,V1,litchi,400,collected by truck,R1,07:30,08:30,"
    assert book.pending_notices() == []


@pytest.mark.unit
def test_commit_refused_when_an_order_changed_meanwhile(book: Book, scenario) -> None:
    """A2 is amended after the plan was made from version 1: the commit is refused and nothing changes."""
    book.submit(scenario, GOOD)
    book.amend_order(scenario, "A2", {"quantity_kg": "250"}, "荔香合作社")
    before = dump(book.path)
    with pytest.raises(ConflictError, match="A2 amended, cancelled or planned meanwhile"):
        book.commit_plan(_plan(), "dispatcher")
    assert dump(book.path) == before


@pytest.mark.unit
def test_planned_order_collected_or_reopened(book: Book, scenario) -> None:
    """After the commit, A1 can be collected (then it is final); a reopened planned order is open again
    with no truck."""
    book.submit(scenario, GOOD)
    book.commit_plan(_plan(), "d")
    assert book.collect("A1", "driver").state == "collected"
    with pytest.raises(ConflictError):
        book.reopen("A1", "driver")
    book.commit_plan(
        DayPlan(date(2026, 6, 16), (Assignment("A2", "D1", 1, 500.0, 500.0, 600.0),), (), (), {"A2": 1}), "d"
    )
    a2 = book.reopen("A2", "driver", "truck broke down")
    assert (a2.state, a2.vehicle_id, a2.plan_id) == ("open", None, None)
    assert [e.kind for e in book.history("A2")] == ["submitted", "not_planned", "planned", "reopened"]


@pytest.mark.unit
def test_zero_byte_file_becomes_a_book(tmp_path: Path) -> None:
    """An empty file (a book whose creation was interrupted before its first commit) is initialised."""
    path = tmp_path / "b.db"
    path.write_bytes(b"")
    with Book(path) as b:
        assert b.counts() == dict.fromkeys(("open", "planned", "collected", "expired", "cancelled"), 0)


@pytest.mark.unit
def test_ready_time_kept_to_the_minute(book: Book, scenario) -> None:
    """ready_at is stored as YYYY-MM-DD HH:MM and read back as the same datetime."""
    book.submit(scenario, GOOD)
    assert book.get("A2").ready_at == datetime(2026, 6, 15, 9, 0)


@pytest.mark.unit
def test_one_plan_per_day(book: Book, scenario) -> None:
    """After plan 1 for 06-15, another plan for 06-15 (A2 on D1) is refused and changes nothing: its
    trucks are taken. The identical plan 1 again is a no-op."""
    book.submit(scenario, GOOD)
    book.commit_plan(_plan(), "d")
    other = DayPlan(date(2026, 6, 15), (Assignment("A2", "D1", 1, 500.0, 500.0, 600.0),), (), (), {"A2": 1})
    before = dump(book.path)
    with pytest.raises(ConflictError, match=r"plan 1 for 2026-06-15 was committed by d at 2026-06-15T05:00:00Z"):
        book.commit_plan(other, "d")
    assert dump(book.path) == before
    assert book.commit_plan(_plan(), "d").already_committed
    assert book.plan_of(date(2026, 6, 15))["plan_id"] == 1 and book.plan_of(date(2026, 6, 16)) is None


@pytest.mark.unit
def test_same_file_from_another_shipper_is_not_a_duplicate(book: Book, scenario) -> None:
    """GOOD accepted from 荔香合作社; the same bytes sent as 红岭合作社 are not 'already submitted'
    but refused row by row: a shipper learns nothing of another's files."""
    assert book.submit(scenario, GOOD, "荔香合作社").accepted
    again = book.submit(scenario, GOOD, "红岭合作社", filename="good.csv")
    assert not again.accepted and not again.duplicate_file
    assert [(p.line, p.column) for p in again.problems] == [(2, "shipper"), (3, "shipper")]
    assert book.submit(scenario, GOOD, "荔香合作社").duplicate_file
