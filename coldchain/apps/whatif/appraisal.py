"""Season figures per option, with the planner's gap carried, and the investment appraisal.

For option o and representative day j (weight w_j) the stored plan gives its cost
U_oj = fixed + km + driver + value of produce left unserved (the plan driven), and the solver's
lower bound L_oj on that cost, so g_oj = U_oj - L_oj is the most the plan could still improve
(the plan's gap in CNY, with L_oj >= 0 since no cost is negative; unknown when the method gave
no bound). The cold store's intake limit
(``apply.intake_cap``) adds the value of refused produce to U_oj (and keeps L_oj, which stays a
lower bound: a limit can only raise the optimum). Season figures are weighted sums:

    U_o = sum_j w_j U_oj,   g_o = sum_j w_j g_oj,   lost_o, kg_o, truck-days likewise.

The saving against the baseline b is S_o = U_b - U_o. The true optima lie in [U - g, U], so the
true saving lies in [S_o - g_b, S_o + g_o] (summed day by day; on a day the option leaves as it
is, such as a cold room, both come from one plan and the day's saving is exact): when that
interval holds 0 the saving is smaller
than the planner's gaps and the report says so ("within the gaps"); lengthen ``--time-limit``
to settle it. The appraisal (``economics.appraise``) takes the season saving as the yearly
benefit; NPV is linear in it, so the NPV interval comes from the two ends of the saving's.
"""

from __future__ import annotations

from dataclasses import dataclass

from coldchain.apps.whatif.apply import intake_cap
from coldchain.apps.whatif.economics import appraise
from coldchain.apps.whatif.options import Option
from coldchain.apps.whatif.season import Representative
from coldchain.apps.whatif.sweep import CaseRef


@dataclass(frozen=True)
class DayFigures:
    """One option on one representative day (figures per day, not weighted)."""

    option: str
    day: str
    weight: int
    case_id: str
    status: str
    has_routes: bool
    operating_cny: float
    lost_cny: float
    total_cny: float
    gap_cny: float | None
    kg_to_cold_store: float
    kg_refused: float
    kg_in_reefer: float
    trucks: int
    violations: int


@dataclass(frozen=True)
class OptionFigures:
    """One option over the season, with its appraisal against the baseline."""

    option: str
    feasible: bool
    failed_days: tuple[str, ...]
    operating_cny: float
    lost_cny: float
    total_cny: float
    gap_cny: float | None
    kg_to_cold_store: float
    kg_refused: float
    truck_days: float
    trucks_peak: int
    net_capital_cny: float
    annualised_capital_cny: float
    yearly_cost_cny: float
    saving_cny: float | None
    saving_low_cny: float | None
    saving_high_cny: float | None
    npv_cny: float | None
    npv_low_cny: float | None
    npv_high_cny: float | None
    payback_y: float | None
    discounted_payback_y: float | None
    horizon_y: float
    verdict: str


def day_figures(option: Option, ref: CaseRef, weight: int, result: dict) -> DayFigures:
    """The figures of one stored case for one option (the option's intake cap applied)."""
    ok = bool(result["has_routes"])
    kg_out, value_out = intake_cap([tuple(x) for x in result["served"]], option.intake_kg) if ok else (0.0, 0.0)
    operating = result["cost_fixed_cny"] + result["cost_distance_cny"] + result["cost_driver_cny"]
    lost = result["value_lost_cny"] + value_out
    bound = result["best_bound_cny"]
    # every cost is >= 0, so max(bound, 0) is a bound too (a time-limited MILP may report one below 0)
    gap = (
        None
        if bound is None or result["objective_cny"] is None
        else max(0.0, result["objective_cny"] - max(bound, 0.0))
    )
    return DayFigures(
        option=option.name,
        day=ref.day,
        weight=weight,
        case_id=ref.case_id,
        status=result["status"],
        has_routes=ok,
        operating_cny=operating,
        lost_cny=lost,
        total_cny=operating + lost,
        gap_cny=gap,
        kg_to_cold_store=result["kg_to_cold_store"] - kg_out,
        kg_refused=kg_out,
        kg_in_reefer=result.get("kg_in_reefer", 0.0),
        trucks=int(result["trucks_used"]),
        violations=len(result.get("violations", [])),
    )


