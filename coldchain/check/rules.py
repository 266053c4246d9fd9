"""The rule registry: each rule is one function with a stable name, ``family.rule``.

A rule function takes the `Context` and yields `Finding` records; `rule` registers it under its
name, and `run_rules` stamps every finding with that name. A rule that fails on tables it did
not expect reports ``check.rule_failed`` (so the plan is never passed), not a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from coldchain.check.context import Context
from coldchain.check.read import Row
from coldchain.check.violation import Finding, Violation

RuleFn = Callable[[Context], Iterable[Finding]]
RULES: dict[str, RuleFn] = {}


def rule(name: str) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under ``name`` (each name once)."""

    def register(fn: RuleFn) -> RuleFn:
        if name in RULES:
            raise ValueError(f"rule {name} registered twice")
        RULES[name] = fn
        fn.rule_name = name  # type: ignore[attr-defined]
        return fn

    return register


def at(row: Row, column: str | None, message: str) -> Finding:
    """A finding about one cell (or, with ``column=None``, one row)."""
    return Finding(message, row.file, row.line, column)


def run_rules(ctx: Context) -> Iterator[Violation]:
    """Every violation every registered rule finds, rule by rule."""
    for name, fn in RULES.items():
        try:
            for f in fn(ctx):
                yield Violation(name, f.message, f.file, f.line, f.column)
        except Exception as exc:  # a rule must never crash the checker, nor pass what it cannot judge
            yield Violation(
                "check.rule_failed", f"rule {name} could not judge the tables ({type(exc).__name__}: {exc})"
            )
