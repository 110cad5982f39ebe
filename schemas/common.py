"""Fields and base schemas shared by every resource."""

from __future__ import annotations

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
