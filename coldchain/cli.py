"""The ``coldchain`` command line: a thin layer over the library.

Exit codes: 0 success; 1 invalid input; 2 usage error (an unknown option, or an ``--out`` that
is an input folder or holds files coldchain did not write); 3 infeasible (the mandatory parcel
deliveries cannot all be made); 4 solver failure or no solution within the time limit;
5 the checker found violations in a plan; 70 an internal error (a bug: please report it);
130 interrupted by Ctrl-C (SIGINT), 143 by SIGTERM (``plan`` then writes nothing).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

import coldchain
from coldchain.core.outcome import Interrupted, check_stop, clear_stop, request_stop, stop_requested
from coldchain.errors import ColdchainError, InputError, OutputError, SolverError, UsageError
from coldchain.planner.registry import check as check_method
from coldchain.planner.registry import help_text as method_help
from coldchain.scenario.checks import check_scenario
from coldchain.scenario.read import read_scenario
from coldchain.scenario.summary import scenario_summary
from coldchain.suggest import did_you_mean

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_CHECK = 0, 1, 2, 3, 4, 5
EXIT_INTERNAL, EXIT_SIGINT, EXIT_SIGTERM = 70, 128 + signal.SIGINT, 128 + signal.SIGTERM  # 130, 143


@contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into `Interrupted` for the block (the first one; later ones are
    ignored while the block unwinds, so that its clean-up runs to the end). A signal that arrives
    while a solver runs C++ code is seen when it returns: HiGHS polls the stop flag from its
    interrupt callbacks, the planner checks it at every phase boundary, and the block checks it
    once more at its end, so a swallowed signal still ends the run as interrupted."""
    if not _main_thread():
        yield
        return

    def handler(signum, frame):
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        request_stop(signum)  # a solver in C++ polls the flag (HiGHS) and returns ...
        if _in_native_callback(frame):
            return  # raised inside a ctypes callback it would be printed and lost: the next check stops
        raise Interrupted(signum)  # ... Python code stops here (or at the next phase boundary)

    clear_stop()
    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
        check_stop()  # a signal that a solver's callback swallowed: the run ends as interrupted
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)
        clear_stop()


