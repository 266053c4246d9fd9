"""What-if inputs: the options file, applying an option to a Scenario, the season and its
representative days (no solver)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from coldchain import InputError, read_scenario
from coldchain.apps.whatif.apply import apply_option, intake_cap
from coldchain.apps.whatif.options import AddTrucks, ColdRoom, Precool, Retrofit, read_options
from coldchain.apps.whatif.season import (
    Day,
    estimate_error,
    feature_matrix,
    pick_days,
    read_season,
    scale_day,
)

pytestmark = pytest.mark.unit

DATA = Path(__file__).parent / "data"
HEADER = (
    "option,action,like,count,vehicles,payload_loss_kg,extra_cny_per_km,sites,precooled_window_h,"
    "intake_kg,combine,capital_cny,lifetime_y,yearly_cost_cny,subsidy_share,subsidy_cap_cny\n"
)


@pytest.fixture(scope="module")
def tiny():
    return read_scenario(DATA / "tiny")


def _write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    p = tmp_path / "options.csv"
    p.write_text(header + body, encoding="utf-8")
    return p


def test_options_sweep_combine_and_baseline(tmp_path, tiny):
    """A row sweeping count 0..2 stands for three options; a combination adds the parts'
    investments; the baseline comes first and is added when the file has none."""
    p = _write(
        tmp_path,
        "reefer,add_trucks,R1,0..2,,,,,,,,190000,8,8000,0.3,35000\n"
        "retro,retrofit,,,D1,300,0.4,,,,,60000,6,2000,,\n"
        "pre,precool,,,,,,V2,72,,,80000,10,3000,0.3,\n"
        "both,combine,,,,,,,,,reefer_1 + pre,,,,,\n",
    )
    opts = read_options(p, tiny)
    names = [o.name for o in opts]
    assert names == ["baseline", "reefer_0", "reefer_1", "reefer_2", "retro", "pre", "both"]
    assert opts[0].is_baseline
    r2 = opts[3]
    assert r2.changes == (AddTrucks("R1", 2),)
    # two trucks: capital 380,000, each subsidised min(0.3*190,000, 35,000) = 35,000
    assert r2.investments[0].capital_cny == 380_000 and r2.investments[0].net_cny == 310_000
    assert opts[4].changes == (Retrofit(("D1",), 300, 0.4),)
    both = opts[6]
    assert both.changes == (AddTrucks("R1", 1), Precool(("V2",), 72))
    assert [i.capital_cny for i in both.investments] == [190_000, 80_000]


def test_options_errors_are_placed(tmp_path, tiny):
    """Each problem names file:line:column: an unknown vehicle, a share above 1, two sweeps in
    one row, an unknown action, and a combination of an unknown option."""
    p = _write(
        tmp_path,
        "a,add_trucks,X9,1,,,,,,,,1,1,,,\n"
        "b,add_trucks,R1,1,,,,,,,,1,1,,1.5,\n"
        "c,add_trucks,R1,0..2,,,,,,,,1..3,1,,,\n"
        "d,buy,,,,,,,,,,,,,,\n"
        "e,combine,,,,,,,,,a + zz,,,,,\n",
    )
    with pytest.raises(InputError) as exc:
        read_options(p, tiny)
    text = [str(x) for x in exc.value.problems]
    assert text[0].startswith("options.csv:2:like: no such vehicle") and "(got X9)" in text[0]
    assert text[1].startswith("options.csv:3:subsidy_share: must be between 0 and 1")
    assert text[2].startswith("options.csv:4:capital_cny: only one column of a row may sweep")
    assert text[3].startswith("options.csv:5:action: must be one of")
    assert text[4].startswith("options.csv:6:combine: unknown option(s): a, zz")


def test_options_named_twice(tmp_path, tiny):
    """Two combinations with one name, and a sweep that makes a name another row has."""
    p = _write(
        tmp_path,
        "r,add_trucks,R1,0..1,,,,,,,,,,,,\nr_1,add_trucks,R1,2,,,,,,,,,,,,\n"
        "c,combine,,,,,,,,,r_0 + r_1,,,,,\nc,combine,,,,,,,,,r_0 + r_1,,,,,\n",
    )
    with pytest.raises(InputError) as exc:
        read_options(p, tiny)
    assert [str(x)[:32] for x in exc.value.problems] == [
        "options.csv:3:option: the option",
        "options.csv:5:option: the option",
    ]


def test_options_unknown_column_and_missing_value(tmp_path, tiny):
    p = _write(tmp_path, "x,retrofit,,,,,\n", header="option,action,like,count,vehicles,colour,intake_kg\n")
    with pytest.raises(InputError) as exc:
        read_options(p, tiny)
    assert str(exc.value.problems[0]).startswith("options.csv:1:colour: unknown column")


def test_baseline_intake_limit_applies_to_options_without_a_room(tmp_path, tiny):
    """The current store takes 500 kg a day (baseline row); an option without a room keeps that
    limit, a cold_room option replaces it."""
    p = _write(
        tmp_path, "now,none,,,,,,,,500,,,,,,\nr,add_trucks,R1,1,,,,,,,,,,,,\nbig,cold_room,,,,,,,,2000,,400000,20,,,\n"
    )
    opts = read_options(p, tiny)
    assert [o.name for o in opts] == ["now", "r", "big"]
    assert [o.intake_kg for o in opts] == [500, 500, 2000]
    assert opts[2].changes == (ColdRoom(2000),)


def test_apply_add_retrofit_precool(tiny):
    """Adding copies R1 twice (R1+1, R1+2); retrofitting D1 (1,500 kg dry) with a 300 kg loss
    gives 0 dry and 1,200 kg reefer at 1.0 + 0.4 CNY/km; pre-cooling V2 flags the site and gives
    fresh fish (no window of its own) 10 h. The input scenario is unchanged (pure)."""
    from coldchain.apps.whatif.options import Option

    opt = Option("x", (AddTrucks("R1", 2), Retrofit(("D1",), 300, 0.4), Precool(("V2",), 10)))
    s = apply_option(tiny, opt)
    v = {x.vehicle_id: x for x in s.vehicles}
    assert list(v) == ["R1", "D1", "R1+1", "R1+2"]
    assert v["R1+2"].reefer_capacity_kg == 1200 and v["R1+2"].fixed_cost_cny_per_day == 170
    assert (v["D1"].dry_capacity_kg, v["D1"].reefer_capacity_kg) == (0, 1200)
    assert v["D1"].cost_cny_per_km == pytest.approx(1.4)
    assert {x.site_id for x in s.sites if x.has_precooling} == {"V1", "V2"}
    prods = {p.product_id: p for p in s.products}
    assert prods["fresh_fish"].precooled_window_h == 10
    assert prods["litchi"].precooled_window_h == 72  # its own window is kept
    assert len(tiny.vehicles) == 2 and not any(x.has_precooling for x in tiny.sites if x.site_id == "V2")


def test_intake_cap_refuses_cheapest_first():
    """Served 600 kg worth 3,600 (6/kg) and 400 kg worth 4,000 (10/kg), limit 700 kg: 300 kg of
    the 6/kg order are refused, 1,800 CNY; no limit or enough room refuses nothing."""
    served = [(400.0, 4000.0), (600.0, 3600.0)]
    assert intake_cap(served, 700) == pytest.approx((300, 1800))
    assert intake_cap(served, None) == (0, 0)
    assert intake_cap(served, 1000) == (0, 0)


def test_scale_day_splits_orders_and_moves_dates(tiny):
    """Scaling litchi by 2.5 on 2026-06-20 (five days later): O1 400 kg becomes 400 + 400 + 200
    (ids O1, O1~2, O1~3) ready five days later; fish (factor 1) stays 100 kg; parcels x 0.5:
    40 -> 20 parcels, 60.5 -> 30.2 kg."""
    s = scale_day(tiny, date(2026, 6, 20), {"litchi*": 2.5}, parcels=0.5)
    o = {x.order_id: x for x in s.orders}
    assert [o[k].quantity_kg for k in ("O1", "O1~2", "O1~3")] == [400, 400, 200]
    assert o["O1~3"].ready_at.isoformat() == "2026-06-19T19:00:00"
    assert o["O3"].quantity_kg == 100
    assert s.settings.date == date(2026, 6, 20)
    assert (s.parcels[0].parcel_count, s.parcels[0].weight_kg) == (20, 30.2)
    assert sum(x.quantity_kg for x in scale_day(tiny, date(2026, 6, 15), {"litchi": 0}).orders) == 100


def test_profile_errors_are_placed(tmp_path, tiny):
    p = tmp_path / "season.csv"
    p.write_text("date,parcels,mango\n2026-06-01,1,1\n2026-13-01,x,1\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_season(p, tiny)
    text = [str(x) for x in exc.value.problems]
    assert text[0].startswith("season.csv:1:mango: matches no product")
    assert text[1].startswith("season.csv:3:date: expected a date")


def _days(tiny, litchi: list[float]) -> list[Day]:
    return [
        Day(f"2026-06-{10 + i:02d}", scale_day(tiny, date(2026, 6, 10 + i), {"litchi": f}))
        for i, f in enumerate(litchi)
    ]


def test_kmedoids_two_clusters_by_hand(tiny):
    """Litchi factors 0.1, 0.2, 0.3 and 1.9, 2.0, 2.1 (two seasons' moods): with k = 2 and no
    peak day kept, the medoids are the middle days 2026-06-11 and 2026-06-14, 3 days each; the
    weighted estimate of any per-day figure linear in the factor is then exact (0.2*3 + 2.0*3 =
    6.6 = the sum of the six factors)."""
    factors = [0.1, 0.2, 0.3, 1.9, 2.0, 2.1]
    days = _days(tiny, factors)
    reps = pick_days(days, 2, keep_peak=False)
    assert [(r.label, r.weight) for r in reps] == [("2026-06-11", 3), ("2026-06-14", 3)]
    per_day = {d.label: f for d, f in zip(days, factors)}
    est, exact, err = estimate_error(per_day, reps)
    assert est == pytest.approx(6.6) and exact == pytest.approx(6.6) and err == pytest.approx(0, abs=1e-12)


def test_peak_day_kept_with_weight_one(tiny):
    """k = 3 with the peak kept: the day of factor 2.1 (most kg) is a medoid of weight 1 and the
    other five days share the remaining two medoids; weights add up to the six days."""
    days = _days(tiny, [0.1, 0.2, 0.3, 1.9, 2.0, 2.1])
    reps = pick_days(days, 3)
    assert ("2026-06-15", 1) in [(r.label, r.weight) for r in reps]
    assert sum(r.weight for r in reps) == 6
    assert len(pick_days(days, None)) == 6 and all(r.weight == 1 for r in pick_days(days, 10))


def test_features_are_standardised(tiny):
    x = feature_matrix(_days(tiny, [0.5, 1.0, 1.5]))
    assert np.allclose(x.mean(axis=0), 0) and np.allclose(x.std(axis=0), 1)


def test_case_id_ignores_int_or_float_settings_and_option_names(tiny):
    """The case id hashes the day scenario and the settings: 10 s and 10.0 s are one case, a
    different limit or a changed fleet is another."""
    from coldchain.apps.whatif.cases import SolveSettings, case_id, case_payload
    from coldchain.apps.whatif.options import Option

    a = case_id(case_payload(tiny, SolveSettings(time_limit_s=10)))
    assert a == case_id(case_payload(tiny, SolveSettings(time_limit_s=10.0)))
    assert a != case_id(case_payload(tiny, SolveSettings(time_limit_s=11)))
    more = apply_option(tiny, Option("x", (AddTrucks("R1", 1),)))
    assert a != case_id(case_payload(more, SolveSettings(time_limit_s=10)))
    assert a == case_id(case_payload(apply_option(tiny, Option("y", (AddTrucks("R1", 0),))), SolveSettings(10)))


def test_a_worker_with_other_code_refuses_the_case(tiny):
    """A payload made by another planner (fingerprint) is refused, not solved with this code."""
    from coldchain.apps.whatif.cases import SolveSettings, case_payload, planner_fingerprint, run_case

    payload = case_payload(tiny, SolveSettings(5))
    assert payload["planner"] == planner_fingerprint() and len(planner_fingerprint()) == 16
    with pytest.raises(RuntimeError, match="other coldchain code"):
        run_case({**payload, "planner": "0" * 16})


def test_season_folder_of_day_scenarios(tmp_path, tiny):
    """A folder with one scenario folder per day: the days are its subfolders in name order; a
    problem in one day's files is reported with that day's folder in front."""
    import shutil

    for name in ("2026-06-16", "2026-06-15"):
        shutil.copytree(DATA / "tiny", tmp_path / "season" / name)
    (tmp_path / "season" / "notes").mkdir()  # no scenario.toml: not a day
    days = read_season(tmp_path / "season", tiny)
    assert [d.label for d in days] == ["2026-06-15", "2026-06-16"]
    assert days[0].scenario.vehicles == tiny.vehicles
    orders = tmp_path / "season" / "2026-06-16" / "orders.csv"
    orders.write_text(orders.read_text(encoding="utf-8").replace(",400,", ",-4,"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_season(tmp_path / "season", tiny)
    assert str(exc.value.problems[0]).startswith("2026-06-16/orders.csv:2:quantity_kg: must be greater than 0")
