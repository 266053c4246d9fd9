"""What ``coldchain share`` writes: the members' table, CSV files and a bar chart, all atomically.

* ``allocation.csv``: one row per member: parcels, kg, stand-alone cost and bound (``alone_cny``,
  ``alone_bound_cny``), and for each rule the allocated cost, the saving (CNY and per cent); the
  least core's range per member.
* ``rules.csv``: one row per rule: in the core or not, how many coalitions block it surely and
  possibly (interval game), the worst blocking coalition and its excess.
* ``coalitions.csv``: one row per coalition: members, status, incumbent, bound, gap, the cost
  after the subadditive closure, trucks, km, empty km, seconds, the coalition whose plan it has
  (itself, or a twin: `coalitions.Alliance.canonical`), whether it came from the cache.
* ``allocation.png``: stand-alone cost and each rule's share per member (grouped bars).
* ``summary.txt``: the printed tables as text.
"""

from __future__ import annotations

import csv
import functools
import io
import warnings
from pathlib import Path

import numpy as np

from coldchain.apps.share.allocate import RULES, Sharing
from coldchain.apps.share.cache import CoalitionResult
from coldchain.apps.share.game import members_of
from coldchain.output.atomic import atomic_target, safe_cell, write_text_atomic


def write_csv(path: Path, rows: list[dict]) -> None:
    """``rows`` (dicts with the same keys) as a UTF-8 CSV file with a BOM (so that Excel in China
    shows the Chinese names, as for the plan's files), written atomically."""
    buf = io.StringIO()
    buf.write("\ufeff")
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
    write_text_atomic(path, buf.getvalue())


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def member_rows(
    names: tuple[str, ...], volumes: dict[str, tuple[int, float]], sharing: Sharing, bounds: np.ndarray
) -> list[dict]:
    game = sharing.game
    c = game.standalone
    rows = []
    for i, name in enumerate(names):
        row = {
            "member": name,
            "parcels": volumes[name][0],
            "weight_kg": _r(volumes[name][1], 1),
            "alone_cny": _r(c[i]),
            "alone_bound_cny": _r(bounds[1 << i]),
        }
        for rule, share in sharing.shares.items():
            y = share.value[i]
            row[f"{rule}_cny"] = _r(y)
            row[f"{rule}_saving_cny"] = _r(c[i] - y)
            row[f"{rule}_saving_pct"] = _r(100 * (c[i] - y) / c[i], 1) if c[i] else None
        if sharing.least is not None:
            row["leastcore_min_cny"] = _r(sharing.least.lower[i])
            row["leastcore_max_cny"] = _r(sharing.least.upper[i])
        rows.append(row)
    return rows


def rule_rows(names: tuple[str, ...], sharing: Sharing) -> list[dict]:
    rows = []
    for rule, share in sharing.shares.items():
        worst = share.blocking[0] if share.blocking else None
        who = "" if worst is None else " + ".join(names[i] for i in members_of(worst[0], len(names)))
        rows.append(
            {
                "rule": rule,
                "description": RULES[rule],
                "in_core": "yes" if share.in_core else "no",
                "blocking_surely": share.surely,
                "blocking_possibly": share.possibly,
                "worst_blocking": who,
                "worst_excess_cny": "" if worst is None else _r(worst[1]),
                "note": share.note,
            }
        )
    return rows


def coalition_rows(
    names: tuple[str, ...],
    results: dict[int, CoalitionResult],
    sharing: Sharing,
    cached: set[int],
    planned_as: dict[int, int],
) -> list[dict]:
    rows = []
    n = len(names)
    for mask in range(1, 1 << n):
        r = results.get(mask)
        if r is None:
            continue
        gap = None
        if r.cost is not None and r.bound is not None:
            gap = _r(100 * (r.cost - r.bound) / max(abs(r.cost), 1e-9), 3)
        rows.append(
            {
                "mask": mask,
                "size": bin(mask).count("1"),
                "members": " + ".join(names[i] for i in members_of(mask, n)),
                "status": r.status,
                "cost_cny": _r(r.cost),
                "bound_cny": _r(r.bound),
                "gap_pct": gap,
                "closed_cost_cny": _r(sharing.game(mask)),
                "closed_bound_cny": _r(sharing.interval.lower[mask]),
                "trucks": r.trucks,
                "km": _r(r.km, 1),
                "empty_km": _r(r.empty_km, 1),
                "seconds": _r(r.runtime_s),
                "planned_as": " + ".join(names[i] for i in members_of(planned_as.get(mask, mask), n)),
                "cached": "yes" if mask in cached else "no",
                "check_violations": "" if r.violations is None else r.violations,
            }
        )
    return rows


def write_chart(
    path: Path, names: tuple[str, ...], standalone: np.ndarray, shares: dict[str, np.ndarray], title: str
) -> None:
    """Grouped bars: each member's stand-alone cost and its share under every rule (PNG, atomic)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {"parcels": "by parcels", "weight": "by weight", "standalone": "by cost alone", "epm": "EPM"}
    series = [("alone", standalone), *((labels.get(r, r.capitalize()), y) for r, y in shares.items())]
    n, k = len(names), len(series)
    width = 0.8 / k
    x = np.arange(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing CJK glyphs on machines without a CJK font
        with plt.rc_context({"font.family": [*_cjk_fonts(), "DejaVu Sans"]}):
            fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * n + 2), 4.5))
            for j, (label, values) in enumerate(series):
                ax.bar(x + (j - (k - 1) / 2) * width, values, width, label=label)
            ax.set_xticks(x, list(names), rotation=30 if n > 5 else 0, ha="right" if n > 5 else "center")
            ax.set_ylabel("cost (CNY per day)")
            ax.set_title(title, fontsize=10)
            ax.legend(fontsize=7, ncol=min(k, 4))
            fig.tight_layout()
            with atomic_target(path) as tmp:
                fig.savefig(tmp, format="png", dpi=110)
            plt.close(fig)


@functools.cache
def _cjk_fonts() -> tuple[str, ...]:
    """Font families that draw Chinese member names: the system's Noto CJK or WenQuanYi
    collections (``.ttc``, which matplotlib does not load by itself), Sans first; [] if none."""
    from matplotlib import font_manager

    found = []
    files = sorted(font_manager.findSystemFonts(fontext="ttc"), key=lambda f: ("Sans" not in f, f))
    for path in files:
        name = Path(path).name.lower()
        if ("cjk" in name or "wqy" in name) and "bold" not in name:
            try:
                font_manager.fontManager.addfont(path)
                found.append(font_manager.FontProperties(fname=path).get_name())
            except (OSError, RuntimeError, ValueError):
                continue
    return tuple(dict.fromkeys(found))[:2]
