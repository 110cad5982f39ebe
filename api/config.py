"""Configuration: one class, fed by environment variables only, with safe development defaults."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from jobs.settings import JobSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
MAX_ACCESS_TOKEN_TTL = 900


class ConfigError(RuntimeError):
    """The configuration is unusable; the message says which variable and why."""


# name: (parser, default, description) — the README's configuration table lists the same.
VARIABLES: dict[str, tuple[type, Any, str]] = {
    "APP_ENV": (str, "development", "`development`, `testing` or `production`"),
    "SECRET_KEY": (str, DEV_SECRET_KEY, "signs access tokens; production needs 32+ random chars"),
    "DATABASE_URL": (
        str,
        f"sqlite:///{PROJECT_ROOT / 'instance' / 'infusion-diary.sqlite3'}",
        "SQLAlchemy URL; `postgresql://…` uses psycopg 3",
    ),
    "ACCESS_TOKEN_TTL_SECONDS": (int, 900, "access token lifetime, at most 900"),
    "REFRESH_TOKEN_TTL_DAYS": (int, 30, "refresh token lifetime (each refresh rotates it)"),
    "MAX_BODY_BYTES": (int, 64 * 1024, "larger request bodies get 413"),
    "LOGIN_MAX_FAILURES_PER_EMAIL": (int, 5, "failed logins per email before 429"),
    "LOGIN_MAX_FAILURES_PER_ADDRESS": (int, 50, "failed logins per client address before 429"),
    "LOGIN_THROTTLE_WINDOW_SECONDS": (int, 900, "window and lock-out time of login throttling"),
    "INVITE_TTL_DAYS": (int, 14, "default lifetime of an invite code"),
    "TRUSTED_PROXY_HOPS": (int, 0, "reverse proxies in front whose X-Forwarded-For is trusted"),
    "ARGON2_TIME_COST": (int, 3, "argon2id passes"),
    "ARGON2_MEMORY_KIB": (int, 65536, "argon2id memory in KiB"),
    "ARGON2_PARALLELISM": (int, 4, "argon2id lanes"),
    "LOG_LEVEL": (str, "INFO", "Python logging level"),
    "SCAN_LOCAL_HOUR": (int, 6, "the daily scan evaluates a patient after this local hour"),
    "SUGGESTION_EXPIRY_DAYS": (int, 14, "open suggestions nobody acts on expire after this"),
    "DISPATCH_MAX_ATTEMPTS": (int, 8, "push attempts before a notification is dead"),
    "WEBPUSH_VAPID_PRIVATE_KEY": (str, "", "VAPID private key (PEM or base64url); empty: log"),
    "WEBPUSH_VAPID_SUBJECT": (str, "mailto:ops@infusion-diary.invalid", "VAPID `sub` claim"),
    "FCM_SERVICE_ACCOUNT_FILE": (str, "", "FCM service-account JSON file; empty: log only"),
    "FCM_PROJECT_ID": (str, "", "FCM project (default: the service account's)"),
    "FCM_ENDPOINT": (str, "https://fcm.googleapis.com", "FCM HTTP v1 base URL"),
}


def _parse(name: str, raw: Any, parser: type) -> Any:
    if parser is int and not isinstance(raw, int):
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    return raw


class Config:
    """Settings read from the environment; `overrides` (tests) win over the environment."""

    def __init__(
        self, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> None:
        environ = os.environ if environ is None else environ
        overrides = overrides or {}
        for name, (parser, default, _doc) in VARIABLES.items():
            raw = overrides.get(name, environ.get(name, default))
            setattr(self, name, _parse(name, raw, parser))
        self.extra = {k: v for k, v in overrides.items() if k not in VARIABLES}
        self.validate()

    @property
    def is_production(self) -> bool:
        return self.APP_ENV == "production"

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.DATABASE_URL).get_backend_name() == "sqlite"

    def validate(self) -> None:
        if self.APP_ENV not in ("development", "testing", "production"):
            raise ConfigError(
                f"APP_ENV must be development, testing or production, not {self.APP_ENV!r}"
            )
        if not 60 <= self.ACCESS_TOKEN_TTL_SECONDS <= MAX_ACCESS_TOKEN_TTL:
            raise ConfigError("ACCESS_TOKEN_TTL_SECONDS must be between 60 and 900")
        for name in (
            "REFRESH_TOKEN_TTL_DAYS",
            "MAX_BODY_BYTES",
            "INVITE_TTL_DAYS",
            "LOGIN_MAX_FAILURES_PER_EMAIL",
            "LOGIN_MAX_FAILURES_PER_ADDRESS",
            "LOGIN_THROTTLE_WINDOW_SECONDS",
            "ARGON2_TIME_COST",
            "ARGON2_MEMORY_KIB",
            "ARGON2_PARALLELISM",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        try:
            make_url(self.DATABASE_URL)
        except Exception:
            raise ConfigError("DATABASE_URL is not a valid database URL") from None
        if self.is_production:
            if self.SECRET_KEY == DEV_SECRET_KEY:
                raise ConfigError(
                    "refusing to start in production with the default SECRET_KEY: "
                    "set SECRET_KEY to a long random value"
                )
            if len(self.SECRET_KEY) < 32:
                raise ConfigError("SECRET_KEY must be at least 32 characters in production")
            if self.is_sqlite:
                raise ConfigError(
                    "refusing to start in production on SQLite: set DATABASE_URL to PostgreSQL"
                )

    def flask_settings(self) -> dict[str, Any]:
        settings = {name: getattr(self, name) for name in VARIABLES}
        settings.update(
            MAX_CONTENT_LENGTH=self.MAX_BODY_BYTES,
            API_TITLE="infusion-diary",
            API_VERSION="v1",
            OPENAPI_VERSION="3.0.3",
            OPENAPI_URL_PREFIX="/",
            OPENAPI_JSON_PATH="openapi.json",
            OPENAPI_SWAGGER_UI_PATH="/docs",
            OPENAPI_SWAGGER_UI_URL="/docs/assets/",
        )
        settings.update(self.extra)
        return settings

    def job_settings(self) -> JobSettings:
        account = None
        if self.FCM_SERVICE_ACCOUNT_FILE:
            try:
                with open(self.FCM_SERVICE_ACCOUNT_FILE) as handle:
                    account = json.load(handle)
            except (OSError, ValueError) as error:
                raise ConfigError(
                    f"FCM_SERVICE_ACCOUNT_FILE cannot be read as JSON ({type(error).__name__})"
                ) from None
        return JobSettings(
            scan_local_hour=self.SCAN_LOCAL_HOUR,
            suggestion_expiry_days=self.SUGGESTION_EXPIRY_DAYS,
            dispatch_max_attempts=self.DISPATCH_MAX_ATTEMPTS,
            webpush_vapid_private_key=self.WEBPUSH_VAPID_PRIVATE_KEY or None,
            webpush_vapid_subject=self.WEBPUSH_VAPID_SUBJECT,
            fcm_service_account=account,
            fcm_project_id=self.FCM_PROJECT_ID or None,
            fcm_endpoint=self.FCM_ENDPOINT,
        )
