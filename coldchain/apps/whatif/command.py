"""``coldchain whatif``: compare refrigeration options over a season (the typer command).

Exit codes as for every coldchain command: 0 done; 1 invalid input (or an unreadable
results.sqlite); 2 usage (or the apps extra missing, or no scheduler at the address); 4 some cases
failed to solve (the report covers the rest; rerun to retry them); 5 the checker found a
violation in a plan; 130 interrupted (finished cases are kept: rerun the same command).
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

EXIT_INPUT, EXIT_USAGE, EXIT_NO_SOLUTION, EXIT_CHECK, EXIT_INTERRUPTED = 1, 2, 4, 5, 130

out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _fail(lines: list[str] | str, code: int) -> typer.Exit:
    for line in [lines] if isinstance(lines, str) else lines:
        err.print(f"Error: {line}", markup=False)
    return typer.Exit(code)


def whatif(
    scenario: Annotated[Path, typer.Argument(help="The base day: a scenario folder.")],
    options: Annotated[Path, typer.Option("--options", help="Options CSV (one row per option).")],
    season: Annotated[
        Path, typer.Option("--season", help="A profile CSV scaling the base day by date, or a folder of day scenarios.")
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for results.sqlite, the CSV tables and the plots.")
    ],
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Representative days to solve (k-medoids); default: every day.")
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1.0, help="Seconds per day plan.")] = 30.0,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Parallel solver processes (Dask LocalCluster); 1 solves in-process."),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler (tcp://host:8786).")
    ] = None,
    rate: Annotated[float, typer.Option("--rate", min=0.0, max=1.0, help="Discount rate (0.08 = 8 %).")] = 0.08,
    method: Annotated[str, typer.Option("--method", help="Planner method: auto, compact, routes or pool.")] = "auto",
    gap: Annotated[float, typer.Option("--gap", min=0.0, max=1.0, help="Relative MIP gap to stop at.")] = 0.0,
    keep_peak: Annotated[
        bool, typer.Option("--keep-peak/--no-keep-peak", help="Keep the peak day as its own representative day.")
    ] = True,
    against_all: Annotated[
        bool,
        typer.Option("--against-all", help="Also solve every day and report the representative days' error."),
    ] = False,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Write the PNG figures.")] = True,
) -> None:
    """Compare refrigeration investments (reefer trucks, retrofits, pre-cooling, cold room) over a season."""
    import os

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from coldchain import InputError, read_scenario
    from coldchain.apps.whatif import study as st
    from coldchain.apps.whatif.cases import SolveSettings
    from coldchain.apps.whatif.sweep import dask_client
    from coldchain.apps.whatif.tables import report_table, table_text, write_tables

    if method not in ("auto", "compact", "routes", "pool"):
        raise _fail(f"unknown method {method!r}; choose one of: auto, compact, routes, pool", EXIT_USAGE)
    if workers is not None and scheduler is not None:
        raise _fail("give --workers or --scheduler, not both", EXIT_USAGE)
    n_workers = workers if workers is not None else max(1, os.cpu_count() or 1)
    inputs = {
        scenario.resolve(),
        options.resolve().parent,
        season.resolve() if season.is_dir() else season.resolve().parent,
    }
    out_abs = out_dir.resolve()
    if out_abs in inputs or scenario.resolve() in out_abs.parents:
        raise _fail(f"--out {out_dir} is an input folder; choose a folder of its own for the study", EXIT_USAGE)
    try:
        base = read_scenario(scenario)
        settings = SolveSettings(time_limit_s=time_limit, mip_gap=gap, method=method)
        study = st.prepare(base, options, season, settings, days, keep_peak, against_all)
    except InputError as exc:
        raise _fail([str(p) for p in exc.problems], EXIT_INPUT) from None
    except ValueError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    except ModuleNotFoundError as exc:
        raise _fail(f"{exc.name} is missing: install the apps extra (pip install -e '.[apps]')", EXIT_USAGE) from None
    reps = ", ".join(f"{r.label} (x{r.weight})" for r in study.reps)
    out.print(
        f"{len(study.options)} options x {len(study.reps)} representative days of {len(study.days)}: "
        f"{study.case_count} distinct cases to solve at {time_limit:g} s each. Days: {reps}"
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(f"{out_dir}: cannot create the folder ({exc.strerror})", EXIT_INPUT) from None

    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )
    from coldchain.apps.whatif.store import ResultStore

    try:
        with ResultStore(out_dir / st.STORE_NAME) as store:
            done = sum(1 for cid in study.payloads if cid in store)
    except sqlite3.Error as exc:
        raise _fail(f"{out_dir / st.STORE_NAME}: cannot read the study's results ({exc})", EXIT_INPUT) from None
    if done == study.case_count:  # nothing to solve: no cluster to start
        n_workers, scheduler = 1, None
    try:
        with dask_client(n_workers, scheduler) as client, progress:
            where = scheduler or (f"{n_workers} Dask workers" if client is not None else "this process")
            task = progress.add_task(f"solving on {where}", total=study.case_count - done)
            stats = st.run(study, out_dir, client, on_result=lambda cid, r: progress.advance(task))
    except KeyboardInterrupt:
        with ResultStore(out_dir / st.STORE_NAME) as store:
            done = sum(1 for cid in study.payloads if cid in store)
        raise _fail(
            f"interrupted: {done} of {study.case_count} cases are saved in {out_dir / st.STORE_NAME}; "
            "run the same command again to resume",
            EXIT_INTERRUPTED,
        ) from None
    except OSError as exc:
        raise _fail(f"cannot reach the Dask scheduler or start workers: {exc}", EXIT_USAGE) from None
    except ModuleNotFoundError as exc:
        raise _fail(f"{exc.name} is missing: install the apps extra (pip install -e '.[apps]')", EXIT_USAGE) from None

    rep = st.report(study, out_dir, rate)
    files = write_tables(out_dir, rep.figures, rep.days, study.reps)
    if rep.check:
        import pandas as pd

        from coldchain.apps.whatif.tables import _csv

        files.append(_csv(out_dir / "representative_check.csv", pd.DataFrame(rep.check)))
    if plots:
        from coldchain.apps.whatif.plots import write_plots

        files += write_plots(out_dir, rep.figures)
    table = report_table(rep.figures, len(study.days), rate)
    from coldchain.output.atomic import write_text_atomic

    write_text_atomic(out_dir / "report.txt", table_text(table))
    Console(highlight=False, soft_wrap=False, emoji=False, width=max(out.width, 200)).print(table)
    for c in rep.check:
        saving = ""
        if c["saving_estimate_cny"] is not None and c["saving_all_days_cny"] is not None:
            saving = f"; saving {c['saving_estimate_cny']:,.0f} against {c['saving_all_days_cny']:,.0f}"
        out.print(
            f"{c['option']}: {c['representative_days']} representative days estimate the season cost at "
            f"{c['season_cost_estimate_cny']:,.0f} CNY, every day gives {c['season_cost_all_days_cny']:,.0f} "
            f"({c['relative_error_pct']:+.2f} %){saving}"
        )
    out.print(
        f"{stats.total} cases: {stats.reused} found in {st.STORE_NAME}, {stats.solved} solved now"
        + (f", {len(stats.failed)} failed" if stats.failed else "")
        + f". Wrote {', '.join(p.name for p in files)}, report.txt to {out_dir}/"
    )
    if rep.violations:
        raise _fail([f"checker: {v}" for v in rep.violations], EXIT_CHECK)
    if stats.failed:
        raise _fail(
            [f"case {cid[:12]} failed: {why}" for cid, why in stats.failed.items()]
            + ["rerun the same command to retry the failed cases"],
            EXIT_NO_SOLUTION,
        )
    sys.stdout.flush()
