r"""What pricing may do at each stop: its *visit options*, and the arrays of the real rules for the labels.

On a benchmark day a visited stop takes all its orders, and `coldchain.core.arrays.TypeData` is
all the labelling loop needs. On a county day the truck that visits a stop chooses which of its
pickup orders it takes (every must-serve one, any of the optional ones: prize collecting, each
order worth its value), and for each chilled order taken, whether the labels count it in reefer
space or as riding dry. An *option* is one such choice; per option the loop reads

=================  ==================================================================
``opt_kg``         kg picked up
``opt_cold``       kg of chilled produce counted in reefer space (the second capacity)
``opt_early``      earliest service start: the stop's opening and the orders' ready times
``opt_dl``         least deadline at the cold store of the orders taken
``opt_prize``      value of the optional orders taken (a route's net cost is its cost less
                   its prizes; the master's constant adds every optional order's value back)
``opt_dry``        least minutes out of the cold allowed to a chilled order counted dry
=================  ==================================================================

Options are enumerated (every subset of the optional orders with every must-serve one, times
reefer or dry for each chilled order taken), at most ``MAX_OPTIONS`` per stop: the route method
refuses a day with more (`coldchain.planner.registry.routes_apply`). A pickup-only stop has no
empty option (a visit that takes nothing only costs); a parcel stop has one. Options that cannot
fit the type (payload, reefer space, window, a dry ride shorter than the drive home) are left out.

Drivers paid by the hour: the arc cost carries the paid minutes' additive part,
:math:`w (s_i + \tau_{ij})` (driving and service, with :math:`w` the weighted price per
minute), and the labels add the waiting no departure avoids when they close
(`coldchain.colgen.labelling`).

Rules the labels keep exactly (the route evaluator, `coldchain.core.evaluate`, agrees on their
cost and feasibility): payload, opening hours and ready times, the shift, freshness deadlines at
the cold store, the driver's paid time with the departure chosen late, and reefer space for the
chilled orders counted in it. The time out of the cold of a chilled order riding dry is only
*relaxed*: the labels check its no-wait ride home (a lower bound on the real time out of the
cold), and the evaluator, which puts chilled orders in reefer space tightest first and picks dry
ones up as late as the route allows, may reject the route or pay more waiting to keep it. Such
columns are re-costed by the evaluator (`coldchain.colgen.tree`).
"""

from __future__ import annotations

import itertools

import numpy as np

from coldchain.core.arrays import TypeData
from coldchain.core.instance import Instance

MAX_OPTIONS = 64  # visit options per stop the labels enumerate (the route method refuses a day with more)
NO_LIMIT = 1e18


def option_count(inst: Instance, node: int) -> int:
    """How many visit options the labels would enumerate at stop ``node`` (before fitting a type)."""
    orders = [inst.orders[o] for o in inst.stop(node).orders]
    optional = sum(1 for o in orders if not o.required)
    chilled = sum(1 for o in orders if o.chilled)
    return 2 ** (optional + chilled)


