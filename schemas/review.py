"""Shapes of the clinician's views."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from models.enums import AuditAction, Condition, SuggestionStatus
from models.review import OUTCOMES, URGENCY
from schemas.accounts import ClinicSummarySchema
from schemas.common import IsoDate, RangeArgsSchema, Schema, Timezone
from schemas.diary import EntrySchema, InfusionSchema
from schemas.suggestions import SuggestionSchema


class PatientListArgsSchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(URGENCY))
    q = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of a name or email"},
    )


class PatientRowSchema(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True)
    email = fields.String()
    timezone = fields.String()
    condition = fields.Enum(Condition, by_value=True, allow_none=True)
    status = fields.String(
        validate=validate.OneOf(URGENCY),
        metadata={"description": "most urgent first: " + ", ".join(URGENCY)},
    )
    days_since_infusion = fields.Integer(allow_none=True)
    last_infusion = IsoDate(allow_none=True)
    last_entry = IsoDate(allow_none=True)
    adherence = fields.Float(metadata={"description": "share of the last 14 local days logged"})
    typical_relief_days = fields.Float(allow_none=True)
    open_suggestion_id = fields.Integer(allow_none=True)
    open_suggestion_kind = fields.String(allow_none=True)
    assessed_on = IsoDate(allow_none=True)


class PatientDetailSchema(PatientRowSchema):
    clinic = fields.Nested(ClinicSummarySchema)
    reminder_time = fields.String()
    created_at = fields.DateTime()
    assessment = fields.Dict(allow_none=True, metadata={"description": "the engine's evidence"})


class ChartArgsSchema(RangeArgsSchema):
    size = fields.String(load_default="desktop", validate=validate.OneOf(["phone", "desktop"]))


class TimelineItemSchema(Schema):
    date = IsoDate()
    type = fields.String(validate=validate.OneOf(["entry", "infusion", "suggestion"]))
    entry = fields.Nested(EntrySchema)
    infusion = fields.Nested(InfusionSchema)
    suggestion = fields.Nested(SuggestionSchema)


class CycleInsightSchema(Schema):
    cycle_start = IsoDate()
    last_infusion = IsoDate()
    ended = IsoDate()
    baseline = fields.Dict(allow_none=True)
    best = fields.Dict(allow_none=True)
    thresholds = fields.Dict(allow_none=True)
    responded = fields.Boolean()
    wore_off_on = IsoDate(allow_none=True)
    relief_days = fields.Integer(allow_none=True)
    status = fields.String(allow_none=True)
    suggestions = fields.List(fields.Dict())


class InsightsSchema(Schema):
    today = IsoDate(allow_none=True)
    status = fields.String(allow_none=True)
    typical_relief_days = fields.Float(allow_none=True)
    expected_wearing_off = IsoDate(allow_none=True)
    cycles = fields.List(fields.Nested(CycleInsightSchema))


class TriageArgsSchema(Schema):
    status = fields.Enum(SuggestionStatus, by_value=True, load_default=SuggestionStatus.OPEN)


class TriageItemSchema(SuggestionSchema):
    patient_id = fields.Integer()
    patient_name = fields.String(allow_none=True)
    patient_email = fields.String()

    @ma.pre_dump
    def _from_row(self, item, **kwargs):
        """A queue row is (suggestion, patient name, patient email); a suggestion alone too."""
        if hasattr(item, "_mapping"):
            suggestion, name, email = item
            return {
                **{f: getattr(suggestion, f) for f in SuggestionSchema().fields},
                "patient_id": suggestion.patient_id,
                "patient_name": name,
                "patient_email": email,
            }
        return item


class ResolveSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    appointment_on = IsoDate(load_default=None)
    note = fields.String(load_default=None, validate=validate.Length(max=500))


class ClinicInfusionSchema(Schema):
    administered_on = IsoDate(required=True)
    administered_at = fields.Time(format="%H:%M", allow_none=True, load_default=None)
    kind = fields.String(
        required=True, validate=validate.OneOf(["induction", "booster", "maintenance"])
    )
    dose_mg = fields.Float(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=0, max=2000, min_inclusive=False),
    )
    notes = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class ClinicSettingsSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(validate=validate.Length(min=1, max=200))
    timezone = Timezone()
    booking_url = fields.Url(
        allow_none=True, schemes={"https", "http"}, validate=validate.Length(max=500)
    )
    booking_phone = fields.String(
        allow_none=True,
        validate=[
            validate.Length(max=40),
            validate.Regexp(r"^\+?[0-9 ()./-]{3,40}$", error="not a phone number"),
        ],
    )
    booking_lead_days = fields.Integer(strict=True, validate=validate.Range(min=0, max=90))
    detection_settings = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "overrides of the detection defaults, by name"},
    )


class AuditArgsSchema(Schema):
    patient_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    actor_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_role = fields.String(allow_none=True)
    patient_id = fields.Integer(allow_none=True)
    action = fields.Enum(AuditAction, by_value=True)
    resource = fields.String()
    endpoint = fields.String(allow_none=True)
    method = fields.String(allow_none=True)
    status_code = fields.Integer(allow_none=True)
    address = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    detail = fields.Dict()
