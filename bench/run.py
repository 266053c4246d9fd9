"""Run a benchmark suite: coldchain's MILP, PyVRP and OR-Tools on the same instances, same budget.

    python bench/run.py --suite solomon25 --budget 60                # all 56 instances
    python bench/run.py --suite wc-small --budget 60 --methods coldchain,pyvrp
    python bench/run.py --suite solomon25 --only C101,R101 --budget 10

Writes ``bench/results/<suite>-<budget>s/``: ``results.csv`` (one row per instance and method,
appended as each finishes, so an interrupted run resumes where it stopped), ``table.md`` (per
instance and a summary per method), and ``solutions/<method>/<instance>.sol`` in VRPLIB format.
Every solution is costed under the instance's BKS convention and run through coldchain's
independent checker. Peers need ``pip install -e .[bench]``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from rich.progress import Progress

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from peers import solve_ortools, solve_pyvrp  # noqa: E402

from coldchain.apps.benchmarks import (  # noqa: E402
    BenchInstance,
    bks_cost,
    bks_table,
    read_solomon,
    read_vrpspdtw,
    solution_cost,
    to_scenario,
    write_solution,
)
from coldchain.check import check_folder  # noqa: E402
from coldchain.core.outcome import SolveOptions  # noqa: E402
from coldchain.core.plan import PlanOptions  # noqa: E402
from coldchain.output.report import write_plan  # noqa: E402
from coldchain.planner.plan import plan, plan_from_routes  # noqa: E402

INST = HERE / "instances"
FIELDS = [
    "instance",
    "n",
    "method",
    "cost",
    "bks",
    "gap_to_bks_pct",
    "proved_optimal",
    "lower_bound",
    "mip_gap_pct",
    "vehicles",
    "wall_s",
    "checker",
    "note",
]


def suite(name: str) -> list[tuple[str, BenchInstance, float | None]]:
    """(name, instance, BKS cost) for every instance of a suite."""
    out = []
    if name.startswith("solomon"):
        n = name.removeprefix("solomon")
        folder = INST / f"solomon_vrptw_{n}"
        bks = bks_table(folder / "BKS.csv")
        files = sorted((folder / ("instances" if n == "100" else "solomon_txt")).glob("*.txt"))
        for f in files:
            key = f.name.split(".")[0]
            out.append((key, read_solomon(f), bks_cost(bks[key]) if key in bks else None))
    elif name.startswith("wc"):
        folder = INST / "vrpspdtw_wang_chen"
        bks = bks_table(folder / "BKS.csv")
        for f in sorted(folder.glob("*.vrpspdtw")):
            b = read_vrpspdtw(f)
            if (name == "wc-small") == (b.n <= 50):
                out.append((f.stem, b, bks_cost(bks[f.stem]) if f.stem in bks else None))
    else:
        raise SystemExit(f"unknown suite {name}")
    return out


def checker_violations(scenario, p) -> list:
    """What coldchain's independent checker finds in plan ``p``, written to a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        write_plan(p, tmp, map_png=False)
        return check_folder(scenario, tmp)


def checker_verdict(scenario, p) -> str:
    """'ok', or the first of the violations coldchain's independent checker finds in plan ``p``."""
    problems = checker_violations(scenario, p)
    return "ok" if not problems else f"{len(problems)} violations: {problems[0]}"


def check_routes(b: BenchInstance, routes: list[list[int]]) -> str:
    """'ok', or what coldchain's rules and independent checker say about these routes."""
    scenario = to_scenario(b)
    try:
        p = plan_from_routes(scenario, [[f"C{c}" for c in r] for r in routes])
    except ValueError as exc:
        return f"infeasible: {exc}"
    return checker_verdict(scenario, p)


def run_coldchain(b: BenchInstance, budget: float, threads: int) -> dict:
    scenario = to_scenario(b)
    t0 = time.perf_counter()
    result = plan(scenario, PlanOptions(solve=SolveOptions(time_limit_s=budget, threads=threads)))
    wall = time.perf_counter() - t0
    routes = [[int(result.instance.nodes[i][1:]) for i in r.seq] for r in result.routes if r.seq]
    out = result.outcome
    row = {"wall_s": wall, "routes": routes, "note": "; ".join(result.notes)}
    if result.has_routes:
        row["checker"] = checker_verdict(scenario, result)
    else:
        row["checker"] = f"no plan ({result.status})"
    if out is not None:
        row["proved_optimal"] = out.status == "optimal"
        row["lower_bound"] = out.bound
        row["mip_gap_pct"] = None if out.gap is None else 100 * out.gap
    return row


def run_peer(method: str, b: BenchInstance, budget: float) -> dict:
    solver = {"pyvrp": solve_pyvrp, "ortools": solve_ortools}[method]
    routes, wall = solver(b, budget)
    if not routes:
        return {"wall_s": wall, "routes": [], "checker": "no solution", "note": "no feasible solution found"}
    return {"wall_s": wall, "routes": routes, "checker": check_routes(b, routes)}


def write_table(out: Path, rows: list[dict], budget: float) -> None:
    """Markdown: one line per instance and method, then a summary per method."""
    lines = [
        f"# {out.name}: budget {budget:g} s per instance",
        "",
        "| instance | n | method | cost | BKS | gap to BKS % | proved optimal | lower bound | MIP gap % | wall s "
        "| checker |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def f(v, fmt="{:.2f}"):
        return "" if v in (None, "") else fmt.format(float(v))

    for r in rows:
        lines.append(
            f"| {r['instance']} | {r['n']} | {r['method']} | {f(r['cost'])} | {f(r['bks'])} | "
            f"{f(r['gap_to_bks_pct'])} | {r['proved_optimal']} | {f(r['lower_bound'])} | "
            f"{f(r['mip_gap_pct'])} | {f(r['wall_s'], '{:.1f}')} | {r['checker']} |"
        )
    lines += [
        "",
        "| method | instances | solved | checker ok | at BKS (<0.01 %) | mean gap to BKS % | proved optimal |",
        "|---|---|---|---|---|---|---|",
    ]
    for method in sorted({r["method"] for r in rows}):
        rs = [r for r in rows if r["method"] == method]
        solved = [r for r in rs if r["cost"] not in (None, "")]
        gaps = [float(r["gap_to_bks_pct"]) for r in solved if r["gap_to_bks_pct"] not in (None, "")]
        lines.append(
            f"| {method} | {len(rs)} | {len(solved)} | {sum(r['checker'] == 'ok' for r in rs)} | "
            f"{sum(g < 0.01 for g in gaps)} | {sum(gaps) / len(gaps) if gaps else float('nan'):.2f} | "
            f"{sum(str(r['proved_optimal']) == 'True' for r in rs)} |"
        )
    (out / "table.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", required=True, help="solomon25, solomon50, solomon100, wc-small, wc-100")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per instance and method")
    ap.add_argument("--methods", default="coldchain,pyvrp,ortools")
    ap.add_argument("--only", default="", help="comma-separated instance names")
    ap.add_argument("--threads", type=int, default=2, help="HiGHS threads (the peers run single-threaded)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    out = Path(args.out) if args.out else HERE / "results" / f"{args.suite}-{args.budget:g}s"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.csv"
    rows = list(csv.DictReader(path.open())) if path.is_file() else []
    done = {(r["instance"], r["method"]) for r in rows}
    cases = suite(args.suite)
    if args.only:
        keep = set(args.only.split(","))
        cases = [c for c in cases if c[0] in keep]
    methods = args.methods.split(",")
    todo = [(c, m) for c in cases for m in methods if (c[0], m) not in done]
    new_file = not path.is_file()
    with path.open("a", newline="") as fh, Progress() as progress:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        if new_file:
            writer.writeheader()
        task = progress.add_task(f"{args.suite} ({len(done)} done before)", total=len(todo))
        for (name, b, bks), method in todo:
            progress.update(task, description=f"{args.suite}: {name} / {method}")
            res = (
                run_coldchain(b, args.budget, args.threads)
                if method == "coldchain"
                else run_peer(method, b, args.budget)
            )
            routes = res.pop("routes")
            cost = solution_cost(b, routes) if routes else None
            if routes:
                (out / "solutions" / method).mkdir(parents=True, exist_ok=True)
                write_solution(out / "solutions" / method / f"{name}.sol", routes, cost)
            row = {
                "instance": name,
                "n": b.n,
                "method": method,
                "cost": cost,
                "bks": bks,
                "gap_to_bks_pct": None if cost is None or not bks else 100 * (cost - bks) / bks,
                "vehicles": len(routes),
                "proved_optimal": "",
                "lower_bound": None,
                "mip_gap_pct": None,
                "note": "",
                **res,
            }
            writer.writerow({k: row.get(k) for k in FIELDS})
            fh.flush()
            rows.append({k: ("" if row.get(k) is None else row.get(k)) for k in FIELDS})
            progress.advance(task)
    write_table(out, rows, args.budget)
    print((out / "table.md").read_text().split("\n\n")[-1])


if __name__ == "__main__":
    main()
