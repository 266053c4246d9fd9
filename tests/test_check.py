"""The checker's reader and runner (no solver): located messages, never an exception.

A heuristic plan of the tiny scenario (hub, T1, V1, V2; trucks R1 and D1) is written and read
back; the mutation suite (`test_check_mutations.py`) breaks the sample's solved plan rule by rule.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from coldchain.check import RULE_NAMES, check_folder, read_plan_folder
from coldchain.check.read import parse_number, unescape
from coldchain.check.rules import RULES
from coldchain.core.plan import PlanOptions
from coldchain.output.report import write_plan
from coldchain.planner.plan import plan
from coldchain.scenario.read import read_scenario


@pytest.fixture
def written(tiny_dir, tmp_path):
    s = read_scenario(tiny_dir)
    result = plan(s, PlanOptions(use_mip=False, heuristic_s=0.2))
    write_plan(result, tmp_path / "out", map_png=False)
    return s, tmp_path / "out"


def _set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set a cell of data row ``row`` (0 = the first row under the header)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    rows[row + 1][rows[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")


@pytest.mark.unit
def test_clean_plan_passes(written):
    """The planner's own tables break no rule."""
    s, out = written
    assert [str(v) for v in check_folder(s, out)] == []


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "value"),
    [("1.5", 1.5), (" -2 ", -2.0), ("3.0000", 3.0), ("1e3", 1000.0), (".5", 0.5)]
    + [(bad, None) for bad in ("", "nan", "inf", "-Infinity", "1e309", "1_000", "1,5", "twelve", "0x10")],
)
def test_numbers_are_finite_decimals(text, value):
    """Only a plain finite decimal is a number: nan, inf, 1e309 (overflows to inf), 1_000 (Python
    would read 1000), 1,5 and words are not."""
    assert parse_number(text) == value


@pytest.mark.unit
def test_formula_escape_is_undone():
    """A cell a writer escaped against formula injection reads as the text itself."""
    assert unescape("'=HYPERLINK(1)") == "=HYPERLINK(1)"
    assert unescape("'-5") == "-5"
    assert unescape("'quoted") == "'quoted"  # not an escape: left as it is
    assert parse_number("'-5.5") == -5.5


@pytest.mark.unit
def test_a_bad_cell_is_located_once(written):
    """Text for km in the second row of routes.csv (spreadsheet line 3): one read.not_a_number at
    routes.csv:3:km_from_prev, and no rule reports that cell again."""
    s, out = written
    _set_cell(out / "routes.csv", 1, "km_from_prev", "far")
    found = check_folder(s, out)
    assert [str(v) for v in found] == [
        "read.not_a_number: routes.csv:3:km_from_prev: expected a finite number, got 'far'"
    ]


@pytest.mark.unit
def test_a_formula_escaped_name_still_matches(tiny_dir, tmp_path):
    """A shipper named '=1+1', written escaped as ''=1+1' (OWASP), is the scenario's shipper."""
    s = read_scenario(tiny_dir)
    s = s.replace(orders=tuple(o.model_copy(update={"shipper": "=1+1"}) for o in s.orders))
    write_plan(plan(s, PlanOptions(use_mip=False, heuristic_s=0.2)), tmp_path / "out", map_png=False)
    for row in range(len(s.orders)):
        _set_cell(tmp_path / "out" / "orders.csv", row, "shipper", "'=1+1")
    assert [str(v) for v in check_folder(s, tmp_path / "out")] == []


@pytest.mark.unit
def test_no_folder_is_a_violation_not_an_exception(written, tmp_path):
    """A plan folder that does not exist: one read.missing_file."""
    s, _ = written
    assert [v.rule for v in check_folder(s, tmp_path / "nope")] == ["read.missing_file"]


@pytest.mark.unit
def test_a_failing_rule_is_reported_not_raised(written, monkeypatch):
    """A rule that raises on tables it did not expect gives check.rule_failed (the plan fails)."""
    s, out = written

    def broken(ctx):
        raise KeyError("x")

    monkeypatch.setitem(RULES, "loads.capacity", broken)
    found = check_folder(s, out)
    assert [v.rule for v in found] == ["check.rule_failed"]
    assert "loads.capacity" in found[0].message


@pytest.mark.unit
def test_rule_names_are_stable_and_unique():
    """Every rule is named family.rule, once; the reader's rules come first."""
    assert len(RULE_NAMES) == len(set(RULE_NAMES))
    assert all(name.count(".") == 1 for name in RULE_NAMES)
    assert RULE_NAMES[0] == "read.missing_file"


@pytest.mark.unit
def test_a_second_reader_feeds_the_same_rules(written):
    """The rules judge a `WrittenPlan`, not files: dropping a row from the one read gives the rule."""
    from coldchain.check import check_plan

    s, out = written
    p = read_plan_folder(out)
    p.deliveries = p.deliveries[1:]
    assert {v.rule for v in check_plan(s, p)} == {"deliveries.rows"}


@pytest.mark.unit
def test_checker_imports_no_model_solver_or_planner(written):
    """The checker is independent: reading a scenario and checking a plan loads no Pyomo, HiGHS,
    Numba, nor any planning module of coldchain."""
    _, out = written
    code = (
        "import sys\n"
        "from coldchain.check import check_folder\n"
        "from coldchain.scenario.read import read_scenario\n"
        f"assert check_folder(read_scenario({str(out.parent / 'tiny')!r}), {str(out)!r}) == []\n"
        "bad = ('pyomo', 'highspy', 'numba', 'coldchain.planner', 'coldchain.core', 'coldchain.search',\n"
        "       'coldchain.colgen', 'coldchain.setpart', 'coldchain.model', 'coldchain.output')\n"
        "loaded = [m for m in sys.modules if m.startswith(bad)]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
