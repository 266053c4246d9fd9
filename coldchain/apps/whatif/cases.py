"""One case of a study: plan one day's scenario (an option applied) and keep what the report needs.

A case is identified by the SHA-256 of the canonical JSON (sorted keys, no spaces) of what
decides its result: the whole day scenario after the option is applied, the solve settings, the
coldchain version and a fingerprint of the planner's code (``planner_fingerprint``: its source
files, so a changed planner never reuses a stored result; a worker running other code refuses
the case). Two options that leave a day unchanged (a sweep's 0, a cold room, which
only caps the intake afterwards) therefore share one solve, and a case never has to be solved
again once its result is stored.

``run_case`` is what a worker runs: a pure function of a small dict (the scenario as JSON), so
it can go to another process or machine. It plans the day through the library facade with one
solver thread, writes the plan to a temporary folder and runs the independent checker on it,
and returns plain numbers: the plan's cost and lower bound, its KPIs, the kg and value of every
order it brings in (for the intake cap), and the checker's findings.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import socket
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import coldchain
from coldchain import Scenario

KPI_KEYS = (
    "status",
    "objective_cny",
    "best_bound_cny",
    "gap",
    "trucks_used",
    "km",
    "cost_fixed_cny",
    "cost_distance_cny",
    "cost_driver_cny",
    "value_lost_cny",
    "total_cost_cny",
    "orders_served",
    "orders_unserved",
    "kg_to_cold_store",
    "kg_left_unserved",
)


@dataclass(frozen=True)
class SolveSettings:
    """How each day is planned (part of every case's identity)."""

    time_limit_s: float = 30.0
    mip_gap: float = 0.0
    method: str = "auto"
    seed: int = 0


def canonical_json(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@functools.cache
def planner_fingerprint() -> str:
    """SHA-256 (16 hex digits) of the source of every module that plans or checks a day: the
    coldchain package less the command line and the applications, plus this module."""
    root = Path(coldchain.__file__).parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel == "cli.py" or (rel.startswith("apps/") and rel != "apps/whatif/cases.py"):
            continue
        h.update(rel.encode("utf-8") + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _solve_dict(settings: SolveSettings) -> dict:
    """The settings with numbers as floats, so that 10 and 10.0 give the same case id."""
    d = asdict(settings)
    d["time_limit_s"], d["mip_gap"], d["seed"] = float(d["time_limit_s"]), float(d["mip_gap"]), int(d["seed"])
    return d


def case_payload(scenario: Scenario, settings: SolveSettings) -> dict:
    """The worker's input: the day scenario as JSON and the solve settings."""
    # None fields are left out: they are the defaults, and a product's None window does not validate
    return {
        "scenario": scenario.model_dump(mode="json", exclude_none=True),
        "solve": _solve_dict(settings),
        "coldchain": coldchain.__version__,
        "planner": planner_fingerprint(),
    }


def case_id(payload: dict) -> str:
    """SHA-256 of the canonical JSON of the payload (scenario, settings, coldchain version)."""
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def run_case(payload: dict) -> dict:
    """Plan one case and return its figures (see the module docstring). Never raises for an
    infeasible day: that is a status."""
    if payload.get("planner") != planner_fingerprint():
        raise RuntimeError(
            f"this worker runs other coldchain code (planner {planner_fingerprint()}, the study's "
            f"{payload.get('planner')}): install the same coldchain on every worker"
        )
    scenario = Scenario.model_validate(payload["scenario"])
    st = SolveSettings(**payload["solve"])
    options = coldchain.PlanOptions(
        solve=coldchain.SolveOptions(time_limit_s=st.time_limit_s, mip_gap=st.mip_gap, threads=1),
        method=st.method,
        seed=st.seed,
    )
    t0 = time.perf_counter()
    plan = coldchain.plan_day(scenario, options)
    wall = time.perf_counter() - t0
    k = coldchain.kpis(plan)
    violations: list[str] = []
    if plan.has_routes:
        with tempfile.TemporaryDirectory(prefix="coldchain-whatif-") as tmp:
            coldchain.write_plan(plan, tmp, map_png=False)
            violations = [str(v) for v in coldchain.check_folder(scenario, tmp)]
    orders = plan.instance.orders
    served = [[o.kg, o.value_cny] for o in orders if o.index not in plan.unserved]
    reefer_kg = sum(orders[o].kg for r in plan.routes if r.seq and r.ev for o, cold in r.ev.in_reefer.items() if cold)
    return {
        "case_id": case_id(payload),
        **{key: k[key] for key in KPI_KEYS},
        "has_routes": plan.has_routes,
        "kg_in_reefer": round(reefer_kg, 1),
        "served": served,
        "violations": violations,
        "notes": list(plan.notes),
        "solve_s": round(wall, 2),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
