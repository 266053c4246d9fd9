"""The web page through Flask's test client: sign-in, uploads, isolation between shippers, CSRF, limits,
amend and cancel, error pages, and the dispatcher's plan and commit.

Shippers 新圩荔香合作社 and 大芦村荔枝合作社 send the demo files of ``inputs/orders-demo/`` against the
sample scenario (as in the README's order-book walk-through); the dispatcher's plan is made on
``tests/data/tiny`` (three orders, two trucks) in a few seconds.
"""

from __future__ import annotations

import io
import json
import re
import stat
from datetime import date
from pathlib import Path

import pytest

from coldchain import read_scenario
from coldchain.apps.orders import Assignment, Book, DayPlan
from coldchain.apps.web.app import MAX_UPLOAD_BYTES, create_app, secret_beside
from coldchain.apps.web.planning import PlanSettings
from coldchain.scenario.read import read_orders

REPO = Path(__file__).parent.parent
DEMO = REPO / "inputs" / "orders-demo"
LIXIANG, DALU = "新圩荔香合作社", "大芦村荔枝合作社"
HEADER = "order_id,shipper,site_id,product_id,quantity_kg,ready_at\n"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Visitor:
    """A browser-like test client: signs in with a token, sends forms with the page's CSRF token."""

    def __init__(self, app) -> None:
        self.client = app.test_client()
        self.csrf = ""

    def get(self, url: str, **kw):
        r = self.client.get(url, **kw)
        m = CSRF.search(r.get_data(as_text=True))
        self.csrf = m.group(1) if m else self.csrf
        return r

    def post(self, url: str, data: dict | None = None, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.csrf
        return self.client.post(url, data=data, **kw)

    def login(self, token: str):
        self.get("/login")
        r = self.post("/login", {"token": token})
        self.get("/", follow_redirects=True)  # signing in starts a new session: its pages carry a new CSRF token
        return r

    def upload(self, raw: bytes, name: str = "orders.csv", mode: str = "add", **kw):
        files = {"file": (io.BytesIO(raw), name, kw.pop("mimetype", "text/csv")), "mode": mode}
        return self.post("/orders/upload", files, content_type="multipart/form-data", **kw)


@pytest.fixture(scope="module")
def sample():
    return read_scenario(REPO / "inputs")


@pytest.fixture
def web(tmp_path: Path, sample):
    """The page over a fresh book on the sample: tokens for two shippers and the dispatcher."""
    path = tmp_path / "orders.db"
    with Book(path) as b:
        tokens = {
            LIXIANG: b.add_token(LIXIANG)[1],
            DALU: b.add_token(DALU)[1],
            "admin": b.add_token("调度员", role="admin")[1],
        }
    app = create_app(sample, path)
    visitors = {}
    for who, token in tokens.items():
        visitors[who] = Visitor(app)
        visitors[who].login(token)
    return app, path, tokens, visitors


def text(r) -> str:
    return r.get_data(as_text=True)


def states(path: Path) -> dict[str, tuple[str, int]]:
    with Book(path) as b:
        return {o.order_id: (o.state, o.version) for o in b.list()}


# -- sign-in -------------------------------------------------------------------------------------
@pytest.mark.unit
def test_sign_in_sends_each_role_home_and_refuses_a_wrong_token(web) -> None:
    """A shipper's token opens its orders, the admin token the dispatch page; a wrong token gets 403."""
    app, _, tokens, _ = web
    v = Visitor(app)
    assert v.get("/orders").status_code == 302  # not signed in: to the sign-in page
    v.get("/login")
    r = v.post("/login", {"token": tokens[LIXIANG] + "x"})
    assert r.status_code == 403 and "not valid" in text(r)
    assert v.post("/login", {"token": tokens[LIXIANG]}).headers["Location"] == "/orders"
    assert f"Orders of {LIXIANG}" in text(v.get("/orders"))
    a = Visitor(app)
    a.get("/login")
    assert a.post("/login", {"token": tokens["admin"]}).headers["Location"] == "/dispatch"


@pytest.mark.unit
def test_revoked_token_is_signed_out_at_once(web) -> None:
    """Revoking a token ends the session open with it: the next request goes to the sign-in page."""
    _, path, _, visitors = web
    assert visitors[LIXIANG].get("/orders").status_code == 200
    with Book(path) as b:
        b.revoke_token(next(t.token_id for t in b.tokens() if t.name == LIXIANG))
    r = visitors[LIXIANG].get("/orders")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


# -- uploads -------------------------------------------------------------------------------------
@pytest.mark.unit
def test_good_upload_adds_the_orders_and_lists_them(web) -> None:
    """The demo file goes into the book as `orders submit --shipper` puts it; the page lists each order open."""
    _, path, _, v = web
    r = v[LIXIANG].upload((DEMO / "lixiang-06-15.csv").read_bytes(), "lixiang-06-15.csv")
    assert r.status_code == 200, text(r)
    assert "added 3 order(s): LX-0615-1, LX-0615-2, LX-0615-3" in " ".join(text(r).split())
    assert states(path) == {f"LX-0615-{k}": ("open", 1) for k in (1, 2, 3)}
    page = text(v[LIXIANG].get("/orders"))
    assert re.findall(r'data-order="([^"]+)" data-state="open"', page) == ["LX-0615-1", "LX-0615-2", "LX-0615-3"]
    again = v[LIXIANG].upload((DEMO / "lixiang-06-15.csv").read_bytes(), "lixiang-06-15.csv")
    assert "already sent" in text(again) and len(states(path)) == 3


@pytest.mark.unit
def test_amendment_file_amends_open_orders(web) -> None:
    """dalu-amend.csv sent as an amendment changes DL-0615-2 (version 2), as `orders amend` does; sent as
    new orders it is a conflict that says to amend instead."""
    _, path, _, v = web
    v[DALU].upload((DEMO / "dalu-06-15.csv").read_bytes(), "dalu-06-15.csv")
    raw = (DEMO / "dalu-amend.csv").read_bytes()
    r = v[DALU].upload(raw, "dalu-amend.csv")
    assert r.status_code == 422 and "already in the book with other content" in text(r)
    r = v[DALU].upload(raw, "dalu-amend.csv", mode="amend")
    assert r.status_code == 200 and "amended 1 order(s): DL-0615-2" in text(r)
    assert states(path)["DL-0615-2"] == ("open", 2)


@pytest.mark.unit
def test_bad_upload_names_each_bad_row_beside_it(web, sample) -> None:
    """Each bad row of dalu-bad.csv gets the validation's own message (as the CLI prints it) beside it;
    nothing is added."""
    _, path, _, v = web
    raw = (DEMO / "dalu-bad.csv").read_bytes()
    r = v[DALU].upload(raw, "dalu-bad.csv")
    assert r.status_code == 422 and "nothing was taken" in text(r)
    rows = dict(re.findall(r'<tr data-line="(\d+)" class="bad">.*?<td class="problem">(.*?)</td>', text(r), re.S))
    _, problems = read_orders(raw, "dalu-bad.csv", sample)
    assert sorted(rows) == ["2", "3", "4"] and len(problems) == 3
    for p in problems:
        shown = rows[str(p.line)].replace("&#39;", "'").replace("&amp;", "&")
        assert p.message in shown and p.column in shown and str(p.got) in shown
    assert "V_DALUX" in rows["2"] and "25:00" in rows["4"]
    assert states(path) == {}


@pytest.mark.unit
def test_another_shippers_rows_refused_by_row(web) -> None:
    """A shipper cannot send rows in another shipper's name: each such row is named, nothing added."""
    _, path, _, v = web
    r = v[DALU].upload((DEMO / "lixiang-06-15.csv").read_bytes(), "lixiang-06-15.csv")
    assert r.status_code == 422
    assert len(re.findall(r"a shipper sends only its own orders", text(r))) == 3
    assert states(path) == {}


@pytest.mark.unit
def test_upload_output_is_escaped(web) -> None:
    """Markup in an uploaded file is shown as text, never run."""
    _, _, _, v = web
    raw = (
        "order_id,shipper,site_id,product_id,quantity_kg,ready_at\n"
        f"<script>alert(1)</script>,{DALU},<b>x</b>,litchi,1,2026-06-15 08:00\n"
    )
    page = text(v[DALU].upload(raw.encode(), "x.csv"))
    assert "<script>alert" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;x&lt;/b&gt;" in page


@pytest.mark.unit
def test_oversize_upload_413_and_wrong_type_refused(web) -> None:
    """A file over the byte limit is refused with the 413 page, one over the row limit with 413 too, a file
    that is not .csv with 415; nothing added."""
    _, path, _, v = web
    big = b"order_id,shipper,site_id,product_id,quantity_kg,ready_at\n" + b"x" * MAX_UPLOAD_BYTES
    r = v[DALU].upload(big, "big.csv")
    assert r.status_code == 413 and "larger than 1024 KB" in text(r) and "Traceback" not in text(r)
    r = v[DALU].upload((DEMO / "dalu-06-15.csv").read_bytes(), "dalu.xlsx", mimetype="application/vnd.ms-excel")
    assert r.status_code == 415 and "only .csv files" in text(r)
    many = HEADER.encode() + b"".join(
        f"M{k},{DALU},V_DALU,litchi_hy,1,2026-06-15 08:00\n".encode() for k in range(5001)
    )
    r = v[DALU].upload(many, "many.csv")
    assert r.status_code == 413 and "more than 5000 rows" in text(r)
    assert states(path) == {}


# -- isolation between shippers ------------------------------------------------------------------
def _plan_for(path: Path, order_id: str) -> int:
    """Commit a plan collecting ``order_id`` with truck R1 (no planner needed for the book's side)."""
    with Book(path) as b:
        o = b.get(order_id)
        plan = DayPlan(
            day=date(2026, 6, 15),
            assigned=(Assignment(order_id, "R1", 1, 600.0, 600.0, 700.0),),
            unserved=(),
            expired=(),
            versions={order_id: o.version},
        )
        return b.commit_plan(plan, "调度员").plan_id


@pytest.mark.unit
def test_a_shipper_never_sees_or_changes_another_shippers_orders(web) -> None:
    """On every shipper route, 新圩荔香合作社's orders and notice are 'not found' for 大芦村荔枝合作社,
    and stay as they were."""
    _, path, _, v = web
    assert v[LIXIANG].upload((DEMO / "lixiang-06-15.csv").read_bytes(), "l.csv").status_code == 200
    plan_id = _plan_for(path, "LX-0615-1")
    before = states(path)
    other = v[DALU]
    page = text(other.get("/orders"))
    assert "LX-0615" not in page and LIXIANG not in page.split("</header>")[1]
    assert f"/notices/{plan_id}.csv" not in page
    assert other.get("/orders/LX-0615-2").status_code == 404
    edit = {
        "version": "1",
        "site_id": "V_XX_A",
        "product_id": "litchi_gw",
        "quantity_kg": "1",
        "ready_at": "2026-06-15 10:00",
    }
    assert other.post("/orders/LX-0615-2/amend", edit).status_code == 404
    assert other.post("/orders/LX-0615-2/cancel", {"version": "1"}).status_code == 404
    assert other.get(f"/notices/{plan_id}.csv").status_code == 404
    assert other.upload((DEMO / "lixiang-06-15.csv").read_bytes(), "l.csv", mode="amend").status_code == 422
    taken = f"{HEADER}LX-0615-2,{DALU},V_DALU,litchi_hy,5,2026-06-15 09:00\n"  # the id of another shipper's order
    r = other.upload(taken.encode(), "taken.csv")
    assert r.status_code == 422 and "already used by another shipper" in text(r)
    assert LIXIANG not in text(r).split("</header>")[1] and "litchi_gw" not in text(r)
    assert states(path) == before
    mine = v[LIXIANG].get(f"/notices/{plan_id}.csv")
    assert mine.status_code == 200 and "LX-0615-1,V_XX_A,litchi_fzx,600,collected by truck,R1" in text(mine)


ADMIN_ROUTES = [
    ("get", "/dispatch"),
    ("get", "/dispatch/status"),
    ("post", "/dispatch/plan"),
    ("post", "/dispatch/commit"),
]
SHIPPER_ROUTES = [("get", "/orders"), ("post", "/orders/upload"), ("get", "/orders/X"), ("post", "/orders/X/amend"),
                  ("post", "/orders/X/cancel"), ("get", "/notices/1.csv")]  # fmt: skip


@pytest.mark.unit
@pytest.mark.parametrize(("method", "url"), ADMIN_ROUTES)
def test_dispatcher_routes_are_403_for_shippers(web, method, url) -> None:
    """A shipper's token opens none of the dispatcher's pages (a 403 page), even with a valid CSRF token."""
    _, _, _, v = web
    r = getattr(v[LIXIANG], method)(url)
    assert r.status_code == 403 and "for the dispatcher" in text(r)


@pytest.mark.unit
@pytest.mark.parametrize(("method", "url"), SHIPPER_ROUTES)
def test_shipper_routes_are_403_for_the_dispatcher(web, method, url) -> None:
    """The admin token is not a shipper's: the shippers' pages answer 403."""
    _, _, _, v = web
    assert getattr(v["admin"], method)(url).status_code == 403


# -- CSRF and cross-site requests ----------------------------------------------------------------
@pytest.mark.unit
def test_forms_without_the_csrf_token_are_refused(web) -> None:
    """Upload, cancel, sign-in and plan without the form's CSRF token: a 400 page, nothing changes."""
    app, path, tokens, v = web
    raw = (DEMO / "dalu-06-15.csv").read_bytes()
    files = {"file": (io.BytesIO(raw), "d.csv", "text/csv")}
    r = v[DALU].post("/orders/upload", files, csrf=False, content_type="multipart/form-data")
    assert r.status_code == 400 and "CSRF" in text(r) and states(path) == {}
    v[DALU].upload(raw, "d.csv")
    assert v[DALU].post("/orders/DL-0615-1/cancel", {"version": "1"}, csrf=False).status_code == 400
    assert v["admin"].post("/dispatch/plan", csrf=False).status_code == 400
    fresh = Visitor(app)
    assert fresh.post("/login", {"token": tokens[DALU]}, csrf=False).status_code == 400
    assert all(s == "open" for s, _ in states(path).values())


@pytest.mark.unit
def test_cross_site_post_refused_even_with_a_token(web) -> None:
    """A POST whose Origin is another site (or marked cross-site by the browser) is refused with 403."""
    _, path, _, v = web
    v[DALU].upload((DEMO / "dalu-06-15.csv").read_bytes(), "d.csv")
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        r = v[DALU].post("/orders/DL-0615-1/cancel", {"version": "1"}, headers=headers)
        assert r.status_code == 403
    assert states(path)["DL-0615-1"] == ("open", 1)


# -- amend and cancel ----------------------------------------------------------------------------
@pytest.mark.unit
def test_amend_and_cancel_an_open_order(web) -> None:
    """Amend goes through the book's rules (a bad value is named, a stale form refused); cancel closes it."""
    _, path, _, v = web
    s = v[DALU]
    s.upload((DEMO / "dalu-06-15.csv").read_bytes(), "d.csv")
    s.get("/orders/DL-0615-2")
    edit = {"version": "1", "site_id": "V_DALU", "product_id": "litchi_fzx", "quantity_kg": "450",
            "ready_at": "2026-06-15 12:00"}  # fmt: skip
    r = s.post("/orders/DL-0615-2/amend", edit)
    assert r.status_code == 302 and states(path)["DL-0615-2"] == ("open", 2)
    page = text(s.get("/orders/DL-0615-2"))
    assert "amended" in page and "450" in page
    bad = s.post("/orders/DL-0615-2/amend", edit | {"version": "2", "quantity_kg": "-5"})
    assert bad.status_code == 422 and "order DL-0615-2:2:quantity_kg: must be greater than 0 (got -5)" in text(bad)
    stale = s.post("/orders/DL-0615-2/amend", edit | {"version": "1", "quantity_kg": "500"})
    assert stale.status_code == 422 and "changed since you saw it (version 1, now 2): reload it" in text(stale)
    assert states(path)["DL-0615-2"] == ("open", 2)
    assert s.post("/orders/DL-0615-2/cancel", {"version": "2", "reason": "rain"}).status_code == 302
    assert states(path)["DL-0615-2"] == ("cancelled", 3)
    assert s.post("/orders/DL-0615-2/cancel", {"version": "3"}).status_code == 409
    s.get("/orders")
    r = s.upload(f"{HEADER}DL-0615-2,{DALU},V_DALU,litchi_fzx,460,2026-06-15 12:00\n".encode(), "a.csv", mode="amend")
    assert r.status_code == 422 and "only an open order can be amended" in text(r)


# -- errors, headers, session key ----------------------------------------------------------------
@pytest.mark.unit
def test_errors_are_pages_never_tracebacks(tmp_path: Path, sample) -> None:
    """404, 405 and an internal error (500) are the page's own error pages."""
    Book(tmp_path / "b.db").close()
    app = create_app(sample, tmp_path / "b.db")

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    c = app.test_client()
    for url, code in (("/nowhere", 404), ("/boom", 500)):
        r = c.get(url)
        assert r.status_code == code and f'id="error-code">{code}' in text(r)
        assert "Traceback" not in text(r) and "secret detail" not in text(r)
    assert c.get("/logout").status_code == 405


@pytest.mark.unit
def test_security_headers_and_session_cookie(web) -> None:
    """Pages forbid other origins' scripts (CSP); the session cookie is HttpOnly and SameSite=Strict."""
    app, _, tokens, _ = web
    v = Visitor(app)
    r = v.get("/login")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r = v.post("/login", {"token": tokens[DALU]})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and tokens[DALU] not in cookie


@pytest.mark.unit
def test_session_key_kept_beside_the_book_mode_0600(tmp_path: Path) -> None:
    """The session key is made once beside the book, readable by its owner only, and read back after;
    a key others may read is refused."""
    book = tmp_path / "orders.db"
    key = secret_beside(book)
    path = tmp_path / "orders.db.web-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(key) == 64
    assert secret_beside(book) == key
    path.chmod(0o644)
    with pytest.raises(PermissionError, match="others may read the session key"):
        secret_beside(book)


# -- the dispatcher ------------------------------------------------------------------------------
@pytest.mark.integration
def test_dispatcher_plans_in_the_background_and_commits(tmp_path: Path) -> None:
    """On the tiny day: the plan runs in the background (status JSON with bound and gap), the page shows
    the map's data, each run and the unserved orders; an amendment meanwhile makes the commit fail
    (plan again); commit marks orders planned as the CLI's commit does, a shipper downloads the
    notice, a second plan for the day is refused; only the book is written."""
    tiny = REPO / "tests" / "data" / "tiny"
    path = tmp_path / "book" / "orders.db"
    path.parent.mkdir()
    with Book(path) as b:
        admin = b.add_token("调度员", role="admin")[1]
        shipper = b.add_token("红岭合作社")[1]
        assert b.submit(read_scenario(tiny), (tiny / "orders.csv").read_bytes(), filename="orders.csv").accepted
    app = create_app(read_scenario(tiny), path, settings=PlanSettings(time_limit_s=3))
    d = Visitor(app)
    d.login(admin)
    page = text(d.get("/dispatch"))
    assert re.findall(r'<tr data-order="([^"]+)">', page) == ["O1", "O2", "O3"]
    assert d.post("/dispatch/plan").status_code == 302
    job = app.extensions["coldchain"].planner.wait(60)
    status = d.get("/dispatch/status").get_json()
    assert job.state == "done" and status["state"] == "done", status
    assert status["bound_cny"] is not None and status["gap"] is not None
    page = text(d.get("/dispatch"))
    data = json.loads(re.search(r'id="plan-data">(.*?)</script>', page, re.S).group(1))
    routes = [r["vehicle"] for r in job.doc["routes"]]
    drawn = [f["properties"]["vehicle"] for f in data["geo"]["features"] if f["properties"]["feature"] == "route"]
    assert routes and drawn == routes and len(data["sites"]) == len(read_scenario(tiny).sites) - 1
    assert re.findall(r'<table class="run" data-vehicle="([^"]+)"', page) == routes
    with Book(path) as b:  # a shipper amends an order while the plan waits for its commit
        b.amend_order(read_scenario(tiny), "O3", {"quantity_kg": "90"}, "红岭合作社")
    d.post("/dispatch/commit", {"job": str(job.job_id)})
    assert "the book changed while planning (O3 amended" in text(d.get("/dispatch")).replace("&#39;", "'")
    assert states(path)["O2"] == ("open", 1)
    d.post("/dispatch/plan")
    job = app.extensions["coldchain"].planner.wait(60)
    assert job.state == "done" and job.job_id == 2
    d.get("/dispatch")
    assert d.post("/dispatch/commit", {"job": str(job.job_id)}).status_code == 302
    assert "Committed plan 1 for 2026-06-15" in text(d.get("/dispatch"))
    served = {o["id"] for r in job.doc["routes"] for s in r["steps"] for o in s.get("orders") or []}
    with Book(path) as b:
        got = {o.order_id: o.state for o in b.list()}
    assert served and {k for k, v in got.items() if v == "planned"} == served
    s = Visitor(app)
    s.login(shipper)
    notice = s.get("/notices/1.csv")
    assert notice.status_code == 200 and text(notice).startswith("\ufeffplan_day,order_id")
    assert d.post("/dispatch/plan").status_code == 302
    assert "was committed by 调度员" in text(d.get("/dispatch"))
    assert sorted(p.name for p in path.parent.iterdir()) in (
        ["orders.db"],
        ["orders.db", "orders.db-shm", "orders.db-wal"],
    )
    assert not (tiny / "orders.db").exists()
