"""A route map picture: one colour per truck, the hub, towns, villages, and unserved pickups."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from coldchain.core.plan import Plan
from coldchain.output.atomic import atomic_target


def draw_map(plan: Plan, path: str | Path) -> Path:
    """Draw the plan's routes on longitude/latitude axes and save a PNG atomically."""
    inst = plan.instance
    sites = {s.site_id: s for s in plan.scenario.sites}
    fig, ax = plt.subplots(figsize=(9, 8), dpi=110)
    unserved_sites = {inst.orders[o].site_id for o in plan.unserved}
    for s in plan.scenario.sites:
        style = {"hub": ("*", 260, "black"), "town": ("s", 50, "dimgray"), "village": ("o", 25, "gray")}[s.kind]
        ax.scatter(s.lon, s.lat, marker=style[0], s=style[1], c=style[2], zorder=3)
        ax.annotate(s.site_id, (s.lon, s.lat), fontsize=6, xytext=(3, 3), textcoords="offset points")
    for sid in unserved_sites:
        s = sites[sid]
        ax.scatter(s.lon, s.lat, marker="x", s=90, c="red", zorder=4)
    colours = plt.get_cmap("tab10")
    for n, r in enumerate(x for x in plan.routes if x.seq):
        pts = [sites[inst.nodes[i]] for i in [0, *r.seq, 0]]
        xs, ys = [p.lon for p in pts], [p.lat for p in pts]
        ax.plot(
            xs,
            ys,
            "-",
            color=colours(n % 10),
            lw=1.8,
            alpha=0.85,
            label=f"{r.vehicle_id} ({len(r.seq)} stops, {r.ev.km:.0f} km)",
        )
        for a, b in zip(pts, pts[1:]):
            ax.annotate(
                "",
                xy=((a.lon + b.lon) / 2 + (b.lon - a.lon) * 0.05, (a.lat + b.lat) / 2 + (b.lat - a.lat) * 0.05),
                xytext=((a.lon + b.lon) / 2, (a.lat + b.lat) / 2),
                arrowprops={"arrowstyle": "->", "color": colours(n % 10), "lw": 1.2},
            )
    if unserved_sites:
        ax.scatter([], [], marker="x", c="red", label="unserved pickup")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"{plan.scenario.settings.name}: {plan.status}, {sum(1 for r in plan.routes if r.seq)} trucks")
    ax.legend(fontsize=7, loc="best")
    ax.set_aspect(1.0 / max(0.2, math.cos(math.radians(sites[inst.nodes[0]].lat))))
    ax.grid(alpha=0.2)
    try:
        with atomic_target(path) as tmp:
            fig.savefig(tmp, format="png", bbox_inches="tight")
    finally:
        plt.close(fig)
    return Path(path)
