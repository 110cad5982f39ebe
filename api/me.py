"""The signed-in patient's own profile."""

from __future__ import annotations

from flask import g
from flask.views import MethodView

from api.auth import Blueprint, current_account, current_patient
from api.http import IF_MATCH_PARAM, etag, if_match
from api.records import chart_response
from jobs import insights
from models import accounts, db, diary, erasure
from models.enums import Role
from schemas.accounts import ProfilePatchSchema, ProfileSchema
from schemas.review import ChartArgsSchema, InsightsSchema
from schemas.sync import EraseSchema, ExportSchema

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The patient's profile")


def _etag(version: int) -> str:
    return etag("profile", version)


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
    @blp.doc(parameters=[IF_MATCH_PARAM])
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, data):
        """Change my profile

        Time zone (IANA), condition, daily reminder time and quiet hours (local `HH:MM`; both
        or neither; they may wrap midnight). `If-Match` with the profile's ETag is optional;
        a stale one gives 412.
        """
        patient = accounts.update_profile(
            db.session, current_account(), data, if_match_version=if_match("profile")[0]
        )
        db.session.commit()
        return patient, {"ETag": _etag(patient.version)}

    @blp.auth_required(Role.PATIENT)
    @blp.arguments(EraseSchema)
    @blp.response(204)
    @blp.alt_response(403, response="FORBIDDEN")
    def delete(self, data):
        """Erase me: my account and all my health data

        Re-enter the password. Entries, infusions, suggestions, devices and sign-ins are
        deleted, not flagged; every token stops working at once. The clinic's audit trail
        keeps only the fact that an erasure happened. Export first if you want a copy.
        """
        erasure.erase_patient(
            db.session, current_account(), data["password"], request_id=g.request_id
        )
        db.session.commit()


@blp.route("/export")
class ExportViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.response(200, ExportSchema)
    def get(self):
        """Download all my data as one JSON document

        Profile, entries, infusions, suggestions and devices (without push tokens or keys).
        """
        return erasure.export_patient(db.session, current_patient())


@blp.route("/insights")
class MyInsightsViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.response(200, InsightsSchema)
    def get(self):
        """My infusion cycles: baseline, best relief, days of relief, forecast

        What the app charts: per cycle the baseline, the best relief reached, how many days
        relief lasted (or has lasted so far) and whether it wore off; and, with two or more
        earlier cycles, when the current one is expected to wear off.
        """
        patient = current_patient()
        return insights.for_patient(db.session, patient, diary.local_today(patient.timezone))


@blp.route("/chart.png")
class MyChartViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.arguments(ChartArgsSchema, location="query")
    @blp.response(200, content_type="image/png", description="PNG chart")
    def get(self, args):
        """My diary as a chart (`size=phone` or `desktop`, optional `from`/`to`)"""
        return chart_response(current_patient(), args)
