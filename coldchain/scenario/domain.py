"""Validated records of a scenario: sites, vehicles, products, pickup orders, parcels, travel.

Each record checks its own fields when it is created (``ValueError`` with one sentence); rules
that relate records to each other live in ``coldchain.scenario.checks``. Field names are the CSV column
names, with units in the name. Times of day are minutes from midnight (``HH:MM`` is accepted).

Every number must be finite (``inf``, ``nan`` and ``1e309`` are refused) and within a plausible
range; a value outside it is an error that says why. The ranges (`RANGES`, the one place they are
stated; the README's input section shows the same table):

======================================  ==================  =========================================
column                                  allowed             why the upper bound
======================================  ==================  =========================================
lat, lon                                -90..90, -180..180  degrees on the globe
open/close_time, shift_start/end        00:00..24:00        a clock time of the day (HH:MM)
count                                   1..500              identical trucks one row stands for
service_min                             0..720              a stop longer than 12 h is a typo
dry_capacity_kg, reefer_capacity_kg     0..40,000           the largest road truck carries about 40 t
fixed_cost_cny_per_day                  0..100,000          a truck-day costs far less
cost_cny_per_km                         0..1,000            fuel and wear cost far less
driver_cost_cny_per_h                   0..10,000           an hour's wage is far below
quantity_kg                             >0..100,000         one co-op's pickup is not 100 t
parcel_count                            0..1,000,000        one company's parcels for one point
weight_kg                               0..100,000          parcels for one point are not 100 t
freshness_window_h, precooled_window_h  >0..10,000          longer than a year
max_out_of_cold_h                       0..10,000           longer than a year
value_cny_per_kg                        0..100,000          no farm product is worth that much
distance_km, max_detour_km              0..5,000            a one-day road leg is shorter
travel_min                              0..20,160           longer than 14 days
max_pickup_stops                        0..1,000            a line adds fewer stops
======================================  ==================  =========================================
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from coldchain.scenario.matrix import TravelTable
from coldchain.scenario.timefmt import parse_clock

_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_TRUE = {"yes", "y", "true", "1", "是", "有"}
_FALSE = {"no", "n", "false", "0", "否", "无", ""}


def _number(value: object) -> object:
    """Reject decimal commas and thousands separators instead of guessing what they mean."""
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL_COMMA.match(text):
            raise ValueError(
                "a comma in a number is not accepted: write a decimal point (1.5) and no thousands separator (1500)"
            )
        try:
            value = float(text)
        except ValueError:
            raise ValueError("expected a number") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number (inf, nan and numbers beyond 1.8e308 are not quantities)")
    return value


def _whole(value: object) -> object:
    value = _number(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("expected a whole number")
        return int(value)
    return value


def _clock(value: object) -> object:
    if isinstance(value, str):
        return parse_clock(value)
    return value


def _flag(value: object) -> object:
    if value is None:
        return False
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("expected yes or no")
    return value


_MOMENT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _moment(value: object) -> object:
    """``YYYY-MM-DD HH:MM`` (``/`` for ``-``, ``T`` for the space, optional ``:SS``) as a datetime;
    a regular expression, not ``strptime``, so that 100,000 orders read in a fraction of a second."""
    if isinstance(value, str):
        m = _MOMENT.match(value.strip().replace("/", "-"))
        if m:
            try:
                return datetime(*(int(g) for g in m.groups(default="0")))
            except ValueError:
                pass
        raise ValueError("expected a date and time as YYYY-MM-DD HH:MM")
    return value


# column -> (low, high, low excluded, why the high bound): the table in the module docstring
RANGES: dict[str, tuple[float, float, bool, str]] = {
    "service_min": (0, 720, False, "a stop longer than 12 h is a typo"),
    "capacity_kg": (0, 40_000, False, "the largest road truck carries about 40 t"),
    "fixed_cost_cny_per_day": (0, 100_000, False, "a truck-day costs far less"),
    "cost_cny_per_km": (0, 1_000, False, "fuel and wear cost far less"),
    "driver_cost_cny_per_h": (0, 10_000, False, "an hour's wage is far below"),
    "quantity_kg": (0, 100_000, True, "one co-op's pickup is not 100 t"),
    "parcel_count": (0, 1_000_000, False, "one company's parcels for one point"),
    "weight_kg": (0, 100_000, False, "parcels for one point are not 100 t"),
    "window_h": (0, 10_000, True, "longer than a year"),
    "hours": (0, 10_000, False, "longer than a year"),
    "value_cny_per_kg": (0, 100_000, False, "no farm product is worth that much"),
    "distance_km": (0, 5_000, False, "a one-day road leg is shorter"),
    "travel_min": (0, 14 * 24 * 60, False, "longer than 14 days"),
    "max_pickup_stops": (0, 1_000, False, "a line adds fewer stops"),
}


_UNITS = {"kg": " kg", "km": " km", "min": " min", "h": " h", "day": " CNY", "per_km": " CNY", "per_h": " CNY"}


def _in_range(kind: str):
    low, high, open_low, why = RANGES[kind]
    unit = next((u for suffix, u in _UNITS.items() if kind.endswith(suffix)), "")

    def check(value: float) -> float:
        if (value <= low) if open_low else (value < low):
            raise ValueError(f"must be greater than {low:,g}" if open_low else f"must be at least {low:,g}")
        if value > high:
            raise ValueError(f"must be at most {high:,.0f}{unit} ({why})")
        return value

    return AfterValidator(check)


def _number_in(kind: str, whole: bool = False):
    """A finite number (a whole one if ``whole``) within ``RANGES[kind]``."""
    return Annotated[int if whole else float, BeforeValidator(_whole if whole else _number), _in_range(kind)]


CapacityKg = _number_in("capacity_kg")
QuantityKg = _number_in("quantity_kg")
WeightKg = _number_in("weight_kg")
Km = _number_in("distance_km")
TravelMin = _number_in("travel_min")
ServiceMin = _number_in("service_min")
WindowH = _number_in("window_h")
# CSV files give HH:MM within the day; scenarios built in code (benchmarks) may run past 24:00.
ClockMin = Annotated[float, BeforeValidator(_clock), Field(ge=0, le=14 * 24 * 60)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Moment = Annotated[datetime, BeforeValidator(_moment)]
Id = Annotated[str, Field(min_length=1, max_length=64)]


class Record(BaseModel):
    """Common base: immutable, no unknown fields; ``line`` is where the record was read."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    line: int | None = Field(default=None, exclude=True, repr=False)


