"""County scale: coldchain and PyVRP on generated county days, same budget, one checker.

    python bench/county.py --day full --seeds 1 2 3 --time-limit 60

For each seed, coldchain plans the generated day (``plan()``, method ``auto``: the compiled route
search, ``search``, on a county day) within ``--time-limit`` seconds, and PyVRP (HGS) gets the same
day and the same budget (``MaxRuntime``; building its model is timed apart). Both plans are written
and run through the independent checker, and costed by the same formula: fixed + km + driver hours
+ the value of the orders left. PyVRP gets the day with the approximations the issue prescribes:

- freshness becomes a pickup time window: latest pickup = deadline minus the direct drive to
  the hub (minus service); the rule actually checked is arrival at the cold store, which a truck
  that visits other stops after the pickup can miss;
- reefer space is a second load dimension that chilled orders (and pre-cooled litchi) must use;
- a stop's pickup orders are one optional client with a prize (their value); at a parcel stop
  they are a second client at the same place. If PyVRP serves the two on different trucks (one
  visit per stop is a coldchain rule), the pickups are dropped from the plan and counted;
- integer data: distances in 10 m, durations in 0.1 min, money in 0.001 CNY.

PyVRP's own objective on that relaxed conversion (its ``cost()``, in CNY) is reported beside its
plan's true cost, so that the reader sees how much of a gap comes from the conversion.

``--lines`` adds a row per seed: fixed lines designed from coldchain's plan (``lines_from_plan``),
then planned for the same day with ``plan_lines``. ``--no-pyvrp`` plans with coldchain only (for
tuning). Prints one markdown table per seed and a summary (per seed the costs and their ratio,
then the geometric mean of the ratios over the seeds), and writes them to
``bench/reports/county-<day>-<date>.md`` (``--out`` to choose another file).
"""

from __future__ import annotations