class Visits:
    """The visit options of every stop for one vehicle type, and the arrays the labelling loop reads
    with them (module docstring). ``plain``: every stop has one option, all its orders, no prize,
    no reefer, no deadline before the shift's end, and drivers are not paid by the hour (a
    benchmark day: columns cost `TypeData.route_cost` and route enumeration applies)."""

    def __init__(self, inst: Instance, td: TypeData):
        k = td.k
        t = inst.types[k]
        n = inst.n
        self.td = td
        self.w = inst.costs.per_h[k] / 60.0
        self.rq = float(t.reefer_kg)
        lost = inst.costs.lost
        late = td.late
        self.orders: list[tuple[int, ...]] = []  # per option, the orders taken
        rows: list[tuple[float, float, float, float, float, float]] = []
        ptr = [0, 0]
        plain = self.w == 0.0
        for j in range(1, n + 1):
            st = inst.stop(j)
            here = [inst.orders[o] for o in st.orders]
            required = [o for o in here if o.required]
            optional = [o for o in here if not o.required]
            got: dict[tuple, tuple[float, float, float, float, float, float]] = {}
            if inst.serves[k, j]:
                for r in range(len(optional) + 1):
                    for extra in itertools.combinations(optional, r):
                        taken = [*required, *extra]
                        if not taken and not st.mandatory:
                            continue
                        self._options(inst, td, j, taken, sum(lost[o.index] for o in extra), got)
            for key, row in got.items():
                if row[2] > late[j] + 1e-9 or row[0] > td.q + 1e-9:
                    continue
                self.orders.append(key[0])
                rows.append(row)
            ptr.append(len(rows))
            plain = plain and len(got) == 1 and not any(o.chilled for o in here) and not optional
            plain = plain and all(o.deadline_min >= t.end_min for o in here)
        self.plain = plain
        a = np.array(rows, dtype=np.float64).reshape(-1, 6)
        self.opt_ptr = np.array(ptr, dtype=np.int64)  # hub (no options) first
        self.opt_kg, self.opt_cold, self.opt_early, self.opt_dl, self.opt_prize, self.opt_dry = (
            np.ascontiguousarray(a[:, c]) for c in range(6)
        )
        minutes = td.minutes_a
        service = td.service_a
        self.cost_a = td.cost_a + self.w * (service[:, None] + minutes)
        has = [self.opt_ptr[j + 1] > self.opt_ptr[j] for j in range(n + 1)]
        self.early_min = np.array(
            [td.early[0]] + [float(self.opt_early[self.opt_ptr[j] : self.opt_ptr[j + 1]].min()) if has[j] else
                             float(td.late[j]) for j in range(1, n + 1)], dtype=np.float64)  # fmt: skip
        self.prize_max = np.array(
            [0.0] + [float(self.opt_prize[self.opt_ptr[j] : self.opt_ptr[j + 1]].max()) if has[j] else 0.0
                     for j in range(1, n + 1)], dtype=np.float64)  # fmt: skip
        if plain:
            self.succ_ptr, self.succ_idx = td.succ_ptr, td.succ_idx
        else:
            light = [0.0] + [
                float(self.opt_kg[self.opt_ptr[j] : self.opt_ptr[j + 1]].min()) if has[j] else np.inf
                for j in range(1, n + 1)
            ]
            succ: list[list[int]] = [[] for _ in range(n + 1)]
            for i, j in inst.arcs(k):
                if j and has[j] and (i == 0 or (has[i] and light[i] + light[j] <= td.q + 1e-9)):
                    succ[i].append(j)
            for i, js in enumerate(succ):
                js.sort(key=lambda j, i=i: self.cost_a[i, j])
            self.succ_ptr = np.cumsum([0] + [len(js) for js in succ]).astype(np.int64)
            self.succ_idx = np.array([j for js in succ for j in js], dtype=np.int64)

    def _options(self, inst: Instance, td: TypeData, j: int, taken: list, prize: float, got: dict) -> None:
        """Add to ``got`` the options taking ``taken`` at stop ``j``: one per reefer-or-dry choice
        of its chilled orders (a dry ride must at least allow the drive home)."""
        st = inst.stop(j)
        kg = sum(o.kg for o in taken)
        early = max([st.open_min, *(o.ready_min for o in taken)])
        dl = min([NO_LIMIT, *(o.deadline_min for o in taken)])
        dl = NO_LIMIT if dl >= td.end else dl  # (a deadline after the shift's end cannot bind)
        chilled = [o for o in taken if o.chilled]
        home = td.ret_a[j]
        for dry in itertools.product((False, True), repeat=len(chilled)):
            cold = sum(o.kg for o, d in zip(chilled, dry) if not d)
            limit = min([NO_LIMIT, *(o.max_out_of_cold_min for o, d in zip(chilled, dry) if d)])
            if cold > self.rq + 1e-9 or limit < home - 1e-9:
                continue
            key = (tuple(sorted(o.index for o in taken)), dry)
            got[key] = (kg, cold, early, dl, prize, limit)

    def loop_args(self, mu: float) -> tuple:
        """The first arguments of `coldchain.colgen.labelling.label`, as `TypeData.loop_args` gives
        them, with the arc costs of paid time and these successors."""
        td = self.td
        return (
            self.cost_a,
            td.minutes_a,
            td.service_a,
            td.early_a,
            td.late_a,
            td.ret_a,
            td.delivery_a,
            td.pick_a,
            float(td.q),
            float(td.end),
            float(td.fixed - mu),
            self.succ_ptr,
            self.succ_idx,
        )

    def option_args(self) -> tuple:
        """The last arguments of `coldchain.colgen.labelling.label`: the fixed cost, the options,
        reefer space and the driver's price per minute."""
        return (
            float(self.td.fixed),
            self.opt_ptr,
            self.opt_kg,
            self.opt_cold,
            self.opt_early,
            self.opt_dl,
            self.opt_prize,
            self.opt_dry,
            self.rq,
            float(self.w),
        )

    def completion_args(self, duals: np.ndarray) -> tuple:
        """`coldchain.colgen.labelling.completion`'s arrays: the least early start and the largest
        prize of each stop's options (so the bound stays below every option's)."""
        td = self.td
        return (self.cost_a, td.minutes_a, td.service_a, self.early_min, td.late_a, td.ret_a, float(td.end),
                duals + self.prize_max, self.succ_ptr, self.succ_idx)  # fmt: skip

    def picks(self, seq: tuple[int, ...], options: tuple[int, ...]) -> dict[int, list[int]]:
        """The orders taken at each stop of a route the loop returned (its labels' options)."""
        return {i: list(self.orders[o]) for i, o in zip(seq, options)}
