"""The method registry (coldchain.planner.registry): names, what each applies to, what auto chooses."""

from __future__ import annotations

import subprocess
import sys

import pytest
from builders import build, order, parcels, site, truck

from coldchain.core.instance import build_instance
from coldchain.core.plan import PlanOptions
from coldchain.errors import UsageError
from coldchain.planner import registry
from coldchain.planner.plan import plan


def _paid_day():
    """One village 10 min from the hub, one truck whose driver is paid by the hour (builders'
    default 60 CNY/h): the route labels do not track paid waiting."""
    return build([site("A")], {("H", "A"): 10}, [truck("T1")], parcel_lines=[parcels("A", 100)])


@pytest.mark.unit
def test_an_unknown_method_is_a_usage_error_listing_every_choice():
    """`plan(..., method="bogus")` used to plan with the compact MILP silently; now it raises a
    `UsageError` (a `ValueError`) naming the six choices, before any work."""
    choices = "auto, compact, routes, search, pool, lines"
    with pytest.raises(UsageError, match=rf"unknown method 'bogus'; choose one of: {choices}"):
        plan(_paid_day(), PlanOptions(method="bogus"))
    with pytest.raises(ValueError):
        registry.check("Compact")
    assert registry.names() == ["auto", "compact", "routes", "search", "pool", "lines"]


@pytest.mark.unit
def test_auto_chooses_from_what_each_method_declares():
    """A paid-driver day of 1 stop: the route labels track paid time, so routes applies and auto
    takes it. A stop with 7 optional orders has 2**7 = 128 visit options, more than the labels
    enumerate (64): routes does not apply (its reason names the stop), so auto takes compact
    (1 <= 40 stops); the same rule check is `Method.applies`."""
    routes = registry.METHODS["routes"]
    paid = build_instance(_paid_day())
    assert routes.applies(paid) is None
    assert registry.choose(paid).name == "routes"
    many = build(
        [site("A")], {("H", "A"): 10}, [truck("T1")], [order(f"O{i}", "A", 10) for i in range(7)],
        [parcels("A", 100)],
    )  # fmt: skip
    inst = build_instance(many)
    assert "stop A has too many pickup orders" in routes.applies(inst)
    assert "too many pickup orders" in routes.suits(inst)
    assert registry.METHODS["compact"].suits(inst) is None
    assert registry.choose(inst).name == "compact"
    assert registry.METHODS["lines"].suits(inst) == "auto never chooses it"


@pytest.mark.unit
def test_auto_leaves_county_days_above_the_compact_size_to_the_search():
    """41 parcel stops with paid drivers: the route method applies (asked for, it plans them), but
    auto leaves a county day above ``COMPACT_MAX_STOPS`` to the search, naming why; the same day
    without hourly pay is a benchmark-style day, which routes takes up to ``ROUTES_MAX_STOPS``."""
    names = [f"S{i:02d}" for i in range(41)]
    legs = {("H", n): 10 for n in names}

    def day(per_h):
        return build(
            [site(n) for n in names], legs, [truck("T1", per_h=per_h)], parcel_lines=[parcels(n, 1) for n in names]
        )

    paid = build_instance(day(60))
    assert registry.METHODS["routes"].applies(paid) is None
    assert registry.METHODS["routes"].suits(paid) == "more than 40 stops and drivers are paid by the hour"
    assert registry.choose(paid).name == "search"
    assert registry.choose(build_instance(day(0))).name == "routes"


@pytest.mark.unit
def test_the_lines_method_without_lines_is_a_usage_error():
    """The lines method plans only the fixed lines it is given (`PlanOptions.lines`)."""
    s = build([site("A")], {("H", "A"): 10}, [truck("T1")], orders=[order("O1", "A", 50)])
    with pytest.raises(UsageError, match="needs the fixed lines"):
        plan(s, PlanOptions(method="lines"))


@pytest.mark.unit
def test_the_cli_help_lists_every_method_with_the_real_auto_threshold():
    """The --method help comes from the registry: every name, and auto's 200-stop limit (the old
    hand-written help said 60)."""
    text = registry.help_text()
    for name in registry.names():
        assert f"{name}: " in text
    assert f"up to {registry.ROUTES_MAX_STOPS} stops" in text and registry.ROUTES_MAX_STOPS == 200


@pytest.mark.integration
def test_the_registry_loads_no_engine():
    """Building the CLI's choices and help must not load the engines (Numba, Pyomo, HiGHS)."""
    code = (
        "import sys; import coldchain.planner.registry as r; r.help_text(); "
        "print(sorted(m for m in ('numba', 'pyomo', 'highspy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
