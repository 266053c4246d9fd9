"""Coalition days, the sweep and the cache of ``coldchain share`` (issue 24), on hand-sized cases.

The tiny alliance: hub H, villages A and B of town T; company X has parcels at A, Y at B. Legs
(km = minutes, both ways): H-A 10, H-B 20, A-B 15, H-T 8, T-A 5, T-B 12. The pool van D1 costs
100 CNY a day, 1 CNY/km and 60 CNY/h (1 CNY per driving minute); service takes no time.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import build, order, parcels, site, truck

from coldchain.apps.share.allocate import build_games, share_costs
from coldchain.apps.share.cache import CoalitionResult, ResultCache, coalition_key
from coldchain.apps.share.coalitions import alliance, scenario_digest
from coldchain.apps.share.sweep import PlanSettings, coalition_keys, run_sweep
from coldchain.scenario.domain import Vehicle
from coldchain.verify import check_folder

LEGS = {("H", "A"): 10, ("H", "B"): 20, ("A", "B"): 15, ("H", "T"): 8, ("T", "A"): 5, ("T", "B"): 12}


def own_van(vid: str, owner: str, fixed: float) -> Vehicle:
    return truck(vid, fixed=fixed).model_copy(update={"owner": owner})


def tiny(vans=None, orders=(), x_kg: float = 10, y_kg: float = 10):
    return build(
        [site("A"), site("B")],
        LEGS,
        vans or [truck("D1")],
        orders=list(orders),
        parcel_lines=[parcels("A", x_kg, 5, company="X"), parcels("B", y_kg, 7, company="Y")],
    )


@pytest.mark.unit
def test_coalition_day_has_its_parcels_its_pickups_its_vans_and_the_pool():
    """Y owns VY; D1 is the alliance's (a hire pool). X alone: A's parcels, D1 only, and the order
    whose shipper is X; Y alone: B's parcels, VY and D1, no order; together: both, VY and D1.
    The co-op's order belongs to no member and is in no coalition's day."""
    s = tiny(
        [truck("D1"), own_van("VY", "Y", 50)],
        orders=[order("OX", "A", 5).model_copy(update={"shipper": "X"}), order("OC", "B", 5)],
    )
    a = alliance(s)
    assert a.members == ("X", "Y")
    x, y, xy = (a.sub_scenario(m) for m in (1, 2, 3))
    assert [p.site_id for p in x.parcels] == ["A"] and [v.vehicle_id for v in x.vehicles] == ["D1"]
    assert [o.order_id for o in x.orders] == ["OX"]
    assert [p.site_id for p in y.parcels] == ["B"] and sorted(v.vehicle_id for v in y.vehicles) == ["D1", "VY"]
    assert y.orders == ()
    assert sorted(v.vehicle_id for v in xy.vehicles) == ["D1", "VY"] and [o.order_id for o in xy.orders] == ["OX"]
    assert [o.order_id for o in a.unowned_orders()] == ["OC"]
    assert a.volumes() == {"X": (5, 10.0), "Y": (7, 10.0)}


@pytest.mark.unit
def test_town_baseline_sends_village_parcels_to_the_parent_town_except_for_the_alliance():
    """Today's mode: X's 5 parcels (10 kg) for village A go to its town T when X plans alone; the
    grand coalition (the alliance) still delivers to A and B."""
    a = alliance(tiny(), baseline="town")
    assert [(p.site_id, p.parcel_count, p.weight_kg) for p in a.sub_scenario(1).parcels] == [("T", 5, 10.0)]
    assert sorted(p.site_id for p in a.sub_scenario(3).parcels) == ["A", "B"]


@pytest.mark.unit
def test_members_need_vans_and_must_be_companies_of_the_day():
    """Without a pool van, a member with no van of its own cannot plan alone: a ValueError names it.
    An unknown member or a one-member game is refused too."""
    with pytest.raises(ValueError, match="X owns no vans"):
        alliance(tiny([own_van("VY", "Y", 50)]))
    with pytest.raises(ValueError, match="not a company"):
        alliance(tiny(), ["X", "Z"])
    with pytest.raises(ValueError, match="at least two"):
        alliance(tiny(), ["X"])


@pytest.mark.unit
def test_twins_share_a_key_only_when_no_capacity_can_bind():
    """X has 5 kg at A and 5 kg at B, Z 10 kg at A, Y 10 kg at B; one 1,000 kg van. {X}, {X, Z}
    and {X, Y} all serve A and B with that van and can never fill it: one plan (one key); {Y}
    serves B only: another. With 995 kg for Z, {X, Z} carries 1,005 kg > 1,000 kg and gets its
    own key. A changed plan setting changes every key."""

    def three(z_kg):
        s = build(
            [site("A"), site("B")],
            LEGS,
            [truck("D1")],
            parcel_lines=[
                parcels("A", 5, company="X"),
                parcels("B", 5, company="X"),
                parcels("A", z_kg, company="Z"),
                parcels("B", 10, company="Y"),
            ],
        )
        return alliance(s)

    a = three(10)
    assert a.members == ("X", "Z", "Y")
    x, z, y = 1, 2, 4
    keys = coalition_keys(a, [x, y, x | z, x | y], PlanSettings())
    assert keys[x] == keys[x | z] == keys[x | y]  # sites A and B, one van
    assert keys[x] != keys[y]  # Y alone: site B only
    heavy = coalition_keys(three(995), [x, x | z, x | y], PlanSettings())
    assert heavy[x] != heavy[x | z]
    assert heavy[x] == heavy[x | y]
    assert coalition_keys(a, [x], PlanSettings(time_limit_s=2))[x] != keys[x]


@pytest.mark.unit
def test_cache_round_trip_and_key(tmp_path):
    """A result put under a key comes back (renumbered to the asking mask) from a new connection;
    the key is a hash of the scenario digest, the options and the version."""
    path = tmp_path / "c.sqlite"
    cache = ResultCache(path)
    r = CoalitionResult(3, "optimal", 190.0, 190.0, 1, 45.0, 20.0, 0.5, 0)
    key = coalition_key(scenario_digest(tiny()), {"t": 1}, "0.1.0")
    cache.put(key, r)
    cache.close()
    again = ResultCache(path)
    assert again.get(key, 5) == CoalitionResult(5, "optimal", 190.0, 190.0, 1, 45.0, 20.0, 0.5, 0)
    assert again.get("nope", 1) is None
    assert key != coalition_key(scenario_digest(tiny()), {"t": 2}, "0.1.0")
    assert len(again) == 1


@pytest.mark.component
def test_joint_saving_by_hand(tmp_path):
    """Village baseline. X alone: H-A-H, 20 km and 20 min: 100 + 20 + 20 = 140. Y alone: H-B-H,
    40 km, 40 min: 180. Together one van H-A-B-H: 10 + 15 + 20 = 45 km, 45 min: 100 + 45 + 45 =
    190 (two vans would cost 320). Saving 320 - 190 = 130 CNY (40.6 %). Two members: Shapley =
    nucleolus = the standard solution, X pays 140/2 + (190 - 180)/2 = 75, Y 180/2 + (190 - 140)/2
    = 115; proportional to stand-alone: 190 * 140/320 = 83.125 and 106.875; all in the core.
    Every plan is proved and passes the independent checker."""
    a = alliance(tiny())
    dirs = {m: tmp_path / f"plan{m}" for m in (1, 2, 3)}
    cache = ResultCache(None)
    results, planned_as = run_sweep(a, [1, 2, 3], PlanSettings(time_limit_s=10), cache, workers=0, plan_dirs=dirs)
    for m in (1, 2, 3):
        assert results[m].proved
        assert check_folder(a.sub_scenario(m), dirs[m]) == []
        assert results[m].violations == 0
    assert [results[m].cost for m in (1, 2, 3)] == [pytest.approx(140), pytest.approx(180), pytest.approx(190)]
    assert results[3].trucks == 1 and results[3].km == pytest.approx(45)
    assert planned_as == {1: 1, 2: 2, 3: 3}
    upper = np.array([0.0] + [results[m].cost for m in (1, 2, 3)])
    lower = np.array([0.0] + [results[m].bound for m in (1, 2, 3)])
    game, interval, repaired = build_games(("X", "Y"), upper, lower)
    assert repaired == []
    sharing = share_costs(game, interval, np.array([5.0, 7]), np.array([10.0, 10]))
    assert sharing.shares["shapley"].value == pytest.approx([75, 115])
    assert sharing.shares["nucleolus"].value == pytest.approx([75, 115], abs=1e-6)
    assert sharing.shares["standalone"].value == pytest.approx([83.125, 106.875])
    assert sharing.shares["parcels"].value == pytest.approx([190 * 5 / 12, 190 * 7 / 12])
    assert all(s.in_core for s in sharing.shares.values())
    assert sharing.core_status == "non-empty"


@pytest.mark.component
def test_member_van_goes_with_its_owner(tmp_path):
    """Y owns VY (fixed 50 CNY). X alone may only hire D1: 140. Y alone drives VY: 50 + 40 + 40 =
    130. Together VY does H-A-B-H: 50 + 45 + 45 = 140. Saving 270 - 140 = 130; Shapley X pays
    140/2 + (140 - 130)/2 = 75, Y 130/2 + (140 - 140)/2 = 65."""
    a = alliance(tiny([truck("D1"), own_van("VY", "Y", 50)]))
    results, _ = run_sweep(a, [1, 2, 3], PlanSettings(time_limit_s=10), ResultCache(None), workers=0)
    assert [results[m].cost for m in (1, 2, 3)] == [pytest.approx(140), pytest.approx(130), pytest.approx(140)]
    upper = np.array([0.0] + [results[m].cost for m in (1, 2, 3)])
    game, interval, _ = build_games(("X", "Y"), upper, upper)
    sharing = share_costs(game, interval, np.array([5.0, 7]), np.array([10.0, 10]), ("shapley",))
    assert sharing.shares["shapley"].value == pytest.approx([75, 65])


@pytest.mark.component
def test_town_baseline_by_hand():
    """Today's mode: X and Y alone each drive H-T-H (16 km, 16 min): 100 + 16 + 16 = 132. The
    alliance serves the villages: 190 (as above). Saving 264 - 190 = 74; the closure leaves the
    grand coalition alone (132 + 132 is today's service, not the alliance's)."""
    a = alliance(tiny(), baseline="town")
    results, _ = run_sweep(a, [1, 2, 3], PlanSettings(time_limit_s=10), ResultCache(None), workers=0)
    assert [results[m].cost for m in (1, 2, 3)] == [pytest.approx(132), pytest.approx(132), pytest.approx(190)]
    upper = np.array([0.0] + [results[m].cost for m in (1, 2, 3)])
    game, _, _ = build_games(("X", "Y"), upper, upper, keep_grand=True)
    assert game(3) == pytest.approx(190)


@pytest.fixture(scope="module")
def scheduler_address():
    """A running Dask scheduler with one one-thread worker process, closed after the module."""
    import logging

    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
    )
    yield cluster.scheduler_address
    cluster.close()


@pytest.mark.integration
def test_sweep_on_a_running_scheduler_matches_the_serial_sweep(scheduler_address, tmp_path):
    """``--scheduler``: the tiny alliance with Y's own van planned on a running Dask scheduler costs
    what it costs in-process (140, 130, 140 CNY, as derived above); the results land in the SQLite
    cache, so a second sweep (in-process) plans nothing."""
    a = alliance(tiny([truck("D1"), own_van("VY", "Y", 50)]))
    cache = ResultCache(tmp_path / "c.sqlite")
    seen = []
    results, _ = run_sweep(
        a,
        [1, 2, 3],
        PlanSettings(time_limit_s=10),
        cache,
        scheduler=scheduler_address,
        on_result=lambda r, c: seen.append(c),
    )
    assert [results[m].cost for m in (1, 2, 3)] == [pytest.approx(140), pytest.approx(130), pytest.approx(140)]
    assert seen == [False, False, False] and len(cache) == 3
    seen.clear()
    again, _ = run_sweep(
        a, [1, 2, 3], PlanSettings(time_limit_s=10), cache, workers=0, on_result=lambda r, c: seen.append(c)
    )
    assert seen == [True, True, True]
    assert {m: r.cost for m, r in again.items()} == {m: r.cost for m, r in results.items()}
