"""``coldchain share``: what the alliance saves and how to share its cost among the members.

Registered in ``coldchain/cli.py`` as ``app.command("share")(share)``. Exit codes as for every
command: 0 ok, 1 invalid input, 2 usage, 3 a member's own day cannot be served, 4 no plan for
some coalition, 5 a written plan fails the checker, 130 interrupted (the coalitions planned so far
stay in the cache: run the same command again to resume).
"""

from __future__ import annotations

import io
import re
import sys
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console

from coldchain.apps.share.allocate import METHODS, RULES, build_games, share_costs
from coldchain.apps.share.coalitions import BASELINES

MAX_MEMBERS = 12  # 4,095 coalitions: beyond this, pick members with --members


def share(  # noqa: C901 (a command: see the docstring)
    scenario: Annotated[Path, typer.Argument(help="Scenario folder whose parcels.csv names the member companies.")],
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Folder for allocation.csv, rules.csv, coalitions.csv, allocation.png, plans/."
        ),
    ],
    baseline: Annotated[
        str,
        typer.Option(
            "--baseline",
            help="How a company works without the whole alliance: village (drives to every service point its "
            "parcels are for) or town (today's mode: only to the town points; village stations fetch from town).",
        ),
    ] = "village",
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="Sharing rules, comma-separated: " + ", ".join(METHODS) + "; or all.",
        ),
    ] = "all",
    members: Annotated[
        str | None,
        typer.Option("--members", help="Only these companies (comma-separated names from parcels.csv)."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.2, help="Seconds for each coalition's plan.")
    ] = 5.0,
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="Worker processes (Dask LocalCluster); 0 plans in this process.")
    ] = 2,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of a running Dask scheduler to use instead.")
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            min=2,
            help="Estimate the Shapley value from this many random orders of the members, planning only the "
            "coalitions they meet (for more than 12 members); proportional shares too, but no nucleolus, "
            "equal profit, least core or core check, which need every coalition.",
        ),
    ] = None,
    no_closure: Annotated[
        bool, typer.Option("--no-closure", help="Use each coalition's own plan even when a split is cheaper.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Plan every coalition again (the cache is OUT/coalitions.sqlite).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress line or tables.")] = False,
) -> None:
    """Cost of every coalition of member companies, the alliance's saving, and its fair shares.

    Complexity (above McCabe 20): the command checks each option in turn and turns each kind of
    failure into its own located message and exit code; the work itself is in `coldchain.apps.share`.
    """
    from coldchain.apps.share.cache import ResultCache
    from coldchain.apps.share.coalitions import alliance as make_alliance
    from coldchain.apps.share.sweep import PlanSettings, run_sweep
    from coldchain.cli import (
        EXIT_CHECK,
        EXIT_INFEASIBLE,
        EXIT_INPUT,
        EXIT_NO_SOLUTION,
        EXIT_USAGE,
        err,
        fail,
        load,
        out,
    )

    if baseline not in BASELINES:
        raise fail(f"unknown baseline {baseline!r}; choose one of: {', '.join(BASELINES)}", EXIT_USAGE)
    methods = _methods(method)
    if methods is None:
        raise fail(f"unknown method in {method!r}; choose from: {', '.join(METHODS)}, or all", EXIT_USAGE)
    from coldchain.errors import OutputError
    from coldchain.output.atomic import refuse_input_folder

    try:
        refuse_input_folder(out_dir, scenario)
    except OutputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    s = load(scenario)
    wanted = None if members is None else [m.strip() for m in members.split(",") if m.strip()]
    known = list(dict.fromkeys(p.company for p in s.parcels))
    if wanted is not None:
        unknown = [m for m in wanted if m not in known]
        if unknown:
            raise fail(
                f"--members: not a company in {scenario}/parcels.csv: {', '.join(unknown)} "
                f"(the companies are {', '.join(known)})",
                EXIT_USAGE,
            )
    chosen = wanted if wanted is not None else known
    if len(dict.fromkeys(chosen)) < 2:
        raise fail(
            f"cost sharing needs at least two member companies; {scenario}/parcels.csv:company names "
            f"{len(known)}" + ("" if wanted is None else f" and --members picks {len(set(chosen))}"),
            EXIT_INPUT if wanted is None else EXIT_USAGE,
        )
    if samples is not None:
        methods = _sampled_methods(method)
        if methods is None:
            raise fail(
                f"--samples estimates only {', '.join(SAMPLED_METHODS)}; --method {method!r} needs every coalition",
                EXIT_USAGE,
            )
    elif len(dict.fromkeys(chosen)) > MAX_MEMBERS:
        raise fail(
            f"{len(set(chosen))} members make {2 ** len(set(chosen)) - 1:,} coalitions; at most {MAX_MEMBERS} "
            "members are planned exactly: choose them with --members, or estimate with --samples",
            EXIT_USAGE,
        )
    try:
        game_of = make_alliance(s, wanted, baseline)
    except ValueError as exc:
        raise fail(f"{scenario}/vehicles.csv: {exc}", EXIT_INPUT) from None
    names = game_of.members
    n = game_of.n
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"{out_dir}: cannot create the output folder ({exc.strerror})", EXIT_INPUT) from None
    plans = out_dir / "plans"
    plans.mkdir(exist_ok=True)
    plan_dirs = {1 << i: plans / f"{i + 1:02d}-{_safe(name)}" for i, name in enumerate(names)}
    plan_dirs[game_of.grand] = plans / "alliance"
    cache = ResultCache(None if no_cache else out_dir / "coalitions.sqlite")
    settings = PlanSettings(time_limit_s=time_limit)
    if samples is None:
        masks = list(range(1, 1 << n))
    else:
        from coldchain.apps.share.shapley import coalitions_met

        masks = sorted(coalitions_met(n, samples) | {1 << i for i in range(n)} | {game_of.grand})
    cached: set[int] = set()
    progress = _Progress(len(masks), quiet)

    def seen(result, from_cache: bool) -> None:
        if from_cache:
            cached.add(result.mask)
        progress(result)

    if workers > 0 or scheduler is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            if scheduler is not None:
                raise fail("--scheduler needs Dask: pip install 'coldchain[apps]'", EXIT_USAGE) from None
            err.print(
                "Warning: Dask is not installed (pip install 'coldchain[apps]'): planning the coalitions "
                "one after another in this process",
                markup=False,
            )
            workers = 0
    started = time.perf_counter()
    try:
        results, planned_as = run_sweep(game_of, masks, settings, cache, workers, scheduler, plan_dirs, seen)
    except KeyboardInterrupt:
        progress.close()
        kept = len(cache)
        cache.close()
        raise fail(f"interrupted; {kept:,} coalition plans are kept in the cache: rerun to resume", 130) from None
    finally:
        progress.close()
    cache.close()
    wall = time.perf_counter() - started

    for i, name in enumerate(names):
        r = results[1 << i]
        if r.status == "infeasible":
            raise fail(f"{name} alone cannot deliver all its parcels with its vans and the hire pool", EXIT_INFEASIBLE)
    if samples is not None:
        _finish_sampled(game_of, results, planned_as, samples, methods, out_dir, quiet, wall, settings, len(cached))
        return
    upper = np.array([0.0] + [np.inf if results[m].cost is None else results[m].cost for m in masks])
    lower = np.array([0.0] + [np.nan if results[m].bound is None else results[m].bound for m in masks])
    lower = np.where(np.isnan(lower), 0.0, lower)  # no bound: 0 is one
    if not np.isfinite(upper[game_of.grand]):
        raise fail(
            f"no plan for the whole alliance within {time_limit:g} s ({results[game_of.grand].status}); "
            "try a longer --time-limit",
            EXIT_NO_SOLUTION,
        )
    try:
        game, interval, repaired = build_games(names, upper, lower, not no_closure, keep_grand=baseline == "town")
    except ValueError:
        bad = [m for m in masks if results[m].cost is None]
        infeasible = [m for m in bad if results[m].status == "infeasible"]
        first = " + ".join(game_of.names((infeasible or bad)[0]))
        if infeasible:
            raise fail(
                f"{len(infeasible)} coalitions (first: {first}) cannot deliver their parcels with their own vans "
                "and the hire pool, and no split of them can: add pool vans to vehicles.csv",
                EXIT_INFEASIBLE,
            ) from None
        raise fail(
            f"{len(bad)} coalitions (first: {first}) have no plan within {time_limit:g} s; try a longer --time-limit",
            EXIT_NO_SOLUTION,
        ) from None
    volumes = game_of.volumes()
    parcels = np.array([volumes[m][0] for m in names], dtype=float)
    weight = np.array([volumes[m][1] for m in names], dtype=float)
    if parcels.sum() <= 0:
        parcels = weight
    sharing = share_costs(game, interval, parcels, weight, methods, repaired)

    from coldchain.apps.share.report import coalition_rows, member_rows, rule_rows, write_chart, write_csv

    proved = sum(1 for r in results.values() if r.proved)
    plans_made = len(set(planned_as.values()))
    text = _summary(game_of, results, sharing, proved, plans_made, len(cached), wall, settings.time_limit_s)
    tables = _tables(names, sharing, lower)
    try:
        write_csv(out_dir / "allocation.csv", member_rows(names, volumes, sharing, lower))
        write_csv(out_dir / "rules.csv", rule_rows(names, sharing))
        write_csv(out_dir / "coalitions.csv", coalition_rows(names, results, sharing, cached, planned_as))
        title = f"{s.settings.name}: cost shares of {n} members ({baseline} baseline)"
        shares = {r: x.value for r, x in sharing.shares.items()}
        write_chart(out_dir / "allocation.png", names, sharing.game.standalone, shares, title)
        from coldchain.output.atomic import write_text_atomic

        write_text_atomic(out_dir / "summary.txt", _as_text(text, tables))
    except OSError as exc:
        raise fail(f"{out_dir}: cannot write the results ({exc})", EXIT_INPUT) from None
    if not quiet:
        for line in text:
            out.print(line, markup=False)
        # tables at their natural width when piped (rich would cut them to 80 columns)
        wide = out if sys.stdout.isatty() else Console(highlight=False, emoji=False, width=200)
        for table in tables:
            wide.print(table)
        out.print(f"Wrote allocation.csv, rules.csv, coalitions.csv, allocation.png and plans/ to {out_dir}/")
    bad = {m: r.violations for m, r in results.items() if r.violations}
    if bad:
        where = ", ".join(str(plan_dirs[m]) for m in bad)
        raise fail(f"the checker found violations in {sum(bad.values())} places of: {where}", EXIT_CHECK)


