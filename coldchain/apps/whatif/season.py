"""The days of a season, and the representative days that stand for them.

A season is either

* a **folder of daily scenarios** (each subfolder holding a ``scenario.toml`` is one day), or
* a **profile** CSV that scales the base day by product and date::

      date,parcels,litchi*,raw_milk
      2026-05-25,0.9,0.2,1
      2026-06-15,1.3,2.5,1

  Columns other than ``date`` are ``parcels`` (parcel counts and kg) or a product id, which may
  be a pattern (``litchi*``); the first matching column scales a product, and a blank cell or a
  product no column names keeps the base amount (1). For each date the day is the base day moved
  to that date (ready times shifted by the same number of days), each order's kg multiplied by
  its product's factor and cut into pieces no larger than the base order (ids ``LZ-004``,
  ``LZ-004~2``, ...: a co-op's bigger harvest is more crates of the same size, not a lot no truck
  can carry), and each parcel line's count and kg multiplied by the ``parcels`` factor.

**Representative days.** Each day is described by its demand profile x_d: kg of each product at
each town (villages counted at their parent town) and parcel kg per town. Each feature is
standardised (z-score over the season; constant features dropped), the distance is Euclidean,
and k-medoids (FasterPAM, ``kmedoids`` package, deterministic BUILD start) picks k medoids, each
a real day, weighted by the number of days w_j in its cluster: Season ~ sum_j w_j C(medoid_j),
with sum_j w_j = number of days. The peak day (most kg to collect) is kept as its own medoid
with weight 1 (an extreme period, as ``tsam`` does) when k >= 2, so that the season's hardest day
is always solved. ``estimate_error`` reports how far the weighted estimate is from the sum over
every day (``coldchain whatif --against-all`` solves both).
"""

from __future__ import annotations

import csv
import fnmatch
import io
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from coldchain import InputError, Problem, Scenario, read_scenario


@dataclass(frozen=True)
class Day:
    """One day of the season: a label (its date, or folder name) and its scenario."""

    label: str
    scenario: Scenario


@dataclass(frozen=True)
class Representative:
    """A representative day: its position among the season's days, and the days it stands for."""

    index: int
    label: str
    weight: int
    members: tuple[str, ...]


