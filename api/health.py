"""Liveness with a database check, for load balancers and monitoring."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields
from sqlalchemy import text

from api.auth import Blueprint
from models import db
from schemas.common import Schema

blp = Blueprint("health", __name__, url_prefix="/health", description="Operational checks")


class HealthSchema(Schema):
    status = fields.String(metadata={"example": "ok"})
    database = fields.String(metadata={"example": "ok"})


@blp.route("")
class HealthViews(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self):
        """Is the service up and its database reachable?"""
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return {"status": "ok", "database": "ok"}
