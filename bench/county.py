"""County scale: coldchain and PyVRP on a generated full-county day, same budget, one checker.

    python bench/county.py --day peak --seed 1 --budgets 30,60,300 --pyvrp-budget 60

For each budget, coldchain plans the day (``plan()``, method ``auto``: the route pool on a county
day) and the plan is written and run through the independent checker. PyVRP (HGS) gets the same
day with the approximations the issue prescribes, and its plan goes through the same checker:

- freshness becomes a pickup time window: latest pickup = deadline minus the direct drive to
  the hub (minus service); the rule actually checked is arrival at the cold store, which a truck
  that visits other stops after the pickup can miss;
- reefer space is a second load dimension that chilled orders (and pre-cooled litchi) must use;
- a stop's pickup orders are one optional client with a prize (their value); at a parcel stop
  they are a second client at the same place. If PyVRP serves the two on different trucks (one
  visit per stop is a coldchain rule), the pickups are dropped from the plan and counted;
- integer data: distances in 10 m, durations in 0.1 min, money in 0.001 CNY.

Fixed lines (``--lines``, on by default): lines designed from coldchain's plan at the first
budget (``lines_from_plan``), then planned for the same day with ``plan_lines``; its wall time
is the fast mode's.

Costs are as driven (fixed + km + driver) plus the value of the orders left, shown separately.
Prints one table (markdown) and writes it to ``bench/results/county-<day>-<seed>.md``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import checker_violations  # noqa: E402

from coldchain.apps.generate import generate_day, write_day  # noqa: E402
from coldchain.apps.lines import lines_from_plan, plan_lines  # noqa: E402
from coldchain.core.instance import Instance, build_instance  # noqa: E402
from coldchain.core.outcome import SolveOptions  # noqa: E402
from coldchain.core.plan import PlanOptions  # noqa: E402
from coldchain.planner.plan import plan, plan_from_routes  # noqa: E402
from coldchain.scenario.read import read_scenario  # noqa: E402


def solve_pyvrp(inst: Instance, budget_s: float, seed: int = 1):
    """PyVRP's plan as (routes as site-id lists, picks per route, departures, split count, wall s)."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    m = Model()
    locs = {0: m.add_location(0, 0)}  # coordinates unused: every edge is given below
    depot = m.add_depot(locs[0])
    clients = []  # (node, kind) per client in order added; kind "parcels" or "pickup"
    n = inst.n
    for i in range(1, n + 1):
        locs[i] = m.add_location(i, 0)
    for t in inst.types:
        m.add_vehicle_type(
            num_available=t.count,
            capacity=[round(t.capacity_kg), round(t.reefer_kg)],
            start_depot=depot,
            end_depot=depot,
            fixed_cost=round(t.fixed_cny * 1000),
            tw_early=round(t.start_min * 10),
            tw_late=round(t.end_min * 10),
            unit_distance_cost=round(t.cny_per_km * 10),
            unit_duration_cost=round(t.cny_per_h * 1000 / 600),
        )
    for st in inst.stops:
        i = st.node
        servable = [inst.orders[o] for o in st.orders if inst.orders[o].excluded is None]
        if st.mandatory:
            m.add_client(
                locs[i],
                delivery=[round(st.delivery_kg), 0],
                service_duration=round(st.service_min * 10),
                tw_early=round(st.open_min * 10),
                tw_late=round(st.latest_start_min * 10),
                required=True,
            )
            clients.append((i, "parcels"))
        if servable:
            kg = sum(o.kg for o in servable)
            cold = sum(o.kg for o in servable if o.chilled)
            ready = max(o.ready_min for o in servable)
            latest = min(o.deadline_min for o in servable) - inst.minutes[i, 0] - st.service_min
            latest = min(latest, st.latest_start_min)
            if latest < max(ready, st.open_min):
                continue  # PyVRP could not serve these in time under the approximation
            m.add_client(
                locs[i],
                pickup=[round(kg), round(cold)],
                service_duration=0 if st.mandatory else round(st.service_min * 10),
                tw_early=round(max(ready, st.open_min) * 10),
                tw_late=round(latest * 10),
                prize=round(sum(o.value_cny for o in servable) * 1000),
                required=False,
            )
            clients.append((i, "pickup"))
    for a in range(n + 1):
        for b in range(n + 1):
            if a != b:
                m.add_edge(
                    locs[a], locs[b], distance=round(inst.km[a, b] * 100), duration=round(inst.minutes[a, b] * 10)
                )
    t0 = time.perf_counter()
    res = m.solve(stop=MaxRuntime(budget_s), seed=seed, display=False)
    wall = time.perf_counter() - t0
    if not res.best.is_feasible():
        return None, None, None, 0, wall
    # PyVRP numbers locations: depot 0, then our stops 1..n; clients are visits to them
    visits = []
    for r in res.best.routes():
        acts = [a for a in r.schedule() if a.is_client()]
        seq_clients = [a.idx for a in acts]  # client index 0.. in order added
        visits.append((r, seq_clients))
    # where each parcel client went, to detect split visits
    parcel_route = {}
    for n_r, (_, cl) in enumerate(visits):
        for c in cl:
            if clients[c][1] == "parcels":
                parcel_route[clients[c][0]] = n_r
    routes, picks, departs, split = [], [], [], 0
    for n_r, (r, cl) in enumerate(visits):
        seq, chosen = [], {}
        for c in cl:
            node, kind = clients[c]
            if kind == "pickup" and node in parcel_route:
                if parcel_route[node] != n_r:
                    split += 1
                    continue
            else:  # a parcel visit, or pickups at a stop without parcels
                seq.append(node)
            # pickups at a parcel stop on the same truck are made at its parcel visit
            if kind == "pickup":
                sid = inst.nodes[node]
                chosen[sid] = [
                    inst.orders[o].order_id for o in inst.stop(node).orders if inst.orders[o].excluded is None
                ]
        routes.append([inst.nodes[i] for i in seq])
        picks.append(chosen)
        departs.append(r.start_time() / 10.0)
    return routes, picks, departs, split, wall


