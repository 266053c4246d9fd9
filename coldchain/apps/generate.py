"""Generate a full-county day for Ling Shan (灵山县): sites, fleet, parcels and pickup orders.

``generate_day(kind, seed)`` returns a scenario folder's files as text; ``write_day`` writes
them. The same (kind, seed, date) always gives the same day, so a day can be named and
regenerated (``coldchain generate --day peak --seed 1``).

Where the figures come from (shared domain facts; S sourced, D derived, E estimated):

- 19 town points: the 17 town seats and the 2 sub-districts of §1.2 (E coordinates, ±5-10 km);
  the hub is the county seat 灵城 (S). 389 villages in all (S-weak); a peak day touches
  ``villages`` of them, placed 2-9 km around their town seat (E).
- Parcels: 60-160 parcels per village per day at about 1-2 kg each (§5.1, D); the alliance
  carries the members' share, here 40-110 parcels per village point and 150-450 kg per town
  point, split between ten express companies by an assumed market share (E).
- Litchi (§2.5): a peak day in mid-June; each order is one co-op's lot of 100-600 kg (a 50-mu
  block picks 2,500-3,000 kg a day, S); most lots are picked this morning, some picked
  yesterday afternoon whose 24 h window closes today (§2.1, D). Some villages have a
  pre-cooling room (§2.2, E). On a peak day a fifth of the villages in litchi towns have no
  parcels, only fruit to collect. An ordinary day has no litchi and a few other perishables (§3).
- Fleet (§4, §8): 4.2 m dry vans 1.5 t at 1.0 CNY/km, reefers 1.2 t at 1.5 CNY/km, split-body
  trucks 0.7 + 0.5 t; fixed cost 120-170 CNY/day; driver 30 CNY/h (D/E).
- The full day (``--day full``): the dispatcher's real day, every one of the 389 villages with
  parcels (22-23 per rural town) plus the 19 town points, and about 150 litchi lots of 50-400 kg
  (one co-op's morning pick, E): about 20 at villages, the rest one or two lots each at 128
  pickup-only sheds (orchard collection points, kind ``village``, ids ``S_<town>_<k>``, no
  parcels) 1-8 km from the seat of a litchi town; 30 % of the sheds have a pre-cooling room (E).
  About 540 stops. Every village is served on an ordinary weekday, so a village gets 25-70
  parcels (the alliance's share of an average day's 60-160, D/E; the peak day's 40-110 at all
  389 villages would need more vans than the alliance has). Fleet: 40 trucks (24 dry, 10 reefer,
  6 split), written as three ``vehicles.csv`` rows with a ``count`` (trucks ``D-1`` .. ``D-24``).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from coldchain.output.atomic import write_text_atomic

HUB = ("HUB", "灵山县共同配送中心(冷库)", 22.420, 109.290)
TOWNS = [  # id, name, lat, lon (domain facts §1.2)
    ("LINGCHENG", "灵城街道", 22.405, 109.275),
    ("SANHAI", "三海街道", 22.41, 109.31),
    ("LUWU", "陆屋镇", 22.2840, 108.9462),
    ("JIUZHOU", "旧州镇", 22.45, 108.93),
    ("SANLONG", "三隆镇", 22.37, 109.05),
    ("NALONG", "那隆镇", 22.36, 109.14),
    ("TANXU", "檀圩镇", 22.36, 109.22),
    ("YANDUN", "烟墩镇", 22.44, 109.20),
    ("PINGNAN", "平南镇", 22.47, 109.21),
    ("TAIPING", "太平镇", 22.48, 109.12),
    ("SHAPING", "沙坪镇", 22.48, 109.02),
    ("FENGTANG", "丰塘镇", 22.52, 109.32),
    ("FOZI", "佛子镇", 22.43, 109.37),
    ("PINGSHAN", "平山镇", 22.51, 109.44),
    ("SHITANG", "石塘镇", 22.60, 109.48),
    ("XINXU", "新圩镇", 22.31, 109.29),
    ("BOLAO", "伯劳镇", 22.15, 109.02),
    ("WULI", "武利镇", 22.08, 109.14),
    ("WENLI", "文利镇", 21.98, 109.21),
]
SUBDISTRICTS = {"LINGCHENG", "SANHAI"}  # urban: no villages of their own in this model
LITCHI_TOWNS = {"XINXU", "FOZI", "TANXU", "NALONG", "PINGSHAN", "FENGTANG", "YANDUN", "SANLONG", "WULI"}
COMPANIES = [  # assumed shares of rural parcels (E)
    ("中国邮政", 0.16),
    ("中通", 0.15),
    ("圆通", 0.12),
    ("韵达", 0.12),
    ("极兔", 0.12),
    ("申通", 0.09),
    ("京东", 0.08),
    ("顺丰", 0.07),
    ("德邦", 0.05),
    ("菜鸟", 0.04),
]
# vehicle kinds: dry kg, reefer kg, fixed CNY/day, CNY/km (domain facts §4 and §8)
KINDS = {"dry": (1500, 0, 120, 1.0), "reefer": (0, 1200, 170, 1.5), "split": (700, 500, 150, 1.3)}
DAYS = {
    # villages touched, trucks by kind, share of villages with litchi, other orders, share of villages in
    # litchi towns with no parcels today (their orchards' lots are collected all the same)
    "peak": dict(villages=170, fleet={"dry": 16, "reefer": 8, "split": 4}, litchi=0.4, other=12, no_parcels=0.2),
    "ordinary": dict(villages=100, fleet={"dry": 14, "reefer": 3, "split": 2}, litchi=0.0, other=18, no_parcels=0.0),
    # the whole county: every village with parcels, most litchi lots at pickup-only sheds; the fleet
    # as ``count`` rows; parcels per village and kg per litchi lot given (peak and ordinary: 40-110, 100-600)
    "full": dict(
        villages=389,
        fleet={"dry": 24, "reefer": 10, "split": 6},
        litchi=0.04,
        other=15,
        no_parcels=0.0,
        sheds=128,
        village_parcels=(25, 71),
        lot_kg=(50, 400),
    ),
}
SHED_PRECOOLING = 0.3  # share of the full day's litchi sheds with a pre-cooling room (E)
OTHER = [("longan", 80, 300), ("banana", 150, 500), ("duck_eggs", 50, 200), ("fresh_fish", 40, 150)]
OTHER += [("leafy_greens", 40, 150), ("raw_milk", 60, 200)]


def _csv(header: list[str], rows: list[list]) -> str:
    def cell(v) -> str:
        s = f"{v:g}" if isinstance(v, float) else str(v)
        return f'"{s}"' if "," in s else s

    return "\n".join([",".join(header), *(",".join(cell(v) for v in r) for r in rows)]) + "\n"


def _sheds(rng: np.random.Generator, rural: list[tuple], count: int, sites: list[list]) -> list[tuple[str, str]]:
    """``count`` pickup-only litchi sheds (no parcels), in turn over the litchi towns, 1-8 km from
    the town seat, some with pre-cooling; appended to ``sites``; (site id, town id) each."""
    sheds: list[tuple[str, str]] = []
    litchi_rural = [t for t in rural if t[0] in LITCHI_TOWNS]
    for k in range(count):
        tid, tname, lat, lon = litchi_rural[k % len(litchi_rural)]
        r_km, ang = rng.uniform(1.0, 8.0), rng.uniform(0, 2 * math.pi)
        vlat = lat + r_km * math.sin(ang) / 111.0
        vlon = lon + r_km * math.cos(ang) / (111.0 * math.cos(math.radians(lat)))
        vlat, vlon = float(np.clip(vlat, 21.86, 22.64)), float(np.clip(vlon, 108.70, 109.57))
        number = k // len(litchi_rural) + 1
        sid = f"S_{tid}_{number:02d}"
        precool = rng.random() < SHED_PRECOOLING
        sites.append(
            [sid, f"{tname}荔枝收购点{number}", "village", f"T_{tid}", round(vlat, 4), round(vlon, 4), "07:00"]
            + ["18:00", int(rng.choice([10, 12, 15])), "yes" if precool else "no"]
        )
        sheds.append((sid, tid))
    return sheds


def generate_day(kind: str = "peak", seed: int = 1, day: date | None = None) -> dict[str, str]:
    """The files of a county-day scenario folder, by file name.

    ``kind`` is ``peak`` (mid-June litchi peak), ``ordinary`` (outside the litchi season) or
    ``full`` (mid-June, every village of the county and the litchi sheds: about 540 stops).
    """
    if kind not in DAYS:
        raise ValueError(f"kind must be one of {', '.join(DAYS)}")
    spec = DAYS[kind]
    day = day or (date(2026, 9, 15) if kind == "ordinary" else date(2026, 6, 15))
    rng = np.random.default_rng([seed, list(DAYS).index(kind)])
    name = f"lingshan-{kind}-{day.isoformat()}-seed{seed}"

    sites = [[HUB[0], HUB[1], "hub", "", HUB[2], HUB[3], "05:30", "21:00", 0, "no"]]
    parcels: list[list] = []
    shares = np.array([s for _, s in COMPANIES])

    def add_parcels(site_id: str, count: int) -> None:
        split = rng.multinomial(count, shares / shares.sum())
        for (company, _), c in zip(COMPANIES, split):
            if c:
                parcels.append([company, site_id, int(c), round(float(c * rng.uniform(1.2, 2.0)), 1)])

    for tid, tname, lat, lon in TOWNS:
        sid = f"T_{tid}"
        sites.append([sid, f"{tname}服务点", "town", "", lat, lon, "08:00", "18:00", 20, "no"])
        add_parcels(sid, int(rng.integers(110, 280)))

    rural = [t for t in TOWNS if t[0] not in SUBDISTRICTS]
    per_town = np.full(len(rural), spec["villages"] // len(rural))
    per_town[: spec["villages"] - per_town.sum()] += 1
    villages: list[tuple[str, str]] = []  # (site id, town id)
    for (tid, tname, lat, lon), count in zip(rural, per_town):
        for v in range(int(count)):
            r_km, ang = rng.uniform(2.0, 9.0), rng.uniform(0, 2 * math.pi)
            vlat = lat + r_km * math.sin(ang) / 111.0
            vlon = lon + r_km * math.cos(ang) / (111.0 * math.cos(math.radians(lat)))
            vlat, vlon = float(np.clip(vlat, 21.86, 22.64)), float(np.clip(vlon, 108.70, 109.57))
            sid = f"V_{tid}_{v + 1:02d}"
            morning_only = rng.random() < 0.1
            precool = tid in LITCHI_TOWNS and rng.random() < 0.2
            close = "12:00" if morning_only else "18:00"
            sites.append(
                [sid, f"{tname}{v + 1}村服务点", "village", f"T_{tid}", round(vlat, 4), round(vlon, 4), "08:00", close]
                + [int(rng.choice([10, 12, 15])), "yes" if precool else "no"]
            )
            villages.append((sid, tid))
            if rng.random() >= spec["no_parcels"] or tid not in LITCHI_TOWNS:
                add_parcels(sid, int(rng.integers(*spec.get("village_parcels", (40, 111)))))

    sheds = _sheds(rng, rural, spec.get("sheds", 0), sites)
    orders: list[list] = []
    yesterday = day - timedelta(days=1)

    def moment(d: date, minutes: float) -> str:
        return (datetime(d.year, d.month, d.day) + timedelta(minutes=int(minutes))).strftime("%Y-%m-%d %H:%M")

    for sid, tid in villages:
        share = spec["litchi"] * (1.5 if tid in LITCHI_TOWNS else 0.5)
        if rng.random() < share:
            for _ in range(1 + int(rng.random() < 0.3)):
                n = len(orders) + 1
                if rng.random() < 0.3:  # picked yesterday afternoon: its window closes this afternoon
                    ready, note = moment(yesterday, rng.uniform(13 * 60, 17.5 * 60)), "picked yesterday afternoon"
                else:
                    ready, note = moment(day, rng.uniform(6 * 60, 11 * 60)), "picked this morning"
                kg = float(round(rng.uniform(*spec.get("lot_kg", (100, 600))), -1))
                orders.append([f"LZ-{n:03d}", f"{tid.title()} co-op {1 + n % 4}", sid, "litchi", kg, ready, note])
    for sid, tid in sheds:  # one lot a shed, a few two
        for _ in range(1 + int(rng.random() < 0.1)):
            n = len(orders) + 1
            late = rng.random() < 0.3  # picked yesterday afternoon, as at the villages
            when = moment(yesterday, rng.uniform(13 * 60, 17.5 * 60)) if late else None
            ready = when or moment(day, rng.uniform(6 * 60, 11 * 60))
            note = "picked yesterday afternoon" if late else "picked this morning"
            kg = float(round(rng.uniform(*spec["lot_kg"]), -1))
            orders.append([f"LZ-{n:03d}", f"{tid.title()} co-op {1 + n % 4}", sid, "litchi", kg, ready, note])
    for _ in range(spec["other"]):
        sid, tid = villages[int(rng.integers(len(villages)))]
        product, lo, hi = OTHER[int(rng.integers(len(OTHER)))]
        n = len(orders) + 1
        ready = moment(day, rng.uniform(6 * 60, 12 * 60))
        kg = float(round(rng.uniform(lo, hi), -1))
        orders.append([f"OT-{n:03d}", f"{tid.title()} farmers", sid, product, kg, ready, ""])

    vehicles = []
    by_count = "sheds" in spec  # the full day: one row per kind, with a count (trucks D-1 .. D-24)
    for vkind, count in spec["fleet"].items():
        dry, reefer, fixed, per_km = KINDS[vkind]
        if by_count:
            row = [vkind[0].upper(), "alliance", "HUB", dry, reefer, fixed, per_km, 30, "06:30", "19:30", count]
            vehicles.append(row)
            continue
        for v in range(count):
            vid = f"{vkind[0].upper()}{v + 1:02d}"
            vehicles.append([vid, "alliance", "HUB", dry, reefer, fixed, per_km, 30, "06:30", "19:30"])

    kind_text = {
        "peak": "litchi peak day (mid-June)",
        "ordinary": "ordinary day outside the litchi season",
        "full": "day of every village and litchi shed (mid-June)",
    }[kind]
    toml = (
        f"# A generated full-county {kind_text} for Ling Shan: coldchain generate --day {kind} --seed {seed}\n"
        f"# Sources and assumptions: coldchain/generate.py docstring.\n"
        f'name = "{name}"\ndate = {day.isoformat()}\n'
    )
    return {
        "scenario.toml": toml,
        "sites.csv": _csv(
            [
                "site_id",
                "name",
                "kind",
                "parent_town",
                "lat",
                "lon",
                "open_time",
                "close_time",
                "service_min",
                "has_precooling",
            ],
            sites,
        ),
        "vehicles.csv": _csv(
            [
                "vehicle_id",
                "owner",
                "home_hub",
                "dry_capacity_kg",
                "reefer_capacity_kg",
                "fixed_cost_cny_per_day",
                "cost_cny_per_km",
                "driver_cost_cny_per_h",
                "shift_start",
                "shift_end",
            ]
            + (["count"] if by_count else []),
            vehicles,
        ),
        "parcels.csv": _csv(["company", "site_id", "parcel_count", "weight_kg"], parcels),
        "orders.csv": _csv(
            ["order_id", "shipper", "site_id", "product_id", "quantity_kg", "ready_at", "notes"], orders
        ),
    }


def write_day(folder: str | Path, files: dict[str, str]) -> list[Path]:
    """Write a generated day into ``folder`` (created if needed), each file atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for fname, text in files.items():
        write_text_atomic(folder / fname, text)
        out.append(folder / fname)
    return out
