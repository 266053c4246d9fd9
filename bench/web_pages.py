"""Web page: seconds for a shipper's upload of N orders and for its orders page, and how quickly the
status endpoint answers while a plan of the sample day runs in the background.

Usage: ``python bench/web_pages.py [--orders 5000] [--runs 3] [--time-limit 10]``. The real server
(waitress, 4 threads, on a free port of 127.0.0.1) over a fresh book in a temporary folder; the
upload and the pages go through HTTP like a browser's (CSRF token included). Prints one line per
step: the median over the runs, and for the status polls their median and worst latency.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import statistics
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import waitress

from coldchain import read_scenario
from coldchain.apps.orders import Book
from coldchain.apps.web.app import create_app
from coldchain.apps.web.planning import PlanSettings

REPO = Path(__file__).parent.parent
SHIPPER = "大芦村荔枝合作社"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Browser:
    """Cookies and the last page's CSRF token, over plain HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as r:
            page = r.read().decode()
        m = CSRF.search(page)
        self.csrf = m.group(1) if m else self.csrf
        return page

    def post(self, path: str, fields: dict, file: tuple[str, bytes] | None = None) -> str:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in (fields | {"csrf_token": self.csrf}).items()
        ]
        if file:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file[0]}"\r\n'
            parts.append(head.encode() + b"Content-Type: text/csv\r\n\r\n" + file[1] + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        req = urllib.request.Request(self.base + path, data=body, method="POST")
        req.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        try:
            with self.opener.open(req, timeout=120) as r:
                return r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.read().decode()


def orders_file(n: int, run: int) -> bytes:
    rows = [f"W{run}-{k},{SHIPPER},V_DALU,litchi_hy,{1 + k % 50},2026-06-16 {6 + k % 10:02d}:00" for k in range(n)]
    return ("order_id,shipper,site_id,product_id,quantity_kg,ready_at\n" + "\n".join(rows) + "\n").encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=10.0)
    args = ap.parse_args()
    sample = read_scenario(REPO / "inputs")
    upload_s, page_s = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.db"
        with Book(path) as b:
            shipper = b.add_token(SHIPPER)[1]
            admin = b.add_token("调度员", role="admin")[1]
            for name in ("lixiang-06-15.csv", "dalu-06-15.csv"):
                who = "新圩荔香合作社" if name.startswith("lixiang") else SHIPPER
                b.submit(sample, REPO / "inputs" / "orders-demo" / name, who)
        app = create_app(sample, path, settings=PlanSettings(time_limit_s=args.time_limit))
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"
        s = Browser(base)
        s.get("/login")
        s.post("/login", {"token": shipper})
        for run in range(args.runs):
            s.get("/orders")
            raw = orders_file(args.orders, run)
            t0 = time.perf_counter()
            page = s.post("/orders/upload", {"mode": "add"}, ("w.csv", raw))
            upload_s.append(time.perf_counter() - t0)
            assert f"added {args.orders} order(s)" in " ".join(page.split()), page[:2000]
            t0 = time.perf_counter()
            s.get("/orders")
            page_s.append(time.perf_counter() - t0)
        total = args.orders * args.runs
        print(f"upload of {args.orders} orders (HTTP, validated, one transaction): {statistics.median(upload_s):.2f} s")
        print(f"orders page with up to {total} orders: {statistics.median(page_s):.2f} s")
        a = Browser(base)
        a.get("/login")
        a.post("/login", {"token": admin})
        a.get("/dispatch")
        a.post("/dispatch/plan", {})
        polls, state = [], "running"
        while state == "running":
            t0 = time.perf_counter()
            with a.opener.open(base + "/dispatch/status", timeout=60) as r:
                state = re.search(r'"state":\s*"(\w+)"', r.read().decode()).group(1)
            polls.append(time.perf_counter() - t0)
            time.sleep(0.2)
        print(
            f"status while planning the sample ({len(polls)} polls, plan {state}): median "
            f"{1000 * statistics.median(polls):.0f} ms, worst {1000 * max(polls):.0f} ms"
        )
        server.close()


if __name__ == "__main__":
    main()
