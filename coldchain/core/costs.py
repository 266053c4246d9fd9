r"""The one cost function: what a route and a lost order add to the objective, with its weights.

Every method optimises the same objective, the compact MILP's (`coldchain.model.objective`):

.. math::

    \text{cost} = \sum_{r} \big(\alpha^{f} F_{k_r} + \alpha^{d} c_{k_r}\,\kappa_r
                  + \alpha^{h} \tfrac{w_{k_r}}{60}(\rho_r - \delta_r)\big)
                  + \alpha^{s} \sum_{o \text{ unserved}} v_o

for routes :math:`r` of vehicle type :math:`k_r` driving :math:`\kappa_r` km from departure
:math:`\delta_r` to return :math:`\rho_r` (minutes), with fixed cost :math:`F_k`, cost per km
:math:`c_k` and driver cost per hour :math:`w_k`, and the value :math:`v_o` of each pickup order
left unserved. The weights :math:`\alpha` come from ``models/objective.toml`` or a scenario's
``[weights]`` (`coldchain.scenario.domain.ObjectiveWeights`); 1.0 counts a cost as it is. The
route evaluator, the route search, set partitioning, the lower bound and branch-and-price's
route costs all read `Costs`, so a weight changes every method's plan alike. The written tables
and the KPIs report the costs unweighted (and ``objective_cny`` weighted); the checker
recomputes them on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coldchain.scenario.domain import ObjectiveWeights

if TYPE_CHECKING:
    from coldchain.core.instance import Instance


@dataclass(frozen=True)
class Costs:
    """The objective's prices for one instance, weights applied: per vehicle type ``fixed``
    (CNY per truck used), ``per_km`` and ``per_h`` (driver time from leaving the hub to coming
    back); per pickup order ``lost`` (its value, counted when it is not served)."""

    weights: ObjectiveWeights
    fixed: tuple[float, ...]
    per_km: tuple[float, ...]
    per_h: tuple[float, ...]
    lost: tuple[float, ...]

    @classmethod
    def of(cls, inst: Instance) -> Costs:
        w = inst.scenario.settings.weights
        return cls(
            w,
            tuple(w.fixed * t.fixed_cny for t in inst.types),
            tuple(w.distance * t.cny_per_km for t in inst.types),
            tuple(w.driver * t.cny_per_h for t in inst.types),
            tuple(w.spoilage * o.value_cny for o in inst.orders),
        )

    def route(self, k: int, km: float, paid_min: float) -> float:
        """A route of type ``k``: fixed + km + driver time (``paid_min`` minutes)."""
        return self.fixed[k] + self.per_km[k] * km + self.per_h[k] * paid_min / 60.0

    def arc(self, k: int, km: float, minutes: float = 0.0, from_hub: bool = False) -> float:
        """One arc of type ``k``: its km, ``minutes`` of driver time, and the fixed cost on the way
        out of the hub (the arc formulations: `coldchain.colgen.arc_bound`, `coldchain.core.arrays`)."""
        return self.per_km[k] * km + self.per_h[k] * minutes / 60.0 + (self.fixed[k] if from_hub else 0.0)

    def net(self, route) -> float:
        """A route's cost less the value of the orders it serves (set partitioning's column cost:
        the plan's cost is then the columns' net costs plus the value of every order)."""
        return route.cost - sum(self.lost[o] for os in route.picks.values() for o in os)

    def unserved(self, orders) -> float:
        """The lost value of the pickup orders ``orders`` (indices)."""
        return sum(self.lost[o] for o in orders)
