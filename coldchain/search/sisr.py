r"""A compiled route search for every day: SISR.

Slack Induction by String Removals (Christiaens & Vanden Berghe 2020): each iteration cuts a few
short strings of consecutive stops out of neighbouring routes (the stops near a random seed
stop), puts the stops back one by one at their cheapest feasible position (skipping a position
now and then, "blinks"), and keeps the result by simulated annealing. Every route it holds is
feasible; a stop that fits nowhere stays out, at a cost larger than any plan. On Solomon-style
instances this simple loop reaches plans within a fraction of a percent of the best known, if
it can run a few hundred thousand iterations: so it is compiled (Numba), on plain arrays.

The loop moves *items*. On days that `coldchain.colgen.tree.supports` admits (``search_plan``) an
item is a stop with all its orders, every one mandatory, and the rules are opening hours and
ready times, the shift, payload with deliveries and pickups on board together, and per-km and
fixed costs (from `coldchain.core.arrays.TypeData`). On every other day
(`coldchain.search.day`) an item is a site's parcel drop or one pickup order, optional ones with
a prize (the order's value: an item is put back only where that costs less), items of one site
on one route share one visit (on one route only, unless the day allows split visits), and the
loop also keeps reefer space, per-order deadlines at the cold store and
the driver's paid time (the module docstring there has the rules). The caller checks every
route it returns with the exact route evaluator.

Feasibility of an insertion is O(1) from each route's cached arrays (position :math:`q`, stop
:math:`v_q`, hub at :math:`q = 0` and :math:`q = L+1`):

=====================  ======================================================================
:math:`a_q`            earliest service start at :math:`q` (departure at the shift start)
:math:`z_q`            latest service start at :math:`q` that keeps the rest of the route on
                       time (:math:`z_{L+1}` = shift end)
:math:`\ell_q`         load after :math:`q`: all the route's parcels less those delivered, plus
                       the kg picked up, at and before :math:`q`
:math:`P_q, S_q`       :math:`\max_{q' \le q} \ell_{q'}` and :math:`\max_{q' \ge q} \ell_{q'}`
=====================  ======================================================================

Stop :math:`i` fits between :math:`q` and :math:`q+1` when
:math:`t_i = \max(e_i, a_q + s_{v_q} + \tau_{v_q i}) \le l_i`,
:math:`\max(e_{v_{q+1}}, t_i + s_i + \tau_{i v_{q+1}}) \le z_{q+1}`, and
:math:`\max(P_q + d_i, S_q + p_i) \le Q_k` (its parcels ride from the hub to :math:`i`, its
pickup from :math:`i` home).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numba import njit, objmode

from coldchain.core.arrays import Column, TypeData
from coldchain.core.instance import Instance

EPS = 1e-9
C_BAR = 10.0  # stops removed per iteration, on average
L_MAX = 10.0  # longest string removed
BLINK = 0.01  # chance to skip a position while re-inserting
T_START = 7.0  # annealing temperature at the start and at the end, in average arcs of the first plan
T_END = 0.07
POOL_EVERY = 500  # iterations between copies of the current plan's routes into the pool
CLOCK_EVERY = 64  # iterations between clock reads
POOL_CAP = 100_000  # routes the pool keeps (copies, before removing repeats)
MAX_ITERS = 1 << 62  # no iteration cap: the deadline alone ends the search


@njit(cache=True)
def _refresh(r, routes, lens, rtype, est, lst, pre, suf, rcost, rcold, route_of, pos_of, data, touched):
    """Recompute route ``r``'s cached times, loads, reefer load and cost (see the module
    docstring), and mark it touched in this iteration. The cost is exact: km and fixed cost, and
    the driver's paid minutes with the departure that waits least (the earliest of those)."""
    touched[r] = True
    (_icost, kmcost, minutes, service, early, late, delivery, pick, _cap, start, end, fixed, wage, _rcap, cold,
     dline, _node, _prize) = data  # fmt: skip
    k = rtype[r]
    n_in = lens[r]
    routes[r, 0] = 0
    routes[r, n_in + 1] = 0
    est[r, 0] = start[k]
    c = 0.0
    t_sum = 0.0  # driving and service minutes without waiting (T)
    w = -1e18  # the start forced by opening hours and ready times alone (W)
    dl = end[k]  # latest return: the shift end and every pickup's deadline
    cl = 0.0
    for q in range(1, n_in + 2):
        a = routes[r, q - 1]
        b = routes[r, q]
        c += kmcost[k, a, b]
        leg = service[a] + minutes[a, b]
        t_sum += leg
        t = est[r, q - 1] + leg
        if q <= n_in:
            e = early[b]
            w = w + leg if w + leg > e else e
            if dline[b] < dl:
                dl = dline[b]
            cl += cold[b]
        else:
            e = start[k]
            w = w + leg
        est[r, q] = t if t > e else e
    lst[r, n_in + 1] = dl
    for q in range(n_in, -1, -1):
        a = routes[r, q]
        b = routes[r, q + 1]
        lim = late[a] if q >= 1 else end[k]
        t = lst[r, q + 1] - minutes[a, b] - service[a]
        lst[r, q] = t if t < lim else lim
    total = 0.0
    for q in range(1, n_in + 1):
        total += delivery[routes[r, q]]
    load = total
    pre[r, 0] = load
    suf[r, 0] = load
    for q in range(1, n_in + 1):
        v = routes[r, q]
        load += pick[v] - delivery[v]
        suf[r, q] = load  # the loads themselves; suffix maxima below
        pre[r, q] = load if load > pre[r, q - 1] else pre[r, q - 1]
        route_of[v] = r
        pos_of[v] = q
    for q in range(n_in - 1, -1, -1):
        if suf[r, q + 1] > suf[r, q]:
            suf[r, q] = suf[r, q + 1]
    rcold[r] = cl
    if n_in == 0:
        rcost[r] = 0.0
        return
    c += fixed[k]
    if wage[k] > 0.0:  # paid minutes r(D) - D with r(D) = max(D + T, W), D in [start, lst_0]
        d = w - t_sum
        if d > lst[r, 0]:
            d = lst[r, 0]
        if d < start[k]:
            d = start[k]
        ret = d + t_sum if d + t_sum > w else w
        c += wage[k] * (ret - d)
    rcost[r] = c


