"""Planning for the web page in a background thread, with its progress for the page to poll.

A `Planner` runs at most one plan at a time. Its `PlanJob` sorts the book's open orders for the
day (``day_orders``, as ``coldchain plan --from-book``), plans them with the planner the CLI uses,
and writes the plan into its own folder under the planner's temporary folder (the checker reads
it there before a commit; nothing is written beside the scenario or the book). The page reads
`PlanJob.status` as JSON: phase, seconds, best plan, bound and gap.
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from coldchain.apps.orders import Book, BookError, day_orders, refusal
from coldchain.core.outcome import Progress
from coldchain.errors import ColdchainError, InputError
from coldchain.scenario.domain import Scenario


@dataclass(frozen=True)
class PlanSettings:
    """How the page plans: the planner's method and the seconds for the whole plan."""

    time_limit_s: float = 20.0
    method: str = "auto"


class PlanJob:
    """One planning run of one day (see the module docstring)."""

    def __init__(self, job_id: int, day: date, actor: str, folder: Path, settings: PlanSettings) -> None:
        self.job_id = job_id
        self.day = day
        self.actor = actor
        self.folder = folder
        self.settings = settings
        self.state = "running"  # running, done, failed
        self.phase = "preparing"
        self.message = ""
        self.started = time.monotonic()
        self.finished: float | None = None
        self.progress: Progress | None = None
        self.orders = None  # DayOrders
        self.plan = None  # coldchain.Plan
        self.doc: dict | None = None  # plan.json's document
        self.committed = None  # CommitResult, once committed
        self._lock = threading.Lock()

    def report(self, p: Progress) -> None:
        """The planner's progress callback."""
        with self._lock:
            self.progress = p if p.best is not None or p.bound is not None else self.progress
            self.phase = p.phase or ("solving" if self.phase == "preparing" else self.phase)

    def status(self) -> dict:
        """The job as JSON for the page: state, phase, seconds, best, bound, gap, message."""
        with self._lock:
            p = self.progress
            end = self.finished if self.finished is not None else time.monotonic()
            out = {
                "job": self.job_id,
                "day": self.day.isoformat(),
                "state": self.state,
                "phase": self.phase,
                "seconds": round(end - self.started, 1),
                "time_limit_s": self.settings.time_limit_s,
                "best_cny": None if p is None or p.best is None else round(p.best, 2),
                "bound_cny": None if p is None or p.bound is None else round(p.bound, 2),
                "gap": None if p is None or p.gap is None else round(p.gap, 6),
                "message": self.message,
            }
        if self.doc is not None:  # the finished plan's own figures
            k = self.doc["summary"]["kpis"]
            out |= {"best_cny": self.doc["summary"]["cost"], "bound_cny": k["best_bound_cny"], "gap": k["gap"]}
        return out

    def _finish(self, state: str, message: str = "") -> None:
        with self._lock:
            self.state, self.message, self.finished = state, message, time.monotonic()
            self.phase = "done" if state == "done" else self.phase

    def run(self, scenario: Scenario, book_path: Path) -> None:
        """Plan the day (in the job's thread); never raises: a failure is the job's state and message."""
        from coldchain.core.outcome import SolveOptions
        from coldchain.core.plan import PlanOptions
        from coldchain.output.progress import quiet_stdout
        from coldchain.output.report import write_plan
        from coldchain.planner.plan import plan as make_plan

        try:
            with Book(book_path, create=False, check=False) as book:
                self.orders = day_orders(book, scenario, self.day)
            opts = SolveOptions(time_limit_s=self.settings.time_limit_s, progress=self.report)
            with quiet_stdout():  # the solver's banner never reaches the server's stdout
                plan = make_plan(self.orders.scenario, PlanOptions(solve=opts, method=self.settings.method))
            if not plan.has_routes:
                detail = "".join(f"; {n}" for n in plan.notes)
                missed = ", ".join(plan.missed_stops)
                why = (
                    f"infeasible: stops that cannot be served: {missed}" if missed else "no plan within the time limit"
                )
                self._finish("failed", why + detail)
                return
            write_plan(plan, self.folder, map_png=False)
            from coldchain.output.planjson import plan_document

            self.plan, self.doc = plan, plan_document(plan)
            self._finish("done")
        except InputError as exc:
            self._finish("failed", "; ".join(str(p) for p in exc.problems))
        except ColdchainError as exc:
            self._finish("failed", str(exc))
        except Exception as exc:  # a bug: the page says so, the server keeps running
            self._finish("failed", f"internal error ({type(exc).__name__}); see the server's log")
            raise


class Planner:
    """The page's planning: one job at a time, each in a folder of its own under ``workdir``."""

    def __init__(self, scenario: Scenario, book_path: Path, workdir: Path, settings: PlanSettings) -> None:
        self.scenario = scenario
        self.book_path = book_path
        self.workdir = workdir
        self.settings = settings
        self.job: PlanJob | None = None
        self._lock = threading.Lock()
        self._count = 0

    def start(self, book: Book, day: date, actor: str) -> PlanJob:
        """Start planning ``day`` in a background thread.

        Raises `BookError` when a plan is being made already or the day has a committed plan.
        """
        with self._lock:
            if self.job is not None and self.job.state == "running":
                raise BookError(f"a plan for {self.job.day} is being made (started by {self.job.actor}): wait for it")
            why = refusal(book, day)
            if why is not None:
                raise BookError(why + "; plan another day")
            if self.job is not None:
                shutil.rmtree(self.job.folder, ignore_errors=True)
            self._count += 1
            folder = self.workdir / f"plan-{self._count}"
            job = PlanJob(self._count, day, actor, folder, self.settings)
            self.job = job
        thread = threading.Thread(
            target=job.run, args=(self.scenario, self.book_path), name=f"coldchain-plan-{job.job_id}", daemon=True
        )
        thread.start()
        return job

    def wait(self, timeout: float = 120.0) -> PlanJob | None:
        """Wait until the current job is no longer running (for tests and scripts)."""
        t0 = time.monotonic()
        while self.job is not None and self.job.state == "running" and time.monotonic() - t0 < timeout:
            time.sleep(0.05)
        return self.job