def _in_native_callback(frame) -> bool:
    """True when the signal interrupted Python code that native code called back (llvmlite's
    object cache, while Numba loads compiled code): an exception there is printed as "Exception
    ignored" with a traceback and does not stop the run, so the stop flag alone must end it."""
    while frame is not None:
        if "llvmlite" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class _PlainErrors(TyperGroup):
    """Usage errors as one ``Error: ...`` line on stderr (exit 2), not a box; "did you mean" included."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        click = typer.core._click
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            print(exc.ctx.get_help())
            rv = EXIT_USAGE
        except click.exceptions.UsageError as exc:
            where = f"; see '{exc.ctx.command_path} --help'" if exc.ctx is not None else ""
            message = " ".join(exc.format_message().split())
            if message.startswith("No such command") and exc.ctx is not None and "Did you mean" not in message:
                word = message.split("'")[1] if "'" in message else ""
                message = message.rstrip(".") + did_you_mean(word, self.list_commands(exc.ctx))
            print(f"Error: {message.rstrip('.')}{where}", file=sys.stderr)
            rv = EXIT_USAGE
        except click.exceptions.ClickException as exc:
            print(f"Error: {' '.join(exc.format_message().split())}", file=sys.stderr)
            rv = exc.exit_code
        except typer.Abort:
            print("Error: interrupted", file=sys.stderr)
            rv = 130
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 invalid input; 2 usage error (or an --out among the inputs or holding other "
    "files); 3 infeasible; 4 no plan within the time limit; 5 check found violations; 70 internal error; "
    "130 interrupted (Ctrl-C, SIGINT); 143 stopped (SIGTERM)."
)
app = typer.Typer(
    cls=_PlainErrors,
    help="Plan the daily runs of a rural joint-distribution alliance: parcels out, perishables back.",
    epilog=EXIT_CODES_HELP,
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


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("coldchain")
        except PackageNotFoundError:  # running from a source tree that was never installed
            v = "unknown (not installed)"
        print(f"coldchain {v}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
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
            "--out",
            "-o",
            help="Folder for the plan: plan.txt, routes.csv, orders.csv, deliveries.csv, kpis.json, plan.json, "
            "routes.geojson, routes.png and routes.html.",
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
        typer.Option("--method", help=method_help()),
    ] = "auto",
    no_map: Annotated[bool, typer.Option("--no-map", help="Skip the route map picture.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress line or summary.")] = False,
    # -- the order book (coldchain.apps.orders) --
    from_book: Annotated[
        bool, typer.Option("--from-book", help="Plan the order book's open orders instead of orders.csv.")
    ] = False,
    book: Annotated[
        Path | None,
        typer.Option("--book", help="With --from-book: the order book file (default: SCENARIO/orders.db)."),
    ] = None,
    day: Annotated[
        str | None,
        typer.Option("--date", help="With --from-book: plan this day, YYYY-MM-DD (default: scenario.toml's date)."),
    ] = None,
    commit: Annotated[
        bool, typer.Option("--commit", help="With --from-book: mark the orders planned and write pickup notices.")
    ] = False,
) -> None:
    """Plan today's truck runs: routes, stop times, loads, unserved orders with reasons, KPIs, map.

    The plan folder holds exactly one run: a new folder beside --out, renamed into place.

    A previous plan at --out is replaced; a folder holding other files is refused (exit 2), as is --out in the scenario.

    --time-limit counts the whole command: reading, planning and writing.

    Ctrl-C (SIGINT) or SIGTERM: one line "Interrupted: no plan written", exit 130 or 143, nothing written.

    Exit codes: 0 a plan; 1 invalid input; 2 usage or a refused --out; 3 infeasible; 4 no plan in time; 70 a bug;
    130 interrupted (Ctrl-C, SIGINT); 143 stopped (SIGTERM).
    """
    state = {"written": False, "started": _COMMAND_STARTED[0] or time.perf_counter()}
    try:
        with interruptible():
            _plan(scenario, out_dir, time_limit, gap, threads, preset, method, no_map, quiet, from_book, book, day,
                  commit, state)  # fmt: skip
    except Interrupted as exc:
        if state["written"]:
            err.print(f"Interrupted: the plan was written to {out_dir} before the signal; not committed", markup=False)
        else:
            err.print("Interrupted: no plan written", markup=False)
        raise typer.Exit(exc.exit_code) from None


def _writing_reserve_s(s, read_s: float, draw_map: bool) -> float:
    """Seconds kept back from --time-limit for writing the plan's files, the overview and the map.

    Writing, like reading, is Python work per order: about twice the reading's time, measured on
    a day of 100,000 orders (3.4 s to read, 7 s to write, 9 s with the map, on an idle machine),
    so a busy machine, slower at both, keeps back more (2.5 times the reading's time: on a shared
    machine writing slows more than reading did); at least 90 microseconds per order."""
    return (0.8 if draw_map else 0.2) + max(9e-5 * len(s.orders), 2.5 * read_s)


def _repeat_limit(limit: float, s, draw_map: bool) -> float:
    """The planning seconds that size the work a plan repeats run after run (`SolveOptions`):
    --time-limit less what reading and writing take on an idle machine, from the day's size alone
    (about 120 microseconds per order, a second for starting, the map's share), never the clock."""
    return max(1.0, limit - 1.0 - (0.8 if draw_map else 0.2) - 1.2e-4 * len(s.orders))


def _least_planning_s(s, read_s: float) -> float:
    """The least time a plan needs: half a second, and on a large day the planner's own fixed
    work too (indexing the orders, compiling, the lower bound; about 3 s for 100,000 orders)."""
    return 0.5 + min(3.0, 3e-5 * len(s.orders) + 0.6 * read_s)


def _planning_time(limit: float, s, started: float, read_s: float, draw_map: bool) -> float:
    """The seconds of --time-limit left for planning: the limit is the whole command's (reading
    done, the files still to write). Too little left: exit 4 with a message saying how much to ask."""
    elapsed = time.perf_counter() - started
    reserve = _writing_reserve_s(s, read_s, draw_map)
    left = limit - elapsed - reserve
    least = _least_planning_s(s, read_s)
    if left < least:
        enough = int(elapsed + reserve + least + max(10.0, limit)) + 1
        raise fail(
            f"reading the scenario ({len(s.orders):,} orders) took {elapsed:.1f} s of the {limit:g} s time limit "
            f"and writing the plan needs about {reserve:.0f} s more: nothing planned; try --time-limit {enough}",
            EXIT_NO_SOLUTION,
        )
    return left


def _plan(scenario, out_dir, time_limit, gap, threads, preset, method, no_map, quiet, from_book, book, day, commit,
          state) -> None:  # fmt: skip
    from coldchain.core.outcome import SolveOptions, SolveStatus
    from coldchain.core.plan import PlanOptions
    from coldchain.output.atomic import check_target, refuse_input_folder
    from coldchain.output.progress import ProgressDisplay, quiet_stdout
    from coldchain.output.report import PLAN_OUTPUTS, write_plan_folder
    from coldchain.output.summary import overview_text, plan_text
    from coldchain.planner.plan import plan as make_plan
    from coldchain.scenario.catalogue import solver_presets

    try:
        check_method(method)
    except UsageError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    presets = solver_presets()
    if preset not in presets:
        raise fail(
            f"unknown preset {preset!r}{did_you_mean(preset, presets)}; choose one of: {', '.join(presets)}",
            EXIT_USAGE,
        )
    p = presets[preset]
    if (book is not None or day is not None or commit) and not from_book:
        raise fail("--book, --date and --commit go with --from-book", EXIT_USAGE)
    try:
        refuse_input_folder(out_dir, scenario, [book] if book is not None else [])
        check_target(out_dir, PLAN_OUTPUTS)
    except OutputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    read_started = time.perf_counter()
    s = load(scenario)
    read_s = time.perf_counter() - read_started
    lines = None
    if method == "lines":
        from coldchain.scenario.lines import read_lines

        if not (scenario / "lines.csv").is_file():
            raise fail(f"{scenario}/lines.csv: file not found (needed by --method lines)", EXIT_INPUT)
        try:
            lines = tuple(read_lines(scenario / "lines.csv"))
        except InputError as exc:
            raise fail("\n".join(str(p) for p in exc.problems), EXIT_INPUT) from None
    book_run = None
    if from_book:
        from coldchain.apps.orders.cli import BookRun, parse_day

        book_run = BookRun.start(scenario, s, book, parse_day(day), commit)
        s = book_run.orders.scenario
    limit = time_limit if time_limit is not None else p.get("time_limit_s", 60.0)
    left = _planning_time(limit, s, state["started"], read_s, not no_map)
    progress = None if quiet else ProgressDisplay(time_limit=left)
    opts = SolveOptions(
        time_limit_s=left,
        mip_gap=gap if gap is not None else p.get("mip_gap", 0.0),
        threads=threads if threads is not None else p.get("threads"),
        progress=progress,
        repeat_limit_s=_repeat_limit(limit, s, not no_map),
    )
    try:
        with quiet_stdout():  # the solver's own output (HiGHS's banner) never reaches stdout
            result = make_plan(s, PlanOptions(solve=opts, method=method, lines=lines))
        check_stop()  # a signal a solver's callback swallowed: no plan is written
    except InputError as exc:
        raise fail("\n".join(str(p) for p in exc.problems), EXIT_INPUT) from None
    except SolverError as exc:
        raise fail(str(exc), EXIT_NO_SOLUTION) from None
    finally:
        if progress:
            progress.close("interrupted" if stop_requested() else "done")
    if result.status == SolveStatus.INFEASIBLE:
        try:
            write_plan_folder(result, out_dir, map_png=False)
        except OutputError as exc:
            raise fail(str(exc), EXIT_INPUT) from None
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
        write_plan_folder(result, out_dir, summary_text=text, map_png=not no_map)
    except OutputError as exc:
        raise fail(str(exc), EXIT_INPUT) from None
    state["written"] = True
    if not no_map:
        from coldchain.output.map import cjk_font_note

        if note := cjk_font_note():
            err.print(note, markup=False)
    if not quiet:
        sys.stdout.write(overview_text(result))
        sys.stdout.write(
            f"\nWrote the plan to {out_dir}/: plan.txt (this overview and one sheet per van), routes.csv, "
            "orders.csv, deliveries.csv, kpis.json, plan.json, routes.geojson"
            + ("" if no_map else ", routes.png, routes.html")
            + "\n"
        )
        sys.stdout.flush()
    if book_run is not None:
        book_run.finish(result, out_dir, commit)


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the scenario into (created if needed).")],
    day: Annotated[
        str,
        typer.Option("--day", help="peak (mid-June litchi peak), ordinary, or full (every village and litchi shed)."),
    ] = "peak",
    seed: Annotated[int, typer.Option("--seed", help="The same seed always gives the same day.")] = 1,
) -> None:
    """Write a Ling Shan county day as a scenario: 19 town points and 100-170 villages with 19-28 trucks (peak,
    ordinary), or all 389 villages, 128 litchi sheds and 40 trucks, about 540 stops (full)."""
    from coldchain.apps.generate import DAYS, generate_day, write_day

    if day not in DAYS:
        raise fail(f"unknown day {day!r}{did_you_mean(day, DAYS)}; choose one of: {', '.join(DAYS)}", EXIT_USAGE)
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
            help="plan: repeat the routes of an optimised plan of this day (auto method); "
            "sweep: cut the parcel stops by bearing from the hub (instant, rougher).",
        ),
    ] = "plan",
    time_limit: Annotated[float, typer.Option("--time-limit", min=1.0, help="Seconds for the plan.")] = 60.0,
    max_detour_km: Annotated[float, typer.Option("--max-detour-km", min=0.0, help="Per line.")] = 15.0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing lines.csv.")] = False,
) -> None:
    """Design fixed lines for a scenario and write them to its lines.csv (for plan --method lines)."""
    from coldchain.apps.lines import design_lines, lines_from_plan
    from coldchain.core.outcome import SolveOptions
    from coldchain.core.plan import PlanOptions
    from coldchain.output.atomic import write_text_atomic
    from coldchain.planner.plan import plan as make_plan
    from coldchain.scenario.lines import write_lines

    if design not in ("plan", "sweep"):
        hint = did_you_mean(design, ("plan", "sweep"))
        raise fail(f"unknown design {design!r}{hint}; choose one of: plan, sweep", EXIT_USAGE)
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
        result = make_plan(s, PlanOptions(solve=SolveOptions(time_limit_s=time_limit), method="auto"))
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
    plan_dir: Annotated[Path, typer.Argument(help="A folder written by `coldchain plan`, or its plan.json.")],
) -> None:
    """Recompute every rule of a written plan from its tables (independent of the solver).

    Each violation is one line, ``Error: RULE: FILE:LINE:COLUMN: message``; exit 5 if any. A folder
    holding none of the plan files is not a plan folder (exit 1).
    """
    from coldchain.check import PLAN_FILES, check_folder

    s = load(scenario)
    as_json = plan_dir.suffix == ".json" or (
        plan_dir.is_dir() and not (plan_dir / "routes.csv").exists() and (plan_dir / "plan.json").is_file()
    )
    if as_json:
        problems = _check_plan_json(s, plan_dir if plan_dir.suffix == ".json" else plan_dir / "plan.json")
    elif not plan_dir.is_dir() or not any((plan_dir / name).exists() for name in PLAN_FILES):
        raise fail(f"{plan_dir}: not a plan folder (none of {', '.join(PLAN_FILES)})", EXIT_INPUT)
    else:
        problems = check_folder(s, plan_dir)
    if problems:
        for p in problems:
            err.print(f"Error: {p}", markup=False)
        err.print(f"Error: {len(problems)} violation(s) in {plan_dir}", markup=False)
        raise typer.Exit(EXIT_CHECK)
    out.print(
        f"Plan in {plan_dir} keeps every rule (files, routes, trips, legs, times, loads, parcels, deliveries, "
        "orders, freshness, KPIs)."
    )


