"""The ``coldchain`` command line: a thin layer over the library.

Exit codes: 0 success; 1 invalid input; 2 usage error; 3 infeasible (the mandatory parcel
deliveries cannot all be made); 4 solver failure or no solution within the time limit;
5 the checker found violations in a plan.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from coldchain.errors import ColdchainError, InputError, OutputError, SolverError
from coldchain.scenario.checks import check_scenario
from coldchain.scenario.read import read_scenario
from coldchain.scenario.summary import scenario_summary

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_CHECK = 0, 1, 2, 3, 4, 5

app = typer.Typer(
    help="Plan the daily runs of a rural joint-distribution alliance: parcels out, perishables back.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

ScenarioDir = Annotated[Path, typer.Argument(help="Scenario folder (scenario.toml and CSV files).")]


def fail(message: str, code: int) -> typer.Exit:
    """Print ``Error: message`` on stderr and return the exit to raise."""
    for line in message.splitlines() or [""]:
        err.print(f"Error: {line}", markup=False)
    return typer.Exit(code)


def load(folder: Path):
    """Read a scenario, printing each problem as an ``Error:`` line (exit 1) and warnings."""
    try:
        scenario = read_scenario(folder)
    except InputError as exc:
        for p in exc.warnings:
            err.print(f"Warning: {p}", markup=False)
        raise fail("\n".join(str(p) for p in exc.problems), EXIT_INPUT) from None
    for p in check_scenario(scenario):
        if p.severity == "warning":
            err.print(f"Warning: {p}", markup=False)
    return scenario


@app.callback()
def _root() -> None:
    """Plan the daily runs of a rural joint-distribution alliance: parcels out, perishables back."""


@app.command()
def validate(scenario: ScenarioDir) -> None:
    """Check a scenario folder and print a short summary, or every problem found (exit 1)."""
    s = load(scenario)
    table = Table(title=f"Scenario {scenario} is valid", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for label, text in scenario_summary(s):
        table.add_row(label, text)
    out.print(table)


@app.command()
def plan(
    scenario: ScenarioDir,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Folder for routes.csv, orders.csv, deliveries.csv, kpis.json, plan.txt and routes.png."
        ),
    ],
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", min=1.0, help="Seconds for the whole plan.")
    ] = None,
    gap: Annotated[
        float | None, typer.Option("--gap", min=0.0, max=1.0, help="Stop at this relative MIP gap (0.01 = 1 %).")
    ] = None,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="Solver threads.")] = None,
    preset: Annotated[str, typer.Option("--preset", help="Solver preset from models/solver.toml.")] = "default",
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="compact: the full MILP (proves optimality on small days); routes: branch-and-price "
            "(days where every pickup must be served and drivers are not paid by the hour, such as the "
            "public benchmarks); pool: route search + set partitioning with a lower bound (county days); "
            "auto: routes where it applies up to 60 stops, else compact up to 40 stops, else pool; "
            "lines: the fixed lines in the scenario's lines.csv, choosing only their pickups (seconds).",
        ),
    ] = "auto",
    no_map: Annotated[bool, typer.Option("--no-map", help="Skip the route map picture.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress line or summary.")] = False,
) -> None:
    """Plan today's truck runs: routes, stop times, loads, unserved orders with reasons, KPIs, map."""
    from coldchain.core.outcome import SolveOptions, SolveStatus
    from coldchain.core.plan import PlanOptions
    from coldchain.output.report import write_plan
    from coldchain.output.summary import plan_renderables, plan_text
    from coldchain.planner.plan import plan as make_plan
    from coldchain.scenario.catalogue import solver_presets

    if method not in ("auto", "compact", "routes", "pool", "lines"):
        raise fail(f"unknown method {method!r}; choose one of: auto, compact, routes, pool, lines", EXIT_USAGE)
    presets = solver_presets()
    if preset not in presets:
        raise fail(f"unknown preset {preset!r}; choose one of: {', '.join(presets)}", EXIT_USAGE)
    p = presets[preset]
    s = load(scenario)
    progress = None if quiet else _ProgressLine()
    opts = SolveOptions(
        time_limit_s=time_limit if time_limit is not None else p.get("time_limit_s", 60.0),
        mip_gap=gap if gap is not None else p.get("mip_gap", 0.0),
        threads=threads if threads is not None else p.get("threads"),
        progress=progress,
    )
    try:
        if method == "lines":
            from coldchain.apps.lines import plan_lines, read_lines

            if not (scenario / "lines.csv").is_file():
                raise fail(f"{scenario}/lines.csv: file not found (needed by --method lines)", EXIT_INPUT)
            try:
                result = plan_lines(s, read_lines(scenario / "lines.csv"), opts)
            except InputError as exc:
                raise fail("\n".join(str(p) for p in exc.problems), EXIT_INPUT) from None
        else:
            result = make_plan(s, PlanOptions(solve=opts, method=method))
    except SolverError as exc:
        raise fail(str(exc), EXIT_NO_SOLUTION) from None
    finally:
        if progress:
            progress.close()
    if result.status == SolveStatus.INFEASIBLE:
        write_plan(result, out_dir, map_png=False)
        missed = ", ".join(result.missed_stops) or "(could not be narrowed down in the time limit)"
        raise fail(
            f"infeasible: the parcel deliveries cannot all be made with this fleet; "
            f"stops that cannot be served: {missed}",
            EXIT_INFEASIBLE,
        )
    if not result.has_routes:
        detail = "".join(f"; {n}" for n in result.notes)
        raise fail(f"no plan found within the time limit; try a longer --time-limit{detail}", EXIT_NO_SOLUTION)
    text = plan_text(result)
    try:
        write_plan(result, out_dir, summary_text=text, map_png=not no_map)
    except OutputError as exc:
        raise fail(str(exc), EXIT_INPUT) from None
    if not quiet:
        out.print(plan_renderables(result))
        out.print(f"Wrote the plan to {out_dir}/")


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the scenario into (created if needed).")],
    day: Annotated[str, typer.Option("--day", help="peak (mid-June litchi peak) or ordinary.")] = "peak",
    seed: Annotated[int, typer.Option("--seed", help="The same seed always gives the same day.")] = 1,
) -> None:
    """Write a full-county Ling Shan day (19 town points, 100-150 villages, 19-28 trucks) as a scenario."""
    from coldchain.apps.generate import DAYS, generate_day, write_day

    if day not in DAYS:
        raise fail(f"unknown day {day!r}; choose one of: {', '.join(DAYS)}", EXIT_USAGE)
    try:
        write_day(out_dir, generate_day(day, seed))
    except OSError as exc:
        raise fail(f"{out_dir}: cannot write ({exc.strerror})", EXIT_INPUT) from None
    s = load(out_dir)
    out.print(
        f"Wrote {day} day seed {seed} to {out_dir}/: {sum(x.kind != 'hub' for x in s.sites)} service points, "
        f"{len(s.vehicles)} trucks, {len(s.orders)} pickup orders, "
        f"{sum(p.weight_kg for p in s.parcels):,.0f} kg of parcels"
    )


