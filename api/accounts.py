"""Registration, login, token refresh and logout."""

from __future__ import annotations

import datetime as dt

from flask import current_app, request
from flask.views import MethodView

from api.auth import Blueprint, issue_access_token
from models import accounts, db
from models.accounts import LoginOutcome, ThrottlePolicy
from schemas.accounts import (
    AccountSchema,
    LoginSchema,
    RefreshSchema,
    RegisterSchema,
    TokenSchema,
)

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and tokens")


def _refresh_ttl() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["REFRESH_TOKEN_TTL_DAYS"])


def _tokens(outcome: LoginOutcome) -> dict:
    assert outcome.account and outcome.session and outcome.refresh_token
    access, ttl = issue_access_token(outcome.account, outcome.session)
    return {
        "access_token": access,
        "refresh_token": outcome.refresh_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "role": outcome.account.role,
    }


def _finish(outcome: LoginOutcome) -> dict:
    # Failures are state too (throttle counters, a revoked family): commit them, then answer.
    db.session.commit()
    if outcome.error is not None:
        raise outcome.error
    return _tokens(outcome)


@blp.route("/register")
class RegisterViews(MethodView):
    @blp.arguments(RegisterSchema)
    @blp.response(201, AccountSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Register with an invite code

        The invite decides the clinic and the role. A patient must give an IANA time zone.
        """
        account = accounts.register_account(db.session, **data)
        db.session.commit()
        return account


@blp.route("/login")
class LoginViews(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(
        429, response="TOO_MANY_REQUESTS", headers={"Retry-After": {"schema": {"type": "integer"}}}
    )
    def post(self, data):
        """Log in with email and password

        Returns a short-lived access token and a refresh token. Repeated failures for one
        email or from one address are throttled (429 with `Retry-After`).
        """
        cfg = current_app.config
        policy = ThrottlePolicy(
            max_failures_per_email=cfg["LOGIN_MAX_FAILURES_PER_EMAIL"],
            max_failures_per_address=cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            window_seconds=cfg["LOGIN_THROTTLE_WINDOW_SECONDS"],
        )
        outcome = accounts.login(
            db.session,
            email=data["email"],
            password=data["password"],
            address=request.remote_addr,
            policy=policy,
            refresh_ttl=_refresh_ttl(),
        )
        return _finish(outcome)


@blp.route("/refresh")
class RefreshViews(MethodView):
    @blp.arguments(RefreshSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    def post(self, data):
        """Exchange a refresh token for new tokens

        Each refresh token works once and is replaced. Presenting a spent one again ends
        the whole sign-in (every token of it), since it means the token was copied.
        """
        return _finish(accounts.refresh(db.session, data["refresh_token"], _refresh_ttl()))


@blp.route("/logout")
class LogoutViews(MethodView):
    @blp.arguments(RefreshSchema)
    @blp.response(204)
    def post(self, data):
        """Log out: end the sign-in of this refresh token

        Its refresh and access tokens stop working at once. Unknown tokens are ignored.
        """
        accounts.logout(db.session, data["refresh_token"])
        db.session.commit()