def check_plan_document(scenario, doc: dict) -> list:
    """The independent checker's violations for a plan.json document (see `check_plan_tables`)."""
    from coldchain.output.planjson import tables_from_document

    return check_plan_tables(scenario, tables_from_document(doc))


def check_plan_tables(scenario, tables: dict) -> list:
    """The independent checker's violations for a plan's tables (as `coldchain.output.planjson`
    rebuilds them from plan.json): written to a temporary folder as ``coldchain plan`` writes them
    and read back by `coldchain.check`, like any plan folder (one reader, one set of rules)."""
    import json
    import tempfile

    from coldchain.check import check_folder
    from coldchain.output.report import csv_text

    with tempfile.TemporaryDirectory(prefix="coldchain-check-") as tmp:
        folder = Path(tmp)
        for name in ("routes", "orders", "deliveries"):
            (folder / f"{name}.csv").write_text(csv_text(tables[name]), encoding="utf-8")
        if tables.get("kpis") is not None:
            (folder / "kpis.json").write_text(json.dumps(tables["kpis"], ensure_ascii=False), encoding="utf-8")
        return check_folder(scenario, folder)


def _check_plan_json(s, path: Path) -> list:
    """Check a plan given as ``plan.json``: read and validated against the shipped schema (a located
    message when it breaks it), then its tables checked by `check_plan_tables`."""
    from coldchain.output.planjson import read_plan_json

    try:
        tables = read_plan_json(path)
    except OutputError as exc:
        raise fail(str(exc), EXIT_INPUT) from None
    return check_plan_tables(s, tables)


