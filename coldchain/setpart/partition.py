r"""The one set-partitioning model: choose whole columns (routes, or runs with their pickups) so that
each row is covered between its bounds, at least cost. Solved by HiGHS directly (highspy).

Symbols

=======================  ==================================================================
:math:`J`                columns; :math:`c_j` the cost of column :math:`j`
:math:`I`                rows; :math:`a_{ij}` how often column :math:`j` covers row :math:`i`
:math:`l_i, u_i`         the row's bounds (1, 1: exactly once; 0, 1: at most once; 0, m: at most m)
:math:`x_j \in \{0,1\}`  column :math:`j` is chosen
:math:`C`                a constant (what the objective counts whatever is chosen)
=======================  ==================================================================

.. math::

    \min \sum_j c_j x_j + C \quad \text{s.t.} \quad
    l_i \le \sum_j a_{ij} x_j \le u_i \ \ \forall i \in I, \qquad x_j \in \{0, 1\}

Three engines state their problem in these terms:

* `coldchain.setpart.pool.recombine`: the columns are routes timed by the exact evaluator, the rows
  the stops (parcel stops exactly once, pickup-only stops at most once), the fleet of each type
  and the must-serve orders; :math:`c_j` is the route's cost less the value of the orders it
  serves, :math:`C` the value of every order;
* `coldchain.setpart.pickups.choose_pickups` (set packing): the columns are a run with a set of
  added pickup stops, the rows one per run (exactly once), per added stop and per order (at most once);
* `coldchain.colgen.tree` (branch-and-price's exact step over enumerated routes): every stop exactly
  once, the fleet of each type (`cover_and_fleet_rows`, the master LP's first rows too).

`SetPartition` collects rows (by any hashable key) and columns, `SetPartition.solve` runs HiGHS
with a MIP start if given and returns a `Partitioned`: which columns, the objective, the bound and
the status (infeasible is a status, as everywhere in coldchain).
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import highspy
import numpy as np

from coldchain.core.outcome import (
    ABS_GAP_CNY,
    SolveOptions,
    SolveOutcome,
    SolveStatus,
    relative_gap,
    stops_on_request,
)
from coldchain.errors import SolverError
from coldchain.setpart.highs import use_threads

INF = highspy.kHighsInf


@dataclass(frozen=True)
class Partitioned:
    """The outcome of one set partitioning: ``chosen`` column indices (None without a solution)
    and the solver's `SolveOutcome` (objective and bound include the constant :math:`C`)."""

    chosen: list[int] | None
    outcome: SolveOutcome


