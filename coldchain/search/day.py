r"""The compiled route search (`coldchain.search.sisr`) for a day with every rule: its items.

The search moves *items*, not sites: a site's parcel drop is one item and each of its servable
pickup orders another, so one visit may drop the parcels and take some of the pickups and leave
others. Items of one site that ride the same truck form one visit (one service time): between
two of them the drive is 0 km and :math:`-s_v` minutes, so the second starts when the first does
and the visit ends :math:`s_v` after the later start. Unless the scenario allows split visits
(``[rules] split_visits``), a site is visited at most once a day: an item whose site is already
on a route may only join that visit. With split visits, it may instead ride another truck: into
that truck's visit of the site if it has one, else as a visit of its own (its service time and
drive paid again, so the search splits only when that pays). Within one route the items of a
site stay one visit, and a removal that cuts into a visit takes all of it.

=====================  ======================================================================
item                   what it carries, and what leaving it out costs (its prize)
=====================  ======================================================================
parcel drop            the site's parcels (kg ride from the hub); mandatory (a prize larger
                       than any plan)
pickup order           its kg from the site home; earliest start its ready time; its deadline
                       at the cold store; its value (or mandatory when it must be served)
=====================  ======================================================================

The rules the compiled loop keeps, per truck type :math:`k`:

- payload with parcels and produce on board together, opening hours, ready times and the shift
  (the O(1) tests of `coldchain.search.sisr`);
- freshness: the return :math:`r \le \min_o L_o` over the route's orders (the latest return
  :math:`z_{L+1}`); a new order's own deadline is tested against the return pushed by the
  insertion, which over-estimates the new return (waiting absorbs part of a push), so the test is
  conservative;
- reefer space as a second capacity: chilled produce that may not spend the ride out of the cold
  counts against the type's reefer kg (conservative: the exact evaluator may also let it ride dry
  when the trip back is short enough);
- drivers paid by the hour: each route's cost is exact, with the departure chosen as late as the
  windows allow when that saves paid waiting (:math:`r(D) = \max(D + T, W)`, see
  `coldchain.core.evaluate`); insertions are ranked by km and driving-plus-service minutes.

Every route handed on is checked again by `coldchain.core.evaluate.evaluate_route`; a route it
rejects (not expected) gives up orders, least value first, until it passes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from coldchain.core.evaluate import RouteEval, evaluate_route
from coldchain.core.instance import Instance
from coldchain.core.route import Route
from coldchain.search import sisr

NO_DEADLINE = np.inf
POOL_CAP = 20_000  # route copies the pool keeps (a row is as wide as the day's items)
ROUTE_REMOVAL = 0.0  # chance that an iteration removes a whole route (`sisr._ruin`); 0.1 measured no better
GRANULAR_K = 80  # re-insert an item next to its this many nearest items first (`sisr._recreate`)
GRANULAR_MIN_ITEMS = 200  # on days with fewer items, every position is tried


@dataclass(frozen=True)
class DayItems:
    """A day as the compiled search's items (item 0 is the hub)."""

    node: np.ndarray  # the site (instance node) of each item
    order: np.ndarray  # the order of each item, -1 for a parcel drop (and the hub)
    mandatory: np.ndarray  # bool per item
    data: tuple
    serves: np.ndarray
    rtype: np.ndarray
    adj: np.ndarray
    far: np.ndarray
    sib_ptr: np.ndarray
    sib_idx: np.ndarray


