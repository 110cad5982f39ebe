"""Invites and other clinic-side shapes."""

from __future__ import annotations

from marshmallow import fields, validate

from models.enums import Role
from schemas.common import Schema


class InviteCreateSchema(Schema):
    role = fields.Enum(
        Role,
        by_value=True,
        load_default=Role.PATIENT,
        metadata={"description": "staff roles (clinician, admin) need an admin"},
    )
    email = fields.Email(
        load_default=None,
        validate=validate.Length(max=254),
        metadata={"description": "if set, only this address may register"},
    )
    note = fields.String(load_default=None, validate=validate.Length(max=500))
    expires_in_days = fields.Integer(load_default=None, validate=validate.Range(min=1, max=90))


class InviteSchema(Schema):
    id = fields.Integer()
    role = fields.Enum(Role, by_value=True)
    code = fields.String(
        metadata={"description": "shown once, in the response that creates the invite"}
    )
    code_hint = fields.String(metadata={"description": "last four characters of the code"})
    email = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(["pending", "used", "expired"]))
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    used_at = fields.DateTime(allow_none=True)
    created_by_id = fields.Integer(allow_none=True)
