"""Solve a built model with HiGHS through Pyomo and report what happened.

Infeasible is a status, not an exception: ``solve`` raises `SolverError` only when the solver
itself fails. Solutions are loaded only after the termination condition has been checked.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

from coldchain.core.outcome import (
    ABS_GAP_CNY,
    Progress,
    SolveOptions,
    SolveOutcome,
    SolveStatus,
    relative_gap,
    stops_on_request,
)
from coldchain.errors import SolverError
from coldchain.setpart.highs import use_threads


def _set_start(highs, var_map: dict, start: dict) -> None:
    """Hand a full MIP start to HiGHS (columns not given are 0)."""
    import highspy

    values = [0.0] * highs.getNumCol()
    for var, value in start.items():
        col = var_map.get(id(var))
        if col is not None:
            values[col] = float(value)
    sol = highspy.HighsSolution()
    sol.col_value = values
    sol.value_valid = True
    highs.setSolution(sol)


def _watch(highs, progress: Callable[[Progress], None], started: float) -> None:
    """Report bound, incumbent and gap from HiGHS's own MIP callbacks (thread-safe, no log parsing)."""
    last = [0.0]

    def on_event(e) -> None:
        d = e.data_out
        now = time.perf_counter() - started
        if now - last[0] < 0.5 and e.callback_type != _improving():
            return
        last[0] = now
        best = None if math.isinf(d.mip_primal_bound) else d.mip_primal_bound
        bound = None if math.isinf(d.mip_dual_bound) else d.mip_dual_bound
        progress(Progress(best, bound, relative_gap(best, bound), now, "MILP"))

    highs.cbMipImprovingSolution.subscribe(on_event)
    highs.cbMipInterrupt.subscribe(on_event)


def _improving():
    import highspy

    return highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution


def solve(m: pyo.ConcreteModel, options: SolveOptions | None = None, start: dict | None = None) -> SolveOutcome:
    """Solve ``m`` with HiGHS; load the solution into ``m`` only when there is one.

    ``start`` maps variables to values of a feasible point, handed to HiGHS as a MIP start.

    Raises
    ------
    SolverError
        When HiGHS reports an error or the interface fails.
    """
    options = options or SolveOptions()
    solver = SolverFactory("highs")
    if not solver.available():
        raise SolverError("HiGHS is not available: install the highspy package")
    highs_options = {"mip_rel_gap": options.mip_gap, "mip_abs_gap": ABS_GAP_CNY, **options.highs_options}
    if options.threads:
        highs_options["threads"] = options.threads
        use_threads(options.threads)
    started = time.perf_counter()
    try:
        solver.set_instance(m)
        highs = solver._solver_model  # the persistent interface's highspy.Highs (pinned Pyomo)
        if start:
            _set_start(highs, solver._pyomo_var_to_solver_var_map, start)
        if options.progress:
            _watch(highs, options.progress, started)
        # the time limit counts handing the model to HiGHS (seconds for ~20k variables)
        left = max(0.05, options.time_limit_s - (time.perf_counter() - started))
        with stops_on_request(highs):
            res = solver.solve(
                m,
                load_solutions=False,
                raise_exception_on_nonoptimal_result=False,
                time_limit=left,
                solver_options=highs_options,
            )
    except Exception as exc:  # the interface itself failed
        raise SolverError(f"HiGHS failed: {exc}") from exc
    runtime = time.perf_counter() - started
    tc, sol = res.termination_condition, res.solution_status
    has_solution = sol in (SolutionStatus.optimal, SolutionStatus.feasible)
    objective = res.incumbent_objective if has_solution else None
    bound = res.objective_bound
    bound = None if bound is None or math.isinf(bound) else bound
    if tc == TerminationCondition.error or (tc == TerminationCondition.unknown and not has_solution):
        raise SolverError(f"HiGHS stopped without a result ({tc.name})")
    if tc in (TerminationCondition.provenInfeasible, TerminationCondition.infeasibleOrUnbounded):
        status = SolveStatus.INFEASIBLE
    elif not has_solution:
        status = SolveStatus.NO_SOLUTION if tc != TerminationCondition.unknown else SolveStatus.ERROR
    elif tc == TerminationCondition.convergenceCriteriaSatisfied:
        status = SolveStatus.OPTIMAL
    else:
        status = SolveStatus.FEASIBLE
    if has_solution:
        res.solution_loader.load_vars()
        # With a MIP start that is already optimal, HiGHS 1.16 can report objective and bound
        # shifted by a constant (seen on Solomon C201.25: -13183.3 for a plan of 214.7). Take the
        # objective from the loaded solution and shift the bound by the same amount.
        objs = list(m.component_data_objects(pyo.Objective, active=True))
        if len(objs) == 1:
            true_objective = pyo.value(objs[0])
            if objective is not None and bound is not None:
                bound += true_objective - objective
            objective = true_objective
    if status == SolveStatus.OPTIMAL and bound is None:
        bound = objective
    return SolveOutcome(status, tc.name, objective, bound, relative_gap(objective, bound), runtime)


def solve_relaxation(m: pyo.ConcreteModel, time_limit_s: float = 30.0, threads: int | None = None) -> bool:
    """Solve an LP (a relaxed copy of the model) in place; True when it is optimal."""
    solver = SolverFactory("highs")
    options = {}
    if threads:
        options["threads"] = threads
        use_threads(threads)
    res = solver.solve(
        m,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        time_limit=time_limit_s,
        solver_options=options,
    )
    if res.termination_condition != TerminationCondition.convergenceCriteriaSatisfied:
        return False
    res.solution_loader.load_vars()
    return True