def day_items(inst: Instance) -> DayItems:
    """The items of ``inst`` and the arrays the compiled loop reads (see the module docstring)."""
    f = inst.fast
    node, order = [0], [-1]
    for st in inst.stops:
        if st.mandatory:
            node.append(st.node)
            order.append(-1)
        for o in st.orders:
            if inst.orders[o].excluded is None:
                node.append(st.node)
                order.append(o)
    node_a = np.array(node, dtype=np.int64)
    m = len(node)
    orders = inst.orders
    types = inst.types
    shift = max(t.end_min for t in types) - min(t.start_min for t in types)

    service = np.array([f.service[v] for v in node])
    minutes = np.asarray(inst.minutes, dtype=np.float64)[np.ix_(node_a, node_a)].copy()
    same = (node_a[:, None] == node_a[None, :]) & (node_a[:, None] > 0)
    minutes[same] = -np.broadcast_to(service[:, None], (m, m))[same]  # one visit: the later item starts with it
    km = np.asarray(inst.km, dtype=np.float64)[np.ix_(node_a, node_a)]
    km[same] = 0.0
    early = np.zeros(m)
    late = np.full(m, np.inf)
    delivery = np.zeros(m)
    pick = np.zeros(m)
    cold = np.zeros(m)
    dline = np.full(m, NO_DEADLINE)
    mandatory = np.zeros(m, dtype=np.bool_)
    for x in range(1, m):
        v, o = node[x], order[x]
        early[x] = f.open_min[v]
        late[x] = f.latest[v]
        if o < 0:
            delivery[x] = f.delivery[v]
            mandatory[x] = True
            continue
        od = orders[o]
        early[x] = max(early[x], od.ready_min)
        pick[x] = od.kg
        dline[x] = od.deadline_min
        mandatory[x] = od.required
        if od.chilled and od.max_out_of_cold_min < shift:
            cold[x] = od.kg  # must ride in reefer space (see the module docstring)
    n_k = len(types)
    wage = np.array([t.cny_per_h / 60.0 for t in types])
    kmcost = np.stack([t.cny_per_km * km for t in types])
    icost = kmcost + wage[:, None, None] * (service[:, None] + minutes)[None, :, :]
    fixed = np.array([t.fixed_cny for t in types])
    trucks = sum(t.count for t in types)
    worst_route = float(fixed.max()) + float(wage.max()) * shift  # fixed cost and a whole paid shift
    absent_cny = 2.0 * (float(icost.max()) * m + worst_route * trucks) + 1.0  # more than any plan
    prize = np.full(m, absent_cny)
    for x in range(1, m):
        if not mandatory[x]:
            prize[x] = orders[order[x]].value_cny
    prize[0] = 0.0
    serves = np.zeros((n_k, m), dtype=np.bool_)
    for k, t in enumerate(types):
        for x in range(1, m):
            ok = bool(inst.serves[k, node[x]])
            if order[x] < 0:
                ok = ok and delivery[x] <= t.capacity_kg + 1e-9  # (with split visits serves may not say)
            else:
                ok = ok and pick[x] <= t.capacity_kg + 1e-9 and cold[x] <= t.reefer_kg + 1e-9
            serves[k, x] = ok
    data = (
        icost,
        kmcost,
        minutes,
        service,
        early,
        late,
        delivery,
        pick,
        np.array([t.capacity_kg for t in types]),
        np.array([t.start_min for t in types]),
        np.array([t.end_min for t in types]),
        fixed,
        wage,
        np.array([t.reefer_kg for t in types]),
        cold,
        dline,
        node_a,
        prize,
    )
    rtype = np.array([t.index for t in types for _ in range(t.count)], dtype=np.int64)
    adj, far = sisr._neighbours(np.asarray(inst.km, dtype=np.float64), node_a)
    by_node = np.argsort(node_a, kind="stable")
    sib_ptr = np.searchsorted(node_a[by_node], np.arange(inst.n + 2)).astype(np.int64)
    return DayItems(node_a, np.array(order, dtype=np.int64), mandatory, data, serves, rtype, adj, far, sib_ptr,
                    by_node.astype(np.int64))  # fmt: skip


