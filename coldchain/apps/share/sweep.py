"""Plan every coalition of the game, in parallel on Dask distributed, with a SQLite cache.

`plan_coalition` is the pure task: one coalition's sub-scenario planned by the daily planner
through the library facade (``coldchain.plan_day``), reduced to a `CoalitionResult` (the
incumbent's cost, the lower bound, trucks, km, empty km); optionally the plan is written and run
through the independent checker. `run_sweep` looks every coalition up in the cache and sends the
rest to Dask: a ``LocalCluster`` of ``workers`` processes with one thread each (Pyomo's model
building holds the GIL, hence processes; HiGHS, BLAS and Numba kept to one thread per worker), or
an existing scheduler at ``scheduler``; ``workers=0`` plans in this process, one after another
(the serial stand-in for tests and debugging). The base scenario is scattered once; each task
gets a coalition mask. Results are cached as they arrive, so an interrupted sweep resumes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from coldchain.apps.share.cache import CoalitionResult, ResultCache, coalition_key
from coldchain.apps.share.coalitions import Alliance, scenario_digest
from coldchain.apps.share.game import popcount
from coldchain.apps.share.lp import quiet_stdout

ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}


@dataclass(frozen=True)
class PlanSettings:
    """The planner budget of every coalition (the same for all, so that costs compare)."""

    time_limit_s: float = 5.0
    heuristic_s: float | None = 0.1
    method: str = "auto"
    seed: int = 0

    def options(self):
        import coldchain

        solve = coldchain.SolveOptions(time_limit_s=self.time_limit_s, threads=1)
        return coldchain.PlanOptions(solve=solve, heuristic_s=self.heuristic_s, method=self.method, seed=self.seed)


def plan_coalition(
    alliance: Alliance, mask: int, settings: PlanSettings, plan_dir: str | None = None
) -> CoalitionResult:
    """Plan coalition ``mask`` of ``alliance`` and return its figures (a pure call)."""
    import coldchain

    started = time.perf_counter()
    with quiet_stdout():  # HiGHS prints its banner on the process's stdout (the table's)
        plan = coldchain.plan_day(alliance.sub_scenario(mask), settings.options())
    seconds = time.perf_counter() - started
    if not plan.has_routes:
        return CoalitionResult(mask, str(plan.status), None, None, 0, 0.0, 0.0, seconds)
    k = coldchain.kpis(plan)
    cost = float(k["objective_cny"])
    proved = str(plan.status) == "optimal"
    bound = k["best_bound_cny"]
    # costs are never negative: a solver's bound below 0 (early in a MIP) says nothing more than 0
    bound = cost if proved else (None if bound is None else min(cost, max(0.0, float(bound))))
    violations = None
    if plan_dir is not None:
        coldchain.write_plan(plan, plan_dir, map_png=False)
        violations = len(coldchain.check_folder(plan.scenario, plan_dir))
    return CoalitionResult(
        mask,
        str(plan.status),
        cost,
        bound,
        int(k["trucks_used"]),
        float(k["km"]),
        float(k["empty_km"]),
        seconds,
        violations,
    )


def coalition_keys(alliance: Alliance, masks: Iterable[int], settings: PlanSettings) -> dict[int, str]:
    """The cache key of each coalition: its canonical day (twins share one), the plan settings and
    the coldchain version."""
    import coldchain

    options = asdict(settings)
    return {m: coalition_key(scenario_digest(alliance.canonical(m)), options, coldchain.__version__) for m in masks}


def run_sweep(
    alliance: Alliance,
    masks: list[int],
    settings: PlanSettings,
    cache: ResultCache,
    workers: int = 2,
    scheduler: str | None = None,
    plan_dirs: dict[int, Path] | None = None,
    on_result: Callable[[CoalitionResult, bool], None] | None = None,
) -> tuple[dict[int, CoalitionResult], dict[int, int]]:
    """Every coalition in ``masks`` planned, found in ``cache`` or taken from its twin's plan.

    Returns the results by mask and, for each mask, the mask whose plan it has (itself, or a
    twin: `coalitions.Alliance.canonical`). ``on_result(result, cached)`` is called as each
    coalition's result is known. ``plan_dirs`` names coalitions whose own plan is written (and
    checked) there; those are planned themselves unless the folder already holds a plan."""
    plan_dirs = plan_dirs or {}
    keys = coalition_keys(alliance, masks, settings)
    groups: dict[str, list[int]] = {}
    for m in masks:
        groups.setdefault(keys[m], []).append(m)
    results: dict[int, CoalitionResult] = {}
    planned_as: dict[int, int] = {}
    todo: list[int] = []
    waiting: dict[str, list[int]] = {}  # key -> masks that take the result of its plan

    def settle(key: str, result: CoalitionResult, cached: bool, skip: set[int] = frozenset()) -> None:
        for m in waiting.pop(key, []):
            if m in skip:
                continue
            results[m] = CoalitionResult(**{**asdict(result), "mask": m, "violations": None})
            planned_as[m] = result.mask
            if on_result:
                on_result(results[m], cached)

    for key, group in groups.items():
        own = [m for m in group if m in plan_dirs and not (plan_dirs[m] / "kpis.json").is_file()]
        todo += own
        hit = cache.get(key, group[0])
        waiting[key] = [m for m in group if m not in own]
        if hit is not None:
            settle(key, hit, True)
        elif not own:
            todo.append(waiting[key][0])
    todo.sort(key=lambda m: (-popcount(m), m))  # the longest plans first: better load balance

    def done(result: CoalitionResult) -> None:
        key = keys[result.mask]
        cache.put(key, result)
        results[result.mask] = result
        planned_as[result.mask] = result.mask
        if on_result:
            on_result(result, False)
        settle(key, result, False, {result.mask})

    if todo:
        if workers == 0 and scheduler is None:
            for m in todo:
                done(plan_coalition(alliance, m, settings, _dir(plan_dirs, m)))
        else:
            _on_dask(alliance, todo, settings, plan_dirs, keys, workers, scheduler, done)
    return results, planned_as


def _on_dask(alliance, todo, settings, plan_dirs, keys, workers, scheduler, done) -> None:
    with _client(workers, scheduler) as client:
        from distributed import as_completed

        shared = client.scatter(alliance, broadcast=True)
        futures = [
            client.submit(
                plan_coalition, shared, m, settings, _dir(plan_dirs, m), key=f"coalition-{m}-{keys[m][:16]}", pure=False
            )
            for m in todo
        ]
        try:
            for future in as_completed(futures):
                done(future.result())
        except BaseException:
            client.cancel(futures)
            raise


def _dir(plan_dirs: dict[int, Path], mask: int) -> str | None:
    return str(plan_dirs[mask]) if mask in plan_dirs else None


class _client:
    """A Dask client on ``scheduler``, or on a new LocalCluster of ``workers`` one-thread processes."""

    def __init__(self, workers: int, scheduler: str | None) -> None:
        self.workers, self.scheduler = workers, scheduler
        self.cluster = self.client = None

    def __enter__(self):
        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            self.client = Client(self.scheduler)
            return self.client
        self.cluster = LocalCluster(
            n_workers=max(1, self.workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never clash with another cluster
            silence_logs=logging.ERROR,
            env=ONE_THREAD,
        )
        self.client = Client(self.cluster)
        return self.client

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