@app.command()
def lines(
    scenario: ScenarioDir,
    design: Annotated[
        str,
        typer.Option(
            "--from",
            help="plan: repeat the routes of an optimised plan of this day (pool method); "
            "sweep: cut the parcel stops by bearing from the hub (instant, rougher).",
        ),
    ] = "plan",
    time_limit: Annotated[float, typer.Option("--time-limit", min=1.0, help="Seconds for the plan.")] = 60.0,
    max_detour_km: Annotated[float, typer.Option("--max-detour-km", min=0.0, help="Per line.")] = 15.0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing lines.csv.")] = False,
) -> None:
    """Design fixed lines for a scenario and write them to its lines.csv (for plan --method lines)."""
    from coldchain.apps.lines import design_lines, lines_from_plan, write_lines
    from coldchain.core.outcome import SolveOptions
    from coldchain.core.plan import PlanOptions
    from coldchain.output.atomic import write_text_atomic
    from coldchain.planner.plan import plan as make_plan

    if design not in ("plan", "sweep"):
        raise fail(f"unknown design {design!r}; choose one of: plan, sweep", EXIT_USAGE)
    target = scenario / "lines.csv"
    if target.exists() and not force:
        raise fail(f"{target} exists; pass --force to replace it", EXIT_USAGE)
    s = load(scenario)
    if design == "sweep":
        try:
            designed = design_lines(s, max_detour_km=max_detour_km)
        except ValueError as exc:
            raise fail(str(exc), EXIT_INFEASIBLE) from None
    else:
        result = make_plan(s, PlanOptions(solve=SolveOptions(time_limit_s=time_limit), method="pool"))
        if not result.has_routes:
            raise fail("no plan to design lines from; try a longer --time-limit", EXIT_NO_SOLUTION)
        designed = lines_from_plan(result, max_detour_km=max_detour_km)
    try:
        write_text_atomic(target, write_lines(designed))
    except OSError as exc:
        raise fail(f"{target}: cannot write ({exc.strerror})", EXIT_INPUT) from None
    out.print(f"Wrote {len(designed)} fixed lines to {target}")


