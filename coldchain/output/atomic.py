"""Every file coldchain writes goes through here: atomic, with the user's permissions, and CSV
cells safe to open in a spreadsheet.

* `atomic_target` / `write_text_atomic`: write to a temporary file beside the target (same
  filesystem), then rename it into place: a reader never sees a half-written file and a failure
  leaves the old file untouched. The file gets the permissions the user's umask gives a new file
  (``0o666 & ~umask``), not the 0600 of `tempfile.mkstemp`.
* `output_folder`: a whole run's folder (a plan) written as a fresh temporary folder beside the
  target and renamed into place, so that the folder always holds exactly one run; a previous
  run's folder is swapped out (renamed aside, the new one renamed in, the old one removed); a
  folder holding anything coldchain does not write is refused, never deleted.
* `refuse_input_folder`: ``--out`` may not be a scenario folder, a folder inside it, or the
  folder of any input file.
* `safe_cell` / `safe_frame` / `csv_rows`: a text cell that a spreadsheet would run as a formula
  (it starts with ``= + - @``, a tab or a carriage return, OWASP "CSV injection") gets a leading
  ``'``; numbers, negative ones included, are left alone. A text that starts with ``'`` before
  such a character gets one more ``'``, so that the checker's reader
  (`coldchain.check.read.unescape`: one leading ``'`` off when what follows, past any further
  ``'``, starts with such a character) gives back exactly the text that was written.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from coldchain.errors import OutputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def umask() -> int:
    """The process's umask: from ``/proc/self/status`` where Linux gives it (a read, safe while
    other threads create files, as the web page's planning thread does), else by setting it and
    putting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _as_new_file(path: str | Path) -> None:
    os.chmod(path, 0o666 & ~umask())


@contextmanager
def atomic_target(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one step.

    A reader never sees a half-written file, and a failure leaves the old file untouched.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        _as_new_file(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")


# -- spreadsheet-safe CSV cells --------------------------------------------------------------------


def needs_escape(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (past any leading ``'``)."""
    return text.lstrip("'").startswith(FORMULA_START) and not _NUMBER.match(text)


def safe_cell(value: object) -> object:
    """``value`` as a CSV cell a spreadsheet shows as text: formula text gets a leading ``'``."""
    if isinstance(value, str) and needs_escape(value):
        return "'" + value
    return value


def safe_frame(df):
    """A copy of a data frame with every text cell passed through `safe_cell`."""
    df = df.copy()
    for col in df.columns:
        if df[col].dtype == object or str(df[col].dtype).startswith("str"):
            df[col] = df[col].map(safe_cell)
    return df


def csv_rows(header: Iterable[object], rows: Iterable[Iterable[object]], bom: bool = False) -> str:
    """CSV text of a header and rows, every cell through `safe_cell` (``bom``: UTF-8 BOM first)."""
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([safe_cell(c) for c in header])
    for row in rows:
        w.writerow([safe_cell(c) for c in row])
    return buf.getvalue()


# -- output folders --------------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def refuse_input_folder(out_dir: str | Path, scenario: str | Path | None, inputs: Iterable[str | Path] = ()) -> None:
    """Raise `OutputError` when ``out_dir`` is the scenario folder or inside it, or the folder of
    an input file (writing there would overwrite or mix with the inputs)."""
    out = Path(out_dir).resolve()
    if scenario is not None and _inside(out, Path(scenario).resolve()):
        raise OutputError(
            f"--out {out_dir} is the scenario folder or inside it; its files would be overwritten or mixed "
            "with the plan: choose a folder of its own"
        )
    for f in inputs:
        if out == Path(f).resolve().parent:
            raise OutputError(f"--out {out_dir} is the folder of the input file {f}; choose a folder of its own")


def _leftover(name: str) -> bool:
    """A temporary file `atomic_target` left behind when a process was killed mid-write."""
    return name.startswith(".") and name.endswith(".tmp")


def check_target(out_dir: str | Path, known: Collection[str]) -> None:
    """Raise `OutputError` unless ``out_dir`` is absent, an empty folder, or a folder holding only
    the files a previous run wrote (names in ``known``)."""
    out = Path(out_dir)
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise OutputError(f"{out_dir} exists and is not a folder; choose another --out or remove it")
    try:
        foreign = sorted(p.name for p in out.iterdir() if p.name not in known and not _leftover(p.name))
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot read the folder ({exc.strerror})") from None
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputError(
            f"{out_dir} holds files coldchain did not write ({shown}); nothing was deleted: choose an empty "
            "or new folder for --out"
        )


@contextmanager
def output_folder(out_dir: str | Path, known: Collection[str]) -> Iterator[Path]:
    """Yield a fresh temporary folder beside ``out_dir``; when the block ends without an error it
    becomes ``out_dir`` (a previous run's folder there is renamed aside, the new one renamed in,
    the old one removed), else it is removed and ``out_dir`` is untouched.

    ``known`` names what a run writes: a folder holding anything else is refused (`check_target`).
    Raises `OutputError` when the folder cannot be made or swapped in.
    """
    out = Path(out_dir)
    check_target(out, known)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.new-"))
        os.chmod(tmp, 0o777 & ~umask())
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the folder ({exc.strerror or exc})") from None
    try:
        yield tmp
        check_target(out, known)  # still ours (nothing was put there while the run went on)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
            os.replace(out, old / "run")
        try:
            os.replace(tmp, out)
        except OSError:
            if old is not None:  # put the previous run back
                os.replace(old / "run", out)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the run ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
