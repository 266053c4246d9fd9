"""What-if studies end to end on hand-derivable days: the reefer saving, resume, and Dask.

Every case a study solves goes through the independent checker inside ``cases.run_case``; the
tests assert that it found nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from builders import build, order, parcels, product, site, truck

from coldchain.apps.whatif import study as st
from coldchain.apps.whatif.cases import SolveSettings
from coldchain.apps.whatif.store import ResultStore
from coldchain.apps.whatif.sweep import dask_client, run_case_text, run_sweep

OPTIONS = (
    "option,action,like,count,dry_capacity_kg,reefer_capacity_kg,fixed_cost_cny_per_day,cost_cny_per_km,"
    "capital_cny,lifetime_y,yearly_cost_cny\n"
    "reefer,add_trucks,D,1,0,500,150,1.5,10000,5,760\n"
)
SETTINGS = SolveSettings(time_limit_s=10.0)


def fish_day():
    """Hub H and village V 30 km / 30 min apart (service 0). The dry van D (1,000 kg dry; 100
    CNY a day, 1 CNY/km, 60 CNY/h) must bring V its 10 kg of parcels. At V, 100 kg of fish
    (chilled, 20 CNY/kg, at most 15 min out of the cold) waits from 06:00."""
    fish = product("fish", value=20.0, window_h=6.0, chilled=True, out_of_cold_h=0.25)
    return build(
        [site("V")],
        {("H", "V"): 30},
        [truck("D", dry=1000)],
        orders=[order("F", "V", 100, product="fish")],
        parcel_lines=[parcels("V", 10)],
        products=[fish],
    )


@pytest.fixture
def fish_study(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The fish day as the base; a reefer option; a season of three identical days."""
    opts = tmp_path / "options.csv"
    opts.write_text(OPTIONS, encoding="utf-8")
    season = tmp_path / "season.csv"
    season.write_text("date,parcels,fish\n2026-06-15,1,1\n2026-06-16,1,1\n2026-06-17,1,1\n", encoding="utf-8")
    return opts, season, tmp_path / "out"


def _stable(result: dict) -> dict:
    """A stored result without what depends on the machine (seconds, worker)."""
    return {k: v for k, v in result.items() if k not in ("solve_s", "worker")}


@pytest.mark.component
def test_one_reefer_truck_saves_the_fish(fish_study):
    """Baseline: D drives H-V-H at 07:00-08:00: 100 + 60 km + 60 min = 220 CNY. The fish cannot
    ride 30 min in a dry van (15 min allowed), so 100 kg = 2,000 CNY is lost: 2,220 a day.
    With one reefer truck R (500 kg reefer, 150 a day, 1.5 CNY/km, 60 CNY/h) the best plan sends
    R alone (parcels may ride in reefer space): 150 + 90 + 60 = 300, nothing lost (D alone 2,220;
    both 520). Saving 1,920 a day, exactly the fish's 2,000 less 80 of dearer running.

    Three identical days, one representative (weight 3): season saving 5,760, kg to the cold
    store 0 -> 300. Capital 10,000 over 5 years at r = 0 with 760 a year: benefit 5,000 a year,
    payback 2 years, NPV -10,000 + 5 * 5,000 = 15,000. Both plans are proved optimal (gap 0), so
    the saving is certain ("saves")."""
    opts, season, out = fish_study
    study = st.prepare(fish_day(), opts, season, SETTINGS, k=1)
    assert [(r.label, r.weight) for r in study.reps] == [("2026-06-15", 3)]
    assert study.case_count == 2
    stats = st.run(study, out)
    assert (stats.solved, stats.reused, stats.failed) == (2, 0, {})
    rep = st.report(study, out, rate=0.0)
    assert rep.violations == []
    base, reefer = rep.figures
    assert base.total_cny == pytest.approx(3 * 2220)
    assert base.lost_cny == pytest.approx(3 * 2000)
    assert reefer.total_cny == pytest.approx(3 * 300) and reefer.lost_cny == 0
    assert (base.kg_to_cold_store, reefer.kg_to_cold_store) == (0, 300)
    assert reefer.saving_cny == pytest.approx(5760)
    assert (reefer.gap_cny, base.gap_cny) == (pytest.approx(0, abs=0.01), pytest.approx(0, abs=0.01))
    assert reefer.verdict == "saves"
    assert reefer.payback_y == pytest.approx(2.0)
    assert reefer.npv_cny == pytest.approx(15_000)


@pytest.mark.component
def test_resume_does_no_work_twice(fish_study):
    """Every day solved: two options x three days (each date is its own scenario) = 6 cases. A
    study stopped after its first result (an interrupt) keeps that result; the rerun solves only
    the other five, and a third run solves nothing. Each case is solved and stored once."""
    opts, season, out = fish_study
    study = st.prepare(fish_day(), opts, season, SETTINGS)
    assert study.case_count == 6
    calls: list[str] = []

    def counting(text: str) -> dict:
        calls.append(text)
        return run_case_text(text)

    def stop(cid, result):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), ResultStore(out / st.STORE_NAME) as store:
        out.mkdir(parents=True, exist_ok=True)
        run_sweep(study.payloads, store, on_result=stop, task=counting)
    assert len(calls) == 1
    with ResultStore(out / st.STORE_NAME) as store:
        assert len(store) == 1
        second = run_sweep(study.payloads, store, task=counting)
        third = run_sweep(study.payloads, store, task=counting)
        assert len(store) == 6
    assert (second.reused, second.solved) == (1, 5)
    assert (third.reused, third.solved) == (6, 0)
    assert len(calls) == 6 and len(set(calls)) == 6


