"""Booster suggestions as the patient sees them."""

from __future__ import annotations

from marshmallow import fields, validate

from models.enums import SuggestionKind, SuggestionStatus
from schemas.common import IsoDate, Schema


class SuggestionSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(SuggestionKind, by_value=True)
    status = fields.Enum(SuggestionStatus, by_value=True)
    cycle_start = IsoDate()
    raised_on = IsoDate()
    expected_on = IsoDate(allow_none=True)
    evidence = fields.Dict()
    appointment_on = IsoDate(allow_none=True)
    resolution_note = fields.String(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SuggestionQueryArgsSchema(Schema):
    status = fields.Enum(SuggestionStatus, by_value=True, load_default=None)


class AcknowledgeSchema(Schema):
    pass


class BookSchema(Schema):
    appointment_on = IsoDate(load_default=None)
    note = fields.String(load_default=None, validate=validate.Length(max=500))


class DismissSchema(Schema):
    note = fields.String(load_default=None, validate=validate.Length(max=500))