SAMPLED_METHODS = ("parcels", "weight", "standalone", "shapley")


def _sampled_methods(text: str) -> tuple[str, ...] | None:
    picked = _methods(text)
    if picked == METHODS:
        return SAMPLED_METHODS
    if picked is None or any(m not in SAMPLED_METHODS for m in picked):
        return None
    return picked


def _finish_sampled(game_of, results, planned_as, samples, methods, out_dir, quiet, wall, settings, cached) -> None:
    """``--samples``: proportional shares and the sampled Shapley value with its 95 % interval."""
    from rich.table import Table

    from coldchain.apps.share.report import write_chart, write_csv
    from coldchain.apps.share.shapley import sampled_shapley
    from coldchain.cli import EXIT_NO_SOLUTION, fail, out

    names, n, grand = game_of.members, game_of.n, game_of.grand
    missing = [m for m, r in results.items() if r.cost is None]
    if missing:
        raise fail(f"{len(missing)} coalitions have no plan; try a longer --time-limit", EXIT_NO_SOLUTION)
    c = np.array([results[1 << i].cost for i in range(n)])
    total = results[grand].cost
    volumes = game_of.volumes()
    weights = {
        "parcels": np.array([volumes[m][0] for m in names], dtype=float),
        "weight": np.array([volumes[m][1] for m in names], dtype=float),
        "standalone": c,
    }
    shares: dict[str, np.ndarray] = {}
    half = None
    for rule in methods:
        if rule == "shapley":
            est = sampled_shapley(lambda s: results[s].cost, n, samples)
            shares[rule], half = est.value, est.half_width
        else:
            q = weights[rule]
            shares[rule] = total * q / q.sum()
    rows = []
    for i, name in enumerate(names):
        row = {"member": name, "parcels": volumes[name][0], "weight_kg": round(volumes[name][1], 1)}
        row["alone_cny"] = round(float(c[i]), 2)
        for rule, y in shares.items():
            row[f"{rule}_cny"] = round(float(y[i]), 2)
            row[f"{rule}_saving_pct"] = round(100 * (c[i] - y[i]) / c[i], 1) if c[i] else None
            if rule == "shapley":
                row["shapley_half_width_cny"] = round(float(half[i]), 2)
        rows.append(row)
    coalitions = [
        {
            "mask": m,
            "members": " + ".join(game_of.names(m)),
            "status": r.status,
            "cost_cny": r.cost,
            "bound_cny": r.bound,
            "planned_as": " + ".join(game_of.names(planned_as.get(m, m))),
        }
        for m, r in sorted(results.items())
    ]
    write_csv(out_dir / "allocation.csv", rows)
    write_csv(out_dir / "coalitions.csv", coalitions)
    title = f"{game_of.scenario.settings.name}: cost shares of {n} members (Shapley from {samples} orders)"
    write_chart(out_dir / "allocation.png", names, c, shares, title)
    if quiet:
        return
    proved = sum(1 for r in results.values() if r.proved)
    out.print(
        f"{n} members, {game_of.baseline} baseline: Shapley value estimated from {samples:,} random orders, "
        f"which meet {len(results):,} of the {2**n - 1:,} coalitions ({proved:,} proved optimal, "
        f"{len(set(planned_as.values())):,} plans, {cached:,} from the cache) in {wall:,.1f} s",
        markup=False,
    )
    saving = c.sum() - total
    out.print(f"Saving: {saving:,.2f} CNY a day ({100 * saving / c.sum():.1f} %) of {c.sum():,.2f}", markup=False)
    out.print("No core check: it needs every coalition's cost (plan them all without --samples)", markup=False)
    t = Table(title="Cost per member (CNY a day); Shapley with its 95 % interval", title_justify="left")
    for col in ("member", "alone", *shares):
        t.add_column(col, justify="left" if col == "member" else "right", no_wrap=True)
    for i, name in enumerate(names):
        cells = [f"{shares[r][i]:,.2f}" + (f" ± {half[i]:,.2f}" if r == "shapley" else "") for r in shares]
        t.add_row(name, f"{c[i]:,.2f}", *cells)
    (out if sys.stdout.isatty() else Console(highlight=False, emoji=False, width=200)).print(t)
    out.print(f"Wrote allocation.csv, coalitions.csv, allocation.png and plans/ to {out_dir}/", markup=False)


