"""Bearer access tokens and the one mechanism that checks them and the caller's role."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import uuid
from collections.abc import Callable
from typing import Any

import flask_smorest
import jwt
from flask import current_app, g, request

from models import db
from models.accounts import Account, AuthSession, Patient, account_for_access
from models.clock import utcnow
from models.enums import Role
from models.errors import Forbidden, Unauthorized

ISSUER = "infusion-diary"
ALGORITHM = "HS256"
SECURITY_SCHEME = "bearerAuth"

# Which account roles satisfy a required role: an admin is also a clinician.
SATISFIES: dict[Role, set[Role]] = {
    Role.PATIENT: {Role.PATIENT},
    Role.CLINICIAN: {Role.CLINICIAN, Role.ADMIN},
    Role.ADMIN: {Role.ADMIN},
}


def _signing_key() -> bytes:
    # A key of its own for tokens, derived from SECRET_KEY, so no other use of the secret can
    # produce something that verifies as a token.
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"infusion-diary access token v1", hashlib.sha256).digest()


def issue_access_token(account: Account, auth_session: AuthSession) -> tuple[str, int]:
    ttl = int(current_app.config["ACCESS_TOKEN_TTL_SECONDS"])
    now = utcnow()
    claims = {
        "iss": ISSUER,
        "sub": str(account.id),
        "sid": auth_session.id,
        "role": account.role.value,
        "clinic": account.clinic_id,
        "iat": now,
        "nbf": now,
        "exp": now + dt.timedelta(seconds=ttl),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, _signing_key(), algorithm=ALGORITHM), ttl


def _decode(token: str) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            _signing_key(),
            algorithms=[ALGORITHM],  # a fixed list: "none" and key-confusion tricks are refused
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "sid", "iss"]},
            leeway=5,
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("access token has expired; refresh it") from None
    except jwt.PyJWTError:
        raise Unauthorized("access token is not valid") from None


def authenticate() -> Account:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer access token (Authorization: Bearer …)")
    claims = _decode(token.strip())
    try:
        account_id = int(claims["sub"])
    except (TypeError, ValueError):
        raise Unauthorized("access token is not valid") from None
    account = account_for_access(db.session, account_id, str(claims["sid"]))
    if account is None or account.role.value != claims.get("role"):
        raise Unauthorized("this sign-in has ended; log in again")
    g.account = account
    return account


def current_account() -> Account:
    return g.account


def current_patient() -> Patient:
    patient = g.account.patient
    assert patient is not None, "auth_required(Role.PATIENT) guarantees a patient"
    return patient


class Blueprint(flask_smorest.Blueprint):
    """A Blueprint whose views declare who may call them; the declaration also documents
    the bearer security and the 401/403 answers in the OpenAPI spec."""

    def auth_required(self, role: Role | None = None) -> Callable:
        def decorator(func: Callable) -> Callable:
            @functools.wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                account = authenticate()
                if role is not None and account.role not in SATISFIES[role]:
                    raise Forbidden(f"this endpoint is for {role.value} accounts")
                return func(*args, **kwargs)

            doc: dict[str, Any] = {"security": [{SECURITY_SCHEME: []}]}
            if role is not None:
                # Machine-readable for clients and for the generated access-matrix tests.
                doc["x-required-role"] = role.value
            wrapper = self.doc(**doc)(wrapper)
            wrapper = self.alt_response(401, response="UNAUTHORIZED")(wrapper)
            if role is not None:
                wrapper = self.alt_response(403, response="FORBIDDEN")(wrapper)
            return wrapper

        return decorator
