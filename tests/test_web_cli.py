"""``coldchain tokens add|list|revoke`` and ``coldchain serve``: the token is printed once, only its hash
is kept; the server starts on a free port over the book and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coldchain.apps.orders import Book
from coldchain.cli import app

TINY = Path(__file__).parent / "data" / "tiny"
runner = CliRunner()


@pytest.mark.integration
def test_tokens_add_list_revoke(tmp_path: Path) -> None:
    """add prints the token (stdout, alone) and where it went (stderr); list never shows it; revoke stamps it."""
    book = str(tmp_path / "orders.db")
    r = runner.invoke(app, ["tokens", "add", "荔香合作社", "-s", str(TINY), "--book", book, "--by", "调度员"])
    assert r.exit_code == 0, r.output
    token = r.stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token) and "Token 1 for 荔香合作社, shipper" in r.stderr
    r = runner.invoke(app, ["tokens", "add", "调度员", "--admin", "-s", str(TINY), "--book", book])
    assert r.exit_code == 0 and "dispatcher (admin)" in r.stderr
    with Book(book) as b:
        assert b.token_holder(token).name == "荔香合作社"
    listing = runner.invoke(app, ["tokens", "list", "-s", str(TINY), "--book", book])
    assert listing.exit_code == 0 and "荔香合作社" in listing.stdout and "admin" in listing.stdout
    assert token not in listing.stdout and "active" in listing.stdout
    r = runner.invoke(app, ["tokens", "revoke", "1", "-s", str(TINY), "--book", book])
    assert r.exit_code == 0 and "Token 1 (荔香合作社, shipper) revoked at" in r.stdout
    with Book(book) as b:
        assert b.token_holder(token) is None
    r = runner.invoke(app, ["tokens", "revoke", "9", "-s", str(TINY), "--book", book])
    assert r.exit_code == 1 and "Error: no token 9 in the book" in r.stderr


@pytest.mark.integration
def test_serve_starts_on_a_free_port_and_stops(tmp_path: Path) -> None:
    """``coldchain serve SCENARIO --book B --port 0`` prints its address, answers with the sign-in page,
    keeps its session key beside the book (mode 0600) and ends on SIGINT; nothing else is written."""
    book = tmp_path / "orders.db"
    cmd = [sys.executable, "-m", "coldchain", "serve", str(TINY), "--book", str(book), "--port", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        with urllib.request.urlopen(url + "login", timeout=10) as resp:
            page = resp.read().decode()
            assert resp.status == 200 and 'name="csrf_token"' in page
            assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, proc.stderr.read()
    key = tmp_path / "orders.db.web-secret"
    assert oct(os.stat(key).st_mode & 0o777) == "0o600"
    assert {p.name for p in tmp_path.iterdir()} <= {"orders.db", "orders.db-wal", "orders.db-shm", key.name}
    assert not (TINY / "orders.db").exists()
