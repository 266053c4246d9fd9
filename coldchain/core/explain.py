"""Why an order was left unserved, in words a co-op shipper understands.

Orders that no truck could serve even alone were excluded before the solve, with their reason.
For the others, we try to fit the order into the final plan: into the route that already stops
at its village (one visit per stop) or, if none does, at every position of every route and on
any idle truck. If no fit keeps all the rules, the binding rule is named; if fits exist, the
cheapest one's extra cost is compared with the order's value. A fit cheaper than the value means
the plan could have taken the order: the search stopped first, or (fixed lines) the lines'
limits kept it out; the reason says which.
"""

from __future__ import annotations

from collections import Counter

from coldchain.core.evaluate import evaluate_route
from coldchain.core.instance import Instance
from coldchain.core.route import Route
from coldchain.scenario.timefmt import clock

_WHY = {
    "capacity": "no truck had room left: every truck that could reach it in time was full",
    "reefer": "no reefer space left on the trucks that could reach it in time",
    "cold": "no truck with reefer space left could take it, and the dry trucks return too late to keep it cold",
    "deadline": "no truck could bring it to the cold store before its deadline {deadline}",
    "window": "no truck could be there within the point's opening hours after it is ready",
    "shift": "no truck had enough of its shift left to fetch it",
}


def explain_unserved(inst: Instance, routes: list[Route], o: int, fixed_departures: bool = False) -> str:
    """The reason order ``o`` (servable, but not served in ``routes``) was left out. With
    ``fixed_departures`` (fixed lines) the routes keep their departure times."""
    order = inst.orders[o]
    node = order.node
    costs: list[float] = []
    fails: Counter[str] = Counter()
    idle_types = {r.k for r in routes if not r.seq}
    visiting = [r for r in routes if node in r.seq]
    for r in visiting or routes:  # one visit per stop: a visited stop's orders go on that truck
        if not r.seq and r.k in idle_types:
            idle_types.discard(r.k)
            candidates = [[node]]
        elif node in r.seq:
            candidates = [r.seq]
        elif r.seq:
            candidates = [r.seq[:p] + [node] + r.seq[p:] for p in range(len(r.seq) + 1)]
        else:
            continue
        base = r.ev.cost if r.seq and r.ev else 0.0
        for seq in candidates:
            picks = {i: list(v) for i, v in r.picks.items()}
            picks[node] = [*picks.get(node, []), o]
            depart = r.ev.depart if fixed_departures and r.seq and r.ev else None
            ev = evaluate_route(inst, r.k, seq, picks, depart=depart)
            if ev.feasible:
                costs.append(ev.cost - base)
            else:
                fails[ev.reason or "capacity"] += 1
    if costs:
        extra = min(costs)
        value = inst.costs.lost[order.index]  # its value, weighted as the objective weighs it
        if extra > value:
            return f"serving it would cost {extra:,.0f} CNY more, above its value of {value:,.0f} CNY"
        cost = f"it fits at {extra:,.0f} CNY more, less than its value of {value:,.0f} CNY"
        if fixed_departures:
            return f"outside the limits of every fixed line (pickup stops, detour); {cost}"
        return f"{cost}, but the search did not find that plan within the time limit"
    if not fails:
        return "no truck can serve this point today"
    reason = fails.most_common(1)[0][0]
    return _WHY[reason].format(deadline=clock(order.deadline_min))


def unserved_reasons(inst: Instance, routes: list[Route], fixed_departures: bool = False) -> dict[int, str]:
    """Every order the routes leave unserved, with its reason: the exclusion reason for orders
    excluded before planning, `explain_unserved` for the others."""
    served = {o for r in routes for os in r.picks.values() for o in os}
    out = {o.index: o.excluded for o in inst.orders if o.excluded is not None}
    for o in inst.orders:
        if o.excluded is None and o.index not in served:
            out[o.index] = explain_unserved(inst, routes, o.index, fixed_departures)
    return out
