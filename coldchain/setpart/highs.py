"""HiGHS's process-wide settings, shared by every engine that calls HiGHS directly."""

from __future__ import annotations

_scheduler_threads: list[int] = []


def use_threads(threads: int) -> None:
    """HiGHS keeps one thread pool per process: restart it when a solve asks for another size.

    Parallel *threads* of one process must therefore ask for the same number of threads; for
    parallel plans with different settings, use processes.
    """
    import highspy

    if _scheduler_threads and _scheduler_threads[-1] != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads[:] = [threads]
