"""'Did you mean ...?' for a mistyped name (a method, preset, column), by difflib's similarity
ratio :math:`2M/T` (matched characters over total), at least 0.6, or a unique prefix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` most likely meant (None if nothing is close)."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    starts = [c for c in choices if c.lower().startswith(word.lower())] if word else []
    if len(starts) == 1:
        return starts[0]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'routes'?)"`` for a close choice, else ``""`` (to append to a message)."""
    best = closest(word, choices)
    return f" (did you mean {best!r}?)" if best is not None and best != word else ""
