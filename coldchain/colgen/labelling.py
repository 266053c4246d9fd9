r"""The pricing labelling loop of `coldchain.colgen.tree`, compiled with Numba.

One function, `label`, runs the forward label-setting algorithm over ng-routes that
`coldchain.colgen.tree` describes (resources :math:`t, p, A`, reduced cost, ng-memory, the parity
of visits to each subset-row cut's three stops, and those of the real rules below); this module
holds only the loop, on plain arrays, so that it compiles. Labels are kept in growing arrays and
processed in order of time from a heap; the labels at one stop sit in that stop's bucket.
ng-memories are bitsets of ``W`` 64-bit words (stop ``j`` is bit ``j % 64`` of word ``j // 64``).

The loop reads the clock (through ``objmode``) every 1,024 labels, so a deadline stops it within
milliseconds. The compiled code is cached on disk (``cache=True``): the first call on a new
machine compiles it (some seconds), later processes load it.

Pricing levels, as in `coldchain.colgen.tree._price`:

- 0: a label is dominated by one no worse in reduced cost and time; at most ``keep`` labels per
  stop (the cheapest);
- 1: full dominance (reduced cost, time, peak load, pickups) without the ng-memory;
- 2: full dominance with the memory (the older label's memory a subset of the newer's): exact.

With subset-row cuts, a label dominates another only if it is cheaper even after paying every
cut penalty the other has already paid and it has not (its odd cuts that are even in the other).

Real rules (`coldchain.colgen.visits`). At each stop the loop tries every *visit option* (which
orders it takes, each chilled one in reefer space or riding dry) and keeps, besides the resources
above, for a label at stop :math:`j`:

- :math:`c_r`, reefer kg on board (:math:`\le` the type's reefer space) and :math:`D`, the least
  deadline at the cold store of the orders on board: an extension to :math:`j` needs
  :math:`t_j + s_j + \tau_{j0} \le \min(\text{end}, D)` (the earliest return; every later
  return is later still);
- :math:`\sigma`, the dry-ride slack: minutes the route may still drive and serve, without
  waiting, before a chilled order riding dry has been out of the cold too long
  (:math:`\sigma' = \min(\sigma - s_i - \tau_{ij}, M_o)` with :math:`M_o` the option's least
  allowance; the route home must fit, :math:`\sigma' \ge s_j + \tau_{j0}`). The real time out of
  the cold is at least this no-wait ride, so the rule is relaxed, never tightened;
- for drivers paid :math:`w` per minute (Savelsbergh's forward time slack, in the form of
  Vidal et al. 2013's concatenation of time windows): with departure :math:`\delta`, the service
  start at :math:`j` is :math:`\max(\delta + a_j, b_j)`, with :math:`a_j` the driving and service
  minutes so far and :math:`b_j` the start the windows and ready times force; the label keeps
  :math:`b_j` and :math:`\lambda_j`, the latest start at :math:`j` that keeps every earlier
  stop on time with no waiting (:math:`b' = \max(b + s_i + \tau_{ij}, e_j)`,
  :math:`\lambda' = \min(\lambda + s_i + \tau_{ij}, l_j)`; at the hub :math:`b_0` the shift's
  start, :math:`\lambda_0` its end). The arc cost carries :math:`w(s_i + \tau_{ij})`, the paid
  time's additive part, and closing the route adds :math:`w \max(0, b_r - \min(\lambda_r,
  \text{end}, D))` (`_unpaid_wait`): the waiting no departure avoids, when the truck leaves as late
  as the windows and the deadline allow. That is the route evaluator's paid time exactly
  (`coldchain.core.evaluate._departure_terms`: :math:`\rho - \delta^* = \max(a_r, b_r - \delta_{max})`
  with :math:`\lambda_r = a_r + \delta_{max}`).

Dominance with these resources (levels 1 and 2): label 1 dominates label 2 at the same stop when,
besides reduced cost, :math:`t`, :math:`A`, :math:`p` (and the memories), :math:`c_{r,1} \le
c_{r,2}`, :math:`D_1 \ge D_2`, :math:`\sigma_1 \ge \sigma_2`, and with hourly pay
:math:`b_1 \le b_2` and :math:`\lambda_1 \ge \lambda_2`. Valid because every completion of label 2
is feasible for label 1 (its windows, the return by :math:`\min(\text{end}, D)`, the reefer
space and the dry ride are monotone in :math:`t, D, c_r, \sigma`), its additive cost is the same,
and its closing wait is no larger: along a fixed completion, :math:`b_r = \max(b + A_s, G_s)`
grows with :math:`b` and :math:`\min(\lambda_r, \text{end}, D_r)`, with :math:`\lambda_r =
\min(\lambda + A_s, L_s)`, grows with :math:`\lambda` and :math:`D` (:math:`A_s, G_s, L_s`
depend on the completion only). Without hourly pay :math:`w = 0` and :math:`b, \lambda` are not
compared.

The exact level also serves reduced-cost arc fixing: with a ``gap`` above 0 and an ``arc_lb``
array, it keeps every label that could still end below ``gap`` and writes, per arc, a lower
bound on the reduced cost of the routes that drive it (`coldchain.colgen.tree._arc_bounds`).
`enumerate_routes` is the same loop over elementary routes with the visited set in place of the
ng-memory, listing every route below a gap (route enumeration).
"""

