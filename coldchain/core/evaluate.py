"""Evaluate one truck's route exactly, without a solver.

Given a vehicle type, a sequence of stops and the orders picked at each, ``evaluate_route``
checks payload and reefer space, opening hours, ready times, freshness deadlines, time out of
the cold and the shift, and finds the cheapest timing: a departure that keeps every rule with
the least paid time (so the driver is paid for no avoidable waiting), the earliest such
departure, and, when chilled produce rides outside reefer space, each pickup as late as the
route allows (so it spends the least time out of the cold).

Every rule is monotone in the departure time (leaving later never helps a window or deadline),
and the paid time never grows with a later departure, so both are found by bisection. The
planner uses this to give solved routes clean times, to explain unserved orders, and to build
heuristic plans.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from coldchain.core.instance import Instance

TOL = 1e-6


@dataclass
class RouteEval:
    """The outcome of evaluating one route. ``reason`` names the first rule broken, if any."""

    feasible: bool
    reason: str | None = None
    depart: float = 0.0
    ret: float = 0.0
    arrive: list[float] = field(default_factory=list)
    start: list[float] = field(default_factory=list)
    load_after: list[float] = field(default_factory=list)
    reefer_after: list[float] = field(default_factory=list)
    load_out: float = 0.0
    in_reefer: dict[int, bool] = field(default_factory=dict)
    km: float = 0.0
    cost: float = 0.0


def _reefer_choice(inst: Instance, k: int, orders: list[int]) -> dict[int, bool]:
    """Put chilled orders in reefer space, tightest time-out-of-cold first, while space lasts."""
    cap = inst.types[k].reefer_kg
    chosen: dict[int, bool] = {}
    for o in sorted((o for o in orders if inst.orders[o].chilled), key=lambda o: inst.orders[o].max_out_of_cold_min):
        kg = inst.orders[o].kg
        if kg <= cap + TOL:
            chosen[o] = True
            cap -= kg
        else:
            chosen[o] = False
    return chosen


def evaluate_route(
    inst: Instance,
    k: int,
    seq: list[int],
    picks: dict[int, list[int]] | None = None,
    in_reefer: dict[int, bool] | None = None,
    depart: float | None = None,
    pickup_only: Collection[int] = (),
) -> RouteEval:
    """Check and time a route of vehicle type ``k`` visiting ``seq`` (stop nodes, hub excluded).

    ``picks[node]`` lists the order indices picked up at that stop. ``in_reefer`` fixes which
    chilled orders ride in reefer space (default: tightest first, while space lasts). With
    ``depart`` (a fixed line's timetable) the truck leaves exactly then and pays any waiting.
    At the stops in ``pickup_only`` (split visits) the truck drops no parcels: another does.
    """
    picks = picks or {}
    t = inst.types[k]
    if not seq:
        return RouteEval(True)
    f = inst.fast
    orders = inst.orders
    all_orders = [o for i in seq for o in picks.get(i, ())]
    reefer = in_reefer if in_reefer is not None else _reefer_choice(inst, k, all_orders)

    broken, load_out, loads, colds = _loads(inst, k, seq, picks, reefer, pickup_only)
    if broken is not None:
        return RouteEval(False, broken)

    ready = [max([orders[o].ready_min for o in picks.get(i, ())], default=-1e18) for i in seq]
    deadline = min([orders[o].deadline_min for o in all_orders], default=1e18)
    latest_ret = min(t.end_min, deadline)
    dry_cold = [
        (p, orders[o].max_out_of_cold_min)
        for p, i in enumerate(seq)
        for o in picks.get(i, ())
        if orders[o].chilled and not reefer.get(o)
    ]
    mins, open_min, latest, service = f.minutes, f.open_min, f.latest, f.service

    def run(depart: float):
        arrive, start = [], []
        clock, prev = depart, 0
        for p, i in enumerate(seq):
            clock += mins[prev][i]
            arrive.append(clock)
            begin = max(clock, open_min[i], ready[p])
            if begin > latest[i] + TOL:
                return None, "window", arrive, start
            start.append(begin)
            clock = begin + service[i]
            prev = i
        ret = clock + mins[prev][0]
        if ret > t.end_min + TOL:
            return None, "shift", arrive, start
        if ret > deadline + TOL:
            return None, "deadline", arrive, start
        if dry_cold:
            late = _late_starts(inst, seq, start, ret)
            for p, limit in dry_cold:
                if ret - late[p] > limit + TOL:
                    return None, "cold", arrive, start
        return ret, None, arrive, start

    ret, why, _, _ = run(t.start_min if depart is None else depart)
    if ret is None:  # leaving later never helps a window, deadline, the shift or time out of the cold
        return RouteEval(False, why)
    if depart is not None:
        lo = depart
    else:
        d_max, free_from = _departure_terms(inst, seq, ready, t.start_min, latest_ret)
        if dry_cold and run(d_max)[0] is None:  # the time out of the cold caps the departure
            d_max = _latest_feasible_departure(run, t.start_min, d_max)
        lo = max(t.start_min, min(d_max, free_from))
    ret, _, arrive, start = run(lo)
    if ret is None:  # not expected (feasibility is monotone in the departure); a safety net, never a crash
        lo = _latest_feasible_departure(run, t.start_min if depart is None else depart, lo)
        ret, _, arrive, start = run(lo)
    if dry_cold:  # chilled produce outside reefer space: pick it up as late as the route allows
        start = _late_starts(inst, seq, start, ret)
        # the truck then leaves each stop later, so it reaches the next one later (and waits less)
        arrive = [arrive[0]] + [
            start[p - 1] + service[seq[p - 1]] + mins[seq[p - 1]][seq[p]] for p in range(1, len(seq))
        ]
    km_l = f.km
    km = km_l[0][seq[0]] + sum(km_l[a][b] for a, b in zip(seq, seq[1:])) + km_l[seq[-1]][0]
    cost = inst.costs.route(k, km, ret - lo)
    return RouteEval(
        True,
        None,
        lo,
        ret,
        arrive,
        start,
        loads,
        colds,
        load_out,
        {o: bool(reefer.get(o)) for o in all_orders if orders[o].chilled},
        km,
        cost,
    )


def dropped_kg(inst: Instance, seq: list[int], pickup_only: Collection[int] = ()) -> list[float]:
    """The parcel kg the truck drops at each stop of ``seq`` (none where it only picks up)."""
    f = inst.fast
    return [0.0 if i in pickup_only else f.delivery[i] for i in seq]


def _loads(
    inst: Instance,
    k: int,
    seq: list[int],
    picks: dict[int, list[int]],
    reefer: dict[int, bool],
    pickup_only: Collection[int] = (),
) -> tuple[str | None, float, list[float], list[float]]:
    """Payload and reefer space along the route: the rule broken (``capacity``, ``reefer``) or
    None, the load leaving the hub, and the load and reefer load after each stop."""
    t, orders = inst.types[k], inst.orders
    drop = dropped_kg(inst, seq, pickup_only)
    load = sum(drop)
    load_out = load
    if load > t.capacity_kg + TOL:
        return "capacity", load_out, [], []
    cold = 0.0
    loads, colds = [], []
    for p, i in enumerate(seq):
        for o in picks.get(i, ()):
            load += orders[o].kg
            if reefer.get(o):
                cold += orders[o].kg
        load -= drop[p]
        if load > t.capacity_kg + TOL:
            return "capacity", load_out, [], []
        if cold > t.reefer_kg + TOL:
            return "reefer", load_out, [], []
        loads.append(load)
        colds.append(cold)
    return None, load_out, loads, colds


def _departure_terms(
    inst: Instance, seq: list[int], ready: list[float], earliest: float, latest_ret: float
) -> tuple[float, float]:
    """(latest departure keeping windows, shift and deadline; departure from which no waiting is paid), in O(n).

    With departure D, each service start is s_p(D) = max(D + T_p, W_p) and the return
    r(D) = max(D + T_r, W_r), where T is travel and service time without waiting and W the
    start forced by opening hours and ready times (D-independent). A backward pass gives the
    latest allowed start L_p of each stop; the latest feasible departure is
    D_max = min_p (L_p - T_p, L_r - T_r). The paid time r(D) - D = max(T_r, W_r - D) falls with D,
    so its least value is reached at D_max, and first at D* = max(earliest, min(D_max, W_r - T_r)).
    The caller has checked that departing at ``earliest`` keeps every rule.
    """
    f = inst.fast
    mins, open_min, latest, service = f.minutes, f.open_min, f.latest, f.service
    cum = []  # T_p
    t_no_wait, w_clock, prev = 0.0, -1e18, 0
    for p, i in enumerate(seq):
        leg = mins[prev][i]
        t_no_wait += leg
        w_clock = max(w_clock + leg, open_min[i], ready[p])
        cum.append(t_no_wait)
        t_no_wait += service[i]
        w_clock += service[i]
        prev = i
    t_ret = t_no_wait + mins[prev][0]
    w_ret = w_clock + mins[prev][0]
    d_max = latest_ret - t_ret
    nxt, nxt_node = latest_ret, 0
    for p in range(len(seq) - 1, -1, -1):
        i = seq[p]
        allowed = min(latest[i], nxt - mins[i][nxt_node] - service[i])
        d_max = min(d_max, allowed - cum[p])
        nxt, nxt_node = allowed, i
    return max(d_max, earliest), w_ret - t_ret


def _latest_feasible_departure(run, earliest: float, latest: float) -> float:
    """Bisection for the latest departure in [earliest, latest] that ``run`` accepts (used when
    chilled produce rides dry: its pick-up-late rule has no closed form). ``run(earliest)`` must
    be feasible; feasibility is monotone (leaving later never helps)."""
    lo, hi = earliest, latest
    for _ in range(60):
        if hi - lo < 1e-4:
            break
        mid = (lo + hi) / 2
        if run(mid)[0] is not None:
            lo = mid
        else:
            hi = mid
    return lo


def _late_starts(inst: Instance, seq: list[int], early: list[float], ret: float) -> list[float]:
    """Latest service starts that still return at ``ret`` (backward pass), never before ``early``."""
    f = inst.fast
    late = list(early)
    nxt = ret - f.minutes[seq[-1]][0] - f.service[seq[-1]]
    for p in range(len(seq) - 1, -1, -1):
        i = seq[p]
        late[p] = max(early[p], min(f.latest[i], nxt))
        if p:
            nxt = late[p] - f.minutes[seq[p - 1]][i] - f.service[seq[p - 1]]
    return late


def time_route_as_given(
    inst: Instance,
    k: int,
    seq: list[int],
    picks: dict[int, list[int]],
    depart: float,
    pickup_only: Collection[int] = (),
) -> RouteEval:
    """Time a route from a given departure without enforcing any rule (for plans made elsewhere).

    Loads, times and costs are computed as driven: waiting where a stop is not yet open or an
    order not ready, chilled orders in reefer space while it lasts. ``feasible`` and ``reason``
    come from `evaluate_route`, so a broken rule is named, and the independent checker then
    counts every violation in the written plan.
    """
    judged = evaluate_route(inst, k, seq, picks, pickup_only=pickup_only)
    if judged.feasible:
        return judged
    f, orders = inst.fast, inst.orders
    all_orders = [o for i in seq for o in picks.get(i, ())]
    reefer = _reefer_choice(inst, k, all_orders)
    drop = dropped_kg(inst, seq, pickup_only)
    load = load_out = sum(drop)
    cold = 0.0
    loads, colds, arrive, start = [], [], [], []
    clock, prev = depart, 0
    for p, i in enumerate(seq):
        for o in picks.get(i, ()):
            load += orders[o].kg
            cold += orders[o].kg if reefer.get(o) else 0.0
        load -= drop[p]
        loads.append(load)
        colds.append(cold)
        clock += f.minutes[prev][i]
        arrive.append(clock)
        ready = max([orders[o].ready_min for o in picks.get(i, ())], default=-1e18)
        clock = max(clock, f.open_min[i], ready)
        start.append(clock)
        clock += f.service[i]
        prev = i
    ret = clock + f.minutes[prev][0]
    km = f.km[0][seq[0]] + sum(f.km[a][b] for a, b in zip(seq, seq[1:])) + f.km[seq[-1]][0]
    cost = inst.costs.route(k, km, ret - depart)
    in_reefer = {o: bool(reefer.get(o)) for o in all_orders if orders[o].chilled}
    return RouteEval(False, judged.reason, depart, ret, arrive, start, loads, colds, load_out, in_reefer, km, cost)
