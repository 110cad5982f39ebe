"""Booster suggestions, from the patient's side."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import Blueprint, current_account, current_patient
from api.pagination import SelectPage
from models import db, suggestions
from models.enums import Role
from schemas.suggestions import (
    AcknowledgeSchema,
    BookSchema,
    DismissSchema,
    SuggestionQueryArgsSchema,
    SuggestionSchema,
)

blp = Blueprint(
    "suggestions", __name__, url_prefix="/api/v1/me/suggestions", description="Booster suggestions"
)


def _transition(suggestion_id: int, action: str, **details):
    suggestion = suggestions.transition(
        db.session,
        current_patient().id,
        suggestion_id,
        action,
        by_account_id=current_account().id,
        **details,
    )
    db.session.commit()
    return suggestion


@blp.route("")
class SuggestionViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.arguments(SuggestionQueryArgsSchema, location="query")
    @blp.response(200, SuggestionSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List my booster suggestions, newest first (optionally by `status`)"""
        return suggestions.suggestions_query(current_patient().id, args["status"])


@blp.route("/<int:suggestion_id>/acknowledge")
class AcknowledgeViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.arguments(AcknowledgeSchema)
    @blp.response(200, SuggestionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, _data, suggestion_id):
        """I have seen this suggestion (open → acknowledged)"""
        return _transition(suggestion_id, "acknowledge")


@blp.route("/<int:suggestion_id>/book")
class BookViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.arguments(BookSchema)
    @blp.response(200, SuggestionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, suggestion_id):
        """I booked the booster (open or acknowledged → booked)"""
        return _transition(
            suggestion_id, "book", appointment_on=data["appointment_on"], note=data["note"]
        )


@blp.route("/<int:suggestion_id>/dismiss")
class DismissViews(MethodView):
    @blp.auth_required(Role.PATIENT)
    @blp.arguments(DismissSchema)
    @blp.response(200, SuggestionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, suggestion_id):
        """I do not want a booster now (open or acknowledged → dismissed)"""
        return _transition(suggestion_id, "dismiss", note=data["note"])
