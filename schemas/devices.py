"""Push targets: an FCM registration token or a Web Push subscription."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urlsplit

import marshmallow as ma
from marshmallow import fields, validate

from models.enums import Platform
from schemas.common import Schema

FCM_TOKEN = re.compile(r"^[A-Za-z0-9_:\-.]{20,4096}$")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _b64url_bytes(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ma.ValidationError("not base64url") from None


def _p256dh(value: str) -> None:
    raw = _b64url_bytes(value)
    if len(raw) != 65 or raw[0] != 0x04:
        raise ma.ValidationError("must be an uncompressed P-256 public key (65 bytes, base64url)")


def _auth_secret(value: str) -> None:
    if len(_b64url_bytes(value)) != 16:
        raise ma.ValidationError("must be a 16-byte secret, base64url")


def _endpoint(value: str) -> None:
    parts = urlsplit(value)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if not parts.netloc or (parts.scheme != "https" and not loopback):
        raise ma.ValidationError("must be an https URL")


class SubscriptionKeysSchema(Schema):
    p256dh = fields.String(required=True, validate=[validate.Length(max=200), _p256dh])
    auth = fields.String(required=True, validate=[validate.Length(max=100), _auth_secret])


class SubscriptionSchema(Schema):
    """A browser's PushSubscription.toJSON()."""

    endpoint = fields.String(required=True, validate=[validate.Length(max=2000), _endpoint])
    keys = fields.Nested(SubscriptionKeysSchema, required=True)
    expirationTime = fields.Raw(load_default=None, allow_none=True)  # noqa: N815 (browser name)


class DeviceCreateSchema(Schema):
    platform = fields.Enum(Platform, by_value=True, required=True)
    token = fields.String(
        load_default=None,
        validate=validate.Regexp(FCM_TOKEN, error="not an FCM registration token"),
        metadata={"description": "FCM registration token (platform fcm)"},
    )
    subscription = fields.Nested(
        SubscriptionSchema,
        load_default=None,
        metadata={"description": "Web Push subscription (platform webpush)"},
    )
    label = fields.String(
        load_default=None, validate=validate.Length(max=100), metadata={"example": "Pixel 8"}
    )

    @ma.validates_schema
    def _matches_platform(self, data, **kwargs):
        platform = data.get("platform")
        if platform == Platform.FCM:
            if not data.get("token"):
                raise ma.ValidationError("required for platform fcm", "token")
            if data.get("subscription"):
                raise ma.ValidationError("only for platform webpush", "subscription")
        elif platform == Platform.WEBPUSH:
            if not data.get("subscription"):
                raise ma.ValidationError("required for platform webpush", "subscription")
            if data.get("token"):
                raise ma.ValidationError("only for platform fcm", "token")


class DeviceSchema(Schema):
    """A registered push target; its token and keys are never sent back."""

    id = fields.Integer()
    platform = fields.Enum(Platform, by_value=True)
    label = fields.String(allow_none=True)
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    disabled = fields.Function(lambda d: d.disabled_at is not None)
    disabled_reason = fields.String(allow_none=True)
