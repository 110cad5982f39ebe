"""Infusions as the patient sees and self-reports them."""

from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView

from api.auth import Blueprint, current_account, current_patient
from api.http import IDEMPOTENCY_HEADER, IF_MATCH_PARAM, etag, idempotency_key, if_match
from api.pagination import SelectPage
from models import db, diary, idempotency
from models.enums import RecordedBy, Role
from models.sync import next_seq
from schemas.diary import InfusionCreateSchema, InfusionPatchSchema, InfusionSchema

blp = Blueprint(
    "infusions", __name__, url_prefix="/api/v1/me/infusions", description="My infusions"
)

IDEMPOTENCY_PARAM = {
    "in": "header",
    "name": IDEMPOTENCY_HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
    "description": "a retry with the same key returns the first response; reuse with another "
    "body is 422",
}


@blp.route("")
class InfusionViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.response(200, InfusionSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """List my infusions, newest first"""
        return diary.infusions_query(current_patient())

    @blp.auth_required(Role.PATIENT)
    @blp.arguments(
        InfusionCreateSchema,
        example={"administered_on": "2026-03-02", "kind": "booster", "dose_mg": 35},
    )
    @blp.response(201, InfusionSchema)
    @blp.doc(parameters=[IDEMPOTENCY_PARAM])
    def post(self, data):
        """Record an infusion I received (self-report)

        Send an `Idempotency-Key` header so that a retry after a lost response does not
        record the infusion twice.
        """
        account, patient = current_account(), current_patient()
        key = idempotency_key()
        if key is not None:
            print_ = idempotency.fingerprint(request.method, request.path, data)
            next_seq(db.session, patient.id)  # serialise with this patient's other writes
            earlier = idempotency.find(db.session, account.id, key, print_)
            if earlier is not None:
                db.session.rollback()
                return jsonify(earlier.response), earlier.status_code
        infusion = diary.create_infusion(
            db.session,
            patient,
            data,
            recorded_by=RecordedBy.PATIENT,
            recorded_by_account_id=account.id,
        )
        if key is not None:
            idempotency.remember(
                db.session, account.id, key, print_, 201, InfusionSchema().dump(infusion)
            )
        db.session.commit()
        return infusion, {"ETag": etag("infusion", infusion.version)}


@blp.route("/<int:infusion_id>")
class InfusionByIdViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.response(200, InfusionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, infusion_id):
        """Read one of my infusions"""
        infusion = diary.get_infusion(db.session, current_patient(), infusion_id)
        return infusion, {"ETag": etag("infusion", infusion.version)}

    @blp.auth_required(Role.PATIENT)
    @blp.arguments(InfusionPatchSchema)
    @blp.response(200, InfusionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(parameters=[IF_MATCH_PARAM])
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, data, infusion_id):
        """Change an infusion I recorded

        Infusions recorded by the clinic are read-only to the patient (403).
        """
        infusion = diary.update_infusion(
            db.session, current_patient(), infusion_id, data, if_match=if_match("infusion")[0]
        )
        db.session.commit()
        return infusion, {"ETag": etag("infusion", infusion.version)}

    @blp.auth_required(Role.PATIENT)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, infusion_id):
        """Delete an infusion I recorded

        Clinic-recorded infusions cannot be deleted by the patient (403). Deleting again is 204.
        """
        diary.delete_infusion(db.session, current_patient(), infusion_id)
        db.session.commit()