class Site(Record):
    """The county hub (alliance centre and cold store), a town or a village service point."""

    site_id: Id
    name: str = Field(min_length=1)
    kind: Literal["hub", "town", "village"]
    parent_town: str | None = None
    lat: Annotated[float, BeforeValidator(_number), Field(ge=-90, le=90)]
    lon: Annotated[float, BeforeValidator(_number), Field(ge=-180, le=180)]
    open_time: ClockMin
    close_time: ClockMin
    service_min: ServiceMin
    has_precooling: Flag = False

    @model_validator(mode="after")
    def _hours(self) -> Site:
        if self.close_time <= self.open_time:
            raise ValueError("close_time: must be later than open_time")
        return self


class Vehicle(Record):
    """One truck: who owns it, what it can carry (dry and reefer kg), what it costs, its shift."""

    vehicle_id: Id
    owner: str = Field(min_length=1)
    home_hub: Id
    dry_capacity_kg: CapacityKg
    reefer_capacity_kg: CapacityKg
    fixed_cost_cny_per_day: _number_in("fixed_cost_cny_per_day")
    cost_cny_per_km: _number_in("cost_cny_per_km")
    driver_cost_cny_per_h: _number_in("driver_cost_cny_per_h")
    shift_start: ClockMin
    shift_end: ClockMin
    count: Annotated[int, BeforeValidator(_whole), Field(ge=1, le=500)] = 1  # identical trucks this row stands for

    @model_validator(mode="after")
    def _sane(self) -> Vehicle:
        if self.shift_end <= self.shift_start:
            raise ValueError("shift_end: must be later than shift_start")
        if self.dry_capacity_kg + self.reefer_capacity_kg <= 0:
            raise ValueError("a vehicle needs some dry or reefer capacity")
        return self

    @property
    def capacity_kg(self) -> float:
        """Total payload: dry space plus reefer space (anything may ride in the reefer)."""
        return self.dry_capacity_kg + self.reefer_capacity_kg


class Product(Record):
    """A perishable product's freshness model (defaults in ``models/products.toml``)."""

    product_id: Id
    name: str = Field(min_length=1)
    temperature_class: Literal["chilled", "ambient"]
    freshness_window_h: WindowH
    max_out_of_cold_h: _number_in("hours")
    value_cny_per_kg: _number_in("value_cny_per_kg")
    precooled_window_h: WindowH | None = None


class Order(Record):
    """A co-op shipper's pickup order: so many kg of a product, ready at a village point."""

    order_id: Id
    shipper: str = Field(min_length=1)
    site_id: Id
    product_id: Id
    quantity_kg: QuantityKg
    ready_at: Moment
    must_serve: Flag = False  # a contracted pickup that must be served (benchmarks: every pickup)
    harvested_at: Moment | None = None  # when given, the freshness window counts from it

    @model_validator(mode="after")
    def _harvest_first(self) -> Order:
        if self.harvested_at is not None and self.harvested_at > self.ready_at:
            raise ValueError("harvested_at: must not be later than ready_at")
        return self