def scale_day(base: Scenario, day: date, factors: dict[str, float], parcels: float = 1.0) -> Scenario:
    """The base day moved to ``day`` with order kg scaled by product and parcels by ``parcels``.

    ``factors`` maps product ids (or patterns such as ``litchi*``) to factors; the first match in
    the mapping's order wins and an unmatched product keeps factor 1. See the module docstring.
    """
    shift = timedelta(days=(day - base.settings.date).days)
    products = [p.product_id for p in base.products]
    factor = {p: next((f for pat, f in factors.items() if fnmatch.fnmatchcase(p, pat)), 1.0) for p in products}
    orders = []
    for o in base.orders:
        kg = o.quantity_kg * factor.get(o.product_id, 1.0)
        pieces = int(kg // o.quantity_kg)
        sizes = [o.quantity_kg] * pieces
        rest = kg - pieces * o.quantity_kg
        if rest >= 0.5:
            sizes.append(round(rest, 1))
        for k, size in enumerate(sizes):
            oid = o.order_id if k == 0 else f"{o.order_id}~{k + 1}"
            orders.append(
                o.model_copy(
                    update={"order_id": oid, "quantity_kg": size, "ready_at": o.ready_at + shift, "line": None}
                )
            )
    lines = []
    for p in base.parcels:
        count, kg = round(p.parcel_count * parcels), round(p.weight_kg * parcels, 1)
        if count > 0 or kg > 0:
            lines.append(p.model_copy(update={"parcel_count": count, "weight_kg": kg, "line": None}))
    settings = base.settings.model_copy(update={"date": day, "name": f"{base.settings.name} {day.isoformat()}"})
    return base.replace(settings=settings, orders=tuple(orders), parcels=tuple(lines))


def read_profile(path: Path, base: Scenario) -> list[Day]:
    """The days of a profile CSV (see the module docstring). Raises `InputError` with places."""
    fname = path.name
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise InputError([Problem(str(path), None, None, f"cannot open the file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(fname, None, None, "save the file as CSV in UTF-8")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    problems: list[Problem] = []
    if "date" not in header:
        raise InputError([Problem(fname, 1, None, "missing column: date (then parcels and/or product ids)")])
    products = [p.product_id for p in base.products]
    for col in header:
        if col in ("date", "parcels", "notes") or col.startswith("#"):
            continue
        if not any(fnmatch.fnmatchcase(p, col) for p in products):
            problems.append(Problem(fname, 1, col, f"matches no product of the scenario ({', '.join(products)})"))
    days: list[Day] = []
    seen: dict[date, int] = {}
    start = reader.line_num + 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in row):
            continue
        cells = {col: (row[k].strip() if k < len(row) else "") for k, col in enumerate(header)}
        try:
            day = datetime.strptime(cells["date"].replace("/", "-"), "%Y-%m-%d").date()
        except ValueError:
            problems.append(Problem(fname, line, "date", "expected a date as YYYY-MM-DD", cells["date"]))
            continue
        if day in seen:
            problems.append(Problem(fname, line, "date", f"this date is also on line {seen[day]}", cells["date"]))
            continue
        seen[day] = line
        factors: dict[str, float] = {}
        parcels = 1.0
        for col, cell in cells.items():
            if col in ("date", "notes") or col.startswith("#") or cell == "":
                continue
            try:
                value = float(cell)
                if not math.isfinite(value) or value < 0:
                    raise ValueError
            except ValueError:
                problems.append(Problem(fname, line, col, "expected a factor of at least 0 (1 = the base day)", cell))
                continue
            if col == "parcels":
                parcels = value
            else:
                factors[col] = value
        if not problems:
            days.append(Day(day.isoformat(), scale_day(base, day, factors, parcels)))
    if problems:
        raise InputError(problems)
    if not days:
        raise InputError([Problem(fname, None, None, "no dates; add one row per day of the season")])
    return sorted(days, key=lambda d: d.label)


def read_season(path: str | Path, base: Scenario) -> list[Day]:
    """The season at ``path``: a folder of day scenarios or a profile CSV scaling ``base``."""
    path = Path(path)
    if path.is_dir():
        folders = sorted(p for p in path.iterdir() if (p / "scenario.toml").is_file())
        if not folders:
            raise InputError([Problem(str(path), None, None, "no day folders (subfolders with a scenario.toml)")])
        problems: list[Problem] = []
        days = []
        for f in folders:
            try:
                days.append(Day(f.name, read_scenario(f)))
            except InputError as exc:
                problems += [Problem(f"{f.name}/{p.file}", p.line, p.column, p.message, p.got) for p in exc.problems]
        if problems:
            raise InputError(problems)
        return days
    if not path.is_file():
        raise InputError([Problem(str(path), None, None, "not found: give a profile CSV or a folder of day scenarios")])
    return read_profile(path, base)


def demand_profile(s: Scenario) -> dict[tuple[str, str], float]:
    """kg of each (product, town) to collect and parcel kg per ("parcels", town) on day ``s``."""
    town = {x.site_id: (x.parent_town or x.site_id) for x in s.sites}
    out: dict[tuple[str, str], float] = {}
    for o in s.orders:
        key = (o.product_id, town.get(o.site_id, o.site_id))
        out[key] = out.get(key, 0.0) + o.quantity_kg
    for p in s.parcels:
        key = ("parcels", town.get(p.site_id, p.site_id))
        out[key] = out.get(key, 0.0) + p.weight_kg
    return out


def feature_matrix(days: list[Day]) -> np.ndarray:
    """Standardised demand profiles, one row per day (constant features dropped)."""
    profiles = [demand_profile(d.scenario) for d in days]
    keys = sorted({k for p in profiles for k in p})
    x = np.array([[p.get(k, 0.0) for k in keys] for p in profiles], dtype=float).reshape(len(days), len(keys))
    sd = x.std(axis=0)
    keep = sd > 1e-12
    return (x[:, keep] - x[:, keep].mean(axis=0)) / sd[keep]


def pick_days(days: list[Day], k: int | None, keep_peak: bool = True) -> list[Representative]:
    """k representative days (k-medoids on the demand profiles) with their weights; every day
    with weight 1 when ``k`` is None or at least the number of days."""
    n = len(days)
    labels = [d.label for d in days]
    if k is None or k >= n:
        return [Representative(i, labels[i], 1, (labels[i],)) for i in range(n)]
    if k < 1:
        raise ValueError("the number of representative days must be at least 1")
    x = feature_matrix(days)
    totals = [sum(o.quantity_kg for o in d.scenario.orders) for d in days]
    chosen: list[Representative] = []
    rest = list(range(n))
    if keep_peak and k >= 2:
        peak = int(np.argmax(totals))
        chosen.append(Representative(peak, labels[peak], 1, (labels[peak],)))
        rest.remove(peak)
        k -= 1
    chosen += _medoids(x, rest, k, labels)
    return sorted(chosen, key=lambda r: r.index)


def _medoids(x: np.ndarray, rows: list[int], k: int, labels: list[str]) -> list[Representative]:
    """k-medoids (FasterPAM, BUILD start) over the days ``rows`` of feature matrix ``x``."""
    import kmedoids

    sub = x[rows]
    if sub.shape[1] == 0 or k >= len(rows):  # identical days, or as many medoids as days
        groups = [[r] for r in rows[:k]]
        groups[-1] += rows[k:]
        return [Representative(g[0], labels[g[0]], len(g), tuple(labels[i] for i in g)) for g in groups]
    d = np.sqrt(((sub[:, None, :] - sub[None, :, :]) ** 2).sum(axis=2))
    result = kmedoids.fasterpam(d, k, max_iter=100, init="build", random_state=0)
    out = []
    for j, m in enumerate(result.medoids):
        members = [rows[i] for i in range(len(rows)) if result.labels[i] == j]
        out.append(Representative(rows[int(m)], labels[rows[int(m)]], len(members), tuple(labels[i] for i in members)))
    return out


def weighted_total(per_day: dict[str, float], reps: list[Representative]) -> float:
    """Season total estimated from the representative days: sum_j w_j * value(medoid_j)."""
    return sum(r.weight * per_day[r.label] for r in reps)


def estimate_error(per_day: dict[str, float], reps: list[Representative]) -> tuple[float, float, float]:
    """(estimate from the representative days, exact sum over every day, relative error)."""
    est = weighted_total(per_day, reps)
    exact = sum(per_day.values())
    return est, exact, (est - exact) / exact if exact else 0.0
