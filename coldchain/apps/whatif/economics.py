"""Investment appraisal: subsidy, capital recovery factor, annualised capital, NPV and payback.

With capital cost I, subsidy share s (capped at K per entity), discount rate r and lifetime T
years (see the shared economics notes, part B):

* net capital          I0 = I - min(s*I, K)
* capital recovery     CRF(r, T) = r(1+r)^T / ((1+r)^T - 1)        (CRF(0, T) = 1/T)
* annualised capital   EAC = I0 * CRF(r, T)
* annuity factor       AF(r, T) = sum_{t=1..T} (1+r)^-t = (1 - (1+r)^-T) / r   (AF(0, T) = T)
* NPV                  NPV = -I0 + A * AF(r, T) + salvage * (1+r)^-T,  A the yearly net benefit
                       (season saving minus the option's yearly fixed and energy cost)
* simple payback       I0 / A (years; none when A <= 0)
* discounted payback   -ln(1 - r*I0/A) / ln(1+r), defined only when A > r*I0

``NPV = (A - EAC) * AF`` when there is no salvage: the option pays when its yearly benefit beats
its annualised capital.

Worked example (``tests/test_whatif_economics.py`` checks every figure): a 4.2 m reefer truck at
I = 190,000 CNY with s = 0.3 capped at K = 35,000 (the NEV reefer subsidy), r = 8 %, T = 8 y, a
season saving of 40,000 CNY and 8,000 CNY a year of fixed and energy cost:

* I0 = 190,000 - min(57,000, 35,000) = 155,000
* (1.08)^8 = 1.850930; CRF = 0.08 * 1.850930 / 0.850930 = 0.174015; EAC = 26,972.29 per year
* A = 40,000 - 8,000 = 32,000; AF = (1 - 1/1.850930) / 0.08 = 5.746639
* NPV = -155,000 + 32,000 * 5.746639 = 28,892.45 (= (32,000 - 26,972.29) * 5.746639)
* simple payback 155,000 / 32,000 = 4.84 y; discounted payback -ln(1 - 0.3875) / ln(1.08) = 6.37 y

The reference check: 200,000 at 8 % over 30 years annualises to 17,765.49 (EngrEcon
``present_to_annual``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def capital_recovery_factor(rate: float, years: float) -> float:
    """CRF(r, T) = r(1+r)^T / ((1+r)^T - 1); 1/T at r = 0."""
    if years <= 0:
        raise ValueError("lifetime must be positive")
    if rate < 0:
        raise ValueError("discount rate must not be negative")
    if rate == 0:
        return 1.0 / years
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)


def annuity_factor(rate: float, years: float) -> float:
    """AF(r, T) = (1 - (1+r)^-T) / r, the present value of 1 a year for T years; T at r = 0."""
    if rate == 0:
        return float(years)
    return (1.0 - (1.0 + rate) ** -years) / rate


def subsidy(capital: float, share: float, cap: float | None = None) -> float:
    """The subsidy: min(share * capital, cap) (no cap when ``cap`` is None)."""
    if not 0.0 <= share <= 1.0:
        raise ValueError("subsidy share must be between 0 and 1")
    granted = share * capital
    return granted if cap is None else min(granted, cap)


def net_capital(capital: float, share: float = 0.0, cap: float | None = None) -> float:
    """I0 = I - min(s*I, K): what the alliance pays after the subsidy."""
    return capital - subsidy(capital, share, cap)


def annualised_capital(net: float, rate: float, years: float) -> float:
    """EAC = I0 * CRF(r, T): the net capital as an equal yearly cost over the lifetime."""
    return net * capital_recovery_factor(rate, years)


def npv(net: float, annual_benefit: float, rate: float, years: float, salvage: float = 0.0) -> float:
    """NPV = -I0 + A * AF(r, T) + salvage / (1+r)^T."""
    return -net + annual_benefit * annuity_factor(rate, years) + salvage * (1.0 + rate) ** -years


def simple_payback(net: float, annual_benefit: float) -> float | None:
    """I0 / A in years; None when the option never pays back (A <= 0). 0 when nothing is invested."""
    if net <= 0:
        return 0.0
    if annual_benefit <= 0:
        return None
    return net / annual_benefit


def discounted_payback(net: float, annual_benefit: float, rate: float) -> float | None:
    """Years until the discounted benefits repay I0: -ln(1 - r*I0/A) / ln(1+r); None unless A > r*I0."""
    if net <= 0:
        return 0.0
    if annual_benefit <= 0:
        return None
    if rate == 0:
        return net / annual_benefit
    if annual_benefit <= rate * net:
        return None
    return -math.log(1.0 - rate * net / annual_benefit) / math.log(1.0 + rate)


@dataclass(frozen=True)
class Investment:
    """One part of an option's capital: cost, lifetime, yearly fixed and energy cost, subsidy."""

    capital_cny: float = 0.0
    lifetime_y: float = 10.0
    yearly_cost_cny: float = 0.0
    subsidy_share: float = 0.0
    subsidy_cap_cny: float | None = None

    @property
    def net_cny(self) -> float:
        return net_capital(self.capital_cny, self.subsidy_share, self.subsidy_cap_cny)

    def annualised(self, rate: float) -> float:
        return annualised_capital(self.net_cny, rate, self.lifetime_y)


@dataclass(frozen=True)
class Appraisal:
    """The economics of one option against the baseline, per year (CNY)."""

    net_capital_cny: float
    annualised_capital_cny: float
    yearly_cost_cny: float
    annual_benefit_cny: float  # season saving - yearly cost
    horizon_y: float
    npv_cny: float
    payback_y: float | None
    discounted_payback_y: float | None


def appraise(parts: list[Investment], season_saving: float, rate: float) -> Appraisal:
    """Appraise an option made of ``parts`` that saves ``season_saving`` a year.

    One part: the textbook NPV over its lifetime. Several parts with different lifetimes: the
    horizon is the longest lifetime and each shorter-lived part is replaced at the same cost
    (a replacement chain), which is NPV = (A - sum EAC_i) * AF(r, T_max); with equal lifetimes
    both forms agree. Payback uses the first-year outlay sum I0_i.
    """
    net = sum(p.net_cny for p in parts)
    yearly = sum(p.yearly_cost_cny for p in parts)
    eac = sum(p.annualised(rate) for p in parts)
    benefit = season_saving - yearly
    invested = [p for p in parts if p.capital_cny > 0 or p.yearly_cost_cny > 0]
    horizon = max((p.lifetime_y for p in invested), default=1.0)
    value = (benefit - eac) * annuity_factor(rate, horizon)  # = npv(net, benefit, rate, T) for one part
    return Appraisal(
        net_capital_cny=net,
        annualised_capital_cny=eac,
        yearly_cost_cny=yearly,
        annual_benefit_cny=benefit,
        horizon_y=horizon,
        npv_cny=value,
        payback_y=simple_payback(net, benefit),
        discounted_payback_y=discounted_payback(net, benefit, rate),
    )
