r"""A coalition's own day: the sub-scenario that members :math:`S` would plan without the others.

**Members** are the companies named in ``parcels.csv`` (column ``company``), in the order they first
appear there; ``members=`` narrows the game to some of them (the others' parcels are left out of
every coalition, the grand one included).

**Fleet rule.** A van whose ``owner`` (``vehicles.csv``) is a member company goes only with its
owner. Every other van (owner ``alliance``, or anyone who is not a member) is a *hire pool*
available to every coalition: each coalition may use a copy of each pool van, at the van's own
fixed and running costs. So a company without vans of its own plans alone as if it hired the vans
the alliance uses, and the grand coalition has exactly the scenario's fleet.

**Pickups.** An order belongs to a member when its ``shipper`` is that member's name; it goes with
every coalition containing that member. Orders of other shippers (the co-ops whose produce the
alliance brings back for everyone) belong to no member and are left out of the game.

**Baselines.** ``village``: every coalition delivers its parcels to the service points they are
addressed to (villages included). ``town``: the seed's today's mode for the coalitions short of the
whole alliance: parcels for a village go to its parent town (the village station fetches them
from there), so a company alone drives only to the town points; the grand coalition is the
alliance, which serves every village point. In ``town`` mode the subadditive closure therefore
leaves :math:`c(N)` alone (the alliance's service is not the sum of today's).

**Twins.** A parcel's weight enters a plan only through the vans' capacities (service times are
per site, costs per van, km and hour). So when a coalition's day has no pickups and all its
parcels together fit in the smallest van of its fleet, no capacity can bind: every plan that
serves its sites is feasible, and its cost does not depend on the weights. Two such coalitions
with the same sites and the same fleet have the same optimum and share one plan (``canonical``
drops the weights and companies before hashing). On the sample day this leaves 57 plans for
the 1,023 coalitions of ten members.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from coldchain.apps.share.game import members_of
from coldchain.scenario.domain import Order, Parcel, Scenario, Vehicle

BASELINES = ("village", "town")
POOL_OWNER = "alliance"


@dataclass(frozen=True)
class Alliance:
    """The members of the game and which vans and orders belong to whom."""

    scenario: Scenario
    members: tuple[str, ...]
    baseline: str = "village"

    def __post_init__(self) -> None:
        if self.baseline not in BASELINES:
            raise ValueError(f"baseline must be one of {', '.join(BASELINES)}, got {self.baseline!r}")
        if len(set(self.members)) != len(self.members):
            raise ValueError("a member is named twice")

    @property
    def n(self) -> int:
        return len(self.members)

    @property
    def grand(self) -> int:
        return (1 << self.n) - 1

    def pool_vans(self) -> tuple[Vehicle, ...]:
        return tuple(v for v in self.scenario.vehicles if v.owner not in self.members)

    def own_vans(self, member: str) -> tuple[Vehicle, ...]:
        return tuple(v for v in self.scenario.vehicles if v.owner == member)

    def orders_of(self, member: str) -> tuple[Order, ...]:
        return tuple(o for o in self.scenario.orders if o.shipper == member)

    def unowned_orders(self) -> tuple[Order, ...]:
        return tuple(o for o in self.scenario.orders if o.shipper not in self.members)

    def names(self, mask: int) -> list[str]:
        return [self.members[i] for i in members_of(mask, self.n)]

    def sub_scenario(self, mask: int) -> Scenario:
        """Coalition ``mask``'s day (module docstring): its parcels, pickups and vans."""
        if not 0 < mask <= self.grand:
            raise ValueError(f"no coalition {mask} of {self.n} members")
        names = set(self.names(mask))
        parcels = [p for p in self.scenario.parcels if p.company in names]
        if self.baseline == "town" and mask != self.grand:
            parcels = _to_towns(self.scenario, parcels)
        orders = tuple(o for o in self.scenario.orders if o.shipper in names)
        vans = [v for v in self.scenario.vehicles if v.owner in names]
        vans += list(self.pool_vans())
        return self.scenario.replace(parcels=tuple(parcels), orders=orders, vehicles=tuple(vans))

    def canonical(self, mask: int) -> Scenario:
        """What coalition ``mask``'s optimum depends on: its sub-scenario, or, for a twin (module
        docstring), the same day with one weightless parcel line per site."""
        sub = self.sub_scenario(mask)
        kg = sum(p.weight_kg for p in sub.parcels)
        if sub.orders or kg > min(v.capacity_kg for v in sub.vehicles):
            return sub
        sites = sorted({p.site_id for p in sub.parcels if p.parcel_count > 0 or p.weight_kg > 0})
        return sub.replace(parcels=tuple(Parcel(company="*", site_id=x, parcel_count=1, weight_kg=0) for x in sites))

    def volumes(self) -> dict[str, tuple[int, float]]:
        """Each member's parcels and kg (the proportional shares' weights)."""
        out = {m: (0, 0.0) for m in self.members}
        for p in self.scenario.parcels:
            if p.company in out:
                count, kg = out[p.company]
                out[p.company] = (count + p.parcel_count, kg + p.weight_kg)
        return out


def alliance(scenario: Scenario, members: list[str] | None = None, baseline: str = "village") -> Alliance:
    """The alliance of ``scenario`` (every company in parcels.csv, or ``members``).

    Raises ValueError naming what is wrong: an unknown member, fewer than two members, or a member
    with neither vans of its own nor a hire pool to use."""
    known = list(dict.fromkeys(p.company for p in scenario.parcels))
    if members is None:
        chosen = known
    else:
        unknown = [m for m in members if m not in known]
        if unknown:
            raise ValueError(
                f"not a company in parcels.csv: {', '.join(unknown)} (the companies are {', '.join(known)})"
            )
        chosen = list(dict.fromkeys(members))
    if len(chosen) < 2:
        raise ValueError(f"cost sharing needs at least two member companies, got {len(chosen)}")
    out = Alliance(scenario, tuple(chosen), baseline)
    if not out.pool_vans():
        vanless = [m for m in chosen if not out.own_vans(m)]
        if vanless:
            raise ValueError(
                f"{', '.join(vanless)} {'owns' if len(vanless) == 1 else 'own'} no vans and vehicles.csv "
                f"has no pool van (owner {POOL_OWNER!r}) "
                "they could hire: add one or give each member a van"
            )
    return out


def _to_towns(scenario: Scenario, parcels: list[Parcel]) -> list[Parcel]:
    """Today's mode: a village's parcels go to its parent town, merged per company and town."""
    kind = {s.site_id: s for s in scenario.sites}
    merged: dict[tuple[str, str], list[float]] = {}
    for p in parcels:
        site = kind[p.site_id]
        to = site.parent_town if site.kind == "village" and site.parent_town else p.site_id
        acc = merged.setdefault((p.company, to), [0, 0.0])
        acc[0] += p.parcel_count
        acc[1] += p.weight_kg
    return [Parcel(company=c, site_id=s, parcel_count=int(v[0]), weight_kg=v[1]) for (c, s), v in merged.items()]


def scenario_digest(scenario: Scenario) -> str:
    """A hash of everything in a scenario that a plan depends on (sha256 of its canonical JSON)."""
    data = scenario.model_dump(mode="json")
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
