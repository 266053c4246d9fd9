"""The study's figures as PNG: cost and spoilage by option, NPV against investment, payback.

* ``cost_by_option.png``: season operating cost and value of produce lost, stacked per option,
  with the planner's gap as an error bar on the total (the true optimum is at most that lower).
* ``npv_vs_investment.png``: each option's NPV against its net capital (after subsidy), with
  the NPV range the gaps allow; above the zero line the option pays over its lifetime.
* ``payback.png``: simple and discounted payback years per option against its lifetime.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from coldchain.apps.whatif.appraisal import OptionFigures


def _save(fig, path: Path) -> Path:
    from coldchain.output.atomic import atomic_target

    with atomic_target(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


def cost_by_option(figs: list[OptionFigures], path: Path) -> Path:
    names = [f.option for f in figs]
    op = [f.operating_cny for f in figs]
    lost = [f.lost_cny for f in figs]
    gaps = [[f.gap_cny or 0.0 for f in figs], [0.0] * len(figs)]
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(figs) + 2), 4))
    ax.bar(names, op, label="operating (trucks, km, drivers)", color="#4c72b0")
    ax.bar(names, lost, bottom=op, label="value of produce lost", color="#dd8452")
    ax.errorbar(
        names,
        [a + b for a, b in zip(op, lost)],
        yerr=gaps,
        fmt="none",
        ecolor="black",
        capsize=4,
        label="planner gap (optimum may be this much lower)",
    )
    ax.set_ylabel("season cost (CNY)")
    ax.set_title("Season cost and spoilage by option")
    ax.legend(fontsize=8)
    ax.tick_params(axis="x", rotation=30)
    return _save(fig, path)


def npv_vs_investment(figs: list[OptionFigures], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 4))
    for f in figs[1:]:
        if f.npv_cny is None:
            continue
        lo = f.npv_cny - (f.npv_low_cny if f.npv_low_cny is not None else f.npv_cny)
        hi = (f.npv_high_cny if f.npv_high_cny is not None else f.npv_cny) - f.npv_cny
        ax.errorbar([f.net_capital_cny], [f.npv_cny], yerr=[[lo], [hi]], fmt="o", capsize=4)
        ax.annotate(f.option, (f.net_capital_cny, f.npv_cny), textcoords="offset points", xytext=(5, 5), fontsize=8)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("net capital after subsidy (CNY)")
    ax.set_ylabel("NPV over the lifetime (CNY)")
    ax.set_title("NPV against investment (bars: range the planner's gaps allow)")
    return _save(fig, path)


def payback(figs: list[OptionFigures], path: Path) -> Path:
    rows = [f for f in figs[1:] if f.saving_cny is not None]
    names = [f.option for f in rows]
    fig, ax = plt.subplots(figsize=(6, max(2.5, 0.5 * len(rows) + 1.5)))
    y = range(len(rows))
    cap = max([f.horizon_y for f in rows] + [1.0]) * 1.5
    simple = [min(f.payback_y, cap) if f.payback_y is not None else cap for f in rows]
    disc = [min(f.discounted_payback_y, cap) if f.discounted_payback_y is not None else cap for f in rows]
    ax.barh([i - 0.2 for i in y], simple, height=0.4, label="simple", color="#4c72b0")
    ax.barh([i + 0.2 for i in y], disc, height=0.4, label="discounted", color="#55a868")
    ax.scatter([f.horizon_y for f in rows], list(y), marker="|", s=300, color="black", label="lifetime")
    ax.set_yticks(list(y), names)
    ax.set_xlabel(f"years (a bar at {cap:g}: never pays back, or later than that)")
    ax.set_title("Payback")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _save(fig, path)


def write_plots(out: Path, figs: list[OptionFigures]) -> list[Path]:
    return [
        cost_by_option(figs, out / "cost_by_option.png"),
        npv_vs_investment(figs, out / "npv_vs_investment.png"),
        payback(figs, out / "payback.png"),
    ]
