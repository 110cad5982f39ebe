"""The sync feed and the data export."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.accounts import ProfileSchema
from schemas.common import Schema
from schemas.devices import DeviceSchema
from schemas.diary import EntrySchema, InfusionSchema, SyncedEntrySchema, SyncedInfusionSchema
from schemas.suggestions import SuggestionSchema


class SyncQueryArgsSchema(Schema):
    since = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "the cursor of the previous pull; omit for everything"},
    )
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=1000))


class SyncSchema(Schema):
    cursor = fields.String(metadata={"description": "pass as `since` next time"})
    has_more = fields.Boolean(metadata={"description": "pull again at once with the new cursor"})
    entries = fields.List(fields.Nested(SyncedEntrySchema))
    infusions = fields.List(fields.Nested(SyncedInfusionSchema))
    suggestions = fields.List(fields.Nested(SuggestionSchema))


class ExportSchema(Schema):
    format = fields.Constant("infusion-diary-export/1")
    exported_at = fields.DateTime()
    profile = fields.Nested(ProfileSchema)
    entries = fields.List(fields.Nested(EntrySchema))
    infusions = fields.List(fields.Nested(InfusionSchema))
    suggestions = fields.List(fields.Nested(SuggestionSchema))
    devices = fields.List(fields.Nested(DeviceSchema))


class EraseSchema(Schema):
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )
