"""``routes.png``: a route map a dispatcher can read, from 10 stops to a full county day.

* one colour per truck from `coldchain.output.palette` (38 distinct colours; beyond that the
  line style changes too), the legend outside the plot on the right;
* background from the scenario itself (no tiles): the county as the convex hull of its sites,
  every service point as a grey dot, the route stops as dots in their truck's colour, the hub
  as a star, red crosses at unserved pickups;
* labels only where they fit: the hub and towns first, villages only on small days (up to
  ``VILLAGE_LABELS_UP_TO`` sites); a label that would overlap one already placed is dropped;
* a scale bar in km (one degree of longitude is :math:`111.32 \\cos\\varphi` km at latitude
  :math:`\\varphi`; the axes keep that aspect);
* Chinese names drawn with a CJK font found by matplotlib's font manager (Noto Sans CJK, from
  Debian's ``fonts-noto-cjk``); without one the labels fall back to site ids and
  `cjk_font_note` says so in one line (never boxes for characters).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager, patheffects

from coldchain.core.plan import Plan
from coldchain.output.atomic import atomic_target
from coldchain.output.geometry import convex_hull
from coldchain.output.palette import PALETTE, truck_colour
from coldchain.scenario.domain import Scenario, Site

VILLAGE_LABELS_UP_TO = 40  # sites; above, villages are dots only
ARROWS_UP_TO = 60  # stops; above, the direction of travel is left out (the HTML map has it in order)
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
_STYLES = ("-", "--", ":", "-.")


@cache
def cjk_font() -> str | None:
    """The family of an installed font with Chinese characters (None if there is none).

    Matplotlib's font list is cached on disk and may predate the font's install, so when the list
    has none, the system's font files whose names say CJK are added (each face of a .ttc)."""

    def pick() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((family for family in CJK_FAMILIES if family in names), None)

    if (found := pick()) is not None:
        return found
    for path in sorted(font_manager.findSystemFonts()):
        if "CJK" in Path(path).name or "wqy" in Path(path).name.lower():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    return pick()


def cjk_font_note() -> str | None:
    """One line for the user when no CJK font is installed (None when one is)."""
    if cjk_font() is not None:
        return None
    return (
        "Note: no font with Chinese characters found (install Debian's fonts-noto-cjk); routes.png labels sites by id"
    )


