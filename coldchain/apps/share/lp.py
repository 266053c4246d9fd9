r"""The small linear programmes of cost sharing, solved by HiGHS (``highspy``).

Every allocation LP here has a handful of columns (the members' costs :math:`y`, one level
:math:`\varepsilon` or :math:`f`) and at most one row per coalition (:math:`2^n - 1`), so a dense
row matrix is fine. `solve_lp` minimises :math:`c^\top x` subject to
:math:`\ell \le A x \le u` and column bounds, and returns the status, :math:`x`, the row duals and
the objective; infeasible is a status, not an exception.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass

import numpy as np

from coldchain.setpart.highs import use_threads

INF = float("inf")


@dataclass(frozen=True)
class LPResult:
    status: str  # "optimal", "infeasible", "unbounded" or HiGHS's model status in words
    x: np.ndarray | None
    row_dual: np.ndarray | None
    objective: float | None

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


def solve_lp(
    cost: np.ndarray,
    a: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    col_lower: np.ndarray | None = None,
    col_upper: np.ndarray | None = None,
    maximise: bool = False,
) -> LPResult:
    """Solve :math:`\\min\\ (\\max)\\ c^\\top x` s.t. ``row_lower <= a @ x <= row_upper`` (dense ``a``)."""
    import highspy

    cost = np.asarray(cost, dtype=float)
    a = np.atleast_2d(np.asarray(a, dtype=float))
    ncol = len(cost)
    nrow = a.shape[0] if a.size else 0
    with quiet_stdout():  # the first Highs() of a process prints a banner there
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # HiGHS keeps one thread pool per process: an earlier plan in this process may have started
    # it with another size, and then run() refuses (status "Not Set")
    use_threads(1)
    h.setOptionValue("threads", 1)
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = nrow
    lp.col_cost_ = -cost if maximise else cost
    lp.col_lower_ = np.full(ncol, -highspy.kHighsInf) if col_lower is None else _inf(col_lower, highspy)
    lp.col_upper_ = np.full(ncol, highspy.kHighsInf) if col_upper is None else _inf(col_upper, highspy)
    lp.row_lower_ = _inf(row_lower, highspy)
    lp.row_upper_ = _inf(row_upper, highspy)
    if nrow:
        cols = np.asarray(a).T  # column-wise storage
        starts, index, value = [0], [], []
        for j in range(ncol):
            nz = np.nonzero(cols[j])[0]
            index.extend(nz.tolist())
            value.extend(cols[j][nz].tolist())
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value, dtype=float)
        lp.a_matrix_.num_col_ = ncol
        lp.a_matrix_.num_row_ = nrow
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        sol = h.getSolution()
        obj = h.getInfo().objective_function_value
        duals = np.array(sol.row_dual) if nrow else np.zeros(0)
        return LPResult("optimal", np.array(sol.col_value), -duals if maximise else duals, -obj if maximise else obj)
    if status == highspy.HighsModelStatus.kInfeasible:
        return LPResult("infeasible", None, None, None)
    if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return LPResult("unbounded", None, None, None)
    return LPResult(h.modelStatusToString(status), None, None, None)


@contextlib.contextmanager
def quiet_stdout():
    """Send file descriptor 1 to the null device while the solver runs (C code writes there)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no stdout at all
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _inf(values: np.ndarray, highspy) -> np.ndarray:
    out = np.asarray(values, dtype=float).copy()
    out[out == INF] = highspy.kHighsInf
    out[out == -INF] = -highspy.kHighsInf
    return out


def indicator_rows(masks: list[int] | np.ndarray, n: int) -> np.ndarray:
    """The 0/1 matrix whose row ``r`` is the indicator vector of coalition ``masks[r]``."""
    masks = np.asarray(masks, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n)[None, :]) & 1).astype(float)