def _methods(text: str) -> tuple[str, ...] | None:
    picked = [m.strip().lower() for m in text.split(",") if m.strip()]
    if picked == ["all"]:
        return METHODS
    if not picked or any(m not in METHODS for m in picked):
        return None
    return tuple(dict.fromkeys(picked))


def _safe(name: str) -> str:
    """A folder name for a member: letters (any script), digits, '-', '_' and '.'."""
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "member"


def _summary(game_of, results, sharing, proved, plans_made, cached, wall, limit) -> list[str]:
    n = game_of.n
    grand = game_of.grand
    solo = [results[1 << i] for i in range(n)]
    joint = results[grand]
    solo_cost = float(sharing.game.standalone.sum())
    joint_cost = sharing.game(grand)
    saving = solo_cost - joint_cost
    lines = [
        f"{n} members, {game_of.baseline} baseline: {len(results):,} coalitions, {proved:,} proved optimal, "
        f"by {plans_made:,} plans ({limit:g} s each; the rest are twins, see coalitions.csv:planned_as) "
        f"in {wall:,.1f} s; {cached:,} from the cache",
        f"Each alone: {sum(r.trucks for r in solo)} trucks, {sum(r.km for r in solo):,.1f} km "
        f"({sum(r.empty_km for r in solo):,.1f} km empty), {solo_cost:,.2f} CNY",
        f"The alliance: {joint.trucks} truck{'' if joint.trucks == 1 else 's'}, {joint.km:,.1f} km "
        f"({joint.empty_km:,.1f} km empty), "
        f"{joint_cost:,.2f} CNY ({joint.status}"
        + ("" if joint.bound is None else f", lower bound {joint.bound:,.2f}")
        + ")",
        f"Saving: {saving:,.2f} CNY a day ({100 * saving / solo_cost:.1f} %)" if solo_cost else "Saving: -",
    ]
    unplaced = game_of.unowned_orders()
    if unplaced:
        lines.append(f"{len(unplaced)} pickup orders name no member as shipper: left out of the game (parcels only)")
    if sharing.repaired:
        lines.append(
            f"{len(sharing.repaired):,} coalitions cost less split into groups than in their own plan: "
            "their cost is the split's (subadditive closure)"
        )
    if sharing.least is not None:
        eps = sharing.least.epsilon
        lines.append(
            f"Core: {'empty' if eps > 1e-6 else 'non-empty'} with these plans (least core level "
            f"{eps:,.2f} CNY); with each coalition's cost known within [bound, plan]: {sharing.core_status}"
        )
    return lines


