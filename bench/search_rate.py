"""How many iterations a second the compiled day search runs, on generated county days.

    python bench/search_rate.py --days peak:1 full:1 full:2 --seconds 10

For each day, `coldchain.search.day.search_day` runs for ``--seconds`` with no iteration cap
(granular re-insertion and route removal as the planner sets them, or ``--granular 0``), and
the iterations per second and seconds per iteration and item are printed. `coldchain.planner.by_search`
derives its iteration cap (the same seed gives the same plan) from these figures.
"""

from __future__ import annotations

import argparse
import tempfile

from coldchain.apps.generate import generate_day, write_day
from coldchain.core.instance import build_instance
from coldchain.scenario.read import read_scenario
from coldchain.search.day import day_items, search_day, warm_up


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", nargs="+", default=["peak:1", "full:1", "full:2"], help="kind:seed each")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--granular", type=int, default=None, help="neighbours for re-insertion (default: the planner's)")
    args = ap.parse_args()
    warm_up()
    print("| day | items | iterations | it/s | us per iteration and item | cost |")
    print("|---|---|---|---|---|---|")
    for spec in args.days:
        kind, seed = spec.split(":")
        with tempfile.TemporaryDirectory() as tmp:
            write_day(tmp, generate_day(kind, int(seed)))
            inst = build_instance(read_scenario(tmp))
        items = day_items(inst)
        found = search_day(inst, args.seconds, 0, items=items, granular_k=args.granular)
        rate = found.iterations / args.seconds
        per = 1e6 / rate / len(items.node)
        print(f"| {spec} | {len(items.node)} | {found.iterations:,} | {rate:,.0f} | {per:.3f} | {found.cost:,.0f} |")


if __name__ == "__main__":
    main()
