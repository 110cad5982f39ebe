"""Diary entries and infusions."""

from __future__ import annotations

from marshmallow import fields, validate

from models.diary import NOTES_MAX_LENGTH
from models.enums import InfusionKind, RecordedBy, SideEffect
from schemas.common import IsoDate, JsonNumber, LocalTime, Schema, Score, decimals

SCORE_HELP = {
    "pain": "0 = no pain, 10 = worst imaginable",
    "fatigue": "0 = none, 10 = worst",
    "mood": "0 = worst, 10 = best",
    "sleep_quality": "0 = worst, 10 = best",
}


class EntryPutSchema(Schema):
    pain = Score(required=True, metadata={"description": SCORE_HELP["pain"], "example": 6})
    fatigue = Score(required=True, metadata={"description": SCORE_HELP["fatigue"], "example": 5})
    mood = Score(required=True, metadata={"description": SCORE_HELP["mood"], "example": 4})
    sleep_quality = Score(
        required=True, metadata={"description": SCORE_HELP["sleep_quality"], "example": 5}
    )
    sleep_hours = JsonNumber(
        allow_none=True,
        load_default=None,
        validate=[validate.Range(min=0, max=24), decimals(1)],
        metadata={"description": "0–24, one decimal", "example": 6.5},
    )
    notes = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=NOTES_MAX_LENGTH)
    )
    side_effects = fields.List(
        fields.Enum(SideEffect, by_value=True),
        load_default=list,
        validate=validate.Length(max=len(SideEffect)),
        metadata={"description": "any of: " + ", ".join(s.value for s in SideEffect)},
    )


class EntrySchema(Schema):
    date = IsoDate(attribute="entry_date")
    pain = fields.Integer(allow_none=True)
    fatigue = fields.Integer(allow_none=True)
    mood = fields.Integer(allow_none=True)
    sleep_quality = fields.Integer(allow_none=True)
    sleep_hours = fields.Float(allow_none=True)
    notes = fields.String(allow_none=True)
    side_effects = fields.List(fields.String())
    version = fields.Integer(metadata={"description": "also the ETag"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SyncedEntrySchema(EntrySchema):
    deleted = fields.Function(lambda e: e.deleted_at is not None)


class InfusionCreateSchema(Schema):
    administered_on = IsoDate(required=True, metadata={"description": "local date"})
    administered_at = LocalTime(allow_none=True, load_default=None)
    kind = fields.Enum(InfusionKind, by_value=True, required=True)
    dose_mg = JsonNumber(
        allow_none=True,
        load_default=None,
        validate=[validate.Range(min=0, max=2000, min_inclusive=False), decimals(2)],
    )
    notes = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=NOTES_MAX_LENGTH)
    )


class InfusionPatchSchema(Schema):
    administered_on = IsoDate()
    administered_at = LocalTime(allow_none=True)
    kind = fields.Enum(InfusionKind, by_value=True)
    dose_mg = JsonNumber(
        allow_none=True,
        validate=[validate.Range(min=0, max=2000, min_inclusive=False), decimals(2)],
    )
    notes = fields.String(allow_none=True, validate=validate.Length(max=NOTES_MAX_LENGTH))


class InfusionSchema(Schema):
    id = fields.Integer()
    administered_on = IsoDate()
    administered_at = LocalTime(allow_none=True)
    kind = fields.Enum(InfusionKind, by_value=True)
    dose_mg = fields.Float(allow_none=True)
    notes = fields.String(allow_none=True)
    recorded_by = fields.Enum(
        RecordedBy,
        by_value=True,
        metadata={"description": "clinician records are read-only to the patient"},
    )
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SyncedInfusionSchema(InfusionSchema):
    deleted = fields.Function(lambda i: i.deleted_at is not None)