def _has_cjk(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def _nice(x: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``x``."""
    p = 10 ** math.floor(math.log10(x))
    return max(m * p for m in (1, 2, 5) if m * p <= x)


def _scale_bar(ax, lat0: float) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = 111.32 * math.cos(math.radians(lat0))
    km = _nice((x1 - x0) * km_per_deg / 5)
    width = km / km_per_deg
    left, base = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    tick = 0.008 * (y1 - y0)
    ax.plot([left, left + width], [base, base], "-", color="black", lw=2.5, zorder=6, solid_capstyle="butt")
    for x in (left, left + width):
        ax.plot([x, x], [base - tick, base + tick], "-", color="black", lw=1.2, zorder=6)
    ax.text(left + width / 2, base + 1.8 * tick, f"{km:g} km", ha="center", va="bottom", fontsize=8, zorder=6)


def _place_labels(fig, ax, candidates: list[tuple[float, float, str, dict]]) -> int:
    """Add labels in priority order, dropping any that would overlap a placed one; how many fit."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    placed = []
    for x, y, text, style in candidates:
        x0, x1 = ax.get_xlim()
        right = (x - x0) / (x1 - x0) > 0.85  # near the right edge: label to the left of the point
        t = ax.annotate(text, (x, y), xytext=(-4 if right else 4, 3), textcoords="offset points", zorder=7,
                        ha="right" if right else "left", **style)  # fmt: skip
        t.set_path_effects([patheffects.withStroke(linewidth=2.5, foreground="white", alpha=0.85)])
        box = t.get_window_extent(renderer).expanded(1.05, 1.15)
        if any(box.overlaps(b) for b in placed):
            t.remove()
            continue
        placed.append(box)
    return len(placed)


def map_labels(scenario: Scenario, font: str | None) -> list[tuple[Site, str]]:
    """The labels the map tries to place, most important first: the hub, the towns (named after
    their town: "佛子镇服务点" -> "佛子镇"), and the villages only on small days. Without a CJK
    ``font``, a Chinese name is replaced by the site id."""

    def text(s: Site) -> str:
        name = s.name.removesuffix("服务点") if s.kind == "town" else s.name
        return name if font or not _has_cjk(name) else s.site_id

    rank = {"hub": 0, "town": 1, "village": 2}
    shown = [s for s in scenario.sites if s.kind != "village" or len(scenario.sites) <= VILLAGE_LABELS_UP_TO]
    return [(s, text(s)) for s in sorted(shown, key=lambda s: rank[s.kind])]


def draw_map(plan: Plan, path: str | Path) -> Path:
    """Draw the plan's routes on longitude/latitude axes and save a PNG atomically."""
    inst = plan.instance
    sites = {s.site_id: s for s in plan.scenario.sites}
    hub = sites[inst.nodes[0]]
    used = [r for r in plan.routes if r.seq]
    n_stops = sum(len(r.seq) for r in used)
    big = len(sites) > VILLAGE_LABELS_UP_TO
    font = cjk_font()
    base_font = {"family": [font, "DejaVu Sans"]} if font else {}

    fig, ax = plt.subplots(figsize=(13, 9.5) if big else (10, 7.5), dpi=120)
    # the county: convex hull of its sites, every point grey
    hull = convex_hull([(s.lon, s.lat) for s in sites.values()])
    if len(hull) > 2:
        ax.fill(*zip(*hull), color="#f2efe6", ec="#b0a890", lw=0.8, zorder=0)
    for kind, size in (("village", 9 if big else 18), ("town", 30 if big else 40)):
        pts = [s for s in sites.values() if s.kind == kind]
        if pts:
            ax.scatter(
                [s.lon for s in pts],
                [s.lat for s in pts],
                s=size,
                c="#9a9a9a",
                marker="o" if kind == "village" else "s",
                zorder=2,
                lw=0,
            )
    trucks: dict[str, int] = {}  # one colour per truck, all its trips alike ([rules] multiple_trips)
    for r in used:
        n = trucks.setdefault(r.vehicle_id, len(trucks))
        colour, style = truck_colour(n), _STYLES[(n // len(PALETTE)) % len(_STYLES)]
        pts = [sites[inst.nodes[i]] for i in [0, *r.seq, 0]]
        xs, ys = [p.lon for p in pts], [p.lat for p in pts]
        ax.plot(
            xs[1:-1] if big else xs,
            ys[1:-1] if big else ys,
            style,
            color=colour,
            lw=1.5 if big else 1.8,
            alpha=0.9,
            zorder=3,
            label=f"{r.vehicle_id}{f' trip {r.trip}' if r.trip > 1 else ''}  {len(r.seq)} stops, {r.ev.km:.1f} km",
        )
        if big:  # the legs out of and back to the hub, faint: on a county day they all meet there
            for leg in ((0, 1), (-2, -1)):
                ax.plot([xs[leg[0]], xs[leg[1]]], [ys[leg[0]], ys[leg[1]]], ":", color=colour, lw=0.9, alpha=0.5,
                        zorder=2.5)  # fmt: skip
        ax.scatter(xs[1:-1], ys[1:-1], s=14 if big else 36, c=colour, edgecolors="#333", linewidths=0.4, zorder=4)
        if n_stops <= ARROWS_UP_TO:
            for a, b in zip(pts, pts[1:]):
                mid = ((a.lon + b.lon) / 2, (a.lat + b.lat) / 2)
                ax.annotate(
                    "",
                    xy=(mid[0] + (b.lon - a.lon) * 0.05, mid[1] + (b.lat - a.lat) * 0.05),
                    xytext=mid,
                    arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.2},
                    zorder=4,
                )
    unserved_sites = sorted({inst.orders[o].site_id for o in plan.unserved})
    if unserved_sites:
        ax.scatter(
            [sites[s].lon for s in unserved_sites],
            [sites[s].lat for s in unserved_sites],
            marker="x",
            s=70,
            c="#d00000",
            linewidths=1.8,
            zorder=5,
            label=f"unserved pickup ({len(plan.unserved)} orders)",
        )
    ax.scatter(
        hub.lon,
        hub.lat,
        marker="*",
        s=420,
        c="#ffd700",
        edgecolors="black",
        linewidths=1.0,
        zorder=6,
        label="hub (cold store)",
    )

    lat0 = hub.lat
    ax.set_aspect(1.0 / max(0.2, math.cos(math.radians(lat0))))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.grid(alpha=0.15)
    title = plan.scenario.settings.name
    ax.set_title(
        f"{title} ({plan.scenario.settings.date}): {plan.status}, {len(used)} trucks, {n_stops} stops, "
        f"{sum(r.ev.km for r in used):,.1f} km",
        fontsize=11,
        **({"fontfamily": base_font["family"]} if font else {}),
    )
    ncol = 1 if len(used) <= 24 else 2
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=7.5,
        ncol=ncol,
        frameon=False,
        title="truck",
        title_fontsize=8,
        borderaxespad=0.0,
    )
    _scale_bar(ax, lat0)

    sizes = {"hub": {"fontsize": 9, "fontweight": "bold"}, "town": {"fontsize": 8}, "village": {"fontsize": 7}}
    cands = [(s.lon, s.lat, text, {**sizes[s.kind], **base_font}) for s, text in map_labels(plan.scenario, font)]
    _place_labels(fig, ax, cands)
    try:
        with atomic_target(path) as tmp:
            fig.savefig(tmp, format="png", bbox_inches="tight")
    finally:
        plt.close(fig)
    return Path(path)
