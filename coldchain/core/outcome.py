"""What a solve achieved, independent of any solver: statuses, options, progress and the gap.

Infeasible is a status, not an exception. Nothing here imports a solver, so the output writers,
the checker and the applications can read outcomes without loading Pyomo, HiGHS or Numba.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

ABS_GAP_CNY = 0.01  # one fen: a plan this close to the bound is optimal for every practical purpose


class SolveStatus(StrEnum):
    """What the solver achieved."""

    OPTIMAL = "optimal"  # proven within the requested gap
    FEASIBLE = "feasible"  # a plan, with a remaining gap (time limit)
    INFEASIBLE = "infeasible"  # no plan satisfies the hard rules
    NO_SOLUTION = "no_solution"  # the time limit came before any plan
    ERROR = "error"


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings. ``mip_gap`` is relative (0.01 = 1 %); ``threads=None`` lets HiGHS choose.
    ``repeat_limit_s``: the time limit that sizes the work a plan must repeat run after run (the
    route search's iteration cap); None: ``time_limit_s``. The CLI sets it from ``--time-limit``
    and the day's size alone, since the seconds left after reading differ from run to run."""

    time_limit_s: float = 60.0
    mip_gap: float = 0.0
    threads: int | None = None
    progress: Callable[[Progress], None] | None = None
    highs_options: dict = field(default_factory=dict)
    repeat_limit_s: float | None = None


@dataclass(frozen=True)
class Progress:
    """One line of the solver's progress: best plan so far, best bound, gap, seconds, and the
    planner's phase (``lower bound``, ``search``, ``set partitioning``, ``MILP``, ...) if known."""

    best: float | None
    bound: float | None
    gap: float | None
    seconds: float
    phase: str | None = None


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: the run stops (a `BaseException`, like KeyboardInterrupt, so
    that no ``except Exception`` swallows it); ``exit_code`` is 128 + the signal's number."""

    def __init__(self, signum: int):
        super().__init__(f"signal {signum}")
        self.signum = signum
        self.exit_code = 128 + signum


_STOP: dict[str, int | None] = {"signum": None}


def request_stop(signum: int) -> None:
    """Ask the running plan to stop (the CLI's SIGINT/SIGTERM handler): every phase boundary
    (`announce_phase`, `check_stop`) raises `Interrupted` from now on, and a solver watching
    `stop_requested` (HiGHS's interrupt callbacks) returns at once."""
    _STOP["signum"] = signum


def clear_stop() -> None:
    """Forget an earlier `request_stop` (the next run starts afresh)."""
    _STOP["signum"] = None


def stop_requested() -> bool:
    """Whether `request_stop` was called (cheap: solvers poll it from their callbacks)."""
    return _STOP["signum"] is not None


def check_stop() -> None:
    """Raise `Interrupted` when a stop was requested; a phase boundary calls it."""
    if (signum := _STOP["signum"]) is not None:
        raise Interrupted(signum)


@contextmanager
def stops_on_request(highs) -> Iterator[None]:
    """For the block, a ``highspy.Highs`` returns as soon as a stop is requested (its interrupt
    callbacks poll `stop_requested`: HiGHS's C++ loop never lets Python's signal handler stop
    it); after the block, `check_stop` raises `Interrupted` if one was."""

    def on_poll(e) -> None:
        if _STOP["signum"] is not None:
            e.interrupt()

    events = [getattr(highs, n) for n in ("cbSimplexInterrupt", "cbMipInterrupt") if hasattr(highs, n)]
    for ev in events:
        ev.subscribe(on_poll)
    try:
        yield
    finally:
        for ev in events:
            ev.unsubscribe(on_poll)
    check_stop()


def announce_phase(progress: Callable[[Progress], None] | None, name: str, seconds: float = 0.0) -> None:
    """Tell a progress display which phase starts (no figures yet); nothing without one. A phase
    boundary: raises `Interrupted` when a stop was requested (`request_stop`)."""
    check_stop()
    if progress:
        progress(Progress(None, None, None, seconds, name))


@dataclass(frozen=True)
class SolveOutcome:
    """The solver's verdict on one model."""

    status: SolveStatus
    termination: str
    objective: float | None
    bound: float | None
    gap: float | None
    runtime_s: float

    @property
    def has_solution(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / max(|objective|, 1e-9), or None without both."""
    if objective is None or bound is None or math.isinf(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)
