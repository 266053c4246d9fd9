"""Progress of a planning run, wherever its output goes, and the solver kept off stdout.

`ProgressDisplay` receives the planner's `coldchain.core.outcome.Progress` reports (best plan,
bound, gap, phase) and shows them on stderr:

* on a terminal, a rich live line, redrawn four times a second from the start (elapsed time and
  time left tick even before the first report);
* redirected to a file or a pipe (or under CI), one plain line every ``interval`` seconds (5 by
  default), the first at once, and a last one when the run ends::

      progress   5.0 s  phase search  best 10,372 CNY  bound 6,700 CNY  gap 35.4 %  55 s left

`quiet_stdout` points file descriptor 1 at ``/dev/null`` while the solver runs, so HiGHS's banner
and logs (written by its C++ code, not through Python) never reach stdout, whatever ``-q`` says.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from typing import TextIO

from coldchain.core.outcome import Progress


def progress_line(elapsed: float, p: Progress | None, time_limit: float | None, phase: str) -> str:
    """The plain progress line (also the live line's text)."""
    best = "-" if p is None or p.best is None else f"{p.best:,.0f} CNY"
    bound = "-" if p is None or p.bound is None else f"{p.bound:,.0f} CNY"
    gap = "-" if p is None or p.gap is None else f"{100 * p.gap:.1f} %"
    left = "" if time_limit is None else f"  {max(0.0, time_limit - elapsed):.0f} s left"
    return f"progress {elapsed:5.1f} s  phase {phase}  best {best}  bound {bound}  gap {gap}{left}"


class ProgressDisplay:
    """Shows a run's progress on ``stream`` (default: a duplicate of stderr); call ``close()`` at the end."""

    def __init__(
        self,
        time_limit: float | None = None,
        stream: TextIO | None = None,
        interval: float = 5.0,
        live: bool | None = None,
    ) -> None:
        self._own = stream is None
        self._fh = stream if stream is not None else os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8")
        self.time_limit = time_limit
        self.interval = interval
        self._started = time.perf_counter()
        self._last: Progress | None = None
        self._phase = "preparing"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        tty = self._fh.isatty() and not os.environ.get("CI")
        self._live = None
        if live if live is not None else tty:
            from rich.console import Console
            from rich.live import Live
            from rich.text import Text

            self._text = Text
            self._live = Live(
                Text(self._line()),
                console=Console(file=self._fh, highlight=False, emoji=False),
                refresh_per_second=4,
                transient=True,
                get_renderable=lambda: self._text(self._line()),
            )
            self._live.start()
            self._thread = None
        else:
            self._thread = threading.Thread(target=self._tick, name="coldchain-progress", daemon=True)
            self._thread.start()

    def _line(self) -> str:
        with self._lock:
            p, phase = self._last, self._phase
        return progress_line(time.perf_counter() - self._started, p, self.time_limit, phase)

    def _tick(self) -> None:
        self._write(self._line())
        while not self._stop.wait(self.interval):
            self._write(self._line())

    def _write(self, line: str) -> None:
        try:
            self._fh.write(line + "\n")
            self._fh.flush()
        except (OSError, ValueError):  # the reader went away (a closed pipe): progress is not worth a crash
            self._stop.set()

    def __call__(self, p: Progress) -> None:
        with self._lock:
            self._last = p
            phase = getattr(p, "phase", None)
            self._phase = phase or ("solving" if self._phase == "preparing" else self._phase)

    def phase(self, name: str) -> None:
        """Name the phase the run is in (shown until the next one)."""
        with self._lock:
            self._phase = name

    def close(self, final_phase: str = "done") -> None:
        if self._live is not None:
            self._live.stop()
        else:
            self._stop.set()
            if self._thread is not None:
                self._thread.join(timeout=2)
            self.phase(final_phase)
            self._write(self._line())
        if self._own:
            with contextlib.suppress(OSError):
                self._fh.close()


@contextlib.contextmanager
def quiet_stdout():
    """Point file descriptor 1 at /dev/null for the block (the solver's C++ output), then restore it."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no stdout at all
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