@njit(cache=True)
def _recreate(  # noqa: C901 (a compiled loop: see the docstring)
    absent, n_absent, routes, lens, rtype, est, lst, pre, suf, rcost, rcold, route_of, pos_of, serves, data,
              far, touched, sib_ptr, sib_idx, split, adj, gran_k):  # fmt: skip
    """Put the absent items back, each at its cheapest feasible position (with blinks) if that
    costs less than leaving it out (its prize); the order is random, by size, farthest from the
    hub or nearest (weights 4:4:2:1). An item whose site another item already puts on a route
    goes into that visit (one visit per site); with ``split`` (split visits allowed) it may
    instead go on any other route, into that route's visit of its site if it has one. Returns
    how many stay absent (moved to the front of ``absent``).

    Granular (``gran_k`` > 0): an item is first tried only next to its ``gran_k`` nearest items
    on routes (before or after each, ``adj``) and in one empty truck of each type; only when no
    such position takes it are all positions tried. With ``gran_k`` = 0 every position is tried,
    in route and position order.

    Complexity (above McCabe 20): a compiled (Numba) loop over plain arrays; the order, the blinks
    and the O(1) feasibility test of each position stay in one function so that no call crosses
    the compiled boundary in the innermost loop."""
    (icost, _kmcost, minutes, service, early, late, delivery, pick, cap, _start, end, fixed, _wage, rcap, cold,
     dline, node, prize) = data  # fmt: skip
    keys = np.empty(n_absent)
    u = np.random.random() * 11.0
    for x in range(n_absent):
        i = absent[x]
        if u < 4.0:
            keys[x] = np.random.random()
        elif u < 8.0:
            keys[x] = -max(delivery[i], pick[i])
        elif u < 10.0:
            keys[x] = -far[i]
        else:
            keys[x] = far[i]
    order = np.argsort(keys)
    todo = absent[:n_absent][order].copy()
    n_types = rtype.max() + 1
    left = 0
    n_routes = lens.shape[0]
    n_near = min(gran_k, adj.shape[1])
    cand_r = np.empty(routes.shape[1] + 2 * n_routes + 2 * n_near, dtype=np.int64)
    cand_q = np.empty_like(cand_r)
    for x in range(n_absent):
        i = todo[x]
        v = node[i]
        anchor = -1
        for y in range(sib_ptr[v], sib_ptr[v + 1]):
            s = sib_idx[y]
            if s != i and route_of[s] >= 0:
                anchor = route_of[s]
                break
        best = prize[i]  # placed only where that costs less than leaving it out
        best_r = -1
        best_q = -1
        for attempt in range(2):
            granular = attempt == 0 and n_near > 0
            if attempt == 1 and (n_near == 0 or best_r >= 0):
                break
            # the candidate positions (route, q: between the q-th and the next point)
            n_c = 0
            empty_seen = np.zeros(n_types, dtype=np.bool_)
            if granular:
                for y in range(n_near):
                    j = adj[i, y]
                    if j <= 0 or route_of[j] < 0:
                        continue
                    cand_r[n_c] = route_of[j]
                    cand_q[n_c] = pos_of[j] - 1
                    cand_r[n_c + 1] = route_of[j]
                    cand_q[n_c + 1] = pos_of[j]
                    n_c += 2
                for r in range(n_routes):
                    if lens[r] == 0 and not empty_seen[rtype[r]]:
                        empty_seen[rtype[r]] = True
                        cand_r[n_c] = r
                        cand_q[n_c] = 0
                        n_c += 1
            else:
                for r in range(n_routes):
                    if lens[r] == 0:
                        if empty_seen[rtype[r]]:
                            continue
                        empty_seen[rtype[r]] = True
                    for q in range(lens[r] + 1):
                        cand_r[n_c] = r
                        cand_q[n_c] = q
                        n_c += 1
            for y in range(n_c):
                r = cand_r[y]
                q = cand_q[y]
                here = anchor >= 0 and r == anchor  # route r already visits the item's site
                if anchor >= 0 and r != anchor:
                    if not split:
                        continue
                    for z in range(sib_ptr[v], sib_ptr[v + 1]):
                        s = sib_idx[z]
                        if s != i and route_of[s] == r:
                            here = True
                            break
                k = rtype[r]
                if not serves[k, i]:
                    continue
                if cold[i] > 0.0 and rcold[r] + cold[i] > rcap[k] + EPS:
                    continue
                size = lens[r]
                # the test of the module docstring, in line (a call passing the arrays costs more
                # than the test)
                a = routes[r, q]
                b = routes[r, q + 1]
                if here and node[a] != v and node[b] != v:
                    continue  # into the route's visit of the site, never a second visit
                if node[a] == node[b] and node[a] != v and node[a] > 0:
                    continue  # never inside another site's visit
                if np.random.random() < BLINK:
                    continue
                c = icost[k, a, i] + icost[k, i, b] - icost[k, a, b]
                if c >= best:
                    continue
                t = est[r, q] + service[a] + minutes[a, i]
                if t < early[i]:
                    t = early[i]
                if t > late[i] + EPS:
                    continue
                tb = t + service[i] + minutes[i, b]
                if q < size and tb < early[b]:
                    tb = early[b]
                if tb > lst[r, q + 1] + EPS:
                    continue
                if dline[i] < end[k]:  # the return moves by at most the push at q + 1
                    push = tb - est[r, q + 1]
                    if push < 0.0:
                        push = 0.0
                    if est[r, size + 1] + push > dline[i] + EPS:
                        continue
                peak = pre[r, q] + delivery[i]
                if suf[r, q] + pick[i] > peak:
                    peak = suf[r, q] + pick[i]
                if peak > cap[k] + EPS:
                    continue
                if size == 0:
                    c += fixed[k]
                    if c >= best:
                        continue
                best = c
                best_r = r
                best_q = q
        if best_r < 0:
            absent[left] = i
            left += 1
            continue
        r = best_r
        for q in range(lens[r] + 1, best_q, -1):
            routes[r, q + 1] = routes[r, q]
        routes[r, best_q + 1] = i
        lens[r] += 1
        _refresh(r, routes, lens, rtype, est, lst, pre, suf, rcost, rcold, route_of, pos_of, data, touched)
    return left