@app.command()
def check(
    scenario: ScenarioDir,
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `coldchain plan`.")],
) -> None:
    """Recompute every rule of a written plan from its tables (independent of the solver).

    Each violation is one line, ``Error: RULE: FILE:LINE:COLUMN: message``; exit 5 if any. A folder
    holding none of the plan files is not a plan folder (exit 1).
    """
    from coldchain.check import PLAN_FILES, check_folder

    s = load(scenario)
    if not plan_dir.is_dir() or not any((plan_dir / name).exists() for name in PLAN_FILES):
        raise fail(f"{plan_dir}: not a plan folder (none of {', '.join(PLAN_FILES)})", EXIT_INPUT)
    problems = check_folder(s, plan_dir)
    if problems:
        for p in problems:
            err.print(f"Error: {p}", markup=False)
        err.print(f"Error: {len(problems)} violation(s) in {plan_dir}", markup=False)
        raise typer.Exit(EXIT_CHECK)
    out.print(
        f"Plan in {plan_dir} keeps every rule (files, routes, legs, times, loads, parcels, deliveries, "
        "orders, freshness, KPIs)."
    )


class _ProgressLine:
    """One line on the terminal showing the solver's best plan, bound and gap, rewritten in place.

    HiGHS runs with the process's output captured, so the line goes to a duplicate of stderr.
    """

    def __init__(self) -> None:
        self._fh = os.fdopen(os.dup(2), "w", buffering=1) if sys.stderr.isatty() else None

    def __call__(self, p) -> None:
        if self._fh is None:
            return
        best = "-" if p.best is None else f"{p.best:,.0f}"
        bound = "-" if p.bound is None else f"{p.bound:,.0f}"
        gap = "-" if p.gap is None else f"{100 * p.gap:.2f} %"
        self._fh.write(f"\r  solving: {p.seconds:5.1f} s  best plan {best} CNY  bound {bound} CNY  gap {gap}   ")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.write("\r" + " " * 90 + "\r")
            self._fh.close()


def main() -> None:
    """Console-script entry point: never a traceback for an error coldchain knows about."""
    try:
        app()
    except SolverError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        sys.exit(EXIT_NO_SOLUTION)
    except (ColdchainError, OutputError) as exc:
        for line in str(exc).splitlines():
            print(f"Error: {line}", file=sys.stderr)
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: say so plainly, keep the trace on request
        if os.environ.get("COLDCHAIN_DEBUG"):
            raise
        print(
            f"Error: internal error ({type(exc).__name__}: {exc}); rerun with COLDCHAIN_DEBUG=1 "
            "for the trace and please report it",
            file=sys.stderr,
        )
        sys.exit(70)