def _row(scenario, method: str, p, wall: float, build: float, bound: bool = True, **extra) -> dict:
    """One table row: the plan's cost, value lost, bound and gap (if ``bound``: the day's lower
    bound, not a MILP's over restricted columns), and what the checker finds."""
    found = checker_violations(scenario, p)
    o = p.outcome if bound else None
    row = {
        "method": method,
        "cost": p.cost,
        "lost": sum(p.instance.orders[i].value_cny for i in p.unserved),
        "bound": o.bound if o else None,
        "gap": o.gap if o else None,
        "trucks": sum(1 for r in p.routes if r.seq),
        "unserved": len(p.unserved),
        "violations": len(found),
        "rules": dict(Counter(v.rule for v in found)),
        "wall": wall,
        "build": build,
        **extra,
    }
    print(row, flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--day", default="peak")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budgets", default="30,60,300", help="coldchain time limits (s), comma-separated")
    ap.add_argument("--pyvrp-budget", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-lines", dest="lines", action="store_false", help="skip the fixed-lines row")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        write_day(tmp, generate_day(args.day, args.seed))
        scenario = read_scenario(tmp)
    inst = build_instance(scenario)
    rows, first_plan = [], None
    for budget in [float(b) for b in args.budgets.split(",") if b]:
        t0 = time.perf_counter()
        p = plan(scenario, PlanOptions(solve=SolveOptions(time_limit_s=budget, threads=args.threads)))
        wall = time.perf_counter() - t0
        build = p.timings.get("bound_s", 0) + p.timings.get("build_s", 0)
        rows.append(_row(scenario, f"coldchain {budget:g} s", p, wall, build))
        if args.lines and first_plan is None:
            first_plan = p
    if first_plan is not None:
        designed = lines_from_plan(first_plan)
        t0 = time.perf_counter()
        p = plan_lines(scenario, designed, SolveOptions(time_limit_s=10.0, threads=args.threads))
        wall = time.perf_counter() - t0
        method = f"fixed lines ({len(designed)}, from the {rows[0]['method']} plan)"
        rows.append(_row(scenario, method, p, wall, p.timings.get("columns_s", 0.0), bound=False))
    try:
        routes, picks, departs, split, wall = solve_pyvrp(inst, args.pyvrp_budget)
    except ImportError:
        routes, wall = None, 0.0
        print("PyVRP is not installed: pip install -e .[bench]", file=sys.stderr)
    if routes is not None:
        p = plan_from_routes(scenario, routes, "PyVRP", picks=picks, departures=departs, strict=False)
        rows.append(_row(scenario, f"PyVRP {args.pyvrp_budget:g} s", p, wall, 0.0, split=split))

    lines = [
        f"County day `{args.day}` seed {args.seed}: {inst.n} stops, {len(inst.orders)} orders, "
        f"{sum(t.count for t in inst.types)} trucks (one run each)",
        "",
        "| method | cost CNY | of which value lost | lower bound | gap | trucks | orders unserved "
        "| checker violations | wall s | bound or columns s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        bound = f"{r['bound']:,.0f}" if r["bound"] is not None else "-"
        gap = f"{100 * r['gap']:.1f} %" if r["gap"] is not None else "-"
        viol = str(r["violations"]) + (
            f" ({', '.join(f'{k} {v}' for k, v in r['rules'].items())})" if r["rules"] else ""
        )
        lines.append(
            f"| {r['method']} | {r['cost']:,.0f} | {r['lost']:,.0f} | {bound} | {gap} | {r['trucks']} "
            f"| {r['unserved']} | {viol} | {r['wall']:.1f} | {r['build']:.1f} |"
        )
    if routes is not None:
        lines.append("")
        lines.append(f"PyVRP pickups dropped because it served a stop's parcels and pickups on two trucks: {split}.")
    text = "\n".join(lines) + "\n"
    print(text)
    out = HERE / "results" / f"county-{args.day}-{args.seed}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
