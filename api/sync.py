"""Incremental sync for offline-first clients."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask.views import MethodView

from api.auth import Blueprint, current_patient
from models import changes, db
from models.enums import Role
from models.errors import Malformed
from schemas.sync import SyncQueryArgsSchema, SyncSchema

blp = Blueprint("sync", __name__, url_prefix="/api/v1/me/sync", description="Sync")


def _signature(patient_id: int, seq: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"sync-cursor:{patient_id}:{seq}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def encode_cursor(patient_id: int, seq: int) -> str:
    return f"{seq}.{_signature(patient_id, seq)}"


def decode_cursor(patient_id: int, cursor: str | None) -> int:
    """The change number inside a cursor this server issued to this patient."""
    if cursor is None:
        return 0
    seq_text, _, signature = cursor.partition(".")
    if not seq_text.isdigit() or not hmac.compare_digest(
        signature, _signature(patient_id, int(seq_text))
    ):
        raise Malformed("sync cursor is not one this server issued", {"since": ["unknown cursor"]})
    return int(seq_text)


@blp.route("")
class SyncViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.arguments(SyncQueryArgsSchema, location="query")
    @blp.response(200, SyncSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    def get(self, args):
        """Everything of mine that changed after a cursor

        Entries (deleted ones as tombstones with `deleted: true`), infusions and booster
        suggestions changed after `since`, oldest change first, and the cursor to pass next
        time. Without `since`, everything. When `has_more` is true, pull again with the new
        cursor. Cursors are issued by the server and never depend on the device's clock; an
        unknown or malformed one is 400.
        """
        patient = current_patient()
        since = decode_cursor(patient.id, args["since"])
        found = changes.changes_since(db.session, patient.id, since, args["limit"])
        return {
            "cursor": encode_cursor(patient.id, found.cursor),
            "has_more": found.has_more,
            "entries": found.entries,
            "infusions": found.infusions,
            "suggestions": found.suggestions,
        }
