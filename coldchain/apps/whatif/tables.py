"""The study's tables: per option (``report.csv``), per option and day (``days.csv``), the
representative days (``representative_days.csv``), and the on-screen table (also ``report.txt``).

CSV files are UTF-8 with a BOM (Excel in China opens them correctly) and written atomically.
"""

from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from coldchain.apps.whatif.appraisal import DayFigures, OptionFigures
from coldchain.apps.whatif.season import Representative
from coldchain.output.atomic import safe_frame, write_text_atomic


def _csv(path: Path, df: pd.DataFrame) -> Path:
    write_text_atomic(path, "\ufeff" + safe_frame(df).to_csv(index=False, float_format="%.2f"))
    return path


def option_frame(figs: list[OptionFigures]) -> pd.DataFrame:
    rows = []
    for f in figs:
        row = asdict(f)
        row["failed_days"] = " ".join(f.failed_days)
        rows.append(row)
    return pd.DataFrame(rows)


def write_tables(
    out: Path, figs: list[OptionFigures], days: list[DayFigures], reps: list[Representative]
) -> list[Path]:
    """Write report.csv, days.csv and representative_days.csv into ``out``."""
    rep_rows = [{"day": r.label, "weight": r.weight, "stands_for": " ".join(r.members)} for r in reps]
    return [
        _csv(out / "report.csv", option_frame(figs)),
        _csv(out / "days.csv", pd.DataFrame([asdict(d) for d in days])),
        _csv(out / "representative_days.csv", pd.DataFrame(rep_rows)),
    ]


def _money(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _years(x: float | None) -> str:
    return "never" if x is None else f"{x:.1f}"


def report_table(figs: list[OptionFigures], season_days: int, rate: float) -> Table:
    """The per-option table a planner reads (season figures in CNY): operating cost (trucks, km,
    drivers), value of produce lost, kg into the cold store, trucks on the busiest day, the
    planner's gap, annualised capital, net saving against the baseline with the range the gaps
    allow, NPV, simple payback and the verdict."""
    t = Table(
        title=f"What-if over {season_days} season days (season figures in CNY; discount rate {100 * rate:g} %)",
        title_justify="left",
    )
    for col, justify in (
        ("option", "left"),
        ("operating", "right"),
        ("lost", "right"),
        ("kg in", "right"),
        ("trucks", "right"),
        ("gap", "right"),
        ("capital/y", "right"),
        ("saving [range]", "right"),
        ("NPV", "right"),
        ("payback y", "right"),
        ("verdict", "left"),
    ):
        t.add_column(col, justify=justify, no_wrap=col != "verdict")
    for f in figs:
        saving = "-" if f.saving_cny is None else f"{f.saving_cny:,.0f}"
        if f.saving_low_cny is not None and f.saving_high_cny is not None:
            saving += f" [{f.saving_low_cny:,.0f}, {f.saving_high_cny:,.0f}]"
        t.add_row(
            f.option,
            _money(f.operating_cny),
            _money(f.lost_cny),
            f"{f.kg_to_cold_store:,.0f}",
            str(f.trucks_peak),
            _money(f.gap_cny),
            _money(f.annualised_capital_cny),
            saving,
            _money(f.npv_cny),
            "-" if f.saving_cny is None else _years(f.payback_y),
            f.verdict + (f" ({', '.join(f.failed_days)})" if f.failed_days else ""),
        )
    return t


def table_text(table: Table) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()