@njit(cache=True)
def _costs(data, rows, lens, types):  # pragma: no cover - compiled
    """Each row's cost as the search books it (`sisr._refresh`, exact for the rules it keeps)."""
    n_rows = rows.shape[0]
    width = rows.shape[1] + 2
    m = data[3].shape[0]
    out = np.zeros(n_rows)
    routes = np.zeros((1, width), dtype=np.int64)
    ln = np.zeros(1, dtype=np.int64)
    rt = np.zeros(1, dtype=np.int64)
    est = np.zeros((1, width))
    lst = np.zeros((1, width))
    pre = np.zeros((1, width))
    suf = np.zeros((1, width))
    rcost = np.zeros(1)
    rcold = np.zeros(1)
    route_of = np.zeros(m, dtype=np.int64)
    pos_of = np.zeros(m, dtype=np.int64)
    touched = np.zeros(1, dtype=np.bool_)
    for x in range(n_rows):
        ln[0] = lens[x]
        rt[0] = types[x]
        routes[0, 1 : lens[x] + 1] = rows[x, : lens[x]]
        sisr._refresh(0, routes, ln, rt, est, lst, pre, suf, rcost, rcold, route_of, pos_of, data, touched)
        out[x] = rcost[0]
    return out


@dataclass(frozen=True)
class DayFound:
    """A search's best plan as checked routes (one per used truck type slot, no truck ids yet),
    the mandatory items it could not place (the plan is complete only when there are none), its
    cost as the search booked it, the pool of distinct routes met (as `Route` with the search's
    cost, to be checked by the evaluator once chosen), iterations, and how many routes the exact
    evaluator made give up orders."""

    routes: tuple[Route, ...]
    unplaced: tuple[int, ...]  # sites (instance nodes) of mandatory items left out
    cost: float
    pool: tuple[Route, ...]
    iterations: int
    repaired: int


def to_route(inst: Instance, items: DayItems, k: int, row) -> Route:
    """An item sequence as a `Route` (sites in order, the orders picked at each, the parcel stops
    whose drop is not among the items: pickup-only visits), unchecked."""
    seq: list[int] = []
    picks: dict[int, list[int]] = {}
    drops: set[int] = set()
    for x in row:
        v = int(items.node[x])
        if not seq or seq[-1] != v:
            seq.append(v)
            picks[v] = []
        o = int(items.order[x])
        if o >= 0:
            picks[v].append(o)
        else:
            drops.add(v)
    pickup_only = frozenset(v for v in seq if inst.stop(v).mandatory and v not in drops)
    return Route("", k, seq, picks, pickup_only=pickup_only)


def checked(inst: Instance, r: Route) -> tuple[Route, bool]:
    """``r`` timed by the exact evaluator; if it rejects it, the route gives up its orders, least
    value first, until it passes (True when that happened)."""
    if len(set(r.seq)) < len(r.seq):
        raise ValueError(f"route visits a site twice: {r.seq}")
    skip = r.pickup_only
    ev = evaluate_route(inst, r.k, r.seq, r.picks, pickup_only=skip)
    picks = {i: list(os) for i, os in r.picks.items()}
    repaired = False
    while not ev.feasible:
        held = sorted((inst.orders[o].value_cny, o, i) for i, os in picks.items() for o in os)
        if not held:
            break
        _, o, i = held[0]
        picks[i].remove(o)
        repaired = True
        ev = evaluate_route(inst, r.k, r.seq, picks, pickup_only=skip)
    seq = [i for i in r.seq if picks.get(i) or (inst.stop(i).mandatory and i not in skip)]
    if seq != r.seq:
        picks = {i: picks[i] for i in seq}
        skip = frozenset(i for i in skip if i in seq)
        ev = evaluate_route(inst, r.k, seq, picks, pickup_only=skip)
    return Route(r.vehicle_id, r.k, seq, picks, ev, skip), repaired