import argparse
import math
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
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
    """PyVRP's plan as a dict: ``routes`` (site-id lists, None when it found no feasible plan),
    ``picks`` per route, ``departures``, ``split`` (pickups dropped, see the module docstring),
    ``wall`` (its solve) and ``build`` seconds (the model), and ``objective``, its own cost on the
    relaxed conversion in CNY."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    t_build = time.perf_counter()
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
    build = time.perf_counter() - t_build
    t0 = time.perf_counter()
    res = m.solve(stop=MaxRuntime(budget_s), seed=seed, display=False)
    wall = time.perf_counter() - t0
    out = {"routes": None, "picks": None, "departures": None, "split": 0, "wall": wall, "build": build}
    out["objective"] = res.cost() / 1000.0 if res.best.is_feasible() else None
    if not res.best.is_feasible():
        return out
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
    out.update(routes=routes, picks=picks, departures=departs, split=split)
    return out


def _row(scenario, method: str, p, wall: float, bound: bool = True, **extra) -> dict:
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
        **extra,
    }
    print({k: v for k, v in row.items() if k != "plan"}, file=sys.stderr, flush=True)
    return row


def _money(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _seed_table(day: str, seed: int, inst: Instance, rows: list[dict], note: str) -> list[str]:
    """One markdown table for one seed's run."""
    lines = [
        f"### `{day}` seed {seed}: {inst.n} stops, {len(inst.orders)} orders, "
        f"{sum(t.count for t in inst.types)} trucks (one run each)",
        "",
        "| method | cost CNY | of which value lost | lower bound | gap | trucks | orders unserved "
        "| checker violations | wall s | notes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        gap = f"{100 * r['gap']:.1f} %" if r["gap"] is not None else "-"
        viol = str(r["violations"]) + (
            f" ({', '.join(f'{k} {v}' for k, v in r['rules'].items())})" if r["rules"] else ""
        )
        lines.append(
            f"| {r['method']} | {_money(r['cost'])} | {_money(r['lost'])} | {_money(r['bound'])} | {gap} "
            f"| {r['trucks']} | {r['unserved']} | {viol} | {r['wall']:.1f} | {r.get('notes', '')} |"
        )
    if note:
        lines += ["", note]
    return [*lines, ""]


def _summary(per_seed: list[dict], pyvrp: bool) -> list[str]:
    """Per seed the two costs and their ratio, then the geometric mean of the ratios."""
    lines = [
        "### Summary",
        "",
        "| seed | coldchain CNY | bound | gap | coldchain wall s | trucks | violations "
        + ("| PyVRP CNY | PyVRP own objective (relaxed) | PyVRP wall s | trucks | violations | coldchain / PyVRP |"
           if pyvrp else "|"),
        "|---|---|---|---|---|---|---|" + ("---|---|---|---|---|---|" if pyvrp else ""),
    ]  # fmt: skip
    ratios = []
    for s in per_seed:
        c, v = s["coldchain"], s.get("pyvrp")
        gap = f"{100 * c['gap']:.1f} %" if c["gap"] is not None else "-"
        text = (
            f"| {s['seed']} | {_money(c['cost'])} | {_money(c['bound'])} | {gap} | {c['wall']:.1f} "
            f"| {c['trucks']} | {c['violations']} |"
        )
        if pyvrp:
            if v is None:
                text += f" no plan | {_money(s.get('pyvrp_objective'))} | - | - | - | - |"
            else:
                ratio = c["cost"] / v["cost"]
                ratios.append(ratio)
                text += (
                    f" {_money(v['cost'])} | {_money(s.get('pyvrp_objective'))} | {v['wall']:.1f} | {v['trucks']} "
                    f"| {v['violations']} | {ratio:.3f} |"
                )
        lines.append(text)
    lines.append("")
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        lines.append(
            f"Geometric mean of coldchain / PyVRP over {len(ratios)} seeds: **{geo:.3f}** "
            f"({len(per_seed)} runs of each method, one per seed)."
        )
    else:
        lines.append(f"{len(per_seed)} runs (one per seed).")
    return [*lines, ""]


def run_seed(args, seed: int) -> tuple[list[str], dict]:
    """Plan one seed's day with coldchain (and PyVRP, fixed lines if asked); its table and numbers."""
    with tempfile.TemporaryDirectory() as tmp:
        write_day(tmp, generate_day(args.day, seed))
        scenario = read_scenario(tmp)
    inst = build_instance(scenario)
    rows, out = [], {"seed": seed}
    t0 = time.perf_counter()
    p = plan(
        scenario,
        PlanOptions(solve=SolveOptions(time_limit_s=args.time_limit, threads=args.threads), seed=args.search_seed),
    )
    wall = time.perf_counter() - t0
    how = p.outcome.termination if p.outcome else "-"
    its = next((n.split("SISR, ")[1].split(" ")[0] for n in p.notes if "SISR, " in n), "")
    notes = f"method {how}" + (f", {its} iterations" if its else "")
    out["coldchain"] = _row(scenario, f"coldchain {args.time_limit:g} s", p, wall, notes=notes)
    rows.append(out["coldchain"])
    if args.lines:
        designed = lines_from_plan(p)
        t0 = time.perf_counter()
        lp = plan_lines(scenario, designed, SolveOptions(time_limit_s=10.0, threads=args.threads))
        wall = time.perf_counter() - t0
        rows.append(_row(scenario, f"fixed lines ({len(designed)}, from that plan)", lp, wall, bound=False))
    note = ""
    if args.pyvrp:
        try:
            got = solve_pyvrp(inst, args.time_limit, seed=args.search_seed + 1)
        except ImportError:
            got = None
            print("PyVRP is not installed: pip install -e .[bench]", file=sys.stderr)
        if got is not None:
            out["pyvrp_objective"] = got["objective"]
            if got["routes"] is not None:
                vp = plan_from_routes(
                    scenario, got["routes"], "PyVRP", picks=got["picks"], departures=got["departures"], strict=False
                )
                obj = _money(got["objective"])
                out["pyvrp"] = _row(
                    scenario, f"PyVRP {args.time_limit:g} s", vp, got["wall"], bound=False,
                    notes=f"own objective {obj} CNY (relaxed conversion); model built in {got['build']:.1f} s",
                )  # fmt: skip
                rows.append(out["pyvrp"])
                note = (
                    "PyVRP pickups dropped because it served a stop's parcels and pickups on two trucks: "
                    f"{got['split']}. Its own objective is on the relaxed conversion (pickup windows for "
                    "freshness, reefer as a second load); the cost column is its plan re-costed and checked "
                    "by coldchain."
                )
            else:
                rows.append({"method": f"PyVRP {args.time_limit:g} s", "cost": None, "lost": None, "bound": None,
                             "gap": None, "trucks": 0, "unserved": 0, "violations": 0, "rules": {},
                             "wall": got["wall"], "notes": "no feasible plan"})  # fmt: skip
    return _seed_table(args.day, seed, inst, rows, note), out


def _commit() -> str:
    try:
        got = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE)
        return got.stdout.strip() or "?"
    except OSError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--day", default="full", help="peak, ordinary or full (coldchain generate --day)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1], help="the days' generator seeds")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per plan, for each method")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--search-seed", type=int, default=0, help="coldchain's search seed (PyVRP gets it + 1)")
    ap.add_argument("--lines", action="store_true", help="add a fixed-lines row per seed")
    ap.add_argument("--no-pyvrp", dest="pyvrp", action="store_false", help="plan with coldchain only")
    ap.add_argument("--out", type=Path, default=None, help="report file (default bench/reports/county-<day>-<date>.md)")
    args = ap.parse_args()

    started = datetime.now(timezone.utc)
    text = [
        f"# County days `{args.day}`, seeds {' '.join(map(str, args.seeds))}, {args.time_limit:g} s each",
        "",
        f"Command: `python bench/county.py --day {args.day} --seeds {' '.join(map(str, args.seeds))} "
        f"--time-limit {args.time_limit:g}" + ("" if args.pyvrp else " --no-pyvrp") + (" --lines" if args.lines else "")
        + f"` at commit {_commit()}, started {started:%Y-%m-%d %H:%M} UTC on {platform.machine()} with "
        f"{args.threads} solver threads; one run per seed and method, on a shared 2-core machine (other jobs ran).",
        "",
        "Costs are as driven (fixed + km + driver hours) plus the value of the orders left, for both methods; "
        "every plan goes through the independent checker.",
        "",
    ]  # fmt: skip
    per_seed = []
    for seed in args.seeds:
        table, numbers = run_seed(args, seed)
        print("\n".join(table), flush=True)
        text += table
        per_seed.append(numbers)
    summary = _summary(per_seed, args.pyvrp)
    print("\n".join(summary))
    text += summary
    out = args.out or HERE / "reports" / f"county-{args.day}-{started:%Y-%m-%d}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(text))
    print(f"Wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