@njit(cache=True)
def _ruin(absent, n_absent, routes, lens, rtype, est, lst, pre, suf, rcost, rcold, route_of, pos_of, data, adj,
          touched, p_route):  # fmt: skip
    """Cut strings out of routes near a random seed item (SISR's string removal); a string that
    cuts into a site's visit takes the whole visit. With chance ``p_route`` the seed is an item of
    the shortest route (fewest items), and that route is removed whole instead of a string of it,
    so that the re-insertion may empty a truck. Returns the new count of absent items."""
    node = data[16]
    n_routes = lens.shape[0]
    n = adj.shape[0] - 1
    used = 0
    stops = 0
    for r in range(n_routes):
        if lens[r] > 0:
            used += 1
            stops += lens[r]
    if used == 0:
        return n_absent
    ls_max = min(L_MAX, stops / used)
    ks_max = 4.0 * C_BAR / (1.0 + ls_max) - 1.0
    ks = int(np.random.random() * ks_max) + 1
    seed = 1 + int(np.random.random() * n)
    whole = p_route > 0.0 and np.random.random() < p_route  # the first route met goes whole
    if whole:  # the shortest route (fewest items; the first such), seeded at one of its items
        small = -1
        for r in range(n_routes):
            if lens[r] > 0 and (small < 0 or lens[r] < lens[small]):
                small = r
        seed = routes[small, 1 + int(np.random.random() * lens[small])]
    ruined = np.zeros(n_routes, dtype=np.bool_)
    done = 0
    for x in range(adj.shape[1]):
        if done >= ks:
            break
        c = seed if x == 0 else adj[seed, x - 1]
        if c == seed and x > 0:
            continue
        if c <= 0 or route_of[c] < 0:
            continue
        r = route_of[c]
        if ruined[r]:
            continue
        ruined[r] = True
        done += 1
        size = lens[r]
        if whole:
            whole = False
            first = 1
            last = size
        else:
            lmax = min(float(size), ls_max)
            length = int(np.random.random() * lmax) + 1
            if length > size:
                length = size
            pc = pos_of[c]
            lo = max(1, pc - length + 1)
            hi = min(pc, size - length + 1)
            first = lo + int(np.random.random() * (hi - lo + 1))
            last = first + length - 1
        while first > 1 and node[routes[r, first - 1]] == node[routes[r, first]]:
            first -= 1
        while last < size and node[routes[r, last + 1]] == node[routes[r, last]]:
            last += 1
        length = last - first + 1
        for q in range(first, first + length):
            v = routes[r, q]
            absent[n_absent] = v
            n_absent += 1
            route_of[v] = -1
        for q in range(first + length, size + 2):
            routes[r, q - length] = routes[r, q]
        lens[r] = size - length
        _refresh(r, routes, lens, rtype, est, lst, pre, suf, rcost, rcold, route_of, pos_of, data, touched)
    return n_absent


