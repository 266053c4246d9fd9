"""A what-if study from end to end: inputs read, days picked, cases solved, figures and files.

``prepare`` reads the options and the season against the base scenario and picks the
representative days; ``run`` solves the cases (resuming from ``OUT/results.sqlite``) and
``report`` turns the stored results into the season figures, tables and plots. The CLI
(``command``) is a thin layer over these three calls, and so are the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coldchain import Scenario
from coldchain.apps.whatif.appraisal import (
    DayFigures,
    OptionFigures,
    collect_days,
    season_figures,
    season_totals_by_day,
)
from coldchain.apps.whatif.cases import SolveSettings
from coldchain.apps.whatif.options import Option, read_options
from coldchain.apps.whatif.season import Day, Representative, estimate_error, pick_days, read_season
from coldchain.apps.whatif.store import ResultStore
from coldchain.apps.whatif.sweep import CaseRef, SweepStats, build_cases, run_sweep

STORE_NAME = "results.sqlite"


@dataclass
class Study:
    """Everything a study solves: options, all season days, the representative days and cases."""

    options: list[Option]
    days: list[Day]
    reps: list[Representative]
    settings: SolveSettings
    refs: list[CaseRef]
    payloads: dict[str, str]
    against_all: bool = False

    @property
    def case_count(self) -> int:
        return len(self.payloads)


def prepare(
    base: Scenario,
    options_file: str | Path,
    season: str | Path,
    settings: SolveSettings,
    k: int | None = None,
    keep_peak: bool = True,
    against_all: bool = False,
) -> Study:
    """Read the options and season (``InputError`` with places on bad input), pick ``k``
    representative days (every day when None), and build the cases; with ``against_all`` every
    day of the season is a case too (to measure the representative days' error)."""
    options = read_options(options_file, base)
    days = read_season(season, base)
    reps = pick_days(days, k, keep_peak=keep_peak)
    solve_days = days if against_all else [days[r.index] for r in reps]
    refs, payloads = build_cases(options, solve_days, settings)
    return Study(options, days, reps, settings, refs, payloads, against_all)


def run(study: Study, out: Path, client=None, on_result=None) -> SweepStats:
    """Solve the study's cases not yet in ``out/results.sqlite``; each result is saved as it arrives."""
    out.mkdir(parents=True, exist_ok=True)
    with ResultStore(out / STORE_NAME) as store:
        return run_sweep(study.payloads, store, client, on_result)


@dataclass
class Report:
    figures: list[OptionFigures]
    days: list[DayFigures]
    check: list[dict]  # representative days against every day, per option (with --against-all)
    violations: list[str]


def report(study: Study, out: Path, rate: float) -> Report:
    """Season figures per option from the stored results (cases missing from the store count
    as failed days)."""
    with ResultStore(out / STORE_NAME) as store:
        results = {ref.case_id: store.get(ref.case_id) for ref in study.refs}
    results = {cid: r for cid, r in results.items() if r is not None}
    days = collect_days(study.options, study.reps, study.refs, results)
    figs = season_figures(study.options, days, rate)
    violations = sorted(
        {
            f"{r.option} {r.day}: {v}"
            for r in study.refs
            if r.case_id in results
            for v in results[r.case_id]["violations"]
        }
    )
    check: list[dict] = []
    if study.against_all:
        every = [Representative(i, d.label, 1, (d.label,)) for i, d in enumerate(study.days)]
        all_days = collect_days(study.options, every, study.refs, results)
        per_day = season_totals_by_day(all_days)
        full = {f.option: f for f in season_figures(study.options, all_days, rate)}
        for f in figs:
            if f.option not in per_day or len(per_day[f.option]) < len(study.days):
                continue
            est, exact, err = estimate_error(per_day[f.option], study.reps)
            exact_saving = full[f.option].saving_cny
            check.append(
                {
                    "option": f.option,
                    "days": len(study.days),
                    "representative_days": len(study.reps),
                    "season_cost_estimate_cny": est,
                    "season_cost_all_days_cny": exact,
                    "relative_error_pct": round(100 * err, 2),
                    "saving_estimate_cny": f.saving_cny,
                    "saving_all_days_cny": exact_saving,
                    "saving_error_cny": None
                    if f.saving_cny is None or exact_saving is None
                    else f.saving_cny - exact_saving,
                }
            )
    return Report(figs, days, check, violations)