class SetPartition:
    """The rows and columns of one set-partitioning MILP (module docstring)."""

    def __init__(self, name: str = "set_partitioning") -> None:
        self.name = name
        self.row_of: dict[Hashable, int] = {}
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.costs: list[float] = []
        self.covers: list[dict[int, float]] = []
        self.constant = 0.0

    def row(self, key: Hashable, lower: float, upper: float) -> int:
        """Add row ``key`` with bounds ``lower <= sum <= upper`` (once; later calls return its index)."""
        if key not in self.row_of:
            self.row_of[key] = len(self.lower)
            self.lower.append(lower)
            self.upper.append(upper)
        return self.row_of[key]

    def column(self, cost: float, keys: Iterable[Hashable]) -> int:
        """Add a column of ``cost`` covering the rows ``keys`` (a key met twice counts twice; keys
        without a row are ignored)."""
        cover: dict[int, float] = {}
        for key in keys:
            r = self.row_of.get(key)
            if r is not None:
                cover[r] = cover.get(r, 0.0) + 1.0
        self.covers.append(cover)
        self.costs.append(cost)
        return len(self.costs) - 1

    def add_rows_to(self, h: highspy.Highs) -> None:
        """Append the rows (no coefficients yet) to ``h``: a model that adds its own columns, as the
        master LP of branch-and-price does, starts from them."""
        none = np.array([], dtype=np.int32)
        nr = len(self.lower)
        h.addRows(nr, np.array(self.lower, dtype=float), np.array(self.upper, dtype=float), 0, none, none, np.array([]))

    def highs(self, options: SolveOptions) -> highspy.Highs:
        """The MILP in a fresh HiGHS object, with ``options``' gap, threads and HiGHS options."""
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        if options.threads:
            use_threads(options.threads)
            h.setOptionValue("threads", options.threads)
        settings = {"mip_rel_gap": options.mip_gap, "mip_abs_gap": ABS_GAP_CNY, **options.highs_options}
        for key, value in settings.items():
            h.setOptionValue(key, value)
        self.add_rows_to(h)
        m = len(self.costs)
        if m:
            starts, idx, val = [], [], []
            for cover in self.covers:
                starts.append(len(idx))
                for r in sorted(cover):
                    idx.append(r)
                    val.append(cover[r])
            h.addCols(m, np.array(self.costs, dtype=float), np.zeros(m), np.ones(m), len(idx),
                      np.array(starts, dtype=np.int32), np.array(idx, dtype=np.int32), np.array(val))  # fmt: skip
            h.changeColsIntegrality(m, np.arange(m, dtype=np.int32), np.full(m, highspy.HighsVarType.kInteger))
        return h

    def solve(
        self, options: SolveOptions, start: Iterable[int] | None = None, deadline: float | None = None
    ) -> Partitioned:
        """Solve within ``options.time_limit_s`` (counting the build) and at most until ``deadline``
        (a ``time.perf_counter()`` value); ``start``: the columns of a feasible plan, a MIP start.
        Raises `SolverError` only when HiGHS itself fails."""
        started = time.perf_counter()
        try:
            h = self.highs(options)
            if start is not None:
                values = [0.0] * len(self.costs)
                for j in start:
                    values[j] = 1.0
                sol = highspy.HighsSolution()
                sol.col_value = values
                sol.value_valid = True
                h.setSolution(sol)
            left = options.time_limit_s - (time.perf_counter() - started)
            if deadline is not None:
                left = min(left, deadline - time.perf_counter())
            h.setOptionValue("time_limit", max(0.05, left))
            with stops_on_request(h):
                h.run()
        except Exception as exc:  # the interface itself failed
            raise SolverError(f"HiGHS failed: {exc}") from exc
        return self._read(h, time.perf_counter() - started)

    def _read(self, h: highspy.Highs, runtime: float) -> Partitioned:
        status = h.getModelStatus()
        name = h.modelStatusToString(status)
        if status == highspy.HighsModelStatus.kInfeasible:
            return Partitioned(None, SolveOutcome(SolveStatus.INFEASIBLE, name, None, None, None, runtime))
        if status in (highspy.HighsModelStatus.kSolveError, highspy.HighsModelStatus.kModelError):
            raise SolverError(f"HiGHS stopped without a result ({name})")
        found = h.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        if not found:
            return Partitioned(None, SolveOutcome(SolveStatus.NO_SOLUTION, name, None, None, None, runtime))
        chosen = [j for j, v in enumerate(h.getSolution().col_value) if v > 0.5]
        objective = sum(self.costs[j] for j in chosen) + self.constant
        bound = h.getInfo().mip_dual_bound
        bound = None if not math.isfinite(bound) else bound + self.constant
        optimal = status == highspy.HighsModelStatus.kOptimal
        if optimal and bound is None:
            bound = objective
        state = SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE
        return Partitioned(chosen, SolveOutcome(state, name, objective, bound, relative_gap(objective, bound), runtime))


def stop_row(i: int) -> tuple[str, int]:
    """The key of stop (node) ``i``'s row."""
    return ("stop", i)


def fleet_row(k: int) -> tuple[str, int]:
    """The key of the row that counts the routes of vehicle type ``k``."""
    return ("fleet", k)


def route_rows(k: int, seq: Iterable[int]) -> list[tuple[str, int]]:
    """The rows a route of type ``k`` visiting ``seq`` covers: its stops and its type's fleet."""
    return [*(stop_row(i) for i in seq), fleet_row(k)]


def cover_and_fleet_rows(sp: SetPartition, inst) -> None:
    """The rows every route-based model of `coldchain.colgen` starts with: each stop covered once
    (row ``r`` for the ``r``-th stop): exactly once if it has parcels or a must-serve order, at
    most once if it only has optional pickups; then at most :math:`m_k` routes of each type ``k``
    (row ``n + k``). A route column covers `route_rows`."""
    for st in inst.stops:
        must = st.mandatory or any(inst.orders[o].required for o in st.orders)
        sp.row(stop_row(st.node), 1.0 if must else 0.0, 1.0)
    for t in inst.types:
        sp.row(fleet_row(t.index), -INF, float(t.count))