@njit(cache=True)
def _copy_rows(touched, routes, lens, est, lst, pre, suf, rcost, rcold, to_routes, to_lens, to_est, to_lst, to_pre,
               to_suf, to_rcost, to_rcold):  # fmt: skip
    """Copy the touched routes' rows (stops, length, cached arrays, cost) to the ``to_`` arrays."""
    for r in range(lens.shape[0]):
        if touched[r]:
            to_routes[r] = routes[r]
            to_lens[r] = lens[r]
            to_est[r] = est[r]
            to_lst[r] = lst[r]
            to_pre[r] = pre[r]
            to_suf[r] = suf[r]
            to_rcost[r] = rcost[r]
            to_rcold[r] = rcold[r]


@njit(cache=True)
def _to_pool(routes, lens, rtype, pool, pool_len, pool_type, n_pool):
    """Copy the plan's non-empty routes into the pool while it has room; the new pool size."""
    for r in range(lens.shape[0]):
        if lens[r] > 0 and n_pool < pool.shape[0]:
            pool[n_pool, : lens[r]] = routes[r, 1 : lens[r] + 1]
            pool_len[n_pool] = lens[r]
            pool_type[n_pool] = rtype[r]
            n_pool += 1
    return n_pool


@njit(cache=True)
def _absent_cost(absent, n_absent, prize):
    total = 0.0
    for x in range(n_absent):
        total += prize[absent[x]]
    return total


