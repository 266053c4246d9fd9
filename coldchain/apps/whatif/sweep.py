"""Solve every (option, day) case of a study, in-process or on Dask distributed, resumably.

``build_cases`` applies each option to each representative day and names each case by its
input hash (``cases.case_id``); identical cases are solved once. ``run_sweep`` skips every case
already in the store, sends the rest to the executor and saves each result the moment it comes
back (``store.ResultStore``), so stopping a study at any point loses only the solves under way.

Executors (``dask_client``): ``--workers 1`` solves in this process, one case after another;
``--workers N`` starts a Dask distributed ``LocalCluster(n_workers=N, threads_per_worker=1,
processes=True)`` (Pyomo holds the GIL while it builds a model, hence processes; the nanny sets
OMP/MKL/OPENBLAS threads to 1 and each solve asks HiGHS for one thread); ``--scheduler ADDRESS``
uses an existing cluster (its workers need the same coldchain installed). Cases go out as
``client.submit(run_case_text, json, key="whatif-<case id>", pure=False)`` and come back through
``as_completed``. A worker that dies mid-solve is replaced and its case rescheduled by the
scheduler (up to ``distributed.scheduler.allowed-failures`` times); as results are keyed by case
id and stored once, nothing is lost or counted twice.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from coldchain import InputError, Problem
from coldchain.apps.whatif.apply import apply_option
from coldchain.apps.whatif.cases import SolveSettings, case_id, case_payload, run_case
from coldchain.apps.whatif.options import Option
from coldchain.apps.whatif.season import Day
from coldchain.apps.whatif.store import ResultStore


@dataclass(frozen=True)
class CaseRef:
    """Which case answers option ``option`` on day ``day``."""

    option: str
    day: str
    case_id: str


@dataclass
class SweepStats:
    """What a sweep did: cases in the study, found in the store, solved now, failed."""

    total: int = 0
    reused: int = 0
    solved: int = 0
    failed: dict[str, str] = field(default_factory=dict)


def build_cases(options: list[Option], days: list[Day], settings: SolveSettings) -> tuple[list[CaseRef], dict]:
    """Every (option, day) pair as a `CaseRef`, and the distinct payloads by case id.

    Raises `InputError` when an option does not fit a day (a vehicle or site it names is missing)."""
    refs: list[CaseRef] = []
    payloads: dict[str, str] = {}
    problems = []
    for day in days:
        for opt in options:
            try:
                scenario = apply_option(day.scenario, opt)
            except ValueError as exc:
                problems.append(Problem("options", opt.line, opt.name, f"does not fit day {day.label}: {exc}"))
                continue
            payload = case_payload(scenario, settings)
            cid = case_id(payload)
            payloads.setdefault(cid, json.dumps(payload, ensure_ascii=False))
            refs.append(CaseRef(opt.name, day.label, cid))
    if problems:
        raise InputError(problems)
    return refs, payloads


def run_case_text(text: str) -> dict:
    """`cases.run_case` on a payload sent as JSON text (cheap to ship to a worker). The solver
    library's own prints to standard output (a HiGHS banner) are dropped: a worker's output
    would land in the middle of the progress bar."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        return run_case(json.loads(text))
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def run_sweep(
    payloads: dict[str, str],
    store: ResultStore,
    client=None,
    on_result: Callable[[str, dict | None], None] | None = None,
    task: Callable[[str], dict] = run_case_text,
) -> SweepStats:
    """Solve every case of ``payloads`` not in ``store``, saving each result as it arrives.

    ``client`` is a Dask ``Client`` (None: solve in this process). ``on_result(case_id, result)``
    is called after each case is saved (result None when it failed); ``task`` solves one payload
    (the tests slow it down to kill a worker mid-solve). A case whose solve raised
    is reported in ``failed`` and not stored, so the next run tries it again.
    """
    stats = SweepStats(total=len(payloads))
    todo = [cid for cid in payloads if cid not in store]
    stats.reused = stats.total - len(todo)

    def finish(cid: str, result: dict | None, error: str | None = None) -> None:
        if result is not None:
            if store.put(cid, result):
                stats.solved += 1
        else:
            stats.failed[cid] = error or "failed"
        if on_result:
            on_result(cid, result)

    if client is None:
        for cid in todo:
            try:
                result = task(payloads[cid])
            except Exception as exc:  # a solver failure: report it, keep going
                finish(cid, None, f"{type(exc).__name__}: {exc}")
                continue
            finish(cid, result)
        return stats

    from distributed import as_completed

    futures = {client.submit(task, payloads[cid], key=f"whatif-{cid}", pure=False): cid for cid in todo}
    try:
        for fut in as_completed(list(futures)):
            cid = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:
                finish(cid, None, f"{type(exc).__name__}: {exc}")
                continue
            finish(cid, result)
    finally:
        client.cancel([f for f in futures if not f.done()])
    return stats


@contextmanager
def dask_client(workers: int, scheduler: str | None = None) -> Iterator:
    """A Dask client for ``scheduler``, or a LocalCluster of ``workers`` single-threaded
    processes; None (solve in-process) for one worker and no scheduler."""
    if scheduler is None and workers <= 1:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
