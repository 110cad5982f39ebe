"""The patient's push targets."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import Blueprint, current_patient
from api.pagination import SelectPage
from models import db, notifications
from models.enums import Role
from schemas.devices import DeviceCreateSchema, DeviceSchema

blp = Blueprint(
    "devices", __name__, url_prefix="/api/v1/me/devices", description="Push notification targets"
)


@blp.route("")
class DeviceViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.response(200, DeviceSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """List my registered devices (tokens and keys are never shown)"""
        return notifications.devices_query(current_patient().id)

    @blp.auth_required(Role.PATIENT)
    @blp.arguments(
        DeviceCreateSchema,
        example={
            "platform": "webpush",
            "subscription": {
                "endpoint": "https://push.example.net/send/abc",
                "keys": {"p256dh": "BN…65 bytes base64url", "auth": "16 bytes b64url"},
            },
            "label": "Firefox on laptop",
        },
    )
    @blp.response(201, DeviceSchema, description="registered")
    @blp.alt_response(
        200,
        schema=DeviceSchema,
        success=True,
        description="already registered: refreshed, not duplicated",
    )
    def post(self, data):
        """Register this device for push notifications

        Platform `fcm` with `token`, or `webpush` with the browser's `subscription`.
        Registering the same token or endpoint again updates it (200) instead of duplicating.
        """
        subscription = data["subscription"] or {}
        keys = subscription.get("keys") or {}
        device, created = notifications.register_device(
            db.session,
            current_patient().id,
            platform=data["platform"],
            token=data["token"],
            endpoint=subscription.get("endpoint"),
            p256dh=keys.get("p256dh"),
            auth=keys.get("auth"),
            label=data["label"],
        )
        db.session.commit()
        return device, 201 if created else 200


@blp.route("/<int:device_id>")
class DeviceByIdViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, device_id):
        """Unregister a device"""
        notifications.delete_device(db.session, current_patient().id, device_id)
        db.session.commit()
