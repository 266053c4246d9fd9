"""Plans from routes given as site ids (another solver's, a dispatcher's): timed and costed like any plan."""

from __future__ import annotations

from coldchain.core.evaluate import evaluate_route, time_route_as_given
from coldchain.core.instance import build_instance
from coldchain.core.outcome import SolveStatus
from coldchain.core.plan import Plan
from coldchain.core.route import Route
from coldchain.scenario.domain import Scenario


def plan_from_routes(
    scenario: Scenario,
    routes: list[list[str]],
    note: str = "",
    picks: list[dict[str, list[str]]] | None = None,
    departures: list[float] | None = None,
    strict: bool = True,
    pickup_only: list[list[str]] | None = None,
) -> Plan:
    """A `Plan` from routes given as lists of site ids (e.g. another solver's), one per truck.

    ``picks[n]`` maps a site id of route ``n`` to the order ids it picks up (default: every
    order at its stops). Each route is timed by the exact route evaluator, so the plan can be
    written and checked like any other. With ``strict`` (the default) a route that breaks a
    rule raises `ValueError` naming it; with ``strict=False`` it is kept, timed as driven from
    ``departures[n]`` (minutes; default the shift start), so that the independent checker can
    count what it breaks. ``pickup_only[n]`` lists the sites where route ``n`` only picks up
    (split visits: another route drops their parcels). A parcel stop that no route visits always
    raises `ValueError`.
    """
    inst = build_instance(scenario)
    node = {sid: k for k, sid in enumerate(inst.nodes)}
    order_index = {o.order_id: o.index for o in inst.orders}
    free = [(t.index, vid) for t in inst.types for vid in t.vehicle_ids]
    out: list[Route] = []
    given = [(n, ids) for n, ids in enumerate(routes) if ids]
    for used, (n, ids) in enumerate(given):
        if used >= len(free):
            raise ValueError(f"{len(given)} routes but only {len(free)} trucks")
        k, vid = free[used]
        seq = [node[s] for s in ids]
        if picks is None:
            chosen = {i: list(inst.stop(i).orders) for i in seq}
        else:
            chosen = {node[s]: [order_index[o] for o in os] for s, os in picks[n].items()}
        skip = frozenset(node[s] for s in (pickup_only[n] if pickup_only else ()))
        ev = evaluate_route(inst, k, seq, chosen, pickup_only=skip)
        if not ev.feasible:
            if strict:
                raise ValueError(f"route {n + 1} ({' '.join(ids)}) breaks the {ev.reason} rule")
            depart = departures[n] if departures else inst.types[k].start_min
            ev = time_route_as_given(inst, k, seq, chosen, depart, skip)
        out.append(Route(vid, k, seq, chosen, ev, skip))
    out += [Route(vid, k) for k, vid in free[len(out) :]]
    visited = {i for r in out for i in r.seq if r.drops(i)}
    missing = [st.site_id for st in inst.stops if st.mandatory and st.node not in visited]
    if missing:
        raise ValueError(f"parcel stops not visited: {', '.join(missing)}")
    served = {o for r in out for os in r.picks.values() for o in os}
    unserved = {o.index: (o.excluded or "not served by this plan") for o in inst.orders if o.index not in served}
    return Plan(inst, SolveStatus.FEASIBLE, tuple(out), unserved, (), None, None, {}, (note,) if note else ())
