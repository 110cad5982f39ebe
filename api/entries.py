"""The patient's daily diary entries, one per local date."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import Blueprint, current_patient
from api.http import IF_MATCH_PARAM, etag, if_match
from api.pagination import SelectPage
from models import db, diary
from models.enums import Role
from schemas.common import RangeArgsSchema
from schemas.diary import EntryPutSchema, EntrySchema

blp = Blueprint("entries", __name__, url_prefix="/api/v1/me/entries", description="Daily diary")

ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "the entry's version"}}
ENTRY_EXAMPLE = {
    "pain": 6,
    "fatigue": 5,
    "mood": 4,
    "sleep_quality": 5,
    "sleep_hours": 6.5,
    "notes": "Rough night",
    "side_effects": ["headache"],
}


@blp.route("")
class EntryViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.arguments(RangeArgsSchema, location="query")
    @blp.response(200, EntrySchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List my entries, newest first

        Optional `from` and `to` (inclusive local dates). Paginated: `page`, `page_size`;
        totals in the `X-Pagination` header.
        """
        return diary.entries_query(current_patient(), args["from_"], args["to"])


@blp.route("/<isodate:day>")
class EntryByDateViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.response(200, EntrySchema, headers=ETAG_HEADER)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, day):
        """Read the entry of one local date"""
        entry = diary.get_entry(db.session, current_patient(), day)
        return entry, {"ETag": etag("entry", entry.version)}

    @blp.auth_required(Role.PATIENT)
    @blp.arguments(EntryPutSchema, example=ENTRY_EXAMPLE)
    @blp.response(200, EntrySchema, headers=ETAG_HEADER, description="replaced (or unchanged)")
    @blp.alt_response(201, schema=EntrySchema, description="created", success=True)
    @blp.doc(parameters=[IF_MATCH_PARAM])
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    @blp.alt_response(400, response="BAD_REQUEST")
    def put(self, data, day):
        """Create or replace the entry of one local date

        `day` is the patient's own calendar date (their time zone), at most one day after
        their today and not more than a year before the account. Sending the same body again
        changes nothing (same version and ETag). `If-Match` is optional; a stale one is 412.
        """
        version, any_version = if_match("entry")
        entry, created = diary.put_entry(
            db.session, current_patient(), day, data, if_match=version, if_match_any=any_version
        )
        db.session.commit()
        return entry, 201 if created else 200, {"ETag": etag("entry", entry.version)}

    @blp.auth_required(Role.PATIENT)
    @blp.response(204)
    @blp.doc(parameters=[IF_MATCH_PARAM])
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def delete(self, day):
        """Delete the entry of one local date

        Leaves a tombstone that other devices receive through sync. Deleting again is 204.
        """
        diary.delete_entry(db.session, current_patient(), day, if_match=if_match("entry")[0])
        db.session.commit()
