"""Why an order was left unserved, in words a co-op shipper understands, with a stable code.

Orders that no truck could serve even alone were excluded before the solve, with their reason
(`coldchain.core.instance`). For the others we try every truck against the final plan, because
a stop is visited once (its parcels and all its orders ride on one truck):

* the truck that already stops at the order's point (the *host*) takes it there;
* every other truck takes over the whole stop from the host (its parcels, the orders the host
  picked there, and this one), at every position of its route; an idle truck (one per type)
  serves the stop alone. The host's route without the stop is evaluated too, so the extra cost
  is the plan's: :math:`\\Delta = c(r' + i) - c(r') + c(h - i) - c(h)`;
* if nobody stops there (a point with pickups only), every truck adds the stop.

Each trial is checked by the exact route evaluator (payload, reefer space, opening hours,
ready times, every order's deadline, time out of the cold, the shift). If some trial keeps
every rule, the cheapest extra cost :math:`\\Delta^*` is compared with the order's value
:math:`v`: :math:`\\Delta^* > v` gives ``not_worth``; :math:`\\Delta^* \\le v` means the plan
could have taken the order (``search_stopped``, or ``line_limits`` on fixed lines). If none
does, each truck's binding rule is named, and the code is the rule that stops most trucks
(the host's on a tie). Codes: `coldchain.core.reasons.REASON_CODES`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from coldchain.core.evaluate import evaluate_route
from coldchain.core.instance import Instance
from coldchain.core.reasons import Reason
from coldchain.core.route import Route

TOL = 1e-6

# the evaluator's rule names -> (reason code, what it says of one truck)
_RULE = {
    "capacity": ("no_room", "no room for it"),
    "reefer": ("no_reefer_room", "no reefer space left"),
    "cold": ("no_reefer_room", "no reefer space left, and riding dry it would be out of the cold too long"),
    "deadline": ("deadline", "would bring an order back after its deadline"),
    "window": ("hours", "cannot be there within opening hours"),
    "shift": ("shift", "would return after the end of its shift"),
}
_ORDER = list(_RULE)  # the order the evaluator checks the rules in


@dataclass(frozen=True)
class Trial:
    """What one truck could do with the order: a fit at ``extra`` CNY, or the rule it breaks."""

    vehicle_id: str
    extra: float | None  # plan cost added when it fits; None when it does not
    rule: str | None  # the evaluator's rule that stops it (None when it fits)
    how: str  # what the truck would do, in words


def _free_kg(inst: Instance, r: Route) -> float:
    peak = max([r.ev.load_out, *r.ev.load_after]) if r.ev else 0.0
    return inst.types[r.k].capacity_kg - peak


def _words(inst: Instance, r: Route, rule: str) -> str:
    words = _RULE[rule][1]
    if rule == "capacity" and r.ev is not None:
        cap = inst.types[r.k].capacity_kg
        words += f" ({cap - _free_kg(inst, r):,.0f} of {cap:,.0f} kg on board)"
    return words


def try_every_truck(inst: Instance, routes: list[Route], o: int, fixed_departures: bool = False) -> list[Trial]:
    """Each truck's best way to serve order ``o`` in the plan ``routes`` (see the module docstring),
    the host first. With ``fixed_departures`` (fixed lines) the routes keep their departure times."""
    order = inst.orders[o]
    node = order.node
    name = {s.site_id: s.name for s in inst.scenario.sites}[order.site_id]
    host = next((r for r in routes if node in r.seq), None)
    trials: list[Trial] = []

    def depart_of(r: Route) -> float | None:
        return r.ev.depart if fixed_departures and r.seq and r.ev else None

    moved, saving = [o], 0.0
    if host is not None:
        picks = {i: list(v) for i, v in host.picks.items()}
        picks[node] = [*picks.get(node, []), o]
        ev = evaluate_route(inst, host.k, host.seq, picks, depart=depart_of(host), pickup_only=host.pickup_only)
        extra = ev.cost - host.cost if ev.feasible else None
        trials.append(Trial(host.vehicle_id, extra, None if ev.feasible else ev.reason, f"{host.vehicle_id} takes it"))
        rest = [i for i in host.seq if i != node]
        rest_picks = {i: v for i, v in host.picks.items() if i != node}
        rest_skip = host.pickup_only - {node}
        rest_ev = (
            evaluate_route(inst, host.k, rest, rest_picks, depart=depart_of(host), pickup_only=rest_skip)
            if rest
            else None
        )
        if rest_ev is not None and not rest_ev.feasible:
            return trials  # the host cannot give the stop up (removing it breaks one of its rules)
        saving = host.cost - (rest_ev.cost if rest_ev is not None else 0.0)
        moved = [*host.picks.get(node, []), o]
    add_kg = inst.delivery(node)
    moved_kg = sum(inst.orders[x].kg for x in moved)
    idle_seen: set[int] = set()
    for r in routes:
        if r is host or node in r.seq:  # the host, or another truck's visit there (a split visit)
            continue
        cap = inst.types[r.k].capacity_kg
        if not r.seq:
            if r.k in idle_seen:
                continue  # identical idle trucks: one trial per type
            idle_seen.add(r.k)
            candidates = [[node]]
            how = f"idle {r.vehicle_id} serves {name} alone"
        else:
            candidates = [r.seq[:p] + [node] + r.seq[p:] for p in range(len(r.seq) + 1)]
            how = f"{r.vehicle_id} adds the stop at {name}"
        if host is not None:
            how = f"{r.vehicle_id} takes over the stop at {name} from {host.vehicle_id}"
        base = r.cost if r.seq else 0.0
        best, fails = None, Counter()
        # the load leaving the hub and the load coming back are bounds on every position's peak
        if r.seq and (r.ev.load_out + add_kg > cap + TOL or r.ev.load_after[-1] + moved_kg > cap + TOL):
            fails["capacity"] += 1
        else:
            for seq in candidates:
                picks = {i: list(v) for i, v in r.picks.items()}
                picks[node] = list(moved)
                ev = evaluate_route(inst, r.k, seq, picks, depart=depart_of(r), pickup_only=r.pickup_only)
                if ev.feasible:
                    extra = ev.cost - base - saving
                    best = extra if best is None else min(best, extra)
                else:
                    fails[ev.reason or "capacity"] += 1
        if inst.split_visits and (host is not None or add_kg > 0):
            # a split visit: the truck comes for the order alone, the stop's parcels (and the
            # host's visit) stay as they are
            split_best = _split_try(inst, r, node, o, candidates, depart_of(r), base, fails)
            if split_best is not None and (best is None or split_best < best):
                best, how = split_best, f"{r.vehicle_id} comes to {name} for it alone (a split visit)"
        if best is not None:
            trials.append(Trial(r.vehicle_id, best, None, how))
        else:
            rule = max(fails, key=lambda k: (fails[k], _ORDER.index(k)))
            trials.append(Trial(r.vehicle_id, None, rule, how))
    return trials


def _split_try(inst: Instance, r: Route, node: int, o: int, seqs: list, depart, base: float, fails: Counter):
    """The least extra cost of route ``r`` visiting ``node`` for order ``o`` only (pickup only when
    the stop has parcels), over the positions ``seqs``; None when no position keeps every rule
    (each failure counted in ``fails``)."""
    best = None
    skip = r.pickup_only | ({node} if inst.delivery(node) > 0 else set())
    for seq in seqs:
        picks = {i: list(v) for i, v in r.picks.items()}
        picks[node] = [o]
        ev = evaluate_route(inst, r.k, seq, picks, depart=depart, pickup_only=frozenset(skip))
        if ev.feasible:
            best = ev.cost - base if best is None else min(best, ev.cost - base)
        else:
            fails[ev.reason or "capacity"] += 1
    return best


def explain_unserved(inst: Instance, routes: list[Route], o: int, fixed_departures: bool = False) -> Reason:
    """The reason order ``o`` (servable, but not served in ``routes``) was left out."""
    order = inst.orders[o]
    host = next((r for r in routes if order.node in r.seq), None)
    trials = try_every_truck(inst, routes, o, fixed_departures)
    worth = inst.costs.lost[order.index]  # its value, weighted as the objective weighs it
    value = f"its value of {worth:,.0f} CNY"
    host_note = ""
    if host is not None and trials and trials[0].rule is not None:
        host_note = f"; {host.vehicle_id}, which stops there: {_words(inst, host, trials[0].rule)}"
    fits = [t for t in trials if t.extra is not None]
    if fits:
        best = min(fits, key=lambda t: t.extra)
        if best.extra > worth + TOL:
            return Reason(
                f"serving it would cost {best.extra:,.0f} CNY more ({best.how}), above {value}{host_note}",
                "not_worth",
            )
        fit = (
            f"it fits at {best.extra:,.0f} CNY more ({best.how}), less than {value}"
            if best.extra >= 0
            else f"it fits ({best.how}) and the plan would even cost {-best.extra:,.0f} CNY less"
        )
        if fixed_departures:
            return Reason(f"outside the limits of every fixed line (pickup stops, detour); {fit}", "line_limits")
        return Reason(f"{fit}, but the search did not find that plan within the time limit", "search_stopped")
    if not trials:
        return Reason("no truck can serve this point today", "no_truck")
    count = Counter(t.rule for t in trials)
    rule = max(count, key=lambda k: (count[k], k == trials[0].rule))
    parts = []
    others = trials
    if host is not None and trials[0].vehicle_id == host.vehicle_id:
        parts.append(f"{host.vehicle_id} (stops there): {_words(inst, host, trials[0].rule)}")
        others = trials[1:]
    groups: dict[str, list[str]] = {}
    for t in others:
        groups.setdefault(t.rule, []).append(t.vehicle_id)
    over = " (taking over the stop)" if host is not None else ""
    for k, vids in sorted(groups.items(), key=lambda kv: (-len(kv[1]), _ORDER.index(kv[0]))):
        parts.append(f"{', '.join(vids)}{over}: {_RULE[k][1]}")
    return Reason(f"no truck can take it: {'; '.join(parts)}", _RULE[rule][0])


def unserved_reasons(inst: Instance, routes: list[Route], fixed_departures: bool = False) -> dict[int, Reason]:
    """Every order the routes leave unserved, with its reason: the exclusion reason for orders
    excluded before planning, `explain_unserved` for the others."""
    served = {o for r in routes for os in r.picks.values() for o in os}
    out: dict[int, Reason] = {o.index: o.excluded for o in inst.orders if o.excluded is not None}
    for o in inst.orders:
        if o.excluded is None and o.index not in served:
            out[o.index] = explain_unserved(inst, routes, o.index, fixed_departures)
    return out
