"""The order book under kill -9, concurrency, and volume.

A submission or a plan commit killed with SIGKILL anywhere must leave the book exactly as it was
before, or exactly as the uninterrupted change leaves it: every table compared row by row, after
SQLite's integrity check. The kills land three ways: at each named point inside the transaction
(``COLDCHAIN_TEST_PAUSE``, in a fresh ``python`` process running the real code), and at random
delays after the child signals it is about to change the book, or that its transaction has begun
(the book's clock is first read inside it). The random kills fork a child that already has the
library imported (the parent holds no connection to the book), so 40 kills take seconds.
"""

from __future__ import annotations

import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from coldchain import read_scenario
from coldchain.apps.orders import Assignment, Book, DayPlan

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
AT = "2026-06-15T05:00:00Z"
HEADER = "order_id,shipper,site_id,product_id,quantity_kg,ready_at\n"


def orders_csv(prefix: str, n: int, shipper: str = "荔香合作社") -> bytes:
    rows = "".join(f"{prefix}{k:05d},{shipper},V{1 + k % 2},litchi,{10 + k % 90},2026-06-15 07:00\n" for k in range(n))
    return (HEADER + rows).encode()


def dump(path: Path) -> dict:
    """Every row of every table, after SQLite's integrity check (which recovers a left-over WAL)."""
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def scenario():
    return read_scenario(DATA / "tiny")


def base_book(folder: Path, scenario, n_open: int = 0) -> Path:
    """A closed book holding 5 orders of an earlier file (and ``n_open`` more open orders)."""
    path = folder / "base.db"
    with Book(path, clock=lambda: AT) as b:
        assert b.submit(scenario, orders_csv("OLD", 5), filename="old.csv").accepted
        if n_open:
            assert b.submit(scenario, orders_csv("P", n_open), filename="open.csv").accepted
    return path


def commit_plan_of(n: int) -> DayPlan:
    """Half of P00000.. planned on R1, a quarter carried over, a quarter expired."""
    ids = [f"P{k:05d}" for k in range(n)]
    half, three = n // 2, 3 * n // 4
    return DayPlan(
        day=date(2026, 6, 15),
        assigned=tuple(Assignment(i, "R1", 1 + k % 3, 480.0, 490.0, 560.0) for k, i in enumerate(ids[:half])),
        unserved=tuple((i, "truck full") for i in ids[half:three]),
        expired=tuple((i, "window closed") for i in ids[three:]),
        versions=dict.fromkeys(ids, 1),
        scenario_name="tiny",
    )


