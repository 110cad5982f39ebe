"""The signed-in patient's own profile."""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from api.auth import Blueprint, current_account, current_patient
from models import accounts, db
from models.enums import Role
from models.errors import Invalid
from schemas.accounts import ProfilePatchSchema, ProfileSchema

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The patient's profile")


def _etag(version: int) -> str:
    return f'"profile-{version}"'


def _if_match_version() -> int | None:
    """The version named by If-Match, if the client sent one (it is optional)."""
    if not request.if_match:
        return None
    if request.if_match.star_tag:
        return None
    for tag in request.if_match.as_set():
        if tag.startswith("profile-") and tag[8:].isdigit():
            return int(tag[8:])
    raise Invalid("If-Match does not name a version of this profile", {"If-Match": ["unknown"]})


@blp.route("")
class MeViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.response(200, ProfileSchema, headers={"ETag": {"schema": {"type": "string"}}})
    def get(self):
        """Read my profile"""
        patient = current_patient()
        return patient, {"ETag": _etag(patient.version)}

    @blp.auth_required(Role.PATIENT)
    @blp.arguments(ProfilePatchSchema)
    @blp.response(200, ProfileSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, data):
        """Change my profile

        Time zone (IANA), condition, daily reminder time and quiet hours (local `HH:MM`; both
        or neither; they may wrap midnight). `If-Match` with the profile's ETag is optional;
        a stale one gives 412.
        """
        patient = accounts.update_profile(
            db.session, current_account(), data, if_match_version=_if_match_version()
        )
        db.session.commit()
        return patient, {"ETag": _etag(patient.version)}
