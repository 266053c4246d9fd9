"""Validated records of a scenario: sites, vehicles, products, pickup orders, parcels, travel.

Each record checks its own fields when it is created (``ValueError`` with one sentence); rules
that relate records to each other live in ``coldchain.scenario.checks``. Field names are the CSV column
names, with units in the name. Times of day are minutes from midnight (``HH:MM`` is accepted).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
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
            return float(text)
        except ValueError:
            raise ValueError("expected a number") from None
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


def _moment(value: object) -> object:
    if isinstance(value, str):
        text = value.strip().replace("/", "-")
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValueError("expected a date and time as YYYY-MM-DD HH:MM")
    return value


Kg = Annotated[float, BeforeValidator(_number), Field(ge=0)]
PositiveKg = Annotated[float, BeforeValidator(_number), Field(gt=0)]
Money = Annotated[float, BeforeValidator(_number), Field(ge=0)]
Hours = Annotated[float, BeforeValidator(_number), Field(ge=0)]
Minutes = Annotated[float, BeforeValidator(_number), Field(ge=0)]
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
    service_min: Minutes
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
    dry_capacity_kg: Kg
    reefer_capacity_kg: Kg
    fixed_cost_cny_per_day: Money
    cost_cny_per_km: Money
    driver_cost_cny_per_h: Money
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
    freshness_window_h: Annotated[float, BeforeValidator(_number), Field(gt=0)]
    max_out_of_cold_h: Hours
    value_cny_per_kg: Money
    precooled_window_h: Annotated[float | None, BeforeValidator(_number), Field(gt=0)] = None


class Order(Record):
    """A co-op shipper's pickup order: so many kg of a product, ready at a village point."""

    order_id: Id
    shipper: str = Field(min_length=1)
    site_id: Id
    product_id: Id
    quantity_kg: PositiveKg
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
    parcel_count: Annotated[int, BeforeValidator(_whole), Field(ge=0)]
    weight_kg: Kg


class FixedLine(Record):
    """One fixed delivery line (``lines.csv``, used by ``plan --method lines``): a truck leaving
    at a set time through an ordered list of stops, with limits on the pickups it may add."""

    line_id: Id
    vehicle_id: Id
    depart_at: ClockMin
    stops: str = Field(min_length=1)  # site ids separated by spaces, in visiting order
    max_detour_km: Kg
    max_pickup_stops: Annotated[int, BeforeValidator(_whole), Field(ge=0)]

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
    distance_km: Kg
    travel_min: Minutes

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


class Settings(BaseModel):
    """The scenario's ``scenario.toml``: name, planning date, travel model, objective weights."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = "scenario"
    date: date
    travel: TravelSettings
    weights: ObjectiveWeights = ObjectiveWeights()


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
