"""Order book: seconds to submit a file of N orders, to resubmit it (a no-op), and to commit a plan.

Usage: ``python bench/orders_submit.py [--orders 10000] [--runs 3]``. Uses the tiny scenario of
the tests (every order at one of its two villages) and a fresh book in a temporary folder per
run; prints one line per step with the median over the runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from coldchain import read_scenario
from coldchain.apps.orders import Assignment, Book, DayPlan

HEADER = "order_id,shipper,site_id,product_id,quantity_kg,ready_at\n"
TINY = Path(__file__).parent.parent / "tests" / "data" / "tiny"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    scenario = read_scenario(TINY)
    n = args.orders
    raw = (
        HEADER + "".join(f"N{k:06d},荔香合作社,V{1 + k % 2},litchi,{10 + k % 90},2026-06-15 07:00\n" for k in range(n))
    ).encode()
    plan = DayPlan(
        date(2026, 6, 15),
        tuple(Assignment(f"N{k:06d}", "R1", 1, 480.0, 490.0, 560.0) for k in range(n)),
        (),
        (),
        {f"N{k:06d}": 1 for k in range(n)},
    )
    times: dict[str, list[float]] = {"submit": [], "resubmit (same orders, new file)": [], "commit": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp, Book(Path(tmp) / "orders.db") as book:
            t = time.perf_counter()
            assert len(book.submit(scenario, raw).added) == n
            times["submit"].append(time.perf_counter() - t)
            t = time.perf_counter()
            assert len(book.submit(scenario, raw + b"\n").unchanged) == n
            times["resubmit (same orders, new file)"].append(time.perf_counter() - t)
            t = time.perf_counter()
            assert len(book.commit_plan(plan, "bench").planned) == n
            times["commit"].append(time.perf_counter() - t)
    for step, ts in times.items():
        print(f"{n:,} orders, {step}: median {statistics.median(ts):.2f} s over {len(ts)} runs")


if __name__ == "__main__":
    main()
