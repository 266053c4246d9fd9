"""Building the model without a solver: sizes derived by hand, and every component documented."""

from __future__ import annotations

import inspect
import re

import pyomo.environ as pyo
import pytest
from builders import build, order, parcels, product, site, truck

import coldchain.model as model_pkg
from coldchain.core.instance import build_instance
from coldchain.model import (
    build_model,
    capacity,
    cuts,
    freshness,
    objective,
    params,
    pickups,
    routing,
    sets,
    temperature,
    timing,
    variables,
)

LEGS = {("H", "A"): 10, ("H", "B"): 10, ("A", "B"): 5}


def _two_towns():
    return build(
        [site("A", "town"), site("B", "town")],
        LEGS,
        [truck("D1"), truck("D2")],
        parcel_lines=[parcels("A", 100), parcels("B", 100)],
    )


@pytest.mark.unit
def test_variable_counts_two_stops():
    """Two parcel stops, one type: 6 arcs (H->A, H->B, A->B, B->A, A->H, B->H); 2 service starts,
    2 hub returns, 2 departures, 2 returns; parcels on the 4 links not into H, produce on the 4
    links not out of H; no orders, so no y, w or reefer flow: 22 variables."""
    m = build_model(build_instance(_two_towns()))
    counts = {v.name: len(v) for v in m.component_objects(pyo.Var)}
    assert counts == {
        "uses_arc": 6,
        "service_start_min": 2,
        "hub_return_min": 2,
        "departure_min": 2,
        "return_min": 2,
        "serves_order": 0,
        "in_reefer": 0,
        "parcel_load_kg": 4,
        "pickup_load_kg": 4,
        "reefer_load_kg": 0,
        "misses_stop": 0,
    }
    assert m.nvariables() == 22


@pytest.mark.unit
def test_constraint_counts_two_stops():
    """Windows 06:00-20:00, shift 07:00-19:00: the shift-start and shift-end big-Ms are 0, so those
    rows are not built; the A<->B time rows are (M = 1130 + 5 - 430 = 705). Fleet 2 >= 2 arcs
    out of H, so no fleet row. No orders: no freshness or cold rows; loads too small for cuts.
    2 visits + 2 continuity + 2 time + 5 x 2 driver-time rows + 1 paid-time row + 2 + 2 flow
    balances + 6 payload + 4 parcels-for-next-stop = 31."""
    m = build_model(build_instance(_two_towns()))
    counts = {c.name: len(c) for c in m.component_objects(pyo.Constraint) if len(c)}
    assert counts == {
        "visit_parcel_stop": 2,
        "route_continuity": 2,
        "arrival_after_predecessor": 2,
        "departure_before_first_stop": 2,
        "departure_only_if_used": 2,
        "return_after_last_stop": 2,
        "departure_within_shift": 2,
        "return_within_shift": 2,
        "paid_time_covers_driving": 1,
        "parcel_flow": 2,
        "pickup_flow": 2,
        "payload": 6,
        "parcels_for_next_stop": 4,
    }
    assert m.nconstraints() == 31


@pytest.mark.unit
def test_objective_coefficients():
    """Arc H->A of the one type costs 1 CNY/km x 10 km; leaving the hub costs the 100 CNY fixed."""
    m = build_model(build_instance(_two_towns()))
    a = build_instance(_two_towns()).nodes.index("A")
    from pyomo.repn import generate_standard_repn

    repn = generate_standard_repn(m.total_cost.expr)
    coef = {v.name: c for v, c in zip(repn.linear_vars, repn.linear_coefs)}
    assert coef[m.uses_arc[0, 0, a].name] == pytest.approx(100 + 10)
    assert coef[m.uses_arc[0, a, 0].name] == pytest.approx(10)


@pytest.mark.unit
def test_chilled_and_deadline_rows_appear():
    """A chilled order with a 3 h window adds y, w, a reefer flow, freshness and cold rows."""
    s = build(
        [site("A"), site("B", "town")],
        LEGS,
        [truck("R", dry=0, reefer=800)],
        orders=[order("O", "A", 50, product="chill")],
        parcel_lines=[parcels("B", 100)],
        products=[product("chill", chilled=True, window_h=3, out_of_cold_h=0.5)],
    )
    m = build_model(build_instance(s))
    assert len(m.serves_order) == 1 and len(m.in_reefer) == 1 and len(m.reefer_load_kg) > 0
    assert len(m.reach_cold_store_in_time) == 1
    assert len(m.out_of_cold_limit) == 1
    assert len(m.reefer_flow) == 2


def _documented_names() -> str:
    mods = [
        model_pkg,
        sets,
        params,
        variables,
        routing,
        pickups,
        timing,
        capacity,
        freshness,
        temperature,
        objective,
        cuts,
    ]
    text = []
    for mod in mods:
        text.append(mod.__doc__ or "")
        for _, fn in inspect.getmembers(mod, inspect.isfunction):
            text.append(fn.__doc__ or "")
    return "\n".join(text)


@pytest.mark.unit
def test_every_component_is_documented():
    """Every set, parameter, variable, constraint and expression is named in a docstring (the
    symbol table or its family's math), so the model can be read without the code."""
    s = build(
        [site("A"), site("B", "town")],
        LEGS,
        [truck("R", dry=0, reefer=800), truck("D")],
        orders=[order("O", "A", 50, product="chill"), order("P", "A", 900)],
        parcel_lines=[parcels("B", 700)],
        products=[product("chill", chilled=True, window_h=3, out_of_cold_h=0.5)],
    )
    m = build_model(build_instance(s), elastic=True)
    doc = _documented_names()
    kinds = (pyo.Set, pyo.Param, pyo.Var, pyo.Constraint, pyo.Expression, pyo.Objective)
    names = {c.local_name for kind in kinds for c in m.component_objects(kind, descend_into=False)}
    names = {n for n in names if not n.endswith("_index") and not n.startswith("_")}
    missing = sorted(n for n in names if not re.search(rf"``{n}(``|\[)", doc))
    assert missing == []
