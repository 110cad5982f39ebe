"""Request and response shapes of registration, login, tokens and the patient profile."""

from __future__ import annotations

from marshmallow import fields, validate

from models.enums import Condition, Role
from schemas.common import LocalTime, Schema, Timezone

PASSWORD_MIN = 10
PASSWORD_MAX = 256


class RegisterSchema(Schema):
    email = fields.Email(
        required=True, validate=validate.Length(max=254), metadata={"example": "ada@example.org"}
    )
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=PASSWORD_MIN, max=PASSWORD_MAX),
        metadata={"description": f"{PASSWORD_MIN} to {PASSWORD_MAX} characters"},
    )
    invite_code = fields.String(
        required=True,
        validate=validate.Length(min=4, max=40),
        metadata={"example": "7K3M-Q9TZ-2HXA"},
    )
    timezone = Timezone(
        load_default=None, metadata={"description": "IANA time zone; required for patients"}
    )
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=200))


class LoginSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=PASSWORD_MAX)
    )


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})
    role = fields.Enum(Role, by_value=True, required=True)


class ClinicSummarySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    timezone = fields.String()
    booking_url = fields.String(allow_none=True)
    booking_phone = fields.String(allow_none=True)


class AccountSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String(allow_none=True)
    role = fields.Enum(Role, by_value=True)
    clinic_id = fields.Integer()
    created_at = fields.DateTime()


class ProfileSchema(Schema):
    """The signed-in patient's profile."""

    id = fields.Integer(metadata={"description": "patient id"})
    account_id = fields.Integer()
    email = fields.String(attribute="account.email")
    name = fields.String(attribute="account.name", allow_none=True)
    clinic = fields.Nested(ClinicSummarySchema, attribute="account.clinic")
    timezone = fields.String()
    condition = fields.Enum(Condition, by_value=True, allow_none=True)
    reminder_time = LocalTime()
    reminders_enabled = fields.Boolean()
    quiet_hours_start = LocalTime(allow_none=True)
    quiet_hours_end = LocalTime(allow_none=True)
    suggestion_push_enabled = fields.Boolean()
    created_at = fields.DateTime()


class ProfilePatchSchema(Schema):
    name = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    timezone = Timezone()
    condition = fields.Enum(Condition, by_value=True, allow_none=True)
    reminder_time = LocalTime()
    reminders_enabled = fields.Boolean()
    quiet_hours_start = LocalTime(
        allow_none=True, metadata={"description": "local HH:MM; may wrap midnight"}
    )
    quiet_hours_end = LocalTime(allow_none=True)
    suggestion_push_enabled = fields.Boolean()
