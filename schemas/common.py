"""Fields and base schemas shared by every resource."""

from __future__ import annotations

import math

import marshmallow as ma
from marshmallow import fields, validate

from models.timezones import IANA_TIMEZONES


class Schema(ma.Schema):
    """Base schema: unknown fields are an error (marshmallow's default, stated on purpose)."""

    class Meta:
        unknown = ma.RAISE


def _is_timezone(value: str) -> bool:
    if value not in IANA_TIMEZONES:
        raise ma.ValidationError("not an IANA time zone (e.g. Europe/Berlin)")
    return True


class Timezone(fields.String):
    """An IANA time zone name such as `America/Los_Angeles`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", [validate.Length(max=64), _is_timezone])
        kwargs.setdefault("metadata", {"example": "Europe/Berlin"})
        super().__init__(**kwargs)


class LocalTime(fields.Time):
    """A local wall-clock time, `HH:MM`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("metadata", {"example": "20:00"})
        super().__init__(**kwargs)


class Score(fields.Integer):
    """A 0–10 rating: a whole JSON number, never a string, a fraction or a boolean."""

    default_error_messages = {"invalid": "must be a whole number from 0 to 10"}

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=0, max=10))
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._validated(value)


class IsoDate(fields.Date):
    """A calendar date, `YYYY-MM-DD`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"example": "2026-03-14"})
        super().__init__(format="iso", **kwargs)


class JsonNumber(fields.Float):
    """A number that must arrive as a JSON number: not a string, a boolean, NaN or infinity."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_nan", False)
        super().__init__(**kwargs)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._validated(value)


def decimals(places: int):
    """Validator: at most `places` decimal places."""

    def check(value: float) -> None:
        scaled = value * 10**places
        if not math.isfinite(scaled) or abs(value) > 1e12:
            return  # out of any range; the Range validator names that problem
        if abs(scaled - round(scaled)) > 1e-9:
            raise ma.ValidationError(f"at most {places} decimal place{'s' if places > 1 else ''}")

    return check


class RangeArgsSchema(Schema):
    """Optional `from` and `to` dates (inclusive)."""

    from_ = IsoDate(data_key="from", load_default=None)
    to = IsoDate(load_default=None)

    @ma.validates_schema
    def _range(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ma.ValidationError("must not be before from", "to")