def collect_days(
    options: list[Option], reps: list[Representative], refs: list[CaseRef], results: dict[str, dict]
) -> list[DayFigures]:
    """`DayFigures` of every (option, representative day) whose case is in ``results``."""
    weight = {r.label: r.weight for r in reps}
    by_name = {o.name: o for o in options}
    return [
        day_figures(by_name[ref.option], ref, weight[ref.day], results[ref.case_id])
        for ref in refs
        if ref.day in weight and ref.case_id in results
    ]


def _verdict(s: float, low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "no bound: the gap is unknown"
    if low > 0:
        return "saves"
    if high < 0:
        return "costs more"
    if max(abs(low), abs(high)) < 0.01:
        return "no difference"
    return "within the gaps"


def _saving_range(base: list[DayFigures], mine: list[DayFigures]) -> tuple[float | None, float | None]:
    """(low, high) of the true season saving: sum_j w_j [S_j - g_bj, S_j + g_oj]. On a day where
    the option leaves the scenario as it is (the same case as the baseline's), both figures come
    from one plan and its gap cancels: that day's saving is exact."""
    base_by_day = {d.day: d for d in base}
    lo = hi = 0.0
    for d in mine:
        b = base_by_day[d.day]
        s = d.weight * (b.total_cny - d.total_cny)
        if d.case_id == b.case_id:
            lo, hi = lo + s, hi + s
            continue
        if b.gap_cny is None or d.gap_cny is None:
            return None, None
        lo, hi = lo + s - d.weight * b.gap_cny, hi + s + d.weight * d.gap_cny
    return lo, hi


def season_figures(options: list[Option], days: list[DayFigures], rate: float) -> list[OptionFigures]:
    """Season sums per option and the appraisal against the first option (the baseline)."""
    out: list[OptionFigures] = []
    base: OptionFigures | None = None
    base_days: list[DayFigures] = []
    for opt in options:
        mine = [d for d in days if d.option == opt.name]
        failed = tuple(d.day for d in mine if not d.has_routes)

        def wsum(attr: str, rows=mine) -> float:
            return sum(d.weight * getattr(d, attr) for d in rows)

        feasible = bool(mine) and not failed
        gaps = [d.gap_cny for d in mine]
        gap = None if any(g is None for g in gaps) else sum(d.weight * d.gap_cny for d in mine)
        total = wsum("total_cny")
        parts = list(opt.investments)
        if base is None or not feasible or not base.feasible:
            a = appraise(parts, 0.0, rate)
            s = lo = hi = None
            npv = npv_lo = npv_hi = None
            verdict = "baseline" if base is None else ("not feasible every day" if not feasible else "baseline failed")
            if base is None and not feasible:
                verdict = "baseline not feasible every day"
        else:
            s = base.total_cny - total
            lo, hi = _saving_range(base_days, mine)
            a = appraise(parts, s, rate)
            npv = a.npv_cny
            npv_lo = None if lo is None else appraise(parts, lo, rate).npv_cny
            npv_hi = None if hi is None else appraise(parts, hi, rate).npv_cny
            verdict = _verdict(s, lo, hi)
        fig = OptionFigures(
            option=opt.name,
            feasible=feasible,
            failed_days=failed,
            operating_cny=wsum("operating_cny"),
            lost_cny=wsum("lost_cny"),
            total_cny=total,
            gap_cny=gap,
            kg_to_cold_store=wsum("kg_to_cold_store"),
            kg_refused=wsum("kg_refused"),
            truck_days=wsum("trucks"),
            trucks_peak=max((d.trucks for d in mine), default=0),
            net_capital_cny=a.net_capital_cny,
            annualised_capital_cny=a.annualised_capital_cny,
            yearly_cost_cny=a.yearly_cost_cny,
            saving_cny=s,
            saving_low_cny=lo,
            saving_high_cny=hi,
            npv_cny=npv,
            npv_low_cny=npv_lo,
            npv_high_cny=npv_hi,
            payback_y=a.payback_y if s is not None else None,
            discounted_payback_y=a.discounted_payback_y if s is not None else None,
            horizon_y=a.horizon_y,
            verdict=verdict,
        )
        if base is None:
            base, base_days = fig, mine
        out.append(fig)
    return out


def season_totals_by_day(days: list[DayFigures]) -> dict[str, dict[str, float]]:
    """Per option, the total cost on each day (unweighted): the input of ``season.estimate_error``."""
    out: dict[str, dict[str, float]] = {}
    for d in days:
        out.setdefault(d.option, {})[d.day] = d.total_cny
    return out