@pytest.mark.component
def test_representative_day_error_against_every_day(tmp_path):
    """Season of three fish days: 100, 100 and 200 kg (the last cut into F and F~2). Baseline:
    2,220 on the first two (see above) and 220 + 4,000 lost on the third: 8,660 over the season.
    One reefer truck carries 200 kg as easily: 300 every day, 900. With one representative day
    (k = 1) the medoid is an ordinary day of weight 3: baseline estimate 6,660, 23.09 % below the
    8,660 of every day, and the saving 5,760 instead of 7,760; the reefer option's estimate is
    exact."""
    opts = tmp_path / "options.csv"
    opts.write_text(OPTIONS, encoding="utf-8")
    season = tmp_path / "season.csv"
    season.write_text("date,fish\n2026-06-15,1\n2026-06-16,1\n2026-06-17,2\n", encoding="utf-8")
    study = st.prepare(fish_day(), opts, season, SETTINGS, k=1, against_all=True)
    assert [(r.label, r.weight) for r in study.reps] == [("2026-06-15", 3)]
    assert study.case_count == 6
    st.run(study, tmp_path / "out")
    rep = st.report(study, tmp_path / "out", rate=0.08)
    assert rep.violations == []
    base, reefer = rep.check
    assert base["season_cost_estimate_cny"] == pytest.approx(6660)
    assert base["season_cost_all_days_cny"] == pytest.approx(8660)
    assert base["relative_error_pct"] == pytest.approx(-23.09)
    assert reefer["season_cost_estimate_cny"] == pytest.approx(900) and reefer["relative_error_pct"] == 0
    assert (reefer["saving_estimate_cny"], reefer["saving_all_days_cny"]) == (pytest.approx(5760), pytest.approx(7760))


@pytest.fixture(scope="module")
def cluster():
    """A Dask LocalCluster of two single-threaded worker processes (closed client, then cluster)."""
    with dask_client(2) as client:
        yield client


@pytest.mark.integration
def test_dask_gives_the_in_process_results(fish_study, cluster):
    """The same study on two Dask workers, and sent to the cluster by its scheduler's address,
    stores exactly what the in-process run stores."""
    opts, season, out = fish_study
    study = st.prepare(fish_day(), opts, season, SETTINGS)
    st.run(study, out / "serial")
    stats = st.run(study, out / "dask", client=cluster)
    assert (stats.solved, stats.failed) == (6, {})
    with ResultStore(out / "serial" / st.STORE_NAME) as a, ResultStore(out / "dask" / st.STORE_NAME) as b:
        serial, dask = a.all(), b.all()
    assert {k: _stable(v) for k, v in serial.items()} == {k: _stable(v) for k, v in dask.items()}
    assert len({r["worker"] for r in dask.values()} - {r["worker"] for r in serial.values()}) >= 1
    with dask_client(1, scheduler=cluster.scheduler.address) as remote:  # --scheduler ADDRESS
        st.run(study, out / "remote", client=remote)
    with ResultStore(out / "remote" / st.STORE_NAME) as c:
        assert {k: _stable(v) for k, v in c.all().items()} == {k: _stable(v) for k, v in serial.items()}


def slow_case(text: str) -> dict:
    """A case that takes at least 2 s, long enough to kill its worker while it runs."""
    time.sleep(2.0)
    return run_case_text(text)


@pytest.mark.integration
def test_killed_worker_case_is_retried(fish_study, cluster):
    """Kill the worker process of a running case mid-sweep: the scheduler reschedules the case,
    every case is stored exactly once, and the results equal the in-process ones."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(__import__(__name__))
    opts, season, out = fish_study
    study = st.prepare(fish_day(), opts, season, SETTINGS)
    killed: list[str] = []

    def killer():
        deadline = time.time() + 30
        while time.time() < deadline and not killed:
            busy = [w for w, keys in cluster.processing().items() if keys]
            if busy:
                time.sleep(0.5)  # mid-solve (each case sleeps 2 s first)
                pid = cluster.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(busy[0])
            time.sleep(0.05)

    t = threading.Thread(target=killer)
    t.start()
    (out / "dask").mkdir(parents=True)
    with ResultStore(out / "dask" / st.STORE_NAME) as store:
        stats = run_sweep(study.payloads, store, client=cluster, task=slow_case)
        stored = store.all()
    t.join()
    assert killed, "no worker was killed"
    assert (stats.solved, stats.failed) == (6, {})
    assert len(stored) == 6
    st.run(study, out / "serial")
    with ResultStore(out / "serial" / st.STORE_NAME) as a:
        serial = a.all()
    assert {k: _stable(v) for k, v in serial.items()} == {k: _stable(v) for k, v in stored.items()}
    cluster.wait_for_workers(2, timeout=60)
