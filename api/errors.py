"""Every error as JSON in one shape: {code, status, message, errors}; no internals leak."""

from __future__ import annotations

import logging
import sqlite3
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import Flask, g, request
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from models import db
from models.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Malformed,
    NotFound,
    PreconditionFailed,
    TooManyRequests,
    Unauthorized,
)

log = logging.getLogger("infusion_diary.errors")

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    Malformed: 400,
    Invalid: 422,
    Conflict: 409,
    Forbidden: 403,
    Unauthorized: 401,
    PreconditionFailed: 412,
    TooManyRequests: 429,
}

DEFAULT_MESSAGES = {
    404: "no such resource",
    405: "method not allowed on this resource",
    413: "request body is larger than the limit (MAX_BODY_BYTES)",
    415: "request body must be JSON (Content-Type: application/json)",
    500: "internal error; it has been logged",
}


def payload(code: int, message: str, errors: dict | None = None) -> dict[str, Any]:
    return {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message,
        "errors": errors or {},
    }


def _field_names(errors: dict, prefix: str = "") -> list[str]:
    """Flatten webargs' {"json": {"pain": [...]}} into ["pain"] for a readable message."""
    names: list[str] = []
    for key, value in errors.items():
        if key in ("json", "query", "querystring", "headers", "path") and isinstance(value, dict):
            names.extend(_field_names(value, prefix))
        elif isinstance(value, dict) and not prefix:
            names.extend(_field_names(value, f"{key}."))
        else:
            names.append(f"{prefix}{key}")
    return names


class Api(flask_smorest.Api):
    """flask-smorest's Api with an error handler that always fills the whole error shape."""

    def handle_http_exception(self, error: HTTPException):
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages") or {}
        headers = dict(data.get("headers") or {})
        if code >= 500:
            db.session.rollback()
            original = getattr(error, "original_exception", None)
            if original is not None:
                # The type and traceback only: bound parameters are hidden by the engine.
                log.error(
                    "unhandled %s in %s %s (request %s)",
                    type(original).__name__,
                    request.method,
                    request.path,
                    g.get("request_id"),
                    exc_info=original,
                )
            message = DEFAULT_MESSAGES[500] if code == 500 else HTTPStatus(code).phrase
        elif "message" in data:
            message = data["message"]
        elif isinstance(errors.get("json"), list):
            message = "request body is not valid JSON"
        elif errors:
            message = "invalid input: " + ", ".join(_field_names(errors))
        else:
            message = DEFAULT_MESSAGES.get(code) or (error.description or HTTPStatus(code).phrase)
        return payload(code, message, errors), code, headers


def _domain_error(error: DomainError):
    db.session.rollback()
    code = next(c for cls, c in STATUS_OF.items() if isinstance(error, cls))
    headers: dict[str, str] = {}
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return payload(code, error.message, error.errors), code, headers


def _integrity_error(error: IntegrityError):
    db.session.rollback()
    return payload(409, "the request conflicts with existing data"), 409


def _transient(error: DBAPIError) -> bool:
    """A database that is down, restarting, locked or aborting a transaction: worth a retry.

    SQLite reports schema mistakes ("no such table") as OperationalError too; those are bugs.
    """
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    if isinstance(error.orig, sqlite3.OperationalError):
        text = str(error.orig).lower()
        return "locked" in text or "busy" in text
    return True


def _database_unavailable(error: DBAPIError):
    db.session.rollback()
    if _transient(error):
        log.warning(
            "database unavailable (%s) for request %s",
            type(error.orig).__name__,
            g.get("request_id"),
        )
        return payload(503, "the database is unavailable; retry shortly"), 503, {"Retry-After": "5"}
    log.error(
        "database error %s (request %s)",
        type(error.orig).__name__,
        g.get("request_id"),
        exc_info=error,
    )
    return payload(500, DEFAULT_MESSAGES[500]), 500


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(DBAPIError, _database_unavailable)