def search_day(
    inst: Instance,
    seconds: float,
    seed: int = 0,
    max_iters: int | None = None,
    start: list[Route] | None = None,
    items: DayItems | None = None,
    route_removal: float | None = None,
    granular_k: int | None = None,
) -> DayFound:
    """SISR on any day for at most ``seconds`` and ``max_iters`` iterations (with a cap and a
    deadline that does not bind, the same seed gives the same plan), from ``start`` if given.
    ``route_removal``: the chance an iteration removes a whole route (None: ``ROUTE_REMOVAL``
    on days of at least ``GRANULAR_MIN_ITEMS`` items, else 0); ``granular_k``: re-insert
    next to that many nearest items first (None: ``GRANULAR_K`` on days of at least
    ``GRANULAR_MIN_ITEMS`` items, else 0, every position)."""
    items = items or day_items(inst)
    m = len(items.node)
    rtype = items.rtype
    init = np.zeros((len(rtype), max(m - 1, 1)), dtype=np.int64)
    lens = np.zeros(len(rtype), dtype=np.int64)
    slots = {k: [r for r in range(len(rtype)) if rtype[r] == k] for k in range(len(inst.types))}
    if start:
        where = {(int(items.node[x]), int(items.order[x])): x for x in range(1, m)}
        for rt in start:
            if rt.seq and slots.get(rt.k):
                row = []
                for i in rt.seq:
                    if (i, -1) in where and i not in rt.pickup_only:
                        row.append(where[(i, -1)])
                    row += [where[(i, o)] for o in rt.picks.get(i, ()) if (i, o) in where]
                r = slots[rt.k].pop(0)
                init[r, : len(row)] = row
                lens[r] = len(row)
    large = m >= GRANULAR_MIN_ITEMS
    if granular_k is None:
        granular_k = GRANULAR_K if large else 0
    if route_removal is None:
        route_removal = ROUTE_REMOVAL if large else 0.0
    warm_up()  # compiling (or loading the cached code) does not eat the search's seconds
    deadline = time.perf_counter() + max(seconds, 0.0)
    cap = sisr.MAX_ITERS if max_iters is None else max(1, int(max_iters))
    best, blens, _left, pool, plens, ptypes, its = sisr.search(
        items.data, items.serves, rtype, items.adj, items.far, items.sib_ptr, items.sib_idx, init, lens, seed,
        deadline, cap, POOL_CAP, inst.split_visits, float(route_removal), int(granular_k),
    )  # fmt: skip
    routes, repaired = [], 0
    placed = set()
    for r in range(len(rtype)):
        if blens[r]:
            row = best[r, : blens[r]]
            placed.update(int(x) for x in row)
            got, fixed = checked(inst, to_route(inst, items, int(rtype[r]), row))
            routes.append(got)
            repaired += fixed
    unplaced = tuple(sorted({int(items.node[x]) for x in range(1, m) if items.mandatory[x] and x not in placed}))
    rows = np.unique(np.column_stack([ptypes, plens, pool]), axis=0) if len(pool) else np.zeros((0, 2), np.int64)
    costs = _costs(items.data, np.ascontiguousarray(rows[:, 2:]), rows[:, 1].copy(), rows[:, 0].copy())
    found = []
    for row, c in zip(rows, costs):
        got = row[2 : 2 + row[1]]
        rt = to_route(inst, items, int(row[0]), got)
        if rt.pickup_only and not inst.split_visits:
            continue  # a pickup whose site's parcels were left out (a plan with a stop missing)
        rt.ev = RouteEval(True, cost=float(c))  # the search's cost; the evaluator checks it once chosen
        found.append(rt)
    cost = sum(r.cost for r in routes)
    return DayFound(tuple(routes), unplaced, cost, tuple(found), int(its), repaired)


_warm = False


def warm_up() -> float:
    """Compile the search and the pool costing (a toy day); seconds taken (cached on disk; nothing
    after the first call in a process)."""
    global _warm
    t0 = time.perf_counter()
    if _warm:
        return 0.0
    sisr.warm_up()
    n1 = 3
    z1 = np.zeros(n1)
    k1 = np.zeros(1)
    data = (np.ones((1, n1, n1)), np.ones((1, n1, n1)), np.ones((n1, n1)), z1, z1, np.full(n1, 100.0), z1, z1,
            np.ones(1), k1, np.full(1, 100.0), k1, k1, np.full(1, np.inf), z1, np.full(n1, np.inf),
            np.arange(n1, dtype=np.int64), np.full(n1, 1e6))  # fmt: skip
    _costs(data, np.ones((1, 2), dtype=np.int64), np.ones(1, dtype=np.int64), np.zeros(1, dtype=np.int64))
    _warm = True
    return time.perf_counter() - t0