from __future__ import annotations

import heapq
import time

import numpy as np
from numba import njit, objmode, types
from numba.typed import Dict

EPS = 1e-9
RC_TOL = 1e-6


@njit(cache=True)
def _grow_1d(a, cap):
    b = np.empty(cap, a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _grow_2d(a, rows, cols):
    b = np.zeros((rows, cols), a.dtype)
    b[: a.shape[0], : a.shape[1]] = a
    return b


@njit(cache=True)
def _owed(mine, other, sig, C):
    """The cut penalties a label with cut state ``mine`` may still pay that one with ``other``
    will not: ``sig`` summed over the cuts odd in ``mine`` and even in ``other`` (Jepsen et al.
    2008)."""
    total = 0.0
    for w in range(C):
        d = mine[w] & ~other[w]
        b = 64 * w
        while d:
            if d & np.uint64(1):
                total += sig[b]
            d >>= np.uint64(1)
            b += 1
    return total


@njit(cache=True)
def _cut_step(sr, j, mem, cut_ptr, cut_idx, sig, out):
    """A label with cut state ``sr`` visits stop ``j``: its new state into ``out``, and the cut
    penalty it pays (a cut forgets a visit when the route leaves its memory; the second visit to
    a cut's stops pays the cut's dual)."""
    for w in range(out.shape[0]):
        out[w] = sr[w] & mem[j, w]
    one = np.uint64(1)
    paid = 0.0
    for c_ in range(cut_ptr[j], cut_ptr[j + 1]):
        s_ = cut_idx[c_]
        b_ = one << np.uint64(s_ & 63)
        if out[s_ >> 6] & b_:
            paid += sig[s_]
            out[s_ >> 6] &= ~b_
        else:
            out[s_ >> 6] |= b_
    return paid


@njit(cache=True)
def completion(cost, minutes, service, early, late, ret_min, end, pi, succ_ptr, succ_idx, allowed):
    """Lower bounds on the reduced cost of finishing a route: ``f[j, T]`` for a label at stop
    ``j`` whose service starts at ``T`` or later (whole minutes). A shortest path over (stop,
    minute) that keeps the windows and the shift and forgets payload, ng-memories and cut
    penalties (those only add cost). Times are floored at every stop, so a real label, which is
    never earlier, can do no better; ``f`` does not fall with ``T``. Returns an empty array when
    some arc takes less than a minute (flooring could then stand still)."""
    n1 = cost.shape[0]
    H = 0
    for j in range(n1):
        if late[j] > H:
            H = late[j]
    H = int(np.ceil(H)) + 1
    f = np.full((n1, H + 1), np.inf)
    for i in range(1, n1):
        for s in range(succ_ptr[i], succ_ptr[i + 1]):
            if service[i] + minutes[i, succ_idx[s]] < 1.0:
                return np.empty((0, 0), np.float64)
    for T in range(H, -1, -1):
        for j in range(1, n1):
            if late[j] < T:
                continue
            best = np.inf
            if T + ret_min[j] <= end and allowed[j, 0]:
                best = cost[j, 0]
            leave = T + service[j]
            for s in range(succ_ptr[j], succ_ptr[j + 1]):
                k = succ_idx[s]
                if not allowed[j, k]:
                    continue
                arr = leave + minutes[j, k]
                if arr > late[k]:
                    continue
                if arr < early[k]:
                    arr = early[k]
                v = cost[j, k] - pi[k] + f[k, int(np.floor(arr))]
                if v < best:
                    best = v
            f[j, T] = best
    return f


@njit(cache=True)
def label(  # noqa: C901 (a compiled loop: see the docstring)
    cost,  # (n1, n1) float64: cost of each arc for this type (km, plus the paid minutes' additive part)
    minutes,  # (n1, n1) float64: driving minutes
    service,  # (n1,) float64: service minutes at each stop
    early,  # (n1,) float64: earliest service start (index 0: the departure; stops: see opt_early)
    late,  # (n1,) float64: latest service start
    ret_min,  # (n1,) float64: service plus the drive back to the hub
    dlv,  # (n1,) float64: parcels delivered at each stop
    pick,  # (n1,) float64: kg picked up at each stop (unused: see opt_kg)
    q,  # payload
    end,  # end of the shift
    rc0,  # reduced cost of the empty route: fixed cost less the fleet dual
    succ_ptr,  # (n1 + 1,) int64: CSR successors, nearest first
    succ_idx,  # int64
    allowed,  # (n1, n1) bool: arcs not banned by branching
    ng,  # (n1, W) uint64: ng-neighbourhoods
    pi,  # (n1,) float64: cover duals
    cut_ptr,  # (n1 + 1,) int64: CSR, the subset-row cuts each stop is in
    cut_idx,  # int64
    sig,  # (cuts,) float64: each cut's penalty, minus its dual (>= 0)
    mem,  # (n1, cut_words) uint64: the cuts whose memory holds each stop
    cut_words,  # words of a label's cut state (>= 1)
    level,  # 0, 1 or 2
    deadline,  # time.perf_counter() value to stop at
    enough,  # stop after this many negative routes (0: never)
    keep,  # labels per stop at level 0
    f,  # (n1, H) completion bounds, or an empty array (no pruning)
    gap,  # drop a label whose completion bound is not below this (0 when pricing)
    arc_lb,  # (n1, n1) float64 filled with inf: lower bounds per arc are written here, or (0, 0)
    fixed,  # the route's fixed cost (its cost, not reduced, starts there)
    opt_ptr,  # (n1 + 1,) int64: CSR, the visit options of each stop (`coldchain.colgen.visits`)
    opt_kg,  # (options,) float64: kg picked up
    opt_cold,  # kg of it in reefer space
    opt_early,  # earliest service start (opening, ready times of the orders taken)
    opt_dl,  # least deadline at the cold store of the orders taken (inf: none)
    opt_prize,  # value of the optional orders taken (lowers the cost)
    opt_dry,  # least minutes out of the cold allowed to the chilled orders riding dry (inf: none)
    rq,  # reefer space
    w,  # driver cost per minute (0: not paid by the hour)
):
    """Returns ``(closed, ends, node, parent, finished, least, costs, option)``: the reduced cost
    of each negative route found and the label it ends at, the labels' stops and parents (to
    rebuild the routes), whether the loop ran to the end, the least reduced cost of any route
    (only meaningful when ``finished`` and ``level`` is 2), each negative route's cost (not
    reduced; the prizes not subtracted) and each label's visit option.

    Complexity (McCabe 50+): a compiled (Numba) loop over plain arrays, kept in one function so that
    the extension, dominance and bucket steps share registers and no call crosses the boundary."""
    n1 = cost.shape[0]
    W = ng.shape[1]
    BIG = 1e18
    cap = 4096
    L_node = np.empty(cap, np.int64)
    L_rc = np.empty(cap, np.float64)
    L_t = np.empty(cap, np.float64)
    L_A = np.empty(cap, np.float64)
    L_p = np.empty(cap, np.float64)
    L_ng = np.zeros((cap, W), np.uint64)
    L_par = np.empty(cap, np.int64)
    L_alive = np.empty(cap, np.bool_)
    L_sr = np.zeros((cap, cut_words), np.uint64)  # bit s: an odd number of visits to cut s's stops
    L_b = np.empty(cap, np.float64)  # forced service start (ready times and openings, any departure)
    L_lam = np.empty(cap, np.float64)  # latest service start keeping the prefix on time
    L_dl = np.empty(cap, np.float64)  # least deadline of the orders on board
    L_cr = np.empty(cap, np.float64)  # reefer kg on board
    L_cs = np.empty(cap, np.float64)  # minutes left before a chilled order riding dry is out too long
    L_c = np.empty(cap, np.float64)  # cost so far (fixed, arcs), not reduced
    L_opt = np.empty(cap, np.int64)  # the visit option taken at the label's stop
    L_node[0] = 0
    L_rc[0] = rc0
    L_t[0] = early[0]
    L_A[0] = 0.0
    L_p[0] = 0.0
    L_par[0] = -1
    L_alive[0] = True
    L_b[0] = early[0]
    L_lam[0] = end
    L_dl[0] = BIG
    L_cr[0] = 0.0
    L_cs[0] = BIG
    L_c[0] = fixed
    L_opt[0] = -1
    nl = 1
    bcap = 16
    bk = np.empty((n1, bcap), np.int64)
    bcnt = np.zeros(n1, np.int64)
    heap = [(early[0], np.int64(0))]
    best_rc = np.empty(64, np.float64)
    best_lab = np.empty(64, np.int64)
    best_c = np.empty(64, np.float64)
    nb = 0
    finished = True
    pops = 0
    ngj = np.zeros(W, np.uint64)
    srj = np.zeros(cut_words, np.uint64)
    C = cut_words
    prune = f.shape[0] > 0
    record = arc_lb.shape[0] > 0
    paid = w > 0.0
    real = paid or rq > 0.0  # otherwise no option can carry a deadline, reefer kg or a dry ride
    for o_ in range(opt_dl.shape[0]):
        if opt_dl[o_] < BIG or opt_dry[o_] < BIG:
            real = True
            break
    one = np.uint64(1)
    while len(heap) > 0:
        _, lab = heapq.heappop(heap)
        if not L_alive[lab]:
            continue
        pops += 1
        if pops % 1024 == 0:
            with objmode(now="float64"):
                now = time.perf_counter()
            if now > deadline:
                finished = False
                break
        if enough > 0 and nb >= enough:
            finished = False
            break
        i = L_node[lab]
        rc_i = L_rc[lab]
        A_i = L_A[lab]
        p_i = L_p[lab]
        for s in range(succ_ptr[i], succ_ptr[i + 1]):
            j = succ_idx[s]
            if not allowed[i, j]:
                continue
            wj = j >> 6
            bit = one << np.uint64(j & 63)
            if L_ng[lab, wj] & bit:
                continue
            step = service[i] + minutes[i, j]  # from the service start at i to j's, without waiting
            t_arr = L_t[lab] + step
            if t_arr > late[j]:
                continue
            paid_cut = 0.0
            stepped = False  # the cut state and ng-memory at j, made once an option passes the bounds
            for o_ in range(opt_ptr[j], opt_ptr[j + 1]):
                tj = t_arr
                if tj < opt_early[o_]:
                    tj = opt_early[o_]
                dlj = L_dl[lab]
                if opt_dl[o_] < dlj:
                    dlj = opt_dl[o_]
                home = end if end < dlj else dlj
                if tj > late[j] or tj + ret_min[j] > home:
                    continue
                pj = p_i + opt_kg[o_]
                Aj = A_i + dlv[j]
                if pj > Aj:
                    Aj = pj
                if Aj > q + EPS:
                    continue
                crj = L_cr[lab] + opt_cold[o_]
                if crj > rq + EPS:
                    continue
                csj = L_cs[lab] - step
                if opt_dry[o_] < csj:
                    csj = opt_dry[o_]
                if csj < ret_min[j] - EPS:
                    continue  # a chilled order riding dry would be out of the cold too long
                bj = L_b[lab] + step
                if bj < opt_early[o_]:
                    bj = opt_early[o_]
                lamj = L_lam[lab] + step
                if lamj > late[j]:
                    lamj = late[j]
                rcj = rc_i + cost[i, j] - pi[j] - opt_prize[o_]
                if prune:
                    lb = rcj + f[j, int(np.floor(tj))]
                    if record:
                        if lb < arc_lb[i, j]:
                            arc_lb[i, j] = lb
                        if allowed[j, 0] and rcj + cost[j, 0] < arc_lb[j, 0]:
                            arc_lb[j, 0] = rcj + cost[j, 0]
                    if lb >= gap - RC_TOL:
                        continue  # no completion can bring the route's reduced cost below gap
                if not stepped:
                    paid_cut = _cut_step(L_sr[lab], j, mem, cut_ptr, cut_idx, sig, srj)
                    for w_ in range(W):
                        ngj[w_] = L_ng[lab, w_] & ng[j, w_]
                    ngj[wj] |= bit
                    stepped = True
                rcj += paid_cut
                # dominated by a label already at j?
                c = bcnt[j]
                dominated = False
                for e in range(c):
                    o = bk[j, e]
                    if L_rc[o] > rcj + EPS or L_t[o] > tj + EPS:
                        continue
                    if level > 0:
                        if L_A[o] > Aj + EPS or L_p[o] > pj + EPS:
                            continue
                        if real and (L_dl[o] < dlj - EPS or L_cr[o] > crj + EPS or L_cs[o] < csj - EPS):
                            continue
                        if paid and (L_b[o] > bj + EPS or L_lam[o] < lamj - EPS):
                            continue
                        if level == 2:
                            sub = True
                            for w_ in range(W):
                                if L_ng[o, w_] & ~ngj[w_]:
                                    sub = False
                                    break
                            if not sub:
                                continue
                    if L_rc[o] + _owed(L_sr[o], srj, sig, C) <= rcj + EPS:
                        dominated = True
                        break
                if dominated:
                    continue
                # drop the labels at j that the new one dominates
                m = 0
                for e in range(c):
                    o = bk[j, e]
                    kill = rcj <= L_rc[o] + EPS and tj <= L_t[o] + EPS
                    if kill and level > 0:
                        kill = Aj <= L_A[o] + EPS and pj <= L_p[o] + EPS
                        if kill and real:
                            kill = dlj >= L_dl[o] - EPS and crj <= L_cr[o] + EPS and csj >= L_cs[o] - EPS
                        if kill and paid:
                            kill = bj <= L_b[o] + EPS and lamj >= L_lam[o] - EPS
                        if kill and level == 2:
                            for w_ in range(W):
                                if ngj[w_] & ~L_ng[o, w_]:
                                    kill = False
                                    break
                    if kill:
                        kill = rcj + _owed(srj, L_sr[o], sig, C) <= L_rc[o] + EPS
                    if kill:
                        L_alive[o] = False
                    else:
                        bk[j, m] = o
                        m += 1
                bcnt[j] = m
                if level == 0 and m >= keep:
                    worst = 0
                    for e in range(1, m):
                        if L_rc[bk[j, e]] > L_rc[bk[j, worst]]:
                            worst = e
                    if L_rc[bk[j, worst]] <= rcj:
                        continue
                    L_alive[bk[j, worst]] = False
                    bk[j, worst] = bk[j, m - 1]
                    m -= 1
                    bcnt[j] = m
                # store the new label
                if nl == cap:
                    cap *= 2
                    L_node = _grow_1d(L_node, cap)
                    L_rc = _grow_1d(L_rc, cap)
                    L_t = _grow_1d(L_t, cap)
                    L_A = _grow_1d(L_A, cap)
                    L_p = _grow_1d(L_p, cap)
                    L_ng = _grow_2d(L_ng, cap, W)
                    L_par = _grow_1d(L_par, cap)
                    L_alive = _grow_1d(L_alive, cap)
                    L_sr = _grow_2d(L_sr, cap, C)
                    L_b = _grow_1d(L_b, cap)
                    L_lam = _grow_1d(L_lam, cap)
                    L_dl = _grow_1d(L_dl, cap)
                    L_cr = _grow_1d(L_cr, cap)
                    L_cs = _grow_1d(L_cs, cap)
                    L_c = _grow_1d(L_c, cap)
                    L_opt = _grow_1d(L_opt, cap)
                new = nl
                nl += 1
                L_node[new] = j
                L_rc[new] = rcj
                L_t[new] = tj
                L_A[new] = Aj
                L_p[new] = pj
                for w_ in range(W):
                    L_ng[new, w_] = ngj[w_]
                L_par[new] = lab
                L_alive[new] = True
                for w_ in range(C):
                    L_sr[new, w_] = srj[w_]
                L_b[new] = bj
                L_lam[new] = lamj
                L_dl[new] = dlj
                L_cr[new] = crj
                L_cs[new] = csj
                L_c[new] = L_c[lab] + cost[i, j]
                L_opt[new] = o_
                if m == bcap:
                    bcap *= 2
                    bk = _grow_2d(bk, n1, bcap)
                bk[j, m] = new
                bcnt[j] = m + 1
                heapq.heappush(heap, (tj, new))
                if allowed[j, 0]:
                    wait = _unpaid_wait(bj, lamj, dlj, ret_min[j], end) * w
                    closed = rcj + cost[j, 0] + wait
                    if closed < -RC_TOL:
                        if nb == best_rc.shape[0]:
                            best_rc = _grow_1d(best_rc, 2 * nb)
                            best_lab = _grow_1d(best_lab, 2 * nb)
                            best_c = _grow_1d(best_c, 2 * nb)
                        best_rc[nb] = closed
                        best_lab[nb] = new
                        best_c[nb] = L_c[new] + cost[j, 0] + wait
                        nb += 1
    least = 0.0
    if finished and level == 2:
        for lab in range(1, nl):
            j = L_node[lab]
            if L_alive[lab] and allowed[j, 0]:
                v = L_rc[lab] + cost[j, 0] + w * _unpaid_wait(L_b[lab], L_lam[lab], L_dl[lab], ret_min[j], end)
                if v < least:
                    least = v
    return best_rc[:nb], best_lab[:nb], L_node[:nl], L_par[:nl], finished, least, best_c[:nb], L_opt[:nl]


@njit(cache=True)
def _unpaid_wait(b, lam, dl, back, end):
    """Minutes of waiting no departure avoids, for a route whose last stop has forced start ``b``
    and latest on-time start ``lam``, going home (``back`` minutes) by ``end`` and ``dl``: the
    return is at least ``b + back``, and leaving so late that no waiting is paid brings it to
    ``lam + back`` (or the deadline) at the latest."""
    latest = lam + back
    if end < latest:
        latest = end
    if dl < latest:
        latest = dl
    u = b + back - latest
    return u if u > 0.0 else 0.0


@njit(cache=True)
def enumerate_routes(  # noqa: C901 (a compiled loop: see the docstring)
    cost,  # (n1, n1) float64: the first thirteen as in `label`
    minutes,
    service,
    early,
    late,
    ret_min,
    dlv,
    pick,
    q,
    end,
    rc0,  # reduced cost of the empty route
    succ_ptr,
    succ_idx,
    allowed,
    pi,
    cut_ptr,  # the subset-row cuts, as in `label`
    cut_idx,
    sig,
    mem,
    cut_words,
    f,  # (n1, H) completion bounds (required)
    gap,  # keep the routes whose reduced cost is below this
    deadline,
    most,  # give up past this many labels
):
    """Every elementary route whose reduced cost is below ``gap``, up to routes that visit the
    same stops no dearer (Baldacci, Christofides & Mingozzi 2008). A label is dropped when its
    completion bound reaches ``gap``, or when a label at the same stop with the *same* set of
    visited stops is no later, no heavier, no dearer in cost, and no dearer in reduced cost even
    after the cut penalties it may still pay (so the kept label's route, finished the same way,
    stays below ``gap`` and costs no more). Returns ``(ends, node, parent, alive, finished)``:
    the label each route ends at; each label's stop, parent, and whether it is still alive (a
    later label dropped it otherwise, and that label's own route is among ``ends``); and
    whether the loop ran to the end within ``deadline`` and ``most`` labels.

    Complexity (McCabe 29): a compiled (Numba) loop over plain arrays, kept in one function so that
    the extension, dominance and bucket steps share registers and no call crosses the boundary."""
    n1 = cost.shape[0]
    V = (n1 + 63) // 64
    C = cut_words
    cap = 4096
    L_node = np.empty(cap, np.int64)
    L_rc = np.empty(cap, np.float64)
    L_c = np.empty(cap, np.float64)
    L_t = np.empty(cap, np.float64)
    L_A = np.empty(cap, np.float64)
    L_p = np.empty(cap, np.float64)
    L_vis = np.zeros((cap, V), np.uint64)
    L_par = np.empty(cap, np.int64)
    L_alive = np.empty(cap, np.bool_)
    L_next = np.empty(cap, np.int64)  # the next label with the same hash
    L_sr = np.zeros((cap, C), np.uint64)
    L_node[0] = 0
    L_rc[0] = rc0
    L_c[0] = 0.0
    L_t[0] = early[0]
    L_A[0] = 0.0
    L_p[0] = 0.0
    L_par[0] = -1
    L_alive[0] = True
    L_next[0] = -1
    nl = 1
    heads = Dict.empty(key_type=types.int64, value_type=types.int64)
    heap = [(early[0], np.int64(0))]
    ends = np.empty(64, np.int64)
    ne = 0
    finished = True
    pops = 0
    visj = np.zeros(V, np.uint64)
    srj = np.zeros(C, np.uint64)
    one = np.uint64(1)
    while len(heap) > 0:
        _, lab = heapq.heappop(heap)
        if not L_alive[lab]:
            continue
        pops += 1
        if pops % 1024 == 0:
            with objmode(now="float64"):
                now = time.perf_counter()
            if now > deadline:
                finished = False
                break
        if nl > most:
            finished = False
            break
        i = L_node[lab]
        leave = L_t[lab] + service[i]
        for s in range(succ_ptr[i], succ_ptr[i + 1]):
            j = succ_idx[s]
            if not allowed[i, j]:
                continue
            wj = j >> 6
            bit = one << np.uint64(j & 63)
            if L_vis[lab, wj] & bit:
                continue
            tj = leave + minutes[i, j]
            if tj < early[j]:
                tj = early[j]
            if tj > late[j] or tj + ret_min[j] > end:
                continue
            pj = L_p[lab] + pick[j]
            Aj = L_A[lab] + dlv[j]
            if pj > Aj:
                Aj = pj
            if Aj > q + EPS:
                continue
            rcj = L_rc[lab] + cost[i, j] - pi[j]
            if rcj + f[j, int(np.floor(tj))] >= gap:
                continue
            cj = L_c[lab] + cost[i, j]
            rcj += _cut_step(L_sr[lab], j, mem, cut_ptr, cut_idx, sig, srj)
            h = np.uint64(j) * np.uint64(0x9E3779B97F4A7C15)
            for w in range(V):
                visj[w] = L_vis[lab, w]
                h = (h ^ visj[w]) * np.uint64(0xBF58476D1CE4E5B9)
                h ^= h >> np.uint64(31)
            visj[wj] |= bit
            h = (h ^ visj[wj]) * np.uint64(0x94D049BB133111EB)
            key = np.int64(h >> np.uint64(1))
            head = np.int64(-1)
            if key in heads:
                head = heads[key]
            dominated = False
            o = head
            while o >= 0:
                if L_alive[o] and L_node[o] == j:
                    same = True
                    for w in range(V):
                        if L_vis[o, w] != visj[w]:
                            same = False
                            break
                    if same:
                        if (
                            L_t[o] <= tj + EPS
                            and L_A[o] <= Aj + EPS
                            and L_c[o] <= cj + EPS
                            and L_rc[o] + _owed(L_sr[o], srj, sig, C) <= rcj + EPS
                        ):
                            dominated = True
                            break
                        if (
                            tj <= L_t[o] + EPS
                            and Aj <= L_A[o] + EPS
                            and cj <= L_c[o] + EPS
                            and rcj + _owed(srj, L_sr[o], sig, C) <= L_rc[o] + EPS
                        ):
                            L_alive[o] = False
                o = L_next[o]
            if dominated:
                continue
            if nl == cap:
                cap *= 2
                L_node = _grow_1d(L_node, cap)
                L_rc = _grow_1d(L_rc, cap)
                L_c = _grow_1d(L_c, cap)
                L_t = _grow_1d(L_t, cap)
                L_A = _grow_1d(L_A, cap)
                L_p = _grow_1d(L_p, cap)
                L_vis = _grow_2d(L_vis, cap, V)
                L_par = _grow_1d(L_par, cap)
                L_alive = _grow_1d(L_alive, cap)
                L_next = _grow_1d(L_next, cap)
                L_sr = _grow_2d(L_sr, cap, C)
            new = nl
            nl += 1
            L_node[new] = j
            L_rc[new] = rcj
            L_c[new] = cj
            L_t[new] = tj
            L_A[new] = Aj
            L_p[new] = pj
            for w in range(V):
                L_vis[new, w] = visj[w]
            for w in range(C):
                L_sr[new, w] = srj[w]
            L_par[new] = lab
            L_alive[new] = True
            L_next[new] = head
            heads[key] = new
            heapq.heappush(heap, (tj, new))
            if allowed[j, 0] and rcj + cost[j, 0] < gap:
                if ne == ends.shape[0]:
                    ends = _grow_1d(ends, 2 * ne)
                ends[ne] = new
                ne += 1
    return ends[:ne], L_node[:nl], L_par[:nl], L_alive[:nl], finished
