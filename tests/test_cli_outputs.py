"""The command line for people and programs: progress when redirected, full ids, nothing from the
solver on stdout, plan.json through check, --version, one Error line and "did you mean"."""

from __future__ import annotations

import io
import json
import re
import shutil

import jsonschema
import pytest
from typer.testing import CliRunner

from coldchain.cli import app
from coldchain.core.outcome import Progress
from coldchain.output.planjson import schema
from coldchain.output.progress import ProgressDisplay, progress_line

runner = CliRunner()


@pytest.mark.integration
def test_piped_plan_shows_progress_lines_and_nothing_from_the_solver(planned_sample):
    """Redirected (no terminal): a plain progress line at the start, every 5 s and at the end of the
    run (the route method proves the sample in seconds: then the start and the end only), naming
    phase, best plan, bound, gap and time left; stdout starts with the overview and has no HiGHS
    banner; the van sheets are in plan.txt, not on stdout."""
    out, run = planned_sample
    assert run.exit_code == 0, run.output
    lines = [x for x in run.stderr.splitlines() if x.startswith("progress")]
    ended = float(re.match(r"progress\s+([\d.]+) s", lines[-1]).group(1))
    assert len(lines) >= 2 + int(ended // 5), run.stderr
    assert all(re.search(r"phase .+ best .+ bound .+ gap .+ s left$", x) for x in lines)
    assert "phase done" in lines[-1] and re.search(r"best [\d,]+ CNY", lines[-1])
    assert "HiGHS" not in run.stdout and "Running" not in run.stdout
    assert run.stdout.startswith("Plan for lingshan-2026-06-15 (2026-06-15): ")
    assert "Van R1" not in run.stdout and "Van R1" in (out / "plan.txt").read_text(encoding="utf-8")


@pytest.mark.integration
def test_text_prints_full_ids_and_plain_numbers(planned_sample):
    """At any width, ids are whole (V_XX_B, never V_XX_… or a folded id); kg and km with one
    decimal, CNY whole; stop_seq is an integer in every CSV."""
    out, run = planned_sample
    text = (out / "plan.txt").read_text(encoding="utf-8")
    for sid in ("V_XX_A", "V_XX_B", "V_FZ_B", "T_NALONG", "V_NL_A"):
        assert sid in text, sid
    assert "…" not in text and "…" not in run.stdout
    assert re.search(r"\b\d[\d,]*\.\d kg\b", text) and re.search(r"\b\d[\d,]*\.\d km\b", text)
    assert not re.search(r"\d\.\d+ CNY", text)
    assert "Cold-store arrivals by hour" in run.stdout and "Unserved orders (" in run.stdout
    for name in ("routes.csv", "orders.csv", "deliveries.csv"):
        head, *rows = (out / name).read_text(encoding="utf-8-sig").splitlines()
        col = head.split(",").index("stop_seq")
        seqs = [r.split(",")[col] for r in rows if "," in r and '"' not in r]
        assert all(re.fullmatch(r"\d*", x) for x in seqs), (name, seqs[:5])


@pytest.mark.integration
def test_plan_json_of_the_run_validates_and_checks(planned_sample, sample_dir, tmp_path):
    """The run's plan.json follows the shipped schema, and `check` accepts it given as a file or as
    the only file of a folder (exit 0); routes.geojson follows its schema; routes.html is written."""
    out, _ = planned_sample
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema("plan"))
    jsonschema.validate(json.loads((out / "routes.geojson").read_text(encoding="utf-8")), schema("routes"))
    assert (out / "routes.html").stat().st_size > 100_000
    ok = runner.invoke(app, ["check", str(sample_dir), str(out / "plan.json")])
    assert ok.exit_code == 0, ok.output
    only = tmp_path / "json"
    only.mkdir()
    shutil.copy(out / "plan.json", only / "plan.json")
    assert runner.invoke(app, ["check", str(sample_dir), str(only)]).exit_code == 0
    assert {u["id"]: u["code"] for u in doc["unassigned"]}["MK-008"] == "deadline"


@pytest.mark.integration
def test_version():
    """--version prints the installed version on one line and exits 0."""
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"coldchain \S+\n", result.stdout)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["plan", "inputs", "--out", "x", "--method", "rout"], "Error: unknown method 'rout' (did you mean 'routes'?)"),
        (["plna"], "Error: No such command 'plna'. Did you mean 'plan'?; see 'root --help'"),
        (["validate", "--frobnicate"], "Error: No such option: --frobnicate; see 'root validate --help'"),
        (["plan"], "Error: Missing argument 'scenario'; see 'root plan --help'"),
        (["generate", "g", "--day", "peek"], "Error: unknown day 'peek' (did you mean 'peak'?)"),
    ],
)
def test_usage_errors_are_one_error_line_exit_2(args, line):
    """Every usage error: exactly one line on stderr, starting as shown, exit 2 (no box)."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(line), result.stderr


@pytest.mark.integration
def test_mistyped_column_gets_a_suggestion(tiny_dir):
    """orders.csv with `quantity` for `quantity_kg`: the unknown column names the missing one."""
    path = tiny_dir / "orders.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("quantity_kg", "quantity", 1), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tiny_dir)])
    assert result.exit_code == 1
    assert "orders.csv:1:quantity: unknown column (did you mean 'quantity_kg'?)" in result.stderr


@pytest.mark.unit
def test_progress_line_and_plain_display():
    """The line names phase, best, bound, gap and time left; the plain display writes one at once
    and one at close (interval longer than the test), with the last report's figures."""
    p = Progress(10372.4, 6700.0, 0.354, 25.0, "search")
    assert progress_line(25.0, p, 60, "search") == (
        "progress  25.0 s  phase search  best 10,372 CNY  bound 6,700 CNY  gap 35.4 %  35 s left"
    )
    buf = io.StringIO()
    d = ProgressDisplay(time_limit=60, stream=buf, interval=30, live=False)
    d(p)
    d.close()
    first, last = buf.getvalue().splitlines()
    assert "phase preparing  best -" in first and "phase done  best 10,372 CNY  bound 6,700 CNY" in last
