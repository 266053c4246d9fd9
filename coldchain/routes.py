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

from dataclasses import dataclass, field

from coldchain.instance import Instance

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
) -> RouteEval:
    """Check and time a route of vehicle type ``k`` visiting ``seq`` (stop nodes, hub excluded).

    ``picks[node]`` lists the order indices picked up at that stop. ``in_reefer`` fixes which
    chilled orders ride in reefer space (default: tightest first, while space lasts).
    """
    picks = picks or {}
    t = inst.types[k]
    if not seq:
        return RouteEval(True)
    all_orders = [o for i in seq for o in picks.get(i, [])]
    reefer = in_reefer if in_reefer is not None else _reefer_choice(inst, k, all_orders)

    # payload and reefer space
    load = sum(inst.delivery(i) for i in seq)
    load_out = load
    if load > t.capacity_kg + TOL:
        return RouteEval(False, "capacity")
    cold = 0.0
    loads, colds = [], []
    for i in seq:
        load += sum(inst.orders[o].kg for o in picks.get(i, [])) - inst.delivery(i)
        cold += sum(inst.orders[o].kg for o in picks.get(i, []) if reefer.get(o))
        if load > t.capacity_kg + TOL:
            return RouteEval(False, "capacity")
        if cold > t.reefer_kg + TOL:
            return RouteEval(False, "reefer")
        loads.append(load)
        colds.append(cold)

    ready = [max([inst.orders[o].ready_min for o in picks.get(i, [])], default=-1e18) for i in seq]
    deadline = min([inst.orders[o].deadline_min for o in all_orders], default=1e18)
    dry_cold = [
        (p, inst.orders[o].max_out_of_cold_min)
        for p, i in enumerate(seq)
        for o in picks.get(i, [])
        if inst.orders[o].chilled and not reefer.get(o)
    ]

    def run(depart: float):
        arrive, start = [], []
        clock, prev = depart, 0
        for p, i in enumerate(seq):
            clock += inst.minutes[prev, i]
            arrive.append(clock)
            begin = max(clock, inst.stop(i).open_min, ready[p])
            if begin > inst.stop(i).latest_start_min + TOL:
                return None, "window", arrive, start
            start.append(begin)
            clock = begin + inst.service(i)
            prev = i
        ret = clock + inst.minutes[prev, 0]
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

    ret, why, _, _ = run(t.start_min)
    if ret is None:  # leaving later never helps a window, deadline or the shift
        return RouteEval(False, why)
    if dry_cold:
        lo = _depart_by_bisection(run, t.start_min, t.end_min)
    else:
        lo = _depart_exact(inst, seq, ready, t.start_min, min(t.end_min, deadline))
    ret, _, arrive, start = run(lo)
    if dry_cold:  # chilled produce outside reefer space: pick it up as late as the route allows
        start = _late_starts(inst, seq, start, ret)
    km = float(inst.km[0, seq[0]] + sum(inst.km[a, b] for a, b in zip(seq, seq[1:])) + inst.km[seq[-1], 0])
    cost = t.fixed_cny + t.cny_per_km * km + t.cny_per_h * (ret - lo) / 60.0
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
        {o: bool(reefer.get(o)) for o in all_orders if inst.orders[o].chilled},
        km,
        cost,
    )


def _depart_exact(inst: Instance, seq: list[int], ready: list[float], earliest: float, latest_ret: float) -> float:
    """The departure with the least paid time, and the earliest such, in O(n).

    With departure D, each service start is s_p(D) = max(D + T_p, W_p) and the return
    r(D) = max(D + T_r, W_r), where T is travel and service time without waiting and W the
    start forced by opening hours and ready times (D-independent). A backward pass gives the
    latest allowed start L_p of each stop; the latest feasible departure is
    D_max = min_p (L_p - T_p, L_r - T_r). The paid time r(D) - D = max(T_r, W_r - D) falls with D,
    so its least value is reached at D_max, and first at D* = max(earliest, min(D_max, W_r - T_r)).
    The caller has checked that departing at ``earliest`` keeps every rule.
    """
    n = len(seq)
    cum, w = [], []  # T_p and W_p at each stop's start
    t_no_wait, w_clock, prev = 0.0, -1e18, 0
    for p, i in enumerate(seq):
        t_no_wait += inst.minutes[prev, i]
        w_clock = max(w_clock + inst.minutes[prev, i], inst.stop(i).open_min, ready[p])
        cum.append(t_no_wait)
        w.append(w_clock)
        t_no_wait += inst.service(i)
        w_clock += inst.service(i)
        prev = i
    t_ret = t_no_wait + inst.minutes[prev, 0]
    w_ret = w_clock + inst.minutes[prev, 0]
    d_max = latest_ret - t_ret
    nxt, nxt_node = latest_ret, 0
    for p in range(n - 1, -1, -1):
        i = seq[p]
        allowed = min(inst.stop(i).latest_start_min, nxt - inst.minutes[i, nxt_node] - inst.service(i))
        d_max = min(d_max, allowed - cum[p])
        nxt, nxt_node = allowed, i
    d_max = max(d_max, earliest)
    return max(earliest, min(d_max, w_ret - t_ret))


def _depart_by_bisection(run, earliest: float, latest: float) -> float:
    """The same departure found by bisection on ``run`` (used when chilled produce rides dry, whose
    pick-up-late rule has no closed form). ``run(earliest)`` must be feasible."""
    lo, hi = earliest, latest
    if run(hi)[0] is not None:
        lo = hi
    else:
        for _ in range(50):
            mid = (lo + hi) / 2
            if run(mid)[0] is not None:
                lo = mid
            else:
                hi = mid
            if hi - lo < 1e-4:
                break
    best_depart = lo
    best_duration = run(lo)[0] - lo
    # among departures with that least paid time, leave as early as possible (fresher, calmer)
    lo, hi = earliest, best_depart
    if run(lo)[0] is not None and run(lo)[0] - lo <= best_duration + 1e-6:
        hi = lo
    for _ in range(50):
        if hi - lo < 1e-4:
            break
        mid = (lo + hi) / 2
        r = run(mid)[0]
        if r is not None and r - mid <= best_duration + 1e-6:
            hi = mid
        else:
            lo = mid
    return hi


def _late_starts(inst: Instance, seq: list[int], early: list[float], ret: float) -> list[float]:
    """Latest service starts that still return at ``ret`` (backward pass), never before ``early``."""
    late = list(early)
    nxt = ret - inst.minutes[seq[-1], 0] - inst.service(seq[-1])
    for p in range(len(seq) - 1, -1, -1):
        i = seq[p]
        late[p] = max(early[p], min(inst.stop(i).latest_start_min, nxt))
        if p:
            nxt = late[p] - inst.minutes[seq[p - 1], i] - inst.service(seq[p - 1])
    return late