from coldchain.apps.orders.cli import orders_app  # noqa: E402  (the order book's commands; it imports this module)

app.add_typer(orders_app, name="orders")
# Applications, each a command in its own package (coldchain/apps/).
from coldchain.apps.whatif.command import whatif  # noqa: E402

app.command(name="whatif")(whatif)

# --- applications (each in its own package; registered here) -------------------------------------
from coldchain.apps.share.cli import share as _share  # noqa: E402  (issue 24: cost sharing)

app.command("share")(_share)
from coldchain.apps.web.cli import serve as _serve  # noqa: E402  (issue 23: the web page)
from coldchain.apps.web.cli import tokens_app  # noqa: E402

app.command("serve")(_serve)
app.add_typer(tokens_app, name="tokens")


_COMMAND_STARTED: list[float | None] = [None]  # the console script's start (its imports count)


def main() -> None:
    """Console-script entry point: never a traceback for an error coldchain knows about."""
    _COMMAND_STARTED[0] = coldchain.STARTED
    try:
        app()
    except SolverError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        sys.exit(EXIT_NO_SOLUTION)
    except UsageError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except (ColdchainError, OutputError) as exc:
        for line in str(exc).splitlines():
            print(f"Error: {line}", file=sys.stderr)
        sys.exit(EXIT_INPUT)
    except (KeyboardInterrupt, Interrupted) as exc:
        print("Interrupted", file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", EXIT_SIGINT))
    except Exception as exc:  # a bug, not bad input: say so plainly, keep the trace on request
        if os.environ.get("COLDCHAIN_DEBUG"):
            raise
        print(
            f"Error: internal error ({type(exc).__name__}: {exc}); rerun with COLDCHAIN_DEBUG=1 "
            "for the trace and please report it",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERNAL)