def run_forked(path: Path, change, delay: float | None, from_txn: bool) -> bool:
    """Run ``change(book)`` in a forked child; SIGKILL it ``delay`` s after its signal. True if it finished."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: open, signal, change, signal; never return into pytest
        try:
            os.close(r)

            def clock() -> str:
                os.write(w, b"T")
                return AT

            book = Book(path, clock=clock)
            os.write(w, b"R")
            change(book)
            book.close()
            os.write(w, b"D")
        finally:
            os._exit(0)
    os.close(w)
    wanted = b"T" if from_txn else b"R"
    seen = b""
    while wanted not in seen:
        chunk = os.read(r, 16)
        if not chunk:
            break
        seen += chunk
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    ready, _, _ = select.select([r], [], [], 0)
    rest = os.read(r, 64) if ready else b""
    os.close(r)
    return b"D" in seen + rest


def kill_many(tmp_path: Path, base: Path, change, kills: int, seed: int) -> tuple[int, int]:
    """Kill ``change`` ``kills`` times at random; every book is the before or the after state.

    Returns how many ended in each state (before, after)."""
    before = dump(base)
    done = tmp_path / "done.db"
    shutil.copy(base, done)
    t0 = time.perf_counter()
    assert run_forked(done, change, None, from_txn=False)
    whole = time.perf_counter() - t0
    after = dump(done)
    assert after != before
    rng = random.Random(seed)
    counts = [0, 0]
    for k in range(kills):
        path = tmp_path / f"kill{k}.db"
        shutil.copy(base, path)
        from_txn = k % 2 == 1  # every other kill lands after the transaction began
        run_forked(path, change, rng.uniform(0, whole * (0.3 if from_txn else 1.0)), from_txn)
        state = dump(path)
        assert state in (before, after), f"kill {k} left a book that is neither before nor after"
        counts[state == after] += 1
        Book(path).close()  # and the book still opens (quick_check, schema version)
        for f in tmp_path.glob(f"kill{k}.db*"):
            f.unlink()
    return counts[0], counts[1]


@pytest.mark.integration
def test_submission_killed_at_random_is_all_or_nothing(tmp_path: Path, scenario) -> None:
    """20 kills of a 1,500-order submission: each book holds the 5 old orders only, or all 1,505 with
    1,505 events and 2 submissions; never part of the file."""
    base = base_book(tmp_path, scenario)
    raw = orders_csv("N", 1500)
    before, after = kill_many(tmp_path, base, lambda b: b.submit(scenario, raw, filename="big.csv"), 20, seed=1)
    print(f"submission kills: {before} left the book as before, {after} as after")
    assert before >= 1


@pytest.mark.integration
def test_commit_killed_at_random_is_all_or_nothing(tmp_path: Path, scenario) -> None:
    """20 kills of a commit over 1,500 open orders: all of them change state, or none."""
    base = base_book(tmp_path, scenario, n_open=1500)
    plan = commit_plan_of(1500)
    before, after = kill_many(tmp_path, base, lambda b: b.commit_plan(plan, "dispatcher"), 20, seed=2)
    print(f"commit kills: {before} left the book as before, {after} as after")
    assert before >= 1


CHILD = """
import sys
from datetime import date
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_orders_reliability import commit_plan_of
from coldchain.apps.orders import Book
Book(Path(sys.argv[1]), clock=lambda: {at!r}).commit_plan(commit_plan_of(int(sys.argv[2])), "dispatcher")
"""


def _paused(cmd: list[str], point: str) -> None:
    env = os.environ | {"COLDCHAIN_TEST_PAUSE": point, "PYTHONIOENCODING": "utf-8"}
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
    try:
        line = child.stdout.readline().decode()
        assert line.strip() == f"PAUSED {point}", (line, child.stderr.read().decode() if child.poll() else "")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stderr.close()


@pytest.mark.integration
@pytest.mark.parametrize("point", ["submit:after-submission-row", "submit:mid-rows", "submit:before-commit"])
def test_cli_submission_killed_inside_its_transaction(tmp_path: Path, scenario, point: str) -> None:
    """`coldchain orders submit` killed at each point inside its transaction leaves the book as before;
    submitting the file again then adds each of its 40 orders exactly once (45 orders, 45 events)."""
    base = base_book(tmp_path, scenario)
    before = dump(base)
    new = tmp_path / "new.csv"
    new.write_bytes(orders_csv("N", 40))
    cmd = [
        sys.executable,
        "-m",
        "coldchain",
        "orders",
        "submit",
        str(new),
        "-s",
        str(DATA / "tiny"),
        "--book",
        str(base),
    ]
    _paused(cmd, point)
    assert dump(base) == before
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "Added 40 order(s)" in done.stdout
    state = dump(base)
    assert len(state["orders"]) == 45 and len(state["order_events"]) == 45 and len(state["submissions"]) == 2


@pytest.mark.integration
@pytest.mark.parametrize("point", ["commit:after-plan-row", "commit:mid-orders", "commit:before-commit"])
def test_commit_killed_inside_its_transaction(tmp_path: Path, scenario, point: str) -> None:
    """A plan commit killed at each point inside its transaction leaves the book as before (40 open)."""
    base = base_book(tmp_path, scenario, n_open=40)
    before = dump(base)
    script = CHILD.format(tests=str(Path(__file__).parent), at=AT)
    _paused([sys.executable, "-c", script, str(base), "40"], point)
    assert dump(base) == before


@pytest.mark.integration
def test_two_submissions_at_once_both_land(tmp_path: Path) -> None:
    """Two shippers' 2,000-order files submitted by two processes at the same moment, the first
    submissions of a book not yet created: both exit 0 and the book holds all 4,000 orders (one
    writer waits for the other's transaction)."""
    book = tmp_path / "orders.db"
    files = []
    for name, shipper in (("A", "荔香合作社"), ("B", "红岭合作社")):
        f = tmp_path / f"{name}.csv"
        f.write_bytes(orders_csv(name, 2000, shipper))
        files.append(f)
    cmds = [
        [sys.executable, "-m", "coldchain", "orders", "submit", str(f), "-s", str(DATA / "tiny"), "--book", str(book)]
        for f in files
    ]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO) for c in cmds]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    with Book(book) as b:
        assert b.counts()["open"] == 4000
        assert {s: len(b.list(shipper=s)) for s in b.shippers()} == {"红岭合作社": 2000, "荔香合作社": 2000}


@pytest.mark.integration
def test_ten_thousand_orders_submit(tmp_path: Path) -> None:
    """A 10,000-order file lands in one submission through the CLI (time printed, not asserted)."""
    f = tmp_path / "big.csv"
    f.write_bytes(orders_csv("N", 10_000))
    book = tmp_path / "orders.db"
    cmd = [sys.executable, "-m", "coldchain", "orders", "submit", str(f), "-s", str(DATA / "tiny"), "--book", str(book)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - t0
    assert done.returncode == 0, done.stderr
    print(f"10,000 orders submitted in {seconds:.2f} s (whole CLI process)")
    with Book(book) as b:
        assert b.counts()["open"] == 10_000 and len(b.history("N09999")) == 1