@njit(cache=True)
def search(
    data, serves, rtype, adj, far, sib_ptr, sib_idx, init_routes, init_lens, seed, deadline, max_iters, pool_cap,
    split, p_route, gran_k,
):  # pragma: no cover - compiled  # fmt: skip
    """SISR from ``init_routes`` (rows: items of one truck, ``init_lens`` of them) until
    ``deadline`` (``time.perf_counter``) or ``max_iters`` iterations, whichever comes first;
    ``p_route``: the chance that an iteration removes a whole route (`_ruin`), ``gran_k``: granular
    re-insertion next to that many nearest items (`_recreate`; 0: every position).
    Returns the best routes and lengths, how many items it left out, the route pool (every best
    plan's routes and the current plan's every ``POOL_EVERY`` iterations: items, lengths,
    types), and the iteration count."""
    np.random.seed(seed)
    prize = data[17]
    n = adj.shape[0] - 1
    n_routes = rtype.shape[0]
    width = n + 2
    routes = np.zeros((n_routes, width), dtype=np.int64)
    lens = np.zeros(n_routes, dtype=np.int64)
    est = np.zeros((n_routes, width))
    lst = np.zeros((n_routes, width))
    pre = np.zeros((n_routes, width))
    suf = np.zeros((n_routes, width))
    rcost = np.zeros(n_routes)
    rcold = np.zeros(n_routes)
    route_of = np.full(n + 1, -1, dtype=np.int64)
    pos_of = np.zeros(n + 1, dtype=np.int64)
    absent = np.zeros(n + 1, dtype=np.int64)
    placed = np.zeros(n + 1, dtype=np.bool_)
    touched = np.zeros(n_routes, dtype=np.bool_)  # routes changed in this iteration
    for r in range(n_routes):
        lens[r] = init_lens[r]
        for q in range(init_lens[r]):
            routes[r, q + 1] = init_routes[r, q]
            placed[init_routes[r, q]] = True
        _refresh(r, routes, lens, rtype, est, lst, pre, suf, rcost, rcold, route_of, pos_of, data, touched)
    n_absent = 0
    for i in range(1, n + 1):
        if not placed[i]:
            absent[n_absent] = i
            n_absent += 1
    n_absent = _recreate(absent, n_absent, routes, lens, rtype, est, lst, pre, suf, rcost, rcold, route_of, pos_of,
                         serves, data, far, touched, sib_ptr, sib_idx, split, adj, gran_k)  # fmt: skip
    cur = rcost.sum() + _absent_cost(absent, n_absent, prize)
    arcs = 0
    for r in range(n_routes):
        if lens[r] > 0:
            arcs += lens[r] + 1
    avg_arc = rcost.sum() / max(arcs, 1)
    if avg_arc <= 0:
        avg_arc = 1.0
    t_hi = T_START * avg_arc
    t_lo = T_END * avg_arc

    best_routes = routes.copy()
    best_lens = lens.copy()
    best = cur
    best_absent = n_absent
    pool = np.zeros((pool_cap, width), dtype=np.int64)
    pool_len = np.zeros(pool_cap, dtype=np.int64)
    pool_type = np.zeros(pool_cap, dtype=np.int64)
    n_pool = _to_pool(routes, lens, rtype, pool, pool_len, pool_type, 0)

    b_routes = routes.copy()
    b_lens = lens.copy()
    b_est = est.copy()
    b_lst = lst.copy()
    b_pre = pre.copy()
    b_suf = suf.copy()
    b_rcost = rcost.copy()
    b_rcold = rcold.copy()
    b_route_of = route_of.copy()
    b_pos_of = pos_of.copy()
    b_absent = absent.copy()

    with objmode(t0="float64"):
        t0 = time.perf_counter()
    span = max(deadline - t0, 1e-3)
    temp = t_hi
    it = 0
    while it < max_iters:
        if it % CLOCK_EVERY == 0:
            with objmode(now="float64"):
                now = time.perf_counter()
            if now >= deadline:
                break
            # the temperature follows the iterations when they are capped (the same plan from the
            # same seed), else the clock
            frac = it / max_iters if max_iters < MAX_ITERS else (now - t0) / span
            temp = t_hi * (t_lo / t_hi) ** frac
        it += 1
        touched[:] = False
        b_n_absent = n_absent
        n_absent = _ruin(absent, n_absent, routes, lens, rtype, est, lst, pre, suf, rcost, rcold, route_of, pos_of,
                         data, adj, touched, p_route)  # fmt: skip
        n_absent = _recreate(absent, n_absent, routes, lens, rtype, est, lst, pre, suf, rcost, rcold, route_of,
                             pos_of, serves, data, far, touched, sib_ptr, sib_idx, split, adj, gran_k)  # fmt: skip
        new = rcost.sum() + _absent_cost(absent, n_absent, prize)
        keep = new < cur - temp * math.log(np.random.random() + 1e-300)
        # the backup equals the plan at the start of the iteration: the touched routes are copied
        # to it (kept) or back from it (rejected)
        if keep:
            _copy_rows(touched, routes, lens, est, lst, pre, suf, rcost, rcold,
                       b_routes, b_lens, b_est, b_lst, b_pre, b_suf, b_rcost, b_rcold)  # fmt: skip
            cur = new
            b_route_of[:] = route_of
            b_pos_of[:] = pos_of
            b_absent[:] = absent
            if new < best - EPS:
                best = new
                best_absent = n_absent
                best_routes[:] = routes
                best_lens[:] = lens
                n_pool = _to_pool(routes, lens, rtype, pool, pool_len, pool_type, n_pool)
        else:
            _copy_rows(touched, b_routes, b_lens, b_est, b_lst, b_pre, b_suf, b_rcost, b_rcold,
                       routes, lens, est, lst, pre, suf, rcost, rcold)  # fmt: skip
            route_of[:] = b_route_of
            pos_of[:] = b_pos_of
            absent[:] = b_absent
            n_absent = b_n_absent
        if it % POOL_EVERY == 0:
            n_pool = _to_pool(routes, lens, rtype, pool, pool_len, pool_type, n_pool)
    out = np.zeros((n_routes, n), dtype=np.int64)
    for r in range(n_routes):
        out[r, : best_lens[r]] = best_routes[r, 1 : best_lens[r] + 1]
    return out, best_lens, best_absent, pool[:n_pool, :n], pool_len[:n_pool], pool_type[:n_pool], it