class Parcel(Record):
    """A member company's parcels for one service point today (delivery is mandatory)."""

    company: str = Field(min_length=1)
    site_id: Id
    parcel_count: _number_in("parcel_count", whole=True)
    weight_kg: WeightKg


class FixedLine(Record):
    """One fixed delivery line (``lines.csv``, used by ``plan --method lines``): a truck leaving
    at a set time through an ordered list of stops, with limits on the pickups it may add."""

    line_id: Id
    vehicle_id: Id
    depart_at: ClockMin
    stops: str = Field(min_length=1)  # site ids separated by spaces, in visiting order
    max_detour_km: Km
    max_pickup_stops: _number_in("max_pickup_stops", whole=True)

    @field_validator("stops")
    @classmethod
    def _some_stops(cls, value: str) -> str:
        if not value.split():
            raise ValueError("expected site ids separated by spaces")
        return value


class TravelLeg(Record):
    """A measured road distance and driving time from one site to another (optional file)."""

    from_site: Id
    to_site: Id
    distance_km: Km
    travel_min: TravelMin

    @model_validator(mode="after")
    def _distinct(self) -> TravelLeg:
        if self.from_site == self.to_site:
            raise ValueError("to_site: must differ from from_site")
        return self


class TravelSettings(BaseModel):
    """How to derive road km and minutes from coordinates when travel.csv lacks a pair."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    detour_factor: float = Field(ge=1.0, le=3.0)
    road_speed_kmh: float = Field(gt=0, le=120)
    village_speed_kmh: float = Field(gt=0, le=120)
    village_access_km: float = Field(ge=0, le=20)


class ObjectiveWeights(BaseModel):
    """Weights on the cost components (``models/objective.toml``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    fixed: float = Field(default=1.0, ge=0)
    distance: float = Field(default=1.0, ge=0)
    driver: float = Field(default=1.0, ge=0)
    spoilage: float = Field(default=1.0, ge=0)


class Rules(BaseModel):
    """Business rules a scenario may change (``[rules]`` in ``scenario.toml``).

    ``split_visits``: a site's parcel drop and its pickup orders may ride different trucks, and
    two pickup orders of one site may too (each truck's visit serves a disjoint part of the
    site's work, one service time per visit). Off by default: a service point receives one
    truck a day, as the alliance's points are staffed and sign for today.

    ``multiple_trips``: a truck back at the hub may go out again after ``reload_min`` minutes
    (unloading the produce into the cold store, loading parcels), when that is cheaper than
    another truck (`coldchain.planner.trips`). Off by default: each truck makes one trip a day.
    ``reload_min``: 0..720 minutes between a truck's return and its next departure (default 30).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    split_visits: StrictBool = False  # TOML has true and false; "yes" or 1 is refused
    multiple_trips: StrictBool = False
    reload_min: StrictInt = Field(default=30, ge=0, le=720)


class Settings(BaseModel):
    """The scenario's ``scenario.toml``: name, planning date, travel model, objective weights, rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = "scenario"
    date: date
    travel: TravelSettings
    weights: ObjectiveWeights = ObjectiveWeights()
    rules: Rules = Rules()


class Scenario(BaseModel):
    """One planning day: everything the planner needs, validated record by record.

    Build one with ``coldchain.scenario.read.read_scenario(folder)`` or in code; ``replace`` gives a
    modified copy (for what-if studies) that is validated again.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    settings: Settings
    sites: tuple[Site, ...]
    vehicles: tuple[Vehicle, ...]
    products: tuple[Product, ...]
    orders: tuple[Order, ...] = ()
    parcels: tuple[Parcel, ...] = ()
    travel: tuple[TravelLeg, ...] = ()
    travel_table: TravelTable | None = None  # travel_matrix.json (coldchain.scenario.matrix)

    @field_validator("sites", "vehicles", "products")
    @classmethod
    def _not_empty(cls, value: tuple) -> tuple:
        if not value:
            raise ValueError("at least one record is needed")
        return value

    @field_validator("vehicles")
    @classmethod
    def _one_per_truck(cls, value: tuple) -> tuple:
        """A row with ``count`` n > 1 stands for n identical trucks ``ID-1`` .. ``ID-n``."""
        if all(v.count == 1 for v in value):
            return value
        out = []
        for v in value:
            if v.count == 1:
                out.append(v)
            else:
                out += [
                    v.model_copy(update={"vehicle_id": f"{v.vehicle_id}-{k}", "count": 1})
                    for k in range(1, v.count + 1)
                ]
        return tuple(out)

    def replace(self, **changes: object) -> Scenario:
        """A validated copy with some fields replaced, e.g. ``s.replace(vehicles=fleet)``."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        return Scenario(**data)

    @property
    def hub(self) -> Site:
        """The alliance centre (the first site of kind ``hub``)."""
        return next(s for s in self.sites if s.kind == "hub")
