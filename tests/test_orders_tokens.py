"""The book's sign-in tokens (schema version 2): made once, kept as a hash, revoked; an old book migrates."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coldchain.apps.orders import Book, BookError
from coldchain.apps.orders.book import token_sha256
from coldchain.apps.orders.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, _statements


def _version_1_book(path: Path) -> None:
    """A book as coldchain with schema version 1 left it: one order, no tokens table."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    for statement in _statements(MIGRATIONS[0]):
        con.execute(statement)
    con.execute(
        "INSERT INTO orders (order_id, shipper, site_id, product_id, quantity_kg, ready_at, must_serve, "
        "content_sha256, state, version, submitted_at, updated_at) VALUES "
        "('A1', '荔香合作社', 'V1', 'litchi', 400.0, '2026-06-15 07:00', 0, 'x', 'open', 1, 't', 't')"
    )
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute("PRAGMA user_version = 1")
    con.close()


@pytest.mark.unit
def test_version_1_book_migrates_to_2_keeping_its_orders(tmp_path: Path) -> None:
    """Opening a version-1 book adds the tokens table (one migration), keeps its orders, and then takes tokens."""
    path = tmp_path / "old.db"
    _version_1_book(path)
    with Book(path) as b:
        assert [o.order_id for o in b.list()] == ["A1"]
        assert b.tokens() == []
        token, _ = b.add_token("荔香合作社")
        assert token.token_id == 1
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert con.execute("SELECT count(*) FROM tokens").fetchone()[0] == 1
    con.close()


@pytest.mark.unit
def test_token_shown_once_stored_as_hash(tmp_path: Path) -> None:
    """The token's text is returned once; the file holds only its SHA-256; it signs its holder in."""
    path = tmp_path / "b.db"
    with Book(path) as b:
        token, secret = b.add_token(" 荔香合作社 ", actor="dispatcher")
        assert len(secret) >= 43 and token.name == "荔香合作社" and token.role == "shipper"
        assert token.fingerprint == token_sha256(secret)[:8]
        assert b.token_holder(secret) == token
        assert b.token_holder(secret + "x") is None and b.token_holder("") is None
    raw = path.read_bytes() + (path.with_name("b.db-wal").read_bytes() if path.with_name("b.db-wal").exists() else b"")
    assert secret.encode() not in raw and token_sha256(secret).encode() in raw


@pytest.mark.unit
def test_revoked_token_signs_no_one_in(tmp_path: Path) -> None:
    """A revoked token is refused from then on and listed with its time; revoking twice is harmless."""
    with Book(tmp_path / "b.db") as b:
        _, keep = b.add_token("荔香合作社")
        gone, secret = b.add_token("调度员", role="admin")
        revoked = b.revoke_token(gone.token_id)
        assert revoked.revoked_at is not None and not revoked.active
        assert b.revoke_token(gone.token_id).revoked_at == revoked.revoked_at
        assert b.token_holder(secret) is None and b.token_holder(keep) is not None
        assert [(t.name, t.role, t.active) for t in b.tokens()] == [
            ("荔香合作社", "shipper", True),
            ("调度员", "admin", False),
        ]


@pytest.mark.unit
def test_token_refusals(tmp_path: Path) -> None:
    """No name, an unknown role, or revoking a token that does not exist: refused with the reason."""
    with Book(tmp_path / "b.db") as b:
        with pytest.raises(BookError, match="needs a name"):
            b.add_token("  ")
        with pytest.raises(BookError, match="unknown role 'root'"):
            b.add_token("x", role="root")
        with pytest.raises(BookError, match="no token 7"):
            b.revoke_token(7)