def _arrays(tds: list, absent_cny: float) -> tuple:
    """The numbers the compiled loop reads for a day of `coldchain.colgen.tree.supports` (every item
    a stop with all its orders, every item mandatory, no pay by the hour, reefer or deadline),
    from `coldchain.core.arrays.TypeData` of every type."""
    t0 = tds[0]
    m = len(t0.service_a)
    cost = np.stack([td.cost_a for td in tds])
    zeros_k = np.zeros(len(tds))
    return (
        cost,
        cost,
        t0.minutes_a,
        t0.service_a,
        t0.early_a,
        t0.late_a,
        t0.delivery_a,
        t0.pick_a,
        np.array([float(td.q) for td in tds]),
        np.array([float(td.start) for td in tds]),
        np.array([float(td.end) for td in tds]),
        np.array([float(td.fixed) for td in tds]),
        zeros_k,
        np.full(len(tds), np.inf),
        np.zeros(m),
        np.full(m, np.inf),
        np.arange(m, dtype=np.int64),
        np.full(m, absent_cny),
    )


def _neighbours(km: np.ndarray, node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per item, the other items nearest first (by km there and back between their sites; the
    same site first), and each item's km from the hub and back."""
    m = len(node)
    sym = km + km.T
    d = sym[np.ix_(node, node)]
    adj = np.zeros((m, max(m - 2, 1)), dtype=np.int64)
    for i in range(1, m):
        others = [j for j in np.argsort(d[i], kind="stable") if j != i and j != 0]
        adj[i, : len(others)] = others
    return adj, sym[0, node]


@dataclass(frozen=True)
class Found:
    """What a search found: the best plan's routes, how many stops it could not place (the plan
    is complete only when 0), its cost, every distinct route met in good plans (for set
    partitioning and as starting columns), and the iterations run."""

    routes: tuple[Column, ...]
    unplaced: int
    cost: float
    pool: tuple[Column, ...]
    iterations: int


def search_plan(
    inst: Instance,
    seconds: float,
    seed: int = 0,
    start: list[Column] | None = None,
    tds: list[TypeData] | None = None,
) -> Found:
    """SISR on ``inst`` (a day `coldchain.planner.registry.routes_apply` admits) for ``seconds``, from ``start`` if
    given (its routes get trucks of their type while any are left). ``tds`` may pass the
    instance's `coldchain.core.arrays.TypeData`, one per vehicle type, when the caller has them."""
    tds = tds or [TypeData(inst, k) for k in range(len(inst.types))]
    n = inst.n
    cost_max = max(float(td.cost_a.max()) for td in tds)
    rtype = np.array([k for k, td in enumerate(tds) for _ in range(td.count)], dtype=np.int64)
    absent_cny = 2.0 * (cost_max * (n + 1) + max(td.fixed for td in tds) * len(rtype)) + 1.0
    data = _arrays(tds, absent_cny)
    serves = np.zeros((len(tds), n + 1), dtype=np.bool_)
    for k in range(len(tds)):
        serves[k, 1:] = [bool(inst.serves[k, i]) for i in range(1, n + 1)]
    km = np.asarray(inst.fast.km, dtype=np.float64)
    adj, far = _neighbours(km, np.arange(n + 1))
    init = np.zeros((len(rtype), max(n, 1)), dtype=np.int64)
    lens = np.zeros(len(rtype), dtype=np.int64)
    slots = {k: [r for r in range(len(rtype)) if rtype[r] == k] for k in range(len(tds))}
    for c in start or ():
        if c.seq and slots.get(c.k):
            r = slots[c.k].pop(0)
            init[r, : len(c.seq)] = c.seq
            lens[r] = len(c.seq)
    sib_ptr = np.arange(n + 2, dtype=np.int64)
    sib_idx = np.arange(n + 1, dtype=np.int64)
    deadline = time.perf_counter() + max(seconds, 0.0)
    best, blens, left, pool, plens, ptypes, its = search(
        data, serves, rtype, adj, far, sib_ptr, sib_idx, init, lens, seed, deadline, MAX_ITERS, POOL_CAP, False, 0.0, 0
    )

    def column(k: int, seq: tuple[int, ...]) -> Column:
        return Column(k, seq, tds[k].route_cost(seq))

    routes = tuple(
        column(int(rtype[r]), tuple(int(v) for v in best[r, : blens[r]])) for r in range(len(rtype)) if blens[r]
    )
    rows = np.unique(np.column_stack([ptypes, plens, pool]), axis=0) if len(pool) else np.zeros((0, 2), np.int64)
    found = tuple(column(int(row[0]), tuple(int(v) for v in row[2 : 2 + row[1]])) for row in rows)
    return Found(routes, int(left), sum(c.cost for c in routes), found, int(its))


_compiled = False


def warm_up() -> float:
    """Compile the search now (on a toy, so that no deadline pays for it); seconds taken. The
    machine code is cached on disk, so later processes only load it."""
    global _compiled
    if _compiled:
        return 0.0
    t0 = time.perf_counter()
    n1 = 3
    z1 = np.zeros(n1)
    k1 = np.zeros(1)
    data = (np.ones((1, n1, n1)), np.ones((1, n1, n1)), np.ones((n1, n1)), z1, z1, np.full(n1, 100.0), z1, z1,
            np.ones(1), k1, np.full(1, 100.0), k1, k1, np.full(1, np.inf), z1, np.full(n1, np.inf),
            np.arange(n1, dtype=np.int64), np.full(n1, 1e6))  # fmt: skip
    adj = np.array([[0, 0], [2, 0], [1, 0]], dtype=np.int64)
    ptr = np.arange(n1 + 1, dtype=np.int64)
    search(data, np.ones((1, n1), dtype=np.bool_), np.zeros(2, dtype=np.int64), adj, z1, ptr, ptr[:n1],
           np.zeros((2, 2), dtype=np.int64), np.zeros(2, dtype=np.int64), 0, 0.0, MAX_ITERS, 10,
           False, 0.0, 0)  # fmt: skip
    _compiled = True
    return time.perf_counter() - t0
