"""``coldchain orders`` and ``coldchain plan --from-book``: the README walk-through on the tiny scenario.

Shipper 荔香合作社 sends A1 (400 kg litchi at V1, ready 07:00) and A2 (200 kg at V1, ready 19:30,
after V1 closes at 18:30; V1 pre-cools, so its window is 72 h); shipper 红岭合作社 sends B1 (300 kg
litchi at V2, ready 08:00) and B2 (fresh fish ready 06-14 06:00: its 6 h window closed before
06-15). Planning 06-15 serves A1 and B1, leaves A2 open (carried over) and expires B2; planning
06-16 serves A2.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coldchain import check_folder, read_scenario
from coldchain.apps.orders import Book, day_orders
from coldchain.cli import app

DATA = Path(__file__).parent / "data"
HEADER = "order_id,shipper,site_id,product_id,quantity_kg,ready_at\n"
runner = CliRunner()


def write(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "lixiang": write(
            tmp_path / "lixiang.csv",
            "A1,荔香合作社,V1,litchi,400,2026-06-15 07:00",
            "A2,荔香合作社,V1,litchi,200,2026-06-15 19:30",
        ),
        "hongling": write(
            tmp_path / "hongling.csv",
            "B1,红岭合作社,V2,litchi,300,2026-06-15 08:00",
            "B2,红岭合作社,V2,fresh_fish,100,2026-06-14 06:00",
        ),
    }


def orders(*args: str):
    return runner.invoke(app, ["orders", *args])


@pytest.mark.integration
def test_walk_through_two_days(tmp_path: Path, files: dict[str, Path]) -> None:
    """Submit twice (the second time adds nothing), plan and commit 06-15, read the notices, plan 06-16."""
    tiny, book = str(DATA / "tiny"), str(tmp_path / "orders.db")
    common = ["-s", tiny, "--book", book]
    r = orders("submit", str(files["lixiang"]), "--shipper", "荔香合作社", *common)
    assert r.exit_code == 0 and "Added 2 order(s): A1, A2." in r.stdout, r.output
    assert orders("submit", str(files["hongling"]), "--shipper", "红岭合作社", *common).exit_code == 0
    again = orders("submit", str(files["hongling"]), "--shipper", "红岭合作社", *common)
    assert again.exit_code == 0 and "already submitted" in again.stdout

    with Book(book) as b:
        day1 = day_orders(b, read_scenario(tiny))
    out1 = tmp_path / "plan-06-15"
    r = runner.invoke(app, ["plan", tiny, "--from-book", "--book", book, "-o", str(out1), "--no-map", "-q",
                            "--time-limit", "10", "--commit"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "2 order(s) planned, 1 left open for the next plan, 1 expired; 2 pickup notice(s)" in r.stdout
    assert check_folder(day1.scenario, out1) == []
    lixiang = (out1 / "notices" / "荔香合作社.csv").read_text(encoding="utf-8-sig").splitlines()
    assert (
        lixiang[0] == "plan_day,order_id,site_id,product_id,quantity_kg,outcome,vehicle_id,ready_from,truck_by,reason"
    )
    assert lixiang[1].startswith("2026-06-15,A1,V1,litchi,400,collected by truck,")
    assert lixiang[2].startswith("2026-06-15,A2,V1,litchi,200,not collected today,,,,")
    hongling = (out1 / "notices" / "红岭合作社.csv").read_text(encoding="utf-8-sig")
    assert 'B2,V2,fresh_fish,100,expired,,,,"its 6 h freshness window closed at 2026-06-14 12:00' in hongling

    twice = runner.invoke(app, ["plan", tiny, "--from-book", "--book", book, "-o", str(tmp_path / "x"), "--commit"])
    assert twice.exit_code == 1 and "plan 1 for 2026-06-15 was committed by" in twice.stderr
    assert not (tmp_path / "x").exists()

    listed = orders("list", "--status", "open", "--csv", *common)
    assert [line.split(",")[0] for line in listed.stdout.splitlines()] == ["order_id", "A2"]

    with Book(book) as b:
        day2 = day_orders(b, read_scenario(tiny), date(2026, 6, 16))
    out2 = tmp_path / "plan-06-16"
    r = runner.invoke(app, ["plan", tiny, "--from-book", "--book", book, "--date", "2026-06-16", "-o", str(out2),
                            "--no-map", "-q", "--time-limit", "10", "--commit"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Committed plan 2 for 2026-06-16: 1 order(s) planned, 0 left open" in r.stdout
    assert check_folder(day2.scenario, out2) == []
    with Book(book) as b:
        assert [(o.order_id, o.state, str(o.plan_day)) for o in b.list()] == [
            ("B2", "expired", "2026-06-15"),
            ("A1", "planned", "2026-06-15"),
            ("B1", "planned", "2026-06-15"),
            ("A2", "planned", "2026-06-16"),
        ]
        assert [e.kind for e in b.history("A2")] == ["submitted", "not_planned", "planned"]
    history = orders("history", "A2", *common)
    assert history.exit_code == 0 and "not_planned" in history.stdout and "ready at 19:30" in history.stdout


@pytest.mark.integration
def test_plan_from_book_without_commit_changes_nothing(tmp_path: Path, files: dict[str, Path]) -> None:
    """Without --commit the plan is written but the book keeps its 2 open orders, and says so."""
    tiny, book = str(DATA / "tiny"), str(tmp_path / "orders.db")
    orders("submit", str(files["lixiang"]), "-s", tiny, "--book", book)
    r = runner.invoke(app, ["plan", tiny, "--from-book", "--book", book, "-o", str(tmp_path / "p"), "--no-map", "-q"])
    assert r.exit_code == 0, r.output
    assert "Not committed: run again with --commit" in r.stdout
    assert (tmp_path / "p" / "orders.csv").is_file() and not (tmp_path / "p" / "notices").exists()
    with Book(book) as b:
        assert b.counts()["open"] == 2 and b.plans() == []


@pytest.mark.integration
def test_bad_file_exit_1_with_located_errors(tmp_path: Path) -> None:
    """Two bad rows: exit 1, one located Error line each plus the 'nothing was added' line; no book rows."""
    bad = write(tmp_path / "bad.csv", "X1,s,V9,litchi,10,2026-06-15 07:00", "X2,s,V1,litchi,0,2026-06-15 07:00")
    book = tmp_path / "orders.db"
    r = orders("submit", str(bad), "-s", str(DATA / "tiny"), "--book", str(book))
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "Error: bad.csv:2:site_id: unknown site: not in sites.csv (got V9)",
        "Error: bad.csv:3:quantity_kg: must be greater than 0 (got 0)",
        "Error: nothing was added: fix the rows above and send the file again",
    ]
    with Book(book) as b:
        assert b.list() == []


@pytest.mark.integration
def test_foreign_book_refused_by_the_cli(tmp_path: Path, files: dict[str, Path]) -> None:
    """A text file given as --book: exit 1, one Error line, the file untouched."""
    fake = tmp_path / "notes.db"
    fake.write_text("shopping list\n")
    r = orders("submit", str(files["lixiang"]), "-s", str(DATA / "tiny"), "--book", str(fake))
    assert r.exit_code == 1
    assert r.stderr.strip() == f"Error: {fake}: not a coldchain order book (not an SQLite database)"
    assert fake.read_text() == "shopping list\n"


@pytest.mark.integration
def test_cancel_and_usage_errors(tmp_path: Path, files: dict[str, Path]) -> None:
    """cancel A1 (exit 0), cancel again (exit 1: it is cancelled), an unknown --status (exit 2),
    --commit without --from-book (exit 2)."""
    tiny, book = str(DATA / "tiny"), str(tmp_path / "orders.db")
    orders("submit", str(files["lixiang"]), "-s", tiny, "--book", book)
    ok = orders("cancel", "A1", "--reason", "sold locally", "--by", "荔香合作社", "--book", book)
    assert ok.exit_code == 0 and "Order A1 is now cancelled." in ok.stdout
    again = orders("cancel", "A1", "--book", book)
    assert again.exit_code == 1 and "is cancelled" in again.stderr
    assert orders("list", "--status", "done", "--book", book).exit_code == 2
    assert runner.invoke(app, ["plan", tiny, "-o", str(tmp_path / "p"), "--commit"]).exit_code == 2
