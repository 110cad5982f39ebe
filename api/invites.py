"""Invites a clinic issues so that patients (and, from admins, staff) can register."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from api.auth import Blueprint, current_account
from api.pagination import SelectPage
from models import clinic, db
from models.enums import Role
from schemas.clinic import InviteCreateSchema, InviteSchema

blp = Blueprint(
    "invites",
    __name__,
    url_prefix="/api/v1/clinic/invites",
    description="Invite codes for registration",
)


@blp.route("")
class InviteViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.response(200, InviteSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """List my clinic's invites, newest first

        Codes are not shown again: only their last four characters.
        """
        return clinic.list_invites(db.session, current_account().clinic_id)

    @blp.auth_required(Role.CLINICIAN)
    @blp.arguments(InviteCreateSchema)
    @blp.response(201, InviteSchema)
    def post(self, data):
        """Create an invite

        A patient invite by default; an admin may invite staff with `"role": "clinician"` or
        `"admin"`. The code is in this response only.
        """
        account = current_account()
        days = data.pop("expires_in_days") or current_app.config["INVITE_TTL_DAYS"]
        invite, code = clinic.create_invite(
            db.session, account.clinic, account, expires_in_days=days, **data
        )
        db.session.commit()
        invite.code = code  # shown once; it is not stored
        return invite