def _tables(names, sharing, lower):
    from rich.table import Table

    c = sharing.game.standalone
    rules = list(sharing.shares)
    t = Table(title="Cost per member (CNY a day): alone and allocated by each rule", title_justify="left")
    t.add_column("member", no_wrap=True)
    t.add_column("alone", justify="right", no_wrap=True)
    for rule in rules:
        t.add_column(rule, justify="right", no_wrap=True)
    for i, name in enumerate(names):
        t.add_row(name, f"{c[i]:,.2f}", *(f"{sharing.shares[r].value[i]:,.2f}" for r in rules))
    t.add_row("total", f"{c.sum():,.2f}", *(f"{sharing.shares[r].value.sum():,.2f}" for r in rules))
    t.add_row("in core", "", *("yes" if sharing.shares[r].in_core else "no" for r in rules))
    sv = Table(title="Saving per member against going alone (per cent)", title_justify="left")
    sv.add_column("member", no_wrap=True)
    for rule in rules:
        sv.add_column(rule, justify="right", no_wrap=True)
    for i, name in enumerate(names):
        sv.add_row(name, *(f"{100 * (c[i] - sharing.shares[r].value[i]) / c[i]:.1f}" if c[i] else "-" for r in rules))
    r = Table(title="Stability: coalitions that would pay less alone", title_justify="left")
    for col in ("rule", "in core", "surely blocking", "possibly blocking", "note"):
        r.add_column(col, justify="left" if col in ("rule", "note") else "right")
    for rule, share in sharing.shares.items():
        r.add_row(rule, "yes" if share.in_core else "no", str(share.surely), str(share.possibly), share.note)
    out = [t, sv, r]
    if sharing.least is not None:
        lc = Table(title="Least core: each member's range", title_justify="left")
        lc.add_column("member", no_wrap=True)
        lc.add_column("lowest", justify="right")
        lc.add_column("highest", justify="right")
        for i, name in enumerate(names):
            lc.add_row(name, f"{sharing.least.lower[i]:,.2f}", f"{sharing.least.upper[i]:,.2f}")
        out.append(lc)
    return out


def _as_text(lines: list[str], tables) -> str:
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=160, highlight=False, emoji=False, no_color=True)
    for line in lines:
        console.print(line, markup=False)
    for table in tables:
        console.print(table)
    return buf.getvalue()


class _Progress:
    """``planned 312/1,023 coalitions (290 proved)`` on stderr, rewritten in place (terminals only)."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.done, self.proved = total, 0, 0
        self.live = not quiet and sys.stderr.isatty()

    def __call__(self, result) -> None:
        self.done += 1
        self.proved += result.proved
        if self.live:
            sys.stderr.write(f"\r  planned {self.done:,}/{self.total:,} coalitions ({self.proved:,} proved)   ")
            sys.stderr.flush()

    def close(self) -> None:
        if self.live:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()
            self.live = False


__all__ = ["RULES", "share"]
